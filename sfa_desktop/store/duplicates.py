"""Finding duplicate accounts and contacts in the local store, and merging them.

`find` reads one kind's match columns in one query and groups look-alikes with
`core.rules.matching`; `merge` folds records into a survivor in the caller's one
transaction, with the rules of `core.rules.merge` the server applies too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import MODELS, AccountPlan, Record
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import DomainError, NotFound
from sfa_desktop.core.rules import matching
from sfa_desktop.core.rules.merge import (
    check_merge,
    merge_plans,
    merged_values,
    references_to,
    repoint,
)
from sfa_desktop.store.references import referring_ids
from sfa_desktop.store.rows import to_record
from sfa_desktop.store.schema import TABLES, AccountPlanRow, AccountRow, ContactRow
from sfa_desktop.store.writer import RecordWriter


@dataclass(frozen=True)
class DuplicatePair:
    """Two records of a group that look alike, and why."""

    first_id: str
    second_id: str
    reasons: tuple[matching.Reason, ...]

    @property
    def explanation(self) -> str:
        return ", ".join(self.reasons)


@dataclass(frozen=True)
class DuplicateSet:
    """Records of one kind that look like one record.

    `record_ids` are oldest first, `labels` their display names in the same order (for
    contacts with the account's name when they have one); the oldest record is the
    suggested survivor. `score` (0..1) is the strongest pair's certainty.
    """

    kind: EntityKind
    record_ids: tuple[str, ...]
    labels: tuple[str, ...]
    pairs: tuple[DuplicatePair, ...]
    score: float

    @property
    def suggested_survivor(self) -> str:
        return self.record_ids[0]


def find(session: Session, kind: EntityKind, region: str, min_score: float) -> list[DuplicateSet]:
    """Duplicate groups of `kind` (ACCOUNT or CONTACT), most certain first."""
    if kind is EntityKind.ACCOUNT:
        keyed, labels = _account_keys(session, region)
    elif kind is EntityKind.CONTACT:
        keyed, labels = _contact_keys(session, region)
    else:
        raise DomainError(f"duplicates are looked for among accounts and contacts, not {kind}")
    order = {record_id: index for index, (record_id, _keys) in enumerate(keyed)}
    found = []
    for group in matching.duplicate_groups(keyed, min_score):
        ids = tuple(sorted(group.record_ids, key=order.__getitem__))
        found.append(
            DuplicateSet(
                kind=kind,
                record_ids=ids,
                labels=tuple(labels[i] for i in ids),
                pairs=tuple(DuplicatePair(a, b, why) for a, b, why in group.reasons),
                score=group.score,
            )
        )
    return found


def _account_keys(
    session: Session, region: str
) -> tuple[list[tuple[str, matching.MatchKeys]], dict[str, str]]:
    rows = session.execute(
        select(AccountRow.id, AccountRow.name, AccountRow.domain, AccountRow.phone).order_by(
            AccountRow.created_at, AccountRow.id
        )
    )
    keyed, labels = [], {}
    for record_id, name, domain, phone in rows:
        keyed.append((record_id, matching.account_keys(name, domain, (phone,), region)))
        labels[record_id] = name
    return keyed, labels


def _contact_keys(
    session: Session, region: str
) -> tuple[list[tuple[str, matching.MatchKeys]], dict[str, str]]:
    rows = session.execute(
        select(
            ContactRow.id,
            ContactRow.first_name,
            ContactRow.last_name,
            ContactRow.email,
            ContactRow.phone,
            ContactRow.mobile,
            ContactRow.account_id,
            AccountRow.name,
        )
        .outerjoin(AccountRow, AccountRow.id == ContactRow.account_id)
        .order_by(ContactRow.created_at, ContactRow.id)
    )
    keyed, labels = [], {}
    for record_id, first, last, email, phone, mobile, account_id, account in rows:
        keys = matching.contact_keys(
            first, last, (email,), (phone, mobile), block=account_id or "", region=region
        )
        keyed.append((record_id, keys))
        name = f"{first} {last}".strip()
        labels[record_id] = f"{name} ({account})" if account else name
    return keyed, labels


# -- merging ----------------------------------------------------------------------------


def merge(
    writer: RecordWriter,
    kind: EntityKind,
    survivor_id: str,
    merged_ids: Sequence[str],
    picked: Mapping[str, str],
) -> Record:
    """Fold `merged_ids` into `survivor_id` through `writer` (see Store.merge)."""
    check_merge(kind, survivor_id, merged_ids)
    model = MODELS[kind]
    survivor = _member(writer, kind, survivor_id)
    merged = [_member(writer, kind, record_id) for record_id in merged_ids]
    records = {record.id: record.data_fields() for record in [survivor, *merged]}
    moves = dict.fromkeys(merged_ids, survivor_id)
    fields = merged_values(kind, survivor_id, records, picked)
    fields.update(repoint(kind, {**records[survivor_id], **fields}, moves, kind, survivor_id))
    _repoint_referrers(writer, kind, moves)
    for record_id in merged_ids:
        writer.remove(model, record_id)
    writer.session.flush()
    _before, updated, changed = writer.change(model, survivor_id, fields)
    writer.append_merge(updated, changed, list(merged_ids), survivor.version)
    return updated


def _member(writer: RecordWriter, kind: EntityKind, record_id: str) -> Record:
    """A record of the merge, or a DomainError saying why it cannot be one."""
    try:
        return writer.get(MODELS[kind], record_id)
    except NotFound:
        for other, table in TABLES.items():
            if other is not kind and writer.session.get(table, record_id) is not None:
                raise DomainError(
                    f"{record_id} is a {other.value}, not a {kind.value}: it cannot be merged"
                ) from None
        raise


def _repoint_referrers(writer: RecordWriter, kind: EntityKind, moves: dict[str, str]) -> None:
    """Point every local record that refers to a merged record at the survivor, without
    outbox rows: the server re-points the same records (and those of other scopes) itself,
    and its new versions come down with the next pull."""
    session = writer.session
    merged = set(moves)
    survivor_id = next(iter(moves.values()))
    if kind is EntityKind.ACCOUNT:
        _merge_plans(writer, survivor_id, list(moves))
    for ref in references_to(kind):
        if ref.entity is EntityKind.ACCOUNT_PLAN and kind is EntityKind.ACCOUNT:
            continue  # done by _merge_plans
        for row_id in referring_ids(session, ref.entity, ref.field, ref.shape, merged):
            if ref.entity is kind and (row_id in merged or row_id == survivor_id):
                continue  # deleted by the merge, or the survivor (re-pointed with its fields)
            model = MODELS[ref.entity]
            fields = writer.get(model, row_id).data_fields()
            changes = repoint(ref.entity, fields, moves, kind, row_id)
            if changes:
                writer.change(model, row_id, changes)


def _merge_plans(writer: RecordWriter, survivor_id: str, merged_ids: list[str]) -> None:
    """Plans of the merged accounts move to the survivor; one for a fiscal year it already
    has a plan for is folded into that plan (one plan per account and year)."""
    rows = writer.session.scalars(
        select(AccountPlanRow).where(AccountPlanRow.account_id.in_([survivor_id, *merged_ids]))
    ).all()
    plans = [(row.id, to_record(row).data_fields()) for row in rows]
    outcome = merge_plans(survivor_id, merged_ids, plans)
    for plan_id in outcome.deleted:
        writer.remove(AccountPlan, plan_id)
    writer.session.flush()  # the folded plans are gone before others take their year
    for plan_id, changes in outcome.updates.items():
        writer.change(AccountPlan, plan_id, changes)
