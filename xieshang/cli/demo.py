"""``xieshang demo load``: the demo county 蓬安县."""

from __future__ import annotations

import asyncio
from typing import Any

from xieshang.cli.common import integer, subcommands, unit_of_work, writes
from xieshang.config import Settings
from xieshang.errors import ConfigError


def register(commands: Any) -> None:
    demo = commands.add_parser("demo", help="演示数据 demo data")
    actions = subcommands(demo, "demo_command")
    load = actions.add_parser("load", help="载入演示县 蓬安县（511323） load the demo county")
    load.add_argument(
        "--seed", type=integer, default=2024, help="随机种子（默认 2024）；同一种子结果相同"
    )
    load.add_argument("--replace", action="store_true", help="已载入时删除后按种子重建")
    load.set_defaults(
        handler=lambda args, settings: asyncio.run(load_demo(settings, args.seed, args.replace))
    )
    writes(load, "demo.load")


async def load_demo(settings: Settings, seed: int, replace: bool) -> None:
    """Load 蓬安县 and say what happened in one line (never in production: the demo accounts
    have a published password)."""
    from xieshang.demo import county as demo_county

    if settings.is_production:
        raise ConfigError(
            "生产环境（XIESHANG_ENV=production）不能载入演示数据：演示账号的密码是公开的"
        )

    async with unit_of_work(settings, "demo.load") as work:
        result = await demo_county.build(work, seed=seed, replace=replace)
    counts = result.counts
    summary = (
        f"平台 {counts.get('platforms', 0)}，工作室 {counts.get('studios', 0)}，"
        f"委员 {counts.get('members', 0)}，议题 {counts.get('topics', 0)}"
    )
    if result.created:
        print(f"已载入演示县 蓬安县（511323，种子 {seed}）：{summary}")
    else:
        print(f"演示县 蓬安县（511323）已存在，未做改动：{summary}（--replace 可重建）")
