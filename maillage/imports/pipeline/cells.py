"""From a row's cells to the values of its fields: one converter per mapped field.

A converter takes the cell as the reader gives it (never None: empty cells are left out) and
returns the field's value, or raises `CellError`. Referential values, offers, structures and
staff are matched once per distinct text (the matchers memoise), so a column of 100,000 cells
costs a dictionary lookup per cell.
"""

import datetime
import re

from django.utils.translation import gettext as _

from maillage.directory.models import LegalForm, Offer, OfferSession, Structure
from maillage.pathways.referentials import networks_of_structures

from ..entities import CHOICES, FILE_NUMBERS_SEPARATOR, EntitySpec, FieldSpec
from ..matching import Choice, CommuneMatcher, Matcher, referential_matcher
from ..readers import normalise_label
from ..values import (
    CellError,
    parse_bool,
    parse_date,
    parse_duration,
    parse_email,
    parse_phone,
    parse_text,
)

_SPLIT_NUMBERS = re.compile(rf"\s*[{FILE_NUMBERS_SEPARATOR},\n]\s*")
_POSTAL_CODE = re.compile(r"\d{5}")


def display(value) -> str:
    """A cell's value as the error report shows it (as the spreadsheet would)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def identifier(value, max_length: int = 0) -> str:
    """An identifier as text: 1234 typed as a number is "1234", never "1234.0"."""
    if isinstance(value, bool):
        raise CellError(_("Expected an identifier (letters and digits)."))
    text = display(value).strip()
    if max_length and len(text) > max_length:
        raise CellError(
            _("Expected at most %(limit)s characters; this cell has %(length)s. Shorten it.")
            % {"limit": max_length, "length": len(text)}
        )
    return text


def file_numbers(value) -> tuple[str, ...]:
    """ "12; 15 ;17" → ("12", "15", "17")."""
    text = display(value)
    return tuple(dict.fromkeys(part for part in _SPLIT_NUMBERS.split(text.strip()) if part))


def postal_code(value) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 99999:
        return f"{value:05d}"  # a spreadsheet drops the leading zero of 06000
    text = display(value).replace(" ", "")
    if _POSTAL_CODE.fullmatch(text):
        return text
    raise CellError(_("Expected a postal code of five digits, such as 13001."))


# Kinds of fields whose values the advisor may map to an entry once (`value_mappings`).
MAPPABLE_KINDS = frozenset({"referential", "choice", "legal_form"})


class Lookups:
    """What a structure's rows are matched against, loaded on first use. `value_mappings`:
    {field code: {value: entry code}}, the structure's own words for the entries."""

    def __init__(self, structure, user, value_mappings: dict | None = None):
        self.structure = structure
        self.user = user
        self.value_mappings = value_mappings or {}
        self._matchers: dict[str, Matcher] = {}
        self._communes = None
        self._staff = None
        self._sessions = None
        self._offers_of: dict[int, Matcher] = {}

    def referential(self, kind: str, field_code: str = "") -> Matcher:
        """The entries of a referential; with `field_code`, the value mappings of that column
        come first."""
        key = f"{kind}:{field_code}" if field_code else kind
        if key not in self._matchers:
            self._matchers[key] = referential_matcher(
                kind,
                structure=self.structure,
                aliases=self.value_mappings.get(field_code) if field_code else None,
            )
        return self._matchers[key]

    def choice(self, source: str, field_code: str = "") -> Matcher:
        key = f"choice:{source}:{field_code}"
        if key not in self._matchers:
            self._matchers[key] = Matcher(
                [Choice(value, str(label), synonyms) for value, label, synonyms in CHOICES[source]],
                what=_("value"),
                aliases=self.value_mappings.get(field_code),
            )
        return self._matchers[key]

    def legal_form(self, field_code: str = "") -> Matcher:
        """Legal forms (keys: the entries themselves)."""
        key = f"legal_form:{field_code}"
        if key not in self._matchers:
            entries = LegalForm.objects.filter(is_active=True)
            self._matchers[key] = Matcher(
                [
                    Choice(entry, entry.label, (entry.label_fr, entry.label_en, entry.code))
                    for entry in entries
                ],
                what=_("legal form"),
                aliases=self.value_mappings.get(field_code),
            )
        return self._matchers[key]

    def offers_of(self, structure_id: int) -> Matcher:
        """The offers of a structure, by title (keys: offer ids)."""
        if structure_id not in self._offers_of:
            offers = Offer.objects.filter(structure_id=structure_id).order_by("title", "pk")
            self._offers_of[structure_id] = Matcher(
                [Choice(pk, title) for pk, title in offers.values_list("pk", "title")],
                what=_("offer"),
            )
        return self._offers_of[structure_id]

    def structures(self) -> Matcher:
        """The other structures of the structure's networks (keys: structure ids)."""
        if "structures" not in self._matchers:
            others = (
                Structure.objects.filter(networks__in=networks_of_structures([self.structure.pk]))
                .exclude(pk=self.structure.pk)
                .distinct()
                .order_by("name")
            )
            self._matchers["structures"] = Matcher(
                [
                    Choice(pk, name, (slug,))
                    for pk, name, slug in others.values_list("pk", "name", "slug")
                ],
                what=_("structure"),
            )
        return self._matchers["structures"]

    def session(self, offer_id: int | None, starts_on: datetime.date) -> int:
        if offer_id is None:
            raise CellError(_("A session needs its offer: fill in the Offer column."))
        if self._sessions is None:
            self._sessions = {
                (offer, day): pk
                for pk, offer, day in OfferSession.objects.filter(
                    offer__structure=self.structure
                ).values_list("pk", "offer_id", "starts_on")
            }
        try:
            return self._sessions[(offer_id, starts_on)]
        except KeyError:
            raise CellError(
                _(
                    "This offer has no session starting on that day: write the start date of "
                    "one of its sessions, or leave the cell empty."
                )
            ) from None

    def staff(self, value) -> int:
        if self._staff is None:
            from maillage.accounts.models import StructureMembership

            self._staff = {}
            members = StructureMembership.objects.filter(structure=self.structure).values_list(
                "user_id", "user__email", "user__full_name"
            )
            for user_id, email, full_name in members:
                self._staff[email.lower()] = user_id
                if full_name:
                    self._staff.setdefault(normalise_label(full_name), user_id)
        text = display(value).strip()
        found = self._staff.get(text.lower()) or self._staff.get(normalise_label(text))
        if found is None:
            raise CellError(
                _(
                    "No member of your structure has this e-mail or name: write the e-mail of "
                    "their account, or leave the cell empty."
                )
            )
        return found

    def communes(self) -> CommuneMatcher:
        if self._communes is None:
            self._communes = CommuneMatcher()
        return self._communes


