"""The demo's past (sfa_desktop.demo.history): deals as they stood at a moment, weekly
snapshot moments, pushed close dates and the calls people made, against hand-worked
expectations and the generator's own records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from sfa_desktop.core.entities import ForecastSubmission, User
from sfa_desktop.core.enums import ForecastCategory, Role, Stage
from sfa_desktop.core.periods import Period
from sfa_desktop.demo import DemoRun, DemoSize
from sfa_desktop.demo.history import deal_then
from sfa_desktop.demo.state import OpportunityRef

TODAY = date(2026, 5, 14)  # a Thursday in 2026-Q2


def _at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def test_a_deal_as_it_stood() -> None:
    ref = OpportunityRef(
        id="d1",
        product="Licence",
        amount=50_000,
        close_date=date(2026, 6, 30),
        path=(Stage.QUALIFICATION, Stage.PROPOSAL, Stage.CLOSED_WON),
        entered=(_at(1, 10), _at(2, 1), _at(6, 20)),
        amounts=(30_000, 40_000, 50_000),
        owner_id="rob",
        name="Deal",
        close_dates=((_at(1, 10), date(2026, 3, 31)), (_at(3, 25), date(2026, 6, 30))),
    )
    assert deal_then(ref, _at(1, 9)) is None  # not made yet
    first = deal_then(ref, _at(1, 20))
    assert first is not None
    assert (first.stage, first.amount, first.close_date) == (
        Stage.QUALIFICATION,
        30_000,
        date(2026, 3, 31),
    )
    assert first.category is ForecastCategory.PIPELINE
    pushed = deal_then(ref, _at(3, 26))
    assert pushed is not None
    assert (pushed.stage, pushed.amount, pushed.close_date) == (
        Stage.PROPOSAL,
        40_000,
        date(2026, 6, 30),
    )
    won = deal_then(ref, _at(6, 20))
    assert won is not None
    assert won.category is ForecastCategory.CLOSED


@pytest.fixture(scope="module")
def run() -> tuple[DemoRun, list[object]]:
    demo = DemoRun(DemoSize(), seed=7, today=TODAY)
    return demo, list(demo.records())


def test_weekly_moments_cover_four_closed_quarters(run: tuple[DemoRun, list[object]]) -> None:
    history = run[0].history
    assert [str(q) for q in history.quarters] == ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    moments = history.moments()
    # the first Monday of 2025-Q2 is 7 April 2025; the last before 14 May 2026 06:00 is
    # 11 May 2026: 399 days, 57 weeks, 58 Mondays
    assert moments[0] == datetime(2025, 4, 7, 6, tzinfo=UTC)
    assert moments[-1] == datetime(2026, 5, 11, 6, tzinfo=UTC)
    assert len(moments) == 58
    assert all(m.weekday() == 0 for m in moments)


def test_snapshots_hold_only_what_was_known(run: tuple[DemoRun, list[object]]) -> None:
    demo = run[0]
    history, deals = demo.history, demo.world.deals
    quarter = Period.parse("2025-Q4")
    moment = datetime(2025, 11, 3, 6, tzinfo=UTC)
    seen = history.deals_at(moment, quarter)
    for deal in seen:
        ref = deals[deal.opportunity_id]
        assert ref.entered[0] <= moment  # made by then
        set_then = [day for set_at, day in ref.close_dates if set_at <= moment]
        assert deal.close_date == set_then[-1]  # the date standing then, not the final one
    # a deal pushed out of the quarter later was in it then: the snapshot is not today's
    moved = [d for d in seen if deals[d.opportunity_id].close_date >= quarter.end]
    assert moved
    created_later = [r for r in deals.values() if r.entered[0] > moment]
    assert not {r.id for r in created_later} & {d.opportunity_id for d in seen}


def test_pushed_close_dates_go_later_and_stop_when_the_deal_closed(
    run: tuple[DemoRun, list[object]],
) -> None:
    refs = list(run[0].world.deals.values())
    pushed = [r for r in refs if len(r.close_dates) > 1]
    assert 0.1 * len(refs) < len(pushed) < 0.35 * len(refs)
    assert any(len(r.close_dates) >= 3 for r in pushed if not r.stage.is_closed)
    for ref in pushed:
        times = [t for t, _ in ref.close_dates]
        days = [d for _, d in ref.close_dates]
        assert times == sorted(times)
        assert len(set(times)) == len(times)
        assert days == sorted(days)
        assert days[-1] == ref.close_date
        assert times[0] == ref.entered[0]
        if ref.stage.is_closed:
            assert times[-1] <= ref.entered[-1]
        assert run[0].history.earlier_close_dates(ref.id) == days[:-1]


def test_calls_are_the_submissions_once_made(run: tuple[DemoRun, list[object]]) -> None:
    demo, records = run
    history = demo.history
    users: dict[str | None, User] = {r.id: r for r in records if isinstance(r, User)}
    calls = [r for r in records if isinstance(r, ForecastSubmission)]
    for quarter in history.quarters:
        after = datetime.combine(quarter.end, datetime.min.time(), UTC) - timedelta(hours=1)
        standing = history.calls_at(after, quarter)
        made = {str(c.owner_id): c for c in calls if c.period == str(quarter)}
        assert set(made) == {u for u in users if users[u].role is Role.REP} | {
            u for u in users if users[u].role is Role.MANAGER
        }
        for owner, call in made.items():
            assert (standing[owner].commit, standing[owner].best_case) == (
                call.commit,
                call.best_case,
            )
            assert call.best_case >= call.commit
        for manager in (u for u in users.values() if u.role is Role.MANAGER):
            reports = [made[u].commit for u in made if users[u].manager_id == manager.id]
            # a manager leans on the team's calls by 0.74 to 1.28 (habit 0.8-1.22, ±0.06)
            total = sum(reports)
            assert 0.74 * total - 10_000 <= made[manager.id].commit <= 1.28 * total + 10_000
    # before the quarter's fifth day nobody has called yet
    quarter = history.quarters[1]
    early = datetime.combine(quarter.start, datetime.min.time(), UTC) + timedelta(days=2)
    assert history.calls_at(early, quarter) == {}


@pytest.mark.parametrize("seed", range(1, 6))
def test_this_quarters_calls_were_made_a_day_before_the_demos_present(seed: int) -> None:
    """The demo's present is 06:00 UTC of its day: a call stamped in the hours before it
    read as made later than the clock says when the demo was loaded before 06:00 (the
    forecast page then showed it as the rep's last call instead of the one just made)."""
    demo = DemoRun(DemoSize(), seed=seed, today=TODAY)
    quarter = str(Period.containing(TODAY, demo.history.quarters[0].kind))
    calls = [r for r in demo.records() if isinstance(r, ForecastSubmission) and r.period == quarter]
    present = datetime.combine(TODAY, datetime.min.time(), UTC) + timedelta(hours=6)
    assert calls
    assert all(call.submitted_at <= present - timedelta(days=1) for call in calls)
