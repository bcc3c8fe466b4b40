"""Settings read from ``XIESHANG_*`` environment variables.

One frozen object, built once at start-up and passed explicitly; nothing else in the
package reads the environment. docs/security.md and docs/deploy.md list what an operator sets.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from xieshang.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./xieshang.db"
DEFAULT_TIMEZONE = "Asia/Shanghai"
#: Standards a new county starts with (蓬安's, shipped with xieshang).
DEFAULT_STANDARDS = (
    "pengan.three-ones",
    "pengan.six-haves",
    "pengan.member-duty",
    "pengan.county-rollup",
)
ENVIRONMENTS = ("development", "production", "test")
#: Used outside production when XIESHANG_SECRET is not set; refused in production.
DEVELOPMENT_SECRET = "xieshang-development-secret-do-not-use-in-production"
MIN_SECRET_LENGTH = 32
#: Event bus backends (XIESHANG_EVENTS); ``auto`` picks postgres for a PostgreSQL database.
EVENT_BACKENDS = ("auto", "memory", "postgres")

T = TypeVar("T")


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


@dataclass(frozen=True)
class Settings:
    """Runtime configuration of one xieshang process."""

    database_url: str = DEFAULT_DATABASE_URL
    environment: str = "development"
    debug_sql: bool = False
    timezone: str = DEFAULT_TIMEZONE
    #: Largest page a connection field returns (``first``/``last`` above it is an error).
    max_page_size: int = 100
    #: Standard codes a new county starts with (XIESHANG_DEFAULT_STANDARDS, comma-separated).
    default_standards: tuple[str, ...] = DEFAULT_STANDARDS

    # -- accounts and tokens --
    #: Signs access tokens (HS256). Required in production, at least 32 characters.
    secret: str = DEVELOPMENT_SECRET
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    #: Optional external identity provider (government unified login): a JWKS URL, with the
    #: issuer and audience its tokens must carry and the claim that names the local user.
    jwks_url: str | None = None
    jwks_issuer: str | None = None
    jwks_audience: str | None = None
    jwks_username_claim: str = "preferred_username"

    # -- HTTP --
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 1_000_000
    #: Rate limits in the notation of the ``limits`` library, per address (anonymous) or per user.
    rate_limit_anonymous: str = "120/minute"
    rate_limit_user: str = "1200/minute"
    #: Public topic submissions (submitTopic) per client address, on top of the limits above.
    rate_limit_submit: str = "10/hour"
    #: Where counters live: ``memory://`` (per process) or ``redis://host:6379`` (shared).
    rate_limit_storage: str = "memory://"
    request_timeout_seconds: float = 30.0

    # -- query limits --
    max_depth: int = 10
    max_aliases: int = 20
    max_tokens: int = 5000
    max_cost: int = 200_000
    introspection: bool = True
    graphiql: bool = True

    # -- live events --
    #: Event bus: ``memory`` (one process), ``postgres`` (LISTEN/NOTIFY across processes) or
    #: ``auto`` (postgres when the database is PostgreSQL, memory otherwise).
    events: str = "auto"
    #: Seconds between overdue sweeps in each server process (0: no sweeping in the server).
    overdue_sweep_seconds: float = 300.0

    # -- operations --
    #: Addresses or networks (CIDR) allowed to read /metrics (XIESHANG_METRICS_ALLOW).
    metrics_allow: tuple[str, ...] = ("127.0.0.1", "::1")
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def event_backend(self) -> str:
        """The event bus backend in use: ``memory`` or ``postgres`` (``auto`` resolved)."""
        if self.events != "auto":
            return self.events
        return "postgres" if self.database_url.startswith("postgres") else "memory"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings from ``environ`` (default ``os.environ``), validating each value."""
        env = os.environ if environ is None else environ
        environment = env.get("XIESHANG_ENV", "development").strip().lower()
        if environment not in ENVIRONMENTS:
            raise ConfigError(
                f"XIESHANG_ENV 取值无效：{environment!r}，应为 {' / '.join(ENVIRONMENTS)} 之一"
            )
        production = environment == "production"
        timezone = env.get("XIESHANG_TIMEZONE", DEFAULT_TIMEZONE)
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"XIESHANG_TIMEZONE 不是有效的时区：{timezone!r}") from exc
        secret = env.get("XIESHANG_SECRET") or ""
        if production and len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"生产环境必须设置 XIESHANG_SECRET（至少 {MIN_SECRET_LENGTH} 个字符的随机字符串，"
                '如 python -c "import secrets; print(secrets.token_urlsafe(48))"）'
            )
        if secret and len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(f"XIESHANG_SECRET 太短：至少 {MIN_SECRET_LENGTH} 个字符")
        defaults = env.get("XIESHANG_DEFAULT_STANDARDS")

        def number(name: str, default: T, parse: Callable[[str], T], minimum: Any = 1) -> T:
            raw = env.get(name)
            if raw is None or raw == "":
                return default
            try:
                value = parse(raw)
            except ValueError:
                raise ConfigError(f"{name} 应为数字（收到 {raw!r}）") from None
            if value < minimum:
                raise ConfigError(f"{name} 不能小于 {minimum}（收到 {raw!r}）")
            return value

        events = (env.get("XIESHANG_EVENTS") or "auto").strip().lower()
        if events not in EVENT_BACKENDS:
            raise ConfigError(
                f"XIESHANG_EVENTS 取值无效：{events!r}，应为 {' / '.join(EVENT_BACKENDS)} 之一"
            )
        return cls(
            default_standards=_list(defaults) if defaults is not None else DEFAULT_STANDARDS,
            database_url=env.get("XIESHANG_DATABASE_URL") or DEFAULT_DATABASE_URL,
            environment=environment,
            debug_sql=_flag(env.get("XIESHANG_DEBUG_SQL")),
            timezone=timezone,
            secret=secret or DEVELOPMENT_SECRET,
            access_token_minutes=number("XIESHANG_ACCESS_TOKEN_MINUTES", 15, int),
            refresh_token_days=number("XIESHANG_REFRESH_TOKEN_DAYS", 30, int),
            jwks_url=env.get("XIESHANG_JWKS_URL") or None,
            jwks_issuer=env.get("XIESHANG_JWKS_ISSUER") or None,
            jwks_audience=env.get("XIESHANG_JWKS_AUDIENCE") or None,
            jwks_username_claim=env.get("XIESHANG_JWKS_USERNAME_CLAIM") or "preferred_username",
            cors_origins=_list(env.get("XIESHANG_CORS_ORIGINS")),
            max_body_bytes=number("XIESHANG_MAX_BODY_BYTES", 1_000_000, int, 1024),
            rate_limit_anonymous=env.get("XIESHANG_RATE_LIMIT_ANONYMOUS") or "120/minute",
            rate_limit_user=env.get("XIESHANG_RATE_LIMIT_USER") or "1200/minute",
            rate_limit_submit=env.get("XIESHANG_RATE_LIMIT_SUBMIT") or "10/hour",
            rate_limit_storage=env.get("XIESHANG_RATE_LIMIT_STORAGE") or "memory://",
            request_timeout_seconds=number("XIESHANG_REQUEST_TIMEOUT_SECONDS", 30.0, float, 0.1),
            max_cost=number("XIESHANG_MAX_COST", 200_000, int),
            introspection=_flag(env.get("XIESHANG_INTROSPECTION")) if production else True,
            graphiql=_flag(env.get("XIESHANG_GRAPHIQL")) if production else True,
            events=events,
            overdue_sweep_seconds=number("XIESHANG_OVERDUE_SWEEP_SECONDS", 300.0, float, 0),
            metrics_allow=_list(env.get("XIESHANG_METRICS_ALLOW") or "127.0.0.1,::1"),
            extra={
                k: v for k, v in env.items() if k.startswith("XIESHANG_") and k != "XIESHANG_SECRET"
            },
        )
