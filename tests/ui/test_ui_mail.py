"""File ▸ Mailbox… against a real Dovecot: connecting opens the first-run review, which
writes nothing until "Log ticked emails" and never logs what was unticked; a captured
email in the timeline shows its way and thread, its dialog re-assigns it or drops it.
Screenshots of the dialogs are written next to the test's files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dovecot_kit import PASSWORD, USER, Dovecot, running
from mail_scenario import EXPECTED, Book, seed
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_helpers import make_context, screenshot, settle

from sfa_desktop.core.entities import Activity
from sfa_desktop.store import Store
from sfa_desktop.ui.common.activity_dialog import ActivityDialog, Focus
from sfa_desktop.ui.common.record_tables import ACTIVITIES
from sfa_desktop.ui.mail.mail_dialog import MailDialog


@pytest.fixture
def dovecot(tmp_path: Path) -> Iterator[Dovecot]:
    with running(tmp_path / "dovecot") as server:
        seed(server)
        yield server


def test_connect_review_and_log(
    qtbot: QtBot, signed_in: Store, dovecot: Dovecot, tmp_path: Path
) -> None:
    book = Book(signed_in)
    ctx = make_context(signed_in, tmp_path)
    dialog = MailDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    screenshot(qtbot, ctx, dialog, tmp_path / "mail-connect.png")
    dialog.host.setText("127.0.0.1")
    dialog.security.setCurrentIndex(dialog.security.findData("none"))
    dialog.port.setValue(dovecot.port)
    dialog.user.setText(USER)
    dialog.password.setText("wrong")
    dialog.never.setText("acme.test, lawfirm.test")
    dialog.connect_mailbox()
    qtbot.waitUntil(lambda: "refused" in dialog.error.text(), timeout=10_000)
    assert dialog.isVisible()
    dialog.password.setText(PASSWORD)
    dialog.connect_mailbox()
    qtbot.waitUntil(lambda: dialog.account is not None, timeout=10_000)
    review = dialog.review
    assert review is not None
    qtbot.addWidget(review)
    qtbot.waitUntil(lambda: review.check is not None, timeout=10_000)
    settle(qtbot, ctx)
    assert review.table.rowCount() == 3
    assert signed_in.count(Activity) == 0  # the review wrote nothing
    screenshot(qtbot, ctx, review, tmp_path / "mail-review.png")
    review.table.item(2, 0).setCheckState(Qt.CheckState.Unchecked)  # Delivery
    review.log_ticked()
    qtbot.waitUntil(lambda: signed_in.count(Activity) == 3, timeout=10_000)
    settle(qtbot, ctx)
    assert book.logged() == EXPECTED[:3]

    first = next(a for a in signed_in.records(Activity) if a.message_id.startswith("q3"))
    assert [column.text(first) for column in ACTIVITIES][1:3] == ["Email ↙ in", EXPECTED[0][0]]
    replies = [a for a in signed_in.records(Activity) if a.message_id == "reply-1@acme.test"]
    assert {ACTIVITIES[1].text(a) for a in replies} == {"Email ↗ out"}
    assert {ACTIVITIES[2].text(a) for a in replies} == {"↳ Re: Angebot für Müller – Q3"}

    edit = ActivityDialog(ctx, Focus(account_id=replies[0].account_id), None, replies[0])
    qtbot.addWidget(edit)
    edit.show()
    screenshot(qtbot, ctx, edit, tmp_path / "mail-activity.png")
    edit.dont_log()
    qtbot.waitUntil(lambda: signed_in.count(Activity) == 1, timeout=10_000)
    assert book.logged() == EXPECTED[:1]
