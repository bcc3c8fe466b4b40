"""Starlette application factory: ``/graphql`` (HTTP and WebSocket), ``/healthz``, ``/readyz``
and ``/metrics``.

``uvicorn --factory xieshang.server:create_app`` and ``xieshang serve`` both call
:func:`create_app`, which reads settings from the environment unless given some.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from xieshang import __version__
from xieshang.config import Settings
from xieshang.db import stats
from xieshang.db.engine import create_engine, session_factory, write_session_factory
from xieshang.domain.accounts import AuthError, viewer_from_token
from xieshang.domain.audit import Origin
from xieshang.domain.bus import MemoryBus, create_bus
from xieshang.domain.overdue import sweep_periodically
from xieshang.domain.policy import Viewer
from xieshang.domain.submit_limit import SubmitLimiter
from xieshang.domain.unit_of_work import Environment
from xieshang.engine.registry import RulePlugins
from xieshang.schema import build_schema
from xieshang.schema.context import Context
from xieshang.web.exports import export_endpoint
from xieshang.web.graphiql import GraphiQLPage
from xieshang.web.middleware import (
    Authentication,
    BodyLimit,
    RateLimit,
    RequestContext,
    SecurityHeaders,
    Timeout,
)
from xieshang.web.observability import (
    GRAPHQL_OUTCOME,
    Metrics,
    Observe,
    allowed,
    outcome_of,
    readiness,
)

logger = logging.getLogger("xieshang.server")


class GraphQLApp(GraphQL[Context, None]):
    """strawberry's ASGI view with xieshang's per-request context."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        rules: RulePlugins,
        tuned: bool = True,
        bus: MemoryBus | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(build_schema(settings, tuned=tuned), **kwargs)
        self.sessions = sessions
        self.writes = write_session_factory(sessions.kw["bind"])
        self.settings = settings
        self.rules = rules
        self.bus = bus or MemoryBus()
        # One counter of public topic submissions per app (shared through Redis if configured).
        self.submit_limiter = SubmitLimiter(settings)
        # GraphiQL from files served by this server, not strawberry's CDN page.
        self.graphiql_page = GraphiQLPage(settings)

    async def render_graphql_ide(self, request: Request) -> Response:
        """The self-hosted GraphiQL page (see :mod:`xieshang.web.graphiql`)."""
        return self.graphiql_page.response()

    async def get_context(self, request: Any, response: Any = None) -> Context:
        state = request.scope.get("state") or {}
        context = Context.create(
            self.sessions,
            self.settings,
            writes=self.writes,
            rules=self.rules,
            viewer=state.get("viewer") or Viewer.anonymous(),
            origin=Origin(state.get("client_address"), state.get("request_id")),
            request=request,
            response=response,
            bus=self.bus,
            submit_limiter=self.submit_limiter,
        )
        return context

    async def process_result(self, request: Any, result: Any) -> Any:
        """The response body, with its outcome noted for /metrics and the request log."""
        processed = await super().process_result(request, result)
        state = request.scope.setdefault("state", {})
        state[GRAPHQL_OUTCOME] = outcome_of(processed)
        return processed

    async def on_ws_connect(self, context: Context) -> Any:
        """Authenticate a WebSocket at ``connection_init``: ``{"authorization": "Bearer …"}``."""
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        header = str(params.get("authorization") or params.get("Authorization") or "").strip()
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        try:
            if scheme.lower() != "bearer" or not token.strip():
                raise AuthError("authorization 应为 Bearer <访问令牌>")
            async with self.sessions() as session:
                context.viewer = await viewer_from_token(session, self.settings, token.strip())
        except AuthError as exc:
            raise ConnectionRejectionError({"code": exc.code, "message": exc.message}) from exc
        return None


def create_app(
    settings: Settings | None = None,
    *,
    engine: AsyncEngine | None = None,
    rules: RulePlugins | None = None,
    tuned: bool = True,
) -> Starlette:
    """The xieshang ASGI application.

    ``engine`` lets a harness share one engine with the app; otherwise the app makes one
    from ``settings.database_url`` and disposes of it at shutdown. ``rules`` defaults to every
    installed plugin; a broken plugin is logged and reported by ``xieshang rules check``, it
    does not stop the service. ``tuned=False`` is for benchmarks only
    (see :func:`xieshang.schema.build_schema`). A request without a token is anonymous;
    nothing here or in the settings can make it anyone else.
    """
    settings = settings or Settings.from_env()
    owns_engine = engine is None
    engine = engine or create_engine(settings.database_url)
    stats.install(engine)
    sessions = session_factory(engine)
    rules = rules if rules is not None else RulePlugins.load()
    for problem in rules.problems:
        logger.warning("rule plugin problem: %s", problem)
    bus = create_bus(settings, engine)
    graphql = GraphQLApp(
        sessions,
        settings,
        rules=rules,
        tuned=tuned,
        bus=bus,
        graphql_ide="graphiql" if settings.graphiql else None,
        allow_queries_via_get=True,
        # The legacy graphql-ws subprotocol had an authentication bypass: serve only the
        # maintained graphql-transport-ws protocol.
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        allowed_origins=settings.cors_origins,
    )

    async def healthz(_request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    metrics = Metrics(engine, bus, version=__version__)

    async def readyz(_request: Request) -> Response:
        ready, details = await readiness(engine)
        return JSONResponse(details, status_code=200 if ready else 503)

    async def metrics_view(request: Request) -> Response:
        # Only from the configured addresses (XIESHANG_METRICS_ALLOW; see docs/security.md).
        if not allowed(
            request.scope.get("state", {}).get("client_address"), settings.metrics_allow
        ):
            return JSONResponse(
                {"errors": [{"message": "无权读取监控指标", "extensions": {"code": "FORBIDDEN"}}]},
                status_code=403,
            )
        return Response(metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await bus.start()
        sweeper: asyncio.Task[None] | None = None
        if settings.overdue_sweep_seconds > 0:
            sweeper = asyncio.create_task(
                sweep_periodically(
                    graphql.writes,
                    Environment(settings, rules, bus, graphql.submit_limiter),
                    settings.overdue_sweep_seconds,
                ),
                name="xieshang-overdue-sweeper",
            )
        try:
            yield
        finally:
            if sweeper is not None:
                sweeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sweeper
            await bus.stop()
            if owns_engine:
                await engine.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/exports/{name}", export_endpoint, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics_view, methods=["GET"]),
            *(graphql.graphiql_page.routes() if settings.graphiql else []),
        ],
        lifespan=lifespan,
        middleware=[
            Middleware(RequestContext),
            Middleware(Observe, metrics=metrics),
            Middleware(SecurityHeaders, settings=settings),
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
                expose_headers=["X-Request-ID", "Retry-After"],
            ),
            Middleware(BodyLimit, settings=settings),
            Middleware(Authentication, settings=settings, sessions=sessions),
            Middleware(RateLimit, settings=settings),
            Middleware(Timeout, settings=settings),
        ],
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.rules = rules
    app.state.bus = bus
    app.state.writes = graphql.writes  # audit events of /exports downloads
    app.state.metrics = metrics
    return app
