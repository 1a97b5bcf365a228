"""GDPR: right of access (JSON, PDF), erasure by anonymisation (acceptance 5), retention."""

import datetime
import html
import io
import json

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection, models
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.rules import forget_roles
from maillage.directory.models import ContactRequest
from maillage.pathways.acts import services as act_services
from maillage.pathways.applications import services as application_services
from maillage.pathways.gdpr import services as gdpr_services
from maillage.pathways.gdpr.services import ANONYMISED_FIRST_NAME, ANONYMISED_LAST_NAME
from maillage.pathways.models import (
    Act,
    ActParticipant,
    Application,
    ApplicationStatus,
    ConsentMethod,
    ConsentScope,
    DeclineReason,
    Outcome,
    OutcomeType,
    Person,
    PersonAccess,
    PersonNote,
    Referral,
)
from maillage.pathways.persons import services as person_services
from maillage.pathways.plans import services as plan_services
from maillage.pathways.referrals import services as referral_services
from tests.factories import (
    ContactRequestFactory,
    NetworkRoleFactory,
    PersonFactory,
    StructureMembershipFactory,
    act_type,
)

pytestmark = pytest.mark.django_db

FIRST, LAST = "Zephyrine", "Quillardet"
EMAIL = "zephyrine.quillardet@exemple.test"
PHONE = "06 12 34 56 78"
BIRTH = datetime.date(1987, 4, 9)


def today():
    return timezone.localdate()


def build_history(net):
    """A person who wrote from the public site, then was accompanied, referred, trained…"""
    admin = StructureMembershipFactory(structure=net.intermade, admin=True).user
    user = net.intermade_advisor
    contact = ContactRequestFactory(
        structure=net.intermade,
        first_name=FIRST,
        last_name=LAST,
        email=EMAIL,
        phone=PHONE,
        postal_code="13001",
        message=f"Bonjour, je suis {FIRST} {LAST}, rappelez-moi au {PHONE}.",
        answers={"progress": "idea", "place": "Quillardet-sur-Mer"},
    )
    referral_in = referral_services.refer_from_contact_request(contact_request=contact)
    person = referral_in.person
    referral_services.record_first_meeting(referral=referral_in, user=user, met_on=today())
    person.refresh_from_db()
    person = person_services.update_person(
        person=person, user=user, expected_version=person.version, birth_date=BIRTH, gender="female"
    )
    for scope in (ConsentScope.NETWORK_SHARING, ConsentScope.STATISTICS):
        person_services.give_consent(
            person=person,
            user=user,
            structure=net.intermade,
            scope=scope,
            method=ConsentMethod.WRITTEN,
            proof=f"Formulaire signé par {FIRST} {LAST}",
        )
    project = person_services.create_project(
        structure=net.intermade,
        user=user,
        persons=[person],
        title=f"Épicerie de {FIRST}",
        description=f"{FIRST} veut ouvrir une épicerie, joignable au {PHONE}.",
    )
    other = person_services.create_person(
        structure=net.intermade, user=user, first_name="Bob", last_name="Marchand"
    )
    act_services.record_act(
        structure=net.intermade,
        user=user,
        act_type=act_type(),
        occurred_on=today(),
        duration_minutes=60,
        persons=[person],
        title=f"Entretien {FIRST}",
        notes=f"{FIRST} {LAST} a un projet solide.",
    )
    act_services.record_act(
        structure=net.intermade,
        user=user,
        act_type=act_type("collective_workshop"),
        occurred_on=today(),
        duration_minutes=180,
        persons=[person, other],
        title="Atelier modèle économique",
        notes=f"{FIRST} et Bob ont présenté leurs projets.",
    )
    application = application_services.submit_application(
        person=person, offer=net.starter, user=user, session=net.starter_session, project=project
    )
    application_services.change_application_status(
        application=application,
        user=user,
        to_status=ApplicationStatus.UNDER_REVIEW,
        note=f"Dossier de {FIRST} {LAST} complet.",
    )
    referral = referral_services.refer_person(
        person=person,
        from_structure=net.intermade,
        user=user,
        to_structure=net.apeas,
        to_offer=net.piles,
        reason=f"{FIRST} cherche un collectif.",
        shared_info=f"Écrire à {EMAIL}",
    )
    referral_services.decline_referral(
        referral=referral,
        user=net.apeas_advisor,
        reason=DeclineReason.objects.get(code="other"),
        note=f"{LAST} préfère attendre.",
    )
    act_services.record_outcome(
        person=person,
        structure=net.intermade,
        user=user,
        outcome_type=OutcomeType.objects.get(code="activity_created"),
        occurred_on=today(),
        details=f"Épicerie ouverte par {FIRST} {LAST}.",
        project=project,
    )
    person_services.add_note(
        person=person,
        structure=net.intermade,
        user=user,
        body=f"{FIRST} {LAST}, née le {BIRTH:%d/%m/%Y}, {EMAIL}.",
        is_shared=True,
    )
    plan_services.save_plan(
        person=person,
        user=user,
        structure=net.intermade,
        steps=[
            {"action": f"Rappeler {FIRST}", "responsible_structure": net.intermade},
            {"offer": net.starter, "responsible_structure": net.intermade},
        ],
        expected_version=None,
    )
    person.refresh_from_db()
    forget_roles(admin)
    return person, admin


