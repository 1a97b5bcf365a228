"""Validation of HSDS API answers against the Open Referral schemas copied in hsds3/.

The compiled schemas declare no `$schema`; the HSDS OpenAPI document sets the JSON Schema
dialect to 2020-12, so that is the validator used. They hold no `$ref` (everything is inlined),
so no registry is needed. jsonschema checks the `uuid` and `email` formats itself; `uri` and
`date-time` need optional packages, so they are checked here with the standard library.
"""

import datetime
import functools
import json
from pathlib import Path
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker

HERE = Path(__file__).with_name("hsds3")
FORMATS = FormatChecker()


@FORMATS.checks("uri")
def is_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and parts.netloc)


@FORMATS.checks("date-time", raises=ValueError)
def is_date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    return datetime.datetime.fromisoformat(value).tzinfo is not None


@functools.cache
def schema(name: str) -> dict:
    return json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))


@functools.cache
def validator(name: str) -> Draft202012Validator:
    if name.endswith("_page"):
        item = name.removesuffix("_page")
        page = dict(schema("page"))
        page_schema = {
            "allOf": [page],
            "required": [*page["properties"], "contents"],
            "properties": {"contents": {"type": "array", "items": schema(f"{item}_list")}},
        }
        return Draft202012Validator(page_schema, format_checker=FORMATS)
    return Draft202012Validator(schema(name), format_checker=FORMATS)


def assert_valid(name: str, data) -> None:
    errors = sorted(validator(name).iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])
