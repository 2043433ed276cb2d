"""Find text a widget tree cuts off: measured with Qt's font metrics against the geometry.

The rules (docs/decisions.md, "Readable screens"):
- a label, button, check box, radio button, group box title, combo box text, spin box or
  date text, placeholder or tab title is never narrower (or, wrapped, lower) than its text;
- a header section is never narrower than its text (and the sort arrow, when sorted);
- a cell of a list or table cuts its text only when `cells` says so (see `cut_cells`).
The widths come from QFontMetrics and the style's margins, not from the code under test.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QRect, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QTabBar,
    QWidget,
)

# Sub-pixel rounding of text advances: a text this much wider still shows whole.
SLACK = 1


@dataclass(frozen=True)
class Cut:
    """One text shown shorter than it is: where, what, how wide it needs and gets."""

    kind: str
    where: str
    text: str
    needed: int
    given: int

    def __str__(self) -> str:
        return f"{self.kind} {self.where}: {self.text!r} needs {self.needed} px, has {self.given}"


def path_of(widget: QWidget, root: QWidget) -> str:
    """Class names (or object names) from `root` down to `widget`, for messages."""
    parts = []
    current: QWidget | None = widget
    while current is not None and current is not root:
        parts.append(current.objectName() or type(current).__name__)
        current = current.parentWidget()
    return "/".join(reversed(parts[:3]))


def _advance(metrics: QFontMetrics, text: str) -> int:
    return max((metrics.horizontalAdvance(line) for line in text.split("\n")), default=0)


def _plain(text: str) -> str:
    """A button's text as shown: '&&' is '&', a single '&' marks the shortcut."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def shown(widget: QWidget, root: QWidget) -> bool:
    """Visible in `root` and not squeezed to nothing by a splitter or scroll area."""
    return widget.isVisibleTo(root) and widget.width() > 0 and widget.height() > 0


def label_cuts(label: QLabel, where: str) -> list[Cut]:
    text = label.text()
    if not text or (label.pixmap() is not None and not label.pixmap().isNull()):
        return []
    hint = label.minimumSizeHint() if label.wordWrap() else label.sizeHint()
    cuts = []
    if label.width() + SLACK < hint.width():
        cuts.append(Cut("label", where, text, hint.width(), label.width()))
    if label.wordWrap():
        needed = label.heightForWidth(label.width())
        if label.height() + SLACK < needed:
            cuts.append(Cut("wrapped label (height)", where, text, needed, label.height()))
    elif label.height() + SLACK < QFontMetrics(label.font()).height():
        cuts.append(
            Cut("label (height)", where, text, label.fontMetrics().height(), label.height())
        )
    return cuts


def button_cuts(button: QAbstractButton, where: str) -> list[Cut]:
    text = _plain(button.text())
    if not text:
        return []
    option = QStyleOptionButton()
    option.initFrom(button)
    option.text, option.icon, option.iconSize = button.text(), button.icon(), button.iconSize()
    style = button.style()
    element = {
        QCheckBox: QStyle.SubElement.SE_CheckBoxContents,
        QRadioButton: QStyle.SubElement.SE_RadioButtonContents,
    }.get(type(button), QStyle.SubElement.SE_PushButtonContents)
    box = style.subElementRect(element, option, button)
    room = box.width()  # the style draws the label centred in this rect
    if not button.icon().isNull():
        room -= button.iconSize().width() + 4
    needed = _advance(button.fontMetrics(), text)
    if needed > room + SLACK:
        return [Cut(type(button).__name__, where, text, needed, room)]
    return []


def tab_cuts(bar: QTabBar, where: str) -> list[Cut]:
    cuts = []
    space = bar.style().pixelMetric(QStyle.PixelMetric.PM_TabBarTabHSpace, None, bar)
    for index in range(bar.count()):
        if not bar.isTabVisible(index):
            continue
        text = _plain(bar.tabText(index))
        rect = bar.tabRect(index)
        needed = _advance(bar.fontMetrics(), text) + space // 2
        if rect.width() + SLACK < needed:
            cuts.append(Cut("tab", where, text, needed, rect.width()))
    arrows = [b for b in bar.findChildren(QAbstractButton) if b.isVisibleTo(bar)]
    if arrows:
        every = sum(bar.tabRect(i).width() for i in range(bar.count()) if bar.isTabVisible(i))
        names = ", ".join(_plain(bar.tabText(i)) for i in range(bar.count()))
        cuts.append(Cut("tabs behind scroll arrows", where, names, every, bar.width()))
    return cuts


def header_cuts(header: QHeaderView, where: str) -> list[Cut]:
    model = header.model()
    if model is None:
        return []
    cuts = []
    style = header.style()
    margin = style.pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    arrow = style.pixelMetric(QStyle.PixelMetric.PM_HeaderMarkSize, None, header)
    metrics = header.fontMetrics()
    for section in range(header.count()):
        if header.isSectionHidden(section):
            continue
        text = model.headerData(section, header.orientation(), Qt.ItemDataRole.DisplayRole)
        if not isinstance(text, str) or not text:
            continue
        needed = _advance(metrics, text) + 2 * margin
        if header.isSortIndicatorShown() and header.sortIndicatorSection() == section:
            needed += arrow + margin
        given = header.sectionSize(section)
        if header.orientation() is Qt.Orientation.Horizontal and given + SLACK < needed:
            cuts.append(Cut("header", where, text, needed, given))
        lines = text.count("\n") + 1
        if header.height() + SLACK < lines * metrics.lineSpacing() + 2:
            cuts.append(Cut("header (height)", where, text, lines * metrics.lineSpacing(), 0))
    return cuts


