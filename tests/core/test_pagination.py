import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string


def render(number, **context):
    page = Paginator(range(60), 25).page(number)
    return render_to_string(
        "components/pagination.html", {"page": page, "label": "Pages", "query": "", **context}
    )


def test_links_keep_the_other_parameters_escaped_once():
    html = render(2, query="structure=intermade&")
    assert 'href="?structure=intermade&amp;page=1"' in html
    assert 'href="?structure=intermade&amp;page=3"' in html
    assert 'aria-label="Pages"' in html


def test_no_navigation_for_a_single_page():
    page = Paginator(range(3), 25).page(1)
    assert "<nav" not in render_to_string(
        "components/pagination.html", {"page": page, "label": "", "query": ""}
    )


def test_first_page_has_no_previous_link():
    html = render(1)
    assert 'href="?page=2"' in html and "page=0" not in html


@pytest.mark.django_db
def test_pages_found_by_their_ids_first_are_the_pages_of_the_list():
    """`IdsFirstPaginator` (issue 18) gives the same pages, in the same order, as Django's."""
    from django.db.models import Case, IntegerField, Value, When

    from maillage.core.pagination import IdsFirstPaginator
    from maillage.directory.models import Network

    for n in range(23):
        Network.objects.create(name=f"Réseau {n % 5}", slug=f"reseau-{n}")
    listed = (
        Network.objects.annotate(
            first=Case(When(name="Réseau 3", then=Value(0)), default=1, output_field=IntegerField())
        )
        .order_by("first", "-name", "pk")
        .select_related()
    )
    for orphans, sizes in ((2, [10, 10, 3]), (3, [10, 13])):
        pages = []
        for number, size in enumerate(sizes, start=1):
            expected = Paginator(listed, 10, orphans=orphans).page(number)
            page = IdsFirstPaginator(listed, 10, orphans=orphans).page(number)
            assert [n.pk for n in page] == [n.pk for n in expected]
            assert len(page) == size and page.has_next() == (number < len(sizes))
            pages += [n.pk for n in page]
        assert sorted(pages) == sorted(n.pk for n in Network.objects.all())
