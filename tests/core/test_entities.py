"""Validation of the domain records: clear per-field messages, stage-driven defaults."""

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from sfa_desktop.core.entities import (
    Account,
    AccountPlan,
    CalendarEvent,
    Contact,
    CoverageLine,
    ForecastSubmission,
    Lead,
    ManagerAdjustment,
    Opportunity,
    YearRevenue,
)
from sfa_desktop.core.enums import Channel, ForecastCategory, Stage
from sfa_desktop.core.errors import InvalidRecord

CLOSE = date(2026, 12, 31)


@pytest.mark.parametrize(
    ("stage", "probability", "category"),
    [
        (Stage.PROSPECTING, 10, ForecastCategory.PIPELINE),
        (Stage.QUALIFICATION, 20, ForecastCategory.PIPELINE),
        (Stage.NEEDS_ANALYSIS, 40, ForecastCategory.PIPELINE),
        (Stage.PROPOSAL, 60, ForecastCategory.BEST_CASE),
        (Stage.NEGOTIATION, 80, ForecastCategory.COMMIT),
        (Stage.CLOSED_WON, 100, ForecastCategory.CLOSED),
        (Stage.CLOSED_LOST, 0, ForecastCategory.OMITTED),
    ],
)
def test_probability_and_category_follow_the_stage(
    stage: Stage, probability: int, category: ForecastCategory
) -> None:
    opp = Opportunity(account_id="a", name="Deal", close_date=CLOSE, stage=stage, probability=55)
    assert (opp.probability, opp.forecast_category) == (probability, category)


def test_overrides_survive_a_stage_change_until_closing() -> None:
    opp = Opportunity(
        account_id="a",
        name="Deal",
        close_date=CLOSE,
        stage="proposal",
        probability=75,
        probability_overridden=True,
        forecast_category="commit",
        category_overridden=True,
    )
    moved = opp.with_changes({"stage": "negotiation"})
    assert (moved.probability, moved.forecast_category) == (75, "commit")
    with pytest.raises(InvalidRecord, match="won opportunity has probability 100"):
        opp.with_changes({"stage": "closed_won"})
    won = opp.with_changes({"stage": "closed_won", "probability_overridden": False})
    assert (won.probability, won.forecast_category, won.category_overridden) == (
        100,
        "closed",
        False,
    )


def test_open_deal_cannot_be_in_the_closed_category() -> None:
    with pytest.raises(InvalidRecord, match="only a won opportunity"):
        Opportunity.parse(
            {
                "account_id": "a",
                "name": "D",
                "close_date": CLOSE,
                "forecast_category": "closed",
                "category_overridden": True,
            }
        )


def test_weighted_amount() -> None:
    opp = Opportunity(account_id="a", name="D", close_date=CLOSE, stage="proposal", amount=1001)
    assert opp.weighted_amount == 600


def test_contact_messages_are_per_field_and_readable() -> None:
    with pytest.raises(InvalidRecord) as error:
        Contact.parse(
            {"last_name": "", "email": "x@", "phone": "call me", "preferred_channel": "fax"}
        )
    assert error.value.errors == {
        "last_name": "is required",
        "email": "'x@' is not an email address",
        "phone": "'call me' is not a phone number (digits, spaces, + ( ) . / -)",
        "preferred_channel": "must be one of 'visit', 'call', 'email', 'event', 'mail' or 'note'",
    }


def test_do_not_contact_blocks_the_preferred_channel() -> None:
    with pytest.raises(InvalidRecord, match="marked do-not-contact"):
        Contact.parse({"last_name": "Doe", "preferred_channel": "call", "do_not_call": True})
    contact = Contact(last_name="Doe", do_not_email=True, do_not_mail=True)
    assert contact.blocked_channels() == {Channel.EMAIL, Channel.MAIL}


def test_email_is_normalised() -> None:
    assert Contact(last_name="Doe", email="  Jane.Doe@Example.COM ").email == "jane.doe@example.com"