def combo_cuts(combo: QComboBox, where: str) -> list[Cut]:
    text = combo.currentText()
    if not text or combo.isEditable():
        return []
    option = QStyleOptionComboBox()
    option.initFrom(combo)
    option.currentText = text
    field = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    needed = _advance(combo.fontMetrics(), text)
    if needed > field.width() + SLACK:
        return [Cut("combo box", where, text, needed, field.width())]
    return []


def placeholder_cuts(edit: QLineEdit, where: str) -> list[Cut]:
    text = edit.placeholderText()
    if not text or edit.text():
        return []
    margins = edit.textMargins()
    # QLineEdit keeps 2 px of horizontal margin inside its frame (qlineedit_p.h).
    room = edit.contentsRect().width() - margins.left() - margins.right() - 2 * 2
    room -= sum(a.width() for a in edit.findChildren(QWidget) if a.isVisibleTo(edit))
    needed = _advance(edit.fontMetrics(), text)
    if needed > room + SLACK:
        return [Cut("placeholder", where, text, needed, room)]
    return []


def spin_cuts(box: QAbstractSpinBox, where: str) -> list[Cut]:
    """A spin box's (or date edit's) text, prefix and suffix included, against its field."""
    edit = box.findChild(QLineEdit)
    text = box.text()
    if edit is None or not text:
        return []
    margins = edit.textMargins()
    room = edit.contentsRect().width() - margins.left() - margins.right() - 2 * 2
    needed = _advance(edit.fontMetrics(), text)
    if needed > room + SLACK:
        return [Cut("spin box", where, text, needed, room)]
    return []


def cell_cuts(view: QAbstractItemView, where: str) -> list[Cut]:
    """Cells in the rows on screen whose text is wider than the room the delegate gives it."""
    model = view.model()
    if model is None:
        return []
    style = view.style()
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    viewport = view.viewport().rect()
    cuts: list[Cut] = []
    top = view.indexAt(viewport.topLeft())
    row = top.row() if top.isValid() else 0
    rows = model.rowCount(QModelIndex())
    header = getattr(view, "horizontalHeader", getattr(view, "header", None))
    columns = header().count() if header is not None else 1
    while row < rows:
        first = model.index(row, 0)
        if view.visualRect(first).top() > viewport.bottom():
            break
        for column in range(columns):
            index = model.index(row, column)
            cut = _cell_cut(view, index, margin, where)
            if cut is not None:
                cuts.append(cut)
        row += 1
    return cuts


def _cell_cut(view: QAbstractItemView, index: QModelIndex, margin: int, where: str) -> Cut | None:
    text = index.data(Qt.ItemDataRole.DisplayRole)
    rect: QRect = view.visualRect(index)
    if not isinstance(text, str) or not text or rect.width() <= 0:
        return None
    font = index.data(Qt.ItemDataRole.FontRole) or view.font()
    room = rect.width() - 2 * margin
    if index.data(Qt.ItemDataRole.DecorationRole) is not None:
        room -= view.iconSize().width() + margin if view.iconSize().isValid() else 20
    metrics = QFontMetrics(font)
    needed = _advance(metrics, text)
    if needed <= room + SLACK:
        return None
    if view.wordWrap():  # a wrapped cell is whole when its row is tall enough for its lines
        lines = metrics.boundingRect(
            QRect(0, 0, max(1, room), 10_000), Qt.TextFlag.TextWordWrap, text
        )
        if lines.width() <= room + SLACK and lines.height() <= rect.height():
            return None
    header = index.model().headerData(
        index.column(), Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole
    )
    return Cut("cell", f"{where}[{header or index.column()}]", text, needed, room)


def cuts_in(root: QWidget, cells: bool = True) -> list[Cut]:
    """Every cut text in `root` and its visible children (cells of item views if `cells`)."""
    found: list[Cut] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not shown(widget, root) or widget.property("allow_cut_text"):
            continue
        where = path_of(widget, root)
        if isinstance(widget, QLabel):
            found += label_cuts(widget, where)
        elif isinstance(widget, QAbstractButton) and not isinstance(widget.parent(), QTabBar):
            found += button_cuts(widget, where)
        elif isinstance(widget, QTabBar):
            found += tab_cuts(widget, where)
        elif isinstance(widget, QHeaderView):
            found += header_cuts(widget, where)
        elif isinstance(widget, QComboBox):
            found += combo_cuts(widget, where)
        elif isinstance(widget, QAbstractSpinBox):
            found += spin_cuts(widget, where)
        elif isinstance(widget, QLineEdit):
            found += placeholder_cuts(widget, where)
        elif isinstance(widget, QGroupBox) and widget.title():
            needed = _advance(widget.fontMetrics(), _plain(widget.title())) + 8
            if widget.width() + SLACK < needed:
                found.append(Cut("group box", where, widget.title(), needed, widget.width()))
        if cells and isinstance(widget, QAbstractItemView) and not isinstance(widget, QHeaderView):
            found += cell_cuts(widget, where)
    return found
