"""A radar drawn on the server (SVG), always shown beside its table (the table is its accessible
alternative and carries every figure). Each axis is scaled between its own bounds."""

import math
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.translation import gettext as _

# Two series at most (before/after, self/committee): colours with AA contrast on white.
COLOURS = ("#1f5fa8", "#b34700")
# Wider than high: the axis labels (up to 28 characters) sit left and right of the radar.
WIDTH, SIZE, RADIUS = 700, 420, 140


@dataclass(frozen=True)
class Axis:
    label: str
    low: Decimal | None
    high: Decimal | None


def _ratio(value, axis: Axis) -> float | None:
    if value is None or axis.low is None or axis.high is None or axis.high == axis.low:
        return None
    return max(0.0, min(1.0, float((value - axis.low) / (axis.high - axis.low))))


def _point(index: int, count: int, ratio: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return (
        WIDTH / 2 + RADIUS * ratio * math.cos(angle),
        SIZE / 2 + RADIUS * ratio * math.sin(angle),
    )


def radar_svg(title: str, axes: list[Axis], series: list[tuple[str, list]]) -> str:
    """`series`: (name, one value per axis or None). A value left empty is not drawn."""
    count = len(axes)
    if count < 3:
        return ""
    label = _("%(title)s: radar; the table beside it gives every figure.") % {"title": title}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {SIZE}" '
        f'width="{WIDTH}" height="{SIZE}" role="img" '
        f'class="radar" aria-label="{escape(label)}">'
    ]
    for level in (0.25, 0.5, 0.75, 1):
        ring = " ".join(
            f"{x:.1f},{y:.1f}" for x, y in (_point(i, count, level) for i in range(count))
        )
        parts.append(f'<polygon points="{ring}" fill="none" stroke="#c8c8c8" stroke-width="1"/>')
    for i, axis in enumerate(axes):
        x, y = _point(i, count, 1)
        parts.append(
            f'<line x1="{WIDTH / 2}" y1="{SIZE / 2}" x2="{x:.1f}" y2="{y:.1f}" stroke="#c8c8c8"/>'
        )
        lx, ly = _point(i, count, 1.22)
        anchor = "middle" if abs(lx - WIDTH / 2) < 10 else ("start" if lx > WIDTH / 2 else "end")
        label = axis.label if len(axis.label) <= 28 else axis.label[:27] + "…"
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="11" text-anchor="{anchor}" '
            f'fill="#222"><title>{escape(axis.label)}</title>{escape(label)}</text>'
        )
    for number, (name, values) in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        points = []
        for i, axis in enumerate(axes):
            ratio = _ratio(values[i], axis)
            if ratio is not None:
                points.append(_point(i, count, ratio))
        if points:
            drawn = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            dash = ' stroke-dasharray="6 3"' if number else ""
            parts.append(
                f'<polygon points="{drawn}" fill="{colour}" fill-opacity="0.12" '
                f'stroke="{colour}" stroke-width="2"{dash}><title>{escape(name)}</title></polygon>'
            )
        parts.append(
            f'<text x="10" y="{SIZE - 10 - 16 * (len(series) - 1 - number)}" font-size="12" '
            f'fill="{colour}">■ {escape(name)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
