"""`admin import-users`: many users from one CSV file, all or nothing.

Every row is checked before anything is written; one bad row and nothing is. Managers may
be users already on the server or rows anywhere in the file; teams are made when missing.
Each new user gets a one-time set-up code (its hash alone is stored, see `passwords`)."""

from __future__ import annotations

import csv
import io
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import Quota
from sfa_desktop.core.entities import User as CoreUser
from sfa_desktop.core.entities.base import new_id
from sfa_desktop.core.enums import Role
from sfa_desktop.core.errors import InvalidRecord
from sfa_desktop.core.periods import Period
from sync_server.config import ServerSettings
from sync_server.errors import BadRequestError
from sync_server.models import Org, Team, TeamMember, User
from sync_server.services import admin, passwords
from sync_server.services.records import lock_versions, save

COLUMNS = (
    "username",
    "name",
    "email",
    "role",
    "manager",
    "team",
    "quota_period",
    "quota_amount",
    "quota_currency",
)
REQUIRED = ("username", "name", "email")
QUOTA = ("quota_period", "quota_amount")


@dataclass
class Row:
    """One user line of the file, as read and then as checked."""

    line: int
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)
    code: str = ""

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()

    @property
    def username(self) -> str:
        return self.get("username")


@dataclass(frozen=True)
class ImportResult:
    rows: list[Row]

    @property
    def failed(self) -> list[Row]:
        return [row for row in self.rows if row.problems]


def decode(data: bytes) -> str:
    """UTF-8 text, with or without a byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise BadRequestError(f"line {line} is not UTF-8 text; save the file as UTF-8") from None


def read_rows(text: str) -> list[Row]:
    """The file's user rows (header required, comma or semicolon between values)."""
    header = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        columns = [name.strip().lower() for name in next(reader, [])]
    except csv.Error as error:
        raise BadRequestError(f"line 1: {error}") from None
    unknown = [name for name in columns if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in columns]
    if not columns or missing or unknown:
        raise BadRequestError(_header_problem(missing, unknown))
    rows = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            row = Row(reader.line_num, dict(zip(columns, values, strict=False)))
            if len(values) > len(columns):
                row.problems.append(f"{len(values)} values for {len(columns)} columns")
            rows.append(row)
    except csv.Error as error:
        raise BadRequestError(f"line {reader.line_num}: {error}") from None
    if not rows:
        raise BadRequestError("the file has a header but no users")
    return rows


def _header_problem(missing: list[str], unknown: list[str]) -> str:
    problems = [f"no column {name!r}" for name in missing]
    problems += [f"unknown column {name!r}" for name in unknown]
    return f"the header (line 1) is wrong: {'; '.join(problems) or 'it is empty'}; " + (
        f"columns are {', '.join(COLUMNS)}"
    )


def _check_row(row: Row, org: Org, now: datetime) -> None:
    """Problems of the row alone (no other row, no database)."""
    if any("\x00" in value for value in row.values.values()):
        row.problems.append("text must not contain NUL (U+0000) characters")
    username = row.username
    if not username or len(username) > 200 or any(c.isspace() for c in username):
        row.problems.append("username must be 1 to 200 characters without spaces")
    role = row.get("role").lower() or Role.REP.value
    if role not in {r.value for r in Role}:
        row.problems.append(f"role {role!r} is not one of {', '.join(r.value for r in Role)}")
        role = Role.REP.value
    record = {"id": new_id(), "name": row.get("name"), "email": row.get("email"), "role": role}
    _parse(row, CoreUser, {**record, "created_at": now})
    if len(row.get("team")) > 200:
        row.problems.append("team name must be at most 200 characters")
    if any(row.get(column) for column in (*QUOTA, "quota_currency")):
        _check_quota(row, org)


def _check_quota(row: Row, org: Org) -> None:
    if not all(row.get(column) for column in QUOTA):
        row.problems.append("a quota needs both quota_period and quota_amount")
        return
    try:
        Period.parse(row.get("quota_period"))
    except ValueError:
        row.problems.append(f"quota_period {row.get('quota_period')!r} is not like 2026-Q4")
        return
    amount = row.get("quota_amount")
    if not amount.isdigit():
        row.problems.append(f"quota_amount {amount!r} is not a whole number, 0 or more")
        return
    quota = {"id": new_id(), "period": row.get("quota_period"), "amount": int(amount)}
    _parse(row, Quota, {**quota, "currency": row.get("quota_currency") or org.currency})


def _parse(row: Row, kind: type[CoreUser] | type[Quota], data: dict[str, object]) -> None:
    try:
        kind.parse(data)
    except InvalidRecord as error:
        row.problems += [f"{name}: {message}" for name, message in error.errors.items()]


