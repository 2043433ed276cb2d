"""An independent model of the sync server, for checking it from outside.

The model is fed only what crossed the wire (each push the server answered, with its
answer) and the admin changes the test made, in the order the server saw them. It applies
the protocol's rules itself (DESIGN.md: field-level conflicts decided by server arrival
order, delete vs later edit, scope and write permissions, merges, reassignment) and
predicts, with no help from the server's state:

- the status class of every mutation (processed once, duplicate when re-sent, refused);
- every record the server and each device must finally hold, field by field;
- every conflict and refusal each device's inbox must hold.

The server's own version numbers are used only as a clock: the model maps a mutation's
`base_version` to the event (push or admin change) that produced it, which is what
"changed since your copy" means. Nothing else the server says is trusted.
"""

from __future__ import annotations

import bisect
import gzip
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

META = frozenset({"id", "version", "created_at", "updated_at"})
DELETED = "_deleted"
ACCOUNT, CONTACT = "account", "contact"


@dataclass
class ModelRecord:
    kind: str
    id: str
    data: dict[str, Any]
    deleted: bool = False
    # field -> (event index, writing device id or None for an admin)
    writes: dict[str, tuple[int, str | None]] = field(default_factory=dict)

    @property
    def owner(self) -> str:
        return str(self.data["owner_id"])

    @property
    def account(self) -> str | None:
        if self.kind == ACCOUNT:
            return self.id
        value = self.data.get("account_id")
        return str(value) if value else None


@dataclass(frozen=True)
class Notice:
    """An inbox entry as a device shows it: record, field ('' = refused), kept, lost."""

    entity_id: str
    field: str
    kept: Any
    lost: Any


class Rejected(Exception):
    pass


