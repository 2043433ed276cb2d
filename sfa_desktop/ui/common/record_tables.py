"""Columns of the small lists inside the account, contact and today views."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sfa_desktop.core.entities import Account, Activity, Contact, Opportunity, Task
from sfa_desktop.core.enums import CONTACT_CHANNELS
from sfa_desktop.core.rules.coverage import CoverageReport
from sfa_desktop.ui.common.columns import Column
from sfa_desktop.ui.common.format import day, email_subject, email_way, label, moment, money

OVERDUE = "#b3261e"


def _due_colour(task: Task) -> str | None:
    return OVERDUE if task.due_date and task.due_date < date.today() and not task.done else None


def _dnc(contact: Contact) -> str:
    return ", ".join(sorted(label(c) for c in contact.blocked_channels()))


CONTACTS: list[Column[Contact]] = [
    Column("Name", lambda c: c.full_name),
    Column("Title", lambda c: c.title),
    Column("Buying role", lambda c: label(c.buying_role)),
    Column("Preferred", lambda c: label(c.preferred_channel)),
    Column("Do not contact", _dnc, colour=lambda c: OVERDUE if c.blocked_channels() else None),
]

ACTIVITIES: list[Column[Activity]] = [
    Column("When", lambda a: moment(a.occurred_at)),
    Column("Channel", email_way),
    Column("Subject", email_subject),
    Column("Outcome", lambda a: a.outcome),
]

OPPORTUNITIES: list[Column[Opportunity]] = [
    Column("Name", lambda o: o.name),
    Column("Stage", lambda o: o.stage.label),
    Column("Amount", lambda o: money(o.amount, o.currency), numeric=True),
    Column("Prob.", lambda o: f"{o.probability} %", numeric=True),
    Column("Close date", lambda o: day(o.close_date)),
]

TASKS: list[Column[Task]] = [
    Column("Due", lambda t: day(t.due_date), colour=_due_colour),
    Column("Title", lambda t: t.title),
    Column("Priority", lambda t: label(t.priority)),
    Column("Reminder", lambda t: moment(t.remind_at)),
]

ACCOUNTS: list[Column[Account]] = [
    Column("Name", lambda a: a.name),
    Column("Grade", lambda a: a.grade or ""),
    Column("City", lambda a: a.city),
]


def coverage_rows(report: CoverageReport) -> list[tuple[str, ...]]:
    """Channel rows of 'logged / planned' touches per quarter, and the year's total."""
    rows = []
    for channel in CONTACT_CHANNELS:
        cells = [report.cell(channel, quarter) for quarter in range(1, 5)]
        if not any(c.planned or c.actual for c in cells):
            continue
        quarters = [f"{c.actual} / {c.planned}" for c in cells]
        total = f"{sum(c.actual for c in cells)} / {sum(c.planned for c in cells)}"
        rows.append((label(channel), *quarters, total))
    return rows


def _nth(position: int) -> Callable[[tuple[str, ...]], str]:
    return lambda row: row[position]


COVERAGE: list[Column[tuple[str, ...]]] = [
    Column(header, _nth(i), numeric=i > 0)
    for i, header in enumerate(("Channel", "Q1", "Q2", "Q3", "Q4", "Year"))
]
