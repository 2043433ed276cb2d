"""The team rollup as a PDF page (QTextDocument printed through QPdfWriter)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from sfa_desktop.core.forecast_wire import ForecastReport
from sfa_desktop.operations.forecast_export import HEADERS, Row, table_rows
from sfa_desktop.ui.format import moment

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
    )
)
_QUOTA, _SOURCE = HEADERS.index("Quota"), HEADERS.index("Quota source")
_ATTAINMENT, _AGAINST = HEADERS.index("Attainment"), HEADERS.index("Attainment against")


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


def report_html(report: ForecastReport, note: str = "") -> str:
    head = "".join(f"<th>{escape(HEADERS[i])}</th>" for i in _SHOWN)
    lines = []
    for row in table_rows(report):
        depth = int(row[1] or 0)
        cells = []
        for i in _SHOWN:
            text = _cell(i, row, report.currency)
            if i == 0:
                text = "&nbsp;" * 4 * depth + (f"<b>{text}</b>" if depth == 0 else text)
            align = "left" if i == 0 else "right"
            cells.append(f'<td align="{align}">{text}</td>')
        lines.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f"<h2>Forecast {escape(report.period)}</h2>"
        f"<p style='color:#5f6368'>Generated {escape(moment(report.generated_at))}"
        f"{' · ' + escape(note) if note else ''}. Amounts adjusted by managers.</p>"
        "<table width='100%' cellspacing='0' cellpadding='4' border='1' "
        "style='border-collapse:collapse; border-color:#dadce0'>"
        f"<tr style='background:#f1f3f4'>{head}</tr>{''.join(lines)}</table>"
    )


def write_pdf(report: ForecastReport, path: Path, note: str = "") -> Path:
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageOrientation(QPageLayout.Orientation.Landscape)
    writer.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter)
    writer.setTitle(f"Forecast {report.period}")
    document = QTextDocument()
    document.setHtml(report_html(report, note))
    document.print_(writer)
    return path
