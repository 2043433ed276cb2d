"""The Forecast page: a period selector, the user's own forecast, and the team's for managers."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.entities import User, utcnow
from sfa_desktop.core.enums import EntityKind, Role
from sfa_desktop.core.periods import Period, PeriodKind
from sfa_desktop.operations.forecast import RepForecast, current_user, rep_forecast
from sfa_desktop.store import Changes
from sfa_desktop.sync.forecast_client import ForecastRemote
from sfa_desktop.ui.common.widgets import caption, heading
from sfa_desktop.ui.forecast.forecast_rep import RepForecastView
from sfa_desktop.ui.forecast.forecast_team import TeamForecastView

OWN_KINDS = {
    EntityKind.OPPORTUNITY,
    EntityKind.STAGE_CHANGE,
    EntityKind.FORECAST_SUBMISSION,
    EntityKind.QUOTA,
}
TEAM_KINDS = {EntityKind.FORECAST_SUBMISSION, EntityKind.MANAGER_ADJUSTMENT, EntityKind.QUOTA}


def period_choices(kind: PeriodKind, today: date) -> list[Period]:
    """Four periods back and two ahead of the current one."""
    current = Period.containing(today, kind)
    back = [current]
    for _ in range(4):
        back.insert(0, back[0].previous())
    return [*back, current.next(), current.next().next()]


class ForecastPage(QWidget):
    """Reps see their own forecast; managers also get the team tab (the default for them)."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self._ctx = ctx
        self.user: User | None = None
        self.loaded = False
        self.title = heading("Forecast")
        self.subtitle = caption("")
        self.kind = QComboBox()
        self.kind.addItem("Quarter", PeriodKind.QUARTER.value)
        self.kind.addItem("Month", PeriodKind.MONTH.value)
        self.period_box = QComboBox()
        self.period_box.setMinimumWidth(110)
        self._fill_periods()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.period_box.currentIndexChanged.connect(lambda _: self.reload())
        self.own = RepForecastView(ctx)
        self.own.submitted.connect(lambda _: self.reload_own())
        self.team = TeamForecastView(ctx)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.kind)
        top.addWidget(self.period_box)
        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.own, 1)
        layout.addWidget(self.tabs, 1)
        self.tabs.hide()
        ctx.signals.changes_applied.connect(self._changes_applied)

    def set_remote(self, remote: ForecastRemote | None) -> None:
        """Where the team forecast comes from (the signed-in account), or None offline."""
        self.team.remote = remote
        if self.loaded and self.is_manager:
            self.team.reload()

    @property
    def period(self) -> Period:
        value = self.period_box.currentData()
        return Period.parse(str(value))

    @property
    def is_manager(self) -> bool:
        return self.user is not None and self.user.role in (Role.MANAGER, Role.ADMIN)

    def _fill_periods(self) -> None:
        kind = PeriodKind(self.kind.currentData())
        today = date.today()
        current = Period.containing(today, kind)
        self.period_box.blockSignals(True)
        self.period_box.clear()
        for period in period_choices(kind, today):
            self.period_box.addItem(str(period), str(period))
        self.period_box.setCurrentIndex(self.period_box.findData(str(current)))
        self.period_box.blockSignals(False)

    def _kind_changed(self) -> None:
        self._fill_periods()
        self.reload()

    def select_period(self, text: str) -> None:
        period = Period.parse(text)
        self.kind.setCurrentIndex(self.kind.findData(period.kind.value))
        index = self.period_box.findData(str(period))
        if index < 0:
            self.period_box.addItem(str(period), str(period))
            index = self.period_box.count() - 1
        self.period_box.setCurrentIndex(index)

    # -- loading ---------------------------------------------------------------------------

    def activate(self) -> None:
        if not self.loaded:
            self.reload()

    def reload(self) -> None:
        self.loaded = True
        self._ctx.query(current_user, self._user_loaded)

    def _user_loaded(self, user: User) -> None:
        manager_before = self.is_manager
        self.user = user
        if self.is_manager and not manager_before:
            self._show_tabs()
        self.reload_own()
        if self.is_manager:
            self.team.load(self.period)

    def _show_tabs(self) -> None:
        self._layout.removeWidget(self.own)
        self.tabs.addTab(self.team, "My team")
        self.tabs.addTab(self.own, "My own forecast")
        self.tabs.show()
        # A manager's call is read as the team call: it is made on the team's Team call tab,
        # never from their own deals here.
        self.own.call_is_the_team_call()

    def reload_own(self) -> None:
        period, now = self.period, utcnow()
        self._ctx.query(lambda store: rep_forecast(store, period, now), self._own_loaded)

    def _own_loaded(self, forecast: RepForecast) -> None:
        if forecast.period != self.period:
            return  # the user picked another period meanwhile
        self.own.show_forecast(forecast)
        role = "Manager" if self.is_manager else "Sales rep"
        extra = (
            f" · {forecast.other_currencies} deals without an exchange rate not counted"
            if forecast.other_currencies
            else ""
        )
        self.subtitle.setText(f"{forecast.user.name} · {role} · {forecast.period}{extra}")

    def _changes_applied(self, changes: Changes) -> None:
        if not self.loaded:
            return
        if EntityKind.USER in changes:
            self.reload()  # signed in as someone else, or their role changed
        elif changes.kinds & OWN_KINDS:
            self.reload_own()
        if self.is_manager and changes.kinds & TEAM_KINDS and self.isVisible():
            self.team.reload()
