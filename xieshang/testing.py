"""Test support for xieshang and for plugin authors: throwaway databases and GraphQL clients.

Loaded by pytest through the ``pytest11`` entry point, so any project with xieshang installed
gets the fixtures (all named ``xieshang_*``). Because every pytest run in such a project imports
this module, it imports nothing but the standard library and pytest at module level; xieshang's
app, database and domain (and SQLAlchemy, strawberry) are imported inside the fixtures and
functions that use them (like datasette's ``datasette/_pytest_plugin.py``).

The database engine under test is chosen by ``XIESHANG_TEST_DATABASE_URL``:

- unset: SQLite files in pytest's temporary directory;
- ``postgresql+asyncpg://user@host:port/db``: a server on which the fixtures create their own
  databases (``xieshang_test_…``) and drop them at the end of the session.

Databases are made once per session (per pytest-xdist worker) as templates (migrated; migrated
plus the demo county) and cloned per test, so each test that writes gets its own copy.

Who the GraphQL clients are:

- :func:`xieshang_graphql` clients sign in as a demo account of 蓬安县 — ``staff`` unless
  ``as_user=`` names another (``admin``, ``member``, ``auditor``, ``unit``, ``city``);
  ``anonymous=True`` is a caller without a token; ``system=True`` is the in-process system
  viewer (everything allowed, every county), for the few tests that need it;
- ``xieshang_demo_client`` is ``xieshang_graphql()``: the demo ``staff`` account;
- ``xieshang_system_client`` is the system viewer on an empty database (which has no accounts).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import sqlite3
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import pytest

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.engine import URL
    from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
    from starlette.applications import Starlette
    from starlette.types import ASGIApp, Receive, Scope, Send

    from xieshang.config import Settings
    from xieshang.domain.policy import Viewer
    from xieshang.engine.registry import RulePlugins
    from xieshang.rules.results import Assessment

TEST_DATABASE_ENV = "XIESHANG_TEST_DATABASE_URL"
#: The demo account a :func:`xieshang_graphql` client signs in as when none is named: the
#: least-privileged role of 蓬安县's office that may do everything the suite's default client does
#: (create, update and archive the county's records). County settings (``updateCounty``, its
#: standards) need ``as_user="admin"``; other counties need ``system=True``.
DEFAULT_DEMO_USER = "staff"

# Names re-exported for harnesses, imported when first used (see __getattr__ below).
_LAZY = {
    "Assessment": "xieshang.rules.results",
    "RulePlugins": "xieshang.engine.registry",
    "Viewer": "xieshang.domain.policy",
}


def __getattr__(name: str) -> Any:
    """``from xieshang.testing import Viewer`` without importing xieshang when pytest starts."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class TestDatabases:
    """Creates, clones and drops throwaway databases on the engine under test.

    On PostgreSQL ``CREATE DATABASE … TEMPLATE`` and ``DROP DATABASE`` can each take a good part
    of a second, mostly waiting for the disk, and every test needs one of each: so the copies
    tests get (:meth:`copy_for_test`) are made one ahead in a background thread while the tests
    run, and used ones are dropped (:meth:`drop_soon`) by another, several at once — each
    ``DROP DATABASE`` waits for a checkpoint, and drops issued together share one. :meth:`drop_all`
    waits for both threads.
    """

    __test__ = False  # not a test class, despite the name

    def __init__(self, server_url: str | None, folder: Path) -> None:
        from xieshang.db.engine import parse_database_url

        self.server = parse_database_url(server_url) if server_url else None
        self.folder = folder
        self.created: list[URL] = []
        # One thread makes the next copy of each template, another drops the used ones.
        self._copier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xieshang-copy")
        self._next_copies: dict[str, Future[URL]] = {}
        self._to_drop: queue.SimpleQueue[URL | None] = queue.SimpleQueue()
        self._dropper: threading.Thread | None = None

    @property
    def backend(self) -> str:
        return "postgresql" if self.server is not None else "sqlite"

    def _new_url(self, label: str) -> URL:
        from sqlalchemy.engine import make_url

        name = f"xieshang_test_{label}_{uuid.uuid4().hex[:10]}"
        if self.server is None:
            return make_url(f"sqlite+aiosqlite:///{self.folder / (name + '.db')}")
        return self.server.set(database=name)

    async def _admin(self, statement: str) -> None:
        from sqlalchemy.pool import NullPool

        from xieshang.db.engine import create_engine

        assert self.server is not None
        engine = create_engine(self.server, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                await conn.exec_driver_sql(statement)
        finally:
            await engine.dispose()

    async def create(self, label: str = "db") -> URL:
        """A new empty database."""
        url = self._new_url(label)
        if self.server is not None:
            await self._admin(f'CREATE DATABASE "{url.database}"')
        self.created.append(url)
        return url

    async def clone(self, template: URL, label: str = "copy") -> URL:
        """A new database with the same content as ``template`` (no one may be connected to it)."""
        url = self._new_url(label)
        if self.server is None:
            assert template.database and url.database
            source = sqlite3.connect(template.database)
            target = sqlite3.connect(url.database)
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
        else:
            await self._admin(f'CREATE DATABASE "{url.database}" TEMPLATE "{template.database}"')
        self.created.append(url)
        return url

    def copy_for_test(self, template: URL, label: str) -> URL:
        """A new copy of ``template`` for one test (like :meth:`clone`). On PostgreSQL it was
        made while the previous test ran, and the next one is started now."""
        if self.server is None:  # copying a SQLite file takes milliseconds
            return asyncio.run(self.clone(template, label))
        key = str(template.database)
        ready = self._next_copies.pop(key, None)
        url = ready.result() if ready is not None else asyncio.run(self.clone(template, label))
        self._next_copies[key] = self._copier.submit(
            lambda: asyncio.run(self.clone(template, label))
        )
        return url

    async def drop(self, url: URL) -> None:
        """Drop one database made here (SQLite: its files)."""
        if self.server is None:
            _remove_sqlite_files(str(url.database))
        else:
            await self._admin(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        with contextlib.suppress(ValueError):  # dropped twice
            self.created.remove(url)

    def drop_soon(self, url: URL) -> None:
        """Drop ``url`` now on SQLite, in the background on PostgreSQL (see the class)."""
        if self.server is None:
            asyncio.run(self.drop(url))
            return
        if self._dropper is None:
            self._dropper = threading.Thread(
                target=self._drop_in_batches, name="xieshang-drop", daemon=True
            )
            self._dropper.start()
        self._to_drop.put(url)

    def _drop_in_batches(self) -> None:
        while True:
            batch = [self._to_drop.get()]  # waits for the first
            while len(batch) < 16 and not self._to_drop.empty():
                batch.append(self._to_drop.get())
            # What fails here, drop_all drops again.
            asyncio.run(self._drop_together([url for url in batch if url is not None]))
            if None in batch:
                return

    async def _drop_together(self, urls: list[URL]) -> None:
        await asyncio.gather(*(self.drop(url) for url in urls), return_exceptions=True)

    async def drop_all(self) -> None:
        """Drop every database made here (after the background work has finished)."""
        # Threads, not this event loop: waiting for them here holds up nothing else.
        self._copier.shutdown(wait=True)
        self._next_copies.clear()
        if self._dropper is not None:
            self._to_drop.put(None)
            self._dropper.join()
            self._dropper = None
        while self.created:
            await self.drop(self.created.pop())


def _remove_sqlite_files(database: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def settings_for(url: URL | str, **overrides: Any) -> Settings:
    """Settings of a test run against ``url``."""
    from xieshang.config import Settings

    rendered = url if isinstance(url, str) else url.render_as_string(hide_password=False)
    return Settings(database_url=rendered, environment="test", **overrides)


@dataclass
class GraphQLResponse:
    """A GraphQL response as the client saw it."""

    status_code: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    @property
    def error_codes(self) -> list[str | None]:
        return [(e.get("extensions") or {}).get("code") for e in self.errors]


class GraphQLClient:
    """Sends GraphQL requests to an in-process xieshang app over HTTP (httpx + ASGI)."""

    def __init__(self, app: Any, *, headers: dict[str, str] | None = None) -> None:
        import httpx

        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://xieshang.test",
            headers=headers or {},
        )

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, **extra: Any
    ) -> GraphQLResponse:
        """POST a query; returns the response whatever it holds."""
        payload: dict[str, Any] = {"query": query, **extra}
        if variables is not None:
            payload["variables"] = variables
        response = await self.http.post("/graphql", json=payload)
        return GraphQLResponse(response.status_code, response.json(), dict(response.headers))

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        """POST a query that must succeed; returns ``data`` (fails the test on errors)."""
        response = await self.post(query, variables)
        assert response.status_code == 200, response.body
        assert not response.errors, response.errors
        return response.data

    async def aclose(self) -> None:
        await self.http.aclose()


# -- the system viewer ---------------------------------------------------------------------


class _SystemAuthentication:
    """xieshang's Authentication middleware, except that a request without a token is the
    system viewer instead of anonymous (a request with one is authenticated as usual)."""

    def __init__(self, app: ASGIApp, /, **kwargs: Any) -> None:
        from xieshang.web.middleware import Authentication

        self.app = app
        self.authentication = Authentication(app, **kwargs)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        from xieshang.domain.policy import Viewer

        headers = dict(scope.get("headers") or [])
        if scope["type"] not in ("http", "websocket") or b"authorization" in headers:
            await self.authentication(scope, receive, send)
            return
        scope.setdefault("state", {})["viewer"] = Viewer.trusted()
        await self.app(scope, receive, send)


def with_system_viewer(app: Starlette) -> Starlette:
    """Make ``app`` (from :func:`xieshang.server.create_app`, not yet started) treat requests
    without a token as the in-process system viewer: everything allowed, in every county, no
    rate limit. Returns ``app``.

    It swaps the app's :class:`~xieshang.web.middleware.Authentication` middleware for one that
    sets the system viewer when there is no ``Authorization`` header, so the request still
    passes every other middleware (request ID, limits, rate limit, timeout) as it would in
    production. A production deployment cannot turn this on: ``create_app``, the middleware and
    the settings have no parameter or variable for it, and a deployment only ever reaches
    ``create_app`` through ``xieshang serve`` or ``uvicorn --factory`` — it takes Python code
    holding the app object in the same process, before its first request, which is what a test
    harness is. Requests from outside never become the system viewer.
    """
    from starlette.middleware import Middleware

    from xieshang.web.middleware import Authentication

    if app.middleware_stack is not None:
        raise RuntimeError("with_system_viewer: the app has already started; call it right away")
    for index, middleware in enumerate(app.user_middleware):
        cls: Any = middleware.cls
        if cls is Authentication:
            app.user_middleware[index] = Middleware(
                _SystemAuthentication, *middleware.args, **middleware.kwargs
            )
            return app
    raise RuntimeError("with_system_viewer: the app has no Authentication middleware")


# -- pytest fixtures -----------------------------------------------------------------------


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get(TEST_DATABASE_ENV)
    if not url:
        return "xieshang test database: SQLite files in the pytest temporary directory"
    return f"xieshang test database: {_without_password(url)}"


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


@pytest.fixture(scope="session")
def xieshang_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabases]:
    """The factory of throwaway databases; every database it made is dropped at the end."""
    databases = TestDatabases(os.environ.get(TEST_DATABASE_ENV), tmp_path_factory.mktemp("db"))
    yield databases
    asyncio.run(databases.drop_all())


