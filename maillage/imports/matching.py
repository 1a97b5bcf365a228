"""Matching a cell's text to a list of choices: referential entries, communes.

A value matches a choice, in this order:
1. through the structure's value mappings (`aliases`: the advisor said once that "RSA socle"
   is "Allocataire du RSA"; kept with the saved mapping, see `services.map_values`);
2. when it is equal, after `normalise_label` (case, accents, punctuation ignored), to its
   label, one of its synonyms or its key;
3. when its `loose_key` is equal to theirs: word order, small words (du, de, la, le, les,
   des, d', l'), inclusive-writing endings ("Salarié·e", "Salarié(e)", "salarié-e") and common
   abbreviations ("RDV", "Réf", "N°") do not count;
4. when it is an unambiguous abbreviation: each of its words starts a word of one choice's
   label or synonym, in order ("Ent. indiv." → "Entretien individuel"), and no other choice fits.
Otherwise `UnmatchedValue` names the closest choices, for the advisor to map the value once.
Results are memoised per distinct value, so a column of 100,000 cells costs a dictionary
lookup per cell.

Synonyms for the shared referentials are data, in `synonyms.json` ({kind: {code: [synonym…]}}).
"""

import difflib
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from django.utils.translation import gettext as _

from maillage.core.text import normalise, strip_accents

from .readers import normalise_label
from .values import CellError

SYNONYMS_FILE = Path(__file__).with_name("synonyms.json")
SHOWN_CHOICES = 8  # accepted values listed in an "unknown value" message
MIN_PREFIX = 2  # characters an abbreviation needs
CLOSEST = 3  # choices proposed for a value that matches none
CLOSE_ENOUGH = 0.3  # the least similarity of a proposed choice (0 to 1)

# --- Loose comparison ----------------------------------------------------------------------------

# Words a label may leave out: "Allocataire RSA" is "Allocataire du RSA".
SMALL_WORDS = frozenset({"de", "du", "des", "la", "le", "les", "d", "l", "au", "aux"})
# Common abbreviations, as `normalise_label` writes them, and the words they stand for.
ABBREVIATIONS = {
    "rdv": "rendez vous",
    "rv": "rendez vous",
    "ref": "reference",
    "refs": "reference",
    "ident": "identifiant",
    "nb": "nombre",
    "nbre": "nombre",
    "tel": "telephone",
    "tph": "telephone",
    "alloc": "allocataire",
    "benef": "beneficiaire",
    "dde": "demande",
    "sal": "salarie",
    "etud": "etudiant",
    "indep": "independant",
    "qpv": "quartier prioritaire",
}
# Words that all name a row's own number: "Référence de l'acte" is "N° de l'acte".
IDENTIFIER_WORDS = {"reference": "numero", "identifiant": "numero", "id": "numero"}
# Inclusive writing: "Salarié·e", "Salarié(e)", "salarié-e", "Étudiant·es", "Demandeur·se".
_INCLUSIVE = re.compile(
    r"(?<=[a-z])(?:[\u00b7\u2022\u22c5.\-]|\()"
    r"(e|es|s|se|ses|ne|nes|euse|euses|rice|rices|trice|trices|le|les|lle|lles|ere|eres)"
    r"(?:\)s?)?(?![a-z])"
)


@lru_cache(maxsize=65536)
def loose_key(text) -> str:
    """A label as it is compared when the exact comparison failed: `normalise_label`, without
    inclusive-writing endings and small words, abbreviations spelled out, words sorted (their
    order does not count). "RDV du conseiller" and "Conseiller RDV" give the same key."""
    lowered = strip_accents(str(text or "").lower())
    for _round in range(2):  # "salarié·e·s": two endings
        lowered = _INCLUSIVE.sub("", lowered)
    words = []
    for word in normalise_label(lowered).split():
        if word in SMALL_WORDS:
            continue
        for part in ABBREVIATIONS.get(word, word).split():
            words.append(IDENTIFIER_WORDS.get(part, part))
    return " ".join(sorted(set(words)))