def counts():
    def grouped(queryset, *fields):
        rows = queryset.values(*fields).annotate(n=Count("pk"))
        return sorted(tuple(map(str, row.values())) for row in rows)

    return {
        "persons": Person.objects.count(),
        "acts": Act.objects.count(),
        "participants": ActParticipant.objects.count(),
        "attended": ActParticipant.objects.filter(attended=True).count(),
        "applications": grouped(Application.objects.all(), "status"),
        "referrals": grouped(Referral.objects.all(), "status"),
        "outcomes": grouped(Outcome.objects.all(), "outcome_type__code"),
        "persons_by_year_gender": grouped(Person.objects.all(), "birth_year", "gender"),
        "notes": PersonNote.objects.count(),
        "contact_requests": ContactRequest.objects.count(),
        "priority": Person.objects.filter(priority_neighbourhood=True).count(),
    }


TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def where_found(needles: list[str]) -> list[str]:
    """Every (table, column) of the pathways and directory apps holding one of `needles`."""
    found = []
    with connection.cursor() as cursor:
        for label in ("pathways", "directory"):
            for model in apps.get_app_config(label).get_models(include_auto_created=True):
                table = connection.ops.quote_name(model._meta.db_table)
                for field in model._meta.concrete_fields:
                    if not isinstance(field, TEXT_FIELDS):
                        continue
                    column = connection.ops.quote_name(field.column)
                    for needle in needles:
                        cursor.execute(
                            f"SELECT COUNT(*) FROM {table} "  # noqa: S608 (names from the ORM)
                            f"WHERE LOWER(CAST({column} AS TEXT)) LIKE %s",
                            [f"%{needle.lower()}%"],
                        )
                        if cursor.fetchone()[0]:
                            found.append(f"{model._meta.db_table}.{field.column}: {needle}")
                if any(isinstance(f, models.DateField) for f in model._meta.concrete_fields):
                    for field in model._meta.concrete_fields:
                        if (
                            type(field) is models.DateField
                            and model._base_manager.filter(**{field.name: BIRTH}).exists()
                        ):
                            found.append(f"{model._meta.db_table}.{field.column}: birth date")
    return found


NEEDLES = [
    FIRST,
    LAST,
    EMAIL,
    PHONE,
    PHONE.replace(" ", ""),
    BIRTH.isoformat(),
    f"{BIRTH:%d/%m/%Y}",
]


