"""The pipeline board: a column per stage with totals; drag a card to another stage."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QScrollBar, QWidget

from sfa_desktop.core.enums import OPEN_STAGES, Stage
from sfa_desktop.core.rules.deal_health import CloseFlag, close_flag, is_stale
from sfa_desktop.store.pipeline import PipelineCard
from sfa_desktop.ui.format import day, money

BOARD_STAGES: tuple[Stage, ...] = (*OPEN_STAGES, Stage.CLOSED_WON, Stage.CLOSED_LOST)
HEAD, CARD, GAP, PAD = 76, 92, 8, 6
FLAG_COLOURS = {CloseFlag.OVERDUE: "#c5221f", CloseFlag.THIS_MONTH: "#b06000"}
STAGE_COLOURS = {Stage.CLOSED_WON: "#188038", Stage.CLOSED_LOST: "#80868b"}


class PipelineBoard(QWidget):
    """Cards by stage; a drag onto another column asks for the stage change."""

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
        self.setMouseTracking(True)
        self.setMinimumSize(7 * 120, 300)
        self.scrollbar = QScrollBar(Qt.Orientation.Vertical, self)
        self.scrollbar.setSingleStep(CARD // 2)
        self.scrollbar.valueChanged.connect(self.update)

    def set_cards(self, cards: list[PipelineCard], stale_days: int) -> None:
        self.stale_days = stale_days
        self.columns = {s: [c for c in cards if c.opportunity.stage is s] for s in BOARD_STAGES}
        self._press, self.dragging = None, None
        self._layout_scrollbar()
        self.update()

    # -- geometry -------------------------------------------------------------------------------

    def column_width(self) -> float:
        return (self.width() - self.scrollbar.width()) / len(BOARD_STAGES)

    def column_rect(self, index: int) -> QRectF:
        width = self.column_width()
        return QRectF(index * width + PAD / 2, 0, width - PAD, self.height())

    def card_rect(self, index: int, row: int) -> QRectF:
        column = self.column_rect(index)
        top = HEAD + GAP + row * (CARD + GAP) - self.scrollbar.value()
        return QRectF(column.left() + PAD, top, column.width() - 2 * PAD, CARD)

    def stage_at(self, x: float) -> Stage:
        index = min(max(int(x // self.column_width()), 0), len(BOARD_STAGES) - 1)
        return BOARD_STAGES[index]

    def card_at(self, pos: QPointF) -> PipelineCard | None:
        if pos.y() < HEAD:
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

    def _layout_scrollbar(self) -> None:
        width = self.scrollbar.sizeHint().width()
        self.scrollbar.setGeometry(self.width() - width, HEAD, width, max(0, self.height() - HEAD))
        rows = max((len(cards) for cards in self.columns.values()), default=0)
        content = rows * (CARD + GAP) + GAP
        visible = self.height() - HEAD
        self.scrollbar.setRange(0, max(0, content - visible))
        self.scrollbar.setPageStep(max(1, visible))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        self._layout_scrollbar()
        super().resizeEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        self.scrollbar.setValue(self.scrollbar.value() - event.angleDelta().y() // 2)

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
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        target = self.stage_at(self._cursor.x()) if self.dragging else None
        for index, stage in enumerate(BOARD_STAGES):
            column = self.column_rect(index)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#e8f0fe" if stage is target else "#f1f3f4"))
            painter.drawRoundedRect(column, 8, 8)
            self._paint_header(painter, column, stage)
            painter.save()
            painter.setClipRect(QRectF(column.left(), HEAD, column.width(), self.height() - HEAD))
            for row, card in enumerate(self.columns[stage]):
                rect = self.card_rect(index, row)
                if rect.bottom() >= HEAD and rect.top() <= self.height():
                    faded = (
                        self.dragging is not None
                        and card.opportunity.id == self.dragging.opportunity.id
                    )
                    self._paint_card(painter, rect, card, faded)
            painter.restore()
        if self.dragging is not None:
            width = self.column_width() - 2 * PAD - PAD
            ghost = QRectF(self._cursor.x() - width / 2, self._cursor.y() - CARD / 2, width, CARD)
            self._paint_card(painter, ghost, self.dragging, False, lifted=True)
        painter.end()

    def _paint_header(self, painter: QPainter, column: QRectF, stage: Stage) -> None:
        cards = self.columns[stage]
        total = sum(c.opportunity.amount for c in cards)
        weighted = sum(c.opportunity.weighted_amount for c in cards)
        currency = cards[0].opportunity.currency if cards else "EUR"
        box = column.adjusted(10, 8, -10, 0)
        bold = QFont(self.font())
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor(STAGE_COLOURS.get(stage, "#202124")))
        metrics = painter.fontMetrics()
        title = metrics.elidedText(stage.label, Qt.TextElideMode.ElideRight, int(box.width() - 30))
        painter.drawText(QRectF(box.left(), box.top(), box.width(), 20), title)
        painter.setPen(QColor("#5f6368"))
        painter.drawText(
            QRectF(box.left(), box.top(), box.width(), 20),
            Qt.AlignmentFlag.AlignRight,
            str(len(cards)),
        )
        painter.setFont(self.font())
        painter.drawText(
            QRectF(box.left(), box.top() + 24, box.width(), 18), f"Total  {money(total, currency)}"
        )
        painter.drawText(
            QRectF(box.left(), box.top() + 42, box.width(), 18),
            f"Weighted  {money(weighted, currency)}",
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
        text = rect.adjusted(10, 6, -8, -6)
        width = int(text.width())

        def line(
            row: int, value: str, colour: str, right: bool = False, bold: bool = False
        ) -> None:
            font = QFont(self.font())
            font.setBold(bold)
            painter.setFont(font)
            painter.setPen(QColor(colour))
            box = QRectF(text.left(), text.top() + row * 20, text.width(), 18)
            elided = painter.fontMetrics().elidedText(value, Qt.TextElideMode.ElideRight, width)
            align = Qt.AlignmentFlag.AlignRight if right else Qt.AlignmentFlag.AlignLeft
            painter.drawText(box, align | Qt.AlignmentFlag.AlignVCenter, elided)

        line(0, deal.name, "#202124", bold=True)
        line(1, card.account_name, "#5f6368")
        line(2, money(deal.amount, deal.currency), "#202124")
        line(2, f"{deal.probability}%", "#5f6368", right=True)
        line(3, day(deal.close_date), FLAG_COLOURS[flag] if flag else "#5f6368")
        if stale:
            line(3, "stale", "#b06000", right=True)
        painter.restore()
