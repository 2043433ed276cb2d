"""Pulled pages written in transactions of several pages during a first download."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sfa_desktop.store import remote
from sfa_desktop.store.changes import Changes
from sfa_desktop.store.remote import PreparedPage

# Records a first download writes per transaction. Each commit writes every page the
# transaction changed to the WAL, and pages of random-id indexes (the primary keys, the
# audit entries' record index) are changed again by each pulled page: committing each
# 5,000-record page wrote those index pages once per page, a cost that grows with the
# store (43 commits at 214k records: 1.9 s of 4.6 s of apply CPU). Four pages per commit
# keep a writer waiting behind the download under a second.
DOWNLOAD_COMMIT_RECORDS = 20_000

# Writes one page with its cursor in the caller's session (remote.apply_page, or the
# store's `apply_page`, which tests and benchmarks override to watch or change it).
PageWrite = Callable[[Session, PreparedPage, int, bool, "int | None"], Changes]


class PullWriter:
    """Applies pulled pages in order, each with the cursor after it, committing every
    `commit_records` records (every page when 0) and when closed.

    A crash loses at most the uncommitted pages and their cursor: the next sync pulls
    them again. A page that fails to apply rolls back the pages not yet committed with it
    (their cursor too), so the store never holds part of a page."""

    def __init__(
        self,
        engine: Engine,
        first_download: bool,
        began: int | None,
        commit_records: int,
        write: PageWrite = remote.apply_page,
    ) -> None:
        self._engine = engine
        self._write = write
        self._first_download = first_download
        self._began = began
        self._commit_records = commit_records
        self._session: Session | None = None
        self._records = 0

    def apply(self, page: PreparedPage, next_since: int) -> Changes:
        """Apply one page and move the cursor past it (committed now or later)."""
        if self._session is None:
            self._session = Session(self._engine)
            self._session.begin()
        try:
            changes = self._write(
                self._session, page, next_since, self._first_download, self._began
            )
        except BaseException:
            self._discard()
            raise
        self._records += len(page)
        if self._records >= self._commit_records:
            self.commit()
        return changes

    def commit(self) -> None:
        """Commit the pages applied so far."""
        if self._session is not None:
            session, self._session, self._records = self._session, None, 0
            try:
                session.commit()
            finally:
                session.close()

    def _discard(self) -> None:
        if self._session is not None:
            session, self._session, self._records = self._session, None, 0
            session.rollback()
            session.close()

    def __enter__(self) -> PullWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        # Pages applied whole are kept even when a later fetch or check failed: a rep on
        # a flaky link keeps what arrived.
        self.commit()
