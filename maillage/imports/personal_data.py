"""Where the imports app keeps personal data (read by `maillage.core.personal_data`).

The rows about a person and the treatments that need more than a value (the stored file, the
keys) are in `imports/erasure.py`.
"""

from maillage.core.personal_data import Clear, Scrub, register

from . import erasure

register(
    "imports.ImportRun",
    rows=erasure.runs_about,
    finish=erasure.finish_run,
    fields={
        "file": Clear(erasure.delete_stored_file, export=False),
        "file_name": Scrub(export=False),
        "sheet": Scrub(export=False),
        # Column headers: a file without a header row makes its first row the headers.
        "mapping": Scrub(export=False),
        # The header and the first rows, kept at upload so the pages need not read the file.
        "preview": Scrub(export=False),
        "errors": Scrub(export=False),
        "warnings": Scrub(export=False),
        "duplicates": Scrub(export=False),
        # Cells of referential columns that matched no entry, and the answers given for them.
        "unknown_values": Scrub(export=False),
        "value_mappings": Scrub(export=False),
        # Headers, as `mapping`.
        "identifier_columns": Scrub(export=False),
    },
    not_personal=(
        "id",
        "uuid",
        "structure",
        "entity",
        "user",
        "file_hash",
        "file_size",
        "file_format",
        "mapping_name",
        "without_identifier",
        "duplicate_decisions",  # {"line": person id or "new"}
        "status",
        "progress_done",
        "progress_total",
        "progress_at",
        "counts",
        "created_at",
        "analysed_at",
        "imported_at",
        "undone_at",
        "undone_by",
    ),
)

register(
    "imports.ImportRunEvent",
    # Statuses and the staff member who moved the run: nothing about the persons of the file.
    not_personal=("id", "run", "from_status", "to_status", "at", "by"),
)

register(
    "imports.ImportedRow",
    rows=erasure.imported_rows,
    fields={
        "key": Clear(erasure.irreversible_key, export=False),
        "row_hash": Clear(export=False, note="a hash of the row's values"),
    },
    not_personal=(
        "id",
        "structure",
        "entity",
        "object_id",
        "created_by_run",
        "updated_by_run",
        "version",
    ),
)

register(
    "imports.SavedMapping",
    # `value_mappings`: the words a structure's files use for referential entries ("RSA
    # socle" → "rsa"), kept for its next files as the column headers are.
    not_personal=(
        "id",
        "structure",
        "entity",
        "name",
        "mapping",
        "value_mappings",
        "without_identifier",
        "created_by",
        "updated_at",
    ),
)
