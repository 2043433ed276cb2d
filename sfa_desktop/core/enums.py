"""Domain enumerations and their default attributes (probabilities, categories, costs)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


class Channel(StrEnum):
    """How a rep reached a customer; every channel has a cost to serve."""

    VISIT = "visit"
    CALL = "call"
    EMAIL = "email"
    EVENT = "event"
    MAIL = "mail"
    NOTE = "note"


# Cost of one contact per channel in minor units of the base currency (overridable in settings).
DEFAULT_CHANNEL_COST: dict[Channel, int] = {
    Channel.VISIT: 25_000,
    Channel.CALL: 1_500,
    Channel.EMAIL: 200,
    Channel.EVENT: 40_000,
    Channel.MAIL: 500,
    Channel.NOTE: 0,
}

# Channels that count as contacts in a coverage plan (a note is not a contact).
CONTACT_CHANNELS: tuple[Channel, ...] = (
    Channel.VISIT,
    Channel.CALL,
    Channel.EMAIL,
    Channel.EVENT,
    Channel.MAIL,
)


class ForecastCategory(StrEnum):
    PIPELINE = "pipeline"
    BEST_CASE = "best_case"
    COMMIT = "commit"
    CLOSED = "closed"
    OMITTED = "omitted"


class Stage(StrEnum):
    """Opportunity stages in pipeline order."""

    PROSPECTING = "prospecting"
    QUALIFICATION = "qualification"
    NEEDS_ANALYSIS = "needs_analysis"
    PROPOSAL = "proposal"
    NEGOTIATION = "negotiation"
    CLOSED_WON = "closed_won"
    CLOSED_LOST = "closed_lost"

    @property
    def is_closed(self) -> bool:
        return self in (Stage.CLOSED_WON, Stage.CLOSED_LOST)

    @property
    def default_probability(self) -> int:
        return _STAGE_PROBABILITY[self]

    @property
    def default_category(self) -> ForecastCategory:
        return _STAGE_CATEGORY[self]

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


_STAGE_PROBABILITY: dict[Stage, int] = {
    Stage.PROSPECTING: 10,
    Stage.QUALIFICATION: 20,
    Stage.NEEDS_ANALYSIS: 40,
    Stage.PROPOSAL: 60,
    Stage.NEGOTIATION: 80,
    Stage.CLOSED_WON: 100,
    Stage.CLOSED_LOST: 0,
}

_STAGE_CATEGORY: dict[Stage, ForecastCategory] = {
    Stage.PROSPECTING: ForecastCategory.PIPELINE,
    Stage.QUALIFICATION: ForecastCategory.PIPELINE,
    Stage.NEEDS_ANALYSIS: ForecastCategory.PIPELINE,
    Stage.PROPOSAL: ForecastCategory.BEST_CASE,
    Stage.NEGOTIATION: ForecastCategory.COMMIT,
    Stage.CLOSED_WON: ForecastCategory.CLOSED,
    Stage.CLOSED_LOST: ForecastCategory.OMITTED,
}

OPEN_STAGES: tuple[Stage, ...] = tuple(s for s in Stage if not s.is_closed)


class BuyingRole(StrEnum):
    DECISION_MAKER = "decision_maker"
    INFLUENCER = "influencer"
    USER = "user"
    GATEKEEPER = "gatekeeper"
    CHAMPION = "champion"


class Orientation(StrEnum):
    RELATIONSHIP = "relationship"
    TRANSACTIONAL = "transactional"


class LeadStatus(StrEnum):
    NEW = "new"
    WORKING = "working"
    QUALIFIED = "qualified"
    DISQUALIFIED = "disqualified"
    CONVERTED = "converted"


class LocationSource(StrEnum):
    """Where an account's coordinates come from: the gazetteer (its city) or a manual pin."""

    CITY = "city"
    PIN = "pin"


class EventStatus(StrEnum):
    TENTATIVE = "tentative"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


class Stance(StrEnum):
    SUPPORTER = "supporter"
    NEUTRAL = "neutral"
    OPPONENT = "opponent"
    UNKNOWN = "unknown"


class Influence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class PlanStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class EntityKind(StrEnum):
    """Every record type the client stores and the sync protocol carries."""

    USER = "user"
    ACCOUNT = "account"
    CONTACT = "contact"
    ACTIVITY = "activity"
    EVENT = "event"
    TASK = "task"
    LEAD = "lead"
    OPPORTUNITY = "opportunity"
    STAGE_CHANGE = "stage_change"
    ACCOUNT_PLAN = "account_plan"
    FORECAST_SUBMISSION = "forecast_submission"
    MANAGER_ADJUSTMENT = "manager_adjustment"
    QUOTA = "quota"
    AUDIT_ENTRY = "audit_entry"
    FIELD_DEFINITION = "field_definition"  # an admin's custom field (server-owned)


class AuditAction(StrEnum):
    """What a change did to a record, as the server's audit trail records it."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    RESTORED = "restored"
    MERGED = "merged"  # other records were folded into this one
    MOVED = "moved"  # re-pointed to another record by a merge (e.g. a contact's account)
    REASSIGNED = "reassigned"  # an administrator gave the record to another owner


class FieldType(StrEnum):
    """The kinds of value an admin's custom field holds (see core.rules.custom_values)."""

    TEXT = "text"
    LONG_TEXT = "long-text"
    NUMBER = "number"
    CURRENCY = "currency"  # integer minor units, like opportunity amounts
    DATE = "date"  # YYYY-MM-DD
    CHECKBOX = "checkbox"
    PICKLIST = "picklist"
    MULTI_PICKLIST = "multi-picklist"
    URL = "url"
    EMAIL = "email"
    PHONE = "phone"


# The record kinds an admin may add fields to.
CUSTOMISABLE: frozenset[EntityKind] = frozenset(
    {
        EntityKind.ACCOUNT,
        EntityKind.CONTACT,
        EntityKind.OPPORTUNITY,
        EntityKind.ACTIVITY,
        EntityKind.LEAD,
        EntityKind.EVENT,
        EntityKind.TASK,
    }
)
