"""What is installed and switched on, in GraphQL: standards and their criteria, rule plugins and
their problems, activity kinds, and the standards a county uses.

A criterion is shown through its kind's protocol (:class:`xieshang.rules.Criterion`): its API
kind name and parameters come from the criterion itself, so a new kind needs nothing here.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.rules.criteria import Criterion
from xieshang.rules.standards import Standard, SubjectKind
from xieshang.schema.assessments.scalars import JSONValue
from xieshang.schema.context import Context


@strawberry.type(description="考核标准中的一条要求 criterion of a standard")
class StandardCriterion:
    code: str = strawberry.field(description="代码 code，如 monthly-report")
    title: str = strawberry.field(description="名称 title")
    description: str = strawberry.field(description="说明 description")
    kind: str = strawberry.field(
        description="类型 kind：PERIODIC_QUOTA、CHECKLIST、POINTS_SCHEME、SHARE_MET、CUSTOM"
    )
    parameters: JSONValue = strawberry.field(
        description="全部参数 parameters（周期、最低数量、分值、封顶、等次…），各县可覆盖其中的数字"
    )

    @classmethod
    def of(cls, criterion: Criterion) -> StandardCriterion:
        return cls(
            code=criterion.code,
            title=criterion.title,
            description=criterion.description,
            kind=criterion.kind,
            parameters=JSONValue(criterion.parameters()),
        )


@strawberry.type(name="Standard", description="考核标准 Standard：由规则插件提供，各县选择启用")
class StandardType:
    code: str = strawberry.field(description="代码 code（带命名空间），如 pengan.three-ones")
    title: str = strawberry.field(description="名称 title")
    description: str = strawberry.field(description="说明 description")
    subject_kind: SubjectKind = strawberry.field(description="考核对象 subject kind")
    version: str = strawberry.field(description="版本 version")
    plugin: str = strawberry.field(description="提供它的插件 providing plugin")
    distribution: str = strawberry.field(description="插件所在的安装包 distribution")
    criteria: list[StandardCriterion] = strawberry.field(description="要求 criteria")

    @classmethod
    def of(cls, standard: Standard) -> StandardType:
        return cls(
            code=standard.code,
            title=standard.title,
            description=standard.description,
            subject_kind=standard.subject,
            version=standard.version,
            plugin=standard.plugin,
            distribution=standard.distribution,
            criteria=[StandardCriterion.of(c) for c in standard.criteria],
        )


@strawberry.type(description="已安装的规则插件 installed rule plugin")
class RulePlugin:
    name: str = strawberry.field(description="插件名（入口点名） plugin name")
    distribution: str = strawberry.field(description="安装包 distribution")
    version: str = strawberry.field(description="安装包版本 version")


@strawberry.type(description="规则插件的问题 plugin problem：插件名、安装包、问题和处理办法")
class PluginProblem:
    plugin: str = strawberry.field(description="插件名 plugin")
    distribution: str = strawberry.field(description="安装包 distribution")
    message: str = strawberry.field(description="问题 problem")
    fix: str = strawberry.field(description="处理办法 how to fix")


@strawberry.type(
    name="ActivityKind", description="活动类型 activity kind：内置类型和插件增加的类型"
)
class ActivityKindType:
    code: str = strawberry.field(description="代码 code，如 READING")
    label: str = strawberry.field(description="名称 label")


@strawberry.type(description="县启用的考核标准 a standard a county has switched on")
class CountyStandard:
    code: str = strawberry.field(description="考核标准代码 standard code")
    position: int = strawberry.field(description="顺序 position（从 0 开始）")
    overrides: JSONValue = strawberry.field(description="本县对参数的覆盖 the county's own numbers")
    standard: StandardType | None = strawberry.field(
        description="考核标准 standard（插件已卸载时为空，此时该标准的考核结果为 ERROR）"
    )


async def county_standard_list(info: Info[Context, Any], county_id: int) -> list[CountyStandard]:
    """``County.standards``: the county's switched-on standards, in its order."""
    rows = await info.context.loaders.many(
        models.CountyStandard, "county_id", order_by=("position",), scope="active-standards"
    ).load(county_id)
    rules = info.context.rule_plugins
    return [
        CountyStandard(
            code=r.standard_code,
            position=r.position,
            overrides=JSONValue(r.overrides or {}),
            standard=StandardType.of(rules.standards[r.standard_code])
            if r.standard_code in rules.standards
            else None,
        )
        for r in rows
    ]
