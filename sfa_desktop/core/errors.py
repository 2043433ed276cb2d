"""Domain errors with messages fit to show a user."""

from __future__ import annotations

from collections.abc import Mapping


class DomainError(Exception):
    """Base of every error the core and the store raise on purpose."""


class InvalidRecord(DomainError):
    """A record failed validation; `errors` maps field names to messages."""

    def __init__(self, entity: str, errors: Mapping[str, str]) -> None:
        self.entity = entity
        self.errors = dict(errors)
        detail = "; ".join(f"{field}: {message}" for field, message in self.errors.items())
        super().__init__(f"Invalid {entity}: {detail}")


class NotFound(DomainError):
    """A record that was asked for does not exist (or was deleted)."""

    def __init__(self, entity: str, record_id: str) -> None:
        self.entity = entity
        self.record_id = record_id
        super().__init__(f"{entity} {record_id} does not exist")


class BrokenReference(DomainError):
    """A record points at another record that does not exist."""

    def __init__(self, entity: str, field: str, target_id: str) -> None:
        self.entity = entity
        self.field = field
        self.target_id = target_id
        super().__init__(f"{entity}.{field} points at {target_id}, which does not exist")


class InUse(DomainError):
    """A record cannot be deleted while other records depend on it."""
