"""The kill test's run: a real server process SIGKILLed at random points while real
device processes sync (tests/e2e/test_e2e_kill.py drives it; tests/kill_kit.py is the
device side)."""

from __future__ import annotations

import collections
import json
import os
import queue
import random
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from index_check import index_problems
from kill_kit import (
    FAST_RETRY,
    PUSH,
    ChildSpec,
    KillableServer,
    WireTap,
    head_reader,
    inbox,
    load_session,
    read_observations,
    rescued,
    same,
    save_session,
)
from sqlalchemy import select
from sqlalchemy.orm import Session
from store_keys import TEST_KEY
from sync_fixtures import PASSWORD, seed_acme_users
from sync_model import SyncModel

from sfa_desktop.core.entities import MODELS, Account, Contact
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.store import Store, batch
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.sync.errors import SyncError
from sync_server.models import Record as ServerRecord

SOAK = os.environ.get("SFA_SOAK", "")
KILLS = (int(SOAK) if SOAK.isdigit() and int(SOAK) > 1 else 100) if SOAK else 10
SEED = int(os.environ.get("SFA_KILL_SEED") or (random.randrange(10**6) if SOAK else 14))
DEVICES = (("rob", "laptop"), ("rob", "desktop"), ("ria", "laptop"), ("mia", "laptop"))
TABLET = ("mia", "tablet")  # first syncs in a process killed mid-download
WRITERS = (0, 1, 2)  # the reps' devices; the manager's read (the tablet writes once)
FIELDS = ("city", "industry", "segment")
WORDS = ("North", "South", "East", "West", "Alpha", "Beta", "Gamma")
BULK_ACCOUNTS, CONTACTS_EACH = 250, 4  # the push the device process dies in
# The first kills: a commit whose answer never left, a random point of a sync, and idle.
FIRST_KILLS = ("answer", "timer", "between")
CHILD = (sys.executable, str(Path(__file__).parent / "kill_kit.py"))


