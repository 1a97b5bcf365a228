"""The framework's series as a spreadsheet: one row per indicator and year, with its criterion,
dimension, measurement, source and target (the "language of proof": each value with its
indicator and where it comes from)."""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook


def framework_xlsx(framework, tree) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Series")[:31]
    sheet.append(
        [
            _("Dimension"),
            _("Criterion"),
            _("Indicator"),
            _("Measurement"),
            _("Source"),
            _("Unit"),
            _("Target"),
            _("Year"),
            _("Value"),
            _("Comment"),
        ]
    )
    for dimension, criteria in tree:
        for criterion, indicators in criteria:
            for indicator, points in indicators:
                for point in points:
                    sheet.append(
                        [
                            dimension.name,
                            criterion.name,
                            indicator.name,
                            indicator.get_kind_display(),
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
