"""Forecast accuracy and the projection's back-test (issue 20, views 1 and 2) on the
hand-worked history of insight_scenario, on SQLite and PostgreSQL. "Now" is a fixed day
(15 Oct 2026), so these tests read the same whatever today is."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from insight_scenario import at, replay
from server_kit import Org
from sqlalchemy import select, update

from sync_server.models import ForecastSnapshot, User
from sync_server.models import Org as OrgRow
from sync_server.services.insight_accuracy import accuracy, backtest
from sync_server.services.insight_projection import backfill_projections

NOW = at(10, 15)


@pytest.fixture
def history(org: Org) -> dict[str, Any]:
    return replay(org)


def _user(org: Org, name: str) -> User:
    with org.session() as session:
        user = session.get(User, org.ids[name])
        assert user is not None
        session.expunge(user)
        return user


def _report(org: Org, name: str) -> Any:
    with org.session() as session:
        return accuracy(session, _user(org, name), 2, NOW)


def _point(row: Any, period: str, offset: int) -> Any:
    found = next(p for p in row.periods if p.period == period)
    return found, next(p for p in found.points if p.offset_days == offset)


def test_accuracy_at_each_offset(org: Org, history: dict[str, Any]) -> None:
    report = _report(org, "rob")
    assert report.periods == ["2026-Q2", "2026-Q3"]
    (rob,) = report.rows
    q3, _ = _point(rob, "2026-Q3", 90)
    assert q3.actual == 130_000  # D1 100,000 + D3 30,000 (D2 lost)
    # (call commit, call best case, adjusted = closed + commit as Rob saw it, projection)
    expected = {
        90: (at(7, 1), 150_000, 180_000, 130_000, 134_000),  # 80,000 + 30,000 + 24,000
        60: (at(8, 1), 120_000, 170_000, 130_000, 134_000),
        30: (at(9, 1), 130_000, 160_000, 180_000, 164_000),  # 100,000 won + 40,000 + 24,000
        7: (at(9, 22), 140_000, 140_000, 180_000, 164_000),
    }
    for offset, (taken, commit, best, adjusted, projected) in expected.items():
        _, point = _point(rob, "2026-Q3", offset)
        assert point.taken_at == taken
        assert (point.call_commit, point.call_best_case) == (commit, best)
        assert (point.adjusted, point.projected) == (adjusted, projected)
        assert point.projection_source == "defaults"  # 1 deal closed by then: too few
        for figure, value in (
            ("call_commit", commit),
            ("call_best_case", best),
            ("adjusted", adjusted),
            ("projected", projected),
        ):
            assert point.errors[figure] == pytest.approx((value - 130_000) / 130_000)
    assert _point(rob, "2026-Q3", 60)[1].errors["call_commit"] == pytest.approx(-10 / 130)
    # Q2 ends 1 Jul: no snapshot near 90 or 60 days out; the 2 Jun one stands for 30 days
    # (the first within a week after 1 Jun) and for 7 days (the latest before 24 Jun).
    q2, point = _point(rob, "2026-Q2", 30)
    assert q2.actual == 200_000
    assert (point.taken_at, point.call_commit) == (at(6, 2), 250_000)
    assert point.errors["call_commit"] == pytest.approx(0.25)
    assert _point(rob, "2026-Q2", 7)[1].taken_at == at(6, 2)
    assert _point(rob, "2026-Q2", 90)[1].taken_at is None
    assert _point(rob, "2026-Q2", 60)[1].taken_at is None


def test_bias_and_ranking(org: Org, history: dict[str, Any]) -> None:
    report = _report(org, "mia")
    mia, ria, rob = report.rows  # the person first, then reports by name
    assert (mia.name, ria.name, rob.name) == ("Mia", "Ria", "Rob")
    call = rob.bias("call_commit")
    assert call is not None
    # at 30 days: Q2 +25 %, Q3 0 %: over-calls on average, not every time
    assert (call.periods, call.lean, call.consistent, call.thin) == (2, "over", False, False)
    assert call.mean_error == pytest.approx(0.125)
    best = rob.bias("call_best_case")
    assert best is not None  # Q2 260,000 (+30 %), Q3 160,000 (+23.1 %): always over
    assert (best.lean, best.consistent) == ("over", True)
    assert best.mean_error == pytest.approx((0.3 + 30 / 130) / 2)
    projected = rob.bias("projected")
    assert projected is not None  # Q2 160,000 (−20 %), Q3 164,000 (+26.2 %)
    assert projected.mean_error == pytest.approx((-0.2 + 34 / 130) / 2)
    assert projected.consistent is False
    assert (rob.rank, ria.rank, mia.rank) == (1, None, None)  # Ria: no calls; Mia not ranked
    assert "too few to judge" in ria.note
    # Mia's team: the adjusted figure counts her adjustment of Rob's commit (60,000)
    _, point = _point(mia, "2026-Q3", 30)
    assert (point.adjusted, point.projected) == (160_000, 164_000)
    assert point.errors["adjusted"] == pytest.approx(30 / 130)
    assert _point(mia, "2026-Q3", 90)[1].adjusted == 130_000  # before the adjustment


def test_backtest_points_and_errors(org: Org, history: dict[str, Any]) -> None:
    with org.session() as session:
        report = backtest(session, _user(org, "rob"), 2, NOW)
    q2, q3 = report.periods
    assert [(p.days_before_end, p.projected) for p in q2.points] == [(29, 160_000)]
    assert q2.points[0].projected_error == pytest.approx(-0.2)
    assert [(p.days_before_end, p.projected, p.call_commit) for p in q3.points] == [
        (92, 134_000, 150_000),
        (61, 134_000, 120_000),
        (30, 164_000, 130_000),
        (9, 164_000, 140_000),
    ]
    (rob,) = report.rows
    assert rob.points == 5
    assert rob.projection_error == pytest.approx((0.2 + (4 + 4 + 34 + 34) / 130) / 5)
    assert rob.call_error == pytest.approx((0.25 + (20 + 10 + 0 + 10) / 130) / 5)


def _projections(org: Org) -> dict[tuple[str, str, Any], tuple[int | None, str | None]]:
    with org.session() as session:
        rows = session.scalars(select(ForecastSnapshot))
        return {(r.user_id, r.period, r.taken_at): (r.projected, r.projection_source) for r in rows}


def test_backtest_does_not_look_ahead(org: Org, history: dict[str, Any]) -> None:
    """Data after the last snapshot (ten deals lost in October, a won deal reopened, an
    amount changed) moves neither the kept projections nor their recomputation."""
    kept = _projections(org)
    w, account = history["writer"], history["account"]
    for n in range(10):  # with look-ahead Rob would have 14 closed deals: his own history
        deal = w.deal("rob", account, 10_000 + n, date(2026, 9, 30), "negotiation", at(10, 5))
        w.move("rob", deal, "closed_lost", at(10, 6))
    w.move("rob", history["d1"], "negotiation", at(10, 7))
    w.save(history["d3"].with_changes({"amount": 99_000}), "rob", at(10, 8))
    assert _projections(org) == kept
    acme_id = history["writer"].org_id
    with org.session() as session:
        session.execute(
            update(ForecastSnapshot)
            .where(ForecastSnapshot.org_id == acme_id)
            .values(projected=None, projection_source=None)
        )
        session.commit()
        acme = session.get(OrgRow, acme_id)
        assert acme is not None
        moments = {(period, taken) for user, period, taken in kept if user != org.ids["eve"]}
        assert backfill_projections(session, acme) == len(moments)
    assert _projections(org) == kept
