"""The import steps over a store: preview, row reports, duplicates in the file and in the
store, decisions (skip, create, merge), one transaction for the whole commit."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from interchange_kit import run_import, snapshot, write

from sfa_desktop.core.entities import Account, Contact, Lead
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.core.rules.matching import Reason
from sfa_desktop.interchange import (
    Resolution,
    RowStatus,
    ValueFormat,
    VCardVersion,
    analyse,
    auto_map,
    commit,
    load_existing,
    open_source,
    preview,
)
from sfa_desktop.interchange import analysis as analysis_module
from sfa_desktop.interchange.errors import FileChanged, InterchangeError, UndecidedDuplicates
from sfa_desktop.operations.interchange import (
    analyse_import,
    commit_import,
    export_contacts_vcard,
    export_records,
)
from sfa_desktop.store import Store
from sfa_desktop.store import batch as batch_module

HEADER = "First Name,Last Name,Email,Phone,Company,Website,Title\n"


def _contacts(tmp_path: Path, *rows: str, name: str = "c.csv") -> Path:
    return write(tmp_path, name, HEADER + "".join(r + "\n" for r in rows))


def _existing_contact(store: Store) -> tuple[Account, Contact]:
    account = store.create(Account, {"name": "Acme GmbH", "domain": "acme.example"}).value
    contact = store.create(
        Contact,
        {
            "first_name": "Jane",
            "last_name": "Doe",
            "email": "jane@acme.example",
            "account_id": account.id,
        },
    ).value
    return account, contact


def test_the_preview_reports_every_problem_per_field(signed_in: Store, tmp_path: Path) -> None:
    path = _contacts(
        tmp_path,
        "Ann,Lee,ann@lee.example,(555) 555-0100,Lee Ltd,lee.example,CEO",
        "Bob,,not-an-email,12,,,",
        ",,,,,,",
        "Cy,Chan,cy@chan.example,,Chan & Co,,x" + "y" * 300,
    )
    source = open_source(path)
    mapping = auto_map(source.headers, EntityKind.CONTACT)
    existing = load_existing(signed_in, mapping.kind, "US")
    reports = preview(source, mapping, ValueFormat(region="US"), existing, limit=10)
    assert [(r.row, r.status) for r in reports] == [
        (2, RowStatus.OK),
        (3, RowStatus.ERROR),
        (5, RowStatus.ERROR),
    ]
    bob = reports[1].messages()
    assert "not an email address" in bob["email"][0]
    assert "kept as written" in bob["phone"][0]
    assert reports[1].fields["last_name"] == "Bob"  # one name is a last name (warning)
    assert reports[2].messages()["title"] == ["is too long"]
    assert reports[0].fields["phone"] == "+15555550100"
    assert reports[0].account is not None
    assert reports[0].account.account_id is None


def test_contacts_link_to_accounts_by_domain_name_or_email_domain(
    signed_in: Store, tmp_path: Path
) -> None:
    account, _contact = _existing_contact(signed_in)
    path = _contacts(
        tmp_path,
        "A,One,a@one.example,,Totally Other Name,https://www.acme.example/x,",
        "B,Two,b@two.example,,ACME,,",
        "C,Three,c@acme.example,,,,",
        "D,Four,d@gmail.com,,,,",
    )
    _analysis, result = run_import(signed_in, path, EntityKind.CONTACT)
    assert result.created == 4
    assert result.accounts_created == 0
    contacts = {c.last_name: c for c in signed_in.records(Contact)}
    assert contacts["One"].account_id == account.id  # web domain
    assert contacts["Two"].account_id == account.id  # name without legal form and case
    assert contacts["Three"].account_id == account.id  # the email's company domain
    assert contacts["Four"].account_id is None  # a free mail address says nothing


def test_duplicates_in_the_store_and_in_the_file(signed_in: Store, tmp_path: Path) -> None:
    _account, jane = _existing_contact(signed_in)
    path = _contacts(
        tmp_path,
        "Jane,Doe,JANE@acme.example,,Acme GmbH,,",  # same email: strong, skipped
        "Janet,Doe,,,Acme GmbH,,",  # similar name at the same account: ask
        "Paul,Poe,paul@poe.example,,,,",
        "Paul,Poe,paul@poe.example,,,,",  # the row before: strong
    )
    source = open_source(path)
    mapping = auto_map(source.headers, EntityKind.CONTACT)
    analysis = analyse_import(signed_in, source, mapping, ValueFormat())
    dupes = {r.row: r.duplicate for r in analysis.duplicates()}
    assert set(dupes) == {2, 3, 5}
    assert dupes[2] is not None
    assert dupes[2].strong
    assert dupes[2].best.record_id == jane.id
    assert Reason.EMAIL in dupes[2].best.reasons
    assert dupes[3] is not None
    assert not dupes[3].strong
    assert dupes[3].best.reasons == (Reason.SIMILAR_NAME,)
    assert dupes[5] is not None
    assert dupes[5].best.row == 4
    assert [r.row for r in analysis.needs_decision()] == [3]
    assert "1 to decide" in analysis.summary()
    with pytest.raises(UndecidedDuplicates, match="rows 3"):
        commit(signed_in, analysis, analysis.default_decisions())
    assert snapshot(signed_in)[1] == 1
    result = commit_import(signed_in, analysis, {3: Resolution.create()}).value
    assert (result.created, result.skipped, result.updated) == (2, 2, 0)
    assert sorted(c.first_name for c in signed_in.records(Contact)) == ["Jane", "Janet", "Paul"]


def test_merge_fills_empty_fields_and_overwrites_chosen_ones(
    signed_in: Store, tmp_path: Path
) -> None:
    _account, jane = _existing_contact(signed_in)
    signed_in.update(Contact, jane.id, {"title": "Buyer"})
    outbox = signed_in.outbox_count()
    path = _contacts(tmp_path, "Jane,Doe,jane@acme.example,+49 30 123456,Acme GmbH,,CEO")
    _analysis, result = run_import(
        signed_in, path, EntityKind.CONTACT, decisions={2: Resolution.merge()}
    )
    assert (result.created, result.updated) == (0, 1)
    merged = signed_in.get(Contact, jane.id)
    assert merged.phone == "+4930123456"  # was empty: filled
    assert merged.title == "Buyer"  # was set: kept
    assert signed_in.outbox_count() == outbox + 1  # one update, it syncs
    run_import(signed_in, path, EntityKind.CONTACT, decisions={2: Resolution.merge({"title"})})
    assert signed_in.get(Contact, jane.id).title == "CEO"
    assert signed_in.count(Contact) == 1


def test_merge_into_an_earlier_row_of_the_file(signed_in: Store, tmp_path: Path) -> None:
    path = _contacts(
        tmp_path, "Paul,Poe,paul@poe.example,,,,", "Paul,Poe,paul@poe.example,555 555 0100,,,Boss"
    )
    _analysis, result = run_import(
        signed_in, path, EntityKind.CONTACT, decisions={3: Resolution.merge()}
    )
    assert (result.created, result.updated) == (1, 1)
    (paul,) = signed_in.records(Contact)
    assert (paul.phone, paul.title) == ("+15555550100", "Boss")


def test_the_commit_is_one_transaction(
    signed_in: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [hashlib.sha1(str(i).encode()).hexdigest()[:10] for i in range(50)]
    rows = [f"P,{n},{n}@firm{i % 7}.example,,Firm {i % 7},,CEO" for i, n in enumerate(names)]
    path = _contacts(tmp_path, *rows)
    before = snapshot(signed_in)
    source = open_source(path)
    analysis = analyse_import(
        signed_in, source, auto_map(source.headers, EntityKind.CONTACT), ValueFormat()
    )
    calls = 0
    original = batch_module.BatchWriter.flush

    def failing_flush(self: batch_module.BatchWriter) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("disk full")
        original(self)

    monkeypatch.setattr(batch_module.BatchWriter, "flush", failing_flush)
    with pytest.raises(RuntimeError, match="disk full"):
        commit(signed_in, analysis, chunk_size=10)
    assert calls == 3  # two chunks were written inside the transaction, then it failed
    assert snapshot(signed_in) == before
    monkeypatch.undo()
    result = commit(signed_in, analysis, chunk_size=10)
    assert (result.created, result.accounts_created) == (50, 7)
    assert snapshot(signed_in)[:2] == (before[0] + 7, before[1] + 50)
    assert snapshot(signed_in)[3] == before[3] + 57


def test_a_file_changed_after_the_analysis_writes_nothing(
    signed_in: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analysis_module, "KEEP_ROWS", 1)  # large file: read again at commit
    path = _contacts(tmp_path, "A,One,a@one.example,,,,", "B,Two,b@two.example,,,,")
    source = open_source(path)
    mapping = auto_map(source.headers, EntityKind.CONTACT)
    analysis = analyse(source, mapping, ValueFormat(), load_existing(signed_in, mapping.kind))
    assert analysis.converted is None
    path.write_text(HEADER + "A,One,a@one.example,,,,\nC,Three,c@x.example,,,,\n")
    before = snapshot(signed_in)
    with pytest.raises(FileChanged, match="changed after it was checked"):
        commit(signed_in, analysis)
    assert snapshot(signed_in) == before


def test_a_mapping_without_a_name_cannot_be_analysed(signed_in: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "Email,Phone\na@b.example,1\n")
    source = open_source(path)
    mapping = auto_map(source.headers, EntityKind.CONTACT)
    with pytest.raises(InterchangeError, match="last name"):
        analyse(source, mapping, ValueFormat(), None)


def test_accounts_import_with_money_in_the_files_locale(signed_in: Store, tmp_path: Path) -> None:
    text = (
        "Account name;Website;Potential revenue;Grade;Partner;Country\n"
        "Nordwind GmbH;nordwind.example;1.250.000,50 €;a;ja;Deutschland\n"
        "Südwind AG;;abc;Z;vielleicht;\n"
    )
    path = write(tmp_path, "a.csv", text, "cp1252")
    source = open_source(path)
    fmt = ValueFormat.for_delimiter(";", "DE")
    mapping = auto_map(source.headers, EntityKind.ACCOUNT)
    reports = preview(source, mapping, fmt)
    assert reports[0].status is RowStatus.OK, reports[0].issues
    assert reports[0].fields["potential_revenue"] == 125000050
    assert reports[0].fields["grade"] == "A"
    assert reports[0].fields["is_partner"] is True
    assert set(reports[1].messages()) == {"potential_revenue", "grade", "is_partner"}
    _analysis, result = run_import(signed_in, path, EntityKind.ACCOUNT, fmt=fmt, region="DE")
    assert (result.created, result.failed) == (1, 1)


def test_leads_duplicates_are_matched_within_a_company(signed_in: Store, tmp_path: Path) -> None:
    signed_in.create(Lead, {"first_name": "Jo", "last_name": "Roe", "company": "Roe Inc"})
    text = "First Name,Last Name,Company\nJo,Roe,Roe Inc.\nJo,Roe,Other Corp\n"
    source = open_source(write(tmp_path, "l.csv", text))
    mapping = auto_map(source.headers, EntityKind.LEAD)
    analysis = analyse_import(signed_in, source, mapping, ValueFormat())
    assert [r.row for r in analysis.duplicates()] == [2]


@pytest.mark.parametrize("kind_of_file", ["csv", "vcf3", "vcf4"])
def test_exported_contacts_import_again_as_they_were(
    kind_of_file: str, signed_in: Store, tmp_path: Path, other_store: Store
) -> None:
    account, jane = _existing_contact(signed_in)
    signed_in.update(
        Contact,
        jane.id,
        {"phone": "+4930123456", "title": "=HYPERLINK(1)", "do_not_call": True, "notes": "a\nb"},
    )
    signed_in.create(Contact, {"last_name": "Solo", "mobile": "+14155550100"})
    ids = signed_in.ids(Contact, sort="last_name")
    path = tmp_path / f"out.{kind_of_file[:3]}"
    if kind_of_file == "csv":
        export_records(signed_in, EntityKind.CONTACT, ids, path)
    else:
        version = VCardVersion.V3 if kind_of_file == "vcf3" else VCardVersion.V4
        export_contacts_vcard(signed_in, ids, path, version)
    _analysis, result = run_import(other_store, path, EntityKind.CONTACT, region="DE")
    assert (result.created, result.failed, result.accounts_created) == (2, 0, 1)
    copies = {c.last_name: c for c in other_store.records(Contact)}
    copy = copies["Doe"]
    expected = ("Jane", "jane@acme.example", "+4930123456", "=HYPERLINK(1)")
    assert (copy.first_name, copy.email, copy.phone, copy.title) == expected
    assert copy.notes.replace("\r\n", "\n") == "a\nb"
    assert copies["Solo"].mobile == "+14155550100"
    made = other_store.get(Account, copy.account_id or "")
    assert (made.name, made.domain) == (account.name, "acme.example")
    assert copy.do_not_call is (kind_of_file == "csv")  # vCard has no consent flags


def _fresh(tmp_path: Path, name: str) -> Store:
    from store_keys import open_store

    from sfa_desktop.core.entities import User

    store = open_store(tmp_path / f"{name}.db")
    store.sign_in_as(User(id="user-x", name="X", email="x@example.com"))
    return store


@pytest.fixture
def other_store(tmp_path: Path) -> Store:
    return _fresh(tmp_path, "other")
