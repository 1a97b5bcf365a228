"""A family's links as a graph: sheets on a circle, links as lines (an SVG drawn on the server),
with the same links as a table beside it."""

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import selectors
from .models import Family, SheetLink

SIZE = 480
RADIUS = 180


@dataclass
class Graph:
    svg: str
    rows: list[tuple[str, str, str]]  # (from code, type of link, to code)


def family_graph(user, family: Family) -> Graph:
    sheets = list(
        selectors.sheet_visible_to(user)
        .filter(family=family)
        .order_by("code")
        .values_list("pk", "code")
    )
    ids = [pk for pk, _code in sheets]
    links = list(
        SheetLink.objects.filter(source__in=ids, target__in=ids)
        .select_related("link_type", "source", "target")
        .order_by("source__code", "link_type__position", "target__code")
    )
    centre = SIZE / 2
    position = {}
    for index, (pk, code) in enumerate(sheets):
        angle = 2 * math.pi * index / max(len(sheets), 1) - math.pi / 2
        position[pk] = (centre + RADIUS * math.cos(angle), centre + RADIUS * math.sin(angle), code)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" role="img" '
        f'aria-labelledby="graph-title"><title id="graph-title">{escape(family.name)}</title>'
    ]
    for link in links:
        x1, y1, _c = position[link.source_id]
        x2, y2, _c = position[link.target_id]
        parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="#555" stroke-width="1.5"><title>{escape(link.link_type.label)}</title></line>'
        )
    for x, y, code in position.values():
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="#1d4f91"/>'
            f'<text x="{x:.1f}" y="{y - 10:.1f}" text-anchor="middle" font-size="12">'
            f"{escape(code)}</text>"
        )
    parts.append("</svg>")
    rows = [(link.source.code, link.link_type.label, link.target.code) for link in links]
    return Graph(svg=mark_safe("".join(parts)), rows=rows)  # noqa: S308 - every text escaped
