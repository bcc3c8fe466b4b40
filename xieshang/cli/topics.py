"""``xieshang topics timelines``: give topics recorded without a timeline one, from their records.

Topics written before the workflow kept timelines (a database upgraded to migration 0004), or
imported in bulk, have a status but no steps. This reconstructs each one's steps from its
records (see :mod:`xieshang.domain.topic_history`); topics that have a timeline are left alone,
so running it twice changes nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from xieshang.cli.common import subcommands, unit_of_work, writes
from xieshang.config import Settings


def register(commands: Any) -> None:
    group = commands.add_parser("topics", help="协商议题 topics")
    actions = subcommands(group, "topics_command")
    timelines = actions.add_parser(
        "timelines",
        help="依据记录为没有流程记录的议题补录流程 reconstruct missing topic timelines",
    )
    timelines.add_argument("--county", help="只处理这个县（行政区划代码） one county only")
    timelines.set_defaults(
        handler=lambda args, settings: asyncio.run(backfill(settings, args.county))
    )
    writes(timelines, "topics.timelines")


async def backfill(settings: Settings, county_code: str | None) -> None:
    """Reconstruct missing timelines of one county or of all, in one unit of work."""
    import sqlalchemy as sa

    from xieshang.db import models as m
    from xieshang.domain import topic_history
    from xieshang.errors import XieshangError

    async with unit_of_work(settings, "topics.timelines") as work:
        stmt = sa.select(m.County).order_by(m.County.code)
        if county_code is not None:
            stmt = stmt.where(m.County.code == county_code)
        counties = (await work.session.scalars(stmt)).all()
        if county_code is not None and not counties:
            raise XieshangError(f"没有行政区划代码为 {county_code} 的县级政协", code="NOT_FOUND")
        total = 0
        for county in counties:
            written = await topic_history.backfill(work.session, county.id, settings.zone)
            total += written
            print(f"{county.code} {county.name}：补录流程记录 {written} 条 wrote {written} step(s)")
        work.detail = f"steps={total}"
        if len(counties) == 1:
            work.concerns(counties[0])