@pytest.fixture(scope="session")
def xieshang_migrated_template(xieshang_databases: TestDatabases) -> URL:
    """A database migrated to head; a template, never connected to by tests."""
    from xieshang.db import migrate

    async def make() -> URL:
        url = await xieshang_databases.create("migrated")
        await migrate.upgrade(url)
        return url

    return asyncio.run(make())


@pytest.fixture(scope="session")
def xieshang_demo_template(
    xieshang_databases: TestDatabases, xieshang_migrated_template: URL
) -> URL:
    """A migrated database with the demo county 蓬安县 (seed 2024); a template."""
    from sqlalchemy.pool import NullPool

    from xieshang.db.engine import create_engine, session_factory
    from xieshang.demo import county as demo_county

    async def make() -> URL:
        url = await xieshang_databases.clone(xieshang_migrated_template, "demo")
        engine = create_engine(url, poolclass=NullPool)
        try:
            await demo_county.load(session_factory(engine))
        finally:
            await engine.dispose()
        return url

    return asyncio.run(make())


@pytest.fixture
def xieshang_database_url(
    xieshang_databases: TestDatabases, xieshang_migrated_template: URL
) -> Iterator[URL]:
    """A fresh migrated, empty database for one test."""
    url = xieshang_databases.copy_for_test(xieshang_migrated_template, "empty")
    yield url
    xieshang_databases.drop_soon(url)


