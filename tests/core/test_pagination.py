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


@pytest.mark.django_db
def test_the_rows_of_a_page_are_read_by_their_ids_alone_unless_a_figure_adds_up_filtered_rows():
    """The page's rows are read by the ids the list's filters gave, without the filters again
    (PostgreSQL read the whole persons table to apply a caseload's arrays beside the page's
    ids); a count over filtered rows keeps its filters, so that it counts what the list did."""
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from maillage.core.pagination import IdsFirstPaginator
    from maillage.directory.models import Network, Stage

    for n in range(6):
        network = Network.objects.create(name=f"Filtré {n}", slug=f"filtre-{n}")
        for position in range(1, n + 2):
            Stage.objects.create(
                network=network, position=position, name=f"Étape {position}", slug=f"e-{position}"
            )
    Network.objects.create(name="Autre", slug="autre")

    listed = Network.objects.filter(name__startswith="Filtré").order_by("-name")
    with CaptureQueriesContext(connection) as queries:
        page = IdsFirstPaginator(listed, 4).page(1)
        names = [network.name for network in page]
    assert names == ["Filtré 5", "Filtré 4", "Filtré 3", "Filtré 2"]
    rows_sql = queries.captured_queries[-1]["sql"]
    assert "LIKE" not in rows_sql.upper() and "Filtré" not in rows_sql

    counted = (
        Network.objects.filter(stages__position__gte=3)
        .annotate(stages_from_third=Count("stages"))
        .order_by("-stages_from_third", "pk")
    )
    page = IdsFirstPaginator(counted, 3).page(1)
    expected = Paginator(counted, 3).page(1)
    assert [(n.pk, n.stages_from_third) for n in page] == [
        (n.pk, n.stages_from_third) for n in expected
    ]
    assert [n.stages_from_third for n in page] == [4, 3, 2]


@pytest.mark.django_db
def test_a_block_reads_its_first_rows_and_its_count_in_the_same_statement():
    """`first_rows_and_count`: the first rows in the list's order and the count of the whole
    list, as `first_rows` and `count()` give them, one statement fewer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from maillage.core.pagination import first_rows, first_rows_and_count
    from maillage.directory.models import Network

    for n in range(7):
        Network.objects.create(name=f"Bloc {n % 3}", slug=f"bloc-{n}")
    listed = Network.objects.filter(name__startswith="Bloc").order_by("-name", "pk")
    with CaptureQueriesContext(connection) as queries:
        rows, count = first_rows_and_count(listed, 4)
    assert len(queries.captured_queries) == 2
    assert [n.pk for n in rows] == [n.pk for n in first_rows(listed, 0, 4)]
    assert count == listed.count() == 7
    assert first_rows_and_count(Network.objects.filter(name="Personne"), 4) == ([], 0)


@pytest.mark.django_db
def test_a_distinct_block_counts_its_distinct_rows():
    from maillage.core.pagination import first_rows_and_count
    from maillage.directory.models import Network, Stage

    network = Network.objects.create(name="Étapes", slug="etapes")
    for position in (1, 2, 3):
        Stage.objects.create(
            network=network, position=position, name=f"É{position}", slug=f"e{position}"
        )
    joined = Network.objects.filter(stages__position__gte=1).order_by("pk")
    assert first_rows_and_count(joined, 5)[1] == 3  # one row per stage, as count() says
    rows, count = first_rows_and_count(joined.distinct(), 5)
    assert ([n.pk for n in rows], count) == ([network.pk], 1)
