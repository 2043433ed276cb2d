"""Presets: each product's header is recognised and mapped; a three-row file of each
imports into the right records; unknown headers are mapped by similarity."""

from __future__ import annotations

from pathlib import Path

import pytest
from interchange_kit import PRESET_EXPECTED, PRESET_SAMPLES, run_import, snapshot, write

from sfa_desktop.core.entities import Account, Contact, Lead
from sfa_desktop.core.enums import EntityKind, LeadStatus
from sfa_desktop.interchange import PRESETS, auto_map, detect_preset, open_source
from sfa_desktop.interchange.mapping import ColumnMapping
from sfa_desktop.store import Store


@pytest.mark.parametrize("key", sorted(PRESET_SAMPLES))
def test_every_preset_is_detected_from_its_header_and_maps_it(key: str, tmp_path: Path) -> None:
    kind, name, text = PRESET_SAMPLES[key]
    source = open_source(write(tmp_path, name, text))
    assert detect_preset(source.headers, kind) is PRESETS[key]
    mapping = auto_map(source.headers, kind)
    assert mapping.preset == key
    assert mapping.problems() == []
    for header, target in mapping.as_dict().items():
        expected = PRESETS[key].lookup().get(header.casefold(), "unknown")
        if expected != "unknown":
            assert target == expected, header


def test_every_preset_header_maps_to_fields_of_its_kind() -> None:
    for preset in PRESETS.values():
        headers = list(preset.columns)
        mapping = auto_map(headers, preset.kind, preset)
        for header, key in preset.columns.items():
            assert mapping.targets[headers.index(header)] == key, (preset.key, header)


@pytest.mark.parametrize("key", sorted(PRESET_SAMPLES))
def test_a_three_row_file_of_every_preset_imports(
    key: str, signed_in: Store, tmp_path: Path
) -> None:
    kind, name, text = PRESET_SAMPLES[key]
    before = snapshot(signed_in)
    analysis, result = run_import(signed_in, write(tmp_path, name, text), kind)
    created, names = PRESET_EXPECTED[key]
    assert (result.created, result.failed, result.skipped) == (created, 0, 0), analysis.reports
    model = {EntityKind.ACCOUNT: Account, EntityKind.CONTACT: Contact, EntityKind.LEAD: Lead}
    records = signed_in.records(model[kind])
    field = "name" if kind is EntityKind.ACCOUNT else "last_name"
    assert sorted(getattr(r, field) for r in records) == names
    after = snapshot(signed_in)
    made = result.created + result.accounts_created
    assert after[3] - before[3] == made  # one outbox row per record: they sync
    assert all(r.owner_id == "user-rep" for r in records)


def test_salesforce_contacts_land_at_one_account_with_consent_flags(
    signed_in: Store, tmp_path: Path
) -> None:
    _kind, name, text = PRESET_SAMPLES["salesforce-contacts"]
    _analysis, result = run_import(signed_in, write(tmp_path, name, text), EntityKind.CONTACT)
    assert result.accounts_created == 2
    contacts = {c.last_name: c for c in signed_in.records(Contact)}
    assert contacts["Lovelace"].account_id == contacts["Babbage"].account_id
    assert contacts["Babbage"].do_not_email
    assert not contacts["Lovelace"].do_not_email
    assert contacts["Lovelace"].phone == "+442079460018"
    assert contacts["Hopper"].phone == "+17035550100"
    account = signed_in.get(Account, contacts["Lovelace"].account_id or "")
    assert (account.name, account.city, account.postal_code) == (
        "Analytical Engines Ltd",
        "London",
        "W1 1AA",
    )
    assert account.domain == "engines.co.uk"  # from the email addresses


def test_salesforce_lead_statuses_are_translated(signed_in: Store, tmp_path: Path) -> None:
    _kind, name, text = PRESET_SAMPLES["salesforce-leads"]
    run_import(signed_in, write(tmp_path, name, text), EntityKind.LEAD)
    leads = {lead.last_name: lead for lead in signed_in.records(Lead)}
    assert leads["Roe"].status is LeadStatus.NEW
    assert leads["Poe"].status is LeadStatus.WORKING
    assert leads["Wei"].status is LeadStatus.DISQUALIFIED
    assert leads["Wei"].disqualify_reason
    assert leads["Roe"].source == "Web"
    assert leads["Poe"].company == "Poe & Sons"


