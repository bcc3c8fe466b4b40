"""``xieshang rules list|check|enable|disable`` and ``xieshang assess``."""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import json
import sys
from datetime import date
from enum import Enum
from typing import Any

import sqlalchemy as sa

from xieshang.cli.common import database, subcommands, unit_of_work, writes
from xieshang.config import Settings
from xieshang.domain import county_standards
from xieshang.engine.registry import RulePlugins
from xieshang.errors import ConfigError, DatabaseError, ValidationFailed, XieshangError


def register(commands: Any) -> None:
    rules = commands.add_parser("rules", help="考核规则插件 rule plugins and standards")
    actions = subcommands(rules, "rules_command")
    listing = actions.add_parser(
        "list", help="列出已安装的插件和考核标准 list plugins and standards"
    )
    listing.add_argument("--county", metavar="CODE", help="同时列出此县启用的标准（行政区划代码）")
    listing.set_defaults(handler=_list)
    writes(listing, None)
    check = actions.add_parser(
        "check",
        help="检查插件和各县的标准配置 check plugins and counties' standards（有问题时退出码 1）",
    )
    check.set_defaults(handler=_check)
    writes(check, None)
    enable = actions.add_parser("enable", help="为某县启用考核标准 enable a standard for a county")
    enable.add_argument("--county", metavar="CODE", required=True, help="行政区划代码，如 511323")
    enable.add_argument("standard", help="考核标准代码，如 pengan.three-ones")
    enable.add_argument(
        "--override",
        metavar="PATH=NUMBER",
        action="append",
        default=[],
        help="覆盖标准中的数字，可重复，如 monthly-report.minimum=2",
    )
    enable.set_defaults(handler=_enable)
    writes(enable, "rules.enable")
    disable = actions.add_parser(
        "disable", help="为某县停用考核标准 disable a standard for a county"
    )
    disable.add_argument("--county", metavar="CODE", required=True, help="行政区划代码")
    disable.add_argument("standard", help="考核标准代码")
    disable.set_defaults(handler=_disable)
    writes(disable, "rules.disable")

    assess = commands.add_parser("assess", help="按考核标准评估 assess a county by a standard")
    assess.add_argument("--county", metavar="CODE", required=True, help="行政区划代码，如 511323")
    assess.add_argument(
        "--standard", metavar="CODE", required=True, help="考核标准代码，如 pengan.three-ones"
    )
    assess.add_argument(
        "--period", required=True, help="考核期间：2024、2024-H1、2024-Q3 或 2024-07"
    )
    assess.add_argument(
        "--format", choices=("table", "json", "csv"), default="table", help="输出格式（默认 table）"
    )
    assess.set_defaults(handler=_assess)
    writes(assess, None)


def _list(args: argparse.Namespace, settings: Settings) -> None:
    rules = RulePlugins.load()
    print("插件 plugins:")
    for plugin in rules.plugins.values():
        print(f"  {plugin.name}  ({plugin.distribution} {plugin.version})".rstrip())
    print("考核标准 standards:")
    for standard in rules.standards.values():
        print(
            f"  {standard.code}  [{standard.subject.value}]  {standard.title}  v{standard.version}  ({standard.plugin})"
        )
    if rules.problems:
        print(f"问题 problems: {len(rules.problems)}（运行 xieshang rules check 查看）")
    if args.county:
        rows = asyncio.run(_county_standards(settings, args.county))
        print(f"{args.county} 启用的标准 active standards:")
        for row in rows:
            mark = "" if row.standard_code in rules.standards else "  ← 未安装 not installed"
            extra = f"  {json.dumps(row.overrides, ensure_ascii=False)}" if row.overrides else ""
            print(f"  {row.position + 1}. {row.standard_code}{extra}{mark}")


async def _county_id(session: Any, code: str) -> int:
    from xieshang.db import models as m

    county = await session.scalar(sa.select(m.County).where(m.County.code == code))
    if county is None:
        raise ConfigError(f"没有行政区划代码为 {code} 的县级政协")
    return int(county.id)


async def _county_standards(settings: Settings, code: str) -> list[Any]:
    from xieshang.domain.county_standards import active

    async with database(settings) as sessions, sessions() as session:
        return await active(session, [await _county_id(session, code)])


