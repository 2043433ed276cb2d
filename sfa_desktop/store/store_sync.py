"""The Store's sync side: the outbox, device state, applying pulled pages and push answers,
and the conflict inbox."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import Change, Mutation, MutationResult
from sfa_desktop.store import conflicts, remote
from sfa_desktop.store import pull_writer as writers
from sfa_desktop.store.changes import Changes
from sfa_desktop.store.conflicts import Conflict
from sfa_desktop.store.references import BULK_LOAD_KEY
from sfa_desktop.store.remote import PreparedPage
from sfa_desktop.store.schema import OutboxRow, SyncStateRow
from sfa_desktop.store.store_base import StoreBase


class SyncSide(StoreBase):
    """What the sync engine reads and writes."""

    def outbox_count(self) -> int:
        with self._read() as session:
            return session.scalar(select(func.count()).select_from(OutboxRow)) or 0

    def pending_mutations(self, limit: int = 500) -> list[Mutation]:
        """The oldest unacknowledged local writes, in write order."""
        with self._read() as session:
            rows = session.scalars(select(OutboxRow).order_by(OutboxRow.seq).limit(limit))
            return [
                Mutation(
                    seq=row.seq,
                    mutation_id=row.mutation_id,
                    entity=EntityKind(row.entity),
                    entity_id=row.entity_id,
                    op=row.op,
                    fields=row.fields,
                    base_version=row.base_version,
                    merged_ids=row.merged_ids,
                )
                for row in rows
            ]

    def state(self, key: str) -> str | None:
        """A fact about this device (device id, pull cursor, last sync time)."""
        with self._read() as session:
            return self._state(session, key)

    def set_state(self, **values: str | None) -> None:
        with Session(self._writer_engine) as session, session.begin():
            for key, value in values.items():
                if value is None:
                    session.execute(delete(SyncStateRow).where(SyncStateRow.key == key))
                else:
                    session.merge(SyncStateRow(key=key, value=value))

    def pull_cursor(self) -> int:
        return int(self.state("since") or 0)

    def apply_pull(
        self,
        changes: PreparedPage | Sequence[Change],
        next_since: int,
        *,
        first_download: bool = False,
        began: int | None = None,
    ) -> Changes:
        """Apply one pulled page and move the cursor past it, in one transaction.

        Pages of a `first_download` are not indexed for search one row at a time:
        `finish_download` indexes them all once the download has caught up. `began` (the
        server version the download began at) is kept with the cursor."""
        with Session(self._writer_engine) as session, session.begin():
            return self.apply_page(session, changes, next_since, first_download, began)

    def apply_page(
        self,
        session: Session,
        changes: PreparedPage | Sequence[Change],
        next_since: int,
        first_download: bool,
        began: int | None,
    ) -> Changes:
        """Write one pulled page and its cursor in `session`'s transaction: the one place
        pulled pages are written (by `apply_pull` and by the pull writer)."""
        return remote.apply_page(session, changes, next_since, first_download, began)

    def pull_writer(self, *, first_download: bool, began: int | None = None) -> writers.PullWriter:
        """A writer for the pages of one pull, committed a few pages at a time during a
        first download (see PullWriter) and page by page otherwise."""
        every = writers.DOWNLOAD_COMMIT_RECORDS if first_download else 0
        return writers.PullWriter(
            self._writer_engine, first_download, began, every, write=self.apply_page
        )

    def download_began(self) -> int | None:
        """The server version the download in progress began at (None: unknown)."""
        value = self.state(remote.DOWNLOAD_BEGAN_KEY)
        return int(value) if value is not None else None

    def download_unfinished(self) -> bool:
        """A first download began (its pages are not all indexed for search yet)."""
        return self.state(BULK_LOAD_KEY) is not None

    def finish_download(self) -> Changes:
        """Index what a first download inserted; a no-op when none is in progress."""
        with Session(self._writer_engine) as session, session.begin():
            return remote.finish_download(session)

    def record_push(self, results: Sequence[MutationResult], last_seq: int) -> Changes:
        """Drop acknowledged outbox rows, stamp server versions, keep lost values as conflicts.

        A merge the server refused (or answered as a duplicate, its first answer lost) sets
        the pull cursor back to 0 with the downloaded records forgotten: the sync's pull
        then downloads the scope again, undoing the local merge if the server did not make it.
        """
        with Session(self._writer_engine) as session, session.begin():
            touched = remote.record_results(session, results)
            redownload = remote.unsettled_merges(session, results)
            session.execute(delete(OutboxRow).where(OutboxRow.seq <= last_seq))
            if redownload:
                # A merge the server may not have made: download the scope again (pending
                # edits stay) to get back what the local merge deleted and re-pointed.
                touched |= remote.clear_synced_data(session)
                session.merge(SyncStateRow(key="since", value="0"))
            return touched

    def reset_for_download(self) -> Changes:
        """Forget downloaded records (pending edits stay) so the whole scope comes again."""
        with Session(self._writer_engine) as session, session.begin():
            touched = remote.clear_synced_data(session)
            session.merge(SyncStateRow(key="since", value="0"))
            return touched

    def conflicts(self, include_resolved: bool = False) -> list[Conflict]:
        with self._read() as session:
            return conflicts.conflicts(session, include_resolved)

    def restore_conflict(self, conflict_id: str) -> Changes:
        """Put the value that lost a conflict back (a normal edit that syncs)."""
        with self._write() as writer:
            conflicts.restore_conflict(writer, conflict_id)
            return writer.changes

    def dismiss_conflict(self, conflict_id: str) -> Changes:
        with self._write() as writer:
            conflicts.resolve_conflict(writer.session, conflict_id, writer.now)
            return Changes(conflicts=True)
