"""The fields a column can be mapped to, per kind of record, with the header names that
usually mean them (what automatic mapping compares headers with).

Most targets are fields of the record. A few are *virtual*: `full_name` is split into
first and last name; a contact's `company`, `website` and `account_*` fields choose
(or create) the account the contact belongs to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sfa_desktop.core.entities.fields import FieldDefinition
from sfa_desktop.core.enums import BuyingRole, Channel, EntityKind, LeadStatus, Orientation
from sfa_desktop.core.rules.normalize import fold


class FieldType(StrEnum):
    TEXT = "text"
    EMAIL = "email"
    PHONE = "phone"
    WEB = "web"  # a web address or domain, stored as the domain
    BOOL = "bool"
    MONEY = "money"  # stored in minor units
    CHOICE = "choice"  # one of `choices`
    GRADE = "grade"  # one letter A–G
    CURRENCY = "currency"  # ISO 4217 code
    CUSTOM = "custom"  # an admin's custom field: its definition checks the value


@dataclass(frozen=True)
class TargetField:
    """Where a column's values can go."""

    key: str
    label: str
    type: FieldType = FieldType.TEXT
    synonyms: tuple[str, ...] = ()
    # Several columns mapped here are joined with `join`; None keeps the first non-empty
    # value (the others still count for duplicate matching where that makes sense).
    join: str | None = None
    choices: Mapping[str, str] = field(default_factory=dict)  # folded word → stored value
    virtual: bool = False
    custom: FieldDefinition | None = None  # for FieldType.CUSTOM

    def names(self) -> tuple[str, ...]:
        """The label, the key and the synonyms, folded (what headers are compared with)."""
        return tuple(dict.fromkeys(fold(n) for n in (self.label, self.key, *self.synonyms)))


def _choices(values: Mapping[str, str]) -> dict[str, str]:
    return {fold(word): value for word, value in values.items()}


_BUYING_ROLES = _choices(
    {
        **{role.value.replace("_", " "): role.value for role in BuyingRole},
        "economic buyer": BuyingRole.DECISION_MAKER,
        "budget holder": BuyingRole.DECISION_MAKER,
        "end user": BuyingRole.USER,
        "technical buyer": BuyingRole.INFLUENCER,
        "blocker": BuyingRole.GATEKEEPER,
    }
)
_CHANNELS = _choices(
    {
        **{channel.value: channel.value for channel in Channel},
        "meeting": Channel.VISIT,
        "in person": Channel.VISIT,
        "phone": Channel.CALL,
        "telephone": Channel.CALL,
        "e-mail": Channel.EMAIL,
        "letter": Channel.MAIL,
        "post": Channel.MAIL,
    }
)
# Lead statuses of Salesforce ("Open - Not Contacted" …) and HubSpot ("In progress" …).
# A converted lead would need the account it became: it comes in as qualified.
_LEAD_STATUSES = _choices(
    {
        **{status.value: status.value for status in LeadStatus},
        "open": LeadStatus.NEW,
        "open not contacted": LeadStatus.NEW,
        "not contacted": LeadStatus.NEW,
        "working contacted": LeadStatus.WORKING,
        "contacted": LeadStatus.WORKING,
        "in progress": LeadStatus.WORKING,
        "attempted to contact": LeadStatus.WORKING,
        "connected": LeadStatus.WORKING,
        "open deal": LeadStatus.QUALIFIED,
        "closed converted": LeadStatus.QUALIFIED,
        "converted": LeadStatus.QUALIFIED,
        "closed not converted": LeadStatus.DISQUALIFIED,
        "unqualified": LeadStatus.DISQUALIFIED,
        "bad timing": LeadStatus.DISQUALIFIED,
    }
)
_ORIENTATIONS = _choices({o.value: o.value for o in Orientation})

