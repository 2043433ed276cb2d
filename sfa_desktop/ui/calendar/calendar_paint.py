"""Drawing pieces of the calendar: day headers, event blocks and pills."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from sfa_desktop.core.enums import EventStatus
from sfa_desktop.core.rules.recurrence import Occurrence
from sfa_desktop.ui.calendar.calendar_layout import colour
from sfa_desktop.ui.common.format import time_of

TODAY = QColor("#1a73e8")
GRID = QColor("#e8eaed")
MUTED = QColor("#5f6368")
TEXT = QColor("#202124")
TODAY_TINT = QColor("#f4f8fe")
NOW_LINE = QColor("#d93025")


def title_of(occurrence: Occurrence) -> str:
    done = "✓ " if occurrence.event.status is EventStatus.COMPLETED else ""
    repeat = " ⟳" if occurrence.is_recurring else ""
    return f"{done}{occurrence.event.title}{repeat}"


def span_text(occurrence: Occurrence) -> str:
    return f"{time_of(occurrence.starts_at)} – {time_of(occurrence.ends_at)}"


def _fill(occurrence: Occurrence, faded: bool) -> QColor:
    fill = QColor(colour(occurrence))
    if occurrence.event.status is EventStatus.TENTATIVE:
        fill = fill.lighter(135)
    if faded:
        fill.setAlpha(90)
    return fill


def _font(painter: QPainter, occurrence: Occurrence, bold: bool) -> QFont:
    font = QFont(painter.font())
    font.setBold(bold)
    font.setStrikeOut(occurrence.event.status is EventStatus.CANCELLED)
    return font


def draw_block(
    painter: QPainter, rect: QRectF, occurrence: Occurrence, selected: bool, faded: bool = False
) -> None:
    """A timed event: a rounded block with the title and, when there is room, the times."""
    painter.save()
    inner = rect.adjusted(1, 1, -2, -1)
    painter.setPen(QPen(QColor("#174ea6"), 2) if selected else QPen(QColor("white"), 1))
    painter.setBrush(_fill(occurrence, faded))
    painter.drawRoundedRect(inner, 5, 5)
    painter.setPen(QColor("white"))
    text = inner.adjusted(6, 3, -4, -2)
    painter.setClipRect(inner)
    if inner.height() >= 34:
        painter.setFont(_font(painter, occurrence, True))
        line = painter.fontMetrics().height()
        title = painter.fontMetrics().elidedText(
            title_of(occurrence), Qt.TextElideMode.ElideRight, int(text.width())
        )
        painter.drawText(QRectF(text.left(), text.top(), text.width(), line), title)
        painter.setFont(_font(painter, occurrence, False))
        detail = span_text(occurrence)
        if occurrence.event.location and inner.height() >= 50:
            detail += f"\n{occurrence.event.location}"
        body = QRectF(text.left(), text.top() + line, text.width(), text.height() - line)
        painter.drawText(body, Qt.TextFlag.TextWordWrap, detail)
    else:
        painter.setFont(_font(painter, occurrence, True))
        single = f"{time_of(occurrence.starts_at)}  {title_of(occurrence)}"
        elided = painter.fontMetrics().elidedText(
            single, Qt.TextElideMode.ElideRight, int(text.width())
        )
        painter.drawText(text, Qt.AlignmentFlag.AlignVCenter, elided)
    painter.restore()


def draw_pill(
    painter: QPainter, rect: QRectF, occurrence: Occurrence, selected: bool, timed: bool
) -> None:
    """A one-line event in the all-day row or a month cell (timed ones get a dot)."""
    painter.save()
    inner = rect.adjusted(2, 1, -2, -1)
    fill = _fill(occurrence, False)
    if timed:
        painter.setPen(Qt.PenStyle.NoPen)
        if selected:
            painter.setBrush(QColor("#d2e3fc"))
            painter.drawRoundedRect(inner, 4, 4)
        painter.setBrush(fill)
        painter.drawEllipse(QPointF(inner.left() + 7, inner.center().y()), 3.5, 3.5)
        painter.setPen(TEXT)
        label = f"{time_of(occurrence.starts_at)} {title_of(occurrence)}"
        text = inner.adjusted(15, 0, -2, 0)
    else:
        painter.setPen(QPen(QColor("#174ea6"), 2) if selected else Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(inner, 4, 4)
        painter.setPen(QColor("white"))
        label = title_of(occurrence)
        text = inner.adjusted(6, 0, -4, 0)
    painter.setFont(_font(painter, occurrence, not timed))
    elided = painter.fontMetrics().elidedText(label, Qt.TextElideMode.ElideRight, int(text.width()))
    painter.drawText(text, Qt.AlignmentFlag.AlignVCenter, elided)
    painter.restore()


def draw_day_number(painter: QPainter, centre: QPointF, day: date, today: bool, dim: bool) -> None:
    """The day of the month, white on a blue disc for today."""
    painter.save()
    font = QFont(painter.font())
    font.setBold(today)
    painter.setFont(font)
    box = QRectF(centre.x() - 13, centre.y() - 13, 26, 26)
    if today:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(TODAY)
        painter.drawEllipse(box)
        painter.setPen(QColor("white"))
    else:
        painter.setPen(QColor("#9aa0a6") if dim else TEXT)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(day.day))
    painter.restore()
