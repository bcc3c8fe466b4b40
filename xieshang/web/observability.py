"""Operations: readiness, Prometheus metrics and one structured log line per request.

- :func:`readiness` — is the database reachable (``SELECT 1`` with a short timeout) and at the
  newest migration? ``/readyz`` answers 200 or 503 with the reason. Nothing is cached: the next
  probe after the database comes back succeeds.
- :class:`Metrics` — one ``prometheus_client`` registry per application (several apps in one
  test process must not share counters): GraphQL requests by operation and outcome, latency
  histograms, the database pool, assessment run times, events delivered.
- :class:`Observe` — ASGI middleware that times each HTTP request, counts its SQL statements,
  records the metrics and writes the log line (logger ``xieshang.access``).
- :func:`log_config` — the ``logging.config`` dictionary ``xieshang serve`` hands to uvicorn
  (JSON lines, or readable lines in development).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import sqlalchemy as sa
from prometheus_client import CollectorRegistry, Counter, Histogram, Info, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Receive, Scope, Send

from xieshang.db import stats
from xieshang.db.migrate import head_revision
from xieshang.domain.assessments import run_times

access_logger = logging.getLogger("xieshang.access")

#: Identifies this server process in ``X-Served-By`` and ``/metrics`` (random: reveals nothing).
WORKER_ID = uuid.uuid4().hex[:12]
#: How long ``/readyz`` waits for the database before calling it unreachable.
READY_TIMEOUT_SECONDS = 3.0
#: Distinct operation names kept as metric labels; later new names count as ``other``.
MAX_OPERATION_LABELS = 200
_OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
OUTCOMES = ("ok", "user_error", "error", "forbidden")
#: Scope state key under which the GraphQL view notes the outcome of the operation it ran.
GRAPHQL_OUTCOME = "graphql_outcome"
_FORBIDDEN_CODES = frozenset({"FORBIDDEN", "UNAUTHENTICATED", "NOT_AUTHENTICATED"})
#: Request bodies longer than this are not parsed for the operation name.
_MAX_PEEK_BYTES = 1_000_000
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


# -- readiness ---------------------------------------------------------------------------------


async def readiness(
    engine: AsyncEngine, *, wait_seconds: float = READY_TIMEOUT_SECONDS
) -> tuple[bool, dict[str, Any]]:
    """``(ready, details)``: the database answers ``SELECT 1`` within ``wait_seconds`` and its
    migration revision is the newest this version ships."""
    head = head_revision()
    missing = _missing_sqlite_file(engine)
    if missing is not None:
        return False, {"status": "unavailable", "reason": f"数据库文件不存在：{missing}"}

    async def probe() -> str | None:
        async with engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
            try:
                row = (
                    await conn.execute(sa.text("SELECT version_num FROM alembic_version"))
                ).first()
            except sa.exc.DBAPIError:
                return None  # no version table: never migrated
            return str(row[0]) if row else None

    try:
        revision = await asyncio.wait_for(probe(), wait_seconds)
    except TimeoutError:
        return False, {"status": "unavailable", "reason": f"数据库在 {wait_seconds:g} 秒内无响应"}
    except (sa.exc.SQLAlchemyError, OSError) as exc:
        orig = getattr(exc, "orig", None) or exc
        first = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
        return False, {"status": "unavailable", "reason": f"无法连接数据库：{first}"}
    if revision != head:
        return False, {
            "status": "not_migrated",
            "reason": f"数据库版本为 {revision or '空'}，需要 {head}；请运行 xieshang db upgrade",
            "revision": revision,
            "head": head,
        }
    return True, {"status": "ready", "revision": revision}


def _missing_sqlite_file(engine: AsyncEngine) -> Path | None:
    """The SQLite database file if it is gone (a new connection would create an empty one)."""
    if engine.url.get_backend_name() != "sqlite":
        return None
    path = Path(engine.url.database or "").expanduser()
    return None if path.is_file() else path


# -- metrics -----------------------------------------------------------------------------------


class _Gauges(Collector):
    """Values read when scraped: the database pool and the events handed to subscribers."""

    def __init__(self, engine: AsyncEngine, bus: Any) -> None:
        self.engine = engine
        self.bus = bus

    def collect(self) -> Iterable[Metric]:
        pool = self.engine.sync_engine.pool
        checked_out = GaugeMetricFamily(
            "xieshang_db_pool_checked_out", "数据库连接池中正在使用的连接数 connections in use"
        )
        size = GaugeMetricFamily(
            "xieshang_db_pool_size", "数据库连接池的容量 pool size (0: no fixed pool)"
        )
        checked_out.add_metric([], float(_call(pool, "checkedout")))
        size.add_metric([], float(_call(pool, "size")))
        yield checked_out
        yield size
        delivered = GaugeMetricFamily(
            "xieshang_events_delivered",
            "交给本进程订阅者的实时事件数（进程启动以来）events handed to subscribers",
        )
        delivered.add_metric([], float(getattr(self.bus, "delivered", 0)))
        yield delivered
        subscribers = GaugeMetricFamily(
            "xieshang_event_subscribers", "本进程当前的订阅数 open subscriptions"
        )
        subscribers.add_metric([], float(getattr(self.bus, "subscriber_count", 0)))
        yield subscribers


def _call(pool: Any, name: str) -> int:
    method = getattr(pool, name, None)
    try:
        return int(method()) if callable(method) else 0
    except (TypeError, ValueError):
        return 0


class Metrics:
    """The Prometheus metrics of one application (its own registry)."""

    def __init__(self, engine: AsyncEngine, bus: Any, *, version: str) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "xieshang_graphql_requests",
            "GraphQL 请求数，按操作名与结果 requests by operation and outcome",
            ["operation", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "xieshang_graphql_request_seconds",
            "GraphQL 请求耗时 request latency",
            ["operation"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.http = Counter(
            "xieshang_http_requests",
            "HTTP 请求数，按路径与状态码 requests by path and status",
            ["path", "status"],
            registry=self.registry,
        )
        self.assessments = Histogram(
            "xieshang_assessment_run_seconds",
            "考核计算耗时，按标准 assessment run time by standard",
            ["standard"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        info = Info("xieshang_process", "服务进程 server process", registry=self.registry)
        info.info({"version": version, "pid": str(os.getpid()), "worker": WORKER_ID})
        self.registry.register(_Gauges(engine, bus))
        self._operations: set[str] = set()

    def operation_label(self, name: str | None) -> str:
        """A bounded label for an operation name chosen by the client."""
        if not name:
            return "anonymous"
        if not _OPERATION_NAME.match(name):
            return "invalid"
        if name not in self._operations:
            if len(self._operations) >= MAX_OPERATION_LABELS:
                return "other"
            self._operations.add(name)
        return name

    def observe_assessment(self, standard: str, seconds: float) -> None:
        """Note the run time of one assessment (see :data:`xieshang.domain.assessments.run_times`)."""
        self.assessments.labels(standard).observe(seconds)

    def render(self) -> bytes:
        """The metrics in the Prometheus text format."""
        return generate_latest(self.registry)


def outcome_of(body: Mapping[str, Any]) -> str:
    """``ok`` / ``user_error`` / ``error`` / ``forbidden`` for a GraphQL response body."""
    codes = [
        (error.get("extensions") or {}).get("code")
        for error in body.get("errors") or []
        if isinstance(error, dict)
    ]
    if any(code in _FORBIDDEN_CODES for code in codes):
        return "forbidden"
    if codes:
        return "error"
    data = body.get("data")
    if isinstance(data, dict) and any(
        isinstance(payload, dict) and payload.get("userErrors") for payload in data.values()
    ):
        return "user_error"
    return "ok"


# -- who may read /metrics ---------------------------------------------------------------------


def allowed(address: str | None, networks: Iterable[str]) -> bool:
    """Whether ``address`` is in one of ``networks`` (addresses or CIDR blocks)."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for network in networks:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            continue
    return False


