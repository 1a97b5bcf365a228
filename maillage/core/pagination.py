"""Lists whose shown rows are found by their ids first (issue 18).

A list page shows a few rows of many, each joined to its person, structure, offer… and
annotated with what the reader may see. Asked in one statement, PostgreSQL joins every row of
the list before it sorts and keeps the page's: for a structure's 2,300 referrals it walked the
whole persons table (a merge join on its primary key), which grows with the database, not with
the structure. `first_rows` first finds the page's ids from the list's own table (its filters
and its order, no join), then reads those few rows with their joins and annotations.
"""

from django.core.paginator import Paginator
from django.db.models import QuerySet


def first_rows(queryset: QuerySet, start: int, stop: int) -> list:
    """`list(queryset[start:stop])`, in the same order, read in two short statements."""
    ids = list(queryset.values_list("pk", flat=True)[start:stop])
    if not ids:
        return []
    found = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


class IdsFirstPaginator(Paginator):
    """A paginator whose pages are read with `first_rows` (the count is the queryset's)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(first_rows(self.object_list, bottom, top), number, self)
