"""Settings from the environment (and an optional `.env`), validated once at start-up.

A bad value stops start-up with one line per bad variable, naming it (`SettingsError`).
"""

from __future__ import annotations

import ipaddress
import secrets
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from limits import RateLimitItem, parse
from pydantic import AnyHttpUrl, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

JWT_SECRET_FILE = "jwt_secret"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class SettingsError(Exception):
    """Raised when the environment holds bad values; its message has one line per variable."""


def _rate_limit(value: str) -> str:
    try:
        parse(value)
    except ValueError as exc:
        raise ValueError(f"not a rate limit in the limits notation (e.g. '100/minute'): {value!r}") from exc
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    database_url: str | None = None
    broadcast_url: str | None = None
    winnerr_env: Environment = Environment.DEVELOPMENT
    winnerr_data_dir: Path = Path(".winnerr")
    jwt_secret: str | None = Field(default=None, min_length=32)
    jwt_issuer: str = "winnerr"
    jwt_audience: str = "winnerr-api"
    jwks_url: AnyHttpUrl | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Peers (IPs or CIDR networks) whose `X-Forwarded-For` is believed; none by default."""
    public_url: AnyHttpUrl | None = None
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    nylas_webhook_secret: str | None = None
    stripe_webhook_secret: str | None = None
    twilio_api_base_url: AnyHttpUrl | None = None
    """Where Twilio's REST API is (unset: Twilio's own, https://api.twilio.com); tests point it at a stub."""
    nylas_api_url: AnyHttpUrl = AnyHttpUrl("https://api.us.nylas.com")
    nylas_api_key: str | None = None
    provider_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    rate_limit_api: str = "100/minute"
    rate_limit_auth: str = "5/15 minutes"
    rate_limit_webhooks: str = "1000/minute"
    rate_limit_websockets: str = "60/minute"
    rate_limit_exports: str = "10/minute"
    rate_limit_url: str | None = None
    """Where rate-limit counters and cost budgets live: `redis://…` (or `memory://`, one process only);
    unset, a `redis://` `BROADCAST_URL`, else the PostgreSQL database (`winnerr.limits_storage`)."""
    cost_budget: str = "50000/minute"
    """Each member's query-cost budget: points (objects a query may return) per period, refilling continuously
    (`winnerr.schema.budget`)."""
    winnerr_log_level: LogLevel = LogLevel.INFO
    access_token_ttl: int = Field(default=900, gt=0)
    refresh_token_ttl: int = Field(default=30 * 24 * 3600, gt=0)
    subscriber_queue_size: int = Field(default=256, ge=1, le=100_000)
    introspection: bool | None = None  # unset: on in development, off in production (`allows_introspection`)
    websockets_per_member: int = Field(default=20, ge=1)
    subscriptions_per_socket: int = Field(default=50, ge=1)
    subscriptions_per_member: int = Field(default=200, ge=1)
    presence_grace_seconds: float = Field(default=5.0, ge=0, le=300)
    membership_cache_seconds: float = Field(default=5.0, ge=0, le=60)
    """How long a bearer token's principal (its member and role) is reused without verifying the token or reading
    the membership again; a change through the API applies at once in its own process (`winnerr.auth.principals`)."""
    compiled_reads: bool = True
    """`on`: queries that map onto tables are answered by one SQL statement (`winnerr.sqlplan`); `off`: by the
    resolvers only."""

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgresql://", "postgresql+asyncpg://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        return value

    @field_validator("broadcast_url")
    @classmethod
    def _known_backend(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgres://", "postgresql://", "redis://", "memory://")):
            raise ValueError("must be postgresql://, redis:// or memory://")
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        try:
            return [str(ipaddress.ip_network(part, strict=False)) for part in value]
        except ValueError as exc:
            raise ValueError(f"must be comma-separated IP addresses or CIDR networks ({exc})") from None

    @field_validator("rate_limit_url")
    @classmethod
    def _limit_backend(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "memory://")):
            raise ValueError("must be redis://, rediss:// or memory://")
        return value

    @field_validator(
        "rate_limit_api",
        "rate_limit_auth",
        "rate_limit_webhooks",
        "rate_limit_websockets",
        "rate_limit_exports",
        "cost_budget",
    )
    @classmethod
    def _limits_notation(cls, value: str) -> str:
        return _rate_limit(value)

    @model_validator(mode="after")
    def _secret_required_in_production(self) -> Settings:
        if self.winnerr_env is Environment.PRODUCTION and self.jwt_secret is None:
            raise ValueError("JWT_SECRET: required when WINNERR_ENV=production")
        return self

    @property
    def is_production(self) -> bool:
        return self.winnerr_env is Environment.PRODUCTION

    @property
    def allows_introspection(self) -> bool:
        """`INTROSPECTION` if set, else only in development."""
        return not self.is_production if self.introspection is None else self.introspection

    @cached_property
    def signing_secret(self) -> str:
        """The HS256 secret: `JWT_SECRET`, or in development one generated once and kept in the data dir."""
        if self.jwt_secret is not None:
            return self.jwt_secret
        path = self.winnerr_data_dir / JWT_SECRET_FILE
        if not path.exists():
            self.winnerr_data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    @property
    def cost_budget_item(self) -> RateLimitItem:
        """`COST_BUDGET` parsed: its amount is the budget's size in points, its period the time it takes to refill."""
        return parse(self.cost_budget)

    def rate_limit(self, name: str) -> RateLimitItem:
        value: str = getattr(self, f"rate_limit_{name}")
        return parse(value)


def load_settings(**overrides: Any) -> Settings:
    """Read and validate the settings; raise `SettingsError` with one line per bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            if error["loc"]:
                lines.append(f"{str(error['loc'][0]).upper()}: {message}")
            else:
                lines.append(message)
        raise SettingsError("\n".join(lines)) from None
