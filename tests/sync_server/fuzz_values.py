"""Hypothesis strategies for hostile request bodies (tests/sync_server/test_api_fuzz*.py):
values no field accepts, wrong types, out-of-range times, odd text, valid records to corrupt,
hostile mutations and push envelopes, and a gzip bomb."""

from __future__ import annotations

import gzip
import json
import math
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
from fuzz_kit import USERS, Raw, World, encode, upsert
from hypothesis import strategies as st

from sfa_desktop.core.entities import MODELS
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import CLIENT_WRITABLE, MAX_PUSH_MUTATIONS

# --- hostile values ---------------------------------------------------------------------------

MEGABYTE = "x" * (1 << 20)
WIDE_TEXT = "é" * 150_000  # 900 kB as JSON escapes
DEEP_NEST = Raw(b"[" * 100_000 + b"]" * 100_000)  # deeper than any JSON parser recurses
DEEP_OBJECTS = Raw(b'{"a":' * 50_000 + b"1" + b"}" * 50_000)
BAD_UTF8 = Raw(b'"\xff\xfe\xc3\x28 \xed\xa0\x80"')  # invalid bytes and an encoded surrogate


def nested(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = [value]
    return value


def nested_objects(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = {"k": value}
    return value


# Strings that are never a valid value of any record field: too long for every text field, not
# an id, e-mail, phone, currency, period, zone, rule, date, enum or number.
NEVER_VALID_TEXT = st.sampled_from(
    [
        MEGABYTE,
        WIDE_TEXT,
        "\x00",
        "nul\x00inside",
        "\ud800",
        "lone \udfff surrogate",
        "x" * 20_001,
    ]
)
# Values no record field accepts, whatever its type (all of them valid JSON).
NEVER_VALID = st.one_of(
    NEVER_VALID_TEXT,
    st.sampled_from([{"nested": {"deeper": [1, 2, 3]}}, nested_objects(60), {"$where": "1 == 1"}]),
)
HOSTILE_NUMBERS = st.sampled_from(
    [math.nan, math.inf, -math.inf, 10**30, -(10**30), 2**63, 2**64, -1, 1.5, 1e308, -0.0]
)
WRONG_TYPES = st.one_of(
    st.none(),
    st.booleans(),
    HOSTILE_NUMBERS,
    st.just([]),
    st.just({}),
    st.just([None]),
    st.text(max_size=20),
)
# Dates and times that parse but lie outside what a UTC datetime can hold.
OUT_OF_RANGE_TIMES = st.sampled_from(
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "9999-12-31T23:59:59.999999-00:01",
        "2026-01-01T00:00:00",  # naive
        "2026-02-30T00:00:00Z",
        "2026-01-01T25:00:00Z",
        "+275760-09-13T00:00:00Z",
        "0000-01-01T00:00:00Z",
    ]
)
ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\u202eevil",  # right-to-left override
            "e\u0301" * 50,
            "🏳️‍🌈" * 20,
            "Robert'); DROP TABLE records;--",
            "%00",
            "\\u0000",
            "null",
            "\r\n\t",
            "\ufeff",
            "A" * 200,
            "A" * 201,
        ]
    ),
)


# --- valid records to corrupt -----------------------------------------------------------------


