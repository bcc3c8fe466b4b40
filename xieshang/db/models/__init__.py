"""Every model, importable from one place (``from xieshang.db.models import Member``)."""

from xieshang.db.models.account import AuditEvent, RefreshToken, User, UserCountyGrant
from xieshang.db.models.consultation import (
    Consultation,
    ConsultationAttendance,
    Instruction,
    Outcome,
)
from xieshang.db.models.evaluation import EvaluationInvitation
from xieshang.db.models.follow_up import Evaluation, FollowUp, FollowUpNote
from xieshang.db.models.member import Member
from xieshang.db.models.organisation import (
    County,
    CountyStandard,
    Office,
    ResponsibleUnit,
    Sector,
)
from xieshang.db.models.platform import GridAssignment, Platform, PlatformChecklistFact
from xieshang.db.models.records import (
    Activity,
    ActivityParticipant,
    Deed,
    DeedParticipant,
    OpinionReport,
    Proposal,
    ProposalJointProposer,
)
from xieshang.db.models.studio import SelectionRound, Studio, StudioMember
from xieshang.db.models.topic import Topic, TopicScreeningNote, TopicTransition

__all__ = [
    "Activity",
    "ActivityParticipant",
    "AuditEvent",
    "Consultation",
    "ConsultationAttendance",
    "County",
    "CountyStandard",
    "Deed",
    "DeedParticipant",
    "Evaluation",
    "EvaluationInvitation",
    "FollowUp",
    "FollowUpNote",
    "GridAssignment",
    "Instruction",
    "Member",
    "Office",
    "OpinionReport",
    "Outcome",
    "Platform",
    "PlatformChecklistFact",
    "Proposal",
    "ProposalJointProposer",
    "RefreshToken",
    "ResponsibleUnit",
    "Sector",
    "SelectionRound",
    "Studio",
    "StudioMember",
    "Topic",
    "TopicScreeningNote",
    "TopicTransition",
    "User",
    "UserCountyGrant",
]
