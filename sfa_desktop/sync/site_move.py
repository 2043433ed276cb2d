"""Moving a signed-in computer to the server its admin's site file now locks.

When an admin moves users (a pilot server to production) by locking another
`sync_server`, a computer signed in to the old server must neither keep syncing with it
nor drop what it has not sent. It sends its unsynced edits to the old server first; when
all are there it ends its session there and erases its copy of the old server's data, so
the next sign-in is to the new server. When the old server cannot take them, nothing is
erased or moved: the edits stay on this computer, syncing stops, and the move is tried
again at the next start (or `sfa-desktop sync`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sfa_desktop.core.addresses import check_address
from sfa_desktop.core.cli_args import one_line
from sfa_desktop.site_config import SiteConfig
from sfa_desktop.sync.account import SyncAccount
from sfa_desktop.sync.errors import SyncError


@dataclass(frozen=True)
class SiteMove:
    """What moving from `old` to `new` did: `sent` edits reached `old`; `kept` could not
    (then nothing moved), with `why`."""

    old: str
    new: str
    username: str
    sent: int = 0
    kept: int = 0
    why: str = ""

    @property
    def moved(self) -> bool:
        return self.kept == 0

    def message(self) -> str:
        """What the rep is told, in a few sentences."""
        head = f"Your administrator moved this computer from {self.old} to {self.new}."
        if not self.moved:
            return (
                f"{head} {self.kept} edits made here have not reached {self.old} "
                f"({self.why}). They are kept on this computer and syncing is paused; "
                f"the move is tried again at the next start, once {self.old} can be reached."
            )
        sent = f" {self.sent} unsynced edits were sent there first." if self.sent else ""
        return (
            f"{head}{sent} This computer's copy of {self.old}'s data is erased; "
            f"sign in to {self.new} to continue."
        )


def locked_server(site: SiteConfig | None) -> str:
    """The server the admin's site file locks, or ""."""
    return site.server_url if site is not None and "sync_server" in site.locked else ""


def needed(account: SyncAccount, site: SiteConfig | None) -> str:
    """The locked server `account` must move to, or "" (not signed in, not locked, or
    already there)."""
    new, old = locked_server(site), account.server_url
    if not new or not old or _same(old, new):
        return ""
    return new


def leave_old_server(account: SyncAccount, new: str) -> SiteMove:
    """Send what is unsynced to the account's server, then end the session there and erase
    the local store (its key and sign-in too); when something cannot be sent, keep all."""
    old, username = account.server_url or "", account.username or ""
    pending = account.store.outbox_count()
    why = ""
    if pending:
        try:
            account.engine().run_once()
        except SyncError as error:
            why = one_line(error)
    left = account.store.outbox_count()
    if left:
        account.close()
        return SiteMove(old, new, username, pending - left, left, why or "not all were taken")
    account.end_session()
    account.wipe()
    return SiteMove(old, new, username, pending)


def _same(one: str, other: str) -> bool:
    try:
        return check_address(one) == check_address(other)
    except ValueError:
        return one.rstrip("/") == other.rstrip("/")
