"""Administration: orgs, users, teams, hierarchy, quotas, reassignment, devices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import FieldChange, Quota
from sfa_desktop.core.entities import User as CoreUser
from sfa_desktop.core.entities.base import new_id
from sfa_desktop.core.enums import AuditAction, EntityKind, Role, Stage
from sfa_desktop.core.periods import Period
from sync_server.config import ServerSettings
from sync_server.errors import BadRequestError, ConflictError, NotFoundError
from sync_server.models import (
    Device,
    Org,
    Record,
    RefreshToken,
    Team,
    TeamAccount,
    TeamMember,
    User,
)
from sync_server.services.audit import write_audit
from sync_server.services.auth import hash_password
from sync_server.services.currency import check_code
from sync_server.services.passwords import check_new_password
from sync_server.services.records import lock_versions, next_version, parse_row, save


@dataclass(frozen=True)
class UserSummary:
    id: str
    username: str
    name: str
    email: str
    role: str
    manager: str | None
    active: bool


def org_by_name(session: Session, name: str) -> Org:
    org = session.scalar(select(Org).where(Org.name == name))
    if org is None:
        raise NotFoundError(f"organisation {name!r} does not exist")
    return org


def user_by_name(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError(f"user {username!r} does not exist")
    return user


def team_by_name(session: Session, name: str) -> Team:
    team = session.scalar(select(Team).where(Team.name == name))
    if team is None:
        raise NotFoundError(f"team {name!r} does not exist")
    return team


def create_org(session: Session, name: str, now: datetime, currency: str = "EUR") -> Org:
    if session.scalar(select(Org).where(Org.name == name)):
        raise ConflictError(f"organisation {name!r} already exists")
    org = Org(id=new_id(), name=name, created_at=now, currency=check_code(currency))
    session.add(org)
    session.commit()
    return org


def create_user(
    session: Session,
    org_name: str,
    username: str,
    *,
    name: str,
    email: str,
    password: str,
    role: Role = Role.REP,
    manager: str | None = None,
    now: datetime,
    settings: ServerSettings | None = None,
    user_id: str | None = None,
) -> User:
    """A user who can sign in; their User record syncs to everyone in the org."""
    org = org_by_name(session, org_name)
    if session.scalar(select(User).where(User.username == username)):
        raise ConflictError(f"user {username!r} already exists")
    check_new_password(password)
    manager_id = user_by_name(session, manager).id if manager else None
    user = User(
        id=user_id or new_id(),
        org_id=org.id,
        username=username,
        name=name,
        email=email,
        role=role.value,
        manager_id=manager_id,
        password_hash=hash_password(password, settings),
        active=True,
        resync_floor=0,
        created_at=now,
    )
    session.add(user)
    session.flush()
    lock_versions(session)
    mirror_user(session, user, now)
    session.commit()
    return user


def mirror_user(session: Session, user: User, now: datetime) -> None:
    """Save the user's synced User record (everyone in the org receives it)."""
    record = CoreUser.parse(
        {
            "id": user.id,
            "owner_id": user.id,
            "name": user.name,
            "email": user.email,
            "role": user.role,
            "manager_id": user.manager_id,
            "active": user.active,
            "created_at": user.created_at,
        }
    )
    save(session, user.org_id, record, actor=None, now=now)


def _chain(session: Session, user_id: str | None) -> set[str]:
    """A user and everyone above them."""
    found: set[str] = set()
    while user_id is not None and user_id not in found:
        found.add(user_id)
        user_id = session.scalar(select(User.manager_id).where(User.id == user_id))
    return found


def _resync(session: Session, user_ids: set[str]) -> None:
    """Their scope grew in a way the log cannot replay: their next pull starts over."""
    floor = next_version(session)
    session.execute(update(User).where(User.id.in_(user_ids)).values(resync_floor=floor))


def resync_above(session: Session, user_ids: set[str]) -> None:
    """These users and everyone above them pull from scratch next time (scope grew)."""
    affected = set().union(*(_chain(session, user_id) for user_id in user_ids))
    if affected:
        _resync(session, affected)


