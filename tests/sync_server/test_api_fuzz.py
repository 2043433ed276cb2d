"""Fuzzing the server's HTTP API: every random or hostile request ends in a clear answer.

A real server (uvicorn on a loopback socket, see fuzz_kit.LiveServer) over a seeded
database, on SQLite and on PostgreSQL:

* schemathesis generates requests for every operation of the app's own OpenAPI document,
  signed in as a seeded rep or manager and anonymously: no 5xx, each response conforms to the
  document, and every 4xx carries the project's ErrorBody (a non-empty `detail` string);
* Hypothesis sends hostile bodies to the write endpoints (push, sign-in, refresh, forecast
  adjustments) and proves that each is refused with a reason and that nothing was written:
  the version counter, every table's row count, the records' versions and each device's
  last_seq are compared before and after. A push whose envelope is valid but whose records
  are not is answered 200 with each mutation `rejected` and a reason; only last_seq moves
  (sign-in, refresh, adjustments, handshake and credentials: test_api_fuzz_access.py).

CI runs a fixed, derandomized set of examples; `SFA_SOAK=N` runs N times more, freshly random.
"""

from __future__ import annotations

import gzip
import uuid
import zlib
from typing import Any

import pytest
import requests
import schemathesis
import schemathesis.transport.requests as schemathesis_requests
from fuzz_kit import (
    Raw,
    World,
    assert_refused,
    encode,
    explain,
    fuzz_settings,
    json_headers,
    upsert,
)
from fuzz_values import (
    NEVER_VALID,
    ODD_TEXT,
    OUT_OF_RANGE_TIMES,
    WRONG_TYPES,
    data_fields,
    gzip_bomb,
    hostile_envelope,
    hostile_mutation,
    valid_fields,
)
from hypothesis import assume, given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from server_kit import make_settings

from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import MutationOp
from sync_server.app import create_app

# --- schemathesis: every operation of the OpenAPI document ------------------------------------

# caldav (desktop extra) depends on niquests, whose urllib3-future installs itself over
# urllib3; schemathesis counts a requests session's pooled connections (to resend a request
# a dropped keep-alive connection swallowed) by peeking at urllib3's pool container, which
# urllib3-future replaced. Without a count it simply does not resend.
_count_connections = schemathesis_requests._count_opened_connections


def _count_or_zero(session: requests.Session) -> int:
    try:
        return _count_connections(session)
    except AttributeError:
        return 0


schemathesis_requests._count_opened_connections = _count_or_zero

SPEC = create_app(make_settings("sqlite://", migrate_on_start=False)).openapi()
SCHEMA = schemathesis.openapi.from_dict(SPEC)
OPERATIONS = sorted(
    (operation.method.upper(), operation.path)
    for operation in (result.ok() for result in SCHEMA.get_all_operations())  # type: ignore[union-attr]
)
# The write endpoints get more examples.
EXAMPLES = {"/api/v1/sync/push": 40, "/api/v1/auth/login": 25, "/api/v1/forecast/adjustments": 25}
# Operations that end the session they are called with.
ENDS_SESSION = {"/api/v1/auth/sign-out"}
PERIODS = ["2026-Q4", "2026-11", "2026", "2026-13", "9999-Q4", "9999", "0001-01", "0000", " 2026 "]


def error_body(_ctx: Any, response: schemathesis.Response, _case: schemathesis.Case) -> None:
    """Every 4xx is JSON `{"detail": "<a reason>"}` (the ErrorBody), never a traceback."""
    if 400 <= response.status_code < 500:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type.startswith("application/json"), (response.status_code, content_type)
        body = response.json()
        assert isinstance(body, dict), body
        assert set(body) == {"detail"}, body
        assert isinstance(body["detail"], str), body
        assert body["detail"].strip(), body
        assert "Traceback" not in body["detail"], body


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    error_body,
]


