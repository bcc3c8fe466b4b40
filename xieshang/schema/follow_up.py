"""Follow-up supervision (跟踪督办) of outcomes and residents' evaluations (成果转化评价单)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.db.enums import FollowUpStatus
from xieshang.domain import follow_up as follow_up_domain
from xieshang.domain import supervision
from xieshang.domain.calendar import local_today
from xieshang.domain.follow_up import is_overdue
from xieshang.domain.policy import personal_data
from xieshang.domain.privacy import mask_contact, mask_name, shown
from xieshang.domain.unit_of_work import Work
from xieshang.schema.context import Context
from xieshang.schema.derive import described, row_type
from xieshang.schema.errors import query_error
from xieshang.schema.lists import connection_field
from xieshang.schema.mutations import (
    InputField,
    column_inputs,
    crud_mutations,
    mutation_field,
    target_fields,
)
from xieshang.schema.relations import to_many, to_one
from xieshang.schema.relay import Archivable, RowType, county_argument
from xieshang.schema.specs import EVALUATIONS, FOLLOW_UPS


@row_type(
    models.FollowUpNote, description="办理进展 FollowUpNote：承办单位报告的一条进展", county=False
)
class FollowUpNote(RowType):
    pass


@row_type(
    models.FollowUp,
    description="督办任务 FollowUp：交办给承办单位、有办理期限的成果转化任务",
)
class FollowUp(RowType, Archivable):
    notes = to_many(
        "FollowUpNote",
        "follow_up_id",
        model=models.FollowUpNote,
        order_by=("noted_at", "id"),
        description="办理进展 progress notes（按时间）",
    )

    @strawberry.field(
        description=(
            "距办理期限的天数 days left until the due date（按县所在时区的日历；"
            "逾期为负数，已办结为空）"
        )
    )
    def days_left(
        self, root: strawberry.Parent[models.FollowUp], info: Info[Context, Any]
    ) -> int | None:
        if root.status is FollowUpStatus.DONE:
            return None
        return (root.due_on - local_today(info.context.settings.zone)).days

    @strawberry.field(description="是否逾期 overdue：未办结且已过期限（按县所在时区的日历）")
    def is_overdue(
        self, root: strawberry.Parent[models.FollowUp], info: Info[Context, Any]
    ) -> bool:
        return is_overdue(root.status, root.due_on, local_today(info.context.settings.zone))


@row_type(
    models.Evaluation,
    description="群众评价 Evaluation：居民对成果转化情况的评价（协商成果转化评价单）",
)
class Evaluation(RowType, Archivable):
    @strawberry.field(
        description=described(models.Evaluation, "resident_name")
        + "（本县机关人员可见全名，其他用户只见姓 masked）"
    )
    def resident_name(
        self, root: strawberry.Parent[models.Evaluation], info: Info[Context, Any]
    ) -> str:
        access = personal_data(info.context.viewer, root.county_id)
        # Evaluations are never shown to anonymous callers; were one to be, it would be masked.
        return shown(root.resident_name, access, mask_name) or mask_name(root.resident_name) or ""

    @strawberry.field(
        description=described(models.Evaluation, "resident_contact") + "（已脱敏 masked）"
    )
    def resident_contact(
        self, root: strawberry.Parent[models.Evaluation], info: Info[Context, Any]
    ) -> str | None:
        access = personal_data(info.context.viewer, root.county_id)
        return shown(root.resident_contact, access, mask_contact)


@strawberry.type(description="承办单位督办情况 UnitSupervision：督办台账中的一行")
class UnitSupervision:
    unit_id: strawberry.Private[int]
    open: int = strawberry.field(description="未办结任务数 open tasks")
    overdue: int = strawberry.field(description="其中逾期 overdue tasks")
    due_soon: int = strawberry.field(description="其中即将到期 open tasks due within the window")
    done: int = strawberry.field(description="已办结任务数 tasks done")
    done_on_time: int = strawberry.field(description="按期办结数 tasks done by their due date")
    unit = to_one(
        "ResponsibleUnit",
        "unit_id",
        model=models.ResponsibleUnit,
        description="承办单位 responsible unit",
        required=True,
    )

    @strawberry.field(
        description="按期办结率 on-time rate（按期办结 ÷ 已办结；无已办结任务时为空）"
    )
    def on_time_rate(self) -> float | None:
        return round(self.done_on_time / self.done, 4) if self.done else None


@strawberry.type(
    description=(
        "督办台账 SupervisionBoard：全县督办任务的汇总，逾期多的承办单位在前；"
        "任务明细用 followUps(filter: {open: true}) 按期限排序（逾期的自然在前）"
    )
)
class SupervisionBoard:
    as_of: date = strawberry.field(description="统计日期 as of（县所在时区的今天）")
    within_days: int = strawberry.field(description="即将到期的天数窗口 window for due soon")
    open: int = strawberry.field(description="未办结任务数 open tasks")
    overdue: int = strawberry.field(description="逾期任务数 overdue tasks")
    due_soon: int = strawberry.field(description="即将到期任务数 open tasks due within the window")
    done: int = strawberry.field(description="已办结任务数 tasks done")
    units: list[UnitSupervision] = strawberry.field(
        description="各承办单位 per unit（逾期多的在前） units, most overdue first"
    )


async def _board(info: Info[Context, Any], county_id: strawberry.ID, within_days: int) -> Any:
    context = info.context
    pk = county_argument(county_id)
    if not context.viewer.reads_county(pk):
        raise query_error("NOT_FOUND", "所选县级政协不存在")
    if not 0 <= within_days <= 90:
        raise query_error("OUT_OF_RANGE", "即将到期的天数窗口应在 0 到 90 之间")
    today = local_today(context.settings.zone)
    async with context.sessions() as session:
        board = await supervision.board(session, pk, today, within_days)
    return SupervisionBoard(
        as_of=board.as_of,
        within_days=board.within_days,
        open=board.open,
        overdue=board.overdue,
        due_soon=board.due_soon,
        done=board.done,
        units=[
            UnitSupervision(
                unit_id=u.unit_id,
                open=u.open,
                overdue=u.overdue,
                due_soon=u.due_soon,
                done=u.done,
                done_on_time=u.done_on_time,
            )
            for u in board.units
        ],
    )


@strawberry.type
class FollowUpQuery:
    @strawberry.field(
        description="督办台账 supervision board of a county（逾期优先 overdue first）"
    )
    async def supervision_board(
        self,
        info: Info[Context, Any],
        county_id: Annotated[
            strawberry.ID, strawberry.argument(description="县级政协（全局 ID） county")
        ],
        within_days: Annotated[
            int,
            strawberry.argument(description="即将到期的天数窗口 days ahead counted as due soon"),
        ] = 7,
    ) -> SupervisionBoard:
        return await _board(info, county_id, within_days)  # type: ignore[no-any-return]

    follow_ups = connection_field(
        FOLLOW_UPS, description="督办任务列表 follow-up tasks（默认按办理期限）"
    )
    evaluations = connection_field(
        EVALUATIONS, description="群众评价列表 evaluations（默认按提交时间）"
    )


_FollowUpCrud = crud_mutations(follow_up_domain.FOLLOW_UP, node_field="follow_up", noun="督办任务")
_EvaluationCrud = crud_mutations(
    follow_up_domain.EVALUATION, node_field="evaluation", noun="群众评价"
)


async def _add_note(work: Work, values: dict[str, Any]) -> Any:
    return await supervision.add_note(
        work, values["follow_up_id"], values["content"], values.get("author")
    )


async def _complete(work: Work, values: dict[str, Any]) -> Any:
    return await supervision.complete_task(
        work,
        values["id"],
        values["expected_version"],
        result_class=values["result_class"],
        completed_on=values.get("completed_on"),
        note=values.get("note"),
    )


@strawberry.type
class FollowUpMutation(_FollowUpCrud, _EvaluationCrud):  # type: ignore[misc,valid-type]
    add_follow_up_note = mutation_field(
        "AddFollowUpNote",
        fields=column_inputs(models.FollowUpNote, creating=True),
        id_types={"follow_up_id": "FollowUp"},
        node_field="follow_up",
        node_type="FollowUp",
        handler=_add_note,
        description=(
            "报告办理进展 add a progress note to a follow-up task"
            "（首次报告时任务由已交办转为办理中）"
        ),
        input_description="报告办理进展的输入 input of addFollowUpNote",
    )
    complete_follow_up = mutation_field(
        "CompleteFollowUp",
        fields={
            **target_fields("督办任务", "FollowUp"),
            **column_inputs(
                models.FollowUp, creating=False, only=("result_class",), required=("result_class",)
            ),
            "completed_on": InputField(
                date | None,
                described(models.FollowUp, "completed_on") + "（不填为县所在时区的今天）",
            ),
            "note": InputField(str | None, "办结说明 closing note（记为一条办理进展）"),
        },
        id_types={"id": "FollowUp"},
        node_field="follow_up",
        node_type="FollowUp",
        handler=_complete,
        description=(
            "办结督办任务 complete a follow-up task with its result class"
            "（议题的任务全部办结时议题自动办结）"
        ),
        input_description="办结督办任务的输入 input of completeFollowUp",
    )
