"""Boss > Mia > Rob, Ria for the manager's desktop view (issue 22): deals in EUR, one in USD
(converted at 0.92) and one in GBP (no rate), a week-old snapshot then two moves, Rob's call,
adjustments by Mia and by Boss. Every device syncs through the real server app.

The deals of 2026-Q4 (cents), as the tests count them:

    Rob   won 300,000 (closed) · commit 1,000,000 · best 500,000 · late 200,000 (pipeline,
          closes 2026-11-20: overdue; 150,000 in the snapshot) · GBP 500,000 (pipeline, no rate)
    Ria   won 100,000 (closed) · commit 800,000 · USD 1,000,000 (best case, 920,000 in EUR;
          new since the snapshot)
    Mia   own 50,000 (best case)

Rob called 1,300,000 / 1,800,000 (now); Ria and Mia have not called. Mia adjusted Rob's
commit to 900,000; Boss adjusted Rob's commit to 700,000 and Mia's best case to 600,000.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from sfa_desktop.core.entities import Account, Opportunity
from sfa_desktop.core.enums import ForecastCategory
from sfa_desktop.core.forecast_wire import AdjustmentRequest
from sfa_desktop.core.periods import Period
from sfa_desktop.operations.forecast import submit_forecast
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.forecast_client import ForecastRemote
from sync_server.services.currency import org_for, set_rate
from sync_server.services.forecast_history import take_snapshots

Q4 = Period.parse("2026-Q4")
TODAY = date(2026, 12, 4)  # the day these tests were written for (overdue flags)


@dataclass
class Team:
    """The signed-in devices and the deal ids by name."""

    boss: SyncAccount
    mia: SyncAccount
    rob: SyncAccount
    ria: SyncAccount
    deals: dict[str, str]
    now: datetime


def _deal(
    device: SyncAccount,
    account: str,
    name: str,
    amount: int,
    close: str,
    stage: str,
    currency: str = "EUR",
) -> str:
    fields = {"account_id": account, "name": name, "amount": amount, "currency": currency}
    if stage == "closed_won":  # through negotiation, as a rep wins a deal
        deal = device.store.create(
            Opportunity, {**fields, "stage": "negotiation", "close_date": close}
        ).value.id
        device.store.update(Opportunity, deal, {"stage": "closed_won"})
        return deal
    return device.store.create(
        Opportunity, {**fields, "stage": stage, "close_date": close}
    ).value.id


def _sync(*devices: SyncAccount) -> None:
    for device in devices:
        device.engine().run_once()
        assert device.store.outbox_count() == 0


def build_team(sessions: Callable[[], Session], sign_in: Callable[[str], SyncAccount]) -> Team:
    """The scenario above, through the server `sessions` belong to (boss must exist)."""
    now = datetime.now(UTC)
    with sessions() as session:
        set_rate(session, org_for(session, "acme"), "USD", date(2026, 11, 1), "0.92", now)
    boss, mia, rob, ria = (sign_in(name) for name in ("boss", "mia", "rob", "ria"))
    deals: dict[str, str] = {}
    account = rob.store.create(Account, {"name": "Rob's customer"}).value.id
    for name, amount, close, stage, currency in (
        ("Rob won", 300_000, "2026-11-10", "closed_won", "EUR"),
        ("Rob commit", 1_000_000, "2026-12-20", "negotiation", "EUR"),
        ("Rob best", 500_000, "2026-12-15", "proposal", "EUR"),
        ("Rob late", 150_000, "2026-11-20", "prospecting", "EUR"),
        ("Rob GBP", 500_000, "2026-12-22", "prospecting", "GBP"),
    ):
        deals[name] = _deal(rob, account, name, amount, close, stage, currency)
    account = ria.store.create(Account, {"name": "Ria's customer"}).value.id
    deals["Ria won"] = _deal(ria, account, "Ria won", 100_000, "2026-10-20", "closed_won")
    deals["Ria commit"] = _deal(ria, account, "Ria commit", 800_000, "2026-12-10", "negotiation")
    account = mia.store.create(Account, {"name": "Mia's customer"}).value.id
    deals["Mia own"] = _deal(mia, account, "Mia own", 50_000, "2026-12-28", "proposal")
    _sync(rob, ria, mia)
    with sessions() as session:  # last week's snapshot
        take_snapshots(session, now - timedelta(days=7))
    rob.store.update(Opportunity, deals["Rob late"], {"amount": 200_000})
    deals["Ria USD"] = _deal(
        ria, account_of(ria), "Ria USD", 1_000_000, "2026-12-18", "proposal", "USD"
    )
    submit_forecast(rob.store, Q4, {"commit": 1_300_000, "best_case": 1_800_000}, now)
    _sync(rob, ria)
    adjust(mia, rob, ForecastCategory.COMMIT, 900_000, "Big deal slips to January")
    adjust(boss, rob, ForecastCategory.COMMIT, 700_000, "Half of it lands this year")
    adjust(boss, mia, ForecastCategory.BEST_CASE, 600_000, "Best case too rosy")
    _sync(mia, boss)
    return Team(boss, mia, rob, ria, deals, now)


def account_of(device: SyncAccount) -> str:
    return device.store.records(Account, {"owner_id": device.store.current_user_id()})[0].id


def adjust(
    manager: SyncAccount, subject: SyncAccount, category: ForecastCategory, amount: int, why: str
) -> None:
    subject_id = subject.store.current_user_id()
    assert subject_id is not None
    ForecastRemote(manager).adjust(
        AdjustmentRequest(
            subject_user_id=subject_id,
            period=str(Q4),
            category=category,
            amount=amount,
            comment=why,
        )
    )
