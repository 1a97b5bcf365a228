"""The directory's back office: who may edit what, bad input, history, query budgets.

Permission choice: any object a user may not change answers 404 (it is fetched through a queryset
limited to what the user may change), an advisor's or a funder's attempt included. Only the
dashboard, which names no object, answers 403 to a logged-in user without any role.
"""

import datetime
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from maillage.accounts.rules import can
from maillage.directory import backoffice_selectors as selectors
from maillage.directory.forms import di_theme_choices
from maillage.directory.models import (
    Network,
    Offer,
    OfferFormat,
    OfferSession,
    Stage,
    Structure,
)
from tests.accounts.test_rules import build_world
from tests.factories import (
    NetworkRoleFactory,
    OfferFactory,
    OfferSessionFactory,
    StageFactory,
    StructureFactory,
    StructureMembershipFactory,
    TerritoryFactory,
)
from tests.utils import page_text

pytestmark = pytest.mark.django_db

ROLES = ["no_role", "advisor", "structure_admin", "coordinator", "funder", "platform_admin"]
# Which structures each role edits (N1 holds S1, the staff's own, and S3; N2 holds S2).
EDITS = {
    "no_role": set(),
    "advisor": set(),
    "structure_admin": {"S1"},
    "coordinator": {"S1", "S3"},
    "funder": set(),
    "platform_admin": {"S1", "S2", "S3"},
}
# Queries of a back-office page, whatever the number of rows: the session, the user, the user's
# roles (3), the layout's navigation, and a few for the page itself.
BUDGET = 12
# Which networks' stages each role edits.
EDITS_STAGES = {"coordinator": {"N1"}, "platform_admin": {"N1", "N2"}}


def url(name, **kwargs):
    return reverse(f"backoffice:{name}", kwargs=kwargs)


def structure_data(structure, **changes):
    """The structure form as the browser sends it, with `changes`."""
    data = {
        "name": structure.name,
        "legal_form": structure.legal_form_id,
        "siret": structure.siret,
        "address": structure.address,
        "postal_code": structure.postal_code,
        "city": structure.city,
        "commune": structure.commune.code if structure.commune else "",
        "website": structure.website,
        "email": structure.email,
        "phone": structure.phone,
        "contact_name": structure.contact_name,
        "opening_hours": structure.opening_hours,
        "summary": structure.summary,
        "positioning": structure.positioning,
        "territories": "",
    }
    return {**data, **changes}


def offer_data(stage, **changes):
    data = {
        "title": "Starter",
        "slug": "",
        "summary": "Une étude de faisabilité en dix demi-journées.",
        "description": "",
        "stages": [stage.pk],
        "format": "",
        "duration": "dix demi-journées sur trois mois",
        "duration_weeks": "12",
        "hours_per_week": "3.5",
        "selection_mode": "committee",
        "capacity": "10",
        "audience_details": "",
        "prerequisites": "",
        "is_free": "on",
        "cost_details": "",
        "funding": "Région",
        "how_to_apply": "",
        "territories": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "external_url": "",
        "is_published": "on",
    }
    data["format"] = OfferFormat.objects.get(code="collective-cycle").pk
    return {**data, **changes}


def session_data(**changes):
    data = {
        "starts_on": "2030-03-02",
        "ends_on": "2030-03-20",
        "application_deadline": "2030-02-15",
        "place": "Maison des associations",
        "commune": "",
        "capacity": "12",
    }
    return {**data, **changes}


def png(size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "teal").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def admin_world():
    """A structure admin of Intermade, in a network with two stages."""
    structure = StructureFactory(name="Intermade", siret="73282932000074")
    stage = StageFactory(name="Faisabilité")
    structure.networks.add(stage.network)
    StageFactory(network=stage.network, name="Émergence")
    admin = StructureMembershipFactory(structure=structure, admin=True).user
    return structure, stage, admin


