"""Erasure forgets everywhere (issue 13, point 2).

Four persons reach Maillage through every channel (public form, page, API, spreadsheet import),
their names are written in free texts in every spelling, notifications are queued; after their
erasure no value of any table of the database, no file of the media folder and no e-mail sent
afterwards holds any spelling of their names, e-mail, phone or birth date.
"""

import pytest
from django.core import mail
from django.utils.module_loading import import_string

from maillage.core.personal_data import Identity, Scrubber
from maillage.imports.models import ImportedRow, ImportRun
from maillage.pathways.models import Act, Person, Project
from tests.pathways import erasure_world as world_
from tests.pathways.erasure_world import BOB, EVERYONE, MAEL

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def queued_tasks(settings):
    """E-mails wait in the database as a worker would find them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def world(net, client, media, queued_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        built = world_.build(net, client)
    return built


def run_queued_tasks() -> int:
    """What `db_worker` would do with the tasks still waiting."""
    from django_tasks_db.models import DBTaskResult

    count = 0
    for row in DBTaskResult.objects.filter(status="READY"):
        task = import_string(row.task_path)
        task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        count += 1
    return count


def test_after_erasure_no_table_no_file_and_no_email_holds_any_spelling(
    world, media, django_capture_on_commit_callbacks
):
    before = world_.traces_in(world_.database_values())
    for who in EVERYONE:  # the dump does find each of them before
        assert any(who.email in trace or who.first.lower() in trace.lower() for trace in before)
    assert world_.traces_in(world_.file_texts(media), [MAEL])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        world_.erase_everyone(world)

    assert world_.traces_in(world_.database_values()) == []
    assert world_.traces_in(world_.file_texts(media)) == []
    assert run_queued_tasks() > 0
    sent = [(message.subject, message.body) for message in mail.outbox]
    assert (
        sent and world_.traces_in(("mail", subject + "\n" + body) for subject, body in sent) == []
    )
    # What is about others stays: Bob in the collective act and the shared project.
    workshop = Act.objects.get(act_type__code="collective_workshop")
    assert BOB in workshop.notes and "***" in workshop.notes
    assert "Marchand" in Project.objects.get().title


def test_import_runs_lose_their_texts_and_file_and_the_keys_become_tokens(
    world, media, django_capture_on_commit_callbacks
):
    mael = world.persons[MAEL]
    key = ImportedRow.objects.get(entity="persons", object_id=mael.pk)
    # Before: a keyed hash of the key fields, never the fields in clear (imports.pipeline).
    assert key.key.startswith("h:") and "ortoliani" not in key.key.lower()
    unrelated = ImportedRow.objects.create(
        structure=key.structure, entity="persons", key="k:autre|personne", object_id=0, row_hash="x"
    )

    with django_capture_on_commit_callbacks(execute=True):
        world_.erase_everyone(world)

    key.refresh_from_db()
    assert key.key.startswith("erased:") and key.row_hash == ""
    assert ImportedRow.objects.get(pk=unrelated.pk).key == "k:autre|personne"
    runs = list(ImportRun.objects.order_by("pk"))
    assert [run.file.name for run in runs] == ["", ""]
    assert runs[0].file_name == "suivi-***.csv" and runs[0].status == "imported"
    # The refused run cannot go on without its file.
    assert runs[1].file_name == "relance ***.xlsx" and runs[1].status == "failed"
    assert runs[1].errors  # kept, scrubbed
    # The line found to be her loses its label, typos included ("Ortoliany").
    assert [entry["label"] for entry in runs[1].duplicates] == ["***"]
    assert not list(media.rglob("*.*")) and not [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.parametrize("fmt", ["csv-cp1252", "xlsx", "ods"])
def test_a_pending_import_whose_file_alone_names_the_person_loses_its_file(
    net, media, django_capture_on_commit_callbacks, fmt
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maillage.imports import services as import_services
    from maillage.pathways.gdpr import services as gdpr_services
    from tests.factories import PersonFactory, StructureMembershipFactory
    from tests.imports.files import csv_bytes, ods_bytes, xlsx_bytes

    person = PersonFactory(
        first_name="Eudoxie", last_name="Pélardon", accompanied_by=[net.intermade]
    )
    rows = [world_.IMPORT_HEADER, ["PÉLARDON", "Eudoxie", "", "", ""]]
    data = {
        "csv-cp1252": lambda: csv_bytes(rows, encoding="cp1252"),
        "xlsx": lambda: xlsx_bytes({"Feuille 1": rows}),
        "ods": lambda: ods_bytes({"Feuille 1": rows}),
    }[fmt]()
    run = import_services.upload(
        structure=net.intermade,
        entity="persons",
        user=net.intermade_advisor,
        uploaded_file=SimpleUploadedFile(f"liste.{fmt[:4].strip('-')}", data),
    )
    assert run.file and not run.errors
    admin = StructureMembershipFactory(structure=net.intermade, admin=True).user
    with django_capture_on_commit_callbacks(execute=True):
        gdpr_services.anonymise_person(person=person, user=admin, reason="Demande")
    run.refresh_from_db()
    assert not run.file and run.status == "failed"
    assert [p for p in media.rglob("*") if p.is_file()] == []


def test_an_import_that_never_named_the_person_keeps_its_file(
    net, media, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maillage.imports import services as import_services
    from maillage.pathways.gdpr import services as gdpr_services
    from tests.factories import PersonFactory, StructureMembershipFactory
    from tests.imports.files import csv_bytes

    person = PersonFactory(
        first_name="Eudoxie", last_name="Pélardon", accompanied_by=[net.intermade]
    )
    run = import_services.upload(
        structure=net.intermade,
        entity="persons",
        user=net.intermade_advisor,
        uploaded_file=SimpleUploadedFile(
            "autres.csv", csv_bytes([world_.IMPORT_HEADER, ["Durand", "Camille", "", "", ""]])
        ),
    )
    admin = StructureMembershipFactory(structure=net.intermade, admin=True).user
    with django_capture_on_commit_callbacks(execute=True):
        gdpr_services.anonymise_person(person=person, user=admin, reason="Demande")
    run.refresh_from_db()
    assert run.file and run.status == "uploaded"


@pytest.mark.parametrize(
    "text",
    [
        "ZEPHYRINE QUILLARDET",
        "Quillardet Zéphyrine",
        "zéphyrine",
        "Mme QUILLÁRDET",
        "Zéphyrine Q.",
        "tél. 06.47.19.38.25",
        "0647193825",
        "+33 6 47 19 38 25",
        "+33 (0)6 47 19 38 25",
        "0033 647 193 825",
        "née le 09/04/1987",
        "née le 9/4/1987",
        "1987-04-09",
        "ZEPHYRINE.QUILLARDET@EXEMPLE.TEST",
    ],
)
def test_every_spelling_is_scrubbed(text):
    who = world_.ZEPHYRINE
    scrub = Scrubber(
        Identity(
            first_name=who.first,
            last_name=who.last,
            email=who.email,
            phone=who.phone,
            birth_date=who.birth,
        )
    )
    scrubbed = scrub(f"Avant {text} après")
    assert who.traces(scrubbed) == [] and "***" in scrubbed
    assert scrubbed.startswith("Avant ") and scrubbed.endswith(" après")


def test_a_phone_written_internationally_is_found_written_nationally():
    scrub = Scrubber(Identity(first_name="Ombeline", phone="+33 6 83 27 19 46"))
    assert scrub("appeler le 06-83-27-19-46 ou le 0033683271946") == "appeler le *** ou le ***"


def test_scrubbing_keeps_words_that_only_contain_a_name():
    scrub = Scrubber(Identity(first_name="Rose", last_name="Martin", phone="06 12 34 56 78"))
    text = "Saint-Martinien, roseraie, 061234567890 et Rose MARTIN"
    assert scrub(text) == "Saint-Martinien, roseraie, 061234567890 et ***"


def test_the_import_keys_of_a_record_merged_into_the_person_go_too(
    net, media, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from maillage.imports import services as import_services
    from maillage.pathways.gdpr import merge
    from maillage.pathways.gdpr import services as gdpr_services
    from maillage.pathways.persons import services as person_services
    from tests.factories import StructureMembershipFactory
    from tests.imports.files import csv_bytes

    who, advisor = MAEL, net.intermade_advisor
    row = [who.last, who.first, f"{who.birth:%d/%m/%Y}", "", ""]
    run = import_services.upload(
        structure=net.intermade,
        entity="persons",
        user=advisor,
        uploaded_file=SimpleUploadedFile("p.csv", csv_bytes([world_.IMPORT_HEADER, row])),
    )
    import_services.commit(run=run, user=advisor)
    key = ImportedRow.objects.get(entity="persons")
    keep = person_services.create_person(
        structure=net.intermade, user=advisor, first_name=who.first, last_name=who.last
    )
    with django_capture_on_commit_callbacks(execute=True):
        merge.merge_persons(keep=keep, duplicate=Person.objects.get(pk=key.object_id), user=advisor)
        admin = StructureMembershipFactory(structure=net.intermade, admin=True).user
        gdpr_services.anonymise_person(person=keep, user=admin, reason="Demande")
    key.refresh_from_db()
    assert key.key.startswith("erased:")
