"""Issue 19, acceptance 2: three committee members score two applications alone; the consensus
screen shows the spread; the chair records "not selected" with a referral and the application
shows it. Built with factories (no demo)."""

import pytest
from django.urls import reverse

from maillage.pathways.models import ApplicationStatus
from tests.assessments.factories import shipped
from tests.browser.conftest import sign_in
from tests.factories import (
    ApplicationFactory,
    NetworkFactory,
    OfferFactory,
    OfferSessionFactory,
    PersonFactory,
    StructureFactory,
    StructureMembershipFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, user):
    sign_in(page, user)  # the login form has its own tests (tests/browser/conftest.py)


def score(page, values):
    for key, value in values.items():
        page.locator(f'input[name="item-{key}"][value="{value}"]').check()
    page.get_by_role("button", name="Soumettre mes notes").click()
    page.wait_for_url(lambda url: "/candidatures/" not in url)


def test_a_committee_scores_alone_sees_its_spread_and_refers_the_candidate_not_selected(
    page, live_server, assert_accessible
):
    from maillage.assessments import committees

    network = NetworkFactory()
    structure = StructureFactory(name="Couveuse test", networks=[network])
    partner = StructureFactory(name="Atelier émergence", networks=[network])
    session = OfferSessionFactory(offer=OfferFactory(structure=structure, title="Couveuse"))
    chair = StructureMembershipFactory(structure=structure, admin=True).user
    first, second = (StructureMembershipFactory(structure=structure).user for _ in range(2))
    applications = [
        ApplicationFactory(
            person=PersonFactory(first_name=name, last_name="Test", accompanied_by=[structure]),
            offer=session.offer,
            session=session,
        )
        for name in ("Alix", "Bastien")
    ]
    committee = committees.create_committee(
        offer_session=session,
        version=shipped("incubator-admission"),
        chair=chair,
        members=[first, second],
        user=chair,
    )
    committee_url = reverse("assessments:committee", kwargs={"uuid": committee.uuid})
    market = {chair: 4, first: 2, second: 1}
    for member in (first, second, chair):
        log_in(page, member)
        for application in applications:
            page.goto(committee_url)
            page.get_by_role("link", name=application.person.display_name).click()
            if member is first and application is applications[0]:
                assert_accessible(page)
            score(
                page,
                {
                    "adm-motivation-chosen": 3,
                    "adm-availability-time": 3,
                    "adm-offer-clear": 3,
                    "adm-market-known": market[member],
                    "adm-utility-need": 2,
                },
            )
    page.goto(committee_url)
    page.get_by_role("button", name="Ouvrir la discussion").click()
    page.get_by_role(
        "link", name=f"Voir toutes les notes — {applications[0].person.display_name}"
    ).click()
    table = page.get_by_role("table").inner_text()
    assert "Dispersion" in table and "Médiane" in table
    market_row = page.get_by_role("row", name="Marché et premiers clients").inner_text()
    assert "3,00" in market_row  # spread: 4 - 1
    assert "2,00" in market_row  # median of 4, 2, 1
    assert_accessible(page)
    page.get_by_label("Décision", exact=True).select_option(ApplicationStatus.NOT_SELECTED)
    page.get_by_label("Orienter vers").select_option(label="Atelier émergence")
    page.get_by_label("Motif de l'orientation").fill("Consolider l'étude de marché d'abord.")
    page.get_by_role("button", name="Enregistrer la décision").click()
    assert "Non retenue" in page.locator("main").inner_text()
    page.goto(reverse("pathways:application_detail", kwargs={"uuid": applications[0].uuid}))
    shown = page.locator("main").inner_text()
    assert "Non retenue" in shown and "Atelier émergence" in shown
    applications[0].refresh_from_db()
    assert applications[0].next_step_referral.to_structure == partner
