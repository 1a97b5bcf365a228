"""The pages and the API: answers refused with their reason, committee screens under their
rules, the API listing what the pages list."""

import html

import pytest
from django.urls import reverse

from maillage.assessments import committees, services
from maillage.assessments.models import Context, SubjectKind
from maillage.assessments.scoring import Answer
from maillage.pathways.models import ApplicationStatus
from tests.assessments.factories import project_of, shipped
from tests.factories import (
    ApplicationFactory,
    NetworkFactory,
    OfferFactory,
    OfferSessionFactory,
    PersonFactory,
    StructureFactory,
    StructureMembershipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def diagnostic():
    structure = StructureFactory()
    user = StructureMembershipFactory(structure=structure).user
    assessment = services.create_assessment(
        version=shipped("project-shared-diagnostic"),
        subject_kind=SubjectKind.PROJECT,
        subject=project_of(structure),
        context=Context.DIAGNOSTIC,
        structure=structure,
        user=user,
        title="Diagnostic de départ",
    )
    return assessment, user


def test_the_page_refuses_an_answer_out_of_range_with_the_reason(client, diagnostic):
    assessment, user = diagnostic
    client.force_login(user)
    url = reverse("assessments:detail", kwargs={"uuid": assessment.uuid})
    response = client.post(url, {"item-diag-hours": "120", "item-diag-skills-trade": "3"})
    assert response.status_code == 400
    assert "la valeur doit être comprise entre 0 et 80." in response.content.decode()
    assert not assessment.answers.exists()
    response = client.post(url, {"item-diag-hours": "12", "item-diag-skills-trade": "3"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Score par critère" in page and "<svg" in page


def test_the_api_lists_reads_and_refuses_with_the_reason(client, diagnostic):
    assessment, user = diagnostic
    client.force_login(user)
    listing = client.get("/api/v1/assessments/").json()
    assert [row["uuid"] for row in listing["results"]] == [str(assessment.uuid)]
    url = f"/api/v1/assessments/{assessment.uuid}/answers/"
    refused = client.post(
        url, {"answers": {"diag-skills-trade": 7}}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert refused.json() == {"diag-skills-trade": ["choisissez l'un des niveaux 1, 2, 3, 4."]}
    saved = client.post(
        url,
        {"answers": {"diag-skills-trade": 4, "diag-skills-management": 2}},
        content_type="application/json",
    )
    assert saved.status_code == 200
    assert saved.json()["scores"]["criteria"]["diag-skills"] == "3.00"
    instruments = client.get("/api/v1/instruments/").json()
    assert [row["code"] for row in instruments["results"]] == ["project-shared-diagnostic"]
    # Another structure's advisor: not listed, 404 on the record.
    client.force_login(StructureMembershipFactory(structure=StructureFactory()).user)
    assert client.get("/api/v1/assessments/").json()["results"] == []
    assert client.get(f"/api/v1/assessments/{assessment.uuid}/").status_code == 404
    client.logout()
    assert client.get("/api/v1/assessments/").status_code in (401, 403)


def test_committee_pages(client):
    structure = StructureFactory(networks=[NetworkFactory()])
    partner = StructureFactory(networks=list(structure.networks.all()))
    session = OfferSessionFactory(offer=OfferFactory(structure=structure))
    chair = StructureMembershipFactory(structure=structure, admin=True).user
    member = StructureMembershipFactory(structure=structure).user
    application = ApplicationFactory(
        person=PersonFactory(accompanied_by=[structure]), offer=session.offer, session=session
    )
    committee = committees.create_committee(
        offer_session=session,
        version=shipped("incubator-admission"),
        chair=chair,
        members=[member],
        user=chair,
    )
    consensus = reverse(
        "assessments:committee_consensus",
        kwargs={"uuid": committee.uuid, "application": application.uuid},
    )
    score = reverse(
        "assessments:committee_score",
        kwargs={"uuid": committee.uuid, "application": application.uuid},
    )
    client.force_login(member)
    assert client.get(score).status_code == 200
    assert client.post(score, {"item-adm-offer-clear": "9"}).status_code == 400
    client.post(score, {"item-adm-offer-clear": "2", "item-adm-utility-need": "1"})
    assert client.get(consensus).status_code == 403  # not submitted yet
    client.post(score, {"item-adm-offer-clear": "2", "submit": "1"})
    assert client.get(consensus).status_code == 200
    client.force_login(chair)
    committees.record_scores(
        committee=committee,
        application=application,
        user=chair,
        answers={"adm-offer-clear": Answer(4), "adm-utility-need": Answer(3)},
    )
    client.post(reverse("assessments:committee", kwargs={"uuid": committee.uuid}), {"open": "1"})
    page = client.get(consensus).content.decode()
    assert "Dispersion" in page and "2,00" in page  # spread 4 - 2 on the offer's clarity
    # The spread drawn beside the table: the member's 2 on the 1-to-4 range of the offer's
    # clarity sits a third of the way along the axis (260 to 620), the median with it.
    chart = page[page.index('<svg class="spread"') : page.index("</figure>")]
    name = member.full_name or member.email
    assert f'cx="379.88" cy="92" r="6"><title>{html.escape(name)} : 2,00</title>' in chart
    assert '<line class="spread__median" x1="379.88"' in chart
    assert chart.count('class="spread__axis"') == chart.count('class="spread__row"') >= 1
    response = client.post(
        consensus,
        {
            "status": "not_selected",
            "refer_to_structure": partner.pk,
            "referral_reason": "Émergence",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.NOT_SELECTED
    assert application.next_step_referral.to_structure == partner
    # An outsider of the committee is refused every screen.
    client.force_login(StructureMembershipFactory(structure=structure).user)
    assert client.get(score).status_code == 403


def test_the_cohort_page_shows_the_change_per_criterion_in_the_radar_and_its_table(client):
    from maillage.assessments.models import Answer as AnswerRow
    from maillage.assessments.models import Item
    from tests.assessments.factories import make_assessment

    structure = StructureFactory()
    user = StructureMembershipFactory(structure=structure).user
    session = OfferSessionFactory(offer=OfferFactory(structure=structure))
    version = shipped("incubator-admission")
    item = Item.objects.get(version=version, key="adm-offer-clear")
    for start, end in ((1, 3), (2, 2)):
        before = make_assessment(
            version=version, structure=structure, context=Context.BEFORE, offer_session=session
        )
        after = make_assessment(
            version=version,
            structure=structure,
            project=before.project,
            context=Context.AFTER,
            offer_session=session,
        )
        AnswerRow.objects.create(assessment=before, item=item, value=start)
        AnswerRow.objects.create(assessment=after, item=item, value=end)
    client.force_login(user)
    url = reverse(
        "assessments:cohort", kwargs={"session": session.uuid, "family": "admission-committee"}
    )
    page = client.get(url).content.decode()
    assert "<svg" in page and "Évolution par critère" in page
    assert "Clarté de l&#x27;offre" in page
    assert "2,00 ; 0,00" in page  # every person's change
    assert "0,50" in page  # one of two progressed
    client.force_login(StructureMembershipFactory(structure=StructureFactory()).user)
    assert client.get(url).status_code == 403


def test_a_structure_opens_its_self_assessment_from_the_page(client):
    structure = StructureFactory()
    user = StructureMembershipFactory(structure=structure).user
    version = shipped("ess-self-assessment")
    client.force_login(user)
    url = reverse("assessments:create")
    assert client.get(url).status_code == 200
    refused = client.post(url, {"version": version.pk, "subject": "", "context": "self"})
    assert refused.status_code == 400
    response = client.post(
        url,
        {
            "version": version.pk,
            "subject": f"structure:{structure.pk}",
            "context": "self",
            "title": "Auto-évaluation 2026",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Auto-évaluation 2026" in page and "Gouvernance démocratique" in page


def test_the_list_is_in_the_menu_and_costs_bounded_queries(
    client, diagnostic, django_assert_max_num_queries
):
    from tests.assessments.factories import make_assessment

    assessment, user = diagnostic
    for _ in range(5):
        make_assessment(
            version=assessment.version, structure=assessment.structure, project=assessment.project
        )
    client.force_login(user)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("assessments:home")).content.decode()
    assert page.count("Diagnostic partagé d'un projet".replace("'", "&#x27;")) >= 6
    assert f'href="{reverse("assessments:home")}" aria-current="page"' in page
    client.force_login(StructureMembershipFactory(structure=StructureFactory()).user)
    assert f'href="{reverse("assessments:home")}"' in client.get("/").content.decode()


def test_an_assessment_as_a_spreadsheet(client, diagnostic):
    from io import BytesIO

    from openpyxl import load_workbook

    assessment, user = diagnostic
    services.record_answers(
        assessment=assessment,
        user=user,
        answers={
            "diag-skills-trade": Answer(4),
            "diag-skills-management": Answer(1),
            "diag-collective-group": Answer(None, True),
        },
    )
    client.force_login(user)
    response = client.get(reverse("assessments:export_xlsx", kwargs={"uuid": assessment.uuid}))
    workbook = load_workbook(BytesIO(response.content))
    scores = {row[1]: row[2] for row in workbook["Scores"].iter_rows(values_only=True)}
    assert scores["Compétences"] == 2.5
    answers = {row[1]: row[2] for row in workbook["Réponses"].iter_rows(values_only=True)}
    assert answers["Le projet associe d'autres personnes"] == "Sans objet"
    client.force_login(StructureMembershipFactory(structure=StructureFactory()).user)
    url = reverse("assessments:export_xlsx", kwargs={"uuid": assessment.uuid})
    assert client.get(url).status_code == 404


def test_the_score_table_gives_each_criterions_range_in_the_readers_language(client, diagnostic):
    assessment, user = diagnostic
    client.force_login(user)
    url = reverse("assessments:detail", kwargs={"uuid": assessment.uuid})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert " to " not in page.split("Score par critère")[1]
    assert "de 1,00 à 4,00" in page or "de 0,00 à 4,00" in page
