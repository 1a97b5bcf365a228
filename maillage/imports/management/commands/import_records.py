"""Import a spreadsheet into a structure from the shell, with the same checks as the screens.

    manage.py import_records --structure intermade --entity acts [--dry-run]
        [--mapping NAME|FILE.json] [--sheet NAME] [--report json] [--user EMAIL] actes-2025.xlsx

The columns are matched from their headers, or by `--mapping`: the name of a mapping the
structure saved (its columns, and the values of referential columns mapped in a dry run), or a
mapping file in JSON (`{"columns": {…}, "values": {"situation": {"RSA socle": "rsa"}},
"without_identifier": false}`, see `maillage.imports.vocabulary`).
A progress bar goes to stderr; the report to stdout: counts, then every error (line, column,
value, reason) and warning, or one JSON object with `--report json`. Probable duplicates of
persons already recorded are warnings here, and rows with distinct file numbers are distinct
persons. Exit status 0 when the file was imported (or would be, with `--dry-run`), 1 when it was
refused (then nothing was imported).
"""

import json
import os

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from maillage.directory.models import Structure
from maillage.imports import services
from maillage.imports.mapping import unmapped_columns
from maillage.imports.models import Entity, ImportStatus
from maillage.imports.vocabulary import read_mapping_file


class ProgressBar:
    """A one-line bar on stderr, redrawn when the percentage moves."""

    WIDTH = 30

    def __init__(self, stream, label: str):
        self.stream = stream
        self.label = label
        self.shown = None
        self.tty = getattr(stream, "isatty", lambda: False)()

    def __call__(self, done: int, total: int) -> None:
        total = max(total, done, 1)
        percent = done * 100 // total
        if percent == self.shown or (not self.tty and percent % 10 and percent != 100):
            return
        self.shown = percent
        filled = self.WIDTH * done // total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        end = "\r" if self.tty and percent < 100 else "\n"
        self.stream.write(f"{self.label} [{bar}] {percent:3d} % ({done}/{total})", ending=end)
        self.stream.flush()


