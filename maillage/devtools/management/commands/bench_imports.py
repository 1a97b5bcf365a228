"""Time an import of acts end to end against a raw COPY of the same rows (docs/benchmarks.md).

    manage.py bench_imports --rows 100000 [--persons 5000] [--in-process] [--keep]

The measurement is `maillage.devtools.benchmarks.imports.measure_import` (what `manage.py
bench` runs): a structure of its own with `--persons` persons, CSV files of `--rows` acts (files
at the upload cap when there are more rows than it allows), each imported by `import_records` in
a child process of its own (its peak memory is the import's alone; `--in-process` runs it here),
a raw COPY of the same acts and participants into the same tables, and the same files again,
which must create and change nothing. Prints the figures; deletes what it made unless `--keep`.
"""

from django.core.management.base import BaseCommand, CommandError

from maillage.devtools.benchmarks import BenchFailed
from maillage.devtools.benchmarks.imports import measure_import


class Command(BaseCommand):
    help = "Benchmark: import N acts from CSV files, against a raw COPY of the same rows."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--persons", type=int, default=5_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--in-process", action="store_true", help="Import in this process, not a child."
        )
        parser.add_argument("--keep", action="store_true", help="Keep what the bench made.")

    def handle(self, *args, rows, persons, seed, in_process, keep, **options):
        try:
            f = measure_import(
                rows=rows,
                persons=persons,
                seed=seed,
                isolated=False if in_process else None,
                keep=keep,
            )
        except BenchFailed as failed:
            raise CommandError(f"bench_imports: {failed}") from None
        files = ", ".join(f"{size:,}" for size in f["files"])
        say = self.stdout.write
        say(
            f"bench_imports: {f['rows']:,} acts for {f['persons']:,} persons, "
            f"{len(f['files'])} file(s) of {files} rows (cap {f['cap_rows']:,} lines), "
            f"{f['csv_mb']} MB CSV"
        )
        say(
            f"import_records (read, check, match, keys, write): {f['import_seconds']:.2f} s "
            f"({f['import_rows_per_second']:,} rows/s, {f['import_cpu_seconds']:.2f} s of CPU), "
            f"{f['rows']:,} acts created"
        )
        say(
            f"raw COPY of the same acts and participants: {f['copy_seconds']:.2f} s "
            f"({f['copy_rows_per_second']:,} rows/s)"
        )
        say(f"ratio import / raw COPY: {f['ratio_of_copy']:.2f}x of COPY's rate")
        per_file = ", ".join(f"{peak:.0f}" for peak in f["peak_mb_per_file"])
        say(f"peak resident memory: {f['peak_mb']:.0f} MB ({per_file} MB; {f['peak_of']})")
        say(
            f"same file again: {f['again_seconds']:.2f} s, created {f['again_created']}, "
            f"updated {f['again_updated']}, unchanged {f['again_unchanged']:,}, "
            f"peak {f['again_peak_mb']:.0f} MB"
        )
