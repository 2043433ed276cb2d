"""The team forecast from the server, cached in the store for offline use; adjustments."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sfa_desktop.core.entities import utcnow
from sfa_desktop.core.enums import ForecastCategory
from sfa_desktop.core.forecast_wire import (
    AdjustmentInfo,
    AdjustmentRequest,
    AuditEntry,
    DealList,
    ForecastHistory,
    ForecastNode,
    ForecastReport,
    MoveList,
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
    history: ForecastHistory  # the viewer's own trend
    audits: dict[str, list[AuditEntry]]  # by subject user id, the viewer's own included
    fetched_at: datetime
    histories: dict[str, ForecastHistory] = Field(default_factory=dict)  # by user id
    deals: DealList | None = None  # every deal of the viewer's subtree (all categories)
    moves: MoveList | None = None  # the subtree's deals that moved since last week

    def history_of(self, user_id: str) -> ForecastHistory | None:
        """A person's own trend (the viewer's from `history`)."""
        if user_id == self.report.root.user_id:
            return self.history
        return self.histories.get(user_id)


@dataclass(frozen=True)
class TeamForecast:
    """A snapshot, and whether it is live or the last one kept (offline)."""

    snapshot: TeamSnapshot | None
    offline: bool = False
    reason: str = ""


def subtree(node: ForecastNode) -> list[ForecastNode]:
    """A person and everyone below them, depth first."""
    return [node, *(found for report in node.reports for found in subtree(report))]


def cached_snapshot(store: Store, period: str) -> TeamSnapshot | None:
    """The last team forecast fetched for the period, if any (None when it was kept by an
    older version in a shape this one cannot read: the next fetch replaces it)."""
    text = store.state(CACHE_PREFIX + period)
    if not text:
        return None
    try:
        return TeamSnapshot.model_validate_json(text)
    except ValidationError:
        return None


class ForecastRemote:
    """Reads the forecast API with the account's session (call from the network pool)."""

    def __init__(self, account: SyncAccount) -> None:
        self.account = account

    @property
    def store(self) -> Store:
        return self.account.store

    def fetch(self, period: str) -> TeamSnapshot:
        """Fetch the tree, everyone's weekly history, the audit of the whole team, its deals
        and moves; cache it."""
        client = self.account.client()
        report = client.forecast_report(period)
        root = report.root
        people = subtree(root)
        history = client.forecast_history(period)
        histories = {
            node.user_id: client.forecast_history(period, node.user_id) for node in people[1:]
        }
        audits: dict[str, list[AuditEntry]] = defaultdict(list)
        for entry in client.forecast_audit(period, root.user_id, subtree=True).entries:
            audits[entry.subject_user_id].append(entry)
        snapshot = TeamSnapshot(
            report=report,
            history=history,
            histories=histories,
            audits=dict(audits),
            deals=client.forecast_deals(period),
            moves=client.forecast_moves(period),
            fetched_at=utcnow(),
        )
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

    def deals(
        self, period: str, user_id: str, category: ForecastCategory | None = None
    ) -> DealList:
        """The deals behind one cell: a person's subtree, one category or all."""
        return self.account.client().forecast_deals(period, user_id, category)

    def adjust(self, request: AdjustmentRequest) -> AdjustmentInfo:
        """Set a report's category total (audited on the server)."""
        return self.account.client().adjust_forecast(request)