_FIRST = TargetField(
    "first_name",
    "First name",
    synonyms=("given name", "first", "forename", "vorname", "prenom", "firstname", "middle name"),
    join=" ",
)
_LAST = TargetField(
    "last_name",
    "Last name",
    synonyms=("surname", "family name", "last", "nachname", "nom", "lastname"),
    join=" ",
)
_FULL = TargetField(
    "full_name",
    "Full name (split into first and last)",
    synonyms=("name", "full name", "contact name", "contact", "display name", "person"),
    virtual=True,
)
_TITLE = TargetField(
    "title",
    "Job title",
    synonyms=("title", "position", "job title", "role", "designation", "funktion", "jobtitle"),
)
_EMAIL = TargetField(
    "email",
    "Email",
    FieldType.EMAIL,
    synonyms=("e-mail", "email address", "e-mail address", "mail", "primary email", "work email"),
)
_PHONE = TargetField(
    "phone",
    "Phone",
    FieldType.PHONE,
    synonyms=(
        "phone number", "telephone", "tel", "business phone", "work phone", "office phone",
        "direct phone", "telefon", "main phone",
    ),
)  # fmt: skip
_NOTES = TargetField(
    "notes",
    "Notes",
    synonyms=("note", "description", "comments", "comment", "remarks", "notizen", "bemerkung"),
    join="\n",
)
_COMPANY = TargetField(
    "company",
    "Company",
    synonyms=(
        "company name", "account", "account name", "organization", "organisation",
        "organization name", "employer", "firma", "unternehmen", "business name",
    ),
)  # fmt: skip
_WEBSITE_SYNONYMS = ("website", "web site", "web page", "url", "domain", "homepage", "web")

ACCOUNT_FIELDS: tuple[TargetField, ...] = (
    TargetField(
        "name",
        "Account name",
        synonyms=(*_COMPANY.synonyms, "company", "name"),
    ),
    TargetField(
        "domain", "Website", FieldType.WEB, synonyms=(*_WEBSITE_SYNONYMS, "company domain name")
    ),
    TargetField("industry", "Industry", synonyms=("branche", "sector", "vertical")),
    TargetField("segment", "Segment", synonyms=("market segment", "customer segment")),
    TargetField("grade", "Grade", FieldType.GRADE, synonyms=("abc", "class", "classification")),
    TargetField(
        "street",
        "Street",
        synonyms=("address", "street address", "address line 1", "strasse", "billing street"),
        join=", ",
    ),
    TargetField("city", "City", synonyms=("town", "ort", "stadt", "billing city", "locality")),
    TargetField(
        "postal_code",
        "Postal code",
        synonyms=("zip", "zip code", "postcode", "plz", "zip/postal code", "billing zip"),
    ),
    TargetField("country", "Country", synonyms=("country/region", "land", "billing country")),
    TargetField("phone", "Phone", FieldType.PHONE, synonyms=_PHONE.synonyms),
    TargetField("currency", "Currency", FieldType.CURRENCY, synonyms=("currency code",)),
    TargetField(
        "potential_revenue",
        "Potential revenue",
        FieldType.MONEY,
        synonyms=("potential", "revenue potential", "wallet", "potential revenue"),
    ),
    TargetField("orientation", "Orientation", FieldType.CHOICE, choices=_ORIENTATIONS, synonyms=()),
    TargetField("is_partner", "Partner", FieldType.BOOL, synonyms=("partner", "is partner")),
    TargetField("notes", "Notes", synonyms=_NOTES.synonyms, join="\n"),
)

