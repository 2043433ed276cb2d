"""Who this store is signed in as, and whether it holds any records yet."""

from __future__ import annotations

from dataclasses import dataclass

from sfa_desktop.core.entities import Account, Contact, Lead, Opportunity, Record, Task, User
from sfa_desktop.core.errors import NotFound
from sfa_desktop.store import Store

# The kinds a rep would recognise as "my data": an empty store has none of them.
_BOOK: tuple[type[Record], ...] = (Account, Contact, Lead, Opportunity, Task)


@dataclass(frozen=True)
class Session:
    """The store's sign-in: `server` and `username` while signed in to a server, the
    local user's name (also when working offline), and whether it holds records."""

    server: str | None
    username: str | None
    user_name: str | None
    has_records: bool

    @property
    def signed_in(self) -> bool:
        return bool(self.server and self.username)

    @property
    def who(self) -> str:
        """ "Ana Ortiz (ana.ortiz)", the name or the user name alone, or "" if none."""
        if self.user_name and self.username and self.user_name != self.username:
            return f"{self.user_name} ({self.username})"
        return self.user_name or self.username or ""


def session(store: Store) -> Session:
    """The sign-in and emptiness of `store` (a few small reads)."""
    user_id = store.current_user_id()
    name = None
    if user_id is not None:
        try:
            name = store.get(User, user_id).name
        except NotFound:  # signed in, the user's record not downloaded yet
            name = None
    has_records = any(store.ids(kind, limit=1) for kind in _BOOK)
    return Session(store.state("server_url"), store.state("username"), name, has_records)
