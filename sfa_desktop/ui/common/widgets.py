"""Small building blocks shared by the views: headings, badges, tables, key-value panels."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QPoint, Qt
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHeaderView,
    QLabel,
    QLayout,
    QMenu,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

# Re-exported: the views have always found them here.
from sfa_desktop.core.rules.currency import DEFAULT_CORPORATE_CURRENCY
from sfa_desktop.ui.common.column_fit import fit_columns as fit_columns
from sfa_desktop.ui.common.column_fit import fit_lazy_columns as fit_lazy_columns
from sfa_desktop.ui.common.format import money_affixes
from sfa_desktop.ui.common.labels import ERROR_STYLE as ERROR_STYLE
from sfa_desktop.ui.common.labels import TOGGLE_STYLE as TOGGLE_STYLE
from sfa_desktop.ui.common.labels import badge as badge
from sfa_desktop.ui.common.labels import caption as caption
from sfa_desktop.ui.common.labels import heading as heading
from sfa_desktop.ui.common.labels import save_path as save_path


def table(model: QAbstractItemModel, parent: QWidget | None = None) -> QTableView:
    """A read-only, row-selecting table with a stretching last column."""
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(26)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    add_export_menu(view)
    return view


def fit_to_screen(window: QWidget, width: int, height: int) -> None:
    """Resize a dialog to `width` x `height`, or less on a screen too small for it (it keeps
    a margin of the screen for the window frame and the task bar)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    room = screen.availableGeometry().size() if screen is not None else None
    if room is not None:
        width, height = min(width, room.width() - 40), min(height, room.height() - 60)
    window.resize(width, height)


def clear_layout(layout: QLayout) -> None:
    """Remove and delete every widget in `layout`."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()


class ListDetailSplitter(QSplitter):
    """A list beside one record's details: the details keep `detail` pixels and the list
    gets the rest, `least` to `most` pixels, until the rep drags the divider."""

    def __init__(self, detail: int, least: int = 260, most: int = 560) -> None:
        super().__init__()
        self.detail, self.least, self.most = detail, least, most
        self.by_hand = False
        self.splitterMoved.connect(self._moved)

    def _moved(self, *_: object) -> None:
        self.by_hand = True

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if not self.by_hand and self.count() == 2:
            total = self.width() - self.handleWidth()
            share = min(max(total - self.detail, self.least), self.most)
            self.setSizes([share, total - share])


class Section(QFrame):
    """A titled block inside a view."""

    def __init__(self, title: str, body: QWidget | None = None) -> None:
        super().__init__()
        self.setObjectName("section")
        self.setStyleSheet(
            "#section { background: palette(base); border: 1px solid #dadce0; border-radius: 6px; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(6)
        title_label = QLabel(title)
        title_label.setStyleSheet("font-weight: 600; font-size: 11pt; border: none;")
        layout.addWidget(title_label)
        self.body = layout
        if body is not None:
            layout.addWidget(body)


class KeyValues(QWidget):
    """A two-column list of labels and values that can be refilled."""

    def __init__(self) -> None:
        super().__init__()
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setHorizontalSpacing(16)
        self.form.setVerticalSpacing(6)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)

    def set_rows(self, rows: list[tuple[str, str | QWidget]]) -> None:
        """Replace the rows. A widget the caller passes (a link button) is the caller's:
        it is taken out and hidden, never deleted, so it can be passed again (removeRow
        deleted it, and showing a second record then failed on a dead widget)."""
        while self.form.rowCount():
            taken = self.form.takeRow(0)
            for item in (taken.labelItem, taken.fieldItem):
                widget = item.widget() if item is not None else None
                if widget is None:
                    continue
                if widget.property("key_values_own"):
                    widget.deleteLater()
                else:
                    widget.hide()
        for key, value in rows:
            key_label = QLabel(key)
            key_label.setStyleSheet("color: #5f6368;")
            key_label.setProperty("key_values_own", True)
            if isinstance(value, str):
                value_label = QLabel(value or "—")
                value_label.setWordWrap(True)
                value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                value_label.setProperty("key_values_own", True)
                self.form.addRow(key_label, value_label)
            else:
                self.form.addRow(key_label, value)
                value.show()


class MoneyBox(QDoubleSpinBox):
    """An amount editor that reads like `format.money`: '€125,000' (value in minor units)."""

    def __init__(
        self, currency: str = DEFAULT_CORPORATE_CURRENCY, cents: bool = False, maximum: int = 10**12
    ) -> None:
        super().__init__()
        self.setDecimals(2 if cents else 0)
        self.setRange(0, maximum / 100)
        self.setGroupSeparatorShown(True)
        self.set_currency(currency)

    def set_currency(self, currency: str) -> None:
        before, after = money_affixes(currency)
        self.setPrefix(before)
        self.setSuffix(after)

    def minor(self) -> int:
        """The amount in minor units (cents)."""
        return round(self.value() * 100)

    def set_minor(self, amount: int) -> None:
        self.setValue(amount / 100)


def add_export_menu(view: QTableView) -> None:
    """A context menu with "Export list…" (CSV or Excel; the dialog loads on first use)."""
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def export() -> None:
        from sfa_desktop.ui.common.list_export import ExportDialog  # brings interchange

        ExportDialog(view.model(), parent=view.window()).open()

    def show_menu(point: QPoint) -> None:
        menu = QMenu(view)
        menu.addAction("Export list…", export)
        menu.popup(view.viewport().mapToGlobal(point))

    view.customContextMenuRequested.connect(show_menu)
