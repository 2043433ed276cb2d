"""The base of every synced record and helpers shared by the entity modules."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import InvalidRecord


def new_id() -> str:
    """A fresh record id: a random UUID in text form, made on the client."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


def _to_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("must carry a time zone")
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+14:00 is before the first day in UTC
        raise ValueError("is out of range in UTC") from None


UtcDateTime = Annotated[datetime, AfterValidator(_to_utc)]
RecordId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{3,40}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _check_email(value: str) -> str:
    value = value.strip().lower()
    if not _EMAIL.match(value) or len(value) > 254:
        raise ValueError(f"{value!r} is not an email address")
    return value


def _check_phone(value: str) -> str:
    value = value.strip()
    if not _PHONE.match(value):
        raise ValueError(f"{value!r} is not a phone number (digits, spaces, + ( ) . / -)")
    return value


def _check_currency(value: str) -> str:
    if not _CURRENCY.match(value):
        raise ValueError(f"{value!r} is not a three-letter currency code such as EUR")
    return value


Currency = Annotated[str, AfterValidator(_check_currency)]
MinorUnits = Annotated[int, Field(ge=0, le=10**15)]
Email = Annotated[str, AfterValidator(_check_email)]
Phone = Annotated[str, AfterValidator(_check_phone)]


class Value(BaseModel):
    """An immutable value object embedded in a record."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, defer_build=True
    )


class Record(Value):
    """A synced record: client-made id, UTC timestamps, server version, owner."""

    entity: ClassVar[EntityKind]

    id: RecordId = Field(default_factory=new_id)
    owner_id: RecordId | None = None
    created_at: UtcDateTime = Field(default_factory=utcnow)
    updated_at: UtcDateTime = Field(default_factory=utcnow)
    version: int | None = None

    # Fields the sync protocol does not carry as user data.
    META_FIELDS: ClassVar[frozenset[str]] = frozenset({"id", "created_at", "updated_at", "version"})

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Self:
        """Validate `data` into a record, raising InvalidRecord with per-field messages."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InvalidRecord(cls.entity_name(), field_errors(exc)) from None

    def with_changes(self, changes: dict[str, Any]) -> Self:
        """A validated copy with `changes` applied (model_copy would skip validation)."""
        unknown = set(changes) - set(type(self).model_fields)
        if unknown:
            raise InvalidRecord(
                self.entity_name(), dict.fromkeys(sorted(unknown), "is not a field")
            )
        return self.parse({**self.model_dump(), **changes})

    def data_fields(self) -> dict[str, Any]:
        """The user data as JSON-compatible values (what a push or a pull carries)."""
        return self.model_dump(mode="json", exclude=set(self.META_FIELDS))

    @classmethod
    def entity_name(cls) -> str:
        return cls.entity.value

    @classmethod
    def plural_name(cls) -> str:
        """'opportunities', 'accounts', 'account plans' (enough English for entity names)."""
        noun = cls.entity.value.replace("_", " ")
        return f"{noun[:-1]}ies" if noun.endswith("y") else f"{noun}s"


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Turn a pydantic error into one readable message per top-level field."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        location = error["loc"]
        field = str(location[0]) if location else "record"
        template = _FRIENDLY.get(error["type"])
        context = error.get("ctx", {})
        message = template.format(**context) if template else error["msg"]
        message = message.removeprefix("Value error, ")
        if len(location) > 1:
            message = f"{'.'.join(str(part) for part in location[1:])}: {message}"
        errors.setdefault(field, message)
    return errors


_FRIENDLY = {
    "missing": "is required",
    "string_too_short": "is required",
    "string_too_long": "is too long",
    "greater_than_equal": "must be at least {ge}",
    "less_than_equal": "must be at most {le}",
    "enum": "must be one of {expected}",
}
