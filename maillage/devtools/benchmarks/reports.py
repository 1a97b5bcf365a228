# ruff: noqa: S608 - SQL text is built from dates, integer ids and constants of this module.
"""The funder report beside its peers: DuckDB over a Parquet export, and plain SQL (issue 18).

`measure_reports(network=…, workdir=…)` takes the network's latest 12 full months and latest
60 full months (as `manage.py bench_reports` picks them) and, for each:

- times the product's `selectors.build_report` as a funder reads it (masked, with the previous
  period), once with the report cache off (`REPORT_CACHE`: every view built) and once as the
  repeated view served from the cache (`reporting/cache.py`);
- exports the raw tables the indicators read (persons, their network identity, acts,
  participants, accompaniments, applications and their transitions, referrals, outcomes and
  their types, the network's structures: never the product's `reporting_*` rollups) to CSV with
  PostgreSQL's `COPY`, then to Parquet with DuckDB, once, timed apart;
- computes the report's headline figures with `STATEMENTS` (people accompanied, new, by gender,
  age band, situation, priority neighbourhood and structure; acts and hours by type and
  structure; applications by status, selections and the selection rate; referrals sent,
  received, by answer, the closed-loop rate and the median days to a first meeting; outcomes
  by family and structure; and the totals of the previous period), written once in SQL that
  both engines run: DuckDB over the Parquet files (views named as the tables), and PostgreSQL
  over the raw tables;
- compares them figure by figure with the product's *unmasked* figures (`computation.compute`,
  what `build_report` masks for a funder) and with the figures of the funder's report that
  are not masked; raises `BenchFailed` naming every figure that differs.

Returns one dict per period: seconds (product, cached, product unmasked, DuckDB, SQL), the
ratio product / DuckDB, the number of figures compared and the export's time.
"""

import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.db import connection
from django.db.models import Max
from django.test.utils import override_settings

from maillage.reporting.periods import add_months, default_period

from . import BenchFailed

# Table → the columns the statements read (and their DuckDB types: the CSV is read with them).
TABLES = {
    "pathways_person": {
        "id": "BIGINT",
        "merged_into_id": "BIGINT",
        "gender": "VARCHAR",
        "birth_year": "INTEGER",
        "situation_id": "BIGINT",
        "priority_neighbourhood": "BOOLEAN",
    },
    "pathways_networkperson": {"person_id": "BIGINT", "human": "BIGINT"},
    "pathways_act": {
        "id": "BIGINT",
        "occurred_on": "DATE",
        "duration_minutes": "INTEGER",
        "structure_id": "BIGINT",
        "act_type_id": "BIGINT",
    },
    "pathways_actparticipant": {"act_id": "BIGINT", "person_id": "BIGINT", "attended": "BOOLEAN"},
    "pathways_accompaniment": {
        "person_id": "BIGINT",
        "structure_id": "BIGINT",
        "started_on": "DATE",
    },
    "pathways_application": {
        "id": "BIGINT",
        "status": "VARCHAR",
        "submitted_on": "DATE",
        "structure_id": "BIGINT",
        "person_id": "BIGINT",
    },
    "pathways_applicationtransition": {"application_id": "BIGINT", "to_status": "VARCHAR"},
    "pathways_referral": {
        "status": "VARCHAR",
        "sent_at": "TIMESTAMPTZ",
        "first_meeting_on": "DATE",
        "from_structure_id": "BIGINT",
        "to_structure_id": "BIGINT",
        "person_id": "BIGINT",
    },
    "pathways_outcome": {
        "occurred_on": "DATE",
        "structure_id": "BIGINT",
        "outcome_type_id": "BIGINT",
        "person_id": "BIGINT",
    },
    "pathways_outcometype": {"id": "BIGINT", "family": "VARCHAR"},
    "directory_structure_networks": {"structure_id": "BIGINT", "network_id": "BIGINT"},
}

