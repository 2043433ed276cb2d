"""Column widths that never cut a list's text: contents first, spare width to one column.

A column sized to stretch takes whatever the others leave, even less than its text; so
the chosen column stretches only while every column's contents fit the view, and is sized
to its contents otherwise (the list then scrolls sideways).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHeaderView, QTableView
from shiboken6 import isValid


class ColumnFit(QObject):
    """Keeps `view`'s columns at their contents' width; `stretch` takes any spare width."""

    def __init__(self, view: QTableView, stretch: int | None) -> None:
        super().__init__(view)
        self.view, self.stretch = view, stretch
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.viewport().installEventFilter(self)
        model = view.model()
        if model is not None:
            for signal in (model.modelReset, model.layoutChanged, model.dataChanged):
                signal.connect(self.refit)
        self.refit()

    def needed(self) -> int:
        """The width every column's header and (measured) contents need together."""
        header = self.view.horizontalHeader()
        return sum(
            max(self.view.sizeHintForColumn(c), header.sectionSizeHint(c))
            for c in range(header.count())
            if not header.isSectionHidden(c)
        )

    def refit(self, *_: object) -> None:
        if not isValid(self.view):
            return  # a view's model can still signal while the view is being deleted
        header = self.view.horizontalHeader()
        if self.stretch is None or self.stretch >= header.count():
            return
        fits = self.needed() <= self.view.viewport().width()
        mode = QHeaderView.ResizeMode.Stretch if fits else QHeaderView.ResizeMode.ResizeToContents
        if header.sectionResizeMode(self.stretch) != mode:
            header.setSectionResizeMode(self.stretch, mode)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.refit()
        return False


def fit_columns(view: QTableView, stretch: int) -> ColumnFit:
    """Size a short list's columns to their contents, `stretch` taking the spare width."""
    return ColumnFit(view, stretch)


def fit_lazy_columns(view: QTableView, stretch: int = 0) -> ColumnFit:
    """The same for a long (lazy) list, measuring only the rows on screen: no page of rows
    is loaded to size a column."""
    view.horizontalHeader().setResizeContentsPrecision(0)
    return ColumnFit(view, stretch)


class WrapFirst(QObject):
    """The first column takes what the others (at their contents' width) leave, never less
    than `least` px, and wraps its text (rows grow to fit): a short list of long names and
    figures reads whole; below `least` the list scrolls sideways."""

    def __init__(self, view: QTableView, least: int = 200) -> None:
        super().__init__(view)
        self.view, self.least = view, least
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        view.setWordWrap(True)
        view.setTextElideMode(Qt.TextElideMode.ElideNone)
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.viewport().installEventFilter(self)
        model = view.model()
        if model is not None:
            for signal in (model.modelReset, model.layoutChanged, model.dataChanged):
                signal.connect(self.refit)
        self.refit()

    def refit(self, *_: object) -> None:
        if not isValid(self.view):
            return
        header = self.view.horizontalHeader()
        others = sum(header.sectionSize(c) for c in range(1, header.count()))
        width = max(self.least, self.view.viewport().width() - others)
        if header.sectionSize(0) != width:
            header.resizeSection(0, width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize:
            self.refit()
        return False


def wrap_first_column(view: QTableView, least: int = 200) -> WrapFirst:
    """See WrapFirst."""
    return WrapFirst(view, least)
