"""A line edit that finds a record of one kind as you type (search on the DB thread)."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.store.search import SearchHit


class RecordPicker(QLineEdit):
    """Pick an account, contact, ... by name; `record_id()` is None until one is chosen."""

    picked = Signal(str)

    def __init__(self, ctx: AppContext, kind: EntityKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._kind = kind
        self._id: str | None = None
        self._title = ""
        self._hits: dict[str, str] = {}
        self._names = QStringListModel(self)
        completer = QCompleter(self._names, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.activated.connect(self._chosen)
        self.setCompleter(completer)
        self.setPlaceholderText(f"Type to find {kind.value.replace('_', ' ')}…")
        self.setClearButtonEnabled(True)
        self.textEdited.connect(self._edited)

    def record_id(self) -> str | None:
        return self._id if self.text() == self._title else None

    def set_record(self, record_id: str | None, title: str = "") -> None:
        self._id, self._title = record_id, title if record_id else ""
        self.setText(self._title)

    def _edited(self, text: str) -> None:
        kind = self._kind
        self._ctx.query(lambda store: store.search(text, [kind], limit=12), self._found)

    def _found(self, hits: list[SearchHit]) -> None:
        self._hits = {hit.title: hit.id for hit in hits}
        self._names.setStringList(list(self._hits))
        if hits and self.hasFocus():
            completer = self.completer()
            completer.setCompletionPrefix("")
            completer.complete()

    def _chosen(self, title: str) -> None:
        if title in self._hits:
            self.set_record(self._hits[title], title)
            self.picked.emit(self._hits[title])
