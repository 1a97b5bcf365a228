"""What a report's filters mean for each table: structures, offers, stages, territories.

A `Scope` is built once per report (a handful of small queries) and then answers, without
queries, "is this row in the report?" and "which categories does it fall in?".
"""

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from maillage.directory.models import Offer, Stage, Structure, Territory, TerritoryKind

from .periods import add_months, window_start
from .report import ReportFilters

PROFILE = ("gender", "birth_year", "situation_id", "priority_neighbourhood", "commune_id")
NONE = "none"  # the category key of "not given"


def departement_of_postal_code(code: str) -> tuple[str, ...]:
    if not code or len(code) != 5 or not code.isdigit():
        return ()
    if code.startswith("20"):
        return ("2A", "2B")
    if code.startswith("97") or code.startswith("98"):
        return (code[:3],)
    return (code[:2],)


def postal_code_map(departements) -> dict[str, int]:
    """Postal code → the one arrondissement, else the one commune, that has it (one query).

    A postal code shared by several communes names none of them.
    """
    if not departements:
        return {}
    return postal_codes_of(postal_rows(departements))


def postal_rows(departements) -> list[tuple]:
    """(id, kind, postal codes, département) of the communes and arrondissements of
    `departements` (one query)."""
    return list(
        Territory.objects.filter(
            kind__in=(TerritoryKind.COMMUNE, TerritoryKind.ARRONDISSEMENT),
            departement_code__in=sorted(departements),
        ).values_list("id", "kind", "postal_codes", "departement_code")
    )


def postal_codes_of(rows) -> dict[str, int]:
    """`postal_code_map` from the rows of `postal_rows`."""
    candidates = defaultdict(lambda: defaultdict(list))
    for pk, kind, postal_codes, _departement in rows:
        for code in postal_codes or ():
            candidates[code][kind].append(pk)
    result = {}
    for code, by_kind in candidates.items():
        for kind in (TerritoryKind.ARRONDISSEMENT, TerritoryKind.COMMUNE):
            if by_kind.get(kind):
                if len(by_kind[kind]) == 1:
                    result[code] = by_kind[kind][0]
                break
    return result


def territories_within(territory) -> Q:
    """Territories that lie in `territory` (itself included)."""
    same = Q(pk=territory.pk)
    field = {
        TerritoryKind.REGION: "region_code",
        TerritoryKind.DEPARTEMENT: "departement_code",
        TerritoryKind.EPCI: "epci_code",
        TerritoryKind.COMMUNE: "commune_code",
    }.get(territory.kind)
    return same | Q(**{field: territory.code}) if field else same


