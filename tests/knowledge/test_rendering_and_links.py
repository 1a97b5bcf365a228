"""Markdown rendered safely; references by code become typed links, shown backwards."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import AnonymousUser

from maillage.knowledge import rendering, selectors, services
from maillage.knowledge.models import BrokenReference, SheetLink
from tests.knowledge.factories import circle, sheet, validated_sheet

ATTACKS = [
    "<script>alert(1)</script>",
    '<iframe src="https://evil.test"></iframe>',
    "[clic](javascript:alert(1))",
    "[clic](JaVaScRiPt:alert(1))",
    '<a href="javascript:alert(1)">clic</a>',
    '<img src="x" onerror="alert(1)">',
    "![x](javascript:alert(1))",
    "[[x]]<svg onload=alert(1)>",
]


class Elements(HTMLParser):
    """The elements and attributes a browser would build from the HTML (escaped text is none)."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize("attack", ATTACKS)
def test_markdown_with_scripts_iframes_or_javascript_links_is_never_executable(attack):
    parser = Elements()
    parser.feed(rendering.render(f"Texte\n\n{attack}\n"))
    for tag, attrs in parser.found:
        assert tag not in {"script", "iframe", "svg", "object", "embed", "style"}
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src"):
            assert not (attrs.get(name) or "").strip().lower().startswith("javascript"), attrs


def test_markdown_is_rendered():
    html = rendering.render("# Titre\n\nUn **mot** et un [lien](https://exemple.test).")
    assert "<h1>Titre</h1>" in html
    assert "<strong>mot</strong>" in html
    assert 'href="https://exemple.test"' in html


def test_references_are_found_with_their_type_and_line():
    refs = rendering.references("Voir [[I-C-2-a]].\nEt [[method-for:II-B-1]].")
    assert [(r.code, r.type_code, r.line) for r in refs] == [
        ("I-C-2-a", "see-also", 1),
        ("II-B-1", "method-for", 2),
    ]


@pytest.mark.django_db
@pytest.mark.sqlite
def test_a_reference_by_code_becomes_a_typed_link_and_the_target_shows_the_backlink():
    c = circle()
    target = validated_sheet(c, "II-B-1", title="Le diagnostic partagé")
    source = validated_sheet(c, "I-A-1", body="Voir [[method-for:II-B-1]] et [[II-B-1]].")
    types = set(
        SheetLink.objects.filter(source=source, target=target).values_list(
            "link_type__code", flat=True
        )
    )
    assert types == {"method-for", "see-also"}
    html = selectors.render_version(AnonymousUser(), source.published)
    assert f'href="/fiches/{c.network.slug}/II-B-1/"' in html
    assert 'title="Le diagnostic partagé"' in html
    backlinks = selectors.backlinks(AnonymousUser(), target)
    assert {label: [s.code for s in sheets] for label, sheets in backlinks.items()} == {
        "Citée par": ["I-A-1"],
        "S'appuie sur la méthode": ["I-A-1"],
    }


@pytest.mark.django_db
@pytest.mark.sqlite
def test_a_broken_reference_is_flagged_to_the_authors_and_mended_by_the_new_sheet():
    c = circle()
    source = sheet(c, "I-A-1", body="Voir [[I-Z-9]].")
    assert list(BrokenReference.objects.filter(sheet=source).values_list("code", flat=True)) == [
        "I-Z-9"
    ]
    assert [s.broken_references.all()[0].code for s in selectors.sheets_of_author(c.author)] == [
        "I-Z-9"
    ]
    html = selectors.render_version(c.author, selectors.version_shown(c.author, source))
    assert '<span class="sheet-ref-broken">I-Z-9</span>' in html
    sheet(c, "I-Z-9")
    assert not BrokenReference.objects.filter(sheet=source).exists()
    assert SheetLink.objects.filter(source=source, target__code="I-Z-9").exists()


@pytest.mark.django_db
@pytest.mark.sqlite
def test_a_draft_sheet_is_no_link_target_for_the_public():
    c = circle()
    sheet(c, "II-B-1")  # a draft
    source = validated_sheet(c, "I-A-1", body="Voir [[II-B-1]].")
    html = selectors.render_version(AnonymousUser(), source.published)
    assert "href" not in html
    services.refresh_text_links(sheet=source, text=source.published.body)
