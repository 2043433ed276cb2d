"""Who may read and write what, computed from the database on every request."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    bindparam,
    exists,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.util import AliasedClass

from sfa_desktop.core.enums import EntityKind, Role
from sync_server.models import ORG_WIDE, Record, TeamAccount, TeamMember, User


@dataclass(frozen=True)
class Scope:
    """A caller's reach: themselves plus everyone below them in the hierarchy."""

    user_id: str
    org_id: str
    role: Role
    reports: frozenset[str]

    @property
    def owners(self) -> frozenset[str]:
        return self.reports | {self.user_id}


def load_scope(session: Session, user: User) -> Scope:
    """The caller's scope with their transitive reports (cycle-safe).

    One recursive query walks down from the caller by the indexed `manager_id`: a rep
    with no reports costs one index probe, not a read of the whole organisation.
    """
    below = session.scalars(_reports_statement(), {"me": user.id, "org": user.org_id})
    reports: frozenset[str] = frozenset(below) - {user.id}
    return Scope(user.id, user.org_id, Role(user.role), reports)


@cache
def _reports_statement() -> Select[str]:
    """Everyone below :me in :org; UNION (not UNION ALL) ends the walk on a cycle."""
    below = (
        select(User.id)
        .where(User.manager_id == bindparam("me"), User.org_id == bindparam("org"))
        .cte("below", recursive=True)
    )
    below = below.union(
        select(User.id)
        .join(below, User.manager_id == below.c.id)
        .where(User.org_id == bindparam("org"))
    )
    return select(below.c.id)


def visible_accounts(scope: Scope) -> Select[tuple[str]]:
    """Ids of accounts owned by someone in scope or on a team someone in scope belongs to."""
    return visible_accounts_of(literal(scope.org_id), literal(sorted(scope.owners)))


def visible(record: type[Record] | AliasedClass[Record], scope: Scope) -> ColumnElement[bool]:
    """SQL condition: `record` (the table or an alias) is in the caller's read scope."""
    return visible_to(record, literal(scope.org_id), literal(sorted(scope.owners)))


def literal(value: Any) -> BindParameter[Any]:
    """An anonymous bound value; a list binds as an expanding IN list."""
    return bindparam(None, value, expanding=isinstance(value, list))


def visible_accounts_of(
    org_id: ColumnElement[Any], owners: BindParameter[Any]
) -> Select[tuple[str]]:
    """`visible_accounts` over SQL values (bound parameters let a statement be built once)."""
    account = aliased(Record)
    owned = select(account.id).where(
        account.entity == EntityKind.ACCOUNT.value,
        account.org_id == org_id,
        account.owner_id.in_(owners),
    )
    teams = (
        select(TeamAccount.account_id)
        .join(TeamMember, TeamMember.team_id == TeamAccount.team_id)
        .where(TeamMember.user_id.in_(owners))
    )
    return select(union(owned, teams).subquery().c[0])


def visible_to(
    record: type[Record] | AliasedClass[Record],
    org_id: ColumnElement[Any],
    owners: BindParameter[Any],
) -> ColumnElement[bool]:
    """`visible` over SQL values (bound parameters let a statement be built once)."""
    return and_(
        record.org_id == org_id,
        or_(
            record.entity.in_(ORG_WIDE),
            record.owner_id.in_(owners),
            record.account_id.in_(visible_accounts_of(org_id, owners)),
        ),
    )


def can_write_account(session: Session, scope: Scope, account_id: str) -> bool:
    """The caller owns the account or is on one of its teams (managers' reach is read-only)."""
    owner = session.scalar(
        select(Record.owner_id).where(
            Record.entity == EntityKind.ACCOUNT.value,
            Record.id == account_id,
            Record.org_id == scope.org_id,
        )
    )
    if owner is None:
        return False
    if owner == scope.user_id:
        return True
    on_team = exists().where(
        TeamAccount.account_id == account_id,
        TeamMember.team_id == TeamAccount.team_id,
        TeamMember.user_id == scope.user_id,
    )
    return bool(session.scalar(select(on_team)))


def account_owner(session: Session, account_id: str | None) -> str | None:
    if account_id is None:
        return None
    return session.scalar(
        select(Record.owner_id).where(
            Record.entity == EntityKind.ACCOUNT.value, Record.id == account_id
        )
    )
