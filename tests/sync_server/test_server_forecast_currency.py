"""Currencies in forecasts (issue 22, point 2), through the HTTP API, the admin commands and
the desktop's view model, on SQLite and PostgreSQL.

The corporate currency is EUR. Rates (corporate units per unit): USD 0.90 from 2026-10-01
and 0.92 from 2026-11-01; GBP 1.15 from 2026-10-01; no JPY rate. A deal converts at its
close date's rate, a quota at its period's last day (2026-12-31 for 2026-Q4). Every figure
is worked out by hand beside its assertion (amounts in cents).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from forecast_scenario import devices
from server_kit import Org

from sfa_desktop.core.entities import Account, Opportunity
from sfa_desktop.core.periods import Period
from sfa_desktop.operations.forecast import rep_forecast
from sfa_desktop.sync.rates import stored_rates
from sync_server import cli
from sync_server.services import admin
from sync_server.services import currency as currencies

NOW = datetime(2026, 12, 4, 9, tzinfo=UTC)


def _rates(org: Org) -> None:
    with org.session() as session:
        acme = currencies.org_for(session, "acme")
        for code, day, rate in (
            ("USD", date(2026, 10, 1), "0.90"),
            ("USD", date(2026, 11, 1), "0.92"),
            ("GBP", date(2026, 10, 1), "1.15"),
        ):
            currencies.set_rate(session, acme, code, day, rate, NOW)


@pytest.fixture
def book(org: Org) -> Org:
    """Rob: won EUR 300,000 (11-10) and USD 100,000 (10-15), commit USD 200,000 (11-20),
    won USD 50,000 (09-20, before any USD rate), quota USD 500,000 for 2026-Q4.
    Ria: won GBP 100,000 (12-01), pipeline JPY 1,000,000 (12-05, no JPY rate)."""
    _rates(org)
    rob, ria = org.account("rob"), org.account("ria")
    org.opportunity("rob", rob, 300_000, "2026-11-10", "closed_won")
    org.opportunity("rob", rob, 100_000, "2026-10-15", "closed_won", "USD")
    org.opportunity("rob", rob, 200_000, "2026-11-20", "negotiation", "USD")
    org.opportunity("rob", rob, 50_000, "2026-09-20", "closed_won", "USD")
    org.opportunity("ria", ria, 100_000, "2026-12-01", "closed_won", "GBP")
    org.opportunity("ria", ria, 1_000_000, "2026-12-05", "prospecting", "JPY")
    with org.session() as session:
        admin.set_quota(session, "rob", "2026-Q4", 500_000, "USD", NOW)
    return org


def _tree(org: Org, viewer: str, period: str, **params: Any) -> dict[str, Any]:
    response = org.client.get(
        f"/api/v1/forecast/{period}", params=params, headers=org.headers(viewer)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    nodes = {}
    stack = [body["root"]]
    while stack:
        node = stack.pop()
        nodes[node["name"]] = node
        stack.extend(node["reports"])
    return {"report": body, **nodes}


def test_amounts_convert_at_their_close_dates_rate(book: Org) -> None:
    tree = _tree(book, "mia", "2026-Q4")
    assert tree["report"]["currency"] == tree["report"]["corporate_currency"] == "EUR"
    rob, ria, mia = tree["Rob"], tree["Ria"], tree["Mia"]
    # Rob closed 300,000 EUR + 100,000 USD × 0.90 (10-15) = 390,000
    assert rob["totals"]["closed"] == 390_000
    assert rob["totals"]["commit"] == 184_000  # 200,000 USD × 0.92 (11-20)
    # His quota: USD 500,000 × 0.92 (the rate on 2026-12-31) = 460,000 (before: 500,000
    # counted as euros, and every USD deal left out of the view)
    assert rob["quota"] == 460_000
    assert rob["attainment"] == pytest.approx(390_000 / 460_000)  # 0.8478
    assert rob["converted"] == ["USD"]
    assert rob["left_out"] == []
    assert ria["totals"]["closed"] == 115_000  # 100,000 GBP × 1.15
    # The JPY deal has no rate: not counted, and said so (never dropped silently).
    assert ria["totals"]["pipeline"] == 0
    jpy = {
        "kind": "deal",
        "currency": "JPY",
        "missing": "JPY",
        "count": 1,
        "amount": 1_000_000,
        "first_day": "2026-12-05",
    }
    assert ria["left_out"] == [jpy]
    assert mia["totals"]["closed"] == 505_000  # 390,000 + 115,000
    assert mia["converted"] == ["GBP", "USD"]
    assert mia["left_out"] == [jpy]  # what her reports left out, counted in her row too


def test_a_viewer_can_ask_for_another_currency(book: Org) -> None:
    tree = _tree(book, "mia", "2026-Q4", currency="USD")
    assert tree["report"]["currency"] == "USD"
    # EUR 300,000 at 11-10: 300,000 / 0.92 = 326,086.96 -> 326,087; USD 100,000 stays.
    assert tree["Rob"]["totals"]["closed"] == 426_087
    assert tree["Rob"]["quota"] == 500_000  # already in USD
    assert tree["Rob"]["converted"] == ["EUR"]
    # GBP 100,000 at 12-01: 100,000 × 1.15 / 0.92 = 125,000
    assert tree["Ria"]["totals"]["closed"] == 125_000


def test_before_the_first_rate_the_amount_is_left_out_and_counted(book: Org) -> None:
    rob = _tree(book, "rob", "2026-Q3")["Rob"]
    assert rob["totals"]["closed"] == 0  # USD 50,000 on 09-20: no USD rate before 10-01
    assert rob["left_out"] == [
        {
            "kind": "deal",
            "currency": "USD",
            "missing": "USD",
            "count": 1,
            "amount": 50_000,
            "first_day": "2026-09-20",
        }
    ]


def test_the_csv_says_what_was_converted_and_left_out(book: Org) -> None:
    response = book.client.get("/api/v1/forecast/2026-Q4/export.csv", headers=book.headers("mia"))
    rows = {line.split(",")[1]: line for line in response.text.splitlines()[1:]}
    assert ",EUR,,,GBP USD,1 deal in JPY (1000000): no JPY rate," in rows["Mia"]
    assert rows["Mia"].split(",")[5] == "team subtotal"
    assert rows["Rob"].split(",")[5] == "person"


def test_set_rate_and_the_rate_sheet(org: Org, capsys: pytest.CaptureFixture[str]) -> None:
    url = org.client.app.state.settings.database_url  # type: ignore[attr-defined]
    base = ["--database-url", url, "admin"]
    assert cli.main([*base, "set-rate", "USD", "2026-11-01", "0.92", "--org", "acme"]) == 0
    assert cli.main([*base, "set-rate", "usd", "2026-12-01", "0.9350", "--org", "acme"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "USD\t2026-11-01\t0.92",
        "USD\t2026-12-01\t0.935",
    ]
    # Bad input: one line, non-zero, nothing stored.
    for bad in (
        ["set-rate", "USD", "2026-13-01", "0.9", "--org", "acme"],
        ["set-rate", "USD", "2026-11-01", "-1", "--org", "acme"],
        ["set-rate", "US", "2026-11-01", "1", "--org", "acme"],
        ["set-rate", "EUR", "2026-11-01", "1", "--org", "acme"],
        ["set-rate", "USD", "2026-11-01", "1"],  # two organisations: which one?
    ):
        assert cli.main([*base, *bad]) != 0
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1, err
        assert "Traceback" not in err
    sheet = org.client.get("/api/v1/forecast/rates", headers=org.headers("rob")).json()
    assert sheet == {
        "base": "EUR",
        "rates": [
            {"currency": "USD", "valid_from": "2026-11-01", "rate": "0.92"},
            {"currency": "USD", "valid_from": "2026-12-01", "rate": "0.935"},
        ],
    }
    # The corporate currency changes only while no rate is set against it.
    assert cli.main([*base, "set-currency", "USD", "--org", "acme"]) != 0
    assert "remove them first" in capsys.readouterr().err


@pytest.fixture
def desk(org: Org, tmp_path: Path) -> Iterator[Any]:
    with devices(org.client._transport, tmp_path) as sign_in:
        yield sign_in


def test_the_reps_page_converts_with_the_rates_synced_to_the_device(org: Org, desk: Any) -> None:
    _rates(org)
    with org.session() as session:
        admin.set_quota(session, "rob", "2026-Q4", 500_000, "USD", NOW)
    rob = desk("rob")
    account = rob.store.create(Account, {"name": "Customer"}).value.id
    for amount, currency, day, stage in (
        (300_000, "EUR", date(2026, 11, 10), "closed_won"),
        (100_000, "USD", date(2026, 10, 15), "closed_won"),
        (200_000, "USD", date(2026, 11, 20), "negotiation"),
        (70_000, "JPY", date(2026, 12, 5), "prospecting"),
    ):
        fields = {"account_id": account, "name": f"{currency} deal", "amount": amount}
        deal = rob.store.create(
            Opportunity,
            {**fields, "currency": currency, "close_date": day, "stage": "negotiation"},
        ).value.id
        if stage != "negotiation":
            rob.store.update(Opportunity, deal, {"stage": stage})
    rob.engine().run_once()
    assert [r.currency for r in stored_rates(rob.store).rates] == ["GBP", "USD", "USD"]
    page = rep_forecast(rob.store, Period.parse("2026-Q4"), NOW)
    assert page.currency == "EUR"  # the corporate currency, not the quota's (the old bug)
    assert page.totals.closed == 390_000  # 300,000 + 100,000 × 0.90
    assert page.totals.commit == 184_000  # 200,000 × 0.92
    assert page.quota == 460_000  # USD 500,000 × 0.92 on 2026-12-31
    assert page.attainment == pytest.approx(390_000 / 460_000)
    assert page.converted == ["USD"]
    assert [(i.currency, i.count, i.amount) for i in page.left_out] == [("JPY", 1, 70_000)]
    # The same figures as the server's rollup for Rob.
    tree = _tree(org, "rob", "2026-Q4")["Rob"]
    assert (tree["totals"]["closed"], tree["totals"]["commit"], tree["quota"]) == (
        390_000,
        184_000,
        460_000,
    )