# The product's figures compared: indicator → the breakdowns compared (the others are not).
COMPARED = {
    "persons_accompanied": (
        "gender",
        "age_band",
        "situation",
        "priority_neighbourhood",
        "structure",
    ),
    "persons_new": (),
    "persons_ongoing": (),
    "acts": ("act_type", "structure"),
    "act_hours": ("act_type", "structure"),
    "applications": ("application_status",),
    "selection_rate": (),
    "not_selected": (),
    "referrals_sent": (),
    "referrals_received": ("referral_answer",),
    "referrals_accepted": (),
    "referrals_declined": (),
    "referrals_redirected": (),
    "referrals_expired": (),
    "loop_closure_rate": (),
    "median_days_to_first_meeting": (),
    "outcomes": ("outcome_family", "structure"),
}
# Of the previous period: the totals.
COMPARED_BEFORE = (
    "persons_accompanied",
    "persons_new",
    "persons_ongoing",
    "acts",
    "act_hours",
    "applications",
    "referrals_sent",
    "referrals_received",
    "outcomes",
)
PERIODS = (("one_year", 12), ("five_years", 60))


def progress(message: str) -> None:
    sys.stderr.write(f"[bench reports] {message}\n")
    sys.stderr.flush()


# --- The peers' statements ------------------------------------------------------------------


def _gender() -> str:
    return "CASE WHEN gender IN ('female', 'male', 'other') THEN gender ELSE 'unknown' END"


def _age_band(year: int) -> str:
    age = f"({year} - birth_year)"
    return (
        f"CASE WHEN birth_year IS NULL OR birth_year = 0 THEN 'unknown' "
        f"WHEN {age} < 26 THEN 'under_26' WHEN {age} <= 35 THEN '26_35' "
        f"WHEN {age} <= 45 THEN '36_45' WHEN {age} <= 55 THEN '46_55' ELSE 'over_55' END"
    )


QPV = "CASE WHEN priority_neighbourhood THEN 'yes' ELSE 'no' END"


def _key(name: str, expression: str) -> str:
    """A figure's name: `code[dimension=key]`, NULL keys as "none"."""
    return f"'{name}=' || COALESCE(CAST({expression} AS VARCHAR), 'none') || ']'"


