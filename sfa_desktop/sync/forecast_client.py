"""The team forecast from the server, cached in the store for offline use; adjustments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from sfa_desktop.core.entities import utcnow
from sfa_desktop.core.forecast_wire import (
    AdjustmentInfo,
    AdjustmentRequest,
    AuditEntry,
    ForecastHistory,
    ForecastNode,
    ForecastReport,
)
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.errors import AuthenticationRequired, Offline
from sfa_desktop.sync.retry import TransientFailure

CACHE_PREFIX = "forecast:"  # sync_state key of the cached snapshot, one per period


class TeamSnapshot(BaseModel):
    """Everything the manager view shows for one period, as fetched at `fetched_at`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    report: ForecastReport
    history: ForecastHistory
    audits: dict[str, list[AuditEntry]]  # by subject user id
    fetched_at: datetime


@dataclass(frozen=True)
class TeamForecast:
    """A snapshot, and whether it is live or the last one kept (offline)."""

    snapshot: TeamSnapshot | None
    offline: bool = False
    reason: str = ""


def _reports(node: ForecastNode) -> list[ForecastNode]:
    found = []
    for report in node.reports:
        found.append(report)
        found.extend(_reports(report))
    return found


def cached_snapshot(store: Store, period: str) -> TeamSnapshot | None:
    """The last team forecast fetched for the period, if any."""
    text = store.state(CACHE_PREFIX + period)
    return TeamSnapshot.model_validate_json(text) if text else None


class ForecastRemote:
    """Reads the forecast API with the account's session (call from the network pool)."""

    def __init__(self, account: SyncAccount) -> None:
        self.account = account

    @property
    def store(self) -> Store:
        return self.account.store

    def fetch(self, period: str) -> TeamSnapshot:
        """Fetch the tree, its weekly history and every report's audit trail; cache it."""
        client = self.account.client()
        report = client.forecast_report(period)
        history = client.forecast_history(period)
        audits = {
            node.user_id: client.forecast_audit(period, node.user_id).entries
            for node in _reports(report.root)
        }
        snapshot = TeamSnapshot(report=report, history=history, audits=audits, fetched_at=utcnow())
        self.store.set_state(**{CACHE_PREFIX + period: snapshot.model_dump_json()})
        return snapshot

    def cached(self, period: str) -> TeamSnapshot | None:
        return cached_snapshot(self.store, period)

    def load(self, period: str) -> TeamForecast:
        """The live forecast, or the last one kept when the server cannot be reached."""
        try:
            return TeamForecast(self.fetch(period))
        except (TransientFailure, Offline, AuthenticationRequired) as error:
            return TeamForecast(self.cached(period), offline=True, reason=str(error))

    def adjust(self, request: AdjustmentRequest) -> AdjustmentInfo:
        """Set a report's category total (audited on the server)."""
        return self.account.client().adjust_forecast(request)
