"""The store encrypted at rest with SQLCipher: no plaintext on disk, a wrong key is a clear
error, and a plain file is encrypted in place without losing anything, even by a crash."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from index_check import index_problems
from store_keys import TEST_KEY

from sfa_desktop.core.entities import Account, Contact
from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.protocol import Change, ChangeOp
from sfa_desktop.store import Store, WrongStoreKey, encryption
from sfa_desktop.store.encryption import PLAIN_HEADER, is_plain, temp_path
from sfa_desktop.store.engine import RawConnection

NAME = "Quastlethwaite"
OTHER_KEY = bytes(range(32))
ROOT = Path(__file__).resolve().parents[2]


def _disk_bytes(path: Path) -> bytes:
    return b"".join(
        Path(f"{path}{suffix}").read_bytes()
        for suffix in ("", "-wal")
        if Path(f"{path}{suffix}").exists()
    )


def test_the_files_on_disk_hold_no_plaintext(store: Store) -> None:
    account = store.create(Account, {"name": "Fjordline Shipping"}).value
    store.create(Contact, {"last_name": NAME, "account_id": account.id})
    written = _disk_bytes(store.path)  # the main file and the WAL, while open
    assert Path(f"{store.path}-wal").exists()
    store.close()
    written += _disk_bytes(store.path)
    assert NAME.encode() not in written
    assert b"Fjordline" not in written
    assert PLAIN_HEADER not in written
    assert b"CREATE TABLE" not in written
    assert not is_plain(store.path)


def test_the_store_runs_with_its_pragmas_on_sqlcipher(store: Store) -> None:
    with store._engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA cipher_version").scalar().startswith("4.")


def test_a_wrong_or_missing_key_is_a_clear_error(store: Store) -> None:
    store.create(Contact, {"last_name": NAME})
    store.close()
    with pytest.raises(WrongStoreKey, match="cannot be opened with this key"):
        Store.open(store.path, key=OTHER_KEY)
    with pytest.raises(WrongStoreKey, match="is encrypted"):
        Store.open(store.path, key=None)
    with pytest.raises(ValueError, match="32 bytes"):
        Store.open(store.path, key=b"short")
    reopened = Store.open(store.path, key=TEST_KEY)  # nothing was changed by the attempts
    assert [c.last_name for c in reopened.records(Contact)] == [NAME]
    reopened.close()


def _plain_store_with_pending_work(path: Path) -> dict[str, object]:
    """A plain store (as before encryption) with a synced record, a pending outbox row,
    a sync cursor and an open WAL; returns what must survive."""
    store = Store.open(path, key=None)  # a plain file: what an older version left
    synced = Account(id="acc-synced", name="Harbour Freight", owner_id=None, version=4)
    change = Change(
        entity=synced.entity,
        entity_id=synced.id,
        op=ChangeOp.UPSERT,
        version=4,
        data=synced.model_dump(mode="json"),
    )
    store.apply_pull([change], next_since=41, first_download=True)
    store.finish_download()
    contact = store.create(Contact, {"last_name": NAME, "account_id": synced.id}).value
    seen = {
        "outbox": store.outbox_count(),
        "cursor": store.pull_cursor(),
        "contact": contact,
        "search": [hit.id for hit in store.search(NAME[:6])],
    }
    store.close()
    assert is_plain(path)
    return seen


def test_a_plain_store_is_encrypted_in_place_with_data_outbox_cursor_and_search(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    seen = _plain_store_with_pending_work(path)
    assert seen["outbox"] == 1
    assert seen["search"] == [seen["contact"].id]  # type: ignore[attr-defined]

    store = Store.open(path, key=TEST_KEY)
    assert not is_plain(path)
    assert NAME.encode() not in path.read_bytes()
    assert store.outbox_count() == 1
    assert store.pull_cursor() == 41
    assert store.get(Contact, seen["contact"].id) == seen["contact"]  # type: ignore[attr-defined]
    assert store.get(Account, "acc-synced").version == 4
    assert [hit.id for hit in store.search(NAME[:6])] == seen["search"]
    assert [hit.id for hit in store.search("harbour")] == ["acc-synced"]
    # The outbox numbering carries on (sqlite_sequence came along): no seq is reused.
    (before,) = store.pending_mutations()
    store.create(Account, {"name": "After"})
    assert [m.seq for m in store.pending_mutations()] == [before.seq, before.seq + 1]
    store.close()
    assert index_problems(path) == []
    assert _files(tmp_path) == ["old.db", "old.db.outbox"]  # no temp copy, no stale WAL


def test_a_plain_store_with_an_unflushed_wal_loses_nothing(tmp_path: Path) -> None:
    """A crash of the old version leaves rows only in the WAL: they are encrypted too."""
    path = tmp_path / "wal.db"
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from sfa_desktop.core.entities import Contact
        from sfa_desktop.store import Store
        store = Store.open(Path({str(path)!r}), key=None)
        store.create(Contact, {{"last_name": {NAME!r}}})
        os._exit(0)  # no close, no checkpoint
        """
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=120)
    assert Path(f"{path}-wal").stat().st_size > 0
    store = Store.open(path, key=TEST_KEY)
    assert [c.last_name for c in store.records(Contact)] == [NAME]
    assert store.outbox_count() == 1
    store.close()
    assert NAME.encode() not in _disk_bytes(path)


