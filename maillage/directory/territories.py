"""French administrative areas: loading Etalab's referential, and looking territories up.

The data comes from the npm package `@etalab/decoupage-administratif` (installed by `make` into
`node_modules/`, pinned in package-lock.json): regions, départements, EPCIs (coded by SIREN),
current communes and the municipal arrondissements of Paris, Lyon and Marseille. Delegated and
associated communes are left out: nobody is served by a commune that no longer exists on its own.

`load_territories` compares the files with the table and writes only the differences, so running
it again costs a read of the files and of the table (about a second), and creates nothing.
"""

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from maillage.core.french import fill
from maillage.core.text import normalise

from .models import Territory, TerritoryKind

DEFAULT_DATA_DIR = (
    settings.BASE_DIR / "node_modules" / "@etalab" / "decoupage-administratif" / "data"
)
FILES = ("regions.json", "departements.json", "epci.json", "communes.json")
# Fields compared to tell an unchanged row from one to update.
FIELDS = (
    "name",
    "region_code",
    "departement_code",
    "epci_code",
    "commune_code",
    "postal_codes",
    "population",
    "search_name",
)
KINDS_IN_ORDER = (
    TerritoryKind.REGION,
    TerritoryKind.DEPARTEMENT,
    TerritoryKind.EPCI,
    TerritoryKind.COMMUNE,
    TerritoryKind.ARRONDISSEMENT,
)
COMMUNE_TYPES = {
    "commune-actuelle": TerritoryKind.COMMUNE,
    "arrondissement-municipal": TerritoryKind.ARRONDISSEMENT,
}
INSEE_CODE = re.compile(r"^(?:[0-9]{2}|2A|2B)[0-9]{3}$")
DEPARTEMENT_CODE = re.compile(r"^(?:[0-9]{2}|2A|2B|97[0-9]|98[0-9])$")
SIREN = re.compile(r"^[0-9]{9}$")
BATCH_SIZE = 2000


class TerritoryDataError(Exception):
    """A data file is missing or is not in the format of decoupage-administratif."""


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_updated(self) -> int:
        return sum(self.updated.values())

    def lines(self) -> list[str]:
        return [
            f"{kind.label}: {self.created[kind]} created, {self.updated[kind]} updated, "
            f"{self.unchanged[kind]} unchanged"
            for kind in KINDS_IN_ORDER
        ]


# --- Reading the files --------------------------------------------------------------------------


def _read(data_dir: Path, name: str, required: Iterable[str]) -> list[dict]:
    path = Path(data_dir) / name
    if not path.is_file():
        raise TerritoryDataError(
            f"{path} is missing. Install Etalab's referential with 'npm ci' (make does it), "
            "or give the folder holding regions.json, departements.json, epci.json and "
            "communes.json."
        )
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise TerritoryDataError(f"{path} is not valid JSON: {error}") from error
    if not isinstance(rows, list):
        raise TerritoryDataError(f"{path} should hold a JSON list of objects.")
    for index, row in enumerate(rows):
        missing = [key for key in required if not isinstance(row, dict) or key not in row]
        if missing:
            raise TerritoryDataError(
                f"{path}, entry {index + 1}: missing {', '.join(missing)} "
                "(is this decoupage-administratif's format?)"
            )
    return rows


def _territory(kind, code, name, **fields) -> Territory:
    return Territory(kind=kind, code=code, name=name, search_name=normalise(name)[:200], **fields)


