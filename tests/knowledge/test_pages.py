"""The pages, the API and the search: one visibility, bounded queries, the workflow by the web."""

import pytest
from django.urls import reverse

from maillage.knowledge import services
from maillage.knowledge.models import Sheet, SheetVersion, VersionStatus
from tests.knowledge.factories import circle, sheet, validated_sheet

pytestmark = pytest.mark.django_db


def url(s, name="sheet"):
    return reverse(f"knowledge:{name}", kwargs={"network": s.network.slug, "code": s.code})


def test_public_page_shows_the_validated_version_while_a_new_draft_exists(client, login):
    c = circle()
    s = validated_sheet(c, body="Texte **validé**.")
    services.save_version(user=c.author, sheet=s, based_on=1, title="T2", body="Brouillon caché.")
    page = client.get(url(s)).content.decode()
    assert "<strong>validé</strong>" in page
    assert "Brouillon caché" not in page
    assert str(c.reviewer) in page and c.other.name in page  # who validated, for whom
    page = login(c.author).get(url(s)).content.decode()
    assert "version 2" in page  # the member is told a new version is being written


def test_a_draft_is_404_for_the_public_and_readable_by_members(client, login):
    c = circle()
    s = sheet(c, body="Brouillon.")
    assert client.get(url(s)).status_code == 404
    assert client.get(reverse("api:sheet-list")).json()["count"] == 0
    member = login(c.reviewer)
    assert "Brouillon." in member.get(url(s)).content.decode()
    assert member.get(reverse("api:sheet-list")).json()["count"] == 1


def test_stale_edit_by_the_web_is_refused_with_the_diff(login):
    c = circle()
    s = sheet(c, body="Un.\n")
    services.save_version(user=c.colleague, sheet=s, based_on=1, title=s.title, body="Deux.\n")
    response = login(c.author).post(
        url(s, "edit"), {"based_on": 1, "title": s.title, "body": "Trois.\n"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "+Trois." in page and "-Deux." in page
    assert SheetVersion.objects.filter(sheet=s).count() == 2


def test_review_by_the_web_comments_a_passage_and_validates(login):
    c = circle(quorum=1)
    s = sheet(c, body="Accueillir en huit jours.")
    login(c.author).post(url(s, "propose"))
    reviewer = login(c.reviewer)
    reviewer.post(url(s, "review"), {"comment-quote": "huit jours", "comment-body": "Trop long ?"})
    reviewer.post(url(s, "review"), {"review-decision": "validate", "review-comment": ""})
    version = s.versions.get()
    assert version.status == VersionStatus.VALIDATED
    assert version.comments.get().quote == "huit jours"


@pytest.mark.parametrize("count", [10, 200])
def test_lists_and_search_run_a_bounded_number_of_queries(
    client, login, django_assert_max_num_queries, count
):
    c = circle()
    first = validated_sheet(c, "I-A-0", title="Accueil des porteurs")
    version = first.published
    sheets = Sheet.objects.bulk_create(
        [
            Sheet(
                network=c.network,
                family=c.family,
                code=f"I-B-{i}",
                title=f"Fiche réunion {i}",
                structure=c.author_structure,
                search_title=f"i b {i} fiche reunion {i}",
                published=version,
            )
            for i in range(count)
        ]
    )
    assert len(sheets) == count
    member = login(c.coordinator)
    for path in (
        reverse("knowledge:index"),
        reverse("knowledge:index") + "?q=réunion",
        reverse("knowledge:index") + "?family=methodes",
        reverse("api:sheet-list"),
        reverse("knowledge:open_data"),
        reverse(
            "knowledge:binder_page", kwargs={"network": c.network.slug, "family": c.family.slug}
        ),
        reverse("knowledge:referential", kwargs={"network": c.network.slug}),
    ):
        with django_assert_max_num_queries(16):
            assert member.get(path).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("knowledge:index") + "?q=reunion").status_code == 200


def test_search_finds_a_sheet_with_or_without_accents_and_by_its_code(client):
    c = circle()
    validated_sheet(c, "I-C-2-a", title="Le diagnostic partagé", body="Réunir les équipes.")
    validated_sheet(c, "I-C-3", title="Autre chose", body="Le diagnostic en passant.")
    for query in ("partagé", "partage", "PARTAGE", "I-C-2-a", "équipes", "equipe"):
        page = client.get(reverse("knowledge:index"), {"q": query}).content.decode()
        assert "I-C-2-a" in page, query
    # Titles and codes first: the sheet titled "diagnostic" before the one that only says it.
    page = client.get(reverse("knowledge:index"), {"q": "diagnostic"}).content.decode()
    assert page.index("I-C-2-a · ") < page.index("I-C-3 · ")


def test_filters_by_family_tag_stage_and_structure(client):
    from tests.factories import StageFactory

    c = circle()
    stage = StageFactory(network=c.network)
    tagged = validated_sheet(c, "I-A-1", tags=["accueil"], stages=[stage], structures=[c.other])
    validated_sheet(c, "I-A-2")
    for query in (
        {"tag": "accueil"},
        {"stage": stage.slug},
        {"structure": c.other.slug},
    ):
        page = client.get(reverse("knowledge:index"), query).content.decode()
        assert tagged.code in page and "I-A-2" not in page, query
    page = client.get(reverse("knowledge:index"), {"family": "autre"}).content.decode()
    assert "I-A-1" not in page


def test_sheet_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    c = circle()
    target = validated_sheet(c, "I-A-0")
    for i in range(6):
        validated_sheet(c, f"I-A-{i + 1}", body=f"Voir [[I-A-0]] et [[example-of:I-A-{i}]].")
    # The subjects (one query for each of the five kinds) and the files (one) included.
    with django_assert_max_num_queries(18):
        assert client.get(url(target)).status_code == 200


def test_the_page_and_the_api_list_the_same_sheets_for_every_reader(client, login):
    from django.contrib.auth.models import AnonymousUser

    from maillage.knowledge import selectors
    from tests.factories import UserFactory

    c = circle()
    sheet(c, "I-A-1")
    validated_sheet(c, "I-A-2", is_public=False)
    validated_sheet(c, "I-A-3")
    for user in (None, UserFactory(), c.author, c.reviewer, c.coordinator):
        browser = login(user) if user else client
        if not user:
            browser.logout()
        api = {row["code"] for row in browser.get(reverse("api:sheet-list")).json()["results"]}
        page = browser.get(reverse("knowledge:index")).content.decode()
        listed = {code for code in ("I-A-1", "I-A-2", "I-A-3") if f"{code} · " in page}
        expected = {s.code for s in selectors.sheet_visible_to(user or AnonymousUser())}
        assert api == listed == expected, user
