"""The week on a map drawn in the app: country outlines, the largest cities' names,
accounts by grade, the home base, each day's route in its colour and the nights away's
hotels. Offline: no tiles, only shipped data.

The projection is equirectangular with the longitude scaled by the cosine of the middle
latitude (true to scale at that latitude), fitted to the points with a margin; at the
scale of a sales region it differs from Mercator by well under a pixel's worth of shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QHelpEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from sfa_desktop.core.rules.geo import Point, haversine_km

# One colour per weekday, none of them a grade's colour (the map test looks for them).
DAY_COLOURS = ("#1a73e8", "#e8710a", "#d01884", "#12b5cb", "#9334e6", "#795548", "#202124")
GRADE_COLOURS = {
    "A": "#0b8043",
    "B": "#7cb342",
    "C": "#f6bf26",
    "D": "#e67c73",
    "E": "#9e9e9e",
}
OTHER_GRADE = "#616161"
SEA, LAND, BORDER = QColor("#dbe8f1"), QColor("#f4f1ea"), QColor("#b9b4a9")
CITY, HOTEL = QColor("#70757a"), QColor("#3c4043")
MARGIN = 24
Ring = tuple[tuple[float, float], ...]


def grade_colour(grade: str) -> str:
    return GRADE_COLOURS.get(grade, OTHER_GRADE)


@dataclass(frozen=True)
class Pin:
    """An account on the map."""

    point: Point
    grade: str
    name: str
    stop: bool = False  # on this week's routes


@dataclass(frozen=True)
class DayLine:
    """One day's route from where it starts (the base or last night's hotel) through its
    stops to where it ends, in the day's colour."""

    colour: str
    points: tuple[Point, ...]
    label: str


class Projection:
    """Degrees to pixels of a `width` x `height` widget, fitted to `box` (w, s, e, n)."""

    def __init__(self, box: tuple[float, float, float, float], width: int, height: int) -> None:
        west, south, east, north = box
        self.middle = (west + east) / 2, (south + north) / 2
        self.squeeze = math.cos(math.radians(self.middle[1]))
        span_x = max((east - west) * self.squeeze, 1e-6)
        span_y = max(north - south, 1e-6)
        self.scale = min((width - 2 * MARGIN) / span_x, (height - 2 * MARGIN) / span_y)
        self.centre = width / 2, height / 2

    def __call__(self, longitude: float, latitude: float) -> QPointF:
        x = self.centre[0] + (longitude - self.middle[0]) * self.squeeze * self.scale
        y = self.centre[1] - (latitude - self.middle[1]) * self.scale
        return QPointF(x, y)

    def point(self, point: Point) -> QPointF:
        return self(point.longitude, point.latitude)

    def box(self, width: int, height: int) -> tuple[float, float, float, float]:
        """The degrees the widget shows."""
        half_x = width / 2 / (self.squeeze * self.scale)
        half_y = height / 2 / self.scale
        lon, lat = self.middle
        return lon - half_x, lat - half_y, lon + half_x, lat + half_y


def fit_box(points: list[Point]) -> tuple[float, float, float, float] | None:
    """The points' box, at least about 20 km wide and high; None without points."""
    if not points:
        return None
    west = min(p.longitude for p in points)
    east = max(p.longitude for p in points)
    south = min(p.latitude for p in points)
    north = max(p.latitude for p in points)
    pad_y = max(0.1 - (north - south), 0) / 2
    pad_x = max(0.15 - (east - west), 0) / 2
    return west - pad_x, south - pad_y, east + pad_x, north + pad_y


