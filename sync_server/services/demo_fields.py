"""The demo organisation's custom fields and their values, so the demo shows them:
a territory, a first-order date and a credit limit only admins set on accounts, contacts'
newsletter consent and languages, and each deal's lead source. Values come from each
record's id (not the demo's random stream), so the rest of the demo stays as it was."""

from __future__ import annotations

import zlib
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from sfa_desktop.core.entities import Account, Contact, Opportunity, Record
from sfa_desktop.core.enums import EntityKind, FieldType
from sync_server.models import Org
from sync_server.services.field_admin import FieldSpec, add_field

TERRITORIES = ("North", "South", "East", "West", "Central")
LANGUAGES = ("English", "German", "French", "Spanish", "Italian")
SOURCES = ("Trade fair", "Web", "Referral", "Partner", "Cold call")

FIELDS: tuple[tuple[EntityKind, FieldSpec], ...] = (
    (EntityKind.ACCOUNT, FieldSpec("Territory", FieldType.PICKLIST, choices=TERRITORIES)),
    (EntityKind.ACCOUNT, FieldSpec("Customer since", FieldType.DATE)),
    (
        EntityKind.ACCOUNT,
        FieldSpec("Credit limit", FieldType.CURRENCY, read_only_for_rep=True, minimum=0),
    ),
    (EntityKind.CONTACT, FieldSpec("Newsletter", FieldType.CHECKBOX)),
    (EntityKind.CONTACT, FieldSpec("Languages", FieldType.MULTI_PICKLIST, choices=LANGUAGES)),
    (EntityKind.OPPORTUNITY, FieldSpec("Lead source", FieldType.PICKLIST, choices=SOURCES)),
)


def define_demo_fields(session: Session, org: Org, now: datetime) -> None:
    for kind, spec in FIELDS:
        add_field(session, org, kind, spec, now)


def with_demo_values(record: Record, today: date) -> Record:
    """`record` with its demo custom values (most records have some, not all)."""
    n = zlib.crc32(record.id.encode())
    values: dict[str, Any]
    if isinstance(record, Account):
        values = {
            "cf_territory": TERRITORIES[n % len(TERRITORIES)],
            "cf_customer_since": (today - timedelta(days=200 + n % 4000)).isoformat()
            if n % 5
            else None,
            "cf_credit_limit": (n % 20 + 1) * 500_000 if n % 3 == 0 else None,
        }
    elif isinstance(record, Contact):
        spoken = [lang for i, lang in enumerate(LANGUAGES) if (n >> i) % 4 == 0] or ["English"]
        values = {"cf_newsletter": n % 3 != 0, "cf_languages": spoken}
    elif isinstance(record, Opportunity):
        values = {"cf_lead_source": SOURCES[n % len(SOURCES)] if n % 4 else None}
    else:
        return record
    return record.with_changes({k: v for k, v in values.items() if v is not None})
