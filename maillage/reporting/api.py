"""The reports' JSON API: every indicator of the catalogue, by code, as a reader may see it.

`GET /api/v1/reports/indicators?network=<slug>&from=YYYY-MM-DD&to=YYYY-MM-DD` (plus `structure`,
`offer`, `stage`, `territory`) returns the same `Report` as the pages and the exports
(`selectors.build_report`), so other tools read the same figures: value, unit, display, masking,
the previous period and the breakdowns. Browser session only (coordinators, funders, structure
admins); invalid filters are a 400 with translated messages by field, a scope the caller may not
read a 403.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from maillage.accounts.rules import can
from maillage.directory.models import Offer

from .forms import ReportFilterForm, offer_value, territory_value
from .masking import masking_rule_text
from .report import Figure, Report
from .selectors import build_report

# --- Serializers (the documented shape) ---------------------------------------------------------


class FigureSerializer(serializers.Serializer):
    value = serializers.FloatField(
        allow_null=True, help_text="The number; null when masked or not computable."
    )
    display = serializers.CharField(help_text='As shown to readers: "12", "37,5 %", "<5", "—".')
    masked = serializers.BooleanField(help_text="Hidden for this reader (small counts).")


class BreakdownRowSerializer(FigureSerializer):
    label = serializers.CharField(help_text="Category, in the language of the request.")


class IndicatorSerializer(FigureSerializer):
    label = serializers.CharField()
    unit = serializers.CharField(
        help_text="persons, acts, hours, applications, referrals, outcomes, percent, ratio, days"
    )
    definition = serializers.CharField(help_text="What is counted, in words.")
    formula = serializers.CharField()
    previous = FigureSerializer(
        allow_null=True, help_text="The same figure over the period just before."
    )
    breakdowns = serializers.DictField(
        child=BreakdownRowSerializer(many=True),
        help_text="By dimension code (gender, age_band, structure…): the rows in order.",
    )


class AssessmentResultSerializer(serializers.Serializer):
    instrument = serializers.CharField()
    criterion = serializers.CharField()
    assessed = FigureSerializer(help_text="People assessed before and after on the criterion.")
    progressed = FigureSerializer(help_text="People whose score rose.")
    share = FigureSerializer(help_text="Percent of the people assessed who progressed.")


class FiltersSerializer(serializers.Serializer):
    network = serializers.CharField()
    structure = serializers.CharField(allow_null=True)
    offer = serializers.CharField(allow_null=True)
    stage = serializers.CharField(allow_null=True)
    territory = serializers.CharField(allow_null=True)
    vars()["from"] = serializers.DateField()
    to = serializers.DateField()


class ReportSerializer(serializers.Serializer):
    filters = FiltersSerializer()
    masked = serializers.BooleanField(help_text="Small counts are masked for this reader.")
    masking_rule = serializers.CharField()
    indicators = serializers.DictField(child=IndicatorSerializer(), help_text="By code.")
    assessment_results = AssessmentResultSerializer(
        many=True,
        help_text="Before/after assessments of the scope's cohorts, per instrument and criterion.",
    )


# --- Rendering -----------------------------------------------------------------------------------


def figure_data(figure: Figure) -> dict:
    return {"value": figure.value, "display": figure.display, "masked": figure.masked}


def ambiguous_slugs(filters) -> set[str]:
    """The offer's slug when another offer of the network has it too (one query)."""
    offer = filters.offer
    others = Offer.objects.filter(structure__networks=filters.network, slug=offer.slug)
    return {offer.slug} if others.exclude(pk=offer.pk).exists() else set()


def report_data(report: Report) -> dict:
    """The JSON of a report (also what an export may write as JSON)."""
    f = report.filters
    return {
        "filters": {
            "network": f.network.slug,
            "from": f.date_from.isoformat(),
            "to": f.date_to.isoformat(),
            "structure": f.structure.slug if f.structure else None,
            "offer": offer_value(f.offer, ambiguous_slugs(f)) if f.offer else None,
            "stage": f.stage.slug if f.stage else None,
            "territory": territory_value(f.territory) if f.territory else None,
        },
        "masked": report.masked,
        "masking_rule": masking_rule_text(),
        "indicators": {
            code: {
                "label": item.label,
                "unit": item.unit,
                "definition": item.definition,
                "formula": item.formula,
                **figure_data(item.value),
                "previous": figure_data(item.previous) if item.previous else None,
                "breakdowns": {
                    breakdown.dimension: [
                        {"label": label, **figure_data(figure)} for label, figure in breakdown.rows
                    ]
                    for breakdown in item.breakdowns
                },
            }
            for code, item in report.indicators.items()
        },
        "assessment_results": [
            {
                "instrument": row.instrument,
                "criterion": row.criterion,
                "assessed": figure_data(row.assessed),
                "progressed": figure_data(row.progressed),
                "share": figure_data(row.share),
            }
            for row in report.assessment_results
        ],
    }


class ReadsReports(permissions.BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated) and can(
            request.user, "view_reports"
        )


def _param(name, description, **kwargs):
    return OpenApiParameter(name, str, OpenApiParameter.QUERY, description=description, **kwargs)


class IndicatorsView(APIView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [ReadsReports]

    @extend_schema(
        summary="Every indicator of a report",
        description=(
            "The indicators of the catalogue for a network (or one of its structures) over a "
            "period, with the previous period of the same length and the breakdowns. Counts "
            'from 1 to 4 are masked ("<5") for coordinators and funders.'
        ),
        tags=["reports"],
        parameters=[
            _param("network", "Slug of the network (default: your only one)."),
            _param("from", "First day, YYYY-MM-DD (default: 12 full months ago)."),
            _param("to", "Last day, included, YYYY-MM-DD (default: end of last month)."),
            _param("structure", "Slug of a structure of the network."),
            _param("offer", "Slug of an offer (structure-slug/offer-slug when ambiguous)."),
            _param("stage", "Slug of a stage of the network."),
            _param("territory", "Where people live: département, EPCI or commune code."),
        ],
        responses={200: ReportSerializer},
    )
    def get(self, request):
        form = ReportFilterForm(request.query_params, user=request.user)
        if not form.is_valid():
            errors = {field: list(messages) for field, messages in form.errors.items()}
            raise serializers.ValidationError(errors)
        report = build_report(user=request.user, filters=form.filters())
        return Response(report_data(report))
