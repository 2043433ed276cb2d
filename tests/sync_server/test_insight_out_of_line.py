"""A top manager's out-of-line accounts (the whole organisation) come from the accounts'
quarter summaries (insight_out_of_line); checked on SQLite and PostgreSQL against figures
worked out by hand and against the team path, which reads every account's activities (the
way all views computed it before the summaries), after a regrade, a reassignment and a
deleted touch. Channel costs are the defaults (visit 25,000, call 1,500, email 200,
event 40,000, mail 500; a note costs nothing and is no contact)."""

from __future__ import annotations

from typing import Any

from insight_scenario import Writer, at
from server_kit import Org
from sqlalchemy.orm import Session

from sfa_desktop.core.entities import Account, Activity
from sfa_desktop.core.periods import Period
from sync_server.models import User
from sync_server.services import insight_coverage_sums as sums
from sync_server.services.insight_common import View
from sync_server.services.insight_coverage import coverage
from sync_server.services.records import save

NOW = at(10, 15)


def _boss(session: Session, org: Org) -> User:
    user = session.get(User, org.ids["boss"])
    assert user is not None
    return user


def _report(org: Org) -> tuple[list[tuple[str, str, int]], dict[str, int], int]:
    """Boss's listed (name, kind, cost), out of line per row name, and the total; and the
    same verdicts by the team path (every account read), which must agree."""
    with org.session() as session:
        report = coverage(session, _boss(session, org), "2026-Q3", NOW)
        view = View.load(session, _boss(session, org))
        old, old_per_owner = sums._team(session, view, Period.parse("2026-Q3"))
    listed = [(o.name, o.kind, o.cost) for o in report.out_of_line]
    names = {o.account_id: o.name for o in report.out_of_line}
    assert [(names[v.served.account_id], v.kind, v.served.cost) for v in old] == listed
    assert [o.reason for o in report.out_of_line] == [v.reason for v in old]
    assert report.out_of_line_total == sum(old_per_owner.values())
    rows = {row.name: row.out_of_line for row in report.rows}
    return listed, rows, report.out_of_line_total


def test_whole_organisation_out_of_line_from_the_summaries(org: Org) -> None:
    """Q3 2026. Rob: A1 (A) 1 visit 25,000; A2 (A) none; B1 (B) 2 calls 3,000; C1 (C)
    2 visits 50,000; C2 (C) 1 email 200; D1 (D) none; D2 (D) 2 calls 3,000; E1 (E) 1 event
    40,000. Ria: B2 (B) 1 mail 500; C3 (C) 1 visit and a note 25,000; U1 (no grade)
    3 visits, not judged. Top-grade costs 0, 500, 3,000, 25,000: median 1,750; lower 0,
    200, 3,000, 25,000, 40,000, 50,000: median 14,000. Over-served (lower, > 1,750): C1,
    E1, C3, D2; under-served (top, no touch or < 14,000): A2 (no touch), B2, B1. Rob 5,
    Ria 2."""
    w = Writer(org)
    grades = {
        "A1": ("rob", "A"),
        "A2": ("rob", "A"),
        "B1": ("rob", "B"),
        "C1": ("rob", "C"),
        "C2": ("rob", "C"),
        "D1": ("rob", "D"),
        "D2": ("rob", "D"),
        "E1": ("rob", "E"),
        "B2": ("ria", "B"),
        "C3": ("ria", "C"),
        "U1": ("ria", None),
    }
    accounts: dict[str, Account] = {}
    for name, (who, grade) in grades.items():
        account = Account(name=name, owner_id=org.ids[who], created_at=at(1, 1), grade=grade)
        accounts[name] = w.save(account, who, at(1, 1))
    touches: dict[tuple[str, str], Any] = {}
    plan = [
        ("A1", "visit", 1),
        ("B1", "call", 2),
        ("C1", "visit", 2),
        ("C2", "email", 1),
        ("D2", "call", 2),
        ("E1", "event", 1),
        ("B2", "mail", 1),
        ("C3", "visit", 1),
        ("C3", "note", 1),
        ("U1", "visit", 3),
    ]
    for name, channel, count in plan:
        who = grades[name][0]
        for n in range(count):
            touch = Activity(
                channel=channel,
                subject=channel,
                occurred_at=at(8, 1 + n),
                account_id=accounts[name].id,
                owner_id=org.ids[who],
                created_at=at(8, 1),
            )
            touches[name, channel] = w.save(touch, who, at(8, 1 + n))
    assert _report(org) == (
        [
            ("C1", "over-served", 50_000),
            ("E1", "over-served", 40_000),
            ("C3", "over-served", 25_000),
            ("D2", "over-served", 3_000),
            ("A2", "under-served", 0),
            ("B2", "under-served", 500),
            ("B1", "under-served", 3_000),
        ],
        {"Boss": 7, "Mia": 7},
        7,
    )
    # C1 becomes an A: both medians 3,000 (D2 is not over, B1 not under: not strictly).
    w.save(accounts["C1"].with_changes({"grade": "A"}), "rob", at(9, 1))
    listed, _, total = _report(org)
    assert listed == [
        ("E1", "over-served", 40_000),
        ("C3", "over-served", 25_000),
        ("A2", "under-served", 0),
        ("B2", "under-served", 500),
    ]
    assert total == 4
    # E1 moves to Ria, C3's visit is deleted (C3 costs nothing: lower median 200).
    w.save(accounts["E1"].with_changes({"owner_id": org.ids["ria"]}), "mia", at(9, 2))
    with org.session() as session:
        visit = touches["C3", "visit"]
        save(session, w.org_id, visit, actor=org.ids["ria"], now=at(9, 3), deleted=True)
        session.commit()
    listed, _, total = _report(org)
    assert listed == [("E1", "over-served", 40_000), ("A2", "under-served", 0)]
    assert total == 2
