"""File ▸ Calendars and address books…: what is connected and how its last sync went (its
error in red), connecting another (the server's address, user and password or app
password; the calendars or address books are found from it), removing one, and the
contacts made on the phone offered for import."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sfa_desktop.app import dav_connections as dav
from sfa_desktop.app.context import AppContext
from sfa_desktop.ui.common.format import moment
from sfa_desktop.ui.common.labels import ERROR_STYLE, caption, heading
from sfa_desktop.ui.connections.phone_cards import PhoneCardsDialog

KINDS = {dav.CALENDAR: "Calendar", dav.CONTACTS: "Address book"}
COLUMNS = ("What", "Name", "Account", "Last sync", "State")
QUIET = "color: #5f6368;"


def state_text(row: dav.Connection) -> str:
    if row.error:
        return f"Failed: {row.error}"
    if row.last_sync_at is None:
        return "Waiting for the first sync"
    text = row.summary.split(": ", 1)[-1] if row.summary else "In step"
    if row.offered:
        text += f"; {row.offered} new on the phone"
    return text


class ConnectionsDialog(QDialog):
    """The connections table, with the form to connect another below it."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Calendars and address books")
        self.setMinimumWidth(640)
        self._ctx = ctx
        self.rows: list[dav.Connection] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(heading("Your calendars and address books"))
        intro = caption(
            "Your CRM events and contacts also in the calendar and address book of your "
            "phone (Google, iCloud, Nextcloud, Fastmail, Exchange over CalDAV/CardDAV), "
            "kept in step both ways at every sync."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        layout.addWidget(self.table, 1)
        self.empty = caption("Nothing is connected yet.")
        layout.addWidget(self.empty)
        actions = QHBoxLayout()
        self.import_button = QPushButton("Import phone contacts…")
        self.import_button.clicked.connect(self.open_phone_cards)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        actions.addWidget(self.import_button)
        actions.addWidget(self.remove_button)
        actions.addStretch(1)
        layout.addLayout(actions)
        layout.addWidget(heading("Connect another", 13))
        self._form(layout)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.phone_cards: PhoneCardsDialog | None = None
        self.refresh()

    def _form(self, layout: QVBoxLayout) -> None:
        self.kind = QComboBox()
        for value, text in KINDS.items():
            self.kind.addItem(text, value)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.url = QLineEdit()
        self.url.setPlaceholderText("https://dav.example.com/ (the server's address is enough)")
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("password or app password (kept in the keyring)")
        self.grades = QLineEdit()
        self.grades.setPlaceholderText("all contacts, or accounts of grades, e.g. A, B")
        self.grades_label = QLabel("Contacts of")
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.addRow("Connect", self.kind)
        form.addRow("Server", self.url)
        form.addRow("User", self.user)
        form.addRow("Password", self.password)
        form.addRow(self.grades_label, self.grades)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        row = QHBoxLayout()
        row.addStretch(1)
        self.connect_button = QPushButton("Find and connect")
        self.connect_button.clicked.connect(self.connect_server)
        row.addWidget(self.connect_button)
        layout.addLayout(row)
        self._kind_changed()

    def _kind_changed(self) -> None:
        contacts = self.kind.currentData() == dav.CONTACTS
        self.grades.setVisible(contacts)
        self.grades_label.setVisible(contacts)

    # -- the table ---------------------------------------------------------------------------

    def refresh(self) -> None:
        self._ctx.query(dav.connections, self._show)

    def _show(self, rows: list[dav.Connection]) -> None:
        self.rows = rows
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            cells = (
                KINDS.get(row.kind, row.kind),
                row.name,
                row.where,
                moment(row.last_sync_at) or "never",
                state_text(row),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column == len(cells) - 1 and row.error:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(index, column, item)
        self.table.resizeRowsToContents()
        self.empty.setVisible(not rows)
        self._selected()

    def selected(self) -> dav.Connection | None:
        chosen = self.table.selectionModel().selectedRows()
        return self.rows[chosen[0].row()] if chosen else None

    def _selected(self) -> None:
        row = self.selected()
        self.remove_button.setEnabled(row is not None)
        self.import_button.setEnabled(row is not None and row.offered > 0)

    def remove_selected(self) -> None:
        row = self.selected()
        if row is None:
            return
        connection_id = row.id
        self._ctx.query(lambda store: dav.remove(store, connection_id), lambda _: self.refresh())

    def open_phone_cards(self) -> None:
        row = self.selected()
        if row is None:
            return
        self.phone_cards = PhoneCardsDialog(self._ctx, row, self)
        self.phone_cards.finished.connect(self.refresh)
        self.phone_cards.show()

    # -- connecting --------------------------------------------------------------------------

    def connect_server(self) -> None:
        url, user, password = (
            self.url.text().strip(),
            self.user.text().strip(),
            self.password.text(),
        )
        missing = [n for n, v in (("server", url), ("user", user), ("password", password)) if not v]
        if missing:
            self._say(f"Fill in the {' and '.join(missing)}.", ERROR_STYLE)
            return
        kind = str(self.kind.currentData())
        grades = [g.strip().upper() for g in self.grades.text().replace(",", " ").split()]
        wrong = [g for g in grades if len(g) != 1 or g not in "ABCDEFG"]
        if kind == dav.CONTACTS and wrong:
            self._say(f"{wrong[0]!r} is not a grade: use letters A to G.", ERROR_STYLE)
            return
        store = self._ctx.store
        self.connect_button.setEnabled(False)
        self._say("Looking for them on the server…", QUIET)

        def work() -> list[object]:
            return list(dav.connect(store, kind, url, user, password, grades))

        self._ctx.tasks.run_network(work, self._connected, self._failed)

    def _connected(self, added: list[object]) -> None:
        self.connect_button.setEnabled(True)
        self.password.clear()
        names = ", ".join(str(getattr(a, "name", "")) for a in added)
        self._say(f"Connected {names}: it is kept in step from the next sync on.", QUIET)
        self.refresh()

    def _failed(self, error: BaseException) -> None:
        self.connect_button.setEnabled(True)
        if not isinstance(error, dav.ConnectorError):
            raise error
        self._say(str(error).rstrip(".") + ".", ERROR_STYLE)

    def _say(self, text: str, style: str) -> None:
        self.error.setStyleSheet(style)
        self.error.setText(text)
        self.error.show()
