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


class NotFound(XieshangError):
    """Something named on the command line (a county, an account …) does not exist."""

    code = "NOT_FOUND"


class NotMigratedError(DatabaseError):
    """The database schema is not at the migration head."""

    code = "DATABASE_NOT_MIGRATED"


class UserError:
    """One problem with an operation's input: the model field (``sector_id``, or a path such as
    ``standards.0.code``; None for the input as a whole), a stable code and a Chinese message.
    The GraphQL layer shows it as ``userErrors { field code message }`` with the API's field
    names (``sectorId``)."""

    __slots__ = ("code", "field", "message")

    def __init__(self, field: str | None, code: str, message: str) -> None:
        self.field = field
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"UserError({self.field!r}, {self.code!r}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UserError) and (self.field, self.code, self.message) == (
            other.field,
            other.code,
            other.message,
        )

    def __hash__(self) -> int:
        return hash((self.field, self.code, self.message))


class ValidationFailed(XieshangError):
    """A mutation was refused; nothing was written. Carries every problem found."""

    code = "VALIDATION_FAILED"

    def __init__(self, errors: list[UserError]) -> None:
        super().__init__("；".join(e.message for e in errors) or "输入无效")
        self.errors = errors
