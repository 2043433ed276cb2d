"""The admin's site file (TOML): server, sync interval, default and locked settings; Qt-free.

The admin's file is the first found of the system file (`/etc/sfa-desktop/site.toml` on
Linux, `%PROGRAMDATA%\\sfa-desktop\\site.toml` on Windows, `/Library/Application
Support/sfa-desktop/site.toml` on macOS) and the file beside the installed executable
(`/opt/sfa-desktop/site.toml` from the .deb). A user's own file (`$SFA_SITE_CONFIG`, else
`site.toml` in the user's config folder) is laid over it: it may add defaults and locks
but never changes what the admin's file locks. With no admin file, the user's file is used
as it is (a developer's or tester's set-up).
"""

from __future__ import annotations

import os
import re
import ssl
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from sfa_desktop import paths
from sfa_desktop.core.addresses import check_server_url
from sfa_desktop.settings_schema import SCHEMA, SETTING_NAMES

ENV_VAR = "SFA_SITE_CONFIG"
# Settings the [sync] table sets; writing them under [settings] too would be ambiguous.
SYNC_SETTINGS = {"sync_server": "sync.server_url", "sync_interval": "sync.interval_minutes"}


class SiteConfigError(ValueError):
    """A site file that cannot be used; `problems` are lines like `site.toml:7: sync.x …`."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.path = path
        self.problems = problems


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Site(_Strict):
    organisation: str
    name: str = ""
    contact: str = ""
    package_revision: int = 1

    @field_validator("package_revision")
    @classmethod
    def _revision(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"must be 1 or more, got {value}")
        return value


class _Sync(_Strict):
    server_url: str | None = None
    interval_minutes: int | None = None
    ca_bundle: str | None = None

    @field_validator("server_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_server_url(value)

    @field_validator("interval_minutes")
    @classmethod
    def _interval(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 24 * 60:
            raise ValueError(f"must be between 1 and 1440, got {value}")
        return value

    @field_validator("ca_bundle")
    @classmethod
    def _bundle(cls, value: str | None) -> str | None:
        return None if value is None else check_ca_bundle(value)


class _SiteFile(_Strict):
    locked: list[str] = []
    site: _Site
    sync: _Sync = _Sync()
    settings: dict[str, Any] = {}


@dataclass(frozen=True)
class SiteConfig:
    """A valid site file: `defaults` sit beneath the user's values, `locked` names win."""

    path: Path
    organisation: str
    name: str = ""
    contact: str = ""
    package_revision: int = 1
    defaults: Mapping[str, Any] = field(default_factory=dict)
    locked: frozenset[str] = frozenset()
    ca_bundle: Path | None = None  # certificates trusted besides the system's
    user_path: Path | None = None  # the user's own file laid over the admin's, if any

    @property
    def server_url(self) -> str:
        return str(self.defaults.get("sync_server", ""))

    def describe(self) -> str:
        """One line for logs and `--self-test`."""
        interval = self.defaults.get("sync_interval")
        return "; ".join(
            (
                f"{self.name or self.organisation} ({self.organisation})",
                f"server {self.server_url or '(none)'}",
                f"sync every {interval} min" if interval else "sync interval not set",
                f"locked: {', '.join(sorted(self.locked)) or '(none)'}",
                *([f"CA bundle {self.ca_bundle}"] if self.ca_bundle else []),
                *([f"with the user's {self.user_path}"] if self.user_path else []),
            )
        )


def check_ca_bundle(name: str) -> str:
    """`name` if it is the absolute path of a readable file of PEM certificates."""
    path = Path(name)
    if not path.is_absolute():
        raise ValueError(f"must be an absolute path such as /etc/ssl/certs/corp.pem, got {name!r}")
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=path)
    except FileNotFoundError:
        raise ValueError(f"names {name}, which is not a file") from None
    except (OSError, ssl.SSLError) as error:
        raise ValueError(f"names {name}, which holds no readable PEM certificate") from error
    return name


def find_site_files(env: Mapping[str, str] = os.environ) -> tuple[Path | None, Path | None]:
    """(the admin's site file, the user's own), each None when absent.

    `$SFA_SITE_CONFIG`, when set, names the user's file and must exist.
    """
    admin = next((path for path in paths.admin_site_files() if path.is_file()), None)
    named = env.get(ENV_VAR)
    if named:
        user = Path(named)
        if not user.is_file():
            raise SiteConfigError(user, [f"{ENV_VAR} names {user}, which is not a file"])
        return admin, user
    own = paths.user_site_file()
    return admin, own if own.is_file() else None


def discover(env: Mapping[str, str] = os.environ) -> SiteConfig | None:
    """The site config in force, or None; SiteConfigError when a file is unusable."""
    admin_path, user_path = find_site_files(env)
    admin = None if admin_path is None else load(admin_path)
    user = None if user_path is None else load(user_path)
    if admin is None or user is None:
        return admin or user
    return overlay(admin, user)


