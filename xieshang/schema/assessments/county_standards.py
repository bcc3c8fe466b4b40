"""The county-standard mutations: ``setCountyStandards``, ``enableCountyStandard``,
``disableCountyStandard`` (which standards a county uses, with its own numbers)."""

from __future__ import annotations

from typing import Any

import strawberry

from xieshang.domain import county_standards
from xieshang.domain.unit_of_work import Work
from xieshang.schema.assessments.scalars import JSONValue
from xieshang.schema.mutations import InputField, mutation_field


@strawberry.input(description="县启用的一项考核标准 one standard of a county's list")
class CountyStandardInput:
    code: str = strawberry.field(description="考核标准代码 standard code")
    overrides: JSONValue | None = strawberry.field(
        default=None, description='本县参数覆盖 overrides，如 {"monthly-report.minimum": 2}'
    )


async def _set(work: Work, values: dict[str, Any]) -> Any:
    entries = [(entry.code, entry.overrides or {}) for entry in values["standards"]]
    return await county_standards.replace(work, values["county_id"], entries)


async def _enable(work: Work, values: dict[str, Any]) -> Any:
    return await county_standards.switch_on(
        work, values["county_id"], values["code"], values.get("overrides")
    )


async def _disable(work: Work, values: dict[str, Any]) -> Any:
    return await county_standards.switch_off(work, values["county_id"], values["code"])


_COUNTY = {"county_id": InputField(strawberry.ID, "县级政协 county")}


@strawberry.type
class AssessmentMutation:
    set_county_standards = mutation_field(
        "SetCountyStandards",
        fields={
            **_COUNTY,
            "standards": InputField(
                list[CountyStandardInput],
                "按顺序列出本县启用的考核标准 the county's standards, in order",
            ),
        },
        id_types={"county_id": "County"},
        node_field="county",
        node_type="County",
        handler=_set,
        description="设置本县启用的考核标准 set the county's standards（整体替换）",
        input_description="设置考核标准的输入 input of setCountyStandards",
    )
    enable_county_standard = mutation_field(
        "EnableCountyStandard",
        fields={
            **_COUNTY,
            "code": InputField(str, "考核标准代码 standard code"),
            "overrides": InputField(JSONValue | None, "本县参数覆盖 overrides"),
        },
        id_types={"county_id": "County"},
        node_field="county",
        node_type="County",
        handler=_enable,
        description="启用一项考核标准（已启用则更新参数覆盖） enable a standard for a county",
        input_description="启用考核标准的输入 input of enableCountyStandard",
    )
    disable_county_standard = mutation_field(
        "DisableCountyStandard",
        fields={**_COUNTY, "code": InputField(str, "考核标准代码 standard code")},
        id_types={"county_id": "County"},
        node_field="county",
        node_type="County",
        handler=_disable,
        description="停用一项考核标准 disable a standard for a county",
        input_description="停用考核标准的输入 input of disableCountyStandard",
    )
