"""The report filters, one GET form for the pages and the JSON API alike.

`ReportFilterForm(request.GET, user=request.user)` is always bound: what the query string leaves
out takes its default (the user's only network, the structure of a structure admin who may not
read the whole network, the last 12 full months). `.filters()` gives the `ReportFilters` of a
valid form; errors are translated and say what to do.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.accounts.rules import can
from maillage.core.forms import LongSelect
from maillage.directory.models import Offer, Structure, TerritoryKind
from maillage.directory.territories import find_territory

from . import selectors
from .periods import default_period
from .report import ReportFilters

MAX_PERIOD = timedelta(days=366 * 10)
DATE_FORMAT = "%Y-%m-%d"


def offer_value(offer, ambiguous: set[str]) -> str:
    """The query-string value naming an offer: its slug, or "structure/offer" when another
    structure of the network has an offer of the same slug."""
    if offer.slug in ambiguous:
        return f"{offer.structure.slug}/{offer.slug}"
    return offer.slug


def territory_value(territory) -> str:
    """The query-string value naming a territory (a region needs its prefix)."""
    if territory.kind == TerritoryKind.REGION:
        return f"region:{territory.code}"
    return territory.code


@dataclass(frozen=True)
class StructureOption:
    """A structure as the filter form lists it."""

    pk: int
    slug: str
    name: str


@dataclass(frozen=True)
class OfferOption:
    """An offer as the filter form lists it (`structure` answers like an offer's)."""

    pk: int
    slug: str
    title: str
    structure: StructureOption

    @property
    def structure_id(self) -> int:
        return self.structure.pk


def whole(option, records):
    """The chosen structure or offer, read whole for the report (the options are names)."""
    return None if option is None else records.get(pk=option.pk)


class ReportFilterForm(forms.Form):
    network = forms.ChoiceField(
        label=_("Network"),
        error_messages={
            "required": _("Choose a network whose reports you may read."),
            "invalid_choice": _("Choose a network whose reports you may read."),
        },
    )
    structure = forms.ChoiceField(
        label=_("Structure"),
        required=False,
        widget=LongSelect,
        error_messages={
            "invalid_choice": _("Unknown structure for this network: choose one from the list.")
        },
    )
    offer = forms.CharField(label=_("Offer"), required=False, max_length=170, widget=LongSelect)
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        error_messages={
            "invalid_choice": _("Unknown stage for this network: choose one from the list.")
        },
    )
    territory = forms.CharField(
        label=_("Territory"),
        required=False,
        max_length=20,
        help_text=_(
            "Where the people live: a département, an intercommunality or a commune (code)."
        ),
        widget=LongSelect,
    )
    vars()["from"] = forms.DateField(
        label=_("Period from"),
        input_formats=[DATE_FORMAT],
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2026-01-01.")},
    )
    to = forms.DateField(
        label=_("Period to"),
        input_formats=[DATE_FORMAT],
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_FORMAT),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2026-12-31.")},
    )

    def __init__(self, data=None, *, user, today=None, **kwargs):
        self.user = user
        start, end = default_period(today)
        values = {"from": start.isoformat(), "to": end.isoformat()}
        networks = list(selectors.report_networks(user))
        self.networks = {n.slug: n for n in networks}
        if len(networks) == 1:
            values["network"] = networks[0].slug
        for key, value in (data or {}).items():
            if key in self.base_fields:
                value = data.get(key) if hasattr(data, "getlist") else value
                if isinstance(value, str):
                    value = value.strip()
                if value not in (None, ""):
                    values[key] = value
        self.network = self.networks.get(str(values.get("network", "")))
        if (
            self.network is not None
            and "structure" not in values
            and not can(user, "view_network_report", self.network)
        ):
            readable = list(selectors.report_structures(user, self.network)[:2])
            if len(readable) == 1:
                values["structure"] = readable[0].slug
        super().__init__(values, **kwargs)
        self._set_choices()

    def _set_choices(self) -> None:
        self.fields["network"].choices = [(slug, n.name) for slug, n in self.networks.items()]
        self.structures, self.offers, self.stages, self.territories = {}, {}, {}, {}
        if self.network is None:
            return
        # The lists read only what their options show, as plain rows; the one chosen is read
        # whole (`clean`). As whole records, the 100 structures and 400 offers of a national
        # network were 900 model instances on each view of the report page (issue 18).
        self.structures = {
            slug: StructureOption(pk, slug, name)
            for pk, slug, name in selectors.report_structures(self.user, self.network).values_list(
                "pk", "slug", "name"
            )
        }
        rows = selectors.report_offers(self.user, self.network).values_list(
            "pk", "slug", "title", "structure_id", "structure__slug", "structure__name"
        )
        offers = [
            OfferOption(pk, slug, title, StructureOption(structure_id, structure_slug, name))
            for pk, slug, title, structure_id, structure_slug, name in rows
        ]
        counts = Counter(o.slug for o in offers)
        ambiguous = {slug for slug, n in counts.items() if n > 1}
        self.offers = {offer_value(o, ambiguous): o for o in offers}
        self.stages = {s.slug: s for s in selectors.report_stages(self.network)}
        self.territories = {
            territory_value(t): t for t in selectors.report_territories(self.network)
        }
        empty = [("", _("All"))]
        if can(self.user, "view_network_report", self.network):
            self.fields["structure"].choices = empty + [
                (slug, s.name) for slug, s in self.structures.items()
            ]
        else:
            self.fields["structure"].choices = [
                (slug, s.name) for slug, s in self.structures.items()
            ]
        self.fields["offer"].widget.choices = empty + [
            (value, f"{o.title} — {o.structure.name}") for value, o in self.offers.items()
        ]
        self.fields["stage"].choices = empty + [(slug, s.name) for slug, s in self.stages.items()]
        self.fields["territory"].widget.choices = empty + [
            (value, str(t)) for value, t in self.territories.items()
        ]

    def find_offer(self, value: str, structure):
        """The offer a value names: "offer-slug", or "structure-slug/offer-slug"."""
        if not value:
            return None
        structure_slug, _sep, slug = value.rpartition("/")
        matches = [
            o
            for o in self.offers.values()
            if o.slug == slug and (not structure_slug or o.structure.slug == structure_slug)
        ]
        if len(matches) > 1 and structure is not None:
            matches = [o for o in matches if o.structure_id == structure.pk]
        if len(matches) == 1:
            return matches[0]
        self.add_error(
            "offer",
            _(
                "Unknown offer for this network: choose one from the list (write "
                "structure/offer when two structures use the same name)."
            ),
        )
        return None

    def clean_network(self):
        network = self.networks.get(self.cleaned_data["network"])
        if network is None:
            raise forms.ValidationError(_("Choose a network whose reports you may read."))
        return network

    def clean_territory(self):
        value = self.cleaned_data.get("territory", "")
        if not value:
            return None
        territory = self.territories.get(value) or find_territory(value)
        if territory is None:
            raise forms.ValidationError(
                _(
                    "Unknown territory. Give a département (13), an intercommunality (9 digits), "
                    "a commune (INSEE code) or a region (region:93)."
                )
            )
        return territory

    def clean(self):
        data = super().clean()
        network = data.get("network")
        if network is None:
            return data
        structure = self.structures.get(data.get("structure") or "")
        offer = self.find_offer(data.get("offer") or "", structure)
        data["structure"] = whole(structure, Structure.objects)
        data["offer"] = whole(offer, Offer.objects.select_related("structure"))
        data["stage"] = self.stages.get(data.get("stage") or "")
        if offer is not None and structure is not None and offer.structure_id != structure.pk:
            self.add_error(
                "offer", _("This offer belongs to another structure: choose one of its offers.")
            )
        start, end = data.get("from"), data.get("to")
        if start and end:
            if start > end:
                self.add_error("to", _("The end of the period comes before its start."))
            elif end - start > MAX_PERIOD:
                self.add_error("to", _("Choose a period of ten years at most."))
            elif not self.errors:
                problem = selectors.masked_reading_problem(self.user, self.filters())
                if problem:
                    self.add_error(None, problem)
        return data

    def filters(self) -> ReportFilters:
        """The filters of a valid form."""
        data = self.cleaned_data
        return ReportFilters(
            network=data["network"],
            date_from=data["from"],
            date_to=data["to"],
            structure=data["structure"],
            offer=data["offer"],
            stage=data["stage"],
            territory=data["territory"],
        )
