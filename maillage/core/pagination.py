"""Lists whose shown rows are found by their ids first (issue 18).

A list page shows a few rows of many, each joined to its person, structure, offer… and
annotated with what the reader may see. Asked in one statement, PostgreSQL joins every row of
the list before it sorts and keeps the page's: for a structure's 2,300 referrals it walked the
whole persons table (a merge join on its primary key), which grows with the database, not with
the structure. `first_rows` first finds the page's ids from the list's own table (its filters
and its order, no join), then reads those few rows with their joins and annotations.
"""

from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Window
from django.db.models.sql.where import WhereNode


def _rows_of(queryset: QuerySet, ids: list) -> QuerySet:
    """The rows of `ids` with the queryset's joins and annotations.

    The ids were read through the queryset's filters, so the filters are not asked again: a
    visibility filter on persons is two arrays of the caseload's ids on the primary key, and
    PostgreSQL 15 costs an index scan on two arrays as one probe per pair of values. With the
    page's 20 ids beside a caseload of 3,645 it read the whole persons table instead (11 ms of
    the API's person list at regional scale, 8 ms of the advisor home). Where an annotation
    adds up rows (its value depends on the filters), the filters are kept."""
    rows = queryset.order_by()
    query = rows.query
    aggregates = any(getattr(a, "contains_aggregate", False) for a in query.annotations.values())
    if not (aggregates or query.group_by or query.combinator or query.is_sliced):
        query.where = WhereNode()
    return rows.filter(pk__in=ids)


def _in_order(queryset: QuerySet, ids: list) -> list:
    """The rows of `ids` (`_rows_of`), in the order of `ids`."""
    found = {row.pk: row for row in _rows_of(queryset, ids)}
    return [found[pk] for pk in ids if pk in found]


def first_rows(queryset: QuerySet, start: int, stop: int) -> list:
    """`list(queryset[start:stop])`, in the same order, read in two short statements."""
    ids = list(queryset.values_list("pk", flat=True)[start:stop])
    if not ids:
        return []
    return _in_order(queryset, ids)


def first_rows_and_count(queryset: QuerySet, size: int) -> tuple[list, int]:
    """`first_rows(queryset, 0, size)` and `queryset.count()`, the count read by the statement
    that finds the ids (`COUNT(*) OVER ()`): one statement fewer for each block of a page.
    (Not for a DISTINCT list: the window would count the rows before DISTINCT.)"""
    if queryset.query.distinct:
        return first_rows(queryset, 0, size), queryset.count()
    found = list(queryset.annotate(_listed=Window(Count("pk"))).values_list("pk", "_listed")[:size])
    if not found:
        return [], 0
    return _in_order(queryset, [pk for pk, _count in found]), found[0][1]


class IdsFirstPaginator(Paginator):
    """A paginator whose pages are read with `first_rows` (the count is the queryset's)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(first_rows(self.object_list, bottom, top), number, self)
