"""The team rollup and its deals as tables for export: CSV (stdlib) and XLSX (openpyxl).

Each person's row says whether it is a team subtotal (a manager: their own deals and
everyone's below) or a person's own row, and which figures were adjusted by whom; the deal
list goes beside it (XLSX: a sheet "Deals"; CSV: a second file `<name>-deals.csv`)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from sfa_desktop.core.forecast_wire import DealList, ForecastNode, ForecastReport
from sfa_desktop.operations.forecast import attainment_note, quota_note
from sfa_desktop.operations.forecast_drill import deal_rows
from sfa_desktop.operations.forecast_team import (
    adjusted_by,
    deals_forecast,
    is_adjusted,
    reports_call,
)

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
    # Added with the manager's figures side by side (issue 22); the columns above keep
    # their meaning (adjusted figures).
    "Row",
    "Adjusted",
    "Adjusted by",
    "Deals' closed",
    "Deals' commit",
    "Deals' best case",
    "Deals' pipeline",
    "Deals' commit forecast",
    "Deals' best case forecast",
    "Call due",
    "Last call",
    "Reports' calls commit",
    "Reports' calls best case",
    "Converted from",
    "Left out",
)
DEAL_HEADERS = (
    "Row",
    "Owner",
    "Deal",
    "Account",
    "Stage",
    "Category",
    "Close date",
    "Overdue",
    "Amount",
    "Currency",
    "Original amount",
    "Original currency",
)
if TYPE_CHECKING:
    from openpyxl import Workbook

TEAM_ROW, PERSON_ROW = "team subtotal", "person"
Row = tuple[str | int | float | None, ...]


def _walk(node: ForecastNode, depth: int = 0) -> list[tuple[int, ForecastNode]]:
    rows = [(depth, node)]
    for report in node.reports:
        rows.extend(_walk(report, depth + 1))
    return rows


def _adjustments(node: ForecastNode) -> str:
    return "; ".join(
        f"{a.manager_name or a.manager_id}: {a.category.value} {a.amount / 100:.2f}"
        f" ({'counted' if a.applied else 'not counted here'}): {a.comment}"
        for a in node.adjustments
    )


def _left_out(node: ForecastNode) -> str:
    return "; ".join(
        f"{i.count} {i.kind}{'' if i.count == 1 else 's'} in {i.currency}"
        f" ({i.currency} {i.amount / 100:,.2f}): no {i.missing} rate"
        for i in node.left_out
    )


def table_rows(report: ForecastReport) -> list[Row]:
    """One row per person, depth first; amounts adjusted, in major units (cents / 100).

    Quota is the person's own (a manager's: the team's number); the rolled-up quota (the
    reports' quotas added up, managers only) stands beside it and is never added to it.
    "Row" marks team subtotals (managers) and person rows; "Adjusted" and "Adjusted by"
    mark the adjusted figures; the deals' own (unadjusted) sums follow."""
    rows: list[Row] = []
    for depth, node in _walk(report.root):
        totals = node.adjusted.totals()
        deals = node.totals.totals()
        submission = node.submission
        calls = reports_call(node)
        own_forecast = deals_forecast(node)
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
                _adjustments(node),
                TEAM_ROW if node.reports else PERSON_ROW,
                "yes" if is_adjusted(node) else "",
                ", ".join(adjusted_by(node)),
                deals.closed / 100,
                deals.commit / 100,
                deals.best_case / 100,
                deals.pipeline / 100,
                own_forecast.commit / 100,
                own_forecast.best_case / 100,
                "yes" if node.call_due else "no",
                submission.submitted_at.date().isoformat() if submission else None,
                calls.commit / 100 if calls else None,
                calls.best_case / 100 if calls else None,
                ", ".join(node.converted),
                _left_out(node),
            )
        )
    return rows


