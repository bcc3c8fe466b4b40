"""What every command shares: one-line argument errors, argument types, settings, a database."""

from __future__ import annotations

import argparse
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, NoReturn

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xieshang.config import Settings

if TYPE_CHECKING:
    from xieshang.domain.unit_of_work import Work

PROG = "xieshang"


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (argparse prints the whole usage block by default)."""

    def error(self, message: str) -> NoReturn:
        self.exit(
            2, f"{self.prog}: 参数错误 argument error: {message}（{self.prog} --help 查看用法）\n"
        )


def subcommands(
    parser: argparse.ArgumentParser, dest: str, metavar: str = "ACTION"
) -> argparse._SubParsersAction[Parser]:
    """Required subcommands that also report errors in one line."""
    group = parser.add_subparsers(dest=dest, metavar=metavar, parser_class=Parser)
    group.required = True
    return group


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"需要正整数，收到 {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"需要正整数，收到 {text!r}")
    return value


def integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"需要整数，收到 {text!r}") from None


def port(text: str) -> int:
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"端口须在 1–65535 之间，收到 {text!r}")
    return value


def settings_of(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with ``--database-url`` taking precedence; a bad URL
    fails here, in one line, before anything connects."""
    env = dict(os.environ)
    if getattr(args, "database_url", None):
        env["XIESHANG_DATABASE_URL"] = args.database_url
    settings = Settings.from_env(env)
    from xieshang.db.engine import parse_database_url

    parse_database_url(settings.database_url)
    return settings


@asynccontextmanager
async def database(
    settings: Settings, *, write: bool = False
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the configured database, which must be migrated to head."""
    from xieshang.db import migrate
    from xieshang.db.engine import create_engine, session_factory, write_session_factory

    await migrate.ensure_at_head(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        yield write_session_factory(engine) if write else session_factory(engine)
    finally:
        await engine.dispose()


def writes(parser: argparse.ArgumentParser, action: str | None) -> None:
    """Declare what a command writes: the audit action of its unit of work, or None for a
    command that changes no data (a test checks that every command declares it, and that each
    writing command leaves its audit record)."""
    parser.set_defaults(audited=action)


@asynccontextmanager
async def unit_of_work(
    settings: Settings, action: str, *, target: str | None = None
) -> AsyncIterator[Work]:
    """A unit of work of the CLI (the system viewer, origin ``cli``) on the configured database,
    which must be migrated to head; live events reach the servers' subscribers on PostgreSQL."""
    from xieshang.db import migrate
    from xieshang.db.engine import create_engine, write_session_factory
    from xieshang.domain.audit import Origin
    from xieshang.domain.bus import create_bus
    from xieshang.domain.policy import Viewer
    from xieshang.domain.unit_of_work import Environment, write
    from xieshang.engine.registry import RulePlugins

    await migrate.ensure_at_head(settings.database_url)
    engine = create_engine(settings.database_url)
    bus = create_bus(settings, engine)
    try:
        env = Environment(settings, RulePlugins.load(), bus)
        async with write(
            write_session_factory(engine),
            Viewer.trusted(),
            action,
            env,
            origin=Origin(client_address="cli"),
            target=target,
        ) as work:
            yield work
    finally:
        await bus.stop()
        await engine.dispose()
