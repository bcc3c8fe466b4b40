"""Chinese names of fields, for messages (“名称不能为空”)."""

from __future__ import annotations

LABELS: dict[str, str] = {
    "address": "地址",
    "adopted_by": "采用单位",
    "adopted_on": "采用日期",
    "agenda": "议程",
    "agreements": "达成的共识",
    "area_name": "所在区域",
    "assigned_on": "交办（安排）日期",
    "assigning_body": "交题单位",
    "attested_by": "核实人",
    "attested_on": "核实日期",
    "author": "报告人",
    "batch_year": "批次年份",
    "beneficiaries": "受益人数",
    "candidates": "人选数",
    "city": "所属市",
    "code": "编号",
    "comment": "评价原话",
    "completed_on": "办结日期",
    "contact_person": "联系人",
    "content": "内容",
    "description": "说明",
    "done_on": "办理日期",
    "due_on": "办理期限",
    "employer": "工作单位",
    "ended_on": "结束日期",
    "ends_at": "结束时间",
    "evidence": "佐证材料",
    "form": "协商形式",
    "held_on": "举行日期",
    "host_venue_name": "依托阵地名称",
    "instructed_on": "批示日期",
    "invited_officials": "应邀人员",
    "item": "核查项",
    "kind": "类型",
    "leader": "批示领导",
    "location": "地点",
    "minutes": "会议记录",
    "name": "名称",
    "note": "备注",
    "number": "案号",
    "occurred_on": "活动日期",
    "participant_count": "参加人数",
    "phone": "联系电话",
    "position": "职务",
    "proposer_contact": "联系方式",
    "proposer_name": "提出人",
    "province": "所属省",
    "reported_on": "报送日期",
    "resident_contact": "联系方式",
    "resident_count": "群众人数",
    "resident_name": "评价人",
    "resident_role": "评价人身份",
    "round_no": "轮次",
    "sent_to": "报送对象",
    "sort_order": "排序号",
    "starts_at": "开始时间",
    "status_reason": "理由",
    "submitted_on": "报送日期",
    "suggestion": "意见建议",
    "summary": "摘要",
    "task": "任务内容",
    "term": "届次",
    "theme": "主题",
    "timezone": "时区",
    "title": "标题",
    "township": "所在乡镇",
    "year": "年度",
}


def label(field: str) -> str:
    """The Chinese name of ``field`` (snake_case), or the field itself when it has none."""
    return LABELS.get(field, field)


def camel(field: str) -> str:
    """``sector_id`` → ``sectorId``: the GraphQL name of an input field."""
    head, *rest = field.split("_")
    return head + "".join(part.title() for part in rest)
