"""The read queries behind the desktop views filter and sort in SQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from sfa_desktop.core.entities import (
    Account,
    AccountPlan,
    Activity,
    Contact,
    CoverageLine,
    Lead,
    Opportunity,
    Task,
)
from sfa_desktop.core.enums import LeadStatus, Stage
from sfa_desktop.core.errors import DomainError
from sfa_desktop.store import Store

TODAY = date(2026, 11, 23)


def test_account_ids_filter_by_text_and_grade_sorted_case_insensitively(signed_in: Store) -> None:
    ids = {
        name: signed_in.create(Account, {"name": name, "grade": grade, "city": city}).value.id
        for name, grade, city in [
            ("beta Bau", "A", "Hamburg"),
            ("Alpha AG", "B", "Berlin"),
            ("Gamma 100%", "A", "Bremen"),
        ]
    }
    assert signed_in.account_ids() == [ids["Alpha AG"], ids["beta Bau"], ids["Gamma 100%"]]
    assert signed_in.account_ids(descending=True)[0] == ids["Gamma 100%"]
    assert signed_in.account_ids(grade="A") == [ids["beta Bau"], ids["Gamma 100%"]]
    assert signed_in.account_ids("BER") == [ids["Alpha AG"]]
    assert signed_in.account_ids("100%") == [ids["Gamma 100%"]]
    assert signed_in.account_ids("_") == []
    with pytest.raises(DomainError):
        signed_in.account_ids(sort="nope")


def test_contact_ids_filter_by_text_and_account(signed_in: Store) -> None:
    account = signed_in.create(Account, {"name": "Acme"}).value
    anna = signed_in.create(
        Contact, {"first_name": "Anna", "last_name": "Zorn", "account_id": account.id}
    ).value
    bert = signed_in.create(Contact, {"first_name": "Bert", "last_name": "Adler"}).value
    assert signed_in.contact_ids() == [bert.id, anna.id]
    assert signed_in.contact_ids("ann") == [anna.id]
    assert signed_in.contact_ids(account_id=account.id) == [anna.id]


def test_lead_ids_filter_by_status_newest_first(signed_in: Store) -> None:
    first = signed_in.create(Lead, {"company": "First Foods"}).value
    second = signed_in.create(Lead, {"company": "Second Foods", "status": "working"}).value
    assert signed_in.lead_ids() == [second.id, first.id]
    assert signed_in.lead_ids(status=LeadStatus.WORKING) == [second.id]
    assert signed_in.lead_ids("first") == [first.id]


def test_open_tasks_due_and_reminders(signed_in: Store) -> None:
    overdue = signed_in.create(Task, {"title": "Old", "due_date": TODAY - timedelta(days=3)}).value
    today = signed_in.create(Task, {"title": "Now", "due_date": TODAY}).value
    signed_in.create(Task, {"title": "Later", "due_date": TODAY + timedelta(days=3)})
    done = signed_in.create(Task, {"title": "Done", "due_date": TODAY}).value
    signed_in.complete_task(done.id)
    assert [t.id for t in signed_in.open_tasks_due(TODAY)] == [overdue.id, today.id]
    when = datetime(2026, 11, 23, 9, tzinfo=UTC)
    remind = signed_in.create(Task, {"title": "Ping", "remind_at": when}).value
    assert [t.id for t in signed_in.due_reminders(when)] == [remind.id]
    assert signed_in.due_reminders(when - timedelta(minutes=1)) == []


def test_opportunities_closing_only_open_ones_in_range(signed_in: Store) -> None:
    account = signed_in.create(Account, {"name": "Acme"}).value
    fields = {"account_id": account.id, "name": "Deal"}
    inside = signed_in.create(Opportunity, {**fields, "close_date": date(2026, 11, 30)}).value
    signed_in.create(Opportunity, {**fields, "close_date": date(2026, 12, 1)})
    won = signed_in.create(Opportunity, {**fields, "close_date": date(2026, 11, 2)}).value
    signed_in.update(Opportunity, won.id, {"stage": Stage.CLOSED_WON})
    closing = signed_in.opportunities_closing(date(2026, 11, 1), date(2026, 12, 1))
    assert [o.id for o in closing] == [inside.id]


def test_accounts_behind_coverage_only_graded_and_behind(signed_in: Store) -> None:
    def planned(name: str, grade: str, visits: int) -> Account:
        account = signed_in.create(Account, {"name": name, "grade": grade}).value
        coverage = tuple(CoverageLine(channel="visit", quarter=q, planned=visits) for q in (1, 2))
        signed_in.create(
            AccountPlan, {"account_id": account.id, "fiscal_year": 2026, "coverage": coverage}
        )
        return account

    behind = planned("Behind", "A", 4)
    on_track = planned("On track", "B", 1)
    planned("Small", "D", 4)
    for month in (2, 5):
        signed_in.create(
            Activity,
            {
                "channel": "visit",
                "subject": "Visit",
                "account_id": on_track.id,
                "occurred_at": datetime(2026, month, 3, tzinfo=UTC),
            },
        )
    gaps = signed_in.accounts_behind_coverage(TODAY)
    assert [gap.account.id for gap in gaps] == [behind.id]
    assert gaps[0].shortfall == 8
