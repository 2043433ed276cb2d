"""Text the database cannot store: PostgreSQL refuses NUL (U+0000) in text and JSON, so the
server refuses it on every backend, with the same answer, before any query sees it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from sync_server.errors import BadRequestError

NUL = "\x00"


def nul_path(value: Any, path: str = "") -> str | None:
    """The path (`a.b.0`) of the first string in `value` holding a NUL, or None."""
    if isinstance(value, str):
        return (path or "value") if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                return where
            found = nul_path(item, where)
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = nul_path(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


def nul_reason(value: Any) -> str | None:
    """Why `value` cannot be stored (a NUL character somewhere in it), or None."""
    where = nul_path(value)
    return None if where is None else f"{where}: text must not contain NUL (U+0000) characters"


def require_storable(**values: Any) -> None:
    """Refuse the request (400) if any of the named values holds a NUL character."""
    for name, value in values.items():
        where = nul_path(value, name)
        if where is not None:
            raise BadRequestError(f"{where}: text must not contain NUL (U+0000) characters")


def unstorable(model: BaseModel) -> str | None:
    """Why a wire model (a push mutation) cannot be stored, or None."""
    return nul_reason(model.model_dump())