class RouteMap(QWidget):
    """Paints outlines, routes, pins and a legend; a tooltip names the pin under the mouse."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(300, 260)
        self.base: Point | None = None
        self.pins: list[Pin] = []
        self.lines: list[DayLine] = []
        self.rings: list[Ring] = []
        self.cities: list[tuple[str, Point]] = []  # largest first
        self.hotels: list[Point] = []
        self.highlight: int | None = None  # the day drawn over the others
        self.reach_km: float | None = None  # pins farther from base do not widen the map
        self._outline_path: tuple[tuple[int, int], QPainterPath] | None = None

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(480, 420)

    def show_week(
        self,
        base: Point | None,
        pins: list[Pin],
        lines: list[DayLine],
        reach_km: float | None = None,
        hotels: list[Point] | None = None,
    ) -> None:
        """Fit the map to the base, the routes and the pins within `reach_km` of the base
        (straight km; None: every pin); `hotels` are the nights away's."""
        self.base, self.pins, self.lines, self.reach_km = base, pins, lines, reach_km
        self.hotels = list(hotels or ())
        self._outline_path = None
        self.update()

    def set_outlines(self, rings: list[Ring]) -> None:
        self.rings = rings
        self._outline_path = None
        self.update()

    def set_cities(self, cities: list[tuple[str, Point]]) -> None:
        """City names to write where they do not cover a larger city's (largest first)."""
        self.cities = cities
        self.update()

    def set_highlight(self, day: int | None) -> None:
        self.highlight = day
        self.update()

    def points(self) -> list[Point]:
        """What the map is fitted to."""
        base, reach = self.base, self.reach_km
        found = [
            pin.point
            for pin in self.pins
            if pin.stop or base is None or reach is None or haversine_km(base, pin.point) <= reach
        ]
        found += [p for line in self.lines for p in line.points]
        return found + ([self.base] if self.base else [])

    def projection(self) -> Projection | None:
        box = fit_box(self.points())
        return Projection(box, self.width(), self.height()) if box else None

    def shown_box(self) -> tuple[float, float, float, float] | None:
        """The degrees on screen (what outlines are needed for)."""
        projection = self.projection()
        return projection.box(self.width(), self.height()) if projection else None

    # -- painting ------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), SEA if self.rings else QColor("#fafafa"))
        projection = self.projection()
        if projection is None:
            painter.setPen(QColor("#5f6368"))
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, "No located accounts to show"
            )
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(BORDER, 1))
        painter.setBrush(LAND)
        painter.drawPath(self._outlines(projection))
        self._paint_cities(painter, projection)
        self._paint_pins(painter, projection, stops=False)
        for number, line in enumerate(self.lines):
            if number != self.highlight:
                self._paint_line(painter, projection, line, 3 if self.highlight is None else 2)
        if self.highlight is not None and self.highlight < len(self.lines):
            self._paint_line(painter, projection, self.lines[self.highlight], 5)
        self._paint_pins(painter, projection, stops=True)
        self._paint_hotels(painter, projection)
        if self.base is not None:
            centre = projection.point(self.base)
            painter.setPen(QPen(QColor("white"), 2))
            painter.setBrush(QColor("#202124"))
            painter.drawRect(QRectF(centre.x() - 7, centre.y() - 7, 14, 14))
        self._paint_legend(painter)

    def _outlines(self, projection: Projection) -> QPainterPath:
        key = (self.width(), self.height())
        if self._outline_path is None or self._outline_path[0] != key:
            path = QPainterPath()
            for ring in self.rings:
                path.moveTo(projection(*ring[0]))
                for lon, lat in ring[1:]:
                    path.lineTo(projection(lon, lat))
                path.closeSubpath()
            self._outline_path = (key, path)
        return self._outline_path[1]

    def _paint_line(
        self, painter: QPainter, projection: Projection, line: DayLine, width: int
    ) -> None:
        pen = QPen(QColor(line.colour), width)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPolyline([projection.point(p) for p in line.points])

    def _paint_pins(self, painter: QPainter, projection: Projection, stops: bool) -> None:
        radius = 6.0 if stops else 4.0
        painter.setPen(QPen(QColor("white"), 1.5 if stops else 1))
        for pin in self.pins:
            if pin.stop == stops:
                painter.setBrush(QBrush(QColor(grade_colour(pin.grade))))
                painter.drawEllipse(projection.point(pin.point), radius, radius)

    def _paint_cities(self, painter: QPainter, projection: Projection) -> None:
        font = painter.font()
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        taken: list[QRectF] = []
        for name, point in self.cities:
            spot = projection.point(point)
            text = QRectF(spot.x() + 4, spot.y() - metrics.height() / 2, 0, metrics.height())
            text.setWidth(metrics.horizontalAdvance(name) + 2)
            if not self.rect().contains(text.toRect()) or any(text.intersects(r) for r in taken):
                continue
            taken.append(text.adjusted(-6, -2, 2, 2))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(CITY)
            painter.drawEllipse(spot, 2.0, 2.0)
            painter.setPen(CITY)
            painter.drawText(text, Qt.AlignmentFlag.AlignVCenter, name)
        painter.setFont(self.font())

    def _paint_hotels(self, painter: QPainter, projection: Projection) -> None:
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        for hotel in self.hotels:
            spot = projection.point(hotel)
            box = QRectF(spot.x() - 7, spot.y() - 7, 14, 14)
            painter.setPen(QPen(QColor("white"), 1.5))
            painter.setBrush(HOTEL)
            painter.drawRoundedRect(box, 3, 3)
            painter.setPen(QColor("white"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, "H")
        painter.setFont(self.font())

    def _paint_legend(self, painter: QPainter) -> None:
        metrics = painter.fontMetrics()
        rows = [(line.colour, line.label, True) for line in self.lines]
        grades = sorted({pin.grade for pin in self.pins})
        rows += [(grade_colour(g), f"Grade {g}" if g else "No grade", False) for g in grades]
        if self.hotels:
            rows.append(("hotel", "Night away (hotel)", False))
        off = self.off_map()
        if off:
            rows.append(("", f"{off} account{'s' * (off != 1)} off the map", False))
        if not rows:
            return
        height = metrics.height() + 2
        width = max(metrics.horizontalAdvance(text) for _, text, _ in rows) + 36
        box = QRectF(8, 8, width, height * len(rows) + 8)
        painter.setPen(QPen(QColor("#dadce0")))
        painter.setBrush(QColor(255, 255, 255, 225))
        painter.drawRoundedRect(box, 4, 4)
        for number, (colour, text, is_line) in enumerate(rows):
            y = box.top() + 4 + number * height + height / 2
            if is_line:
                painter.setPen(QPen(QColor(colour), 3))
                painter.drawLine(QPointF(box.left() + 8, y), QPointF(box.left() + 24, y))
            elif colour == "hotel":
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(HOTEL)
                painter.drawRoundedRect(QRectF(box.left() + 11, y - 5, 10, 10), 2, 2)
            elif colour:
                painter.setPen(QPen(QColor("white"), 1))
                painter.setBrush(QColor(colour))
                painter.drawEllipse(QPointF(box.left() + 16, y), 4.5, 4.5)
            painter.setPen(QColor("#202124"))
            text_box = QRectF(box.left() + 30, y - height / 2, width, height)
            painter.drawText(text_box, Qt.AlignmentFlag.AlignVCenter, text)

    def off_map(self) -> int:
        """How many pins lie outside the shown degrees."""
        box = self.shown_box()
        if box is None:
            return 0
        west, south, east, north = box
        return sum(
            1
            for pin in self.pins
            if not (west <= pin.point.longitude <= east and south <= pin.point.latitude <= north)
        )

    # -- tooltips ------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            name = self.pin_at(QPointF(event.pos()))
            if name:
                QToolTip.showText(event.globalPos(), name, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def pin_at(self, where: QPointF, reach: float = 8.0) -> str:
        """The name of the pin nearest `where` within `reach` pixels ("" if none)."""
        projection = self.projection()
        if projection is None:
            return ""
        best, name = reach, ""
        for pin in self.pins:
            spot = projection.point(pin.point)
            distance = math.hypot(spot.x() - where.x(), spot.y() - where.y())
            if distance <= best:
                best, name = distance, f"{pin.name} (grade {pin.grade or '—'})"
        return name
