"""Finding the persons rows refer to, and the probable duplicates of new persons, set-wise.

Both read the persons the importing structure may see (it accompanies them, or a referral with
their data reached it) once, into dictionaries: a file of 100,000 rows costs no query per row.
"""

from collections import defaultdict

from django.utils.translation import gettext as _

from maillage.core.text import normalise
from maillage.pathways.models import Accompaniment, Person
from maillage.pathways.persons.selectors import phone_digits, within_one_edit
from maillage.pathways.visibility import visible_persons_condition

from .core import RowProblem

MAX_CANDIDATES = 5


def name_key(first_name: str, last_name: str) -> str:
    return normalise(f"{last_name} {first_name}")


def visible_persons(structure):
    return Person.objects.filter(
        visible_persons_condition([structure.pk]), anonymised_at__isnull=True
    )


class PersonIndex:
    """The structure's persons by file number and by (name, birth date)."""

    def __init__(self, structure, columns=()):
        self.structure = structure
        self.columns = columns  # the fields the file has
        self.by_file: dict[str, int] = dict(
            Accompaniment.objects.filter(structure=structure)
            .exclude(file_number="")
            .values_list("file_number", "person_id")
        )
        self.name_of: dict[int, str] = {}
        self.by_name: dict[tuple, list[int]] = defaultdict(list)
        for pk, key, birth_date in visible_persons(structure).values_list(
            "pk", "name_key", "birth_date"
        ):
            self.name_of[pk] = key
            self.by_name[(key, birth_date)].append(pk)

    def by_number(self, number: str, code: str = "file_number") -> int:
        try:
            return self.by_file[number]
        except KeyError:
            raise RowProblem(
                code,
                number,
                _(
                    "No person has this file number in your structure: check it, or import "
                    "the persons file first."
                ),
            ) from None

    def resolve(self, values: dict) -> int:
        """The id of the person a row names (file number, or name and birth date)."""
        number = values.get("file_number")
        last_name, first_name = values.get("last_name", ""), values.get("first_name", "")
        if number:
            pk = self.by_number(number)
            key = name_key(first_name, last_name)
            known = self.name_of.get(pk, "")
            if (
                (last_name or first_name)
                and known
                and not same_name(key, known, first_name, last_name)
            ):
                raise RowProblem(
                    "file_number",
                    number,
                    _(
                        "This file number belongs to another person in your structure than "
                        "the name on this row: check the file number or the name."
                    ),
                )
            return pk
        birth_date = values.get("birth_date")
        if not (last_name and first_name and birth_date):
            raise RowProblem(
                "file_number" if "file_number" in self.columns else "last_name",
                number or last_name,
                _(
                    "This row does not say who the person is: fill in the file number, or the "
                    "last name, first name and birth date."
                ),
            )
        found = self.by_name.get((name_key(first_name, last_name), birth_date), [])
        if len(found) == 1:
            return found[0]
        if not found:
            raise RowProblem(
                "last_name",
                last_name,
                _(
                    "No person of your structure has this name and birth date: check them, "
                    "import the persons file first, or use the file number."
                ),
            )
        raise RowProblem(
            "last_name",
            last_name,
            _(
                "Several persons of your structure have this name and birth date: use the "
                "file number to say which one."
            ),
        )


def same_name(key: str, known: str, first_name: str, last_name: str) -> bool:
    swapped = normalise(f"{first_name} {last_name}")
    return within_one_edit(key, known) or within_one_edit(swapped, known)


class DuplicateFinder:
    """Probable duplicates of new persons among those the structure sees (as
    `pathways.persons.selectors.probable_duplicates` finds them: a similar name with the same or an
    unknown birth year, the same e-mail, or the same phone digits), for many rows at once."""

    def __init__(self, structure, exclude: set[int] = frozenset()):
        self.people: dict[int, tuple] = {}
        self.by_year: dict[int | None, list[int]] = defaultdict(list)
        self.by_prefix: dict[str, list[int]] = defaultdict(list)
        self.by_email: dict[str, list[int]] = defaultdict(list)
        self.by_phone: dict[str, list[int]] = defaultdict(list)
        rows = visible_persons(structure).values_list(
            "pk",
            "first_name",
            "last_name",
            "name_key",
            "birth_date",
            "birth_year",
            "email",
            "phone",
        )
        for pk, first, last, key, birth_date, year, email, phone in rows:
            if pk in exclude:
                continue
            digits = phone_digits(phone)
            self.people[pk] = (first, last, key, birth_date, year, digits)
            self.by_year[year].append(pk)
            self.by_prefix[key[:3]].append(pk)
            if email:
                self.by_email[email.lower()].append(pk)
            if len(digits) >= 6:
                self.by_phone[digits[-9:]].append(pk)

    def _name_candidates(self, key: str, year: int | None) -> set[int]:
        if year is not None:
            pool = self.by_year.get(year, []) + [
                pk for pk in self.by_year.get(None, []) if self.people[pk][2][:3] == key[:3]
            ]
        else:
            pool = self.by_prefix.get(key[:3], [])
        return set(pool)

    def find(self, *, first_name, last_name, birth_date, email, phone) -> list[tuple[int, list]]:
        """[(person id, [translated reasons])], at most MAX_CANDIDATES."""
        key = name_key(first_name, last_name)
        swapped = normalise(f"{first_name} {last_name}")
        year = birth_date.year if birth_date else None
        reasons: dict[int, list] = defaultdict(list)
        if key:
            pool = self._name_candidates(key, year) | self._name_candidates(swapped, year)
            for pk in pool:
                known, known_year = self.people[pk][2], self.people[pk][4]
                if (within_one_edit(key, known) or within_one_edit(swapped, known)) and (
                    year is None or known_year is None or year == known_year
                ):
                    reasons[pk].append(_("similar name and birth year"))
        if email:
            for pk in self.by_email.get(email.lower(), []):
                reasons[pk].append(_("same e-mail"))
        digits = phone_digits(phone or "")
        if len(digits) >= 6:
            for pk in self.by_phone.get(digits[-9:], []):
                if self.people[pk][5] == digits:
                    reasons[pk].append(_("same phone"))
        ordered = sorted(reasons.items(), key=lambda item: (-len(item[1]), item[0]))
        return ordered[:MAX_CANDIDATES]

    def label(self, pk: int, file_number: str = "") -> str:
        first, last, _key, birth_date, _year, _digits = self.people[pk]
        parts = [f"{first} {last}".strip()]
        if birth_date:
            parts.append(_("born on %(date)s") % {"date": birth_date.strftime("%d/%m/%Y")})
        if file_number:
            parts.append(_("file %(number)s") % {"number": file_number})
        return ", ".join(parts)
