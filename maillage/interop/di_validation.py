"""Reading data·inclusion files and checking every item against the published schema.

The pydantic models of the `data-inclusion-schema` package are the reference: an item is valid
when `Structure.model_validate(item)` (or `Service`) accepts it. Their error messages are turned
into short translated sentences that name the item and the field.
"""

import json
from dataclasses import dataclass

import pydantic
from data_inclusion.schema.v1 import Service, Structure
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FILE_LABELS = {
    "structures": gettext_lazy("Structures file"),
    "services": gettext_lazy("Services file"),
}
MODELS = {"structures": Structure, "services": Service}


@dataclass(frozen=True)
class ItemError:
    """What is wrong in a file: in one item (index from 1) and one field, or in the whole file."""

    file: str
    message: str
    index: int | None = None
    field: str = ""

    def __str__(self):
        names = {
            "file": FILE_LABELS[self.file],
            "index": self.index,
            "field": self.field,
            "message": self.message,
        }
        if self.index is None:
            return _("%(file)s: %(message)s") % names
        if not self.field:
            return _("%(file)s, item %(index)s: %(message)s") % names
        return _("%(file)s, item %(index)s, field “%(field)s”: %(message)s") % names


def read_items(file, kind: str) -> tuple[list, list[ItemError]]:
    """The items of a JSON file (an array of objects), or the errors that stop reading it."""
    try:
        raw = file.read()
        data = json.loads(raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw)
    except (UnicodeDecodeError, ValueError):
        return [], [ItemError(kind, _("This is not a JSON file (UTF-8) that can be read."))]
    if not isinstance(data, list):
        return [], [ItemError(kind, _("The file must hold a JSON array of items."))]
    errors = [
        ItemError(kind, _("An item must be a JSON object."), index=index)
        for index, item in enumerate(data, start=1)
        if not isinstance(item, dict)
    ]
    return data, errors


def _field_name(loc: tuple) -> str:
    if not loc:
        return ""
    name = str(loc[0])
    if len(loc) > 1 and isinstance(loc[1], int):
        name += f"[{loc[1]}]"
    return name


def _message(error: dict) -> str:
    """A translated sentence for the usual pydantic errors; the schema's own text otherwise."""
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind == "missing":
        return _("This field is required.")
    if kind == "string_too_short":
        return _("At least %(count)s characters are needed.") % {"count": ctx.get("min_length")}
    if kind == "string_too_long":
        return _("At most %(count)s characters are allowed.") % {"count": ctx.get("max_length")}
    if kind == "string_pattern_mismatch":
        return _("The value does not have the expected format.")
    if kind == "enum":
        return _("This is not one of the codes of the schema (%(expected)s).") % {
            "expected": ctx.get("expected", "")
        }
    if kind.startswith("url"):
        return _("This is not a valid web address.")
    if kind.startswith("date"):
        return _("This is not a valid date (expected YYYY-MM-DD).")
    if kind in ("list_type", "set_type"):
        return _("A list of values is expected.")
    if kind == "too_short":
        return _("The list cannot be empty.")
    if kind == "string_type":
        return _("Text is expected.")
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        return _("A number is expected.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("The number is too small.")
    # value_error: the schema's own validators (in French), e.g. a date in the future.
    return error["msg"].removeprefix("Value error, ")


def validate_items(items: list, kind: str) -> tuple[list, list[ItemError]]:
    """Each item validated by the schema model: ([(index, raw item, model)], errors)."""
    model = MODELS[kind]
    validated, errors, seen_ids = [], [], set()
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            continue
        try:
            validated.append((index, item, model.model_validate(item)))
        except pydantic.ValidationError as exc:
            by_field: dict[str, list[str]] = {}
            for error in exc.errors(include_url=False):
                messages = by_field.setdefault(_field_name(error["loc"]), [])
                message = _message(error)
                if message not in messages:
                    messages.append(message)
            errors.extend(
                ItemError(kind, " / ".join(messages), index=index, field=field)
                for field, messages in by_field.items()
            )
            continue
        key = (item.get("source"), item.get("id"))
        if key in seen_ids:
            errors.append(
                ItemError(kind, _("Another item of the file has this identifier."), index, "id")
            )
        seen_ids.add(key)
    return validated, errors
