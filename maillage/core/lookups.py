"""Lookups of the project's own, registered on every field when the core app is ready."""

from django.db.models import Field
from django.db.models.lookups import In


@Field.register_lookup
class InArray(In):
    """`field__in_array=ids`: the rows whose field is one of `ids`, as `__in` gives them.

    On PostgreSQL the values travel as one array parameter (`field = ANY(%s)`) instead of one
    placeholder each: a list of thousands of ids (a structure's caseload) made a statement of
    tens of kilobytes that the driver split and PostgreSQL parsed on every request, for longer
    than the query ran (issue 18). Elsewhere it is `__in`."""

    lookup_name = "in_array"

    def as_postgresql(self, compiler, connection):
        if self.rhs_is_direct_value():
            values = self.process_rhs(compiler, connection)[1]  # None dropped, empty refused
            lhs, lhs_params = self.process_lhs(compiler, connection)
            return f"{lhs} = ANY(%s)", (*lhs_params, list(values))
        return super().as_sql(compiler, connection)