def read_territories(data_dir: Path | str | None = None, departements: Iterable[str] = ()):
    """Unsaved Territory rows from the files, in order (regions first), optionally only those
    of some départements (with their regions and the EPCIs that have a commune there)."""
    data_dir = Path(data_dir or DEFAULT_DATA_DIR)
    regions = _read(data_dir, "regions.json", ("code", "nom"))
    depts = _read(data_dir, "departements.json", ("code", "nom", "region"))
    epcis = _read(data_dir, "epci.json", ("code", "nom", "membres"))
    communes = _read(data_dir, "communes.json", ("code", "nom", "type"))
    wanted = set(departements)
    unknown = wanted - {d["code"] for d in depts}
    if unknown:
        raise TerritoryDataError(f"Unknown département code(s): {', '.join(sorted(unknown))}")

    epci_of = {}
    for epci in epcis:
        for member in epci["membres"]:
            epci_of[member["code"]] = epci["code"]
    current = [c for c in communes if c["type"] in COMMUNE_TYPES]
    for commune in current:
        if "departement" not in commune or "region" not in commune:
            raise TerritoryDataError(f"communes.json: {commune['code']} has no département/region")
    dept_of = {c["code"]: c["departement"] for c in current}
    population = Counter()
    for commune in current:
        if commune["type"] == "commune-actuelle":
            for code in (commune["departement"], "region:" + commune["region"]):
                population[code] += commune.get("population") or 0

    def kept(dept_code: str) -> bool:
        return not wanted or dept_code in wanted

    kept_regions = {d["region"] for d in depts if kept(d["code"])}
    rows = [
        _territory(
            TerritoryKind.REGION,
            r["code"],
            r["nom"],
            region_code=r["code"],
            population=population["region:" + r["code"]] or None,
        )
        for r in regions
        if r["code"] in kept_regions
    ]
    rows += [
        _territory(
            TerritoryKind.DEPARTEMENT,
            d["code"],
            d["nom"],
            region_code=d["region"],
            departement_code=d["code"],
            population=population[d["code"]] or None,
        )
        for d in depts
        if kept(d["code"])
    ]
    for epci in epcis:
        member_depts = {dept_of.get(m["code"], "") for m in epci["membres"]}
        if wanted and not member_depts & wanted:
            continue
        # An EPCI may straddle départements: it gets one only when all its members share it.
        dept = member_depts.pop() if len(member_depts) == 1 else ""
        region = next((d["region"] for d in depts if d["code"] == dept), "") if dept else ""
        rows.append(
            _territory(
                TerritoryKind.EPCI,
                epci["code"],
                epci["nom"],
                region_code=region,
                departement_code=dept,
                epci_code=epci["code"],
                population=epci.get("populationMunicipale"),
            )
        )
    for commune in current:
        if not kept(commune["departement"]):
            continue
        parent = commune.get("commune", "")
        rows.append(
            _territory(
                COMMUNE_TYPES[commune["type"]],
                commune["code"],
                commune["nom"],
                region_code=commune["region"],
                departement_code=commune["departement"],
                epci_code=epci_of.get(parent or commune["code"], ""),
                commune_code=parent,
                postal_codes=sorted(commune.get("codesPostaux") or []),
                population=commune.get("population"),
            )
        )
    return rows


# --- Writing them -------------------------------------------------------------------------------


def _values(territory: Territory) -> tuple:
    return tuple(getattr(territory, name) for name in FIELDS)


@transaction.atomic
def load_territories(
    *,
    data_dir: Path | str | None = None,
    departements: Iterable[str] = (),
    progress: Callable[[str], None] | None = None,
) -> LoadReport:
    """Bring the Territory table to the files' content (creates and updates; never deletes,
    since structures and offers point at territories)."""
    say = progress or (lambda message: None)
    rows = read_territories(data_dir, departements)
    say(f"Read {len(rows)} territories from the files.")
    existing = {(t.kind, t.code): t for t in Territory.objects.only("id", "kind", "code", *FIELDS)}
    report = LoadReport()
    to_create, to_update = [], []
    for row in rows:
        current = existing.get((row.kind, row.code))
        if current is None:
            to_create.append(row)
            report.created[row.kind] += 1
        elif _values(current) != _values(row):
            row.pk = current.pk
            to_update.append(row)
            report.updated[row.kind] += 1
        else:
            report.unchanged[row.kind] += 1
    for start in range(0, len(to_create), BATCH_SIZE):
        Territory.objects.bulk_create(to_create[start : start + BATCH_SIZE])
        say(f"Created {min(start + BATCH_SIZE, len(to_create))}/{len(to_create)}.")
    for start in range(0, len(to_update), BATCH_SIZE):
        Territory.objects.bulk_update(to_update[start : start + BATCH_SIZE], FIELDS)
        say(f"Updated {min(start + BATCH_SIZE, len(to_update))}/{len(to_update)}.")
    return report


