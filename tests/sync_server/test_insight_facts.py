"""The insight facts migration 0006 added (issue 20), on SQLite and PostgreSQL: when each
stage was left, kept on every write (changes arriving out of order, deleted) and
back-filled by the migration; planned touches per quarter and channel kept from the plans.
Expected values are worked out by hand from the dates below."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from insight_scenario import Writer, at
from server_kit import Org
from sqlalchemy import create_engine, select, text

from sfa_desktop.core.entities import AccountPlan
from sync_server.migrate import upgrade
from sync_server.models import PlanFact, StageFact
from sync_server.services.records import save


def _left(org: Org, deal_id: str) -> dict[str, datetime | None]:
    with org.session() as session:
        facts = session.scalars(select(StageFact).where(StageFact.opportunity_id == deal_id))
        return {f.to_stage: f.left_at for f in facts}


def test_left_at_follows_out_of_order_writes_and_deletes(org: Org) -> None:
    w = Writer(org)
    acme = w.account("rob", "Acme", at(1, 1))
    deal = w.deal("rob", acme, 10_000, date(2026, 5, 1), "qualification", at(3, 1))
    assert _left(org, deal.id) == {"qualification": None}
    late = w.save(w.change(deal, "qualification", "proposal", at(3, 20)), "rob", at(3, 20))
    # Prospecting on 1 Jan arrives last (an offline device): it was left on 1 Mar.
    w.save(w.change(deal, None, "prospecting", at(1, 1)), "rob", at(3, 21))
    assert _left(org, deal.id) == {
        "prospecting": at(3, 1),
        "qualification": at(3, 20),
        "proposal": None,
    }
    with org.session() as session:
        save(session, w.org_id, late, actor=org.ids["rob"], now=at(3, 22), deleted=True)
        session.commit()
    assert _left(org, deal.id) == {"prospecting": at(3, 1), "qualification": None}


def _planned(org: Org) -> set[tuple[int, str, int, int]]:
    with org.session() as session:
        rows = session.scalars(select(PlanFact))
        return {(r.fiscal_year, r.channel, r.quarter, r.planned) for r in rows}


def test_plan_facts_follow_the_plan(org: Org) -> None:
    w = Writer(org)
    acme = w.account("rob", "Acme", at(1, 1))
    plan = AccountPlan(
        account_id=acme,
        fiscal_year=2026,
        coverage=[{"channel": "visit", "quarter": 3, "planned": 2}],
        owner_id=org.ids["rob"],
    )
    w.save(plan, "rob", at(1, 2))
    assert _planned(org) == {(2026, "visit", 3, 2)}
    lines = [
        {"channel": "call", "quarter": 3, "planned": 5},
        {"channel": "visit", "quarter": 4, "planned": 1},
    ]
    changed = plan.with_changes({"coverage": lines})
    w.save(changed, "rob", at(1, 3))
    assert _planned(org) == {(2026, "call", 3, 5), (2026, "visit", 4, 1)}
    with org.session() as session:
        save(session, w.org_id, changed, actor=org.ids["rob"], now=at(1, 4), deleted=True)
        session.commit()
    assert _planned(org) == set()


def test_migration_0006_back_fills_left_at_and_plans(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'server.db'}")
    upgrade(engine, "0005")
    day = [datetime(2026, 1, d, 6, tzinfo=UTC).isoformat() for d in (1, 11, 31)]
    with engine.begin() as connection:
        stages = ["prospecting", "proposal", "closed_won"]
        for n, (stage, when) in enumerate(zip(stages, day, strict=True)):
            connection.execute(
                text(
                    "INSERT INTO stage_facts (id, org_id, opportunity_id, to_stage, changed_at)"
                    " VALUES (:id, 'o', 'deal', :stage, :when)"
                ),
                {"id": f"s{n}", "stage": stage, "when": when},
            )
        connection.execute(
            text(
                "INSERT INTO records (entity, id, org_id, owner_id, account_id, version,"
                " deleted, data, field_versions, changed_at) VALUES ('account_plan', 'p',"
                " 'o', 'rob', 'a', 1, 0, :data, '{}', :when)"
            ),
            {
                "data": '{"account_id": "a", "fiscal_year": 2026, "coverage": '
                '[{"channel": "visit", "quarter": 2, "planned": 4}]}',
                "when": day[0],
            },
        )
    upgrade(engine)
    with engine.connect() as connection:
        left = dict(connection.execute(text("SELECT to_stage, left_at FROM stage_facts")).all())
        plans = connection.execute(
            text("SELECT account_id, fiscal_year, quarter, channel, planned FROM plan_facts")
        ).all()
    assert {k: v and v[:10] for k, v in left.items()} == {
        "prospecting": "2026-01-11",
        "proposal": "2026-01-31",
        "closed_won": None,
    }
    assert [tuple(p) for p in plans] == [("a", 2026, 2, "visit", 4)]
    engine.dispose()
