"""``xieshang schema print``: the SDL."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from xieshang.cli.common import subcommands, writes
from xieshang.config import Settings


def register(commands: Any) -> None:
    schema = commands.add_parser("schema", help="GraphQL 模式 schema")
    actions = subcommands(schema, "schema_command")
    printer = actions.add_parser("print", help="输出 SDL print the schema (SDL)")
    printer.add_argument("--output", "-o", metavar="FILE", help="写入文件（默认输出到屏幕）")
    printer.set_defaults(handler=_print)
    writes(printer, None)


def _print(args: argparse.Namespace, settings: Settings) -> None:
    from xieshang.schema import print_schema

    sdl = print_schema(settings)
    if args.output:
        Path(args.output).write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)