CONTACT_FIELDS: tuple[TargetField, ...] = (
    _FIRST,
    _LAST,
    _FULL,
    _TITLE,
    _EMAIL,
    _PHONE,
    TargetField(
        "mobile",
        "Mobile",
        FieldType.PHONE,
        synonyms=("mobile phone", "cell", "cell phone", "mobile number", "handy", "mobil"),
    ),
    TargetField("buying_role", "Buying role", FieldType.CHOICE, choices=_BUYING_ROLES, synonyms=()),
    TargetField(
        "preferred_channel",
        "Preferred channel",
        FieldType.CHOICE,
        choices=_CHANNELS,
        synonyms=("preferred contact method",),
    ),
    TargetField("do_not_call", "Do not call", FieldType.BOOL, synonyms=("dnc", "no calls")),
    TargetField(
        "do_not_email",
        "Do not email",
        FieldType.BOOL,
        synonyms=("email opt out", "unsubscribed", "has opted out of email", "no email"),
    ),
    TargetField("do_not_mail", "Do not mail", FieldType.BOOL, synonyms=("no mail",)),
    _NOTES,
    TargetField(
        "company", "Account (company name)", synonyms=(*_COMPANY.synonyms, "company"), virtual=True
    ),
    TargetField(
        "website", "Account website", FieldType.WEB, synonyms=_WEBSITE_SYNONYMS, virtual=True
    ),
    TargetField(
        "account_street",
        "Account street (for a new account)",
        synonyms=("street", "address", "street address", "mailing street", "business street"),
        join=", ",
        virtual=True,
    ),
    TargetField(
        "account_city",
        "Account city (for a new account)",
        synonyms=("city", "town", "mailing city", "business city"),
        virtual=True,
    ),
    TargetField(
        "account_postal_code",
        "Account postal code (for a new account)",
        synonyms=("zip", "zip code", "postal code", "postcode", "mailing zip/postal code"),
        virtual=True,
    ),
    TargetField(
        "account_country",
        "Account country (for a new account)",
        synonyms=("country", "country/region", "mailing country", "business country/region"),
        virtual=True,
    ),
)

LEAD_FIELDS: tuple[TargetField, ...] = (
    _FIRST,
    _LAST,
    _FULL,
    TargetField("company", "Company", synonyms=(*_COMPANY.synonyms, "company / account")),
    _TITLE,
    _EMAIL,
    TargetField(
        "phone", "Phone", FieldType.PHONE, synonyms=(*_PHONE.synonyms, "mobile", "mobile phone")
    ),
    TargetField("source", "Lead source", synonyms=("source", "lead source", "origin", "quelle")),
    TargetField("campaign", "Campaign", synonyms=("campaign name", "kampagne")),
    TargetField(
        "status",
        "Lead status",
        FieldType.CHOICE,
        choices=_LEAD_STATUSES,
        synonyms=("status", "lead status"),
    ),
    _NOTES,
)

FIELDS: dict[EntityKind, tuple[TargetField, ...]] = {
    EntityKind.ACCOUNT: ACCOUNT_FIELDS,
    EntityKind.CONTACT: CONTACT_FIELDS,
    EntityKind.LEAD: LEAD_FIELDS,
}
IMPORTABLE: tuple[EntityKind, ...] = tuple(FIELDS)


# The admins' live custom fields per kind, as the store last had them (use_custom_fields).
_CUSTOM: dict[EntityKind, tuple[TargetField, ...]] = {}


def use_custom_fields(kind: EntityKind, definitions: Sequence[FieldDefinition]) -> None:
    """Offer `kind`'s live custom fields as targets, matched by their label."""
    _CUSTOM[kind] = tuple(
        TargetField(d.key, d.label, FieldType.CUSTOM, custom=d)
        for d in definitions
        if not d.retired
    )


def fields_of(kind: EntityKind) -> tuple[TargetField, ...]:
    try:
        return FIELDS[kind] + _CUSTOM.get(kind, ())
    except KeyError:
        raise ValueError(f"{kind.value} records cannot be imported") from None


_BY_KEY: dict[EntityKind, dict[str, TargetField]] = {
    kind: {spec.key: spec for spec in specs} for kind, specs in FIELDS.items()
}


def target(kind: EntityKind, key: str) -> TargetField | None:
    found = _BY_KEY.get(kind, {}).get(key)
    if found is None and key.startswith("cf_"):
        found = next((spec for spec in _CUSTOM.get(kind, ()) if spec.key == key), None)
    return found
