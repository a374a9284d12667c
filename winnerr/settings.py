"""Settings from the environment (and an optional `.env`), validated once at start-up.

A bad value stops start-up with one line per bad variable, naming it (`SettingsError`).
"""

from __future__ import annotations

import ipaddress
import math
import secrets
from collections import Counter
from collections.abc import Iterator
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from limits import RateLimitItem, parse
from pydantic import AnyHttpUrl, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from winnerr.db.engine import PoolMode

JWT_SECRET_FILE = "jwt_secret"
DEFAULT_ROLE = "winnerr_app"
"""`DATABASE_ROLE` unless set: the runtime role `winnerr migrate` makes."""
MIN_SECRET_BITS = 128
"""Production's floor for `estimated_bits` of a JWT secret."""


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
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", case_sensitive=False, use_attribute_docstrings=True
    )

    database_url: str | None = None
    """`postgresql://user:password@host:5432/db`; unset, an embedded PostgreSQL under `WINNERR_DATA_DIR`."""
    database_role: str | None = Field(default=DEFAULT_ROLE, pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    """The role every transaction runs as (`SET LOCAL ROLE`), so row-level security binds the app: one that owns
    no table and lacks BYPASSRLS, which `migrate` and `serve` create or update (`winnerr.db.runtime_role`). Set
    empty (`DATABASE_ROLE=`) to run as the URL's user, trusted as it is: no role, no organization setting."""
    database_pool_mode: PoolMode = PoolMode.SESSION
    """`transaction` behind a pooler in transaction mode (PgBouncer): no prepared-statement caches; then
    `BROADCAST_URL` must be set, since LISTEN needs a connection of its own past the pooler."""
    broadcast_url: str | None = None
    """Where subscription events travel between instances: `postgresql://` (LISTEN/NOTIFY), `redis://` or
    `memory://` (one process only); unset, the same PostgreSQL as `DATABASE_URL`."""
    winnerr_env: Environment = Environment.DEVELOPMENT
    """`development` or `production` (production requires `JWT_SECRET`, hides `/auth/debug`, turns introspection
    off)."""
    winnerr_data_dir: Path = Path(".winnerr")
    """The embedded database's files and, in development, the generated JWT secret."""
    jwt_secret: str | None = Field(default=None, min_length=32)
    """The HS256 secret for access tokens, at least 32 characters; required in production (in development one is
    generated once into the data dir)."""
    jwt_previous_secrets: Annotated[list[Annotated[str, Field(min_length=32)]], NoDecode] = Field(default_factory=list)
    """Comma-separated secrets `JWT_SECRET` replaced: they still verify tokens (not sign them) until those expire."""
    jwt_issuer: str = "winnerr"
    """The `iss` claim issued and required on every token."""
    jwt_audience: str = "winnerr-api"
    """The `aud` claim issued and required on every token."""
    jwks_url: AnyHttpUrl | None = None
    """Also accept RS256/ES256 tokens of an identity provider whose keys are here (members matched by `email`)."""
    jwks_refresh_seconds: float = Field(default=30.0, ge=0, le=3600)
    """The least time between two fetches of `JWKS_URL` (a token with an unknown `kid` asks for one)."""
    auth_debug: bool | None = None
    """`/auth/debug`: unset, on in development only; production refuses to start with it on."""
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Comma-separated browser origins allowed to call the API and open websockets; none by default."""
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Peers (IPs or CIDR networks) whose `X-Forwarded-For` is believed; none by default."""
    public_url: AnyHttpUrl | None = None
    """The external base URL as providers see it: Twilio signatures are checked against it, status callbacks
    point to it."""
    twilio_account_sid: str | None = None
    """The Twilio account for `sendSms` and `startCall`."""
    twilio_auth_token: str | None = None
    """Verifies Twilio's webhooks (with `PUBLIC_URL`) and authenticates outbound calls to Twilio."""
    nylas_webhook_secret: str | None = None
    """Verifies Nylas's webhooks (HMAC-SHA256); unset, `/webhooks/nylas` answers 503."""
    stripe_webhook_secret: str | None = None
    """Verifies Stripe's webhooks (`whsec_…`); unset, `/webhooks/stripe` answers 503."""
    twilio_api_base_url: AnyHttpUrl | None = None
    """Where Twilio's REST API is (unset: Twilio's own, https://api.twilio.com); tests point it at a stub."""
    nylas_api_url: AnyHttpUrl = AnyHttpUrl("https://api.us.nylas.com")
    """Nylas's API, for sending e-mail, syncing and calendar writes."""
    nylas_api_key: str | None = None
    """The Nylas API key for those calls."""
    provider_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    """How long a provider's API may take before the call fails with PROVIDER_ERROR (at most 120)."""
    rate_limit_api: str = "100/minute"
    """Requests per member (per client IP on public routes), in the `limits` notation."""
    rate_limit_auth: str = "5/15 minutes"
    """Failed logins per client IP and e-mail."""
    rate_limit_webhooks: str = "1000/minute"
    """Webhook deliveries per provider."""
    rate_limit_websockets: str = "60/minute"
    """Websocket openings per member."""
    rate_limit_exports: str = "10/minute"
    """CSV exports per member."""
    rate_limit_url: str | None = None
    """Where rate-limit counters and cost budgets live: `redis://…` (or `memory://`, one process only);
    unset, a `redis://` `BROADCAST_URL`, else the PostgreSQL database (`winnerr.limits_storage`)."""
    cost_budget: str = "50000/minute"
    """Each member's query-cost budget: points (objects a query may return) per period, refilling continuously
    (`winnerr.schema.budget`)."""
    idempotency_wait_seconds: float = Field(default=10.0, gt=0, le=300)
    """How long a mutation waits for a running request with its `Idempotency-Key` before CONFLICT."""
    winnerr_log_level: LogLevel = LogLevel.INFO
    """`debug`, `info`, `warning` or `error`."""
    access_token_ttl: int = Field(default=900, gt=0)
    """Lifetime of an access token, in seconds."""
    refresh_token_ttl: int = Field(default=30 * 24 * 3600, gt=0)
    """Lifetime of a refresh token, in seconds."""
    subscriber_queue_size: int = Field(default=256, ge=1, le=100_000)
    """Events an organization's live feed in one process may fall behind before its sockets are closed (1013)."""
    introspection: bool | None = None
    """Whether the schema may be introspected; unset, on in development and off in production."""
    websockets_per_member: int = Field(default=20, ge=1)
    """Websockets one member may hold open in one process."""
    subscriptions_per_socket: int = Field(default=50, ge=1)
    """Operations in flight on one websocket."""
    subscriptions_per_member: int = Field(default=200, ge=1)
    """Operations in flight per member, over all their websockets in one process."""
    presence_grace_seconds: float = Field(default=5.0, ge=0, le=300)
    """How long after a member's last socket closed they are announced OFFLINE (a reload stays ONLINE)."""
    metrics_token: str | None = Field(default=None, min_length=16)
    """The Bearer token a Prometheus scrape of `GET /metrics` presents (at least 16 characters); unset, with no
    `METRICS_PORT`, metrics are off."""
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    """Serve the metrics on this port instead (no token; `/metrics` on the API's port is then 404); keep the port
    private to the monitoring network."""
    exports_per_organization: int = Field(default=2, ge=1, le=100)
    """CSV exports an organization may run at once, across all instances (`winnerr.export.slots`); one more is
    answered 429 with `Retry-After`."""
    websocket_compression: bool = False
    """`on`: offer permessage-deflate to websocket clients. Off by default: events are a few hundred bytes,
    and a compressed socket holds about 41 KiB more of zlib state."""
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

    @field_validator("database_role", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        """`DATABASE_ROLE=` (empty) is how an operator says "no runtime role"."""
        return None if value == "" else value

    @field_validator("broadcast_url")
    @classmethod
    def _known_backend(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgres://", "postgresql://", "redis://", "memory://")):
            raise ValueError("must be postgresql://, redis:// or memory://")
        return value

    @field_validator("cors_origins", "jwt_previous_secrets", mode="before")
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
    def _safe_in_production(self) -> Settings:
        """Production refuses to start without a strong secret, with `/auth/debug` on, or without `PUBLIC_URL`."""
        if self.winnerr_env is Environment.PRODUCTION and (problems := list(_production_problems(self))):
            raise ValueError("\n".join(problems))
        return self

    @model_validator(mode="after")
    def _listen_past_the_pooler(self) -> Settings:
        if self.database_pool_mode is PoolMode.TRANSACTION and self.broadcast_url is None:
            raise ValueError(
                "BROADCAST_URL: required when DATABASE_POOL_MODE=transaction (LISTEN/NOTIFY needs a direct"
                " postgresql:// connection past the pooler, or redis://)"
            )
        return self

    @property
    def is_production(self) -> bool:
        return self.winnerr_env is Environment.PRODUCTION

    @property
    def allows_introspection(self) -> bool:
        """`INTROSPECTION` if set, else only in development."""
        return not self.is_production if self.introspection is None else self.introspection

    @property
    def allows_auth_debug(self) -> bool:
        """`AUTH_DEBUG` if set, else only in development."""
        return not self.is_production if self.auth_debug is None else self.auth_debug

    @property
    def signing_secret(self) -> str:
        """The HS256 secret: `JWT_SECRET`, or in development one generated once and kept in the data dir."""
        if self.jwt_secret is not None:
            return self.jwt_secret
        return _development_secret(self.winnerr_data_dir)

    @property
    def cost_budget_item(self) -> RateLimitItem:
        """`COST_BUDGET` parsed: its amount is the budget's size in points, its period the time it takes to refill."""
        return parse(self.cost_budget)

    def rate_limit(self, name: str) -> RateLimitItem:
        value: str = getattr(self, f"rate_limit_{name}")
        return parse(value)


@lru_cache(maxsize=4)
def _development_secret(data_dir: Path) -> str:
    """The secret kept in `data_dir` (made on first use); read once per process."""
    path = data_dir / JWT_SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def estimated_bits(secret: str) -> float:
    """A rough upper estimate of a secret's randomness: its length times the Shannon entropy of its characters.
    A repeated or patterned string scores low; 32 random bytes, hex or base64 encoded, score above 200."""
    counts = Counter(secret)
    return -sum(count * math.log2(count / len(secret)) for count in counts.values())


def _production_problems(settings: Settings) -> Iterator[str]:
    secrets_named = [("JWT_SECRET", settings.jwt_secret)]
    secrets_named += [("JWT_PREVIOUS_SECRETS", secret) for secret in settings.jwt_previous_secrets]
    for name, secret in secrets_named:
        if secret is None:
            yield f"{name}: required when WINNERR_ENV=production"
        elif estimated_bits(secret) < MIN_SECRET_BITS:
            yield (
                f"{name}: too weak for production (about {estimated_bits(secret):.0f} bits, at least"
                f" {MIN_SECRET_BITS} needed): use e.g. `openssl rand -hex 32`"
            )
    if settings.auth_debug:
        yield "AUTH_DEBUG: /auth/debug shows tokens' claims and may not be on when WINNERR_ENV=production"
    if settings.public_url is None:
        yield "PUBLIC_URL: required when WINNERR_ENV=production (the external base URL webhooks are signed for)"


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