def statements(network_id: int, start: date, end: date, *, prefix: str, full: bool) -> list:
    """The figures of one period as (name, value) rows, one statement per family; standard SQL
    that PostgreSQL and DuckDB both run. `full`: the breakdowns too, else the totals."""
    d1, d2 = f"DATE '{start.isoformat()}'", f"DATE '{end.isoformat()}'"
    scope = (
        f"(SELECT structure_id FROM directory_structure_networks WHERE network_id = {network_id})"
    )
    p = prefix

    def more(*branches: str) -> str:
        return "".join(f"\nUNION ALL {b}" for b in branches) if full else ""

    persons = f"""
WITH present AS (
  SELECT DISTINCT pa.person_id AS rid, COALESCE(np.human, pa.person_id) AS pid,
    a.structure_id AS sid
  FROM pathways_actparticipant pa
  JOIN pathways_act a ON a.id = pa.act_id
  JOIN pathways_person x ON x.id = pa.person_id
  LEFT JOIN pathways_networkperson np ON np.person_id = pa.person_id
  WHERE pa.attended AND x.merged_into_id IS NULL AND a.structure_id IN {scope}
    AND a.occurred_on BETWEEN {d1} AND {d2}
), people AS (
  SELECT h.pid, x.gender, x.birth_year, x.situation_id, x.priority_neighbourhood
  FROM (SELECT pid, MAX(rid) AS rid FROM present GROUP BY pid) h
  JOIN pathways_person x ON x.id = h.rid
), firsts AS (
  SELECT COALESCE(np.human, c.person_id) AS pid, MIN(c.started_on) AS first_on
  FROM pathways_accompaniment c
  LEFT JOIN pathways_networkperson np ON np.person_id = c.person_id
  WHERE c.structure_id IN {scope} GROUP BY COALESCE(np.human, c.person_id)
)
SELECT '{p}persons_accompanied' AS k, COUNT(*) AS v FROM people
UNION ALL SELECT '{p}persons_new', COUNT(*) FROM people
  LEFT JOIN firsts f ON f.pid = people.pid WHERE f.first_on IS NULL OR f.first_on >= {d1}"""
    persons += more(
        f"SELECT {_key(p + 'persons_accompanied[gender', _gender())}, COUNT(*) FROM people "
        "GROUP BY 1",
        f"SELECT {_key(p + 'persons_accompanied[age_band', _age_band(end.year))}, COUNT(*) "
        "FROM people GROUP BY 1",
        f"SELECT {_key(p + 'persons_accompanied[situation', 'situation_id')}, COUNT(*) "
        "FROM people GROUP BY 1",
        f"SELECT {_key(p + 'persons_accompanied[priority_neighbourhood', QPV)}, COUNT(*) "
        "FROM people GROUP BY 1",
        f"SELECT {_key(p + 'persons_accompanied[structure', 'sid')}, COUNT(DISTINCT pid) "
        "FROM present GROUP BY sid",
    )
    acts = f"""
WITH x AS (
  SELECT act_type_id, structure_id, COALESCE(duration_minutes, 0) AS minutes FROM pathways_act
  WHERE structure_id IN {scope} AND occurred_on BETWEEN {d1} AND {d2}
)
SELECT '{p}acts' AS k, COUNT(*) AS v FROM x
UNION ALL SELECT '{p}act_minutes', COALESCE(SUM(minutes), 0) FROM x"""
    acts += more(
        f"SELECT {_key(p + 'acts[act_type', 'act_type_id')}, COUNT(*) FROM x GROUP BY act_type_id",
        f"SELECT {_key(p + 'act_minutes[act_type', 'act_type_id')}, SUM(minutes) FROM x "
        "GROUP BY act_type_id",
        f"SELECT {_key(p + 'acts[structure', 'structure_id')}, COUNT(*) FROM x "
        "GROUP BY structure_id",
        f"SELECT {_key(p + 'act_minutes[structure', 'structure_id')}, SUM(minutes) FROM x "
        "GROUP BY structure_id",
    )
    # EXISTS, not `ap.id IN (SELECT …)`: PostgreSQL hashes such a list only while it fits in
    # work_mem, and scans it again for every application beyond (the national five-year run
    # went past nine minutes); EXISTS uses the transitions' index on application_id.
    applications = f"""
WITH x AS (
  SELECT ap.status, CASE WHEN ap.status IN ('selected', 'in_progress', 'completed')
    OR (ap.status = 'dropped_out' AND EXISTS (
      SELECT 1 FROM pathways_applicationtransition t
      WHERE t.application_id = ap.id AND t.to_status = 'selected'))
    THEN 1 ELSE 0 END AS ever_selected
  FROM pathways_application ap JOIN pathways_person p ON p.id = ap.person_id
  WHERE p.merged_into_id IS NULL AND ap.structure_id IN {scope}
    AND ap.submitted_on BETWEEN {d1} AND {d2}
)
SELECT '{p}applications' AS k, COUNT(*) AS v FROM x"""
    applications += more(
        f"SELECT '{p}selected', COALESCE(SUM(ever_selected), 0) FROM x",
        f"SELECT '{p}not_selected', COUNT(*) FROM x WHERE status = 'not_selected'",
        f"SELECT {_key(p + 'applications[application_status', 'status')}, COUNT(*) FROM x "
        "GROUP BY status",
    )
    answer = (
        "CASE status WHEN 'sent' THEN 'waiting' WHEN 'received' THEN 'waiting' "
        "WHEN 'first_meeting' THEN 'accepted' WHEN 'closed' THEN 'accepted' ELSE status END"
    )
    referrals = f"""
WITH x AS (
  SELECT r.status, r.from_structure_id IN {scope} AS sent,
    r.to_structure_id IN {scope} AS received, r.first_meeting_on,
    CAST(r.sent_at AT TIME ZONE 'Europe/Paris' AS DATE) AS sent_on
  FROM pathways_referral r JOIN pathways_person p ON p.id = r.person_id
  WHERE p.merged_into_id IS NULL
), y AS (SELECT * FROM x WHERE sent_on BETWEEN {d1} AND {d2})
SELECT '{p}referrals_sent' AS k, COUNT(*) AS v FROM y WHERE sent
UNION ALL SELECT '{p}referrals_received', COUNT(*) FROM y WHERE received"""
    referrals += more(
        f"SELECT {_key(p + 'referrals_received[referral_answer', answer)}, COUNT(*) FROM y "
        "WHERE received GROUP BY 1",
        f"SELECT '{p}loop_closed', COUNT(*) FROM y WHERE sent "
        "AND status IN ('declined', 'redirected', 'first_meeting', 'closed')",
        f"SELECT '{p}loop_not_cancelled', COUNT(*) FROM y WHERE sent AND status <> 'cancelled'",
        f"SELECT '{p}first_meeting_median_x2', CAST(2 * percentile_cont(0.5) WITHIN GROUP "
        "(ORDER BY first_meeting_on - sent_on) AS BIGINT) FROM y "
        "WHERE received AND first_meeting_on IS NOT NULL",
    )
    outcomes = f"""
WITH x AS (
  SELECT o.structure_id, t.family FROM pathways_outcome o
  JOIN pathways_outcometype t ON t.id = o.outcome_type_id
  JOIN pathways_person p ON p.id = o.person_id
  WHERE p.merged_into_id IS NULL AND o.structure_id IN {scope}
    AND o.occurred_on BETWEEN {d1} AND {d2}
)
SELECT '{p}outcomes' AS k, COUNT(*) AS v FROM x"""
    outcomes += more(
        f"SELECT {_key(p + 'outcomes[outcome_family', 'family')}, COUNT(*) FROM x GROUP BY family",
        f"SELECT {_key(p + 'outcomes[structure', 'structure_id')}, COUNT(*) FROM x "
        "GROUP BY structure_id",
    )
    return [persons, acts, applications, referrals, outcomes]


