"""The FastAPI application factory: routers, error mapping, body limit, scheduler."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.middleware.gzip import GZipMiddleware

from sfa_desktop.core.errors import DomainError, InvalidRecord
from sync_server.api import auth, forecast, sync
from sync_server.config import ServerSettings
from sync_server.db import make_engine, session_factory
from sync_server.errors import RateLimitedError, ServiceError
from sync_server.middleware import BodyLimit, ConcurrencyLimit, GzipRequest
from sync_server.migrate import upgrade
from sync_server.scheduler import start_scheduler

_LOGIN = frozenset({"/api/v1/auth/login"})
# Level 2: a 5,000-record page (3.2 MB) comes out 14 % larger than at level 5 in 58 % of
# the time (19 vs 33 ms), and the page is compressed while the client waits for it.
GZIP_LEVEL = 2


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

    app = FastAPI(title="sfa-desktop sync server", version="1", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = session_factory(engine)
    for module in (auth, sync, forecast):
        app.include_router(module.router)
    app.add_middleware(GzipRequest, limit=settings.max_body_bytes)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)  # outermost: compressed size
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=GZIP_LEVEL)
    app.add_middleware(ConcurrencyLimit, limit=settings.db_pool_size, skip=_LOGIN)
    # Outermost: sign-ins queue apart (each argon2 check holds 64 MiB and ~0.15 s of CPU),
    # so a burst neither starves syncs nor grows memory; past the longest wait, 503.
    app.add_middleware(
        ConcurrencyLimit,
        limit=settings.login_concurrency,
        max_wait=settings.login_queue_seconds,
        paths=_LOGIN,
    )
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

    @app.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        if any(error.get("type") == "json_invalid" for error in errors):
            return JSONResponse({"detail": "malformed JSON body"}, status_code=400)
        detail = "; ".join(
            f"{'.'.join(str(part) for part in error.get('loc', ()))}: {error.get('msg', '')}"
            for error in errors[:10]
        )
        return JSONResponse({"detail": detail or "invalid request"}, status_code=422)
