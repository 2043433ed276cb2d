"""Every synced record type, and the registry from entity kind to model."""

from sfa_desktop.core.entities.base import Record, Value, new_id, utcnow
from sfa_desktop.core.entities.forecasts import ForecastSubmission, ManagerAdjustment, Quota
from sfa_desktop.core.entities.people import Account, Contact, Lead, User, YearRevenue
from sfa_desktop.core.entities.pipeline import Opportunity, StageChange
from sfa_desktop.core.entities.plans import AccountPlan, CoverageLine, KeyContact, PlanAction
from sfa_desktop.core.entities.work import Activity, CalendarEvent, Task
from sfa_desktop.core.enums import EntityKind

MODELS: dict[EntityKind, type[Record]] = {
    model.entity: model
    for model in (
        User,
        Account,
        Contact,
        Activity,
        CalendarEvent,
        Task,
        Lead,
        Opportunity,
        StageChange,
        AccountPlan,
        ForecastSubmission,
        ManagerAdjustment,
        Quota,
    )
}

__all__ = [
    "MODELS",
    "Account",
    "AccountPlan",
    "Activity",
    "CalendarEvent",
    "Contact",
    "CoverageLine",
    "ForecastSubmission",
    "KeyContact",
    "Lead",
    "ManagerAdjustment",
    "Opportunity",
    "PlanAction",
    "Quota",
    "Record",
    "StageChange",
    "Task",
    "User",
    "Value",
    "YearRevenue",
    "new_id",
    "utcnow",
]