def half_up(numerator: int, denominator: int, places: int) -> float | None:
    """The catalogue's rounding, written again: exact, then half up."""
    if not denominator:
        return None
    value = (Decimal(numerator) / Decimal(denominator)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )
    return int(value) if places == 0 else float(value)


def peer_figures(rows: list[tuple[str, object]]) -> dict[str, object]:
    """The product's figure names from the statements' rows (hours from minutes, rates)."""
    raw = {k: (int(v) if v is not None else None) for k, v in rows}
    figures = {}
    for key, value in raw.items():
        prefix, _, rest = key.rpartition(":")
        prefix = f"{prefix}:" if prefix else ""
        if rest.startswith("act_minutes"):
            figures[prefix + rest.replace("act_minutes", "act_hours", 1)] = half_up(value, 60, 1)
        elif rest in ("selected", "loop_closed", "loop_not_cancelled", "first_meeting_median_x2"):
            continue
        else:
            figures[key] = value
    for prefix in {k.rpartition(":")[0] for k in raw}:
        p = f"{prefix}:" if prefix else ""
        if f"{p}persons_new" in raw:
            figures[f"{p}persons_ongoing"] = raw[f"{p}persons_accompanied"] - raw[f"{p}persons_new"]
        if f"{p}selected" in raw:
            selected = raw[f"{p}selected"]
            figures[f"{p}selection_rate"] = half_up(
                100 * selected, selected + raw[f"{p}not_selected"], 1
            )
        if f"{p}loop_closed" in raw:
            figures[f"{p}loop_closure_rate"] = half_up(
                100 * raw[f"{p}loop_closed"], raw[f"{p}loop_not_cancelled"], 1
            )
        if f"{p}first_meeting_median_x2" in raw:
            twice = raw[f"{p}first_meeting_median_x2"]
            figures[f"{p}median_days_to_first_meeting"] = (
                half_up(twice, 2, 1) if twice is not None else None
            )
        for answer in ("accepted", "declined", "redirected", "expired"):
            name = f"{p}referrals_received[referral_answer={answer}]"
            if f"{p}loop_closed" in raw:
                figures[f"{p}referrals_{answer}"] = raw.get(name, 0)
    return figures


