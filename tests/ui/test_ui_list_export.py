"""Every table exports to CSV or Excel: as shown, or with every field (re-importable)."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from pytestqt.qtbot import QtBot
from ui_helpers import settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Contact
from sfa_desktop.interchange import ExportFormat
from sfa_desktop.ui.common.list_export import ExportDialog
from sfa_desktop.ui.main_window import MainWindow

HOSTILE = '=HYPERLINK("http://evil.example","click")'


def _export(qtbot: QtBot, ctx: AppContext, dialog: ExportDialog, path: Path) -> None:
    dialog.path.setText(str(path))
    dialog.export()
    qtbot.waitUntil(lambda: dialog.written is not None, timeout=10_000)
    settle(qtbot, ctx)


def test_contacts_export_as_shown_to_xlsx_keeps_order_and_escapes_formulas(
    qtbot: QtBot, ctx: AppContext, window: MainWindow, tmp_path: Path
) -> None:
    saved = ctx.store.create(Contact, {"first_name": HOSTILE, "last_name": "Eve"})
    contact = saved.value
    ctx.announce(saved.changes)
    window.go("Contacts")
    page = window.contacts
    qtbot.waitUntil(lambda: page.model.row_of(contact.id) >= 0, timeout=10_000)
    dialog = ExportDialog(page.model, parent=window)
    assert dialog.row_count == page.model.rowCount()
    _export(qtbot, ctx, dialog, tmp_path / "contacts.xlsx")

    sheet = openpyxl.load_workbook(tmp_path / "contacts.xlsx").active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Name", "Company", "Phone", "Title", "Email")
    shown = [page.model.record_at(0)]
    assert len(rows) - 1 == page.model.rowCount() == dialog.written
    assert shown[0] is not None
    assert rows[1][0] == shown[0].full_name
    hostile = next(row for row in rows if str(row[0]).endswith(" Eve"))
    assert hostile[0] == f"{HOSTILE} Eve"  # text, not a formula
    cell = next(c for r in sheet.iter_rows() for c in r if c.value == f"{HOSTILE} Eve")
    assert cell.data_type == "s"


def test_contacts_export_all_fields_to_csv(
    qtbot: QtBot, ctx: AppContext, window: MainWindow, tmp_path: Path
) -> None:
    window.go("Contacts")
    page = window.contacts
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=10_000)
    dialog = ExportDialog(page.model, parent=window)
    assert dialog.all_fields.isEnabled()
    dialog.all_fields.setChecked(True)
    dialog.format.setCurrentIndex(dialog.format.findData(ExportFormat.CSV))
    assert dialog.path.text().endswith(".csv")
    _export(qtbot, ctx, dialog, tmp_path / "contacts.csv")

    with (tmp_path / "contacts.csv").open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == page.model.rowCount()
    first = page.model.record_at(0)
    assert first is not None
    assert rows[0]["Last name"] == first.last_name
    assert rows[0]["Account"]  # the account's name, not its id
    assert {"Email", "Buying role", "Do not call"} <= set(rows[0])


def test_export_refuses_a_missing_folder_or_wrong_suffix(
    qtbot: QtBot, ctx: AppContext, window: MainWindow, tmp_path: Path
) -> None:
    window.go("Contacts")
    dialog = ExportDialog(window.contacts.model, parent=window)
    dialog.path.setText(str(tmp_path / "nowhere" / "x.xlsx"))
    dialog.export()
    assert "does not exist" in dialog.error.text()
    dialog.path.setText(str(tmp_path / "x.txt"))
    dialog.export()
    assert ".xlsx" in dialog.error.text()
    assert dialog.written is None
    assert not list(tmp_path.glob("x.*"))


def test_every_table_offers_export_in_its_context_menu(ctx: AppContext, window: MainWindow) -> None:
    from PySide6.QtCore import Qt

    window.go("Accounts")
    assert window.accounts.list.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu


def test_small_in_memory_list_exports_synchronously(qtbot: QtBot, tmp_path: Path) -> None:
    from sfa_desktop.ui.common.columns import Column
    from sfa_desktop.ui.common.list_model import RecordListModel

    model: RecordListModel[tuple[str, int]] = RecordListModel(
        [Column("Name", lambda r: r[0]), Column("Count", lambda r: str(r[1]))]
    )
    model.set_records([("@SUM(A1)", 1), ("plain", 2)])
    dialog = ExportDialog(model, title="Things")
    qtbot.addWidget(dialog)
    assert not dialog.all_fields.isEnabled()
    dialog.format.setCurrentIndex(dialog.format.findData(ExportFormat.CSV))
    dialog.path.setText(str(tmp_path / "things.csv"))
    dialog.export()
    assert dialog.written == 2
    text = (tmp_path / "things.csv").read_text(encoding="utf-8-sig")
    assert "'@SUM(A1)" in text
    assert "plain" in text
