"""HTTP hardening around the GraphQL app, as plain ASGI middleware (outermost first):

1. :class:`RequestContext` — a request ID (``X-Request-ID``) for logs, errors and the audit trail;
2. :class:`SecurityHeaders` — nosniff, frame denial, no referrer, a content security policy,
   ``Cache-Control: no-store``, HSTS in production;
3. :class:`BodyLimit` — refuses request bodies over the limit with 413;
4. :class:`Authentication` — a bearer token becomes the request's viewer; a bad one is a 401;
5. :class:`RateLimit` — per user, or per address for anonymous callers; 429 with Retry-After;
6. :class:`Timeout` — a request that runs too long gets a 503 ``REQUEST_TIMEOUT``.

CORS comes from Starlette's middleware with the configured allow-list.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from typing import Any

from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import ConfigurationError
from limits.storage import storage_from_string
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xieshang.config import Settings
from xieshang.domain import accounts
from xieshang.domain.policy import Viewer
from xieshang.errors import ConfigError

logger = logging.getLogger("xieshang.http")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_HTML_POLICY = (
    b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    b"base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors 'none'"
)


def _state(scope: Scope) -> dict[str, Any]:
    state: dict[str, Any] = scope.setdefault("state", {})
    return state


async def _json(
    send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> None:
    body = json.dumps(
        {"errors": [{"message": message, "extensions": {"code": code}}]}, ensure_ascii=False
    ).encode()
    raw = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
    ]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class RequestContext:
    """Gives every request an ID (the caller's ``X-Request-ID`` if it is sane) and echoes it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        state = _state(scope)
        state["request_id"] = request_id
        client = scope.get("client")
        state["client_address"] = client[0] if client else None

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        await self.app(scope, receive, send_with_id)


class SecurityHeaders:
    """Headers that keep browsers from doing unsafe things with our responses."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.production = settings.is_production

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                html = any(
                    k.lower() == b"content-type" and b"text/html" in v
                    for k, v in message.get("headers", [])
                )
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"cache-control", b"no-store"),
                    (
                        b"content-security-policy",
                        # HTML is the GraphiQL page (xieshang.web.graphiql): its scripts, styles and
                        # requests all go to this server; GraphiQL sets inline style attributes.
                        _HTML_POLICY if html else b"default-src 'none'; frame-ancestors 'none'",
                    ),
                ]
                if self.production:
                    extra.append(
                        (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
                    )
                message["headers"] = [
                    *message.get("headers", []),
                    *[(k, v) for k, v in extra if k not in present],
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies larger than ``max_body_bytes`` (declared or actually sent)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limit = settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await _json(send, 413, "PAYLOAD_TOO_LARGE", f"请求体过大（上限 {self.limit} 字节）")
            return
        received = 0

        class TooLarge(Exception):
            pass

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise TooLarge
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except TooLarge:
            if not started:
                await _json(send, 413, "PAYLOAD_TOO_LARGE", f"请求体过大（上限 {self.limit} 字节）")


class Authentication:
    """Turns ``Authorization: Bearer …`` into the request's viewer; anonymous without one."""

    def __init__(
        self,
        app: ASGIApp,
        settings: Settings,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        self.app = app
        self.settings = settings
        self.sessions = sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = (
            dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1").strip()
        )
        state = _state(scope)
        state["viewer"] = Viewer.anonymous()
        if header:
            scheme, _, token = header.partition(" ")
            try:
                if scheme.lower() != "bearer" or not token.strip():
                    raise accounts.AuthError("Authorization 头应为 Bearer <访问令牌>")
                async with self.sessions() as session:
                    state["viewer"] = await accounts.viewer_from_token(
                        session, self.settings, token.strip()
                    )
            except accounts.AuthError as exc:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 4401})
                    return
                await _json(
                    send,
                    401,
                    exc.code,
                    exc.message,
                    {"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
                return
        await self.app(scope, receive, send)


class RateLimit:
    """A moving window per signed-in user, or per client address for anonymous callers."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        try:
            self.anonymous = parse(settings.rate_limit_anonymous)
            self.user = parse(settings.rate_limit_user)
            uri = settings.rate_limit_storage
            storage = storage_from_string(uri if uri.startswith("async+") else f"async+{uri}")
        except (ValueError, ConfigurationError) as exc:
            raise ConfigError(f"限流配置无效：{exc}") from exc
        self.limiter = MovingWindowRateLimiter(storage)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in ("/healthz", "/readyz"):
            await self.app(scope, receive, send)
            return
        state = _state(scope)
        viewer: Viewer = state.get("viewer") or Viewer.anonymous()
        if viewer.user_id is not None:
            item, key = self.user, f"user:{viewer.user_id}"
        elif viewer.system:
            await self.app(scope, receive, send)
            return
        else:
            item, key = self.anonymous, f"address:{state.get('client_address') or 'unknown'}"
        if not await self.limiter.hit(item, key):
            stats = await self.limiter.get_window_stats(item, key)
            retry = max(1, int(stats.reset_time - time.time()) + 1)
            await _json(
                send,
                429,
                "RATE_LIMITED",
                f"请求过于频繁，请 {retry} 秒后再试",
                {"Retry-After": str(retry)},
            )
            return
        await self.app(scope, receive, send)


class Timeout:
    """Ends HTTP requests that run longer than ``request_timeout_seconds``."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.seconds = settings.request_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            async with asyncio.timeout(self.seconds):
                await self.app(scope, receive, tracking_send)
        except TimeoutError:
            logger.warning(
                "request %s timed out after %ss", _state(scope).get("request_id"), self.seconds
            )
            if not started:
                await _json(
                    send,
                    503,
                    "REQUEST_TIMEOUT",
                    f"请求超时（上限 {self.seconds:g} 秒），请缩小查询范围后重试",
                )
