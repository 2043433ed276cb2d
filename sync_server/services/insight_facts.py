"""The insight views' facts, kept by the one write path: accounts (owner, grade,
potential), activities (owner, account, channel, day) and stage changes (deal, stage, when)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import Account, Activity, StageChange
from sfa_desktop.core.entities import Record as CoreRecord
from sync_server.models import AccountFact, ActivityFact, StageFact

_FACT_OF: dict[type[CoreRecord], type[Any]] = {
    Account: AccountFact,
    Activity: ActivityFact,
    StageChange: StageFact,
}


def _columns(record: CoreRecord, owner_id: str) -> dict[str, Any]:
    if isinstance(record, Account):
        return {
            "owner_id": owner_id,
            "name": record.name,
            "grade": record.grade,
            "potential": record.potential_revenue,
            "currency": record.currency,
        }
    if isinstance(record, Activity):
        return {
            "owner_id": owner_id,
            "account_id": record.account_id,
            "channel": record.channel.value,
            "occurred_on": record.occurred_at.date(),
        }
    assert isinstance(record, StageChange)
    return {
        "opportunity_id": record.opportunity_id,
        "to_stage": record.to_stage.value,
        "changed_at": record.changed_at,
    }


def save_insight_fact(
    session: Session, org_id: str, record: CoreRecord, owner_id: str, deleted: bool, new: bool
) -> None:
    """Mirror `record` into its fact table (nothing for other kinds); `new` saves a lookup."""
    model = _FACT_OF.get(type(record))
    if model is None:
        return
    if deleted:
        if not new:
            session.execute(delete(model).where(model.id == record.id))
        return
    fact = None if new else session.get(model, record.id)
    if fact is None:
        fact = model(id=record.id, org_id=org_id)
        session.add(fact)
    for name, value in _columns(record, owner_id).items():
        setattr(fact, name, value)
