"""`__in_array` (maillage/core/lookups.py): the rows `__in` gives, with the ids sent to
PostgreSQL as one array parameter, so that a caseload of thousands of ids does not make a
statement that grows with it (issue 18: the advisor home's quiet persons)."""

import pytest
from django.db import connection

from maillage.directory.models import Network

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


@pytest.fixture
def networks():
    return [Network.objects.create(name=f"Réseau {n}", slug=f"reseau-{n}") for n in range(5)]


def sql_and_params(queryset):
    return queryset.query.get_compiler(using="default").as_sql()


def test_the_same_rows_as_in(networks):
    ids = [networks[0].pk, networks[3].pk, None, networks[3].pk, 10**9]
    expected = set(Network.objects.filter(pk__in=ids))
    assert set(Network.objects.filter(pk__in_array=ids)) == expected
    assert len(expected) == 2
    # Excluded too, and an empty list keeps nothing, as `__in` does.
    assert set(Network.objects.exclude(pk__in_array=ids)) == set(networks) - expected
    assert not Network.objects.filter(pk__in_array=[]).exists()
    assert not Network.objects.filter(pk__in_array=[None]).exists()


def test_postgresql_gets_one_parameter_whatever_the_number_of_ids(networks):
    few = sql_and_params(Network.objects.filter(pk__in_array=[n.pk for n in networks[:2]]))
    many = sql_and_params(Network.objects.filter(pk__in_array=list(range(1, 5001))))
    if connection.vendor == "postgresql":
        assert few[0] == many[0] and "= ANY(%s::bigint[])" in many[0]  # the column's type
        assert len(many[1]) == 1 and many[1][0].count(",") == 4999
    else:
        assert len(many[1]) == 5000


def test_values_other_than_ids_give_the_rows_of_in_too(networks):
    slugs = ["reseau-1", "reseau-4", "l'autre", None]
    rows = set(Network.objects.filter(slug__in_array=slugs))
    assert rows == set(Network.objects.filter(slug__in=slugs)) == {networks[1], networks[4]}


def test_a_text_column_asked_with_numbers_compares_text(networks):
    """Numbers given for a text column are compared as that column's values, as `__in` does."""
    Network.objects.filter(pk=networks[2].pk).update(slug="42")
    assert list(Network.objects.filter(slug__in_array=[42, 7])) == [networks[2]]


def test_ids_given_as_text_are_prepared_and_a_list_reads_the_same_rows_in_each_statement(networks):
    """Only a list of integers skips the field's preparing; the array written for the list's
    first statement serves its count and its rows alike."""
    assert list(Network.objects.filter(pk__in_array=[str(networks[1].pk)])) == [networks[1]]
    listed = Network.objects.filter(pk__in_array=[networks[4].pk, networks[2].pk]).order_by("pk")
    assert listed.count() == 2
    assert list(listed) == [networks[2], networks[4]]
    assert list(listed.filter(pk__in_array=[networks[4].pk])) == [networks[4]]
    assert not listed.filter(pk__in_array=[networks[0].pk]).exists()