def set_manager(session: Session, username: str, manager: str | None, now: datetime) -> None:
    user = user_by_name(session, username)
    new_manager = user_by_name(session, manager).id if manager else None
    if new_manager is not None and user.id in _chain(session, new_manager):
        raise BadRequestError("that would make a cycle in the hierarchy")
    lock_versions(session)
    affected = _chain(session, user.manager_id) | _chain(session, new_manager)
    user.manager_id = new_manager
    session.flush()
    mirror_user(session, user, now)
    if affected:
        _resync(session, affected)
    session.commit()


def create_team(session: Session, org_name: str, name: str) -> Team:
    org = org_by_name(session, org_name)
    team = Team(id=new_id(), org_id=org.id, name=name)
    session.add(team)
    session.commit()
    return team


def add_team_member(session: Session, team_name: str, username: str) -> None:
    team, user = team_by_name(session, team_name), user_by_name(session, username)
    lock_versions(session)
    session.merge(TeamMember(team_id=team.id, user_id=user.id))
    _resync(session, _chain(session, user.id))
    session.commit()


def add_team_account(session: Session, team_name: str, account_id: str, now: datetime) -> None:
    """Put an account on a team: its records are re-sent so the members receive them."""
    team = team_by_name(session, team_name)
    _account(session, account_id)
    lock_versions(session)
    session.merge(TeamAccount(team_id=team.id, account_id=account_id))
    session.flush()
    for row in _account_rows(session, account_id):
        save(session, row.org_id, parse_row(row), actor=None, now=now, deleted=row.deleted)
    session.commit()


def set_quota(
    session: Session, username: str, period_text: str, amount: int, currency: str, now: datetime
) -> str:
    """Set a user's quota for a period (one quota per user and period)."""
    user = user_by_name(session, username)
    period = str(Period.parse(period_text))
    existing = session.scalar(
        select(Record).where(
            Record.entity == EntityKind.QUOTA.value,
            Record.owner_id == user.id,
            Record.deleted.is_(False),
            Record.data["period"].as_string() == period,
        )
    )
    quota = Quota.parse(
        {
            "id": existing.id if existing else new_id(),
            "owner_id": user.id,
            "period": period,
            "amount": amount,
            "currency": currency,
        }
    )
    lock_versions(session)
    save(session, user.org_id, quota, actor=None, now=now)
    session.commit()
    return quota.id


def _account(session: Session, account_id: str) -> Record:
    row = session.get(Record, (EntityKind.ACCOUNT.value, account_id))
    if row is None:
        raise NotFoundError(f"account {account_id} does not exist")
    return row


def _account_rows(session: Session, account_id: str) -> list[Record]:
    rows = session.scalars(
        select(Record).where(Record.account_id == account_id).order_by(Record.version)
    )
    return sorted(rows, key=lambda row: row.entity != EntityKind.ACCOUNT.value)


# Not audited on reassignment: stage changes are a history, entries are the trail itself.
_UNAUDITED = frozenset({EntityKind.STAGE_CHANGE.value, EntityKind.AUDIT_ENTRY.value})


def _closed_deals(rows: list[Record]) -> set[tuple[str, str]]:
    """(entity, id) of the account's closed deals (won or lost) with their stage history and
    audit entries: they keep the owner who closed them when the account moves."""
    deals = {
        row.id
        for row in rows
        if row.entity == EntityKind.OPPORTUNITY.value and Stage(row.data["stage"]).is_closed
    }
    kept = {(EntityKind.OPPORTUNITY.value, deal) for deal in deals}
    kept |= {
        (row.entity, row.id)
        for row in rows
        if row.entity == EntityKind.STAGE_CHANGE.value and row.data["opportunity_id"] in deals
    }
    kept |= {
        (row.entity, row.id)
        for row in rows
        if row.entity == EntityKind.AUDIT_ENTRY.value
        and (row.data["record_entity"], row.data["record_id"]) in kept
    }
    return kept