def similarity(value: str, text: str) -> float:
    """How close two labels are, from 0 to 1: the words they share (a word may be abbreviated)
    and the characters they have in common."""
    first, second = loose_key(value).split(), loose_key(text).split()
    if not first or not second:
        return 0.0
    shared = sum(
        1 for word in first if any(o.startswith(word) or word.startswith(o) for o in second)
    )
    words = shared / max(len(first), len(second))
    characters = difflib.SequenceMatcher(None, " ".join(first), " ".join(second)).ratio()
    return 0.6 * words + 0.4 * characters


class UnmatchedValue(CellError):
    """A value that names no choice, or several: `candidates` are the closest choices (code,
    label), `options` every choice (code, label), the closest first."""

    def __init__(self, reason: str, *, candidates=(), options=()):
        super().__init__(reason)
        self.candidates = list(candidates)
        self.options = list(options)

    def fresh(self) -> "UnmatchedValue":
        return UnmatchedValue(self.reason, candidates=self.candidates, options=self.options)


@dataclass(frozen=True)
class Choice:
    key: object
    label: str
    synonyms: tuple[str, ...] = ()

    @property
    def code(self) -> str:
        """What a value mapping names the choice by: a referential entry's code, or the key."""
        return str(getattr(self.key, "code", self.key))


class Matcher:
    """Matches values to `choices`; `what` names them in messages ("act type").

    `aliases` are the structure's value mappings for this column: {`loose_key` of a value:
    the code of a choice}."""

    def __init__(self, choices: Iterable[Choice], *, what: str, aliases: dict | None = None):
        self.choices = list(choices)
        self.what = str(what)
        self._exact: dict[str, set] = defaultdict(set)
        self._loose: dict[str, set] = defaultdict(set)
        self._words: list[tuple[tuple[str, ...], int]] = []  # (label words, choice index)
        self._cache: dict[object, object] = {}
        by_code = {}
        for index, choice in enumerate(self.choices):
            by_code.setdefault(choice.code, index)
            texts = [choice.label, *choice.synonyms]
            if isinstance(choice.key, str | int) and not isinstance(choice.key, bool):
                texts.append(str(choice.key))
            for text in texts:
                label = normalise_label(text)
                if not label:
                    continue
                self._exact[label].add(index)
                self._loose[loose_key(text)].add(index)
                self._words.append((tuple(label.split()), index))
        self._aliases = {
            loose_key(value): by_code.get(str(code)) for value, code in (aliases or {}).items()
        }

    def options(self) -> list[tuple[str, str]]:
        """(code, label) of every choice, once each."""
        return list(dict.fromkeys((choice.code, choice.label) for choice in self.choices))

    def match(self, value):
        """The key of the choice `value` names; CellError when it names none or several
        (`UnmatchedValue`, with the closest choices, when a value mapping may settle it)."""
        try:
            found = self._cache[value]
        except KeyError:
            found = self._cache[value] = self._find(value)
        except TypeError:  # an unhashable value
            found = self._find(value)
        if isinstance(found, UnmatchedValue):
            raise found.fresh()
        if isinstance(found, CellError):
            raise CellError(found.reason)
        return found

    def _find(self, value):
        label = normalise_label(value)
        if not label:
            return self._unknown(value)
        loose = loose_key(value)
        if loose in self._aliases:
            index = self._aliases[loose]
            if index is None:
                return CellError(
                    _(
                        "Your saved mapping gives this value a meaning that is no longer a "
                        "value of “%(what)s”: map it again in the dry run."
                    )
                    % {"what": self.what}
                )
            return self.choices[index].key
        indexes = self._exact.get(label)
        if not indexes and loose:
            indexes = self._loose.get(loose)
        if not indexes and len(label) >= MIN_PREFIX:
            words = label.split()
            indexes = {
                index
                for candidate, index in self._words
                if len(candidate) >= len(words)
                and all(c.startswith(w) for c, w in zip(candidate, words, strict=False))
            }
        keys = {self.choices[index].key: index for index in indexes or ()}
        if len(keys) == 1:
            return self.choices[next(iter(keys.values()))].key
        if not keys:
            return self._unknown(value)
        candidates = sorted({self.choices[index].label for index in keys.values()})
        chosen = [self.choices[index] for index in sorted(keys.values())]
        return UnmatchedValue(
            _("Ambiguous value: it could be %(candidates)s. Write more of the name.")
            % {"candidates": _or_list(candidates)},
            candidates=[(c.code, c.label) for c in chosen],
            options=self._ordered_options(chosen),
        )

    def closest(self, value) -> list[Choice]:
        """The choices closest to `value` (at most `CLOSEST`), the closest first."""
        scored = []
        for choice in self.choices:
            texts = [choice.label, *choice.synonyms]
            score = max(similarity(str(value), text) for text in texts)
            if score >= CLOSE_ENOUGH:
                scored.append((score, choice))
        scored.sort(key=lambda pair: -pair[0])
        found: dict[str, Choice] = {}
        for _score, choice in scored:
            found.setdefault(choice.code, choice)
            if len(found) >= CLOSEST:
                break
        return list(found.values())

    def _ordered_options(self, first: list[Choice]) -> list[tuple[str, str]]:
        codes = {choice.code for choice in first}
        return [(c.code, c.label) for c in first] + [
            option for option in self.options() if option[0] not in codes
        ]

    def _unknown(self, value=None) -> CellError:
        labels = list(dict.fromkeys(choice.label for choice in self.choices))
        shown = ", ".join(_quoted(label) for label in labels[:SHOWN_CHOICES])
        if len(labels) > SHOWN_CHOICES:
            shown += ", …"
        if not labels:
            return CellError(
                _(
                    "No value of “%(what)s” is available to your structure yet. Ask your "
                    "network's coordinator to add the one you need."
                )
                % {"what": self.what}
            )
        closest = self.closest(value) if value is not None and str(value).strip() else []
        return UnmatchedValue(
            _("Unknown value for “%(what)s”. Expected one of: %(choices)s.")
            % {"what": self.what, "choices": shown},
            candidates=[(choice.code, choice.label) for choice in closest],
            options=self._ordered_options(closest),
        )


