"""Sheets: versions with optimistic locking, the validation workflow, who sees what."""

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.knowledge import selectors, services
from maillage.knowledge.models import Sheet, SheetVersion, VersionStatus
from tests.factories import UserFactory
from tests.knowledge.factories import circle, sheet, validated_sheet

pytestmark = pytest.mark.django_db


def test_a_save_based_on_an_old_version_is_refused_with_a_diff():
    c = circle()
    s = sheet(c, body="Accueillir.\nÉcouter.\n")
    services.save_version(
        user=c.colleague, sheet=s, based_on=1, title=s.title, body="Accueillir.\nOrienter.\n"
    )
    with pytest.raises(services.StaleVersion) as refused:
        services.save_version(
            user=c.author, sheet=s, based_on=1, title=s.title, body="Accueillir.\nRelancer.\n"
        )
    assert refused.value.code == "stale_version"
    assert "-Orienter." in refused.value.diff
    assert "+Relancer." in refused.value.diff
    assert list(s.versions.values_list("number", flat=True)) == [2, 1]  # nothing saved


def test_every_version_is_kept_and_any_two_compare():
    c = circle()
    s = sheet(c, body="un\n")
    services.save_version(user=c.author, sheet=s, based_on=1, title=s.title, body="deux\n")
    v1, v2 = SheetVersion.objects.filter(sheet=s).order_by("number")
    assert "-un" in services.text_diff(v1.body, v2.body)
    assert "+deux" in services.text_diff(v1.body, v2.body)


def test_quorum_of_reviewers_of_other_structures_publishes_the_version():
    c = circle(quorum=2)
    s = sheet(c, body="Le premier accueil dure une heure.")
    version = s.versions.get()
    services.propose_version(user=c.author, version=version)
    # A colleague of the author does not review.
    with pytest.raises(PermissionDenied):
        services.review_version(user=c.colleague, version=version, decision="validate")
    services.comment_passage(
        user=c.reviewer, version=version, quote="une heure", body="Plutôt 45 minutes ?"
    )
    version.refresh_from_db()
    assert version.status == VersionStatus.UNDER_REVIEW
    comment = version.comments.get()
    assert (comment.start, comment.end) == (24, 33)
    assert version.body[comment.start : comment.end] == "une heure"
    services.review_version(user=c.reviewer, version=version, decision="validate")
    version.refresh_from_db()
    assert version.status == VersionStatus.UNDER_REVIEW  # one of two
    services.review_version(user=c.second_reviewer, version=version, decision="validate")
    version.refresh_from_db()
    s.refresh_from_db()
    assert version.status == VersionStatus.VALIDATED
    assert s.published == version
    assert [(r.reviewer, r.structure) for r in selectors.validations_of(version)] == [
        (c.reviewer, c.other),
        (c.second_reviewer, c.third),
    ]


def test_a_passage_not_in_the_text_is_refused():
    c = circle()
    version = sheet(c, body="Texte.").versions.get()
    services.propose_version(user=c.author, version=version)
    with pytest.raises(ValidationError):
        services.comment_passage(user=c.reviewer, version=version, quote="absent", body="?")


def test_sending_back_needs_a_reason_and_returns_the_version_to_its_authors():
    c = circle()
    version = sheet(c).versions.get()
    services.propose_version(user=c.author, version=version)
    with pytest.raises(ValidationError):
        services.review_version(user=c.reviewer, version=version, decision="send_back")
    services.review_version(
        user=c.reviewer, version=version, decision="send_back", comment="À préciser."
    )
    version.refresh_from_db()
    assert version.status == VersionStatus.SENT_BACK
    services.save_version(user=c.author, sheet=version.sheet, based_on=1, title="T", body="Mieux")


def test_the_validated_version_stays_public_while_a_new_draft_is_written():
    c = circle()
    s = validated_sheet(c, body="Version validée.")
    services.save_version(
        user=c.author, sheet=s, based_on=1, title="Nouveau titre", body="Brouillon secret."
    )
    anonymous = AnonymousUser()
    assert list(selectors.sheet_visible_to(anonymous)) == [s]
    shown = selectors.version_shown(anonymous, s)
    assert shown.number == 1
    assert "Version validée" in selectors.render_version(anonymous, shown)
    s.refresh_from_db()
    assert s.title == "Fiche I-A-1"  # the draft's title waits for its validation


def test_drafts_and_internal_sheets_are_for_network_members_only():
    c = circle()
    draft = sheet(c, "I-A-1")
    internal = validated_sheet(c, "I-A-2", is_public=False)
    public = validated_sheet(c, "I-A-3")
    outsider = UserFactory()
    for user in (AnonymousUser(), outsider):
        assert set(selectors.sheet_visible_to(user)) == {public}
        assert selectors.version_shown(user, draft) is None
    for user in (c.author, c.reviewer, c.coordinator):
        assert set(selectors.sheet_visible_to(user)) == {draft, internal, public}


def test_an_internal_family_is_for_network_members_only():
    c = circle(is_public=False)
    s = validated_sheet(c)
    assert list(selectors.sheet_visible_to(AnonymousUser())) == []
    assert list(selectors.sheet_visible_to(c.reviewer)) == [s]


def test_a_code_must_follow_the_family_pattern_and_be_unique_in_the_network():
    c = circle()
    sheet(c, "I-A-1")
    with pytest.raises(ValidationError):
        sheet(c, "I-A-1")
    with pytest.raises(ValidationError):
        sheet(c, "pas un code !")


def test_a_code_that_is_a_word_of_the_addresses_is_refused_even_by_a_loose_pattern():
    c = circle()
    c.family.code_pattern = r"[a-z]+"
    c.family.save()
    for word in ("referentiel", "Classeur", "nouvelle"):
        with pytest.raises(ValidationError) as refused:
            sheet(c, word)
        assert "adresses" in refused.value.message_dict["code"][0]
    assert sheet(c, "accueil").code == "accueil"


def test_only_the_author_structure_edits():
    c = circle()
    s = sheet(c)
    with pytest.raises(PermissionDenied):
        services.save_version(user=c.reviewer, sheet=s, based_on=1, title="T", body="x")


def test_sheets_due_for_review_are_listed_for_their_authors():
    import datetime

    c = circle()
    due = sheet(c, "I-A-1", review_by=datetime.date(2026, 1, 1))
    sheet(c, "I-A-2", review_by=datetime.date(2027, 1, 1))
    assert list(selectors.sheets_due_for_review(on=datetime.date(2026, 6, 1))) == [due]


def test_the_daily_reminder_emails_the_authors_of_due_sheets_once(mailoutbox):
    import datetime

    from django.core.management import call_command

    c = circle()
    sheet(c, "I-A-1", review_by=datetime.date(2000, 1, 1))
    sheet(c, "I-A-2", review_by=datetime.date(2999, 1, 1))
    call_command("knowledge_review_due", stdout=io.StringIO())
    assert [m.to for m in mailoutbox] == [[c.author.email]]
    assert "I-A-1" in mailoutbox[0].body and "I-A-2" not in mailoutbox[0].body
    assert f"/fiches/{c.network.slug}/I-A-1/" in mailoutbox[0].body
    # The next day: no second e-mail for the same date; a new date reminds again.
    call_command("knowledge_review_due", stdout=io.StringIO())
    assert len(mailoutbox) == 1
    s = Sheet.objects.get(network=c.network, code="I-A-1")
    services.set_review_by(user=c.author, sheet=s, review_by=datetime.date(2000, 2, 1))
    call_command("knowledge_review_due", stdout=io.StringIO())
    assert len(mailoutbox) == 2
