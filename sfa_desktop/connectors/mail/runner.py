"""Check every connected mailbox once (after each server sync, and by `sfa-desktop sync`):
one line per mailbox, a failure of one never stops the others, and the "Mail" status."""

from __future__ import annotations

from dataclasses import dataclass, field

from sfa_desktop.connectors.mail.capture import check_mailbox
from sfa_desktop.connectors.mail.imap import MailError
from sfa_desktop.store import Changes, Store
from sfa_desktop.store.store_mail import REVIEW
from sfa_desktop.sync.credentials import Credentials


@dataclass
class MailSummary:
    """What a run over every mailbox did."""

    mailboxes: int = 0
    created: int = 0
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # mailboxes waiting for their review
    changes: Changes = field(default_factory=Changes)

    def status(self) -> str:
        """The "Mail" part of the status bar ("" with no mailbox connected)."""
        if not self.mailboxes:
            return ""
        if self.failures:
            return f"Mail: {self.failures[0]}"
        if self.waiting and len(self.waiting) == self.mailboxes:
            return "Mail: waiting for your review"
        logged = {0: "nothing new", 1: "1 email logged"}.get(
            self.created, f"{self.created} emails logged"
        )
        return f"Mail: {logged}"


def capture_mail(store: Store, credentials: Credentials) -> MailSummary:
    summary = MailSummary()
    for account in store.mail_accounts():
        summary.mailboxes += 1
        if account.state == REVIEW:
            summary.waiting.append(account.username)
            continue
        try:
            report = check_mailbox(store, credentials, account)
        except MailError as error:
            summary.failures.append(str(error))
            continue
        summary.created += report.created
        summary.lines.append(report.summary())
        summary.changes |= report.changes
    return summary
