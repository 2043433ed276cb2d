"""File ▸ Calendars and address books… against a real Radicale: connecting (a refused
password said in one line under the form), the last sync of each connection, the
contacts made on the phone imported on request, removing one (its password forgotten).
Screenshots are written next to the test's files."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot
from radicale_kit import PASSWORD, USER, Radicale, make_calendar, radicale
from ui_helpers import make_context, screenshot, settle

from sfa_desktop.connectors.dav.secrets import load_password
from sfa_desktop.connectors.runner import sync_connections
from sfa_desktop.core.entities import Account, Contact
from sfa_desktop.store import Store
from sfa_desktop.sync.credentials import Credentials
from sfa_desktop.ui.connections.connections_dialog import ConnectionsDialog

__all__ = ["radicale"]

MKCOL = (
    '<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" '
    'xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype>'
    "<D:collection/><C:addressbook/></D:resourcetype><D:displayname>Phone</D:displayname>"
    "</D:prop></D:set></D:mkcol>"
)
CARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-made\r\nFN:Bo Chen\r\nN:Chen;Bo;;;\r\n"
    "ORG:Acme\r\nTITLE:Buyer\r\nEMAIL:bo@acme.example\r\nEND:VCARD\r\n"
)


def _cells(dialog: ConnectionsDialog) -> list[list[str]]:
    table = dialog.table
    return [
        [table.item(row, column).text() for column in range(table.columnCount())]
        for row in range(table.rowCount())
    ]


def test_connect_see_the_sync_import_from_the_phone_and_remove(
    qtbot: QtBot, signed_in: Store, radicale: Radicale, tmp_path: Path
) -> None:
    make_calendar(radicale, "Work")
    phone = radicale.phone()
    book = f"{radicale.url}{USER}/phone/"
    assert phone.request(book, "MKCOL", MKCOL, {"Content-Type": "application/xml"}).status == 201
    assert phone.put(book + "bo.vcf", CARD, {"Content-Type": "text/vcard"}).status < 300
    acme = signed_in.create(Account, {"name": "Acme", "grade": "A"}).value
    ctx = make_context(signed_in, tmp_path)
    dialog = ConnectionsDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    settle(qtbot, ctx)
    screenshot(qtbot, ctx, dialog, tmp_path / "connections-empty.png")
    dialog.url.setText(radicale.url)
    dialog.user.setText(USER)
    dialog.password.setText("wrong")
    dialog.connect_server()
    qtbot.waitUntil(lambda: "refused" in dialog.error.text(), timeout=20_000)
    assert dialog.error.text() == f"{radicale.url} refused the user name or password."
    assert signed_in.dav_accounts() == []
    dialog.password.setText(PASSWORD)
    dialog.connect_server()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=20_000)
    dialog.kind.setCurrentIndex(dialog.kind.findData("contacts"))
    dialog.password.setText(PASSWORD)
    dialog.connect_server()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=20_000)
    assert [row[:3] + row[4:] for row in _cells(dialog)] == [
        ["Calendar", "Work", "rep at 127.0.0.1", "Waiting for the first sync"],
        ["Address book", "Phone", "rep at 127.0.0.1", "Waiting for the first sync"],
    ]
    sync_connections(signed_in, Credentials(vault=signed_in))
    dialog.refresh()
    settle(qtbot, ctx)
    assert [row[4] for row in _cells(dialog)] == [
        "0 sent, 0 received",
        "0 sent, 0 received; 1 new on the phone",
    ]
    screenshot(qtbot, ctx, dialog, tmp_path / "connections.png")
    dialog.table.selectRow(1)
    assert dialog.import_button.isEnabled()
    dialog.open_phone_cards()
    cards = dialog.phone_cards
    assert cards is not None
    settle(qtbot, ctx)
    assert cards.table.rowCount() == 1
    screenshot(qtbot, ctx, cards, tmp_path / "connections-phone-cards.png")
    cards.import_ticked()
    qtbot.waitUntil(lambda: cards.imported is not None, timeout=10_000)
    settle(qtbot, ctx)
    [bo] = signed_in.records(Contact)
    assert (bo.first_name, bo.last_name, bo.title, bo.email, bo.account_id) == (
        "Bo",
        "Chen",
        "Buyer",
        "bo@acme.example",
        acme.id,
    )
    assert cards.outcome.text() == "Bo Chen: imported at Acme."
    assert cards.table.rowCount() == 0
    cards.close()
    dialog.table.selectRow(0)
    dialog.remove_selected()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10_000)
    assert load_password(Credentials(vault=signed_in), radicale.url, USER) is not None  # in use
    dialog.table.selectRow(0)
    dialog.remove_selected()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 0, timeout=10_000)
    assert signed_in.dav_accounts() == []
    assert load_password(Credentials(vault=signed_in), radicale.url, USER) is None