class SyncModel:
    """The expected server. `devices` maps device id -> user id; `managers` maps a
    manager's user id -> the user ids below them."""

    def __init__(
        self,
        devices: dict[str, str],
        managers: dict[str, set[str]],
        *,
        unseen_commits: bool = False,
    ) -> None:
        """With `unseen_commits` (a server that may die between commit and answer), a
        `duplicate` answer for a mutation the model never saw processed means an unseen
        request committed it just before: the model applies it there. The caller must then
        let the interrupted device retry before any other device pushes."""
        self.unseen_commits = unseen_commits
        self.devices = dict(devices)
        self.managers = managers
        self.records: dict[str, ModelRecord] = {}
        self.last_seq: dict[str, int] = {}
        self.heads: list[int] = []  # server version counter after each event
        self.processed: Counter[str] = Counter()  # mutation id -> times processed
        self.inbox: dict[str, list[Notice]] = {device: [] for device in devices}
        self.mismatches: list[str] = []
        self.conflicts_filed = 0
        self.unseen = 0  # mutations committed by requests whose answer never came

    # -- what the model is fed --------------------------------------------------------

    def observe(self, request_body: bytes, encoding: str | None, answer: bytes, head: int) -> None:
        """A push the server answered with 200 (whether or not the client got the answer)."""
        if encoding == "gzip":
            request_body = gzip.decompress(request_body)
        request, response = json.loads(request_body), json.loads(answer)
        device = request["device_id"]
        event = self._event(head)
        statuses = {r["seq"]: r["status"] for r in response["results"]}
        for mutation in request["mutations"]:
            seq, seen = mutation["seq"], statuses.get(mutation["seq"])
            if seq <= self.last_seq.get(device, 0):
                expected = "duplicate"
            elif seen == "duplicate" and self.unseen_commits:
                self.last_seq[device] = seq  # committed by a request whose answer died
                self.processed[mutation["mutation_id"]] += 1
                self.unseen += 1
                try:
                    self._apply(device, mutation, event)
                except Rejected:
                    self._tell(device, Notice(mutation["entity_id"], "", None, mutation["op"]))
                expected = "duplicate"
            else:
                self.last_seq[device] = seq
                self.processed[mutation["mutation_id"]] += 1
                try:
                    self._apply(device, mutation, event)
                    expected = "processed"
                except Rejected as why:
                    expected = "rejected"
                    self._tell(device, Notice(mutation["entity_id"], "", None, mutation["op"]))
                    if seen != "rejected":
                        self.mismatches.append(f"expected a refusal ({why}): {mutation}")
            got = "processed" if seen in ("applied", "conflict") else seen
            if got != expected:
                self.mismatches.append(f"{mutation['seq']} of {device}: {expected}, got {seen}")

    def reassign(self, account_id: str, to_user: str, head: int) -> None:
        """`sfa-server admin reassign-account`: the account and its old owner's records on
        it go to `to_user`."""
        event = self._event(head)
        account = self.records.get(account_id)
        if account is None or account.kind != ACCOUNT:
            return
        old = account.owner
        for record in self.records.values():
            if record.account == account_id and record.owner == old and old != to_user:
                record.data["owner_id"] = to_user
                record.writes["owner_id"] = (event, None)

    def admin_event(self, head: int) -> None:
        """An admin change that moves the version clock but no record the model tracks."""
        self._event(head)

    # -- what the model predicts ----------------------------------------------------------

    def live(self, kind: str) -> dict[str, dict[str, Any]]:
        return {
            r.id: dict(r.data) for r in self.records.values() if r.kind == kind and not r.deleted
        }

    def projection(self, user: str, kind: str) -> dict[str, dict[str, Any]]:
        """What a device of `user` must hold of `kind`."""
        return {
            r.id: dict(r.data)
            for r in self.records.values()
            if r.kind == kind and not r.deleted and self._sees(user, r)
        }

    # -- the rules --------------------------------------------------------------------

    def _event(self, head: int) -> int:
        self.heads.append(head)
        return len(self.heads) - 1

    def _event_of(self, version: int | None) -> int:
        if not version:
            return -1
        return bisect.bisect_left(self.heads, version)

    def _changed_by_other(
        self, record: ModelRecord, name: str, base: int | None, device: str
    ) -> bool:
        write = record.writes.get(name)
        if write is None:
            return False
        event, writer = write
        return writer != device and event > self._event_of(base)

    def _owners(self, user: str) -> set[str]:
        return {user} | self.managers.get(user, set())

    def _sees(self, user: str, record: ModelRecord) -> bool:
        owners = self._owners(user)
        if record.owner in owners:
            return True
        account = self.records.get(record.account or "")
        return account is not None and account.owner in owners

    def _may_write_account(self, user: str, account_id: str | None) -> bool:
        account = self.records.get(account_id or "")
        return account is not None and account.kind == ACCOUNT and account.owner == user

    def _writable(self, user: str, record: ModelRecord) -> bool:
        return record.owner == user or self._may_write_account(user, record.account)

    def _visible_live(self, user: str, kind: str, record_id: str) -> ModelRecord:
        record = self.records.get(record_id)
        if record is None or record.kind != kind or not self._sees(user, record):
            raise Rejected(f"{kind} {record_id} does not exist")
        if record.deleted:
            raise Rejected(f"{kind} {record_id} is already deleted")
        return record

    def _tell(self, device: str, notice: Notice) -> None:
        self.inbox.setdefault(device, []).append(notice)

    def _lost(
        self,
        record: ModelRecord,
        name: str,
        winner: Any,
        loser: Any,
        loser_device: str | None,
        winner_user: str | None,
    ) -> None:
        """A conflict: the losing device is told, and its user's other devices when
        another user's write won."""
        if loser_device is None:
            return
        self.conflicts_filed += 1
        loser_user = self.devices[loser_device]
        notice = Notice(record.id, name, winner, loser)
        for device, user in self.devices.items():
            if device == loser_device or (
                user == loser_user and winner_user is not None and winner_user != loser_user
            ):
                self._tell(device, notice)

    def _apply(self, device: str, m: dict[str, Any], event: int) -> None:
        user, kind, record_id = self.devices[device], m["entity"], m["entity_id"]
        fields = {k: v for k, v in m["fields"].items() if k not in META}
        record = self.records.get(record_id)
        if record is not None and not self._sees(user, record):
            raise Rejected(f"{kind} {record_id} does not exist")
        if m["op"] == "merge":
            self._merge(device, user, m, fields, event)
        elif m["op"] == "delete":
            self._delete(device, user, record, m.get("base_version"), event)
        elif record is None:
            owner = fields.get("owner_id") or user
            if owner != user:
                raise Rejected("you can only create records you own")
            account_id = fields.get("account_id") if kind == CONTACT else None
            if account_id and not self._may_write_account(user, account_id):
                raise Rejected("its account does not exist or is outside your scope")
            data = {**fields, "owner_id": owner}
            self.records[record_id] = ModelRecord(
                kind, record_id, data, writes=dict.fromkeys(data, (event, device))
            )
        else:
            self._edit(device, user, record, fields, m.get("base_version"), event)

    def _edit(
        self,
        device: str,
        user: str,
        record: ModelRecord,
        fields: dict[str, Any],
        base: int | None,
        event: int,
    ) -> None:
        if not self._writable(user, record):
            raise Rejected("outside your writable scope")
        if fields.get("owner_id", record.owner) != record.owner:
            raise Rejected("the owner changes only by an admin's reassignment")
        changed = {name for name, value in fields.items() if record.data.get(name) != value}
        lost = [
            (name, record.data.get(name), record.writes[name][1])
            for name in sorted(changed)
            if self._changed_by_other(record, name, base, device)
        ]
        revived = record.deleted
        deleter = record.writes.get(DELETED, (0, None))[1]
        revived_over_other = revived and self._changed_by_other(record, DELETED, base, device)
        record.data.update(fields)
        for name in changed:
            record.writes[name] = (event, device)
        if revived:
            record.deleted = False
            record.writes[DELETED] = (event, device)
        for name, value, writer in lost:
            self._lost(record, name, fields[name], value, writer, user)
        if revived_over_other:
            self._lost(record, DELETED, False, True, deleter, user)

    def _delete(
        self, device: str, user: str, record: ModelRecord | None, base: int | None, event: int
    ) -> None:
        if record is None or record.deleted:
            return
        if not self._writable(user, record):
            raise Rejected("outside your writable scope")
        edited = [n for n in record.writes if self._changed_by_other(record, n, base, device)]
        if edited:
            latest = max(edited, key=lambda n: record.writes[n][0])
            writer = record.writes[latest][1]
            self._lost(record, DELETED, False, True, device, self.devices.get(writer or ""))
            return
        record.deleted = True
        record.writes[DELETED] = (event, device)

    def _merge(
        self, device: str, user: str, m: dict[str, Any], fields: dict[str, Any], event: int
    ) -> None:
        kind, survivor_id, merged_ids = m["entity"], m["entity_id"], m["merged_ids"]
        if len(set(merged_ids)) != len(merged_ids) or survivor_id in merged_ids:
            raise Rejected("a record cannot be merged twice or into itself")
        survivor = self._visible_live(user, kind, survivor_id)
        merged = [self._visible_live(user, kind, i) for i in merged_ids]
        for record in [*merged, survivor]:
            if not self._writable(user, record):
                raise Rejected("outside your writable scope")
        self._edit(device, user, survivor, fields, m.get("base_version"), event)
        if kind == ACCOUNT:
            for record in self.records.values():
                if record.kind == CONTACT and not record.deleted and record.account in merged_ids:
                    record.data["account_id"] = survivor_id
                    record.writes["account_id"] = (event, device)
        for record in merged:
            record.deleted = True
            record.writes[DELETED] = (event, device)
