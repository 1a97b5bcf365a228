"""Projects, applications, referrals and outcomes: each row through its pathways service.

What a new import may change afterwards is what the services allow: a project's and an
outcome's fields, an application's status (forward only, along its state machine); a referral
belongs to the structure it was sent to once sent, so a changed row is skipped with a warning.
"""

from collections import deque
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.directory.models import Offer, OfferSession, Structure
from maillage.pathways.acts.services import record_outcome, update_outcome
from maillage.pathways.applications.services import change_application_status, submit_application
from maillage.pathways.common import today
from maillage.pathways.models import (
    Application,
    ApplicationStatus,
    Outcome,
    Person,
    Project,
    ProjectKind,
    Referral,
)
from maillage.pathways.persons.services import create_project, update_project
from maillage.pathways.referrals.services import refer_person
from maillage.pathways.states import APPLICATION_TRANSITIONS

from ..entities import APPLICATIONS, OUTCOMES, PROJECTS, REFERRALS
from ..values import CellError
from .base import CHUNK, Handler, plain
from .core import SKIP, UPDATE, Item, RowProblem


def noon(day: date) -> datetime:
    """The moment a dated event is recorded at when the file gives only its day."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def not_future(code: str, day: date | None) -> None:
    if day is not None and day > today():
        raise RowProblem(code, day, _("This date is in the future: enter the day it happened."))


class RecordsHandler(Handler):
    """Rows about one person, written one by one through the services."""

    def person_key(self, item: Item):
        return item.data["person"]

    def write(self, items: list[Item], progress) -> None:
        ids = sorted(
            {pk for item in items if item.data for pk in item.data.get("persons", ())}
            | {item.data["person"] for item in items if item.data}
        )
        self.persons = {}
        for start in range(0, len(ids), CHUNK):
            self.persons.update(Person.objects.in_bulk(ids[start : start + CHUNK]))
        super().write(items, progress)

    def offer(self, item: Item, structure_id: int) -> int | None:
        if "offer" not in item.values:
            return None
        try:
            return self.lookups.offers_of(structure_id).match(item.values["offer"])
        except CellError as error:
            raise RowProblem("offer", item.values["offer"], error.reason) from None


# --- Projects ----------------------------------------------------------------------------------


class ProjectsHandler(RecordsHandler):
    spec = PROJECTS
    model = Project
    field_codes = {"envisaged_legal_form": "legal_form", "persons": "co_holders"}

    def prepare(self, item: Item) -> None:
        values = item.values
        person = self.people.resolve(values)
        holders = [person]
        for number in values.get("co_holders", ()):
            other = self.people.by_number(number, "co_holders")
            if other not in holders:
                holders.append(other)
        kind = values.get("kind") or (
            ProjectKind.COLLECTIVE if len(holders) > 1 else ProjectKind.INDIVIDUAL
        )
        if kind == ProjectKind.INDIVIDUAL and len(holders) > 1:
            raise RowProblem(
                "kind",
                values.get("kind"),
                _("An individual project has one person: write “collective” for more."),
            )
        fields = {"title": values["title"], "kind": kind}
        for code, name in (
            ("description", "description"),
            ("sector", "sector"),
            ("legal_form", "envisaged_legal_form"),
        ):
            if code in values:
                fields[name] = values[code]
        item.data = {"person": person, "persons": tuple(holders), "fields": fields}

    def hash_parts(self, item: Item) -> tuple:
        return item.data["persons"]

    def create(self, item: Item) -> tuple[int, int]:
        project = create_project(
            structure=self.structure,
            user=self.user,
            persons=[self.persons[pk] for pk in item.data["persons"]],
            **item.data["fields"],
        )
        return project.pk, project.version

    def update(self, item: Item, project: Project) -> int:
        update_project(
            project=project,
            user=self.user,
            expected_version=item.version,
            persons=[self.persons[pk] for pk in item.data["persons"]],
            **item.data["fields"],
        )
        return project.version


# --- Applications ------------------------------------------------------------------------------


def status_path(from_status: str, to_status: str) -> list[str] | None:
    """The shortest list of moves from one status to another ([] when equal; None if none)."""
    if from_status == to_status:
        return []
    queue = deque([(from_status, [])])
    seen = {from_status}
    while queue:
        status, path = queue.popleft()
        for following in sorted(APPLICATION_TRANSITIONS.get(status, ())):
            if following in seen:
                continue
            if following == to_status:
                return [*path, following]
            seen.add(following)
            queue.append((following, [*path, following]))
    return None


class ApplicationsHandler(RecordsHandler):
    spec = APPLICATIONS
    model = Application
    field_codes = {
        "no_next_step_reason": "reason",
        "no_next_step_note": "reason",
        "end_reason": "reason",
        "end_note": "reason",
        "submitted_on": "submitted_on",
    }

    def prepare(self, item: Item) -> None:
        values = item.values
        person = self.people.resolve(values)
        offer = self.offer(item, self.structure.pk)
        session = None
        if "session" in values:
            try:
                session = self.lookups.session(offer, values["session"])
            except CellError as error:
                raise RowProblem("session", values["session"], error.reason) from None
        submitted_on = values["submitted_on"]
        not_future("submitted_on", submitted_on)
        status = values.get("status") or ApplicationStatus.SUBMITTED
        status_on = values.get("status_on") or submitted_on
        not_future("status_on", status_on)
        if status_on < submitted_on:
            raise RowProblem(
                "status_on",
                status_on,
                _("The status cannot be dated before the application: check both dates."),
            )
        reasons = {}
        if status == ApplicationStatus.NOT_SELECTED:
            reasons["no_next_step_reason"] = self._reason(item, "no-next-step-reasons", True)
        elif status == ApplicationStatus.DROPPED_OUT and "reason" in values:
            reasons["end_reason"] = self._reason(item, "end-reasons", False)
        item.data = {
            "person": person,
            "offer": offer,
            "session": session,
            "submitted_on": submitted_on,
            "status": status,
            "at": noon(status_on),
            "reasons": reasons,
        }

    def _reason(self, item: Item, kind: str, required: bool):
        text = item.values.get("reason")
        if not text:
            raise RowProblem(
                "reason" if "reason" in self.report.columns else "status",
                text or item.values.get("status"),
                _(
                    "A “not selected” application needs the reason why no next step was "
                    "offered (Reason column): one of your network's reasons."
                ),
            )
        try:
            entry = self.lookups.referential(kind).match(text)
        except CellError as error:
            raise RowProblem("reason", text, error.reason) from None
        if entry.requires_note:
            raise RowProblem(
                "reason",
                text,
                _(
                    "This reason needs a note, which a file cannot give: choose another reason, "
                    "or record this decision on the application's page."
                ),
            )
        return entry

    def key_parts(self, item: Item) -> tuple:
        data = item.data
        return (data["person"], data["offer"], data["session"], data["submitted_on"])

    def after_prepare(self, items: list[Item]) -> None:
        changed = [item for item in items if item.action == UPDATE]
        current = {}
        ids = [item.object_id for item in changed]
        for start in range(0, len(ids), CHUNK):
            current.update(
                Application.objects.filter(pk__in=ids[start : start + CHUNK]).values_list(
                    "pk", "status"
                )
            )
        for item in changed:
            status = current.get(item.object_id)
            path = status_path(status, item.data["status"]) if status else None
            if status is None:
                continue
            if path is None:
                self.report.error(
                    item.line,
                    "status",
                    item.values.get("status"),
                    _(
                        "This application is “%(current)s” in Maillage and cannot become "
                        "“%(new)s”: correct the file, or the application on its page."
                    )
                    % {
                        "current": ApplicationStatus(status).label,
                        "new": ApplicationStatus(item.data["status"]).label,
                    },
                )
            elif not path:
                item.action = SKIP
                self.report.warning(
                    item.line,
                    "",
                    "",
                    _(
                        "A new import changes only the status of an application: the other "
                        "changes of this row were not applied. Correct them on its page."
                    ),
                )

    def create(self, item: Item) -> tuple[int, int]:
        data = item.data
        offer = Offer.objects.select_related("structure").get(pk=data["offer"])
        application = submit_application(
            person=self.persons[data["person"]],
            offer=offer,
            user=self.user,
            session=OfferSession.objects.get(pk=data["session"]) if data["session"] else None,
            submitted_on=data["submitted_on"],
            at=noon(data["submitted_on"]),
        )
        self._move(application, data)
        return application.pk, application.version

    def update(self, item: Item, application: Application) -> int:
        self._move(application, item.data, expected_version=item.version)
        return application.version

    def _move(self, application: Application, data: dict, expected_version=None) -> None:
        for step in status_path(application.status, data["status"]) or ():
            final = step == data["status"]
            change_application_status(
                application=application,
                user=self.user,
                to_status=step,
                expected_version=expected_version,
                at=data["at"],
                **(data["reasons"] if final else {}),
            )
            expected_version = None


# --- Referrals ---------------------------------------------------------------------------------


class ReferralsHandler(RecordsHandler):
    spec = REFERRALS
    model = Referral
    field_codes = {"to_offer": "offer", "sent_at": "sent_on"}

    def prepare(self, item: Item) -> None:
        values = item.values
        person = self.people.resolve(values)
        not_future("sent_on", values["sent_on"])
        target = values["to_structure"]
        item.data = {
            "person": person,
            "to_structure": target,
            "offer": self.offer(item, target),
            "sent_on": values["sent_on"],
        }

    def key_parts(self, item: Item) -> tuple:
        data = item.data
        return (data["person"], data["to_structure"], data["sent_on"])

    def after_prepare(self, items: list[Item]) -> None:
        for item in items:
            if item.action == UPDATE:
                item.action = SKIP
                self.report.warning(
                    item.line,
                    "",
                    "",
                    _(
                        "This referral was already imported and is now answered by the "
                        "structure it was sent to: the changes of this row were not applied."
                    ),
                )

    def create(self, item: Item) -> tuple[int, int]:
        data = item.data
        referral = refer_person(
            person=self.persons[data["person"]],
            from_structure=self.structure,
            user=self.user,
            to_structure=Structure.objects.get(pk=data["to_structure"]),
            to_offer=Offer.objects.get(pk=data["offer"]) if data["offer"] else None,
            reason=item.values.get("reason", ""),
            shared_info=item.values.get("shared_info", ""),
            sent_at=noon(data["sent_on"]),
        )
        return referral.pk, referral.version


# --- Outcomes ----------------------------------------------------------------------------------


class OutcomesHandler(RecordsHandler):
    spec = OUTCOMES
    model = Outcome
    field_codes = {"legal_form": "legal_form", "details": "details"}

    def prepare(self, item: Item) -> None:
        values = item.values
        person = self.people.resolve(values)
        not_future("occurred_on", values["occurred_on"])
        fields = {"outcome_type": values["outcome_type"], "occurred_on": values["occurred_on"]}
        if "legal_form" in values:
            fields["legal_form"] = values["legal_form"]
        if "details" in values:
            fields["details"] = values["details"]
        item.data = {"person": person, "fields": fields}

    def key_parts(self, item: Item) -> tuple:
        fields = item.data["fields"]
        return (item.data["person"], plain(fields["outcome_type"]), fields["occurred_on"])

    def create(self, item: Item) -> tuple[int, int]:
        outcome = record_outcome(
            person=self.persons[item.data["person"]],
            structure=self.structure,
            user=self.user,
            **item.data["fields"],
        )
        return outcome.pk, outcome.version

    def update(self, item: Item, outcome: Outcome) -> int:
        update_outcome(
            outcome=outcome, user=self.user, expected_version=item.version, **item.data["fields"]
        )
        return outcome.version
