"""An admin's custom field: a definition the server owns and every device pulls."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Self

from pydantic import Field, StringConstraints, model_validator

from sfa_desktop.core.entities.base import CUSTOM_KEY, Name, Record, UtcDateTime
from sfa_desktop.core.enums import CUSTOMISABLE, EntityKind, FieldType

Choice = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
MAX_CHOICES = 500


class FieldDefinition(Record):
    """One custom field of one record kind. `key` (`cf_…`) never changes, so a rename
    (of `label`) keeps every value; retiring hides the field and keeps its values."""

    entity: ClassVar[EntityKind] = EntityKind.FIELD_DEFINITION

    for_entity: EntityKind
    key: Annotated[str, StringConstraints(pattern=CUSTOM_KEY.pattern)]
    label: Name
    field_type: FieldType
    required: bool = False
    # When `required` was last turned on: records created before it are old records, which
    # a device may still create offline and edit without the value until a form saves them.
    required_since: UtcDateTime | None = None
    choices: tuple[Choice, ...] = Field(default=(), max_length=MAX_CHOICES)
    retired_choices: tuple[Choice, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    default: Any = None
    read_only_for_rep: bool = False
    position: int = Field(default=0, ge=0, le=10_000)
    retired: bool = False

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.for_entity not in CUSTOMISABLE:
            kinds = ", ".join(sorted(kind.value for kind in CUSTOMISABLE))
            raise ValueError(f"custom fields go on {kinds}")
        if len({c.casefold() for c in self.choices}) != len(self.choices):
            raise ValueError("a choice is listed twice")
        if set(self.retired_choices) - set(self.choices):
            raise ValueError("a retired choice must be one of the choices")
        picks = self.field_type in (FieldType.PICKLIST, FieldType.MULTI_PICKLIST)
        if picks and not self.active_choices:
            raise ValueError("a picklist needs at least one choice")
        if not picks and self.choices:
            raise ValueError("only picklists have choices")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("the minimum is above the maximum")
        return self

    @property
    def active_choices(self) -> tuple[str, ...]:
        """The choices a user may pick now (retired ones stay valid on old values)."""
        return tuple(c for c in self.choices if c not in self.retired_choices)
