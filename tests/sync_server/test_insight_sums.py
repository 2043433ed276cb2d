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

from sfa_desktop.core.entities import Account, Activity, Opportunity
from sfa_desktop.core.entities import Record as CoreRecord
from sfa_desktop.sql.migrate import alembic_config
from sync_server.migrate import MIGRATIONS
from sync_server.models import AccountQuarterSum, DealFlowSum, StaySum, TouchSum
from sync_server.services.records import save

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
