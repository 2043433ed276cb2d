"""The team rollup and its deals as a PDF (QTextDocument printed through QPdfWriter)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from sfa_desktop.core.forecast_wire import DealList, ForecastReport
from sfa_desktop.operations.forecast_export import (
    DEAL_HEADERS,
    HEADERS,
    TEAM_ROW,
    Row,
    deal_table,
    table_rows,
)
from sfa_desktop.ui.common.format import moment

_SHOWN = tuple(
    HEADERS.index(name)  # the columns that fit a landscape page
    for name in (
        "Name",
        "Closed",
        "Commit",
        "Best case",
        "Pipeline",
        "Quota",
        "Rolled-up quota",
        "Attainment",
        "Submitted commit",
        "Adjusted by",
    )
)
_QUOTA, _SOURCE = HEADERS.index("Quota"), HEADERS.index("Quota source")
_ATTAINMENT, _AGAINST = HEADERS.index("Attainment"), HEADERS.index("Attainment against")
_KIND, _ADJUSTED = HEADERS.index("Row"), HEADERS.index("Adjusted")
_ADJUSTABLE = {HEADERS.index(name) for name in ("Commit", "Best case", "Pipeline")}
_DEALS_SHOWN = tuple(
    DEAL_HEADERS.index(name)
    for name in ("Owner", "Deal", "Account", "Stage", "Category", "Close date", "Amount")
)
_TABLE = (
    "<table width='100%' cellspacing='0' cellpadding='4' border='1' "
    "style='border-collapse:collapse; border-color:#dadce0'>"
)
SHADE = "#fef7e0"


def _cell(index: int, row: Row, currency: str) -> str:
    value = row[index]
    if index == _QUOTA and row[_SOURCE] == "none":
        return "—"
    if value is None or value == "":
        return "—"
    if index == _ATTAINMENT and isinstance(value, float):
        basis = row[_AGAINST]
        return f"{value:.1%}" + (" of rolled-up" if basis == "rolled-up quota" else "")
    if isinstance(value, float):
        text = f"{value:,.0f} {currency}"
        if index == _QUOTA and row[_SOURCE] != "set":
            text += f" ({escape(str(row[_SOURCE]))})"
        return text
    return escape(str(value))


def _tree_table(report: ForecastReport) -> str:
    head = "".join(f"<th>{escape(HEADERS[i])}</th>" for i in _SHOWN)
    lines = []
    for row in table_rows(report):
        depth, team = int(row[1] or 0), row[_KIND] == TEAM_ROW
        cells = []
        for i in _SHOWN:
            text = _cell(i, row, report.currency)
            if i == 0:
                text = "&nbsp;" * 4 * depth + text
            if team:
                text = f"<b>{text}</b>"
            shade = f" bgcolor='{SHADE}'" if row[_ADJUSTED] and i in _ADJUSTABLE else ""
            align = "left" if i in (0, HEADERS.index("Adjusted by")) else "right"
            cells.append(f'<td align="{align}"{shade}>{text}</td>')
        lines.append(f"<tr>{''.join(cells)}</tr>")
    return f"{_TABLE}<tr style='background:#f1f3f4'>{head}</tr>{''.join(lines)}</table>"


def _deals_table(deals: DealList) -> str:
    head = "".join(f"<th>{escape(DEAL_HEADERS[i])}</th>" for i in _DEALS_SHOWN)
    amount = DEAL_HEADERS.index("Amount")
    lines = []
    for row in deal_table(deals):
        cells = []
        for i in _DEALS_SHOWN:
            value = row[i]
            if i == amount:
                text = "no rate" if value is None else f"{value:,.2f} {deals.currency}"
                if row[0] == "deal" and row[-1] != deals.currency and value is not None:
                    text += f" (from {row[-2]:,.2f} {row[-1]})"
            else:
                text = escape("" if value is None else str(value))
            if i == DEAL_HEADERS.index("Close date") and row[DEAL_HEADERS.index("Overdue")]:
                text += " (overdue)"
            if row[0] != "deal":
                text = f"<b>{text}</b>"
            cells.append(f'<td align="{"right" if i == amount else "left"}">{text}</td>')
        shade = " style='background:#f1f3f4'" if row[0] != "deal" else ""
        lines.append(f"<tr{shade}>{''.join(cells)}</tr>")
    return f"{_TABLE}<tr style='background:#f1f3f4'>{head}</tr>{''.join(lines)}</table>"


def report_html(report: ForecastReport, note: str = "", deals: DealList | None = None) -> str:
    """The tree (team subtotal rows bold, adjusted figures shaded with who adjusted) and,
    when given, the deals behind it."""
    html = (
        f"<h2>Forecast {escape(report.period)}</h2>"
        f"<p style='color:#5f6368'>Generated {escape(moment(report.generated_at))}"
        f"{' · ' + escape(note) if note else ''}. Amounts adjusted by managers: shaded"
        " figures include an adjustment (Adjusted by says whose). Bold rows are team"
        " subtotals: a manager's own deals and everyone's below.</p>"
        f"{_tree_table(report)}"
    )
    if deals is not None:
        html += (
            f"<h3>Deals ({len(deals.deals)}, {escape(deals.currency)})</h3>"
            "<p style='color:#5f6368'>Each owner's deals, their subtotal (bold), the total"
            " last; the deals' own amounts, unadjusted.</p>"
            f"{_deals_table(deals)}"
        )
    return html


def write_pdf(
    report: ForecastReport, path: Path, note: str = "", deals: DealList | None = None
) -> Path:
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageOrientation(QPageLayout.Orientation.Landscape)
    writer.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter)
    writer.setTitle(f"Forecast {report.period}")
    document = QTextDocument()
    document.setHtml(report_html(report, note, deals))
    document.print_(writer)
    return path