# --- Looking territories up ---------------------------------------------------------------------

LOCAL_KINDS = (TerritoryKind.COMMUNE, TerritoryKind.ARRONDISSEMENT)
# "kind:code" prefixes, as the back office forms accept them too ("reg:93").
PREFIXES = {
    **{kind.value: kind.value for kind in TerritoryKind},
    "reg": TerritoryKind.REGION,
    "région": TerritoryKind.REGION,
    "dep": TerritoryKind.DEPARTEMENT,
    "département": TerritoryKind.DEPARTEMENT,
}


def parse_territory_code(text: str) -> tuple[str | None, str]:
    """(kind, code) of a territory reference: "kind:code" names the kind ("region:93", "reg:93",
    "epci:200054807"); a bare code is read by its shape: 9 digits an EPCI (SIREN), 5 characters
    a commune or arrondissement (INSEE), 2-3 a département. A region needs its prefix, as its
    codes are also département codes. The kind is None for a commune or arrondissement (their
    INSEE codes never clash) and "?" for something that cannot be a reference."""
    text = (text or "").strip()
    prefix, sep, code = text.partition(":")
    if sep:
        kind, code = PREFIXES.get(prefix.strip().lower(), "?"), code.strip().upper()
        return (None if kind in LOCAL_KINDS else kind), code
    code = text.upper()
    if SIREN.match(code):
        return TerritoryKind.EPCI, code
    if INSEE_CODE.match(code):
        return None, code
    if DEPARTEMENT_CODE.match(code):
        return TerritoryKind.DEPARTEMENT, code
    return "?", code


def _code_q(text: str) -> Q | None:
    kind, code = parse_territory_code(text)
    if kind == "?":
        return None
    if kind is None:
        return Q(kind__in=LOCAL_KINDS, code=code)
    return Q(kind=kind, code=code)


def find_territory(text: str) -> Territory | None:
    """The territory a code reference names (see parse_territory_code), or None."""
    query = _code_q(text)
    return Territory.objects.filter(query).first() if query is not None else None


def territories_by_codes(codes: Iterable[str]) -> list[Territory]:
    """The territories named by these references, in their order, in one query; raises a
    ValidationError naming the references that match nothing (for a form or serializer field)."""
    codes = [c for c in (str(c).strip() for c in codes) if c]
    queries = {code: _code_q(code) for code in codes}
    combined = Q(pk__in=[])
    for query in queries.values():
        if query is not None:
            combined |= query
    found = list(Territory.objects.filter(combined)) if codes else []
    result, unknown = [], []
    for code in codes:
        kind, bare = parse_territory_code(code)
        match = next(
            (
                t
                for t in found
                if t.code == bare and (t.kind == kind or (kind is None and t.kind in LOCAL_KINDS))
            ),
            None,
        )
        if match is None:
            unknown.append(code)
        elif match not in result:
            result.append(match)
    if unknown:
        raise ValidationError(
            _("Unknown territory code: %(codes)s."),
            code="unknown_territory",
            params={"codes": ", ".join(unknown)},
        )
    return result


def validate_insee_code(code: str) -> Territory:
    """The commune or arrondissement of this INSEE code; a translated ValidationError if none."""
    code = (code or "").strip().upper()
    if not INSEE_CODE.match(code):
        raise ValidationError(
            _("“%(code)s” is not an INSEE code: it has five characters, e.g. 13055."),
            code="invalid_insee_code",
            params={"code": code},
        )
    territory = Territory.objects.filter(kind__in=LOCAL_KINDS, code=code).first()
    if territory is None:
        raise ValidationError(
            _("Unknown INSEE code: %(code)s. No commune has this code."),
            code="unknown_insee_code",
            params={"code": code},
        )
    return territory


