"""Pipeline reads: the table filter in SQL and board cards with their last touch."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sfa_desktop.core.entities import Account, Activity, Opportunity
from sfa_desktop.core.enums import ForecastCategory, Stage
from sfa_desktop.store import Store
from sfa_desktop.store.pipeline import OpportunityFilter


def _deals(store: Store) -> dict[str, Opportunity]:
    account = store.create(Account, {"name": "Acme"}).value
    specs = {
        "small": ("qualification", 1_000_00, date(2026, 11, 10), "user-rep"),
        "big": ("negotiation", 90_000_00, date(2026, 12, 1), "user-rep"),
        "other": ("proposal", 20_000_00, date(2026, 11, 20), "user-mgr"),
        "won": ("closed_won", 5_000_00, date(2026, 11, 5), "user-rep"),
    }
    return {
        key: store.create(
            Opportunity,
            {
                "account_id": account.id,
                "name": key,
                "stage": stage,
                "amount": amount,
                "close_date": close,
                "owner_id": owner,
            },
        ).value
        for key, (stage, amount, close, owner) in specs.items()
    }


def _names(store: Store, where: OpportunityFilter, sort: str = "amount") -> list[str]:
    return [o.name for o in store.get_many(Opportunity, store.opportunity_ids(where, sort))]


def test_filters_combine_in_sql(signed_in: Store) -> None:
    _deals(signed_in)
    assert _names(signed_in, OpportunityFilter()) == ["small", "won", "other", "big"]
    assert _names(signed_in, OpportunityFilter(owner_id="user-mgr")) == ["other"]
    november = OpportunityFilter(close_from=date(2026, 11, 1), close_to=date(2026, 12, 1))
    assert _names(signed_in, november) == ["small", "won", "other"]
    commit = OpportunityFilter(category=ForecastCategory.COMMIT)
    assert _names(signed_in, commit) == ["big"]
    middle = OpportunityFilter(min_amount=5_000_00, max_amount=20_000_00)
    assert _names(signed_in, middle) == ["won", "other"]
    assert _names(signed_in, OpportunityFilter(open_only=True), "close_date") == [
        "small",
        "other",
        "big",
    ]
    ids = signed_in.opportunity_ids(OpportunityFilter(), "name", descending=True)
    assert [o.name for o in signed_in.get_many(Opportunity, ids)] == [
        "won",
        "small",
        "other",
        "big",
    ]


def test_board_cards_carry_last_touch(signed_in: Store) -> None:
    deals = _deals(signed_in)
    long_ago = datetime.now(UTC) - timedelta(days=365)
    cards = signed_in.pipeline_board("user-rep", long_ago)
    assert [c.opportunity.name for c in cards] == ["won", "small", "big"]
    assert all(c.account_name == "Acme" and c.last_stage_change for c in cards)
    assert all(c.last_activity is None for c in cards)
    when = datetime(2027, 1, 2, 9, tzinfo=UTC)
    signed_in.log_activity(
        {
            "channel": "call",
            "subject": "Chat",
            "opportunity_id": deals["big"].id,
            "occurred_at": when,
        }
    )
    signed_in.update(Opportunity, deals["small"].id, {"stage": Stage.PROPOSAL})
    cards = {c.opportunity.name: c for c in signed_in.pipeline_board(None, datetime.now(UTC))}
    assert set(cards) == {"small", "big", "other"}  # "won" closed before now
    assert cards["big"].last_activity == when
    assert cards["big"].last_touched == when
    assert cards["small"].last_stage_change is not None
    assert cards["small"].last_stage_change > deals["small"].created_at
    assert signed_in.count(Activity) == 1
