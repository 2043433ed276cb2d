"""The outbox copy beside the store: written in the same transaction as the outbox,
encrypted, brought level at open, and never taken for damage after an ordinary crash."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from store_keys import TEST_KEY

from sfa_desktop.core.entities import Account, User
from sfa_desktop.core.errors import InvalidRecord
from sfa_desktop.store import Store, outbox_copy

ROOT = Path(__file__).resolve().parents[2]
NAME = "Quillfeather Logistics"


def copied(path: Path) -> list[tuple[int, str]]:
    connection = outbox_copy.open_copy(path, TEST_KEY)
    try:
        return list(connection.execute("SELECT seq, mutation_id FROM outbox ORDER BY seq"))
    finally:
        connection.close()


def in_store(store: Store) -> list[tuple[int, str]]:
    return [(m.seq, m.mutation_id) for m in store.pending_mutations(10_000)]


def test_each_write_and_acknowledgement_reaches_the_copy_in_its_transaction(
    signed_in: Store,
) -> None:
    for i in range(3):
        signed_in.create(Account, {"name": f"{NAME} {i}"})
    with pytest.raises(InvalidRecord):
        signed_in.create(Account, {"name": ""})  # rolled back: in neither file
    assert copied(signed_in.path) == in_store(signed_in)
    assert len(copied(signed_in.path)) == 3
    signed_in.record_push([], in_store(signed_in)[1][0])
    assert copied(signed_in.path) == in_store(signed_in)
    copy = outbox_copy.read(signed_in.path, TEST_KEY)
    assert copy is not None
    assert copy.sign_in == {"user_id": signed_in.current_user_id()}
    assert NAME.encode() not in outbox_copy.copy_path(signed_in.path).read_bytes()


def test_a_copy_one_transaction_behind_is_brought_level_not_rescued(tmp_path: Path) -> None:
    """A crash between the store's commit and the copy's leaves the copy behind."""
    path = tmp_path / "store.db"
    store = Store.open(path, key=TEST_KEY)
    store.sign_in_as(User(id="u1", name="Una", email="una@example.com"))
    for i in range(4):
        store.create(Account, {"name": f"{NAME} {i}"})
    store.close()
    connection = outbox_copy.open_copy(path, TEST_KEY)
    connection.execute("DELETE FROM outbox WHERE seq = (SELECT max(seq) FROM outbox)")
    connection.close()

    again = Store.open(path, key=TEST_KEY)
    assert again.rescued is None
    assert copied(path) == in_store(again)
    again.close()


def test_a_lost_copy_is_made_again_from_the_store(signed_in: Store) -> None:
    signed_in.create(Account, {"name": NAME})
    signed_in.close()
    outbox_copy.copy_path(signed_in.path).unlink()
    again = Store.open(signed_in.path, key=TEST_KEY)
    assert again.rescued is None
    assert copied(again.path) == in_store(again)
    again.close()


def test_a_killed_writer_leaves_a_store_that_opens_without_a_rescue(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from sfa_desktop.core.entities import Account, User
        from sfa_desktop.store import Store
        store = Store.open(Path({str(path)!r}), key=bytes.fromhex({TEST_KEY.hex()!r}))
        store.sign_in_as(User(id="u1", name="Una", email="una@example.com"))
        for i in range(25):
            store.create(Account, {{"name": f"Edit {{i}}"}})
        os._exit(0)  # no close: the WAL is not folded in, the copy is as committed
        """
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=120)
    assert Path(f"{path}-wal").stat().st_size > 0
    store = Store.open(path, key=TEST_KEY)
    assert store.rescued is None
    assert [m.fields["name"] for m in store.pending_mutations()] == [f"Edit {i}" for i in range(25)]
    store.close()


def test_destroy_removes_the_copy(signed_in: Store) -> None:
    signed_in.create(Account, {"name": NAME})
    signed_in.destroy()
    assert sorted(p.name for p in signed_in.path.parent.iterdir() if p.name != "keyring") == []
