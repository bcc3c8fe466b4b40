"""GraphQL scalars and enums of assessments: ``JSON``, ``AssessmentStatus``, ``SubjectKind``,
``RecordKind``, each enum value with its bilingual label.

The enums are the contract's own (:mod:`xieshang.rules`), registered with strawberry here so
the contract imports no GraphQL; importing this module registers them.
"""

from __future__ import annotations

from typing import NewType

import strawberry

from xieshang.rules.standards import RecordKind, Status, SubjectKind

#: Any JSON value (overrides of a standard's numbers, a criterion's parameters).
JSONValue = NewType("JSONValue", object)

JSON_SCALAR = strawberry.scalar(
    name="JSON",
    description="任意 JSON 值 JSON value：如考核标准的参数、各县对参数的覆盖",
    serialize=lambda value: value,
    parse_value=lambda value: value,
)

strawberry.enum(Status, name="AssessmentStatus", description="考核结果状态 assessment status")
strawberry.enum(SubjectKind, description="考核对象类型 subject kind")
strawberry.enum(RecordKind, description="考核所计的记录类型 record kind")
for _enum, _labels in (
    (
        Status,
        {
            "MET": "达标 met",
            "NOT_MET": "未达标 not met",
            "IN_PROGRESS": "进行中（期间未结束，不判未达标） in progress",
            "NOT_APPLICABLE": "不适用（如尚未成立） not applicable",
            "ERROR": "无法评估（插件缺失或出错，见 error） error",
        },
    ),
    (SubjectKind, {k.value: f"{k.label_zh} {k.value.lower()}" for k in SubjectKind}),
    (
        RecordKind,
        {k.value: f"{k.label_zh} {k.value.lower().replace('_', ' ')}" for k in RecordKind},
    ),
):
    for _value in _enum.__strawberry_definition__.values:  # type: ignore[union-attr]
        _value.description = _labels[_value.value]
