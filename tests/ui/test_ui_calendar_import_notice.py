"""The calendar page's import notice names what an .ics file had that the CRM keeps
nowhere, readable in full at 1280x800 and 1024x768 (no cut text)."""

from __future__ import annotations

from pathlib import Path

import pytest
from clipped_text import cuts_in
from pytestqt.qtbot import QtBot
from ui_helpers import screenshot, settle

from sfa_desktop.app.context import AppContext
from sfa_desktop.ui.calendar.calendar_page import CalendarPage

MEETING = Path(__file__).parents[1] / "files" / "ics" / "thunderbird_meeting.ics"


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_import_notice_lists_what_was_not_kept(
    plain_ctx: AppContext, qtbot: QtBot, tmp_path: Path, size: tuple[int, int]
) -> None:
    page = CalendarPage(plain_ctx)
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    page.activate()
    settle(qtbot, plain_ctx)
    page.import_from(MEETING)
    settle(qtbot, plain_ctx)
    text = page.notice.text()
    assert text.startswith("Imported 1 event. Not kept: ")
    assert "3 attendees who are not contacts" in text  # no contacts in this store
    assert "organizer of 1 event" in text
    screenshot(qtbot, plain_ctx, page, tmp_path / f"calendar_import_{size[0]}.png")
    assert [cut for cut in cuts_in(page, cells=False) if "notice" in cut.where.lower()] == []
