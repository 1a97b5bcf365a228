"""Instruments as files: schema, all-or-nothing loading, errors that say where, round trip."""

import io
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils import translation

from maillage.assessments import definition
from maillage.assessments.definition import InstrumentFileError
from maillage.assessments.loading import export_version, load_instruments, shipped_files
from maillage.assessments.models import Instrument, InstrumentVersion, Item


@pytest.fixture(autouse=True)
def _in_english():
    """The engine's messages, as written in the source (the pages test them in French)."""
    with translation.override("en"):
        yield


MINIMAL = """\
code: tiny
family: tiny
version: 1
title:
  fr: Petite grille
  en: Small grid
subjects:
  - project
scoring: mean
sections:
  - key: s1
    title:
      fr: Section
      en: Section
    scoring: mean
    criteria:
      - key: c1
        title:
          fr: Critère
          en: Criterion
        scoring: mean
        items:
          - key: i1
            type: yes_no
            text:
              fr: Oui ?
              en: Yes?
"""


def test_every_shipped_file_is_in_canonical_form():
    """Export writes exactly the shipped text back (parse then dump is the identity)."""
    assert len(shipped_files()) == 5
    for path in shipped_files():
        text = path.read_text(encoding="utf-8")
        assert definition.dump(definition.parse(text, path.name)) == text, path.name


@pytest.mark.django_db
def test_shipped_instruments_load_and_export_identically():
    call_command("load_instruments", stdout=io.StringIO())
    assert Instrument.objects.count() == 5
    for path in shipped_files():
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        version = InstrumentVersion.objects.get(instrument__code=content["code"], number=1)
        assert export_version(version) == path.read_text(encoding="utf-8")
        assert Item.objects.filter(version=version).count() == sum(
            1 for _ in definition.iter_items(content)
        )


@pytest.mark.django_db
def test_loading_the_same_file_twice_changes_nothing():
    (first,) = load_instruments(files=[("tiny.yaml", MINIMAL)])
    (second,) = load_instruments(files=[("tiny.yaml", MINIMAL)])
    assert first.created and not second.created
    assert second.version.pk == first.version.pk
    assert Item.objects.count() == 1


@pytest.mark.django_db
def test_an_invalid_file_names_file_path_and_problem_and_nothing_is_loaded(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(MINIMAL, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        MINIMAL.replace("code: tiny", "code: other").replace("type: yes_no", "type: slider"),
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as caught:
        call_command("load_instruments", str(good), str(bad))
    message = str(caught.value)
    assert "bad.yaml" in message
    assert "sections[0].criteria[0].items[0].type" in message
    assert "'slider' is not one of" in message
    assert not Instrument.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (("key: i1", "key: c1x\n            weight: 0"), "items[0].weight", "minimum"),
        (
            ("type: yes_no", "type: number\n            min: 5\n            max: 1"),
            "sections[0].criteria[0].items[0].max",
            "max must be above min",
        ),
        (("key: c1", "key: C 1"), "sections[0].criteria[0].key", "does not match"),
        (("scoring: mean\nsections", "scoring: median\nsections"), "scoring", "is not one of"),
        (
            (
                "type: yes_no",
                "type: yes_no\n            levels: [{value: 1, label: {fr: a, en: a}},"
                " {value: 2, label: {fr: b, en: b}}]",
            ),
            "sections[0].criteria[0].items[0]",
            "'levels' is not one of",
        ),
    ],
)
def test_errors_point_inside_the_file(change, path, words):
    with pytest.raises(InstrumentFileError) as caught:
        load_instruments(files=[("f.yaml", MINIMAL.replace(*change))])
    assert caught.value.file == "f.yaml"
    assert path in caught.value.path
    assert words in caught.value.message


@pytest.mark.django_db
def test_not_yaml_says_the_line():
    with pytest.raises(InstrumentFileError) as caught:
        load_instruments(files=[("f.yaml", "code: [unclosed\n")])
    assert caught.value.file == "f.yaml"
    assert "not valid YAML" in caught.value.message


@pytest.mark.django_db
def test_a_used_version_cannot_change(assessment_factory):
    (loaded,) = load_instruments(files=[("tiny.yaml", MINIMAL)])
    assessment_factory(version=loaded.version)
    with pytest.raises(InstrumentFileError) as caught:
        load_instruments(files=[("tiny.yaml", MINIMAL.replace("fr: Oui ?", "fr: Non ?"))])
    assert "new version number" in caught.value.message
    assert InstrumentVersion.objects.get().content["sections"][0]["criteria"][0]["items"][0][
        "text"
    ] == {"fr": "Oui ?", "en": "Yes?"}


@pytest.mark.django_db
def test_an_unused_version_may_be_corrected():
    load_instruments(files=[("tiny.yaml", MINIMAL)])
    load_instruments(files=[("tiny.yaml", MINIMAL.replace("fr: Oui ?", "fr: Vraiment ?"))])
    assert Item.objects.get().text["fr"] == "Vraiment ?"


@pytest.mark.django_db
def test_a_new_version_maps_items_to_the_earlier_one():
    v2 = MINIMAL.replace("version: 1", "version: 2\ncontinues_version: 1").replace(
        "key: i1", "key: i1b\n            continues: i1"
    )
    load_instruments(files=[("v2.yaml", v2), ("v1.yaml", MINIMAL)])
    new = Item.objects.get(key="i1b")
    assert new.continues.key == "i1" and new.continues.version.number == 1


@pytest.mark.django_db
def test_a_mapping_to_a_missing_item_is_refused():
    v2 = MINIMAL.replace("version: 1", "version: 2\ncontinues_version: 1").replace(
        "key: i1", "key: i1b\n            continues: nowhere"
    )
    with pytest.raises(InstrumentFileError) as caught:
        load_instruments(files=[("v1.yaml", MINIMAL), ("v2.yaml", v2)])
    assert caught.value.file == "v2.yaml"
    assert caught.value.path == "sections[0].criteria[0].items[0].continues"
    assert not Instrument.objects.exists()


def test_schema_is_shipped_with_the_app():
    assert Path(definition.SCHEMA_PATH).exists()
    assert definition.schema()["$defs"]["item"]["properties"]["type"]["enum"] == [
        "scale",
        "cursor",
        "yes_no",
        "number",
        "single_choice",
        "multiple_choice",
        "text",
    ]
