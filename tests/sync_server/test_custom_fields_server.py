"""Custom fields on the server: the admin CLI, definitions pulled by every user, values
checked on push by the shared rule (over HTTP), type changes and retirement with data."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from server_kit import PASSWORD, Org
from sqlalchemy import event, select

from sfa_desktop.core.entities.base import new_id
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.demo import DemoSize
from sync_server.cli import main as server_main
from sync_server.models import Org as OrgRow
from sync_server.models import Record as RecordRow
from sync_server.services import custom_fields, field_admin
from sync_server.services.demo import DEMO_ORG, seed_demo


@pytest.fixture
def admin(org: Org, db_url: str, capsys: pytest.CaptureFixture[str]) -> Any:
    """Run `sfa-server admin …` against the test database; returns (exit code, out, err)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = server_main(["--database-url", db_url, "admin", *args, "--org", "acme"])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def _definitions(org: Org, username: str) -> dict[str, dict[str, Any]]:
    changes, _ = org.pull_all(username)
    return {
        c["data"]["key"]: c["data"]
        for c in changes
        if c["entity"] == "field_definition" and c["op"] == "upsert"
    }


def _record(org: Org, username: str, entity: str, record_id: str) -> dict[str, Any]:
    changes, _ = org.pull_all(username)
    found = [c["data"] for c in changes if c["entity"] == entity and c["entity_id"] == record_id]
    assert found, f"{entity} {record_id} not pulled"
    data: dict[str, Any] = found[-1]
    return data


def test_fields_added_by_the_cli_reach_every_user_of_the_organisation(admin: Any, org: Org) -> None:
    code, out, _ = admin(
        "add-field",
        "--entity",
        "account",
        "--name",
        "Segment",
        "--type",
        "picklist",
        "--choices",
        "Retail,Wholesale",
        "--required",
        "--default",
        "Retail",
    )
    assert code == 0
    assert out.startswith("account\tcf_segment\tSegment\tpicklist\t10\trequired; default Retail")
    for user in ("rob", "mia", "boss"):
        assert _definitions(org, user)["cf_segment"]["choices"] == ["Retail", "Wholesale"]
    assert "cf_segment" not in _definitions(org, "eve")  # another organisation
    code, out, _ = admin("list-fields")
    assert code == 0
    assert out.count("\n") == 1


def test_pushed_values_are_checked_with_the_desktops_messages(admin: Any, org: Org) -> None:
    admin(
        "add-field",
        "--entity",
        "contact",
        "--name",
        "Visits per year",
        "--type",
        "number",
        "--min",
        "0",
        "--max",
        "52",
    )
    contact = new_id()
    refused = org.push("rob", "contact", contact, {"last_name": "Ng", "cf_visits_per_year": 60})
    assert refused["status"] == "rejected"
    assert (
        refused["reason"]
        == "Invalid contact: cf_visits_per_year: Visits per year must be at most 52"
    )
    applied = org.push("rob", "contact", contact, {"last_name": "Ng", "cf_visits_per_year": 12})
    assert applied["status"] == "applied"
    assert _record(org, "rob", "contact", contact)["cf_visits_per_year"] == 12
    unknown = org.push("rob", "contact", new_id(), {"last_name": "Li", "cf_nothing": "x"})
    assert (
        unknown["reason"] == "Invalid contact: cf_nothing: cf_nothing is not a field of this record"
    )


def test_a_reps_write_to_a_read_only_field_is_refused_over_http(admin: Any, org: Org) -> None:
    admin(
        "add-field",
        "--entity",
        "account",
        "--name",
        "Credit limit",
        "--type",
        "currency",
        "--read-only-for",
        "rep",
    )
    account = org.account("rob")
    result = org.push("rob", "account", account, {"cf_credit_limit": 500000}, base_version=None)
    assert result["status"] == "rejected"
    assert "Credit limit is read-only for reps" in result["reason"]
    assert "cf_credit_limit" not in _record(org, "rob", "account", account)


def test_required_fields_bind_new_records_not_old_ones(admin: Any, org: Org) -> None:
    old = org.account("rob", "Made before")
    admin("add-field", "--entity", "account", "--name", "Region", "--type", "text", "--required")
    new = org.push("rob", "account", new_id(), {"name": "Made after"})
    assert new["status"] == "rejected"
    assert new["reason"].endswith("cf_region: Region is required")
    edited = org.push("rob", "account", old, {"city": "Oslo"}, base_version=None)
    assert edited["status"] == "applied"  # an old record is not blocked until a form saves it
    filled = org.push("rob", "account", new_id(), {"name": "Filled", "cf_region": "North"})
    assert filled["status"] == "applied"


def test_a_type_change_some_values_cannot_survive_is_refused_with_count_and_examples(
    admin: Any, org: Org
) -> None:
    admin("add-field", "--entity", "lead", "--name", "Headcount", "--type", "text")
    ids = []
    for value in ("120", "about 50", "7", "n/a"):
        lead = new_id()
        ids.append(lead)
        assert (
            org.push("rob", "lead", lead, {"company": value, "cf_headcount": value})["status"]
            == "applied"
        )
    code, _, err = admin(
        "change-field-type", "--entity", "lead", "--name", "Headcount", "--type", "number"
    )
    assert code == 2
    assert err.startswith("error: 2 of 4 values of Headcount cannot become number, e.g. ")
    assert "'about 50'" in err
    assert "'n/a'" in err
    assert _record(org, "rob", "lead", ids[0])["cf_headcount"] == "120"  # nothing changed
    for lead in (ids[1], ids[3]):
        assert (
            org.push("rob", "lead", lead, {"cf_headcount": None}, base_version=None)["status"]
            == "applied"
        )
    code, out, _ = admin(
        "change-field-type", "--entity", "lead", "--name", "headcount", "--type", "number"
    )
    assert code == 0, out
    assert out.splitlines()[-1] == "2 values converted"
    assert _record(org, "rob", "lead", ids[0])["cf_headcount"] == 120
    assert _definitions(org, "rob")["cf_headcount"]["field_type"] == "number"


