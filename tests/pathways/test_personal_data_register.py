"""The personal-data register (issue 14): every field of every model that may hold a person's
data is classified once (clear, scrub, keep for statistics, or not personal), and no field the
register calls personal survives an erasure."""

import pytest
from django.apps import apps
from django.db import models

from maillage.core import personal_data
from maillage.core.personal_data import Clear, Context, Identity, Keep, Scrub, Scrubber
from maillage.pathways.models import Person
from tests.pathways import erasure_world as world_
from tests.pathways.erasure_world import EVERYONE

ALWAYS = {"pathways", "imports"}  # every model of these apps is in the register
ALSO = {"directory.ContactRequest"}
SUBJECTS = {"pathways.Person", "directory.ContactRequest"}


def models_that_must_be_registered() -> set[str]:
    required = set(ALSO)
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label
        if model._meta.app_label in ALWAYS:
            required.add(label)
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model._meta.label in SUBJECTS:
                required.add(label)
    return required


def test_every_model_that_may_hold_a_person_is_in_the_register():
    registered = {entry.label for entry in personal_data.entries()}
    assert sorted(models_that_must_be_registered() - registered) == []


def test_every_field_of_the_registered_models_is_classified_once():
    problems = []
    for entry in personal_data.entries():
        names = {field.name for field in entry.model._meta.concrete_fields}
        classified = set(entry.fields) | set(entry.not_personal)
        if names - classified:
            problems.append(f"{entry.label}: not classified {sorted(names - classified)}")
        if classified - names:
            problems.append(f"{entry.label}: no such field {sorted(classified - names)}")
    assert problems == []


def test_a_new_field_fails_the_check(monkeypatch):
    """What the check reads: a field added to a registered model is reported."""
    entry = personal_data.entry_for(Person)
    monkeypatch.setattr(entry, "not_personal", entry.not_personal - {"updated_at"})
    names = {field.name for field in Person._meta.concrete_fields}
    assert names - (set(entry.fields) | set(entry.not_personal)) == {"updated_at"}


def test_no_model_of_the_register_keeps_a_history():
    """A history table would keep what the erasure clears (simple-history is used on the
    directory's structures, offers and the like, which hold no person)."""
    from simple_history.models import registered_models

    historised = {model._meta.label for model in registered_models.values()}
    personal = {entry.label for entry in personal_data.entries() if entry.fields}
    assert historised and historised & personal == set()


def test_every_model_linked_to_a_person_says_what_a_merge_does_with_it():
    for entry in personal_data.entries():
        field = None
        if entry.link and "__" not in entry.link and entry.link != "pk":
            field = entry.model._meta.get_field(entry.link)
        if field is not None and field.many_to_one and field.related_model is Person:
            assert entry.on_merge in {"move", "merge", "derived"}, entry.label


def test_the_merge_fills_the_fields_the_register_marks():
    from maillage.pathways.gdpr.merge import filled_when_empty

    assert filled_when_empty() == [
        "birth_date",
        "email",
        "phone",
        "postal_code",
        "commune",
        "situation",
    ]


# --- No classified field survives an erasure -----------------------------------------------------


def _identity(who) -> Identity:
    return Identity(
        first_name=who.first,
        last_name=who.last,
        email=who.email,
        phone=who.phone,
        birth_date=who.birth,
    )


def _spelling(model_field, who):
    """A value of the field that spells the person, or None when the field cannot hold one."""
    text = f"{who.first} {who.last.upper()}"
    if isinstance(model_field, models.JSONField):
        return {"note": text} if isinstance(model_field.get_default(), dict) else [text]
    if isinstance(model_field, models.FileField):
        return None
    if isinstance(model_field, (models.CharField, models.TextField)):
        return text[: model_field.max_length] if model_field.max_length else text
    if type(model_field) is models.DateField:
        return who.birth
    return None


def _empty(value) -> bool:
    return value in ("", None, [], {}) or (hasattr(value, "name") and not value)


@pytest.fixture
def world(net, client, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        return world_.build(net, client)


@pytest.mark.django_db
def test_no_field_the_register_calls_personal_survives_an_erasure(
    world, django_capture_on_commit_callbacks
):
    rows: dict[str, dict[int, object]] = {}  # label -> {pk: who}
    missing = []
    for entry in personal_data.entries():
        erased = {
            name: rule
            for name, rule in entry.fields.items()
            if isinstance(rule, (Clear, Scrub)) or (isinstance(rule, Keep) and rule.coarsen)
        }
        if not erased:
            continue
        found = {}
        for who in EVERYONE:
            context = Context(subject=world.persons[who], scrub=Scrubber(_identity(who)))
            for row in entry.rows_of(context):
                found.setdefault(row.pk, who)
        if not found:
            missing.append(entry.label)
            continue
        rows[entry.label] = found
        # Every personal field holds a spelling of its person before the erasure.
        model = entry.model
        for name in erased:
            model_field = model._meta.get_field(name)
            values = model._base_manager.filter(pk__in=found).values_list(model_field.attname)
            if all(_empty(value) for (value,) in values):
                for pk, who in found.items():
                    value = _spelling(model_field, who)
                    if value is not None:
                        model._base_manager.filter(pk=pk).update(**{model_field.attname: value})
    assert missing == [], "add rows about the person for these models to the world"
    before = {
        label: {
            row.pk: row
            for row in personal_data.entry_for(apps.get_model(label))
            .model._base_manager.filter(pk__in=found)
            .iterator()
        }
        for label, found in rows.items()
    }

    with django_capture_on_commit_callbacks(execute=True):
        world_.erase_everyone(world)

    survivors = []
    for label, found in rows.items():
        entry = personal_data.entry_for(apps.get_model(label))
        for row in entry.model._base_manager.filter(pk__in=found):
            who = found[row.pk]
            for name, rule in entry.fields.items():
                attname = entry.model._meta.get_field(name).attname
                old, new = getattr(before[label][row.pk], attname), getattr(row, attname)
                if isinstance(rule, Keep):
                    continue
                if isinstance(rule, Clear) and not _empty(old) and new == old:
                    survivors.append(f"{label}.{name} #{row.pk} kept {old!r}")
                if any(other.traces(str(new)) for other in EVERYONE):
                    survivors.append(f"{label}.{name} #{row.pk} still spells {who.first}: {new!r}")
    assert survivors == []