# --- The product's figures ------------------------------------------------------------------


def product_figures(raws) -> dict[str, object]:
    """The unmasked figures of the product (`computation.compute`), named as the peers'."""
    figures = {}
    current = raws[0].indicators
    for code, dimensions in COMPARED.items():
        indicator = current[code]
        figures[code] = indicator.total.value
        for dimension in dimensions:
            for key, cell in indicator.breakdowns.get(dimension, []):
                figures[f"{code}[{dimension}={key}]"] = cell.value
    if len(raws) > 1:
        for code in COMPARED_BEFORE:
            figures[f"previous:{code}"] = raws[1].indicators[code].total.value
    return figures


def differences(left: dict, right: dict, names=None) -> list[tuple[str, object, object]]:
    """Figures that differ (a figure missing on one side counts as 0: categories without rows)."""
    keys = names if names is not None else sorted(set(left) | set(right))
    found = []
    for key in keys:
        a, b = left.get(key), right.get(key)
        if (a or 0) != (b or 0):
            found.append((key, a, b))
    return found


# --- Export and engines ---------------------------------------------------------------------


def export_parquet(workdir: Path) -> dict[str, Path]:
    """Every table of `TABLES` as a Parquet file (PostgreSQL COPY to CSV, then DuckDB)."""
    import duckdb

    workdir.mkdir(parents=True, exist_ok=True)
    files = {}
    with connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
        try:
            for table, columns in TABLES.items():
                path = workdir / f"{table}.csv"
                names = ", ".join(columns)
                with (
                    open(path, "wb") as handle,
                    cursor.cursor.copy(
                        f"COPY (SELECT {names} FROM {table}) TO STDOUT WITH (FORMAT csv, HEADER)"
                    ) as copy,
                ):
                    for data in copy:
                        handle.write(data)
                files[table] = path
        finally:
            cursor.execute("RESET TIME ZONE")
    parquet = {}
    with duckdb.connect() as duck:
        for table, path in files.items():
            target = workdir / f"{table}.parquet"
            types = ", ".join(f"'{c}': '{t}'" for c, t in TABLES[table].items())
            duck.execute(
                f"COPY (SELECT * FROM read_csv('{path}', header = true, columns = {{{types}}})) "
                f"TO '{target}' (FORMAT parquet)"
            )
            path.unlink()
            parquet[table] = target
    return parquet


def run_duckdb(files: dict[str, Path], texts: list[str]) -> list[tuple]:
    import duckdb

    with duckdb.connect() as duck:
        for table, path in files.items():
            duck.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{path}')")
        rows = []
        for text in texts:
            rows += duck.execute(text).fetchall()
    return rows


def run_postgresql(texts: list[str]) -> list[tuple]:
    rows = []
    with connection.cursor() as cursor:
        for text in texts:
            cursor.execute(text)
            rows += cursor.fetchall()
    return rows


