"""What the app shows about sync (Qt-free, so the scheduler can publish it from its thread)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SyncStatus:
    signed_in: bool = False
    running: bool = False
    last_sync: datetime | None = None
    pending: int = 0
    offline: bool = False
    error: str = ""
    warnings: tuple[str, ...] = ()
    mail: str = ""  # "Mail: …" once a mailbox is connected

    @property
    def online(self) -> bool:
        """Signed in and the last attempt reached the server."""
        return self.signed_in and not self.offline and not self.error
