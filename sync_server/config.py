"""Server settings from the environment (prefix SFA_), declared once with defaults."""

from __future__ import annotations

import secrets

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServerSettings(BaseSettings):
    """Everything the server reads from its environment or a .env file."""

    model_config = SettingsConfigDict(env_prefix="SFA_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./sfa-server.db",
        description="SQLAlchemy URL: a SQLite file by default, postgresql+psycopg://... in prod",
    )
    secret_key: str = Field(
        default_factory=lambda: secrets.token_urlsafe(32),
        description="HMAC key for access tokens; set it, or tokens die with the process",
    )
    password_time_cost: int = Field(default=3, ge=1, description="argon2 iterations")
    password_memory_kib: int = Field(default=64 * 1024, ge=64, description="argon2 memory")
    access_token_seconds: int = Field(default=15 * 60, ge=10)
    refresh_token_days: int = Field(default=60, ge=1)
    refresh_retry_grace_seconds: int = Field(
        default=120, ge=0, description="a rotated refresh token may be retried this long"
    )
    login_max_failures: int = Field(default=5, ge=1, description="per user and per address")
    login_window_seconds: int = Field(default=5 * 60, ge=1)
    max_body_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    log_retention_days: int = Field(default=90, ge=1, description="tombstones/removals kept")
    clock_skew_warning_seconds: int = Field(default=300, ge=1)
    base_currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    snapshots_enabled: bool = Field(
        default=True, description="run the weekly forecast snapshot (and daily log purge)"
    )
    snapshot_day_of_week: str = "mon"
    snapshot_hour: int = Field(default=6, ge=0, le=23)
    db_pool_size: int = Field(
        default=20, ge=1, description="database connections, and requests served at once"
    )
    login_concurrency: int = Field(
        default=2, ge=1, description="password checks at once per process (argon2 memory)"
    )
    login_queue_seconds: float = Field(
        default=10.0,
        ge=0,
        description="longest expected wait for a password check; past it, 503 Retry-After",
    )
    keep_alive_seconds: int = Field(
        default=30, ge=1, description="idle keep-alive; must outlast clients' reuse (5 s)"
    )
    migrate_on_start: bool = True
