"""The county and its structure: counties, sectors, offices, responsible units."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from xieshang.db import models
from xieshang.domain import county_standards
from xieshang.domain.crud import Change, Entity
from xieshang.domain.unit_of_work import Work


async def _check_county(change: Change) -> None:
    code = change.values.get("code")
    if change.changed("code") and code is not None and not (len(code) == 6 and code.isdigit()):
        change.checker.fail("code", "INVALID_VALUE", f"行政区划代码应为 6 位数字（收到 {code!r}）")
    zone = change.values.get("timezone")
    if change.changed("timezone") and zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            change.checker.fail(
                "timezone", "INVALID_VALUE", f"不是有效的时区：{zone!r}（如 Asia/Shanghai）"
            )


async def _default_standards(work: Work, county: models.County, _values: dict[str, Any]) -> None:
    # A new county starts with the configured default standards (those installed).
    await county_standards.apply_defaults(
        work.session, work.env.rule_plugins, county.id, work.env.settings.default_standards
    )


COUNTY = Entity(
    models.County, "县级政协", checks=_check_county, after_create=_default_standards, owned=False
)
SECTOR = Entity(models.Sector, "界别")
OFFICE = Entity(models.Office, "委室")
RESPONSIBLE_UNIT = Entity(models.ResponsibleUnit, "承办单位")
