"""The ``xieshang`` command.

Every failure the user can cause — a wrong argument, a bad database URL, an unreachable
database, an unknown standard — ends in one line on stderr and a non-zero exit, never a
traceback (set ``XIESHANG_DEBUG=1`` to see one). Each command group lives in its own module
and registers itself here.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from xieshang import __version__
from xieshang.cli import audit, db, demo, followups, graphiql, rules, schema, serve, topics, users
from xieshang.cli import spreadsheets as spreadsheets_cli
from xieshang.cli.common import PROG, Parser, settings_of
from xieshang.errors import XieshangError

GROUPS = (
    serve, db, demo, schema, rules, users, audit, followups, topics, spreadsheets_cli, graphiql,
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command (also used to document the CLI)."""
    parser = Parser(
        prog=PROG,
        description="xieshang（协商）：县政协“有事来协商”GraphQL 服务 consultation service",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="数据库地址（默认取 XIESHANG_DATABASE_URL，未设置时为 sqlite+aiosqlite:///./xieshang.db）",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True
    for group in GROUPS:
        group.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``xieshang`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        status = args.handler(args, settings_of(args))
    except XieshangError as exc:
        print(f"{PROG}: 错误 [{exc.code}]: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`xieshang assess … | head`): not an error of ours.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:
        if os.environ.get("XIESHANG_DEBUG"):
            raise
        text = str(exc).strip()
        line = text.splitlines()[0] if text else ""
        print(f"{PROG}: 内部错误 internal error: {type(exc).__name__}: {line}", file=sys.stderr)
        return 1
    return int(status or 0)
