"""Who may do what: every authorization rule of xieshang, in one place.

A request has a :class:`Viewer`: anonymous, a signed-in user with a role and a county, or the
in-process "system" viewer that test harnesses and the CLI use. This module decides

- which root fields and mutations each role may call (:data:`ROOT_READERS`, :data:`WRITERS`);
- which types of object each role may see wherever they appear (:data:`TYPE_READERS`);
- which counties' rows a viewer sees and changes (:meth:`Viewer.readable_counties`,
  :meth:`Viewer.writable_county`) — nobody reaches another county by guessing an ID;
- who sees personal data unmasked (:func:`personal_data`).

The schema applies these tables to every field (``xieshang/schema/guard.py``); a test walks the
schema and fails when a root field or mutation has no rule here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from xieshang.db import models as m
from xieshang.db.enums import Role


class Access(Enum):
    """How much of a personal value a viewer sees."""

    FULL = "FULL"
    MASKED = "MASKED"
    NONE = "NONE"


@dataclass(frozen=True)
class Viewer:
    """Who is asking."""

    role: Role | None = None
    user_id: int | None = None
    username: str | None = None
    county_id: int | None = None
    #: Counties a city viewer was granted.
    granted: frozenset[int] = frozenset()
    member_id: int | None = None
    unit_id: int | None = None
    #: In-process callers (harnesses, the CLI): everything, everywhere.
    system: bool = False

    @classmethod
    def anonymous(cls) -> Viewer:
        return cls()

    @classmethod
    def trusted(cls) -> Viewer:
        """The system viewer: only ever created by code running in-process, never from a request."""
        return cls(system=True, username="system")

    @property
    def is_anonymous(self) -> bool:
        return self.role is None and not self.system

    @property
    def label(self) -> str:
        if self.system:
            return "SYSTEM"
        return self.role.value if self.role is not None else "ANONYMOUS"

    def readable_counties(self) -> frozenset[int] | None:
        """Counties whose rows this viewer may read (None: all of them)."""
        if self.system or self.is_anonymous:
            return None  # the public reads every county's public data
        if self.role is Role.CITY_VIEWER:
            return self.granted
        return frozenset({self.county_id}) if self.county_id is not None else frozenset()

    def reads_county(self, county_id: int) -> bool:
        """Whether this viewer may read rows of ``county_id``."""
        counties = self.readable_counties()
        return counties is None or county_id in counties

    def writable_county(self) -> int | None:
        """The county this viewer may change (None: none, or every one for the system)."""
        if self.role in (Role.ADMIN, Role.STAFF, Role.UNIT):
            return self.county_id
        return None

    def may_write_county(self, county_id: int | None) -> bool:
        return self.system or (county_id is not None and self.writable_county() == county_id)


ALL_ROLES = frozenset(Role)
ANONYMOUS = "ANONYMOUS"
#: Roles that read a county's internal data (not the auditor: separation of duties).
READERS = frozenset({Role.ADMIN, Role.STAFF, Role.MEMBER, Role.CITY_VIEWER})
EDITORS = frozenset({Role.ADMIN, Role.STAFF})
PUBLIC = frozenset({ANONYMOUS, *READERS})

#: Which roles may see objects of a type, wherever they appear (root lists, relations, node).
TYPE_READERS: dict[str, frozenset[str]] = {
    # The public face of the county: who serves where, what is consulted, what came of it.
    "County": frozenset({*PUBLIC, Role.UNIT, Role.AUDITOR}),
    "Sector": PUBLIC,
    "Office": PUBLIC,
    "Member": frozenset({*PUBLIC, Role.UNIT}),
    "Platform": PUBLIC,
    "PlatformChecklistFact": PUBLIC,
    "Studio": PUBLIC,
    "SelectionRound": PUBLIC,
    "Topic": frozenset({*PUBLIC, Role.UNIT}),
    # A topic's progress is public; who moved it is shown to signed-in users only.
    "TopicTransition": frozenset({*PUBLIC, Role.UNIT}),
    "TopicScreeningNote": READERS,
    # Hints of possible duplicates, shown wherever the topic is.
    "SimilarTopic": frozenset({*PUBLIC, Role.UNIT}),
    "Consultation": frozenset({*PUBLIC, Role.UNIT}),
    "ConsultationAttendance": READERS,
    "Outcome": frozenset({*PUBLIC, Role.UNIT}),
    "Activity": PUBLIC,
    "Deed": PUBLIC,
    "Proposal": PUBLIC,
    # Internal work of the county office.
    "GridAssignment": READERS,
    "ResponsibleUnit": frozenset({*READERS, Role.UNIT}),
    "FollowUp": frozenset({*READERS, Role.UNIT}),
    "FollowUpNote": frozenset({*READERS, Role.UNIT}),
    "SupervisionBoard": READERS,
    "UnitSupervision": READERS,
    "Instruction": frozenset({*READERS, Role.UNIT}),
    "Evaluation": READERS,
    "EvaluationInvitation": READERS,
    # Aggregate figures only (no task, unit or resident named): published like the article does.
    "ConsultationStatistics": PUBLIC,
    "TopicSourceCount": PUBLIC,
    "SatisfactionCount": PUBLIC,
    "OpinionReport": READERS,
    "Assessment": READERS,
    "StandardSummary": READERS,
    "CountyStandard": READERS,
    "Standard": READERS,
    "RulePlugin": frozenset({Role.ADMIN, Role.STAFF}),
    "PluginProblem": frozenset({Role.ADMIN, Role.STAFF}),
    "ActivityKind": PUBLIC,
    "AuditEvent": frozenset({Role.AUDITOR}),
    # The caller's own account (me, and the answer to login): whoever signed in.
    "Account": frozenset({ANONYMOUS, *ALL_ROLES}),
    # A followUpChanged event: whoever may read follow-up tasks (a unit: its own, see below).
    "FollowUpEvent": frozenset({*READERS, Role.UNIT}),
}

#: Root query fields: who may call each. Every root field must be listed (a test checks).
ROOT_READERS: dict[str, frozenset[str]] = {
    "node": frozenset({*PUBLIC, Role.UNIT, Role.AUDITOR}),
    "nodes": frozenset({*PUBLIC, Role.UNIT, Role.AUDITOR}),
    "counties": frozenset({*PUBLIC, Role.UNIT, Role.AUDITOR}),
    "county": frozenset({*PUBLIC, Role.UNIT, Role.AUDITOR}),
    "sectors": PUBLIC,
    "offices": PUBLIC,
    "responsibleUnits": READERS,
    "members": PUBLIC,
    "platforms": PUBLIC,
    "gridAssignments": READERS,
    "studios": PUBLIC,
    "topics": PUBLIC,
    "consultations": PUBLIC,
    "outcomes": PUBLIC,
    "followUps": frozenset({*READERS, Role.UNIT}),
    "supervisionBoard": READERS,
    "evaluations": READERS,
    "opinionReports": READERS,
    "activities": PUBLIC,
    "deeds": PUBLIC,
    "proposals": PUBLIC,
    "standards": READERS,
    "rulePlugins": frozenset({Role.ADMIN, Role.STAFF}),
    "ruleProblems": frozenset({Role.ADMIN, Role.STAFF}),
    "activityKinds": PUBLIC,
    "assessments": READERS,
    "ranking": READERS,
    "me": frozenset({*PUBLIC, Role.UNIT, Role.AUDITOR}),
    "auditEvents": frozenset({Role.AUDITOR}),
    "evaluationInvitations": READERS,
    # A resident opens the form from the link, without an account.
    "evaluationForm": frozenset({ANONYMOUS, *ALL_ROLES}),
}

_ANYONE = frozenset({ANONYMOUS, *ALL_ROLES})

#: Who keeps a county's records — creates, changes, archives and links any of its rows: the county
#: office (ADMIN, STAFF) of that county. The mutations that do so register themselves as record
#: keeping where they are built (:func:`record_keeping`, called by the schema's mutation
#: factories), so no list of their names is kept here.
RECORD_KEEPERS = EDITORS

#: Mutations whose writers are not the record keepers. Every mutation must be listed here or
#: registered as record keeping (a test checks); one that is neither is refused to everybody but
#: the system viewer.
SPECIAL_WRITERS: dict[str, frozenset[str]] = {
    # Signing in and out is for everybody.
    "login": _ANYONE,
    "refreshToken": _ANYONE,
    "logout": _ANYONE,
    # Counties are created by the operator (CLI); a county's admin maintains its own.
    "createCounty": frozenset(),
    "updateCounty": frozenset({Role.ADMIN}),
    "setCountyStandards": frozenset({Role.ADMIN}),
    "enableCountyStandard": frozenset({Role.ADMIN}),
    "disableCountyStandard": frozenset({Role.ADMIN}),
    # Units report progress on their own tasks and complete them.
    "addFollowUpNote": frozenset({*EDITORS, Role.UNIT}),
    "completeFollowUp": frozenset({*EDITORS, Role.UNIT}),
    # 社会出题: residents submit topics without an account (rate-limited per address).
    "submitTopic": _ANYONE,
    "promoteProposalToTopic": EDITORS,
    # Residents' evaluations: the office invites, anyone holding a link submits (once), members
    # record their own return visits.
    "createEvaluationInvitation": EDITORS,
    "revokeEvaluationInvitation": EDITORS,
    "submitEvaluation": _ANYONE,
    "recordReturnVisit": frozenset({*EDITORS, Role.MEMBER}),
}

_RECORD_KEEPING: set[str] = set()


def record_keeping(mutation: str) -> None:
    """Note ``mutation`` as keeping a county's records (writers: :data:`RECORD_KEEPERS`)."""
    _RECORD_KEEPING.add(mutation)


