"""The personal-data register: where personal data lives and what erasure does with each field.

Every model that holds data about a person (a project holder) is declared once, in the
`personal_data.py` module of its app, with one rule per concrete field:

- `Clear(value)`: personal, emptied at erasure (or replaced by `value`, a placeholder or what a
  callable returns: a file deleted, a key replaced by an irreversible token);
- `Scrub()`: personal text shared with others (a collective act, a project of several persons,
  an import's report): every spelling of the erased person (names, e-mail, phone, birth date,
  with or without accents, in any case or formatting) becomes "***", the rest is kept; on a row
  that concerns the person alone (`Entry.sole`), a blank-able scrubbed field is cleared instead;
- `Keep()`: personal but kept for statistics (birth year, gender, dates, statuses, the
  pseudonymous id): alone it does not identify anyone; `Keep(coarsen=…)` keeps a coarser value
  (the commune becomes its département);
- listed in `not_personal`: ids, links to structures and referentials, technical columns.

Every field declared personal (`Clear`, `Scrub`, `Keep`) belongs to the right-of-access export
unless its rule says `export=False` (derived or technical copies such as the duplicate-search
key or an import key). The erasure (`erase`) reads the register: for each entry, the rows about
the person (`link`, a lookup from the model to the person, or `rows`, a function) get their
fields treated. The merge reads it too (`fill_on_merge`, `on_merge`). A test fails when a model
gains a field nobody classified, and when a classified field survives an erasure.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import F
from django.utils.module_loading import autodiscover_modules

SCRUBBED = "***"
# What a person's and a contact request's names become.
ANONYMISED_FIRST_NAME = "Personne"
ANONYMISED_LAST_NAME = "anonymisée"

# --- Rules -----------------------------------------------------------------------------------

_UNSET = object()


@dataclass(frozen=True, kw_only=True)
class Rule:
    export: bool = True
    fill_on_merge: bool = False
    note: str = ""


@dataclass(frozen=True)
class Clear(Rule):
    """Personal: emptied at erasure. `value` is the replacement, or a callable
    `(row, old value, context) -> new value`; by default "" (None for a nullable field)."""

    value: Any = _UNSET

    def erased(self, model_field, row, value, context):
        if callable(self.value):
            return self.value(row, value, context)
        if self.value is not _UNSET:
            return self.value
        if model_field.null:
            return None
        if isinstance(model_field, models.JSONField):
            return type(value)() if isinstance(value, (dict, list)) else None
        return ""


@dataclass(frozen=True)
class Scrub(Rule):
    """Personal text about others too: every spelling of the person becomes "***"."""


@dataclass(frozen=True)
class Keep(Rule):
    """Personal but kept for statistics; `coarsen(row, value, context)` keeps a coarser value."""

    coarsen: Callable | None = None


# Treatments, as the documentation names them.
CLEAR, SCRUB, KEEP = "clear", "scrub", "keep for statistics"


def treatment(rule: Rule) -> str:
    return {Clear: CLEAR, Scrub: SCRUB, Keep: KEEP}[type(rule)]


# --- Entries ---------------------------------------------------------------------------------


@dataclass
class Entry:
    """One model in the register."""

    label: str  # "app_label.ModelName"
    fields: dict[str, Rule]
    not_personal: frozenset[str]
    # The lookup from the model to the person ("person", "referral__person"), or None.
    link: str | None = None
    # Or a function `(context) -> iterable of rows` for the rows about the person.
    rows: Callable | None = None
    # A lookup `(context) -> Q` of the rows that concern the person alone (scrubbed fields are
    # cleared there).
    sole: Callable | None = None
    # `(row, changes, context)`: a last word on a row's changes (a status that follows).
    finish: Callable | None = None
    # What a merge of two records does with the rows: "move" (they follow the record kept),
    # "merge" (the merge service joins them itself), "derived" (recomputed elsewhere).
    on_merge: str | None = None

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    def rows_of(self, context: Context):
        if self.rows is not None:
            return self.rows(context)
        if self.link is not None:
            subject = context.subject.pk if self.link == "pk" else context.subject
            return self.model._base_manager.filter(**{self.link: subject}).distinct()
        return []


_REGISTER: dict[str, Entry] = {}
_LOADED = False


def register(
    label: str,
    *,
    fields: dict[str, Rule] | None = None,
    not_personal: Iterable[str] = (),
    link: str | None = None,
    rows: Callable | None = None,
    sole: Callable | None = None,
    finish: Callable | None = None,
    on_merge: str | None = None,
) -> Entry:
    entry = Entry(
        label=label,
        fields=dict(fields or {}),
        not_personal=frozenset(not_personal),
        link=link,
        rows=rows,
        sole=sole,
        finish=finish,
        on_merge=on_merge,
    )
    overlap = entry.fields.keys() & entry.not_personal
    if overlap:
        raise ValueError(f"{label}: {sorted(overlap)} both personal and not personal")
    _REGISTER[label] = entry
    return entry


def entries() -> list[Entry]:
    """Every entry, from the `personal_data` modules of the installed apps."""
    global _LOADED
    if not _LOADED:
        autodiscover_modules("personal_data")
        _register_plumbing()
        _LOADED = True
    return [entry for label, entry in _REGISTER.items() if _installed(label)]


def _installed(label: str) -> bool:
    app_label = label.split(".", 1)[0]
    return any(config.label == app_label for config in apps.get_app_configs())


def entry_for(model) -> Entry | None:
    entries()
    return _REGISTER.get(model._meta.label)


def personal_fields(model) -> dict[str, Rule]:
    """{field name: rule} of the model's personal fields (for the export and the merge)."""
    entry = entry_for(model)
    return dict(entry.fields) if entry else {}