def _steer(world: World, case: schemathesis.Case, user: str, draw: st.DrawFn) -> None:
    """Now and then replace generated values by real ones, so the request gets past the
    first check (the device of the token, its next seq, a real period, a real user id)."""
    body = case.body
    if isinstance(body, dict) and "device_id" in body:
        body["device_id"] = world.device(user)
        mutations = body.get("mutations")
        if isinstance(mutations, list):
            last = world.last_seq(user)
            for index, mutation in enumerate(mutations):
                if isinstance(mutation, dict) and "seq" in mutation:
                    mutation["seq"] = last + index + 1
    if case.path_parameters and "period" in case.path_parameters:
        case.path_parameters["period"] = draw(st.sampled_from(PERIODS))
    if isinstance(case.query, dict) and "user_id" in case.query:
        case.query["user_id"] = world.ids[draw(st.sampled_from(sorted(world.ids)))]
    if isinstance(body, dict) and "subject_user_id" in body:
        body["subject_user_id"] = world.ids[draw(st.sampled_from(sorted(world.ids)))]


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "anonymous"])
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_answers_clearly(
    world: World, method: str, path: str, signed_in: bool
) -> None:
    operation = SCHEMA[path][method]
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    session = requests.Session()

    @fuzz_settings(EXAMPLES.get(path, 15) if signed_in else 5)
    @given(case=strategy, data=st.data())
    def run(case: schemathesis.Case, data: st.DataObject) -> None:
        headers: dict[str, str] = {}
        if signed_in:
            user = data.draw(st.sampled_from(["rob", "mia"]), label="user")
            headers = world.headers(user)
            if path in ENDS_SESSION:  # a fresh session each time, not the shared one
                fresh = world.login(user, "fuzz-sign-out")["access_token"]
                headers = {"Authorization": f"Bearer {fresh}"}
            if data.draw(st.booleans(), label="steer"):
                _steer(world, case, user, data.draw)
        response = case.call(base_url=world.url, session=session, headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)

    run()


# --- push: hostile envelopes ------------------------------------------------------------------


def test_hostile_push_envelopes_are_refused_and_write_nothing(world: World) -> None:
    @fuzz_settings(40)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        user = data.draw(st.sampled_from(["rob", "ria"]), label="user")
        last = world.last_seq(user)
        what, body = data.draw(hostile_envelope(world, user, last), label="body")
        before = world.snapshot()
        response = world.http.post(
            "/api/v1/sync/push", content=body, headers=json_headers(world, user)
        )
        assert_refused(response)
        assert world.snapshot() == before, what

    run()


def test_each_kind_of_envelope_fault_gets_its_status(world: World) -> None:
    """The faults with a status of their own (a gap is a 409 the client recovers from)."""
    last = world.last_seq("rob")
    device = world.device("rob")

    def lead(seq: int) -> dict[str, Any]:
        return {**upsert(EntityKind.LEAD, str(uuid.uuid4()), {"company": "X"}), "seq": seq}

    rob = json_headers(world, "rob")
    cases: list[tuple[Any, int, dict[str, str]]] = [
        ({"device_id": device, "mutations": [lead(last + 2)]}, 409, rob),
        ({"device_id": device, "mutations": [lead(last + 2), lead(last + 1)]}, 400, rob),
        ({"device_id": world.device("ria"), "mutations": [lead(last + 1)]}, 403, rob),
        ({"device_id": device, "mutations": [lead(2**63)]}, 422, rob),
        ({"device_id": device, "mutations": [{**lead(last + 1), "entity": "widget"}]}, 422, rob),
        ({"device_id": device, "mutations": [lead(last + 1 + i) for i in range(501)]}, 422, rob),
        ({"device_id": device, "mutations": [lead(last + 1)], "x": Raw(b"[" * 50_000)}, 400, rob),
        ({"device_id": Raw(b'"\xff"'), "mutations": []}, 400, rob),
    ]
    # A device's first push may start at any seq, but not past what the server can count.
    fresh = world.login("rob", "fresh")
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {fresh['access_token']}",
    }
    for seq in (2**63, 10**30):
        cases.append(({"device_id": fresh["device_id"], "mutations": [lead(seq)]}, 422, headers))
    before = world.snapshot()
    for body, status, sent in cases:
        response = world.http.post("/api/v1/sync/push", content=encode(body), headers=sent)
        assert_refused(response, status)
    assert world.snapshot() == before


# --- push: valid envelopes, records that can never apply --------------------------------------


def test_invalid_records_are_rejected_one_by_one_and_write_nothing(world: World) -> None:
    @fuzz_settings(40)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        user = data.draw(st.sampled_from(["rob", "ria"]), label="user")
        last = world.last_seq(user)
        # Already acknowledged seqs first: skipped as duplicates, even if valid.
        replayed = data.draw(st.integers(0, min(2, last)), label="replayed")
        old = [
            {**upsert(EntityKind.LEAD, str(uuid.uuid4()), {"company": "Again"}), "seq": seq}
            for seq in range(last - replayed + 1, last + 1)
        ]
        bad = data.draw(st.lists(hostile_mutation(world, user), min_size=1, max_size=4))
        new = [{**m, "seq": last + i + 1} for i, m in enumerate(bad)]
        body = {"device_id": world.device(user), "mutations": old + new}
        before = world.snapshot()
        response = world.http.post(
            "/api/v1/sync/push", content=encode(body), headers=json_headers(world, user)
        )
        assert response.status_code == 200, explain(response)
        answer = response.json()
        statuses = [result["status"] for result in answer["results"]]
        assert statuses == ["duplicate"] * len(old) + ["rejected"] * len(new), answer
        for result in answer["results"][len(old) :]:
            assert isinstance(result["reason"], str), result
            assert result["reason"].strip(), result
            assert result["version"] is None, result
        assert answer["last_seq"] == last + len(new)
        after = world.snapshot()
        assert after.seqs()[world.device(user)] == last + len(new)
        expected = before.without_device_progress().with_refusals(len(new))
        assert after.without_device_progress() == expected

    run()


