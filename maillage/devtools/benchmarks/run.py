"""`make bench`: every figure beside its peer, measured in the same run, on one database.

`run(scale=…)` fills the database with the generator's scale (resumable: a finished scale is not
written again), then measures, in this order:
1. the import of `import_rows` acts through the product's pipeline against a raw COPY of the
   same rows into the same tables (`imports.measure_import`);
2. the one-year and five-year funder reports against DuckDB over a Parquet export of the same
   tables and plain SQL over them (`reports.measure_reports`, which raises `BenchFailed` when a
   figure differs);
3. the pages under load, served by gunicorn as in production, at 1, 10 and 50 clients;
4. the duplicate check over the scale's persons.
It returns the figures as plain data (`docs/bench/<scale>.json` keeps them) and `markdown`
renders every scale measured so far, with how each figure grew from one scale to the next.
"""

import datetime
import itertools
import json
import os
import platform
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from . import BenchFailed

# What `make bench SCALE=…` fills the database with: the generator's scales, and a small one
# for the bench's own test and a quick look.
SCALES = {
    "tiny": {"scale": "regional", "persons": 80, "structures": 3, "offers": 9, "chunk": 40},
    "regional": {"scale": "regional"},
    "national": {"scale": "national"},
}
IMPORT_ROWS = {"tiny": 2_000, "regional": 1_000_000, "national": 1_000_000}
TODAY = datetime.date(2026, 11, 22)  # the reference day of the generated data
# Targets of issue 18.
P95_GOAL_MS = 200
REPORT_GOAL_S = {"tiny": 0.5, "regional": 0.5, "national": 3.0}
REPORT_RATIO_GOAL = 3.0
IMPORT_RATIO_GOAL = 0.5
IMPORT_MEMORY_GOAL_MB = 300
DUPLICATE_P95_GOAL_MS = 100
# What `--only` may name, in the order the bench measures them and the table lists them.
PARTS = ("import", "reports", "pages", "duplicates")


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def database_url() -> str:
    s = connection.settings_dict
    return (
        f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST'] or '127.0.0.1'}:"
        f"{s['PORT'] or 5432}/{s['NAME']}"
    )


def machine() -> dict:
    import django

    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    try:
        import duckdb

        duck = duckdb.__version__
    except ImportError:  # pragma: no cover - a test dependency
        duck = "absent"
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{len(os.sched_getaffinity(0))} cores ({model})",
        "memory": f"{memory:.0f} GiB",
        "versions": (
            f"Python {platform.python_version()}, Django {django.get_version()}, "
            f"PostgreSQL {postgres}, DuckDB {duck}"
        ),
        "load_before": "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg()),
    }


def fill(scale: str) -> dict:
    """The scale's data (resumable), the report tables refreshed; returns the row counts."""
    from django.core.management import call_command

    from maillage.devtools.generator import SCALES as GENERATOR_SCALES
    from maillage.devtools.generator import generate
    from maillage.devtools.models import GenerationProgress
    from maillage.pathways.models import Act, Person

    options = dict(SCALES[scale])
    started = time.perf_counter()
    generate(seed=1, today=TODAY, **options)
    say("refreshing the report tables")
    call_command("refresh_reports", verbosity=0)
    base = GENERATOR_SCALES[options["scale"]]
    records = list(
        GenerationProgress.objects.filter(
            scale=options["scale"],
            today=TODAY,
            persons=options.get("persons", base.persons) // base.networks,
        )
    )
    spent = sum((r.finished_at - r.started_at).total_seconds() for r in records if r.finished_at)
    return {
        "persons": Person.objects.count(),
        "acts": Act.objects.count(),
        "networks": len(records),
        "generation_s": spent,
        "fill_s": time.perf_counter() - started,
        "network": min(r.network_slug for r in records),
    }


