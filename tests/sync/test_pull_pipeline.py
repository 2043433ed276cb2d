"""Pull pages are decoded once, validated in a worker and written in order.

The engine fetches page k+2 and validates page k+1 while page k is written: a malformed
page still fails before anything of it is written, the pages before it stay applied with
their cursor, and a reset asked for mid-download starts the download over.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from sfa_desktop.core.entities import Account, utcnow
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.protocol import PROTOCOL_VERSION, ChangeOp, HandshakeResponse
from sfa_desktop.store import Store
from sfa_desktop.sync import engine as engine_module
from sfa_desktop.sync.client import SyncClient, decode_pull
from sfa_desktop.sync.engine import SyncEngine


def _account(n: int, **fields: Any) -> dict[str, Any]:
    data = Account(id=f"a{n}", name=f"Harbour {n}", owner_id="user-rep", version=n)
    return {
        "entity": "account",
        "entity_id": data.id,
        "op": "upsert",
        "version": n,
        "data": data.model_dump(mode="json") | fields,
    }


def _page(changes: list[dict[str, Any]], next_since: int, has_more: bool) -> bytes:
    return json.dumps({"changes": changes, "next_since": next_since, "has_more": has_more}).encode()


def _engine(store: Store, answer: Callable[[int], bytes]) -> SyncEngine:
    def serve(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/handshake"):
            hello = HandshakeResponse(
                protocol_min=PROTOCOL_VERSION,
                protocol_max=PROTOCOL_VERSION,
                server_time=utcnow(),
                schema_version="",
            )
            return httpx.Response(200, content=hello.model_dump_json().encode())
        if request.url.path.endswith("/forecast/rates"):
            return httpx.Response(404, json={"detail": "no rates here"})  # an older server
        return httpx.Response(200, content=answer(int(request.url.params["since"])))

    client = SyncClient("http://pages", transport=httpx.MockTransport(serve))
    client.access_token = "token"
    store.set_state(device_id="device")
    return SyncEngine(store, client, on_wipe=lambda: None, download_limit=2)


def _pages(count: int, bad_page: int | None = None) -> Callable[[int], bytes]:
    """`count` pages of two accounts each (cursor = last version); one may be malformed."""

    def answer(since: int) -> bytes:
        k = since // 2
        changes = [_account(since + 1), _account(since + 2)]
        if k == bad_page:
            changes[1] = _account(since + 2, currency="euros")
        return _page(changes, since + 2, has_more=k + 1 < count)

    return answer


def test_a_download_of_many_pages_lands_whole_and_searchable(store: Store) -> None:
    report = _engine(store, _pages(7)).run_once()
    assert report.pulled == 14
    assert store.count(Account) == 14
    assert store.pull_cursor() == 14
    assert not store.download_unfinished()
    assert len(store.search("harbour", limit=100)) == 14


def test_pulling_hands_large_blocks_back_to_the_system(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(engine_module, "map_large_blocks", lambda: calls.append("fixed"))
    _engine(store, _pages(2)).run_once()
    assert calls == ["fixed"]


def test_a_malformed_page_fails_after_the_pages_before_it(store: Store) -> None:
    with pytest.raises(ValidationError):
        _engine(store, _pages(7, bad_page=3)).run_once()
    assert store.count(Account) == 6  # pages 0, 1 and 2; nothing of page 3
    assert store.pull_cursor() == 6
    assert store.download_unfinished()  # the next sync goes on with this download


def test_a_reset_asked_for_mid_download_starts_it_over(store: Store) -> None:
    calls: list[int] = []
    pages = _pages(3)

    def answer(since: int) -> bytes:
        calls.append(since)
        if since == 4 and calls.count(4) == 1:
            return json.dumps({"next_since": 0, "reset_required": True}).encode()
        return pages(since)

    report = _engine(store, answer).run_once()
    assert report.resets == 1
    assert calls == [0, 2, 4, 0, 2, 4]
    assert store.count(Account) == 6
    assert store.pull_cursor() == 6


def test_a_page_is_decoded_into_plain_changes() -> None:
    page = decode_pull(_page([_account(1), {**_account(2), "op": "remove", "data": None}], 2, True))
    assert page.next_since == 2
    assert page.has_more is True
    assert page.reset_required is False
    first, second = page.changes
    assert first[:4] == (EntityKind.ACCOUNT, "a1", ChangeOp.UPSERT, 1)
    assert first[4]["name"] == "Harbour 1"
    assert second == (EntityKind.ACCOUNT, "a2", ChangeOp.REMOVE, 2, None)


def test_a_kind_this_client_does_not_know_is_skipped() -> None:
    """A newer server's kinds do not make its pages unreadable; the cursor still moves."""
    unknown = {**_account(2), "entity": "planet"}
    page = decode_pull(_page([_account(1), unknown, _account(3)], 3, False))
    assert [change[1] for change in page.changes] == ["a1", "a3"]
    assert page.next_since == 3


@pytest.mark.parametrize(
    "body",
    [
        _page([_account(1)], 1, False)[:-20],  # cut short
        json.dumps([]).encode(),
        json.dumps({"changes": []}).encode(),  # no cursor
        json.dumps({"changes": [], "next_since": "1"}).encode(),
        json.dumps({"changes": [], "next_since": 1, "has_more": 1}).encode(),
        json.dumps({"changes": [], "next_since": 1, "extra": 1}).encode(),
        json.dumps({"changes": [{**_account(1), "extra": 1}], "next_since": 1}).encode(),
        json.dumps({"changes": [{**_account(1), "entity": 7}], "next_since": 1}).encode(),
        json.dumps({"changes": [{**_account(1), "op": "merge"}], "next_since": 1}).encode(),
        json.dumps({"changes": [{**_account(1), "version": "1"}], "next_since": 1}).encode(),
        json.dumps({"changes": [{**_account(1), "data": [1]}], "next_since": 1}).encode(),
        json.dumps({"changes": [7], "next_since": 1}).encode(),
    ],
)
def test_an_unreadable_page_is_refused_like_the_wire_model_would(body: bytes) -> None:
    with pytest.raises(ValueError, match="unreadable pull page"):
        decode_pull(body)