# --- push: well-formed but odd records never break the server ---------------------------------

ZONES = ["America", "Europe", "a" * 300, "Europe/Berlin", "UTC", "Etc/GMT+14", "posixrules", ""]
RULES = [
    "RDATE:99999999999999999999",
    "DTSTART:1",
    "FREQ=DAILY;COUNT=99999999999999999999",
    "FREQ=SECONDLY;INTERVAL=0",
    "FREQ=YEARLY;BYWEEKNO=54",
    "FREQ=DAILY;UNTIL=99991231T235959Z",
    "RRULE:FREQ=WEEKLY;BYDAY=MO,TU;WKST=SU",
    "EXRULE:FREQ=DAILY",
]
ODD_VALUES = st.one_of(
    ODD_TEXT,
    WRONG_TYPES,
    OUT_OF_RANGE_TIMES,
    NEVER_VALID,
    st.sampled_from(ZONES + RULES),
    st.sampled_from(
        [
            "0001-01-01",
            "9999-12-31",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            0,
            10**15,
            100,
            "9999-Q4",
            "0001",
            "EUR",
            "XXX",
        ]
    ),
)


@st.composite
def odd_mutation(draw: st.DrawFn, world: World, user: str) -> dict[str, Any]:
    entity = draw(st.sampled_from(sorted(EntityKind, key=lambda kind: kind.value)))
    fields = valid_fields(world, user, entity)
    names = [*data_fields(entity), "created_at", "updated_at"]
    for name in draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
        fields[name] = draw(ODD_VALUES)
    op = draw(st.sampled_from([op.value for op in MutationOp]))
    mutation = upsert(entity, str(uuid.uuid4()), fields, op)
    if op == "merge":
        theirs = [record for name in ("ria", "eve") for record in world.records[name].values()]
        mutation["merged_ids"] = draw(
            st.lists(st.sampled_from([*theirs, str(uuid.uuid4()), "\x00"]), min_size=1, max_size=3)
        )
    return mutation


def test_odd_records_never_break_the_server(world: World) -> None:
    """Whatever a valid envelope carries is applied or rejected with a reason, and reading
    it all back (pull, forecasts, conflicts) still works."""

    @fuzz_settings(25)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        user = data.draw(st.sampled_from(["rob", "mia"]), label="user")
        mutations = data.draw(st.lists(odd_mutation(world, user), min_size=1, max_size=4))
        last = world.last_seq(user)
        numbered = [{**m, "seq": last + i + 1} for i, m in enumerate(mutations)]
        content = encode({"device_id": world.device(user), "mutations": numbered})
        assume(len(content) <= world.app.state.settings.max_body_bytes)  # else simply 413
        before = world.snapshot()
        response = world.http.post(
            "/api/v1/sync/push", content=content, headers=json_headers(world, user)
        )
        assert response.status_code == 200, explain(response)
        results = response.json()["results"]
        assert len(results) == len(mutations)
        for result in results:
            assert result["status"] in {"applied", "rejected", "conflict"}, result
            if result["status"] == "rejected":
                assert result["reason"].strip(), result
        if all(result["status"] == "rejected" for result in results):
            expected = before.without_device_progress().with_refusals(len(results))
            assert world.snapshot().without_device_progress() == expected
        _read_back(world, user, before.counter)

    run()
    for user in ("rob", "mia"):  # and everything ever written, from the start
        _read_back(world, user, 0)


def _read_back(world: World, user: str, since: int) -> None:
    """Pull what the push wrote, with the forecasts and conflicts that include it."""
    headers = world.headers(user)
    more = True
    while more:
        page = world.http.get(
            "/api/v1/sync/pull", params={"since": since, "limit": 5000}, headers=headers
        )
        assert page.status_code == 200, explain(page)
        since, more = page.json()["next_since"], page.json()["has_more"]
    for path in ("/api/v1/sync/conflicts", "/api/v1/forecast/2026-Q4"):
        response = world.http.get(path, headers=headers)
        assert response.status_code == 200, (path, explain(response))


