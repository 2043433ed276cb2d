"""Coverage and cost to serve by grade, and pipeline health (issue 20, views 3 and 4), on
small histories worked out by hand below, on SQLite and PostgreSQL. "Now" is fixed
(15 Oct 2026): the figures do not depend on today's date. Amounts in cents; channel costs
are the defaults (visit 25,000, call 1,500, email 200, mail 500)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from insight_scenario import Writer, at
from server_kit import Org

from sync_server.models import User
from sync_server.services import insight_coverage_sums, insight_pipeline
from sync_server.services.insight_coverage import account_costs, coverage
from sync_server.services.insight_pipeline import pipeline

NOW = at(10, 15)


def _user(org: Org, name: str) -> User:
    with org.session() as session:
        user = session.get(User, org.ids[name])
        assert user is not None
        session.expunge(user)
        return user


@pytest.fixture
def served(org: Org) -> dict[str, str]:
    """Q3 2026. Rob: A1 (A, potential 1,000,000), B1 (B, 500,000), C1 (C, 200,000);
    Ria: D1 (D, 100,000), A2 (A, 800,000).
    Touches in Q3: A1 2 visits + 3 calls (54,500; a note costs nothing), B1 1 visit +
    2 emails (25,400), C1 3 visits (75,000), D1 1 call + 1 mail (2,000), A2 none; in Q2
    one visit on A1 (25,000). Won: A1 300,000 (10 Aug) and 200,000 (10 Feb), C1 100,000
    (1 Sep), D1 50,000 (15 Sep, Ria). A1's plan for 2026 asks for 3 visits and 4 calls in
    Q3 (and 9 visits in Q2)."""
    w = Writer(org)
    ids = {
        "A1": w.account("rob", "A1", at(1, 1), grade="A", potential_revenue=1_000_000),
        "B1": w.account("rob", "B1", at(1, 1), grade="B", potential_revenue=500_000),
        "C1": w.account("rob", "C1", at(1, 1), grade="C", potential_revenue=200_000),
        "D1": w.account("ria", "D1", at(1, 1), grade="D", potential_revenue=100_000),
        "A2": w.account("ria", "A2", at(1, 1), grade="A", potential_revenue=800_000),
    }
    touches = [
        ("rob", "A1", "visit", 2),
        ("rob", "A1", "call", 3),
        ("rob", "A1", "note", 1),
        ("rob", "B1", "visit", 1),
        ("rob", "B1", "email", 2),
        ("rob", "C1", "visit", 3),
        ("ria", "D1", "call", 1),
        ("ria", "D1", "mail", 1),
    ]
    for who, account, channel, count in touches:
        for n in range(count):
            w.activity(who, ids[account], channel, at(8, 1 + n))
    w.activity("rob", ids["A1"], "visit", at(5, 5))
    for who, account, amount, close in [
        ("rob", "A1", 300_000, date(2026, 8, 10)),
        ("rob", "A1", 200_000, date(2026, 2, 10)),
        ("rob", "C1", 100_000, date(2026, 9, 1)),
        ("ria", "D1", 50_000, date(2026, 9, 15)),
    ]:
        w.deal(who, ids[account], amount, close, "closed_won", at(1, 5))
    w.plan("rob", ids["A1"], 2026, [("visit", 3, 3), ("call", 3, 4), ("visit", 2, 9)])
    return ids


def test_grade_shares_and_cost_to_serve(org: Org, served: dict[str, str]) -> None:
    with org.session() as session:
        report = coverage(session, _user(org, "mia"), "2026-Q3", NOW)
    grades = {row.grade: row for row in report.grades}
    assert list(grades) == ["A", "B", "C", "D"]
    a, b, c, d = grades["A"], grades["B"], grades["C"], grades["D"]
    assert (a.accounts, a.visits, a.cost, a.revenue) == (2, 2, 54_500, 300_000)
    assert a.visit_share == pytest.approx(2 / 6)
    assert a.revenue_share == pytest.approx(300 / 450)
    assert a.potential_share == pytest.approx(1_800 / 2_600)
    assert a.expense_to_revenue == pytest.approx(54_500 / 300_000)
    assert (a.planned["visit"], a.planned["call"], a.logged["call"]) == (3, 4, 3)
    assert (a.wallet_revenue, a.share_of_wallet) == (500_000, pytest.approx(500 / 1_800))
    assert (b.cost, b.revenue, b.expense_to_revenue) == (25_400, 0, None)
    assert (c.cost, c.expense_to_revenue) == (75_000, pytest.approx(0.75))
    assert (d.cost, d.expense_to_revenue) == (2_000, pytest.approx(0.04))
    # A and B: half the visits, two thirds of the revenue, 88.5 % of the potential
    assert report.top_visit_share == pytest.approx(0.5)
    assert report.top_revenue_share == pytest.approx(300 / 450)
    assert report.top_potential_share == pytest.approx(2_300 / 2_600)
    # top-grade median cost 25,400 (A1, B1, A2 = 54,500, 25,400, 0); lower 38,500
    found = [(o.name, o.kind) for o in report.out_of_line]
    assert found == [("C1", "over-served"), ("A2", "under-served"), ("B1", "under-served")]
    trend = {q.period: (q.cost, q.revenue, q.expense_to_revenue) for q in report.trend}
    assert trend == {
        "2025-Q4": (0, 0, None),
        "2026-Q1": (0, 200_000, 0.0),
        "2026-Q2": (25_000, 0, None),
        "2026-Q3": (156_900, 450_000, pytest.approx(156_900 / 450_000)),
    }
    mia, ria, rob = report.rows
    assert (rob.cost, rob.revenue, rob.planned, rob.logged, rob.out_of_line) == (
        154_900,
        400_000,
        7,
        11,
        2,
    )
    assert (rob.top_visit_share, rob.top_revenue_share) == (0.5, 0.75)
    assert (ria.cost, ria.top_visit_share, ria.top_revenue_share, ria.out_of_line) == (
        2_000,
        None,
        0.0,
        1,
    )
    assert (mia.cost, mia.revenue) == (156_900, 450_000)


def test_out_of_line_lists_the_most_and_counts_all(
    org: Org, served: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One listed per kind: C1 (the costliest over-served) and A2 (the cheapest
    under-served, no touch); B1 is still counted, in Rob's row and the total."""
    monkeypatch.setattr(insight_coverage_sums, "LISTED", 1)
    with org.session() as session:
        report = coverage(session, _user(org, "mia"), "2026-Q3", NOW)
    found = [(o.name, o.kind) for o in report.out_of_line]
    assert found == [("C1", "over-served"), ("A2", "under-served")]
    assert report.out_of_line_total == 3
    assert [row.out_of_line for row in report.rows] == [3, 1, 2]  # Mia, Ria, Rob