def row(key, what, product, peer, verdict, value=None, met=None) -> dict:
    return {
        "key": key,
        "what": what,
        "product": product,
        "peer": peer,
        "verdict": verdict,
        "value": value,
        "met": met,
    }


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def bench_import(scale: str, rows: int) -> list[dict]:
    from .imports import measure_import

    say(f"import of {rows:,} acts against COPY")
    f = measure_import(rows=rows, persons=max(200, min(5_000, rows // 20)))
    ratio = f["ratio_of_copy"]
    files = f["files"]
    split = f" in {len(files)} files at the cap" if len(files) > 1 else ""
    again_ok = f["again_created"] == 0 and f["again_updated"] == 0
    return [
        row(
            "import_rate",
            f"import of {f['rows']:,} acts{split}",
            f"{f['import_rows_per_second']:,} rows/s ({f['import_seconds']:.1f} s)",
            f"COPY into the same tables: {f['copy_rows_per_second']:,} rows/s",
            f"{ratio:.2f}x of COPY, goal ≥ {IMPORT_RATIO_GOAL}x: "
            + _met(ratio >= IMPORT_RATIO_GOAL),
            f["import_seconds"],
            ratio >= IMPORT_RATIO_GOAL,
        ),
        row(
            "import_memory",
            f"import peak memory (largest file: {max(files):,} rows, cap {f['cap_rows']:,})",
            f"{f['peak_mb']:.0f} MB, measured in {f['peak_of']}",
            f"< {IMPORT_MEMORY_GOAL_MB} MB at the upload cap",
            _met(f["peak_mb"] < IMPORT_MEMORY_GOAL_MB),
            f["peak_mb"],
            f["peak_mb"] < IMPORT_MEMORY_GOAL_MB,
        ),
        row(
            "import_again",
            "the same files again",
            f"{f['again_seconds']:.1f} s, peak {f['again_peak_mb']:.0f} MB",
            f"created {f['again_created']}, updated {f['again_updated']}, "
            f"unchanged {f['again_unchanged']:,}",
            _met(again_ok),
            f["again_seconds"],
            again_ok,
        ),
    ]


def bench_reports(scale: str, network, *, repeat: int = 3, periods=None) -> list[dict]:
    from .reports import PERIODS, measure_reports

    say("funder reports against DuckDB over Parquet and plain SQL")
    workdir = Path(settings.VAR_DIR) / "bench" / scale
    workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    chosen = tuple(p for p in PERIODS if periods is None or p[0] in periods)
    for period in measure_reports(network=network, workdir=workdir, repeat=repeat, periods=chosen):
        years = 1 if period["period"] == "one_year" else 5
        goal = REPORT_GOAL_S[scale] if years == 1 else REPORT_GOAL_S["national"]
        product = period["product_seconds"]
        ratio = period["ratio_duckdb"] or 0
        ok = ratio <= REPORT_RATIO_GOAL and product < goal
        name = f"{years}-year funder report"
        rows.append(
            row(
                f"report_{years}y",
                f"{name} ({period['figures']} figures equal in all three)",
                f"{product:.2f} s to build",
                f"DuckDB over Parquet {period['duckdb_seconds']:.2f} s "
                f"(export {period['export_seconds']:.0f} s, once); "
                f"plain SQL {period['sql_seconds']:.2f} s",
                f"{ratio:.1f}x DuckDB, goal ≤ {REPORT_RATIO_GOAL:.0f}x and < {goal} s: {_met(ok)}",
                product,
                ok,
            )
        )
        cached = period["cached_seconds"]
        if cached is not None:
            rows.append(
                row(
                    f"report_{years}y_cached",
                    f"{name}, built again with no write since",
                    f"{cached * 1000:.0f} ms (kept until a write commits)",
                    f"< {goal} s",
                    _met(cached < goal),
                    cached,
                    cached < goal,
                )
            )
    return rows


def bench_pages(scale: str, network, *, clients, seconds, workers=None) -> tuple[list[dict], dict]:
    from . import http, pages

    found = pages.visits(network)
    rows = []
    try:
        with http.production_server(database_url=database_url(), workers=workers) as address:
            sizes = {}
            for visit in found.pages:  # warm-up: every page answers, compressed
                started = time.perf_counter()
                status, body = http.fetch(address, visit.path, visit.cookie)
                say(f"{visit.label}: first view in {time.perf_counter() - started:.2f} s")
                if status != 200:
                    raise BenchFailed(f"{visit.label} ({visit.path}) answered HTTP {status}")
                sizes[visit.key] = len(body)
            for visit in found.pages:
                figures = {}
                for count in clients:
                    say(f"{visit.label}: {count} client(s) for {seconds} s")
                    figures[count] = http.load(
                        address,
                        visit.path,
                        clients=count,
                        seconds=seconds,
                        cookie=visit.cookie,
                        min_requests=max(10, 2 * count),
                    )
                at10 = figures.get(10) or figures[max(figures)]
                ok = at10["p95_ms"] < P95_GOAL_MS
                rows.append(
                    row(
                        f"page_{visit.key}",
                        f"{visit.label} ({sizes[visit.key] / 1024:.0f} kB sent)",
                        "; ".join(
                            f"{n}: p50 {f['p50_ms']:.0f} / p95 {f['p95_ms']:.0f} / "
                            f"p99 {f['p99_ms']:.0f} ms, {f['per_second']:.0f}/s"
                            for n, f in figures.items()
                        ),
                        f"p95 < {P95_GOAL_MS} ms at {at10['clients']} clients",
                        _met(ok),
                        at10["p95_ms"] / 1000,
                        ok,
                    )
                )
    finally:
        pages.forget()
    return rows, found.notes


def bench_duplicates(network) -> list[dict]:
    from maillage.accounts.models import User

    from .duplicates import measure_duplicates

    say("duplicate check")
    advisor = (
        User.objects.filter(structure_memberships__structure__networks=network)
        .order_by("pk")
        .first()
    )
    f = measure_duplicates(user=advisor, probes=200)
    ok = f["p95_ms"] < DUPLICATE_P95_GOAL_MS and not f["missed"]
    return [
        row(
            "duplicates",
            f"duplicate check among {f['persons_in_database']:,} persons",
            f"p50 {f['p50_ms']:.1f} / p95 {f['p95_ms']:.1f} ms, found {f['found']}/{f['probes']}",
            f"p95 < {DUPLICATE_P95_GOAL_MS} ms, every planted duplicate found",
            _met(ok),
            f["p95_ms"] / 1000,
            ok,
        )
    ]


def run(
    *,
    scale: str,
    parts=PARTS,
    clients=(1, 10, 50),
    seconds: float = 5.0,
    import_rows: int | None = None,
    repeat: int = 3,
    periods=None,
    workers: int | None = None,
) -> dict:
    from maillage.directory.models import Network

    if connection.vendor != "postgresql":
        raise BenchFailed(
            "make bench measures PostgreSQL: set DATABASE_URL to a PostgreSQL database."
        )
    result = {"scale": scale, "machine": machine()}
    say(f"filling the database with the {scale} scale (resumed if interrupted)")
    result["data"] = fill(scale)
    network = Network.objects.get(slug=result["data"]["network"])
    rows = []
    if "import" in parts:
        rows += bench_import(scale, import_rows or IMPORT_ROWS[scale])
    if "reports" in parts:
        rows += bench_reports(scale, network, repeat=repeat, periods=periods)
    if "pages" in parts:
        page_rows, notes = bench_pages(
            scale, network, clients=clients, seconds=seconds, workers=workers
        )
        rows += page_rows
        result["pages"] = notes
    if "duplicates" in parts:
        rows += bench_duplicates(network)
    result["rows"] = rows
    result["machine"]["load_after"] = "{:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    return result


# --- Rendering ------------------------------------------------------------------------------

BEGIN = "<!-- make bench: begin (written by `make bench`; edit the commands, not this part) -->"
END = "<!-- make bench: end -->"
ORDER = ("tiny", "regional", "national")


def part_of(key: str) -> str:
    """The part of the bench a row belongs to (`--only` names parts)."""
    for prefix, part in (("import", "import"), ("report", "reports"), ("page", "pages")):
        if key.startswith(prefix):
            return part
    return key


def carried_over(result: dict, previous: dict | None) -> dict:
    """A run of some parts keeps the other parts' rows from the previous run on the same data.

    Each kept row says when it was measured, so the table never passes an old figure for a new
    one; rows measured on other data (another row count) are dropped.
    """
    if not previous or previous.get("data", {}).get("acts") != result["data"]["acts"]:
        return result
    parts = {part_of(r["key"]) for r in result["rows"]}
    kept = [
        {**r, "measured": r.get("measured") or previous["machine"]["date"]}
        for r in previous["rows"]
        if part_of(r["key"]) not in parts
    ]
    if not kept:
        return result
    merged = {**result, "rows": [*result["rows"], *kept]}
    merged["rows"].sort(key=lambda r: PARTS.index(part_of(r["key"])))
    if "pages" not in parts and previous.get("pages"):
        merged["pages"] = previous["pages"]
    return merged


def table(rows) -> list[str]:
    lines = ["| what | product | peer or goal | verdict |", "| --- | --- | --- | --- |"]
    for r in rows:
        what = r["what"] + (f" (measured {r['measured']})" if r.get("measured") else "")
        lines.append(f"| {what} | {r['product']} | {r['peer']} | {r['verdict']} |")
    return lines


def section(result: dict) -> list[str]:
    m, d = result["machine"], result["data"]
    lines = [
        f"### {result['scale'].capitalize()} scale",
        "",
        f"{d['persons']:,} persons and {d['acts']:,} acts in {d['networks']} network(s), "
        f"generated in {d['generation_s'] / 60:.1f} min. Measured {m['date']} on {m['cpu']}, "
        f"{m['memory']}; {m['versions']}; load average {m['load_before']} before, "
        f"{m['load_after']} after.",
        "",
    ]
    if result.get("pages"):
        p = result["pages"]
        lines += [
            f"Pages are visited as an advisor of {p['structure']} ({p['caseload']:,} persons "
            "accompanied) and as a funder of the network; clients: `clients: p50 / p95 / p99, "
            "requests per second`.",
            "",
        ]
    return [*lines, *table(result["rows"]), ""]


def growth(small: dict, large: dict) -> list[str]:
    values = {r["key"]: r for r in small["rows"] if r.get("value")}
    data = large["data"]["acts"] / max(small["data"]["acts"], 1)
    lines = [
        f"### From {small['scale']} to {large['scale']} ({data:.0f}x the acts)",
        "",
        f"| figure | {small['scale']} | {large['scale']} | ratio |",
        "| --- | --- | --- | --- |",
    ]
    for r in large["rows"]:
        before = values.get(r["key"])
        if before and r.get("value"):
            lines.append(
                f"| {r['what']} | {before['value']:.3f} | {r['value']:.3f} | "
                f"{r['value'] / before['value']:.1f}x |"
            )
    return [*lines, "(times in seconds, memory in MB)", ""]


def markdown(results: dict) -> str:
    lines = [
        BEGIN,
        "## `make bench`: every figure beside its peer",
        "",
        "`make bench [SCALE=regional|national|tiny]` fills a PostgreSQL database with the "
        "generator's scale, then measures each figure beside its peer in the same run (see "
        "`maillage/devtools/benchmarks/run.py`); the figures are kept in `docs/bench/`.",
        "",
    ]
    measured = [results[s] for s in ORDER if s in results]
    for result in measured:
        lines += section(result)
    real = [r for r in measured if r["scale"] != "tiny"]
    for small, large in itertools.pairwise(real):
        lines += growth(small, large)
    return "\n".join([*lines, END]) + "\n"


def write(result: dict, docs: Path) -> None:
    """Keep the scale's figures in docs/bench/ and rewrite the generated part of the page."""
    folder = docs / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / f"{result['scale']}.json"
    if kept.exists():
        result = carried_over(result, json.loads(kept.read_text(encoding="utf-8")))
    kept.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    results = {}
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        results[data["scale"]] = data
    page = docs / "benchmarks.md"
    text = page.read_text(encoding="utf-8") if page.exists() else "# Benchmarks\n\n"
    generated = markdown(results)
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + generated + text[text.index(END) + len(END) + 1 :]
    else:
        first_section = text.find("\n## ")
        at = first_section + 1 if first_section >= 0 else len(text)
        text = text[:at] + generated + "\n" + text[at:]
    page.write_text(text, encoding="utf-8")
