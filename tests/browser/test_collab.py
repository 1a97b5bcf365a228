"""Issue 22, acceptance 1 in a browser: a facilitator plans a meeting, members propose agenda
items, the minutes record a decision and two actions with owners, the next meeting's agenda
carries the open action, and its owner finds it in "my actions"; axe on every page."""

import datetime

import pytest
from django.utils import timezone

from maillage.collab import services
from maillage.collab.models import Action, AgendaItem, JoinPolicy, Meeting
from tests.browser.conftest import sign_in
from tests.factories import (
    NetworkFactory,
    StructureFactory,
    StructureMembershipFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, email):
    sign_in(page, email)  # the login form has its own tests (tests/browser/conftest.py)


def other_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(20_000)
    return context.new_page()


def test_a_meeting_turns_into_owned_actions_carried_to_the_next_one(
    page, browser, live_server, assert_accessible
):
    network = NetworkFactory(name="Réseau Test", slug="reseau-test")
    first = StructureFactory(name="Intermade", networks=[network])
    second = StructureFactory(name="Couveuse Sud", networks=[network])
    facilitator = StructureMembershipFactory(
        structure=first, admin=True, user__full_name="Fanny Animatrice"
    ).user
    member = StructureMembershipFactory(structure=second, user__full_name="Marc Membre").user
    group = services.create_group(
        network=network,
        name="Groupe emploi",
        join_policy=JoinPolicy.OPEN,
        facilitator=facilitator,
        facilitator_structure=first,
    )
    services.request_to_join(group=group, user=member)
    day = timezone.localdate() + datetime.timedelta(days=10)

    # The facilitator plans the meeting.
    log_in(page, facilitator.email)
    page.goto("/vie-du-reseau/")
    assert_accessible(page)
    page.get_by_role("link", name="Groupe emploi").click()
    assert_accessible(page)
    page.get_by_role("link", name="Planifier une réunion").click()
    page.get_by_label("Début").fill(f"{day.isoformat()}T14:00")
    page.get_by_label("Lieu").fill("Maison des associations")
    assert_accessible(page)
    page.get_by_role("button", name="Planifier la réunion").click()
    assert "La réunion est planifiée." in page.get_by_role("status").inner_text()
    meeting = Meeting.objects.get()
    meeting_url = f"/vie-du-reseau/reunions/{meeting.uuid}/"

    # Members propose agenda items.
    member_page = other_page(browser, live_server)
    log_in(member_page, member.email)
    member_page.goto(meeting_url)
    for title in ("Salon de l'emploi", "Fiche de poste partagée"):
        member_page.get_by_label("Point à aborder").fill(title)
        member_page.get_by_role("button", name="Proposer").click()
        assert (
            "Votre point est à l'ordre du jour." in member_page.get_by_role("status").inner_text()
        )
    assert_accessible(member_page)

    # The minutes record a decision and two actions, each with its owner.
    page.goto(meeting_url)
    item = AgendaItem.objects.get(title="Salon de l'emploi")
    section = page.locator(f"#item-{item.pk}")
    section.locator("summary").click()
    section.get_by_role("textbox", name="Décision", exact=True).fill(
        "Le réseau tient un stand commun"
    )
    section.get_by_label("Mode de décision").select_option("consensus")
    section.get_by_role("button", name="Enregistrer la décision").click()
    assert "La décision est enregistrée." in page.get_by_role("status").inner_text()
    for title, owner in (
        ("Réserver le stand", "Marc Membre"),
        ("Imprimer la brochure", "Fanny Animatrice"),
    ):
        section = page.locator(f"#item-{item.pk}")
        section.locator("summary").click()
        section.get_by_role("textbox", name="Action", exact=True).fill(title)
        section.get_by_role("combobox", name="Responsable").select_option(label=owner)
        section.get_by_label("Échéance").fill((day + datetime.timedelta(days=14)).isoformat())
        section.get_by_role("button", name="Enregistrer l'action").click()
        assert "L'action est enregistrée." in page.get_by_role("status").inner_text()
    minutes = page.locator(f"#item-{item.pk}").inner_text()
    assert "Le réseau tient un stand commun" in minutes
    assert "Réserver le stand — Marc Membre" in minutes
    assert "Imprimer la brochure — Fanny Animatrice" in minutes
    assert_accessible(page)

    # The facilitator's own action is done; the next meeting carries the open one.
    page.goto("/vie-du-reseau/mes-actions/")
    page.get_by_role("button", name="Marquer comme faite : Imprimer la brochure").click()
    page.goto(f"/vie-du-reseau/groupes/{group.uuid}/reunions/nouvelle/")
    page.get_by_label("Début").fill(f"{(day + datetime.timedelta(days=30)).isoformat()}T14:00")
    page.get_by_label("Lieu").fill("Siège du réseau")
    page.get_by_role("button", name="Planifier la réunion").click()
    agenda = page.locator(".agenda").inner_text()
    assert "Suivi : Réserver le stand" in agenda
    assert "Imprimer la brochure" not in agenda
    assert_accessible(page)

    # The owner sees it in "my actions".
    member_page.goto("/vie-du-reseau/")
    member_page.get_by_role("link", name="Mes actions").first.click()
    table = member_page.get_by_role("table").inner_text()
    assert "Réserver le stand" in table and "Groupe emploi" in table
    assert_accessible(member_page)
    assert Action.objects.filter(status="open").count() == 1
    member_page.context.close()


