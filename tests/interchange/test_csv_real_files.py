"""CSV files as Google Contacts, Outlook (contacts from Exchange) and a Salesforce report
export write them: several values in one cell, X.500 addresses, a report's footer, and a
company's address on later rows. Expected values are read off the files by hand."""

from __future__ import annotations

from pathlib import Path

from interchange_kit import run_import

from sfa_desktop.core.entities import Account, Contact
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.interchange import RowStatus
from sfa_desktop.store import Store

FILES = Path(__file__).parents[1] / "files" / "csv"


def _contacts(store: Store) -> dict[str, Contact]:
    return {c.last_name: c for c in store.get_many(Contact, store.ids(Contact))}


def _warnings(analysis: object, row: int) -> list[str]:
    reports = {r.row: r for r in analysis.reports}  # type: ignore[attr-defined]
    return [issue.message for issue in reports[row].warnings]


def test_google_values_joined_by_three_colons(signed_in: Store) -> None:
    analysis, result = run_import(signed_in, FILES / "google_contacts.csv", EntityKind.CONTACT)
    assert analysis.mapping.preset == "google"
    assert analysis.counts.get(RowStatus.ERROR, 0) == 0
    assert result.created == 2
    people = _contacts(signed_in)
    jan, petra = people["Berger"], people["Sand"]
    assert jan.email == "jan.berger@contoso.example"
    assert (jan.mobile, jan.phone) == ("+12175550199", "+12175550198")
    assert _warnings(analysis, 2) == [  # row 1 is the header
        "more email values left out: jan@berger-family.example",
        "'+12175550198' put in phone (one number per field)",
    ]
    assert (petra.phone, petra.mobile) == ("+49301234560", "+491717654321")
    assert _warnings(analysis, 3) == ["more phone values left out: +49301234561"]


def test_outlook_exchange_addresses_are_left_out_not_the_contact(signed_in: Store) -> None:
    analysis, result = run_import(signed_in, FILES / "outlook_exchange.csv", EntityKind.CONTACT)
    assert analysis.mapping.preset == "outlook"
    assert analysis.counts.get(RowStatus.ERROR, 0) == 0
    assert result.created == 3
    people = _contacts(signed_in)
    assert people["Berger"].email is None
    assert people["Lovelace"].email == "ada.lovelace@contoso.example"
    exchange = "an Exchange (X.500) address is not an email address; left out"
    assert _warnings(analysis, 2) == [exchange]  # row 1 is the header
    assert _warnings(analysis, 3) == [exchange]
    # Grace's Contoso office is elsewhere: the account keeps row 2's address, and says so
    assert _warnings(analysis, 4) == [
        "address '7 Harbour Road, Chicago, 60601, United States of America' left out: "
        "the account Contoso keeps the one of row 2"
    ]
    (contoso,) = signed_in.get_many(Account, signed_in.ids(Account))
    assert (contoso.street, contoso.city) == ("100 Main St", "Springfield")


def test_salesforce_report_footer_is_not_read_as_rows(signed_in: Store) -> None:
    analysis, result = run_import(signed_in, FILES / "salesforce_report.csv", EntityKind.CONTACT)
    assert analysis.mapping.preset == "salesforce-contacts"
    assert analysis.total == 3
    assert analysis.counts.get(RowStatus.ERROR, 0) == 0
    assert "with errors" not in analysis.summary()
    assert (result.created, result.failed) == (3, 0)


def test_rows_of_one_value_at_the_end_are_still_read_without_a_footer_mark(
    signed_in: Store, tmp_path: Path
) -> None:
    text = (FILES / "salesforce_report.csv").read_text().split("\n\n")[0]
    path = tmp_path / "short_rows.csv"
    path.write_text(text + '\n"Lovelace"\n"Hopper"\n')  # a last name only, no footer line
    analysis, _result = run_import(signed_in, path, EntityKind.CONTACT)
    assert analysis.total == 5