def converter(field: FieldSpec, lookups: Lookups):
    """The function reading a non-empty cell of `field`."""
    kind = field.kind
    limit = field.max_length or None
    if kind == "text":
        return lambda value: parse_text(value, limit)
    if kind == "id":
        return lambda value: identifier(value, field.max_length)
    if kind == "date":
        return parse_date
    if kind == "duration":
        return parse_duration
    if kind == "email":
        return parse_email
    if kind == "phone":
        return parse_phone
    if kind == "postal_code":
        return postal_code
    if kind == "bool":
        return parse_bool
    if kind == "file_numbers":
        return file_numbers
    if kind == "choice":
        return lookups.choice(field.source, field.code).match
    if kind == "referential":
        return lookups.referential(field.source, field.code).match
    if kind == "legal_form":
        return lookups.legal_form(field.code).match
    if kind == "structure":
        return lookups.structures().match
    if kind == "staff":
        return lookups.staff
    # Resolved by the entity's handler: they depend on other cells (the offer of a session,
    # the structure of an offer) or give a warning rather than an error (communes).
    if kind == "offer":
        return lambda value: display(value).strip()
    if kind == "session":
        return parse_date
    if kind == "commune":
        return lambda value: value
    raise ValueError(f"Unknown field kind {kind!r}")


def converters(spec: EntitySpec, mapping: dict[str, int], lookups: Lookups):
    """[(code, column index, converter or None)] for the mapped fields, in the entity's order."""
    return [
        (field.code, mapping[field.code], converter(field, lookups))
        for field in spec.fields
        if field.code in mapping
    ]