# --- Who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_selectors_list_exactly_what_the_rules_allow(role):
    users, _targets = build_world()
    user = users[role]
    OfferFactory.create_batch(2, structure=Structure.objects.first())
    assert set(selectors.structures_editable_by(user)) == {
        s for s in Structure.objects.all() if can(user, "change_structure", s)
    }
    assert set(selectors.networks_whose_stages_user_edits(user)) == {
        n for n in Network.objects.all() if can(user, "change_network", n)
    }
    assert set(selectors.offers_editable_by(user)) == {
        o for o in Offer.objects.all() if can(user, "change_structure", o.structure)
    }


def structure_pages(structure):
    offer = OfferFactory(structure=structure)
    session = OfferSessionFactory(offer=offer)
    keys = {"slug": structure.slug}
    offer_keys = {**keys, "offer_slug": offer.slug}
    return [
        url("structure_edit", **keys),
        url("structure_history", **keys),
        url("offer_list", **keys),
        url("offer_create", **keys),
        url("offer_edit", **offer_keys),
        url("offer_delete", **offer_keys),
        url("offer_history", **offer_keys),
        url("session_list", **offer_keys),
        url("session_create", **offer_keys),
        url("session_edit", **offer_keys, pk=session.pk),
        url("session_delete", **offer_keys, pk=session.pk),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_structure_pages_open_to_those_who_edit_the_structure_and_404_to_others(login, role):
    users, targets = build_world()
    client = login(users[role])
    for name in ("S1", "S2", "S3"):
        expected = 200 if name in EDITS[role] else 404
        for page in structure_pages(targets[name]):
            assert client.get(page).status_code == expected, (role, name, page)


@pytest.mark.parametrize("role", ROLES)
def test_stage_pages_open_to_the_network_coordinators_only(login, role):
    users, targets = build_world()
    client = login(users[role])
    for name in ("N1", "N2"):
        network = targets[name]
        stage = StageFactory(network=network)
        expected = 200 if name in EDITS_STAGES.get(role, set()) else 404
        for page in (
            url("stage_list", slug=network.slug),
            url("stage_create", slug=network.slug),
            url("stage_edit", slug=network.slug, stage_slug=stage.slug),
        ):
            assert client.get(page).status_code == expected, (role, name, page)
        response = client.post(
            url("stage_move", slug=network.slug, stage_slug=stage.slug), {"direction": "-1"}
        )
        assert response.status_code == (302 if expected == 200 else 404)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("no_role", 403),
        ("advisor", 200),
        ("structure_admin", 200),
        ("coordinator", 200),
        ("funder", 200),
        ("platform_admin", 200),
    ],
)
def test_dashboard_needs_a_role(login, role, status):
    users, _targets = build_world()
    assert login(users[role]).get(url("dashboard")).status_code == status


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    _users, targets = build_world()
    for page in [url("dashboard"), *structure_pages(targets["S1"])]:
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("role", ["advisor", "funder", "structure_admin"])
def test_a_post_from_someone_who_may_not_edit_changes_nothing(login, role):
    users, targets = build_world()
    structure = targets["S3"] if role == "structure_admin" else targets["S1"]
    response = login(users[role]).post(
        url("structure_edit", slug=structure.slug), structure_data(structure, name="Piraté")
    )
    assert response.status_code == 404
    structure.refresh_from_db()
    assert structure.name != "Piraté"


def test_coordinator_edits_a_structure_of_the_network_but_not_of_another(login):
    users, targets = build_world()
    client = login(users["coordinator"])
    s3, s2 = targets["S3"], targets["S2"]
    response = client.post(url("structure_edit", slug=s3.slug), structure_data(s3, city="Aix"))
    assert response.status_code == 302
    s3.refresh_from_db()
    assert s3.city == "Aix"
    response = client.post(url("structure_edit", slug=s2.slug), structure_data(s2, city="Aix"))
    assert response.status_code == 404


