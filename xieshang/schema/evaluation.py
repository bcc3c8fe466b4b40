"""Residents' evaluations through single-use links, and members' return visits (回访).

The county office invites a resident (``createEvaluationInvitation``: the link token is in
that answer and nowhere else, ever), the resident opens the form (``evaluationForm``) and
submits it without an account (``submitEvaluation``); members record return visits
(``recordReturnVisit``). The rules are in :mod:`xieshang.domain.evaluations`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

import sqlalchemy as sa
import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.db.base import utcnow
from xieshang.domain import evaluations
from xieshang.domain.evaluations import InvitationStatus
from xieshang.domain.policy import personal_data
from xieshang.domain.privacy import mask_contact, mask_name, shown
from xieshang.domain.unit_of_work import Work
from xieshang.schema.context import Context
from xieshang.schema.derive import described, row_type
from xieshang.schema.lists import ExtraFilter, connection_field, list_spec
from xieshang.schema.mutations import InputField, Reply, UserError, column_inputs, mutation_field
from xieshang.schema.relay import OrderDirection, RowType

strawberry.enum(InvitationStatus, description="评价邀请状态 invitation status（由时间推算）")
for _value, _label in zip(
    InvitationStatus.__strawberry_definition__.values,  # type: ignore[attr-defined]
    (
        "可填写 open：未使用、未撤销、未过期",
        "已使用 used：评价已提交",
        "已过期 expired：超过有效期未使用",
        "已撤销 revoked：县政协在使用前撤回",
    ),
    strict=True,
):
    _value.description = _label


@row_type(
    models.EvaluationInvitation,
    description="评价邀请 EvaluationInvitation：请一位居民通过一次性链接评价协商成果"
    "（链接令牌只在创建时返回一次，库中只存其哈希）",
)
class EvaluationInvitation(RowType):
    @strawberry.field(description="状态 status：OPEN / USED / EXPIRED / REVOKED")
    def status(self, root: strawberry.Parent[models.EvaluationInvitation]) -> InvitationStatus:
        return evaluations.invitation_status(root, utcnow())

    @strawberry.field(
        description=described(models.EvaluationInvitation, "resident_name")
        + "（本县机关人员可见全名，其他用户只见姓 masked）"
    )
    def resident_name(
        self, root: strawberry.Parent[models.EvaluationInvitation], info: Info[Context, Any]
    ) -> str:
        access = personal_data(info.context.viewer, root.county_id)
        return shown(root.resident_name, access, mask_name) or mask_name(root.resident_name) or ""

    @strawberry.field(
        description=described(models.EvaluationInvitation, "resident_contact") + "（已脱敏 masked）"
    )
    def resident_contact(
        self, root: strawberry.Parent[models.EvaluationInvitation], info: Info[Context, Any]
    ) -> str | None:
        access = personal_data(info.context.viewer, root.county_id)
        return shown(root.resident_contact, access, mask_contact)


def _status_is(value: InvitationStatus, _context: Any) -> Any:
    i, now = models.EvaluationInvitation, utcnow()
    unused = i.used_at.is_(None)
    if value is InvitationStatus.USED:
        return i.used_at.is_not(None)
    if value is InvitationStatus.REVOKED:
        return sa.and_(unused, i.revoked_at.is_not(None))
    live = sa.and_(unused, i.revoked_at.is_(None))
    if value is InvitationStatus.EXPIRED:
        return sa.and_(live, i.expires_at <= now)
    return sa.and_(live, i.expires_at > now)


EVALUATION_INVITATIONS = list_spec(
    models.EvaluationInvitation,
    label="评价邀请",
    default_sort="CREATED_AT",
    default_direction=OrderDirection.DESC,
    extra_filters=(
        ExtraFilter("status", InvitationStatus | None, "状态 status（按当前时间推算）", _status_is),
    ),
)


@strawberry.type(
    description="评价单 EvaluationForm：居民打开评价链接时看到的内容（不含他人的个人信息）"
)
class EvaluationForm:
    outcome_title: str = strawberry.field(description="协商成果标题 outcome title")
    outcome_kind: str = strawberry.field(description="成果类型 outcome kind，如 协商专报")
    consultation_title: str = strawberry.field(description="协商活动名称 consultation title")
    consultation_date: date = strawberry.field(
        description="协商日期 consultation date（县所在时区）"
    )
    platform_name: str = strawberry.field(description="协商平台 platform name")
    resident_name: str = strawberry.field(description="被邀请的居民 resident's name（只显示姓）")
    resident_role: str | None = strawberry.field(description="评价人身份 resident's role")
    expires_at: datetime = strawberry.field(description="链接失效时间 link expires at")
    status: InvitationStatus = strawberry.field(description="链接状态 link status")
    can_submit: bool = strawberry.field(
        description="是否还能提交 whether it can still be submitted"
    )


@strawberry.type
class EvaluationQuery:
    evaluation_invitations = connection_field(
        EVALUATION_INVITATIONS, description="评价邀请列表 evaluation invitations（默认最新在前）"
    )

    @strawberry.field(
        description="评价单 evaluation form：凭评价链接中的令牌查看要评价的成果（无需登录；"
        "令牌无效时为空）"
    )
    async def evaluation_form(
        self,
        info: Info[Context, Any],
        token: Annotated[str, strawberry.argument(description="评价链接中的令牌 link token")],
    ) -> EvaluationForm | None:
        async with info.context.sessions() as session:
            form = await evaluations.evaluation_form(session, token, info.context.settings.zone)
        if form is None:
            return None
        invitation = form.invitation
        return EvaluationForm(
            outcome_title=form.outcome_title,
            outcome_kind=form.outcome_kind,
            consultation_title=form.consultation_title,
            consultation_date=form.consultation_date,
            platform_name=form.platform_name,
            resident_name=mask_name(invitation.resident_name) or "",
            resident_role=invitation.resident_role,
            expires_at=invitation.expires_at,
            status=form.status,
            can_submit=form.can_submit,
        )


_ERRORS = "输入错误 user errors（成功时为空列表；有错误时什么也没有写入）"


@strawberry.type(
    description="创建评价邀请的结果 result of createEvaluationInvitation（令牌只在此返回一次）"
)
class CreateEvaluationInvitationPayload:
    issued: strawberry.Private[Reply | None] = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)

    @strawberry.field(description="新建的评价邀请 the invitation（有错误时为空）")
    def evaluation_invitation(self) -> EvaluationInvitation | None:
        return self.issued.row if self.issued is not None else None

    @strawberry.field(
        description="链接令牌 link token：只在此返回一次，之后无法再查询；请放入发给居民的链接"
    )
    def token(self) -> str | None:
        return self.issued.extra["token"] if self.issued is not None else None


@strawberry.type(
    description="提交评价的结果 result of submitEvaluation（不返回评价内容或他人信息）"
)
class SubmitEvaluationPayload:
    evaluation: strawberry.Private[models.Evaluation | None] = None
    user_errors: list[UserError] = strawberry.field(default_factory=list, description=_ERRORS)

    @strawberry.field(description="是否提交成功 ok")
    def ok(self) -> bool:
        return self.evaluation is not None

    @strawberry.field(description="提交时间 submitted at（失败时为空）")
    def submitted_at(self) -> datetime | None:
        return self.evaluation.submitted_at if self.evaluation is not None else None


async def _create_invitation(work: Work, values: dict[str, Any]) -> Reply:
    issued = await evaluations.create_invitation(work, **values)
    return Reply(issued.invitation, {"token": issued.token})


async def _revoke_invitation(work: Work, values: dict[str, Any]) -> models.EvaluationInvitation:
    return await evaluations.revoke_invitation(work, values["id"])


async def _submit(work: Work, values: dict[str, Any]) -> models.Evaluation:
    # restrict=False: the domain restricts the unit of work to the invitation's county.
    return await evaluations.submit_evaluation(work, **values)


async def _return_visit(work: Work, values: dict[str, Any]) -> models.Evaluation:
    return await evaluations.record_return_visit(work, values)


#: What the resident answers, on the form and at a return visit (the evaluation's columns).
_ANSWER = ("satisfaction", "comment", "suggestion")


@strawberry.type
class EvaluationMutation:
    create_evaluation_invitation = mutation_field(
        "CreateEvaluationInvitation",
        fields={
            **column_inputs(models.EvaluationInvitation, creating=True),
            "valid_days": InputField(
                int,
                f"有效天数 days valid（{evaluations.MIN_VALID_DAYS}–{evaluations.MAX_VALID_DAYS}，"
                f"默认 {evaluations.DEFAULT_VALID_DAYS}）",
                evaluations.DEFAULT_VALID_DAYS,
            ),
        },
        id_types={"outcome_id": "Outcome"},
        node_field="issued",
        node_type="EvaluationInvitation",
        handler=_create_invitation,
        description="创建评价邀请 invite a resident to evaluate an outcome through a one-time link",
        input_description="创建评价邀请的输入 input of createEvaluationInvitation",
        payload=CreateEvaluationInvitationPayload,
    )
    revoke_evaluation_invitation = mutation_field(
        "RevokeEvaluationInvitation",
        fields={"id": InputField(strawberry.ID, "要撤销的评价邀请（全局 ID） the invitation")},
        id_types={"id": "EvaluationInvitation"},
        node_field="evaluation_invitation",
        node_type="EvaluationInvitation",
        handler=_revoke_invitation,
        description="撤销评价邀请 revoke an unused invitation（链接随即失效）",
        input_description="撤销评价邀请的输入 input of revokeEvaluationInvitation",
    )
    submit_evaluation = mutation_field(
        "SubmitEvaluation",
        fields={
            "token": InputField(str, "评价链接中的令牌 link token"),
            **column_inputs(models.Evaluation, creating=True, only=_ANSWER),
        },
        id_types={},
        node_field="evaluation",
        node_type="Evaluation",
        handler=_submit,
        description="提交评价单 submit an evaluation through a one-time link（无需登录，每个链接只能提交一次）",
        input_description="提交评价单的输入 input of submitEvaluation",
        restrict=False,
        payload=SubmitEvaluationPayload,
    )
    record_return_visit = mutation_field(
        "RecordReturnVisit",
        fields={
            **column_inputs(
                models.Evaluation,
                creating=True,
                only=("outcome_id", "resident_name", "resident_role", "resident_contact", *_ANSWER),
            ),
            "member_id": InputField(
                strawberry.ID | None,
                "回访委员 visiting member（委员本人记录时可省略；机关人员必填）",
            ),
        },
        id_types={"outcome_id": "Outcome", "member_id": "Member"},
        node_field="evaluation",
        node_type="Evaluation",
        handler=_return_visit,
        description="记录回访 record a resident's evaluation at a member's return visit",
        input_description="记录回访的输入 input of recordReturnVisit",
        restrict=False,
    )
