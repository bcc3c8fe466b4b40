"""Consultations (协商活动), attendance, outcomes (协商成果) and leaders' instructions (批示)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.domain import consultations, crud
from xieshang.domain.unit_of_work import Work
from xieshang.schema.context import Context
from xieshang.schema.derive import row_type
from xieshang.schema.lists import Link, connection_field
from xieshang.schema.loaders import field_scope
from xieshang.schema.mutations import (
    column_inputs,
    crud_mutations,
    delete_handler,
    link_mutations,
    mutation_field,
    target_fields,
    update_fields,
)
from xieshang.schema.relations import to_many
from xieshang.schema.relay import Archivable, RowType, Tracked
from xieshang.schema.specs import CONSULTATIONS, EVALUATIONS, FOLLOW_UPS, OUTCOMES


@row_type(
    models.ConsultationAttendance,
    description="出席记录 ConsultationAttendance：一名委员在一次协商活动中的出席情况",
    county=False,
)
class ConsultationAttendance:
    pass


@row_type(
    models.Instruction,
    description="领导批示 Instruction：领导对协商成果或社情民意信息的批示",
    county=False,
)
class Instruction(RowType, Tracked):
    pass


@row_type(
    models.Consultation, description="协商活动 Consultation：在某一平台就某一议题开展的一次协商"
)
class Consultation(RowType, Archivable):
    outcomes = connection_field(
        OUTCOMES, link=Link(models.Outcome.consultation_id), description="协商成果 outcomes"
    )

    @strawberry.field(description="委员出席情况 attendance of the invited members")
    async def attendances(
        self, root: strawberry.Parent[models.Consultation], info: Info[Context, Any]
    ) -> list[ConsultationAttendance]:
        loader = info.context.loaders.many(
            models.ConsultationAttendance,
            "consultation_id",
            order_by=("member_id",),
            scope=field_scope(info),
        )
        return await loader.load(root.id)


@row_type(
    models.Outcome,
    description="协商成果 Outcome：协商形成的协商专报、建议案、公约/协议、社情民意等",
)
class Outcome(RowType, Archivable):
    follow_ups = connection_field(
        FOLLOW_UPS,
        link=Link(models.FollowUp.outcome_id),
        description="成果转化督办任务 follow-up tasks（默认按期限）",
    )
    evaluations = connection_field(
        EVALUATIONS,
        link=Link(models.Evaluation.outcome_id),
        description="群众评价 residents' evaluations",
    )
    instructions = to_many(
        "Instruction",
        "outcome_id",
        model=models.Instruction,
        order_by=("instructed_on", "id"),
        description="领导批示 leaders' instructions（按日期）",
    )


@strawberry.type
class ConsultationQuery:
    consultations = connection_field(
        CONSULTATIONS, description="协商活动列表 consultations（默认按开始时间）"
    )
    outcomes = connection_field(OUTCOMES, description="协商成果列表 outcomes（默认按录入顺序）")


_ConsultationCrud = crud_mutations(
    consultations.CONSULTATION, node_field="consultation", noun="协商活动"
)
_Attendance = link_mutations(
    consultations.ATTENDANCE,
    node_field="consultation",
    add="SetConsultationAttendance",
    remove="RemoveConsultationAttendance",
    noun="委员出席情况",
    upsert=True,
)
_OutcomeCrud = crud_mutations(consultations.OUTCOME, node_field="outcome", noun="协商成果")

_INSTRUCTION_IDS = {
    "outcome_id": "Outcome",
    "opinion_report_id": "OpinionReport",
    "id": "Instruction",
}


async def _create_instruction(work: Work, values: dict[str, Any]) -> Any:
    return await consultations.create_instruction(work, values)


async def _update_instruction(work: Work, values: dict[str, Any]) -> Any:
    pk, version = values.pop("id"), values.pop("expected_version")
    return await crud.update(work, consultations.INSTRUCTION_ON_OUTCOME, pk, version, values)


_TARGET = target_fields("领导批示", "Instruction")


@strawberry.type
class ConsultationMutation(_ConsultationCrud, _Attendance, _OutcomeCrud):  # type: ignore[misc,valid-type]
    create_instruction = mutation_field(
        "CreateInstruction",
        fields=column_inputs(models.Instruction, creating=True),
        id_types=_INSTRUCTION_IDS,
        node_field="instruction",
        node_type="Instruction",
        handler=_create_instruction,
        description="登记领导批示 record a leader's instruction on an outcome or opinion report",
        input_description="登记领导批示的输入 input of createInstruction",
        record_keeping=True,
    )
    update_instruction = mutation_field(
        "UpdateInstruction",
        fields={
            **_TARGET,
            **update_fields(column_inputs(models.Instruction, creating=False)),
        },
        id_types=_INSTRUCTION_IDS,
        node_field="instruction",
        node_type="Instruction",
        handler=_update_instruction,
        description="修改领导批示 update an instruction",
        input_description="修改领导批示的输入 input of updateInstruction",
        record_keeping=True,
    )
    delete_instruction = mutation_field(
        "DeleteInstruction",
        fields=_TARGET,
        id_types=_INSTRUCTION_IDS,
        node_field="instruction",
        node_type="Instruction",
        handler=delete_handler(consultations.INSTRUCTION_ON_OUTCOME),
        description="删除领导批示 delete an instruction",
        input_description="删除领导批示的输入 input of deleteInstruction",
        record_keeping=True,
    )
