"""The pull page is written as JSON text with the stored payloads spliced in: it must still
be exactly a PullResponse, with each record's version in its data and ids escaped."""

from __future__ import annotations

from server_kit import Org

from sfa_desktop.core.entities import MODELS
from sfa_desktop.core.protocol import ChangeOp, PullResponse
from sync_server.models import User
from sync_server.services import pull
from sync_server.services.records import get_row, parse_row


def test_page_is_a_strict_pull_response_carrying_the_stored_records(org: Org) -> None:
    odd_id = 'odd "quoted" \\ id – ünïcode'
    assert org.push("rob", "account", odd_id, {"name": 'Say "hi"'})["status"] == "applied"
    kept = org.account("rob", "Kept")
    gone = org.account("rob", "Gone")
    org.push("rob", "account", gone, op="delete")
    response = org.client.get(
        "/api/v1/sync/pull",
        params={"since": 0, "limit": 1000, "audit": True},
        headers=org.headers("rob"),
    )
    assert response.headers["content-type"] == "application/json"
    page = PullResponse.model_validate_json(response.content)  # extra="forbid" everywhere
    assert not page.has_more
    assert page.next_since == max(change.version for change in page.changes)
    accounts = {c.entity_id: c for c in page.changes if c.entity == "account"}
    assert accounts[gone].op is ChangeOp.DELETE
    assert accounts[gone].data is None
    with org.session() as session:
        for entity_id in (odd_id, kept):
            change = accounts[entity_id]
            assert change.op is ChangeOp.UPSERT
            assert change.data is not None
            assert change.data["version"] == change.version
            pulled = MODELS[change.entity].model_validate(change.data)
            row = get_row(session, change.entity, entity_id)
            assert row is not None
            assert pulled == parse_row(row)
    assert accounts[odd_id].data is not None
    assert accounts[odd_id].data["name"] == 'Say "hi"'


def test_an_empty_page_and_a_reset_are_pull_responses(org: Org) -> None:
    _, since = org.pull_all("rob")
    empty = org.pull("rob", since)
    assert PullResponse.model_validate(empty) == PullResponse(next_since=since)
    reset = org.pull("rob", since + 10_000)
    assert PullResponse.model_validate(reset) == PullResponse(next_since=0, reset_required=True)


def test_the_org_wide_branch_of_a_page_reads_its_partial_index(org: Org) -> None:
    """Users and field definitions are a handful among an organisation's records: the
    page's branch for them must read the partial index for them, not the whole log from
    `since` (it did, with the kinds as bound parameters: 73 of a page's 120 ms at 214k)."""
    changed, _left = pull._statements(True)
    with org.session() as session:
        rob = session.get(User, org.ids["rob"])
        assert rob is not None
        values = {"org_id": rob.org_id, "owners": [rob.id], "since": 0, "limit": 5001}
        bind = session.get_bind()
        # As the server runs it: bound parameters stay parameters (inlined, they would let
        # the planner see what the server's statement hides).
        compiled = changed.compile(bind)
        state = compiled.construct_expanded_state(values)
        sql = state.statement
        params = state.positional_parameters if compiled.positional else state.parameters
        connection = session.connection()
        if bind.dialect.name == "postgresql":  # the tables are tiny: make any index win
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            found = connection.exec_driver_sql(f"EXPLAIN {sql}", params)
            plan = [row[0] for row in found]
        else:
            found = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = [row[-1] for row in found]
    assert any("ix_records_org_wide" in line for line in plan), plan
