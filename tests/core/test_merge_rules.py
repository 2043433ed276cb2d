"""Merge rules shared by client and server: references, re-pointing, field picks, plans."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from sfa_desktop.core.entities import (
    REFERENCES,
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
from sfa_desktop.core.errors import DomainError
from sfa_desktop.core.protocol import Mutation, MutationOp
from sfa_desktop.core.rules.merge import (
    BOTH,
    MAX_MERGED,
    REFERENCES_TO_MERGEABLE,
    Shape,
    check_merge,
    fold_plan,
    merge_plans,
    merged_revenue,
    merged_values,
    references_to,
    refers_to,
    repoint,
    suggested_picks,
)

A, B, C = "acc-a", "acc-b", "acc-c"
X, Y, Z = "con-x", "con-y", "con-z"
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


def test_every_reference_to_an_account_or_contact_is_known() -> None:
    flat = {
        (kind, field)
        for kind, fields in REFERENCES.items()
        for field, target in fields.items()
        if target in (EntityKind.ACCOUNT, EntityKind.CONTACT)
    }
    known = {(ref.entity, ref.field) for ref in REFERENCES_TO_MERGEABLE}
    assert flat <= known
    assert (EntityKind.ACCOUNT_PLAN, "key_contacts") in known  # nested, not in REFERENCES


def test_reference_shapes() -> None:
    shapes = {(r.entity, r.field): r.shape for r in REFERENCES_TO_MERGEABLE}
    assert shapes[EntityKind.ACTIVITY, "contact_ids"] is Shape.MANY
    assert shapes[EntityKind.EVENT, "attendee_ids"] is Shape.MANY
    assert shapes[EntityKind.ACCOUNT, "parent_id"] is Shape.ONE
    assert shapes[EntityKind.ACCOUNT_PLAN, "key_contacts"] is Shape.KEY_CONTACTS
    account_fields = {(r.entity, r.field) for r in references_to(EntityKind.ACCOUNT)}
    assert account_fields == {
        (EntityKind.ACCOUNT, "parent_id"),
        (EntityKind.CONTACT, "account_id"),
        (EntityKind.ACTIVITY, "account_id"),
        (EntityKind.EVENT, "account_id"),
        (EntityKind.TASK, "account_id"),
        (EntityKind.LEAD, "converted_account_id"),
        (EntityKind.OPPORTUNITY, "account_id"),
        (EntityKind.ACCOUNT_PLAN, "account_id"),
    }
    contact_fields = {(r.entity, r.field) for r in references_to(EntityKind.CONTACT)}
    assert contact_fields == {
        (EntityKind.ACTIVITY, "contact_ids"),
        (EntityKind.EVENT, "attendee_ids"),
        (EntityKind.TASK, "contact_id"),
        (EntityKind.LEAD, "converted_contact_id"),
        (EntityKind.OPPORTUNITY, "primary_contact_id"),
        (EntityKind.ACCOUNT_PLAN, "key_contacts"),
    }


# -- re-pointing --------------------------------------------------------------------------


def _fields(record: Any) -> dict[str, Any]:
    data: dict[str, Any] = record.data_fields()
    return data


def test_repoint_returns_only_the_changed_references() -> None:
    activity = Activity(
        channel="call",
        subject="Hi",
        occurred_at=NOW,
        account_id=B,
        contact_ids=(X, Y),
        opportunity_id="opp-1",
    )
    assert repoint(EntityKind.ACTIVITY, _fields(activity), {B: A}) == {"account_id": A}
    assert repoint(EntityKind.ACTIVITY, _fields(activity), {Y: Z}) == {"contact_ids": [X, Z]}
    assert repoint(EntityKind.ACTIVITY, _fields(activity), {"other": A}) == {}


def test_repoint_removes_duplicates_from_lists_keeping_the_first() -> None:
    event = CalendarEvent(
        title="Visit", starts_at=NOW, ends_at=NOW, attendee_ids=(Y, Z, X), account_id=A
    )
    assert repoint(EntityKind.EVENT, _fields(event), {Y: X, Z: X}) == {"attendee_ids": [X]}
    changed = repoint(EntityKind.EVENT, _fields(event), {Z: Y})
    assert changed == {"attendee_ids": [Y, X]}


def test_repoint_limited_to_one_target_kind() -> None:
    task = Task(title="Call back", account_id=B, contact_id=B)  # the same id on both fields
    fields = _fields(task)
    assert repoint(EntityKind.TASK, fields, {B: A}, EntityKind.ACCOUNT) == {"account_id": A}
    assert repoint(EntityKind.TASK, fields, {B: A}, EntityKind.CONTACT) == {"contact_id": A}


def test_repoint_every_kind_of_reference() -> None:
    moves = {B: A, Y: X}
    lead = Lead(
        company="B Co",
        status="converted",
        converted_account_id=B,
        converted_contact_id=Y,
        converted_opportunity_id="opp",
    )
    assert repoint(EntityKind.LEAD, _fields(lead), moves) == {
        "converted_account_id": A,
        "converted_contact_id": X,
    }
    deal = Opportunity(account_id=B, name="Deal", primary_contact_id=Y, close_date=date(2027, 1, 1))
    assert repoint(EntityKind.OPPORTUNITY, _fields(deal), moves) == {
        "account_id": A,
        "primary_contact_id": X,
    }
    contact = Contact(last_name="Doe", account_id=B)
    assert repoint(EntityKind.CONTACT, _fields(contact), moves) == {"account_id": A}
    child = Account(name="Child", parent_id=B)
    assert repoint(EntityKind.ACCOUNT, _fields(child), moves) == {"parent_id": A}


def test_an_account_whose_parent_is_merged_into_it_gets_no_parent() -> None:
    survivor = Account(id=A, name="Acme", parent_id=B)
    assert repoint(EntityKind.ACCOUNT, _fields(survivor), {B: A}, record_id=A) == {
        "parent_id": None
    }


def test_key_contacts_are_re_pointed_and_the_survivors_entry_wins() -> None:
    plan = AccountPlan(
        account_id=A,
        fiscal_year=2026,
        key_contacts=(
            {"contact_id": Y, "stance": "opponent", "note": "merged one"},
            {"contact_id": Z, "stance": "neutral"},
            {"contact_id": X, "stance": "supporter", "note": "survivor"},
        ),
    )
    changed = repoint(EntityKind.ACCOUNT_PLAN, _fields(plan), {Y: X})
    contacts = changed["key_contacts"]
    assert [c["contact_id"] for c in contacts] == [X, Z]
    assert contacts[0]["note"] == "survivor"
    AccountPlan.parse({**_fields(plan), **changed})  # still a valid plan


def test_refers_to() -> None:
    activity = Activity(channel="call", subject="Hi", occurred_at=NOW, contact_ids=(X,))
    assert refers_to(EntityKind.ACTIVITY, _fields(activity), {X})
    assert not refers_to(EntityKind.ACTIVITY, _fields(activity), {Y})


# -- checks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "survivor", "merged", "message"),
    [
        (EntityKind.OPPORTUNITY, A, [B], "cannot be merged"),
        (EntityKind.ACCOUNT, A, [], "at least one"),
        (EntityKind.ACCOUNT, A, [B, B], "listed twice"),
        (EntityKind.ACCOUNT, A, [B, A], "into itself"),
        (EntityKind.CONTACT, X, [f"c{i}" for i in range(MAX_MERGED + 1)], "at most"),
    ],
)
def test_check_merge_refuses(
    kind: EntityKind, survivor: str, merged: list[str], message: str
) -> None:
    with pytest.raises(DomainError, match=message):
        check_merge(kind, survivor, merged)


def test_a_merge_mutation_names_its_merged_records() -> None:
    base = {"seq": 1, "mutation_id": "m", "entity": "account", "entity_id": A}
    merge = Mutation.model_validate({**base, "op": "merge", "merged_ids": [B, C]})
    assert merge.op is MutationOp.MERGE
    assert '"merged_ids":["acc-b","acc-c"]' in merge.model_dump_json()
    plain = Mutation.model_validate({**base, "op": "upsert"})
    assert "merged_ids" not in plain.model_dump_json()  # plain mutations read as before
    for bad in (
        {"op": "merge"},
        {"op": "merge", "merged_ids": []},
        {"op": "upsert", "merged_ids": [B]},
        {"op": "merge", "merged_ids": [f"x{i}" for i in range(51)]},
    ):
        with pytest.raises(ValueError, match=r"merged_ids|merge"):
            Mutation.model_validate({**base, **bad})


# -- field picks --------------------------------------------------------------------------


def _accounts() -> dict[str, dict[str, Any]]:
    return {
        A: _fields(
            Account(
                id=A,
                name="Acme",
                city="",
                phone="+49 30 1",
                notes="Survivor notes",
                revenue_history=({"year": 2024, "amount": 100}, {"year": 2025, "amount": 200}),
            )
        ),
        B: _fields(
            Account(
                id=B,
                name="ACME GmbH",
                city="Berlin",
                phone="+49 30 2",
                notes="Loser notes",
                revenue_history=({"year": 2023, "amount": 50}, {"year": 2025, "amount": 999}),
            )
        ),
        C: _fields(Account(id=C, name="Acme Berlin", notes="Survivor notes")),
    }


def test_the_survivor_keeps_its_values_unless_picked() -> None:
    records = _accounts()
    changed = merged_values(EntityKind.ACCOUNT, A, records, {"city": B, "name": A})
    assert changed["city"] == "Berlin"
    assert "name" not in changed
    assert "phone" not in changed


def test_revenue_history_is_merged_by_year_survivor_first() -> None:
    changed = merged_values(EntityKind.ACCOUNT, A, _accounts(), {})
    assert changed["revenue_history"] == [
        {"year": 2023, "amount": 50},
        {"year": 2024, "amount": 100},
        {"year": 2025, "amount": 200},
    ]


def test_picking_revenue_history_lets_that_record_win_its_years() -> None:
    changed = merged_values(EntityKind.ACCOUNT, A, _accounts(), {"revenue_history": B})
    assert [(e["year"], e["amount"]) for e in changed["revenue_history"]] == [
        (2023, 50),
        (2024, 100),
        (2025, 999),
    ]


def test_merged_revenue_of_nothing_is_empty() -> None:
    assert merged_revenue([(), []]) == []


def test_notes_both_concatenates_without_repeats() -> None:
    changed = merged_values(EntityKind.ACCOUNT, A, _accounts(), {"notes": BOTH})
    assert changed["notes"] == "Survivor notes\n\nLoser notes"
    Account.parse({**_accounts()[A], **changed})


@pytest.mark.parametrize(
    ("picked", "message"),
    [
        ({"owner_id": B}, "cannot be picked"),
        ({"id": B}, "cannot be picked"),
        ({"bogus": B}, "cannot be picked"),
        ({"city": "elsewhere"}, "not in the merge"),
        ({"city": BOTH}, "only notes"),
    ],
)
def test_bad_picks_are_refused(picked: dict[str, str], message: str) -> None:
    with pytest.raises(DomainError, match=message):
        merged_values(EntityKind.ACCOUNT, A, _accounts(), picked)


def test_contact_fields_are_picked_too() -> None:
    records = {
        X: _fields(Contact(id=X, last_name="Doe", email=None, account_id=A)),
        Y: _fields(Contact(id=Y, last_name="Doe", email="doe@acme.com", account_id=B)),
    }
    changed = merged_values(EntityKind.CONTACT, X, records, {"email": Y, "account_id": Y})
    assert changed == {"email": "doe@acme.com", "account_id": B}


def test_suggested_picks_fill_what_the_survivor_lacks() -> None:
    picks = suggested_picks(EntityKind.ACCOUNT, A, _accounts())
    assert picks["city"] == B
    assert picks["notes"] == BOTH
    assert "name" not in picks
    assert "phone" not in picks
    assert "owner_id" not in picks
    assert "revenue_history" not in picks


# -- account plans ------------------------------------------------------------------------


def _plan(plan_id: str, account: str, year: int, **fields: Any) -> tuple[str, dict[str, Any]]:
    plan = AccountPlan(id=plan_id, account_id=account, fiscal_year=year, **fields)
    return plan_id, _fields(plan)


def test_fold_plan_appends_objectives_actions_and_key_contacts() -> None:
    _, into = _plan(
        "p1",
        A,
        2026,
        objectives=("Grow", "Retain"),
        actions=({"id": "act-1", "title": "Call CFO"},),
        key_contacts=({"contact_id": X, "stance": "supporter"},),
        coverage=({"channel": "visit", "quarter": 1, "planned": 3},),
        revenue_target=1000,
    )
    _, other = _plan(
        "p2",
        B,
        2026,
        objectives=("Retain", "Expand"),
        actions=({"id": "act-2", "title": "Send offer"},),
        key_contacts=({"contact_id": X, "stance": "opponent"}, {"contact_id": Y}),
        coverage=(
            {"channel": "visit", "quarter": 1, "planned": 9},
            {"channel": "call", "quarter": 2, "planned": 4},
        ),
        revenue_target=5,
    )
    changed = fold_plan(into, other)
    assert changed["objectives"] == ["Grow", "Retain", "Expand"]
    assert [a["id"] for a in changed["actions"]] == ["act-1", "act-2"]
    assert [(k["contact_id"], k["stance"]) for k in changed["key_contacts"]] == [
        (X, "supporter"),
        (Y, "unknown"),
    ]
    assert [(c["channel"], c["quarter"], c["planned"]) for c in changed["coverage"]] == [
        ("visit", 1, 3),
        ("call", 2, 4),
    ]
    assert "revenue_target" not in changed
    AccountPlan.parse({**into, **changed})


def test_merge_plans_moves_other_years_and_folds_the_same_year() -> None:
    plans = [
        _plan("own-2026", A, 2026, objectives=("Mine",)),
        _plan("b-2026", B, 2026, objectives=("From B",)),
        _plan("b-2025", B, 2025),
        _plan("c-2025", C, 2025, objectives=("From C",)),
        _plan("unrelated", "acc-z", 2026),
    ]
    outcome = merge_plans(A, [B, C], plans)
    assert outcome.deleted == ["b-2026", "c-2025"]
    assert outcome.updates == {
        "own-2026": {"objectives": ["Mine", "From B"]},
        "b-2025": {"account_id": A, "objectives": ["From C"]},
    }


def test_merge_plans_without_plans_does_nothing() -> None:
    outcome = merge_plans(A, [B], [])
    assert (outcome.updates, outcome.deleted) == ({}, [])


def test_custom_fields_are_picked_like_built_in_ones() -> None:
    records: dict[str, dict[str, Any]] = {
        "a": {"last_name": "Doe", "cf_segment": "Retail"},
        "b": {"last_name": "Doe", "cf_segment": "Public", "cf_score": 7},
    }
    assert suggested_picks(EntityKind.CONTACT, "a", records) == {"cf_score": "b"}
    picked = {"cf_segment": "b", "cf_score": "b"}
    assert merged_values(EntityKind.CONTACT, "a", records, picked) == {
        "cf_segment": "Public",
        "cf_score": 7,
    }
    with pytest.raises(DomainError):
        merged_values(EntityKind.CONTACT, "a", records, {"cf_Bad key": "b"})
