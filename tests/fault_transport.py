"""A transport that loses, repeats, truncates and fails requests on purpose."""

from __future__ import annotations

import random
from collections.abc import Callable

import httpx


class FaultyTransport(httpx.BaseTransport):
    """Wraps a real transport; while `rate` > 0 each request may meet one fault.

    Faults: the request is lost before the server sees it; the server commits but the
    response is lost; the request is sent twice; a 503; a page cut short mid-body.
    """

    FAULTS = ("drop_request", "drop_response", "duplicate", "unavailable", "truncate")

    def __init__(
        self,
        inner: httpx.BaseTransport,
        rng: random.Random,
        observe: Callable[[httpx.Request, httpx.Response], None] | None = None,
    ) -> None:
        self.inner = inner
        self.rng = rng
        self.rate = 0.0
        self.injected: dict[str, int] = dict.fromkeys(self.FAULTS, 0)
        # Sees every request the server answered, with the answer the server gave (also
        # when the fault then keeps it from the client): an oracle's view of the wire.
        self.observe = observe
        self.armed: tuple[str, int] | None = None

    def arm(self, fault: str, after: int) -> None:
        """Inject `fault` once, on the request after the next `after` ones."""
        self.armed = (fault, after)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault = self.rng.choice(self.FAULTS) if self.rng.random() < self.rate else None
        if self.armed is not None:
            planned, after = self.armed
            if after == 0:
                fault, self.armed = planned, None
            else:
                self.armed = (planned, after - 1)
        if fault is not None:
            self.injected[fault] += 1
        if fault == "drop_request":
            raise httpx.ConnectError("injected: request lost", request=request)
        if fault == "unavailable":
            return httpx.Response(503, json={"detail": "injected outage"}, request=request)
        response = self._send(request)
        if fault == "duplicate":
            response = self._send(request)
        if fault == "drop_response":
            raise httpx.ReadError("injected: response lost after the server acted", request=request)
        if fault == "truncate":
            return httpx.Response(
                response.status_code,
                headers={"content-type": "application/json"},
                content=response.content[: len(response.content) // 2],
                request=request,
            )
        return response

    def _send(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        if self.observe is not None:
            self.observe(request, response)
        return response