def test_dashboard_lists_what_the_user_edits(login):
    users, targets = build_world()
    offer = OfferFactory(structure=targets["S1"])
    # The next session of S1 (tomorrow: before any other session the world gives S1), not a
    # later one.
    today = timezone.localdate()
    soon = OfferSessionFactory(offer=offer, starts_on=today + datetime.timedelta(days=1))
    later = OfferSessionFactory(offer=offer, starts_on=today + datetime.timedelta(days=400))
    text = page_text(login(users["coordinator"]).get(url("dashboard")))
    assert targets["S1"].name in text and targets["S3"].name in text
    assert targets["S2"].name not in text
    assert soon.starts_on.strftime("%d/%m/%Y") in text
    assert later.starts_on.strftime("%d/%m/%Y") not in text
    assert f"Étapes du parcours — {targets['N1'].name}" in text
    text = page_text(login(users["advisor"]).get(url("dashboard")))
    assert "Vous ne modifiez la fiche d'aucune structure" in text


# --- The structure's sheet ---------------------------------------------------------------------


def test_structure_admin_saves_the_sheet_with_commune_and_territories(login, admin_world):
    structure, _stage, admin = admin_world
    marseille = TerritoryFactory(code="13055", name="Marseille")
    aubagne = TerritoryFactory(code="13005", name="Aubagne")
    departement = TerritoryFactory(departement=True)
    region = TerritoryFactory(region=True)
    epci = TerritoryFactory(kind="epci", code="200054807", name="Métropole")
    response = login(admin).post(
        url("structure_edit", slug=structure.slug),
        structure_data(
            structure,
            siret="732 829 320 00074",
            commune="13055",
            territories="13005, 13, reg:93, 200054807",
            positioning="Une coopérative au service des projets collectifs.",
        ),
        follow=True,
    )
    assert "La fiche est enregistrée." in page_text(response)
    structure.refresh_from_db()
    assert structure.commune == marseille
    assert structure.siret == "73282932000074"
    assert set(structure.territories.all()) == {aubagne, departement, region, epci}
    # The form shows the codes back as they are typed.
    response = login(admin).get(url("structure_edit", slug=structure.slug))
    assert response.context["form"]["commune"].value() == "13055"
    text = page_text(response)
    assert 'value="13055"' in text
    assert "reg:93" in text and "200054807" in text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("siret", "73282932000075", "clé de contrôle"),
        ("siret", "1234", "14 chiffres"),
        ("commune", "99999", "Aucune commune n'a le code INSEE 99999."),
        ("commune", "13", "Aucune commune n'a le code INSEE 13."),
        ("territories", "13055, 99999", "Code de territoire inconnu : 99999"),
        ("postal_code", "1300", "Un code postal a 5 chiffres"),
    ],
)
def test_bad_structure_input_is_said_on_the_field_and_nothing_is_saved(
    login, admin_world, field, value, message
):
    structure, _stage, admin = admin_world
    TerritoryFactory(code="13055", name="Marseille")
    response = login(admin).post(
        url("structure_edit", slug=structure.slug),
        structure_data(structure, name="Nouveau nom", **{field: value}),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert message in page_text(response)
    structure.refresh_from_db()
    assert structure.name == "Intermade"
    assert structure.history.count() == 1


def test_a_siret_taken_by_another_structure_is_said_on_the_field(login, admin_world):
    structure, _stage, admin = admin_world
    StructureFactory(siret="35600000000048")
    response = login(admin).post(
        url("structure_edit", slug=structure.slug),
        structure_data(structure, siret="35600000000048"),
    )
    assert "Une autre structure a déjà ce numéro SIRET." in response.context["form"].errors["siret"]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("logo.png", b"not an image", "image/png"), "image"),
        (SimpleUploadedFile("big.png", png() + b"\0" * (1024 * 1024), "image/png"), "1 Mo"),
    ],
)
def test_a_logo_must_be_a_light_image(login, admin_world, settings, tmp_path, upload, message):
    settings.MEDIA_ROOT = tmp_path
    structure, _stage, admin = admin_world
    response = login(admin).post(
        url("structure_edit", slug=structure.slug), {**structure_data(structure), "logo": upload}
    )
    assert message in " ".join(response.context["form"].errors["logo"])
    structure.refresh_from_db()
    assert not structure.logo