class Scope:
    """The filters of one report, resolved."""

    def __init__(self, filters: ReportFilters):
        self.filters = filters
        network = filters.network
        self.network = network
        self.structure_names = dict(
            Structure.objects.filter(networks=network).order_by("name").values_list("id", "name")
        )
        self.network_structure_ids = sorted(self.structure_names)
        if filters.structure is not None:
            self.structure_ids = [
                pk for pk in self.network_structure_ids if pk == filters.structure.pk
            ]
        else:
            self.structure_ids = list(self.network_structure_ids)
        self.structure_set = frozenset(self.structure_ids)
        stages = list(
            Stage.objects.filter(network=network).order_by("position").values_list("id", "name")
        )
        self.stage_names = dict(stages)
        self.stage_ids = [pk for pk, _name in stages]
        self.stage_rank = {pk: rank for rank, pk in enumerate(self.stage_ids, start=1)}
        self.first_stage = self.stage_ids[0] if self.stage_ids else None
        offer_stages = defaultdict(list)
        for offer_id, stage_id in Offer.stages.through.objects.filter(
            stage__network=network
        ).values_list("offer_id", "stage_id"):
            offer_stages[offer_id].append(stage_id)
        self.offer_stages = {
            offer: tuple(sorted(stages, key=self.stage_rank.__getitem__))
            for offer, stages in offer_stages.items()
        }
        self.offer_id = filters.offer.pk if filters.offer is not None else None
        self.stage_id = filters.stage.pk if filters.stage is not None else None
        if self.stage_id is not None:
            self.stage_offer_ids = sorted(
                o for o, stages in self.offer_stages.items() if self.stage_id in stages
            )
        self._postal = None
        self._territory_ids = None
        self._territory_postal = None
        if filters.territory is not None:
            self._resolve_territory(filters.territory)

    # --- periods ---------------------------------------------------------------------------

    @property
    def current(self) -> ReportFilters:
        return self.filters

    # --- stages ----------------------------------------------------------------------------

    def stages_of_offer(self, offer_id) -> tuple:
        """The stages a row with this offer belongs to (no offer: the network's first stage)."""
        if offer_id is None:
            return (self.first_stage,) if self.first_stage is not None else ()
        return self.offer_stages.get(offer_id, ())

    def rank_of_offer(self, offer_id) -> int:
        """Position (1…) of the earliest stage of the offer; 1 without an offer."""
        stages = self.stages_of_offer(offer_id)
        return self.stage_rank[stages[0]] if stages else 1

    def offer_matches(self, offer_id) -> bool:
        """Whether a row with this offer passes the offer and stage filters."""
        if self.offer_id is not None and offer_id != self.offer_id:
            return False
        return self.stage_id is None or self.stage_id in self.stages_of_offer(offer_id)

    def offer_q(self, field: str = "offer") -> Q:
        """The offer and stage filters on a row's offer field, as a query."""
        q = Q()
        if self.offer_id is not None:
            q &= Q(**{f"{field}_id": self.offer_id})
        if self.stage_id is not None:
            # A stage without offers matches no offer: `__in=[]` would not compile (Django
            # raises EmptyResultSet for the whole statement), and no row has an offer id 0.
            stage_q = Q(**{f"{field}_id__in": self.stage_offer_ids or [0]})
            if self.stage_id == self.first_stage:
                stage_q |= Q(**{f"{field}__isnull": True})
            q &= stage_q
        return q

    @property
    def filters_offer(self) -> bool:
        return self.offer_id is not None or self.stage_id is not None

    # --- territories -----------------------------------------------------------------------

    def _resolve_territory(self, territory) -> None:
        self._territory_ids = frozenset(
            Territory.objects.filter(territories_within(territory)).values_list("pk", flat=True)
        )
        departements = {territory.departement_code} if territory.departement_code else set()
        if territory.kind == TerritoryKind.REGION:
            departements = set(
                Territory.objects.filter(
                    kind=TerritoryKind.DEPARTEMENT, region_code=territory.code
                ).values_list("code", flat=True)
            )
        elif territory.kind == TerritoryKind.DEPARTEMENT:
            departements = {territory.code}
        postal = postal_code_map(departements)
        self._territory_postal = sorted(
            code for code, pk in postal.items() if pk in self._territory_ids
        )

    def territory_q(self, prefix: str = "person__") -> Q:
        """The territory filter on a row's person (Q() without a territory filter)."""
        if self._territory_ids is None:
            return Q()
        return Q(**{f"{prefix}commune_id__in": sorted(self._territory_ids)}) | Q(
            **{
                f"{prefix}commune_id__isnull": True,
                f"{prefix}postal_code__in": self._territory_postal,
            }
        )

    def person_in(self, field: str = "person_id") -> Q:
        """The same, for a row that only has the person's id (no join: subqueries)."""
        from maillage.pathways.models import Person

        q = ~Q(**{f"{field}__in": Person.objects.filter(merged_into__isnull=False).values("pk")})
        if self._territory_ids is not None:
            q &= Q(
                **{f"{field}__in": Person.objects.filter(self.territory_q(prefix="")).values("pk")}
            )
        return q

    def person_q(self, prefix: str = "person__") -> Q:
        """Rows about persons that count: merged duplicates never; the territory filter."""
        return Q(**{f"{prefix}merged_into__isnull": True}) & self.territory_q(prefix)

    def profile_fields(self, prefix: str = "person__") -> list[str]:
        return [f"{prefix}{name}" for name in PROFILE] + [f"{prefix}postal_code"]

    # --- windows ---------------------------------------------------------------------------

    @staticmethod
    def twelve_months(filters: ReportFilters):
        return window_start(filters.date_to, 12), filters.date_to

    @staticmethod
    def six_months_cut(filters: ReportFilters):
        """Last day before the 6 months that end on the period's last day."""
        return add_months(filters.date_to, -6)


NOT_GIVEN = _("Not given")
