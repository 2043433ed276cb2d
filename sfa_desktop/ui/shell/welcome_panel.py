"""What an empty store shows on the first page: sign in to download your data, or import."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from sfa_desktop.operations.session import Session
from sfa_desktop.ui.common.widgets import caption, heading

PANEL_STYLE = """
#welcome { background: palette(base); border: 1px solid #dadce0; border-radius: 8px; }
QPushButton { padding: 6px 18px; }
QPushButton#primary { background: #1a73e8; color: white; border: none; border-radius: 4px; }
"""


class WelcomePanel(QWidget):
    """A card in the middle of the page with Sign in and Import; `update_for` words it
    for a store that is signed in (its first download may still be coming) or not."""

    sign_in = Signal()
    import_file = Signal()

    def __init__(self) -> None:
        super().__init__()
        card = QFrame()
        card.setObjectName("welcome")
        card.setStyleSheet(PANEL_STYLE)
        card.setFixedWidth(560)  # word-wrapped text needs a width to take its height from
        self.title = heading("Welcome to SFA Desktop", 16)
        self.text = caption("")
        self.sign_in_button = QPushButton("Sign in…")
        self.sign_in_button.setObjectName("primary")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self.sign_in.emit)
        self.import_button = QPushButton("Import a file…")
        self.import_button.clicked.connect(self.import_file.emit)
        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.import_button)
        buttons.addStretch()
        inner = QVBoxLayout(card)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(12)
        inner.addWidget(self.title)
        inner.addWidget(self.text)
        inner.addLayout(buttons)
        row = QHBoxLayout()  # centred by stretches: an aligned item loses height-for-width
        row.addStretch()
        row.addWidget(card)
        row.addStretch()
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.update_for(None)

    def update_for(self, session: Session | None) -> None:
        if session is not None and session.signed_in:
            self.text.setText(
                f"You are signed in to {session.server} as {session.who}, and nothing has "
                "been downloaded yet: your accounts, contacts and deals appear here after "
                "the first sync (File ▸ Sync now, F5). You can also import a CSV or vCard "
                "file of accounts, contacts or leads."
            )
            self.sign_in_button.hide()
        else:
            self.text.setText(
                "There is nothing here yet. Sign in to your company's server to download "
                "your accounts, contacts and deals, or import a CSV or vCard file of "
                "accounts, contacts or leads to start on this computer."
            )
            self.sign_in_button.show()
