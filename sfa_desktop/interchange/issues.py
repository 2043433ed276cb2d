"""A problem found in one row: which field, how bad, and what to tell the user."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # the row is not imported
    WARNING = "warning"  # the row is imported; the user should know


@dataclass(frozen=True)
class Issue:
    """`field` is a target field key, or "" for the row as a whole."""

    message: str
    field: str = ""
    severity: Severity = Severity.ERROR

    @classmethod
    def warning(cls, message: str, field: str = "") -> Issue:
        return cls(message, field, Severity.WARNING)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR
