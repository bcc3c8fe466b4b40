"""``xieshang followups sweep``: announce follow-up tasks that became overdue.

Each server process sweeps on its own every ``XIESHANG_OVERDUE_SWEEP_SECONDS``; this command
runs one sweep now (from cron, or with the server's sweeping switched off). A task is announced
once whoever sweeps. On PostgreSQL the events reach every server's subscribers (NOTIFY); with the
in-memory bus (SQLite) only subscribers of the process that swept hear of it, so there the
servers' own sweeping is the one to use.
"""

from __future__ import annotations

import asyncio
from typing import Any

from xieshang.cli.common import subcommands, unit_of_work, writes
from xieshang.config import Settings


def register(commands: Any) -> None:
    group = commands.add_parser("followups", help="督办任务 follow-up tasks")
    actions = subcommands(group, "followups_command")
    sweep = actions.add_parser(
        "sweep", help="标记并通知新逾期的督办任务（每次逾期只通知一次） announce overdue tasks"
    )
    sweep.set_defaults(handler=lambda args, settings: asyncio.run(sweep_once(settings)))
    writes(sweep, "followups.sweep")


async def sweep_once(settings: Settings) -> None:
    """One sweep in its own unit of work; the events are published once it commits."""
    from xieshang.domain import overdue

    async with unit_of_work(settings, "followups.sweep") as work:
        count = len(await overdue.sweep_in(work))
    print(f"新逾期的督办任务 {count} 项已通知 announced {count} overdue task(s)")
