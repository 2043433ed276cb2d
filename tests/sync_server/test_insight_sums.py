"""The insight summaries migration 0008 added (issue 20, speed), on SQLite and PostgreSQL:
kept on every write through the one write path when a record is edited, reassigned,
deleted or arrives out of order, and when an account's grade or owner changes. Each step
is checked against figures worked out by hand, and the end state against the same tables
rebuilt from the facts by the migration's back-fill (one down and up again)."""

from __future__ import annotations

from datetime import date
from typing import Any

from alembic import command
from insight_scenario import Writer, at
from server_kit import Org
from sqlalchemy import select

from sfa_desktop.core.entities import Account, AccountPlan, Activity, Opportunity
from sfa_desktop.core.entities import Record as CoreRecord
from sfa_desktop.core.entities.base import new_id
from sfa_desktop.sql.migrate import alembic_config
from sync_server.insight_models import (
    AccountQuarterSum,
    AccountSum,
    DealFlowSum,
    PlanSum,
    StaySum,
    TouchSum,
    WonSum,
)
from sync_server.migrate import MIGRATIONS
from sync_server.models import Org as OrgRow
from sync_server.models import User
from sync_server.services.currency import set_rate
from sync_server.services.insight_coverage import coverage
from sync_server.services.records import VersionBlock, end_prefetch, save

Q2, Q3, Q4 = date(2026, 4, 1), date(2026, 7, 1), date(2026, 10, 1)
W, L = "closed_won", "closed_lost"
# Bits of the open stages: prospecting 1, qualification 2, needs analysis 4, proposal 8.


def _sums(org: Org) -> dict[str, set[tuple[Any, ...]]]:
    """Every summary row with a count, org column left out."""
    with org.session() as session:
        flows = session.scalars(select(DealFlowSum)).all()
        stays = session.scalars(select(StaySum)).all()
        touches = session.scalars(select(TouchSum)).all()
        accounts = session.scalars(select(AccountQuarterSum)).all()
        won = session.scalars(select(WonSum)).all()
        plans = session.scalars(select(PlanSum)).all()
        totals = session.scalars(select(AccountSum)).all()
        return {
            "flows": {
                (f.quarter, f.owner_id, f.stage, f.mask, f.won, f.deals) for f in flows if f.deals
            },
            "stays": {(s.quarter, s.owner_id, s.stage, s.days, s.stays) for s in stays if s.stays},
            "touches": {
                (t.quarter, t.account_owner_id, t.grade, t.owner_id, t.channel, t.touches)
                for t in touches
                if t.touches
            },
            "accounts": {
                (a.account_id, a.quarter, a.account_owner_id, a.grade, a.cost, a.touches)
                for a in accounts
                if a.cost or a.touches
            },
            "won": {
                (w.quarter, w.account_owner_id, w.grade, w.owner_id, w.currency, w.amount)
                for w in won
                if w.amount
            },
            "plans": {
                (p.quarter, p.account_owner_id, p.grade, p.owner_id, p.channel, p.planned)
                for p in plans
                if p.planned
            },
            "totals": {
                (t.owner_id, t.grade, t.currency, t.accounts, t.potential)
                for t in totals
                if t.accounts
            },
        }


def _rebuilt(org: Org) -> dict[str, set[tuple[Any, ...]]]:
    """The summaries as migration 0008 back-fills them from the facts."""
    with org.session() as session:
        engine = session.get_bind().engine
    with engine.begin() as connection:
        config = alembic_config(MIGRATIONS, connection)
        command.downgrade(config, "-1")
        command.upgrade(config, "head")
    return _sums(org)


def _delete(org: Org, w: Writer, record: CoreRecord, who: str, when: Any) -> None:
    with org.session() as session:
        save(session, w.org_id, record, actor=org.ids[who], now=when, deleted=True)
        session.commit()


