"""The insight views from the server, kept in the store per person viewed for offline use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, ValidationError

from sfa_desktop.core.entities import utcnow
from sfa_desktop.core.enums import ForecastCategory
from sfa_desktop.core.forecast_wire import DealList
from sfa_desktop.core.insight_wire import (
    AccountCostList,
    AccuracyReport,
    BacktestReport,
    CoverageReport,
    PipelineReport,
)
from sfa_desktop.store import Store
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.errors import AuthenticationRequired, Offline
from sfa_desktop.sync.retry import TransientFailure

CACHE_PREFIX = "insight:"  # sync_state key of the kept snapshot, one per person viewed


class InsightSnapshot(BaseModel):
    """The four views for one person (None: the signed-in user), as fetched."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: str | None
    accuracy: AccuracyReport
    backtest: BacktestReport
    coverage: CoverageReport
    pipeline: PipelineReport
    accounts: AccountCostList  # every account behind the coverage figures (drill offline)
    fetched_at: datetime


@dataclass(frozen=True)
class InsightView:
    """A snapshot, and whether it is live or the last one kept (offline)."""

    snapshot: InsightSnapshot | None
    offline: bool = False
    reason: str = ""


def _key(user_id: str | None) -> str:
    return CACHE_PREFIX + (user_id or "me")


def cached_insight(store: Store, user_id: str | None) -> InsightSnapshot | None:
    """The last insight fetched for the person (None if none, or kept in an older shape)."""
    text = store.state(_key(user_id))
    if not text:
        return None
    try:
        return InsightSnapshot.model_validate_json(text)
    except ValidationError:
        return None


def keep_insight(store: Store, snapshot: InsightSnapshot) -> None:
    store.set_state(**{_key(snapshot.user_id): snapshot.model_dump_json()})


_UNREACHABLE = (TransientFailure, Offline, AuthenticationRequired)


class InsightRemote:
    """Reads the insight API with the account's session (call from the network pool)."""

    def __init__(self, account: SyncAccount) -> None:
        self.account = account

    def fetch(self, user_id: str | None) -> InsightSnapshot:
        client = self.account.client()
        coverage = client.insight_coverage(user_id)
        snapshot = InsightSnapshot(
            user_id=user_id,
            accuracy=client.insight_accuracy(user_id),
            backtest=client.insight_backtest(user_id),
            coverage=coverage,
            pipeline=client.insight_pipeline(user_id),
            accounts=client.insight_accounts(coverage.period, user_id),
            fetched_at=utcnow(),
        )
        keep_insight(self.account.store, snapshot)
        return snapshot

    def load(self, user_id: str | None) -> InsightView:
        """The live views, or the last ones kept when the server cannot be reached."""
        try:
            return InsightView(self.fetch(user_id))
        except _UNREACHABLE as error:
            return InsightView(cached_insight(self.account.store, user_id), True, str(error))

    def closed_deals(self, period: str, user_id: str | None) -> DealList:
        """The deals won in a period behind an accuracy row's actual."""
        return self.account.client().forecast_deals(period, user_id, ForecastCategory.CLOSED)
