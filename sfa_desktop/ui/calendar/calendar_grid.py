"""Painting the calendar's day/week time grid and its month grid."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol

from PySide6.QtCore import QLocale, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from sfa_desktop.core.rules.recurrence import Occurrence
from sfa_desktop.ui.calendar import calendar_paint as paint
from sfa_desktop.ui.calendar.calendar_layout import is_all_day, local_start, on_day


class GridView(Protocol):
    """What painting reads from the calendar widget (calendar_view.CalendarView satisfies it)."""

    selected: Occurrence | None
    anchor: date
    occurrences: list[Occurrence]
    _today: Callable[[], date]

    def days(self) -> list[date]: ...
    def column_width(self) -> float: ...
    def column_x(self, index: int) -> float: ...
    def grid_top(self) -> float: ...
    def y_of(self, minutes: float) -> float: ...
    def height(self) -> int: ...
    def width(self) -> int: ...
    def font(self) -> QFont: ...
    def drag_preview(self) -> tuple[Occurrence, datetime, datetime] | None: ...
    def all_day_items(self) -> list[tuple[QRectF, Occurrence]]: ...
    def blocks(self) -> list[tuple[QRectF, Occurrence]]: ...
    def month_cell(self, index: int) -> QRectF: ...
    def month_cell_at(self, pos: QPointF) -> int: ...
    def month_items(self) -> list[tuple[QRectF, Occurrence]]: ...


HEADER, GUTTER, HOUR, PILL, MONTH_HEADER = 48, 60, 46, 22, 28


def _weekday(index: int) -> str:
    return QLocale().dayName(index + 1, QLocale.FormatType.ShortFormat)


def paint_grid(view: GridView, painter: QPainter) -> None:
    """Day header, all-day row, hour lines, today tint, now line and the event blocks."""
    days = view.days()
    today = view._today()
    width = view.column_width()
    top = view.grid_top()
    bottom = float(view.height())
    right = view.column_x(len(days))
    # Today's column is tinted from header to bottom.
    for index, day in enumerate(days):
        if day == today:
            painter.fillRect(QRectF(view.column_x(index), 0, width, bottom), paint.TODAY_TINT)
    # Header: weekday and day number.
    small = QFont(painter.font())
    small.setPointSizeF(max(7.0, small.pointSizeF() - 1))
    for index, day in enumerate(days):
        x = view.column_x(index)
        painter.setFont(small)
        painter.setPen(paint.TODAY if day == today else paint.MUTED)
        painter.drawText(
            QRectF(x, 2, width, 16), Qt.AlignmentFlag.AlignCenter, _weekday(day.weekday()).upper()
        )
        painter.setFont(view.font())
        paint.draw_day_number(painter, QPointF(x + width / 2, 31), day, day == today, False)
    painter.setPen(paint.MUTED)
    painter.setFont(small)
    painter.drawText(
        QRectF(0, HEADER, GUTTER - 6, PILL),
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
        "All day",
    )
    preview = view.drag_preview()
    for rect, occurrence in view.all_day_items():
        selected = view.selected is not None and occurrence.key == view.selected.key
        paint.draw_pill(painter, rect, occurrence, selected, timed=False)
    painter.setPen(QPen(paint.GRID, 1))
    painter.drawLine(QPointF(0, top - 1), QPointF(right, top - 1))
    # Time grid, clipped below the all-day row.
    painter.save()
    painter.setClipRect(QRectF(0, top, right + 1, bottom - top))
    for hour in range(25):
        y = view.y_of(hour * 60)
        painter.setPen(QPen(paint.GRID, 1))
        painter.drawLine(QPointF(GUTTER - 4, y), QPointF(right, y))
        if 0 < hour < 24 and y > top + 6:
            painter.setPen(paint.MUTED)
            painter.drawText(
                QRectF(0, y - 8, GUTTER - 8, 16),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{hour:02d}:00",
            )
    for index in range(len(days) + 1):
        x = view.column_x(index)
        painter.setPen(QPen(paint.GRID, 1))
        painter.drawLine(QPointF(x, 0 if index else top), QPointF(x, bottom))
    for rect, occurrence in view.blocks():
        selected = view.selected is not None and occurrence.key == view.selected.key
        dragged = preview is not None and preview[0].key == occurrence.key
        paint.draw_block(painter, rect, occurrence, selected, faded=dragged)
    if preview is not None and not is_all_day(preview[0]):
        _paint_preview(view, painter, *preview)
    _paint_now(view, painter)
    painter.restore()


def _paint_preview(
    view: GridView, painter: QPainter, occurrence: object, start: datetime, end: datetime
) -> None:
    from sfa_desktop.core.rules.recurrence import Occurrence

    assert isinstance(occurrence, Occurrence)
    ghost = Occurrence(occurrence.event, start, end)
    local = start.astimezone()
    days = view.days()
    if local.date() not in days:
        return
    index = days.index(local.date())
    midnight = local_start(local.date())
    top = view.y_of((start - midnight).total_seconds() / 60)
    bottom = view.y_of((end - midnight).total_seconds() / 60)
    rect = QRectF(view.column_x(index) + 1, top, view.column_width() - 6, max(bottom - top, 18))
    paint.draw_block(painter, rect, ghost, selected=True)


def _paint_now(view: GridView, painter: QPainter) -> None:
    now = datetime.now().astimezone()
    days = view.days()
    if now.date() not in days or view._today() != now.date():
        return
    index = days.index(now.date())
    y = view.y_of(now.hour * 60 + now.minute)
    x = view.column_x(index)
    painter.setPen(QPen(paint.NOW_LINE, 2))
    painter.drawLine(QPointF(x, y), QPointF(x + view.column_width(), y))
    painter.setBrush(paint.NOW_LINE)
    painter.drawEllipse(QPointF(x, y), 4, 4)


def paint_month(view: GridView, painter: QPainter) -> None:
    """Six weeks of cells: weekday header, day numbers, up to a few events and '+n more'."""
    days = view.days()
    today = view._today()
    month = view.anchor.month
    cell_width = view.width() / 7
    painter.setPen(paint.MUTED)
    for index in range(7):
        painter.drawText(
            QRectF(index * cell_width, 0, cell_width, MONTH_HEADER),
            Qt.AlignmentFlag.AlignCenter,
            _weekday(index).upper(),
        )
    for index, day in enumerate(days):
        cell = view.month_cell(index)
        if day == today:
            painter.fillRect(cell, paint.TODAY_TINT)
        elif day.month != month:
            painter.fillRect(cell, QColor("#fafafa"))
        painter.setPen(QPen(paint.GRID, 1))
        painter.drawRect(cell)
        paint.draw_day_number(
            painter,
            QPointF(cell.left() + 18, cell.top() + 14),
            day,
            day == today,
            day.month != month,
        )
    shown: dict[int, int] = {}
    for rect, occurrence in view.month_items():
        selected = view.selected is not None and occurrence.key == view.selected.key
        paint.draw_pill(painter, rect, occurrence, selected, timed=not is_all_day(occurrence))
        index = view.month_cell_at(rect.center())
        shown[index] = shown.get(index, 0) + 1
    painter.setPen(paint.MUTED)
    for index, day in enumerate(days):
        total = sum(1 for o in view.occurrences if on_day(o, day))
        hidden = total - shown.get(index, 0)
        if hidden > 0:
            cell = view.month_cell(index)
            painter.drawText(
                QRectF(cell.left() + 8, cell.bottom() - PILL, cell.width() - 12, PILL - 4),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                f"+{hidden} more",
            )
