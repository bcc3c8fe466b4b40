"""Rate-limit tests on shared counters (Redis, ``XIESHANG_TEST_REDIS_URL``: database 15).

Every pytest-xdist worker — and every run on the machine — counts in that one Redis database, so
these tests never empty it: each test counts for client addresses of its own
(:func:`client_address`) and clears only the counters it cannot make its own
(:func:`clear_counter`, e.g. a demo account's, whose ID is the same in every copy of the demo).
"""

from __future__ import annotations

import os
import uuid

REDIS = os.environ.get("XIESHANG_TEST_REDIS_URL")
#: The counter storages a rate-limit test runs on: memory, and Redis when one is given.
STORAGES = ["memory://", *([REDIS] if REDIS else [])]


def client_address() -> str:
    """A client address (10.x.y.z) that no other test, worker or run uses."""
    a, b, c = uuid.uuid4().bytes[:3]
    return f"10.{a}.{b}.{c or 1}"


async def clear_counter(storage: str, limit: str, *identifiers: str) -> None:
    """Forget the moving-window counter of ``identifiers`` under ``limit`` in ``storage``."""
    from limits import parse
    from limits.aio.strategies import MovingWindowRateLimiter
    from limits.storage import storage_from_string

    counters = storage_from_string(storage if storage.startswith("async+") else f"async+{storage}")
    await MovingWindowRateLimiter(counters).clear(parse(limit), *identifiers)
