"""The insight views as a PDF (QTextDocument printed through QPdfWriter)."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from sfa_desktop.operations.insight import Table
from sfa_desktop.ui.insight.insight_table import text_of

_TABLE = (
    "<table width='100%' cellspacing='0' cellpadding='3' border='1' "
    "style='border-collapse:collapse; border-color:#dadce0'>"
)


def tables_html(title: str, tables: list[Table], currency: str) -> str:
    html = f"<h2>{escape(title)}</h2>"
    for table in tables:
        head = "".join(f"<th>{escape(h)}</th>" for h in table.headers)
        body = "".join(
            "<tr>"
            + "".join(
                f"<td>{escape(text_of(kind, value, currency))}</td>"
                for (_, kind), value in zip(table.columns, row, strict=True)
            )
            + "</tr>"
            for row in table.rows
        )
        html += f"<h3>{escape(table.title)}</h3>{_TABLE}<tr>{head}</tr>{body}</table>"
    return html


def write_pdf(title: str, tables: list[Table], currency: str, path: Path) -> Path:
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageOrientation(QPageLayout.Orientation.Landscape)
    writer.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter)
    writer.setTitle(title)
    document = QTextDocument()
    document.setHtml(tables_html(title, tables, currency))
    document.print_(writer)
    return path
