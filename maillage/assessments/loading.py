"""Loading instrument files into versions, and exporting a version back to its file.

All or nothing: every file is parsed and checked before anything is written, and the writes run
in one transaction. A version already used by an assessment or a committee never changes:
loading a different content under its number is refused (give the file a new version number).
"""

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from . import definition
from .definition import InstrumentFileError
from .models import (
    Assessment,
    Committee,
    Criterion,
    Instrument,
    InstrumentVersion,
    Item,
    Section,
)


@dataclass(frozen=True)
class Loaded:
    version: InstrumentVersion
    created: bool  # False: the same content was already loaded


def shipped_files() -> list[Path]:
    return sorted(definition.SHIPPED_DIR.glob("*.yaml"))


def version_is_used(version: InstrumentVersion) -> bool:
    return (
        Assessment.objects.filter(version=version).exists()
        or Committee.objects.filter(version=version).exists()
    )


@transaction.atomic
def load_instruments(*, files: list[tuple[str, str]]) -> list[Loaded]:
    """Load `(name, text)` pairs; raises `InstrumentFileError` (nothing loaded) on any problem."""
    parsed = [(name, definition.parse(text, name), text) for name, text in files]
    parsed.sort(key=lambda row: (row[1]["code"], row[1]["version"]))
    seen = set()
    for name, content, _text in parsed:
        key = (content["code"], content["version"])
        if key in seen:
            raise InstrumentFileError(
                name, "version", _("this version of the instrument is given twice.")
            )
        seen.add(key)
    return [_load_one(name, content, text) for name, content, text in parsed]


def _load_one(name: str, content: dict, text: str) -> Loaded:
    instrument, _created = Instrument.objects.get_or_create(
        code=content["code"], defaults={"family": content["family"]}
    )
    if instrument.family != content["family"]:
        raise InstrumentFileError(
            name,
            "family",
            _("the instrument “%(code)s” belongs to the family “%(family)s”.")
            % {"code": instrument.code, "family": instrument.family},
        )
    existing = InstrumentVersion.objects.filter(
        instrument=instrument, number=content["version"]
    ).first()
    if existing is not None:
        if existing.content == content:
            return Loaded(existing, created=False)
        if version_is_used(existing):
            raise InstrumentFileError(
                name,
                "version",
                _(
                    "version %(number)s is already used by assessments and cannot change: "
                    "give this file a new version number."
                )
                % {"number": existing.number},
            )
        Item.objects.filter(version=existing).update(continues=None)
        Item.objects.filter(continues__version=existing).update(continues=None)
        Item.objects.filter(version=existing).delete()
        Criterion.objects.filter(version=existing).delete()
        Section.objects.filter(version=existing).delete()
    previous = None
    if "continues_version" in content:
        previous = InstrumentVersion.objects.filter(
            instrument=instrument, number=content["continues_version"]
        ).first()
        if previous is None:
            raise InstrumentFileError(
                name,
                "continues_version",
                _("version %(number)s of “%(code)s” is not loaded.")
                % {"number": content["continues_version"], "code": instrument.code},
            )
    version = existing or InstrumentVersion(instrument=instrument, number=content["version"])
    version.title_fr = content["title"]["fr"]
    version.title_en = content["title"]["en"]
    version.content = content
    version.source = text
    version.continues = previous
    version.save()
    _write_rows(name, version, content, previous)
    return Loaded(version, created=True)


def _write_rows(name, version, content, previous) -> None:
    previous_items = (
        {item.key: item for item in Item.objects.filter(version=previous)} if previous else {}
    )
    for s, section_data in enumerate(content["sections"]):
        section = Section.objects.create(
            version=version,
            key=section_data["key"],
            position=s,
            title=section_data["title"],
            weight=section_data.get("weight", 1),
            scoring=section_data["scoring"],
        )
        for c, criterion_data in enumerate(section_data["criteria"]):
            criterion = Criterion.objects.create(
                section=section,
                version=version,
                key=criterion_data["key"],
                position=c,
                title=criterion_data["title"],
                weight=criterion_data.get("weight", 1),
                priority=criterion_data.get("priority", False),
                scoring=criterion_data["scoring"],
            )
            for i, item_data in enumerate(criterion_data["items"]):
                continues = None
                if "continues" in item_data:
                    continues = previous_items.get(item_data["continues"])
                    if continues is None:
                        raise InstrumentFileError(
                            name,
                            f"sections[{s}].criteria[{c}].items[{i}].continues",
                            _("version %(number)s has no item “%(key)s”.")
                            % {"number": previous.number, "key": item_data["continues"]},
                        )
                Item.objects.create(
                    criterion=criterion,
                    version=version,
                    key=item_data["key"],
                    position=i,
                    type=item_data["type"],
                    text=item_data["text"],
                    weight=item_data.get("weight", 1),
                    priority=item_data.get("priority", False),
                    allows_not_applicable=item_data.get("not_applicable", False),
                    spec=item_data,
                    continues=continues,
                )


def export_version(version: InstrumentVersion) -> str:
    """The version as an instrument file (the canonical YAML it was loaded from)."""
    return definition.dump(version.content)


def load_paths(paths: list[Path]) -> list[Loaded]:
    files = []
    for path in paths:
        try:
            files.append((str(path), Path(path).read_text(encoding="utf-8")))
        except OSError as error:
            raise InstrumentFileError(str(path), "", str(error)) from error
    return load_instruments(files=files)
