"""The contacts made on the phone in a connected address book: each with a tick; the
ticked ones become CRM contacts (their company matched to an account by name)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app import dav_connections as dav
from sfa_desktop.app.context import AppContext
from sfa_desktop.ui.common.labels import caption, heading

COLUMNS = ("Name", "Company", "Email", "Phone")


class PhoneCardsDialog(QDialog):
    """Offered cards of one address book; "Import ticked" makes contacts of them."""

    def __init__(
        self, ctx: AppContext, book: dav.Connection, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"New on the phone: {book.name}")
        self.setMinimumWidth(600)
        self._ctx = ctx
        self._book = book
        self.cards: list[dav.Offered] = []
        self.imported: dav.Imported | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.addWidget(heading("Contacts made on the phone"))
        intro = caption(
            "They are not in the CRM: tick the ones to add. Each is kept in step with its "
            "card from then on."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.outcome = QLabel()
        self.outcome.setWordWrap(True)
        layout.addWidget(self.outcome)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.import_button = buttons.addButton(
            "Import ticked", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.import_button.clicked.connect(self.import_ticked)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        book_id = book.id
        ctx.query(lambda store: dav.offered(store, book_id), self._show)

    def _show(self, cards: list[dav.Offered]) -> None:
        self.cards = cards
        self.table.setRowCount(len(cards))
        for index, card in enumerate(cards):
            for column, text in enumerate((card.name, card.company, card.email, card.phone)):
                item = QTableWidgetItem(text or "")
                if column == 0:
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Checked)
                self.table.setItem(index, column, item)
        self.import_button.setEnabled(bool(cards))

    def ticked(self) -> list[str]:
        ticked = []
        for index, card in enumerate(self.cards):
            item = self.table.item(index, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                ticked.append(card.href)
        return ticked

    def import_ticked(self) -> None:
        hrefs, book_id = self.ticked(), self._book.id
        if not hrefs:
            return
        self.import_button.setEnabled(False)
        self._ctx.query(lambda store: dav.import_cards(store, book_id, hrefs), self._imported)

    def _imported(self, result: dav.Imported) -> None:
        self.imported = result
        self._ctx.announce(result.changes)
        self.outcome.setText("\n".join(f"{line}." for line in result.lines))
        book_id = self._book.id
        self._ctx.query(lambda store: dav.offered(store, book_id), self._show)
