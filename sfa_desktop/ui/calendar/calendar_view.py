"""The painted calendar: day and week time grids with an all-day row, and a month grid."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QScrollBar, QSizePolicy, QToolTip, QWidget

from sfa_desktop.core.rules.recurrence import Occurrence
from sfa_desktop.ui.calendar.calendar_grid import paint_grid, paint_month
from sfa_desktop.ui.calendar.calendar_layout import (
    Mode,
    is_all_day,
    local_start,
    on_day,
    place_day,
    snap,
    visible_days,
)
from sfa_desktop.ui.common.format import time_of

HEADER, GUTTER, HOUR, PILL, MONTH_HEADER = 48, 60, 46, 22, 28
RESIZE_EDGE = 6


@dataclass(frozen=True)
class Drag:
    """A mouse drag in progress: moving or resizing one occurrence."""

    occurrence: Occurrence
    resize: bool
    origin: QPointF
    start: datetime
    end: datetime
    moved: bool = False


def tooltip_text(occurrence: Occurrence) -> str:
    """'Pipeline review' / 'Mon 30 Nov, 08:00 – 09:00' / the location, one per line."""
    event = occurrence.event
    start, end = occurrence.starts_at.astimezone(), occurrence.ends_at.astimezone()
    when = f"{start:%a %d %b}, " + (
        "all day" if event.all_day else f"{time_of(start)} – {time_of(end)}"
    )
    return "\n".join(part for part in (event.title, when, event.location) if part)


def _shift_local(moment: datetime, delta: timedelta) -> datetime:
    """Add `delta` to the local wall-clock time (so moves across DST keep the hour)."""
    local = moment.astimezone().replace(tzinfo=None)
    return (local + delta).astimezone()


class CalendarView(QWidget):
    """Occurrences by day, week or month: double-click creates or opens, drag moves or resizes."""

    create_requested = Signal(object, bool)  # local start, all day
    open_requested = Signal(object)  # Occurrence
    reschedule_requested = Signal(object, object, object)  # Occurrence, new start, new end
    selection_changed = Signal(object)  # Occurrence | None
    day_requested = Signal(object)  # date: show this day

    def __init__(self, today: Callable[[], date] = date.today) -> None:
        super().__init__()
        self._today = today
        self.mode = Mode.WEEK
        self.anchor = today()
        self.occurrences: list[Occurrence] = []
        self.selected: Occurrence | None = None
        self.drag: Drag | None = None
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(480, 360)
        self.scrollbar = QScrollBar(Qt.Orientation.Vertical, self)
        self.scrollbar.setSingleStep(HOUR // 2)
        self.scrollbar.valueChanged.connect(self.update)
        self._scroll_to_hour: int | None = 7
        self._all_day_rows: int | None = None

    # -- state -------------------------------------------------------------------------------

    def set_view(self, mode: Mode, anchor: date) -> None:
        self.mode, self.anchor = mode, anchor
        self._all_day_rows = None
        self.scrollbar.setVisible(mode is not Mode.MONTH)
        self._layout_scrollbar()
        self.update()

    def set_occurrences(self, occurrences: list[Occurrence]) -> None:
        self.occurrences = occurrences
        self._all_day_rows = None
        if self.selected is not None:
            keys = {o.key: o for o in occurrences}
            self.selected = keys.get(self.selected.key)
        self.drag = None
        self._layout_scrollbar()
        self.update()

    def days(self) -> list[date]:
        return visible_days(self.mode, self.anchor)

    def select(self, occurrence: Occurrence | None) -> None:
        if occurrence != self.selected:
            self.selected = occurrence
            self.selection_changed.emit(occurrence)
            self.update()

    # -- geometry: day and week ----------------------------------------------------------------

    def _area_width(self) -> float:
        bar = self.scrollbar.width() if self.scrollbar.isVisible() else 0
        return float(self.width() - GUTTER - bar)

    def column_width(self) -> float:
        return self._area_width() / max(1, len(self.days()))

    def column_x(self, index: int) -> float:
        return GUTTER + index * self.column_width()

    def all_day_rows(self) -> int:
        """Rows the all-day strip needs (cached until the events or the range change)."""
        if self._all_day_rows is None:
            counts = [
                sum(1 for o in self.occurrences if is_all_day(o) and on_day(o, day))
                for day in self.days()
            ]
            self._all_day_rows = max([1, *counts])
        return self._all_day_rows

    def grid_top(self) -> float:
        return HEADER + self.all_day_rows() * PILL + 8

    def y_of(self, minutes: float) -> float:
        return self.grid_top() + minutes / 60 * HOUR - self.scrollbar.value()

    def minutes_at(self, y: float) -> float:
        return (y - self.grid_top() + self.scrollbar.value()) / HOUR * 60

    def day_index_at(self, x: float) -> int:
        index = int((x - GUTTER) // self.column_width())
        return min(max(index, 0), len(self.days()) - 1)

    def blocks(self) -> list[tuple[QRectF, Occurrence]]:
        """Rectangles of the timed occurrences, per day column and lane."""
        found = []
        width = self.column_width()
        for index, day in enumerate(self.days()):
            for placed in place_day(self.occurrences, day):
                lane_width = (width - 6) / placed.lanes
                x = self.column_x(index) + 1 + placed.lane * lane_width
                top, bottom = self.y_of(placed.top), self.y_of(placed.bottom)
                found.append((QRectF(x, top, lane_width, bottom - top), placed.occurrence))
        return found

    def all_day_items(self) -> list[tuple[QRectF, Occurrence]]:
        found = []
        for index, day in enumerate(self.days()):
            todays = [o for o in self.occurrences if is_all_day(o) and on_day(o, day)]
            for row, occurrence in enumerate(todays):
                rect = QRectF(self.column_x(index), HEADER + row * PILL, self.column_width(), PILL)
                found.append((rect, occurrence))
        return found

    # -- geometry: month -----------------------------------------------------------------------

    def month_cell(self, index: int) -> QRectF:
        width = self.width() / 7
        height = (self.height() - MONTH_HEADER) / 6
        return QRectF((index % 7) * width, MONTH_HEADER + (index // 7) * height, width, height)

    def month_cell_at(self, pos: QPointF) -> int:
        column = min(max(int(pos.x() // (self.width() / 7)), 0), 6)
        height = (self.height() - MONTH_HEADER) / 6
        row = min(max(int((pos.y() - MONTH_HEADER) // height), 0), 5)
        return row * 7 + column

    def month_items(self) -> list[tuple[QRectF, Occurrence]]:
        found = []
        for index, day in enumerate(self.days()):
            cell = self.month_cell(index)
            room = max(0, int((cell.height() - 28) // (PILL - 2)))
            todays = [o for o in self.occurrences if on_day(o, day)]
            shown = todays if len(todays) <= room else todays[: max(room - 1, 0)]
            for row, occurrence in enumerate(shown):
                top = cell.top() + 26 + row * (PILL - 2)
                found.append((QRectF(cell.left() + 2, top, cell.width() - 4, PILL - 2), occurrence))
        return found

    def items(self) -> list[tuple[QRectF, Occurrence]]:
        if self.mode is Mode.MONTH:
            return self.month_items()
        return self.all_day_items() + self.blocks()

    def item_at(self, pos: QPointF) -> tuple[QRectF, Occurrence] | None:
        for rect, occurrence in reversed(self.items()):
            if rect.contains(pos):
                return rect, occurrence
        return None

    def event(self, event: QEvent) -> bool:
        """A tooltip with the whole title, time and place of the event under the mouse (a
        short or narrow box shows only the start of its title)."""
        if event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            found = self.item_at(QPointF(event.pos()))
            if found is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), tooltip_text(found[1]), self)
            return True
        return super().event(event)

    def rect_of(self, occurrence: Occurrence) -> QRectF | None:
        """Where an occurrence is drawn (the first piece when it spans days)."""
        return next((r for r, o in self.items() if o.key == occurrence.key), None)

    def moment_at(self, pos: QPointF) -> tuple[datetime, bool]:
        """The local time a point stands for (snapped), and whether it is in the all-day row."""
        if self.mode is Mode.MONTH:
            day = self.days()[self.month_cell_at(pos)]
            return local_start(day) + timedelta(hours=9), False
        day = self.days()[self.day_index_at(pos.x())]
        if pos.y() < self.grid_top():
            return local_start(day), True
        minutes = min(max(snap(self.minutes_at(pos.y())), 0), 24 * 60 - 15)
        return _shift_local(local_start(day), timedelta(minutes=minutes)), False

    # -- mouse -----------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self.setFocus()
        hit = self.item_at(event.position())
        self.select(hit[1] if hit else None)
        if hit is None:
            return
        rect, occurrence = hit
        timed = self.mode is not Mode.MONTH and not is_all_day(occurrence)
        resize = timed and event.position().y() >= rect.bottom() - RESIZE_EDGE
        self.drag = Drag(
            occurrence, resize, event.position(), occurrence.starts_at, occurrence.ends_at
        )

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        pos = event.position()
        if self.drag is None:
            hit = self.item_at(pos)
            edge = (
                hit is not None
                and self.mode is not Mode.MONTH
                and not is_all_day(hit[1])
                and pos.y() >= hit[0].bottom() - RESIZE_EDGE
            )
            self.setCursor(Qt.CursorShape.SizeVerCursor if edge else Qt.CursorShape.ArrowCursor)
            return
        drag = self.drag
        if not drag.moved and (pos - drag.origin).manhattanLength() < 4:
            return
        start, end = self._dragged(drag, pos)
        self.drag = replace(drag, start=start, end=end, moved=True)
        self.update()

    def _dragged(self, drag: Drag, pos: QPointF) -> tuple[datetime, datetime]:
        occurrence = drag.occurrence
        if self.mode is Mode.MONTH:
            days = self.month_cell_at(pos) - self.month_cell_at(drag.origin)
            minutes = 0
        elif is_all_day(occurrence) or drag.origin.y() < self.grid_top():
            days = self.day_index_at(pos.x()) - self.day_index_at(drag.origin.x())
            minutes = 0
        else:
            days = (
                0
                if drag.resize
                else self.day_index_at(pos.x()) - self.day_index_at(drag.origin.x())
            )
            minutes = snap(self.minutes_at(pos.y()) - self.minutes_at(drag.origin.y()))
        delta = timedelta(days=days, minutes=minutes)
        if drag.resize:
            end = _shift_local(occurrence.ends_at, delta)
            return occurrence.starts_at, max(end, occurrence.starts_at + timedelta(minutes=15))
        return _shift_local(occurrence.starts_at, delta), _shift_local(occurrence.ends_at, delta)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        drag, self.drag = self.drag, None
        if drag is None or event.button() != Qt.MouseButton.LeftButton:
            return
        self.update()
        occurrence = drag.occurrence
        if drag.moved and (drag.start, drag.end) != (occurrence.starts_at, occurrence.ends_at):
            self.reschedule_requested.emit(occurrence, drag.start, drag.end)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.drag = None
        hit = self.item_at(event.position())
        if hit is not None:
            self.open_requested.emit(hit[1])
            return
        if self.mode is Mode.MONTH:
            cell = self.month_cell(self.month_cell_at(event.position()))
            if event.position().y() < cell.top() + 26:
                self.day_requested.emit(self.days()[self.month_cell_at(event.position())])
                return
        if event.position().x() >= GUTTER or self.mode is Mode.MONTH:
            self.create_requested.emit(*self.moment_at(event.position()))

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        if self.mode is not Mode.MONTH:
            self.scrollbar.setValue(self.scrollbar.value() - event.angleDelta().y() // 2)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        self._layout_scrollbar()
        super().resizeEvent(event)

    def _layout_scrollbar(self) -> None:
        width = self.scrollbar.sizeHint().width()
        top = int(self.grid_top()) if self.mode is not Mode.MONTH else 0
        self.scrollbar.setGeometry(self.width() - width, top, width, max(0, self.height() - top))
        visible = self.height() - top
        self.scrollbar.setRange(0, max(0, 24 * HOUR - visible))
        self.scrollbar.setPageStep(max(1, visible))
        if self._scroll_to_hour is not None and self.height() > 100:
            self.scrollbar.setValue(self._scroll_to_hour * HOUR)
            self._scroll_to_hour = None

    # -- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        if self.mode is Mode.MONTH:
            paint_month(self, painter)
        else:
            paint_grid(self, painter)
        painter.end()

    def drag_preview(self) -> tuple[Occurrence, datetime, datetime] | None:
        drag = self.drag
        if drag is None or not drag.moved:
            return None
        return drag.occurrence, drag.start, drag.end

    def point_of(self, moment: datetime) -> QPoint:
        """The widget point at a local time (day/week views), for tests and tooltips."""
        local = moment.astimezone()
        index = self.days().index(local.date())
        minutes = local.hour * 60 + local.minute
        return QPoint(int(self.column_x(index) + self.column_width() / 2), int(self.y_of(minutes)))