_CODE_TOKEN = re.compile(r"\b((?:[0-9]{2}|2[AaBb])[0-9]{3})\b")


# --- Five digits: a postal code or an INSEE code -----------------------------------------------
#
# 13001 is the postal code of Marseille 1er and the INSEE code of Aix-en-Provence; 13100 is
# Aix-en-Provence's postal code and the INSEE code of Saint-Rémy-de-Provence. Every place that
# reads five digits (orientation, map, imports, forms) reads them through `read_code`: postal
# code first where the field says postal code (or a visitor types a place), INSEE code first
# where the field says INSEE code, and the other reading kept so that a page can show it.


@dataclass(frozen=True)
class CodeReading:
    """What five digits name, read both ways.

    `as_postal`: the places this postal code serves (its arrondissements rather than their
    city; a postal code may serve several communes). `as_insee`: the commune or arrondissement
    with this INSEE code, if any. Items are Territory objects, or ids for callers that work on
    rows (the imports' matcher).
    """

    code: str
    as_postal: tuple = ()
    as_insee: object = None
    postal_first: bool = True

    @property
    def _insee(self) -> tuple:
        return (self.as_insee,) if self.as_insee is not None else ()

    @property
    def candidates(self) -> tuple:
        """The places of the first reading that names any."""
        first, second = (
            (self.as_postal, self._insee) if self.postal_first else (self._insee, self.as_postal)
        )
        return first or second

    @property
    def read_as_postal(self) -> bool:
        return bool(self.as_postal) and (self.postal_first or not self.as_insee)

    @property
    def place(self):
        """The one place the code names as first read, or None (nothing, or several)."""
        candidates = self.candidates
        return candidates[0] if len(candidates) == 1 else None

    @property
    def alternatives(self) -> tuple:
        """The places of the other reading, when both readings name something different."""
        if not self.as_postal or self.as_insee is None or self.as_insee in self.as_postal:
            return ()
        return self._insee if self.read_as_postal else self.as_postal

    @property
    def is_ambiguous(self) -> bool:
        return bool(self.alternatives)


def most_specific(territories: Iterable[Territory]) -> tuple[Territory, ...]:
    """The arrondissements among the places of a postal code, else its communes."""
    territories = list(territories)
    parts = [t for t in territories if t.kind == TerritoryKind.ARRONDISSEMENT]
    return tuple(sorted(parts or territories, key=lambda t: t.code))


def read_code(code: str, *, postal_first: bool = True) -> CodeReading:
    """Five digits (or a Corsican INSEE code) read as a postal code and as an INSEE code."""
    code = (code or "").strip().upper()
    if not INSEE_CODE.match(code):
        return CodeReading(code=code, postal_first=postal_first)
    local = Territory.objects.filter(kind__in=LOCAL_KINDS)
    as_postal = most_specific(_with_postal_code(local, code)) if code.isdigit() else ()
    as_insee = next((t for t in as_postal if t.code == code), None)
    if as_insee is None:
        as_insee = local.filter(code=code).first()
    return CodeReading(code=code, as_postal=as_postal, as_insee=as_insee, postal_first=postal_first)


def describe_reading(reading: CodeReading) -> str:
    """The sentence that shows an ambiguous code: what was understood, and the other reading."""
    chosen = ", ".join(str(t.name) for t in reading.candidates)
    other = ", ".join(str(t.name) for t in reading.alternatives)
    if reading.read_as_postal:
        return fill(
            _(
                "%(code)s is the postal code of %(chosen)s, and also the INSEE code of "
                "%(other)s: we read it as a postal code."
            ),
            code=reading.code,
            chosen=chosen,
            other=other,
        )
    return fill(
        _(
            "%(code)s is the INSEE code of %(chosen)s, and also the postal code of %(other)s: "
            "we read it as an INSEE code."
        ),
        code=reading.code,
        chosen=chosen,
        other=other,
    )


