"""Every synced record type, and the registry from entity kind to model."""

from sfa_desktop.core.entities.audit import AuditEntry, FieldChange
from sfa_desktop.core.entities.base import Customisable, Record, Value, new_id, utcnow
from sfa_desktop.core.entities.fields import FieldDefinition
from sfa_desktop.core.entities.forecasts import ForecastSubmission, ManagerAdjustment, Quota
from sfa_desktop.core.entities.people import Account, Contact, Lead, User, YearRevenue
from sfa_desktop.core.entities.pipeline import Opportunity, StageChange
from sfa_desktop.core.entities.plans import AccountPlan, CoverageLine, KeyContact, PlanAction
from sfa_desktop.core.entities.work import Activity, Attachment, CalendarEvent, Task
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
        AuditEntry,
        FieldDefinition,
    )
}

__all__ = [
    "MODELS",
    "OWNED_BY",
    "REFERENCES",
    "Account",
    "AccountPlan",
    "Activity",
    "Attachment",
    "AuditEntry",
    "CalendarEvent",
    "Contact",
    "CoverageLine",
    "Customisable",
    "FieldChange",
    "FieldDefinition",
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

# Fields that point at other records, per entity (tuple fields hold several ids).
REFERENCES: dict[EntityKind, dict[str, EntityKind]] = {
    EntityKind.USER: {"manager_id": EntityKind.USER},
    EntityKind.ACCOUNT: {"parent_id": EntityKind.ACCOUNT},
    EntityKind.CONTACT: {"account_id": EntityKind.ACCOUNT},
    EntityKind.ACTIVITY: {
        "account_id": EntityKind.ACCOUNT,
        "contact_ids": EntityKind.CONTACT,
        "opportunity_id": EntityKind.OPPORTUNITY,
        "event_id": EntityKind.EVENT,
    },
    EntityKind.EVENT: {
        "account_id": EntityKind.ACCOUNT,
        "attendee_ids": EntityKind.CONTACT,
        "opportunity_id": EntityKind.OPPORTUNITY,
    },
    EntityKind.TASK: {
        "account_id": EntityKind.ACCOUNT,
        "contact_id": EntityKind.CONTACT,
        "opportunity_id": EntityKind.OPPORTUNITY,
        "lead_id": EntityKind.LEAD,
    },
    EntityKind.LEAD: {
        "converted_account_id": EntityKind.ACCOUNT,
        "converted_contact_id": EntityKind.CONTACT,
        "converted_opportunity_id": EntityKind.OPPORTUNITY,
    },
    EntityKind.OPPORTUNITY: {
        "account_id": EntityKind.ACCOUNT,
        "primary_contact_id": EntityKind.CONTACT,
    },
    EntityKind.STAGE_CHANGE: {"opportunity_id": EntityKind.OPPORTUNITY},
    EntityKind.ACCOUNT_PLAN: {"account_id": EntityKind.ACCOUNT},
    EntityKind.FORECAST_SUBMISSION: {},
    EntityKind.MANAGER_ADJUSTMENT: {"subject_user_id": EntityKind.USER},
    EntityKind.QUOTA: {},
    # `record_id` points at a record of `record_entity`: not a fixed kind, and the record may
    # be gone (a deleted record keeps its trail).
    EntityKind.AUDIT_ENTRY: {},
    EntityKind.FIELD_DEFINITION: {},
}

# Records that live and die with their parent: deleting the parent deletes them too.
OWNED_BY: dict[EntityKind, tuple[EntityKind, str]] = {
    EntityKind.STAGE_CHANGE: (EntityKind.OPPORTUNITY, "opportunity_id"),
}
