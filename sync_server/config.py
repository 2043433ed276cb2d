"""Server settings from the environment (prefix SFA_), declared once with defaults."""

from __future__ import annotations

import ipaddress
import secrets
from functools import lru_cache

from pydantic import Field, field_validator
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
        description="HMAC key for access tokens, 32+ characters, the same in every process "
        "(unset, `serve` makes one up on loopback only)",
    )
    password_time_cost: int = Field(default=3, ge=1, description="argon2 iterations")
    password_memory_kib: int = Field(default=64 * 1024, ge=64, description="argon2 memory")
    access_token_seconds: int = Field(default=15 * 60, ge=10)
    refresh_token_days: int = Field(default=60, ge=1)
    refresh_retry_grace_seconds: int = Field(
        default=120, ge=0, description="a rotated refresh token may be retried this long"
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="failed sign-ins per window, per account from one address"
    )
    login_max_account_failures: int = Field(
        default=10, ge=1, description="failed sign-ins per window, per account from all addresses"
    )
    login_max_address_failures: int = Field(
        default=100, ge=1, description="failed sign-ins per window, per address (an office's NAT)"
    )
    trusted_proxies: str = Field(
        default="127.0.0.1,::1",
        description="addresses/networks whose X-Forwarded-For is believed, comma-separated",
    )
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
    download_yield_seconds: float = Field(
        default=10.0,
        ge=0,
        le=15,
        description="longest a first download's page waits while sign-ins queue (0: never); "
        "under the client's 20 s read timeout",
    )
    keep_alive_seconds: int = Field(
        default=30, ge=1, description="idle keep-alive; must outlast clients' reuse (5 s)"
    )
    migrate_on_start: bool = True

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies(cls, value: str) -> str:
        proxy_networks(value)
        return value


@lru_cache(maxsize=8)
def proxy_networks(text: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The networks of a comma-separated list such as "127.0.0.1,10.0.0.0/8" (ValueError
    naming the first entry that is neither an address nor a network)."""
    networks = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(
                f"{item!r} is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/8)"
            ) from None
    return tuple(networks)
