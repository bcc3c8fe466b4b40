"""The per-request context every resolver receives as ``info.context``."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xieshang.config import Settings
from xieshang.db.engine import write_session_factory
from xieshang.domain.audit import Origin
from xieshang.domain.bus import MemoryBus
from xieshang.domain.policy import Viewer
from xieshang.domain.submit_limit import SubmitLimiter
from xieshang.domain.unit_of_work import Environment, Work, write
from xieshang.engine.registry import RulePlugins
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
    rule_plugins: RulePlugins = field(default_factory=RulePlugins.empty)
    #: Who is asking (anonymous unless the request carried a valid token).
    viewer: Viewer = field(default_factory=Viewer.anonymous)
    #: Where the request came from, for the audit trail.
    origin: Origin = field(default_factory=Origin)
    request: Any = None
    response: Any = None
    #: The payload of a WebSocket's connection_init (strawberry sets it).
    connection_params: Any = None
    #: Where committed events go and subscriptions listen (in-process unless the app gives one).
    bus: MemoryBus = field(default_factory=MemoryBus)
    #: The application's limit on residents' topic submissions (one per process when None).
    submit_limiter: SubmitLimiter | None = None

    @property
    def env(self) -> Environment:
        """What domain operations of this request may use besides the database."""
        return Environment(self.settings, self.rule_plugins, self.bus, self.submit_limiter)

    def work(
        self, action: str, *, target: str | None = None, restrict: bool = True
    ) -> AbstractAsyncContextManager[Work]:
        """A unit of work of this request's viewer (see :func:`xieshang.domain.unit_of_work.write`)."""
        return write(
            self.writes,
            self.viewer,
            action,
            self.env,
            origin=self.origin,
            target=target,
            restricted=restrict,
        )

    @classmethod
    def create(
        cls,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        writes: async_sessionmaker[AsyncSession] | None = None,
        rules: RulePlugins | None = None,
        viewer: Viewer | None = None,
        origin: Origin | None = None,
        request: Any = None,
        response: Any = None,
        bus: MemoryBus | None = None,
        submit_limiter: SubmitLimiter | None = None,
    ) -> Context:
        """A context; harnesses calling the schema in-process usually pass ``Viewer.trusted()``."""
        writes = writes or write_session_factory(sessions.kw["bind"])
        rules = rules if rules is not None else RulePlugins.load()
        return cls(
            sessions,
            settings,
            Loaders(sessions),
            writes,
            rules,
            viewer or Viewer.anonymous(),
            origin or Origin(),
            request=request,
            response=response,
            bus=bus or MemoryBus(),
            submit_limiter=submit_limiter,
        )