def test_account_rules() -> None:
    with pytest.raises(InvalidRecord, match="own parent"):
        Account.parse({"id": "a", "name": "Loop", "parent_id": "a"})
    with pytest.raises(InvalidRecord, match="year twice"):
        Account.parse({"name": "Twice", "revenue_history": [{"year": 2025, "amount": 1}] * 2})
    with pytest.raises(InvalidRecord, match="currency code"):
        Account.parse({"name": "X", "currency": "euro"})
    account = Account(
        name="Hist",
        revenue_history=(
            YearRevenue(year=2022, amount=100),
            YearRevenue(year=2025, amount=400),
            YearRevenue(year=2024, amount=300),
            YearRevenue(year=2023, amount=200),
        ),
    )
    assert account.historical_revenue() == 300  # 2023-2025 average


def test_event_times_zone_and_rrule_are_checked() -> None:
    start = datetime(2026, 11, 23, 9, tzinfo=UTC)
    base = {"title": "Visit", "starts_at": start, "ends_at": start}
    with pytest.raises(InvalidRecord, match="ends before it starts"):
        CalendarEvent.parse({**base, "ends_at": start.replace(hour=8)})
    with pytest.raises(InvalidRecord, match="unknown time zone"):
        CalendarEvent.parse({**base, "timezone": "Mars/Olympus"})
    with pytest.raises(InvalidRecord, match="not a valid RRULE"):
        CalendarEvent.parse({**base, "recurrence": "FREQ=SOMETIMES"})
    with pytest.raises(InvalidRecord, match="must carry a time zone"):
        CalendarEvent.parse({**base, "starts_at": datetime(2026, 1, 1)})
    event = CalendarEvent.parse({**base, "recurrence": "RRULE:FREQ=WEEKLY;COUNT=3"})
    assert event.recurrence == "FREQ=WEEKLY;COUNT=3"


def test_lead_rules() -> None:
    with pytest.raises(InvalidRecord, match="last name or a company"):
        Lead.parse({"first_name": "Ann"})
    with pytest.raises(InvalidRecord, match="say why"):
        Lead.parse({"company": "X", "status": "disqualified"})
    assert (
        Lead(first_name="Ann", last_name="Lee", company="Lee Co").display_name == "Ann Lee (Lee Co)"
    )


def test_plan_rules() -> None:
    with pytest.raises(InvalidRecord, match="channel and quarter twice"):
        AccountPlan.parse(
            {
                "account_id": "a",
                "fiscal_year": 2026,
                "coverage": [{"channel": "visit", "quarter": 1, "planned": 2}] * 2,
            }
        )
    with pytest.raises(ValidationError, match="not a contact channel"):
        CoverageLine.model_validate({"channel": "note", "quarter": 1, "planned": 1})


def test_forecast_records() -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with pytest.raises(InvalidRecord, match="best case cannot be below commit"):
        ForecastSubmission.parse(
            {"period": "2026-Q4", "commit": 10, "best_case": 5, "submitted_at": now}
        )
    with pytest.raises(InvalidRecord, match="period"):
        ForecastSubmission.parse({"period": "Q4", "commit": 1, "best_case": 5, "submitted_at": now})
    assert (
        ForecastSubmission(period="2026-q4", commit=1, best_case=2, submitted_at=now).period
        == "2026-Q4"
    )
    with pytest.raises(InvalidRecord, match="needs a comment"):
        ManagerAdjustment.parse(
            {
                "subject_user_id": "u",
                "period": "2026-Q4",
                "category": "commit",
                "amount": 1,
                "comment": "  ",
            }
        )


def test_with_changes_validates_and_refuses_unknown_fields() -> None:
    account = Account(name="Acme")
    with pytest.raises(InvalidRecord, match="is not a field"):
        account.with_changes({"salary": 1})
    with pytest.raises(InvalidRecord, match="name"):
        account.with_changes({"name": ""})