CRASH = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from sfa_desktop.store import Store, encryption
    point = sys.argv[2]

    def crash(*args, **kwargs):
        os._exit(9)

    if point == "replace":
        encryption.os.replace = crash
    else:
        setattr(encryption, point, crash)
    Store.open(Path(sys.argv[1]), key=bytes.fromhex(sys.argv[3]))
    """
)


@pytest.mark.parametrize(
    ("point", "encrypted_after"),
    [("fsync", False), ("_verify", False), ("replace", False), ("fsync_folder", True)],
)
def test_a_crash_while_encrypting_leaves_one_whole_database(
    tmp_path: Path, point: str, encrypted_after: bool
) -> None:
    """The process dies at each step: either the old plain file or the new encrypted one
    is there, complete; the next open finishes the job."""
    path = tmp_path / "store.db"
    seen = _plain_store_with_pending_work(path)
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH, str(path), point, TEST_KEY.hex()],
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert crashed.returncode == 9
    assert is_plain(path) is not encrypted_after
    if not encrypted_after:
        old = Store.open(path, key=None)  # the plain file is intact and opens as it was
        assert old.outbox_count() == 1
        assert old.get(Contact, seen["contact"].id) == seen["contact"]  # type: ignore[attr-defined]
        old.close()
        assert is_plain(path)
    store = Store.open(path, key=TEST_KEY)
    assert not is_plain(path)
    assert not temp_path(path).exists()
    assert store.outbox_count() == 1
    assert store.pull_cursor() == 41
    assert [hit.id for hit in store.search(NAME[:6])] == seen["search"]
    store.close()


def test_the_encrypted_copy_is_checked_before_it_replaces_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "store.db"
    seen = _plain_store_with_pending_work(path)
    counted = encryption._row_counts
    calls: list[None] = []

    def copy_short_of_a_row(connection: RawConnection) -> dict[str, int]:
        calls.append(None)
        counts = counted(connection)
        if len(calls) == 2:  # the copy (the first count is the original's)
            counts["outbox"] -= 1
        return counts

    monkeypatch.setattr(encryption, "_row_counts", copy_short_of_a_row)
    with pytest.raises(DomainError, match="failed its check"):
        Store.open(path, key=TEST_KEY)
    assert is_plain(path)
    assert _files(tmp_path) == ["store.db", "store.db.outbox"]  # the plain one's outbox copy
    monkeypatch.undo()
    store = Store.open(path, key=TEST_KEY)
    assert store.get(Contact, seen["contact"].id) == seen["contact"]  # type: ignore[attr-defined]
    store.close()


def test_destroy_removes_the_file_its_wal_and_a_leftover_temp(store: Store) -> None:
    store.create(Contact, {"last_name": NAME})
    temp_path(store.path).write_bytes(b"half an export")
    assert Path(f"{store.path}-wal").exists()
    store.destroy()
    assert _files(store.path.parent) == []


def _files(folder: Path) -> list[str]:
    """The files a test left in its folder (the test keyring's folder aside)."""
    return sorted(p.name for p in folder.iterdir() if p.name != "keyring")
