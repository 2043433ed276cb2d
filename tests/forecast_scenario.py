"""A manager and two reps through a server: deals and calls synced up, the rollup read and
adjusted by the manager, every figure against hand-computed totals (amounts in cents)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
from store_keys import TEST_KEY

from sfa_desktop.core.entities import Account, ManagerAdjustment, Opportunity
from sfa_desktop.core.enums import ForecastCategory
from sfa_desktop.core.forecast_wire import AdjustmentRequest, ForecastNode
from sfa_desktop.core.periods import Period
from sfa_desktop.operations.forecast import deals_of, rep_forecast, submit_forecast
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.forecast_client import ForecastRemote

Q4 = Period.parse("2026-Q4")
NOW = datetime(2026, 11, 1, 9, tzinfo=UTC)
# Mia's quota is the team's number, set (as the demo does) to what the reps' quotas add up
# to: it stands beside their rolled-up quota, never added to it.
QUOTAS = {"rob": 2_000_000, "ria": 1_000_000, "mia": 3_000_000}
PASSWORD = "correct horse battery"


@contextmanager
def devices(transport: httpx.BaseTransport, folder: Path) -> Iterator[Callable[[str], SyncAccount]]:
    """Sign in desktop devices (a store each in `folder`) to the app behind `transport`."""
    opened: list[SyncAccount] = []

    def sign_in(username: str) -> SyncAccount:
        store = Store.open(folder / f"{username}.db", key=TEST_KEY)
        account = SyncAccount(store, Credentials(persistent=False), transport=transport)
        account.sign_in("http://testserver", username, PASSWORD, f"{username}-laptop")
        opened.append(account)
        return account

    try:
        yield sign_in
    finally:
        for account in opened:
            account.close()
            account.store.close()


def _deal(store: Store, account_id: str, amount: int, close: date, stage: str) -> None:
    fields = {"account_id": account_id, "name": f"Deal {amount}", "amount": amount}
    if stage == "closed_won":  # through negotiation, so the history has a stage move
        opp = store.create(Opportunity, {**fields, "stage": "negotiation", "close_date": close})
        store.update(Opportunity, opp.value.id, {"stage": "closed_won"})
    else:
        store.create(Opportunity, {**fields, "stage": stage, "close_date": close})


def reps_sell_and_submit(rob: SyncAccount, ria: SyncAccount) -> None:
    """Rob: closed 3,000, commit 10,000, best case 5,000, pipeline 2,000 (+ one next year).
    Ria: closed 1,000, commit 8,000. Both submit a call; everything syncs up."""
    account = rob.store.create(Account, {"name": "Rob's customer"}).value.id
    _deal(rob.store, account, 1_000_000, date(2026, 11, 10), "negotiation")
    _deal(rob.store, account, 500_000, date(2026, 12, 1), "proposal")
    _deal(rob.store, account, 200_000, date(2026, 10, 20), "prospecting")
    _deal(rob.store, account, 300_000, date(2026, 10, 5), "closed_won")
    _deal(rob.store, account, 777_700, date(2027, 1, 5), "negotiation")
    account = ria.store.create(Account, {"name": "Ria's customer"}).value.id
    _deal(ria.store, account, 800_000, date(2026, 11, 15), "negotiation")
    _deal(ria.store, account, 100_000, date(2026, 12, 10), "closed_won")
    submit_forecast(rob.store, Q4, {"commit": 1_300_000, "best_case": 1_800_000}, NOW)
    submit_forecast(ria.store, Q4, {"commit": 900_000, "best_case": 900_000}, NOW)
    for device in (rob, ria):
        device.engine().run_once()
        assert device.store.outbox_count() == 0


def check_rep_view(rob: SyncAccount) -> None:
    """Rob's own forecast from his local store, with the quota that came down by sync."""
    rob.engine().run_once()
    mine = rep_forecast(rob.store, Q4, NOW)
    totals = mine.totals
    assert (totals.closed, totals.commit, totals.best_case, totals.pipeline) == (
        300_000,
        1_000_000,
        500_000,
        200_000,
    )
    assert totals.commit_forecast == 1_300_000
    assert mine.quota == QUOTAS["rob"]
    assert mine.attainment == 0.15
    assert mine.submission is not None
    assert mine.submission.commit == 1_300_000


def _node(root: ForecastNode, name: str) -> ForecastNode:
    return next(node for node in root.reports if node.name.startswith(name))


def manager_reads_and_adjusts(mia: SyncAccount) -> None:
    remote = ForecastRemote(mia)
    root = remote.fetch(str(Q4)).report.root
    assert root.totals.closed == 400_000
    assert root.totals.commit == 1_800_000
    assert root.totals.best_case == 500_000
    assert root.totals.pipeline == 200_000
    # Mia's own quota (the team's number) beside the reps' quotas rolled up, not added:
    # before, her quota read 3,000,000 + 2,000,000 + 1,000,000 = 6,000,000.
    assert root.quota == 3_000_000
    assert root.rolled_up_quota == 3_000_000  # 2,000,000 (Rob) + 1,000,000 (Ria)
    assert root.attainment_basis == "own"
    assert root.attainment is not None
    assert abs(root.attainment - 0.133333) < 1e-6  # 400,000 closed / 3,000,000
    rob = _node(root, "Rob")
    assert rob.submission is not None
    assert (rob.submission.commit, rob.submission.best_case) == (1_300_000, 1_800_000)
    assert rob.attainment == 0.15
    ria = _node(root, "Ria")
    assert ria.attainment == 0.1
    remote.adjust(
        AdjustmentRequest(
            subject_user_id=rob.user_id,
            period=str(Q4),
            category=ForecastCategory.COMMIT,
            amount=900_000,
            comment="Big deal slips to January",
        )
    )
    after = remote.fetch(str(Q4))
    rob = _node(after.report.root, "Rob")
    assert rob.adjusted.commit == 900_000
    assert rob.totals.commit == 1_000_000
    assert after.report.root.adjusted.commit == 900_000 + 800_000
    trail = after.audits[rob.user_id]
    assert [(e.old_amount, e.new_amount, e.comment) for e in trail] == [
        (None, 900_000, "Big deal slips to January")
    ]
    # the manager's store gets the reports' deals (drill-down) and the adjustment by sync
    mia.engine().run_once()
    assert [o.amount for o in deals_of(mia.store, rob.user_id, Q4)] == [
        1_000_000,
        500_000,
        300_000,
        200_000,
    ]
    adjustments = mia.store.records(ManagerAdjustment)
    assert [(a.subject_user_id, a.amount) for a in adjustments] == [(rob.user_id, 900_000)]
    # without a session the last fetched figures still show, marked offline
    offline = ForecastRemote(SyncAccount(mia.store, Credentials(persistent=False))).load(str(Q4))
    assert offline.offline
    assert offline.snapshot is not None
    assert offline.snapshot.report.root.adjusted.commit == 1_700_000
