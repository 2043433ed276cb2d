"""Account plans: grade, targets, objectives, key contacts, actions and coverage."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Self

from pydantic import Field, model_validator

from sfa_desktop.core.entities.base import (
    Currency,
    MinorUnits,
    Name,
    Record,
    RecordId,
    ShortText,
    Value,
    new_id,
)
from sfa_desktop.core.enums import (
    CONTACT_CHANNELS,
    Channel,
    EntityKind,
    Influence,
    PlanStatus,
    Stance,
)
from sfa_desktop.core.rules.grading import Grade


class CoverageLine(Value):
    """Planned contacts through one channel in one quarter of the plan's year."""

    channel: Channel
    quarter: int = Field(ge=1, le=4)
    planned: int = Field(ge=0, le=10_000)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.channel not in CONTACT_CHANNELS:
            raise ValueError(f"{self.channel} is not a contact channel")
        return self


class KeyContact(Value):
    contact_id: RecordId
    stance: Stance = Stance.UNKNOWN
    influence: Influence = Influence.MEDIUM
    note: ShortText = ""


class PlanAction(Value):
    id: RecordId = Field(default_factory=new_id)
    title: Name
    owner_id: RecordId | None = None
    due_date: date | None = None
    done: bool = False


class AccountPlan(Record):
    """The plan for one account in one fiscal year."""

    entity: ClassVar[EntityKind] = EntityKind.ACCOUNT_PLAN

    account_id: RecordId
    fiscal_year: int = Field(ge=2000, le=2200)
    grade: Grade | None = None
    grade_overridden: bool = False
    currency: Currency = "EUR"
    revenue_target: MinorUnits = 0
    share_of_wallet_target: int = Field(default=0, ge=0, le=100)
    objectives: tuple[Name, ...] = ()
    key_contacts: tuple[KeyContact, ...] = ()
    actions: tuple[PlanAction, ...] = ()
    coverage: tuple[CoverageLine, ...] = ()
    status: PlanStatus = PlanStatus.DRAFT

    @model_validator(mode="after")
    def _check(self) -> Self:
        cells = [(line.channel, line.quarter) for line in self.coverage]
        if len(cells) != len(set(cells)):
            raise ValueError("the coverage plan lists a channel and quarter twice")
        contacts = [kc.contact_id for kc in self.key_contacts]
        if len(contacts) != len(set(contacts)):
            raise ValueError("a key contact is listed twice")
        return self

    def planned(self, channel: Channel, quarter: int) -> int:
        return sum(
            line.planned
            for line in self.coverage
            if line.channel is channel and line.quarter == quarter
        )
