"""A table cell that looks like a combo box and edits as one, for long lists of choices.

The model gives the choice texts under `CHOICES_ROLE` and the chosen index under EditRole;
`setData(index, chosen_index)` changes it. Only cells flagged editable get the combo look,
so one delegate serves a column where some rows have no choice to make. Painting instead
of one persistent editor per row keeps a list of thousands of rows light.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionComboBox,
    QStyleOptionViewItem,
    QWidget,
)

CHOICES_ROLE = Qt.ItemDataRole.UserRole + 1
ModelIndex = QModelIndex | QPersistentModelIndex


def _editable(index: ModelIndex) -> bool:
    return bool(index.flags() & Qt.ItemFlag.ItemIsEditable)


class ChoiceDelegate(QStyledItemDelegate):
    """Paints editable cells as combo boxes; a click opens the real one."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        if not _editable(index):
            super().paint(painter, option, index)
            return
        item = QStyleOptionViewItem(option)
        self.initStyleOption(item, index)
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        item.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, item, painter, widget)
        combo = QStyleOptionComboBox()
        combo.rect = option.rect.adjusted(2, 1, -2, -1)
        combo.state = option.state | QStyle.StateFlag.State_Enabled
        combo.state &= ~QStyle.StateFlag.State_Selected
        combo.palette = option.palette
        combo.fontMetrics = option.fontMetrics
        combo.currentText = str(index.data() or "")
        combo.frame = True
        style.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, combo, painter, widget)
        style.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, combo, painter, widget)

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:  # noqa: N802
        size = super().sizeHint(option, index)
        return QSize(size.width() + 36, max(size.height(), 26)) if _editable(index) else size

    def createEditor(  # noqa: N802
        self, parent: QWidget, option: QStyleOptionViewItem, index: ModelIndex
    ) -> QWidget:
        combo = QComboBox(parent)
        choices = index.data(CHOICES_ROLE) or []
        combo.addItems([str(choice) for choice in choices])
        combo.setMaxVisibleItems(20)

        def chosen() -> None:
            self.commitData.emit(combo)
            self.closeEditor.emit(combo)

        combo.activated.connect(chosen)
        if QApplication.mouseButtons() != Qt.MouseButton.NoButton:
            QTimer.singleShot(0, combo.showPopup)  # opened by a click: show the list at once
        return combo

    def setEditorData(self, editor: QWidget, index: ModelIndex) -> None:  # noqa: N802
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(int(index.data(Qt.ItemDataRole.EditRole) or 0))

    def setModelData(  # noqa: N802
        self, editor: QWidget, model: QAbstractItemModel, index: ModelIndex
    ) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentIndex(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(  # noqa: N802
        self, editor: QWidget, option: QStyleOptionViewItem, index: ModelIndex
    ) -> None:
        editor.setGeometry(option.rect)