def valid_fields(world: World, username: str, entity: EntityKind) -> dict[str, Any]:
    """Fields of a valid new record of `entity` that `username` could create."""
    mine = world.records.get(username, {})
    account = mine.get("account", "")
    opportunity = mine.get("opportunity", "")
    time_ = "2026-10-01T09:00:00Z"
    builders: dict[EntityKind, dict[str, Any]] = {
        EntityKind.ACCOUNT: {"name": "Fuzz AG", "city": "Bern"},
        EntityKind.CONTACT: {"account_id": account, "last_name": "Ng", "email": "ng@example.com"},
        EntityKind.ACTIVITY: {"channel": "call", "subject": "Hello", "occurred_at": time_},
        EntityKind.EVENT: {
            "title": "Visit",
            "starts_at": time_,
            "ends_at": "2026-10-01T10:00:00Z",
            "timezone": "Europe/Zurich",
            "recurrence": "FREQ=WEEKLY;COUNT=3",
        },
        EntityKind.TASK: {"title": "Follow up", "due_date": "2026-10-02"},
        EntityKind.LEAD: {"company": "Newco", "last_name": "Lee"},
        EntityKind.OPPORTUNITY: {
            "account_id": account,
            "name": "Fuzz deal",
            "amount": 1000,
            "close_date": "2026-12-15",
        },
        EntityKind.STAGE_CHANGE: {
            "opportunity_id": opportunity,
            "to_stage": "negotiation",
            "changed_at": time_,
        },
        EntityKind.ACCOUNT_PLAN: {"account_id": account, "fiscal_year": 2026},
        EntityKind.FORECAST_SUBMISSION: {
            "period": "2026-Q4",
            "commit": 10,
            "best_case": 20,
            "submitted_at": time_,
        },
        EntityKind.MANAGER_ADJUSTMENT: {
            "subject_user_id": world.ids["rob"],
            "period": "2026-Q4",
            "category": "commit",
            "amount": 5,
            "comment": "why",
        },
        EntityKind.QUOTA: {"period": "2026-Q4", "amount": 100},
        EntityKind.USER: {"name": "Mallory", "email": "mallory@example.com"},
    }
    return dict(builders.get(entity, {}))


def data_fields(entity: EntityKind) -> list[str]:
    model = MODELS[entity]
    return sorted(set(model.model_fields) - {"id", "version"})


ALL_FIELD_NAMES = sorted({name for model in MODELS.values() for name in model.model_fields})
CLIENT_KINDS = sorted(CLIENT_WRITABLE, key=lambda kind: kind.value)
SERVER_KINDS = sorted(set(EntityKind) - CLIENT_WRITABLE, key=lambda kind: kind.value)