def test_deal_summaries_follow_edits_moves_deletes_and_late_changes(org: Org) -> None:
    w = Writer(org)
    rob, ria = org.ids["rob"], org.ids["ria"]
    acme = w.account("rob", "Acme", at(1, 1))
    deal = w.deal("rob", acme, 10_000, date(2026, 8, 15), "prospecting", at(6, 1))
    proposal = w.save(w.change(deal, "prospecting", "proposal", at(6, 11)), "rob", at(6, 11))
    assert _sums(org)["flows"] == set()  # open deals are not counted
    deal = w.move("rob", deal, "closed_won", at(7, 1))
    assert _sums(org)["flows"] == {(Q3, rob, W, 1 | 8, 1, 1)}
    assert _sums(org)["stays"] == {(Q3, rob, "prospecting", 10, 1), (Q3, rob, "proposal", 20, 1)}
    # Qualification on 5 Jun arrives last (an offline device): prospecting lasted 4 days.
    late = w.save(w.change(deal, "prospecting", "qualification", at(6, 5)), "rob", at(7, 2))
    assert _sums(org)["flows"] == {(Q3, rob, W, 1 | 2 | 8, 1, 1)}
    assert _sums(org)["stays"] == {
        (Q3, rob, "prospecting", 4, 1),
        (Q3, rob, "qualification", 6, 1),
        (Q3, rob, "proposal", 20, 1),
    }
    # Edited: the close date moves to Q4; reassigned to Ria.
    deal = w.save(deal.with_changes({"close_date": date(2026, 10, 2)}), "rob", at(7, 3))
    assert _sums(org)["flows"] == {(Q4, rob, W, 1 | 2 | 8, 1, 1)}
    deal = w.save(deal.with_changes({"owner_id": ria}), "mia", at(7, 4))
    assert _sums(org)["flows"] == {(Q4, ria, W, 1 | 2 | 8, 1, 1)}
    assert {s[:2] for s in _sums(org)["stays"]} == {(Q4, ria)}
    # A second deal, lost, whose stage change is moved onto the first deal.
    other = w.deal("ria", acme, 5_000, date(2026, 5, 1), "needs_analysis", at(4, 1))
    other = w.move("ria", other, "closed_lost", at(4, 21))
    assert (Q2, ria, L, 4, 0, 1) in _sums(org)["flows"]
    assert (Q2, ria, "needs_analysis", 20, 1) in _sums(org)["stays"]
    # Deleted: the proposal change (qualification now lasts to the win: 26 days).
    _delete(org, w, proposal, "rob", at(7, 5))
    sums = _sums(org)
    assert sums["flows"] == {(Q4, ria, W, 1 | 2, 1, 1), (Q2, ria, L, 4, 0, 1)}
    assert sums["stays"] == {
        (Q4, ria, "prospecting", 4, 1),
        (Q4, ria, "qualification", 26, 1),
        (Q2, ria, "needs_analysis", 20, 1),
    }
    assert _rebuilt(org) == sums
    # The late change is edited onto the lost deal: each deal re-counted.
    w.save(late.with_changes({"opportunity_id": other.id}), "ria", at(7, 6))
    sums = _sums(org)
    assert sums["flows"] == {(Q4, ria, W, 1, 1, 1), (Q2, ria, L, 2 | 4, 0, 1)}
    assert (Q4, ria, "prospecting", 30, 1) in sums["stays"]  # 1 Jun to the win on 1 Jul
    # A deal closed without stage changes counts as won or lost only (mask -1), until one
    # comes.
    bare = Opportunity(
        account_id=acme,
        name="Bare",
        amount=1_000,
        close_date=date(2026, 9, 1),
        stage="closed_lost",
        owner_id=rob,
        created_at=at(7, 6),
    )
    w.save(bare, "rob", at(7, 6))
    assert (Q3, rob, L, -1, 0, 1) in _sums(org)["flows"]
    w.save(w.change(bare, "proposal", "closed_lost", at(8, 30)), "rob", at(7, 7))
    assert (Q3, rob, L, 0, 0, 1) in _sums(org)["flows"]
    assert _rebuilt(org) == _sums(org)
    for gone in (deal, other, bare):
        _delete(org, w, gone, "ria", at(7, 8))
    assert _sums(org)["flows"] == set()
    assert _sums(org)["stays"] == set()
    assert _rebuilt(org) == _sums(org)


