"""Edit → Find duplicates…: look-alike accounts or contacts, compared side by side, merged.

The search runs on the database thread (a few seconds on 100k contacts); a group's records
are loaded when it is selected. Merging folds the other records into the chosen survivor
with the picked values, moves their history to it and deletes them, in one transaction.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account, Contact
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import DomainError, NotFound
from sfa_desktop.operations.duplicates import Comparison, compare, find, merge
from sfa_desktop.store import Changes
from sfa_desktop.store.duplicates import DuplicateSet
from sfa_desktop.ui.common.format import phone_region
from sfa_desktop.ui.common.widgets import ERROR_STYLE, caption, fit_to_screen
from sfa_desktop.ui.duplicates.duplicates_model import ComparisonModel, GroupListModel

NOUNS = {EntityKind.ACCOUNT: ("account", "accounts"), EntityKind.CONTACT: ("contact", "contacts")}
MOVES = {
    EntityKind.ACCOUNT: "contacts, opportunities, activities, events, tasks and plans",
    EntityKind.CONTACT: "activities, opportunities, events and tasks",
}
NOT_UNDONE = "Merging cannot be undone here."
HINT = (
    "Choose the record to keep in the first row. Highlighted rows differ: click the value "
    "the kept record should have."
)


class RadioDelegate(QStyledItemDelegate):
    """Draws a cell that can be chosen with a radio indicator before its (elided) text."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        state = index.data(Qt.ItemDataRole.CheckStateRole)
        if state is None:
            super().paint(painter, option, index)
            return
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        item.features &= ~QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
        widget = item.widget
        style = widget.style() if widget is not None else QApplication.style()
        size = style.pixelMetric(QStyle.PixelMetric.PM_ExclusiveIndicatorWidth)
        rect = QRect(item.rect)
        radio = QStyleOptionButton()
        radio.rect = QRect(rect.left() + 6, rect.center().y() - size // 2 + 1, size, size)
        checked = Qt.CheckState(state) == Qt.CheckState.Checked
        on = QStyle.StateFlag.State_On if checked else QStyle.StateFlag.State_Off
        radio.state = QStyle.StateFlag.State_Enabled | on
        item.rect = rect.adjusted(size + 10, 0, 0, 0)
        background = index.data(Qt.ItemDataRole.BackgroundRole)
        if background is not None:
            painter.fillRect(rect, background)
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)
        style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorRadioButton, radio, painter, widget)


