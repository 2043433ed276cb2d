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
from tenacity.stop import stop_base

from sfa_desktop.sync.errors import SyncError

# A command or dialog gives up on a server this long after it began a call (connecting and
# waiting for the answer, retries included): the whole command ends within ~10 s.
INTERACTIVE_SECONDS = 8.0


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
    for is never cut short (the client refuses to wait longer than that budget).

    `deadline_seconds` (someone is waiting: a command, a dialog): each call, its retries
    and each request's timeouts included, gives up that long after it began; `on_retry`
    is told why before each new try (progress to show)."""

    attempts: int = 4
    backoff_seconds: float = 0.5
    login_budget_seconds: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    deadline_seconds: float | None = None
    on_retry: Callable[[str], None] | None = None

    def calls(self) -> Retrying:
        """For protocol calls: a few quick tries."""
        return self._retrying(stop_after_attempt(self.attempts))

    def logins(self) -> Retrying:
        """For sign-in: as many tries as fit in the login budget."""
        return self._retrying(stop_before_delay(self.login_budget_seconds))

    def _retrying(self, stop: stop_base) -> Retrying:
        if self.deadline_seconds is not None:
            stop = stop | stop_before_delay(self.deadline_seconds)
        backoff = wait_exponential_jitter(
            multiplier=self.backoff_seconds,
            max=self.backoff_seconds * 16,
            jitter=self.backoff_seconds,
        )

        def wait(state: RetryCallState) -> float:
            asked = _asked_wait(state)
            return max(backoff(state), asked or 0.0)

        def before_sleep(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome is not None else None
            if self.on_retry is not None:
                seconds = state.next_action.sleep if state.next_action is not None else 0
                self.on_retry(f"{error}; trying again in {seconds:.0f} s")

        return Retrying(
            retry=retry_if_exception(lambda error: isinstance(error, TransientFailure)),
            stop=stop,
            wait=wait,
            sleep=self.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )


def interactive(on_retry: Callable[[str], None] | None = None) -> RetryPolicy:
    """For someone waiting at a command or a dialog: every call ends within
    INTERACTIVE_SECONDS, a server that asks to wait longer refuses at once."""
    return RetryPolicy(
        login_budget_seconds=INTERACTIVE_SECONDS,
        deadline_seconds=INTERACTIVE_SECONDS,
        on_retry=on_retry,
    )


def _asked_wait(state: RetryCallState) -> float | None:
    error = state.outcome.exception() if state.outcome is not None else None
    return error.retry_after if isinstance(error, TransientFailure) else None
