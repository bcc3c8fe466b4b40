"""County statistics: four grouped statements versus loading the year's rows and counting them.

On the demo county (356 topics of 2024 and what came of them) this times
``xieshang.domain.statistics.county_statistics`` against a baseline written the obvious way:
load the year's topics, consultations, outcomes, tasks and evaluations with the ORM and count in
Python. Both must give the same figures (checked every round). Prints the time per call of each,
the statements each runs, and the ratio baseline ÷ xieshang, all measured in this run (these
machines are noisy: compare ratios, not seconds).

    python bench/county_figures.py [--rounds 7] [--calls 20] [--database-url URL]

Without ``--database-url`` a SQLite file with the demo county is made in a temporary folder; a
PostgreSQL URL must name an empty database the script may fill.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from xieshang.db import migrate, stats
from xieshang.db import models as m
from xieshang.db.engine import create_engine, session_factory
from xieshang.db.enums import ConsultationStatus, FollowUpStatus, Satisfaction
from xieshang.demo import county as demo_county
from xieshang.domain.statistics import SATISFIED_LEVELS, county_statistics

YEAR = 2024
TODAY = date(2025, 6, 30)


async def naive(session: Any, county_id: int) -> dict[str, Any]:
    """The figures computed by loading rows and counting them in Python."""
    topics = (
        await session.scalars(
            sa.select(m.Topic).where(
                m.Topic.county_id == county_id, m.Topic.year == YEAR, m.Topic.archived_at.is_(None)
            )
        )
    ).all()
    topic_ids = {t.id for t in topics}
    consultations = [
        c
        for c in (
            await session.scalars(
                sa.select(m.Consultation).where(m.Consultation.county_id == county_id)
            )
        ).all()
        if c.topic_id in topic_ids and c.archived_at is None and c.status is ConsultationStatus.HELD
    ]
    held_ids = {c.id for c in consultations}
    outcomes = [
        o
        for o in (
            await session.scalars(sa.select(m.Outcome).where(m.Outcome.county_id == county_id))
        ).all()
        if o.consultation_id in held_ids and o.archived_at is None
    ]
    outcome_ids = {o.id for o in outcomes}
    tasks = [
        f
        for f in (
            await session.scalars(sa.select(m.FollowUp).where(m.FollowUp.county_id == county_id))
        ).all()
        if f.outcome_id in outcome_ids and f.archived_at is None
    ]
    evaluations = [
        e
        for e in (
            await session.scalars(
                sa.select(m.Evaluation).where(m.Evaluation.county_id == county_id)
            )
        ).all()
        if e.outcome_id in outcome_ids and e.archived_at is None
    ]
    done = [f for f in tasks if f.status is FollowUpStatus.DONE]
    by_outcome: dict[int, list[m.FollowUp]] = {}
    for f in tasks:
        by_outcome.setdefault(f.outcome_id, []).append(f)
    converted = sum(
        1 for fs in by_outcome.values() if all(f.status is FollowUpStatus.DONE for f in fs)
    )
    satisfied = sum(1 for e in evaluations if e.satisfaction in SATISFIED_LEVELS)
    return {
        "collected": len(topics),
        "key": sum(t.is_key for t in topics),
        "held": len(consultations),
        "outcomes": len(outcomes),
        "tasks": len(tasks),
        "done": len(done),
        "overdue": sum(f.status is not FollowUpStatus.DONE and f.due_on < TODAY for f in tasks),
        "on_time": sum(f.completed_on is not None and f.completed_on <= f.due_on for f in done),
        "converted": converted,
        "evaluations": len(evaluations),
        "satisfied": satisfied,
    }


async def grouped(session: Any, county_id: int) -> dict[str, Any]:
    s = await county_statistics(session, county_id, YEAR, TODAY)
    return {
        "collected": s.topics_collected,
        "key": s.key_topics,
        "held": s.consultations_held,
        "outcomes": s.outcomes,
        "tasks": s.tasks,
        "done": s.tasks_done,
        "overdue": s.tasks_overdue,
        "on_time": s.tasks_done_on_time,
        "converted": s.outcomes_converted,
        "evaluations": s.evaluations,
        "satisfied": sum(
            s.satisfaction_counts.get(x, 0) for x in Satisfaction if x in SATISFIED_LEVELS
        ),
    }


async def per_call(
    sessions: Any, county_id: int, compute: Any, calls: int
) -> tuple[float, int, Any]:
    started = time.perf_counter()
    with stats.track() as tally:
        for _ in range(calls):
            async with sessions() as session:
                figures = await compute(session, county_id)
    return (time.perf_counter() - started) / calls, tally.statements // calls, figures


async def main(rounds: int, calls: int, database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await migrate.upgrade(url)
        engine = create_engine(url)
        stats.install(engine)
        sessions = session_factory(engine)
        result = await demo_county.load(sessions)
        county_id = result.county_id
        naive_times, grouped_times = [], []
        for _ in range(rounds):
            t_naive, n_naive, f_naive = await per_call(sessions, county_id, naive, calls)
            t_grouped, n_grouped, f_grouped = await per_call(sessions, county_id, grouped, calls)
            assert f_naive == f_grouped, (f_naive, f_grouped)
            naive_times.append(t_naive)
            grouped_times.append(t_grouped)
        await engine.dispose()
    n, g = statistics.median(naive_times), statistics.median(grouped_times)
    print(f"engine: {engine.dialect.name}; figures: {f_grouped}")
    print(f"load rows and count (baseline): {n * 1000:8.2f} ms/call, {n_naive} statements")
    print(f"county_statistics (xieshang):   {g * 1000:8.2f} ms/call, {n_grouped} statements")
    print(f"ratio baseline / xieshang: {n / g:.2f}x (median of {rounds} rounds × {calls} calls)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.calls, args.database_url))