class DuplicatesDialog(QDialog):
    """Groups of look-alike accounts or contacts; select one to compare and merge it."""

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, kind: EntityKind = EntityKind.ACCOUNT
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        # Groups marked "Not duplicates": hidden while the dialog lives (the main window
        # keeps it for the session).
        self.dismissed: set[frozenset[str]] = set()
        self.kind = kind
        self._search_id = 0
        self._compare_id = 0
        self._searching = False
        self._search_again = False
        self.setWindowTitle("Find duplicates")
        fit_to_screen(self, 1000, 640)

        self.accounts_button = QRadioButton("Accounts")
        self.contacts_button = QRadioButton("Contacts")
        kinds = QButtonGroup(self)
        for button in (self.accounts_button, self.contacts_button):
            kinds.addButton(button)
        (self.accounts_button if kind is EntityKind.ACCOUNT else self.contacts_button).setChecked(
            True
        )
        kinds.buttonClicked.connect(self._kind_clicked)
        self.status = caption("")
        self.refresh_button = QPushButton("Search again")
        self.refresh_button.clicked.connect(lambda: self.search())
        top = QHBoxLayout()
        top.addWidget(self.accounts_button)
        top.addWidget(self.contacts_button)
        top.addSpacing(16)
        top.addWidget(self.status, 1)
        top.addWidget(self.refresh_button)

        self.groups = GroupListModel(self)
        self.list = QTableView()  # a one-column table: long lines elide in the middle
        self.list.setModel(self.groups)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setShowGrid(False)
        self.list.setWordWrap(False)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.horizontalHeader().hide()
        self.list.horizontalHeader().setStretchLastSection(True)
        self.list.verticalHeader().hide()
        self.list.verticalHeader().setDefaultSectionSize(24)
        self.list.setMinimumHeight(76)
        self.list.selectionModel().selectionChanged.connect(self._group_selected)

        self.comparison = ComparisonModel(self)
        self.table = QTableView()
        self.table.setModel(self.comparison)
        self.table.setItemDelegate(RadioDelegate(self.table))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.setMinimumSectionSize(120)
        self.table.clicked.connect(self._cell_clicked)
        self.table.activated.connect(self._cell_clicked)
        self.comparison.modelReset.connect(self._comparison_reset)
        self.comparison.dataChanged.connect(self._sync_notes_box)
        self.keep_notes = QCheckBox("Keep the notes of all records")
        self.keep_notes.toggled.connect(self.comparison.keep_all_notes)
        self.hint = caption(HINT)
        self.warning = caption(
            f"{NOT_UNDONE} The other records are deleted; their history moves to the kept one."
        )
        self.warning.setStyleSheet("color: #b06000;")
        compared = QWidget()
        compared_layout = QVBoxLayout(compared)
        compared_layout.setContentsMargins(0, 4, 0, 0)
        compared_layout.addWidget(self.hint)
        compared_layout.addWidget(self.table, 1)
        compared_layout.addWidget(self.keep_notes)
        compared_layout.addWidget(self.warning)
        self.placeholder = QLabel()
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setStyleSheet("color: #5f6368; font-size: 11pt;")
        self.detail = QStackedWidget()
        self.detail.addWidget(self.placeholder)
        self.detail.addWidget(compared)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.list)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([100, 470])

        self.error = caption("")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.merge_button = self.buttons.addButton("Merge…", QDialogButtonBox.ButtonRole.ActionRole)
        self.dismiss_button = self.buttons.addButton(
            "Not duplicates", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.merge_button.clicked.connect(self.merge)
        self.dismiss_button.clicked.connect(self.not_duplicates)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        ctx.signals.changes_applied.connect(self._changes_applied)
        self._set_busy(False)
        self.search()

    # -- finding ---------------------------------------------------------------------------

    def _kind_clicked(self) -> None:
        kind = EntityKind.ACCOUNT if self.accounts_button.isChecked() else EntityKind.CONTACT
        if kind is not self.kind:
            self.kind = kind
            self._show_error("")
            self.search()

    def search(self, quietly: bool = False) -> None:
        """Look for groups of the chosen kind in the background; `quietly` keeps the list
        on screen until the new one arrives (a refresh after a change)."""
        if quietly and self._searching:
            self._search_again = True
            return
        self._search_id += 1
        search_id, kind = self._search_id, self.kind
        region = phone_region(str(self._ctx.settings["phone_region"]))
        self._searching, self._search_again = True, False
        self.status.setText("Searching…")
        self.refresh_button.setEnabled(False)
        if not quietly:
            self.groups.set_groups([])
            self._show_comparison(None, "Searching…")
        self._ctx.query(
            lambda store: find(store, kind, region),
            lambda groups: self._found(search_id, groups),
            lambda error: self._search_failed(search_id, error),
        )

    def _found(self, search_id: int, groups: list[DuplicateSet]) -> None:
        if search_id != self._search_id:
            return
        self._searching = False
        self.refresh_button.setEnabled(True)
        if self._search_again:
            self.search(quietly=True)
        shown = self.groups.group_at(self._selected_row())
        kept = [g for g in groups if not self._is_dismissed(g)]
        self.groups.set_groups(kept)
        self._show_count()
        row = self.groups.row_of(shown.record_ids) if shown is not None else -1
        self._select(max(row, 0))

    def _search_failed(self, search_id: int, error: BaseException) -> None:
        if search_id != self._search_id:
            return
        self._searching = False
        self.refresh_button.setEnabled(True)
        self.status.setText("")
        if not self.groups.rowCount():
            self._show_comparison(None, "")
        self._show_error(f"The search failed: {error}")
        if not isinstance(error, DomainError):
            raise error

    def _is_dismissed(self, group: DuplicateSet) -> bool:
        ids = set(group.record_ids)
        return any(ids <= hidden for hidden in self.dismissed)

    def _show_count(self) -> None:
        noun = NOUNS[self.kind][1]
        count = self.groups.rowCount()
        if count:
            groups = "group" if count == 1 else "groups"
            self.status.setText(f"{count} {groups} of look-alike {noun}")
        else:
            self.status.setText("")
            self._show_comparison(None, f"No duplicate {noun} found.")

    def _changes_applied(self, changes: Changes) -> None:
        if self.isVisible() and self.kind in changes:
            self.search(quietly=True)

    # -- comparing -------------------------------------------------------------------------

    def _selected_row(self) -> int:
        rows = self.list.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _select(self, row: int) -> None:
        if 0 <= row < self.groups.rowCount():
            self.list.setCurrentIndex(self.groups.index(row))
        else:
            self._show_comparison(None, self.placeholder.text())

    def selected_group(self) -> DuplicateSet | None:
        return self.groups.group_at(self._selected_row())

    def _group_selected(self, _: QItemSelection, __: QItemSelection) -> None:
        self.compare_selected(again=False)

    def compare_selected(self, again: bool = True) -> None:
        """Load the selected group's records; unless `again`, a group already shown stays
        as it is (a refresh of the list keeps the user's choices)."""
        group = self.selected_group()
        shown = self.comparison.comparison
        same = (
            group is not None and shown is not None and shown.group.record_ids == group.record_ids
        )
        if same and not again:
            return
        self._compare_id += 1
        if group is None:
            return
        compare_id = self._compare_id
        self._set_busy(True)
        self._ctx.query(
            lambda store: compare(store, group),
            lambda found: self._compared(compare_id, found),
        )

    def _compared(self, compare_id: int, found: Comparison) -> None:
        if compare_id != self._compare_id:
            return
        if len(found.candidates) < 2:  # merged or deleted meanwhile (by a sync, say)
            self.groups.remove(self.groups.row_of(found.group.record_ids))
            self._show_count()
            self._select(0)
            return
        self._show_comparison(found)

    def _show_comparison(self, comparison: Comparison | None, text: str = "") -> None:
        self.comparison.set_comparison(comparison)
        if comparison is None:
            self.placeholder.setText(text)
        self.detail.setCurrentIndex(1 if comparison is not None else 0)
        self._set_busy(False)

    def _comparison_reset(self) -> None:
        header = self.table.horizontalHeader()
        if self.comparison.columnCount():
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
            for column in range(1, self.comparison.columnCount()):
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self._sync_notes_box()

    def _sync_notes_box(self) -> None:
        self.keep_notes.setVisible(self.comparison.notes_can_join())
        self.keep_notes.blockSignals(True)
        self.keep_notes.setChecked(self.comparison.keeps_all_notes())
        self.keep_notes.blockSignals(False)

    def _cell_clicked(self, index: QModelIndex) -> None:
        self.comparison.choose(index.row(), index.column())

    def _set_busy(self, busy: bool) -> None:
        ready = not busy and self.comparison.comparison is not None
        self.merge_button.setEnabled(ready)
        self.dismiss_button.setEnabled(ready)

    # -- acting ----------------------------------------------------------------------------

    def not_duplicates(self) -> None:
        """Hide the selected group for the rest of the session."""
        group, row = self.selected_group(), self._selected_row()
        if group is None:
            return
        self.dismissed.add(frozenset(group.record_ids))
        self.groups.remove(row)
        self._show_count()
        self._select(min(row, self.groups.rowCount() - 1))

    def summary(self) -> str:
        """What the merge will do, for the confirmation."""
        found = self.comparison.comparison
        if found is None:
            return ""
        one, many = NOUNS[found.kind]
        merged = len(self.comparison.merged_ids())
        survivor = found.candidate(self.comparison.survivor_id)
        their = "its" if merged == 1 else "their"
        return (
            f"{merged} {one if merged == 1 else many} will be merged into {survivor.label}; "
            f"{their} {MOVES[found.kind]} move to {survivor.name}.\n\n{NOT_UNDONE}"
        )

    def merge(self) -> None:
        found = self.comparison.comparison
        if found is None:
            return
        answer = QMessageBox.question(self, "Merge duplicates", self.summary())
        if answer != QMessageBox.StandardButton.Yes:
            return
        kind, survivor = found.kind, self.comparison.survivor_id
        merged, picked = self.comparison.merged_ids(), self.comparison.picked()
        self._show_error("")
        self._set_busy(True)
        self._ctx.run_op(
            lambda store: merge(store, kind, survivor, merged, picked),
            lambda record: self._merged(found, record),
            lambda error: self._merge_failed(found, error),
        )

    def _merged(self, found: Comparison, survivor: Account | Contact) -> None:
        self._ctx.forget_undo()  # an earlier undo could delete what now holds the history
        row = self.groups.row_of(found.group.record_ids)
        self.groups.remove(row)
        merged = len(found.candidates) - 1
        one, many = NOUNS[found.kind]
        name = found.candidate(survivor.id).label
        self._ctx.signals.message.emit(
            f"Merged {merged} {one if merged == 1 else many} into {name}"
        )
        self._show_count()
        self._select(min(max(row, 0), self.groups.rowCount() - 1))

    def _merge_failed(self, found: Comparison, error: BaseException) -> None:
        """Say why; the picks stay for another try, unless a record is gone (then the
        list and the comparison are loaded again)."""
        self._set_busy(False)
        if not isinstance(error, NotFound):
            self._show_error(f"Nothing was merged: {error}")
            if not isinstance(error, DomainError):
                raise error
            return
        gone = next((c.label for c in found.candidates if c.id == error.record_id), "")
        what = f"{gone} no longer exists" if gone else str(error)
        self._show_error(f"Nothing was merged: {what} (deleted meanwhile, e.g. by a sync).")
        self.search(quietly=True)
        self.compare_selected()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
