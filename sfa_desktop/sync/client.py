"""HTTP client for sync protocol v1: timeouts, retries with backoff, token refresh."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel
from pydantic_core import from_json
from tenacity import Retrying

from sfa_desktop.core.enums import EntityKind, ForecastCategory
from sfa_desktop.core.forecast_wire import (
    AdjustmentInfo,
    AdjustmentRequest,
    AuditList,
    DealList,
    ForecastHistory,
    ForecastReport,
    MoveList,
    RateSheet,
)
from sfa_desktop.core.insight_wire import (
    AccountCostList,
    AccuracyReport,
    BacktestReport,
    CoverageReport,
    PipelineReport,
)
from sfa_desktop.core.protocol import (
    CONFLICT_ENTITY,
    DEVICE_REVOKED_STATUS,
    ChangeOp,
    ConflictNotice,
    HandshakeRequest,
    HandshakeResponse,
    LoginRequest,
    PasswordChange,
    PasswordSetUp,
    PullResponse,
    PushRequest,
    PushResponse,
    RefreshRequest,
    TokenResponse,
    device_key_hash,
)
from sfa_desktop.store.remote import PulledChange
from sfa_desktop.sync import tls
from sfa_desktop.sync.errors import (
    AuthenticationRequired,
    DeviceRevoked,
    Offline,
    ServerRefused,
)
from sfa_desktop.sync.retry import RetryPolicy, TransientFailure, parse_retry_after

T = TypeVar("T")
TRANSIENT_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
GZIP_REQUEST_BYTES = 4096  # bodies this large go compressed (big pushes on slow links)
PULL = "/api/v1/sync/pull"
_KINDS = {kind.value: kind for kind in EntityKind}
_OPS = {op.value: op for op in ChangeOp}
_PAGE_KEYS = frozenset(PullResponse.model_fields)
_CHANGE_KEYS = frozenset({"entity", "entity_id", "op", "version", "data"})


@dataclass(frozen=True)
class PulledPage:
    """A pull page (the PullResponse wire format) decoded without a model per change.

    The envelope is checked as strictly as PullResponse would check it, so a truncated or
    malformed page is unreadable (a transient failure, retried); the records' data are
    validated against their entity models by the store (`remote.prepare_page`), once per
    kind. Building a Change per record and then validating its data again cost a fifth of
    a first download.
    """

    changes: list[PulledChange]
    next_since: int
    has_more: bool = False
    reset_required: bool = False
    conflicts: list[ConflictNotice] = field(default_factory=list)
    began: int | None = None  # the version the download began at (downloads only)


def _pull_params(since: int, limit: int, began: int | None = None) -> dict[str, Any]:
    # Audit entries and conflict notices come only when asked for: clients older than them
    # cannot read them. `began` marks the pages of one download (see PullResponse).
    params: dict[str, Any] = {"since": since, "limit": limit, "audit": "true"}
    if began is not None:
        params["began"] = began
    return params


def decode_pull(body: str | bytes | bytearray) -> PulledPage:
    """A PullResponse from its JSON, each change as a PulledChange tuple; ValueError if
    the page is unreadable."""
    try:
        page = from_json(body)
        if type(page) is not dict or not page.keys() <= _PAGE_KEYS:
            raise ValueError("not an object of changes and a cursor")
        next_since = page["next_since"]
        changes = page.get("changes", [])
        has_more = page.get("has_more", False)
        reset_required = page.get("reset_required", False)
        if type(next_since) is not int or type(changes) is not list:
            raise ValueError("next_since must be an integer and changes a list")
        if type(has_more) is not bool or type(reset_required) is not bool:
            raise ValueError("has_more and reset_required must be true or false")
        began = page.get("began")
        if began is not None and type(began) is not int:
            raise ValueError("began must be an integer")
        notices: list[ConflictNotice] = []
        known: list[PulledChange] = []
        for change in changes:
            if type(change) is dict and change.get("entity") == CONFLICT_ENTITY:
                notice = ConflictNotice.model_validate(change["data"])
                notices.append(notice)
                decoded = _revert(notice, change["version"])
            else:
                decoded = _change(change)
            if decoded is not None:
                known.append(decoded)
        return PulledPage(known, next_since, has_more, reset_required, notices, began)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"unreadable pull page ({error!r})") from None


def _revert(notice: ConflictNotice, version: Any) -> PulledChange | None:
    """For a refused write, the change that puts the record back as the server holds it
    (in the page's order): its current copy, or a delete when the caller may not see it.
    None for a lost value (nothing to undo: the winning write comes as a change)."""
    kind = _KINDS.get(notice.entity)
    if notice.field or kind is None:
        return None
    if type(version) is not int:
        raise ValueError("a change's version must be an integer")
    if notice.current is None or notice.current_version is None:
        return (kind, notice.entity_id, ChangeOp.DELETE, version, None)
    return (kind, notice.entity_id, ChangeOp.UPSERT, notice.current_version, notice.current)


def _change(change: dict[str, Any]) -> PulledChange | None:
    """The change as a tuple; None for a kind this client does not know (a newer server's),
    which is skipped so that newer servers stay readable."""
    if not change.keys() <= _CHANGE_KEYS:
        raise ValueError(f"unknown fields in a change: {sorted(change.keys() - _CHANGE_KEYS)}")
    entity_id, version, data = change["entity_id"], change["version"], change.get("data")
    if type(entity_id) is not str or type(version) is not int:
        raise ValueError("a change's entity_id must be a string and its version an integer")
    if data is not None and type(data) is not dict:
        raise ValueError("a change's data must be an object")
    entity, op = change["entity"], _OPS[change["op"]]
    if type(entity) is not str:
        raise ValueError("a change's entity must be a string")
    kind = _KINDS.get(entity)
    return None if kind is None else (kind, entity_id, op, version, data)


class SyncClient:
    """Talks to one server for one signed-in device.

    `on_tokens` is called with every new TokenResponse so the caller can keep the
    rotated refresh token (in the keyring).
    """

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        on_tokens: Callable[[TokenResponse], None] | None = None,
    ) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            transport=transport,
            verify=tls.site_context() if transport is None else True,
            timeout=timeout,
            headers={"Accept-Encoding": "gzip", "User-Agent": "sfa-desktop"},
        )
        self.retry = retry or RetryPolicy()
        self._on_tokens = on_tokens
        self._refreshing = threading.Lock()  # sync and forecast calls share one session
        self.access_token: str | None = None
        self.refresh_token: str | None = None
        self.device_secret: str | None = None  # proves this device on refresh

    def close(self) -> None:
        self._http.close()

    # -- protocol calls ---------------------------------------------------------------------

    def login(
        self, username: str, password: str, device_name: str, device_secret: str | None = None
    ) -> TokenResponse:
        """Sign in and register this device; with `device_secret` (see
        credentials.new_device_secret) every refresh of the session must present it."""
        self.device_secret = device_secret
        key_hash = device_key_hash(device_secret) if device_secret is not None else None
        body = LoginRequest(
            username=username,
            password=password,
            device_name=device_name,
            device_key_hash=key_hash,
        )
        tokens = self._call(
            "POST",
            "/api/v1/auth/login",
            TokenResponse.model_validate_json,
            body,
            retrying=self.retry.logins(),
        )
        return self._accept_tokens(tokens)

    def refresh(self) -> TokenResponse:
        if not self.refresh_token:
            raise AuthenticationRequired("Sign in to sync: no saved session for this server.")
        body = RefreshRequest(refresh_token=self.refresh_token, device_secret=self.device_secret)
        try:
            tokens = self._call(
                "POST", "/api/v1/auth/refresh", TokenResponse.model_validate_json, body
            )
        except ServerRefused as refused:
            raise AuthenticationRequired(
                f"Your session has ended, please sign in again ({refused.detail})."
            ) from None
        return self._accept_tokens(tokens)

    def handshake(self, client_time: datetime, schema_version: str = "") -> HandshakeResponse:
        body = HandshakeRequest(client_time=client_time, schema_version=schema_version)
        return self._authed(
            "POST", "/api/v1/sync/handshake", HandshakeResponse.model_validate_json, body
        )

    def push(self, request: PushRequest) -> PushResponse:
        return self._authed("POST", "/api/v1/sync/push", PushResponse.model_validate_json, request)

    def pull(self, since: int, limit: int) -> PullResponse:
        """A page of changes after `since`, audit entries included."""
        return self._authed(
            "GET", PULL, PullResponse.model_validate_json, params=_pull_params(since, limit)
        )

    def pull_page(self, since: int, limit: int, began: int | None = None) -> PulledPage:
        """`pull`, decoded for applying (its records are validated by the store), with the
        caller's conflict notices; `began` marks a download's pages (0 on its first)."""
        params = {**_pull_params(since, limit, began), "conflicts": "true"}
        return self._authed("GET", PULL, decode_pull, params=params)

    # -- forecasts (read by managers; the caller's own tree for reps) -------------------------

    def forecast_report(self, period: str, user_id: str | None = None) -> ForecastReport:
        path = f"/api/v1/forecast/{period}"
        return self._authed("GET", path, ForecastReport.model_validate_json, params=_who(user_id))

    def forecast_history(self, period: str, user_id: str | None = None) -> ForecastHistory:
        path = f"/api/v1/forecast/{period}/history"
        return self._authed("GET", path, ForecastHistory.model_validate_json, params=_who(user_id))

    def forecast_audit(
        self, period: str, user_id: str | None = None, subtree: bool = False
    ) -> AuditList:
        """Adjustments of a user's forecast (with `subtree`, of everyone below them too)."""
        path = f"/api/v1/forecast/{period}/adjustments"
        params = {**(_who(user_id) or {}), **({"subtree": "true"} if subtree else {})}
        return self._authed("GET", path, AuditList.model_validate_json, params=params or None)

    def forecast_deals(
        self,
        period: str,
        user_id: str | None = None,
        category: ForecastCategory | None = None,
    ) -> DealList:
        """The deals behind a forecast cell: a user's subtree, one category or all."""
        path = f"/api/v1/forecast/{period}/deals"
        params = {**(_who(user_id) or {}), **({"category": category.value} if category else {})}
        return self._authed("GET", path, DealList.model_validate_json, params=params or None)

    def forecast_moves(self, period: str, user_id: str | None = None) -> MoveList:
        """The deals of a user's subtree that moved since last week's snapshot."""
        path = f"/api/v1/forecast/{period}/moves"
        return self._authed("GET", path, MoveList.model_validate_json, params=_who(user_id))

    def adjust_forecast(self, request: AdjustmentRequest) -> AdjustmentInfo:
        return self._authed(
            "POST", "/api/v1/forecast/adjustments", AdjustmentInfo.model_validate_json, request
        )

    # -- insight (a manager's hierarchy, a rep's own figures) --------------------------------

    def insight_accuracy(self, user_id: str | None = None) -> AccuracyReport:
        path = "/api/v1/insight/accuracy"
        return self._authed("GET", path, AccuracyReport.model_validate_json, params=_who(user_id))

    def insight_backtest(self, user_id: str | None = None) -> BacktestReport:
        path = "/api/v1/insight/backtest"
        return self._authed("GET", path, BacktestReport.model_validate_json, params=_who(user_id))

    def insight_coverage(self, user_id: str | None = None) -> CoverageReport:
        path = "/api/v1/insight/coverage"
        return self._authed("GET", path, CoverageReport.model_validate_json, params=_who(user_id))

    def insight_pipeline(self, user_id: str | None = None) -> PipelineReport:
        path = "/api/v1/insight/pipeline"
        return self._authed("GET", path, PipelineReport.model_validate_json, params=_who(user_id))

    def insight_accounts(
        self, period: str, user_id: str | None = None, grade: str | None = None
    ) -> AccountCostList:
        """The accounts behind a grade's coverage figures (every grade without one)."""
        params = {"period": period, **(_who(user_id) or {}), **({"grade": grade} if grade else {})}
        path = "/api/v1/insight/coverage/accounts"
        return self._authed("GET", path, AccountCostList.model_validate_json, params=params)

    def exchange_rates(self) -> RateSheet:
        """The corporate currency and every dated exchange rate of the organisation."""
        return self._authed("GET", "/api/v1/forecast/rates", RateSheet.model_validate_json)

    # -- the user's own password ----------------------------------------------------------

    def change_password(self, old_password: str, new_password: str) -> None:
        """Change the signed-in user's password; ServerRefused says why it was refused."""
        body = PasswordChange(old_password=old_password, new_password=new_password)
        self._authed("POST", "/api/v1/auth/password", _no_answer, body)

    def set_up_password(self, username: str, setup_code: str, new_password: str) -> None:
        """Set a first password with the admin's one-time set-up code (then sign in)."""
        body = PasswordSetUp(username=username, setup_code=setup_code, new_password=new_password)
        self._call("POST", "/api/v1/auth/setup", _no_answer, body, retrying=self.retry.logins())

    def sign_out(self) -> None:
        """End this device's session on the server: its tokens stop working there."""
        self._authed("POST", "/api/v1/auth/sign-out", _no_answer)

    # -- plumbing ---------------------------------------------------------------------------

    def _accept_tokens(self, tokens: TokenResponse) -> TokenResponse:
        self.access_token = tokens.access_token
        self.refresh_token = tokens.refresh_token
        if self._on_tokens is not None:
            self._on_tokens(tokens)
        return tokens

    def _authed(
        self,
        method: str,
        path: str,
        decode: Callable[[bytes], T],
        body: BaseModel | None = None,
        params: dict[str, Any] | None = None,
    ) -> T:
        """Call with the access token; on a 401, refresh once and try again."""
        token = self.access_token
        if token is None:
            self._refresh_unless_renewed(token)
            token = self.access_token
        try:
            return self._call(method, path, decode, body, params)
        except AuthenticationRequired:
            self._refresh_unless_renewed(token)
            return self._call(method, path, decode, body, params)

    def _refresh_unless_renewed(self, stale: str | None) -> None:
        """Refresh once even when two threads find the token stale (rotation is one-shot)."""
        with self._refreshing:
            if self.access_token == stale:
                self.refresh()

    def _call(
        self,
        method: str,
        path: str,
        decode: Callable[[bytes], T],
        body: BaseModel | None = None,
        params: dict[str, Any] | None = None,
        retrying: Retrying | None = None,
    ) -> T:
        """Send with retries; `decode` turns the answer's body into the result."""
        limit = self.retry.deadline_seconds
        deadline = None if limit is None else time.monotonic() + limit
        for attempt in retrying or self.retry.calls():
            with attempt:
                return self._send_once(method, path, decode, body, params, deadline)
        raise AssertionError("unreachable: tenacity re-raises the last failure")

    def _timeout(self, deadline: float | None) -> httpx.Timeout:
        """The client's timeouts, each cut to what is left until `deadline`."""
        base = self._http.timeout
        if deadline is None:
            return base
        left = deadline - time.monotonic()
        if left <= 0:
            raise TransientFailure("no answer in time")
        return httpx.Timeout(
            connect=min(base.connect or left, left),
            read=min(base.read or left, left),
            write=min(base.write or left, left),
            pool=min(base.pool or left, left),
        )

    def _send_once(
        self,
        method: str,
        path: str,
        decode: Callable[[bytes], T],
        body: BaseModel | None,
        params: dict[str, Any] | None,
        deadline: float | None = None,
    ) -> T:
        timeout = self._timeout(deadline)
        headers = {"Authorization": f"Bearer {self.access_token}"} if self.access_token else {}
        content = body.model_dump_json().encode() if body is not None else None
        if content is not None:
            headers["Content-Type"] = "application/json"
            if len(content) >= GZIP_REQUEST_BYTES:
                content = gzip.compress(content, compresslevel=6)
                headers["Content-Encoding"] = "gzip"
        try:
            response = self._http.request(
                method, path, content=content, params=params, headers=headers, timeout=timeout
            )
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as error:
            if (refused := tls.untrusted(error, str(self._http.base_url))) is not None:
                raise refused from error  # retrying cannot make a certificate trusted
            raise TransientFailure(f"network: {error}") from error
        if response.status_code in TRANSIENT_STATUS:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            if wait is not None and wait > self.retry.login_budget_seconds:
                detail = f"{_detail(response)} (try again in {wait:.0f} s)"
                raise ServerRefused(response.status_code, detail)
            raise TransientFailure(
                f"server busy or failing ({response.status_code})", retry_after=wait
            )
        if response.status_code == DEVICE_REVOKED_STATUS:
            raise DeviceRevoked(_detail(response))
        if response.status_code == 401:
            raise AuthenticationRequired(_detail(response))
        if response.status_code >= 400:
            raise ServerRefused(response.status_code, _detail(response))
        try:
            return decode(response.content)
        except ValueError as error:
            raise TransientFailure(f"unreadable answer from the server: {error}") from error


def _no_answer(_body: bytes) -> None:
    """A 204 carries nothing to decode."""


def _who(user_id: str | None) -> dict[str, Any] | None:
    return {"user_id": user_id} if user_id else None


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    return str(detail) if detail else response.reason_phrase or f"HTTP {response.status_code}"


def as_offline(error: TransientFailure) -> Offline:
    return Offline(f"Offline: the server cannot be reached ({error}).")
