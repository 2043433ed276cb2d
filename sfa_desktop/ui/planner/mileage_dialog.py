"""File › Export mileage…: a month's drives to visits, at the mileage rate, to CSV or XLSX
for an expense claim."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.operations.mileage import Drive, export_month, month_drives
from sfa_desktop.paths import documents_dir
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.format import money
from sfa_desktop.ui.common.list_model import RecordListModel
from sfa_desktop.ui.common.messages import error_text
from sfa_desktop.ui.common.widgets import (
    ERROR_STYLE,
    caption,
    fit_columns,
    fit_to_screen,
    heading,
    save_path,
    table,
)

COLUMNS: list[Column[Drive]] = [
    Column("Date", lambda d: d.day.isoformat()),
    Column("Account", lambda d: d.account),
    Column("Visit", lambda d: d.subject),
    Column("Km", lambda d: f"{d.km:.1f}", numeric=True),
    Column("Amount", lambda d: money(d.amount, cents=True), numeric=True),
]
SUFFIXES = (".csv", ".xlsx")


class MileageDialog(QDialog):
    """Pick a month, see its drives and total, export them."""

    def __init__(self, ctx: AppContext, today: date | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._ctx = ctx
        self.drives: list[Drive] = []
        self.setWindowTitle("Export mileage")
        fit_to_screen(self, 760, 520)
        day = today or date.today()
        self.month = QDateEdit(QDate(day.year, day.month, 1))
        self.month.setDisplayFormat("MMMM yyyy")
        self.month.setMinimumWidth(160)
        self.month.dateChanged.connect(self.reload)
        self.model: RecordListModel[Drive] = RecordListModel(COLUMNS, self)
        self.table = table(self.model)
        fit_columns(self.table, 2)
        self.total = caption("")
        self.path = QLineEdit()
        self.path.setMinimumWidth(360)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        self.error = caption("")
        self.error.setStyleSheet(ERROR_STYLE)
        form = QFormLayout()
        form.addRow("Month", self.month)
        form.addRow("File", file_row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("Export")
        self.buttons.accepted.connect(self.export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Export mileage", 13))
        layout.addWidget(
            caption(
                "The km recorded when visits were completed, at your mileage rate (Settings). "
                "A file ending in .xlsx is a spreadsheet, .csv plain text."
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.total)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.reload()

    def chosen_month(self) -> tuple[int, int]:
        chosen = self.month.date()
        return chosen.year(), chosen.month()

    def reload(self) -> None:
        year, month = self.chosen_month()
        self.path.setText(str(documents_dir() / f"mileage-{year}-{month:02d}.xlsx"))
        rate = int(self._ctx.settings["cost_per_km"])
        hotel = int(self._ctx.settings["planner_hotel_cost"]) * 100
        today = date.today()
        self._ctx.query(lambda s: month_drives(s, year, month, rate, hotel, today), self._listed)

    def _listed(self, drives: list[Drive]) -> None:
        self.drives = drives
        self.model.set_records(drives)
        km = sum(d.km for d in drives)
        amount = sum(d.amount for d in drives)
        count = f"{len(drives)} drive{'s' * (len(drives) != 1)}"
        self.total.setText(f"{count} · {km:,.1f} km · {money(amount, cents=True)}")

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export mileage", self.path.text(), "Spreadsheet (*.xlsx);;CSV (*.csv)"
        )
        if chosen:
            self.path.setText(chosen)

    def export(self) -> None:
        path, problem = save_path(self.path.text(), SUFFIXES)
        if problem:
            self.error.setText(problem)
            return
        drives = list(self.drives)
        self.buttons.setEnabled(False)
        self.error.setText("")
        self._ctx.tasks.run_network(
            lambda: export_month(drives, path), lambda _: self._done(path), self._failed
        )

    def _done(self, path: Path) -> None:
        self._ctx.signals.message.emit(f"Exported {len(self.drives)} drives to {path}")
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(f"Could not export: {error_text(error)}")
