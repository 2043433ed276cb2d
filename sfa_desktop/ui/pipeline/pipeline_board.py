"""The pipeline board: a column per stage with totals; drag a card to another stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QScrollBar, QWidget

from sfa_desktop.core.enums import OPEN_STAGES, Stage
from sfa_desktop.core.rules.currency import DEFAULT_CORPORATE_CURRENCY
from sfa_desktop.core.rules.deal_health import CloseFlag, close_flag, is_stale
from sfa_desktop.store.pipeline import PipelineCard
from sfa_desktop.ui.common.format import day, deal_name, money

BOARD_STAGES: tuple[Stage, ...] = (*OPEN_STAGES, Stage.CLOSED_WON, Stage.CLOSED_LOST)
# Header height, gap between cards, column padding, narrowest column (narrower boards scroll
# sideways: 7 columns fit a 1280-pixel window), row height of the figures on a card.
HEAD, GAP, PAD, MIN_COLUMN, ROW = 76, 8, 6, 148, 18
# Card text inset: left (room for the close-date edge), top, right, bottom.
INSET = (10, 6, 8, 6)
FLAG_COLOURS = {CloseFlag.OVERDUE: "#c5221f", CloseFlag.THIS_MONTH: "#b06000"}
STAGE_COLOURS = {Stage.CLOSED_WON: "#188038", Stage.CLOSED_LOST: "#80868b"}
WRAP = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop


@dataclass(frozen=True)
class Drawn:
    """A text the board painted and the box it had (read by the layout tests)."""

    text: str
    box: QRectF
    font: QFont
    wrap: bool


class PipelineBoard(QWidget):
    """Cards by stage; a drag onto another column asks for the stage change.

    A card shows the deal's name without its account's name (shown below it), both wrapped
    to the card's width: cards grow instead of cutting names. Columns keep MIN_COLUMN
    pixels; when seven do not fit, the board scrolls sideways.
    """

    stage_dropped = Signal(str, object)  # opportunity id, Stage
    open_requested = Signal(object)  # PipelineCard

    def __init__(
        self,
        today: Callable[[], date] = date.today,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__()
        self._today, self._now = today, now
        self.columns: dict[Stage, list[PipelineCard]] = {s: [] for s in BOARD_STAGES}
        self.stale_days = 30
        self.selected: str | None = None
        self._press: tuple[PipelineCard, QPointF] | None = None
        self.dragging: PipelineCard | None = None
        self._cursor = QPointF()
        # Per column, each card's top (in content coordinates) and height.
        self._tops: dict[Stage, list[tuple[float, float]]] = {s: [] for s in BOARD_STAGES}
        self.drawn: list[Drawn] = []
        self.setMouseTracking(True)
        self.setMinimumSize(3 * MIN_COLUMN, 300)
        self.scrollbar = QScrollBar(Qt.Orientation.Vertical, self)
        self.scrollbar.setSingleStep(40)
        self.scrollbar.valueChanged.connect(self.update)
        self.sideways = QScrollBar(Qt.Orientation.Horizontal, self)
        self.sideways.setSingleStep(MIN_COLUMN // 2)
        self.sideways.valueChanged.connect(self.update)

    def set_cards(self, cards: list[PipelineCard], stale_days: int) -> None:
        self.stale_days = stale_days
        self.columns = {s: [c for c in cards if c.opportunity.stage is s] for s in BOARD_STAGES}
        self._press, self.dragging = None, None
        self._layout()
        self.update()

    # -- geometry -------------------------------------------------------------------------------

    def _bold(self) -> QFont:
        font = QFont(self.font())
        font.setBold(True)
        return font

    def column_width(self) -> float:
        room = self.width() - self.scrollbar.sizeHint().width()
        return max(float(MIN_COLUMN), room / len(BOARD_STAGES))

    def _bottom(self) -> int:
        """Where the cards' area ends (above the sideways scrollbar when it shows)."""
        return self.height() - (self.sideways.height() if self.sideways.isVisible() else 0)

    def column_rect(self, index: int) -> QRectF:
        width = self.column_width()
        left = index * width - self.sideways.value()
        return QRectF(left + PAD / 2, 0, width - PAD, self._bottom())

    def _text_width(self) -> float:
        return self.column_width() - PAD - 2 * PAD - INSET[0] - INSET[2]

    def card_height(self, card: PipelineCard, width: float) -> float:
        """Name and account wrapped to `width`, then the amount row and the date row."""
        name = deal_name(card.opportunity.name, card.account_name)
        box = QRectF(0, 0, width, 10_000).toRect()
        title = QFontMetrics(self._bold()).boundingRect(box, WRAP, name).height()
        account = self.fontMetrics().boundingRect(box, WRAP, card.account_name).height()
        return INSET[1] + title + 2 + account + 4 + 2 * ROW + INSET[3]

    def card_rect(self, index: int, row: int) -> QRectF:
        column = self.column_rect(index)
        top, height = self._tops[BOARD_STAGES[index]][row]
        y = HEAD + GAP + top - self.scrollbar.value()
        return QRectF(column.left() + PAD, y, column.width() - 2 * PAD, height)

    def stage_at(self, x: float) -> Stage:
        index = int((x + self.sideways.value()) // self.column_width())
        return BOARD_STAGES[min(max(index, 0), len(BOARD_STAGES) - 1)]

    def card_at(self, pos: QPointF) -> PipelineCard | None:
        if pos.y() < HEAD or pos.y() > self._bottom():
            return None
        index = BOARD_STAGES.index(self.stage_at(pos.x()))
        for row, card in enumerate(self.columns[BOARD_STAGES[index]]):
            if self.card_rect(index, row).contains(pos):
                return card
        return None

    def rect_of(self, opportunity_id: str) -> QRectF | None:
        for index, stage in enumerate(BOARD_STAGES):
            for row, card in enumerate(self.columns[stage]):
                if card.opportunity.id == opportunity_id:
                    return self.card_rect(index, row)
        return None

    def _layout(self) -> None:
        """Card heights for the current width, and both scrollbars' ranges."""
        width = self._text_width()
        content = 0.0
        for stage in BOARD_STAGES:
            top, tops = 0.0, []
            for card in self.columns[stage]:
                height = self.card_height(card, width)
                tops.append((top, height))
                top += height + GAP
            self._tops[stage] = tops
            content = max(content, top)
        wide = self.column_width() * len(BOARD_STAGES)
        bar = self.sideways.sizeHint().height()
        self.sideways.setVisible(wide > self.width() - self.scrollbar.sizeHint().width() + 0.5)
        self.sideways.setGeometry(0, self.height() - bar, self.width(), bar)
        self.sideways.setRange(0, max(0, round(wide - self.width())))
        self.sideways.setPageStep(max(1, self.width()))
        across = self.scrollbar.sizeHint().width()
        self.scrollbar.setGeometry(self.width() - across, HEAD, across, self._bottom() - HEAD)
        visible = self._bottom() - HEAD
        self.scrollbar.setRange(0, max(0, round(content + GAP - visible)))
        self.scrollbar.setPageStep(max(1, visible))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        self._layout()
        super().resizeEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        delta = event.angleDelta()
        sideways = delta.x() or (
            delta.y() if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 0
        )
        if sideways:
            self.sideways.setValue(self.sideways.value() - sideways // 2)
        else:
            self.scrollbar.setValue(self.scrollbar.value() - delta.y() // 2)

    # -- mouse ----------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            return
        card = self.card_at(event.position())
        self.selected = card.opportunity.id if card else None
        self._press = (card, event.position()) if card else None
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._cursor = event.position()
        if self._press is None:
            return
        card, origin = self._press
        if self.dragging is None and (event.position() - origin).manhattanLength() >= 6:
            self.dragging = card
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        dragging, self.dragging, self._press = self.dragging, None, None
        self.unsetCursor()
        self.update()
        if dragging is None:
            return
        stage = self.stage_at(event.position().x())
        if stage is not dragging.opportunity.stage:
            self.stage_dropped.emit(dragging.opportunity.id, stage)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._press, self.dragging = None, None
        card = self.card_at(event.position())
        if card is not None:
            self.open_requested.emit(card)

    # -- painting -------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        self.drawn = []
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        target = self.stage_at(self._cursor.x()) if self.dragging else None
        bottom = self._bottom()
        for index, stage in enumerate(BOARD_STAGES):
            column = self.column_rect(index)
            if column.right() < 0 or column.left() > self.width():
                continue
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#e8f0fe" if stage is target else "#f1f3f4"))
            painter.drawRoundedRect(column, 8, 8)
            self._paint_header(painter, column, stage)
            painter.save()
            painter.setClipRect(QRectF(column.left(), HEAD, column.width(), bottom - HEAD))
            for row, card in enumerate(self.columns[stage]):
                rect = self.card_rect(index, row)
                if rect.bottom() >= HEAD and rect.top() <= bottom:
                    faded = (
                        self.dragging is not None
                        and card.opportunity.id == self.dragging.opportunity.id
                    )
                    self._paint_card(painter, rect, card, faded)
            painter.restore()
        if self.dragging is not None:
            width = self.column_width() - 3 * PAD
            height = self.card_height(self.dragging, self._text_width())
            ghost = QRectF(
                self._cursor.x() - width / 2, self._cursor.y() - height / 2, width, height
            )
            self._paint_card(painter, ghost, self.dragging, False, lifted=True)
        painter.end()

    def _text(
        self,
        painter: QPainter,
        box: QRectF,
        text: str,
        colour: str,
        flags: Qt.AlignmentFlag | Qt.TextFlag = Qt.AlignmentFlag.AlignLeft,
        bold: bool = False,
    ) -> None:
        font = self._bold() if bold else self.font()
        painter.setFont(font)
        painter.setPen(QColor(colour))
        wrap = bool(flags & Qt.TextFlag.TextWordWrap)
        painter.drawText(box, flags if wrap else flags | Qt.AlignmentFlag.AlignVCenter, text)
        self.drawn.append(Drawn(text, QRectF(box), font, wrap))

    def _paint_header(self, painter: QPainter, column: QRectF, stage: Stage) -> None:
        cards = self.columns[stage]
        total = sum(c.opportunity.amount for c in cards)
        weighted = sum(c.opportunity.weighted_amount for c in cards)
        currency = cards[0].opportunity.currency if cards else DEFAULT_CORPORATE_CURRENCY
        box = column.adjusted(8, 8, -8, 0)
        count = str(len(cards))
        count_width = QFontMetrics(self._bold()).horizontalAdvance(count) + 6
        title = QRectF(box.left(), box.top(), box.width() - count_width, 20)
        self._text(painter, title, stage.label, STAGE_COLOURS.get(stage, "#202124"), bold=True)
        right = QRectF(box.right() - count_width, box.top(), count_width, 20)
        self._text(painter, right, count, "#5f6368", Qt.AlignmentFlag.AlignRight, bold=True)
        figures = (
            (f"{money(total, currency)} total", 24),
            (f"{money(weighted, currency)} weighted", 42),
        )
        for text, offset in figures:
            self._text(
                painter, QRectF(box.left(), box.top() + offset, box.width(), ROW), text, "#5f6368"
            )

    def _paint_card(
        self, painter: QPainter, rect: QRectF, card: PipelineCard, faded: bool, lifted: bool = False
    ) -> None:
        deal = card.opportunity
        stale = is_stale(deal, card.last_touched, self._now(), self.stale_days)
        flag = close_flag(deal, self._today())
        painter.save()
        painter.setOpacity(0.35 if faded else 1.0)
        selected = deal.id == self.selected
        border = QColor("#1a73e8") if selected or lifted else QColor("#dadce0")
        painter.setPen(QPen(border, 2 if selected or lifted else 1))
        painter.setBrush(QColor("#fffbeb" if stale else "white"))
        painter.drawRoundedRect(rect, 6, 6)
        if flag is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(FLAG_COLOURS[flag]))
            painter.drawRoundedRect(
                QRectF(rect.left() + 1, rect.top() + 6, 3, rect.height() - 12), 1.5, 1.5
            )
        text = rect.adjusted(INSET[0], INSET[1], -INSET[2], -INSET[3])
        bounds = QRectF(0, 0, text.width(), 10_000).toRect()
        name = deal_name(deal.name, card.account_name)
        title = QFontMetrics(self._bold()).boundingRect(bounds, WRAP, name).height()
        account = self.fontMetrics().boundingRect(bounds, WRAP, card.account_name).height()
        top = text.top()
        self._text(
            painter, QRectF(text.left(), top, text.width(), title), name, "#202124", WRAP, True
        )
        top += title + 2
        self._text(
            painter,
            QRectF(text.left(), top, text.width(), account),
            card.account_name,
            "#5f6368",
            WRAP,
        )
        top += account + 4
        amount = QRectF(text.left(), top, text.width(), ROW)
        self._text(painter, amount, money(deal.amount, deal.currency), "#202124")
        self._text(painter, amount, f"{deal.probability}%", "#5f6368", Qt.AlignmentFlag.AlignRight)
        when = QRectF(text.left(), top + ROW, text.width(), ROW)
        self._text(painter, when, day(deal.close_date), FLAG_COLOURS[flag] if flag else "#5f6368")
        if stale:
            self._text(painter, when, "stale", "#b06000", Qt.AlignmentFlag.AlignRight)
        painter.restore()
