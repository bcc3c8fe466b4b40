"""Model member studios (样板委员工作室) and the rounds that chose their lead members."""

from __future__ import annotations

import strawberry

from xieshang.db import models
from xieshang.domain import studios
from xieshang.rules.standards import SubjectKind
from xieshang.schema.assessments import compliance_field
from xieshang.schema.derive import row_type
from xieshang.schema.lists import Link, connection_field
from xieshang.schema.mutations import (
    crud_mutations,
    delete_handler,
    link_mutations,
    mutation_field,
    target_fields,
)
from xieshang.schema.relations import to_many
from xieshang.schema.relay import Archivable, RowType, Tracked
from xieshang.schema.specs import ACTIVITIES, DEEDS, MEMBERS, OPINION_REPORTS, PROPOSALS, STUDIOS


@row_type(
    models.SelectionRound,
    description="领衔委员选任轮次 SelectionRound：五轮选任程序中的一轮",
    county=False,
)
class SelectionRound(RowType, Tracked):
    pass


@row_type(
    models.Studio,
    description="样板委员工作室 Studio：一名领衔委员 lead member 加若干委员，依托协商平台开展工作",
)
class Studio(RowType, Archivable):
    members = connection_field(
        MEMBERS,
        link=Link(
            models.StudioMember.studio_id,
            through=models.StudioMember,
            target=models.StudioMember.member_id,
        ),
        description="工作室成员（含领衔委员） members, the lead member included",
    )
    selection_rounds = to_many(
        "SelectionRound",
        "studio_id",
        model=models.SelectionRound,
        order_by=("round_no",),
        description="领衔委员的选任轮次 rounds that chose the lead member（按轮次）",
    )
    opinion_reports = connection_field(
        OPINION_REPORTS,
        link=Link(models.OpinionReport.studio_id),
        description="报送的社情民意信息 opinion reports",
    )
    activities = connection_field(
        ACTIVITIES, link=Link(models.Activity.studio_id), description="开展的履职活动 activities"
    )
    deeds = connection_field(
        DEEDS, link=Link(models.Deed.studio_id), description="办理的实事 deeds"
    )
    proposals = connection_field(
        PROPOSALS, link=Link(models.Proposal.studio_id), description="形成的提案 proposals"
    )
    compliance = compliance_field(
        SubjectKind.STUDIO,
        "履职标准落实情况 compliance：本县启用的各项工作室考核标准（如“三个一”）在该期间的结果",
    )


@strawberry.type
class StudioQuery:
    studios = connection_field(STUDIOS, description="样板委员工作室列表 studios（默认按录入顺序）")


_StudioCrud = crud_mutations(studios.STUDIO, node_field="studio", noun="工作室")
_StudioMembers = link_mutations(
    studios.STUDIO_MEMBERS,
    node_field="studio",
    add="AddStudioMember",
    remove="RemoveStudioMember",
    noun="工作室成员",
)
_RoundCrud = crud_mutations(
    studios.SELECTION_ROUND, node_field="selection_round", noun="选任轮次", archive=False
)


@strawberry.type
class StudioMutation(_StudioCrud, _StudioMembers, _RoundCrud):  # type: ignore[misc,valid-type]
    delete_selection_round = mutation_field(
        "DeleteSelectionRound",
        fields=target_fields("选任轮次", "SelectionRound"),
        id_types={"id": "SelectionRound"},
        node_field="selection_round",
        node_type="SelectionRound",
        handler=delete_handler(studios.SELECTION_ROUND),
        description="删除选任轮次 delete a selection round",
        input_description="删除选任轮次的输入 input of deleteSelectionRound",
        record_keeping=True,
    )
