"""Headless commands: `sfa-desktop connect-mail`, `sfa-desktop mail-review`, and email
capture as part of `sfa-desktop sync` (after the server's sync; what it logged is sent at
once). Every refusal is one line."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from sfa_desktop.core.cli_args import db_file, non_empty, one_line

PASSWORD_VARIABLE = "SFA_IMAP_PASSWORD"


def register(commands: Any) -> None:
    """Add the mail commands (`sync` captures mail too: connectors.commands)."""
    connect = commands.add_parser(
        "connect-mail",
        help=f"connect your mailbox over IMAP (password from ${PASSWORD_VARIABLE} or asked)",
    )
    connect.add_argument("--imap", type=host_port, required=True, help="HOST or HOST:PORT")
    connect.add_argument("--user", type=non_empty, required=True)
    security = connect.add_mutually_exclusive_group()
    security.add_argument("--tls", dest="security", action="store_const", const="tls")
    security.add_argument("--starttls", dest="security", action="store_const", const="starttls")
    security.add_argument(
        "--plain",
        dest="security",
        action="store_const",
        const="none",
        help="no encryption (only to this computer)",
    )
    connect.add_argument("--address", default="", help="your address (default: --user)")
    connect.add_argument("--folder", action="append", default=[], help="a folder to watch")
    connect.add_argument(
        "--never", action="append", default=None, help="a domain or address never logged"
    )
    connect.add_argument("--accept", action="store_true", help="log the review's emails now")
    connect.add_argument("--db", type=db_file, default=None, help="database file")
    connect.set_defaults(handler=_connect, security=None)
    review = commands.add_parser(
        "mail-review", help="show (and with --accept log) the first-run review of your mailbox"
    )
    review.add_argument("--accept", action="store_true", help="log the emails shown")
    review.add_argument(
        "--skip", action="append", default=[], help="a Message-ID never to log (repeatable)"
    )
    review.add_argument("--db", type=db_file, default=None, help="database file")
    review.set_defaults(handler=_review)


def host_port(text: str) -> tuple[str, int | None]:
    """HOST or HOST:PORT ([v6]:PORT too)."""
    text = text.strip()
    host, port = text, None
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":") or None
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not host or any(c.isspace() or c in "/@" for c in host):
        raise argparse.ArgumentTypeError(f"{text!r} is not HOST or HOST:PORT")
    if port is None:
        return host, None
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"{port!r} is not a port (1-65535)")
    return host, int(port)


def _password(user: str) -> str:
    if os.environ.get(PASSWORD_VARIABLE):
        return os.environ[PASSWORD_VARIABLE]
    if sys.stdin.isatty():
        return getpass.getpass(f"Password for {user}: ")
    return sys.stdin.readline().rstrip("\n")


def _open(db: Any) -> Any:
    from sfa_desktop.sync.commands import _open_account

    return _open_account(db)


def _connect(args: argparse.Namespace) -> int:
    from sfa_desktop.connectors.mail import capture
    from sfa_desktop.connectors.mail.imap import DEFAULT_PORTS, MailError, check_security

    host, port = args.imap
    security = args.security or "tls"
    try:
        check_security(host, security)
    except MailError as error:
        print(f"Not connected: {one_line(error)}.", file=sys.stderr)
        return 2
    password = _password(args.user)
    if not password:
        print(
            f"Connecting needs the password: type it, or set {PASSWORD_VARIABLE}.", file=sys.stderr
        )
        return 2
    account = _open(args.db)
    if account is None:
        return 1
    store = account.store
    try:
        mailbox = capture.connect(
            store,
            account.credentials,
            host,
            port or DEFAULT_PORTS[security],
            security,
            args.user,
            password,
            address=args.address,
            folders=args.folder,
            never_capture=args.never,
        )
        print(f"Connected {mailbox.username} at {host}: watching {', '.join(mailbox.folders)}.")
        print(f"The password is kept in {account.credentials.where}.")
        never = ", ".join(mailbox.never_capture) or "nothing"
        print(f"Never logged: {never}.")
        return _show_and_accept(store, account.credentials, mailbox, args.accept, ())
    except MailError as error:
        print(f"Not connected: {one_line(error)}.", file=sys.stderr)
        return 1
    finally:
        store.close()


def _review(args: argparse.Namespace) -> int:
    from sfa_desktop.connectors.mail.imap import MailError
    from sfa_desktop.store.store_mail import REVIEW

    account = _open(args.db)
    if account is None:
        return 1
    store = account.store
    try:
        waiting = [m for m in store.mail_accounts() if m.state == REVIEW]
        if not waiting:
            print("No mailbox is waiting for its review (sfa-desktop connect-mail first).")
            return 1
        for mailbox in waiting:
            code = _show_and_accept(store, account.credentials, mailbox, args.accept, args.skip)
            if code:
                return code
        return 0
    except MailError as error:
        print(f"Review failed: {one_line(error)}.", file=sys.stderr)
        return 1
    finally:
        store.close()


def _show_and_accept(store: Any, credentials: Any, mailbox: Any, accept: bool, skip: Any) -> int:
    from sfa_desktop.connectors.mail import capture
    from sfa_desktop.core.rules.mail_keys import message_key

    check = capture.scan(store, credentials, mailbox)
    skipped = {message_key(message_id) for message_id in skip}
    names = _names(store)
    print(f"{len(check.proposals)} emails of the last {capture.REVIEW_DAYS} days would be logged:")
    for proposal in check.proposals:
        header = proposal.header
        mark = "skip" if header.key in skipped else "log "
        where = ", ".join(names.get(a.get("account_id"), "no account") for a in proposal.activities)
        print(
            f"  {mark} {header.sent_at:%Y-%m-%d} {proposal.found.direction:<3} "
            f"{one_line(header.subject)[:60]}  [{where}]  <{header.message_id}>"
        )
    if not accept:
        print(
            "Nothing is logged yet: run `sfa-desktop mail-review --accept` (--skip MESSAGE-ID "
            "for any not to log) or open Mail in the app."
        )
        return 0
    report = capture.write(store, check, dropped=skipped)
    print(f"Logged {report.created} email activities; new mail is logged at each sync.")
    return 0


def _names(store: Any) -> dict[Any, str]:
    from sfa_desktop.core.entities import Account

    return {row[0]: str(row[1]) for row in store.column_rows(Account, ["name"])}


def capture_after_sync(account: Any, code: int) -> int:
    """Every active mailbox of the open `account`, after the server's (and calendars')
    sync ended with `code`; what was logged is sent to the server at once."""
    if not account.store.mail_accounts():
        return code
    from sfa_desktop.connectors.mail.runner import capture_mail

    summary = capture_mail(account.store, account.credentials)
    for line in summary.lines:
        print(f"Mail {line}.")
    for name in summary.waiting:
        print(f"Mail {name}: waiting for the first-run review (sfa-desktop mail-review).")
    for failure in summary.failures:
        print(f"Mail not checked: {one_line(failure)}.", file=sys.stderr)
    if summary.created and account.server_url:
        from sfa_desktop.sync.errors import SyncError

        try:
            sent = account.engine().run_once()
            print(f"Sent {sent.pushed} captured changes to {account.server_url}.")
        except SyncError as error:
            print(f"Captured emails wait to be sent: {one_line(error)}", file=sys.stderr)
    return code or (1 if summary.failures else 0)