def test_a_coordinator_organises_a_fair_and_keeps_the_budget_without_the_admin(
    page, assert_accessible
):
    """Issue 22, acceptance 4 and the budget edited line by line, in a browser: the coordinator
    adds a fair to the calendar, names who represents the network and for which structures,
    adds a document to bring; then creates the budget, whose sub-line exceeding its line and
    contribution in another currency are refused on the form."""
    from tests.factories import NetworkRoleFactory

    network = NetworkFactory(name="Réseau Test", slug="reseau-test")
    first = StructureFactory(name="Intermade", networks=[network])
    StructureFactory(name="Couveuse Sud", networks=[network])
    coordinator = NetworkRoleFactory(network=network, user__full_name="Claire Coordinatrice").user
    StructureMembershipFactory(structure=first, user__full_name="Marc Membre")
    day = timezone.localdate() + datetime.timedelta(days=20)

    log_in(page, coordinator.email)
    page.goto("/vie-du-reseau/calendrier/")
    page.get_by_role("link", name="Nouvel événement dans Réseau Test").click()
    page.get_by_label("Titre").fill("Salon des entrepreneurs")
    page.get_by_label("Type").select_option("fair")
    page.get_by_label("Début").fill(f"{day.isoformat()}T09:00")
    page.get_by_label("Fin").fill(f"{day.isoformat()}T08:00")
    page.get_by_label("Lieu").fill("Parc Chanot")
    page.get_by_role("button", name="Ajouter l'événement").click()
    assert "Un événement ne peut pas finir avant de commencer." in page.content()
    assert_accessible(page)
    page.get_by_label("Fin").fill(f"{day.isoformat()}T18:00")
    page.get_by_role("button", name="Ajouter l'événement").click()
    assert "L'événement est au calendrier du réseau." in page.get_by_role("status").inner_text()

    page.get_by_role("link", name="Organiser la représentation").click()
    page.get_by_label("Personne").select_option(label="Marc Membre")
    page.get_by_label("Structures représentées").select_option(["Intermade", "Couveuse Sud"])
    page.get_by_label("Créneau").fill("Samedi matin")
    page.get_by_role("button", name="Ajouter à la représentation").click()
    page.get_by_role("textbox", name="Document", exact=True).fill("Kakémono du réseau")
    page.get_by_role("button", name="Ajouter le document").click()
    assert_accessible(page)
    page.get_by_role("link", name="Retour à l'événement").first.click()
    roster = page.get_by_role("table").inner_text()
    assert "Marc Membre" in roster and "Couveuse Sud, Intermade" in roster
    assert "Kakémono du réseau" in page.content()
    assert_accessible(page)

    # The budget, one line at a time.
    page.goto("/vie-du-reseau/")
    page.get_by_role("link", name="Nouveau budget dans Réseau Test").click()
    page.get_by_label("Titre").fill("Budget du réseau")
    page.get_by_role("button", name="Créer le budget").click()
    page.get_by_role("link", name="Ajouter une ligne").click()
    page.get_by_label("Code").fill("1")
    page.get_by_label("Libellé").fill("Événements")
    page.get_by_label("Prévu").fill("1000")
    page.get_by_role("button", name="Enregistrer la ligne").click()
    page.get_by_role("link", name="Ajouter une sous-ligne : 1 Événements").click()
    page.get_by_label("Code").fill("1.1")
    page.get_by_label("Libellé").fill("Salon")
    page.get_by_label("Prévu").fill("1200")
    page.get_by_role("button", name="Enregistrer la ligne").click()
    assert "plus que ses 1" in page.locator(".field--error").inner_text()
    assert_accessible(page)
    page.get_by_label("Prévu").fill("600")
    page.get_by_role("button", name="Enregistrer la ligne").click()
    page.get_by_role("link", name="Ajouter une contribution").click()
    page.get_by_label("Structure").select_option(label="Intermade")
    page.get_by_label("Valeur").fill("500")
    page.get_by_label("Devise").fill("USD")
    page.get_by_role("button", name="Enregistrer la contribution").click()
    assert "Ce budget est tenu en EUR" in page.locator(".field--error").inner_text()
    assert_accessible(page)
    page.get_by_label("Devise").fill("EUR")
    page.get_by_role("button", name="Enregistrer la contribution").click()
    lines = page.get_by_role("table").first.inner_text()
    assert "Salon" in lines and "1000,00" in lines
    assert_accessible(page)
