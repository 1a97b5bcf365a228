"""`manage.py bench --scale {tiny,regional,national}`: what `make bench` runs (docs/benchmarks.md).

Fills the database named by DATABASE_URL (PostgreSQL) with the scale's generated data when it does
not hold it yet (resumable), measures every figure beside its peer, prints one table and writes it
into docs/benchmarks.md (and the figures into docs/bench/<scale>.json). Exits with an error when
a figure of the product differs from its peer's.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from maillage.devtools.benchmarks import BenchFailed, run

PARTS = run.PARTS


class Command(BaseCommand):
    help = "Measure the product beside its peers at a scale; print and write docs/benchmarks.md."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(run.SCALES), default="regional")
        parser.add_argument(
            "--only", default=",".join(PARTS), help=f"comma-separated parts among {PARTS}"
        )
        parser.add_argument("--clients", default="1,10,50", help="concurrent clients per page")
        parser.add_argument("--seconds", type=float, default=5.0, help="per page and client count")
        parser.add_argument("--import-rows", type=int, default=None)
        parser.add_argument("--repeat", type=int, default=3, help="report builds timed")
        parser.add_argument(
            "--workers", type=int, default=None, help="gunicorn workers (default: its config's)"
        )
        parser.add_argument(
            "--periods",
            default="one_year,five_years",
            help="report periods (one_year, five_years)",
        )
        parser.add_argument(
            "--docs",
            type=Path,
            default=Path(settings.BASE_DIR) / "docs",
            help="where benchmarks.md and bench/ are (default: the project's docs/)",
        )
        parser.add_argument("--no-write", action="store_true", help="print only")

    def handle(
        self,
        *args,
        scale,
        only,
        clients,
        seconds,
        import_rows,
        repeat,
        periods,
        workers,
        docs,
        no_write,
        **options,
    ):
        parts = tuple(p for p in only.split(",") if p)
        unknown = set(parts) - set(PARTS)
        if unknown:
            raise CommandError(f"Unknown parts: {', '.join(sorted(unknown))} (among {PARTS}).")
        try:
            result = run.run(
                scale=scale,
                parts=parts,
                clients=tuple(int(c) for c in clients.split(",")),
                seconds=seconds,
                import_rows=import_rows,
                repeat=repeat,
                periods=tuple(p for p in periods.split(",") if p),
                workers=workers,
            )
        except BenchFailed as failure:
            raise CommandError(f"The bench failed: {failure}") from failure
        self.stdout.write("\n".join(run.section(result)))
        missed = [r["what"] for r in result["rows"] if r["met"] is False]
        if not no_write:
            run.write(result, docs)
            self.stdout.write(f"Written into {docs / 'benchmarks.md'}.")
        if missed:
            self.stdout.write(f"Targets missed ({len(missed)}): " + "; ".join(missed) + ".")