def test_coverage_stays_in_scope(org: Org, served: dict[str, str]) -> None:
    ria = _user(org, "ria")
    with org.session() as session:
        report = coverage(session, ria, "2026-Q3", NOW)
        accounts = account_costs(session, ria, "2026-Q3", None, NOW)
    assert [row.name for row in report.rows] == ["Ria"]
    assert {row.grade for row in report.grades} == {"A", "D"}
    assert sorted(a.name for a in accounts.accounts) == ["A2", "D1"]


@pytest.fixture
def flows(org: Org) -> Writer:
    """Rob's deals closed in the window (2025-Q4 to 2026-Q3), stage by stage:
    P1 prospecting 1 Jan, qualification 11 Jan, proposal 31 Jan, won 10 Feb;
    P2 qualification 1 Mar, needs analysis 5 Mar, lost 20 Mar;
    P3 prospecting 1 Apr, lost 3 Apr;
    P4 qualification 1 May, proposal 11 May, negotiation 15 May, won 25 May.
    Ria: R1 negotiation 1 Jul, won 1 Aug. Rob's open Q4 deals: S1 300,000 (commit) pushed
    twice, S2 100,000 (best case) pushed once, S3 50,000 (pipeline) pushed, pulled in and
    pushed (one push between its snapshots of dates: 10 Nov, 1 Nov, 15 Nov: the first
    move is a pull). Rob won W1 200,000 on 5 Oct; his Q4 quota is 1,000,000."""
    w = Writer(org)
    acme = w.account("rob", "Acme", at(1, 1))
    walks = {
        date(2026, 2, 10): [
            ("prospecting", 1, 1),
            ("qualification", 1, 11),
            ("proposal", 1, 31),
            ("closed_won", 2, 10),
        ],
        date(2026, 3, 20): [
            ("qualification", 3, 1),
            ("needs_analysis", 3, 5),
            ("closed_lost", 3, 20),
        ],
        date(2026, 4, 3): [("prospecting", 4, 1), ("closed_lost", 4, 3)],
        date(2026, 5, 25): [
            ("qualification", 5, 1),
            ("proposal", 5, 11),
            ("negotiation", 5, 15),
            ("closed_won", 5, 25),
        ],
    }
    for close, steps in walks.items():
        first, month, day = steps[0]
        deal = w.deal("rob", acme, 10_000, close, first, at(month, day))
        for stage, month, day in steps[1:]:
            deal = w.move("rob", deal, stage, at(month, day))
    ria_account = w.account("ria", "Ria Co", at(1, 1))
    r1 = w.deal("ria", ria_account, 10_000, date(2026, 8, 1), "negotiation", at(7, 1))
    w.move("ria", r1, "closed_won", at(8, 1))
    w.deal("rob", acme, 200_000, date(2026, 10, 5), "closed_won", at(10, 5))
    for amount, stage, dates in [
        (300_000, "negotiation", [(11, 10), (11, 20), (12, 5)]),
        (100_000, "proposal", [(11, 20), (11, 25)]),
        (50_000, "qualification", [(11, 10), (11, 1), (11, 15)]),
    ]:
        month, day = dates[0]
        deal = w.deal("rob", acme, amount, date(2026, month, day), stage, at(9, 1))
        for month, day in dates[1:]:
            deal = deal.with_changes({"close_date": date(2026, month, day)})
            w.save(deal, "rob", at(10, 1))
    w.quota("rob", "2026-Q4", 1_000_000)
    return w


