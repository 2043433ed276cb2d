"""The columns a list of accounts, contacts, leads or opportunities is exported with, and
the import field each comes back to (so an exported file imports again as it was)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sfa_desktop.core.entities import FieldDefinition
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.enums import FieldType as CustomType
from sfa_desktop.core.rules.custom_values import display_text
from sfa_desktop.interchange.export import CellType, ExportColumn


@dataclass(frozen=True)
class Lookups:
    """Names of records that exported records point at."""

    account_names: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordColumn:
    header: str
    type: CellType
    get: Callable[[Any, Lookups], object]
    target: str | None = None  # the import field this column maps back to
    distinctive: bool = False  # a header only this app writes (finds the preset)


def _attr(name: str) -> Callable[[Any, Lookups], object]:
    def get(record: Any, _lookups: Lookups) -> object:
        value = getattr(record, name)
        return getattr(value, "value", value)  # enums as their stored value

    return get


def _money(name: str) -> Callable[[Any, Lookups], object]:
    return lambda record, _lookups: Decimal(getattr(record, name)) / 100


def _account(record: Any, lookups: Lookups) -> object:
    return lookups.account_names.get(record.account_id or "", "")


def _col(
    header: str,
    name: str,
    kind: CellType = CellType.TEXT,
    target: str | None = "",
    distinctive: bool = False,
) -> RecordColumn:
    return RecordColumn(header, kind, _attr(name), name if target == "" else target, distinctive)


_CREATED = RecordColumn("Created", CellType.DATETIME, _attr("created_at"))
_UPDATED = RecordColumn("Updated", CellType.DATETIME, _attr("updated_at"))

RECORD_COLUMNS: dict[EntityKind, tuple[RecordColumn, ...]] = {
    EntityKind.ACCOUNT: (
        _col("Account name", "name"),
        _col("Website", "domain"),
        _col("Industry", "industry"),
        _col("Segment", "segment"),
        _col("Grade", "grade", distinctive=True),
        _col("Street", "street"),
        _col("City", "city"),
        _col("Postal code", "postal_code"),
        _col("Country", "country"),
        _col("Phone", "phone"),
        _col("Currency", "currency"),
        RecordColumn(
            "Potential revenue",
            CellType.MONEY,
            _money("potential_revenue"),
            "potential_revenue",
            distinctive=True,
        ),
        _col("Orientation", "orientation", distinctive=True),
        _col("Partner", "is_partner", CellType.BOOL, distinctive=True),
        _col("Notes", "notes"),
        _CREATED,
        _UPDATED,
    ),
    EntityKind.CONTACT: (
        _col("First name", "first_name"),
        _col("Last name", "last_name"),
        _col("Job title", "title"),
        RecordColumn("Account", CellType.TEXT, _account, "company"),
        _col("Email", "email"),
        _col("Phone", "phone"),
        _col("Mobile", "mobile"),
        _col("Buying role", "buying_role", distinctive=True),
        _col("Preferred channel", "preferred_channel", distinctive=True),
        _col("Do not call", "do_not_call", CellType.BOOL, distinctive=True),
        _col("Do not email", "do_not_email", CellType.BOOL, distinctive=True),
        _col("Do not mail", "do_not_mail", CellType.BOOL, distinctive=True),
        _col("Notes", "notes"),
        _CREATED,
        _UPDATED,
    ),
    EntityKind.LEAD: (
        _col("First name", "first_name"),
        _col("Last name", "last_name"),
        _col("Company", "company"),
        _col("Job title", "title"),
        _col("Email", "email"),
        _col("Phone", "phone"),
        _col("Lead source", "source", distinctive=True),
        _col("Campaign", "campaign", distinctive=True),
        _col("Lead status", "status", distinctive=True),
        _col("Notes", "notes"),
        _CREATED,
        _UPDATED,
    ),
    EntityKind.OPPORTUNITY: (
        _col("Name", "name", target=None),
        RecordColumn("Account", CellType.TEXT, _account),
        _col("Stage", "stage", target=None),
        RecordColumn("Amount", CellType.MONEY, _money("amount")),
        _col("Currency", "currency", target=None),
        RecordColumn(
            "Probability", CellType.PERCENT, lambda record, _lookups: record.probability / 100
        ),
        _col("Forecast category", "forecast_category", target=None),
        _col("Close date", "close_date", CellType.DATE, target=None),
        _col("Next step", "next_step", target=None),
        _col("Competitor", "competitor", target=None),
        _CREATED,
        _UPDATED,
    ),
}
EXPORTABLE: tuple[EntityKind, ...] = tuple(RECORD_COLUMNS)


_CELL_TYPES = {
    CustomType.NUMBER: CellType.NUMBER,
    CustomType.CURRENCY: CellType.MONEY,
    CustomType.DATE: CellType.DATE,
    CustomType.CHECKBOX: CellType.BOOL,
}


def _custom(definition: FieldDefinition) -> Callable[[Any, Lookups], object]:
    """The cell of one custom value: a date, an amount in major units, yes/no, a number, or
    the text a person reads (a multi-picklist's choices joined by '; ')."""
    kind = definition.field_type

    def get(record: Any, _lookups: Lookups) -> object:
        value = (record.__pydantic_extra__ or {}).get(definition.key)
        if value is None:
            return None
        if kind is CustomType.DATE:
            return date.fromisoformat(value)
        if kind is CustomType.CURRENCY:
            return Decimal(value) / 100
        if kind in (CustomType.NUMBER, CustomType.CHECKBOX):
            return value
        return display_text(definition, value)

    return get


def custom_columns(definitions: Sequence[FieldDefinition]) -> tuple[RecordColumn, ...]:
    """A column per custom field, headed by its label, mapping back to its key on import
    (retired fields too: an export keeps every value)."""
    return tuple(
        RecordColumn(
            d.label,
            _CELL_TYPES.get(d.field_type, CellType.TEXT),
            _custom(d),
            target=d.key,
        )
        for d in definitions
    )


def columns_of(
    kind: EntityKind, definitions: Sequence[FieldDefinition] = ()
) -> tuple[RecordColumn, ...]:
    """The built-in columns of `kind` (Created/Updated last) with the custom ones before
    those two."""
    built_in = RECORD_COLUMNS[kind]
    return (*built_in[:-2], *custom_columns(definitions), *built_in[-2:])


def export_columns(
    kind: EntityKind, definitions: Sequence[FieldDefinition] = ()
) -> list[ExportColumn]:
    return [ExportColumn(c.header, c.type) for c in columns_of(kind, definitions)]


def record_rows(
    kind: EntityKind,
    records: Iterable[Any],
    lookups: Lookups = Lookups(),
    definitions: Sequence[FieldDefinition] = (),
) -> Iterator[list[object]]:
    columns = columns_of(kind, definitions)
    for record in records:
        yield [column.get(record, lookups) for column in columns]