@dataclass(frozen=True)
class PlaceReading:
    """A place typed as text: the territory found (or None) and, for an ambiguous code, the
    other reading to show."""

    territory: Territory | None
    code: CodeReading | None = None

    @property
    def ambiguity(self) -> str:
        if self.code is None or not self.code.is_ambiguous or self.territory is None:
            return ""
        return describe_reading(self.code)

    @property
    def alternatives(self) -> tuple:
        return self.code.alternatives if self.code is not None else ()


def read_place(text: str, *, postal_first: bool = True) -> PlaceReading:
    """The commune or municipal arrondissement a piece of text names.

    Reads a bare code (through `read_code`: postal code first unless `postal_first` is False),
    a name in any case and with or without accents ("Aubagne", "salon de provence"), or a code
    with a name ("13001 Marseille", "Marseille (13001)"), where the name settles the reading.
    With a postal code, the arrondissement it belongs to is preferred to its city.
    """
    text = (text or "").strip()
    match = _CODE_TOKEN.search(text)
    code = match.group(1).upper() if match else ""
    name = normalise(_CODE_TOKEN.sub(" ", text)) if match else normalise(text)
    local = Territory.objects.filter(kind__in=LOCAL_KINDS)
    if code and not name:
        reading = read_code(code, postal_first=postal_first)
        return PlaceReading(territory=reading.place, code=reading)
    if not name:
        return PlaceReading(territory=None)
    named = list(local.filter(search_name=name))
    if code:
        named = [t for t in named if code in t.postal_codes or t.code == code]
    if len(named) != 1:
        return PlaceReading(territory=None)
    found = named[0]
    if code and found.kind == TerritoryKind.COMMUNE:
        parts = _with_postal_code(
            local.filter(kind=TerritoryKind.ARRONDISSEMENT, commune_code=found.code), code
        )
        if len(parts) == 1:
            return PlaceReading(territory=parts[0])
    return PlaceReading(territory=found)


def find_commune(text: str) -> Territory | None:
    """The commune or arrondissement that text written where an INSEE code is expected names
    (an INSEE code first, then a postal code, or a name): see `read_place`."""
    return read_place(text, postal_first=False).territory


def read_visitor_place(text: str) -> PlaceReading:
    """The place a visitor of the public site typed: a département code ("13"), else a commune
    as `read_place` reads it, postal code first (visitors type postal codes), else a name of
    any other territory (the most populous when several share it)."""
    text = (text or "").strip()
    if not text:
        return PlaceReading(territory=None)
    if DEPARTEMENT_CODE.match(text.upper()):
        return PlaceReading(
            territory=Territory.objects.filter(
                kind=TerritoryKind.DEPARTEMENT, code=text.upper()
            ).first()
        )
    found = read_place(text, postal_first=True)
    if found.territory is None and found.code is not None and found.code.candidates:
        # A postal code serving several communes: the first of them, the page names it.
        return PlaceReading(territory=found.code.candidates[0], code=found.code)
    if found.territory is not None or found.code is not None:
        return found
    return PlaceReading(
        territory=Territory.objects.exclude(kind=TerritoryKind.EPCI)
        .filter(search_name=normalise(text))
        .order_by("-population", "kind")
        .first()
    )


def _with_postal_code(queryset, postal_code: str) -> list[Territory]:
    # JSON containment is not portable to SQLite: narrow on the département, then check here.
    candidates = queryset.filter(departement_code__in={postal_code[:2], postal_code[:3]})
    if postal_code.startswith("20"):
        candidates = queryset.filter(departement_code__in=("2A", "2B"))
    return [t for t in candidates if postal_code in t.postal_codes]
