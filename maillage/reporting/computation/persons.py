# ruff: noqa: S608 - SQL text is built from table names and constants; values are parameters.
"""People accompanied, new and ongoing: the persons present at an act of the scope in the period.

People are humans (`Presence.human`): the records of one human count once.

Read from `Presence` (one row per person, structure, offer and month, a bit per day), so a
period cut at any day is exact. One statement for the period (the total, the new people, every
person breakdown, by structure, offer and stage) and one for the previous period's totals.
"""

from django.db.models import F

from maillage.pathways.models import Accompaniment, NetworkPerson

from ..sql import Grouped, placeholders
from .family import Family
from .figures import CURRENT, PREVIOUS, as_counts, count, first_value, keyed, ordered
from .months import presences
from .profiles import PROFILE_COLUMNS, per_human, profile, profile_branches

ACCOMPANIMENT = Accompaniment._meta.db_table
NETWORK_PERSON = NetworkPerson._meta.db_table


class Persons(Family):
    name = "persons"
    codes = ("persons_accompanied", "persons_new", "persons_ongoing")

    def long_fetches(self):
        return [self.fetch_persons]

    def fetches(self):
        return [self.fetch_persons_before]

    def _people(self, period: int, columns, **annotations):
        s = self.scope
        filters = self.periods[period]
        return (
            presences(s, filters.date_from, filters.date_to)
            .filter(s.offer_q())
            .annotate(pid=F("human"), rid=F("person_id"), **annotations, **profile(prefix=""))
            .values("pid", "rid", *columns, *PROFILE_COLUMNS)
            .distinct()
        )

    def _new_people(self, grouped: Grouped, period: int) -> None:
        """How many of the people of a period had their first contact with the scope in it:
        no accompaniment by the scope of any of their records started before the period (none
        recorded at all: their first act is their first contact)."""
        s = self.scope
        grouped.branch(
            f"new:{period}",
            source="people",
            where=(
                f"pid NOT IN (SELECT COALESCE(h.human, a.person_id) FROM {ACCOMPANIMENT} a "
                f"LEFT JOIN {NETWORK_PERSON} h ON h.person_id = a.person_id WHERE "
                f"a.structure_id IN ({placeholders(s.structure_ids)}) AND a.started_on < %s)"
            ),
            params=[*s.structure_ids, self.periods[period].date_from],
        )

    def fetch_persons(self):
        """People of the period, by structure and offer (one row per person, structure, offer)."""
        s = self.scope
        grouped = Grouped(
            self._people(CURRENT, ("sid", "oid"), sid=F("structure_id"), oid=F("offer_id"))
        )
        grouped.cte("people", per_human("b"))
        grouped.branch("total", source="people")
        self._new_people(grouped, CURRENT)
        profile_branches(grouped, "people")
        # COUNT(DISTINCT) sorts; a DISTINCT then a COUNT hash, which is faster here.
        grouped.branch("structure", ["x.sid"], source="(SELECT DISTINCT sid, pid FROM b) x")
        grouped.branch("offer", ["x.oid"], source="(SELECT DISTINCT oid, pid FROM b) x")
        flags, params = [], []
        for index, stage in enumerate(s.stage_ids):
            offers = sorted(o for o, stages in s.offer_stages.items() if stage in stages)
            condition = f"oid IN ({placeholders(offers)})"
            if stage == s.first_stage:
                condition = f"({condition} OR oid IS NULL)"
            flags.append(f"MAX(CASE WHEN {condition} THEN 1 ELSE 0 END) AS s{index}")
            params += offers
        if flags:
            grouped.branch(
                "stages",
                aggregates=[f"SUM(x.s{index})" for index in range(len(flags))],
                source=f"(SELECT pid, {', '.join(flags)} FROM b GROUP BY pid) x",
                params=params,
            )
        self.run("persons", grouped)

    def fetch_persons_before(self):
        """People of the previous period: how many, and how many new."""
        if len(self.periods) < 2:
            return
        grouped = Grouped(self._people(PREVIOUS, ()))
        grouped.cte("people", "SELECT DISTINCT pid FROM b")
        grouped.branch("total", source="people")
        self._new_people(grouped, PREVIOUS)
        self.rows["persons:previous"] = grouped.run()

    def build(self):
        s = self.scope
        rows = self.rows["persons"]
        for period, filters in enumerate(self.periods):
            found = rows if period == CURRENT else self.rows["persons:previous"]
            total = first_value(found, "total")
            fresh = first_value(found, f"new:{period}")
            breakdowns = {
                "accompaniment": [("new", count(fresh)), ("ongoing", count(total - fresh))]
            }
            if period == CURRENT:
                by = {tag: keyed(rows, tag) for tag in ("structure", "offer")}
                found = rows.get("stages")
                stage_counts = [n or 0 for n in found[0][2:]] if found else [0] * len(s.stage_ids)
                breakdowns.update(
                    as_counts(
                        {
                            **self.profiles.breakdowns(rows, filters.date_to),
                            "stage": list(zip(s.stage_ids, stage_counts, strict=True)),
                            "structure": ordered(
                                "structure", by["structure"], s.network_structure_ids
                            ),
                            "offer": ordered("offer", by["offer"]),
                        }
                    )
                )
            self.put(period, "persons_accompanied", count(total), breakdowns)
            self.put(period, "persons_new", count(fresh))
            self.put(period, "persons_ongoing", count(total - fresh))
