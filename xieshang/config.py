"""Settings read from ``XIESHANG_*`` environment variables.

One frozen object, built once at start-up and passed explicitly; nothing else in the
package reads the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
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


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


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
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

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
        timezone = env.get("XIESHANG_TIMEZONE", DEFAULT_TIMEZONE)
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"XIESHANG_TIMEZONE 不是有效的时区：{timezone!r}") from exc
        defaults = env.get("XIESHANG_DEFAULT_STANDARDS")
        default_standards = (
            tuple(c.strip() for c in defaults.split(",") if c.strip())
            if defaults is not None
            else DEFAULT_STANDARDS
        )
        return cls(
            default_standards=default_standards,
            database_url=env.get("XIESHANG_DATABASE_URL") or DEFAULT_DATABASE_URL,
            environment=environment,
            debug_sql=_flag(env.get("XIESHANG_DEBUG_SQL")),
            timezone=timezone,
            extra={k: v for k, v in env.items() if k.startswith("XIESHANG_")},
        )
