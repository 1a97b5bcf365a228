"""The part every entity shares: rows written one by one through the pathways services.

A handler reads what its rows mean (`prepare`), then writes them (`create`, `update`), each
row in a savepoint so that every row's error is reported, not only the first; the pipeline
rolls the whole transaction back when one row failed (or for a dry run).
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from maillage.core.models import Referential

from ..entities import PERSON, EntitySpec
from .cells import Lookups
from .core import CREATE, UPDATE, Item, Report, RowProblem, stable_key
from .people import PersonIndex

CHUNK = 2_000


_SIMPLE = frozenset({str, int, float, bool, type(None), date, datetime})


def plain(value):
    """A value as it enters a key or a hash: referential entries by code, objects by id."""
    if value.__class__ in _SIMPLE:
        return value
    if isinstance(value, Referential):
        return value.code
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, list | tuple):
        return tuple(plain(item) for item in value)
    return value


class Handler:
    spec: EntitySpec
    model = None
    bulk = False  # written in bulk: the dry run checks without writing
    # Model field names a service may name in its ValidationError → field codes of the file.
    field_codes: dict[str, str] = {}

    def __init__(self, *, run, structure, user, report: Report, options: dict):
        self.run = run
        self.structure = structure
        self.user = user
        self.report = report
        self.options = options
        self.lookups = Lookups(structure, user, getattr(run, "value_mappings", None))
        self._people = None

    # --- reading ---------------------------------------------------------------------------

    @property
    def people(self) -> PersonIndex:
        if self._people is None:
            self._people = PersonIndex(self.structure, self.report.columns)
        return self._people

    def load(self) -> None:
        """Read what the rows are matched against (before the first row)."""

    def prepare(self, item: Item) -> None:
        """Resolve the row's values into `item.data`; raise RowProblem when it cannot be."""
        raise NotImplementedError

    def key_parts(self, item: Item) -> tuple:
        values = item.values
        return tuple(
            self.person_key(item) if code == PERSON else plain(values.get(code))
            for code in self.spec.key_fields
        )

    def person_key(self, item: Item):
        return item.data["person"] if isinstance(item.data, dict) else None

    def stable_key(self, item: Item) -> str:
        return stable_key(self.key_parts(item))

    def hash_parts(self, item: Item) -> tuple:
        return (self.person_key(item),)

    def after_prepare(self, items: list[Item]) -> None:
        """A look at every row at once (probable duplicates, links to existing objects)."""

    def versions(self, ids: list[int]) -> dict[int, int]:
        """{object id: version} of the objects that still exist."""
        found = {}
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            found.update(self.model.objects.filter(pk__in=chunk).values_list("pk", "version"))
        return found

    # --- writing ---------------------------------------------------------------------------

    def objects(self, ids: list[int]) -> dict:
        found = {}
        for start in range(0, len(ids), CHUNK):
            found.update(self.model.objects.in_bulk(ids[start : start + CHUNK]))
        return found

    def write(self, items: list[Item], progress) -> None:
        to_update = self.objects([item.object_id for item in items if item.action == UPDATE])
        done = 0
        for item in items:
            if item.action not in (CREATE, UPDATE):
                continue
            try:
                with transaction.atomic():
                    if item.action == CREATE:
                        item.object_id, item.version = self.create(item)
                    else:
                        item.version = self.update(item, to_update[item.object_id])
            except RowProblem as problem:
                self.report.error(item.line, problem.code, problem.value, problem.reason)
            except ValidationError as error:
                self.service_error(item, error)
            except PermissionDenied:
                self.report.error(
                    item.line,
                    "",
                    "",
                    _(
                        "You may not record this row for your structure: ask one of its "
                        "administrators."
                    ),
                )
            except IntegrityError:
                self.report.error(
                    item.line,
                    "",
                    "",
                    _(
                        "This row conflicts with a record already saved (the same identifier "
                        "or file number twice?): check the row and its neighbours."
                    ),
                )
            done += 1
            if progress and done % 200 == 0:
                progress(done)

    def create(self, item: Item) -> tuple[int, int]:
        raise NotImplementedError

    def update(self, item: Item, obj) -> int:
        raise NotImplementedError

    def service_error(self, item: Item, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                code = self.field_codes.get(name, name)
                code = code if code in self.spec.field_map else ""
                for message in messages:
                    self.report.error(item.line, code, item.values.get(code), message)
        else:
            for message in error.messages:
                self.report.error(item.line, "", "", message)
