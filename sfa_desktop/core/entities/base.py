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
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
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


_META_KEYS = frozenset({"id", "owner_id", "created_at", "updated_at", "version"})


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
        odd = [name for name in data if not cls.has_field(name) and name not in _META_KEYS]
        if odd:
            raise InvalidRecord(cls.entity_name(), dict.fromkeys(odd, "is not a field"))
        custom = {name: value for name, value in data.items() if is_custom(name)}
        if custom:
            try:
                _CUSTOM_VALUES.validate_python(custom)
            except ValidationError as exc:
                raise InvalidRecord(cls.entity_name(), field_errors(exc)) from None
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise InvalidRecord(cls.entity_name(), field_errors(exc)) from None

    def with_changes(self, changes: dict[str, Any]) -> Self:
        """A validated copy with `changes` applied (model_copy would skip validation)."""
        unknown = {name for name in changes if not type(self).has_field(name)}
        if unknown:
            raise InvalidRecord(
                self.entity_name(), dict.fromkeys(sorted(unknown), "is not a field")
            )
        return self.parse({**self.model_dump(), **changes})

    @classmethod
    def has_field(cls, name: str) -> bool:
        """Whether `name` is one of this kind's fields (custom ones: see Customisable)."""
        return name in cls.model_fields

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


CUSTOM_PREFIX = "cf_"
CUSTOM_KEY = re.compile(r"^cf_[a-z][a-z0-9_]{0,39}$")
_MAX_CUSTOM_TEXT = 20_000
_MAX_CUSTOM_ITEMS = 200


def is_custom(name: str) -> bool:
    """Whether a field name is an admin's custom field (`cf_<key>`)."""
    return name.startswith(CUSTOM_PREFIX)


# The JSON shapes a custom value may have (its definition checks the rest), validated by
# pydantic-core itself: no Python runs per value.
CustomValue = (
    StrictBool
    | StrictInt
    | Annotated[StrictFloat, Field(allow_inf_nan=False)]
    | Annotated[StrictStr, StringConstraints(max_length=_MAX_CUSTOM_TEXT)]
    | Annotated[
        list[Annotated[StrictStr, StringConstraints(max_length=200)]],
        Field(max_length=_MAX_CUSTOM_ITEMS),
    ]
    | None
)
_GOOD_KEYS: set[str] = set()  # keys already matched against CUSTOM_KEY


class Customisable(Record):
    """A record kind admins add fields to. Each custom value is one more top-level field
    named `cf_<key>`, so sync, field-level conflicts, audit and history treat it exactly
    like a built-in field; the definitions (core.rules.custom_values) check the values."""

    model_config = ConfigDict(
        frozen=True, extra="allow", str_strip_whitespace=True, defer_build=True
    )

    @model_validator(mode="after")
    def _check_custom_keys(self) -> Self:
        extra = self.__pydantic_extra__
        if extra and not _GOOD_KEYS.issuperset(extra):
            for name in extra:
                if not CUSTOM_KEY.match(name):
                    raise ValueError(f"{name} is not a field")
                _GOOD_KEYS.add(name)
        return self

    @classmethod
    def has_field(cls, name: str) -> bool:
        return name in cls.model_fields or bool(CUSTOM_KEY.match(name))

    def custom_values(self) -> dict[str, Any]:
        """The record's custom values by `cf_` key (empty ones left out)."""
        extra = self.__pydantic_extra__ or {}
        return {name: value for name, value in extra.items() if value is not None}


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Turn a pydantic error into one readable message per top-level field."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        location = error["loc"]
        field = str(location[0]) if location else "record"
        if is_custom(field):
            errors.setdefault(field, "must be text, a number, yes/no or a list of choices")
            continue
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


# Checks the shape of custom values written here or pushed (`Record.parse`); a pulled page
# comes from the server, which checked them when they were written.
_CUSTOM_VALUES: TypeAdapter[dict[str, Any]] = TypeAdapter(dict[str, CustomValue])