def test_a_logo_is_saved(login, admin_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    structure, _stage, admin = admin_world
    logo = SimpleUploadedFile("logo.png", png(), "image/png")
    response = login(admin).post(
        url("structure_edit", slug=structure.slug), {**structure_data(structure), "logo": logo}
    )
    assert response.status_code == 302
    structure.refresh_from_db()
    assert structure.logo.name.startswith("logos/")


# --- Offers ------------------------------------------------------------------------------------


def test_structure_admin_creates_edits_and_deletes_an_offer(login, admin_world):
    structure, stage, admin = admin_world
    client = login(admin)
    territory = TerritoryFactory(code="13055", name="Marseille")
    response = client.post(
        url("offer_create", slug=structure.slug),
        offer_data(stage, territories="13055"),
        follow=True,
    )
    assert "L'offre Starter est créée." in page_text(response)
    offer = Offer.objects.get(structure=structure)
    assert (offer.slug, offer.capacity, offer.selection_mode) == ("starter", 10, "committee")
    assert list(offer.stages.all()) == [stage]
    assert list(offer.territories.all()) == [territory]
    keys = {"slug": structure.slug, "offer_slug": offer.slug}
    response = client.post(url("offer_edit", **keys), offer_data(stage, title="Starter 2"))
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.title == "Starter 2"
    assert "Supprimer l'offre Starter 2 ?" in page_text(client.get(url("offer_delete", **keys)))
    response = client.post(url("offer_delete", **keys), follow=True)
    assert "L'offre Starter 2 est supprimée." in page_text(response)
    assert not Offer.objects.filter(pk=offer.pk).exists()


def test_a_negative_capacity_is_refused_on_the_field(login, admin_world):
    structure, stage, admin = admin_world
    response = login(admin).post(
        url("offer_create", slug=structure.slug), offer_data(stage, capacity="-3")
    )
    assert response.context["form"].errors == {
        "capacity": ["Le nombre de places ne peut pas être négatif."]
    }
    assert "Le nombre de places ne peut pas être négatif." in page_text(response)
    assert not Offer.objects.exists()


def test_only_the_stages_of_the_structures_networks_are_offered(login, admin_world):
    structure, stage, admin = admin_world
    other_stage = StageFactory(name="Étape d'un autre réseau")
    client = login(admin)
    form = client.get(url("offer_create", slug=structure.slug)).context["form"]
    assert stage in form.fields["stages"].queryset
    assert other_stage not in form.fields["stages"].queryset
    response = client.post(
        url("offer_create", slug=structure.slug), offer_data(stage, stages=[other_stage.pk])
    )
    assert "stages" in response.context["form"].errors
    assert not Offer.objects.exists()


def test_two_offers_of_a_structure_cannot_share_a_slug(login, admin_world):
    structure, stage, admin = admin_world
    OfferFactory(structure=structure, title="Starter", stages=[stage])
    response = login(admin).post(url("offer_create", slug=structure.slug), offer_data(stage))
    assert response.context["form"].errors["slug"] == [
        "Une autre offre de cette structure a déjà cet identifiant d'adresse."
    ]
    assert Offer.objects.count() == 1


# --- Sessions ----------------------------------------------------------------------------------


def test_sessions_are_added_edited_and_deleted(login, admin_world):
    structure, stage, admin = admin_world
    offer = OfferFactory(structure=structure, stages=[stage])
    keys = {"slug": structure.slug, "offer_slug": offer.slug}
    client = login(admin)
    marseille = TerritoryFactory(code="13055", name="Marseille")
    response = client.post(url("session_create", **keys), session_data(commune="13055"))
    assert response.status_code == 302
    session = OfferSession.objects.get(offer=offer)
    assert (session.starts_on, session.commune, session.capacity) == (
        datetime.date(2030, 3, 2),
        marseille,
        12,
    )
    assert "02/03/2030" in page_text(client.get(url("session_list", **keys)))
    response = client.post(
        url("session_edit", **keys, pk=session.pk), session_data(ends_on="2030-03-30")
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.ends_on == datetime.date(2030, 3, 30)
    response = client.post(url("session_delete", **keys, pk=session.pk), follow=True)
    assert "La session est supprimée." in page_text(response)
    assert not OfferSession.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_on": "2030-03-01"}, "ends_on", "Une session ne peut pas se terminer"),
        ({"application_deadline": "2030-04-01"}, "application_deadline", "date limite"),
        ({"capacity": "-1"}, "capacity", "Le nombre de places ne peut pas être négatif."),
        ({"commune": "99999"}, "commune", "Aucune commune n'a le code INSEE 99999."),
    ],
)
def test_bad_session_input_is_said_on_the_field_and_nothing_is_saved(
    login, admin_world, changes, field, message
):
    structure, stage, admin = admin_world
    offer = OfferFactory(structure=structure, stages=[stage])
    keys = {"slug": structure.slug, "offer_slug": offer.slug}
    response = login(admin).post(url("session_create", **keys), session_data(**changes))
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert message in page_text(response)
    assert not OfferSession.objects.exists()


