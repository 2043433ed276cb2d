"""End to end under SIGKILL: a real `sfa-server` process killed again and again while two
reps (three devices) edit offline and sync and a manager (two devices) follows, plus
device processes killed mid-push and mid-pull; checked against an independent model.

The reps create accounts and contacts, edit the same fields on several devices, delete
and merge; an admin reassigns accounts with `sfa-server admin reassign-account`. The
server is SIGKILLed (on SQLite and on PostgreSQL) by a timer at a random point of a sync
(handshake, refresh, push, pull), right after it committed a push and before its answer
left, and between syncs; each time it starts again on its port and the interrupted
device syncs first (see tests/sync_model.py on commits whose answer never came). Once
during the run a device process (`python tests/kill_kit.py`) is SIGKILLed after its
first push batch of 1,250 creates was acknowledged, and a manager's new device process
after the first page of its download (edits made while it downloaded): each store opens
without a rescue, its outbox holds exactly the unacknowledged writes, and the next sync
finishes (the download resuming where it stopped).

At the end, after two quiet rounds of syncs: no mutation lost or processed twice, the
server and every device hold exactly what the model predicts, every conflict filed and
every refusal is in its device's inbox once. The counts are printed.

CI kills each server 10 times (about a minute for both databases on a quiet two-core
machine); `SFA_SOAK=1` kills it 100 times, `SFA_SOAK=N` N times. The run follows its seed
(printed; `SFA_KILL_SEED` sets it); when the timer fires depends on the machine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from kill_run import SEED, KillRun
from pg_schema import fresh_schema, require_pg


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'server.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    require_pg()
    with fresh_schema("sfa_kill") as url:
        yield url


def test_sigkills_on_sqlite(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _play(sqlite_url, tmp_path, "SQLite", capsys)


@pytest.mark.postgres
def test_sigkills_on_postgresql(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _play(postgres_url, tmp_path, "PostgreSQL", capsys)


def _play(database_url: str, folder: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    started = time.monotonic()
    run = KillRun(database_url, folder, SEED)
    try:
        run.play()
        counts = run.check()
    finally:
        run.close()
    counts["seconds"] = round(time.monotonic() - started, 1)
    with capsys.disabled():  # the counts show in every run's output
        said = ", ".join(f"{what} {count}" for what, count in counts.items())
        print(f"\nkill test on {name} (seed {SEED}): {said}")