def timed(function: Callable, repeat: int) -> tuple[float, object]:
    """The median time of `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


# --- The measurement ------------------------------------------------------------------------


def periods_of(latest: date, periods=PERIODS) -> list[tuple[str, date, date]]:
    """The latest 12 and 60 full months before the month of `latest` (bench_reports' choice)."""
    _start, end = default_period(latest)
    found = []
    for name, months in periods:
        found.append((name, add_months(end.replace(day=1), 1 - months), end))
    return found


def measure_reports(
    *, network, today: date | None = None, repeat: int = 5, workdir: Path, periods=PERIODS
) -> list[dict]:
    """The funder report and its peers, per period; raises BenchFailed when a figure differs."""
    from maillage.accounts.models import NetworkRole, NetworkRoleKind, User
    from maillage.pathways.models import Act
    from maillage.reporting.computation import compute
    from maillage.reporting.refresh import ensure_fresh
    from maillage.reporting.report import ReportFilters
    from maillage.reporting.selectors import build_report

    latest = today or Act.objects.aggregate(latest=Max("occurred_on"))["latest"]
    if latest is None:
        raise BenchFailed("No act in the database: nothing to report on.")
    ensure_fresh()
    progress("export of the raw tables to Parquet")
    started = time.perf_counter()
    files = export_parquet(Path(workdir))
    export_seconds = time.perf_counter() - started
    funder = User.objects.create_user(f"bench-reports-{time.time_ns()}@maillage.invalid")
    results = []
    try:
        NetworkRole.objects.create(user=funder, network=network, role=NetworkRoleKind.FUNDER)
        for name, start, end in periods_of(latest, periods):
            progress(f"{name}: {start} to {end}")
            filters = ReportFilters(network=network, date_from=start, date_to=end)
            # The figures first: a wrong answer fails before anything is timed.
            with override_settings(REPORT_CACHE=False):
                unmasked, raws = timed(lambda f=filters: compute(f), repeat)
            texts = statements(network.pk, start, end, prefix="", full=True)
            before = filters.previous()
            texts += statements(
                network.pk, before.date_from, before.date_to, prefix="previous:", full=False
            )
            duck, duck_rows = timed(lambda t=texts: run_duckdb(files, t), repeat)
            sql, sql_rows = timed(lambda t=texts: run_postgresql(t), repeat)
            mine = product_figures(raws)
            peers = {"DuckDB": peer_figures(duck_rows), "SQL": peer_figures(sql_rows)}
            wrong = [
                f"{name} {key}: product {a!r}, {peer} {b!r}"
                for peer, figures in peers.items()
                for key, a, b in differences(mine, figures)
            ]
            if wrong:
                raise BenchFailed("The report differs from its peers:\n" + "\n".join(wrong))
            # The funder's report, as served: every view built, then the repeated view.
            with override_settings(REPORT_CACHE=False):
                if repeat > 1:
                    build_report(user=funder, filters=filters)  # warm-up
                product, report = timed(
                    lambda f=filters: build_report(user=funder, filters=f), repeat
                )
            cached = None
            if not connection.in_atomic_block:
                # (Inside a transaction that wrote, e.g. a test's, nothing is kept: cache.py.)
                build_report(user=funder, filters=filters)  # kept in the cache
                cached, _ = timed(lambda f=filters: build_report(user=funder, filters=f), repeat)
            # Its figures that a funder may read (not masked) are the peers' too.
            shown = {
                code: item.value.value
                for code, item in report.indicators.items()
                if code in COMPARED and not item.value.masked
            }
            wrong = [
                f"{name} {key}: funder's report {a!r}, DuckDB {b!r}"
                for key, a, b in differences(shown, peers["DuckDB"], names=sorted(shown))
            ]
            if wrong:
                raise BenchFailed("The report differs from its peers:\n" + "\n".join(wrong))
            results.append(
                {
                    "period": name,
                    "from": start.isoformat(),
                    "to": end.isoformat(),
                    "product_seconds": round(product, 4),
                    "cached_seconds": round(cached, 4) if cached is not None else None,
                    "unmasked_seconds": round(unmasked, 4),
                    "duckdb_seconds": round(duck, 4),
                    "sql_seconds": round(sql, 4),
                    "ratio_duckdb": round(product / duck, 2) if duck else None,
                    "figures": len(mine),
                    "shown_figures": len(shown),
                    "export_seconds": round(export_seconds, 2),
                }
            )
            progress(f"{name}: {results[-1]}")
    finally:
        funder.delete()
    return results


__all__ = ["measure_reports", "periods_of", "statements"]
