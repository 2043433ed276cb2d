"""`sfa-desktop connect-calendar`, `connect-contacts` and `sync` as real processes against
a real Radicale; the password never on the command line, every refusal one line."""

from __future__ import annotations

import fcntl
import os
import select
import subprocess
import termios
import time
from pathlib import Path

from icalendar import Calendar
from process_kit import private_env, sfa_desktop_command
from radicale_kit import PASSWORD, USER, Radicale, make_calendar
from stand_in_keyrings import FILE_ENV

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


BOOK_MKCOL = (
    '<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" '
    'xmlns:C="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype>'
    "<D:collection/><C:addressbook/></D:resourcetype><D:displayname>Phone</D:displayname>"
    "</D:prop></D:set></D:mkcol>"
)
PROMPT = b"Passphrase of the local database"


def _in_terminal(home: Path, *args: str) -> tuple[str, int, int]:
    """Run a command with a terminal of its own (a pty), typing the store's passphrase at
    each prompt: (what it printed, its exit code, how many times it asked)."""
    master, slave = os.openpty()

    def own_terminal() -> None:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    env = private_env(home)
    env.pop("SFA_STORE_PASSPHRASE", None)
    process = subprocess.Popen(
        [*sfa_desktop_command(), *args, "--db", str(home / "store.db")],
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        preexec_fn=own_terminal,
    )
    os.close(slave)
    output, asked = b"", 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # the command ended and closed its terminal
                break
            if not chunk:
                break
            output += chunk
            if output.count(PROMPT) > asked:
                asked = output.count(PROMPT)
                os.write(master, PASSPHRASE.encode() + b"\n")
        elif process.poll() is not None:
            break
    code = process.wait(timeout=30)
    os.close(master)
    return output.decode(errors="replace"), code, asked


def test_sync_asks_the_passphrase_once_and_phone_cards_are_imported_on_request(
    tmp_path: Path, radicale: Radicale
) -> None:
    phone = make_calendar(radicale, "Work")
    phone.save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//phone//EN\r\nBEGIN:VEVENT\r\n"
        "UID:p1\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260601T070000Z\r\n"
        "DTEND:20260601T080000Z\r\nSUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    book = f"{radicale.url}{USER}/phone/"
    client = radicale.phone()
    assert client.request(book, "MKCOL", BOOK_MKCOL, {"Content-Type": "application/xml"}).status
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:phone-made\r\nFN:Bo Chen\r\nN:Chen;Bo;;;\r\n"
        "EMAIL:bo@x.example\r\nEND:VCARD\r\n"
    )
    assert client.put(book + "bo.vcf", card, {"Content-Type": "text/vcard"}).status < 300
    home = tmp_path / "home"
    home.mkdir()
    env = {"SFA_CALDAV_PASSWORD": PASSWORD}
    assert (
        _run(home, "connect-calendar", "--url", radicale.url, "--user", USER, **env).returncode == 0
    )
    unknown = _run(
        home,
        "connect-contacts",
        "--url",
        radicale.url,
        "--user",
        USER,
        "--account",
        "Nowhere",
        **env,
    )
    assert unknown.returncode == 2
    assert (
        unknown.stderr.strip() == "Not connected: --account: there is no account named 'Nowhere'."
    )
    bad_grade = _run(
        home, "connect-contacts", "--url", radicale.url, "--user", USER, "--grade", "Z", **env
    )
    assert bad_grade.returncode == 2
    assert "'Z' is not a grade" in bad_grade.stderr
    assert bad_grade.stderr.strip().count("\n") == 0
    assert (
        _run(home, "connect-contacts", "--url", radicale.url, "--user", USER, **env).returncode == 0
    )
    printed, _code, asked = _in_terminal(home, "sync")
    assert asked == 1, printed  # one passphrase for the server, calendars and mailboxes
    assert "Calendar Work: 0 sent, 1 received." in printed
    listed = _run(home, "phone-contacts")
    assert "Phone: Bo Chen (bo@x.example)" in listed.stdout
    assert "Phone: 1 made on the phone, not in the CRM." in listed.stdout
    taken = _run(home, "phone-contacts", "--import")
    assert "Phone: Bo Chen: imported." in taken.stdout, taken.stdout + taken.stderr
    assert "Phone: 0 made on the phone" in _run(home, "phone-contacts").stdout
    again = _run(home, "sync")
    assert "Address book Phone: 0 sent, 0 received." in again.stdout, again.stdout + again.stderr


def test_reset_forgets_the_calendar_password_in_the_keyring(
    tmp_path: Path, radicale: Radicale
) -> None:
    make_calendar(radicale, "Work")
    home = tmp_path / "home"
    home.mkdir()
    keyring_file = tmp_path / "os-keyring.json"
    tests = str(Path(__file__).resolve().parents[1])
    keyring = {
        "PYTHON_KEYRING_BACKEND": "stand_in_keyrings.FileStandIn",
        FILE_ENV: str(keyring_file),
        "PYTHONPATH": os.pathsep.join(filter(None, [tests, os.environ.get("PYTHONPATH")])),
        "SFA_CALDAV_PASSWORD": PASSWORD,
    }
    done = _run(home, "connect-calendar", "--url", radicale.url, "--user", USER, **keyring)
    assert "The password is kept in the system keyring." in done.stdout, done.stdout + done.stderr
    assert PASSWORD in keyring_file.read_text()
    reset = _run(home, "reset", **keyring)
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert PASSWORD not in keyring_file.read_text()
    assert "dav:" not in keyring_file.read_text()