class _Writers(Mapping[str, frozenset[str]]):
    """Mutation → who may call it: the special writers, else the record keepers for the
    mutations registered as record keeping."""

    def __getitem__(self, mutation: str) -> frozenset[str]:
        if mutation in SPECIAL_WRITERS:
            return SPECIAL_WRITERS[mutation]
        if mutation in _RECORD_KEEPING:
            return RECORD_KEEPERS
        raise KeyError(mutation)

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(set(SPECIAL_WRITERS) | _RECORD_KEEPING))

    def __len__(self) -> int:
        return len(set(SPECIAL_WRITERS) | _RECORD_KEEPING)


#: Mutations: who may call each (see :data:`SPECIAL_WRITERS` and :func:`record_keeping`).
WRITERS: Mapping[str, frozenset[str]] = _Writers()


def may_call(viewer: Viewer, field: str, *, mutation: bool) -> bool:
    """Whether ``viewer`` may call the root field or mutation ``field``."""
    if viewer.system:
        return True
    table = WRITERS if mutation else ROOT_READERS
    return _has(viewer, table.get(field, frozenset()))


#: Subscription fields (live events): who may subscribe to each. Every subscription field must
#: be listed (a test checks). Anonymous callers receive nothing; a subscriber also needs to read
#: the county it names (:func:`may_subscribe`), and a unit receives only its own tasks' events
#: (:func:`row_visible`, applied to every event).
SUBSCRIBERS: dict[str, frozenset[str]] = {
    "topicSubmitted": READERS,
    "followUpChanged": frozenset({*READERS, Role.UNIT}),
    "evaluationSubmitted": READERS,
}