@st.composite
def hostile_mutation(draw: st.DrawFn, world: World, username: str) -> dict[str, Any]:
    """A mutation with a valid envelope whose record can never be applied by `username`.

    Each is a valid record with at least one fault that alone is a permanent rejection.
    """
    others = [name for name in ("ria", "eve") if name != username]
    foreign = draw(st.sampled_from(others))
    choice = draw(
        st.sampled_from(
            [
                "server-owned",
                "unknown-field",
                "never-valid-value",
                "nul",
                "wrong-type",
                "out-of-range-time",
                "hostile-number",
                "foreign-owner",
                "foreign-reference",
                "foreign-record",
                "own-record-broken",
            ]
        )
    )
    entity = draw(st.sampled_from(CLIENT_KINDS))
    record_id = str(uuid.uuid4())
    fields = valid_fields(world, username, entity)
    op = "upsert"
    if choice == "server-owned":
        entity = draw(st.sampled_from(SERVER_KINDS))
        fields = valid_fields(world, username, entity)
        op = draw(st.sampled_from(["upsert", "delete"]))
    elif choice == "unknown-field":
        strangers = [n for n in ALL_FIELD_NAMES if n not in MODELS[entity].model_fields]
        name = draw(st.sampled_from([*strangers, "bogus", "__proto__", "Name", "name "]))
        fields[name] = draw(st.one_of(ODD_TEXT, WRONG_TYPES))
    elif choice == "never-valid-value":
        fields[draw(st.sampled_from(data_fields(entity)))] = draw(NEVER_VALID)
    elif choice == "nul":  # in text the record would accept, in its id, in a reference
        texts = sorted(name for name, value in fields.items() if isinstance(value, str))
        where = draw(st.sampled_from(["entity_id", *texts]))
        if where == "entity_id":
            record_id = f"{record_id[:20]}\x00{record_id[20:]}"
        else:
            value = fields[where]
            cut = draw(st.integers(0, len(value)))
            fields[where] = f"{value[:cut]}\x00{value[cut:]}"
    elif choice == "wrong-type":
        name = draw(st.sampled_from(data_fields(entity)))
        fields[name] = draw(st.sampled_from([{"a": 1}, [{"a": 1}], [[1, [2]]], nested(40)]))
    elif choice == "out-of-range-time":
        fields[draw(st.sampled_from(["created_at", "updated_at"]))] = draw(OUT_OF_RANGE_TIMES)
    elif choice == "hostile-number":
        numeric = [
            name
            for name, info in MODELS[entity].model_fields.items()
            if info.annotation is int and name != "version"
        ]
        if not numeric:
            numeric = ["owner_id"]  # a text field: no number is valid there
        name = draw(st.sampled_from(numeric))
        fields[name] = draw(
            st.sampled_from([math.nan, math.inf, -math.inf, 10**30, 2**63, -(2**63), -1, 1.5])
        )
        if name == "probability":  # else the stage's default replaces it: nothing invalid
            fields["probability_overridden"] = True
    elif choice == "foreign-owner":
        strangers = [name for name in USERS if name != username]
        fields["owner_id"] = world.ids[draw(st.sampled_from(strangers))]
    elif choice == "foreign-reference":
        theirs = world.records[foreign]
        entity = draw(
            st.sampled_from(
                [
                    EntityKind.CONTACT,
                    EntityKind.OPPORTUNITY,
                    EntityKind.TASK,
                    EntityKind.STAGE_CHANGE,
                    EntityKind.ACCOUNT_PLAN,
                ]
            )
        )
        fields = valid_fields(world, username, entity)
        if entity is EntityKind.STAGE_CHANGE:
            fields["opportunity_id"] = draw(
                st.sampled_from([theirs["opportunity"], str(uuid.uuid4())])
            )
        else:
            fields["account_id"] = draw(st.sampled_from([theirs["account"], str(uuid.uuid4())]))
    elif choice == "foreign-record":
        theirs = world.records[foreign]
        kind = draw(st.sampled_from(sorted(theirs)))
        entity = EntityKind(kind)
        record_id = theirs[kind]
        op = draw(st.sampled_from(["upsert", "delete"]))
        fields = draw(
            st.sampled_from([{}, valid_fields(world, username, entity), {"notes": "mine now"}])
        )
    else:  # own-record-broken: an update of one of the caller's own records
        mine = world.records[username]
        kind = draw(st.sampled_from(sorted(mine)))
        entity = EntityKind(kind)
        record_id = mine[kind]
        fault = draw(st.sampled_from(["unknown", "never-valid", "owner", "time"]))
        if fault == "unknown":
            fields = {"no_such_field": draw(ODD_TEXT)}
        elif fault == "never-valid":
            fields = {draw(st.sampled_from(data_fields(entity))): draw(NEVER_VALID)}
        elif fault == "owner":
            fields = {"owner_id": world.ids[foreign]}
        else:
            fields = {"created_at": draw(OUT_OF_RANGE_TIMES)}
    mutation = upsert(entity, record_id, fields, op)
    mutation["base_version"] = draw(st.sampled_from([None, 0, 1, 10**12]))
    return mutation


