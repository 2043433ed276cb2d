"""Forecast rollups against hand-computed totals, adjustments with audit, snapshots, CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from server_kit import Org

from sfa_desktop.core.entities.base import new_id
from sync_server.services import admin
from sync_server.services.forecast_history import take_snapshots


@pytest.fixture
def pipeline(org: Org) -> Org:
    rob_account = org.account("rob")
    for amount, close, stage in [
        (1000, "2026-11-10", "proposal"),
        (2000, "2026-12-01", "negotiation"),
        (500, "2026-10-05", "closed_won"),
        (300, "2026-11-30", "prospecting"),
        (700, "2026-11-02", "closed_lost"),
        (9999, "2027-01-01", "negotiation"),  # next quarter
    ]:
        org.opportunity("rob", rob_account, amount, close, stage)
    ria_account = org.account("ria")
    org.opportunity("ria", ria_account, 4000, "2026-11-20", "negotiation")
    org.opportunity("ria", ria_account, 100, "2026-10-15", "closed_won")
    mia_account = org.account("mia")
    org.opportunity("mia", mia_account, 50, "2026-12-24", "prospecting")
    now = datetime.now(UTC)
    with org.session() as session:
        for user, amount in [("rob", 10_000), ("ria", 5_000), ("mia", 1_000)]:
            admin.set_quota(session, user, "2026-Q4", amount, "EUR", now)
    submission = {
        "period": "2026-Q4",
        "commit": 2500,
        "best_case": 3500,
        "submitted_at": "2026-11-01T09:00:00Z",
        "comment": "solid",
    }
    assert org.push("rob", "forecast_submission", new_id(), submission)["status"] == "applied"
    return org


def _get(org: Org, user: str, path: str, **params: Any) -> Any:
    response = org.client.get(f"/api/v1/forecast/{path}", params=params, headers=org.headers(user))
    assert response.status_code == 200, response.text
    return response.json()


def _amounts(node: dict[str, Any], key: str = "totals") -> tuple[int, ...]:
    values = node[key]
    return tuple(values[c] for c in ("closed", "commit", "best_case", "pipeline", "omitted"))


def test_quarter_rollup_matches_hand_computed_totals(pipeline: Org) -> None:
    root = _get(pipeline, "mia", "2026-Q4")["root"]
    assert root["user_id"] == pipeline.ids["mia"]
    reports = {node["name"]: node for node in root["reports"]}
    assert _amounts(reports["Rob"]) == (500, 2000, 1000, 300, 700)
    assert _amounts(reports["Ria"]) == (100, 4000, 0, 0, 0)
    assert _amounts(root, "own") == (0, 0, 0, 50, 0)
    assert _amounts(root) == (600, 6000, 1000, 350, 700)
    # Mia's quota is the one set for her; her reports' quotas roll up beside it.
    assert root["quota"] == 1_000  # before: 1,000 + 10,000 + 5,000 = 16,000
    assert root["attainment"] == pytest.approx(0.6)  # 600 closed / 1,000
    assert root["rolled_up_quota"] == 15_000  # 10,000 + 5,000
    assert root["attainment_basis"] == "own"
    assert reports["Rob"]["attainment"] == pytest.approx(0.05)  # 500 / 10,000
    assert reports["Rob"]["rolled_up_quota"] == 0
    assert reports["Rob"]["submission"]["commit"] == 2500
    boss = _get(pipeline, "boss", "2026-Q4")["root"]
    assert _amounts(boss) == (600, 6000, 1000, 350, 700)
    # No quota of his own: attainment against Mia's 1,000 rolled up, and it says so.
    assert (boss["quota"], boss["quota_source"], boss["rolled_up_quota"]) == (0, "none", 1_000)
    assert boss["attainment_basis"] == "rolled up"
    assert boss["attainment"] == pytest.approx(0.6)  # 600 / 1,000


def test_month_rollup(pipeline: Org) -> None:
    root = _get(pipeline, "mia", "2026-11")["root"]
    assert _amounts(root) == (0, 4000, 1000, 300, 700)


def test_adjustments_replace_each_other_and_are_audited(pipeline: Org) -> None:
    for amount, comment in [(1500, "slipping"), (1800, "back on track")]:
        response = pipeline.client.post(
            "/api/v1/forecast/adjustments",
            json={
                "subject_user_id": pipeline.ids["rob"],
                "period": "2026-Q4",
                "category": "commit",
                "amount": amount,
                "comment": comment,
            },
            headers=pipeline.headers("mia"),
        )
        assert response.status_code == 200, response.text
    root = _get(pipeline, "mia", "2026-Q4")["root"]
    rob = next(node for node in root["reports"] if node["name"] == "Rob")
    assert rob["adjusted"]["commit"] == 1800
    assert rob["totals"]["commit"] == 2000
    assert [a["amount"] for a in rob["adjustments"]] == [1800]
    assert root["adjusted"]["commit"] == 1800 + 4000
    audit = _get(pipeline, "mia", "2026-Q4/adjustments", user_id=pipeline.ids["rob"])
    trail = [(e["old_amount"], e["new_amount"], e["comment"]) for e in audit["entries"]]
    assert trail == [(None, 1500, "slipping"), (1500, 1800, "back on track")]
    refused = pipeline.client.post(
        "/api/v1/forecast/adjustments",
        json={
            "subject_user_id": pipeline.ids["ria"],
            "period": "2026-Q4",
            "category": "commit",
            "amount": 1,
            "comment": "no",
        },
        headers=pipeline.headers("rob"),
    )
    assert refused.status_code == 403


def test_reps_see_only_themselves(pipeline: Org) -> None:
    own = _get(pipeline, "rob", "2026-Q4")["root"]
    assert own["reports"] == []
    response = pipeline.client.get(
        "/api/v1/forecast/2026-Q4",
        params={"user_id": pipeline.ids["mia"]},
        headers=pipeline.headers("rob"),
    )
    assert response.status_code == 403


def test_snapshots_build_the_history(pipeline: Org) -> None:
    with pipeline.session() as session:
        taken = take_snapshots(session, datetime(2026, 11, 23, 6, tzinfo=UTC))
    assert taken == 2 * 5  # month and quarter for boss, mia, rob, ria and eve (other org)
    history = _get(pipeline, "mia", "2026-Q4/history")
    assert len(history["points"]) == 1
    assert history["points"][0]["adjusted"]["commit"] == 6000
    assert history["points"][0]["quota"] == 1_000  # Mia's own, which attainment is against


def test_csv_export(pipeline: Org) -> None:
    response = pipeline.client.get(
        "/api/v1/forecast/2026-Q4/export.csv", headers=pipeline.headers("mia")
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [row["name"] for row in rows] == ["Mia", "Ria", "Rob"]
    assert rows[0]["commit"] == "6000"
    assert rows[2]["closed"] == "500"
    assert rows[2]["quota"] == "10000"
    assert (rows[0]["quota"], rows[0]["rolled_up_quota"]) == ("1000", "15000")
    assert (rows[0]["attainment_basis"], rows[0]["quota_source"]) == ("own", "set")
    assert rows[2]["submitted_commit"] == "2500"
    assert rows[1]["depth"] == "1"