@pytest.fixture
def xieshang_demo_url(
    xieshang_databases: TestDatabases, xieshang_demo_template: URL
) -> Iterator[URL]:
    """A fresh copy of the demo database for one test (free to write to)."""
    url = xieshang_databases.copy_for_test(xieshang_demo_template, "demo_copy")
    yield url
    xieshang_databases.drop_soon(url)


@pytest.fixture
async def xieshang_engine(xieshang_database_url: URL) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh migrated, empty database."""
    from xieshang.db.engine import create_engine

    engine = create_engine(xieshang_database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def xieshang_demo_engine(xieshang_demo_url: URL) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh copy of the demo database."""
    from xieshang.db.engine import create_engine

    engine = create_engine(xieshang_demo_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def xieshang_sessions(xieshang_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on the test's fresh migrated, empty database."""
    from xieshang.db.engine import session_factory

    return session_factory(xieshang_engine)


@pytest.fixture
def xieshang_demo_sessions(xieshang_demo_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on the test's copy of the demo database."""
    from xieshang.db.engine import session_factory

    return session_factory(xieshang_demo_engine)


@pytest.fixture
async def xieshang_system_client(
    xieshang_engine: AsyncEngine, xieshang_database_url: URL
) -> AsyncIterator[GraphQLClient]:
    """A GraphQL client acting as the system viewer, of an app on a fresh empty database.

    The empty database has no accounts to sign in with; see :func:`with_system_viewer`.
    """
    from xieshang.server import create_app

    app = create_app(settings_for(xieshang_database_url), engine=xieshang_engine)
    client = GraphQLClient(with_system_viewer(app))
    yield client
    await client.aclose()


@pytest.fixture
def xieshang_demo_client(xieshang_graphql: Callable[..., GraphQLClient]) -> GraphQLClient:
    """A GraphQL client signed in as the demo ``staff`` account of 蓬安县, on a fresh copy of
    the demo database (``xieshang_graphql()``)."""
    return xieshang_graphql()


def token_for(user: Any, settings: Settings) -> str:
    """A valid access token for ``user`` (anything with ``id``, ``username`` and ``role``)."""
    from xieshang.domain.accounts import access_token

    return access_token(settings, user)[0]


async def scalar(sessions: async_sessionmaker[AsyncSession], stmt: sa.Select[Any]) -> Any:
    """Run one SELECT returning a single value (a small helper for assertions)."""
    async with sessions() as session:
        return await session.scalar(stmt)


# Assessment, RulePlugins and Viewer are imported on first use, by __getattr__ above.
__all__ = [
    "DEFAULT_DEMO_USER",
    "Assessment",
    "GraphQLClient",
    "GraphQLResponse",
    "RulePlugins",
    "TestDatabases",
    "Viewer",
    "scalar",
    "settings_for",
    "token_for",
    "with_system_viewer",
]


# -- for rule-plugin authors -------------------------------------------------------------------


@pytest.fixture
def xieshang_plugin_rules() -> Callable[..., RulePlugins]:
    """Make a rule set: the installed plugins plus the ones given, for one test.

    ``xieshang_plugin_rules(MyPlugin())`` or ``xieshang_plugin_rules(("mine", module))``;
    ``entry_points=False`` leaves the installed plugins out.
    """
    from xieshang.engine.registry import RulePlugins

    def make(*plugins: Any, entry_points: bool = True) -> RulePlugins:
        extra = tuple(p if isinstance(p, tuple) else (type(p).__name__.lower(), p) for p in plugins)
        return RulePlugins.load(entry_points=entry_points, extra=extra)

    return make


@pytest.fixture
def xieshang_assess(
    xieshang_demo_sessions: async_sessionmaker[AsyncSession],
) -> Callable[..., Awaitable[list[Assessment]]]:
    """Assess the demo county (or another county of the demo database) by a standard.

    ``await xieshang_assess("mine.quota", "2024", rules=rules)`` switches the standard on for
    蓬安县 (with ``overrides`` if given) and returns every subject's :class:`Assessment`.
    """
    import sqlalchemy as sa

    from xieshang.db import models as m
    from xieshang.domain import assessments, county_standards
    from xieshang.engine.registry import RulePlugins
    from xieshang.rules.periods import parse_period

    async def assess(
        standard: str,
        period: str,
        *,
        rules: RulePlugins | None = None,
        county: str = "511323",
        overrides: dict[str, float] | None = None,
    ) -> list[Assessment]:
        rules = rules if rules is not None else RulePlugins.load()
        async with xieshang_demo_sessions() as session, session.begin():
            county_id = await session.scalar(sa.select(m.County.id).where(m.County.code == county))
            assert county_id is not None, f"no county {county} in the demo database"
            await county_standards.enable(session, rules, county_id, standard, overrides)
        async with xieshang_demo_sessions() as session:
            return await assessments.assess(
                session, rules, standard, parse_period(period), [county_id]
            )

    return assess


@pytest.fixture
async def xieshang_graphql(
    xieshang_demo_engine: AsyncEngine,
    xieshang_demo_url: URL,
    xieshang_demo_sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[Callable[..., GraphQLClient]]:
    """Make GraphQL clients of apps on the test's copy of the demo database.

    ``xieshang_graphql()`` signs in as the demo ``staff`` account of 蓬安县;
    ``xieshang_graphql(as_user="admin")`` as another demo account (one per role: admin, staff,
    member, auditor, unit, city); ``xieshang_graphql(anonymous=True)`` is a caller without a
    token; ``xieshang_graphql(system=True)`` is the in-process system viewer (everything
    allowed, every county: see :func:`with_system_viewer`). Settings can be given too:
    ``xieshang_graphql(debug_sql=True)``; ``rules=`` replaces the installed rule plugins.
    """
    import sqlalchemy as sa

    from xieshang.db import models as m
    from xieshang.server import create_app

    async with xieshang_demo_sessions() as session:
        users = {u.username: u for u in (await session.scalars(sa.select(m.User))).all()}
    made: list[GraphQLClient] = []

    def make(
        *,
        rules: RulePlugins | None = None,
        as_user: str | None = None,
        anonymous: bool = False,
        system: bool = False,
        **settings: Any,
    ) -> GraphQLClient:
        if sum((as_user is not None, anonymous, system)) > 1:
            raise TypeError("xieshang_graphql: give one of as_user=, anonymous=True, system=True")
        configured = settings_for(xieshang_demo_url, **settings)
        app = create_app(configured, engine=xieshang_demo_engine, rules=rules)
        headers = None
        if system:
            app = with_system_viewer(app)
        elif not anonymous:
            username = as_user or DEFAULT_DEMO_USER
            if username not in users:
                raise KeyError(f"xieshang_graphql: no demo account {username!r} ({sorted(users)})")
            token = token_for(users[username], configured)
            headers = {"Authorization": f"Bearer {token}"}
        client = GraphQLClient(app, headers=headers)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()
