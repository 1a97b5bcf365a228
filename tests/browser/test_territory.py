"""Issue 20, acceptance 2: two people fill an actor system together; the graph and the matrix
agree; next year's snapshot shows what changed."""

import re

import pytest

from tests.browser.conftest import sign_in
from tests.factories import StructureFactory, StructureMembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

ACTORS = [
    ("Région Sud", "institution", "regional"),
    ("Département 13", "institution", "departmental"),
    ("Mairie de Marseille", "elected_body", "local"),
    ("Banque coopérative", "organisation", "national"),
    ("Fonds social européen", "institution", "european"),
]


def log_in(browser, live_server, email):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.problems = problems
    sign_in(page, email)  # the login form has its own tests (tests/browser/conftest.py)
    return page


def fill_grid_one(page, snapshot_url, actor, scores):
    page.goto(snapshot_url)
    page.get_by_role("link", name=f"Remplir la grille I — {actor}").click()
    page.get_by_label("Références et valeurs").fill(f"Ce qui compte pour {actor}")
    for label, score in zip(
        ["Ressources techniques", "Ressources financières", "Règles"], scores, strict=True
    ):
        page.get_by_label(label).select_option(str(score))
    page.get_by_role("button", name="Enregistrer la grille I").click()
    assert "Grille I enregistrée" in page.get_by_role("status").inner_text()


def qualify(page, a, b, nature, object):
    page.get_by_role("link", name=f"modifier la relation entre {a} et {b}").click()
    page.get_by_label("Nature dominante").select_option(nature)
    page.get_by_label("Objet de la relation").select_option(object)
    page.get_by_role("button", name="Enregistrer la relation").click()
    assert "est enregistrée" in page.get_by_role("status").inner_text()


def graph_and_matrix(page):
    edges = page.locator("svg.territory-graph line[data-pair]").evaluate_all(
        "lines => lines.map(l => l.dataset.pair + ' ' + l.dataset.nature + ' ' + l.dataset.object)"
    )
    cells = page.locator("table.territory-matrix td[data-pair]").evaluate_all(
        "cells => cells.map(c => c.dataset.pair + ' ' + c.dataset.nature + ' ' + c.dataset.object)"
    )
    return sorted(edges), sorted(set(cells)), len(cells)


def test_two_people_fill_the_actor_system_and_next_year_shows_what_changed(
    browser, live_server, assert_accessible
):
    structure = StructureFactory(name="Intermade")
    first = StructureMembershipFactory(structure=structure, admin=True).user
    second = StructureMembershipFactory(structure=structure).user

    page = log_in(browser, live_server, first.email)
    page.goto("/territoire/")
    assert_accessible(page)
    page.get_by_role("button", name="Ouvrir le système d'acteurs — Intermade").click()
    page.get_by_role("spinbutton", name="Année").fill("2025")
    page.get_by_role("button", name="Commencer l'instantané").click()
    snapshot_url = page.url
    for name, kind, level in ACTORS:
        page.get_by_label("Nom de l'acteur").fill(name)
        page.get_by_role("combobox", name="Type").select_option(kind)
        page.get_by_label("Échelon").select_option(level)
        page.get_by_role("button", name="Ajouter l'acteur").click()
        assert f"{name} a été ajouté" in page.get_by_role("status").inner_text()
    assert page.locator("svg.territory-graph g[data-actor]").count() == 6

    colleague = log_in(browser, live_server, second.email)
    # Grid I for the six actors, three each.
    for actor, scores in (
        ("Intermade", (2, 1, 0)),
        ("Région Sud", (3, 3, 3)),
        ("Département 13", (3, 3, 3)),
    ):
        fill_grid_one(page, snapshot_url, actor, scores)
    for actor, scores in (
        ("Mairie de Marseille", (1, 2, 3)),
        ("Banque coopérative", (1, 3, 0)),
        ("Fonds social européen", (3, 3, 3)),
    ):
        fill_grid_one(colleague, snapshot_url, actor, scores)
    # Grid II: each fills some pairs.
    page.goto(snapshot_url)
    qualify(page, "Intermade", "Région Sud", "negotiation", "means")
    qualify(page, "Intermade", "Banque coopérative", "alliance", "values")
    qualify(page, "Région Sud", "Département 13", "interdependence", "global")
    colleague.goto(snapshot_url)
    qualify(colleague, "Intermade", "Mairie de Marseille", "opposition", "practices")
    qualify(colleague, "Mairie de Marseille", "Région Sud", "alliance", "means")
    qualify(colleague, "Intermade", "Fonds social européen", "neutrality", "means")

    page.goto(snapshot_url)
    edges, cells, cell_count = graph_and_matrix(page)
    assert len(edges) == 6 and cell_count == 12
    assert edges == cells
    history = page.get_by_role("region", name="Qui a proposé quoi").inner_text()
    assert first.full_name in history and second.full_name in history
    assert_accessible(page)

    page.get_by_role("link", name="Positionnement").click()
    allies = page.get_by_role("region", name="Alliés").inner_text()
    assert "Banque coopérative" in allies
    to_win = page.get_by_role("region", name="Acteurs à gagner").inner_text()
    assert "Fonds social européen" in to_win and "Département 13" in to_win
    assert_accessible(page)

    page.goto(snapshot_url)
    page.get_by_role("button", name="Valider au nom du groupe").click()
    assert "validé par le groupe" in page.get_by_role("status").inner_text()
    assert page.get_by_role("button", name="Ajouter l'acteur").count() == 0

    # Next year starts from this one; the colleague changes a relation and removes an actor.
    page.get_by_role("link", name="Système d'acteurs — Intermade").click()
    page.get_by_role("spinbutton", name="Année").fill("2026")
    page.get_by_role("button", name="Commencer l'instantané").click()
    next_url = page.url
    assert graph_and_matrix(page)[0] == edges
    colleague.goto(next_url)
    qualify(colleague, "Intermade", "Région Sud", "alliance", "means")
    colleague.get_by_role("button", name="Retirer — Banque coopérative").click()

    colleague.get_by_role("link", name="Système d'acteurs — Intermade").click()
    colleague.get_by_role("link", name="Comparer deux instantanés").click()
    changes = colleague.locator("#changes").inner_text()
    assert re.search(r"Acteur retiré\s+Banque coopérative", changes)
    assert re.search(
        r"Relation modifiée\s+Intermade — Région Sud\s+Négociation · Moyens\s+Alliance · Moyens",
        changes,
    )
    assert re.search(r"Relation disparue\s+Intermade — Banque coopérative", changes)
    assert_accessible(colleague)
    assert page.problems == colleague.problems == []
    colleague.context.close()
    page.context.close()
