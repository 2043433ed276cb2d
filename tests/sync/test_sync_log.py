"""The client's log file (issue 23, point 7): syncs and errors are written to a rotating
file in the user's log folder, and nothing that looks like a token or key reaches it."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from sfa_desktop.app.app_log import BACKUPS, LOG_NAME, MAX_BYTES, start_logging
from sfa_desktop.sync.engine import SyncReport
from sfa_desktop.sync.errors import Offline, SyncError
from sfa_desktop.sync.scheduler import SyncScheduler


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = start_logging(tmp_path / "logs")
    yield path
    logger = logging.getLogger("sfa_desktop")
    for handler in list(logger.handlers):
        if Path(getattr(handler, "baseFilename", "")) == path:
            logger.removeHandler(handler)
            handler.close()


def _scheduler(outcome: SyncReport | Exception) -> SyncScheduler:
    def sync() -> SyncReport:
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return SyncScheduler(sync, pending=lambda: 0, publish=lambda _status: None)


def test_each_sync_is_logged_and_tokens_are_masked(log_file: Path) -> None:
    token = secrets.token_urlsafe(48)  # what a refresh token looks like
    _scheduler(SyncReport(pushed=2, pulled=7, conflicts=1, rejected=0)).run()
    _scheduler(SyncError(f"server refused refresh_token={token}")).run()
    _scheduler(Offline("the server could not be reached")).run()
    try:
        raise ValueError(f"device secret {secrets.token_hex(32)} rejected")
    except ValueError:
        logging.getLogger("sfa_desktop.app").exception("unexpected error")
    text = log_file.read_text(encoding="utf-8")
    where = "sfa_desktop.sync.scheduler"
    assert f"INFO {where}: synced: 2 pushed, 7 pulled, 1 conflicts, 0 refused" in text
    assert f"WARNING {where}: sync failed: server refused [masked]" in text
    assert f"INFO {where}: sync failed: the server could not be reached" in text
    assert "ValueError: device secret [masked] rejected" in text  # the traceback, masked
    assert token not in text
    assert log_file == log_file.parent / LOG_NAME


def test_the_log_is_rotated_and_kept_small(log_file: Path) -> None:
    logger = logging.getLogger("sfa_desktop.sync.scheduler")
    line = "x" * 20 + " " + "y" * 20  # short words: nothing to mask
    for _ in range(6 * MAX_BYTES // 80):
        logger.info(line)
    files = sorted(log_file.parent.iterdir())
    assert len(files) == 1 + BACKUPS  # the live file and 3 old ones, the rest dropped
    assert all(f.stat().st_size <= MAX_BYTES for f in files)
