"""Instrument files: read (YAML checked against `instrument.schema.json`), and written back.

`parse(text, name)` returns the content as plain data or raises `InstrumentFileError` naming the
file, the path inside it (`sections[1].criteria[0].items[2].levels`) and what is wrong.
`dump(content)` writes the canonical YAML the shipped files are written in, so that loading a
file and exporting it gives the same text back.
"""

import json
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

SCHEMA_PATH = Path(__file__).with_name("instrument.schema.json")
SHIPPED_DIR = Path(__file__).with_name("instruments")

# The order keys are written in (the schema's order); unknown keys never reach here.
KEY_ORDER = (
    "code",
    "family",
    "version",
    "continues_version",
    "key",
    "value",
    "type",
    "title",
    "text",
    "label",
    "score",
    "description",
    "help",
    "subjects",
    "scoring",
    "weight",
    "priority",
    "not_applicable",
    "continues",
    "sections",
    "criteria",
    "items",
    "levels",
    "poles",
    "low",
    "high",
    "continuous",
    "min",
    "max",
    "unit",
    "scored",
    "choices",
    "fr",
    "en",
)


class InstrumentFileError(Exception):
    def __init__(self, file: str, path: str, message: str):
        self.file, self.path, self.message = file, path, message
        super().__init__(f"{file}: {path or '/'}: {message}")


@cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse(text: str, name: str) -> dict:
    """The file's content, checked; `InstrumentFileError` on the first problem found."""
    try:
        content = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = _("line %(line)s") % {"line": mark.line + 1} if mark else ""
        raise InstrumentFileError(
            name, where, _("not valid YAML: %(problem)s") % {"problem": error}
        ) from error
    if not isinstance(content, dict):
        raise InstrumentFileError(name, "", _("an instrument file holds a mapping of keys."))
    errors = sorted(
        Draft202012Validator(schema()).iter_errors(content),
        key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))),
    )
    if errors:
        error = max(errors, key=lambda e: len(e.absolute_path))
        raise InstrumentFileError(name, _path(error.absolute_path), error.message)
    _check_meaning(content, name)
    return content


def _check_meaning(content: dict, name: str) -> None:
    """What a schema cannot say: unique keys, bounds in order, distinct levels."""
    seen: dict[str, set] = {"section": set(), "criterion": set(), "item": set()}

    def unique(kind, key, path):
        if key in seen[kind]:
            raise InstrumentFileError(
                name, path, _("the key “%(key)s” is used twice in this file.") % {"key": key}
            )
        seen[kind].add(key)

    for s, section in enumerate(content["sections"]):
        unique("section", section["key"], _path(["sections", s, "key"]))
        for c, criterion in enumerate(section["criteria"]):
            cpath = ["sections", s, "criteria", c]
            unique("criterion", criterion["key"], _path([*cpath, "key"]))
            for i, item in enumerate(criterion["items"]):
                ipath = [*cpath, "items", i]
                unique("item", item["key"], _path([*ipath, "key"]))
                _check_item(item, name, ipath)
    if "continues_version" in content and content["continues_version"] >= content["version"]:
        raise InstrumentFileError(
            name, "continues_version", _("a version continues an earlier version.")
        )
    if "continues_version" not in content:
        for s, section in enumerate(content["sections"]):
            for c, criterion in enumerate(section["criteria"]):
                for i, item in enumerate(criterion["items"]):
                    if "continues" in item:
                        raise InstrumentFileError(
                            name,
                            _path(["sections", s, "criteria", c, "items", i, "continues"]),
                            _(
                                "an item continues another only when the file says which version "
                                "it continues (continues_version)."
                            ),
                        )


def _check_item(item: dict, name: str, ipath: list) -> None:
    kind = item["type"]
    if kind == "number" and item["min"] >= item["max"]:
        raise InstrumentFileError(name, _path([*ipath, "max"]), _("max must be above min."))
    if kind == "scale":
        values = [level["value"] for level in item["levels"]]
        if len(set(values)) != len(values):
            raise InstrumentFileError(
                name, _path([*ipath, "levels"]), _("two levels have the same value.")
            )
    if kind in ("single_choice", "multiple_choice"):
        keys = [choice["key"] for choice in item["choices"]]
        if len(set(keys)) != len(keys):
            raise InstrumentFileError(
                name, _path([*ipath, "choices"]), _("two choices have the same key.")
            )


# --- Writing ------------------------------------------------------------------------------------


def _ordered(value):
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: KEY_ORDER.index(k) if k in KEY_ORDER else len(KEY_ORDER))
        return {k: _ordered(value[k]) for k in keys}
    if isinstance(value, list):
        return [_ordered(v) for v in value]
    return value


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        # Lists indented under their key, as people write them.
        return super().increase_indent(flow, False)


def dump(content: dict) -> str:
    """The canonical YAML of an instrument's content."""
    return yaml.dump(
        _ordered(content),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )


def iter_items(content: dict):
    """(section, criterion, item) for every item, in the file's order."""
    for section in content["sections"]:
        for criterion in section["criteria"]:
            for item in criterion["items"]:
                yield section, criterion, item
