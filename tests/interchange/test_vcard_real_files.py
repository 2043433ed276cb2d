"""vCard files as Outlook and Android (2.1) and vobject (3.0) write them: commas stay in
2.1 values, a two-part street is two lines, and what no field takes is said in the row."""

from __future__ import annotations

from pathlib import Path

from interchange_kit import run_import

from sfa_desktop.core.entities import Account, Contact
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.interchange import VCardSource, open_source
from sfa_desktop.interchange.vcard_export import VCardContact, card_text
from sfa_desktop.interchange.vcard_source import VCARD_COLUMNS
from sfa_desktop.store import Store

FILES = Path(__file__).parents[1] / "files" / "vcard"


def _card(name: str) -> tuple[dict[str, str], list[str]]:
    source = open_source(FILES / name)
    assert isinstance(source, VCardSource)
    (row,) = list(source.rows())
    return dict(zip(VCARD_COLUMNS, row.values, strict=True)), [i.message for i in row.issues]


def test_outlook_21_keeps_commas_in_title_org_note_and_street() -> None:
    values, warnings = _card("outlook_21.vcf")
    assert values["Title"] == "Account Manager, West"
    assert values["Organization"] == "Contoso, Ltd."
    assert values["Note"].splitlines() == [
        "Met at the Hannover fair, keen on route planning, wants a call in May",
        "Second line, with a comma",
    ]
    assert values["Street"] == "100 Main St, Suite 5"  # one part: 2.1 commas are text
    assert warnings == ["department 'Sales West' left out (contacts have none)"]


def test_android_21_quoted_printable_commas_and_what_is_left_out() -> None:
    values, warnings = _card("android_21.vcf")
    assert (values["First name"], values["Last name"]) == ("Jürgen", "Müller")
    assert values["Organization"] == "Nordwind, Süd"
    assert values["Title"] == "Leiter, Einkauf"
    assert values["Note"] == "Messe, Hannover, Stand 12"
    assert (values["Street"], values["City"]) == ("Hauptstr. 5", "Berlin")
    assert (values["Email"], values["Email 2"]) == (
        "j.mueller@nordwind.example",
        "juergen@mail.example",
    )
    assert warnings == [
        "department 'Einkauf' left out (contacts have none)",
        "more phone numbers left out: +49 30 1234561",
        "1 more address(es) left out: Gartenweg 2",
    ]


def test_vobject_30_street_of_two_parts_is_two_lines() -> None:
    values, warnings = _card("vobject_30_two_line_street.vcf")
    assert values["Street"] == "1 Byron Street\nFloor 3"
    assert values["Organization"] == "Analytical Engines, Ltd."
    assert values["Title"] == "Head of Research, Europe"
    assert values["Note"] == "Likes numbers, poems; and long walks"
    assert warnings == ["department 'Research' left out (contacts have none)"]


def test_imported_contacts_and_accounts_keep_the_whole_values(signed_in: Store) -> None:
    _analysis, result = run_import(signed_in, FILES / "outlook_21.vcf", EntityKind.CONTACT)
    assert result.created == 1
    (contact,) = signed_in.get_many(Contact, signed_in.ids(Contact))
    (account,) = signed_in.get_many(Account, signed_in.ids(Account))
    assert contact.title == "Account Manager, West"
    assert "wants a call in May" in contact.notes
    assert account.name == "Contoso, Ltd."
    assert account.street == "100 Main St, Suite 5"
    _analysis, _result = run_import(
        signed_in, FILES / "vobject_30_two_line_street.vcf", EntityKind.CONTACT
    )
    accounts = {a.name: a for a in signed_in.get_many(Account, signed_in.ids(Account))}
    assert accounts["Analytical Engines, Ltd."].street == "1 Byron Street\nFloor 3"


def test_later_card_of_the_same_company_says_its_address_and_emails_were_left_out(
    signed_in: Store,
) -> None:
    analysis, result = run_import(
        signed_in, FILES / "apple_30_same_company.vcf", EntityKind.CONTACT
    )
    assert (result.created, result.accounts_created) == (2, 1)
    warnings = {r.row: [i.message for i in r.warnings] for r in analysis.reports}
    assert warnings[1] == ["more email values left out: ada.home@mail.example"]
    assert warnings[2] == [
        "address '12 Dorset St, London, W1U 6QS, United Kingdom' left out: "
        "the account Analytical Engines Ltd keeps the one of row 1"
    ]
    (account,) = signed_in.get_many(Account, signed_in.ids(Account))
    assert account.street == "1 Byron St"


def test_a_street_of_two_lines_is_written_as_two_parts_and_read_back() -> None:
    import vobject

    contact = VCardContact(uid="c-1", last_name="Lovelace", street="1 Byron Street\nFloor 3")
    card = vobject.readOne(card_text(contact))  # vobject reads what we wrote
    assert card.adr.value.street == ["1 Byron Street", "Floor 3"]
