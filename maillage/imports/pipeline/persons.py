"""Persons: created or updated through the pathways services, each accompanied by the structure
with its file number. An import records no consent (the file has none to prove).

A row is the person already linked to its key by an earlier import, else the person that has
its file number in the structure, else — when the advisor said so — a person already recorded;
otherwise a new person. A new person that looks like one the structure already sees (similar
name and birth year, same e-mail or phone) is a probable duplicate: the advisor answers for
each (same person, or new person) before the import; the command imports them as new persons
with a warning.
"""

from django.utils.translation import gettext as _

from maillage.core.french import fill
from maillage.pathways.acts.bulk import set_file_number
from maillage.pathways.common import today
from maillage.pathways.models import Person
from maillage.pathways.persons.selectors import network_matches_for_rows
from maillage.pathways.persons.services import create_person, ensure_accompaniment, update_person

from ..entities import PERSONS
from .base import Handler, plain
from .core import CREATE, PENDING, SKIP, UNCHANGED, UPDATE, Item, RowProblem
from .people import DuplicateFinder, name_key, same_name

FIELDS = (
    "last_name",
    "first_name",
    "birth_date",
    "gender",
    "email",
    "phone",
    "postal_code",
    "commune",
    "situation",
    "priority_neighbourhood",
)
FOREIGN_KEYS = ("commune", "situation")


