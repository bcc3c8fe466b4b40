"""Assessing at national scale: the bulk engine versus a naive per-subject evaluation.

Builds a synthetic dataset on PostgreSQL — by default 2,800 counties × 16 studios with one year
of records (about a million rows) — switches every county to 蓬安's 三个一, and assesses every
studio for 2024 twice in the same run: with the bulk engine (a constant number of statements),
and naively, three queries per studio. Prints both times, the ratio and the statement counts,
then the county-scale time on SQLite (the demo county). The naive results must equal the bulk
ones, or the script fails.

    python bench/assess_national.py [--server postgresql+asyncpg://postgres@127.0.0.1:5432/test]
                                    [--counties 2800] [--naive-counties N]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from xieshang.db import migrate, stats
from xieshang.db import models as m
from xieshang.db.engine import create_engine, session_factory
from xieshang.demo import county as demo_county
from xieshang.domain import assessments
from xieshang.engine.registry import RulePlugins
from xieshang.rules.periods import parse_period
from xieshang.rules.quota import PeriodicQuota
from xieshang.rules.results import CriterionInput, Record, Subject
from xieshang.rules.standards import RecordKind, Status, SubjectKind

STUDIOS_PER_COUNTY = 16
PERIOD = parse_period("2024")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


async def admin(server: str, statement: str) -> None:
    engine = create_engine(server, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.exec_driver_sql(statement)
    await engine.dispose()


def _days(rng: random.Random, start: date, end: date, n: int) -> list[date]:
    span = (end - start).days
    return [start + timedelta(days=rng.randrange(span)) for _ in range(n)]


async def build(url: str, counties: int, seed: int = 1) -> None:
    """Counties, one lead member per studio, studios, and a year of reports, activities, deeds."""
    rng = random.Random(seed)
    engine = create_engine(url)
    now = datetime.now(UTC)
    async with engine.connect() as conn:
        raw = (await conn.get_raw_connection()).driver_connection

        async def copy(table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
            await raw.copy_records_to_table(table, records=rows, columns=columns)

        common = ["created_at", "updated_at", "version"]
        await copy(
            "counties",
            ["id", "code", "name", "city", "province", "timezone", *common],
            [
                (i, f"{100000 + i}", f"县{i}", "市", "省", "Asia/Shanghai", now, now, 1)
                for i in range(1, counties + 1)
            ],
        )
        studios = [
            (c, c * 100 + s) for c in range(1, counties + 1) for s in range(STUDIOS_PER_COUNTY)
        ]
        await copy(
            "members",
            ["id", "county_id", "name", "term", "is_standing_committee", "status", *common],
            [(sid, cid, f"委员{sid}", 1, False, "ACTIVE", now, now, 1) for cid, sid in studios],
        )
        await copy(
            "studios",
            ["id", "county_id", "name", "lead_member_id", "batch_year", "founded_on", *common],
            [
                (sid, cid, f"工作室{sid}", sid, 2022, date(2022, 6, 1), now, now, 1)
                for cid, sid in studios
            ],
        )
        reports, activities, deeds = [], [], []
        for cid, sid in studios:
            for month in range(1, 13):
                if rng.random() < 0.02:  # a missed month now and then
                    continue
                start = date(2024, month, 1)
                end = date(2024 + month // 12, month % 12 + 1, 1)
                for day in _days(rng, start, end, 1 if rng.random() < 0.8 else 2):
                    reports.append((len(reports) + 1, cid, sid, "信息", day, False, now, now, 1))
            for quarter in range(4):
                if rng.random() < 0.03:
                    continue
                start = date(2024, quarter * 3 + 1, 1)
                for day in _days(rng, start, start + timedelta(days=89), rng.randint(1, 2)):
                    activities.append(
                        (len(activities) + 1, cid, sid, "READING", "读书会", day, now, now, 1)
                    )
            for half in range(2):
                if rng.random() < 0.03:
                    continue
                start = date(2024, half * 6 + 1, 1)
                for day in _days(rng, start, start + timedelta(days=180), rng.randint(1, 2)):
                    deeds.append((len(deeds) + 1, cid, sid, "实事", day, now, now, 1))
        await copy(
            "opinion_reports",
            ["id", "county_id", "studio_id", "title", "submitted_on", "adopted", *common],
            reports,
        )
        await copy(
            "activities",
            ["id", "county_id", "studio_id", "kind", "title", "occurred_on", *common],
            activities,
        )
        await copy("deeds", ["id", "county_id", "studio_id", "title", "done_on", *common], deeds)
        await copy(
            "county_standards",
            ["county_id", "standard_code", "subject_kind", "position", "overrides", *common],
            [
                (c, "pengan.three-ones", "STUDIO", 0, "{}", now, now, 1)
                for c in range(1, counties + 1)
            ],
        )
        await conn.commit()
        for table in ("counties", "members", "studios", "opinion_reports", "activities", "deeds"):
            await conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        await conn.exec_driver_sql("ANALYZE")
        await conn.commit()
    print(
        f"dataset: {counties:,} counties, {len(studios):,} studios, {len(reports):,} opinion reports,"
        f" {len(activities):,} activities, {len(deeds):,} deeds"
    )
    await engine.dispose()


async def bulk(url: str, rules: RulePlugins) -> tuple[float, int, dict[int, Status]]:
    engine = create_engine(url)
    stats.install(engine)
    started = time.perf_counter()
    async with session_factory(engine)() as session:
        with stats.track() as tally:
            results = await assessments.assess(
                session, rules, "pengan.three-ones", PERIOD, None, now=NOW
            )
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return elapsed, tally.statements, {a.subject.id: a.status for a in results}


async def naive(
    url: str, rules: RulePlugins, county_limit: int | None
) -> tuple[float, int, dict[int, Status]]:
    """What one would write first: for each studio, one query per record kind, then evaluate."""
    standard = rules.standards["pengan.three-ones"]
    criteria = [c for c in standard.criteria if isinstance(c, PeriodicQuota)]
    engine = create_engine(url)
    stats.install(engine)
    queries = {
        RecordKind.OPINION_REPORT: (
            m.OpinionReport.studio_id,
            m.OpinionReport.submitted_on,
            m.OpinionReport.id,
        ),
        RecordKind.ACTIVITY: (m.Activity.studio_id, m.Activity.occurred_on, m.Activity.id),
        RecordKind.DEED: (m.Deed.studio_id, m.Deed.done_on, m.Deed.id),
    }
    results: dict[int, Status] = {}
    started = time.perf_counter()
    async with session_factory(engine)() as session:
        with stats.track() as tally:
            stmt = sa.select(m.Studio.id, m.Studio.county_id, m.Studio.name, m.Studio.founded_on)
            if county_limit is not None:
                stmt = stmt.where(m.Studio.county_id <= county_limit)
            for studio in (await session.execute(stmt.order_by(m.Studio.id))).all():
                subject = Subject(
                    SubjectKind.STUDIO,
                    studio.id,
                    studio.county_id,
                    studio.name,
                    studio.founded_on,
                )
                records: dict[RecordKind, list[Record]] = {}
                for kind, (owner, day, pk) in queries.items():
                    rows = await session.execute(
                        sa.select(pk, day).where(
                            owner == studio.id, day >= PERIOD.start, day < PERIOD.end
                        )
                    )
                    records[kind] = [Record(kind, r[0], r[1]) for r in rows]
                given = CriterionInput(subject, PERIOD, NOW.date(), records, {})
                statuses = [c.evaluate(given).status for c in criteria]
                results[studio.id] = Status.NOT_MET if Status.NOT_MET in statuses else Status.MET
    elapsed = time.perf_counter() - started
    await engine.dispose()
    return elapsed, tally.statements, results


async def county_scale_sqlite(rules: RulePlugins) -> None:
    folder = Path(tempfile.mkdtemp(prefix="xieshang-assess-"))
    url = f"sqlite+aiosqlite:///{folder / 'demo.db'}"
    await migrate.upgrade(url)
    engine = create_engine(url)
    stats.install(engine)
    await demo_county.load(session_factory(engine), rules=rules)
    for code in (
        "pengan.three-ones",
        "pengan.six-haves",
        "pengan.member-duty",
        "pengan.county-rollup",
    ):
        times = []
        for _ in range(5):
            async with session_factory(engine)() as session:
                with stats.track() as tally:
                    started = time.perf_counter()
                    results = await assessments.assess(session, rules, code, PERIOD)
                    times.append(time.perf_counter() - started)
        print(
            f"  {code:<22} {len(results):>4} subjects  {min(times) * 1000:7.1f} ms (best of 5)"
            f"  {tally.statements} statements"
        )
    await engine.dispose()


async def main(server: str, counties: int, naive_counties: int | None) -> None:
    rules = RulePlugins.load()
    name = f"xieshang_bench_{uuid.uuid4().hex[:8]}"
    url = create_engine(server).url.set(database=name).render_as_string(hide_password=False)
    await admin(server, f'CREATE DATABASE "{name}"')
    try:
        await migrate.upgrade(url)
        started = time.perf_counter()
        await build(url, counties)
        print(f"built in {time.perf_counter() - started:.1f} s")
        bulk_s, bulk_statements, bulk_results = await bulk(url, rules)
        naive_s, naive_statements, naive_results = await naive(url, rules, naive_counties)
        for studio, status in naive_results.items():
            assert bulk_results[studio] is status, (
                f"studio {studio}: bulk {bulk_results[studio]}, naive {status}"
            )
        studios = len(bulk_results)
        naive_studios = len(naive_results)
        naive_full = naive_s * studios / naive_studios
        print(f"PostgreSQL, {studios:,} studios, 三个一 for 2024:")
        print(f"  bulk engine : {bulk_s:8.2f} s  {bulk_statements:>8,} statements")
        label = (
            "naive" if naive_studios == studios else f"naive ({naive_studios:,} studios, scaled)"
        )
        print(
            f"  {label:<12}: {naive_full:8.2f} s  {naive_statements * studios // naive_studios:>8,} statements"
        )
        print(f"  ratio naive/bulk: {naive_full / bulk_s:.1f}×   (results identical)")
    finally:
        await admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print("SQLite, the demo county (bulk engine):")
    await county_scale_sqlite(rules)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--counties", type=int, default=2800)
    parser.add_argument(
        "--naive-counties", type=int, default=None, help="limit the naive run (scaled up)"
    )
    args = parser.parse_args()
    asyncio.run(main(args.server, args.counties, args.naive_counties))
