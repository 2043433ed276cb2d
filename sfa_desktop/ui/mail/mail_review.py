"""The first-run review: every email of the last 30 days that would be logged, each with
a tick; nothing is written until "Log ticked emails", and an unticked email is never
logged. Cancel writes nothing (the mailbox keeps waiting for its review)."""

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

from sfa_desktop.app import mail_capture
from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import Account, Contact
from sfa_desktop.store import Store
from sfa_desktop.ui.common.format import moment
from sfa_desktop.ui.common.widgets import ERROR_STYLE, caption, fit_to_screen

COLUMNS = ("Log", "When", "Way", "Subject", "Account", "Contacts")
WAYS = {"in": "↙ Received", "out": "↗ Sent"}


def _names(store: Store) -> dict[str | None, str]:
    names: dict[str | None, str] = {None: "No account"}
    names.update({row[0]: str(row[1]) for row in store.column_rows(Account, ["name"])})
    for row in store.column_rows(Contact, ["first_name", "last_name"]):
        names[row[0]] = " ".join(str(part) for part in row[1:] if part)
    return names


class ReviewDialog(QDialog):
    """Reads the mailbox on the network pool, then lists what would be logged."""

    def __init__(
        self, ctx: AppContext, account: mail_capture.MailAccount, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Review email to log")
        self._ctx = ctx
        self.account = account
        self.check: mail_capture.Check | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        self.intro = QLabel(f"Reading {account.username}…")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        layout.addWidget(
            caption(
                "Untick what must not be logged: it is never logged later either. "
                "Only the subject, a short excerpt and attachment names leave this computer."
            )
        )
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.log_button = self.buttons.addButton(
            "Log ticked emails", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.log_button.setEnabled(False)
        self.buttons.accepted.connect(self.log_ticked)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 980, 560)

    def start(self) -> None:
        """Show the dialog and read the mailbox (nothing is written)."""
        self.show()
        store, account_id = self._ctx.store, self.account.id
        self._ctx.tasks.run_network(
            lambda: (mail_capture.review(store, account_id), _names(store)),
            lambda found: self.show_check(*found),
            self._failed,
        )

    def show_check(self, check: mail_capture.Check, names: dict[str | None, str]) -> None:
        self.check = check
        count = len(check.proposals)
        self.intro.setText(
            f"{count} email{'s' if count != 1 else ''} of the last 30 days would be logged "
            f"from {self.account.username}. Nothing is written until you accept."
        )
        self.table.setRowCount(count)
        for row, proposal in enumerate(check.proposals):
            tick = QTableWidgetItem()
            tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            tick.setCheckState(Qt.CheckState.Checked)
            accounts = [names.get(account, "?") for account in proposal.found.contacts]
            people = [names.get(c, "?") for ids in proposal.found.contacts.values() for c in ids]
            cells = [
                moment(proposal.header.sent_at),
                WAYS.get(proposal.found.direction, ""),
                proposal.header.subject or "(no subject)",
                ", ".join(accounts),
                ", ".join(people),
            ]
            self.table.setItem(row, 0, tick)
            for column, text in enumerate(cells, start=1):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.log_button.setEnabled(True)
        self.log_button.setText("Log ticked emails" if count else "Start logging new email")

    def dropped(self) -> set[str]:
        """Keys of the unticked emails."""
        assert self.check is not None
        return {
            proposal.header.key
            for row, proposal in enumerate(self.check.proposals)
            if (item := self.table.item(row, 0)) is not None
            and item.checkState() != Qt.CheckState.Checked
        }

    def log_ticked(self) -> None:
        check, dropped = self.check, self.dropped()
        if check is None:
            return
        self.log_button.setEnabled(False)
        self._ctx.query(
            lambda store: mail_capture.accept(store, check, dropped), self._logged, self._failed
        )

    def _logged(self, report: mail_capture.MailReport) -> None:
        self._ctx.announce(report.changes)
        self._ctx.signals.message.emit(f"Logged {report.created} email activities.")
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.intro.setText(f"{self.account.username} could not be read.")
        self.error.setText(str(error) if isinstance(error, mail_capture.MailError) else repr(error))
        self.error.show()
