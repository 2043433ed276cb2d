"""Editable tables of the plan editor: key contacts, actions and the coverage grid."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHeaderView,
    QLineEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
)

from sfa_desktop.core.entities import Contact, CoverageLine, KeyContact, PlanAction, User
from sfa_desktop.core.enums import CONTACT_CHANNELS, Influence, Stance
from sfa_desktop.core.rules.coverage import CoverageReport
from sfa_desktop.core.rules.currency import DEFAULT_CORPORATE_CURRENCY
from sfa_desktop.ui.common.column_fit import fit_columns
from sfa_desktop.ui.common.format import label, money

NO_DATE = QDate(2000, 1, 1)


def _combo(items: Sequence[tuple[str, object]], current: object) -> QComboBox:
    combo = QComboBox()
    for text, value in items:
        combo.addItem(text, value)
    combo.setCurrentIndex(max(0, combo.findData(current)))
    return combo


def _line(text: str) -> QLineEdit:
    """A cell editor showing the start of its text (the tip shows all of it)."""
    edit = QLineEdit(text)
    edit.setCursorPosition(0)
    edit.setToolTip(text)
    return edit


def _setup(table: QTableWidget, headers: list[str], stretch: int) -> None:
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(34)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


class KeyContactsTable(QTableWidget):
    """One row per key contact: who, stance, influence, note."""

    def __init__(self) -> None:
        super().__init__(0, 4)
        _setup(self, ["Contact", "Stance", "Influence", "Note"], stretch=3)
        self._contacts: list[Contact] = []

    def set_rows(self, contacts: list[Contact], rows: tuple[KeyContact, ...]) -> None:
        self._contacts = contacts
        self.setRowCount(0)
        for row in rows:
            self.add_row(row)

    def add_row(self, value: KeyContact | None = None) -> None:
        used = {k.contact_id for k in self.values()}
        free = [c for c in self._contacts if c.id not in used]
        if value is None and not free:
            return
        chosen = value.contact_id if value else free[0].id
        row = self.rowCount()
        self.insertRow(row)
        people = [(c.full_name, c.id) for c in self._contacts]
        self.setCellWidget(row, 0, _combo(people, chosen))
        stance = value.stance if value else Stance.UNKNOWN
        influence = value.influence if value else Influence.MEDIUM
        self.setCellWidget(row, 1, _combo([(label(s), s.value) for s in Stance], stance.value))
        self.setCellWidget(
            row, 2, _combo([(label(i), i.value) for i in Influence], influence.value)
        )
        self.setCellWidget(row, 3, _line(value.note if value else ""))

    def values(self) -> tuple[KeyContact, ...]:
        found = []
        for row in range(self.rowCount()):
            who, stance, influence, note = (self.cellWidget(row, c) for c in range(4))
            assert isinstance(who, QComboBox)
            assert isinstance(note, QLineEdit)
            assert isinstance(stance, QComboBox)
            assert isinstance(influence, QComboBox)
            found.append(
                KeyContact(
                    contact_id=who.currentData(),
                    stance=Stance(stance.currentData()),
                    influence=Influence(influence.currentData()),
                    note=note.text(),
                )
            )
        return tuple(found)


class ActionsTable(QTableWidget):
    """One row per action: title, owner, due date, done."""

    def __init__(self) -> None:
        super().__init__(0, 4)
        _setup(self, ["Action", "Owner", "Due", "Done"], stretch=0)
        self._users: list[User] = []
        self._ids: list[str | None] = []

    def set_rows(self, users: list[User], rows: tuple[PlanAction, ...]) -> None:
        self._users = users
        self.setRowCount(0)
        self._ids = []
        for row in rows:
            self.add_row(row)

    def add_row(self, value: PlanAction | None = None) -> None:
        row = self.rowCount()
        self.insertRow(row)
        self._ids.append(value.id if value else None)
        self.setCellWidget(row, 0, _line(value.title if value else "New action"))
        owners: list[tuple[str, object]] = [("—", None), *((u.name, u.id) for u in self._users)]
        self.setCellWidget(row, 1, _combo(owners, value.owner_id if value else None))
        due = QDateEdit()
        due.setCalendarPopup(True)
        due.setMinimumDate(NO_DATE)
        due.setSpecialValueText("None")
        when = value.due_date if value else None
        due.setDate(QDate(when.year, when.month, when.day) if when else NO_DATE)
        self.setCellWidget(row, 2, due)
        done = QCheckBox()
        done.setChecked(bool(value and value.done))
        self.setCellWidget(row, 3, done)

    def removeRow(self, row: int) -> None:  # noqa: N802
        if 0 <= row < len(self._ids):
            del self._ids[row]
        super().removeRow(row)

    def values(self) -> tuple[PlanAction, ...]:
        found = []
        for row in range(self.rowCount()):
            title, owner, due, done = (self.cellWidget(row, c) for c in range(4))
            assert isinstance(title, QLineEdit)
            assert isinstance(owner, QComboBox)
            assert isinstance(due, QDateEdit)
            assert isinstance(done, QCheckBox)
            picked = due.date()
            fields = {
                "title": title.text() or "Untitled action",
                "owner_id": owner.currentData(),
                "due_date": None
                if picked == NO_DATE
                else date(picked.year(), picked.month(), picked.day()),
                "done": done.isChecked(),
            }
            known = self._ids[row]
            found.append(PlanAction(**fields, **({"id": known} if known else {})))
        return tuple(found)


class CoverageGrid(QTableWidget):
    """Channels × quarters: planned touches (editable, '✓n' logged), the year and its cost."""

    changed = Signal()
    HEADERS = ["Channel", "Q1", "Q2", "Q3", "Q4", "Year", "Cost"]

    def __init__(self) -> None:
        super().__init__(len(CONTACT_CHANNELS) + 1, len(self.HEADERS))
        self.setHorizontalHeaderLabels(self.HEADERS)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(34)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.report: CoverageReport | None = None
        self.currency = DEFAULT_CORPORATE_CURRENCY
        for row, channel in enumerate(CONTACT_CHANNELS):
            self.setItem(row, 0, QTableWidgetItem(label(channel)))
            for quarter in range(1, 5):
                spin = QSpinBox()
                spin.setRange(0, 999)
                spin.setAlignment(Qt.AlignmentFlag.AlignRight)
                spin.valueChanged.connect(self._recount)
                self.setCellWidget(row, quarter, spin)
        self.setItem(len(CONTACT_CHANNELS), 0, QTableWidgetItem("Total"))
        fit_columns(self, 0)  # the spin boxes' width counts; the channel takes the rest

    def spin(self, row: int, quarter: int) -> QSpinBox:
        widget = self.cellWidget(row, quarter)
        assert isinstance(widget, QSpinBox)
        return widget

    def set_report(self, report: CoverageReport, currency: str) -> None:
        self.report, self.currency = report, currency
        for row, channel in enumerate(CONTACT_CHANNELS):
            for quarter in range(1, 5):
                cell = report.cell(channel, quarter)
                spin = self.spin(row, quarter)
                spin.blockSignals(True)
                spin.setValue(cell.planned)
                spin.setSuffix(f" ✓{cell.actual}" if cell.actual else "")
                spin.setToolTip(f"{cell.planned} planned, {cell.actual} logged in Q{quarter}")
                spin.blockSignals(False)
        self._recount()

    def values(self) -> tuple[CoverageLine, ...]:
        return tuple(
            CoverageLine(channel=channel, quarter=quarter, planned=self.spin(row, quarter).value())
            for row, channel in enumerate(CONTACT_CHANNELS)
            for quarter in range(1, 5)
            if self.spin(row, quarter).value()
        )

    def planned_cost(self) -> int:
        if self.report is None:
            return 0
        return sum(
            self.spin(row, q).value() * self.report.cell(channel, q).cost_per_contact
            for row, channel in enumerate(CONTACT_CHANNELS)
            for q in range(1, 5)
        )

    def _recount(self) -> None:
        if self.report is None:
            return
        totals = [0, 0, 0]
        for row, channel in enumerate(CONTACT_CHANNELS):
            planned = sum(self.spin(row, q).value() for q in range(1, 5))
            logged = sum(self.report.cell(channel, q).actual for q in range(1, 5))
            each = self.report.cell(channel, 1).cost_per_contact
            self._year(row, planned, logged)
            self._number(
                row,
                6,
                money(planned * each, self.currency),
                f"{money(each, self.currency)} a touch",
            )
            totals = [totals[0] + planned, totals[1] + logged, totals[2] + planned * each]
        last = len(CONTACT_CHANNELS)
        self._year(last, totals[0], totals[1])
        self._number(last, 6, money(totals[2], self.currency))
        self.changed.emit()

    def _year(self, row: int, planned: int, logged: int) -> None:
        tip = f"{planned} touches planned this year, {logged} logged"
        self._number(row, 5, f"{planned} ✓{logged}" if logged else str(planned), tip)

    def _number(self, row: int, column: int, text: str, tip: str = "") -> None:
        item = QTableWidgetItem(text)
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setToolTip(tip)
        self.setItem(row, column, item)
