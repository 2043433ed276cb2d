"""Fuzzing the server's sign-in, token refresh, forecast adjustments, handshake and
credentials (the live world of tests/sync_server/test_api_fuzz.py): every hostile request
is refused with a reason and writes nothing.

CI runs a fixed, derandomized set of examples; `SFA_SOAK=N` runs N times more, freshly random.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fuzz_kit import (
    World,
    assert_refused,
    encode,
    fuzz_settings,
    json_headers,
)
from fuzz_values import (
    MEGABYTE,
    NEVER_VALID,
    ODD_TEXT,
    OUT_OF_RANGE_TIMES,
    WRONG_TYPES,
)
from hypothesis import given
from hypothesis import strategies as st
from server_kit import PASSWORD, SECRET

from sync_server.services import tokens

# --- sign-in and refresh ----------------------------------------------------------------------

TEXT_OR_JUNK = st.one_of(ODD_TEXT, WRONG_TYPES, NEVER_VALID)


@st.composite
def hostile_login(draw: st.DrawFn) -> Any:
    body: dict[str, Any] = {
        "username": draw(
            st.one_of(st.sampled_from(["rob", "ROB", "rob ", "eve", "u" * 200]), TEXT_OR_JUNK)
        ),
        "password": draw(TEXT_OR_JUNK.filter(lambda p: p != PASSWORD)),
        "device_name": draw(st.one_of(st.just("laptop"), TEXT_OR_JUNK)),
    }
    for key in draw(st.lists(st.sampled_from(sorted(body)), max_size=2, unique=True)):
        del body[key]
    if draw(st.booleans()):
        body[draw(st.sampled_from(["role", "user_id", "Password"]))] = draw(WRONG_TYPES)
    return draw(st.sampled_from([body, body, body, [body], "rob", None]))


def test_hostile_sign_ins_are_refused_and_create_nothing(world: World) -> None:
    @fuzz_settings(30)
    @given(body=hostile_login())
    def run(body: Any) -> None:
        before = world.snapshot()
        response = world.http.post(
            "/api/v1/auth/login", content=encode(body), headers={"Content-Type": "application/json"}
        )
        assert_refused(response)
        assert world.snapshot() == before

    run()


def test_hostile_refresh_tokens_are_refused_and_change_nothing(world: World) -> None:
    tokens_ = st.one_of(
        TEXT_OR_JUNK,
        st.text(min_size=16, max_size=512),
        st.sampled_from(["A" * 43, world.tokens["rob"]["access_token"][:512], "\x00" * 16]),
    )

    @fuzz_settings(20)
    @given(token=tokens_, extra=st.booleans())
    def run(token: Any, extra: bool) -> None:
        body: dict[str, Any] = {"refresh_token": token}
        if extra:
            body["device_id"] = world.device("rob")
        before = world.snapshot()
        response = world.http.post(
            "/api/v1/auth/refresh",
            content=encode(body),
            headers={"Content-Type": "application/json"},
        )
        assert_refused(response)
        assert world.snapshot() == before

    run()


# --- forecast adjustments ---------------------------------------------------------------------


@st.composite
def hostile_adjustment(draw: st.DrawFn, world: World) -> tuple[str, Any]:
    """(who sends it, an adjustment request that can never be accepted)."""
    body: dict[str, Any] = {
        "subject_user_id": world.ids["rob"],
        "period": "2026-Q4",
        "category": "commit",
        "amount": 100,
        "currency": "EUR",
        "comment": "fuzz",
    }
    if draw(st.booleans()):
        return draw(st.sampled_from(["rob", "ria", "eve"])), body  # reps adjust nobody
    faults: dict[str, st.SearchStrategy[Any]] = {
        "subject_user_id": st.sampled_from(
            [world.ids["eve"], world.ids["boss"], str(uuid.uuid4()), "", "\x00"]
        ),
        "period": st.sampled_from(
            ["2026-13", "2026-Q5", "9999-Q4", "9999", "0000", "", "x" * 17, "2026-Q4\x00", None]
        ),
        "category": st.sampled_from(["omitted", "bogus", None, 1]),
        "amount": st.sampled_from([-1, 10**15 + 1, 1.5, math.nan, math.inf, "x", None, 2**63]),
        "comment": st.sampled_from(["", "   ", "x" * 20_001, None, "a\x00b", MEGABYTE, "\ud800"]),
        "currency": st.sampled_from(["eur", "EURO", "", "E\x00R", None, 978]),
    }
    for name in draw(
        st.lists(st.sampled_from(sorted(faults)), min_size=1, max_size=3, unique=True)
    ):
        body[name] = draw(faults[name])
    if draw(st.booleans()):
        body[draw(st.sampled_from(["id", "manager_id", "Amount"]))] = draw(WRONG_TYPES)
    return draw(st.sampled_from(["mia", "boss"])), body


def test_hostile_adjustments_are_refused_and_write_nothing(world: World) -> None:
    @fuzz_settings(30)
    @given(sent=hostile_adjustment(world))
    def run(sent: tuple[str, Any]) -> None:
        user, body = sent
        before = world.snapshot()
        response = world.http.post(
            "/api/v1/forecast/adjustments", content=encode(body), headers=json_headers(world, user)
        )
        assert_refused(response)
        assert world.snapshot() == before

    run()


# --- handshake ----------------------------------------------------------------------------------


def test_odd_handshakes_answer_clearly_and_write_nothing(world: World) -> None:
    times = st.one_of(OUT_OF_RANGE_TIMES, WRONG_TYPES, st.datetimes().map(datetime.isoformat))

    @fuzz_settings(20)
    @given(
        client_time=times,
        version=st.one_of(st.integers(), WRONG_TYPES),
        schema=st.one_of(ODD_TEXT, WRONG_TYPES),
    )
    def run(client_time: Any, version: Any, schema: Any) -> None:
        body = {"client_time": client_time, "protocol_version": version, "schema_version": schema}
        before = world.snapshot()
        response = world.http.post(
            "/api/v1/sync/handshake", content=encode(body), headers=json_headers(world, "ria")
        )
        if response.status_code != 200:
            assert_refused(response)
        assert world.snapshot() == before

    run()


# --- credentials --------------------------------------------------------------------------------


def _minted(world: World, **claims: Any) -> str:
    values: dict[str, Any] = {
        "user_id": world.ids["rob"],
        "device_id": world.device("rob"),
        "epoch": 0,
        "expires": int((datetime.now(UTC) + timedelta(minutes=5)).timestamp()),
    } | claims
    return tokens.issue_access(SECRET, tokens.AccessClaims(**values))


# What a header value may hold (RFC 9110 field-value: visible ASCII, obs-text, space, tab).
HEADER_BYTES = [9, *range(0x20, 0x7F), *range(0x80, 0x100)]


def test_hostile_credentials_are_refused_everywhere(world: World) -> None:
    real = world.tokens["rob"]["access_token"]
    head, payload, signature = real.split(".")
    forged = tokens.issue_access("wrong secret", tokens.AccessClaims("u", "d", 0, 2**40))
    credentials = st.one_of(
        st.lists(st.sampled_from(HEADER_BYTES), max_size=300).map(
            lambda b: (b"Bearer " + bytes(b)).strip()
        ),
        st.sampled_from(
            [
                b"",
                b"Bearer",
                b"Basic cm9iOnBhc3M=",
                b"bearer \xe9\xe9.\xff.\xfe",
                b"Bearer a.b.\xe9",
                f"Bearer {head}.{payload}".encode(),
                f"Bearer {head}.{payload}.{signature}x".encode(),
                f"Bearer {head}.{payload}.{signature}.x".encode(),
                f"Bearer {payload}.{head}.{signature}".encode(),
                f"Bearer {real}{real}".encode(),
                b"Bearer " + b"a" * 8000,
                f"Bearer {_minted(world, expires=1)}".encode(),
                f"Bearer {_minted(world, epoch=7)}".encode(),
                f"Bearer {_minted(world, device_id=str(uuid.uuid4()))}".encode(),
                f"Bearer {_minted(world, user_id=world.ids['eve'])}".encode(),
                f"Bearer {_minted(world, device_id=world.device('eve'))}".encode(),
                f"Bearer {_minted(world, expires=2**62)}"[:-3].encode() + b"abc",
                f"Bearer {forged}".encode(),
            ]
        ),
    )
    calls = [
        ("POST", "/api/v1/sync/handshake", {"client_time": "2026-01-01T00:00:00Z"}),
        ("POST", "/api/v1/sync/push", {"device_id": world.device("rob"), "mutations": []}),
        ("GET", "/api/v1/sync/pull", None),
        ("GET", "/api/v1/sync/conflicts", None),
        ("GET", "/api/v1/forecast/2026-Q4", None),
        (
            "POST",
            "/api/v1/forecast/adjustments",
            {
                "subject_user_id": "x",
                "period": "2026",
                "category": "commit",
                "amount": 1,
                "comment": "c",
            },
        ),
    ]

    @fuzz_settings(25)
    @given(credential=credentials, call=st.sampled_from(calls))
    def run(credential: bytes, call: tuple[str, str, Any]) -> None:
        method, path, body = call
        headers: list[tuple[bytes, bytes]] = [(b"authorization", credential)]
        if body is not None:
            headers.append((b"content-type", b"application/json"))
        before = world.snapshot()
        request = httpx.Request(
            method, world.url + path, headers=headers, content=encode(body) if body else None
        )
        response = world.http.send(request)
        assert_refused(response, 401)
        assert world.snapshot() == before

    run()
