"""The rate limit of residents' public topic submissions (社会出题), per client address.

One limiter belongs to an application (the web layer makes it and hands it to operations in
their :class:`~xieshang.domain.unit_of_work.Environment`); its counters live in memory for one
process or in Redis shared by all of them.
"""

from __future__ import annotations

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import ConfigurationError
from limits.storage import storage_from_string

from xieshang.config import Settings
from xieshang.errors import ConfigError


class SubmitLimiter:
    """The rate limit of public submissions, per client address (``XIESHANG_RATE_LIMIT_SUBMIT``).

    Counters live where the HTTP rate limits' do (``XIESHANG_RATE_LIMIT_STORAGE``): in memory for
    one process, in Redis shared by all of them.
    """

    def __init__(self, settings: Settings) -> None:
        try:
            self.item: RateLimitItem = parse(settings.rate_limit_submit)
            uri = settings.rate_limit_storage
            storage = storage_from_string(uri if uri.startswith("async+") else f"async+{uri}")
        except (ValueError, ConfigurationError) as exc:
            raise ConfigError(f"议题提交限流配置无效：{exc}") from exc
        self.limiter = MovingWindowRateLimiter(storage)

    async def hit(self, address: str | None) -> bool:
        """Count one submission from ``address``; False when it is over the limit."""
        return await self.limiter.hit(self.item, "submit-topic", address or "unknown")


_FALLBACK: dict[tuple[str, str], SubmitLimiter] = {}


def limiter_for(settings: Settings) -> SubmitLimiter:
    """A limiter for callers that bring none (harnesses calling the schema without the app):
    one per storage and limit, for the life of the process."""
    key = (settings.rate_limit_storage, settings.rate_limit_submit)
    if key not in _FALLBACK:
        _FALLBACK[key] = SubmitLimiter(settings)
    return _FALLBACK[key]
