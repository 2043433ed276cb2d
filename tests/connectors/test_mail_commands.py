"""`sfa-desktop connect-mail`, `mail-review` and `sync` against a real Dovecot: the review
prints what would be logged and writes nothing, --accept logs it (but what --skip names),
`sync` logs new mail; every refusal is one line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dovecot_kit import PASSWORD, USER, Dovecot, mail, running
from mail_scenario import DAY3, EXPECTED, GINA, REP, Book, seed

from sfa_desktop import cli
from sfa_desktop.security import store_key
from sfa_desktop.store import Store


@pytest.fixture
def dovecot(tmp_path: Path) -> Iterator[Dovecot]:
    with running(tmp_path / "dovecot") as server:
        seed(server)
        yield server


def _open(path: Path) -> Store:
    return Store.open(path, key=store_key.load(path, ask=None).key)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = cli.main(list(argv))
    except SystemExit as stop:  # the parser's refusals
        code = int(stop.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_connect_review_accept_and_sync(
    tmp_path: Path,
    dovecot: Dovecot,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "store.db"
    store = _open(db)
    book = Book(store)
    store.close()
    imap = f"127.0.0.1:{dovecot.port}"
    never = ["--never", "acme.test", "--never", "lawfirm.test"]

    monkeypatch.setenv("SFA_IMAP_PASSWORD", "wrong")
    code, _, err = _run(
        capsys, "connect-mail", "--imap", imap, "--user", USER, "--plain", "--db", str(db)
    )
    assert code == 1
    assert err.count("\n") == 1
    assert "refused the user name or password" in err
    code, _, err = _run(
        capsys, "connect-mail", "--imap", "mail.example.com", "--user", USER, "--plain"
    )
    assert code == 2
    assert err.count("\n") == 1
    assert "needs TLS or STARTTLS" in err
    code, _, err = _run(capsys, "connect-mail", "--imap", "host:99999", "--user", USER)
    assert code == 2
    assert err.count("\n") == 1
    assert "not a port" in err

    monkeypatch.setenv("SFA_IMAP_PASSWORD", PASSWORD)
    argv = ["connect-mail", "--imap", imap, "--user", USER, "--plain", *never, "--db", str(db)]
    code, out, err = _run(capsys, *argv)
    assert code == 0, err
    assert "watching INBOX, Sent" in out
    assert "3 emails of the last 30 days would be logged:" in out
    assert "<delivery@customer.test>" in out
    assert "Nothing is logged yet" in out
    store = _open(db)
    assert book.logged(store) == []  # the review wrote nothing
    store.close()

    code, out, err = _run(
        capsys, "mail-review", "--accept", "--skip", "<delivery@customer.test>", "--db", str(db)
    )
    assert code == 0, err
    assert "Logged 3 email activities" in out
    store = _open(db)
    assert book.logged(store) == EXPECTED[:3]
    store.close()

    late = mail(GINA, [REP], "Order", "One more.", DAY3, message_id="<late@globex.test>")
    dovecot.append("INBOX", late, DAY3)
    code, out, err = _run(capsys, "sync", "--db", str(db))  # no server: the mail still counts
    assert "Mail rep@acme.test: 1 new messages read, 1 emails logged." in out
    store = _open(db)
    assert [row[0] for row in book.logged(store)] == [*(row[0] for row in EXPECTED[:3]), "Order"]
    store.close()
