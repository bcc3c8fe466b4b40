"""The ``xieshang`` command: serve, db, demo.

Every failure the user can cause — a wrong argument, a bad database URL, an unreachable
database — ends in one line on stderr and a non-zero exit, never a traceback
(set ``XIESHANG_DEBUG=1`` to see one).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from xieshang import __version__
from xieshang.config import Settings
from xieshang.errors import XieshangError

PROG = "xieshang"


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (argparse prints the whole usage block by default)."""

    def error(self, message: str) -> NoReturn:
        self.exit(
            2, f"{self.prog}: 参数错误 argument error: {message}（{self.prog} --help 查看用法）\n"
        )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"需要正整数，收到 {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"需要正整数，收到 {text!r}")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"需要整数，收到 {text!r}") from None


def _port(text: str) -> int:
    value = _positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"端口须在 1–65535 之间，收到 {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand (also used to document the CLI)."""
    parser = _Parser(
        prog=PROG,
        description="xieshang（协商）：县政协“有事来协商”GraphQL 服务 consultation service",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="数据库地址（默认取 XIESHANG_DATABASE_URL，未设置时为 sqlite+aiosqlite:///./xieshang.db）",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    serve = commands.add_parser("serve", help="启动服务 run the GraphQL service")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    serve.add_argument("--port", type=_port, default=8000, help="端口（默认 8000）")
    serve.add_argument("--workers", type=_positive_int, default=1, help="工作进程数（默认 1）")
    serve.add_argument("--reload", action="store_true", help="代码变化时自动重启（仅开发用）")
    serve.add_argument(
        "--demo",
        action="store_true",
        help="启动前迁移数据库并载入演示县 蓬安县（已载入则不变）",
    )

    db = commands.add_parser("db", help="数据库迁移 database migrations")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", parser_class=_Parser)
    db_commands.required = True
    upgrade = db_commands.add_parser("upgrade", help="升级到最新（或指定）版本 apply migrations")
    upgrade.add_argument("revision", nargs="?", default="head", help="目标版本（默认 head）")
    downgrade = db_commands.add_parser("downgrade", help="回退迁移 revert migrations")
    downgrade.add_argument(
        "revision", nargs="?", default="-1", help="目标版本（默认 -1，回退一步；base 为全部）"
    )
    db_commands.add_parser("current", help="显示数据库当前版本 show the current revision")
    revision = db_commands.add_parser(
        "revision", help="（开发者）按模型差异生成新迁移 autogenerate a migration"
    )
    revision.add_argument("-m", "--message", required=True, help="迁移说明")

    schema = commands.add_parser("schema", help="GraphQL 模式 schema")
    schema_commands = schema.add_subparsers(
        dest="schema_command", metavar="ACTION", parser_class=_Parser
    )
    schema_commands.required = True
    printer = schema_commands.add_parser("print", help="输出 SDL print the schema (SDL)")
    printer.add_argument("--output", "-o", metavar="FILE", help="写入文件（默认输出到屏幕）")

    demo = commands.add_parser("demo", help="演示数据 demo data")
    demo_commands = demo.add_subparsers(dest="demo_command", metavar="ACTION", parser_class=_Parser)
    demo_commands.required = True
    load = demo_commands.add_parser("load", help="载入演示县 蓬安县（511323） load the demo county")
    load.add_argument(
        "--seed", type=_int, default=2024, help="随机种子（默认 2024）；同一种子结果相同"
    )
    load.add_argument("--replace", action="store_true", help="已载入时删除后按种子重建")
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    env = dict(os.environ)
    if args.database_url:
        env["XIESHANG_DATABASE_URL"] = args.database_url
    settings = Settings.from_env(env)
    from xieshang.db.engine import parse_database_url

    parse_database_url(settings.database_url)  # fail early, in one line, on a bad URL
    return settings


async def _demo_load(settings: Settings, seed: int, replace: bool) -> None:
    from xieshang.db import migrate
    from xieshang.db.engine import create_engine, session_factory
    from xieshang.demo import pengan

    await migrate.ensure_at_head(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        result = await pengan.load(session_factory(engine), seed=seed, replace=replace)
    finally:
        await engine.dispose()
    counts = result.counts
    summary = (
        f"平台 {counts.get('platforms', 0)}，工作室 {counts.get('studios', 0)}，"
        f"委员 {counts.get('members', 0)}，议题 {counts.get('topics', 0)}"
    )
    if result.created:
        print(f"已载入演示县 蓬安县（511323，种子 {seed}）：{summary}")
    else:
        print(f"演示县 蓬安县（511323）已存在，未做改动：{summary}（--replace 可重建）")


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from xieshang.db import migrate

    if args.demo:
        asyncio.run(migrate.upgrade(settings.database_url))
        asyncio.run(_demo_load(settings, 2024, replace=False))
    asyncio.run(migrate.ensure_at_head(settings.database_url))
    # Worker processes and the reloader import the app by name and read the environment.
    os.environ["XIESHANG_DATABASE_URL"] = settings.database_url
    print(
        f"xieshang {__version__} 已启动 running：http://{args.host}:{args.port}/graphql", flush=True
    )
    uvicorn.run(
        "xieshang.server:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers if not args.reload else None,
        reload=args.reload,
        log_level="info",
    )


def run(args: argparse.Namespace) -> None:
    """Execute parsed arguments (raises :class:`XieshangError` on expected failures)."""
    from xieshang.db import migrate

    settings = _settings(args)
    url = settings.database_url
    if args.command == "serve":
        _serve(args, settings)
    elif args.command == "db":
        if args.db_command == "upgrade":
            asyncio.run(migrate.upgrade(url, args.revision))
            print(f"数据库已升级到 {asyncio.run(migrate.current(url))}")
        elif args.db_command == "downgrade":
            asyncio.run(migrate.downgrade(url, args.revision))
            print(f"数据库已回退到 {asyncio.run(migrate.current(url)) or 'base（空）'}")
        elif args.db_command == "current":
            at = asyncio.run(migrate.current(url))
            head = migrate.head_revision()
            state = "最新 at head" if at == head else f"需要升级 behind head {head}"
            print(f"{at or 'base（空）'}（{state}）")
        elif args.db_command == "revision":
            asyncio.run(migrate.revision(url, args.message))
    elif args.command == "schema" and args.schema_command == "print":
        from xieshang.schema import print_schema

        sdl = print_schema(settings)
        if args.output:
            with open(args.output, "w", encoding="utf-8") as out:
                out.write(sdl)
        else:
            sys.stdout.write(sdl)
    elif args.command == "demo" and args.demo_command == "load":
        asyncio.run(_demo_load(settings, args.seed, args.replace))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``xieshang`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        run(args)
    except XieshangError as exc:
        print(f"{PROG}: 错误 [{exc.code}]: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("XIESHANG_DEBUG"):
            raise
        print(
            f"{PROG}: 内部错误 internal error: {type(exc).__name__}: {_first_line(exc)}",
            file=sys.stderr,
        )
        return 1
    return 0


def _first_line(exc: BaseException) -> Any:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


if __name__ == "__main__":
    sys.exit(main())