def test_a_session_of_another_offer_is_not_found(login, admin_world):
    structure, stage, admin = admin_world
    offer = OfferFactory(structure=structure, stages=[stage])
    other = OfferSessionFactory()
    response = login(admin).get(
        url("session_edit", slug=structure.slug, offer_slug=offer.slug, pk=other.pk)
    )
    assert response.status_code == 404


# --- Stages ------------------------------------------------------------------------------------


def coordinator_of(network):
    return NetworkRoleFactory(network=network).user


def test_coordinator_creates_edits_and_moves_stages(login):
    first = StageFactory(name="Accueil")
    network = first.network
    client = login(coordinator_of(network))
    response = client.post(
        url("stage_create", slug=network.slug),
        {
            "name": "Test d'activité",
            "slug": "test-activite",
            "summary": "Tester son activité en vrai.",
            "questions": "Puis-je tester sans créer ?\n\n  Combien de temps ?  ",
            "di_thematiques": ["creer-une-entreprise--developper-son-entreprise"],
        },
    )
    assert response.status_code == 302
    stage = Stage.objects.get(slug="test-activite")
    assert stage.position == first.position + 1
    assert stage.question_list == ["Puis-je tester sans créer ?", "Combien de temps ?"]
    assert stage.di_thematiques == ["creer-une-entreprise--developper-son-entreprise"]
    client.post(url("stage_move", slug=network.slug, stage_slug=stage.slug), {"direction": "-1"})
    assert list(network.stages.order_by("position").values_list("slug", flat=True)) == [
        "test-activite",
        first.slug,
    ]
    text = page_text(client.get(url("stage_list", slug=network.slug))).split("<main")[1]
    assert text.index("Test d'activité") < text.index("Accueil")
    response = client.post(
        url("stage_edit", slug=network.slug, stage_slug=stage.slug),
        {"name": "Test", "slug": first.slug, "summary": "", "questions": ""},
    )
    assert response.context["form"].errors["slug"] == [
        "Une autre étape de ce réseau a déjà cet identifiant d'adresse."
    ]


def test_theme_choices_are_the_business_creation_themes_and_the_stored_ones():
    codes = [code for code, _label in di_theme_choices(["un-code-ancien"])]
    assert "creer-une-entreprise--definir-son-projet-de-creation-dentreprise" in codes
    assert "un-code-ancien" in codes
    assert all(c.startswith("creer-une-entreprise--") for c in codes if c != "un-code-ancien")


# --- History -----------------------------------------------------------------------------------