def _quoted(text: str) -> str:
    return _("“%(text)s”") % {"text": text}


def _or_list(items: list[str]) -> str:
    quoted = [_quoted(item) for item in items]
    if len(quoted) == 1:
        return quoted[0]
    return _("%(first)s or %(last)s") % {"first": ", ".join(quoted[:-1]), "last": quoted[-1]}


# --- Referentials -------------------------------------------------------------------------------


@cache
def _synonyms() -> dict[str, dict[str, list[str]]]:
    return json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))


def _label_fields(model) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if field.name.startswith("label_")]


def referential_matcher(kind: str, *, structure, aliases: dict | None = None) -> Matcher:
    """A matcher of the entries of a pathways referential (`referentials.KINDS`, e.g.
    "act-types") that advisors of `structure` choose from; keys are the entries themselves.
    Labels match in every language, and so do the codes and the synonyms of `synonyms.json`;
    `aliases` are the structure's value mappings ({value: entry code})."""
    from maillage.pathways.referentials import KINDS, entries_for_structures

    model, _plural, _extra = KINDS[kind]
    fields = _label_fields(model)
    synonyms = _synonyms().get(kind, {})
    choices = []
    for entry in entries_for_structures(model, [structure.pk]):
        labels = [getattr(entry, name) for name in fields if getattr(entry, name)]
        choices.append(
            Choice(
                key=entry,
                label=entry.label,
                synonyms=(*labels, entry.code, *synonyms.get(entry.code, ())),
            )
        )
    return Matcher(choices, what=str(model._meta.verbose_name), aliases=aliases)


