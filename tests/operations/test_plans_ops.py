"""Plans: the rep's list, the grade suggestion, saving, and accepting an optimiser proposal."""

from __future__ import annotations

from datetime import date

from sfa_desktop.core.entities import Account, AccountPlan, YearRevenue
from sfa_desktop.core.enums import DEFAULT_CHANNEL_COST, Channel
from sfa_desktop.core.rules.optimiser import Capacity
from sfa_desktop.operations.optimiser import accept_proposal, propose
from sfa_desktop.operations.plans import plan_detail, plan_summaries, save_plan, suggest_grade
from sfa_desktop.store import Store

YEAR = 2026


def _accounts(store: Store) -> list[Account]:
    big = store.create(
        Account,
        {
            "name": "Big AG",
            "grade": "A",
            "potential_revenue": 90_000_000,
            "revenue_history": (YearRevenue(year=2025, amount=60_000_000),),
        },
    ).value
    small = store.create(Account, {"name": "Small KG", "potential_revenue": 2_000_000}).value
    return [big, small]


def test_suggestion_summaries_detail_and_save(signed_in: Store) -> None:
    big, small = _accounts(signed_in)
    suggestion = suggest_grade(big)
    assert (suggestion.grade, suggestion.score) == ("A", 75_000_000)
    assert suggest_grade(small).grade == "D"
    rows = plan_summaries(signed_in, YEAR)
    assert [r.account.name for r in rows] == ["Big AG", "Small KG"]
    assert all(r.plan is None for r in rows)
    detail = plan_detail(signed_in, big.id, YEAR, date(2026, 5, 1), DEFAULT_CHANNEL_COST)
    assert detail.plan is None
    assert detail.last_year_revenue == 60_000_000
    result = save_plan(
        signed_in,
        big.id,
        YEAR,
        None,
        {"grade": "B", "grade_overridden": True, "revenue_target": 70_000_000},
    )
    detail = plan_detail(signed_in, big.id, YEAR, date(2026, 5, 1), DEFAULT_CHANNEL_COST)
    assert detail.plan == result.value
    assert detail.plan.grade_overridden
    save_plan(signed_in, big.id, YEAR, result.value.id, {"share_of_wallet_target": 40})
    assert signed_in.get(AccountPlan, result.value.id).share_of_wallet_target == 40


def test_accept_proposal_writes_coverage_in_one_op(signed_in: Store) -> None:
    big, small = _accounts(signed_in)
    existing = signed_in.create(AccountPlan, {"account_id": big.id, "fiscal_year": YEAR}).value
    proposal = propose(
        signed_in, YEAR, Capacity(visits=4, calls=10, emails=5), DEFAULT_CHANNEL_COST
    )
    result = accept_proposal(signed_in, YEAR, proposal)
    plans = {p.account_id: p for p in result.value}
    assert plans[big.id].id == existing.id
    assert plans[big.id].planned(Channel.VISIT, 1) == proposal.proposals[0].planned(Channel.VISIT)
    assert plans[big.id].planned(Channel.VISIT, 4) >= 1
    assert plans[small.id].grade is None  # made for the account, keeping its (empty) grade
    assert signed_in.count(AccountPlan) == 2
    assert result.undo is not None
    result.undo.apply(signed_in)
    assert signed_in.count(AccountPlan) == 1
    assert signed_in.get(AccountPlan, existing.id).coverage == ()