def _check_names(session: Session, org: Org, rows: list[Row]) -> None:
    """Usernames new and unique; managers known and in the org; no manager cycle."""
    first: dict[str, Row] = {}
    for row in rows:
        if row.username in first:
            other = first[row.username].line
            row.problems.append(f"username {row.username!r} is also on row {other}")
        first.setdefault(row.username, row)
    existing = {
        user.username: user
        for user in session.scalars(select(User).where(User.username.in_(list(first))))
    }
    managers = {row.get("manager") for row in rows} - set(first) - {""}
    found = session.scalars(select(User).where(User.username.in_(managers)))
    known = {user.username: user for user in found}
    for row in rows:
        manager = row.get("manager")
        if row.username in existing:
            row.problems.append(f"user {row.username!r} already exists")
        if manager == row.username:
            row.problems.append("a user cannot be their own manager")
        elif manager and manager not in first and manager not in known:
            row.problems.append(f"manager {manager!r} is neither on the server nor in the file")
        elif manager in known and known[manager].org_id != org.id:
            row.problems.append(f"manager {manager!r} belongs to another organisation")
    _check_cycles(first)


def _check_cycles(rows: dict[str, Row]) -> None:
    for row in rows.values():
        seen = [row.username]
        manager = row.get("manager")
        while manager in rows and manager not in seen:
            seen.append(manager)
            manager = rows[manager].get("manager")
        if manager == row.username and len(seen) > 1:
            row.problems.append("managers make a cycle: " + " > ".join([*seen, manager]))


def check(session: Session, org: Org, rows: list[Row], now: datetime) -> ImportResult:
    for row in rows:
        _check_row(row, org, now)
    _check_names(session, org, rows)
    return ImportResult(rows)


def _in_order(rows: list[Row]) -> list[Row]:
    """Managers before the people they manage (the file has no cycle by now)."""
    by_name = {row.username: row for row in rows}
    done: dict[str, Row] = {}

    def visit(row: Row) -> None:
        manager = by_name.get(row.get("manager"))
        if manager is not None and manager.username not in done:
            visit(manager)
        done.setdefault(row.username, row)

    for row in rows:
        visit(row)
    return list(done.values())


def _hashes(codes: list[str], expires: datetime, settings: ServerSettings | None) -> list[str]:
    """Argon2 at the configured cost, on every core (the library releases the GIL)."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return list(pool.map(lambda c: passwords.setup_hash(c, expires, settings), codes))


def import_users(
    session: Session,
    settings: ServerSettings | None,
    org: Org,
    rows: list[Row],
    now: datetime,
    valid_days: int = 14,
) -> ImportResult:
    """Check every row, then write them all in one transaction (or nothing on a problem).

    The caller commits, after it has put the codes where the admin gets them."""
    result = check(session, org, rows, now)
    if result.failed:
        return result
    ordered = _in_order(rows)
    for row in ordered:
        row.code = passwords.new_setup_code()
    hashes = _hashes([row.code for row in ordered], now + timedelta(days=valid_days), settings)
    lock_versions(session)
    ids = {u.username: u.id for u in session.scalars(select(User).where(User.org_id == org.id))}
    teams = {t.name: t for t in session.scalars(select(Team).where(Team.org_id == org.id))}
    above: set[str] = set()
    for row, digest in zip(ordered, hashes, strict=True):
        user = _add_user(session, org, row, ids, digest, now)
        ids[row.username] = user.id
        if row.get("team"):
            team = teams.get(row.get("team")) or _new_team(session, org, row.get("team"))
            teams[team.name] = team
            session.add(TeamMember(team_id=team.id, user_id=user.id))
            if user.manager_id:
                above.add(user.manager_id)
        if row.get("quota_period"):
            _add_quota(session, org, row, user.id, now)
    session.flush()
    admin.resync_above(session, above)
    return result


def _add_user(
    session: Session, org: Org, row: Row, ids: dict[str, str], digest: str, now: datetime
) -> User:
    user = User(
        id=new_id(),
        org_id=org.id,
        username=row.username,
        name=row.get("name"),
        email=row.get("email").lower(),
        role=row.get("role").lower() or Role.REP.value,
        manager_id=ids[row.get("manager")] if row.get("manager") else None,
        password_hash=digest,
        active=True,
        resync_floor=0,
        created_at=now,
    )
    session.add(user)
    session.flush()
    admin.mirror_user(session, user, now)
    return user


def _new_team(session: Session, org: Org, name: str) -> Team:
    team = Team(id=new_id(), org_id=org.id, name=name)
    session.add(team)
    return team


def _add_quota(session: Session, org: Org, row: Row, user_id: str, now: datetime) -> None:
    quota = Quota.parse(
        {
            "id": new_id(),
            "owner_id": user_id,
            "period": str(Period.parse(row.get("quota_period"))),
            "amount": int(row.get("quota_amount")),
            "currency": row.get("quota_currency") or org.currency,
        }
    )
    save(session, org.id, quota, actor=None, now=now)
