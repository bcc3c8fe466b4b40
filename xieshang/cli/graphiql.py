"""``xieshang graphiql install|check``: GraphiQL's files, installed with npm (no CDN at run time)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from xieshang.cli.common import subcommands, writes
from xieshang.config import Settings


def register(commands: Any) -> None:
    graphiql = commands.add_parser(
        "graphiql", help="离线 GraphiQL 的前端文件 offline GraphiQL assets"
    )
    actions = subcommands(graphiql, "graphiql_command")
    install = actions.add_parser(
        "install", help="用 npm 按锁定版本安装 install the pinned npm packages (npm ci)"
    )
    install.add_argument(
        "--dir",
        metavar="DIR",
        help="安装到此目录（默认取 XIESHANG_GRAPHIQL_DIR，未设置时为 xieshang 包内）",
    )
    install.set_defaults(handler=_install)
    writes(install, None)
    check = actions.add_parser(
        "check", help="检查文件是否已安装 check that the files are installed"
    )
    check.set_defaults(handler=_check)
    writes(check, None)


def _install(args: argparse.Namespace, settings: Settings) -> None:
    from xieshang.web.graphiql import assets_dir, install, pinned_versions

    modules = install(Path(args.dir) if args.dir else assets_dir(settings))
    pinned = ", ".join(f"{name}@{version}" for name, version in pinned_versions().items())
    print(f"GraphiQL 前端文件已安装 installed: {modules}（{pinned}）")


def _check(_args: argparse.Namespace, settings: Settings) -> None:
    from xieshang.web.graphiql import INSTALL_COMMAND, GraphiQLError, assets_dir, missing

    directory = assets_dir(settings)
    absent = missing(directory)
    if absent:
        raise GraphiQLError(
            f"{directory / 'node_modules'} 缺少 {', '.join(absent)}：请运行 {INSTALL_COMMAND}"
        )
    print(f"GraphiQL 前端文件齐全 complete: {directory / 'node_modules'}")
