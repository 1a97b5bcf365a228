"""The public, read-only directory API: structures, published offers, stages and sessions.

Anyone may read it (what it shows is on the public site already). Lists are paginated and
filtered with django-filter; every list runs the same number of queries whatever its length.
The API documentation (help texts here) is written for developers, in English only; errors a
client gets back (unknown codes, invalid dates) are translated like the rest of the product.
"""

from django import forms
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny

from . import selectors
from .models import (
    AccessMode,
    Audience,
    LegalForm,
    Network,
    Offer,
    OfferDocument,
    OfferFormat,
    OfferSession,
    ReceptionMode,
    Stage,
    Structure,
    Territory,
)
from .territories import territories_by_codes

# --- Serializers -------------------------------------------------------------------------------


class ReferentialSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable code, used by filters, exports and imports.")
    label = serializers.CharField(help_text="Label in the language of the request.")


class TerritorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Territory
        fields = ["kind", "code", "name"]


class NetworkRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Network
        fields = ["slug", "name"]


class StructureRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Structure
        fields = ["uuid", "slug", "name"]


class OfferRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Offer
        fields = ["uuid", "slug", "title"]


class StageRefSerializer(serializers.ModelSerializer):
    network = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Stage
        fields = ["id", "network", "position", "slug", "name"]


class SessionRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = OfferSession
        fields = ["uuid", "starts_on", "ends_on", "place", "application_deadline"]


class DocumentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = OfferDocument
        fields = ["title", "url"]

    def get_url(self, document) -> str:
        if document.file:
            return self.context["request"].build_absolute_uri(document.file.url)
        return document.url


def _absolute(serializer, view_name: str, **kwargs) -> str:
    return serializer.context["request"].build_absolute_uri(reverse(view_name, kwargs=kwargs))


class StructureSerializer(serializers.ModelSerializer):
    legal_form = ReferentialSerializer()
    commune = TerritorySerializer(allow_null=True)
    territories = TerritorySerializer(many=True, help_text="Territory served.")
    networks = NetworkRefSerializer(many=True)
    web_url = serializers.SerializerMethodField(help_text="The structure's public page.")

    class Meta:
        model = Structure
        fields = [
            "uuid",
            "slug",
            "name",
            "legal_form",
            "siret",
            "address",
            "postal_code",
            "city",
            "commune",
            "website",
            "email",
            "phone",
            "contact_name",
            "opening_hours",
            "summary",
            "positioning",
            "logo",
            "territories",
            "networks",
            "web_url",
            "updated_at",
        ]

    def get_web_url(self, structure) -> str:
        return _absolute(self, "directory:structure", slug=structure.slug)


class OfferSerializer(serializers.ModelSerializer):
    structure = StructureRefSerializer()
    stages = StageRefSerializer(many=True)
    format = ReferentialSerializer()
    audiences = ReferentialSerializer(many=True)
    access_modes = ReferentialSerializer(many=True)
    reception_modes = ReferentialSerializer(many=True)
    territories = TerritorySerializer(
        many=True, help_text="Territory served; empty: the structure's whole territory."
    )
    documents = DocumentSerializer(many=True)
    upcoming_sessions = SessionRefSerializer(
        many=True, help_text="Sessions that have not ended yet, soonest first."
    )
    web_url = serializers.SerializerMethodField(help_text="The offer's public page.")

    class Meta:
        model = Offer
        fields = [
            "uuid",
            "slug",
            "title",
            "summary",
            "description",
            "structure",
            "stages",
            "format",
            "duration",
            "duration_weeks",
            "hours_per_week",
            "selection_mode",
            "capacity",
            "audiences",
            "audience_details",
            "prerequisites",
            "is_free",
            "cost_details",
            "funding",
            "access_modes",
            "reception_modes",
            "how_to_apply",
            "territories",
            "contact_name",
            "contact_email",
            "contact_phone",
            "external_url",
            "documents",
            "upcoming_sessions",
            "web_url",
            "updated_at",
        ]

    def get_web_url(self, offer) -> str:
        return _absolute(self, "directory:offer", slug=offer.structure.slug, offer_slug=offer.slug)


class StageSerializer(serializers.ModelSerializer):
    network = NetworkRefSerializer()
    questions = serializers.ListField(
        source="question_list",
        child=serializers.CharField(),
        help_text="The questions project holders typically ask at this stage.",
    )
    offer_count = serializers.IntegerField(help_text="Published offers placed on this stage.")
    web_url = serializers.SerializerMethodField(help_text="The stage's public page.")

    class Meta:
        model = Stage
        fields = [
            "id",
            "network",
            "position",
            "slug",
            "name",
            "summary",
            "questions",
            "di_thematiques",
            "offer_count",
            "web_url",
            "updated_at",
        ]

    def get_web_url(self, stage) -> str:
        return _absolute(self, "directory:stage", slug=stage.network.slug, stage_slug=stage.slug)


