"""A small history replayed in time order on a seeded org (boss > mia > rob, ria): deals,
stage changes, calls, an adjustment, and weekly snapshots taken on chosen days, through the
server's one write path. Every figure the insight tests expect is worked out by hand below.

2026-Q3 (ends 1 Oct; read 90/60/30/7 days before: 3 Jul, 2 Aug, 1 Sep, 24 Sep), Rob's deals
(cents), all created 25 Jun:
  D1 100,000 negotiation, closes 15 Aug, won 10 Aug
  D2  50,000 proposal, closes 20 Sep; to negotiation 20 Aug; lost 25 Sep
  D3  30,000 negotiation, closes 28 Sep, won 27 Sep
  -> Rob closed 130,000 in Q3; Ria nothing; Mia's team 130,000.
Rob's calls (commit / best case): 30 Jun 150,000/180,000; 30 Jul 120,000/170,000;
30 Aug 130,000/160,000; 20 Sep 140,000/140,000. Mia adjusts Rob's commit to 60,000 on
25 Aug. Snapshots on 1 Jul, 1 Aug, 1 Sep, 22 Sep (one per offset).
2026-Q2 (ends 1 Jul): Rob won D0 200,000 (closes 10 Jun, won 5 Jun) after calling 250,000
commit on 1 Jun (snapshot 2 Jun, read at 30 and 7 days before the end).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from server_kit import Org
from sqlalchemy import select

from sfa_desktop.core.entities import (
    Account,
    AccountPlan,
    Activity,
    ForecastSubmission,
    ManagerAdjustment,
    Opportunity,
    Quota,
    StageChange,
)
from sfa_desktop.core.entities import Record as CoreRecord
from sync_server.models import Org as OrgRow
from sync_server.services.forecast_history import take_snapshots
from sync_server.services.records import save


def at(month: int, day: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, 6, tzinfo=UTC)


class Writer:
    """Writes records as a user at a moment, through `records.save` (facts included)."""

    def __init__(self, org: Org) -> None:
        self.org = org
        with org.session() as session:
            row = session.scalar(select(OrgRow).where(OrgRow.name == "acme"))
            assert row is not None
            self.org_id = row.id

    def save(self, record: CoreRecord, who: str, when: datetime) -> Any:
        with self.org.session() as session:
            save(session, self.org_id, record, actor=self.org.ids[who], now=when)
            session.commit()
        return record

    def account(self, who: str, name: str, when: datetime, **fields: Any) -> str:
        account = Account(name=name, owner_id=self.org.ids[who], created_at=when, **fields)
        return str(self.save(account, who, when).id)

    def deal(
        self, who: str, account: str, amount: int, close: date, stage: str, when: datetime
    ) -> Opportunity:
        deal = Opportunity(
            account_id=account,
            name=f"Deal {amount}",
            amount=amount,
            close_date=close,
            stage=stage,
            owner_id=self.org.ids[who],
            created_at=when,
        )
        self.save(deal, who, when)
        self.save(self.change(deal, None, stage, when), who, when)
        return deal

    def change(self, deal: Opportunity, old: str | None, new: str, when: datetime) -> StageChange:
        return StageChange(
            opportunity_id=deal.id,
            from_stage=old,
            to_stage=new,
            changed_at=when,
            owner_id=deal.owner_id,
            amount=deal.amount,
        )

    def move(self, who: str, deal: Opportunity, stage: str, when: datetime) -> Opportunity:
        """Move a deal to `stage` at `when` (its record and a stage change)."""
        moved = deal.with_changes({"stage": stage, "updated_at": when})
        self.save(moved, who, when)
        self.save(self.change(deal, deal.stage.value, stage, when), who, when)
        return moved

    def call(self, who: str, period: str, commit: int, best: int, when: datetime) -> None:
        call = ForecastSubmission(
            period=period,
            commit=commit,
            best_case=best,
            submitted_at=when,
            owner_id=self.org.ids[who],
            created_at=when,
        )
        self.save(call, who, when)

    def adjust(self, who: str, subject: str, period: str, amount: int, when: datetime) -> None:
        adjustment = ManagerAdjustment(
            subject_user_id=self.org.ids[subject],
            period=period,
            category="commit",
            amount=amount,
            comment="too hopeful",
            owner_id=self.org.ids[who],
            created_at=when,
        )
        self.save(adjustment, who, when)

    def activity(self, who: str, account: str, channel: str, when: datetime) -> None:
        touch = Activity(
            channel=channel,
            subject=f"{channel} {when:%d %b}",
            occurred_at=when,
            account_id=account,
            owner_id=self.org.ids[who],
            created_at=when,
        )
        self.save(touch, who, when)

    def plan(self, who: str, account: str, year: int, lines: list[tuple[str, int, int]]) -> None:
        """An account plan with coverage lines (channel, quarter, planned)."""
        plan = AccountPlan(
            account_id=account,
            fiscal_year=year,
            coverage=[{"channel": c, "quarter": q, "planned": n} for c, q, n in lines],
            owner_id=self.org.ids[who],
        )
        self.save(plan, who, at(1, 2, year))

    def quota(self, who: str, period: str, amount: int) -> None:
        self.save(Quota(period=period, amount=amount, owner_id=self.org.ids[who]), who, at(1, 2))

    def snapshot(self, when: datetime) -> None:
        with self.org.session() as session:
            take_snapshots(session, when)


def replay(org: Org) -> dict[str, Any]:
    """The history in the module docstring; returns the writer and Rob's deals."""
    w = Writer(org)
    acme = w.account("rob", "Acme", at(5, 1))
    d0 = w.deal("rob", acme, 200_000, date(2026, 6, 10), "negotiation", at(5, 2))
    w.call("rob", "2026-Q2", 250_000, 260_000, at(6, 1))
    w.snapshot(at(6, 2))
    w.move("rob", d0, "closed_won", at(6, 5))
    d1 = w.deal("rob", acme, 100_000, date(2026, 8, 15), "negotiation", at(6, 25))
    d2 = w.deal("rob", acme, 50_000, date(2026, 9, 20), "proposal", at(6, 25))
    d3 = w.deal("rob", acme, 30_000, date(2026, 9, 28), "negotiation", at(6, 25))
    w.call("rob", "2026-Q3", 150_000, 180_000, at(6, 30))
    w.snapshot(at(7, 1))
    w.call("rob", "2026-Q3", 120_000, 170_000, at(7, 30))
    w.snapshot(at(8, 1))
    d1 = w.move("rob", d1, "closed_won", at(8, 10))
    d2 = w.move("rob", d2, "negotiation", at(8, 20))
    w.adjust("mia", "rob", "2026-Q3", 60_000, at(8, 25))
    w.call("rob", "2026-Q3", 130_000, 160_000, at(8, 30))
    w.snapshot(at(9, 1))
    w.call("rob", "2026-Q3", 140_000, 140_000, at(9, 20))
    w.snapshot(at(9, 22))
    d2 = w.move("rob", d2, "closed_lost", at(9, 25))
    d3 = w.move("rob", d3, "closed_won", at(9, 27))
    return {"writer": w, "account": acme, "d0": d0, "d1": d1, "d2": d2, "d3": d3}