def test_stage_conversion_and_days(org: Org, flows: Writer) -> None:
    with org.session() as session:
        report = pipeline(session, _user(org, "rob"), NOW)
    assert report.window == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    stages = {s.stage: (s.reached, s.advanced, s.won, s.median_days) for s in report.stages}
    assert stages == {
        "Prospecting": (2, 1, 1, 6.0),  # P1 (10 days), P3 (2 days, lost)
        "Qualification": (3, 3, 2, 10.0),  # P1 20, P2 4, P4 10 days
        "Needs analysis": (1, 0, 0, 15.0),
        "Proposal": (2, 2, 2, 7.0),  # P1 10, P4 4 days
        "Negotiation": (1, 1, 1, 10.0),
    }
    conversion = {s.stage: s.conversion for s in report.stages}
    assert conversion["Prospecting"] == pytest.approx(0.5)
    assert conversion["Needs analysis"] == 0.0


def test_slipping_coverage_and_win_rate(org: Org, flows: Writer) -> None:
    with org.session() as session:
        report = pipeline(session, _user(org, "mia"), NOW)
    assert [(d.name, d.pushes, d.close_date) for d in report.slipping] == [
        ("Deal 300000", 2, date(2026, 12, 5))
    ]
    trend = {p.period: (p.won, p.lost) for p in report.trend}
    assert trend == {"2025-Q4": (0, 0), "2026-Q1": (1, 1), "2026-Q2": (1, 1), "2026-Q3": (1, 0)}
    mia, ria, rob = report.rows
    # open 300,000 + 100,000 + 50,000 against 1,000,000 − 200,000 won
    assert (rob.open_pipeline, rob.quota, rob.closed, rob.remaining_quota) == (
        450_000,
        1_000_000,
        200_000,
        800_000,
    )
    assert rob.coverage == pytest.approx(450 / 800)
    assert (rob.win_rate, rob.slipping) == (0.5, 1)
    assert (ria.win_rate, ria.coverage, ria.slipping) == (1.0, None, 0)
    assert mia.win_rate == pytest.approx(3 / 5)
    # Rob's view: only his own
    with org.session() as session:
        own: Any = pipeline(session, _user(org, "ria"), NOW)
    assert [row.name for row in own.rows] == ["Ria"]
    assert own.slipping == []


def test_slipping_deals_are_all_counted_when_few_are_listed(
    org: Org, flows: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(insight_pipeline, "SLIPPING_LISTED", 0)
    with org.session() as session:
        report = pipeline(session, _user(org, "mia"), NOW)
    assert report.slipping == []
    assert report.slipping_total == 1  # S1, Rob's
    assert [row.slipping for row in report.rows] == [1, 0, 1]  # Mia, Ria, Rob
