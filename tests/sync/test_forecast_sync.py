"""Forecasts end to end through the in-process server: two reps, their manager."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from forecast_scenario import (
    Q4,
    QUOTAS,
    check_rep_view,
    manager_reads_and_adjusts,
    reps_sell_and_submit,
)
from sync_fixtures import Device

from sync_server.services import admin


def test_two_reps_and_their_manager(server: TestClient, device: Device) -> None:
    with server.app.state.sessions() as session:  # type: ignore[attr-defined]
        for username, amount in QUOTAS.items():
            admin.set_quota(session, username, str(Q4), amount, "EUR", datetime.now(UTC))
    rob, ria, mia = device("rob"), device("ria"), device("mia")
    reps_sell_and_submit(rob, ria)
    check_rep_view(rob)
    manager_reads_and_adjusts(mia)