def _activity(org: Org, who: str, account: str, channel: str, when: Any) -> Activity:
    return Activity(
        channel=channel,
        subject=channel,
        occurred_at=when,
        account_id=account,
        owner_id=org.ids[who],
        created_at=when,
    )


def test_touch_summaries_follow_grades_owners_edits_and_late_accounts(org: Org) -> None:
    w = Writer(org)
    rob, ria = org.ids["rob"], org.ids["ria"]
    acme = Account(name="Acme", owner_id=rob, created_at=at(1, 1), grade="A")
    w.save(acme, "rob", at(1, 1))
    visit = w.save(_activity(org, "rob", acme.id, "visit", at(8, 3)), "rob", at(8, 3))
    w.save(_activity(org, "ria", acme.id, "call", at(8, 4)), "ria", at(8, 4))
    assert _sums(org)["touches"] == {
        (Q3, rob, "A", rob, "visit", 1),
        (Q3, rob, "A", ria, "call", 1),
    }
    assert _sums(org)["accounts"] == {(acme.id, Q3, rob, "A", 25_000 + 1_500, 2)}
    # An activity on an account the server has not seen yet counts once the account comes.
    beta = Account(name="Beta", owner_id=ria, created_at=at(1, 1), grade=None)
    w.save(_activity(org, "ria", beta.id, "email", at(5, 2)), "ria", at(8, 5))
    assert len(_sums(org)["touches"]) == 2
    assert (beta.id, Q2, None, None, 200, 1) in _sums(org)["accounts"]
    w.save(beta, "ria", at(8, 6))
    assert (Q2, ria, "", ria, "email", 1) in _sums(org)["touches"]
    assert (beta.id, Q2, ria, "", 200, 1) in _sums(org)["accounts"]
    # Acme's grade changes, then its owner: its touches move with it.
    acme = w.save(acme.with_changes({"grade": "C"}), "rob", at(8, 7))
    acme = w.save(acme.with_changes({"owner_id": ria}), "mia", at(8, 8))
    assert _sums(org)["touches"] == {
        (Q3, ria, "C", rob, "visit", 1),
        (Q3, ria, "C", ria, "call", 1),
        (Q2, ria, "", ria, "email", 1),
    }
    # The visit is edited: a call in Q4 on Beta, then reassigned to Ria.
    changed = visit.with_changes(
        {"channel": "call", "occurred_at": at(10, 2), "account_id": beta.id}
    )
    changed = w.save(changed, "rob", at(8, 9))
    w.save(changed.with_changes({"owner_id": ria}), "mia", at(8, 10))
    assert _sums(org)["touches"] == {
        (Q4, ria, "", ria, "call", 1),
        (Q3, ria, "C", ria, "call", 1),
        (Q2, ria, "", ria, "email", 1),
    }
    assert _sums(org)["accounts"] == {
        (acme.id, Q3, ria, "C", 1_500, 1),
        (beta.id, Q4, ria, "", 1_500, 1),
        (beta.id, Q2, ria, "", 200, 1),
    }
    assert _rebuilt(org) == _sums(org)
    # Deleted: an activity, then an account (its touches no longer count).
    _delete(org, w, changed, "ria", at(8, 11))
    _delete(org, w, acme, "ria", at(8, 12))
    assert _sums(org)["touches"] == {(Q2, ria, "", ria, "email", 1)}
    assert _sums(org)["accounts"] == {
        (acme.id, Q3, None, None, 1_500, 1),  # no such account: not counted
        (beta.id, Q2, ria, "", 200, 1),
    }
    assert _rebuilt(org) == _sums(org)


