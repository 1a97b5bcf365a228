"""A budget readable by all: lines rolled up, the chart of planned vs actual and of where the
money comes from, and the XLSX round trip (openpyxl writes, python-calamine reads)."""

import base64
import io
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from maillage.accounts.rules import can
from maillage.core.exports import FORMULA_TRIGGERS, Sheet, xlsx_workbook
from maillage.directory.models import Structure

from . import services
from .models import Budget, BudgetLine, ContributionKind, Decision

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass
class Row:
    line: BudgetLine
    depth: int
    planned: Decimal
    committed: Decimal = ZERO
    actual: Decimal = ZERO
    children: list["Row"] = field(default_factory=list)
    children_planned: Decimal = ZERO

    @property
    def indent(self) -> str:
        return "— " * self.depth


@dataclass
class Rollup:
    rows: list[Row]  # depth-first, for the table
    top: list[Row]
    planned: Decimal
    committed: Decimal
    actual: Decimal


def rollup(budget: Budget) -> Rollup:
    """Each line with committed and actual rolled up from its sub-lines (a leaf: its own)."""
    lines = list(budget.lines.select_related("decision__item__meeting").order_by("code"))
    by_parent: dict[int | None, list[BudgetLine]] = {}
    for line in lines:
        by_parent.setdefault(line.parent_id, []).append(line)

    def build(line, depth):
        row = Row(line=line, depth=depth, planned=line.planned)
        row.children = [build(child, depth + 1) for child in by_parent.get(line.pk, [])]
        if row.children:
            row.committed = sum((c.committed for c in row.children), ZERO)
            row.actual = sum((c.actual for c in row.children), ZERO)
            row.children_planned = sum((c.planned for c in row.children), ZERO)
        else:
            row.committed, row.actual = line.committed, line.actual
        return row

    top = [build(line, 0) for line in by_parent.get(None, [])]
    flat: list[Row] = []

    def walk(rows):
        for row in rows:
            flat.append(row)
            walk(row.children)

    walk(top)
    return Rollup(
        rows=flat,
        top=top,
        planned=sum((r.planned for r in top), ZERO),
        committed=sum((r.committed for r in top), ZERO),
        actual=sum((r.actual for r in top), ZERO),
    )


def contributions_by_structure(budget: Budget) -> list[dict]:
    """One row per structure: its value per kind and in total."""
    table: dict[str, dict] = {}
    for contribution in budget.contributions.select_related("structure"):
        row = table.setdefault(
            contribution.structure.name,
            {"structure": contribution.structure.name, "total": ZERO}
            | dict.fromkeys(ContributionKind.values, ZERO),
        )
        row[contribution.kind] += contribution.amount
        row["total"] += contribution.amount
    return sorted(table.values(), key=lambda row: row["structure"])


# --- Charts -------------------------------------------------------------------------------------

PALETTE = ("#0b5e55", "#8a3b12", "#3b4f9a", "#6b4a00", "#7a2a66", "#2f6b1d")
SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def _pygal():
    """pygal without the import hook it adds for its map plugins (as reporting.charts does)."""
    import pygal

    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]
    return pygal


def _config(**extra):
    pygal = _pygal()
    from pygal.style import Style

    style = Style(
        background="white",
        plot_background="white",
        foreground="#1e1e24",
        foreground_strong="#1e1e24",
        foreground_subtle="#767676",
        colors=PALETTE,
        font_family="DejaVu Sans, Liberation Sans, sans-serif",
        label_font_size=11,
        major_label_font_size=11,
        value_font_size=11,
        legend_font_size=11,
    )
    options = {
        "style": style,
        "js": [],
        "disable_xml_declaration": True,
        "width": 640,
        "height": 300,
        "print_values": True,
        "formatter": lambda value: formats.number_format(value, decimal_pos=0, use_l10n=True),
        "margin": 8,
    }
    return pygal.Config(**{**options, **extra})


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def planned_vs_actual_svg(summary: Rollup) -> str:
    pygal = _pygal()
    chart = pygal.HorizontalBar(_config(legend_at_bottom=True))
    chart.x_labels = [row.line.label for row in summary.top]
    chart.add(_("Planned"), [float(row.planned) for row in summary.top])
    chart.add(_("Actual"), [float(row.actual) for row in summary.top])
    return _data_uri(SCRIPT.sub("", chart.render(is_unicode=True)))


def sources_svg(rows: list[dict]) -> str:
    pygal = _pygal()
    chart = pygal.Pie(_config(legend_at_bottom=True, inner_radius=0.4))
    for row in rows:
        chart.add(row["structure"], float(row["total"]))
    return _data_uri(SCRIPT.sub("", chart.render(is_unicode=True)))


# --- XLSX ---------------------------------------------------------------------------------------

LINE_HEADER = ("code", "parent", "label", "planned", "committed", "actual", "decision")
CONTRIBUTION_HEADER = ("structure", "kind", "amount", "currency", "quantity", "description")
LINES_SHEET = "lines"
CONTRIBUTIONS_SHEET = "contributions"


def export_xlsx(budget: Budget) -> bytes:
    lines = budget.lines.select_related("parent").order_by("code")
    contributions = budget.contributions.select_related("structure").order_by("pk")
    return xlsx_workbook(
        [
            Sheet(
                LINES_SHEET,
                LINE_HEADER,
                (
                    (
                        line.code,
                        line.parent.code if line.parent else "",
                        line.label,
                        line.planned,
                        line.committed,
                        line.actual,
                        line.decision_id or "",
                    )
                    for line in lines
                ),
            ),
            Sheet(
                CONTRIBUTIONS_SHEET,
                CONTRIBUTION_HEADER,
                (
                    (
                        c.structure.slug,
                        c.kind,
                        c.amount,
                        c.currency,
                        c.quantity if c.quantity is not None else "",
                        c.description,
                    )
                    for c in contributions
                ),
            ),
        ]
    )