# --- push: framing (content type, content encoding, size) -------------------------------------

NOT_JSON_TYPES = [
    None,
    "text/plain",
    "text/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/xml",
    "application/octet-stream",
    "application/jsonx",
    "json",
    "*/*",
]


PER_MILLE = st.integers(0, 1000)  # a position as a share: body lengths vary between runs


def test_push_framing_faults_are_refused_and_write_nothing(world: World) -> None:
    limit = world.app.state.settings.max_body_bytes
    bomb = gzip_bomb(limit)

    @fuzz_settings(25)
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        user = data.draw(st.sampled_from(["rob", "ria"]), label="user")
        last = world.last_seq(user)
        mutation = {**upsert(EntityKind.LEAD, str(uuid.uuid4()), {"company": "Framed"})}
        valid = encode(
            {"device_id": world.device(user), "mutations": [{**mutation, "seq": last + 1}]}
        )
        fault = data.draw(
            st.sampled_from(
                [
                    "content-type",
                    "bomb",
                    "corrupt-gzip",
                    "truncated-gzip",
                    "gzip-trailing-junk",
                    "unknown-encoding",
                    "oversized",
                ]
            ),
            label="fault",
        )
        headers = dict(world.headers(user))
        content = valid
        if fault == "content-type":
            content_type = data.draw(st.sampled_from(NOT_JSON_TYPES), label="content-type")
            if content_type is not None:
                headers["Content-Type"] = content_type
        else:
            headers["Content-Type"] = "application/json"
        if fault == "bomb":
            headers["Content-Encoding"] = "gzip"
            content = bomb
        elif fault == "corrupt-gzip":
            headers["Content-Encoding"] = data.draw(st.sampled_from(["gzip", "GZIP"]))
            packed = bytearray(gzip.compress(valid))
            position = 10 + (len(packed) - 19) * data.draw(PER_MILLE, label="flip") // 1000
            packed[position] ^= 0xFF
            content = bytes(packed)
        elif fault == "truncated-gzip":
            headers["Content-Encoding"] = "gzip"
            packed = gzip.compress(valid)
            content = packed[: 1 + (len(packed) - 2) * data.draw(PER_MILLE, label="cut") // 1000]
        elif fault == "gzip-trailing-junk":
            headers["Content-Encoding"] = "gzip"
            content = gzip.compress(valid) + data.draw(st.binary(min_size=1, max_size=64))
        elif fault == "unknown-encoding":
            encoding = data.draw(st.sampled_from(["deflate", "br", "compress", "zstd", "gzip, br"]))
            headers["Content-Encoding"] = encoding
            content = data.draw(
                st.sampled_from([valid, zlib.compress(valid), gzip.compress(valid)])
            )
        elif fault == "oversized":
            padding = "x" * (limit + 1)
            content = encode({"device_id": world.device(user), "mutations": [], "padding": padding})
        before = world.snapshot()
        response = world.http.post("/api/v1/sync/push", content=content, headers=headers)
        assert_refused(response)
        assert world.snapshot() == before, fault

    run()


def test_framing_faults_get_their_status(world: World) -> None:
    last = world.last_seq("rob")
    mutation = {
        **upsert(EntityKind.LEAD, str(uuid.uuid4()), {"company": "Framed"}),
        "seq": last + 1,
    }
    valid = encode({"device_id": world.device("rob"), "mutations": [mutation]})
    headers = world.headers("rob")
    limit = world.app.state.settings.max_body_bytes
    cases: list[tuple[dict[str, str], bytes, int]] = [
        ({"Content-Type": "text/plain"}, valid, 415),
        ({}, valid, 415),
        ({"Content-Type": "application/json", "Content-Encoding": "br"}, valid, 415),
        ({"Content-Type": "application/json", "Content-Encoding": "gzip"}, gzip_bomb(limit), 413),
        ({"Content-Type": "application/json", "Content-Encoding": "gzip"}, b"\x1f\x8b junk", 400),
        (
            {"Content-Type": "application/json", "Content-Encoding": "gzip"},
            gzip.compress(valid)[:-4],
            400,
        ),
        ({"Content-Type": "application/json"}, b"", 422),
    ]
    before = world.snapshot()
    for extra, content, status in cases:
        response = world.http.post("/api/v1/sync/push", content=content, headers=headers | extra)
        assert_refused(response, status)
    assert world.snapshot() == before
