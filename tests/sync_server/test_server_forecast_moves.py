"""Moves (issue 22, point 4): reassigning an account moves its open deals; closed deals
(won and lost) keep the owner who closed them, with their stage history and audit trail.
Through the HTTP API, the audit trail and the desktops of both reps, on SQLite and
PostgreSQL. Every expected figure is written out with its arithmetic (amounts in cents).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from forecast_scenario import devices
from server_kit import Org

from sfa_desktop.core.entities import Account, AuditEntry, Opportunity, StageChange
from sfa_desktop.core.periods import Period
from sfa_desktop.operations.forecast import rep_forecast
from sfa_desktop.sync.account import SyncAccount
from sync_server.services import admin

Q4 = Period.parse("2026-Q4")
NOW = datetime(2026, 12, 4, 9, tzinfo=UTC)


@pytest.fixture
def desk(org: Org, tmp_path: Path) -> Iterator[Any]:
    with devices(org.client._transport, tmp_path) as sign_in:
        yield sign_in


def _deal(device: SyncAccount, account: str, amount: int, close: date, stage: str) -> str:
    """A deal that walked from negotiation to `stage` (so it has a stage history)."""
    fields = {"account_id": account, "name": f"Deal {amount}", "amount": amount}
    deal = device.store.create(Opportunity, {**fields, "stage": "negotiation", "close_date": close})
    if stage != "negotiation":
        device.store.update(Opportunity, deal.value.id, {"stage": stage})
    return deal.value.id


def _closed(org: Org, viewer: str) -> dict[str, tuple[int, int, int]]:
    """(closed, commit, omitted) per person in `viewer`'s Q4 tree, from the API."""
    response = org.client.get("/api/v1/forecast/2026-Q4", headers=org.headers(viewer))
    assert response.status_code == 200, response.text
    found = {}
    stack = [response.json()["root"]]
    while stack:
        node = stack.pop()
        totals = node["totals"]
        found[node["name"]] = (totals["closed"], totals["commit"], totals["omitted"])
        stack.extend(node["reports"])
    return found


def test_closed_deals_keep_their_seller_when_the_account_moves(org: Org, desk: Any) -> None:
    rob, ria, mia = desk("rob"), desk("ria"), desk("mia")
    kept = rob.store.create(Account, {"name": "Kept Co"}).value.id
    kept_won = _deal(rob, kept, 3_000_000, date(2026, 10, 15), "closed_won")
    moving = rob.store.create(Account, {"name": "Moving Co"}).value.id
    won = _deal(rob, moving, 800_000, date(2026, 11, 5), "closed_won")
    lost = _deal(rob, moving, 200_000, date(2026, 11, 20), "closed_lost")
    open_deal = _deal(rob, moving, 500_000, date(2026, 12, 10), "negotiation")
    rob.engine().run_once()
    ria.engine().run_once()
    assert rob.store.outbox_count() == 0
    assert _closed(org, "rob")["Rob"] == (3_800_000, 500_000, 200_000)  # 3,000,000 + 800,000

    with org.session() as session:
        moved = admin.reassign_account(session, moving, "ria", NOW)

    # The API: Rob keeps 3,000,000 + 800,000 = 3,800,000 closed (before: 3,000,000) and the
    # 200,000 lost deal; Ria gets only the open 500,000 (before: also 800,000 and 200,000).
    assert _closed(org, "rob")["Rob"] == (3_800_000, 0, 200_000)
    team = _closed(org, "mia")
    assert team["Rob"] == (3_800_000, 0, 200_000)
    assert team["Ria"] == (0, 500_000, 0)
    assert team["Mia"] == (3_800_000, 500_000, 200_000)  # the team's sum does not change
    # the account, the open deal and its one stage change (created in negotiation); before,
    # also the two closed deals and their four stage changes: 9
    assert moved == 3

    # The desktops converge: Rob keeps his closed deals (and their history), the account
    # and the open deal leave his device; Ria gets the account with all three deals.
    for device in (rob, ria, mia):
        device.engine().run_once()
        assert device.store.outbox_count() == 0
    rob_user, ria_user = rob.store.current_user_id(), ria.store.current_user_id()
    assert [a.name for a in rob.store.records(Account)] == ["Kept Co"]
    rob_deals = {o.id: o.owner_id for o in rob.store.records(Opportunity)}
    assert set(rob_deals) == {kept_won, won, lost}
    assert set(rob_deals.values()) == {rob_user}
    assert {c.opportunity_id for c in rob.store.records(StageChange)} == set(rob_deals)
    ria_deals = {o.id: o.owner_id for o in ria.store.records(Opportunity)}
    assert ria_deals == {won: rob_user, lost: rob_user, open_deal: ria_user}
    mine = rep_forecast(rob.store, Q4, NOW).totals
    assert (mine.closed, mine.commit, mine.omitted) == (3_800_000, 0, 200_000)
    theirs = rep_forecast(ria.store, Q4, NOW).totals
    assert (theirs.closed, theirs.commit, theirs.omitted) == (0, 500_000, 0)
    assert len(mia.store.records(Opportunity)) == 4  # both reps are hers: nothing left

    # The audit: a reassigned entry for what moved (the account notes the kept deals),
    # none for the closed deals, whose trail Rob's device keeps.
    entries = ria.store.records(AuditEntry)
    reassigned = {e.record_id: e for e in entries if e.action == "reassigned"}
    assert set(reassigned) == {moving, open_deal}
    assert reassigned[moving].note.startswith("2 closed deals keep their owners")
    for deal in (won, lost):
        trail = [e for e in rob.store.records(AuditEntry) if e.record_id == deal]
        assert sorted(e.action for e in trail) == ["created", "updated"]  # stage walk
        assert {e.owner_id for e in trail} == {rob_user}