def _text(value) -> str:
    text = "" if value is None else str(value).strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        text = text[1:]  # our own export's neutralising apostrophe
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    return text


def _amount(value, where: str) -> Decimal:
    if value in (None, ""):
        return ZERO
    try:
        return Decimal(str(value).replace(",", ".").replace(" ", "")).quantize(CENT)
    except ArithmeticError as error:
        raise ValidationError(
            _("%(where)s: “%(value)s” is not an amount.") % {"where": where, "value": value}
        ) from error


def _read(content: bytes) -> dict[str, list[list]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return {name: workbook.get_sheet_by_name(name).to_python() for name in workbook.sheet_names}
    except Exception as error:  # calamine raises its own errors
        raise ValidationError(_("This file is not a readable XLSX workbook.")) from error


def _records(sheets, name, header) -> list[tuple[int, dict]]:
    rows = sheets.get(name)
    if rows is None:
        raise ValidationError(_("The sheet “%(name)s” is missing.") % {"name": name})
    if not rows or [_text(cell) for cell in rows[0][: len(header)]] != list(header):
        raise ValidationError(
            _("The sheet “%(name)s” must start with the columns: %(columns)s.")
            % {"name": name, "columns": ", ".join(header)}
        )
    records = []
    for number, row in enumerate(rows[1:], start=2):
        cells = list(row) + [""] * (len(header) - len(row))
        if all(_text(cell) == "" for cell in cells):
            continue
        records.append((number, dict(zip(header, cells, strict=False))))
    return records


def import_xlsx(*, budget: Budget, content: bytes, by) -> tuple[int, int]:
    """Replace the budget's lines and contributions by the workbook's: all or nothing.

    Every row goes through the services (sub-lines within their parent, the budget's currency);
    the first refusal names its sheet and row and nothing is saved.
    """
    if not can(by, "collab_manage_budget", budget):
        raise PermissionDenied
    sheets = _read(content)
    line_rows = _records(sheets, LINES_SHEET, LINE_HEADER)
    contribution_rows = _records(sheets, CONTRIBUTIONS_SHEET, CONTRIBUTION_HEADER)
    with transaction.atomic():
        budget.contributions.all().delete()
        budget.lines.all().delete()
        saved: dict[str, BudgetLine] = {}
        pending = list(line_rows)
        # Parents first: a row waits until its parent line is saved.
        while pending:
            waiting = []
            for number, record in pending:
                where = _("Sheet “%(sheet)s”, row %(row)s") % {"sheet": LINES_SHEET, "row": number}
                parent_code = _text(record["parent"])
                if parent_code and parent_code not in saved:
                    waiting.append((number, record))
                    continue
                decision = None
                if _text(record["decision"]):
                    decision = Decision.objects.filter(pk=_text(record["decision"])).first()
                    if decision is None:
                        raise ValidationError(
                            _("%(where)s: no decision %(id)s.")
                            % {"where": where, "id": _text(record["decision"])}
                        )
                code = _text(record["code"])
                if not code or code in saved:
                    raise ValidationError(
                        _("%(where)s: each line needs its own code.") % {"where": where}
                    )
                try:
                    saved[code] = services.save_budget_line(
                        budget=budget,
                        code=code,
                        label=_text(record["label"]),
                        planned=_amount(record["planned"], where),
                        committed=_amount(record["committed"], where),
                        actual=_amount(record["actual"], where),
                        parent=saved.get(parent_code),
                        decision=decision,
                        by=by,
                        check_permission=False,
                    )
                except ValidationError as error:
                    raise ValidationError(
                        "%s: %s" % (where, " ".join(error.messages))  # noqa: UP031
                    ) from error
            if len(waiting) == len(pending):
                number = waiting[0][0]
                raise ValidationError(
                    _("Sheet “%(sheet)s”, row %(row)s: the parent line is not in the sheet.")
                    % {"sheet": LINES_SHEET, "row": number}
                )
            pending = waiting
        structures = {
            s.slug: s for s in Structure.objects.filter(networks=budget.network_id).distinct()
        }
        for number, record in contribution_rows:
            where = _("Sheet “%(sheet)s”, row %(row)s") % {
                "sheet": CONTRIBUTIONS_SHEET,
                "row": number,
            }
            structure = structures.get(_text(record["structure"]))
            if structure is None:
                raise ValidationError(
                    _("%(where)s: “%(value)s” is not a structure of the network.")
                    % {"where": where, "value": _text(record["structure"])}
                )
            quantity = _text(record["quantity"])
            try:
                services.add_contribution(
                    budget=budget,
                    structure=structure,
                    kind=_text(record["kind"]),
                    amount=_amount(record["amount"], where),
                    currency=_text(record["currency"]) or None,
                    quantity=Decimal(quantity.replace(",", ".")) if quantity else None,
                    description=_text(record["description"]),
                    by=by,
                    check_permission=False,
                )
            except ValidationError as error:
                raise ValidationError(
                    "%s: %s" % (where, " ".join(error.messages))  # noqa: UP031
                ) from error
    return len(line_rows), len(contribution_rows)
