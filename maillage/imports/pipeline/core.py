"""What the pipeline's parts share: the report, a prepared row, the row's key and hash."""

import hashlib
import hmac
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings

from .cells import display

MAX_STORED = 10_000  # errors (and warnings) kept in the run; the counts say how many there were
MAX_UNKNOWN_VALUES = 200  # distinct values to map kept in the run
UNKNOWN_LINES = 5  # lines kept per value to map
KEY_LENGTH = 200  # ImportedRow.key


class RowProblem(Exception):
    """A row that cannot be imported: `code` is the field at fault (or "" for the whole row)."""

    def __init__(self, code: str, value, reason: str):
        super().__init__(reason)
        self.code = code
        self.value = value
        self.reason = reason


@dataclass
class Report:
    """What a run found (dry run) or did (commit)."""

    columns: dict[str, str] = field(default_factory=dict)  # field code → header
    counts: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    )
    errors: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    rows: int = 0
    pending: int = 0  # rows waiting for a decision about a probable duplicate
    # Values of referential columns that match no entry, per (field, value): see `unmatched`.
    unknown: dict = field(default_factory=dict)
    # Headers of unmapped columns that look like the file's identifier of its rows.
    identifier_columns: list[str] = field(default_factory=list)

    def _entry(self, line, code, value, reason) -> dict:
        return {
            "line": line,
            "column": self.columns.get(code, "") if code else "",
            "value": display(value),
            "reason": str(reason),
        }

    def error(self, line: int, code: str, value, reason) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_STORED:
            self.errors.append(self._entry(line, code, value, reason))

    def warning(self, line: int, code: str, value, reason) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_STORED:
            self.warnings.append(self._entry(line, code, value, reason))

    def unmatched(self, line: int, code: str, value, error) -> None:
        """A value of a referential column that names no entry (or several): kept once per
        distinct value, with its closest entries, for the advisor to map in the dry run."""
        text = display(value).strip()
        entry = self.unknown.get((code, text))
        if entry is None:
            if len(self.unknown) >= MAX_UNKNOWN_VALUES:
                return
            entry = self.unknown[(code, text)] = {
                "field": code,
                "column": self.columns.get(code, ""),
                "value": text,
                "count": 0,
                "lines": [],
                "candidates": [list(pair) for pair in error.candidates],
                "options": [list(pair) for pair in error.options],
            }
        entry["count"] += 1
        if len(entry["lines"]) < UNKNOWN_LINES:
            entry["lines"].append(line)

    @property
    def unknown_values(self) -> list[dict]:
        return list(self.unknown.values())

    @property
    def refused(self) -> bool:
        return self.error_count > 0


# What a prepared row will do.
CREATE, UPDATE, UNCHANGED, SKIP, PENDING = "create", "update", "unchanged", "skip", "pending"
COUNTED = {CREATE: "created", UPDATE: "updated", UNCHANGED: "unchanged", SKIP: "skipped"}


@dataclass(slots=True)
class Item:
    """One row of the file, read, checked and matched, waiting to be written."""

    line: int
    values: dict
    data: object = None  # what the entity's handler resolved (ids, objects)
    key: str = ""
    row_hash: str = ""
    action: str = CREATE
    object_id: int | None = None
    version: int = 1
    imported_pk: int | None = None  # the ImportedRow already kept for this key
    link_only: bool = False  # an existing object found without an ImportedRow: link it


def digest(parts) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def stable_key(parts) -> str:
    """The key of a row that has no identifier: its key fields, hashed when long."""
    text = "|".join("" if part is None else str(part) for part in parts)
    if len(text) > 120:
        text = digest(text)
    return "k:" + text


def identifier_key(value: str) -> str:
    key = "id:" + value
    return key if len(key) <= KEY_LENGTH - 8 else "id#" + digest(value)


KEY_DERIVATION = b"maillage.imports.ImportedRow.key:"


@lru_cache(maxsize=4)
def _key_secret(salt: str, secret_key: str) -> bytes:
    if salt:
        return salt.encode()
    return hashlib.sha256(KEY_DERIVATION + secret_key.encode()).digest()


def key_secret() -> bytes:
    """The key of `protect_key`'s HMAC, from the settings as they are now (read it once per
    file: settings are read through a lazy object, which costs more than the HMAC itself)."""
    return _key_secret(getattr(settings, "IMPORT_KEY_SALT", ""), settings.SECRET_KEY)


def protect_key(raw: str, secret: bytes | None = None) -> str:
    """What `ImportedRow.key` stores for a row's key: its HMAC-SHA256, keyed by the
    `IMPORT_KEY_SALT` setting (by default a derivation of SECRET_KEY), so that the key fields
    (names, birth dates, file numbers) are never kept in clear. Changing the salt (or, without
    it, SECRET_KEY) makes every row of earlier imports look new: set IMPORT_KEY_SALT to keep
    re-imports idempotent across a SECRET_KEY rotation. `secret`: `key_secret()`, read once."""
    if secret is None:
        secret = key_secret()
    return "h:" + hmac.digest(secret, raw.encode(), "sha256").hex()