# -- per-request middleware --------------------------------------------------------------------


class Observe:
    """Times each HTTP request, counts its SQL statements, records metrics, logs one line.

    Sits inside :class:`xieshang.web.middleware.RequestContext` (for the request ID); the viewer and
    the GraphQL operation are read from the scope state filled by the inner layers.
    """

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":

            async def accept(message: Any) -> None:
                if message["type"] == "websocket.accept":
                    served_by = (b"x-served-by", WORKER_ID.encode())
                    message["headers"] = [*message.get("headers", []), served_by]
                await send(message)

            token = run_times.set(self.metrics.observe_assessment)
            try:
                await self.app(scope, receive, accept if scope["type"] == "websocket" else send)
            finally:
                run_times.reset(token)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        status = 500
        post = scope.get("path") == "/graphql" and scope.get("method") == "POST"
        request_body: list[bytes] = []

        async def listen() -> Any:
            message = await receive()
            peek = post and sum(map(len, request_body)) < _MAX_PEEK_BYTES
            if peek and message.get("type") == "http.request":
                request_body.append(message.get("body", b""))
            return message

        async def watch(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-served-by", WORKER_ID.encode())]
            await send(message)

        started = time.perf_counter()
        token = run_times.set(self.metrics.observe_assessment)
        try:
            with stats.track() as tally:
                await self.app(scope, listen, watch)
        finally:
            run_times.reset(token)
            seconds = time.perf_counter() - started
            if post:
                state["operation_name"] = operation_name(b"".join(request_body))
            elif scope.get("path") == "/graphql" and GRAPHQL_OUTCOME in state:  # GET
                state["operation_name"] = _query_string_operation(scope)
            self._record(scope, state, status, seconds, tally.statements)

    def _record(
        self,
        scope: Scope,
        state: dict[str, Any],
        status: int,
        seconds: float,
        statements: int,
    ) -> None:
        path = str(scope.get("path") or "")
        known = path in ("/graphql", "/healthz", "/readyz", "/metrics")
        self.metrics.http.labels(path if known else "other", str(status)).inc()
        operation: str | None = None
        outcome: str | None = None
        if "operation_name" in state:
            operation = self.metrics.operation_label(state["operation_name"])
            outcome = _outcome(status, state.get(GRAPHQL_OUTCOME))
            self.metrics.requests.labels(operation, outcome).inc()
            self.metrics.latency.labels(operation).observe(seconds)
        viewer = state.get("viewer")
        access_logger.info(
            "%s %s %s",
            scope.get("method"),
            path,
            status,
            extra={
                "request": {
                    "request_id": state.get("request_id"),
                    "method": scope.get("method"),
                    "path": path,
                    "operation": operation,
                    "outcome": outcome,
                    "user": getattr(viewer, "username", None),
                    "county_id": getattr(viewer, "county_id", None),
                    "status": status,
                    "duration_ms": round(seconds * 1000, 3),
                    "sql_statements": statements,
                    "client": state.get("client_address"),
                }
            },
        )


_NAMED_OPERATION = re.compile(r"^\s*(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)")


def operation_name(body: bytes) -> str | None:
    """The operation a GraphQL POST body runs: ``operationName``, else the name of its first
    operation (``query Name { … }``), else None."""
    try:
        payload = json.loads(body) if body else None
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    name = payload.get("operationName")
    if isinstance(name, str) and name:
        return name
    query = payload.get("query")
    if isinstance(query, str):
        match = _NAMED_OPERATION.match(re.sub(r"#[^\n]*", "", query))
        if match:
            return match.group(1)
    return None


def _outcome(status: int, noted: str | None) -> str:
    """The outcome the GraphQL view noted, or for requests refused before it ran (401, 413,
    429, 503 …) one from the status."""
    if noted is not None:
        return noted
    return "forbidden" if status in (401, 403) else "error"


def _query_string_operation(scope: Scope) -> str | None:
    params = parse_qs((scope.get("query_string") or b"").decode("latin-1"))
    payload = {key: values[0] for key, values in params.items() if values}
    return operation_name(json.dumps(payload).encode())


# -- logging -----------------------------------------------------------------------------------

_STANDARD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the request fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if isinstance(request, dict):
            entry.update(request)
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRIBUTES and key not in ("request", "color_message"):
                entry[key] = value if isinstance(value, str | int | float | bool) else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class ReadableFormatter(logging.Formatter):
    """Development: ``time level logger message key=value …``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        request = getattr(record, "request", None)
        if isinstance(request, dict):
            shown = ("operation", "outcome", "user", "duration_ms", "sql_statements", "request_id")
            line += " " + " ".join(f"{k}={request[k]}" for k in shown if request.get(k) is not None)
        return line


def log_config(environment: str, level: str = "INFO") -> dict[str, Any]:
    """``logging.config.dictConfig`` settings for xieshang and uvicorn: JSON lines, except in
    development (readable). Passed to uvicorn so that every worker process applies it."""
    formatter = "readable" if environment == "development" else "json"
    handler = {
        "class": "logging.StreamHandler",
        "formatter": formatter,
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "xieshang.web.observability.JsonFormatter"},
            "readable": {"()": "xieshang.web.observability.ReadableFormatter"},
        },
        "handlers": {"default": handler},
        "loggers": {
            "xieshang": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            # xieshang.access already logs every request, with more in it.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
