"""Lookups of the project's own, registered on every field when the core app is ready."""

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, IntegerField
from django.db.models.lookups import In

INTEGER_TYPES = {"smallint", "integer", "bigint"}


@Field.register_lookup
class InArray(In):
    """`field__in_array=ids`: the rows whose field is one of `ids`, as `__in` gives them.

    On PostgreSQL the values travel as one array parameter (`field = ANY(%s)`) instead of one
    placeholder each: a list of thousands of ids (a structure's caseload) made a statement of
    tens of kilobytes that the driver split and PostgreSQL parsed on every request, for longer
    than the query ran (issue 18). Elsewhere it is `__in`."""

    lookup_name = "in_array"

    def get_prep_lookup(self):
        # Ids for an integer column need no preparing: `__in` asks the field to prepare each
        # one (`int(value)`), 3,300 calls for a caseload, twice on the advisor home.
        values = self.rhs
        if (
            isinstance(self.lhs.output_field, IntegerField)
            and isinstance(values, list | tuple)
            and all(type(value) is int for value in values)
        ):
            return list(values)
        return super().get_prep_lookup()

    def as_postgresql(self, compiler, connection):
        if not self.rhs_is_direct_value():
            return super().as_sql(compiler, connection)
        # The values as the field prepared them when the filter was made (`get_prep_lookup`):
        # ids, which the driver sends as they are. `process_rhs` would prepare each again and
        # write a placeholder for each (150 ms for three statements of 3,645 ids).
        lhs, lhs_params = self.process_lhs(compiler, connection)
        column_type = self.lhs.output_field.db_type(connection)
        # The list's statements share this lookup (its rows, their count): the array is
        # written once.
        written = self.__dict__.get("_written")
        if written is None or written[0] != column_type:
            values = list(dict.fromkeys(value for value in self.rhs if value is not None))
            if column_type in INTEGER_TYPES and all(type(value) is int for value in values):
                # Ids written as one array literal: the driver quotes one string instead of
                # adapting each number in Python (60 ms for the API's three statements).
                param = f"{{{','.join(map(str, values))}}}" if values else None
                written = (column_type, f"%s::{column_type}[]", param)
            else:
                written = (column_type, "%s", values or None)
            self._written = written
        _type, placeholder, param = written
        if param is None:
            raise EmptyResultSet
        return f"{lhs} = ANY({placeholder})", (*lhs_params, param)
