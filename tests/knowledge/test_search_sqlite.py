"""Search on either database: accents folded, codes found (SQLite: every word must appear)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from maillage.knowledge import selectors
from tests.knowledge.factories import circle, validated_sheet

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_search_folds_accents_and_finds_codes_on_every_database():
    c = circle()
    validated_sheet(c, "I-C-2-a", title="Le diagnostic partagé", body="Réunir les équipes.")
    validated_sheet(c, "I-D-1", title="Autre chose", body="Rien à voir.")
    for query in ("partagé", "PARTAGE", "équipes", "equipes", "I-C-2-a"):
        found = [s.code for s in selectors.search_sheets(AnonymousUser(), query)]
        assert found == ["I-C-2-a"], query


def test_search_never_reads_a_draft_text():
    c = circle()
    s = validated_sheet(c, "I-A-1", body="Texte public.")
    from maillage.knowledge import services

    services.save_version(user=c.author, sheet=s, based_on=1, title=s.title, body="Secret.")
    assert list(selectors.search_sheets(c.reviewer, "secret")) == []
