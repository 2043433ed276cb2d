"""A page that says what will come there (for parts built in later issues)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from sfa_desktop.ui.widgets import caption, heading

COMING = {
    "Calendar": "Your visits and meetings by day, week and month, with recurring events, "
    "invitations from contacts and one-click 'visit done' that logs the activity.",
    "Pipeline": "Your open opportunities by stage on a board: drag to move a stage, see "
    "weighted amounts, time in stage and next steps.",
    "Plans": "Account plans for this fiscal year: grades, revenue and share-of-wallet "
    "targets, key contacts, actions and the coverage plan per channel and quarter.",
    "Forecast": "Your forecast for the month and quarter: commit and best case from your "
    "opportunities, quota attainment and submitting it to your manager.",
    "Conflicts": "Changes that lost against a newer change on the server during sync, "
    "to review and restore. Nothing is lost silently.",
}


class PlaceholderPage(QWidget):
    def __init__(self, title: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(heading(title))
        text = caption(f"Coming soon. {COMING.get(title, '')}")
        text.setMaximumWidth(640)
        layout.addWidget(text)
        layout.addStretch()
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)