def deal_table(deals: DealList) -> list[Row]:
    """The deal list as rows: each owner's deals, the owner's subtotal, the total last;
    amounts in major units (None for a deal without a rate)."""
    rows: list[Row] = []
    for row in deal_rows(deals):
        deal = row.deal
        amount = None if row.amount is None else row.amount / 100
        if deal is None:
            label = f"{row.count} deal{'' if row.count == 1 else 's'}"
            owner = "Total" if row.kind == "total" else row.owner
            blank = (None,) * 5
            rows.append((row.kind, owner, label, *blank, amount, deals.currency, None, None))
            continue
        rows.append(
            (
                row.kind,
                deal.owner_name,
                deal.name,
                deal.account_name,
                deal.stage,
                deal.category.value,
                deal.close_date.isoformat(),
                "yes" if deal.overdue else "",
                amount,
                deals.currency,
                deal.original_amount / 100,
                deal.original_currency,
            )
        )
    return rows


def deals_csv_path(path: Path) -> Path:
    """Where the CSV export writes the deal list: `<name>-deals.csv` beside the tree's."""
    return path.with_name(f"{path.stem}-deals.csv")


def _write(path: Path, headers: tuple[str, ...], rows: list[Row]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if value is None else value for value in row])


def write_csv(report: ForecastReport, path: Path, deals: DealList | None = None) -> list[Path]:
    """The tree to `path`, and the deal list (when given) to `deals_csv_path(path)`."""
    _write(path, HEADERS, table_rows(report))
    if deals is None:
        return [path]
    _write(deals_csv_path(path), DEAL_HEADERS, deal_table(deals))
    return [path, deals_csv_path(path)]


_MONEY = {"Closed", "Commit", "Best case", "Pipeline", "Quota", "Rolled-up quota"}
_MONEY_COLUMNS = tuple(
    index
    for index, name in enumerate(HEADERS, start=1)
    if name in _MONEY
    or name.startswith(("Deals' ", "Submitted ", "Reports' "))
    or "forecast" in name
)
_ADJUSTED_COLUMNS = tuple(HEADERS.index(name) + 1 for name in ("Commit", "Best case", "Pipeline"))


def write_xlsx(report: ForecastReport, path: Path, deals: DealList | None = None) -> Path:
    """A workbook: the tree (bold header, team subtotal rows bold, adjusted figures shaded,
    names indented by level) and, when given, the deals on a sheet "Deals"."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"Forecast {report.period}"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    money_format = f'#,##0.00 "{report.currency}"'
    shaded = PatternFill("solid", start_color="FEF7E0")
    row_kind, adjusted = HEADERS.index("Row"), HEADERS.index("Adjusted")
    for row in table_rows(report):
        sheet.append(list(row))
        line = sheet.max_row
        sheet.cell(line, 1).alignment = Alignment(indent=int(row[1] or 0) * 2)
        for column in _MONEY_COLUMNS:
            sheet.cell(line, column).number_format = money_format
        sheet.cell(line, 12).number_format = "0.0%"
        if row[row_kind] == TEAM_ROW:
            for cell in sheet[line]:
                cell.font = Font(bold=True)
        if row[adjusted]:
            for column in _ADJUSTED_COLUMNS:
                sheet.cell(line, column).fill = shaded
    widths = (28, 7, 10, *(16,) * 13, 50, 14, 10, 20, *(16,) * 10, 16, 40)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    sheet.freeze_panes = "B2"
    if deals is not None:
        _deal_sheet(book, deals)
    book.save(path)
    return path


def _deal_sheet(book: Workbook, deals: DealList) -> None:
    from openpyxl.styles import Font

    sheet = book.create_sheet("Deals")
    sheet.append(list(DEAL_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    amount, original = DEAL_HEADERS.index("Amount") + 1, DEAL_HEADERS.index("Original amount") + 1
    for row in deal_table(deals):
        sheet.append(list(row))
        line = sheet.max_row
        sheet.cell(line, amount).number_format = f'#,##0.00 "{deals.currency}"'
        sheet.cell(line, original).number_format = "#,##0.00"
        if row[0] != "deal":
            for cell in sheet[line]:
                cell.font = Font(bold=True)
    for index, width in enumerate((10, 18, 36, 28, 14, 12, 12, 9, 16, 9, 16, 9), start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    sheet.freeze_panes = "A2"
