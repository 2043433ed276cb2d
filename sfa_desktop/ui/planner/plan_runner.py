"""Plans a week off the main thread: the store is read on the database thread, the solver
runs on the network pool (a second or so for a few hundred accounts), the answer comes
back on the main thread. Only the latest request's answer is delivered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Signal

from sfa_desktop.app.context import AppContext
from sfa_desktop.core.errors import DomainError
from sfa_desktop.operations.visit_plan import (
    WeekFrame,
    WeekInput,
    WeekPlan,
    planner_rules,
    replan_input,
    solve_week,
    week_input,
)
from sfa_desktop.store import Store

PLAN_SECONDS = 1.0  # the solver's search for a fresh week
REPLAN_SECONDS = 0.2  # started from the accepted routes


class PlanRunner(QObject):
    """`busy(True/False)` around each run; `planned(week, plan)` or `failed(text)`."""

    busy = Signal(bool)
    planned = Signal(object, object)  # WeekInput, WeekPlan
    failed = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        seconds: tuple[float, float] = (PLAN_SECONDS, REPLAN_SECONDS),
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._now = now
        self._seconds = seconds
        self._request = 0
        self.running = False

    def plan(self, frame: WeekFrame) -> None:
        """Read the rep's accounts and week afresh and plan it."""
        settings = self._ctx.settings
        try:
            rules = planner_rules({name: settings[name] for name in settings.schema})
        except DomainError as error:
            self._request += 1
            self._set_busy(False)
            self.failed.emit(str(error))
            return
        now, seconds = self._now(), self._seconds[0]
        self._run(lambda s: week_input(s, frame, rules, now, time_limit_s=seconds))

    def replan(self, frame: WeekFrame, previous: WeekInput) -> None:
        """Read only the week's calendar again and re-plan, keeping planned visits' days."""
        now, seconds = self._now(), self._seconds[1]
        self._run(lambda s: replan_input(s, frame, previous, now, seconds))

    def solve(self, week: WeekInput) -> None:
        """Plan `week` as it is (e.g. with an account left out)."""
        self._request += 1
        self._set_busy(True)
        self._solve(self._request, week)

    def _run(self, read: Callable[[Store], WeekInput]) -> None:
        self._request += 1
        request = self._request
        self._set_busy(True)
        self._ctx.query(
            read,
            lambda week: self._solve(request, week),
            lambda error: self._failed(request, error),
        )

    def _solve(self, request: int, week: WeekInput) -> None:
        if request != self._request:
            return
        self._ctx.tasks.run_network(
            lambda: solve_week(week),
            lambda plan: self._solved(request, week, plan),
            lambda error: self._failed(request, error),
        )

    def _solved(self, request: int, week: WeekInput, plan: WeekPlan) -> None:
        if request != self._request:
            return
        self._set_busy(False)
        self.planned.emit(week, plan)

    def _failed(self, request: int, error: BaseException) -> None:
        if request != self._request:
            return
        self._set_busy(False)
        self.failed.emit(
            str(error) if isinstance(error, DomainError) else f"Could not plan: {error!r}"
        )

    def _set_busy(self, busy: bool) -> None:
        if busy != self.running:
            self.running = busy
            self.busy.emit(busy)
