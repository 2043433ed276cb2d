"""Insight over HTTP (issue 20): a manager sees figures of their own hierarchy only, a rep
their own; on SQLite and PostgreSQL. Acme: boss > mia > rob, ria and boss > max > ron."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from insight_scenario import Writer, at
from server_kit import PASSWORD, Org

from sfa_desktop.core.enums import Role
from sync_server.services import admin

VIEWS = ["accuracy", "backtest", "coverage", "coverage/accounts", "pipeline"]


@pytest.fixture
def acme(org: Org) -> Org:
    now = datetime.now(UTC)
    with org.session() as session:
        for username, role, manager in [("max", Role.MANAGER, "boss"), ("ron", Role.REP, "max")]:
            user = admin.create_user(
                session,
                "acme",
                username,
                name=username.title(),
                email=f"{username}@example.com",
                password=PASSWORD,
                role=role,
                manager=manager,
                now=now,
                settings=org.client.app.state.settings,  # type: ignore[attr-defined]
            )
            org.ids[username] = user.id
    w = Writer(org)
    for who in ("rob", "ria", "ron"):
        account = w.account(who, f"{who.title()} Co", at(1, 1), grade="A")
        w.activity(who, account, "visit", at(8, 3))
        w.deal(who, account, 100_000, date(2026, 8, 20), "closed_won", at(7, 1))
    return org


def _get(org: Org, who: str, view: str, **params: Any) -> Any:
    return org.client.get(f"/api/v1/insight/{view}", params=params, headers=org.headers(who))


def _names(body: dict[str, Any]) -> set[str]:
    found = {row["name"] for row in body.get("rows", [])}
    found |= {a["owner_name"] for a in body.get("accounts", [])}
    found |= {a["owner_name"] for a in body.get("out_of_line", [])}
    return found


@pytest.mark.parametrize("view", VIEWS)
def test_a_manager_sees_only_their_hierarchy(acme: Org, view: str) -> None:
    params = {"period": "2026-Q3"} if view.startswith("coverage") else {}
    mine = _get(acme, "mia", view, **params)
    assert mine.status_code == 200, mine.text
    assert _names(mine.json()) <= {"Mia", "Rob", "Ria"}
    for outsider in ("max", "ron", "boss"):
        refused = _get(acme, "mia", view, user_id=acme.ids[outsider], **params)
        assert refused.status_code == 403, (outsider, refused.text)
    assert _get(acme, "eve", view, user_id=acme.ids["rob"], **params).status_code == 404
    top = _get(acme, "boss", view, **params).json()
    assert _names(top) & {"Max", "Ron"}  # the top manager's view reaches the other team
    assert _get(acme, "boss", view, user_id=acme.ids["ron"], **params).status_code == 200


@pytest.mark.parametrize("view", VIEWS)
def test_a_rep_sees_their_own(acme: Org, view: str) -> None:
    params = {"period": "2026-Q3"} if view.startswith("coverage") else {}
    own = _get(acme, "rob", view, **params)
    assert own.status_code == 200, own.text
    assert _names(own.json()) <= {"Rob"}
    assert _get(acme, "rob", view, user_id=acme.ids["ria"], **params).status_code == 403


def test_team_figures_add_up_the_hierarchy_only(acme: Org) -> None:
    """Mia's team cost and revenue are Rob's and Ria's (one visit, 100,000 won each), not
    Ron's; Boss's include all three."""
    mia = _get(acme, "mia", "coverage", period="2026-Q3").json()["rows"][0]
    assert (mia["cost"], mia["revenue"]) == (50_000, 200_000)
    boss = _get(acme, "boss", "coverage", period="2026-Q3").json()["rows"][0]
    assert (boss["cost"], boss["revenue"]) == (75_000, 300_000)
    accounts = _get(acme, "mia", "coverage/accounts", period="2026-Q3", grade="A").json()
    assert sorted(a["name"] for a in accounts["accounts"]) == ["Ria Co", "Rob Co"]


def test_bad_input_is_refused_with_a_reason(acme: Org) -> None:
    assert _get(acme, "mia", "accuracy", periods=9).status_code == 422
    bad = _get(acme, "mia", "coverage", period="2026-Q9")
    assert bad.status_code == 400
    assert "2026-Q9" in bad.text
