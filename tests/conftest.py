"""Shared test setup: the fixtures come from :mod:`xieshang.testing` (pytest11 plugin).

Hypothesis profiles for the fuzz tests (tests/test_security_fuzz.py): ``default`` runs a fixed
set of examples, the same on every run, so CI is reproducible; ``explore`` runs many more,
freshly random (``pytest --hypothesis-profile=explore tests/test_security_fuzz.py``).
"""

from hypothesis import settings

settings.register_profile("default", max_examples=60, derandomize=True, database=None)
settings.register_profile("explore", max_examples=1000, derandomize=False)
