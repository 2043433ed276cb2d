"""Pipeline operations: the board's cards and moving a deal to another stage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sfa_desktop.core.entities import Opportunity
from sfa_desktop.core.enums import Stage
from sfa_desktop.operations.records import update_record
from sfa_desktop.operations.result import OpResult
from sfa_desktop.store import Store
from sfa_desktop.store.pipeline import PipelineCard

# Closed deals stay on the board this long after closing.
CLOSED_VISIBLE = timedelta(days=90)


def board(store: Store, owner_id: str | None, now: datetime | None = None) -> list[PipelineCard]:
    """Open deals and the recently closed ones, soonest close date first."""
    moment = now or datetime.now(UTC)
    return store.pipeline_board(owner_id, moment - CLOSED_VISIBLE)


def move_stage(store: Store, opportunity_id: str, stage: Stage) -> OpResult[Opportunity]:
    """Move a deal to `stage` (history row; probability and category follow unless overridden)."""
    return update_record(store, Opportunity, opportunity_id, {"stage": stage})
