"""Finding duplicates and merging them locally: history re-pointed, one outbox row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from sfa_desktop.core.entities import (
    Account,
    AccountPlan,
    Activity,
    CalendarEvent,
    Contact,
    Lead,
    Opportunity,
    Task,
)
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.errors import DomainError, NotFound
from sfa_desktop.core.protocol import Change, MutationResult
from sfa_desktop.core.rules.matching import Reason
from sfa_desktop.core.rules.merge import BOTH
from sfa_desktop.store import Store

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


@dataclass
class World:
    """Two accounts that are one company (b duplicates a), each with history."""

    a: Account
    b: Account
    anna: Contact  # at a
    anna_b: Contact  # at b: the same person
    bert: Contact  # at b
    activity_a: Activity
    activity_b: Activity
    deal_b: Opportunity
    event_b: CalendarEvent
    task_b: Task
    lead: Lead
    child: Account
    plan_a: AccountPlan
    plan_b_same_year: AccountPlan
    plan_b_other_year: AccountPlan


def _world(store: Store) -> World:
    a = store.create(
        Account,
        {
            "name": "Acme GmbH",
            "domain": "acme.de",
            "revenue_history": [{"year": 2025, "amount": 100}],
            "notes": "A notes",
        },
    ).value
    b = store.create(
        Account,
        {
            "name": "ACME",
            "domain": "https://www.acme.de",
            "city": "Berlin",
            "revenue_history": [{"year": 2024, "amount": 50}, {"year": 2025, "amount": 7}],
            "notes": "B notes",
        },
    ).value
    anna = store.create(
        Contact, {"first_name": "Anna", "last_name": "Berg", "account_id": a.id}
    ).value
    anna_b = store.create(
        Contact,
        {"first_name": "Anna", "last_name": "Berg", "account_id": b.id, "email": "anna@acme.de"},
    ).value
    bert = store.create(Contact, {"first_name": "Bert", "last_name": "Kurz", "account_id": b.id})
    activity_a = store.log_activity(
        {"channel": "call", "subject": "Intro", "contact_ids": [anna.id], "occurred_at": NOW}
    ).value
    activity_b = store.log_activity(
        {
            "channel": "visit",
            "subject": "Visit",
            "account_id": b.id,
            "contact_ids": [anna_b.id, bert.value.id, anna.id],
            "occurred_at": NOW,
        }
    ).value
    deal_b = store.create(
        Opportunity,
        {
            "account_id": b.id,
            "name": "Big deal",
            "primary_contact_id": anna_b.id,
            "close_date": date(2027, 3, 1),
        },
    ).value
    store.update(Opportunity, deal_b.id, {"stage": "proposal"})
    event_b = store.create(
        CalendarEvent,
        {
            "title": "Workshop",
            "starts_at": NOW,
            "ends_at": NOW,
            "account_id": b.id,
            "attendee_ids": [anna_b.id, anna.id],
        },
    ).value
    task_b = store.create(
        Task, {"title": "Send offer", "account_id": b.id, "contact_id": anna_b.id}
    ).value
    lead = store.create(Lead, {"last_name": "Berg", "company": "ACME"}).value
    lead = store.update(
        Lead,
        lead.id,
        {"status": "converted", "converted_account_id": b.id, "converted_contact_id": anna_b.id},
    ).value
    child = store.create(Account, {"name": "Acme Berlin Branch", "parent_id": b.id}).value
    plan_a = store.create(
        AccountPlan, {"account_id": a.id, "fiscal_year": 2026, "objectives": ["Grow"]}
    ).value
    plan_b_same_year = store.create(
        AccountPlan,
        {
            "account_id": b.id,
            "fiscal_year": 2026,
            "objectives": ["Win Berlin"],
            "key_contacts": [{"contact_id": anna_b.id, "stance": "supporter"}],
        },
    ).value
    plan_b_other_year = store.create(AccountPlan, {"account_id": b.id, "fiscal_year": 2025}).value
    return World(
        a,
        b,
        anna,
        anna_b,
        bert.value,
        activity_a,
        activity_b,
        deal_b,
        event_b,
        task_b,
        lead,
        child,
        plan_a,
        plan_b_same_year,
        plan_b_other_year,
    )


def _ids(items: list[Any]) -> set[str]:
    return {item.id for item in items}


def test_merging_accounts_moves_every_record_and_keeps_history(signed_in: Store) -> None:
    w = _world(signed_in)
    outbox = signed_in.outbox_count()
    saved = signed_in.merge(EntityKind.ACCOUNT, w.a.id, [w.b.id], {"city": w.b.id, "notes": BOTH})
    survivor = saved.value
    assert isinstance(survivor, Account)
    assert (survivor.name, survivor.city) == ("Acme GmbH", "Berlin")
    assert survivor.notes == "A notes\n\nB notes"
    assert [(r.year, r.amount) for r in survivor.revenue_history] == [(2024, 50), (2025, 100)]
    assert signed_in.get_many(Account, [w.b.id]) == []
    assert signed_in.get(Account, w.child.id).parent_id == w.a.id
    contacts = signed_in.records(Contact, where={"account_id": w.a.id})
    assert _ids(contacts) == {w.anna.id, w.anna_b.id, w.bert.id}
    assert signed_in.get(Activity, w.activity_b.id).account_id == w.a.id
    deal = signed_in.get(Opportunity, w.deal_b.id)
    assert deal.account_id == w.a.id
    assert [s.to_stage for s in signed_in.stage_history(deal.id)] == ["qualification", "proposal"]
    assert signed_in.get(CalendarEvent, w.event_b.id).account_id == w.a.id
    assert signed_in.get(Task, w.task_b.id).account_id == w.a.id
    assert signed_in.get(Lead, w.lead.id).converted_account_id == w.a.id
    # Plans: the same year folded into the survivor's plan, another year moved over.
    plans = {p.fiscal_year: p for p in signed_in.records(AccountPlan)}
    assert set(plans) == {2025, 2026}
    assert plans[2026].id == w.plan_a.id
    assert plans[2026].objectives == ("Grow", "Win Berlin")
    assert [k.contact_id for k in plans[2026].key_contacts] == [w.anna_b.id]
    assert plans[2025].id == w.plan_b_other_year.id
    assert plans[2025].account_id == w.a.id
    # One outbox row: the merge, with the survivor's changed fields.
    assert signed_in.outbox_count() == outbox + 1
    (merge,) = signed_in.pending_mutations()[outbox:]
    assert (merge.op, merge.entity, merge.entity_id) == ("merge", "account", w.a.id)
    assert merge.merged_ids == [w.b.id]
    assert set(merge.fields) == {"city", "notes", "revenue_history"}
    kinds = saved.changes.kinds
    assert {EntityKind.ACCOUNT, EntityKind.CONTACT, EntityKind.ACTIVITY} <= kinds
    assert {EntityKind.OPPORTUNITY, EntityKind.ACCOUNT_PLAN, EntityKind.LEAD} <= kinds
    assert signed_in.search("ACME")
    assert all(h.id != w.b.id for h in signed_in.search("ACME"))


def test_merging_contacts_re_points_lists_links_and_key_contacts(signed_in: Store) -> None:
    w = _world(signed_in)
    outbox = signed_in.outbox_count()
    saved = signed_in.merge(EntityKind.CONTACT, w.anna.id, [w.anna_b.id], {"email": w.anna_b.id})
    assert isinstance(saved.value, Contact)
    assert saved.value.email == "anna@acme.de"
    assert saved.value.account_id == w.a.id
    assert signed_in.get_many(Contact, [w.anna_b.id]) == []
    visit = signed_in.get(Activity, w.activity_b.id)
    assert visit.contact_ids == (w.anna.id, w.bert.id)  # deduplicated, first mention kept
    assert visit.account_id == w.b.id  # a contact merge moves no account
    assert signed_in.get(CalendarEvent, w.event_b.id).attendee_ids == (w.anna.id,)
    assert signed_in.get(Opportunity, w.deal_b.id).primary_contact_id == w.anna.id
    assert signed_in.get(Task, w.task_b.id).contact_id == w.anna.id
    assert signed_in.get(Lead, w.lead.id).converted_contact_id == w.anna.id
    plan = signed_in.get(AccountPlan, w.plan_b_same_year.id)
    assert [k.contact_id for k in plan.key_contacts] == [w.anna.id]
    # The link tables follow: Anna's timeline holds both accounts' activities.
    timeline = signed_in.activities_for_contact(w.anna.id)
    assert _ids(timeline) == {w.activity_a.id, w.activity_b.id}
    assert signed_in.activities_for_contact(w.anna_b.id) == []
    (merge,) = signed_in.pending_mutations()[outbox:]
    assert (merge.op, merge.entity, merge.merged_ids) == ("merge", "contact", [w.anna_b.id])
    assert merge.fields == {"email": "anna@acme.de"}


def test_merging_several_records_at_once(signed_in: Store) -> None:
    ids = [signed_in.create(Account, {"name": f"Acme {i}"}).value.id for i in range(4)]
    for account_id in ids:
        signed_in.create(Contact, {"last_name": "X", "account_id": account_id})
    signed_in.merge(EntityKind.ACCOUNT, ids[0], ids[1:])
    assert signed_in.ids(Account) == [ids[0]]
    assert len(signed_in.records(Contact, where={"account_id": ids[0]})) == 4


@pytest.mark.parametrize(
    ("case", "error", "message"),
    [
        ("wrong kind", DomainError, "is a contact, not a account"),
        ("missing", NotFound, "does not exist"),
        ("itself", DomainError, "into itself"),
        ("twice", DomainError, "listed twice"),
        ("bad pick", DomainError, "not in the merge"),
        ("owner pick", DomainError, "cannot be picked"),
        ("not mergeable", DomainError, "cannot be merged"),
        ("server owned", DomainError, "managed on the server"),
    ],
)
def test_refused_merges_write_nothing(
    signed_in: Store, case: str, error: type[Exception], message: str
) -> None:
    w = _world(signed_in)
    outbox, accounts = signed_in.outbox_count(), signed_in.count(Account)
    calls: dict[str, tuple[Any, ...]] = {
        "wrong kind": (EntityKind.ACCOUNT, w.a.id, [w.anna.id]),
        "missing": (EntityKind.ACCOUNT, w.a.id, ["nope"]),
        "itself": (EntityKind.ACCOUNT, w.a.id, [w.a.id]),
        "twice": (EntityKind.ACCOUNT, w.a.id, [w.b.id, w.b.id]),
        "bad pick": (EntityKind.ACCOUNT, w.a.id, [w.b.id], {"city": w.child.id}),
        "owner pick": (EntityKind.ACCOUNT, w.a.id, [w.b.id], {"owner_id": w.b.id}),
        "not mergeable": (EntityKind.OPPORTUNITY, w.deal_b.id, [w.deal_b.id + "x"]),
        "server owned": (EntityKind.USER, "user-rep", ["user-mgr"]),
    }
    with pytest.raises(error, match=message):
        signed_in.merge(*calls[case])
    assert signed_in.outbox_count() == outbox
    assert signed_in.count(Account) == accounts
    assert signed_in.get(Contact, w.anna_b.id).account_id == w.b.id


def test_an_account_merged_with_its_parent_loses_the_parent(signed_in: Store) -> None:
    parent = signed_in.create(Account, {"name": "Holding"}).value
    child = signed_in.create(Account, {"name": "Holding Sub", "parent_id": parent.id}).value
    merged = signed_in.merge(EntityKind.ACCOUNT, child.id, [parent.id]).value
    assert isinstance(merged, Account)
    assert merged.parent_id is None
    assert signed_in.pending_mutations()[-1].fields == {"parent_id": None}


# -- duplicates ---------------------------------------------------------------------------


def test_find_duplicate_accounts(signed_in: Store) -> None:
    w = _world(signed_in)
    signed_in.create(Account, {"name": "Globex", "phone": "+1 212 555 0100"})
    signed_in.create(Account, {"name": "Initech", "phone": "(212) 555-0100"})
    found = signed_in.find_duplicates(EntityKind.ACCOUNT)
    groups = {group.record_ids: group for group in found}
    ab = groups[(w.a.id, w.b.id)]
    assert ab.kind is EntityKind.ACCOUNT
    assert ab.labels == ("Acme GmbH", "ACME")
    assert ab.suggested_survivor == w.a.id
    assert ab.pairs[0].reasons == (Reason.DOMAIN, Reason.NAME)
    assert ab.pairs[0].explanation == "same web domain, same name"
    assert ab.score == pytest.approx(0.94)
    phone_pair = next(g for g in found if g.labels == ("Globex", "Initech"))
    assert phone_pair.pairs[0].reasons == (Reason.PHONE,)
    assert found[0].score >= found[-1].score


def test_find_duplicate_contacts_within_an_account(signed_in: Store) -> None:
    w = _world(signed_in)
    signed_in.create(Contact, {"first_name": "Bert", "last_name": "Kurz", "account_id": w.a.id})
    other = signed_in.create(Account, {"name": "Other"}).value
    twin = signed_in.create(
        Contact, {"first_name": "Berg", "last_name": "Anna", "account_id": other.id}
    ).value
    by_mail = signed_in.create(
        Contact, {"last_name": "Somebody", "email": "ANNA@acme.de", "account_id": other.id}
    ).value
    found = signed_in.find_duplicates(EntityKind.CONTACT)
    groups = [set(g.record_ids) for g in found]
    assert {w.anna_b.id, by_mail.id} in groups  # same email across accounts
    assert not any(twin.id in g for g in groups)  # same name at another account: no
    assert not any(w.bert.id in g for g in groups)  # same name, other account
    assert found[0].labels[0].endswith("(ACME)") or found[0].labels[0].endswith("(Other)")


def test_find_duplicates_only_for_accounts_and_contacts(signed_in: Store) -> None:
    with pytest.raises(DomainError, match="accounts and contacts"):
        signed_in.find_duplicates(EntityKind.LEAD)


def test_a_merge_then_no_duplicates_left(signed_in: Store) -> None:
    w = _world(signed_in)
    (group,) = [g for g in signed_in.find_duplicates(EntityKind.ACCOUNT) if w.a.id in g.record_ids]
    survivor, *merged = group.record_ids
    signed_in.merge(EntityKind.ACCOUNT, survivor, merged)
    assert all(w.a.id not in g.record_ids for g in signed_in.find_duplicates(EntityKind.ACCOUNT))


# -- sync support -------------------------------------------------------------------------


def _account_change(record_id: str, version: int, **fields: Any) -> Change:
    data = Account(id=record_id, name="Server", owner_id="user-rep").model_dump(mode="json")
    return Change(
        entity="account", entity_id=record_id, op="upsert", version=version, data=data | fields
    )


def test_a_pull_does_not_bring_back_a_record_a_pending_merge_deleted(signed_in: Store) -> None:
    signed_in.apply_pull([_account_change("a", 1), _account_change("b", 2)], next_since=2)
    signed_in.merge(EntityKind.ACCOUNT, "a", ["b"], {"city": "b"})
    signed_in.apply_pull(
        [_account_change("b", 3, city="Edited by a teammate"), _account_change("a", 4, city="S")],
        next_since=4,
    )
    assert signed_in.ids(Account) == ["a"]
    assert signed_in.get(Account, "a").version == 4


def test_the_servers_re_pointed_versions_apply_cleanly(signed_in: Store) -> None:
    """After the merge syncs, the pull brings the survivor, the re-pointed children and the
    tombstone of the merged record: applying them changes nothing the merge made."""
    signed_in.apply_pull([_account_change("a", 1), _account_change("b", 2)], next_since=2)
    contact = signed_in.create(Contact, {"last_name": "Doe", "account_id": "b"}).value
    signed_in.record_push(
        [
            MutationResult(seq=m.seq, mutation_id=m.mutation_id, status="applied", version=3)
            for m in signed_in.pending_mutations()
        ],
        signed_in.pending_mutations()[-1].seq,
    )
    signed_in.merge(EntityKind.ACCOUNT, "a", ["b"])
    (merge,) = signed_in.pending_mutations()
    signed_in.record_push(
        [MutationResult(seq=merge.seq, mutation_id=merge.mutation_id, status="applied", version=4)],
        merge.seq,
    )
    moved = signed_in.get(Contact, contact.id).model_dump(mode="json")
    signed_in.apply_pull(
        [
            _account_change("a", 4),
            Change(
                entity="contact",
                entity_id=contact.id,
                op="upsert",
                version=5,
                data={**moved, "version": 5},
            ),
            Change(entity="account", entity_id="b", op="delete", version=6),
        ],
        next_since=6,
    )
    assert signed_in.ids(Account) == ["a"]
    assert signed_in.get(Contact, contact.id).account_id == "a"
    assert signed_in.pull_cursor() == 6
    assert signed_in.pending_mutations() == []


@pytest.mark.parametrize("status", ["rejected", "duplicate"])
def test_an_unsettled_merge_downloads_again(signed_in: Store, status: str) -> None:
    signed_in.apply_pull([_account_change("a", 1), _account_change("b", 2)], next_since=2)
    signed_in.merge(EntityKind.ACCOUNT, "a", ["b"], {"city": "b"})
    (merge,) = signed_in.pending_mutations()
    result = MutationResult(
        seq=merge.seq, mutation_id=merge.mutation_id, status=status, reason="b was deleted"
    )
    changes = signed_in.record_push([result], merge.seq)
    assert signed_in.outbox_count() == 0  # never silently stuck, never silently dropped
    assert signed_in.pull_cursor() == 0  # the next pull downloads the scope again
    assert signed_in.count(Account) == 0
    assert EntityKind.ACCOUNT in changes
    # The refusal itself reaches the inbox through the pull (tests/sync/test_conflict_delivery).
    assert signed_in.conflicts() == []


def test_an_applied_merge_keeps_the_cursor(signed_in: Store) -> None:
    signed_in.apply_pull([_account_change("a", 1), _account_change("b", 2)], next_since=2)
    signed_in.merge(EntityKind.ACCOUNT, "a", ["b"])
    (merge,) = signed_in.pending_mutations()
    result = MutationResult(seq=merge.seq, mutation_id=merge.mutation_id, status="applied")
    signed_in.record_push([result], merge.seq)
    assert signed_in.pull_cursor() == 2
    assert signed_in.ids(Account) == ["a"]