def test_retiring_hides_a_field_and_keeps_values_even_from_an_offline_device(
    admin: Any, org: Org
) -> None:
    admin("add-field", "--entity", "account", "--name", "Fax", "--type", "phone")
    account = org.account("rob")
    assert org.push("rob", "account", account, {"cf_fax": "+1 555 0100"})["status"] == "applied"
    code, out, _ = admin("retire-field", "--entity", "account", "--name", "Fax")
    assert code == 0
    assert out.rstrip().endswith("RETIRED")
    assert _definitions(org, "rob")["cf_fax"]["retired"] is True
    # an offline device that edited the field before it knew it was retired
    late = org.push("rob", "account", account, {"cf_fax": "+1 555 0199"}, base_version=None)
    assert late["status"] == "applied"
    assert _record(org, "rob", "account", account)["cf_fax"] == "+1 555 0199"
    code, out, _ = admin("rename-field", "--entity", "account", "--name", "cf_fax", "Telefax")
    assert code == 0
    assert "\tcf_fax\tTelefax\t" in out


def test_a_custom_field_conflict_is_filed_like_any_field(admin: Any, org: Org) -> None:
    admin("add-field", "--entity", "account", "--name", "Tier", "--type", "text")
    account = org.account("rob")
    org.login("rob", device="phone")
    first = org.push("rob", "account", account, {"cf_tier": "Gold"}, base_version=1)
    assert first["status"] == "applied"
    org.login("rob", device="laptop")
    second = org.push("rob", "account", account, {"cf_tier": "Silver"}, base_version=1)
    assert second["status"] == "conflict"
    assert second["conflicts"] == [{"field": "cf_tier", "winner": "Silver", "loser": "Gold"}]
    assert _record(org, "rob", "account", account)["cf_tier"] == "Silver"


def test_choices_are_added_and_retired_without_touching_records(admin: Any, org: Org) -> None:
    admin(
        "add-field",
        "--entity",
        "opportunity",
        "--name",
        "Channel",
        "--type",
        "picklist",
        "--choices",
        "Direct,Partner",
    )
    code, out, _ = admin("retire-choice", "--entity", "opportunity", "--name", "Channel", "Partner")
    assert code == 0
    assert "Partner (retired)" in out
    code, out, _ = admin("add-choice", "--entity", "opportunity", "--name", "Channel", "Online")
    assert "choices Direct, Partner (retired), Online" in out
    code, _, err = admin(
        "add-field", "--entity", "opportunity", "--name", "channel", "--type", "text"
    )
    assert code == 2
    assert "already has a field 'Channel'" in err
    with pytest.raises(SystemExit) as stopped:
        admin("add-field", "--entity", "quota", "--name", "X", "--type", "text")
    assert stopped.value.code == 2


def test_the_demo_organisation_has_custom_fields_with_values(client: Any) -> None:
    """`sfa-server demo-seed` defines six fields and fills most of them: the demo shows them."""
    today, now = date(2026, 12, 4), datetime(2026, 12, 4, 9, tzinfo=UTC)
    with client.app.state.sessions() as session:
        seed_demo(session, DemoSize.scaled(300), password=PASSWORD, today=today, now=now)
        org = session.scalar(select(OrgRow).where(OrgRow.name == DEMO_ORG))
        labels = [d.label for d in field_admin.all_fields(session, org, None)]
        accounts = [
            row.data
            for row in session.scalars(select(RecordRow).where(RecordRow.entity == "account"))
        ]
    assert sorted(labels) == sorted(
        ["Territory", "Customer since", "Credit limit", "Newsletter", "Languages", "Lead source"]
    )
    territories = {a.get("cf_territory") for a in accounts}
    assert territories == {"North", "South", "East", "West", "Central"}
    with_limit = sum(1 for a in accounts if a.get("cf_credit_limit"))
    assert 0 < with_limit < len(accounts)  # an admin-set field, not on every account


def test_a_push_reads_the_definitions_from_their_index(org: Org) -> None:
    """Every push of a customisable record reads the organisation's definitions: the query
    must use the index of the org-wide kinds, not walk the organisation's whole log (it
    did: ~100 ms of each push at 214k records)."""
    statements: list[tuple[str, Any]] = []
    with org.session() as session:
        bind = session.get_bind()
        if bind.dialect.name != "sqlite":
            pytest.skip("the plan is checked on SQLite, whose planner missed the index")
        org_id = session.scalar(select(OrgRow.id).where(OrgRow.name == "acme"))
        assert org_id is not None

        def keep(_conn: Any, _cursor: Any, statement: str, params: Any, *_rest: Any) -> None:
            statements.append((statement, params))

        event.listen(bind, "before_cursor_execute", keep)
        try:
            custom_fields.definitions(session, org_id, EntityKind.ACCOUNT)
        finally:
            event.remove(bind, "before_cursor_execute", keep)
        assert statements
        for statement, params in statements:
            plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
            assert "ix_records_org_wide" in " ".join(row[-1] for row in plan)
