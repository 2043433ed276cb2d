"""vCard import (2.1 from Outlook and phones, 3.0 from Apple/iCloud, 4.0) and export."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from interchange_kit import run_import, snapshot, write

from sfa_desktop.core.entities import Account, Contact
from sfa_desktop.core.enums import EntityKind
from sfa_desktop.interchange import (
    Limits,
    RowStatus,
    ValueFormat,
    VCardSource,
    auto_map,
    open_source,
    preview,
)
from sfa_desktop.interchange.errors import BadVCardFile
from sfa_desktop.interchange.vcard_export import VCardContact, VCardVersion, card_text
from sfa_desktop.interchange.vcard_source import VCARD_COLUMNS
from sfa_desktop.store import Store

OUTLOOK_21 = (
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N;LANGUAGE=de;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:M=FCller;J=FCrgen\r\n"
    "FN;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:J=FCrgen M=FCller\r\n"
    "ORG:Nordwind GmbH;Vertrieb\r\n"
    "TITLE:Einkaufsleiter\r\n"
    "TEL;WORK;VOICE:+49 30 123456\r\n"
    "TEL;CELL;VOICE:0171 1234567\r\n"
    "TEL;WORK;FAX:+49 30 123457\r\n"
    "ADR;WORK;ENCODING=QUOTED-PRINTABLE;CHARSET=Windows-1252:;;Hauptstra=DFe 5=0D=0A=\r\n"
    "Hof 2;Berlin;;10115;Deutschland\r\n"
    "EMAIL;PREF;INTERNET:jm@nordwind.example\r\n"
    "X-MS-OL-DEFAULT-POSTAL-ADDRESS:2\r\n"
    "PHOTO;TYPE=JPEG;ENCODING=BASE64:\r\n"
    " /9j/4AAQSkZJRgABAQEAYABgAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0a\r\n"
    " HBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIy\r\n"
    "\r\n"
    "REV:20260101T120000Z\r\n"
    "END:VCARD\r\n"
)
APPLE_30 = (
    "BEGIN:VCARD\n"
    "VERSION:3.0\n"
    "PRODID:-//Apple Inc.//iPhone OS 17.0//EN\n"
    "N:Lovelace;Ada;;;\n"
    "FN:Ada Lovelace\n"
    "ORG:Analytical Engines Ltd;\n"
    "item1.EMAIL;type=INTERNET;type=pref:ada@engines.example\n"
    "item1.X-ABLabel:_$!<Other>!$_\n"
    "TEL;type=CELL;type=VOICE;type=pref:+44 7700 900123\n"
    "item2.ADR;type=WORK;type=pref:;;1 Byron St;London;;W1 1AA;United Kingdom\n"
    "item3.URL;type=pref:https://engines.example\n"
    "NOTE:Met at the Royal Society.\\nLikes numbers\\, poems.\n"
    "X-SOCIALPROFILE;type=twitter:x.com/ada\n"
    "END:VCARD\n"
    "BEGIN:VCARD\n"
    "VERSION:3.0\n"
    "N:Babbage;Charles;;;\n"
    "FN:Charles Babbage\n"
    "ORG:Analytical Engines Ltd\n"
    "TITLE:Chief Engineer with a title that is long enough to be folded over two line\n"
    " s of the file\n"
    "EMAIL;type=INTERNET;type=WORK:charles@engines.example\n"
    "END:VCARD\n"
)
V4 = (
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "KIND:individual\r\n"
    "FN:Grace Hopper\r\n"
    "N:Hopper;Grace;Brewster;Rear Admiral;\r\n"
    'TEL;VALUE=uri;TYPE="work,voice";PREF=1:tel:+1-703-555-0100\r\n'
    "TEL;VALUE=uri;TYPE=cell:tel:+1-703-555-0199\r\n"
    "EMAIL;TYPE=work:grace@navylabs.example\r\n"
    "GENDER:F\r\n"
    "END:VCARD\r\n"
)


def _rows(path: Path) -> list[dict[str, str]]:
    source = open_source(path)
    assert isinstance(source, VCardSource)
    return [dict(zip(VCARD_COLUMNS, row.values, strict=True)) for row in source.rows()]


def test_outlook_21_with_quoted_printable_and_a_photo(tmp_path: Path) -> None:
    path = write(tmp_path, "jm.vcf", OUTLOOK_21, "cp1252")
    source = open_source(path)
    (row,) = list(source.rows())
    values = dict(zip(VCARD_COLUMNS, row.values, strict=True))
    assert (values["First name"], values["Last name"]) == ("Jürgen", "Müller")
    assert values["Organization"] == "Nordwind GmbH"
    assert values["Work phone"] == "+49 30 123456"
    assert values["Mobile phone"] == "0171 1234567"
    assert values["Street"] == "Hauptstraße 5\nHof 2"  # a street of two lines
    assert values["Postal code"] == "10115"
    assert values["Email"] == "jm@nordwind.example"
    assert [i.message for i in row.issues] == [
        "the card's photo was left out",
        "department 'Vertrieb' left out (contacts have none)",
    ]


def test_apple_30_many_cards_folded_lines_and_item_groups(tmp_path: Path) -> None:
    ada, charles = _rows(write(tmp_path, "apple.vcf", APPLE_30))
    assert ada["Email"] == "ada@engines.example"
    assert ada["Mobile phone"] == "+44 7700 900123"
    assert ada["City"] == "London"
    assert ada["Website"] == "https://engines.example"
    assert ada["Note"] == "Met at the Royal Society.\nLikes numbers, poems."
    assert charles["Title"].endswith("over two lines of the file")


def test_vcard_40(tmp_path: Path) -> None:
    (grace,) = _rows(write(tmp_path, "v4.vcf", V4))
    assert grace["Work phone"] == "+1-703-555-0100"
    assert grace["Mobile phone"] == "+1-703-555-0199"
    assert (grace["First name"], grace["Middle name"]) == ("Grace", "Brewster")


def test_vcards_import_through_the_same_pipeline(signed_in: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "all.vcf", OUTLOOK_21 + APPLE_30 + V4)
    _analysis, result = run_import(signed_in, path, EntityKind.CONTACT, region="DE")
    assert (result.created, result.failed, result.accounts_created) == (4, 0, 2)
    contacts = {c.last_name: c for c in signed_in.records(Contact)}
    assert contacts["Müller"].phone == "+4930123456"
    assert contacts["Müller"].mobile == "+491711234567"
    assert contacts["Hopper"].first_name == "Grace Brewster"
    engines = signed_in.get(Account, contacts["Lovelace"].account_id or "")
    assert (engines.city, engines.domain) == ("London", "engines.example")
    assert contacts["Babbage"].account_id == engines.id


def test_a_broken_card_is_an_error_row_and_the_others_import(
    signed_in: Store, tmp_path: Path
) -> None:
    broken = (
        "BEGIN:VCARD\nVERSION:3.0\nN:Broken;Bob\nthis line has no colon\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nN:Unclosed;Una\nFN:Una Unclosed\n"  # no END
        "BEGIN:VCARD\nVERSION:3.0\nN:Fine;Fay\nFN:Fay Fine\nX-UNKNOWN;FOO=bar:baz\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nN:Last;Lou\nFN:Lou Last\n"  # the file ends
    )
    path = write(tmp_path, "broken.vcf", broken)
    source = open_source(path)
    mapping = auto_map(source.headers, EntityKind.CONTACT, source.preset_hint)
    reports = preview(source, mapping, ValueFormat())
    assert [r.status for r in reports] == [
        RowStatus.ERROR,
        RowStatus.ERROR,
        RowStatus.OK,
        RowStatus.ERROR,
    ]
    assert "line 1 cannot be read" in reports[0].issues[0].message.lower().replace(
        "starting on ", ""
    )
    assert "no END:VCARD before line 10" in reports[1].issues[0].message
    assert "the file ends first" in reports[3].issues[0].message
    _analysis, result = run_import(signed_in, path, EntityKind.CONTACT)
    assert (result.created, result.failed) == (1, 3)


def test_a_vcard_bomb_photo_is_dropped_without_being_held(tmp_path: Path) -> None:
    photo = base64.b64encode(b"\xff" * 3_000_000).decode()  # 4 MB in one unfolded line
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nN:Big;Bea\n"
        f"PHOTO;ENCODING=b;TYPE=JPEG:{photo}\n"
        "EMAIL:bea@big.example\nEND:VCARD\n"
    )
    limits = Limits(max_line_chars=64 * 1024)
    source = VCardSource.open(write(tmp_path, "bomb.vcf", text), limits)
    (row,) = list(source.rows())
    values = dict(zip(VCARD_COLUMNS, row.values, strict=True))
    assert values["Last name"] == "Big"
    assert values["Email"] == "bea@big.example"
    assert "photo was left out" in row.issues[0].message


def test_a_card_over_the_size_limit_is_an_error_row(tmp_path: Path) -> None:
    notes = "".join(f"NOTE:{'x' * 70}\n" for _ in range(200))
    text = f"BEGIN:VCARD\nVERSION:3.0\nN:Long;Lea\n{notes}END:VCARD\n"
    source = VCardSource.open(write(tmp_path, "long.vcf", text), Limits(max_card_chars=4096))
    (row,) = list(source.rows())
    assert "larger than 4 KB" in row.issues[0].message


def test_a_file_without_cards_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadVCardFile, match="no vCard"):
        list(VCardSource.open(write(tmp_path, "none.vcf", "hello\nworld\n")).rows())


@pytest.mark.parametrize("version", list(VCardVersion))
def test_export_writes_valid_cards_that_read_back(version: VCardVersion, tmp_path: Path) -> None:
    contact = VCardContact(
        uid="c-1",
        first_name="Jürgen",
        last_name="Müller",
        title="Einkauf; Logistik, Süd",
        email="jm@nordwind.example",
        phone="+4930123456",
        mobile="+491711234567",
        notes="Line one\nLine two " + "long " * 30,
        organization="Nordwind GmbH",
        website="nordwind.example",
        street="Hauptstraße 5",
        city="Berlin",
        postal_code="10115",
        country="Germany",
    )
    text = card_text(contact, version)
    assert text.startswith("BEGIN:VCARD\r\nVERSION:" + version.value + "\r\n")
    assert all(len(line.encode()) <= 76 for line in text.split("\r\n"))  # folded
    if version is VCardVersion.V4:
        assert "tel:+4930123456" in text
    (values,) = _rows(write(tmp_path, "one.vcf", text))
    assert values["Title"] == "Einkauf; Logistik, Süd"
    assert values["Work phone"].removeprefix("tel:") == "+4930123456"
    assert values["Mobile phone"].removeprefix("tel:") == "+491711234567"
    assert values["Street"] == "Hauptstraße 5"
    assert values["Website"] == "https://nordwind.example"
    assert values["Note"].startswith("Line one\nLine two long")


def test_nothing_is_written_for_a_file_that_is_not_a_vcard(
    signed_in: Store, tmp_path: Path
) -> None:
    before = snapshot(signed_in)
    with pytest.raises(BadVCardFile):
        run_import(signed_in, write(tmp_path, "x.vcf", "no cards here"), EntityKind.CONTACT)
    assert snapshot(signed_in) == before
