"""Shared test setup: the fixtures come from :mod:`xieshang.testing` (pytest11 plugin)."""
