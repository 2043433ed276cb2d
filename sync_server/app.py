"""The FastAPI application factory: routers, error mapping, body limit, scheduler."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import Message
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware

from sfa_desktop.core.errors import DomainError, InvalidRecord
from sfa_desktop.core.protocol import ErrorBody
from sync_server.api import auth, forecast, insight, sync
from sync_server.config import ServerSettings
from sync_server.db import make_engine, session_factory
from sync_server.errors import RateLimitedError, ServiceError
from sync_server.middleware import (
    BodyLimit,
    ConcurrencyLimit,
    DownloadsYield,
    GzipRequest,
    Occupancy,
    ServerTiming,
)
from sync_server.migrate import upgrade
from sync_server.scheduler import start_scheduler

# Routes that check a password (argon2): they queue apart.
_LOGIN = frozenset({"/api/v1/auth/login", "/api/v1/auth/password", "/api/v1/auth/setup"})
PULL_PATH = "/api/v1/sync/pull"
# Level 2: a 5,000-record page (3.2 MB) comes out 14 % larger than at level 5 in 58 % of
# the time (19 vs 33 ms), and the page is compressed while the client waits for it.
GZIP_LEVEL = 2
# Every refusal carries an ErrorBody: the OpenAPI document says so for all 4xx answers.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorBody, "description": "Refused; `detail` says why"},
}


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """An app bound to the database of `settings` (migrated first unless disabled)."""
    settings = settings or ServerSettings()
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    if settings.migrate_on_start:
        upgrade(engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        scheduler = (
            start_scheduler(settings, app.state.sessions) if settings.snapshots_enabled else None
        )
        yield
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        engine.dispose()

    app = FastAPI(
        title="sfa-desktop sync server",
        version="1",
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    for module in (auth, sync, forecast, insight):
        app.include_router(module.router)
    app.add_middleware(GzipRequest, limit=settings.max_body_bytes)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)  # outermost: compressed size
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=GZIP_LEVEL)
    app.add_middleware(ConcurrencyLimit, limit=settings.db_pool_size, skip=_LOGIN)
    # Pages of first downloads wait while sign-ins queue (see DownloadsYield), before they
    # take a slot of the gate above.
    sign_ins = Occupancy()
    if settings.download_yield_seconds > 0:
        app.add_middleware(
            DownloadsYield,
            sign_ins=sign_ins,
            path=PULL_PATH,
            max_wait=settings.download_yield_seconds,
        )
    # Outermost: sign-ins queue apart (each argon2 check holds 64 MiB and ~0.15 s of CPU),
    # so a burst neither grows memory nor waits behind syncs; past the longest wait, 503.
    app.add_middleware(
        ConcurrencyLimit,
        limit=settings.login_concurrency,
        max_wait=settings.login_queue_seconds,
        paths=_LOGIN,
        occupancy=sign_ins,
    )
    app.add_middleware(ServerTiming)  # outermost: every queue above counts
    _add_error_handlers(app)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        headers = (
            {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimitedError) else None
        )
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=headers)

    @app.exception_handler(InvalidRecord)
    async def invalid_record(_request: Request, exc: InvalidRecord) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(DomainError)
    async def domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        # FastAPI answers any body it fails to read with "There was an error parsing the body".
        cause = exc.__cause__
        if isinstance(cause, UnicodeDecodeError):
            detail = "malformed JSON body: it is not valid UTF-8"
        elif isinstance(cause, RecursionError):
            detail = "malformed JSON body: it is nested too deeply"
        else:
            return await http_exception_handler(request, exc)
        return JSONResponse({"detail": detail}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        for error in errors:
            if error.get("type") == "json_invalid":
                where = error.get("loc", ("body", "?"))[-1]
                reason = error.get("ctx", {}).get("error", "not JSON")
                detail = f"malformed JSON body: {reason} at character {where}"
                return JSONResponse({"detail": detail}, status_code=400)
        if isinstance(exc.body, bytes) and exc.body and not _is_json(request):
            # FastAPI reads a body as JSON only when the Content-Type says so.
            detail = "the request body must be JSON sent as Content-Type: application/json"
            return JSONResponse({"detail": detail}, status_code=415)
        detail = "; ".join(
            f"{'.'.join(str(part) for part in error.get('loc', ()))}: {error.get('msg', '')}"
            for error in errors[:10]
        )
        return JSONResponse({"detail": detail or "invalid request"}, status_code=422)


def _is_json(request: Request) -> bool:
    """Whether the request's Content-Type is JSON (application/json or application/*+json)."""
    header = Message()
    header["content-type"] = request.headers.get("content-type", "")
    subtype = header.get_content_subtype()
    return header.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )
