"""Pure ASGI middleware: body size limit (413), gzip request bodies, admission gates (503),
the server's own time on every answer (Server-Timing)."""

from __future__ import annotations

import asyncio
import json
import math
import time
import weakref
import zlib
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _TooLargeError(Exception):
    pass


class BodyLimit:
    """Reject bodies over `limit` bytes, by Content-Length or while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _reply(send, 400, "Content-Length is not a number")
                return
            if int(declared) > self.limit:
                await _reply(send, 413, self._message())
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _TooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLargeError:
            if not started:
                await _reply(send, 413, self._message())

    def _message(self) -> str:
        return f"request body is larger than {self.limit} bytes"


async def _reply(
    send: Send, status: int, detail: str, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send(
        {"type": "http.response.start", "status": status, "headers": headers + (extra or [])}
    )
    await send({"type": "http.response.body", "body": body})


class GzipRequest:
    """Inflate `Content-Encoding: gzip` request bodies, refusing any that inflate past `limit`.

    The client compresses large pushes; a bomb that would inflate beyond the body limit is
    answered 413 without being inflated in full. A stream that is cut short or followed by
    other bytes is refused (400), and so is any other content coding (415): read as it is,
    such a body would be taken for something it is not.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope["headers"]) if scope["type"] == "http" else {}
        encoding = headers.get(b"content-encoding", b"identity").strip().lower()
        if encoding in (b"identity", b""):
            await self.app(scope, receive, send)
            return
        if encoding != b"gzip":
            shown = encoding.decode("latin-1")[:40]
            await _reply(send, 415, f"Content-Encoding {shown!r} is not supported; use gzip")
            return
        compressed = bytearray()
        more = True
        while more:
            message = await receive()
            compressed += message.get("body", b"")
            more = message.get("more_body", False)
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            body = inflater.decompress(bytes(compressed), self.limit + 1)
        except zlib.error:
            await _reply(send, 400, "request body is not valid gzip")
            return
        if len(body) > self.limit or inflater.unconsumed_tail:
            await _reply(send, 413, f"request body inflates to more than {self.limit} bytes")
            return
        if not inflater.eof or inflater.unused_data:
            what = "is cut short" if not inflater.eof else "has bytes after its end"
            await _reply(send, 400, f"request body is not valid gzip: the stream {what}")
            return
        rest = [
            (name, value)
            for name, value in scope["headers"]
            if name not in (b"content-encoding", b"content-length")
        ]
        scope = {**scope, "headers": [*rest, (b"content-length", str(len(body)).encode())]}
        delivered = False

        async def inflated_receive() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, inflated_receive, send)


class Occupancy:
    """How many requests a gate holds (waiting or served), for another middleware to see."""

    def __init__(self) -> None:
        self.count = 0


class ConcurrencyLimit:
    """Admit at most `limit` requests at a time into the app; the rest wait here, in order.

    A waiting request holds no thread and no database connection, so a burst queues cheaply
    instead of exhausting the connection pool. With `max_wait`, a request that would wait
    longer than that (estimated from recent service times) is answered 503 at once,
    instead of queueing into the client's timeout. Each refused request is told its own
    time to come back (Retry-After): the refusals of a burst are booked one after the
    other at the rate the gate serves, in the order they came, so they return spread out
    instead of all at once (when most would be refused again). `paths`
    restricts the gate to those request paths, `skip` exempts paths (a route with a gate
    of its own).
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        *,
        max_wait: float | None = None,
        paths: frozenset[str] | None = None,
        skip: frozenset[str] = frozenset(),
        expected_seconds: float = 0.25,
        occupancy: Occupancy | None = None,
    ) -> None:
        self.app = app
        self.limit = limit
        self.occupancy = occupancy or Occupancy()
        self.max_wait = max_wait
        self.paths = paths
        self.skip = skip
        self.waiting = 0
        self.service_seconds = expected_seconds  # moving average of a request's slot time
        self._booked_until = 0.0  # when the refused requests told to come back are served
        # One gate per event loop: a server has one; a test client may start several.
        self._gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]
        self._gates = weakref.WeakKeyDictionary()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._applies(scope["path"]):
            await self.app(scope, receive, send)
            return
        gate = self._gates.get(loop := asyncio.get_running_loop())
        if gate is None:
            gate = self._gates[loop] = asyncio.Semaphore(self.limit)
        wait = self.expected_wait()
        if self.max_wait is not None and gate.locked() and wait > self.max_wait:
            retry = max(1, math.ceil(self._book(wait)))
            detail = f"the server is busy; retry in {retry} s"
            await _reply(send, 503, detail, [(b"retry-after", str(retry).encode())])
            return
        self.waiting += 1
        self.occupancy.count += 1
        try:
            try:
                await gate.acquire()
            finally:
                self.waiting -= 1
            started = time.monotonic()
            try:
                await self.app(scope, receive, send)
            finally:
                gate.release()
                self.service_seconds += (time.monotonic() - started - self.service_seconds) / 8
        finally:
            self.occupancy.count -= 1

    def _book(self, wait: float) -> float:
        """Seconds until a refused request's turn: after the queue ahead of it and after
        the turns given to the requests refused before it."""
        now = time.monotonic()
        turn = max(now + wait, self._booked_until)
        self._booked_until = turn + self.service_seconds / self.limit
        return turn - now

    def _applies(self, path: str) -> bool:
        return path not in self.skip and (self.paths is None or path in self.paths)

    def expected_wait(self) -> float:
        """Seconds until the requests waiting ahead of a new one have been served."""
        return self.service_seconds * (self.waiting + 1) / self.limit


class DownloadsYield:
    """Pages of first downloads (pulls naming the version their download `began` at) wait
    while password checks queue or run in this process, for at most `max_wait` seconds,
    then go on; other requests pass at once.

    In a burst of first sign-ins each rep signs in and then downloads its book, and the
    downloads' CPU (the server's, and on a shared box the desktops') slowed the sign-ins
    still queued: p99 66 s for 500. Held back, the sign-ins get the cores and the
    downloads follow. A waiting page holds no thread and no database connection, and
    `max_wait` stays well inside the client's read timeout: the rep sees a slower page,
    never an error.
    """

    def __init__(
        self,
        app: ASGIApp,
        sign_ins: Occupancy,
        *,
        path: str,
        max_wait: float,
        poll_seconds: float = 0.05,
    ) -> None:
        self.app = app
        self.sign_ins = sign_ins
        self.path = path
        self.max_wait = max_wait
        self.poll_seconds = poll_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.sign_ins.count and self._is_download(scope):
            deadline = time.monotonic() + self.max_wait
            while self.sign_ins.count and time.monotonic() < deadline:
                await asyncio.sleep(self.poll_seconds)
        await self.app(scope, receive, send)

    def _is_download(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["path"] != self.path:
            return False
        query = scope.get("query_string", b"").decode("latin-1")
        return "began" in parse_qs(query)


class ServerTiming:
    """`Server-Timing: app;dur=<ms>` on every answer: the time from the request reaching
    the server's app (its queues included) to the answer's headers, which for this API's
    whole-body answers is after the body was made. What a client (or a benchmark sharing
    the server's box) waited beyond that was the network's, or its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                spent = (time.perf_counter() - started) * 1000
                headers = [*message.get("headers", ()), (b"server-timing", b"app;dur=%.1f" % spent)]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, timed_send)
