"""Write a generator plan through the pathways services: every rule is checked on the way.

Used by the demo and the small scales. The services are called as the structures' advisors,
with the plan's historical dates (`sent_at`, `submitted_on`, `occurred_on`, `met_on`, `at`…).
Two things the services date "now" are set back afterwards: when a person was recorded (and
the start of their first structure's accompaniment), and the notifications of old events are
marked read and e-mailed (nobody is e-mailed about fictional history).
"""

from datetime import timedelta

from django.utils import timezone

from maillage.directory.models import LegalForm, Offer, OfferSession, Stage, Structure
from maillage.pathways import models as m
from maillage.pathways.acts import services as act_services
from maillage.pathways.applications import services as application_services
from maillage.pathways.persons import services as person_services
from maillage.pathways.referrals import services as referral_services

from .generator import progress


class ServicesWriter:
    def __init__(self, ctx, users: dict):
        self.ctx = ctx
        self.users = users
        ids = [s.id for s in ctx.structures]
        self.structures = Structure.objects.in_bulk(ids)
        self.offers = Offer.objects.in_bulk([o.id for o in ctx.offers])
        self.sessions = OfferSession.objects.in_bulk([s.id for o in ctx.offers for s in o.sessions])
        self.act_types = {t.code: t for t in m.ActType.objects.all()}
        self.outcome_types = {t.code: t for t in m.OutcomeType.objects.all()}
        self.decline_reasons = {r.code: r for r in m.DeclineReason.objects.all()}
        self.no_next_step_reasons = {r.code: r for r in m.NoNextStepReason.objects.all()}
        self.end_reasons = {r.code: r for r in m.EndReason.objects.all()}
        self.legal_forms = LegalForm.objects.in_bulk()
        self.sectors = m.Sector.objects.in_bulk()
        self.situations = m.Situation.objects.in_bulk()
        self.stages = Stage.objects.in_bulk(ctx.stage_ids)
        self.persons = {}
        self.referrals = {}
        self.applications = {}
        self.projects = {}
        self.counts = dict.fromkeys(
            ("persons", "referrals", "applications", "acts", "outcomes", "consents"), 0
        )

    def write(self, planner) -> dict:
        first_notification = m.Notification.objects.order_by("-pk").values_list("pk", flat=True)
        first_notification = first_notification.first() or 0
        for plan in planner.persons():
            self.person(plan)
            if self.counts["persons"] % 100 == 0:
                progress(f"persons {self.counts['persons']}")
        progress(f"persons {self.counts['persons']}; collective acts")
        for act in planner.collective_acts():
            self.collective(act)
        self.quiet_notifications(first_notification)
        return self.counts

    # --- one person -----------------------------------------------------------------------

    def person(self, plan) -> None:
        structure = self.structures[plan.entry]
        person = person_services.create_person(
            structure=structure,
            user=self.users[plan.creator],
            referent=self.users[plan.referent],
            **{**plan.fields, "situation": self.situations.get(plan.fields["situation"])},
        )
        # The services date the record "now": set it back to the day the person came.
        m.Person.objects.filter(pk=person.pk).update(created_at=plan.created_at)
        m.Accompaniment.objects.filter(person=person, structure=structure).update(
            started_on=plan.created_at.date()
        )
        self.persons[plan.key] = person
        self.counts["persons"] += 1
        self.consents = {}
        for at, kind, data in plan.events:
            getattr(self, f"on_{kind}")(person, at, data)

    def on_consent(self, person, at, data):
        consent = person_services.give_consent(
            person=person,
            user=self.users[data["user"]],
            structure=self.structures[data["structure"]],
            scope=data["scope"],
            method=data["method"],
            proof="Formulaire signé, classé au dossier." if data["method"] == "written" else "",
            given_at=at,
        )
        self.consents[data["scope"]] = consent
        self.counts["consents"] += 1

    def on_withdraw(self, person, at, data):
        person_services.withdraw_consent(
            consent=self.consents[data["scope"]], user=self.users[data["user"]], withdrawn_at=at
        )

    def on_project(self, person, at, data):
        self.projects[data["key"]] = person_services.create_project(
            structure=self.structures[data["structure"]],
            user=self.users[data["user"]],
            persons=[person],
            title=data["title"],
            kind=data["kind"],
            sector=self.sectors.get(data["sector"]),
            envisaged_legal_form=self.legal_forms.get(data["legal_form"]),
        )

    def on_project_stage(self, person, at, data):
        project = self.projects[data["key"]]
        person_services.update_project(
            project=project,
            user=self.users[data["user"]],
            expected_version=None,
            current_stage=self.stages[data["stage"]],
        )

    def on_act(self, person, at, data):
        act_services.record_act(
            structure=self.structures[data["structure"]],
            user=self.users[data["user"]],
            act_type=self.act_types[data["type"]],
            occurred_on=data["day"],
            duration_minutes=data["minutes"],
            persons=[person],
            offer=self.offers.get(data["offer"]),
            session=self.sessions.get(data["session"]),
        )
        self.counts["acts"] += 1

    def on_outcome(self, person, at, data):
        act_services.record_outcome(
            person=person,
            structure=self.structures[data["structure"]],
            user=self.users[data["user"]],
            outcome_type=self.outcome_types[data["type"]],
            occurred_on=data["day"],
            legal_form=self.legal_forms.get(data["legal_form"]),
            details=data["details"],
            project=self.projects.get(data["project"]),
        )
        self.counts["outcomes"] += 1

    # referrals

    def on_refer(self, person, at, data):
        self.referrals[data["key"]] = referral_services.refer_person(
            person=person,
            from_structure=self.structures[data["source"]],
            user=self.users[data["user"]],
            to_structure=self.structures[data["target"]],
            to_offer=self.offers.get(data["offer"]),
            project=self.projects.get(data["project"]),
            reason=data["reason"],
            shared_info="Projet présenté lors de l'entretien d'accueil.",
            sent_at=at,
        )
        self.counts["referrals"] += 1

    def on_received(self, person, at, data):
        referral_services.mark_referral_received(
            referral=self.referrals[data["key"]], user=self.users[data["user"]], at=at
        )

    def on_accept(self, person, at, data):
        referral_services.accept_referral(
            referral=self.referrals[data["key"]], user=self.users[data["user"]], at=at
        )

    def on_decline(self, person, at, data):
        referral_services.decline_referral(
            referral=self.referrals[data["key"]],
            user=self.users[data["user"]],
            reason=self.decline_reasons[data["reason"]],
            note=data["note"],
            at=at,
        )

    def on_redirect(self, person, at, data):
        self.referrals[data["new_key"]] = referral_services.redirect_referral(
            referral=self.referrals[data["key"]],
            user=self.users[data["user"]],
            to_structure=self.structures[data["target"]],
            note=data["note"],
            at=at,
        )
        self.counts["referrals"] += 1

    def on_meet(self, person, at, data):
        referral = self.referrals[data["key"]]
        identity = None
        if referral.is_anonymous:
            # The person tells the receiving structure who they are.
            identity = {
                "first_name": person.first_name,
                "last_name": person.last_name,
                "birth_date": person.birth_date,
            }
        referral_services.record_first_meeting(
            referral=referral,
            user=self.users[data["user"]],
            met_on=data["day"],
            identity=identity,
            at=at,
        )

    def on_close(self, person, at, data):
        referral_services.close_referral(
            referral=self.referrals[data["key"]], user=self.users[data["user"]], at=at
        )

    def on_cancel(self, person, at, data):
        referral_services.cancel_referral(
            referral=self.referrals[data["key"]], user=self.users[data["user"]], at=at
        )

    # applications

    def on_apply(self, person, at, data):
        self.applications[data["key"]] = application_services.submit_application(
            person=person,
            offer=self.offers[data["offer"]],
            user=self.users[data["user"]],
            session=self.sessions.get(data["session"]),
            project=self.projects.get(data["project"]),
            submitted_on=data["day"],
            at=at,
        )
        self.counts["applications"] += 1

    def on_status(self, person, at, data):
        application = self.applications[data["key"]]
        extra = {}
        if "refer_to" in data:
            extra = {
                "refer_to_structure": self.structures[data["refer_to"]],
                "referral_reason": data["reason"],
            }
        elif "no_next_step" in data:
            extra = {
                "no_next_step_reason": self.no_next_step_reasons[data["no_next_step"]],
                "no_next_step_note": data["note"],
            }
        elif "end" in data:
            extra = {
                "end_reason": self.end_reasons[data["end"]["code"]],
                "end_note": data["end"]["note"],
            }
        application_services.change_application_status(
            application=application,
            user=self.users[data["user"]],
            to_status=data["to"],
            at=at,
            **extra,
        )
        if "refer_to" in data:
            self.referrals[data["referral"]] = application.next_step_referral
            self.counts["referrals"] += 1

    # --- collective acts and notifications ------------------------------------------------

    def collective(self, act) -> None:
        participants = [(self.persons[key], attended) for key, attended in act["participants"]]
        if not participants:
            return
        act_services.record_act(
            structure=self.structures[act["structure"]],
            user=self.users[act["user"]],
            act_type=self.act_types[act["type"]],
            occurred_on=act["day"],
            duration_minutes=act["minutes"],
            persons=[person for person, _attended in participants],
            absent={person.pk for person, attended in participants if not attended},
            offer=self.offers.get(act["offer"]),
            session=self.sessions.get(act["session"]),
            title=act["title"],
        )
        self.counts["acts"] += 1

    def quiet_notifications(self, after_pk: int) -> None:
        """No e-mail about fictional history; only the last fortnight's news stays unread."""
        now = timezone.now()
        generated = m.Notification.objects.filter(pk__gt=after_pk)
        recent = {
            str(uuid)
            for uuid in m.Referral.objects.filter(
                pk__in=[r.pk for r in self.referrals.values()],
                status_changed_at__gte=now - timedelta(days=14),
            ).values_list("uuid", flat=True)
        }
        unread = [
            pk
            for pk, path in generated.values_list("pk", "path")
            if path.rstrip("/").rsplit("/", 1)[-1] in recent
        ]
        generated.update(emailed_at=now)
        generated.exclude(pk__in=unread).update(read_at=now)
