"""Issue 19, acceptance 3: a facilitator and two participants run a collective appraisal session
(seed 004, sheet II-3): the facilitator opens it, records arguments that move the cursors, flags a
priority; a participant's board follows without reloading (htmx polling); the log is replayed
argument by argument; closing records the result. Built with factories (no demo)."""

import pytest
from playwright.sync_api import expect

from tests.assessments.factories import shipped
from tests.browser.test_assessments import log_in
from tests.factories import NetworkFactory, StructureFactory, StructureMembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

JOBS = "Crée-t-elle ou maintient-elle des emplois qui ne peuvent pas partir ailleurs ?"
PROXIMITY = "Renforce-t-elle les échanges de proximité et les circuits courts ?"


def argue(page, speaker, side, axis, text, amount):
    page.get_by_label("Qui a parlé").select_option(label=speaker)
    page.get_by_label("Pour ou contre").select_option(label=side)
    page.locator("#id_axis").select_option(label=axis)
    page.locator("#id_text").fill(text)
    page.get_by_label("Déplacement convenu par le groupe").select_option(label=amount)
    page.get_by_role("button", name="Enregistrer l'argument").click()
    expect(page.locator(".messages")).to_contain_text("enregistré")


def test_a_facilitator_and_two_participants_appraise_argue_flag_and_replay(
    page, browser, live_server, assert_accessible
):
    structure = StructureFactory(name="Régie de quartier test", networks=[NetworkFactory()])
    shipped("sustainable-development-appraisal")
    facilitator = StructureMembershipFactory(
        structure=structure, user__full_name="Fanny Animatrice"
    ).user
    first = StructureMembershipFactory(structure=structure, user__full_name="Paul Premier").user
    StructureMembershipFactory(structure=structure, user__full_name="Sarah Seconde")

    log_in(page, facilitator)
    page.goto("/evaluations/")
    page.get_by_role("link", name="Ouvrir une séance d'appréciation collective").click()
    page.get_by_label("Grille").select_option(
        label="Appréciation au regard du développement durable (v1)"
    )
    page.get_by_label("Objet").select_option(label="Régie de quartier test (Structure)")
    page.get_by_label("Titre").fill("Appréciation DD 2026")
    page.get_by_label("Paul Premier").check()
    page.get_by_label("Sarah Seconde").check()
    page.get_by_role("button", name="Ouvrir la séance").click()
    page.wait_for_url(lambda url: "/seances/" in url and "/nouvelle/" not in url)
    board_url = page.url

    # A participant follows the board in the room, on her own screen.
    participant_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    participant_context.set_default_timeout(20_000)
    room = participant_context.new_page()
    log_in(room, first)
    room.goto(board_url)
    jobs_row = room.locator("#axis-pe-jobs")
    expect(jobs_row).to_contain_text("pas encore débattu")
    assert room.get_by_role("button", name="Enregistrer l'argument").count() == 0

    argue(page, "Paul Premier", "Pour", JOBS, "Trois emplois d'encadrement sur place.", "1")
    argue(page, "Sarah Seconde", "Contre", JOBS, "Des contrats courts surtout.", "0,25")
    argue(page, "Fanny Animatrice", "Contre", PROXIMITY, "Les achats viennent de loin.", "0,5")
    page.locator("#id_priority-axis").select_option(label=PROXIMITY)
    page.get_by_role("button", name="Marquer comme prioritaire").click()
    expect(page.locator("#axis-pe-proximity")).to_contain_text("● prioritaire")
    assert_accessible(page)

    # Without reloading, the participant's board follows (htmx polls it).
    expect(jobs_row).to_contain_text("+0,75", timeout=15_000)
    expect(room.locator("#axis-pe-proximity")).to_contain_text("-0,50")
    expect(room.locator("#axis-pe-proximity")).to_contain_text("● prioritaire")
    assert "Des contrats courts surtout." in room.locator("#appraisal-board").inner_text()

    # The log is replayed argument by argument.
    room.get_by_role("link", name="Rejouer la séance argument par argument").click()
    expect(room.get_by_role("heading", level=2).first).to_contain_text("avant le premier argument")
    expect(room.locator("#axis-pe-jobs")).to_contain_text("0,00")
    room.get_by_role("link", name="Argument suivant").click()
    expect(room.locator("#axis-pe-jobs")).to_contain_text("+1,00")
    room.get_by_role("link", name="Argument suivant").click()
    expect(room.locator("#axis-pe-jobs")).to_contain_text("+0,75")
    expect(room.locator(".replay-current")).to_contain_text("Des contrats courts surtout.")
    assert_accessible(room)
    room.get_by_label("Après l'argument (0 à 3)").fill("1")
    room.get_by_role("button", name="Afficher").click()
    expect(room.locator("#axis-pe-jobs")).to_contain_text("+1,00")
    participant_context.close()

    # Closing records the final positions as the session's result.
    page.get_by_role("button", name="Clore la séance").click()
    page.get_by_role("link", name="Le résultat de la séance").click()
    expect(page.locator("main")).to_contain_text("Appréciation collective")
    expect(page.get_by_role("row", name="Emploi et économie de proximité")).to_contain_text("0,13")