class Command(BaseCommand):
    help = "Import a CSV, XLSX or ODS file of persons, projects, applications, referrals, acts "
    help += "or outcomes into a structure (all or nothing, idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV, XLSX or ODS file.")
        parser.add_argument("--structure", required=True, help="Slug of the structure.")
        parser.add_argument("--entity", required=True, choices=Entity.values)
        parser.add_argument("--dry-run", action="store_true", help="Check only; import nothing.")
        parser.add_argument(
            "--mapping",
            default="",
            help="Name of a mapping the structure saved, or a mapping file (.json) with "
            '"columns", "values" and "without_identifier".',
        )
        parser.add_argument("--sheet", default="", help="Sheet of a workbook (default: first).")
        parser.add_argument("--report", choices=("text", "json"), default="text")
        parser.add_argument(
            "--user", default="", help="E-mail of the staff member the rows are recorded by."
        )

    def handle(self, *args, **options):
        path = options["file"]
        if not os.path.isfile(path):
            raise CommandError(_("No file at %(path)s.") % {"path": path})
        structure = Structure.objects.filter(slug=options["structure"]).first()
        if structure is None:
            raise CommandError(
                _("No structure with the slug “%(slug)s”.") % {"slug": options["structure"]}
            )
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(email__iexact=options["user"]).first()
            if user is None:
                raise CommandError(_("No user with this e-mail address."))
        progress = ProgressBar(self.stderr, os.path.basename(path))
        mapping_name, given = options["mapping"], None
        try:
            if mapping_name.lower().endswith(".json") or os.path.isfile(mapping_name):
                given, mapping_name = read_mapping_file(mapping_name), ""
            with open(path, "rb") as handle:
                run = services.upload(
                    structure=structure,
                    entity=options["entity"],
                    user=user,
                    uploaded_file=File(handle, name=os.path.basename(path)),
                    sheet=options["sheet"],
                    mapping_name=mapping_name,
                    mapping=given,
                )
            if options["dry_run"]:
                run = services.analyse(
                    run=run, user=user, progress=progress, new_persons_for_duplicates=True
                )
                accepted = run.status == ImportStatus.READY
            else:
                run = services.commit(
                    run=run, user=user, progress=progress, new_persons_for_duplicates=True
                )
                accepted = run.status == ImportStatus.IMPORTED
        except PermissionDenied:
            raise CommandError(_("This user may not import into this structure.")) from None
        except ValidationError as error:
            report = {
                "status": "refused",
                "counts": {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0},
                "errors": [
                    {"line": None, "column": "", "value": "", "reason": message}
                    for message in error.messages
                ],
                "warnings": [],
            }
            self.write_report(report, options)
            raise CommandError(
                _("The file was refused: nothing was imported."), returncode=1
            ) from None
        report = self.report_of(run, dry_run=options["dry_run"])
        self.write_report(report, options)
        if not accepted:
            raise CommandError(_("The file was refused: nothing was imported."), returncode=1)

    @staticmethod
    def report_of(run, *, dry_run: bool) -> dict:
        """`counts` are what was saved (all 0 unless imported); `would_create`, `would_update`,
        `would_leave_unchanged` and `would_skip` what the file would do when nothing was saved
        (a dry run, a refused file)."""
        read = run.counts or {}
        found = {key: read.get(key, 0) for key in ("created", "updated", "unchanged", "skipped")}
        saved = run.status == ImportStatus.IMPORTED
        nothing = dict.fromkeys(found, 0)
        return {
            "status": run.status,
            "dry_run": dry_run,
            "run": str(run.uuid),
            "file": run.file_name,
            "entity": run.entity,
            "structure": run.structure.slug,
            "rows": run.progress_total,
            "counts": found if saved else nothing,
            "would_create": 0 if saved else found["created"],
            "would_update": 0 if saved else found["updated"],
            "would_leave_unchanged": 0 if saved else found["unchanged"],
            "would_skip": 0 if saved else found["skipped"],
            "error_count": read.get("errors", len(run.errors)),
            "warning_count": read.get("warnings", len(run.warnings)),
            "errors": run.errors,
            "warnings": run.warnings,
            # What a mapping could settle: the columns no field reads, those that look like
            # the rows' identifier, the values of referential columns that match no entry.
            "unmapped_columns": unmapped_columns(
                (run.preview or {}).get("header") or [], run.mapping
            ),
            "identifier_columns": run.identifier_columns,
            "values_to_map": [
                {
                    "field": entry["field"],
                    "column": entry["column"],
                    "value": entry["value"],
                    "count": entry["count"],
                    "closest": [code for code, _label in entry["candidates"]],
                }
                for entry in run.unknown_values
            ],
        }

    def write_report(self, report: dict, options) -> None:
        if options["report"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, default=str))
            return
        counts = report["counts"]
        if report["status"] == ImportStatus.IMPORTED:
            title = _("Imported.")
        elif report["status"] == ImportStatus.READY:
            title = _("Dry run: the file can be imported (nothing was written).")
        else:
            title = _("Refused: nothing was imported.")
        self.stdout.write(title)
        self.stdout.write(
            _(
                "Created: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s, "
                "skipped: %(skipped)s."
            )
            % counts
        )
        if report.get("would_create") or report.get("would_update"):
            self.stdout.write(
                _("The file would create %(created)s rows and update %(updated)s.")
                % {"created": report["would_create"], "updated": report["would_update"]}
            )
        for kind, entries in ((_("Error"), report["errors"]), (_("Warning"), report["warnings"])):
            for entry in entries:
                where = []
                if entry.get("line"):
                    where.append(_("line %(line)s") % {"line": entry["line"]})
                if entry.get("column"):
                    where.append(_("column “%(column)s”") % {"column": entry["column"]})
                if entry.get("value"):
                    where.append(_("value “%(value)s”") % {"value": entry["value"]})
                place = f" ({', '.join(where)})" if where else ""
                self.stdout.write(f"{kind}{place}: {entry['reason']}")
        if report.get("unmapped_columns"):
            self.stdout.write(
                _("Columns not imported: %(columns)s.")
                % {"columns": ", ".join(f"“{column}”" for column in report["unmapped_columns"])}
            )
        for entry in report.get("values_to_map", ()):
            self.stdout.write(
                _(
                    "Value to map: “%(value)s” (column “%(column)s”, %(count)s rows); closest "
                    "entries: %(closest)s. Add it to the mapping file's “values”, or map it in "
                    "the dry run of the screens."
                )
                % {
                    "value": entry["value"],
                    "column": entry["column"],
                    "count": entry["count"],
                    "closest": ", ".join(entry["closest"]) or "—",
                }
            )
