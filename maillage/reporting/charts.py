"""The charts of a report: data for ECharts in the page, SVG drawn on the server for the PDF.

Every chart is drawn from a table of `tables.py` and shown beside it, which is also its
accessible alternative. Masked figures ("<5") are left out of the drawing, never drawn as a
number: the chart says how many were left out, the table shows them as "<5".
"""

import re
import sys
from dataclasses import dataclass
from html import escape

from django.utils import formats
from django.utils.translation import gettext as _

from . import tables
from .report import Figure, Report


@dataclass(frozen=True)
class Chart:
    key: str  # "flows", "funnel", "acts", "outcomes"
    title: str
    table: tables.Table
    data: dict  # what reports.js draws (JSON), shown figures only
    left_out: int  # masked figures not drawn
    note: str = ""  # how to read the drawing, said under it

    @property
    def script_id(self) -> str:
        return f"chart-data-{self.key}"

    @property
    def has_drawing(self) -> bool:
        """Whether at least one shown figure is above zero (else there is nothing to draw)."""
        data = self.data
        if data["kind"] == "sankey":
            return any(link["value"] > 0 for link in data["links"])
        if data["kind"] == "funnel":
            return any(item["value"] > 0 for item in data["items"])
        if data["kind"] == "months":
            return any(value for value in data["series"][0]["values"])
        return any(value > 0 for value in data["values"])

    @property
    def description(self) -> str:
        """The chart's accessible name: what it shows, and where its figures are."""
        return _("%(title)s: chart; the table beside it gives every figure.") % {
            "title": self.title
        }

    @property
    def left_out_text(self) -> str:
        """Said under the chart when some figures are masked (no number: it would be a count)."""
        if not self.left_out:
            return ""
        return _(
            "Figures under 5 are masked: they are not drawn, and the table shows them as “<5”."
        )


def _shown(figure: Figure) -> bool:
    return not figure.masked and figure.value is not None


def _masked(figure: Figure) -> bool:
    return figure.masked


def flows_chart(report: Report) -> Chart:
    table = tables.flows_table(report)
    sources: dict[str, str] = {}
    targets: dict[str, str] = {}
    links = []
    for flow in report.flows:
        if not _shown(flow.figure):
            continue
        # Sources and targets are distinct nodes, so that A → B and B → A make no cycle.
        source = sources.setdefault(flow.source, f"s{len(sources)}")
        target = targets.setdefault(flow.target, f"t{len(targets)}")
        links.append({"source": source, "target": target, "value": flow.figure.value})
    nodes = [{"name": key, "label": name} for name, key in sources.items()] + [
        {"name": key, "label": name} for name, key in targets.items()
    ]
    return Chart(
        key="flows",
        title=table.title,
        table=table,
        data={"kind": "sankey", "nodes": nodes, "links": links},
        left_out=sum(1 for flow in report.flows if _masked(flow.figure)),
    )


def funnel_chart(report: Report) -> Chart:
    table = tables.funnel_table(report)
    return Chart(
        key="funnel",
        title=table.title,
        table=table,
        data={
            "kind": "funnel",
            "series": _("Persons"),
            "items": [
                {"name": stage, "value": figure.value}
                for stage, figure in report.funnel
                if _shown(figure)
            ],
        },
        left_out=sum(1 for _stage, figure in report.funnel if _masked(figure)),
        # Drawn as one bar per stage (reports.js), not as a funnel: people enter the pathway at
        # any stage, so a later stage may count more persons than an earlier one. The split
        # "entered at this stage / came from an earlier one" is not computed by the report.
        note=_(
            "One bar per stage: the persons accompanied at that stage over the period. People "
            "may enter the pathway at any stage, so a later stage can count more persons than "
            "an earlier one."
        ),
    )


def acts_chart(report: Report) -> Chart:
    table = tables.acts_table(report)
    rows = report.acts_per_month
    return Chart(
        key="acts",
        title=table.title,
        table=table,
        data={
            "kind": "months",
            "labels": [tables.month_label(row.month) for row in rows],
            "series": [
                {
                    "name": _("Acts"),
                    "type": "bar",
                    "values": [row.acts.value if _shown(row.acts) else None for row in rows],
                },
                {
                    "name": _("Hours"),
                    "type": "line",
                    "values": [row.hours.value if _shown(row.hours) else None for row in rows],
                },
            ],
        },
        left_out=sum(_masked(row.acts) + _masked(row.hours) for row in rows),
    )


