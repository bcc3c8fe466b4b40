"""Shared test setup: the fixtures come from :mod:`xieshang.testing` (pytest11 plugin).

Tests marked ``postgresql`` are deselected when the tests run on SQLite. Tests marked ``slow``
(the ones that take several seconds: real processes, fresh virtual environments, a browser,
fuzzing) are left out by ``make test-fast`` (``pytest -m "not slow"``); CI runs everything.

Hypothesis profiles for the fuzz tests (tests/test_security_fuzz.py): ``default`` runs a fixed
set of examples, the same on every run, so CI is reproducible; ``explore`` runs many more,
freshly random (``pytest --hypothesis-profile=explore tests/test_security_fuzz.py``).
"""

import os

import pytest
from hypothesis import settings

settings.register_profile("default", max_examples=60, derandomize=True, database=None)
settings.register_profile("explore", max_examples=1000, derandomize=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgresql: needs PostgreSQL (LISTEN/NOTIFY across processes, row locks)"
    )
    config.addinivalue_line(
        "markers", "slow: takes seconds (left out by `make test-fast`: pytest -m 'not slow')"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgresql`` run in the PostgreSQL run only; in the SQLite run they are
    deselected (not skipped: CI fails a run that skips anything)."""
    url = os.environ.get("XIESHANG_TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        return
    kept = [item for item in items if item.get_closest_marker("postgresql") is None]
    dropped = [item for item in items if item.get_closest_marker("postgresql") is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
