"""The Store's mailbox side: connected mailboxes, where each watched folder's last check
stopped, which messages this device captured or was told not to log, and one transaction
per check that writes the captured activities (through the outbox, like any edit)
together with that bookkeeping."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from sfa_desktop.core.entities import Activity, utcnow
from sfa_desktop.core.enums import OPEN_STAGES
from sfa_desktop.core.errors import DomainError, NotFound
from sfa_desktop.core.rules.mail_keys import message_key
from sfa_desktop.store.batch import Create, write_batch
from sfa_desktop.store.changes import Changes
from sfa_desktop.store.mail_schema import MailAccountRow, MailFolderRow, MailMessageRow
from sfa_desktop.store.schema import ActivityRow, ContactRow, OpportunityRow
from sfa_desktop.store.store_base import StoreBase

CAPTURED, DROPPED = "captured", "dropped"
REVIEW, ACTIVE = "review", "active"


@dataclass(frozen=True)
class MailAccount:
    """A connected IMAP mailbox; `state` is "review" until the rep accepted the first-run
    review, then "active"."""

    id: str
    host: str
    port: int
    security: str
    username: str
    address: str
    folders: tuple[str, ...]
    never_capture: tuple[str, ...]
    state: str
    since: datetime
    last_check_at: datetime | None
    last_error: str


@dataclass(frozen=True)
class FolderPlace:
    """Where the last check of a folder stopped: the folder's UIDVALIDITY, the highest UID
    seen, and its HIGHESTMODSEQ when the server offers CONDSTORE."""

    uidvalidity: int | None = None
    last_uid: int = 0
    highest_modseq: int | None = None


@dataclass(frozen=True)
class Captured:
    """One message to log: its key (see mail capture), Message-ID and the activities it
    makes (one per account; each with its deterministic id)."""

    key: str
    message_id: str
    activities: tuple[dict[str, Any], ...]


@dataclass
class MailBatch:
    """What one check writes, all in one transaction."""

    captured: list[Captured] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (key, Message-ID)
    places: dict[str, FolderPlace] = field(default_factory=dict)
    account: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MailWrite:
    """What a batch wrote: activities created, and messages left alone because this
    device (or, by the record id, another one) had logged them before."""

    created: int
    already: int
    changes: Changes


@dataclass(frozen=True)
class Directory:
    """What capture matches addresses against: each contact's address and account, and
    the open opportunities of each account."""

    contacts: dict[str, list[tuple[str, str | None]]]  # address -> [(contact id, account id)]
    # account id -> [(opportunity id, its primary contact id)], open ones only
    open_opportunities: dict[str, list[tuple[str, str | None]]]


class MailSide(StoreBase):
    """Mailbox connections and their captures."""

    def mail_accounts(self) -> list[MailAccount]:
        with self._read() as session:
            rows = session.scalars(select(MailAccountRow).order_by(MailAccountRow.host))
            return [_account(row) for row in rows]

    def mail_account(self, account_id: str) -> MailAccount:
        with self._read() as session:
            row = session.get(MailAccountRow, account_id)
            if row is None:
                raise NotFound("mailbox", account_id)
            return _account(row)

    def add_mail_account(
        self,
        host: str,
        port: int,
        security: str,
        username: str,
        address: str,
        folders: Sequence[str],
        never_capture: Sequence[str],
        since: datetime,
    ) -> MailAccount:
        """Connect a mailbox, waiting for its first-run review (nothing is captured yet)."""
        with self._write() as writer:
            session = writer.session
            taken = session.scalar(
                select(MailAccountRow.id).where(
                    MailAccountRow.host == host, MailAccountRow.username == username
                )
            )
            if taken is not None:
                raise DomainError(f"the mailbox {username} at {host} is connected already")
            row = MailAccountRow(
                id=str(uuid.uuid4()),
                host=host,
                port=port,
                security=security,
                username=username,
                address=address,
                folders=list(folders),
                never_capture=list(never_capture),
                state=REVIEW,
                since=since,
                last_check_at=None,
                last_error="",
            )
            session.add(row)
            session.flush()
            return _account(row)

    def update_mail_account(self, account_id: str, **values: Any) -> MailAccount:
        """Change a mailbox's settings (folders, never_capture, …); moving to other
        folders forgets where the old ones stopped."""
        with self._write() as writer:
            row = writer.session.get(MailAccountRow, account_id)
            if row is None:
                raise NotFound("mailbox", account_id)
            for name, value in values.items():
                if name in ("folders", "never_capture"):
                    value = list(value)
                setattr(row, name, value)
            writer.session.flush()
            return _account(row)

    def remove_mail_account(self, account_id: str) -> None:
        """Disconnect a mailbox; what it captured stays logged."""
        with self._write() as writer:
            writer.session.execute(delete(MailAccountRow).where(MailAccountRow.id == account_id))

    def mail_places(self, account_id: str) -> dict[str, FolderPlace]:
        with self._read() as session:
            rows = session.scalars(
                select(MailFolderRow).where(MailFolderRow.account_id == account_id)
            )
            return {
                row.name: FolderPlace(row.uidvalidity, row.last_uid, row.highest_modseq)
                for row in rows
            }

    def mail_seen(self, keys: Iterable[str]) -> dict[str, str]:
        """The status ("captured" or "dropped") of the messages among `keys` this device
        dealt with before."""
        wanted = list(set(keys))
        found: dict[str, str] = {}
        with self._read() as session:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                query = select(MailMessageRow.key, MailMessageRow.status).where(
                    MailMessageRow.key.in_(chunk)
                )
                found.update((row[0], row[1]) for row in session.execute(query))
        return found

    def mail_directory(self) -> Directory:
        """Every contact address (lower case) with its contact and account, and the open
        opportunities per account, in two queries."""
        contacts: dict[str, list[tuple[str, str | None]]] = {}
        opportunities: dict[str, list[tuple[str, str | None]]] = {}
        with self._read() as session:
            people = select(ContactRow.id, ContactRow.email, ContactRow.account_id).where(
                ContactRow.email.is_not(None)
            )
            for contact_id, email, account_id in session.execute(people):
                if email:
                    contacts.setdefault(email.lower(), []).append((contact_id, account_id))
            deals = (
                select(
                    OpportunityRow.id, OpportunityRow.account_id, OpportunityRow.primary_contact_id
                )
                .where(OpportunityRow.stage.in_([stage.value for stage in OPEN_STAGES]))
                .order_by(OpportunityRow.id)
            )
            for opportunity_id, deal_account, primary in session.execute(deals):
                opportunities.setdefault(deal_account, []).append((opportunity_id, primary))
        return Directory(contacts, opportunities)

    def mail_apply(self, account_id: str, batch: MailBatch) -> MailWrite:
        """Write one check: the captured activities (each through the outbox), the
        messages not to log, the folders' places and the mailbox's state, all or none.

        A message this device dealt with before is left alone, and so is an activity whose
        id exists already (another device logged the same message and it synced here)."""
        created = already = 0
        with self._write() as writer:
            session = writer.session
            keys = [c.key for c in batch.captured] + [key for key, _ in batch.dropped]
            seen = set(
                session.scalars(select(MailMessageRow.key).where(MailMessageRow.key.in_(keys)))
            )
            wanted = [f["id"] for c in batch.captured for f in c.activities]
            existing = set(
                session.scalars(select(ActivityRow.id).where(ActivityRow.id.in_(wanted)))
            )
            creates = []
            for capture in batch.captured:
                if capture.key in seen:
                    already += 1
                    continue
                seen.add(capture.key)
                ids = []
                for fields in capture.activities:
                    ids.append(fields["id"])
                    if fields["id"] in existing:
                        already += 1
                        continue
                    existing.add(fields["id"])
                    creates.append(Create(Activity, fields))
                session.add(_message_row(capture.key, capture.message_id, CAPTURED, ids))
            created = write_batch(writer, creates, 500).created if creates else 0
            for key, message_id in batch.dropped:
                if key not in seen:
                    seen.add(key)
                    session.add(_message_row(key, message_id, DROPPED, []))
            for name, place in batch.places.items():
                session.merge(
                    MailFolderRow(
                        account_id=account_id,
                        name=name,
                        uidvalidity=place.uidvalidity,
                        last_uid=place.last_uid,
                        highest_modseq=place.highest_modseq,
                    )
                )
            if batch.account:
                row = session.get(MailAccountRow, account_id)
                if row is None:
                    raise NotFound("mailbox", account_id)
                for name, value in batch.account.items():
                    setattr(row, name, value)
            return MailWrite(created, already, writer.changes)

    def drop_captured_mail(self, activity_id: str) -> Changes:
        """\"Don't log this": delete every activity of the captured email `activity_id` (one
        per account) and remember its Message-ID, so no later check logs it again."""
        with self._write() as writer:
            session = writer.session
            activity = writer.get(Activity, activity_id)
            if not activity.message_id:
                raise DomainError("this activity is not a captured email")
            ids = list(
                session.scalars(
                    select(ActivityRow.id).where(ActivityRow.message_id == activity.message_id)
                )
            )
            for found in ids:
                writer.delete(Activity, found)
            row = session.scalar(
                select(MailMessageRow).where(MailMessageRow.message_id == activity.message_id)
            )
            if row is None:
                row = _message_row(message_key(activity.message_id), activity.message_id, "", [])
                session.add(row)
            row.status, row.activity_ids = DROPPED, []
            return writer.changes


def _message_row(key: str, message_id: str, status: str, ids: list[str]) -> MailMessageRow:
    return MailMessageRow(
        key=key, message_id=message_id, status=status, activity_ids=ids, seen_at=utcnow()
    )


def _account(row: MailAccountRow) -> MailAccount:
    return MailAccount(
        id=row.id,
        host=row.host,
        port=row.port,
        security=row.security,
        username=row.username,
        address=row.address,
        folders=tuple(row.folders),
        never_capture=tuple(row.never_capture),
        state=row.state,
        since=row.since,
        last_check_at=row.last_check_at,
        last_error=row.last_error,
    )
