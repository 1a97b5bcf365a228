"""The social-utility report for a structure's funders (issue 20, acceptance 3): the "language of
proof" of seed 004 II-2 — each claim (a criterion agreed with the stakeholders) with the
indicators that support it, each indicator with how it is measured, its source, its target and
its series, and for the figures drawn from Maillage the report's own definition.

Made by the framework's owner, read by funders: computed figures are therefore masked as a funder
reads them (`framework_tree(..., for_funders=True)`), whoever makes the document. PDF by
WeasyPrint (no outside resource, like the brochure and the reports), XLSX by openpyxl.
"""

from dataclasses import dataclass
from io import BytesIO

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from maillage.reporting.catalogue import indicator as report_indicator
from maillage.reporting.pdf import html_to_pdf

from ..models import MeasurementKind
from .selectors import chart


@dataclass(frozen=True)
class Evidence:
    """One indicator under a claim, with what makes it a proof."""

    indicator: object
    points: list
    drawing: dict
    measured: str  # how it is measured, in words
    definition: str  # the report's definition for a computed figure, else ""


@dataclass(frozen=True)
class Claim:
    dimension: object
    criterion: object
    evidence: list


def claims(tree) -> list[Claim]:
    found = []
    for dimension, criteria in tree:
        for criterion, indicators in criteria:
            evidence = []
            for indicator, points in indicators:
                definition = ""
                if indicator.kind == MeasurementKind.COMPUTED:
                    spec = report_indicator(indicator.report_code)
                    measured = _("computed from Maillage's records: %(indicator)s") % {
                        "indicator": spec.label
                    }
                    definition = spec.definition
                elif indicator.kind == MeasurementKind.ASSESSMENT:
                    measured = _(
                        "computed from the assessments with the instrument “%(instrument)s”: "
                        "%(score)s%(key)s, %(aggregate)s of the year"
                    ) % {
                        "instrument": indicator.instrument.code,
                        "score": indicator.get_score_part_display(),
                        "key": f" “{indicator.score_key}”" if indicator.score_key else "",
                        "aggregate": indicator.get_aggregate_display().lower(),
                    }
                else:
                    measured = _("entered each year by the owner of the framework")
                evidence.append(
                    Evidence(
                        indicator=indicator,
                        points=points,
                        drawing=chart(points, indicator.target),
                        measured=measured,
                        definition=definition,
                    )
                )
            found.append(Claim(dimension=dimension, criterion=criterion, evidence=evidence))
    return found


def render_html(framework, tree, years) -> str:
    return render_to_string(
        "territory/framework_proof.html",
        {
            "framework": framework,
            "claims": claims(tree),
            "years": years,
            "generated_on": timezone.localdate(),
        },
    )


def proof_pdf(framework, tree, years, *, base_url: str) -> bytes:
    return html_to_pdf(render_html(framework, tree, years), base_url=base_url)


def proof_xlsx(framework, tree) -> bytes:
    """One row per claim, indicator and year: the claim, the indicator, how it is measured and
    its definition, the source, the target and the value (as a funder reads it)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Social utility")[:31]
    sheet.append([framework.title])
    sheet["A1"].font = Font(bold=True)
    sheet.append([str(framework.owner)])
    sheet.append([])
    sheet.append(
        [
            _("Dimension"),
            _("Claim"),
            _("Indicator"),
            _("How it is measured"),
            _("Definition"),
            _("Source"),
            _("Unit"),
            _("Target"),
            _("Year"),
            _("Value"),
            _("Comment"),
        ]
    )
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    for claim in claims(tree):
        for evidence in claim.evidence:
            indicator = evidence.indicator
            for point in evidence.points:
                sheet.append(
                    [
                        claim.dimension.name,
                        claim.criterion.name,
                        indicator.name,
                        evidence.measured,
                        evidence.definition,
                        indicator.source,
                        indicator.unit,
                        indicator.target,
                        point.year,
                        point.value if point.value is not None else point.display,
                        point.comment,
                    ]
                )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
