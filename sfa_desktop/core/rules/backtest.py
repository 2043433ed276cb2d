"""The projection as it would have been computed at a past moment, with nothing from after
it: stage changes later than that moment are dropped, and a deal counts as closed (for the
win rates and stage times) only if it had closed by then."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sfa_desktop.core.entities import Opportunity, StageChange
from sfa_desktop.core.enums import Stage
from sfa_desktop.core.periods import Period
from sfa_desktop.core.rules.projection import (
    TRIALS,
    History,
    Projection,
    history_for,
    project,
)


def changes_until(changes: Iterable[StageChange], when: datetime) -> list[StageChange]:
    """The stage changes made at or before `when`."""
    return [change for change in changes if change.changed_at <= when]


def closed_as_of(
    opportunities: Iterable[Opportunity], changes: Iterable[StageChange], when: datetime
) -> list[Opportunity]:
    """The deals that had closed by `when`, each in the closed stage it reached by then.

    A deal with stage changes is closed at `when` if the last one at or before `when`
    entered a closed stage; a deal with none, if it is closed now and closed by `when`
    (`closed_at`). Later changes (a reopening, a win after `when`) are not seen."""
    by_opp: dict[str, list[StageChange]] = defaultdict(list)
    for change in changes:
        by_opp[change.opportunity_id].append(change)
    found = []
    for opp in opportunities:
        own = by_opp.get(opp.id)
        if own:
            earlier = [c for c in own if c.changed_at <= when]
            if not earlier:
                continue
            stage = max(earlier, key=lambda c: c.changed_at).to_stage
        elif opp.stage.is_closed and opp.closed_at is not None and opp.closed_at <= when:
            stage = opp.stage
        else:
            continue
        if stage.is_closed:
            found.append(opp if opp.stage is stage else _in_stage(opp, stage))
    return found


def _in_stage(opp: Opportunity, stage: Stage) -> Opportunity:
    """`opp` as it stood in `stage` (no validation: the values come from stored records)."""
    return opp.model_copy(update={"stage": stage, "forecast_category": stage.default_category})


def project_as_of(
    period: Period,
    deals_then: Sequence[Opportunity],
    closed_then: Mapping[str, Sequence[Opportunity]],
    changes_then: Sequence[StageChange],
    when: datetime,
    *,
    trials: int = TRIALS,
) -> dict[str, Projection]:
    """Each owner's projection of `period` at `when`, from the period's deals as they
    stood then (`deals_then`: a snapshot), the deals closed by then among each owner's team
    (`closed_then`, by owner: their own and their teammates') and the stage changes made by
    then. An owner's history is their own when they had closed enough, else their team's,
    else the stages' default probabilities (`history_for`)."""
    by_owner: dict[str, list[Opportunity]] = defaultdict(list)
    for deal in deals_then:
        by_owner[deal.owner_id or ""].append(deal)
    found = {}
    for owner, deals in by_owner.items():
        history: History = history_for(owner, closed_then.get(owner, ()), changes_then)
        found[owner] = project(period, deals, changes_then, history, when, trials=trials)
    return found