def outcomes_chart(report: Report) -> Chart:
    table = tables.outcomes_table(report)
    shown = [(label, figure) for label, figure in report.outcomes_by_type if _shown(figure)]
    return Chart(
        key="outcomes",
        title=table.title,
        table=table,
        data={
            "kind": "bars",
            "series": _("Outcomes"),
            "labels": [label for label, _figure in shown],
            "values": [figure.value for _label, figure in shown],
        },
        left_out=sum(1 for _label, figure in report.outcomes_by_type if _masked(figure)),
    )


def report_charts(report: Report) -> tuple[Chart, ...]:
    return (
        flows_chart(report),
        funnel_chart(report),
        acts_chart(report),
        outcomes_chart(report),
    )


# --- SVG for the PDF (WeasyPrint runs no JavaScript) ------------------------------------------

PALETTE = ("#0b5e55", "#8a3b12", "#3b4f9a", "#6b4a00", "#7a2a66", "#2f6b1d")
FONT = "DejaVu Sans, Liberation Sans, sans-serif"


def _number(value) -> str:
    decimals = 0 if isinstance(value, int) else 1
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True)


def _pygal():
    """pygal, imported on first use, without the import hook it adds for its map plugins.

    That hook (`PluginImportFixer`) has no `find_spec`, so every later import in the process
    would raise an ImportWarning; the charts here use no plugin.
    """
    import pygal

    sys.meta_path[:] = [
        finder for finder in sys.meta_path if type(finder).__name__ != "PluginImportFixer"
    ]
    return pygal


def _pygal_config(**extra):
    pygal = _pygal()
    from pygal.style import Style

    style = Style(
        background="white",
        plot_background="white",
        foreground="#1e1e24",
        foreground_strong="#1e1e24",
        foreground_subtle="#767676",
        colors=PALETTE,
        font_family=FONT,
        label_font_size=11,
        major_label_font_size=11,
        value_font_size=11,
        value_label_font_size=11,
        legend_font_size=11,
        title_font_size=13,
    )
    options = {
        "style": style,
        "js": [],  # no script: the PDF runs none, and the page never loads these SVGs
        "disable_xml_declaration": True,
        "width": 640,
        "height": 300,
        # Values are printed on the bars; no axis of numbers, so no tick reads as a count.
        "print_values": True,
        "show_y_labels": False,
        "show_minor_y_labels": False,
        "show_y_guides": False,
        "formatter": _number,
        "margin": 8,
    }
    return pygal.Config(**{**options, **extra})


# pygal swaps the axes of horizontal bars: the categories are its "x" labels, drawn on the left.
HORIZONTAL = {
    "show_legend": False,
    "show_x_labels": False,
    "show_y_labels": True,
    "show_x_guides": False,
    "show_y_guides": False,
    "show_minor_y_labels": True,
    "show_minor_x_labels": False,
}


SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def _pygal_svg(chart_class, config, labels, series) -> str:
    drawing = chart_class(config)
    drawing.x_labels = labels
    for name, values in series:
        drawing.add(name, values)
    # pygal embeds its configuration for its own tooltips script: a PDF needs neither.
    return SCRIPT.sub("", drawing.render(is_unicode=True))


def _funnel_svg(chart: Chart) -> str:
    pygal = _pygal()

    items = chart.data["items"]
    config = _pygal_config(**HORIZONTAL, height=max(120, 40 * len(items) + 40))
    return _pygal_svg(
        pygal.HorizontalBar,
        config,
        [item["name"] for item in items][::-1],
        [(chart.data["series"], [item["value"] for item in items][::-1])],
    )


def _outcomes_svg(chart: Chart) -> str:
    pygal = _pygal()

    labels = chart.data["labels"]
    config = _pygal_config(**HORIZONTAL, height=max(120, 34 * len(labels) + 40))
    return _pygal_svg(
        pygal.HorizontalBar,
        config,
        labels[::-1],
        [(chart.data["series"], chart.data["values"][::-1])],
    )


def _acts_svg(chart: Chart) -> str:
    """Acts per month as bars with their numbers (the hours are in the table beside)."""
    pygal = _pygal()

    acts = chart.data["series"][0]
    config = _pygal_config(show_legend=False, x_label_rotation=40, height=320)
    config.style.value_font_size = 9
    return _pygal_svg(pygal.Bar, config, chart.data["labels"], [(acts["name"], acts["values"])])


MIN_LABELLED_BAND = 11  # px: the height of a number in the drawing