def overlay(admin: SiteConfig, user: SiteConfig) -> SiteConfig:
    """`admin` with the user's defaults and locks added where the admin locked nothing."""
    free = {name: value for name, value in user.defaults.items() if name not in admin.locked}
    return replace(
        admin,
        defaults={**admin.defaults, **free},
        locked=admin.locked | user.locked,
        ca_bundle=admin.ca_bundle or user.ca_bundle,
        user_path=user.path,
    )


def load(path: Path) -> SiteConfig:
    """Read and check the site file at `path`; every problem is named in SiteConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as error:
        raise SiteConfigError(path, [f"{path}: cannot be read: {error.strerror}"]) from error
    except UnicodeDecodeError as error:
        raise SiteConfigError(path, [f"{path}: is not UTF-8 text"]) from error
    except tomllib.TOMLDecodeError as error:
        raise SiteConfigError(path, [f"{path}: is not valid TOML: {error}"]) from error
    try:
        parsed = _SiteFile.model_validate(data)
    except ValidationError as error:
        problems = [(tuple(e["loc"]), _message(e)) for e in error.errors()]
        raise SiteConfigError(path, [_where(path, text, loc, m) for loc, m in problems]) from None
    problems = _setting_problems(parsed)
    if problems:
        raise SiteConfigError(path, [_where(path, text, loc, m) for loc, m in problems])
    defaults = dict(parsed.settings)
    if parsed.sync.server_url is not None:
        defaults["sync_server"] = parsed.sync.server_url
    if parsed.sync.interval_minutes is not None:
        defaults["sync_interval"] = parsed.sync.interval_minutes
    site = parsed.site
    return SiteConfig(
        path=path,
        organisation=site.organisation,
        name=site.name,
        contact=site.contact,
        package_revision=site.package_revision,
        defaults=defaults,
        locked=frozenset(parsed.locked),
        ca_bundle=Path(parsed.sync.ca_bundle) if parsed.sync.ca_bundle else None,
    )


def _setting_problems(parsed: _SiteFile) -> list[tuple[tuple[Any, ...], str]]:
    schema = {setting.name: setting for setting in SCHEMA}
    known = ", ".join(sorted(SETTING_NAMES))
    problems: list[tuple[tuple[Any, ...], str]] = []
    for name, value in parsed.settings.items():
        if name == "locked":
            problems.append((("settings", name), _LOCKED_PLACE))
        elif name in SYNC_SETTINGS:
            problems.append((("settings", name), f"is set in [sync]: use {SYNC_SETTINGS[name]}"))
        elif name not in schema:
            problems.append((("settings", name), f"is not a setting (settings are: {known})"))
        elif problem := schema[name].problem(value):
            problems.append((("settings", name), problem))
    for index, name in enumerate(parsed.locked):
        if name not in schema:
            problems.append((("locked", index), f"names {name!r}, not a setting (known: {known})"))
    if "sync_server" in parsed.locked and parsed.sync.server_url is None:
        problems.append((("locked",), "locks sync_server, so sync.server_url must be set"))
    return problems


_LOCKED_PLACE = "is not known: put `locked = [...]` at the top, before the first [table]"
_TYPE_WORDS = {
    "int_type": "must be a whole number",
    "string_type": "must be a string in quotes",
    "list_type": 'must be a list such as ["sync_server"]',
    "dict_type": "must be a table",
    "model_type": "must be a table",
}


def _message(error: Any) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        if loc[-1] == "locked" and len(loc) > 1:
            return _LOCKED_PLACE
        return "is not a known key (check the spelling against site.example.toml)"
    if kind == "missing":
        if tuple(loc) == ("site",):
            return 'is required: add a [site] table with organisation = "…"'
        return "is required"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return f"{_TYPE_WORDS.get(kind, error['msg'])}, got {error['input']!r}"


_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
_KEY = re.compile(r"^\s*[\"']?([A-Za-z0-9_-]+)[\"']?\s*=")


def _where(path: Path, text: str, loc: tuple[Any, ...], message: str) -> str:
    """`path:line: dotted.key message`, the line found by a light scan of the TOML text."""
    keys = [str(part) for part in loc if isinstance(part, str)]
    dotted = ".".join(keys) or "file"
    line = _line_of(text, keys)
    return f"{path}:{line}: {dotted} {message}" if line else f"{path}: {dotted} {message}"


def _line_of(text: str, keys: list[str]) -> int | None:
    table, found = "", None
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _TABLE.match(line):
            table = header.group(1)
            if keys and table == keys[0]:
                found = found or number
        elif (key := _KEY.match(line)) and [*([table] if table else []), key.group(1)] == keys[:2]:
            return number
    return found