def _register_plumbing() -> None:
    """Tables of third-party apps that may carry a person's data."""
    if apps.is_installed("django_tasks_db"):
        # Queued and finished background tasks: their arguments are ids, but a traceback or a
        # return value may quote a value. Every row is read at erasure (prune them regularly).
        register(
            "django_tasks_database.DBTaskResult",
            fields={
                "args_kwargs": Scrub(),
                "return_value": Scrub(),
                "traceback": Scrub(),
            },
            not_personal=(
                "id",
                "status",
                "enqueued_at",
                "started_at",
                "finished_at",
                "priority",
                "task_path",
                "worker_ids",
                "queue_name",
                "backend_name",
                "run_after",
                "exception_class_path",
            ),
            rows=lambda context: apps.get_model("django_tasks_database.DBTaskResult").objects.all(),
        )


# --- Spellings -------------------------------------------------------------------------------

# Particles too common to be scrubbed alone when a compound name is split.
_PARTICLES = {
    "de",
    "du",
    "des",
    "la",
    "le",
    "les",
    "van",
    "von",
    "der",
    "den",
    "del",
    "della",
    "di",
    "da",
    "dos",
    "das",
    "ben",
    "bin",
    "el",
    "al",
    "ep",
    "epouse",
    "nee",
}


def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    text = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return text.replace("œ", "oe").replace("æ", "ae").replace("ø", "o").replace("ł", "l")


def fold(text: str) -> tuple[str, list[int]]:
    """Lower case, no accents, every run of other characters as one space; with, for each
    character of the result, the index of the character of `text` it comes from."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for folded in _fold_char(char):
            if folded.isalnum():
                out.append(folded)
                origin.append(index)
            elif out and out[-1] != " ":
                out.append(" ")
                origin.append(index)
    return "".join(out), origin


def folded(text: str) -> str:
    return fold(text or "")[0].strip()


def _words_pattern(text: str) -> str | None:
    """Folded words, each separator optional ("jean pierre" also finds "Jean-Pierre",
    "JEANPIERRE")."""
    words = folded(text).split()
    if not words:
        return None
    return "[ ]?".join(re.escape(word) for word in words)


def _digits_pattern(digits: str) -> str:
    """Digits in any grouping: "0612345678" finds "06 12 34 56 78", "06.12.34.56.78"."""
    return "[ ]?".join(digits)


def _phone_variants(phone: str) -> set[str]:
    """The digits of a phone as written nationally and internationally (+33 6…, 0033 6…,
    +33 (0)6…, 06…)."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 6:
        return set()
    if digits.startswith("0033"):
        digits = "0" + digits[4:]
    elif digits.startswith("330") and len(digits) == 12:
        digits = digits[2:]
    elif digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    variants = {digits}
    if digits.startswith("0") and len(digits) == 10:
        variants.update(prefix + digits[1:] for prefix in ("33", "0033", "330"))
    return variants