def test_one_transaction_with_an_account_and_its_activities(org: Org) -> None:
    """A push writes many records before it flushes: an account new in the same
    transaction as its activities, then regraded, still gets them all."""
    w = Writer(org)
    rob = org.ids["rob"]
    gamma = Account(name="Gamma", owner_id=rob, created_at=at(1, 1), grade="B")
    touches = [_activity(org, "rob", gamma.id, "visit", at(7, d)) for d in (1, 2, 3)]
    records: list[CoreRecord] = [touches[0], gamma, *touches[1:]]
    with org.session() as session:
        for record in records:
            save(session, w.org_id, record, actor=rob, now=at(7, 4))
        save(session, w.org_id, gamma.with_changes({"grade": "A"}), actor=rob, now=at(7, 4))
        session.commit()
    assert _sums(org)["touches"] == {(Q3, rob, "A", rob, "visit", 3)}
    assert _sums(org)["accounts"] == {(gamma.id, Q3, rob, "A", 3 * 25_000, 3)}
    assert _rebuilt(org) == _sums(org)


def test_one_push_writing_activities_then_regrading_their_account(org: Org) -> None:
    """As a push writes (one version block, one flush before commit): activities written
    earlier in it still move with their account's regrade, and a regraded account's
    quarter rows follow even when they were made in the same push."""
    w = Writer(org)
    rob = org.ids["rob"]
    delta = Account(name="Delta", owner_id=rob, created_at=at(1, 1), grade="C")
    with org.session() as session:
        save(session, w.org_id, delta, actor=rob, now=at(7, 1))
        session.commit()
    touches = [_activity(org, "rob", delta.id, "call", at(8, d)) for d in (1, 2)]
    with org.session() as session:
        block = VersionBlock(session)
        for record in touches:
            save(session, w.org_id, record, actor=rob, now=at(8, 4))
        save(session, w.org_id, delta.with_changes({"grade": "A"}), actor=rob, now=at(8, 4))
        block.close()
        end_prefetch(session)
        session.commit()
    assert _sums(org)["touches"] == {(Q3, rob, "A", rob, "call", 2)}
    assert _sums(org)["accounts"] == {(delta.id, Q3, rob, "A", 2 * 1_500, 2)}
    assert _rebuilt(org) == _sums(org)


def _grades(org: Org, who: str) -> dict[str, tuple[int, int, int, int, int]]:
    """Coverage's grade rows for `who` in Q3 2026: accounts, potential, revenue, wallet,
    planned visits."""
    with org.session() as session:
        user = session.get(User, org.ids[who])
        assert user is not None
        report = coverage(session, user, "2026-Q3", at(10, 15))
    return {
        g.grade: (g.accounts, g.potential, g.revenue, g.wallet_revenue, g.planned["visit"])
        for g in report.grades
    }


