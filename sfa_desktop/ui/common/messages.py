"""Errors in words for a dialog's message line (never a traceback)."""

from __future__ import annotations

from sfa_desktop.core.errors import DomainError
from sfa_desktop.interchange.errors import InterchangeError


def error_text(error: BaseException) -> str:
    """A reading error in words (never a traceback)."""
    if isinstance(error, InterchangeError):
        text = str(error)
        if error.line is not None and f"line {error.line}" not in text.lower():
            text += f" (line {error.line:,})"
        return text
    if isinstance(error, DomainError):
        return str(error)
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return f"Unexpected problem: {error!r}"