def _sankey_svg(chart: Chart, width: int = 640) -> str:
    """A Sankey of the referrals between structures, drawn by hand (pygal has none).

    Sources on the left, targets on the right, one band per flow whose thickness is its number
    of referrals; each band is labelled with that number.
    """
    links = [link for link in chart.data["links"] if link["value"] > 0]
    if not links:
        return ""
    used = {link["source"] for link in links} | {link["target"] for link in links}
    nodes = {node["name"]: node["label"] for node in chart.data["nodes"] if node["name"] in used}
    gap, label_width, node_width, band_scale_height = 10, 170, 12, 24 * len(links) + 120
    left_ids = [key for key in nodes if key.startswith("s")]
    # Targets in the order of the sources that feed them (weighted), so that bands cross less.
    rank = {key: index for index, key in enumerate(left_ids)}

    def barycentre(target):
        feeding = [link for link in links if link["target"] == target]
        weight = sum(link["value"] for link in feeding)
        return sum(rank[link["source"]] * link["value"] for link in feeding) / weight

    right_ids = sorted((key for key in nodes if key.startswith("t")), key=barycentre)
    total = sum(link["value"] for link in links)
    usable = band_scale_height - gap * (max(len(left_ids), len(right_ids)) - 1)
    scale = usable / total
    height = band_scale_height + 20

    def layout(ids, end):
        sizes = {key: sum(link["value"] for link in links if link[end] == key) for key in ids}
        positions, y = {}, 10
        for key in ids:
            positions[key] = y
            y += sizes[key] * scale + gap
        return positions, sizes

    left_y, left_size = layout(left_ids, "source")
    right_y, right_size = layout(right_ids, "target")
    x_left = label_width
    x_right = width - label_width - node_width
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sankey" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="{FONT}" font-size="11">'
    ]
    # Bands leave a source in the order of their targets and reach a target in the order of
    # their sources, so that they do not cross more than they must.
    starts, ends = {}, {}
    offset = dict.fromkeys(left_ids, 0.0)
    for index in sorted(range(len(links)), key=lambda i: right_y[links[i]["target"]]):
        starts[index] = left_y[links[index]["source"]] + offset[links[index]["source"]]
        offset[links[index]["source"]] += links[index]["value"] * scale
    offset = dict.fromkeys(right_ids, 0.0)
    for index in sorted(range(len(links)), key=lambda i: left_y[links[i]["source"]]):
        ends[index] = right_y[links[index]["target"]] + offset[links[index]["target"]]
        offset[links[index]["target"]] += links[index]["value"] * scale
    for index, link in enumerate(links):
        thickness = link["value"] * scale
        y0, y1 = starts[index], ends[index]
        x0, x1 = x_left + node_width, x_right
        middle = (x0 + x1) / 2
        colour = PALETTE[index % len(PALETTE)]
        parts.append(
            f'<path d="M{x0},{y0:.1f} C{middle},{y0:.1f} {middle},{y1:.1f} {x1},{y1:.1f} '
            f"L{x1},{y1 + thickness:.1f} C{middle},{y1 + thickness:.1f} {middle},"
            f'{y0 + thickness:.1f} {x0},{y0 + thickness:.1f} Z" fill="{colour}" '
            f'fill-opacity="0.45" stroke="{colour}" stroke-width="0.5"/>'
        )
        # The number where the band leaves its source: bands do not overlap there. A band too
        # thin for its number keeps it in the table only.
        if thickness >= MIN_LABELLED_BAND:
            parts.append(
                f'<text x="{x0 + 5}" y="{y0 + thickness / 2 + 4:.1f}" fill="#1e1e24">'
                f"{escape(_number(link['value']))}</text>"
            )
    for key in left_ids:
        y, size = left_y[key], left_size[key] * scale
        parts.append(
            f'<rect x="{x_left}" y="{y:.1f}" width="{node_width}" height="{size:.1f}" '
            f'fill="#0b5e55"/>'
            f'<text x="{x_left - 6}" y="{y + size / 2 + 4:.1f}" text-anchor="end" '
            f'fill="#1e1e24">{escape(nodes[key])}</text>'
        )
    for key in right_ids:
        y, size = right_y[key], right_size[key] * scale
        parts.append(
            f'<rect x="{x_right}" y="{y:.1f}" width="{node_width}" height="{size:.1f}" '
            f'fill="#8a3b12"/>'
            f'<text x="{x_right + node_width + 6}" y="{y + size / 2 + 4:.1f}" '
            f'fill="#1e1e24">{escape(nodes[key])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


SVG_DRAWERS = {
    "flows": _sankey_svg,
    "funnel": _funnel_svg,
    "acts": _acts_svg,
    "outcomes": _outcomes_svg,
}


def chart_svg(chart: Chart) -> str:
    """The chart as an SVG document (empty when nothing can be drawn)."""
    if not chart.has_drawing:
        return ""
    return SVG_DRAWERS[chart.key](chart)
