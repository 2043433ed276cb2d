"""The trend of one person's forecast (a manager's: their team's) over weekly snapshots."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries, QValueAxis
from PySide6.QtCore import QDateTime, QMargins, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from sfa_desktop.core.forecast_wire import ForecastHistory, SnapshotPoint

SERIES: tuple[tuple[str, str, Callable[[SnapshotPoint], int]], ...] = (
    ("Closed", "#137333", lambda p: p.adjusted.closed),
    ("Commit forecast", "#1a73e8", lambda p: p.adjusted.closed + p.adjusted.commit),
    (
        "Best case forecast",
        "#f29900",
        lambda p: p.adjusted.closed + p.adjusted.commit + p.adjusted.best_case,
    ),
    ("Quota", "#5f6368", lambda p: p.quota),
)
CALL = ("Submitted commit", "#a142f4")


def _stamp(point: SnapshotPoint) -> float:
    return float(point.taken_at.timestamp() * 1000)


class TrendChart(QChartView):
    """Closed, commit and best case forecast and quota per weekly snapshot (whole units)."""

    def __init__(self) -> None:
        chart = QChart()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        super().__init__(chart)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.points = 0

    def set_history(self, history: ForecastHistory | None, currency: str, name: str = "") -> None:
        """Show a person's snapshots (`name` in the title), adjusted as they saw them."""
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        points = history.points if history else []
        self.points = len(points)
        whose = f"{name}: " if name else ""
        chart.setTitle(
            f"{whose}weekly snapshots ({currency})" if points else f"{whose}no weekly snapshots yet"
        )
        if not points:
            return
        x_axis = QDateTimeAxis()
        x_axis.setFormat("d MMM")
        x_axis.setTickCount(min(max(len(points), 2), 8))
        y_axis = QValueAxis()
        y_axis.setLabelFormat("%.0f")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        top = 0.0
        called = [p for p in points if p.submitted_commit is not None]
        lines = [*SERIES, (*CALL, lambda p: p.submitted_commit or 0)] if called else SERIES
        for label, colour, value in lines:
            series = QLineSeries()
            series.setName(label)
            pen = QPen(QColor(colour))
            pen.setWidth(2)
            if label in ("Quota", CALL[0]):
                pen.setStyle(Qt.PenStyle.DashLine)
            series.setPen(pen)
            series.setPointsVisible(True)
            for point in called if label == CALL[0] else points:
                amount = value(point) / 100
                top = max(top, amount)
                series.append(_stamp(point), amount)
            chart.addSeries(series)
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
        first, last = points[0].taken_at, points[-1].taken_at
        start = QDateTime.fromMSecsSinceEpoch(int(_stamp(points[0])))
        end = QDateTime.fromMSecsSinceEpoch(int(_stamp(points[-1])))
        if first == last:
            start, end = start.addDays(-3), end.addDays(3)
        x_axis.setRange(start, end)
        y_axis.setRange(0, top * 1.1 or 1)
        y_axis.applyNiceNumbers()