def _check(args: argparse.Namespace, settings: Settings) -> int:
    rules = RulePlugins.load()
    problems = [str(p) for p in rules.problems]
    try:
        problems += asyncio.run(_check_counties(settings, rules))
    except DatabaseError as exc:
        print(f"（未检查各县配置：{exc.message}）")
    if not problems:
        print(f"一切正常：{len(rules.plugins)} 个插件，{len(rules.standards)} 项考核标准。")
        return 0
    print(f"发现 {len(problems)} 个问题 problems:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    return 1


async def _check_counties(settings: Settings, rules: RulePlugins) -> list[str]:
    from xieshang.db import models as m
    from xieshang.domain.county_standards import active

    found = []
    async with database(settings) as sessions, sessions() as session:
        counties = {c.id: c for c in (await session.scalars(sa.select(m.County))).all()}
        for row in await active(session):
            county = counties[row.county_id]
            if row.standard_code not in rules.standards:
                why = rules.broken.get(row.standard_code, "未安装（提供它的插件已卸载或无法加载）")
                found.append(
                    f"{county.name}（{county.code}）启用的考核标准 {row.standard_code}：{why} — "
                    f"安装提供它的插件，或运行 xieshang rules disable --county {county.code} {row.standard_code}"
                )
    return found


def _parse_overrides(items: list[str]) -> dict[str, float]:
    overrides: dict[str, float] = {}
    for item in items:
        path, sep, raw = item.partition("=")
        try:
            if not sep or not path:
                raise ValueError(item)
            overrides[path.strip()] = float(raw) if "." in raw else int(raw)
        except ValueError:
            raise ConfigError(
                f"--override 应形如 monthly-report.minimum=2（收到 {item!r}）"
            ) from None
    return overrides


def _enable(args: argparse.Namespace, settings: Settings) -> None:
    async def run() -> list[str]:
        async with unit_of_work(settings, "rules.enable") as work:
            county = await _county_id(work.session, args.county)
            await county_standards.switch_on(
                work, county, args.standard, _parse_overrides(args.override) or None
            )
            return await _codes(work.session, county)

    codes = asyncio.run(_report_user_errors(run()))
    print(f"已为 {args.county} 启用 {args.standard}；现启用：{', '.join(codes)}")


def _disable(args: argparse.Namespace, settings: Settings) -> None:
    async def run() -> list[str]:
        async with unit_of_work(settings, "rules.disable") as work:
            county = await _county_id(work.session, args.county)
            await county_standards.switch_off(work, county, args.standard)
            return await _codes(work.session, county)

    codes = asyncio.run(_report_user_errors(run()))
    print(f"已为 {args.county} 停用 {args.standard}；现启用：{', '.join(codes) or '（无）'}")


async def _codes(session: Any, county_id: int) -> list[str]:
    return [r.standard_code for r in await county_standards.active(session, [county_id])]


async def _report_user_errors(work: Any) -> Any:
    try:
        return await work
    except ValidationFailed as exc:
        first = exc.errors[0]
        raise XieshangError("；".join(e.message for e in exc.errors), code=first.code) from exc


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if hasattr(value, "_asdict"):  # named tuples (records)
        return {k: _jsonable(v) for k, v in value._asdict().items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def _assess(args: argparse.Namespace, settings: Settings) -> None:
    from xieshang.domain.assessments import assess
    from xieshang.engine.run import rank
    from xieshang.rules.periods import parse_period

    period = parse_period(args.period)

    async def run() -> list[Any]:
        rules = RulePlugins.load()
        if args.standard not in rules.standards and args.standard not in rules.broken:
            raise ConfigError(
                f"未安装考核标准 {args.standard}；已安装：{', '.join(sorted(rules.standards))}"
            )
        async with database(settings) as sessions, sessions() as session:
            county = await _county_id(session, args.county)
            found = await assess(session, rules, args.standard, period, [county])
        if not found:
            raise ConfigError(
                f"{args.county} 未启用考核标准 {args.standard}（xieshang rules enable 可启用）"
            )
        scored = [a for a in found if a.score is not None]
        return (
            rank(found) if len(scored) == len(found) else sorted(found, key=lambda a: a.subject.id)
        )

    results = asyncio.run(run())
    if args.format == "json":
        json.dump([_jsonable(a) for a in results], sys.stdout, ensure_ascii=False, indent=2)
        print()
        return
    header = ["名次", "对象", "状态", "得分", "等次", "说明"]
    rows = [
        [
            a.rank or "",
            a.subject.name,
            a.status.value,
            "" if a.score is None else f"{a.score:g}",
            a.grade or "",
            a.error or "；".join(c.reason for c in a.criteria if c.status.value != "MET"),
        ]
        for a in results
    ]
    if args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(header)
        writer.writerows(rows)
        return
    counts: dict[str, int] = {}
    for a in results:
        counts[a.status.value] = counts.get(a.status.value, 0) + 1
    print(
        f"{args.standard}  {args.county}  {period.label}："
        + "，".join(f"{k} {v}" for k, v in counts.items())
    )
    for row in rows:
        print("  " + "  ".join(str(cell) for cell in row if cell != ""))
