"""Errors of reading and writing import/export files, each with a message fit to show.

Every problem with a *file* (too big, not text, an encoding that does not fit, a quote
that never closes) is an `InterchangeError`; problems with single rows are not errors but
`Issue`s in the row's report, so one bad row never stops an import.
"""

from __future__ import annotations

from sfa_desktop.core.errors import DomainError


class InterchangeError(DomainError):
    """A file cannot be read or written; `line` is the line it happened on, when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(message)


class FileTooLarge(InterchangeError):
    """The file is larger than the import limit."""


class TooManyRows(InterchangeError):
    """The file has more rows (or cards) than the import limit."""


class TooManyColumns(InterchangeError):
    """The header row has more columns than the import limit."""


class FieldTooLarge(InterchangeError):
    """One value is larger than the field limit (often a quote that is never closed)."""


class LineTooLong(InterchangeError):
    """A line does not end within the line limit."""


class BadEncoding(InterchangeError):
    """The text cannot be decoded with the chosen encoding."""


class NotText(InterchangeError):
    """The file is binary (a workbook, an archive, an image), not CSV or vCard text."""


class BadVCardFile(InterchangeError):
    """The file holds no vCard at all."""


class FileChanged(InterchangeError):
    """The file changed between its check and the import."""


class UndecidedDuplicates(InterchangeError):
    """Possible duplicates still wait for the user's decision."""
