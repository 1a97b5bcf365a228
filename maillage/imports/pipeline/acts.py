"""Acts: every check made while reading, new acts written in bulk (`bulk_record_acts`: COPY on
PostgreSQL), corrected ones through `update_act`.

An individual act names its person (file number, or name and birth date); a collective act
lists its attendees' file numbers in one cell, separated by ";" (and the invited persons who
did not come in another). The stable key of a row without identifier is its persons, date and
type of act.
"""

from django.utils.translation import gettext as _

from maillage.directory.models import Offer
from maillage.pathways.acts.bulk import NewAct, bulk_record_acts
from maillage.pathways.acts.services import update_act
from maillage.pathways.common import NOT_FOLLOWED_MESSAGE, followed_persons_condition, today
from maillage.pathways.models import Act, Person

from ..entities import ACTS
from ..values import CellError
from .base import Handler
from .core import CREATE, Item, RowProblem, stable_key

NAME_FIELDS = frozenset({"file_number", "last_name", "first_name", "birth_date"})


class ActsHandler(Handler):
    spec = ACTS
    model = Act
    bulk = True
    field_codes = {"duration_minutes": "duration", "persons": "file_number"}

    def load(self) -> None:
        self.latest = today()
        self.index = self.people  # read now, not on the first row
        # The rule of `record_act`, checked row by row (with its line) before the bulk write.
        self.followed = frozenset(
            Person.objects.filter(followed_persons_condition([self.structure.pk])).values_list(
                "pk", flat=True
            )
        )

    def prepare(self, item: Item) -> None:
        values = item.values
        participants: dict[int, bool] = {}
        number = values.get("file_number")
        index = self.index
        if number and len(values.keys() & NAME_FIELDS) == 1:
            participants[index.by_number(number)] = True
        elif values.keys() & NAME_FIELDS:
            participants[index.resolve(values)] = True
        for number in values.get("attendees", ()):
            participants[index.by_number(number, "attendees")] = True
        for number in values.get("absent", ()):
            person = index.by_number(number, "absent")
            if participants.get(person):
                raise RowProblem(
                    "absent",
                    values["absent"],
                    _("A person cannot be both present and absent: check both lists."),
                )
            participants[person] = False
        if not participants:
            raise RowProblem(
                "file_number" if "file_number" in self.report.columns else "attendees",
                None,
                _(
                    "This row does not say who the act was for: fill in the file number (or "
                    "the name and birth date), or the attendees."
                ),
            )
        if not participants.keys() <= self.followed:
            raise RowProblem(
                "file_number" if "file_number" in self.report.columns else "attendees",
                None,
                str(NOT_FOLLOWED_MESSAGE),
            )
        act_type = values["act_type"]
        is_collective = len(participants) > 1 or act_type.is_collective
        if not is_collective and not next(iter(participants.values())):
            raise RowProblem(
                "absent",
                values.get("absent"),
                _("An individual act is recorded for the person who came."),
            )
        day = values["occurred_on"]
        if day > self.latest:
            raise RowProblem(
                "occurred_on", day, _("This date is in the future: enter the day it happened.")
            )
        offer_id = None
        if "offer" in values:
            try:
                offer_id = self.lookups.offers_of(self.structure.pk).match(values["offer"])
            except CellError as error:
                raise RowProblem("offer", values["offer"], error.reason) from None
        item.data = NewAct(
            act_type_id=act_type.pk,
            occurred_on=day,
            duration_minutes=values["duration"],
            participants=tuple(sorted(participants.items())),
            is_collective=is_collective,
            offer_id=offer_id,
            staff_id=values.get("staff"),
            title=values.get("title", ""),
            notes=values.get("notes", ""),
        )

    def stable_key(self, item: Item) -> str:
        """Its persons, date and type of act (the pipeline adds the occurrence number)."""
        data = item.data
        code = item.values["act_type"].code
        if len(data.participants) == 1:
            return f"k:{data.participants[0][0]}|{data.occurred_on.isoformat()}|{code}"
        persons = tuple(person for person, _attended in data.participants)
        return stable_key((persons, data.occurred_on, code))

    def hash_parts(self, item: Item) -> tuple:
        return item.data.participants

    def write(self, items: list[Item], progress) -> None:
        new = [item for item in items if item.action == CREATE]
        ids = bulk_record_acts(
            structure=self.structure, user=self.user, acts=[item.data for item in new]
        )
        for item, pk in zip(new, ids, strict=True):
            item.object_id, item.version = pk, 1
        if progress:
            progress(len(new))
        # Corrected rows (usually few) through the service, which keeps the same invariants.
        super().write([item for item in items if item.action != CREATE], progress)

    def update(self, item: Item, act: Act) -> int:
        data: NewAct = item.data
        persons = Person.objects.in_bulk([person for person, _attended in data.participants])
        changes = {
            "act_type": item.values["act_type"],
            "occurred_on": data.occurred_on,
            "duration_minutes": data.duration_minutes,
        }
        if data.offer_id:
            changes["offer"] = Offer.objects.get(pk=data.offer_id)
        for name in ("title", "notes"):
            if name in item.values:
                changes[name] = getattr(data, name)
        update_act(
            act=act,
            user=self.user,
            expected_version=item.version,
            persons=list(persons.values()),
            absent={person for person, attended in data.participants if not attended},
            **changes,
        )
        return act.version