class KillRun:
    def __init__(self, database_url: str, folder: Path, seed: int) -> None:
        self.folder = folder
        self.database_url = database_url
        self.rng = random.Random(seed)
        self.server = KillableServer(
            {
                "SFA_DATABASE_URL": database_url,
                "SFA_SECRET_KEY": "kill-test-secret-0123456789abcdef012345",
                "SFA_ACCESS_TOKEN_SECONDS": "10",  # refreshes happen, and get killed too
                "SFA_PASSWORD_TIME_COST": "1",
                "SFA_PASSWORD_MEMORY_KIB": "1024",
            }
        )
        self.server.start()
        self.server_engine, self.head = head_reader(database_url)
        self.user_ids = self._seed_users()
        self.counts: collections.Counter[str] = collections.Counter()
        self.issued: set[str] = set()  # mutation ids the devices made
        self.created: set[str] = set()  # accounts the reps created
        self.killed: str | None = None  # what the last kill interrupted
        self.syncing = False
        self.lock = threading.Lock()
        self.taps: list[WireTap] = []
        self.devices: list[SyncAccount] = []
        for index, (username, device_name) in enumerate((*DEVICES, TABLET)):
            tap = WireTap(self._observe)
            store = Store.open(self._store_path(index), key=TEST_KEY)
            device = SyncAccount(store, Credentials(persistent=False), transport=tap)
            device.sign_in(self.server.url, username, PASSWORD, device_name)
            device.client().retry = FAST_RETRY
            self.taps.append(tap)
            self.devices.append(device)
        self.active = list(range(len(DEVICES)))  # the tablet joins once it downloaded
        self.sync_seconds = [0.2] * len(self.devices)  # how long its last sync took
        users = [username for username, _ in (*DEVICES, TABLET)]
        self.model = SyncModel(
            {
                d.store.state("device_id") or "": self.user_ids[u]
                for d, u in zip(self.devices, users, strict=True)
            },
            {self.user_ids["mia"]: {self.user_ids["rob"], self.user_ids["ria"]}},
            unseen_commits=True,
        )

    def _seed_users(self) -> dict[str, str]:
        """Org acme: mia manages the reps rob and ria."""
        with Session(self.server_engine) as session:
            return seed_acme_users(session)

    def _store_path(self, index: int) -> Path:
        username, device_name = (*DEVICES, TABLET)[index]
        return self.folder / f"{username}-{device_name}.db"

    def _observe(self, request: httpx.Request, response: httpx.Response) -> None:
        """Every push the server answered goes to the model, with the version counter."""
        if request.url.path == PUSH and response.status_code == 200:
            encoding = request.headers.get("content-encoding")
            self.model.observe(request.content, encoding, response.content, self.head())

    def _issued(self, index: int) -> None:
        store = self.devices[index].store
        self.issued |= {m.mutation_id for m in store.pending_mutations(100_000)}

    # -- the run ----------------------------------------------------------------------

    def play(self) -> None:
        client_kills_done = False
        for round_number in range(KILLS * 10):  # a bound; ends once enough kills were made
            if self.counts["server kills"] >= KILLS and client_kills_done:
                break
            self.counts["rounds"] += 1
            for _write in range(self.rng.randint(1, 5)):
                self._write()
            if self.rng.random() < 0.04 or round_number == 5:
                self._reassign()
            if not client_kills_done and self.counts["server kills"] >= KILLS // 2:
                self._kill_device_mid_push()
                self._kill_device_mid_download()
                client_kills_done = True
            self._sync_round()
        else:
            raise AssertionError(f"only {self.counts['server kills']} kills in the rounds")
        for _round in range(2):  # quiet: everything arrives everywhere
            for index in self.active:
                self._sync(index)

    def _sync_round(self) -> None:
        kills = self.counts["server kills"]
        if kills < len(FIRST_KILLS):
            mode = FIRST_KILLS[kills]
        else:
            mode = self.rng.choices(["none", "timer", "answer", "between"], [5, 4, 1, 1])[0]
        index = self.rng.choice(self.active)
        if mode == "answer":
            pending = [i for i in WRITERS if self.devices[i].store.outbox_count()]
            if not pending:
                self._write()
                pending = [i for i in WRITERS if self.devices[i].store.outbox_count()]
            if not pending:
                mode = "timer"
            else:
                index = self.rng.choice(pending)
        if mode == "between":
            self._kill("between syncs")
            self._restart()
            index = self.rng.choice(self.active)
            mode = "none"
        self._sync(index, mode)

    def _sync(self, index: int, mode: str = "none") -> None:
        """A sync; with "timer" the server is killed at a random point of it (if it has
        not finished by then), with "answer" right after it committed the device's next
        push, before the answer left."""
        tap, timer = self.taps[index], None
        if mode == "timer":
            delay = self.rng.uniform(0, self.sync_seconds[index])
            timer = threading.Timer(delay, self._kill_mid_sync, args=(tap,))
        elif mode == "answer":
            tap.cut_next_push = lambda: self._kill("push answered")
        started = time.monotonic()
        failure: SyncError | None = None
        self.syncing = True
        try:
            if timer is not None:
                timer.start()
            self.devices[index].engine().run_once()
        except SyncError as error:
            failure = error
        finally:
            with self.lock:
                self.syncing = False
            if timer is not None:
                timer.cancel()
                timer.join()
            tap.cut_next_push = None
        if self.killed is not None:
            self._restart()
            self._sync(index)  # the interrupted device first (its unseen commit)
            return
        assert failure is None, f"a sync failed with the server up: {failure}"
        if mode == "timer":
            self.counts["timers too late"] += 1
        self.sync_seconds[index] = time.monotonic() - started

    def _kill_mid_sync(self, tap: WireTap) -> None:
        with self.lock:  # the sync has not returned yet
            if self.syncing:
                self._kill("+".join(tap.in_flight()) or "client work")

    def _kill(self, interrupted: str) -> None:
        self.server.kill()
        self.killed = interrupted

    def _restart(self) -> None:
        self.counts["server kills"] += 1
        self.counts[f"kills during {self.killed}"] += 1
        self.killed = None
        self.server.start()

    # -- what reps and admins do ------------------------------------------------------

    def _write(self) -> None:
        kind = self.rng.choices(
            ["create", "edit", "everywhere", "contact", "delete", "merge", "merge contacts"],
            [2, 4, 5, 2, 2, 1, 1],
        )[0]
        index = self.rng.choice(WRITERS)
        store = self.devices[index].store
        held = [a for a in store.ids(Account) if a in self.created]  # not the bulk ones
        if kind == "create" or not held:
            name = self.rng.choice(WORDS)
            self.created.add(store.create(Account, {"name": f"{name} Co"}).value.id)
        elif kind == "edit":
            store.update(Account, self.rng.choice(held), {self._field(): self.rng.choice(WORDS)})
        elif kind == "everywhere":  # the same field on every rep's device holding it
            held_by = {i: set(self.devices[i].store.ids(Account)) for i in WRITERS}
            shared = [a for a in sorted(self.created) if sum(a in held_by[i] for i in WRITERS) > 1]
            account, field = self.rng.choice(shared or held), self._field()
            for other in (i for i in WRITERS if account in held_by[i]):
                value = self.rng.choice(WORDS)
                self.devices[other].store.update(Account, account, {field: value})
                self._issued(other)
        elif kind == "contact":
            account = self.rng.choice(held)
            store.create(Contact, {"last_name": self.rng.choice(WORDS), "account_id": account})
        elif kind == "delete":  # the account, or one of its contacts while it has some
            account = self.rng.choice(held)
            contacts = store.ids(Contact, where={"account_id": account})
            if contacts:
                store.delete(Contact, self.rng.choice(contacts))
            else:
                store.delete(Account, account)
            self.counts["deletes"] += 1
        else:
            model = Account if kind == "merge" else Contact
            ids = store.ids(model)
            if len(ids) < 2:
                return
            survivor, merged = self.rng.sample(ids, 2)
            picked = {"city": merged} if model is Account else {"last_name": merged}
            store.merge(model.entity, survivor, [merged], picked)
            self.counts["merges"] += 1
        self._issued(index)

    def _field(self) -> str:
        return self.rng.choice(FIELDS)

    def _reassign(self) -> None:
        """An admin gives a rep's account to the other rep (`sfa-server admin`)."""
        reps = {self.user_ids["rob"]: "ria", self.user_ids["ria"]: "rob"}
        live = self.model.live("account")
        candidates = sorted(i for i, data in live.items() if data["owner_id"] in reps)
        if not candidates:
            return
        account = self.rng.choice(candidates)
        to = reps[live[account]["owner_id"]]
        self.server.run("admin", "reassign-account", account, to)
        self.model.reassign(account, self.user_ids[to], self.head())
        self.counts["reassignments"] += 1

    # -- device processes killed mid-sync ---------------------------------------------

    def _kill_device_mid_push(self) -> None:
        """Rob's laptop pushes 1,250 creates in batches; its process dies after the
        first batch was acknowledged."""
        index = 0
        operations: list[batch.Create] = []
        for number in range(BULK_ACCOUNTS):
            account = str(uuid.uuid4())
            operations.append(batch.Create(Account, {"id": account, "name": f"Bulk {number}"}))
            operations += [
                batch.Create(Contact, {"last_name": f"Bulk {number}.{c}", "account_id": account})
                for c in range(CONTACTS_EACH)
            ]
        self.devices[index].store.write_batch(operations)
        self._issued(index)
        before = self.devices[index].store.pending_mutations(100_000)
        lines, observations = self._in_a_process(index, "pushed ")
        store = self.devices[index].store
        after = store.pending_mutations(100_000)
        acknowledged = before[: len(before) - len(after)]
        assert after == before[len(acknowledged) :], "the outbox changed beyond acknowledgements"
        assert acknowledged, f"killed before its first push was recorded: {lines}"
        assert after, f"killed after its push finished: {lines}"
        answered = [self._last_seq(answer) for _req, _enc, answer, _head in observations]
        assert answered, f"no push answer seen before the kill: {lines}"
        assert acknowledged[-1].seq <= max(answered), "rows dropped without an acknowledgement"
        self.counts["device kills mid-push"] += 1
        self.counts["left in its outbox"] += len(after)
        self._sync(index)  # the next sync finishes (the interrupted device first)
        assert store.outbox_count() == 0

    def _kill_device_mid_download(self) -> None:
        """Mia's new tablet downloads her whole scope in pages of 400 and writes while it
        downloads; its process dies after the first page was applied."""
        index = len(DEVICES)
        lines, observations = self._in_a_process(index, "pulled ", limit=400, writes=5)
        assert not observations, "the tablet had nothing to push before the download"
        wrote = [line for line in lines if line.startswith("wrote ")]
        assert wrote, f"killed before its first page was applied: {lines}"
        made = json.loads(wrote[0].removeprefix("wrote "))
        store = self.devices[index].store
        assert [m.mutation_id for m in store.pending_mutations(100_000)] == made
        assert store.download_unfinished(), "the download was over before the kill"
        assert store.pull_cursor() > 0, "the applied page was lost"
        self.issued |= set(made)
        self.counts["device kills mid-pull"] += 1
        self._sync(index)  # goes on with the same download and finishes it
        assert not store.download_unfinished()
        assert store.outbox_count() == 0
        self.active.append(index)

    def _in_a_process(
        self, index: int, kill_after: str, *, limit: int = 5_000, writes: int = 0
    ) -> tuple[list[str], list[tuple[bytes, str | None, bytes, int]]]:
        """Sync device `index` in a child process, SIGKILL it just after its first stdout
        line starting with `kill_after`, feed the model what it saw answered, and open the
        device's store again here; (the child's lines, its observations)."""
        device = self.devices[index]
        url, username = device.server_url or "", device.username or ""
        saved = device.credentials.load(url, username)
        assert saved is not None
        session = self.folder / f"session-{index}.json"
        observed = self.folder / f"observed-{index}.jsonl"
        save_session(session, saved)
        device.close()
        device.store.close()
        spec = ChildSpec(
            str(device.store.path), str(session), str(observed), self.database_url, limit, writes
        )
        child = subprocess.Popen(
            [*CHILD, spec.encode()], stdout=subprocess.PIPE, text=True, env=os.environ
        )
        lines = _kill_on_line(child, kill_after, self.rng.uniform(0, 0.02))
        observations = list(read_observations(observed))
        for seen in observations:  # before any other device pushes
            self.model.observe(*seen)
        store = Store.open(device.store.path, key=TEST_KEY)
        assert rescued(store) is None, f"a killed sync made the store look damaged: {lines}"
        credentials = Credentials(persistent=False)
        credentials.save(url, username, load_session(session))
        self.devices[index] = SyncAccount(store, credentials, transport=self.taps[index])
        self.devices[index].client().retry = FAST_RETRY
        return lines, observations

    @staticmethod
    def _last_seq(answer: bytes) -> int:
        return int(json.loads(answer)["last_seq"])

    # -- the end state ----------------------------------------------------------------

    def check(self) -> dict[str, Any]:
        model = self.model
        assert model.mismatches == []
        processed = set(model.processed)
        lost = self.issued - processed
        twice = [m for m, times in model.processed.items() if times > 1]
        assert lost == set(), "mutations lost"
        assert processed - self.issued == set(), "mutations the devices never made"
        assert twice == [], "mutations processed twice"
        with Session(self.server_engine) as session:
            for kind in (EntityKind.ACCOUNT, EntityKind.CONTACT):
                rows = session.scalars(
                    select(ServerRecord).where(
                        ServerRecord.entity == kind.value, ServerRecord.deleted.is_(False)
                    )
                )
                stored = {row.id: row.data for row in rows}
                assert same(stored, model.live(kind.value)) == [], f"server {kind.value}s"
        inboxes = 0
        for index, device in enumerate(self.devices):
            name = (*DEVICES, TABLET)[index]
            store = device.store
            user = model.devices[store.state("device_id") or ""]
            assert store.outbox_count() == 0, name
            assert not store.download_unfinished(), name
            assert index_problems(store.path) == [], name
            for kind in (EntityKind.ACCOUNT, EntityKind.CONTACT):
                model_class = MODELS[kind]
                local = {
                    r.id: r.model_dump(mode="json")
                    for r in store.get_many(model_class, store.ids(model_class))
                }
                expected = model.projection(user, kind.value)
                assert same(local, expected) == [], f"{name} {kind.value}s"
            held = inbox(store)
            assert held == collections.Counter(model.inbox[store.state("device_id") or ""]), name
            inboxes += sum(held.values())
        assert model.conflicts_filed > 0, "the run made no conflict: it proves little"
        return {
            **dict(sorted(self.counts.items())),
            "pushes observed": len(model.heads) - self.counts["reassignments"],
            "mutations committed with the answer lost": model.unseen,
            "conflicts filed": model.conflicts_filed,
            "inbox entries": inboxes,
            "inbox entries expected": sum(len(notices) for notices in model.inbox.values()),
            "mutations made": len(self.issued),
            "processed": len(processed),
            "lost": len(lost),
            "duplicated": len(twice),
        }

    def close(self) -> None:
        for device in self.devices:
            device.close()
            device.store.close()
        for tap in self.taps:
            tap.close()
        self.server.stop()
        self.server_engine.dispose()


def _kill_on_line(child: subprocess.Popen[str], prefix: str, delay: float) -> list[str]:
    """Read the child's lines until one starts with `prefix`, then SIGKILL it after
    `delay` seconds; every line read (the child failing or finishing first fails)."""
    lines: queue.Queue[str | None] = queue.Queue()
    assert child.stdout is not None
    stdout = child.stdout

    def read() -> None:
        for line in stdout:
            lines.put(line.strip())
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    seen: list[str] = []
    deadline = time.monotonic() + 120
    try:
        while True:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                raise AssertionError(f"the device process ended before the kill: {seen}")
            seen.append(line)
            if line.startswith(prefix):
                time.sleep(delay)
                break
    finally:
        child.kill()  # SIGKILL
        child.wait(10)
        reader.join(10)
    while not lines.empty():
        line = lines.get()
        if line is not None:
            seen.append(line)
    return seen
