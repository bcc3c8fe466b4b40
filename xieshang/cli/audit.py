"""``xieshang audit prune --before DATE``: the only way audit events are ever deleted."""

from __future__ import annotations

import argparse
import asyncio
from datetime import date
from typing import Any

from xieshang.cli.common import subcommands, unit_of_work, writes
from xieshang.config import Settings
from xieshang.domain import audit


def register(commands: Any) -> None:
    group = commands.add_parser("audit", help="审计日志 audit trail")
    actions = subcommands(group, "audit_command")
    prune = actions.add_parser(
        "prune",
        help=f"删除某日期以前的审计日志（只能删除 {audit.RETENTION_DAYS} 天以前的）",
    )
    prune.add_argument(
        "--before", required=True, type=_date, metavar="DATE", help="日期 YYYY-MM-DD（不含当日）"
    )
    prune.set_defaults(handler=lambda args, settings: asyncio.run(prune_events(settings, args)))
    writes(prune, "audit_prune")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式为 YYYY-MM-DD，收到 {text!r}") from None


async def prune_events(settings: Settings, args: argparse.Namespace) -> None:
    """Delete old events and record that it was done (the record itself is kept)."""
    async with unit_of_work(settings, "audit_prune") as work:
        deleted = await audit.prune(work.session, args.before)
        work.detail = f"before={args.before.isoformat()} deleted={deleted}"
    print(f"已删除 {args.before.isoformat()} 以前的审计日志 {deleted} 条")