@dataclass(frozen=True)
class Identity:
    """What identifies a person, as it must disappear from texts."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    birth_date: datetime.date | None = None

    def patterns(self) -> list[str]:
        names = [self.first_name, self.last_name]
        texts = {
            f"{self.first_name} {self.last_name}",
            f"{self.last_name} {self.first_name}",
            self.email,
            *names,
        }
        if self.first_name and self.last_name:
            texts.add(f"{self.first_name} {self.last_name[:1]}")  # "Camille D." (notifications)
        for name in names:
            parts = folded(name).split()
            if len(parts) > 1:
                texts.update(part for part in parts if len(part) > 2 and part not in _PARTICLES)
        patterns = []
        for text in texts:
            pattern = _words_pattern(text)
            if pattern and len(folded(text).replace(" ", "")) > 1:
                patterns.append(pattern)
        patterns += [_digits_pattern(digits) for digits in _phone_variants(self.phone)]
        if self.birth_date:
            day, month, year = self.birth_date.day, self.birth_date.month, self.birth_date.year
            for d in {f"{day:02d}", str(day)}:
                for m in {f"{month:02d}", str(month)}:
                    patterns.append(f"{d}[ ]?{m}[ ]?{year}")
                    patterns.append(f"{year}[ ]?{m}[ ]?{d}")
        # Longest first: "camille dupont" wins over "camille".
        return sorted(set(patterns), key=len, reverse=True)


class Scrubber:
    """Finds and replaces every spelling of an identity in texts and JSON values."""

    def __init__(self, *identities: Identity):
        patterns = sorted(
            {pattern for identity in identities for pattern in identity.patterns()},
            key=len,
            reverse=True,
        )
        self._pattern = (
            re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)") if patterns else None
        )

    def spans(self, text: str) -> list[tuple[int, int]]:
        if self._pattern is None or not text:
            return []
        flat, origin = fold(text)
        return [
            (origin[match.start()], origin[match.end() - 1] + 1)
            for match in self._pattern.finditer(flat)
        ]

    def mentions(self, value) -> bool:
        if isinstance(value, str):
            return bool(self.spans(value))
        if isinstance(value, dict):
            return any(self.mentions(item) for item in value.values())
        if isinstance(value, (list, tuple)):
            return any(self.mentions(item) for item in value)
        return False

    def __call__(self, value):
        if isinstance(value, str):
            spans = self.spans(value)
            if not spans:
                return value
            parts, last = [], 0
            for start, end in spans:
                parts.append(value[last:start])
                parts.append(SCRUBBED)
                last = end
            parts.append(value[last:])
            return "".join(parts)
        if isinstance(value, list):
            return [self(item) for item in value]
        if isinstance(value, dict):
            return {key: self(item) for key, item in value.items()}
        return value


# --- Erasure ---------------------------------------------------------------------------------


@dataclass
class Context:
    """What the rules of an erasure read: the person, their spellings, the time."""

    subject: Any
    scrub: Scrubber
    at: Any = None
    cache: dict = field(default_factory=dict)


def changes_for(entry: Entry, row, context: Context, *, sole: bool = False) -> dict:
    """{field name: new value} of a row, by the entry's rules."""
    model = type(row)
    changes = {}
    for name, rule in entry.fields.items():
        model_field = model._meta.get_field(name)
        attname = model_field.attname
        before = getattr(row, attname)
        if isinstance(rule, Clear):
            after = rule.erased(model_field, row, before, context)
        elif isinstance(rule, Scrub):
            if sole and model_field.blank and before:
                after = Clear().erased(model_field, row, before, context)
            else:
                after = context.scrub(before)
        elif rule.coarsen is not None:
            after = rule.coarsen(row, before, context)
        else:
            continue
        if after != before:
            changes[attname] = after
    if entry.finish is not None:
        entry.finish(row, changes, context)
    return changes


def erase_entry(entry: Entry, context: Context) -> int:
    """Apply the entry's rules to its rows about the person; how many rows changed."""
    if not any(not isinstance(rule, Keep) or rule.coarsen for rule in entry.fields.values()):
        return 0
    model = entry.model
    rows = entry.rows_of(context)
    sole_ids: set = set()
    if entry.sole is not None:
        sole_ids = set(model._base_manager.filter(entry.sole(context)).values_list("pk", flat=True))
    # Optimistic locking: a form opened before the erasure cannot write the data back.
    has_version = any(f.name == "version" and not f.editable for f in model._meta.concrete_fields)
    changed = 0
    for row in list(rows):
        changes = changes_for(entry, row, context, sole=row.pk in sole_ids)
        if not changes:
            continue
        if has_version and "version" not in changes:
            changes["version"] = F("version") + 1
        model._base_manager.filter(pk=row.pk).update(**changes)
        changed += 1
    return changed


def erase(*, subject, scrub: Scrubber, at=None, exclude: Iterable[str] = ()) -> dict[str, int]:
    """Erase `subject` (a person) from every registered model but those of `exclude`;
    {model label: rows changed}."""
    context = Context(subject=subject, scrub=scrub, at=at)
    skipped = set(exclude)
    return {
        entry.label: erase_entry(entry, context)
        for entry in entries()
        if entry.label not in skipped
    }
