"""Ctrl+K: search everything as you type; Enter opens the highlighted record."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.store.search import SearchHit
from sfa_desktop.ui.common.format import deal_name, label, moment

Index = QModelIndex | QPersistentModelIndex
# A prefix of one or two letters matches much of the index and ranks slowly; while it is
# that short it is left out (earlier whole words still count).
MIN_CHARS = 3
HINT = "↑ ↓ to choose · Enter to open · Esc to close"


def hit_text(hit: SearchHit) -> str:
    """'Fleet renewal   ·   Opportunity at Walter Spedition': the title, then what it is
    and what tells it apart from others of that name."""
    title, what = hit.title, label(hit.kind)
    if hit.context and hit.kind in (EntityKind.CONTACT, EntityKind.OPPORTUNITY):
        title = deal_name(title, hit.context) if hit.kind is EntityKind.OPPORTUNITY else title
        what += f" at {hit.context}"
    elif hit.context and hit.kind is EntityKind.ACCOUNT:
        what += f" in {hit.context}"
    elif hit.context and hit.kind is EntityKind.EVENT:
        start = datetime.fromisoformat(hit.context).replace(tzinfo=UTC)
        what += f", {moment(start)}"
    return f"{title}   ·   {what}"


def effective_query(text: str) -> str:
    """The text to search while typing: without a last word shorter than MIN_CHARS."""
    words = text.split()
    if words and len(words[-1]) < MIN_CHARS and not text.endswith(" "):
        words = words[:-1]
    return " ".join(words)


class SearchResultsModel(QAbstractListModel):
    """The hits of the latest search (`hit_text`)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.hits: list[SearchHit] = []

    def set_hits(self, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self.hits = list(hits)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.hits)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.hits):
            return None
        hit = self.hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit_text(hit)
        if role == Qt.ItemDataRole.ToolTipRole:
            return label(hit.kind)
        return None


class SearchPopup(QDialog):
    """A search box over the window; one search runs at a time, the latest text wins. A
    keystroke that leaves the effective query as it was (a space, a last word still too
    short) shows the hits on screen again without searching."""

    open_requested = Signal(object)
    # Results for this text are on screen (used by tests and the benchmark).
    results_shown = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlags(Qt.WindowType.Popup)
        self.setMinimumWidth(640)
        self._ctx = ctx
        self._wanted = ""
        self._busy = False
        self._shown_query: str | None = None  # the effective query of the hits on screen
        self.box = QLineEdit()
        self.box.setPlaceholderText("Search accounts, contacts, opportunities, leads and events")
        self.box.setClearButtonEnabled(True)
        self.box.setStyleSheet("font-size: 13pt; padding: 6px;")
        self.box.textChanged.connect(self._text_changed)
        self.box.returnPressed.connect(self.open_current)
        self.box.installEventFilter(self)
        self.model = SearchResultsModel(self)
        self.results = QListView()
        self.results.setModel(self.model)
        self.results.setUniformItemSizes(True)
        self.results.setStyleSheet(
            "QListView { font-size: 11pt; } QListView::item { padding: 6px; }"
        )
        self.results.setMinimumHeight(320)
        self.results.activated.connect(lambda _: self.open_current())
        self.hint = QLabel(HINT)
        self.hint.setStyleSheet("color: #5f6368;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.addWidget(self.box)
        layout.addWidget(self.results)
        layout.addWidget(self.hint)

    def popup(self) -> None:
        """Show over the parent window with the search text selected."""
        parent = self.parentWidget()
        if parent is not None:
            top = parent.mapToGlobal(parent.rect().topLeft())
            self.move(top.x() + (parent.width() - self.width()) // 2, top.y() + 60)
        self._shown_query = None  # the records may have changed since: search again
        self.show()
        self.box.selectAll()
        self.box.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.box and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()), 0)
            if step and self.model.rowCount():
                row = max(
                    0, min(self.model.rowCount() - 1, self.results.currentIndex().row() + step)
                )
                self.results.setCurrentIndex(self.model.index(row, 0))
                return True
        return super().eventFilter(watched, event)

    def open_current(self) -> None:
        row = max(0, self.results.currentIndex().row())
        if row < len(self.model.hits):
            self.open_requested.emit(self.model.hits[row])
            self.hide()

    def _text_changed(self, text: str) -> None:
        self._wanted = text
        if not self._busy:
            self._search()

    def _search(self) -> None:
        text = self._wanted
        query = effective_query(text)
        if not query:
            self.hint.setText("Keep typing…" if text.strip() else HINT)
            self._show(text, [])
            return
        self.hint.setText(HINT)
        if query == self._shown_query:  # the hits on screen stay, and so does the choice
            self.results_shown.emit(text)
            return
        self._busy = True
        self._ctx.query(
            lambda store: store.search(query, limit=30),
            lambda hits: self._done(text, query, hits),
        )

    def _done(self, text: str, query: str, hits: list[SearchHit]) -> None:
        self._busy = False
        if effective_query(self._wanted) == query:
            text = self._wanted  # typed on meanwhile without changing the query
        if text != self._wanted:
            self._search()
            return
        self._show(text, hits, query)

    def _show(self, text: str, hits: list[SearchHit], query: str | None = None) -> None:
        self._shown_query = query
        self.model.set_hits(hits)
        if hits:
            self.results.setCurrentIndex(self.model.index(0, 0))
        self.results_shown.emit(text)
