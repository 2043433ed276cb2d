"""The seeded demo organisation (`sfa-server demo-seed`) has the history every insight view
needs: a year of weekly snapshots with calls and projections, deals pushed more than once,
graded accounts served and deals won; checked against the generator's own records and
history, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from server_kit import PASSWORD
from sqlalchemy import func, select

from sfa_desktop.core.entities import Opportunity, User
from sfa_desktop.core.periods import Period
from sfa_desktop.demo import DemoRun, DemoSize
from sync_server.models import DealSnapshot, OpportunityFact
from sync_server.models import User as ServerUser
from sync_server.services import insight_accuracy, insight_coverage, insight_pipeline
from sync_server.services.demo import seed_demo

TODAY = date(2026, 12, 4)
NOW = datetime(2026, 12, 4, 9, tzinfo=UTC)
SIZE = DemoSize.scaled(300)  # 6 reps, 60 accounts, 150 deals, 600 activities


def test_every_insight_view_shows_the_demos_history(client: Any) -> None:
    with client.app.state.sessions() as session:
        seed_demo(session, SIZE, password=PASSWORD, today=TODAY, now=NOW)
    run = DemoRun(SIZE, seed=7, today=TODAY)
    records = list(run.records())
    users = [r for r in records if isinstance(r, User)]
    director = next(u for u in users if u.manager_id is None and u.role == "manager")
    deals = [r for r in records if isinstance(r, Opportunity)]

    with client.app.state.sessions() as session:
        boss = session.get(ServerUser, director.id)
        assert boss is not None
        accuracy = insight_accuracy.accuracy(session, boss, 4, NOW)
        quarters = ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
        assert accuracy.periods == quarters
        top = accuracy.rows[0]
        for quarter in top.periods:
            period = Period.parse(quarter.period)
            won = sum(d.amount for d in deals if d.stage == "closed_won" and d.close_date in period)
            assert quarter.actual == won
            for point in quarter.points:  # 90, 60, 30 and 7 days out, all read
                assert point.taken_at is not None
                assert point.projected is not None
            assert all(p.call_commit is not None for p in quarter.points[1:])
        assert sorted(r.rank or 0 for r in accuracy.rows[1:]) == [1, 2]  # both managers ranked
        assert top.note == ""

        backtest = insight_accuracy.backtest(session, boss, 4, NOW)
        # Mondays from 6 Oct 2025 to 28 Sep 2026: 357 days, 51 weeks, 52 snapshots
        assert sum(len(p.points) for p in backtest.periods) == 52
        assert backtest.note == ""

        pipeline = insight_pipeline.pipeline(session, boss, NOW)
        open_ids = {d.id for d in deals if not d.stage.is_closed}
        slipped = {
            d for d in open_ids if len(run.history.earlier_close_dates(d)) >= 2
        }  # pushed later twice or more
        assert slipped
        assert {d.id for d in pipeline.slipping} == slipped
        facts = select(OpportunityFact.id, OpportunityFact.close_pushes)
        pushes = {row[0]: row[1] for row in session.execute(facts)}
        assert all(pushes[d.id] == len(run.history.earlier_close_dates(d.id)) for d in deals)
        assert len(pipeline.trend) == 4
        assert all(t.won + t.lost > 0 for t in pipeline.trend)

        coverage = insight_coverage.coverage(session, boss, None, NOW)
        assert {g.grade for g in coverage.grades} >= {"A", "B", "C"}
        assert sum(g.visits for g in coverage.grades) > 0
        assert sum(g.revenue for g in coverage.grades) > 0
        snapshots = session.scalar(select(func.count()).select_from(DealSnapshot))
        assert snapshots
        assert snapshots > 52