def may_subscribe(viewer: Viewer, field: str, county_id: int | None = None) -> bool:
    """Whether ``viewer`` may subscribe to ``field`` (for the events of ``county_id``)."""
    if viewer.system:
        return True
    if not _has(viewer, SUBSCRIBERS.get(field, frozenset())):
        return False
    return county_id is None or viewer.reads_county(county_id)


def may_read_type(viewer: Viewer, type_name: str) -> bool:
    """Whether ``viewer`` may see objects of ``type_name`` (unknown types: nobody but the system)."""
    if viewer.system:
        return True
    return _has(viewer, TYPE_READERS.get(type_name, frozenset()))


def _has(viewer: Viewer, allowed: frozenset[str]) -> bool:
    # Roles are string enums: Role.ADMIN == "ADMIN", so one membership test covers both.
    return (viewer.role.value if viewer.role is not None else ANONYMOUS) in allowed


def personal_data(viewer: Viewer, county_id: int | None) -> Access:
    """Phones and residents' contacts: whole for the county office of the same county, masked for
    other signed-in users, never for anonymous callers."""
    if viewer.system:
        return Access.FULL
    if viewer.is_anonymous:
        return Access.NONE
    if viewer.role in EDITORS and county_id is not None and viewer.county_id == county_id:
        return Access.FULL
    return Access.MASKED


# -- per-object rules: which rows of a readable county a viewer may see or act on ------------


def own_task(viewer: Viewer, task: m.FollowUp) -> bool:
    """A unit sees and acts on its own follow-up tasks only (another unit's is "not found");
    everybody else on every task of the counties they read."""
    return viewer.system or viewer.role is not Role.UNIT or task.unit_id == viewer.unit_id


def own_visit(viewer: Viewer, member_id: int | None) -> bool:
    """A member records their own return visits only; the county office names the member."""
    return viewer.role is not Role.MEMBER or member_id is None or member_id == viewer.member_id


def actors_shown(viewer: Viewer) -> bool:
    """Who moved a topic (or did anything else a timeline shows) is for signed-in users only."""
    return not viewer.is_anonymous


def row_conditions(viewer: Viewer, model: type) -> list[Any]:
    """SQL conditions keeping a list to the rows ``viewer`` may see: the counties it reads, and
    the per-object rules above (a unit's own tasks)."""
    conditions: list[Any] = []
    counties = viewer.readable_counties()
    if counties is not None:
        column = model.id if model is m.County else getattr(model, "county_id", None)
        if column is not None:
            conditions.append(column.in_(sorted(counties)))
    if model is m.FollowUp and viewer.role is Role.UNIT and not viewer.system:
        # own_task, as SQL.
        conditions.append(m.FollowUp.unit_id == viewer.unit_id)
    return conditions


def row_visible(viewer: Viewer, row: Any) -> bool:
    """Whether ``viewer`` may see ``row`` fetched by ID (the check behind ``node(id:)``)."""
    counties = viewer.readable_counties()
    if counties is not None:
        county = row.id if isinstance(row, m.County) else getattr(row, "county_id", None)
        if county is not None and county not in counties:
            return False
    if isinstance(row, m.FollowUp):
        return own_task(viewer, row)
    return True


#: Spreadsheet exports over HTTP (GET /exports/{kind}.xlsx|.csv): who may download each kind.
#: The viewer must also read the county exported (:func:`may_export`).
EXPORTERS: dict[str, frozenset[str]] = {
    "members": READERS,
    "platforms": READERS,
    "studios": READERS,
    "assessments": READERS,
    "statistics": READERS,
}


def may_export(viewer: Viewer, kind: str, county_id: int) -> bool:
    """Whether ``viewer`` may download the ``kind`` export of ``county_id``."""
    if viewer.system:
        return True
    if not _has(viewer, EXPORTERS.get(kind, frozenset())):
        return False
    return viewer.reads_county(county_id)