@st.composite
def hostile_envelope(draw: st.DrawFn, world: World, username: str, last: int) -> tuple[str, bytes]:
    """A push body whose envelope is refused as a whole: (what is wrong, body)."""
    device = world.device(username)
    good = upsert(EntityKind.LEAD, str(uuid.uuid4()), {"company": "Fine"})

    def numbered(*seqs: int) -> list[dict[str, Any]]:
        return [{**good, "mutation_id": str(uuid.uuid4()), "seq": s} for s in seqs]

    kind = draw(
        st.sampled_from(
            [
                "not-an-object",
                "missing-or-extra",
                "device",
                "mutations-type",
                "mutation-field",
                "mutation-extra",
                "too-many",
                "gap",
                "order",
                "raw",
            ]
        )
    )
    body: Any = {"device_id": device, "mutations": numbered(last + 1)}
    if kind == "not-an-object":
        body = draw(st.sampled_from([[], [body], 1, "push", None, True, math.nan, 1.5]))
    elif kind == "missing-or-extra":
        body = draw(
            st.sampled_from(
                [
                    {"device_id": device},
                    {"mutations": body["mutations"]},
                    {**body, "extra": 1},
                    {**body, "last_seq": 10**6},
                    {},
                ]
            )
        )
    elif kind == "device":
        body["device_id"] = draw(
            st.one_of(
                WRONG_TYPES.filter(lambda v: not isinstance(v, str)),
                st.sampled_from(
                    [world.device("ria"), world.device("eve"), "", "\ud800", device.upper()]
                ),
                st.just(MEGABYTE),
            )
        )
    elif kind == "mutations-type":
        body["mutations"] = draw(
            st.sampled_from([{}, good, "x", 1, None, [1], [None], [[]], ["x"], nested(30)])
        )
    elif kind == "mutation-field":
        name = draw(
            st.sampled_from(
                ["seq", "mutation_id", "entity", "entity_id", "op", "fields", "base_version"]
            )
        )
        bad: dict[str, list[Any]] = {
            "seq": [0, -1, 1.5, math.nan, math.inf, None, "abc", [], {}, 2**63, 10**30],
            "mutation_id": ["", "m" * 65, None, 5, [], {}, "\ud800", MEGABYTE],
            "entity": ["widget", "", None, 1, "ACCOUNT", "account ", [], "\x00"],
            "entity_id": ["", "e" * 65, None, 1, [], "\udc00", MEGABYTE],
            "op": ["update", "", None, "UPSERT", "merge!", 1],
            "fields": [[], "x", 1, None, True, [["company", "X"]]],
            "base_version": ["x", 1.5, [], {}, math.nan, math.inf],
        }
        body["mutations"][0][name] = draw(st.sampled_from(bad[name]))
    elif kind == "mutation-extra":
        body["mutations"][0][draw(st.sampled_from(["owner", "Seq", "id", "fields "]))] = 1
    elif kind == "too-many":
        body["mutations"] = numbered(*range(last + 1, last + MAX_PUSH_MUTATIONS + 2))
    elif kind == "gap":
        assert last > 0, "the world's devices have pushed before"
        start = last + draw(st.integers(2, 1000))
        body["mutations"] = draw(
            st.sampled_from(
                [numbered(start), numbered(last + 1, last + 3), numbered(start, start + 1)]
            )
        )
    elif kind == "order":
        body["mutations"] = draw(
            st.sampled_from(
                [
                    numbered(last + 2, last + 1),
                    numbered(last + 1, last + 1),
                    numbered(last + 1, last + 2, last + 2),
                    numbered(last, last - 1) if last > 1 else numbered(last + 1, last + 1),
                ]
            )
        )
    else:  # raw: the bytes are not a JSON document the envelope model could accept
        text = encode(body)
        raw = draw(
            st.sampled_from(
                [
                    "truncated",
                    "bad-utf8",
                    "deep",
                    "deep-objects",
                    "garbage",
                    "trailing",
                    "empty",
                    "nan-seq",
                    "bytes",
                ]
            )
        )
        if raw == "truncated":
            return raw, text[: 1 + (len(text) - 2) * draw(st.integers(0, 1000)) // 1000]
        if raw == "bad-utf8":
            return raw, encode({**body, "device_id": BAD_UTF8})
        if raw == "deep":
            return raw, encode({**body, "mutations": DEEP_NEST})
        if raw == "deep-objects":
            return raw, encode(DEEP_OBJECTS)
        if raw == "garbage":
            return raw, draw(st.binary(min_size=1, max_size=200).filter(lambda b: not _json(b)))
        if raw == "trailing":
            return raw, text + b" {}"
        if raw == "empty":
            return raw, b""
        if raw == "nan-seq":
            return raw, text.replace(f'"seq": {last + 1}'.encode(), b'"seq": NaN')
        return raw, b"\x00" * draw(st.integers(1, 64))
    return kind, encode(body)


def _json(data: bytes) -> bool:
    try:
        json.loads(data)
    except (ValueError, RecursionError):
        return False
    return True


def gzip_bomb(limit: int) -> bytes:
    """Gzip that inflates to more than `limit` bytes (a few KiB compressed)."""
    return gzip.compress(b"{" + b" " * (limit + 1024) + b"}", compresslevel=9)


def now_utc() -> datetime:
    return datetime.now(UTC)


Check = Callable[[httpx.Response], None]