def test_after_erasure_the_identity_is_nowhere_and_every_count_is_unchanged(
    net, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        person, admin = build_history(net)
    assert where_found(NEEDLES)  # the scan does find them before
    before = counts()

    with django_capture_on_commit_callbacks(execute=True):
        gdpr_services.anonymise_person(person=person, user=admin, reason="Demande de la personne")

    assert where_found(NEEDLES) == []
    assert counts() == before
    person.refresh_from_db()
    assert (person.first_name, person.last_name) == (ANONYMISED_FIRST_NAME, ANONYMISED_LAST_NAME)
    assert person.is_anonymised and person.birth_year == 1987 and person.gender == "female"
    assert person.public_id and person.shares_with_network
    # The collective act keeps its notes about the other participant.
    assert ContactRequest.objects.get().answers == {"progress": "idea"}
    workshop = Act.objects.get(act_type__code="collective_workshop")
    assert "Bob" in workshop.notes and FIRST not in workshop.notes


def test_erasure_keeps_the_departement_of_the_commune(net):
    from tests.factories import TerritoryFactory

    departement = TerritoryFactory(kind="departement", code="13", name="Bouches-du-Rhône")
    commune = TerritoryFactory(kind="commune", code="13201", name="Marseille 1er")
    commune.departement_code = "13"
    commune.save()
    person = PersonFactory(commune=commune, accompanied_by=[net.intermade])
    admin = StructureMembershipFactory(structure=net.intermade, admin=True).user
    gdpr_services.anonymise_person(person=person, user=admin, reason="Demande")
    person.refresh_from_db()
    assert person.commune == departement


def test_only_an_administrator_of_an_accompanying_structure_may_erase(net):
    person = PersonFactory(accompanied_by=[net.intermade])
    with pytest.raises(PermissionDenied):
        gdpr_services.anonymise_person(person=person, user=net.intermade_advisor, reason="Demande")
    apeas_admin = StructureMembershipFactory(structure=net.apeas, admin=True).user
    with pytest.raises(PermissionDenied):
        gdpr_services.anonymise_person(person=person, user=apeas_admin, reason="Demande")
    assert not Person.objects.get(pk=person.pk).is_anonymised


ASKED = {"requested_by": "person_by_email"}


def test_export_holds_everything_and_is_logged(net, login):
    person, _admin = build_history(net)
    response = login(net.intermade_advisor).post(
        reverse("pathways:person_export_json", args=[person.uuid]), ASKED
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["person"]["last_name"] == LAST and data["person"]["birth_date"] == "1987-04-09"
    # The two recorded by Intermade, and the one ticked on the public contact form (its text).
    assert len(data["consents"]) == 3
    assert [c["text"] for c in data["consents"] if c["text"]] == [
        person.consents.get(scope="contact").text
    ]
    assert len(data["applications"]) == 1
    assert [t["to"] for t in data["applications"][0]["transitions"]] == [
        "Déposée",
        "En cours d'examen",
    ]
    assert len(data["referrals"]) == 2
    assert {r["status"] for r in data["referrals"]} >= {"Refusée"}
    assert len(data["acts"]) == 2 and len(data["outcomes"]) == 1
    assert len(data["plan"]["steps"]) == 2 and len(data["plan"]["revisions"]) == 1
    assert data["notes"][0]["body"].startswith(FIRST)
    assert data["projects"][0]["title"] == f"Épicerie de {FIRST}"
    assert PersonAccess.objects.filter(
        person=person, user=net.intermade_advisor, channel="export", granted=True
    ).exists()
    assert data["access_log"] == [] or all("channel" in row for row in data["access_log"])


def test_the_export_hides_notes_the_structure_may_not_read(net, login):
    person = PersonFactory(accompanied_by=[net.intermade, net.apeas])
    PersonNote.objects.create(person=person, structure=net.apeas, body="Note privée APEAS")
    PersonNote.objects.create(person=person, structure=net.intermade, body="Note Intermade")
    response = login(net.intermade_advisor).post(
        reverse("pathways:person_export_json", args=[person.uuid]), ASKED
    )
    assert [note["body"] for note in json.loads(response.content)["notes"]] == ["Note Intermade"]


def test_export_pdf_is_a_readable_document(net, login):
    from pypdf import PdfReader

    person, _admin = build_history(net)
    response = login(net.intermade_advisor).post(
        reverse("pathways:person_export_pdf", args=[person.uuid]), ASKED
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert LAST in text and "Orientations" in text and "Actes professionnels" in text
    assert PersonAccess.objects.filter(person=person, channel="export", granted=True).exists()


@pytest.mark.parametrize("url_name", ["person_export_json", "person_export_pdf", "person_erase"])
def test_other_structures_and_funders_are_refused_and_logged(net, login, url_name):
    person = PersonFactory(accompanied_by=[net.intermade])
    funder = NetworkRoleFactory(network=net.network, funder=True).user
    for user in (net.apeas_advisor, funder):
        response = login(user).get(reverse(f"pathways:{url_name}", args=[person.uuid]))
        assert response.status_code == 404
    assert PersonAccess.objects.filter(person=person, granted=False).count() == 2


def test_an_advisor_may_export_but_not_erase(net, login):
    person = PersonFactory(accompanied_by=[net.intermade])
    client = login(net.intermade_advisor)
    assert client.get(reverse("pathways:person_erase", args=[person.uuid])).status_code == 403


def test_the_erase_page_asks_for_the_typed_name(net, login):
    person = PersonFactory(first_name="Camille", last_name="Durand", accompanied_by=[net.intermade])
    admin = StructureMembershipFactory(structure=net.intermade, admin=True).user
    client = login(admin)
    url = reverse("pathways:person_erase", args=[person.uuid])
    page = client.get(url)
    assert "Effacer les données de Camille Durand" in page.content.decode()

    wrong = client.post(url, {"reason": "Demande écrite", "confirmation": "Camille Dupont"})
    assert wrong.status_code == 200
    assert "rien n'a été effacé" in html.unescape(wrong.content.decode())
    assert not Person.objects.get(pk=person.pk).is_anonymised

    done = client.post(url, {"reason": "Demande écrite", "confirmation": "camille durand"})
    assert done.status_code == 302
    assert Person.objects.get(pk=person.pk).is_anonymised


def test_retention_lists_then_anonymises_the_inactive(net):
    old = PersonFactory(accompanied_by=[net.intermade], last_activity_on=datetime.date(2019, 1, 5))
    recent = PersonFactory(accompanied_by=[net.intermade], last_activity_on=today())
    never = PersonFactory(accompanied_by=[net.apeas])
    Person.objects.filter(pk=never.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=4 * 366)
    )
    already = PersonFactory(
        last_activity_on=datetime.date(2018, 1, 1), anonymised_at=timezone.now()
    )

    out = io.StringIO()
    call_command("anonymise_inactive", "--dry-run", stdout=out)
    listed = out.getvalue()
    assert str(old.public_id) in listed and "2019-01-05" in listed and "Intermade" in listed
    assert str(never.public_id) in listed and "APEAS" in listed
    assert str(recent.public_id) not in listed and str(already.public_id) not in listed
    assert not Person.objects.filter(anonymised_at__isnull=False).exclude(pk=already.pk).exists()

    out = io.StringIO()
    call_command("anonymise_inactive", stdout=out)
    assert "2 " in out.getvalue()
    assert set(Person.objects.filter(anonymised_at__isnull=False).values_list("pk", flat=True)) == {
        old.pk,
        never.pk,
        already.pk,
    }

    out = io.StringIO()
    call_command("anonymise_inactive", "--months", "1", "--dry-run", stdout=out)
    assert str(recent.public_id) not in out.getvalue()
