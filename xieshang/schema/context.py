"""The per-request context every resolver receives as ``info.context``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xieshang.config import Settings
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
    request: Any = None
    response: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(
        cls,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        request: Any = None,
        response: Any = None,
    ) -> Context:
        return cls(sessions, settings, Loaders(sessions), request=request, response=response)