def test_history_says_who_changed_which_fields(login, admin_world):
    structure, stage, admin = admin_world
    admin.full_name = "Alice Admin"
    admin.save()
    client = login(admin)
    client.post(
        url("structure_edit", slug=structure.slug),
        structure_data(structure, city="Aubagne", opening_hours="Du lundi au vendredi"),
    )
    record = structure.history.first()
    assert record.history_user == admin
    text = page_text(client.get(url("structure_history", slug=structure.slug)))
    assert "Alice Admin" in text
    with translation.override("fr"):
        changed = {
            str(Structure._meta.get_field(name).verbose_name) for name in ("city", "opening_hours")
        }
        unchanged = str(Structure._meta.get_field("positioning").verbose_name)
    row = next(line for line in text.split("<tr>") if "Alice Admin" in line)
    assert all(label in row for label in changed)
    assert unchanged not in row
    assert "Modification" in text and "Création" in text

    client.post(url("offer_create", slug=structure.slug), offer_data(stage))
    offer = Offer.objects.get()
    keys = {"slug": structure.slug, "offer_slug": offer.slug}
    client.post(url("offer_edit", **keys), offer_data(stage, capacity="14"))
    client.post(url("session_create", **keys), session_data())
    session = OfferSession.objects.get()
    client.post(url("session_delete", **keys, pk=session.pk))
    assert offer.history.first().history_user == admin
    text = page_text(client.get(url("offer_history", **keys)))
    assert "Session du 02/03/2030 ajoutée" in text
    assert "Session du 02/03/2030 supprimée" in text
    with translation.override("fr"):
        places = str(Offer._meta.get_field("capacity").verbose_name)
    assert places in text


# --- Query budgets -----------------------------------------------------------------------------


def grow_offers(structure, stage, count):
    for _ in range(count):
        offer = OfferFactory(structure=structure, stages=[stage])
        OfferSessionFactory(offer=offer)


@pytest.mark.parametrize("count", [10, 60])
def test_dashboard_and_offer_list_cost_the_same_queries_for_few_or_many_offers(
    login, django_assert_max_num_queries, admin_world, count
):
    structure, stage, admin = admin_world
    grow_offers(structure, stage, count)
    for other in range(5):
        StructureMembershipFactory(user=admin, admin=True, structure__name=f"Autre {other}")
    client = login(admin)
    with django_assert_max_num_queries(BUDGET):
        response = client.get(url("dashboard"))
    assert response.status_code == 200
    with django_assert_max_num_queries(BUDGET):
        response = client.get(url("offer_list", slug=structure.slug))
    assert page_text(response).count("Programme") >= count


@pytest.mark.parametrize("count", [3, 60])
def test_offer_pages_cost_the_same_queries_however_long_the_history(
    login, django_assert_max_num_queries, admin_world, count
):
    structure, stage, admin = admin_world
    offer = OfferFactory(structure=structure, stages=[stage])
    keys = {"slug": structure.slug, "offer_slug": offer.slug}
    client = login(admin)
    for index in range(count):
        client.post(url("offer_edit", **keys), offer_data(stage, title=offer.title, capacity=index))
        client.post(url("session_create", **keys), session_data())
        client.post(
            url("structure_edit", slug=structure.slug), structure_data(structure, city=f"V{index}")
        )
    with django_assert_max_num_queries(BUDGET):
        assert client.get(url("offer_history", **keys)).status_code == 200
    with django_assert_max_num_queries(BUDGET):
        assert client.get(url("structure_history", slug=structure.slug)).status_code == 200
    with django_assert_max_num_queries(BUDGET):
        assert client.get(url("session_list", **keys)).status_code == 200
    with django_assert_max_num_queries(BUDGET + 6):
        assert client.get(url("offer_edit", **keys)).status_code == 200
    with django_assert_max_num_queries(BUDGET + 2):
        assert client.get(url("structure_edit", slug=structure.slug)).status_code == 200


@pytest.mark.parametrize("count", [3, 40])
def test_stage_list_costs_the_same_queries_for_few_or_many_stages(
    login, django_assert_max_num_queries, count
):
    network = StageFactory().network
    StageFactory.create_batch(count, network=network)
    client = login(coordinator_of(network))
    with django_assert_max_num_queries(BUDGET):
        assert client.get(url("stage_list", slug=network.slug)).status_code == 200


def test_anonymous_user_has_nothing_editable():
    anonymous = AnonymousUser()
    StructureFactory()
    assert not selectors.structures_editable_by(anonymous).exists()
    assert not selectors.networks_whose_stages_user_edits(anonymous).exists()
