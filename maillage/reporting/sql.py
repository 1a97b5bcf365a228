# ruff: noqa: S608 - SQL text is built from table names and constants; values are parameters.
"""Grouped counts in one statement: a base query (from the ORM) and several GROUP BYs over it.

`Grouped(base_queryset)` makes `WITH b AS (<base>)`; each `branch(tag, keys, aggregates, …)`
adds `SELECT tag, keys…, aggregates… GROUP BY keys` and `run()` sends the `UNION ALL` of them
as one query, portable to PostgreSQL and SQLite. Keys come back as text (None for NULL),
aggregates as integers.

`Grouped(base, by="mon")` also groups every branch by a column of the base (a month): `run()`
then gives, for each value of it, the rows `Grouped.run` would give over the base rows with
that value alone; `added_up(by_slot, slots)` adds such rows up over several values (the
aggregates must add up: COUNT and SUM).
"""

from collections import defaultdict

from django.db import connections

from maillage.core.db_routing import read_alias

MAX_KEYS = 2


def placeholders(values) -> str:
    return ", ".join(["%s"] * len(values)) or "NULL"


def compiled(queryset) -> tuple[str, list]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


class Grouped:
    def __init__(self, base=None, by: str | None = None):
        self.ctes: list[tuple[str, str, list]] = []
        self.branches: list[tuple[str, list]] = []
        self.by = by
        if base is not None:
            self.cte("b", *compiled(base))

    def cte(self, name: str, sql: str, params=()) -> "Grouped":
        self.ctes.append((name, sql, list(params)))
        return self

    def branch(self, tag, keys=(), aggregates=("COUNT(*)",), source="b", where="", params=()):
        self.branches.append((tag, list(keys), list(aggregates), source, where, list(params)))
        return self

    def sql(self) -> tuple[str, list]:
        params = []
        parts = []
        for name, sql, cte_params in self.ctes:
            parts.append(f"{name} AS ({sql})")
            params += cte_params
        width = max((len(b[2]) for b in self.branches), default=1)
        body = []
        for tag, keys, aggregates, source, where, branch_params in self.branches:
            columns = [f"CAST({self.by} AS BIGINT)"] if self.by else []
            columns += [f"CAST({k} AS TEXT)" for k in keys]
            columns += ["CAST(NULL AS TEXT)"] * (MAX_KEYS - len(keys))
            columns += [f"CAST({a} AS BIGINT)" for a in aggregates]
            columns += ["CAST(NULL AS BIGINT)"] * (width - len(aggregates))
            sql = f"SELECT '{tag}', {', '.join(columns)} FROM {source}"
            if where:
                sql += f" WHERE {where}"
            grouping = [*keys, self.by] if self.by else keys
            if grouping:
                sql += f" GROUP BY {', '.join(grouping)}"
            body.append(sql)
            params += branch_params
        with_sql = f"WITH {', '.join(parts)} " if parts else ""
        return with_sql + " UNION ALL ".join(body), params

    def run(self) -> dict:
        """tag → [(key1, key2, aggregate1, …)] (the aggregates that were asked for); with `by`,
        its value → tag → rows."""
        sql, params = self.sql()
        result = defaultdict(lambda: defaultdict(list)) if self.by else defaultdict(list)
        with connections[read_alias()].cursor() as cursor:
            cursor.execute(sql, params)
            for tag, *row in cursor.fetchall():
                found = result
                if self.by:
                    slot, *row = row
                    found = result[int(slot)]
                keys = row[:MAX_KEYS]
                values = [int(v) if v is not None else None for v in row[MAX_KEYS:]]
                found[tag].append((*keys, *values))
        return result


def added_up(by_slot: dict, slots) -> dict[str, list[tuple]]:
    """The rows of `Grouped(…, by=…).run()` for several values of `by` at once, as one
    `Grouped.run()` over their base rows would give them: each group's aggregates added up
    (a SUM that is NULL in every slot stays NULL, as SQL gives it)."""
    sums = defaultdict(dict)
    for slot in slots:
        for tag, rows in by_slot.get(slot, {}).items():
            groups = sums[tag]
            for keys, values in ((row[:MAX_KEYS], row[MAX_KEYS:]) for row in rows):
                before = groups.get(keys)
                groups[keys] = (
                    values
                    if before is None
                    else [
                        a if b is None else b if a is None else a + b
                        for a, b in zip(before, values, strict=True)
                    ]
                )
    return defaultdict(
        list,
        {
            tag: [(*keys, *values) for keys, values in groups.items()]
            for tag, groups in sums.items()
        },
    )


def as_int(text):
    return int(text) if text not in (None, "") else None


def as_bool(text) -> bool:
    return str(text).lower() in ("1", "t", "true")