class SessionSerializer(serializers.ModelSerializer):
    offer = OfferRefSerializer()
    structure = StructureRefSerializer(source="offer.structure")
    commune = TerritorySerializer(allow_null=True)

    class Meta:
        model = OfferSession
        fields = [
            "uuid",
            "offer",
            "structure",
            "starts_on",
            "ends_on",
            "place",
            "commune",
            "capacity",
            "application_deadline",
            "updated_at",
        ]


# --- Filters -----------------------------------------------------------------------------------


class TerritoryCodeField(forms.CharField):
    """A territory reference ("13055", "13", "200054807", "region:93") cleaned into a Territory;
    an unknown one is a translated error (HTTP 400)."""

    def clean(self, value):
        value = super().clean(value)
        return territories_by_codes([value])[0] if value else None


class TerritoryFilter(filters.CharFilter):
    field_class = TerritoryCodeField


TERRITORY_HELP = (
    "INSEE code of a commune or arrondissement (13055, 13201), SIREN of an EPCI, code of a "
    "département (13), or region:CODE for a region (region:93). Keeps what serves that territory "
    "(or names no territory)."
)
SEARCH_HELP = "Words to find in names and descriptions (accents and case ignored)."


def _only(queryset, matching):
    """Keep the rows of `queryset` that are in `matching` (no duplicate rows from joins)."""
    return queryset.filter(pk__in=matching.values("pk"))


def _serving(model, territory):
    ids = selectors.containing_territory_ids(territory)
    return model.objects.filter(Q(territories__in=ids) | Q(territories__isnull=True)).values("pk")


class StructureFilter(filters.FilterSet):
    network = filters.ModelChoiceFilter(
        queryset=Network.objects.all(),
        to_field_name="slug",
        field_name="networks",
        method="filter_network",
        help_text=("Slug of a network the structure belongs to."),
    )
    legal_form = filters.ModelChoiceFilter(
        queryset=LegalForm.objects.all(),
        to_field_name="code",
        field_name="legal_form",
        help_text=("Code of a legal form (association, scic…)."),
    )
    territory = TerritoryFilter(method="filter_territory", help_text=TERRITORY_HELP)
    search = filters.CharFilter(method="filter_search", help_text=SEARCH_HELP)

    class Meta:
        model = Structure
        fields = []

    def filter_network(self, queryset, name, value):
        return _only(queryset, Structure.objects.filter(networks=value))

    def filter_territory(self, queryset, name, value):
        return queryset.filter(pk__in=_serving(Structure, value))

    def filter_search(self, queryset, name, value):
        return selectors.matching_text(queryset, value)


class OfferFilter(filters.FilterSet):
    network = filters.ModelChoiceFilter(
        queryset=Network.objects.all(),
        to_field_name="slug",
        field_name="stages__network",
        method="filter_network",
        help_text=("Slug of a network: offers placed on one of its stages."),
    )
    stage = filters.ModelChoiceFilter(
        queryset=Stage.objects.all(),
        field_name="stages",
        method="filter_stage",
        help_text=("Id of a stage the offer is placed on."),
    )
    structure = filters.ModelChoiceFilter(
        queryset=Structure.objects.all(),
        to_field_name="slug",
        field_name="structure",
        help_text=("Slug of the structure running the offer."),
    )
    format = filters.ModelChoiceFilter(
        queryset=OfferFormat.objects.all(),
        to_field_name="code",
        field_name="format",
        help_text=("Code of an offer format."),
    )
    audience = filters.ModelChoiceFilter(
        queryset=Audience.objects.all(),
        to_field_name="code",
        field_name="audiences",
        method="filter_audience",
        help_text=("Code of an audience the offer is open to."),
    )
    free = filters.BooleanFilter(field_name="is_free", help_text=("Free of charge."))
    has_upcoming_session = filters.BooleanFilter(
        method="filter_upcoming", help_text=("Has a session starting today or later.")
    )
    territory = TerritoryFilter(method="filter_territory", help_text=TERRITORY_HELP)
    search = filters.CharFilter(method="filter_search", help_text=SEARCH_HELP)

    class Meta:
        model = Offer
        fields = []

    def filter_network(self, queryset, name, value):
        return _only(queryset, Offer.objects.filter(stages__network=value))

    def filter_stage(self, queryset, name, value):
        return _only(queryset, Offer.objects.filter(stages=value))

    def filter_audience(self, queryset, name, value):
        return _only(queryset, Offer.objects.filter(audiences=value))

    def filter_upcoming(self, queryset, name, value):
        upcoming = Offer.objects.filter(sessions__starts_on__gte=timezone.localdate())
        return _only(queryset, upcoming) if value else queryset.exclude(pk__in=upcoming)

    def filter_territory(self, queryset, name, value):
        return _only(queryset, selectors.serving_territory(Offer.objects.all(), value))

    def filter_search(self, queryset, name, value):
        return selectors.matching_text(queryset, value)


