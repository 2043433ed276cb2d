"""Users, accounts, contacts and leads."""

from __future__ import annotations

from typing import ClassVar, Self

from pydantic import Field, model_validator

from sfa_desktop.core.entities.base import (
    Currency,
    Customisable,
    Email,
    LongText,
    MinorUnits,
    Name,
    Phone,
    Record,
    RecordId,
    ShortText,
    Value,
)
from sfa_desktop.core.enums import (
    BuyingRole,
    Channel,
    EntityKind,
    LeadStatus,
    LocationSource,
    Orientation,
    Role,
)
from sfa_desktop.core.rules.grading import Grade


class User(Record):
    """A person who signs in; server-owned, read-only on the client."""

    entity: ClassVar[EntityKind] = EntityKind.USER

    name: Name
    email: Email
    role: Role = Role.REP
    manager_id: RecordId | None = None
    active: bool = True


class YearRevenue(Value):
    year: int = Field(ge=1900, le=2200)
    amount: MinorUnits


class Account(Customisable):
    """A customer or prospect company."""

    entity: ClassVar[EntityKind] = EntityKind.ACCOUNT

    name: Name
    domain: ShortText = ""
    industry: ShortText = ""
    segment: ShortText = ""
    grade: Grade | None = None
    parent_id: RecordId | None = None
    street: ShortText = ""
    city: ShortText = ""
    postal_code: ShortText = ""
    country: ShortText = ""
    phone: Phone | None = None
    currency: Currency = "EUR"
    potential_revenue: MinorUnits = 0
    orientation: Orientation = Orientation.RELATIONSHIP
    is_partner: bool = False
    revenue_history: tuple[YearRevenue, ...] = ()
    notes: LongText = ""
    # Where the account is (WGS 84 degrees), and whether the gazetteer or a pin said so.
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    located_by: LocationSource | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.parent_id is not None and self.parent_id == self.id:
            raise ValueError("an account cannot be its own parent")
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude go together")
        years = [entry.year for entry in self.revenue_history]
        if len(years) != len(set(years)):
            raise ValueError("revenue history lists a year twice")
        return self

    def historical_revenue(self, last_years: int = 3) -> int:
        """Average yearly revenue over the latest `last_years` years on record."""
        recent = sorted(self.revenue_history, key=lambda r: r.year)[-last_years:]
        return sum(r.amount for r in recent) // len(recent) if recent else 0


class Contact(Customisable):
    """A person at an account."""

    entity: ClassVar[EntityKind] = EntityKind.CONTACT

    account_id: RecordId | None = None
    first_name: ShortText = ""
    last_name: Name
    title: ShortText = ""
    buying_role: BuyingRole | None = None
    email: Email | None = None
    phone: Phone | None = None
    mobile: Phone | None = None
    preferred_channel: Channel | None = None
    do_not_call: bool = False
    do_not_email: bool = False
    do_not_mail: bool = False
    notes: LongText = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def blocked_channels(self) -> frozenset[Channel]:
        """Channels the contact asked not to be reached by."""
        blocked = set()
        if self.do_not_call:
            blocked.add(Channel.CALL)
        if self.do_not_email:
            blocked.add(Channel.EMAIL)
        if self.do_not_mail:
            blocked.add(Channel.MAIL)
        return frozenset(blocked)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.preferred_channel in self.blocked_channels():
            raise ValueError(f"preferred channel {self.preferred_channel} is marked do-not-contact")
        return self


class Lead(Customisable):
    """An unqualified prospect; conversion makes an account, a contact and an opportunity."""

    entity: ClassVar[EntityKind] = EntityKind.LEAD

    first_name: ShortText = ""
    last_name: ShortText = ""
    company: ShortText = ""
    title: ShortText = ""
    email: Email | None = None
    phone: Phone | None = None
    source: ShortText = ""
    campaign: ShortText = ""
    status: LeadStatus = LeadStatus.NEW
    notes: LongText = ""
    disqualify_reason: ShortText = ""
    converted_account_id: RecordId | None = None
    converted_contact_id: RecordId | None = None
    converted_opportunity_id: RecordId | None = None

    @property
    def display_name(self) -> str:
        person = f"{self.first_name} {self.last_name}".strip()
        return f"{person} ({self.company})" if person and self.company else person or self.company

    @model_validator(mode="after")
    def _check(self) -> Self:
        if not self.last_name and not self.company:
            raise ValueError("a lead needs a last name or a company")
        if self.status is LeadStatus.CONVERTED and self.converted_account_id is None:
            raise ValueError("a converted lead must name the account it became")
        if self.status is LeadStatus.DISQUALIFIED and not self.disqualify_reason:
            raise ValueError("say why the lead is disqualified")
        return self
