"""Which column of a file holds which field: recognised from the headers, or chosen by the user.

A header matches a field when, once normalised (`readers.normalise_label`: case, accents,
punctuation, "N°" ignored), it equals the field's label or one of its `headers`; failing that,
when its `matching.loose_key` equals theirs (word order, small words such as "de", "du",
"l'", inclusive-writing endings and abbreviations such as "RDV", "Réf" do not count:
"Référence de l'acte" and "N° de l'acte" are "N° acte", "Date RDV" is "Date du RDV"). Each
column goes to one field at most, the first field (in the entity's order) that claims it.

A column left unmapped whose header names a number or a reference ("Réf.", "N°", "Code",
"ID"…) may be the file's own identifier of its rows: `identifier_like` says so, and the
pipeline checks its values (`pipeline.IdentifierCheck`).
"""

from functools import cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import override

from .entities import ENTITIES, EntitySpec
from .matching import loose_key
from .readers import normalise_label


@cache
def _synonyms(entity: str) -> dict[str, tuple[str, ...]]:
    """{field code: normalised headers}, the labels in French and English included."""
    spec = ENTITIES[entity]
    synonyms = {}
    for field in spec.fields:
        names = [*field.headers, field.code.replace("_", " ")]
        for language in ("fr", "en"):
            with override(language):
                names.append(str(field.label))
        synonyms[field.code] = tuple(dict.fromkeys(normalise_label(n) for n in names if n))
    return synonyms


class KnownHeaders(frozenset):
    """Normalised headers; a label is in it when it is one of them, or has the loose key of
    one of them (so that the header row of "Date RDV", "Référence de l'acte" is found too)."""

    def __new__(cls, names):
        known = super().__new__(cls, names)
        known.loose = frozenset(key for key in (loose_key(name) for name in names) if key)
        return known

    def __contains__(self, label) -> bool:
        return frozenset.__contains__(self, label) or loose_key(label) in self.loose


@cache
def known_headers(entity: str) -> KnownHeaders:
    """Every normalised header recognised for the entity (for the header row detection)."""
    return KnownHeaders({name for names in _synonyms(entity).values() for name in names})


@cache
def _loose_synonyms(entity: str) -> dict[str, frozenset[str]]:
    """{field code: the loose keys of its headers}."""
    return {
        code: frozenset(key for key in (loose_key(name) for name in names) if key)
        for code, names in _synonyms(entity).items()
    }


def auto_mapping(entity: str, header: list[str]) -> dict[str, str]:
    """{field code: header as the file writes it} for the columns recognised: by their exact
    (normalised) header first, then, for the fields still without a column, by `loose_key`."""
    normalised = [normalise_label(text or "") for text in header]
    taken: set[int] = set()
    mapping = {}
    for code, names in _synonyms(entity).items():
        for name in names:
            index = next(
                (i for i, text in enumerate(normalised) if text == name and i not in taken), None
            )
            if index is not None:
                taken.add(index)
                mapping[code] = header[index]
                break
    loose = [loose_key(text or "") for text in header]
    for code, keys in _loose_synonyms(entity).items():
        if code in mapping:
            continue
        index = next(
            (i for i, key in enumerate(loose) if key and key in keys and i not in taken), None
        )
        if index is not None:
            taken.add(index)
            mapping[code] = header[index]
    return mapping


def unmapped_columns(header: list[str], mapping: dict[str, str]) -> list[str]:
    """The columns of the file no field reads, in the file's order (empty headers left out)."""
    used = set(mapping.values())
    return [column for column in dict.fromkeys(header) if column and column not in used]


# Words of a header that name a row's own number or reference…
_IDENTIFIER_WORDS = frozenset(
    {"id", "ref", "reference", "numero", "identifiant", "ident", "code", "cle", "matricule"}
)
# …unless it is the number of something else: a phone, a place, a registry, an allowance.
_NOT_ROW_IDENTIFIER = frozenset(
    {
        "telephone",
        "tel",
        "portable",
        "mobile",
        "postal",
        "insee",
        "commune",
        "departement",
        "siret",
        "siren",
        "rna",
        "naf",
        "ape",
        "secu",
        "securite",
        "caf",
        "allocataire",
        "fiscal",
        "iban",
        "rue",
        "voie",
        "adresse",
    }
)


def identifier_like(header: str) -> bool:
    """Whether a header reads like the name of the rows' own identifier ("Réf. RDV", "N°
    interne", "Code séance", "ID")."""
    words = set(normalise_label(header or "").split())
    return bool(words & _IDENTIFIER_WORDS) and not words & _NOT_ROW_IDENTIFIER


def clean_mapping(spec: EntitySpec, header: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """The mapping with its empty entries dropped; ValidationError for anything unknown."""
    columns = set(header)
    cleaned = {}
    used: dict[str, str] = {}
    errors = []
    for code, column in mapping.items():
        if not column:
            continue
        if code not in spec.field_map:
            errors.append(_("“%(field)s” is not a field of this kind of file.") % {"field": code})
            continue
        if column not in columns:
            errors.append(
                _("The file has no column “%(column)s”: choose one of its columns.")
                % {"column": column}
            )
            continue
        if column in used:
            errors.append(
                _(
                    "The column “%(column)s” is chosen for both “%(first)s” and “%(second)s”: "
                    "choose one column per field."
                )
                % {
                    "column": column,
                    "first": spec[used[column]].label,
                    "second": spec[code].label,
                }
            )
            continue
        used[column] = code
        cleaned[code] = column
    if errors:
        raise ValidationError(errors, code="mapping")
    return cleaned


def missing_fields(spec: EntitySpec, mapping: dict[str, str]) -> list[str]:
    """Translated sentences, one per required field (or group of fields) the mapping lacks."""
    missing = []
    for field in spec.fields:
        if field.required and field.code not in mapping:
            missing.append(
                _("Choose the column that holds “%(field)s”: this field is required.")
                % {"field": field.label}
            )
    if spec.refers_to_person:
        by_name = {"last_name", "first_name", "birth_date"} <= mapping.keys()
        by_list = "attendees" in spec.field_map and "attendees" in mapping
        if "file_number" not in mapping and not by_name and not by_list:
            missing.append(
                _(
                    "Choose the column of the file number, or the columns of the last name, "
                    "first name and birth date: each row must name its person."
                )
            )
    return missing