class PersonsHandler(Handler):
    spec = PERSONS
    model = Person

    def prepare(self, item: Item) -> None:
        values = item.values
        birth_date = values.get("birth_date")
        if birth_date and birth_date > today():
            raise RowProblem(
                "birth_date", birth_date, _("This date is in the future: check the birth date.")
            )
        started_on = values.get("started_on")
        if started_on and started_on > today():
            raise RowProblem(
                "started_on", started_on, _("This date is in the future: enter the day it began.")
            )
        fields = {name: values[name] for name in FIELDS if name in values and name != "commune"}
        if "commune" in values:
            territory, warning = self.lookups.communes().match(values["commune"])
            if territory is not None:
                fields["commune"] = territory
                ambiguity = self.lookups.communes().ambiguity(values["commune"])
                if ambiguity:
                    self.report.warning(item.line, "commune", values["commune"], ambiguity)
            elif warning:
                fields["commune_text"] = str(values["commune"])[:100]
                self.report.warning(
                    item.line,
                    "commune",
                    values["commune"],
                    _(
                        "This commune was not recognised: it is kept as text only. Write its "
                        "name, postal code or INSEE code (e.g. 13055) to link it, or choose it "
                        "on the person's page."
                    ),
                )
        elif values.get("postal_code"):
            # No commune column: the commune is the one the postal code serves, if only one.
            territory = self.lookups.communes().match_postal_code(values["postal_code"])
            if territory is not None:
                fields["commune"] = territory
        item.data = {
            "fields": fields,
            "file_number": values.get("file_number", ""),
            "started_on": started_on,
        }

    def key_parts(self, item: Item) -> tuple:
        values = item.values
        return (
            name_key(values.get("first_name", ""), values.get("last_name", "")),
            values.get("birth_date"),
        )

    def person_key(self, item: Item):
        return None

    def hash_parts(self, item: Item) -> tuple:
        fields = item.data["fields"]
        return (plain(fields.get("commune")), fields.get("commune_text", ""))

    # --- links to persons already recorded --------------------------------------------------

    def after_prepare(self, items: list[Item]) -> None:
        by_file = self.people.by_file if any(i.data["file_number"] for i in items) else {}
        decisions = self.options["decisions"]
        for item in items:
            number = item.data["file_number"]
            if not number:
                continue
            owner = by_file.get(number)
            if item.action != CREATE and owner is not None and owner != item.object_id:
                self._refuse_number(item, number)
            elif item.action == CREATE and owner is not None:
                if not self._same_name(item, owner):
                    self._refuse_number(item, number)
                    continue
                item.object_id, item.link_only = owner, True
        fresh = [i for i in items if i.action == CREATE and not i.link_only]
        finder = None
        for item in fresh:
            # Listed whether answered or not, so that the answers survive a new dry run.
            if finder is None:
                finder = DuplicateFinder(self.structure)
            decision = decisions.get(str(item.line))
            self._look_for_duplicates(item, finder, answered=decision is not None)
            if decision == "new":
                continue
            if decision is not None:
                if int(decision) not in self.people.name_of:
                    self.report.error(
                        item.line,
                        "last_name",
                        item.values.get("last_name"),
                        _("The person chosen for this line cannot be found: answer again."),
                    )
                    continue
                item.object_id, item.link_only = int(decision), True
        self._known_elsewhere([i for i in fresh if not i.link_only])
        linked = [i for i in items if i.object_id and i.action in (CREATE, UPDATE)]
        persons = self.objects(sorted({i.object_id for i in linked}))
        for item in linked:
            person = persons.get(item.object_id)
            while person is not None and person.merged_into_id:
                person = self.model.objects.get(pk=person.merged_into_id)
            if person is None:
                if item.link_only:
                    item.object_id, item.link_only = None, False
                continue
            item.object_id = person.pk
            if person.is_anonymised:
                item.action = SKIP
                self.report.warning(
                    item.line,
                    "",
                    "",
                    _("This person's data was erased in Maillage: the row was not applied."),
                )
            elif item.link_only:
                item.version = person.version
                item.action = UPDATE if self._changes(item, person) else UNCHANGED

    def _known_elsewhere(self, items: list[Item]) -> None:
        """New persons who are probably someone another structure of the network accompanies
        (the rule of the person page, docs/network-identity.md): the structures are named only
        when that person consented to network sharing; otherwise one neutral sentence. A
        warning on the line: the import goes on."""
        if not items:
            return
        found = network_matches_for_rows(self.structure, {item.line: item.values for item in items})
        for item in items:
            matches = found.get(item.line)
            if not matches:
                continue
            if matches.shared:
                structures = sorted({name for p in matches.shared for name in p.accompanying})
                text = fill(
                    _(
                        "This person is probably already accompanied by %(structures)s, and "
                        "consented to network sharing: check with them, and record them from "
                        "the new-person page, which links the records, rather than importing "
                        "a second record."
                    ),
                    structures=", ".join(structures),
                )
            else:
                text = _(
                    "Ask the person whether they have been accompanied by another structure of "
                    "the network. With their consent to network sharing, the records can be "
                    "linked."
                )
            self.report.warning(item.line, "last_name", item.values.get("last_name"), text)

    def _same_name(self, item: Item, pk: int) -> bool:
        """A row naming a person recorded under its file number may correct a typo only."""
        first, last = item.values.get("first_name", ""), item.values.get("last_name", "")
        known = self.people.name_of.get(pk)
        return known is None or same_name(name_key(first, last), known, first, last)

    def _refuse_number(self, item: Item, number: str) -> None:
        self.report.error(
            item.line,
            "file_number",
            number,
            _(
                "This file number already belongs to another person of your structure: each "
                "person needs their own."
            ),
        )

    def _look_for_duplicates(self, item: Item, finder: DuplicateFinder, answered: bool) -> None:
        values = item.values
        found = finder.find(
            first_name=values.get("first_name", ""),
            last_name=values.get("last_name", ""),
            birth_date=values.get("birth_date"),
            email=values.get("email", ""),
            phone=values.get("phone", ""),
        )
        if not found:
            return
        number = item.data["file_number"]
        label = " ".join(
            part
            for part in (
                values.get("first_name", ""),
                values.get("last_name", ""),
                values["birth_date"].strftime("%d/%m/%Y") if values.get("birth_date") else "",
                _("file %(number)s") % {"number": number} if number else "",
            )
            if part
        )
        self.report.duplicates.append(
            {
                "line": item.line,
                "label": label,
                "candidates": [
                    {"id": pk, "label": finder.label(pk), "reasons": [str(r) for r in reasons]}
                    for pk, reasons in found
                ],
            }
        )
        if self.options["new_persons_for_duplicates"]:
            self.report.warning(
                item.line,
                "last_name",
                values.get("last_name"),
                fill(
                    _(
                        "This person looks like %(person)s, already recorded: imported as a "
                        "new person. Merge the two records on the person's page if they are "
                        "the same."
                    ),
                    person=finder.label(found[0][0]),
                ),
            )
        elif not answered:
            item.action = PENDING

    def _changes(self, item: Item, person: Person) -> dict:
        changes = {}
        for name, value in item.data["fields"].items():
            current = (
                getattr(person, f"{name}_id") if name in FOREIGN_KEYS else getattr(person, name)
            )
            if plain(value) != current and value not in ("", None):
                changes[name] = value
        return changes

    # --- writing ----------------------------------------------------------------------------

    def create(self, item: Item) -> tuple[int, int]:
        person = create_person(structure=self.structure, user=self.user, **item.data["fields"])
        set_file_number(
            person=person,
            structure=self.structure,
            file_number=item.data["file_number"],
            started_on=item.data["started_on"],
        )
        return person.pk, person.version

    def update(self, item: Item, person: Person) -> int:
        if item.link_only:
            ensure_accompaniment(
                person=person, structure=self.structure, started_on=item.data["started_on"]
            )
        changes = self._changes(item, person)
        if changes:
            update_person(
                person=person,
                user=self.user,
                expected_version=None if item.link_only else item.version,
                **changes,
            )
        set_file_number(
            person=person,
            structure=self.structure,
            file_number=item.data["file_number"],
            started_on=item.data["started_on"],
        )
        return person.version

    def write(self, items, progress) -> None:
        # A person linked (same person / file number) with nothing to change still needs its
        # file number and accompaniment: written as updates, counted as unchanged.
        for item in items:
            if item.link_only and item.action == UNCHANGED:
                item.action = UPDATE
                item.data["unchanged"] = True
        super().write(items, progress)
        for item in items:
            if item.data.get("unchanged"):
                item.action = UNCHANGED
