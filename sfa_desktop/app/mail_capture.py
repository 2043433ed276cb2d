"""The mailbox for the app's screens: connect one, its first-run review, accepting it,
"don't log this". Plain calls the views run on the task manager's pools (the network
ones on the network pool); the password is kept like the sign-in's."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sfa_desktop.connectors.mail import capture
from sfa_desktop.connectors.mail.capture import Check, MailReport, Proposal
from sfa_desktop.connectors.mail.imap import DEFAULT_PORTS, SECURITIES, MailError
from sfa_desktop.store import Changes, Store
from sfa_desktop.store.store_mail import MailAccount
from sfa_desktop.sync.credentials import Credentials

__all__ = [
    "DEFAULT_PORTS",
    "SECURITIES",
    "Check",
    "MailAccount",
    "MailError",
    "MailReport",
    "Proposal",
    "accept",
    "connect",
    "disconnect",
    "dont_log",
    "review",
]


def connect(
    store: Store,
    host: str,
    port: int,
    security: str,
    username: str,
    password: str,
    address: str = "",
    never_capture: Sequence[str] | None = None,
    folders: Sequence[str] = (),
) -> MailAccount:
    """Connect a mailbox (waiting for its review); MailError in one line."""
    return capture.connect(
        store,
        Credentials(vault=store),
        host.strip(),
        port,
        security,
        username.strip(),
        password,
        address=address,
        folders=folders,
        never_capture=never_capture,
    )


def review(store: Store, account_id: str) -> Check:
    """What a check of the mailbox would log now (nothing is written)."""
    return capture.scan(store, Credentials(vault=store), store.mail_account(account_id))


def accept(store: Store, check: Check, dropped: Collection[str]) -> MailReport:
    """Log the reviewed emails but `dropped` (keys), and make the mailbox active."""
    return capture.write(store, check, dropped)


def disconnect(store: Store, account_id: str) -> None:
    """Forget a mailbox and its password; what it logged stays."""
    from sfa_desktop.connectors.mail.secrets import forget_password

    account = store.mail_account(account_id)
    forget_password(Credentials(vault=store), account.host, account.username)
    store.remove_mail_account(account_id)


def dont_log(store: Store, activity_id: str) -> Changes:
    """Remove a captured email (every account's copy) and never log it again."""
    return store.drop_captured_mail(activity_id)