class StageFilter(filters.FilterSet):
    network = filters.ModelChoiceFilter(
        queryset=Network.objects.all(),
        to_field_name="slug",
        field_name="network",
        help_text=("Slug of the network."),
    )

    class Meta:
        model = Stage
        fields = []


class SessionFilter(filters.FilterSet):
    offer = filters.ModelChoiceFilter(
        queryset=Offer.objects.filter(is_published=True),
        to_field_name="uuid",
        field_name="offer",
        help_text=("Stable identifier (uuid) of the offer."),
    )
    structure = filters.ModelChoiceFilter(
        queryset=Structure.objects.all(),
        to_field_name="slug",
        field_name="offer__structure",
        help_text=("Slug of the structure."),
    )

    class Meta:
        model = OfferSession
        fields = []


# "from" and "to" are Python keywords: declared here rather than as class attributes.
SessionFilter.base_filters["from"] = filters.DateFilter(
    field_name="ends_on", lookup_expr="gte", help_text=("Sessions ending on or after this date.")
)
SessionFilter.base_filters["to"] = filters.DateFilter(
    field_name="starts_on", lookup_expr="lte", help_text=("Sessions starting on or before it.")
)


# --- Views -------------------------------------------------------------------------------------


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class FormatIsAFilterNegotiation(DefaultContentNegotiation):
    """`?format=` filters offers by format here, rather than choosing DRF's renderer (the API
    answers JSON only)."""

    class settings:
        URL_FORMAT_OVERRIDE = None


class PublicReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    # Public data: no login; the URLs are also marked login_not_required (api_urls.py).
    permission_classes = [AllowAny]
    content_negotiation_class = FormatIsAFilterNegotiation
    pagination_class = Pagination
    filter_backends = [filters.DjangoFilterBackend]


def _territories():
    return Prefetch("territories", queryset=Territory.objects.order_by("kind", "name"))


@extend_schema_view(
    list=extend_schema(summary="Structures of the networks", tags=["directory"]),
    retrieve=extend_schema(summary="One structure", tags=["directory"]),
)
class StructureViewSet(PublicReadOnlyViewSet):
    serializer_class = StructureSerializer
    filterset_class = StructureFilter
    lookup_field = "slug"

    def get_queryset(self):
        return (
            Structure.objects.filter(pk__in=selectors.public_structures().values("pk"))
            .select_related("legal_form", "commune")
            .prefetch_related(
                _territories(), Prefetch("networks", Network.objects.order_by("name"))
            )
            .order_by("name")
        )


@extend_schema_view(
    list=extend_schema(summary="Published offers", tags=["directory"]),
    retrieve=extend_schema(summary="One published offer", tags=["directory"]),
)
class OfferViewSet(PublicReadOnlyViewSet):
    serializer_class = OfferSerializer
    filterset_class = OfferFilter
    lookup_field = "uuid"

    def get_queryset(self):
        today = timezone.localdate()
        return (
            selectors.published_offers(today)
            .prefetch_related(
                Prefetch(
                    "stages",
                    Stage.objects.select_related("network").order_by("network__name", "position"),
                ),
                Prefetch("audiences", Audience.objects.order_by("position", "code")),
                Prefetch("access_modes", AccessMode.objects.order_by("position", "code")),
                Prefetch("reception_modes", ReceptionMode.objects.order_by("position", "code")),
                _territories(),
                "documents",
                Prefetch(
                    "sessions",
                    selectors.upcoming_sessions(today),
                    to_attr="upcoming_sessions",
                ),
            )
            .order_by("structure__name", "title")
        )


@extend_schema_view(
    list=extend_schema(summary="Stages of the networks' pathways", tags=["directory"]),
    retrieve=extend_schema(summary="One stage", tags=["directory"]),
)
class StageViewSet(PublicReadOnlyViewSet):
    serializer_class = StageSerializer
    filterset_class = StageFilter

    def get_queryset(self):
        return (
            Stage.objects.select_related("network")
            .annotate(offer_count=Count("offers", filter=Q(offers__is_published=True)))
            .order_by("network__name", "position")
        )


@extend_schema_view(
    list=extend_schema(summary="Sessions of published offers", tags=["directory"]),
    retrieve=extend_schema(summary="One session", tags=["directory"]),
)
class SessionViewSet(PublicReadOnlyViewSet):
    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    lookup_field = "uuid"

    def get_queryset(self):
        return (
            OfferSession.objects.filter(offer__is_published=True)
            .select_related("offer__structure", "commune")
            .order_by("starts_on", "pk")
        )
