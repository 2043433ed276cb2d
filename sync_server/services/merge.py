"""The database side of a merge: finding every record that refers to a merged record, and
giving the survivor the merged accounts' teams. The push applies the merge itself (see
`sync._merge`); the re-pointing rules are the client's (`sfa_desktop.core.rules.merge`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Text, cast, or_, select
from sqlalchemy.orm import Session

from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.rules.merge import references_to, refers_to
from sync_server.models import Record, TeamAccount

# Kinds that never point at a merged record, however their rows are keyed: the audit trail
# keeps naming the records it describes (it follows a moved record by `move_trail`).
_NOT_REFERRING = frozenset({EntityKind.AUDIT_ENTRY})


def _like(record_id: str) -> str:
    escaped = record_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def referring_rows(
    session: Session, org_id: str, kind: EntityKind, merged_ids: Sequence[str]
) -> list[Record]:
    """Live rows of the organisation, whoever's they are, that refer to a merged record.

    Account references are found by the rows' account key (which also finds the stage
    history of the accounts' opportunities, keyed by their opportunity's account) and, for
    the fields the key does not cover (a parent account, a converted lead), by the id in
    the stored JSON; contact references by the id in the stored JSON (ids are UUIDs, so
    a text match is specific; `refers_to` drops any stray hit). The merged records
    themselves are left out. Ordered so that an opportunity is saved before its stage
    history (whose account key follows the opportunity's).
    """
    ids = list(merged_ids)
    kinds = sorted(
        {ref.entity.value for ref in references_to(kind)} - {k.value for k in _NOT_REFERRING}
    )
    text = cast(Record.data, Text)
    mentions = or_(*(text.like(_like(i), escape="\\") for i in ids))
    live = (Record.org_id == org_id, Record.deleted.is_(False))
    if kind is EntityKind.ACCOUNT:
        keyed = Record.account_id.in_(ids) & Record.entity.not_in([k.value for k in _NOT_REFERRING])
        by_text = Record.entity.in_([EntityKind.ACCOUNT.value, EntityKind.LEAD.value]) & mentions
        condition = keyed | by_text
    else:
        condition = Record.entity.in_(kinds) & mentions
    rows = session.scalars(select(Record).where(*live, condition)).all()
    merged = set(ids)
    found = [
        row
        for row in rows
        if not (row.entity == kind.value and row.id in merged)
        and (
            refers_to(EntityKind(row.entity), row.data, merged)
            or (kind is EntityKind.ACCOUNT and row.account_id in merged)
        )
    ]
    return sorted(found, key=lambda row: (row.entity == EntityKind.STAGE_CHANGE.value, row.version))


def join_teams(session: Session, survivor_id: str, merged_ids: Sequence[str]) -> bool:
    """Put the survivor on every team of the merged accounts (their members keep seeing the
    history that moved to it); True if it joined a team it was not on. The merged accounts
    stay on their teams, so the members also receive their deletion."""
    rows = session.execute(
        select(TeamAccount.team_id, TeamAccount.account_id).where(
            TeamAccount.account_id.in_([survivor_id, *merged_ids])
        )
    ).all()
    current = {team for team, account in rows if account == survivor_id}
    joined = {team for team, account in rows if account != survivor_id} - current
    for team in sorted(joined):
        session.add(TeamAccount(team_id=team, account_id=survivor_id))
    if joined:
        session.flush()
    return bool(joined)


def live_plans(session: Session, org_id: str, account_id: str) -> list[Record]:
    """The account's plans that are not deleted."""
    return list(
        session.scalars(
            select(Record).where(
                Record.entity == EntityKind.ACCOUNT_PLAN.value,
                Record.org_id == org_id,
                Record.account_id == account_id,
                Record.deleted.is_(False),
            )
        )
    )


def account_rows(session: Session, account_id: str) -> list[Record]:
    """Every row keyed by the account (deleted ones too), the account first."""
    rows = session.scalars(
        select(Record).where(Record.account_id == account_id).order_by(Record.version)
    )
    return sorted(rows, key=lambda row: row.entity != EntityKind.ACCOUNT.value)
