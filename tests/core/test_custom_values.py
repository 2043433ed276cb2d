"""The shared custom-value rule, with hand-written expectations for every field type."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from sfa_desktop.core.entities import Account, FieldDefinition
from sfa_desktop.core.enums import Role
from sfa_desktop.core.errors import InvalidRecord
from sfa_desktop.core.rules.custom_values import (
    check_custom,
    check_record,
    check_value,
    convert,
    display_text,
    parse_text,
)


def field(field_type: str, **rules: Any) -> FieldDefinition:
    key = rules.pop("key", "cf_" + field_type.replace("-", "_"))
    label = rules.pop("label", field_type.title())
    data = {"owner_id": "org", "for_entity": "account", "key": key, "label": label}
    return FieldDefinition.parse({**data, "field_type": field_type, **rules})


PICK = field("picklist", choices=("Retail", "Wholesale", "Public"), retired_choices=("Public",))
MULTI = field("multi-picklist", choices=("A", "B", "C"))


@pytest.mark.parametrize(
    ("definition", "value", "stored"),
    [
        (field("text"), "  North  ", "North"),
        (field("long-text"), "line\nline", "line\nline"),
        (field("number"), 12.5, 12.5),
        (field("number", minimum=0, maximum=10), 10, 10),
        (field("currency"), 123450, 123450),
        (field("date"), "2026-12-04", "2026-12-04"),
        (field("checkbox"), False, False),
        (PICK, "retail", "Retail"),
        (MULTI, ["C", "A", "c"], ["A", "C"]),
        (field("url"), "https://example.com/x", "https://example.com/x"),
        (field("email"), "Ann@Example.COM", "ann@example.com"),
        (field("phone"), "+49 30 1234", "+49 30 1234"),
        (field("text"), "", None),
        (MULTI, [], None),
    ],
)
def test_valid_values_are_stored_normalised(
    definition: FieldDefinition, value: Any, stored: Any
) -> None:
    assert check_value(definition, value) == stored


@pytest.mark.parametrize(
    ("definition", "value", "message"),
    [
        (field("text"), "x" * 256, "Text is too long (at most 255 characters)"),
        (field("text"), 5, "Text must be text"),
        (field("number"), "12", "Number must be a number"),
        (field("number"), True, "Number must be a number"),
        (field("number", minimum=1), 0, "Number must be at least 1"),
        (field("number", maximum=2.5), 3, "Number must be at most 2.5"),
        (field("currency", maximum=100), 10001, "Currency must be at most 100"),
        (field("currency"), 1.5, "Currency must be an amount in cents (a whole number)"),
        (field("date"), "04.12.2026", "Date must be a date (YYYY-MM-DD)"),
        (field("checkbox"), "yes", "Checkbox must be yes or no"),
        (PICK, "Online", "Picklist must be one of: Retail, Wholesale"),
        (PICK, "Public", "Picklist must be one of: Retail, Wholesale"),
        (MULTI, "A", "Multi-Picklist must be a list of choices"),
        (
            field("url"),
            "example.com",
            "Url must be a web address starting with http:// or https://",
        ),
        (field("email"), "nobody", "Email must be an email address"),
        (field("phone"), "call me", "Phone must be a phone number (digits, spaces, + ( ) . / -)"),
    ],
)
def test_invalid_values_get_one_clear_message(
    definition: FieldDefinition, value: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        check_value(definition, value)
    assert str(raised.value) == message


def test_a_retired_choice_stays_valid_on_a_record_that_holds_it() -> None:
    assert check_value(PICK, "Public", keep="Public") == "Public"


def test_text_typed_or_imported_becomes_the_kinds_value() -> None:
    assert parse_text(field("number"), "1 234,5") == 1234.5
    assert parse_text(field("number"), "1,234.50") == 1234.5
    assert parse_text(field("number"), "7") == 7
    assert parse_text(field("currency"), "12.34") == 1234
    assert parse_text(field("checkbox"), "Ja") is True
    assert parse_text(MULTI, "A; C") == ["A", "C"]
    assert parse_text(field("text"), "   ") is None
    assert display_text(field("currency"), 1234) == "12.34"
    assert display_text(MULTI, ["A", "C"]) == "A; C"
    assert display_text(field("checkbox"), True) == "Yes"


def test_type_changes_go_through_the_text_a_person_reads() -> None:
    text, number = field("text", key="cf_x"), field("number", key="cf_x")
    assert convert("42", text, number) == 42
    assert convert(12.5, number, text) == "12.5"
    with pytest.raises(ValueError, match="must be a number"):
        convert("n/a", text, number)
    single = field("picklist", key="cf_p", choices=("A", "B"))
    many = field("multi-picklist", key="cf_p", choices=("A", "B"))
    assert convert("B", single, many) == ["B"]


REQUIRED = field("text", key="cf_region", label="Region", required=True)
LOCKED = field("text", key="cf_code", label="Code", read_only_for_rep=True, default="X")


def test_a_new_record_fills_required_fields_and_an_edit_may_not_clear_them() -> None:
    created = check_custom([REQUIRED], {}, before=None, role=Role.REP)
    assert created.errors == {"cf_region": "Region is required"}
    old = {"cf_region": "North"}
    assert check_custom([REQUIRED], {"cf_region": ""}, before=old, role=None).errors == {
        "cf_region": "Region is required"
    }
    # an old record without the value is edited freely until a form saves it
    assert check_custom([REQUIRED], {}, before={}, role=Role.REP).errors == {}
    asked = check_custom([REQUIRED], {}, before={}, role=Role.REP, ask_missing=True)
    assert asked.errors == {"cf_region": "Region is required"}


def test_a_record_made_before_the_field_became_required_is_an_old_record() -> None:
    since = datetime(2026, 12, 1, tzinfo=UTC)
    rule = REQUIRED.model_copy(update={"required_since": since})
    made_before = datetime(2026, 11, 30, tzinfo=UTC)
    assert check_custom([rule], {}, before=None, role=None, created_at=made_before).errors == {}
    made_after = datetime(2026, 12, 2, tzinfo=UTC)
    assert check_custom([rule], {}, before=None, role=None, created_at=made_after).errors


def test_reps_cannot_change_a_read_only_field_but_keep_its_default() -> None:
    assert check_custom([LOCKED], {"cf_code": "X"}, before=None, role=Role.REP).errors == {}
    refused = check_custom([LOCKED], {"cf_code": "Y"}, before=None, role=Role.REP)
    assert refused.errors == {"cf_code": "Code is read-only for reps"}
    edit = check_custom([LOCKED], {"cf_code": "Z"}, before={"cf_code": "X"}, role=Role.REP)
    assert edit.errors == {"cf_code": "Code is read-only for reps"}
    by_manager = check_custom(
        [LOCKED], {"cf_code": "Z"}, before={"cf_code": "X"}, role=Role.MANAGER
    )
    assert by_manager.errors == {}


def test_retired_fields_keep_what_is_written_and_unknown_keys_are_refused() -> None:
    retired = REQUIRED.model_copy(update={"retired": True})
    assert (
        check_custom([retired], {"cf_region": ""}, before={"cf_region": "N"}, role=None).errors
        == {}
    )
    unknown = check_custom([], {"cf_nope": 1}, before={}, role=None)
    assert unknown.errors == {"cf_nope": "cf_nope is not a field of this record"}


def test_check_record_normalises_fills_defaults_and_raises_per_field() -> None:
    new = Account.parse({"name": "Acme", "cf_segment": "wholesale"})
    segment = field("picklist", key="cf_segment", label="Segment", choices=("Retail", "Wholesale"))
    checked = check_record([segment, LOCKED], None, new, Role.REP)
    assert checked.custom_values() == {"cf_segment": "Wholesale", "cf_code": "X"}
    with pytest.raises(InvalidRecord) as raised:
        check_record([segment], None, new.with_changes({"cf_segment": "Nope"}), Role.REP)
    assert raised.value.errors == {"cf_segment": "Segment must be one of: Retail, Wholesale"}


def test_a_custom_value_is_one_more_field_of_the_record() -> None:
    account = Account.parse({"name": "Acme", "cf_segment": "Retail"})
    assert account.data_fields()["cf_segment"] == "Retail"
    assert account.with_changes({"cf_segment": None}).custom_values() == {}
    with pytest.raises(InvalidRecord, match="bogus: is not a field"):
        Account.parse({"name": "Acme", "bogus": 1})
    with pytest.raises(InvalidRecord, match="must be text, a number, yes/no or a list"):
        Account.parse({"name": "Acme", "cf_x": {"nested": 1}})


def test_definitions_check_their_own_shape() -> None:
    with pytest.raises(InvalidRecord, match="needs at least one choice"):
        field("picklist")
    with pytest.raises(InvalidRecord, match="only picklists have choices"):
        field("text", choices=("A",))
    with pytest.raises(InvalidRecord, match="custom fields go on"):
        field("text", for_entity="quota")
