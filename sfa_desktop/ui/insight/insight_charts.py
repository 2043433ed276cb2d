"""The charts of the insight views (QtCharts): grouped bars of shares and errors."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPainter

from sfa_desktop.core.insight_wire import FIGURE_LABELS, FIGURES
from sfa_desktop.operations.insight import InsightSnapshot

COLOURS = ("#1a73e8", "#f29900", "#137333", "#a142f4", "#5f6368")


class BarChart(QChartView):
    """Grouped bars of percentages per category (None draws as 0 and is noted)."""

    def __init__(self) -> None:
        chart = QChart()
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        super().__init__(chart)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(200)
        self.bars = 0

    def show_bars(
        self,
        title: str,
        categories: Sequence[str],
        sets: Sequence[tuple[str, Sequence[float | None]]],
    ) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.setTitle(title)
        self.bars = sum(1 for _, values in sets for v in values if v is not None)
        if not categories or not self.bars:
            chart.setTitle(f"{title}: nothing to show yet")
            return
        series = QBarSeries()
        low, high = 0.0, 0.0
        for (name, values), colour in zip(sets, COLOURS, strict=False):
            bar = QBarSet(name)
            bar.setColor(QColor(colour))
            for value in values:
                percent = 0.0 if value is None else value * 100
                low, high = min(low, percent), max(high, percent)
                bar.append(percent)
            series.append(bar)
        chart.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append(list(categories))
        y_axis = QValueAxis()
        y_axis.setLabelFormat("%.0f%%")
        y_axis.setRange(low * 1.1, high * 1.1 or 1)
        y_axis.applyNiceNumbers()
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)


def show_accuracy(chart: BarChart, snapshot: InsightSnapshot, user_id: str) -> None:
    """A person's errors per quarter at the ranking offset, one bar per figure."""
    report = snapshot.accuracy
    row = next((r for r in report.rows if r.user_id == user_id), report.rows[0])
    at = report.rank_offset
    points = [next(p for p in period.points if p.offset_days == at) for period in row.periods]
    chart.show_bars(
        f"{row.name}: error {at} days before the quarter's end (above 0: over-called)",
        [period.period for period in row.periods],
        [(FIGURE_LABELS[f], [p.errors.get(f) for p in points]) for f in FIGURES],
    )


def show_backtest(chart: BarChart, snapshot: InsightSnapshot) -> None:
    """Mean absolute error per quarter of the projection and of the commit calls."""
    periods = snapshot.backtest.periods

    def mean(values: list[float | None]) -> float | None:
        found = [abs(v) for v in values if v is not None]
        return sum(found) / len(found) if found else None

    chart.show_bars(
        "Mean error over the quarter's weekly snapshots",
        [p.period for p in periods],
        [
            ("Projection", [mean([x.projected_error for x in p.points]) for p in periods]),
            ("Commit call", [mean([x.call_error for x in p.points]) for p in periods]),
        ],
    )


def show_coverage(chart: BarChart, snapshot: InsightSnapshot) -> None:
    grades = snapshot.coverage.grades
    chart.show_bars(
        f"Where the visits go, {snapshot.coverage.period}",
        [g.grade for g in grades],
        [
            ("Share of visits", [g.visit_share for g in grades]),
            ("Share of revenue", [g.revenue_share for g in grades]),
            ("Share of potential", [g.potential_share for g in grades]),
        ],
    )


def show_pipeline(chart: BarChart, snapshot: InsightSnapshot) -> None:
    stages = snapshot.pipeline.stages
    chart.show_bars(
        "Closed deals by stage: how many went on, how many were won",
        [s.stage for s in stages],
        [
            ("Conversion", [s.conversion for s in stages]),
            ("Win rate", [s.win_rate for s in stages]),
        ],
    )
