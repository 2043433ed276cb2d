"""Run every connected calendar and address book once (after each server sync, and by
`sfa-desktop sync`): one line per connection, a failure of one never stops the others."""

from __future__ import annotations

from dataclasses import dataclass, field

from sfa_desktop.connectors.calendar.connect import sync_calendar
from sfa_desktop.connectors.dav.session import ConnectorError
from sfa_desktop.store import Changes, Store
from sfa_desktop.sync.credentials import Credentials


@dataclass
class RunSummary:
    """What a run of every connection did: a line each, failures, what changed here."""

    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)

    def status(self) -> str:
        """One short line for the status bar ("" with nothing connected)."""
        if self.failures:
            return self.failures[0] + (
                f" (+{len(self.failures) - 1})" if len(self.failures) > 1 else ""
            )
        if not self.lines:
            return ""
        count = len(self.lines)
        return f"{count} calendar/address book{'s' if count != 1 else ''} in step"


def sync_connections(store: Store, credentials: Credentials) -> RunSummary:
    from sfa_desktop.connectors.contacts.connect import sync_contacts

    summary = RunSummary()
    for account in store.dav_accounts():
        label = "Calendar" if account.kind == "calendar" else "Address book"
        try:
            if account.kind == "calendar":
                report = sync_calendar(store, credentials, account)
            else:
                report = sync_contacts(store, credentials, account)
        except ConnectorError as error:
            summary.failures.append(f"{label} {account.name}: {error}")
            continue
        summary.lines.append(f"{label} {report.summary()}")
        summary.warnings += report.warnings
        summary.changes |= report.changes
    return summary
