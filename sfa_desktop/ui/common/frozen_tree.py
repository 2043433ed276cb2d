"""A tree view whose first column stays in place while the other columns scroll sideways
(Qt's frozen-column example, for a tree): a wide forecast keeps its names on screen."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QFrame, QHeaderView, QTreeView, QWidget

STYLE = "QTreeView::item { padding: 4px 2px; }"


class FrozenNameTree(QTreeView):
    """The tree, with a second view over its left edge that shows only column 0; both
    share the model, the selection and the expanded rows, and scroll together."""

    def __init__(self, model: QAbstractItemModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.frozen = QTreeView(self)
        self.frozen.setModel(model)
        self.frozen.setSelectionModel(self.selectionModel())
        self.frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        for view in (self, self.frozen):
            view.setAlternatingRowColors(True)
            view.setUniformRowHeights(True)
            view.setStyleSheet(STYLE)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.header().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        self.frozen.setFrameShape(QFrame.Shape.NoFrame)
        self.frozen.setStyleSheet(f"{STYLE} QTreeView {{ border-right: 1px solid #c4c7c5; }}")
        self.frozen.header().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.frozen.header().setStretchLastSection(False)
        self.viewport().stackUnder(self.frozen)
        self.header().sectionResized.connect(self._section_resized)
        self.frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(self.frozen.verticalScrollBar().setValue)
        self.expanded.connect(self._expand_frozen)
        self.collapsed.connect(self._collapse_frozen)
        self.frozen.expanded.connect(self.expand)
        self.frozen.collapsed.connect(self.collapse)
        model.modelReset.connect(self.refreeze)
        self.refreeze()
        self.frozen.show()

    def refreeze(self) -> None:
        """Show only the first column in the frozen view (after the columns changed)."""
        model = self.model()
        columns = model.columnCount() if model is not None else 0
        for column in range(1, columns):
            self.frozen.setColumnHidden(column, True)
        self.frozen.setColumnWidth(0, self.columnWidth(0))
        self._place()

    def expandAll(self) -> None:  # noqa: N802
        super().expandAll()
        self.frozen.expandAll()

    def _expand_frozen(self, index: QModelIndex) -> None:
        self.frozen.expand(index)

    def _collapse_frozen(self, index: QModelIndex) -> None:
        self.frozen.collapse(index)

    def _section_resized(self, column: int, _old: int, new: int) -> None:
        if column == 0:
            self.frozen.setColumnWidth(0, new)
            self._place()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place()

    def _place(self) -> None:
        frame = self.frameWidth()
        self.frozen.setGeometry(
            frame,
            frame,
            self.columnWidth(0),
            self.viewport().height() + self.header().height(),
        )
