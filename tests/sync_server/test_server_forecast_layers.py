"""Adjustments per manager level, team calls, and what a manager reads beside the tree
(issue 22, points 3 and 7, and the manager's needs), through the HTTP API on SQLite and
PostgreSQL. Boss > Mia > Rob, Ria. Every expected figure is written out (cents).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from server_kit import Org

from sfa_desktop.core.entities.base import new_id
from sfa_desktop.core.enums import Role
from sync_server.services import admin
from sync_server.services.forecast_history import take_snapshots

Q4 = "2026-Q4"


@pytest.fixture
def team(org: Org) -> Org:
    """Rob: commit 100,000 and best case 50,000 (negotiation/proposal default categories:
    negotiation -> commit, proposal -> best case). Ria: commit 40,000."""
    rob, ria = org.account("rob"), org.account("ria")
    org.opportunity("rob", rob, 100_000, "2026-11-20", "negotiation", name="Rob big")
    org.opportunity("rob", rob, 50_000, "2026-12-10", "proposal", name="Rob small")
    org.opportunity("ria", ria, 40_000, "2026-12-15", "negotiation", name="Ria deal")
    return org


def _adjust(org: Org, manager: str, subject: str, amount: int, category: str = "commit") -> Any:
    return org.client.post(
        "/api/v1/forecast/adjustments",
        json={
            "subject_user_id": org.ids[subject],
            "period": Q4,
            "category": category,
            "amount": amount,
            "comment": f"{manager} thinks {amount}",
        },
        headers=org.headers(manager),
    )


def _nodes(org: Org, viewer: str) -> dict[str, Any]:
    response = org.client.get(f"/api/v1/forecast/{Q4}", headers=org.headers(viewer))
    assert response.status_code == 200, response.text
    found, stack = {}, [response.json()["root"]]
    while stack:
        node = stack.pop()
        found[node["name"]] = node
        stack.extend(node["reports"])
    return found


def _layers(node: dict[str, Any]) -> list[tuple[str, int, bool]]:
    return [(a["manager_name"], a["amount"], a["applied"]) for a in node["adjustments"]]


def test_each_manager_level_keeps_its_own_adjustment(team: Org) -> None:
    assert _adjust(team, "mia", "rob", 80_000).status_code == 200
    assert _adjust(team, "boss", "rob", 60_000).status_code == 200
    assert _adjust(team, "boss", "mia", 90_000).status_code == 200

    mine = _nodes(team, "mia")  # Mia's own view
    assert mine["Rob"]["totals"]["commit"] == 100_000  # the deals' sum, never adjusted
    assert mine["Rob"]["adjusted"]["commit"] == 80_000  # hers (before: Boss's replaced it)
    assert _layers(mine["Rob"]) == [("Mia", 80_000, True), ("Boss", 60_000, False)]
    assert mine["Mia"]["adjusted"]["commit"] == 120_000  # 80,000 + Ria's 40,000
    assert _layers(mine["Mia"]) == [("Boss", 90_000, False)]  # what her manager made of it

    top = _nodes(team, "boss")
    assert top["Rob"]["adjusted"]["commit"] == 60_000  # Boss's layer over Mia's
    assert _layers(top["Rob"]) == [("Mia", 80_000, False), ("Boss", 60_000, True)]
    assert top["Mia"]["adjusted"]["commit"] == 90_000  # Boss's figure for Mia's team
    assert top["Boss"]["adjusted"]["commit"] == 90_000
    assert top["Boss"]["totals"]["commit"] == 140_000  # 100,000 + 40,000

    # Mia changes her mind: her layer is replaced, Boss's stays.
    assert _adjust(team, "mia", "rob", 70_000).status_code == 200
    assert _layers(_nodes(team, "mia")["Rob"]) == [("Mia", 70_000, True), ("Boss", 60_000, False)]


def test_closed_revenue_cannot_be_adjusted(team: Org) -> None:
    response = _adjust(team, "mia", "rob", 1, "closed")
    assert response.status_code == 400
    assert "closed revenue is what was won" in response.json()["detail"]
    assert _adjust(team, "mia", "rob", 1, "omitted").status_code in (400, 422)
    # Nor through sync: the device's record is refused with the reason.
    fields = {
        "subject_user_id": team.ids["rob"],
        "period": Q4,
        "category": "closed",
        "amount": 5,
        "comment": "pushed",
    }
    result = team.push("mia", "manager_adjustment", new_id(), fields)
    assert result["status"] == "rejected"
    assert "closed revenue" in result["reason"]


def test_adjustments_follow_the_reporting_line(team: Org) -> None:
    assert _adjust(team, "mia", "rob", 80_000).status_code == 200
    assert _adjust(team, "boss", "rob", 60_000).status_code == 200
    now = datetime.now(UTC)
    with team.session() as session:
        admin.create_user(
            session,
            "acme",
            "max",
            name="Max",
            email="max@example.com",
            password="correct horse battery",
            role=Role.MANAGER,
            manager="boss",
            now=now,
            settings=team.client.app.state.settings,  # type: ignore[attr-defined]
        )
        admin.set_manager(session, "rob", "max", now)
    # Mia is no longer above Rob: her adjustment stops counting anywhere.
    new = _nodes(team, "max")
    assert new["Rob"]["adjusted"]["commit"] == 100_000  # the deals' sum: Max made none
    assert _layers(new["Rob"]) == [("Boss", 60_000, False)]  # Max's manager's, shown
    old = _nodes(team, "mia")
    assert "Rob" not in old
    assert old["Mia"]["adjusted"]["commit"] == 40_000  # Ria only (before: 80,000 + 40,000)
    top = _nodes(team, "boss")
    assert top["Rob"]["adjusted"]["commit"] == 60_000
    assert top["Boss"]["adjusted"]["commit"] == 100_000  # 60,000 + 40,000


def test_a_managers_call_is_the_team_call_and_rolls_up(team: Org) -> None:
    now = datetime.now(UTC)
    call = {
        "period": Q4,
        "commit": 110_000,
        "best_case": 150_000,
        "submitted_at": now.isoformat(),
        "comment": "team call",
    }
    assert team.push("mia", "forecast_submission", new_id(), call)["status"] == "applied"
    old = {**call, "commit": 90_000, "best_case": 95_000}
    old["submitted_at"] = (now - timedelta(days=8)).isoformat()
    assert team.push("ria", "forecast_submission", new_id(), old)["status"] == "applied"
    top = _nodes(team, "boss")
    assert top["Mia"]["submission"]["commit"] == 110_000  # her team's call
    assert top["Mia"]["call_due"] is False
    assert top["Boss"]["reports_call"]["commit"] == 110_000  # Mia's call, rolled up
    assert top["Boss"]["reports_call"]["best_case"] == 150_000
    assert top["Boss"]["reports_without_call"] == 0
    # Ria's call is 8 days old, Rob never called: both due.
    assert (top["Ria"]["call_due"], top["Rob"]["call_due"]) == (True, True)
    assert top["Mia"]["reports_call"]["commit"] == 90_000  # Ria's (old) call
    assert top["Mia"]["reports_without_call"] == 2


def test_the_deals_behind_a_cell_across_the_subtree(team: Org) -> None:
    response = team.client.get(
        f"/api/v1/forecast/{Q4}/deals",
        params={"user_id": team.ids["mia"], "category": "commit"},
        headers=team.headers("boss"),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(d["name"], d["owner_name"], d["amount"]) for d in body["deals"]] == [
        ("Rob big", "Rob", 100_000),
        ("Ria deal", "Ria", 40_000),
    ]
    assert [(s["owner_name"], s["count"], s["amount"]) for s in body["subtotals"]] == [
        ("Ria", 1, 40_000),
        ("Rob", 1, 100_000),
    ]
    assert body["total"] == 140_000
    assert body["deals"][0]["account_name"] == "Acme"
    # A rep reads only their own subtree.
    assert (
        team.client.get(
            f"/api/v1/forecast/{Q4}/deals",
            params={"user_id": team.ids["mia"]},
            headers=team.headers("rob"),
        ).status_code
        == 403
    )


def test_moves_since_last_weeks_snapshot_and_the_trend(team: Org) -> None:
    week_ago = datetime(2026, 11, 27, 6, tzinfo=UTC)  # a Friday in 2026-Q4, 7 days ago
    with team.session() as session:
        # month and quarter, for each of the 5 people (acme's 4 and the other org's one)
        assert take_snapshots(session, week_ago) == 2 * 5
    deals = {
        d["name"]: d["id"]
        for d in team.client.get(
            f"/api/v1/forecast/{Q4}/deals", headers=team.headers("mia")
        ).json()["deals"]
    }
    # Since: Rob won his big deal, his small one slipped to January, Ria's grew by 5,000,
    # and Rob opened a new one.
    assert team.push("rob", "opportunity", deals["Rob big"], {"stage": "closed_won"})["status"] == (
        "applied"
    )
    team.push("rob", "opportunity", deals["Rob small"], {"close_date": "2027-01-15"})
    team.push("ria", "opportunity", deals["Ria deal"], {"amount": 45_000})
    rob_account = team.account("rob", "Newco")
    team.opportunity("rob", rob_account, 7_000, "2026-12-20", "prospecting", name="Rob new")
    body = team.client.get(f"/api/v1/forecast/{Q4}/moves", headers=team.headers("mia")).json()
    moves = {(m["owner_name"], m["name"], m["kind"]): m for m in body["moves"]}
    assert sorted(moves) == [
        ("Ria", "Ria deal", "amount"),
        ("Rob", "Rob big", "won"),
        ("Rob", "Rob new", "in"),
        ("Rob", "Rob small", "out"),
    ]
    assert moves[("Ria", "Ria deal", "amount")]["amount_change"] == 5_000
    assert moves[("Rob", "Rob big", "won")]["amount_change"] == -100_000  # left the pipeline
    assert moves[("Rob", "Rob small", "out")]["after"] == "slipped out: closes 2027-01-15"
    assert moves[("Rob", "Rob new", "in")]["amount_change"] == 7_000
    # Each person's trend as they saw it: Rob's week-old point.
    history = team.client.get(
        f"/api/v1/forecast/{Q4}/history",
        params={"user_id": team.ids["rob"]},
        headers=team.headers("mia"),
    ).json()
    (point,) = history["points"]
    assert point["totals"]["commit"] == 100_000
    assert point["totals"]["best_case"] == 50_000


def test_the_audit_names_who_adjusted_whom_and_why(team: Org) -> None:
    _adjust(team, "mia", "rob", 80_000)
    _adjust(team, "boss", "mia", 90_000)
    own = team.client.get(
        f"/api/v1/forecast/{Q4}/adjustments",
        params={"user_id": team.ids["mia"], "subtree": "true"},
        headers=team.headers("mia"),
    ).json()["entries"]
    # Mia reads the adjustments of her whole team, Boss's of her own number included.
    assert [(e["manager_name"], e["subject_name"], e["new_amount"], e["comment"]) for e in own] == [
        ("Mia", "Rob", 80_000, "mia thinks 80000"),
        ("Boss", "Mia", 90_000, "boss thinks 90000"),
    ]
