"""Forecast submissions, manager adjustments and quotas."""

from __future__ import annotations

from typing import Annotated, ClassVar, Self

from pydantic import AfterValidator, model_validator

from sfa_desktop.core.entities.base import (
    Currency,
    LongText,
    MinorUnits,
    Record,
    RecordId,
    UtcDateTime,
)
from sfa_desktop.core.enums import EntityKind, ForecastCategory
from sfa_desktop.core.periods import Period


def _check_period(text: str) -> str:
    return str(Period.parse(text))


PeriodText = Annotated[str, AfterValidator(_check_period)]


class ForecastSubmission(Record):
    """A rep's call for a period: commit and best case, with a comment."""

    entity: ClassVar[EntityKind] = EntityKind.FORECAST_SUBMISSION

    period: PeriodText
    commit: MinorUnits
    best_case: MinorUnits
    currency: Currency = "EUR"
    comment: LongText = ""
    submitted_at: UtcDateTime

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.best_case < self.commit:
            raise ValueError("best case cannot be below commit")
        return self


class ManagerAdjustment(Record):
    """A manager's override of a report's forecast category total (owner = the manager)."""

    entity: ClassVar[EntityKind] = EntityKind.MANAGER_ADJUSTMENT

    subject_user_id: RecordId
    period: PeriodText
    category: ForecastCategory
    amount: MinorUnits
    currency: Currency = "EUR"
    comment: LongText

    @model_validator(mode="after")
    def _check(self) -> Self:
        if not self.comment.strip():
            raise ValueError("an adjustment needs a comment")
        if self.category is ForecastCategory.OMITTED:
            raise ValueError("the omitted category cannot be adjusted")
        return self


class Quota(Record):
    """A user's target for a period (admin-managed, owner = the user)."""

    entity: ClassVar[EntityKind] = EntityKind.QUOTA

    period: PeriodText
    amount: MinorUnits
    currency: Currency = "EUR"
