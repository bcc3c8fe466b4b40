"""The per-request context every resolver receives as ``info.context``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xieshang.config import Settings
from xieshang.db.engine import write_session_factory
from xieshang.rules.manager import Rules
from xieshang.schema.loaders import Loaders


@dataclass
class Context:
    """What a resolver needs: a session factory, settings and this request's loaders.

    Test harnesses build one directly (``Context.create(sessions, settings)``) and pass it
    to ``schema.execute``; the HTTP view builds one per request.
    """

    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    loaders: Loaders
    #: Sessions for mutations (on SQLite their transactions BEGIN IMMEDIATE).
    writes: async_sessionmaker[AsyncSession]
    #: The installed rule plugins and their standards.
    rules: Rules = field(default_factory=Rules.empty)
    request: Any = None
    response: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        writes: async_sessionmaker[AsyncSession] | None = None,
        rules: Rules | None = None,
        request: Any = None,
        response: Any = None,
    ) -> Context:
        writes = writes or write_session_factory(sessions.kw["bind"])
        rules = rules if rules is not None else Rules.load()
        return cls(
            sessions, settings, Loaders(sessions), writes, rules, request=request, response=response
        )