def test_coverage_sums_follow_accounts_deals_and_plans(org: Org) -> None:
    """One USD = 0.50 EUR from 1 Jan 2026. A1 (Rob, A, 1,000,000 EUR potential), U1 (Rob, B,
    400,000 USD = 200,000 EUR). Won on A1 (Rob): 300,000 EUR on 10 Aug (Q3), 100,000 EUR
    on 10 Feb (in the wallet's four quarters); on U1 (Ria): 50,000 USD = 25,000 EUR on
    1 Sep. A1's plan: 3 visits in Q3. The plan and the USD deal reach the server before
    their accounts: they count once the accounts come."""
    with org.session() as session:
        row = session.scalar(select(OrgRow).where(OrgRow.name == "acme"))
        assert row is not None
        set_rate(session, row, "USD", date(2026, 1, 1), "0.5", at(1, 1))
    w = Writer(org)
    rob, ria = org.ids["rob"], org.ids["ria"]
    a1 = Account(name="A1", owner_id=rob, created_at=at(1, 1), grade="A")
    u1 = Account(
        name="U1",
        owner_id=rob,
        created_at=at(1, 1),
        grade="B",
        currency="USD",
        potential_revenue=400_000,
    )
    lines = [{"channel": "visit", "quarter": 3, "planned": 3}]
    plan = AccountPlan(account_id=a1.id, fiscal_year=2026, coverage=lines, owner_id=rob)
    w.save(plan, "rob", at(1, 2))  # before its account: counted once it comes
    w.save(a1.with_changes({"potential_revenue": 1_000_000}), "rob", at(1, 1))
    q3 = w.deal("rob", a1.id, 300_000, date(2026, 8, 10), "closed_won", at(8, 10))
    w.deal("rob", a1.id, 100_000, date(2026, 2, 10), "closed_won", at(2, 10))
    usd = Opportunity(
        account_id=u1.id,
        name="USD",
        amount=50_000,
        currency="USD",
        close_date=date(2026, 9, 1),
        stage="closed_won",
        owner_id=ria,
        created_at=at(9, 1),
    )
    w.save(usd, "ria", at(9, 1))
    w.save(u1, "rob", at(9, 1))  # after its won deal (an offline device)
    assert _grades(org, "boss") == {
        "A": (1, 1_000_000, 300_000, 400_000, 3),
        "B": (1, 200_000, 25_000, 25_000, 0),
    }
    assert _rebuilt(org) == _sums(org)
    # U1 becomes an A; A1 goes to Ria, who plans 5 more visits on it.
    w.save(u1.with_changes({"grade": "A"}), "rob", at(9, 2))
    w.save(a1.with_changes({"owner_id": ria, "potential_revenue": 1_000_000}), "mia", at(9, 3))
    w.plan("ria", a1.id, 2026, [("visit", 3, 5)])
    assert _grades(org, "boss") == {"A": (2, 1_200_000, 325_000, 425_000, 5 + 3)}
    assert _grades(org, "rob") == {"A": (1, 200_000, 0, 0, 0)}  # Ria's USD deal: not his
    # The Q3 deal is deleted: A keeps 25,000 this quarter, 125,000 in the wallet.
    with org.session() as session:
        save(session, w.org_id, q3, actor=rob, now=at(9, 4), deleted=True)
        session.commit()
    assert _grades(org, "boss")["A"][2:4] == (25_000, 125_000)
    # Rob's plan now asks for 1 visit.
    lines = [{"channel": "visit", "quarter": 3, "planned": 1}]
    w.save(plan.with_changes({"coverage": lines}), "rob", at(9, 5))
    assert _grades(org, "boss")["A"][4] == 5 + 1
    assert _rebuilt(org) == _sums(org)


