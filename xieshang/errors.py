"""Exceptions shared by every layer.

Each carries a stable machine ``code`` and a Chinese ``message``; the CLI prints them as
one line, the GraphQL layer turns them into ``userErrors`` or masked errors.
"""

from __future__ import annotations


class XieshangError(Exception):
    """Base class: an expected failure with a stable code and a Chinese message."""

    code = "ERROR"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field


class ConfigError(XieshangError):
    """A setting or command-line argument is wrong."""

    code = "CONFIG_INVALID"


class DatabaseError(XieshangError):
    """The database cannot be reached or is not in the expected state."""

    code = "DATABASE_UNAVAILABLE"


class NotMigratedError(DatabaseError):
    """The database schema is not at the migration head."""

    code = "DATABASE_NOT_MIGRATED"
