"""When the sync client tries again: jittered exponential backoff that honours Retry-After."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
    wait_exponential_jitter,
)

from sfa_desktop.sync.errors import SyncError


class TransientFailure(SyncError):
    """A failure worth retrying (network blip, 5xx, rate limit); `retry_after` in seconds
    when the server said how long to wait."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    """`attempts` tries with backoff from `backoff_seconds`; a sign-in, which a busy server
    may ask to wait, keeps trying for up to `login_budget_seconds`. A wait the server asks
    for is never cut short (the client refuses to wait longer than that budget)."""

    attempts: int = 4
    backoff_seconds: float = 0.5
    login_budget_seconds: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def calls(self) -> Retrying:
        """For protocol calls: a few quick tries."""
        return self._retrying(stop_after_attempt(self.attempts))

    def logins(self) -> Retrying:
        """For sign-in: as many tries as fit in the login budget."""
        return self._retrying(stop_before_delay(self.login_budget_seconds))

    def _retrying(self, stop: Callable[[RetryCallState], bool]) -> Retrying:
        backoff = wait_exponential_jitter(
            multiplier=self.backoff_seconds,
            max=self.backoff_seconds * 16,
            jitter=self.backoff_seconds,
        )

        def wait(state: RetryCallState) -> float:
            asked = _asked_wait(state)
            return max(backoff(state), asked or 0.0)

        return Retrying(
            retry=retry_if_exception(lambda error: isinstance(error, TransientFailure)),
            stop=stop,
            wait=wait,
            sleep=self.sleep,
            reraise=True,
        )


def _asked_wait(state: RetryCallState) -> float | None:
    error = state.outcome.exception() if state.outcome is not None else None
    return error.retry_after if isinstance(error, TransientFailure) else None
