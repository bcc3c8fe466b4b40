"""Which standards each county uses (its ordered list, with its own numbers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models as m
from xieshang.domain.unit_of_work import Work, within
from xieshang.engine.registry import RulePlugins
from xieshang.errors import UserError, ValidationFailed
from xieshang.rules.standards import OverrideError, Standard, with_overrides


async def active(
    session: AsyncSession, county_ids: Sequence[int] | None = None
) -> list[m.CountyStandard]:
    """The switched-on standards of the given counties (all when None), in each county's order."""
    stmt = sa.select(m.CountyStandard).order_by(
        m.CountyStandard.county_id, m.CountyStandard.position
    )
    if county_ids is not None:
        stmt = stmt.where(m.CountyStandard.county_id.in_(list(county_ids)))
    return list((await session.scalars(stmt)).all())


def effective(rules: RulePlugins, row: m.CountyStandard) -> Standard | None:
    """The installed standard as this county configured it (None when it is not installed)."""
    standard = rules.standards.get(row.standard_code)
    if standard is None:
        return None
    return with_overrides(standard, row.overrides or {})


def _unknown(code: str, rules: RulePlugins, field: str) -> UserError:
    known = "、".join(sorted(rules.standards)) or "（无）"
    return UserError(field, "UNKNOWN_STANDARD", f"未安装考核标准 {code!r}；已安装：{known}")


async def set_standards(
    session: AsyncSession,
    rules: RulePlugins,
    county_id: int,
    entries: Sequence[tuple[str, Mapping[str, Any]]],
) -> list[m.CountyStandard]:
    """Replace a county's list with ``entries`` (code, overrides), in that order."""
    problems: list[UserError] = []
    codes = [code for code, _ in entries]
    for code in {c for c in codes if codes.count(c) > 1}:
        problems.append(UserError("standards", "DUPLICATE", f"考核标准 {code} 重复"))
    for index, (code, overrides) in enumerate(entries):
        standard = rules.standards.get(code)
        if standard is None:
            problems.append(_unknown(code, rules, f"standards.{index}.code"))
            continue
        try:
            with_overrides(standard, overrides)
        except OverrideError as exc:
            problems.append(
                UserError(
                    f"standards.{index}.overrides", "INVALID_OVERRIDE", f"参数覆盖无效：{exc}"
                )
            )
    if not within(session, county_id) or await session.get(m.County, county_id) is None:
        problems.append(UserError("county_id", "NOT_FOUND", "所选县级政协不存在"))
    if problems:
        raise ValidationFailed(problems)
    await session.execute(
        sa.delete(m.CountyStandard).where(m.CountyStandard.county_id == county_id)
    )
    rows = [
        m.CountyStandard(
            county_id=county_id,
            standard_code=code,
            subject_kind=rules.standards[code].subject.value,
            position=position,
            overrides=dict(overrides),
        )
        for position, (code, overrides) in enumerate(entries)
    ]
    session.add_all(rows)
    await session.flush()
    return rows


async def enable(
    session: AsyncSession,
    rules: RulePlugins,
    county_id: int,
    code: str,
    overrides: Mapping[str, Any] | None = None,
) -> list[m.CountyStandard]:
    """Switch ``code`` on for a county (at the end of its list), or change its overrides."""
    current = [(r.standard_code, r.overrides or {}) for r in await active(session, [county_id])]
    if code in {c for c, _ in current}:
        entries = [(c, overrides if c == code and overrides is not None else o) for c, o in current]
    else:
        entries = [*current, (code, overrides or {})]
    return await set_standards(session, rules, county_id, entries)


async def disable(
    session: AsyncSession, rules: RulePlugins, county_id: int, code: str
) -> list[m.CountyStandard]:
    """Switch ``code`` off for a county; an error if it was not on."""
    current = await active(session, [county_id]) if within(session, county_id) else []
    if code not in {r.standard_code for r in current}:
        raise ValidationFailed([UserError("standard", "NOT_FOUND", f"本县未启用考核标准 {code}")])
    await session.execute(
        sa.delete(m.CountyStandard).where(
            m.CountyStandard.county_id == county_id, m.CountyStandard.standard_code == code
        )
    )
    await session.flush()
    return [r for r in current if r.standard_code != code]


async def apply_defaults(
    session: AsyncSession, rules: RulePlugins, county_id: int, defaults: Sequence[str]
) -> None:
    """Give a new county the configured default standards (those installed)."""
    entries: list[tuple[str, Mapping[str, Any]]] = [
        (code, {}) for code in defaults if code in rules.standards
    ]
    await set_standards(session, rules, county_id, entries)


# -- the operations (GraphQL mutations and `xieshang rules enable|disable` both call these) ----


async def replace(
    work: Work, county_id: int, entries: Sequence[tuple[str, Mapping[str, Any]]]
) -> m.County:
    """Set a county's whole list of standards; returns the county."""
    await set_standards(work.session, work.env.rule_plugins, county_id, entries)
    return await _county(work, county_id)


async def switch_on(
    work: Work, county_id: int, code: str, overrides: Mapping[str, Any] | None = None
) -> m.County:
    """Switch standard ``code`` on for a county, or change its overrides; returns the county."""
    await enable(work.session, work.env.rule_plugins, county_id, code, overrides)
    return await _county(work, county_id)


async def switch_off(work: Work, county_id: int, code: str) -> m.County:
    """Switch standard ``code`` off for a county; returns the county."""
    await disable(work.session, work.env.rule_plugins, county_id, code)
    return await _county(work, county_id)


async def _county(work: Work, county_id: int) -> m.County:
    county = await work.session.get(m.County, county_id)
    assert county is not None  # checked by the operation
    work.concerns(county)
    return county