def test_google_phone_labels_choose_mobile_or_phone(signed_in: Store, tmp_path: Path) -> None:
    _kind, name, text = PRESET_SAMPLES["google"]
    run_import(signed_in, write(tmp_path, name, text), EntityKind.CONTACT, region="BR")
    contacts = {c.last_name: c for c in signed_in.records(Contact)}
    assert contacts["Lima"].mobile == "+5511912345678"
    assert contacts["Lima"].phone == "+551134567890"
    assert contacts["Chan"].phone == "+14155550100"
    assert contacts["Chan"].mobile is None
    assert contacts["Berg"].notes == "Friend from school"


def test_linkedin_notes_above_the_header_are_skipped(tmp_path: Path) -> None:
    _kind, name, text = PRESET_SAMPLES["linkedin"]
    source = open_source(write(tmp_path, name, text))
    assert source.headers[0] == "First Name"
    rows = list(source.rows())
    assert [r.row for r in rows] == [5, 6, 7]  # spreadsheet rows, the notes counted
    mapping = auto_map(source.headers, EntityKind.CONTACT)
    assert mapping.as_dict()["URL"] is None  # a profile, not the company's website


def test_outlook_courtesy_title_is_not_the_job_title(tmp_path: Path) -> None:
    _kind, name, text = PRESET_SAMPLES["outlook"]
    mapping = auto_map(open_source(write(tmp_path, name, text)).headers, EntityKind.CONTACT)
    assert mapping.as_dict()["Title"] is None
    assert mapping.as_dict()["Job Title"] == "title"


def test_unknown_headers_are_mapped_by_similar_names() -> None:
    headers = ["Vorname", "Nachname", "E-Mail-Adresse", "Telefon", "Handy", "Firma", "Notizen"]
    mapping = auto_map(headers, EntityKind.CONTACT)
    assert mapping.preset is None
    assert list(mapping.targets) == [
        "first_name",
        "last_name",
        "email",
        "phone",
        "mobile",
        "company",
        "notes",
    ]


def test_a_field_is_taken_by_one_column_unless_it_joins() -> None:
    mapping = auto_map(["Email", "E-mail", "Street", "Address line 1"], EntityKind.ACCOUNT)
    assert mapping.targets == (None, None, "street", "street")
    contact = auto_map(["Email", "E-mail", "Note"], EntityKind.CONTACT)
    assert contact.targets == ("email", None, "notes")


def test_the_mapping_is_edited_by_assign_and_ignore() -> None:
    mapping = auto_map(["Name", "Mail", "Remarks"], EntityKind.CONTACT)
    assert mapping.targets[0] == "full_name"
    edited = mapping.assign(1, "email").ignore(2)
    assert edited.targets == ("full_name", "email", None)
    assert mapping.targets != edited.targets  # immutable
    with pytest.raises(ValueError, match="not a contact field"):
        mapping.assign(1, "industry")
    assert edited.for_kind(EntityKind.ACCOUNT).targets == (None, None, None)
    assert ColumnMapping(EntityKind.ACCOUNT, ("a",), (None,)).problems() == [
        "Choose the column with the account name."
    ]


def test_columns_are_combined_or_a_full_name_split(tmp_path: Path) -> None:
    from sfa_desktop.interchange import ValueFormat, preview

    text = 'First,Last,Name,City\nJohn,Smith,,Berlin\n,,"Doe, Jane",Paris\n'
    source = open_source(write(tmp_path, "p.csv", text))
    accounts = auto_map(source.headers, EntityKind.ACCOUNT, detect=False)
    accounts = accounts.assign(0, "name").assign(1, "name").ignore(2).combine("name", " ")
    (john, _jane) = preview(source, accounts, ValueFormat())
    assert john.fields["name"] == "John Smith"
    first_only = accounts.combine("name", None)
    assert preview(source, first_only, ValueFormat())[0].fields["name"] == "John"
    contacts = auto_map(source.headers, EntityKind.CONTACT, detect=False)
    assert contacts.as_dict()["Name"] == "full_name"
    (_john, jane) = preview(source, contacts, ValueFormat())
    assert (jane.fields["first_name"], jane.fields["last_name"]) == ("Jane", "Doe")


def test_a_saved_mapping_is_restored_on_another_file() -> None:
    saved = {"Mail": "email", "Surname": "last_name", "Ignored": None, "Gone": "title"}
    mapping = ColumnMapping.restore(["Surname", "Mail", "Ignored", "Phone"], EntityKind.LEAD, saved)
    assert mapping.targets == ("last_name", "email", None, "phone")
