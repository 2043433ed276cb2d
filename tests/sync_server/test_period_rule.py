"""One period rule: a forecast record (its PeriodText) and the report API (parse_period)
accept exactly the same period texts, named the same way."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from server_kit import Org

from sfa_desktop.core.entities import ForecastSubmission
from sfa_desktop.core.entities.forecasts import PeriodText
from sync_server.errors import BadRequestError
from sync_server.services.forecast import parse_period

ENTITY = TypeAdapter(PeriodText)
# Text -> its name once accepted; stated by hand, not by either side.
GOOD = {
    "2026-Q4": "2026-Q4",
    "2026-q1": "2026-Q1",
    " 2026-11 ": "2026-11",
    "2026-12\n": "2026-12",
    "2026": "2026",
    "0001": "0001",
    "0001-01": "0001-01",
    "0001-Q1": "0001-Q1",
    "9998": "9998",
    "9999-Q3": "9999-Q3",  # ends 9999-10-01
    "9999-11": "9999-11",  # ends 9999-12-01
}
BAD = [
    "",
    "   ",
    "2026-Q5",
    "2026-Q0",
    "2026-13",
    "2026-00",
    "2026-1",
    "26-Q1",
    "Q4 2026",
    "2026 Q4",
    "2026-Q4-",
    "2026-Q4x",
    "02026",
    "0000",  # there is no year 0
    "0000-Q1",
    "0000-01",
    "10000",
    "9999",  # would end 10000-01-01
    "9999-Q4",
    "9999-12",
    "２０２６",  # full-width digits
    "٢٠٢٦-Q4",  # Arabic-Indic digits
    "2026\x00",
]


def _entity(text: str) -> str | None:
    try:
        return ENTITY.validate_python(text)
    except ValidationError:
        return None


def _api(text: str) -> str | None:
    try:
        return str(parse_period(text))
    except BadRequestError:
        return None


@pytest.mark.parametrize(("text", "name"), GOOD.items())
def test_both_accept_a_good_period_under_the_same_name(text: str, name: str) -> None:
    assert _entity(text) == name
    assert _api(text) == name


@pytest.mark.parametrize("text", BAD)
def test_both_refuse_a_bad_period(text: str) -> None:
    assert _entity(text) is None
    assert _api(text) is None


@given(
    st.text(alphabet="0123456789-Qq 9", max_size=9)
    | st.from_regex(r"\A[0-9]{4}(-Q[0-9]|-[0-9]{2})?\Z")
)
def test_any_text_gets_the_same_verdict_from_both(text: str) -> None:
    name = _entity(text)
    assert name == _api(text)
    if name is not None:  # a stored name reads back as itself
        assert _entity(name) == name


def test_a_forecast_record_refuses_a_period_ending_after_9999() -> None:
    fields = {"commit": 1, "best_case": 2, "submitted_at": datetime.now(UTC)}
    with pytest.raises(ValidationError, match="ends after 9999-12-31"):
        ForecastSubmission(id="s", owner_id="u", period="9999-Q4", **fields)
    assert ForecastSubmission(id="s", owner_id="u", period="9999-q3", **fields).period == "9999-Q3"


@pytest.mark.parametrize("text", ["2026-Q4", "9999-Q3", "9999-Q4", "0000", "2026-13", "２０２６"])
def test_the_report_route_gives_the_same_verdict(org: Org, text: str) -> None:
    client: TestClient = org.client
    answer = client.get(f"/api/v1/forecast/{quote(text)}", headers=org.headers("mia"))
    assert answer.status_code == (200 if _entity(text) else 400), answer.text
