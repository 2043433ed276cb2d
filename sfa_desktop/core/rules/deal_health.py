"""Deal health flags for the pipeline: close date overdue or this month, stale deals."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from sfa_desktop.core.entities.pipeline import Opportunity


class CloseFlag(StrEnum):
    OVERDUE = "overdue"
    THIS_MONTH = "this_month"


def close_flag(opportunity: Opportunity, today: date) -> CloseFlag | None:
    """Open deals whose close date has passed, or falls in the current month."""
    if not opportunity.is_open:
        return None
    if opportunity.close_date < today:
        return CloseFlag.OVERDUE
    if (opportunity.close_date.year, opportunity.close_date.month) == (today.year, today.month):
        return CloseFlag.THIS_MONTH
    return None


def is_stale(opportunity: Opportunity, last_touched: datetime, now: datetime, days: int) -> bool:
    """An open deal with no stage change and no activity for `days` days."""
    return opportunity.is_open and now - last_touched >= timedelta(days=days)
