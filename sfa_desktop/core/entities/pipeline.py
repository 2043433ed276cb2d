"""Opportunities and their stage history."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Self

from pydantic import Field, model_validator

from sfa_desktop.core.entities.base import (
    Currency,
    Customisable,
    MinorUnits,
    Name,
    Record,
    RecordId,
    ShortText,
    UtcDateTime,
)
from sfa_desktop.core.enums import EntityKind, ForecastCategory, Stage

_CLOSED_CATEGORY = {
    Stage.CLOSED_WON: ForecastCategory.CLOSED,
    Stage.CLOSED_LOST: ForecastCategory.OMITTED,
}


class Opportunity(Customisable):
    """A deal in the pipeline.

    Probability and forecast category follow the stage unless the rep overrides them;
    the stored values are always the effective ones.
    """

    entity: ClassVar[EntityKind] = EntityKind.OPPORTUNITY

    account_id: RecordId
    name: Name
    primary_contact_id: RecordId | None = None
    stage: Stage = Stage.QUALIFICATION
    probability: int = Field(default=0, ge=0, le=100)
    probability_overridden: bool = False
    forecast_category: ForecastCategory = ForecastCategory.PIPELINE
    category_overridden: bool = False
    amount: MinorUnits = 0
    currency: Currency = "EUR"
    close_date: date
    next_step: ShortText = ""
    competitor: ShortText = ""
    loss_reason: ShortText = ""
    closed_at: UtcDateTime | None = None

    @model_validator(mode="before")
    @classmethod
    def _follow_stage(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        try:
            stage = Stage(data.get("stage", Stage.QUALIFICATION))
        except ValueError:
            return data  # the field validator reports the bad stage
        data = dict(data)
        if not data.get("probability_overridden"):
            data["probability"] = stage.default_probability
        if not data.get("category_overridden") or stage.is_closed:
            data["forecast_category"] = stage.default_category
            data["category_overridden"] = False
        return data

    @model_validator(mode="after")
    def _check(self) -> Self:
        if not self.stage.is_closed and self.forecast_category is ForecastCategory.CLOSED:
            raise ValueError("only a won opportunity can be in the closed category")
        if self.stage is Stage.CLOSED_LOST and self.probability != 0:
            raise ValueError("a lost opportunity has probability 0")
        if self.stage is Stage.CLOSED_WON and self.probability != 100:
            raise ValueError("a won opportunity has probability 100")
        return self

    @property
    def is_open(self) -> bool:
        return not self.stage.is_closed

    @property
    def weighted_amount(self) -> int:
        return self.amount * self.probability // 100


class StageChange(Record):
    """One move of an opportunity between stages (insert-only history)."""

    entity: ClassVar[EntityKind] = EntityKind.STAGE_CHANGE

    opportunity_id: RecordId
    from_stage: Stage | None = None
    to_stage: Stage
    changed_at: UtcDateTime
    amount: MinorUnits = 0
