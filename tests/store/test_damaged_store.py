"""A damaged local store keeps its unsynced edits and its sign-in (issue 14, point 6).

Each kind of damage is done to a store holding a sign-in, synced records and unsynced
edits, which is then opened the way the app and the commands open it (the key from
`store_key.load`, then `Store.open`). What was written is recorded by the test as it
writes (entity ids, fields, and the mutation id each write got), so the rescued outbox is
compared with that record, not with the store's own answer.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from store_keys import TEST_KEY, raw
from store_seeding import seed_records

from sfa_desktop.core.entities import Account, User
from sfa_desktop.core.errors import DomainError
from sfa_desktop.security import store_key
from sfa_desktop.store import Store, WrongStoreKey, integrity
from sfa_desktop.store.engine import connect
from sfa_desktop.store.outbox_copy import copy_path

PAGE = 4096
SIGN_IN = {"user_id": "user-rob", "server_url": "http://testserver", "username": "rob",
           "device_id": "device-1"}  # fmt: skip
ROB = User(id="user-rob", name="Rob Rep", email="rob@example.com")
PASSPHRASE = "correct horse battery"


@dataclass(frozen=True)
class Edit:
    """One unsynced write as the test made it: the mutation id the store gave it, and
    what it was about."""

    mutation_id: str
    op: str
    entity_id: str
    name: str | None


def write_store(path: Path, key: bytes, *, keep_wal: bool = False) -> list[Edit]:
    """A signed-in store with synced accounts and unsynced edits (create, update, delete)
    at `path`; with `keep_wal` the files are left as a crash leaves them, the edits only
    in the WAL. Returns the edits in the order they were made."""
    store = Store.open(path, key=key)
    synced = [Account(name=f"Synced {i}", version=i + 1, notes="n" * 300) for i in range(120)]
    seed_records(store, [ROB, *synced])
    store.sign_in_as(ROB)
    store.set_state(**{k: v for k, v in SIGN_IN.items() if k != "user_id"}, since="120")
    holder = None
    if keep_wal:  # a second connection keeps the WAL from being folded in at close
        store.close()
        store = Store.open(path, key=key)
        holder = connect(path, key)
        holder.execute("PRAGMA wal_autocheckpoint = 0")
    edits: list[Edit] = []

    def made(op: str, entity_id: str, name: str | None) -> None:
        edits.append(Edit(store.pending_mutations(10_000)[-1].mutation_id, op, entity_id, name))

    for i in range(9):
        created = store.create(Account, {"name": f"Edit {i}", "city": "Oslo"}).value
        made("upsert", created.id, f"Edit {i}")
    store.update(Account, synced[3].id, {"name": "Renamed 3"})
    made("upsert", synced[3].id, "Renamed 3")
    store.delete(Account, synced[5].id)
    made("delete", synced[5].id, None)
    store.close()
    if holder is not None:
        crash = path.with_name("crash")
        crash.mkdir()
        for file in path.parent.glob(f"{path.name}*"):
            shutil.copy(file, crash / file.name)
        holder.close()
        for file in path.parent.glob(f"{path.name}*"):
            file.unlink()
        for file in crash.iterdir():
            file.rename(path.with_name(file.name))
        crash.rmdir()
        assert Path(f"{path}-wal").stat().st_size > 0
    return edits


def flip(path: Path, offset: int, count: int = 16) -> None:
    data = bytearray(path.read_bytes())
    for i in range(offset, offset + count):
        data[i] ^= 0xA5
    path.write_bytes(bytes(data))


def root_page(path: Path, table: str) -> int:
    with raw(path) as connection:
        (page,) = connection.execute(
            "SELECT rootpage FROM sqlite_schema WHERE name = ?", (table,)
        ).fetchone()
    return int(page)


def flip_page(path: Path, table: str) -> None:
    """Flip bytes in the middle of the root page of `table` (SQLCipher's HMAC fails it)."""
    flip(path, (root_page(path, table) - 1) * PAGE + 900)


def flip_wal(path: Path) -> None:
    """Flip bytes in the last frames of the WAL: the last edits' transaction."""
    wal = Path(f"{path}-wal")
    flip(wal, wal.stat().st_size - 2500)


Damage = Callable[[Path], None]
DAMAGE: dict[str, tuple[bool, Damage]] = {  # kind -> (edits only in the WAL, damage)
    "truncated_in_header_page": (False, lambda p: os.truncate(p, 1500)),
    "truncated_mid_file": (False, lambda p: os.truncate(p, p.stat().st_size // 2 + 123)),
    "truncated_last_page": (False, lambda p: os.truncate(p, p.stat().st_size - 1000)),
    "flipped_header": (False, lambda p: flip(p, 20, 32)),
    "flipped_data_page": (False, lambda p: flip_page(p, "accounts")),
    "flipped_outbox_btree_page": (False, lambda p: flip_page(p, "outbox")),
    "flipped_wal": (True, flip_wal),
    "zero_bytes": (False, lambda p: os.truncate(p, 0)),
    "missing_wal_present_shm": (True, lambda p: Path(f"{p}-wal").unlink()),
}


def fingerprint(path: Path) -> dict[str, str]:
    """Hashes of the store file, its WAL and its outbox copy (what must be kept as is)."""
    files = [path, Path(f"{path}-wal"), copy_path(path)]
    return {
        f.name: hashlib.sha256(f.read_bytes()).hexdigest()
        for f in files
        if f.exists() and (f == path or f.stat().st_size)  # not an empty WAL opening made
    }


def reopen(path: Path, ask: store_key.Ask | None = None) -> Store:
    """The store as the app and the commands open it."""
    return Store.open(path, key=store_key.load(path, ask=ask, attempts=1).key)


def assert_kept(store: Store, edits: list[Edit]) -> None:
    """Every unsynced edit is in the outbox, in order, with its fields; and the sign-in."""
    pending = store.pending_mutations(10_000)
    assert [(m.mutation_id, m.op, m.entity_id) for m in pending] == [
        (e.mutation_id, e.op, e.entity_id) for e in edits
    ]
    assert [m.fields.get("name") for m in pending if m.op == "upsert"] == [
        e.name for e in edits if e.op == "upsert"
    ]
    assert all(m.fields["city"] == "Oslo" for m in pending[:9])
    assert [m.seq for m in pending] == sorted(m.seq for m in pending)
    assert {k: store.state(k) for k in SIGN_IN} == SIGN_IN
    assert store.current_user_id() == ROB.id


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_a_damaged_store_is_set_aside_and_its_edits_and_sign_in_are_kept(
    tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "store.db"
    keep_wal, damage = DAMAGE[kind]
    edits = write_store(path, TEST_KEY, keep_wal=keep_wal)
    store_key.remember(path, TEST_KEY)
    damage(path)
    damaged = fingerprint(path)

    store = reopen(path)

    rescue = store.rescued
    assert rescue is not None, "the damage went unnoticed"
    assert rescue.aside is not None
    assert rescue.aside.name.startswith("store.db.damaged-")
    kept = {name.replace("store.db", rescue.aside.name, 1): h for name, h in damaged.items()}
    assert fingerprint(rescue.aside) == kept  # the damaged files, as they were
    assert "\n" not in rescue.message
    assert rescue.message.count(". ") == 0
    assert f"your {len(edits)} unsynced edits and your sign-in were kept" in rescue.message
    assert_kept(store, edits)
    assert store.pull_cursor() == 0  # the rest downloads again
    assert store.integrity_problem() == ""
    store.create(Account, {"name": "After the rescue"})  # numbering carries on
    assert store.pending_mutations(10_000)[-1].seq == store.pending_mutations(10_000)[-2].seq + 1
    store.close()


def test_a_wrong_key_is_one_sentence_and_leaves_the_file_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    edits = write_store(path, TEST_KEY)
    store_key.remember(path, bytes(range(32)))  # the keyring holds another key
    before = fingerprint(path)
    with pytest.raises(WrongStoreKey) as raised:
        reopen(path)
    assert "\n" not in str(raised.value)
    assert fingerprint(path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "keyring") == [
        "store.db",
        "store.db.outbox",
    ]
    store_key.remember(path, TEST_KEY)  # the right key comes back: nothing was lost
    store = reopen(path)
    assert store.rescued is None
    assert_kept(store, edits)
    store.close()


@pytest.mark.usefixtures("no_keyring")
def test_a_damaged_salt_file_is_answered_by_its_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_key, "SCRYPT_N", 2**10)
    path = tmp_path / "store.db"
    key = store_key.load(path, ask=lambda _request: PASSPHRASE)
    edits = write_store(path, key.key)
    salt = store_key.salt_file(path)
    flip(salt, salt.read_text().index('"salt"') + 10, 4)  # another salt: another key
    damaged = salt.read_bytes()

    store = reopen(path, ask=lambda _request: PASSPHRASE)

    assert store.rescued is None  # the store itself was never damaged
    assert_kept(store, edits)
    store.close()
    assert salt.read_bytes() == store_key.salt_copy(path).read_bytes()  # mended
    (aside,) = tmp_path.glob("store.db.salt.damaged-*")
    assert aside.read_bytes() == damaged


def test_a_zero_byte_store_without_its_copy_is_reported_not_recreated(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    write_store(path, TEST_KEY)
    store_key.remember(path, TEST_KEY)
    copy_path(path).unlink()
    os.truncate(path, 0)

    store = reopen(path)

    assert store.rescued is not None
    assert "was empty (0 bytes)" in store.rescued.message
    assert "nothing in it could be kept" in store.rescued.message
    assert store.rescued.aside is not None
    assert store.rescued.aside.stat().st_size == 0
    store.close()


def test_without_the_copy_every_readable_outbox_row_is_salvaged(tmp_path: Path) -> None:
    """A damaged data page elsewhere: the outbox and sign-in are read from the file."""
    path = tmp_path / "store.db"
    edits = write_store(path, TEST_KEY)
    store_key.remember(path, TEST_KEY)
    copy_path(path).unlink()
    DAMAGE["flipped_data_page"][1](path)

    store = reopen(path)

    assert store.rescued is not None
    assert store.rescued.complete
    assert_kept(store, edits)
    store.close()


def test_a_damaged_outbox_without_its_copy_keeps_what_it_can_and_asks_for_a_sign_in(
    tmp_path: Path,
) -> None:
    """Some edits may be lost, so the seqs cannot be trusted under the same device: the
    user is kept (nobody else can sign in over the edits), the device is dropped."""
    path = tmp_path / "store.db"
    write_store(path, TEST_KEY)
    store_key.remember(path, TEST_KEY)
    copy_path(path).unlink()
    DAMAGE["flipped_outbox_btree_page"][1](path)

    store = reopen(path)

    assert store.rescued is not None
    assert not store.rescued.complete
    assert "sign in" in store.rescued.message
    assert store.current_user_id() == ROB.id
    assert store.state("device_id") is None
    assert store.state("server_url") is None
    store.close()


def test_a_large_store_is_checked_fully_by_its_first_sync_and_rescued_at_the_next_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past FULL_CHECK_AT_OPEN only the kept tables are checked at open; damage elsewhere
    is found by the check before a sync reports success, and the next open rescues."""
    monkeypatch.setattr(integrity, "FULL_CHECK_AT_OPEN", 0)
    path = tmp_path / "store.db"
    edits = write_store(path, TEST_KEY)
    store_key.remember(path, TEST_KEY)
    DAMAGE["flipped_data_page"][1](path)

    store = reopen(path)
    assert store.rescued is None
    problem = store.integrity_problem()
    assert problem.startswith("The local database store.db ")
    assert "it is rescued into a new one" in problem
    assert "\n" not in problem
    store.close()

    again = reopen(path)
    assert again.rescued is not None
    assert_kept(again, edits)
    again.close()


def test_a_missing_store_with_its_copy_is_rescued_from_the_copy(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    edits = write_store(path, TEST_KEY)
    store_key.remember(path, TEST_KEY)
    path.unlink()
    store = reopen(path)
    assert store.rescued is not None
    assert "was missing" in store.rescued.message
    assert_kept(store, edits)
    store.close()


def test_open_errors_are_domain_errors(tmp_path: Path) -> None:
    """A file that is no store at all is reported, not raised as a database error."""
    path = tmp_path / "store.db"
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(5000))
    with pytest.raises(DomainError) as raised:
        Store.open(path, key=TEST_KEY)
    assert "\n" not in str(raised.value)
