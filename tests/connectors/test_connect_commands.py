"""`sfa-desktop connect-calendar`, `connect-contacts` and `sync` as real processes against
a real Radicale; the password never on the command line, every refusal one line."""

from __future__ import annotations

import subprocess
from pathlib import Path

from icalendar import Calendar
from process_kit import private_env, sfa_desktop_command
from radicale_kit import PASSWORD, USER, Radicale, make_calendar

PASSPHRASE = "correct horse battery staple"


def _run(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*sfa_desktop_command(), *args, "--db", str(home / "store.db")],
        env=private_env(home, SFA_STORE_PASSPHRASE=PASSPHRASE, **env),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_connect_then_sync_brings_the_phone_event_in(tmp_path: Path, radicale: Radicale) -> None:
    phone = make_calendar(radicale, "Work")
    phone.save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VEVENT\r\n"
        "UID:p1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260601T070000Z\r\n"
        "DTEND:20260601T080000Z\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    home = tmp_path / "home"
    home.mkdir()
    wrong = _run(
        home, "connect-calendar", "--url", radicale.url, "--user", USER, SFA_CALDAV_PASSWORD="nope"
    )
    assert wrong.returncode == 1
    assert wrong.stderr.strip().count("\n") == 0
    assert "refused the user name or password" in wrong.stderr
    plain = _run(
        home,
        "connect-calendar",
        "--url",
        "http://calendar.example.com/",
        "--user",
        USER,
        SFA_CALDAV_PASSWORD=PASSWORD,
    )
    assert plain.returncode == 2
    assert "must use https://" in plain.stderr
    assert plain.stderr.strip().count("\n") == 0
    done = _run(
        home,
        "connect-calendar",
        "--url",
        radicale.url,
        "--user",
        USER,
        SFA_CALDAV_PASSWORD=PASSWORD,
    )
    assert done.returncode == 0, done.stderr
    assert "Connected Work" in done.stdout
    assert "encrypted local database" in done.stdout  # no keyring here: never a plain file
    assert PASSWORD.encode() not in (home / "store.db").read_bytes()
    synced = _run(home, "sync")
    assert "Calendar Work: 0 sent, 1 received." in synced.stdout, synced.stdout + synced.stderr
    assert "Traceback" not in synced.stderr
    again = _run(home, "sync")
    assert "Calendar Work: 0 sent, 0 received." in again.stdout
    [item] = phone.events()
    assert [str(e["summary"]) for e in Calendar.from_ical(item.data).walk("VEVENT")] == ["Dentist"]
