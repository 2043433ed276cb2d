"""The coverage optimiser over the rep's accounts, and accepting its proposal into the plans."""

from __future__ import annotations

from collections.abc import Mapping

from sfa_desktop.core.entities import AccountPlan, CoverageLine
from sfa_desktop.core.enums import Channel
from sfa_desktop.core.rules.optimiser import AccountInput, Capacity, CoverageProposal, optimise
from sfa_desktop.operations.plans import plan_summaries, suggest_grade
from sfa_desktop.operations.result import OpResult, Undo
from sfa_desktop.store import Changes, Store


def optimiser_inputs(store: Store, fiscal_year: int) -> list[AccountInput]:
    """The rep's accounts with the grade of their plan (or account, or the suggestion)."""
    return [
        AccountInput(
            account_id=row.account.id,
            name=row.account.name,
            grade=(row.plan.grade if row.plan else None)
            or row.account.grade
            or suggest_grade(row.account).grade,
            potential=row.account.potential_revenue,
            historical=row.account.historical_revenue(),
            orientation=row.account.orientation,
        )
        for row in plan_summaries(store, fiscal_year)
    ]


def propose(
    store: Store, fiscal_year: int, capacity: Capacity, costs: Mapping[Channel, int]
) -> CoverageProposal:
    return optimise(optimiser_inputs(store, fiscal_year), capacity, costs)


def accept_proposal(
    store: Store, fiscal_year: int, proposal: CoverageProposal
) -> OpResult[list[AccountPlan]]:
    """Write the proposal into each account's plan coverage, in one transaction; undo restores."""
    coverage = {
        p.account.account_id: tuple(
            CoverageLine(channel=channel, quarter=quarter, planned=count)
            for channel, count in p.per_quarter.items()
            for quarter in range(1, 5)
        )
        for p in proposal.proposals
    }
    before = {
        plan.account_id: plan
        for plan in store.get_many(
            AccountPlan, store.ids(AccountPlan, where={"fiscal_year": fiscal_year})
        )
        if plan.account_id in coverage
    }
    saved = store.set_plan_coverage(fiscal_year, coverage)
    made = [plan.id for plan in saved.value if plan.account_id not in before]

    def undo(s: Store) -> Changes:
        changes = Changes()
        for plan in before.values():
            changes |= s.update(AccountPlan, plan.id, {"coverage": plan.coverage}).changes
        for plan_id in made:
            changes |= s.delete(AccountPlan, plan_id)
        return changes

    return OpResult(saved.value, saved.changes, Undo("accept coverage plan", (undo,)))