# --- Communes -----------------------------------------------------------------------------------


class CommuneMatcher:
    """Communes and municipal arrondissements named by INSEE code, postal code or name.

    `match(value)` gives (territory, None), or (None, a translated warning) when the value names
    no commune or several: the caller keeps the text. A bare five-digit number is read as a
    postal code first (files write postal codes more often than INSEE codes, and the two
    overlap: 13005 is Marseille 5e's postal code and Aubagne's INSEE code), then as an INSEE
    code. Within a postal code, the arrondissement comes before its city.

    The territories' codes and names are read once, on the first value, into dictionaries
    (one query); the Territory objects are built only for the values found, and each distinct
    value is looked up once.
    """

    FIELDS = (
        "id",
        "kind",
        "code",
        "name",
        "region_code",
        "departement_code",
        "epci_code",
        "commune_code",
        "postal_codes",
        "population",
        "search_name",
    )

    def __init__(self, queryset=None):
        self._queryset = queryset
        self._rows: dict[int, tuple] | None = None
        self._objects: dict[int, object] = {}
        self._cache: dict[str, tuple] = {}

    def _load(self):
        from maillage.directory.models import Territory, TerritoryKind

        queryset = Territory.objects.all() if self._queryset is None else self._queryset
        rows = queryset.filter(
            kind__in=(TerritoryKind.COMMUNE, TerritoryKind.ARRONDISSEMENT)
        ).values_list(*self.FIELDS)
        self._rows = {}
        self._by_code: dict[str, int] = {}
        self._by_postal: dict[str, list[int]] = defaultdict(list)
        self._by_name: dict[str, list[int]] = defaultdict(list)
        self._parts: dict[str, dict[int, int]] = defaultdict(dict)  # city code → number → id
        self._city_of: dict[int, str] = {}  # arrondissement id → its city's code
        for row in rows:
            pk, kind, code, name, commune_code, postal_codes = (
                row[0],
                row[1],
                row[2],
                row[3],
                row[7],
                row[8],
            )
            self._rows[pk] = row
            self._by_code[code] = pk
            for postal_code in postal_codes or ():
                self._by_postal[postal_code].append(pk)
            self._by_name[_commune_key(name)].append(pk)
            if kind == TerritoryKind.ARRONDISSEMENT and commune_code:
                self._city_of[pk] = commune_code
                number = _arrondissement_number(name)
                if number:
                    self._parts[commune_code][number] = pk

    def _territory(self, pk: int):
        from maillage.directory.models import Territory

        if pk not in self._objects:
            self._objects[pk] = Territory.from_db("default", self.FIELDS, self._rows[pk])
        return self._objects[pk]

    def match(self, value) -> tuple:
        """(Territory, None), or (None, a translated warning), or (None, None) for no text."""
        if isinstance(value, int) and not isinstance(value, bool):
            text = f"{value:05d}"
        else:
            text = "" if value is None else " ".join(str(value).split())
        try:
            return self._cache[text]
        except KeyError:
            pass
        if self._rows is None:
            self._load()
        found = self._find(text) if text else []
        if not text:
            result = (None, None)
        elif len(found) == 1:
            result = (self._territory(found[0]), None)
        elif found:
            names = sorted(f"{self._rows[pk][3]} ({self._rows[pk][2]})" for pk in found)
            result = (
                None,
                _(
                    "“%(value)s” may be several communes (%(names)s): it is kept as text. "
                    "Write its INSEE code to link it to its commune."
                )
                % {
                    "value": text,
                    "names": ", ".join(names[:5]) + (", …" if len(names) > 5 else ""),
                },
            )
        else:
            result = (
                None,
                _(
                    "“%(value)s” is not a known commune: it is kept as text. Write the name of "
                    "the commune, its postal code or its INSEE code (e.g. 13055) to link it."
                )
                % {"value": text},
            )
        self._cache[text] = result
        return result

    def _find(self, text: str) -> list[int]:
        code_match = _CODE_TOKEN.search(text)
        code = code_match.group(1).upper() if code_match else ""
        name = _commune_key(_CODE_TOKEN.sub(" ", text) if code_match else text)
        if code and not name:
            return [t.pk for t in self.reading(code).candidates]
        if not name:
            return []
        named = self._by_name.get(name) or self._arrondissement_named(name)
        if code:
            named = [
                pk for pk in named if code == self._rows[pk][2] or code in (self._rows[pk][8] or ())
            ]
            if len(named) == 1 and named[0] not in self._city_of:
                # "13005 Marseille": the arrondissement of that postal code.
                parts = [
                    pk
                    for pk in self._by_postal.get(code, [])
                    if self._city_of.get(pk) == self._rows[named[0]][2]
                ]
                if len(parts) == 1:
                    return parts
        return list(named)

    def reading(self, code: str):
        """Five digits read as a postal code first, then as an INSEE code (as everywhere:
        `directory.territories.read_code`), from the rows read once."""
        from maillage.directory.territories import CodeReading

        if self._rows is None:
            self._load()
        as_postal = sorted(
            self._most_specific(self._by_postal.get(code, [])), key=lambda pk: self._rows[pk][2]
        )
        as_insee = self._by_code.get(code)
        return CodeReading(
            code=code,
            as_postal=tuple(self._territory(pk) for pk in as_postal),
            as_insee=self._territory(as_insee) if as_insee is not None else None,
            postal_first=True,
        )

    def ambiguity(self, value) -> str:
        """For a bare code that is a postal code and an INSEE code of different places, the
        sentence that says which was taken (empty otherwise)."""
        text = f"{value:05d}" if isinstance(value, int) else " ".join(str(value or "").split())
        if not _BARE_CODE.fullmatch(text):
            return ""
        from maillage.directory.territories import describe_reading

        reading = self.reading(text.upper())
        return describe_reading(reading) if reading.is_ambiguous and reading.place else ""

    def match_postal_code(self, code: str):
        """The one commune or arrondissement a postal code serves, or None."""
        if not code:
            return None
        places = self.reading(code).as_postal
        return places[0] if len(places) == 1 else None

    def _arrondissement_named(self, name: str) -> list[int]:
        """ "marseille 5e", "marseille 05", "marseille 5eme arrondissement", "paris 1er"."""
        match = _ARRONDISSEMENT.fullmatch(name)
        if not match:
            return []
        city, number = match.group(1), int(match.group(2))
        found = []
        for pk in self._by_name.get(city, []):
            part = self._parts.get(self._rows[pk][2], {}).get(number)
            if part is not None:
                found.append(part)
        return found

    def _most_specific(self, found: list[int]) -> list[int]:
        """Within a postal code, its arrondissements rather than their city."""
        parts = [pk for pk in found if pk in self._city_of]
        return parts or found


_CODE_TOKEN = re.compile(r"\b((?:[0-9]{2}|2[AaBb])[0-9]{3})\b")
_BARE_CODE = re.compile(r"(?:[0-9]{2}|2[AaBb])[0-9]{3}")
_ARRONDISSEMENT = re.compile(
    r"(.+?) (\d{1,2}) ?(?:e|er|eme|ere|em|ème)?(?: arr| arrt| arrondissement)?"
)
_SAINT = re.compile(r"\b(st|ste|saint|sainte)\b")
_DIGITS = re.compile(r"(\d{1,2})")


def _commune_key(text: str) -> str:
    """A commune's name as compared: `normalise` (case, accents, hyphens), "St"/"Ste" read as
    "saint"/"sainte"."""
    key = normalise(text)
    if "st" in key:
        key = _SAINT.sub(lambda m: "sainte" if m.group(1) in ("ste", "sainte") else "saint", key)
    return key


def _arrondissement_number(name: str) -> int | None:
    """5 for "Marseille 5e Arrondissement"."""
    match = _DIGITS.search(name)
    return int(match.group(1)) if match else None