class _Push:
    """Mutations of one push from Rob's laptop, built up in order."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.mutations: list[dict[str, Any]] = []
        org.headers("rob")

    def add(self, entity: str, record_id: str, op: str = "upsert", **extra: Any) -> str:
        self.org.seqs["rob"] += 1
        mutation = {"seq": self.org.seqs["rob"], "mutation_id": new_id(), "entity": entity}
        self.mutations.append({**mutation, "entity_id": record_id, "op": op, **extra})
        return record_id

    def account(self, account_id: str, base: int | None, **fields: Any) -> str:
        return self.add("account", account_id, fields=fields, base_version=base)

    def activity(self, account_id: str, channel: str, day: int, record_id: str = "") -> str:
        when = at(8, day).isoformat()
        fields = {"channel": channel, "subject": channel, "occurred_at": when}
        record_id = record_id or new_id()
        return self.add("activity", record_id, fields={**fields, "account_id": account_id})

    def send(self) -> list[dict[str, Any]]:
        response = self.org.push_raw("rob", self.mutations)
        assert response.status_code == 200, response.text
        results: list[dict[str, Any]] = response.json()["results"]
        return results


def _by_grade(rows: set[tuple[Any, ...]]) -> dict[str, int]:
    """A summary's counts per account grade (the third column of `_sums`' rows)."""
    found: dict[str, int] = {}
    for row in rows:
        found[row[2]] = found.get(row[2], 0) + row[-1]
    return found


def test_one_push_regrading_accounts_between_their_facts(org: Org) -> None:
    """One push (regrades wait and move together before its commit): accounts regraded
    between activities, deals and plan lines written before and after in the same push,
    one regraded twice, one deleted, one created and regraded, a merge whose survivor is
    regraded before it and in it, and a rejected merge in between; what follows the accounts counts
    once, under their last grades, by hand and as the back-fill has it."""
    setup = _Push(org)
    a, b, c, m1, m2 = (
        setup.account(new_id(), None, name=name, grade=grade)
        for name, grade in (("A", "B"), ("B", "C"), ("C", "A"), ("M1", "D"), ("M2", "E"))
    )
    b1 = setup.activity(b, "call", 1)
    for account, channel in ((a, "visit"), (c, "email"), (m2, "visit")):
        setup.activity(account, channel, 1)
    deal = {"name": "Won", "stage": "closed_won", "close_date": "2026-08-20", "currency": "EUR"}
    setup.add("opportunity", new_id(), fields={**deal, "account_id": b, "amount": 1_000})
    plan = {"account_id": a, "fiscal_year": 2026}
    plan_id = setup.add("account_plan", new_id(), fields={**plan, "coverage": []})
    results = zip(setup.mutations, setup.send(), strict=True)
    versions = {m["entity_id"]: r["version"] for m, r in results}
    assert all(v is not None for v in versions.values())

    push, n = _Push(org), new_id()
    push.activity(a, "call", 2)  # before A's regrade
    push.account(a, versions[a], grade="A")
    push.activity(a, "email", 3)  # after it
    rejected = len(push.mutations)  # a merge with a missing account: its savepoint rolls back
    push.add("account", a, op="merge", fields={}, merged_ids=[new_id()])
    lines = [{"channel": "visit", "quarter": 3, "planned": 4}]
    push.add("account_plan", plan_id, fields={"coverage": lines}, base_version=versions[plan_id])
    push.account(b, versions[b], grade="D")
    push.activity(b, "visit", 4, record_id=b1)  # edited after B's first regrade
    push.add("opportunity", new_id(), fields={**deal, "account_id": b, "amount": 500})
    push.account(b, versions[b], grade="E", potential_revenue=5)  # regraded again
    push.activity(b, "email", 5)
    push.activity(c, "call", 6)
    push.add("account", c, op="delete", base_version=versions[c])
    push.account(n, None, name="N", grade="B")
    push.activity(n, "visit", 7)
    push.account(n, None, grade="C")
    push.account(m1, versions[m1], grade="A")
    push.add("account", m1, op="merge", fields={"grade": "B"}, merged_ids=[m2])
    push.activity(m1, "visit", 8)  # after the merge
    expected = ["applied"] * len(push.mutations)
    expected[rejected] = "rejected"
    assert [r["status"] for r in push.send()] == expected

    sums = _sums(org)
    # A: 3 touches as an A; B: 2 as an E with 1,500 won; C deleted; N: 1 as a C; M1 with
    # M2's visit: 2 as a B. A's plan: 4 visits as an A.
    assert _by_grade(sums["touches"]) == {"A": 3, "E": 2, "C": 1, "B": 2}
    assert _by_grade(sums["won"]) == {"E": 1_500}
    assert _by_grade(sums["plans"]) == {"A": 4}
    grades = {a: "A", b: "E", c: None, n: "C", m1: "B"}  # M2 merged: no touches left
    assert {(row[0], row[3]) for row in sums["accounts"]} == set(grades.items())
    assert _rebuilt(org) == sums
