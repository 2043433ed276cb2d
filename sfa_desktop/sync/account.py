"""Signing a store in to a server, reconnecting it later, and wiping it when revoked."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

import httpx

from sfa_desktop.core.addresses import check_address
from sfa_desktop.core.entities import User
from sfa_desktop.core.protocol import TokenResponse
from sfa_desktop.security import store_key
from sfa_desktop.store import Store
from sfa_desktop.sync.client import SyncClient
from sfa_desktop.sync.credentials import Credentials, SavedSession, new_device_secret
from sfa_desktop.sync.engine import SyncEngine
from sfa_desktop.sync.errors import AuthenticationRequired, SignInCancelled, SyncError
from sfa_desktop.sync.retry import RetryPolicy

TransportFactory = Callable[[], httpx.BaseTransport | None]
END_SECONDS = 3.0  # how long ending a session on the server may hold up a sign-out


class SyncAccount:
    """The link between one local store and the server it syncs with."""

    def __init__(
        self,
        store: Store,
        credentials: Credentials,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.store = store
        self.credentials = credentials
        self._transport = transport
        self._client: SyncClient | None = None  # kept so the access token outlives one sync
        self.retry: RetryPolicy | None = None  # None: the client's default (background sync)
        self._lock = threading.Lock()  # the scheduler and forecast calls ask from two threads

    @property
    def server_url(self) -> str | None:
        return self.store.state("server_url")

    @property
    def username(self) -> str | None:
        return self.store.state("username")

    def sign_in(
        self,
        server_url: str,
        username: str,
        password: str,
        device_name: str,
        cancelled: Callable[[], bool] = lambda: False,
        retry: RetryPolicy | None = None,
    ) -> User:
        """Log in, register this device with a new secret, keep the refresh token and the
        secret, and remember who we are; if `cancelled()` by then, keep nothing. SyncError
        for an address that is not one. `retry` for the login alone (default `self.retry`)."""
        try:
            server_url = check_address(server_url)
        except ValueError as error:
            raise SyncError(f"Check the server address: it {error}.") from None
        device_secret = new_device_secret()
        client = self._new_client(server_url, username, device_secret, retry or self.retry)
        try:
            tokens = client.login(username, password, device_name, device_secret)
            previous = self.store.current_user_id()
            if cancelled():  # the rep stopped waiting: this session is not theirs to keep
                _end_quietly(client)
                self.credentials.forget(server_url, username)
                raise SignInCancelled("Sign-in cancelled.")
            if previous is not None and previous != tokens.user.id:
                _end_quietly(client)  # this store keeps no other's session
                self.credentials.forget(server_url, username)
                raise AuthenticationRequired(
                    "This computer's data belongs to another user; sign in as them or reset "
                    "the app (sfa-desktop reset)."
                )
        finally:
            client.close()
        user = User.model_validate(tokens.user.model_dump())
        self.close()  # the next engine uses the new session
        self.store.sign_in_as(user)
        self.store.set_state(server_url=server_url, username=username, device_id=tokens.device_id)
        return user

    def set_up_password(
        self, server_url: str, username: str, setup_code: str, new_password: str
    ) -> None:
        """Set a first password with the admin's one-time set-up code; no session is kept
        (sign in with the new password next). SyncError for an address that is not one."""
        try:
            server_url = check_address(server_url)
        except ValueError as error:
            raise SyncError(f"Check the server address: it {error}.") from None
        client = SyncClient(server_url, transport=self._transport, retry=self.retry)
        try:
            client.set_up_password(username, setup_code, new_password)
        finally:
            client.close()

    def sign_out(self) -> None:
        """End the session on the server when it answers (else it lapses there), forget it
        here; the local data, its user and the unsynced changes stay (they go up after the
        next sign-in as the same user)."""
        self.end_session()
        if self.server_url and self.username:
            self.credentials.forget(self.server_url, self.username)
        self.close()
        self.store.set_state(server_url=None, username=None)

    def engine(self) -> SyncEngine:
        """A sync engine for the saved session; AuthenticationRequired when there is none."""
        return SyncEngine(self.store, self.client(), on_wipe=self.wipe)

    def client(self) -> SyncClient:
        """The signed-in session's client (shared by syncs and forecast calls)."""
        server_url, username = self.server_url, self.username
        if not server_url or not username:
            raise AuthenticationRequired("Sign in to a server to sync.")
        with self._lock:
            if self._client is None:
                saved = self.credentials.load(server_url, username)
                if saved is None:
                    raise AuthenticationRequired(
                        "Sign in again to sync: the saved session is gone."
                    )
                self._client = self._new_client(server_url, username, saved.device_secret)
                self._client.refresh_token = saved.refresh_token
                self._client.device_secret = saved.device_secret
            return self._client

    def end_session(self) -> None:
        """Tell the server this device's session is over (best effort, a few seconds at
        most): the device shows as signed out there and its tokens stop working."""
        try:
            client = self.client()
        except SyncError:
            return  # no saved session: nothing to end
        _end_quietly(client)

    def wipe(self) -> None:
        """Erase local data and credentials (the server revoked this device): the store's
        key is shredded first, so a file the system cannot delete is unreadable anyway."""
        if self.server_url and self.username:
            self.credentials.forget(self.server_url, self.username)
        self.credentials.forget_all()  # connector passwords too (calendar, mailbox)
        self.close()
        store_key.forget(self.store.path)
        self.store.destroy()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _new_client(
        self,
        server_url: str,
        username: str,
        device_secret: str | None,
        retry: RetryPolicy | None = None,
    ) -> SyncClient:
        def keep(tokens: TokenResponse) -> None:
            saved = SavedSession(tokens.refresh_token, device_secret)
            self.credentials.save(server_url, username, saved)

        policy = retry or self.retry
        return SyncClient(server_url, transport=self._transport, on_tokens=keep, retry=policy)


def _end_quietly(client: SyncClient) -> None:
    """`client.sign_out()` within END_SECONDS; a server that does not answer is left to let
    the session lapse (refresh tokens expire; an admin can revoke the device)."""
    client.retry = RetryPolicy(attempts=1, deadline_seconds=END_SECONDS)
    with contextlib.suppress(SyncError):
        client.sign_out()