def reassign_account(session: Session, account_id: str, username: str, now: datetime) -> int:
    """Give an account and the old owner's records on it to another user.

    Closed deals (won or lost) keep the owner who closed them, with their stage history
    and audit trail, so the seller keeps the credit (docs/forecasting.md); open deals and
    everything else of the old owner's move. Every record of the account gets a new
    version: the new scope receives upserts and the old owner's scope (and their
    managers') a `remove` for what they no longer see (the closed deals stay in it, by
    owner). Each live record that changes owner gets an audit entry (reassigned, owner
    old -> new); the account's entry notes how many closed deals stayed. Returns how many
    records changed owner (their audit entries move with them, uncounted).
    """
    account = _account(session, account_id)
    new_owner = user_by_name(session, username)
    if new_owner.org_id != account.org_id:
        raise BadRequestError("the new owner belongs to another organisation")
    old_owner = account.owner_id
    lock_versions(session)
    rows = _account_rows(session, account_id)
    kept = _closed_deals(rows)
    reassigned = []
    moved = closed = 0
    for row in rows:
        record = parse_row(row)
        old_owners = row.owner_id == old_owner and old_owner != new_owner.id
        if old_owners and (row.entity, row.id) in kept:
            closed += row.entity == EntityKind.OPPORTUNITY.value and not row.deleted
        elif old_owners:
            record = record.with_changes({"owner_id": new_owner.id})
            moved += row.entity != EntityKind.AUDIT_ENTRY.value
            if not row.deleted and row.entity not in _UNAUDITED:
                reassigned.append(row)
        save(
            session,
            row.org_id,
            record,
            actor=None,
            now=now,
            deleted=row.deleted,
            moved_from=old_owner,
        )
    change = FieldChange(field="owner_id", old=old_owner, new=new_owner.id)
    for row in reassigned:
        write_audit(
            session,
            org_id=row.org_id,
            record=row,
            action=AuditAction.REASSIGNED,
            actor_id=None,
            device_id=None,
            changes=(change,),
            note=_kept_note(closed) if row.entity == EntityKind.ACCOUNT.value else "",
            now=now,
        )
    session.commit()
    return moved


def _kept_note(closed: int) -> str:
    if not closed:
        return ""
    deals = "deal keeps its owner" if closed == 1 else "deals keep their owners"
    return f"{closed} closed {deals} (closed deals stay with whoever closed them)"


def revoke_device(session: Session, device_id: str, now: datetime) -> None:
    device = session.get(Device, device_id)
    if device is None:
        raise NotFoundError(f"device {device_id} does not exist")
    device.revoked_at = now
    session.commit()


def reset_password(
    session: Session, username: str, password: str, settings: ServerSettings | None = None
) -> None:
    check_new_password(password)
    user_by_name(session, username).password_hash = hash_password(password, settings)
    session.commit()


def list_users(session: Session, org_name: str | None = None) -> list[UserSummary]:
    statement = select(User).order_by(User.username)
    if org_name:
        statement = statement.where(User.org_id == org_by_name(session, org_name).id)
    users = list(session.scalars(statement))
    names = {user.id: user.username for user in users}
    return [
        UserSummary(
            u.id,
            u.username,
            u.name,
            u.email,
            u.role,
            names.get(u.manager_id) if u.manager_id else None,
            u.active,
        )
        for u in users
    ]


def list_devices(session: Session, username: str) -> list[Device]:
    user = user_by_name(session, username)
    return list(session.scalars(select(Device).where(Device.user_id == user.id)))


def device_lines(session: Session, username: str, now: datetime) -> list[str]:
    """`list-devices`: id, name, state (active, signed out, revoked), signed in, last seen."""
    lines = []
    for device in sorted(list_devices(session, username), key=lambda d: d.created_at):
        live = session.scalar(
            select(RefreshToken.id).where(
                RefreshToken.device_id == device.id,
                RefreshToken.revoked.is_(False),
                RefreshToken.rotated_at.is_(None),
                RefreshToken.expires_at > now,
            )
        )
        state = "revoked" if device.revoked_at else "active" if live else "signed out"
        seen = f"{device.last_seen_at:%Y-%m-%d %H:%M}" if device.last_seen_at else "never synced"
        lines.append(
            f"{device.id}\t{device.name}\t{state}\tsigned in {device.created_at:%Y-%m-%d %H:%M}"
            f"\tlast seen {seen}"
        )
    return lines
