"""The demo organisation's past weekly snapshots: every Monday of the demo history's
quarters, each person's figures and every deal of that quarter as they stood then (from
the generator's history), taken the way the weekly job takes them, projection included
(computed from what was known at that moment only)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.orm import Session

from sfa_desktop.core.forecast_wire import SubmissionInfo
from sfa_desktop.core.periods import Period, PeriodKind
from sfa_desktop.demo.history import History
from sync_server.models import DealSnapshot, Org
from sync_server.services.currency import rate_table
from sync_server.services.forecast import Hierarchy
from sync_server.services.forecast_history import add_person_snapshots
from sync_server.services.forecast_inputs import CATEGORIES, INDEX, load_inputs
from sync_server.services.insight_projection import store_projections


def seed_snapshots(session: Session, org: Org, history: History) -> int:
    """Take the past weekly quarter snapshots; how many snapshot moments were taken."""
    people = Hierarchy.load(session, org.id)
    rates = rate_table(session, org)
    names = people.names()
    moments = history.moments()
    for moment in moments:
        period = Period.containing(moment.date(), PeriodKind.QUARTER)
        deals = history.deals_at(moment, period)
        inputs = load_inputs(
            session, org.id, set(people.by_id), period, org.currency, rates, names
        )  # quotas as set; the deals and calls below are those of `moment`
        amounts: dict[str, list[int]] = defaultdict(lambda: [0] * len(CATEGORIES))
        for deal in deals:
            amounts[deal.owner_id][INDEX[deal.category.value]] += deal.amount
        inputs.own = {owner: tuple(values) for owner, values in amounts.items()}
        inputs.converted.clear()
        inputs.deals_left_out.clear()
        inputs.adjustments.clear()
        inputs.submissions = {
            user_id: SubmissionInfo(
                id=f"demo-call-{user_id}-{period}",
                commit=call.commit,
                best_case=call.best_case,
                comment="",
                submitted_at=call.submitted_at,
                currency=org.currency,
            )
            for user_id, call in history.calls_at(moment, period).items()
        }
        add_person_snapshots(session, org, people, period, inputs, moment)
        for deal in deals:
            session.add(
                DealSnapshot(
                    org_id=org.id,
                    period=str(period),
                    taken_at=moment,
                    opportunity_id=deal.opportunity_id,
                    owner_id=deal.owner_id,
                    name=deal.name,
                    stage=deal.stage.value,
                    category=deal.category.value,
                    amount=deal.amount,
                    currency=org.currency,
                    close_date=deal.close_date,
                )
            )
        store_projections(session, org, people, period, moment)
    session.commit()
    return len(moments)
