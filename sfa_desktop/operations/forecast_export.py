"""The team rollup as a table for export: CSV (stdlib) and XLSX (openpyxl)."""

from __future__ import annotations

import csv
from pathlib import Path

from sfa_desktop.core.forecast_wire import ForecastNode, ForecastReport
from sfa_desktop.operations.forecast import attainment_note, quota_note

HEADERS = (
    "Name",
    "Level",
    "Role",
    "Closed",
    "Commit",
    "Best case",
    "Pipeline",
    "Commit forecast",
    "Best case forecast",
    "Quota",
    "Rolled-up quota",
    "Attainment",
    "Attainment against",
    "Quota source",
    "Submitted commit",
    "Submitted best case",
    "Adjustments",
)
Row = tuple[str | int | float | None, ...]


def _walk(node: ForecastNode, depth: int = 0) -> list[tuple[int, ForecastNode]]:
    rows = [(depth, node)]
    for report in node.reports:
        rows.extend(_walk(report, depth + 1))
    return rows


def table_rows(report: ForecastReport) -> list[Row]:
    """One row per person, depth first; amounts adjusted, in major units (cents / 100).

    Quota is the person's own (a manager's: the team's number); the rolled-up quota (the
    reports' quotas added up, managers only) stands beside it and is never added to it."""
    rows: list[Row] = []
    for depth, node in _walk(report.root):
        totals = node.adjusted.totals()
        submission = node.submission
        rows.append(
            (
                node.name,
                depth,
                node.role.value,
                totals.closed / 100,
                totals.commit / 100,
                totals.best_case / 100,
                totals.pipeline / 100,
                totals.commit_forecast / 100,
                totals.best_case_forecast / 100,
                node.quota / 100,
                node.rolled_up_quota / 100 if node.reports else None,
                None if node.attainment is None else round(node.attainment, 4),
                attainment_note(node),
                quota_note(node),
                submission.commit / 100 if submission else None,
                submission.best_case / 100 if submission else None,
                "; ".join(
                    f"{a.category.value} {a.amount / 100:.2f}: {a.comment}"
                    for a in node.adjustments
                ),
            )
        )
    return rows


def write_csv(report: ForecastReport, path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for row in table_rows(report):
            writer.writerow(["" if value is None else value for value in row])
    return path


def write_xlsx(report: ForecastReport, path: Path) -> Path:
    """A workbook with one sheet: bold header, money formats, names indented by level."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = f"Forecast {report.period}"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    money_format = f'#,##0.00 "{report.currency}"'
    for row in table_rows(report):
        sheet.append(list(row))
        line = sheet.max_row
        sheet.cell(line, 1).alignment = Alignment(indent=int(row[1] or 0) * 2)
        for column in (4, 5, 6, 7, 8, 9, 10, 11, 15, 16):
            sheet.cell(line, column).number_format = money_format
        sheet.cell(line, 12).number_format = "0.0%"
    widths = (28, 7, 10, *(16,) * 13, 50)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    sheet.freeze_panes = "B2"
    book.save(path)
    return path
