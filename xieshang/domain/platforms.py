"""Consultation platforms: the three-level tree and checklist facts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from xieshang.db import models
from xieshang.db.enums import PlatformLevel
from xieshang.domain import crud
from xieshang.domain.crud import Change, Entity
from xieshang.domain.unit_of_work import Work

#: The level a platform's parent must have.
PARENT_LEVEL = {
    PlatformLevel.TOWNSHIP: PlatformLevel.COUNTY,
    PlatformLevel.VILLAGE: PlatformLevel.TOWNSHIP,
}

_LEVEL_NAMES = {
    PlatformLevel.COUNTY: "县级",
    PlatformLevel.TOWNSHIP: "乡镇（街道）级",
    PlatformLevel.VILLAGE: "村（社区）级",
}


async def _check_platform(change: Change) -> None:
    level = change.values.get("level")
    parent = change.refs.get("parent_id")
    parent_id = change.values.get("parent_id")
    if not change.changed("level", "parent_id") or level is None:
        return
    if level == PlatformLevel.COUNTY:
        if parent_id is not None:
            change.checker.fail("parent_id", "INVALID_STATE", "县级平台不能有上级平台")
        others = sa.select(models.Platform.id).where(
            models.Platform.county_id == change.county_id,
            models.Platform.level == PlatformLevel.COUNTY,
            models.Platform.archived_at.is_(None),
        )
        if change.row is not None:
            others = others.where(models.Platform.id != change.row.id)
        if await change.session.scalar(others.limit(1)) is not None:
            change.checker.fail("level", "DUPLICATE", "本县已有县级平台")
        return
    if parent_id is None:
        change.checker.fail("parent_id", "REQUIRED", f"{_LEVEL_NAMES[level]}平台必须有上级平台")
        return
    if parent is None:
        parent = await change.session.get(models.Platform, parent_id)
    if parent is not None and parent.level != PARENT_LEVEL[level]:
        change.checker.fail(
            "parent_id",
            "INVALID_STATE",
            f"{_LEVEL_NAMES[level]}平台的上级应为{_LEVEL_NAMES[PARENT_LEVEL[level]]}平台，"
            f"所选平台是{_LEVEL_NAMES[parent.level]}",
        )
    if change.row is not None and change.changed("level"):
        children = sa.select(models.Platform.id).where(models.Platform.parent_id == change.row.id)
        if await change.session.scalar(children.limit(1)) is not None:
            change.checker.fail("level", "INVALID_STATE", "该平台已有下级平台，不能改变层级")


PLATFORM = Entity(
    models.Platform,
    "协商平台",
    checks=_check_platform,
)

CHECKLIST_FACT = Entity(
    models.PlatformChecklistFact,
    "平台核查项",
    county_from="platform_id",
)


async def attest_item(work: Work, values: dict[str, Any]) -> models.PlatformChecklistFact:
    """Attest one checklist item of a platform (六有 …); an item attested before is updated."""
    existing = await work.session.scalar(
        sa.select(models.PlatformChecklistFact).where(
            models.PlatformChecklistFact.platform_id == values["platform_id"],
            models.PlatformChecklistFact.item == (values.get("item") or "").strip(),
        )
    )
    row: models.PlatformChecklistFact
    if existing is None:
        row = await crud.create(work, CHECKLIST_FACT, values)
        return row
    changes = {k: v for k, v in values.items() if k not in ("platform_id", "item")}
    row = await crud.update(work, CHECKLIST_FACT, existing.id, existing.version, changes)
    return row
