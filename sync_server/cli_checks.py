"""Checks `sfa-server` makes before it acts, each failing in one line: the period of a
quota, the database URL (and that it opens), the address to serve on, the token key."""

from __future__ import annotations

import argparse
import ipaddress
import re
import secrets
import socket
from typing import Any

from sfa_desktop.core.cli_args import one_line
from sfa_desktop.core.periods import Period
from sync_server.config import ServerSettings

MIN_SECRET_LENGTH = 32
MAKE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'
_PLACEHOLDERS = ("changeme", "replaceme", "placeholder", "yoursecret")


class CommandFailed(Exception):
    """A check failed; the message is the one line to print."""


def period(text: str) -> str:
    """A quota period as the server keeps it (2026-11, 2026-Q4, 2026)."""
    try:
        return str(Period.parse(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a period such as 2026-11, 2026-Q4 or 2026"
        ) from None


def shown_url(url: str) -> str:
    """The database URL without its password (for messages)."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not even a URL: show what was given, which holds no parsed password
        return repr(url)


def database_problem(url: str, error: BaseException) -> str:
    """Why the database at `url` cannot be used, in one line, naming where the URL comes
    from."""
    detail = getattr(error, "orig", None) or error
    first = str(detail).strip().splitlines()[0] if str(detail).strip() else type(error).__name__
    return one_line(
        f"the database {shown_url(url)} cannot be used ({first}); check --database-url "
        "or SFA_DATABASE_URL"
    )


def database_errors() -> tuple[type[BaseException], ...]:
    """What opening a bad or unreachable database raises (SQLAlchemy, a missing driver,
    a missing folder)."""
    from sqlalchemy.exc import SQLAlchemyError

    return (SQLAlchemyError, ImportError, OSError)


def check_database(url: str) -> None:
    """Connect once to the database at `url`; CommandFailed saying why it cannot."""
    from sync_server.db import make_engine

    try:
        engine = make_engine(url)
        try:
            with engine.connect():
                pass
        finally:
            engine.dispose()
    except database_errors() as error:
        raise CommandFailed(database_problem(url, error)) from None


def check_listen(host: str, port: int) -> str:
    """The address `serve` will answer on, once a socket could be bound there (freed again
    at once); CommandFailed when the host is unknown or the port taken."""
    try:
        infos: list[Any] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise CommandFailed(f"cannot serve on {host!r}: {one_line(error)}") from None
    family, kind, proto, _name, address = infos[0]
    try:
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:
        raise CommandFailed(
            f"cannot serve on {host}:{port} ({one_line(error.strerror or error)}): "
            "is another server using the port?"
        ) from None
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def check_secret(settings: ServerSettings, host: str) -> ServerSettings:
    """`settings` with a token key fit to serve on `host`: a placeholder or a key under 32
    characters is refused; none set is allowed on loopback only (the demo), where a key is
    made up for this run. CommandFailed says how to make one."""
    how = f"make one with: {MAKE_SECRET}"
    if "secret_key" not in settings.model_fields_set:
        if not loopback_only(host):
            raise CommandFailed(
                f"SFA_SECRET_KEY is not set (allowed only when serving on loopback, not on "
                f"{host}); {how} and give every process the same"
            )
        return settings.model_copy(update={"secret_key": secrets.token_urlsafe(48)})
    key = settings.secret_key
    if any(word in re.sub(r"[^a-z]", "", key.lower()) for word in _PLACEHOLDERS):
        raise CommandFailed(f"SFA_SECRET_KEY is still the example's placeholder; {how}")
    if len(key) < MIN_SECRET_LENGTH:
        raise CommandFailed(
            f"SFA_SECRET_KEY has {len(key)} characters, {MIN_SECRET_LENGTH} or more are "
            f"needed; {how}"
        )
    return settings


def loopback_only(host: str) -> bool:
    """Whether every address `host` names is a loopback one (127.0.0.1, ::1, localhost)."""
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        return bool(infos) and all(
            ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos
        )
    except (OSError, UnicodeError, ValueError):
        return False
