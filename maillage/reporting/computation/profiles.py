# ruff: noqa: S608 - SQL text is built from table names and constants; values are parameters.
"""The person breakdowns (gender, age band, situation, priority neighbourhood, territory).

A family's statement carries the person's recorded profile as columns of its base query
(`profile()`) or of a CTE (`profile_cte`), adds one GROUP BY per profile column
(`profile_branches`), and `Profiles.breakdowns` turns those rows into categories: postal codes
into territories with one query at most for the whole report (`Profiles.resolve`, run once by
the runner after every statement).
"""

from collections import Counter
from datetime import date

from django.db.models import F

from maillage.pathways.models import Person

from ..periods import age_band
from ..scope import NONE, departement_of_postal_code, postal_code_map, postal_codes_of, postal_rows
from ..sql import Grouped, as_bool, as_int
from .figures import GENDERS, PERSON_DIMENSIONS, ordered

PERSON = Person._meta.db_table

PROFILE_BRANCHES = (
    ("gender", ["pg"]),
    ("birth_year", ["pb"]),
    ("situation", ["ps"]),
    ("qpv", ["pq"]),
    ("place", ["pc", "pp"]),
)


def profile(prefix: str = "person__") -> dict:
    """The person's recorded profile, as columns of a base query (pg, pb, ps, pq, pc, pp)."""
    return {
        "pg": F(f"{prefix}gender"),
        "pb": F(f"{prefix}birth_year"),
        "ps": F(f"{prefix}situation_id"),
        "pq": F(f"{prefix}priority_neighbourhood"),
        "pc": F(f"{prefix}commune_id"),
        "pp": F(f"{prefix}postal_code"),
    }


PROFILE_COLUMNS = ("pg", "pb", "ps", "pq", "pc", "pp")
PROFILE_SQL = ", ".join(PROFILE_COLUMNS)


def per_human(source: str = "b") -> str:
    """One row per human (`pid`) with the profile of one of their records (`rid`, the highest
    id among those in `source`): a human recorded by two structures counts once in every
    breakdown, even when the two records disagree (docs/network-identity.md)."""
    columns = ", ".join(f"{source}.{column}" for column in PROFILE_COLUMNS)
    return (
        f"SELECT DISTINCT {source}.pid, {columns} FROM {source} JOIN (SELECT pid, MAX(rid) AS "
        f"rid FROM {source} GROUP BY pid) one ON one.pid = {source}.pid AND one.rid = "
        f"{source}.rid"
    )


def profile_cte(grouped: Grouped, name: str, pids_sql: str, params=()) -> None:
    """A CTE of the profiles of some person records (their ids: `pids_sql`), one row each (one
    record per human: see `per_human`)."""
    grouped.cte(
        name,
        f"SELECT p.id AS pid, p.gender AS pg, p.birth_year AS pb, p.situation_id AS ps, "
        f"p.priority_neighbourhood AS pq, p.commune_id AS pc, p.postal_code AS pp "
        f"FROM {PERSON} p WHERE p.id IN ({pids_sql})",
        params,
    )


def profile_branches(grouped: Grouped, source, aggregate="COUNT(*)", where="", prefix=""):
    """Breakdowns by the persons' recorded profile (turned into categories by `Profiles`)."""
    for tag, keys in PROFILE_BRANCHES:
        grouped.branch(f"{prefix}profile:{tag}", keys, [aggregate], source=source, where=where)


class Territories:
    """The communes and arrondissements of the départements read so far, shared by the
    computations of one report (its months and neighbour periods): each computation's postal
    codes are mapped from the rows of its own départements, exactly as `postal_code_map`
    would, without one query per computation."""

    def __init__(self):
        self.rows = {}  # département → its rows

    def postal_map(self, departements: set) -> dict[str, int]:
        missing = sorted(d for d in departements if d not in self.rows)
        if missing:
            for d in missing:
                self.rows[d] = []
            for row in postal_rows(missing):
                self.rows[row[3]].append(row)
        return postal_codes_of(row for d in sorted(departements) for row in self.rows[d])


class Profiles:
    """Turn the profile branches (gender, birth year, situation, QPV, commune or postal code)
    into the person breakdowns; territories found from postal codes with one query at most."""

    def __init__(self, territories: Territories | None = None):
        self.places = set()
        self.territories = territories

    def collect(self, rows: dict) -> None:
        for commune, postal_code, *_n in rows.get("profile:place", ()):
            if commune is None and postal_code:
                self.places.add(postal_code)

    def resolve(self) -> None:
        departements = set()
        for code in self.places:
            departements.update(departement_of_postal_code(code))
        if not departements:
            self.postal = {}
        elif self.territories is not None:
            self.postal = self.territories.postal_map(departements)
        else:
            self.postal = postal_code_map(departements)

    def territory(self, commune, postal_code):
        if commune is not None:
            return as_int(commune)
        return self.postal.get(postal_code or "", NONE)

    def breakdowns(self, rows: dict, end: date, column: int = 0) -> dict:
        """Person dimensions → Counter, from the profile rows (aggregate at `column`)."""
        result = {d: Counter() for d in PERSON_DIMENSIONS}
        for key, _k2, *values in rows.get("profile:gender", ()):
            result["gender"][key if key in GENDERS else "unknown"] += values[column]
        for key, _k2, *values in rows.get("profile:birth_year", ()):
            result["age_band"][age_band(as_int(key), end)] += values[column]
        for key, _k2, *values in rows.get("profile:situation", ()):
            result["situation"][as_int(key) if key is not None else NONE] += values[column]
        for key, _k2, *values in rows.get("profile:qpv", ()):
            result["priority_neighbourhood"]["yes" if as_bool(key) else "no"] += values[column]
        for commune, postal_code, *values in rows.get("profile:place", ()):
            result["territory"][self.territory(commune, postal_code)] += values[column]
        return {d: ordered(d, c) for d, c in result.items()}
