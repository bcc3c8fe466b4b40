"""Each field is declared once: the label in messages is the Chinese of its schema description.

Messages name a field by its column declaration's label (:mod:`xieshang.domain.labels`); the
schema describes it, wherever it appears — as a field of its type, a relation, an input field or
a filter — with a description that must start with that same label. A description written by
hand that calls the field something else fails here.
"""

from __future__ import annotations

import re
from typing import Any

import graphql
import pytest

from xieshang.config import Settings
from xieshang.db import models as m
from xieshang.db.base import Base
from xieshang.db.fields import declarations
from xieshang.domain import crud
from xieshang.domain.labels import label
from xieshang.schema import build_schema

SCHEMA = build_schema(Settings())._schema

#: Inputs of mutations other than create/update, and the model whose columns they carry.
CUSTOM_INPUTS: dict[str, type[Any]] = {
    "AssignMemberToPlatformInput": m.GridAssignment,
    "EndGridAssignmentInput": m.GridAssignment,
    "AttestPlatformChecklistItemInput": m.PlatformChecklistFact,
    "AddFollowUpNoteInput": m.FollowUpNote,
    "CompleteFollowUpInput": m.FollowUp,
    "CreateInstructionInput": m.Instruction,
    "UpdateInstructionInput": m.Instruction,
    "CreateEvaluationInvitationInput": m.EvaluationInvitation,
    "SubmitEvaluationInput": m.Evaluation,
    "RecordReturnVisitInput": m.Evaluation,
    "AddStudioMemberInput": m.StudioMember,
    "SetConsultationAttendanceInput": m.ConsultationAttendance,
    "SubmitTopicInput": m.Topic,
    "PromoteProposalToTopicInput": m.Topic,
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _models() -> dict[str, type[Any]]:
    return {mapper.class_.__name__: mapper.class_ for mapper in Base.registry.mappers}


def _column_of(model: type[Any], field: str) -> str | None:
    """The declared column a schema field (snake case) presents, if any."""
    declared = declarations(model)
    if field in declared:
        return field
    for column, declaration in declared.items():
        if column.endswith("_id") and (declaration.relation or column[:-3]) == field:
            return column
    return None


def _places() -> list[tuple[str, type[Any], dict[str, Any]]]:
    """(type name, model, fields) of every object, input and filter type presenting a model."""
    by_name = _models()
    found = []
    for type_name, type_ in SCHEMA.type_map.items():
        if type_name.startswith("__"):
            continue
        model = by_name.get(type_name) or CUSTOM_INPUTS.get(type_name)
        for prefix, suffix in (("Create", "Input"), ("Update", "Input"), ("", "Filter")):
            stem = type_name.removeprefix(prefix).removesuffix(suffix)
            if (
                model is None
                and type_name != stem
                and (prefix == "" or type_name.startswith(prefix))
            ):
                model = by_name.get(stem)
        if model is not None and isinstance(
            type_, graphql.GraphQLObjectType | graphql.GraphQLInputObjectType
        ):
            found.append((type_name, model, dict(type_.fields)))
    return found


#: The fields every scoped list shares (xieshang.schema.filters.ScopedFilter): the scope of a
#: list, not a column of its rows.
SCOPE = {"countyId", "includeArchived"}

FILTER_WORDS = {"_contains": "包含", "_from": "不早于", "_to": "不晚于"}


def _expected_head(model: type[Any], field: str) -> str | None:
    column = _column_of(model, field)
    if column is not None:
        return label(model, column)
    for ending, word in FILTER_WORDS.items():
        if field.endswith(ending):
            stem = field.removesuffix(ending)
            for candidate in (stem, f"{stem}_on", f"{stem}_at"):
                if _column_of(model, candidate) == candidate:
                    return label(model, candidate) + word
    return None


def test_the_schema_calls_every_declared_field_by_its_label() -> None:
    checked, wrong = 0, []
    for type_name, model, fields in _places():
        for name, field in fields.items():
            if type_name.endswith("Filter") and name in SCOPE:
                continue
            head = _expected_head(model, _snake(name))
            if head is None:
                continue
            checked += 1
            description = field.description or ""
            if not description.startswith(f"{head} ") and description != head:
                wrong.append(f"{type_name}.{name}: {description!r} (label {head!r})")
    assert checked > 300, "the check found too few fields to mean anything"
    assert wrong == [], "descriptions that call a field otherwise than its label"


@pytest.mark.parametrize("entity", sorted({e.model.__name__ for e in crud._ENTITIES.values()}))
def test_every_column_clients_write_is_declared(entity: str) -> None:
    """A column without a declaration would be called by its bare name in messages."""
    model = _models()[entity]
    managed = {"id", "county_id", "version", "created_at", "updated_at", "archived_at"}
    undeclared = [
        c.name
        for c in model.__table__.columns
        if c.name not in managed and c.name not in declarations(model)
    ]
    internal = {"token_hash", "overdue_announced_on"}  # set by the operations, never shown
    assert set(undeclared) <= internal, undeclared


def test_a_field_has_one_label_in_messages_and_spreadsheets() -> None:
    """The roster headers are the labels (or the header a declaration keeps for files in use)."""
    from xieshang.domain import spreadsheets

    for kind in spreadsheets.KINDS.values():
        declared = declarations(kind.entity.model)
        for column in kind.columns:
            declaration = declared[column.field]
            assert column.header.startswith(declaration.header or declaration.label), (
                kind.name,
                column.header,
            )


def test_the_spreadsheet_guide_lists_each_roster_column_as_declared() -> None:
    """docs/spreadsheets.md has a table per roster: the same columns, in the same order, with *
    on exactly the required ones."""
    from pathlib import Path

    from xieshang.domain import spreadsheets

    guide = (Path(__file__).parents[1] / "docs" / "spreadsheets.md").read_text(encoding="utf-8")
    for kind in spreadsheets.KINDS.values():
        section = guide.split(f"### {kind.label} {kind.name}", 1)[1].split("\n### ", 1)[0]
        rows = [
            line.split("|")[1].strip() for line in section.splitlines() if line.startswith("| ")
        ]
        documented = rows[1:]  # the header row names the table's own columns
        assert [h.removesuffix(" *") for h in documented] == kind.header(), kind.name
        starred = {h.removesuffix(" *") for h in documented if h.endswith(" *")}
        required = {c.header for c in kind.columns if c.required and not c.alternatives}
        assert starred == required, kind.name
