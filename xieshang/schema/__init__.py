"""The GraphQL schema: strawberry types per area, merged into one ``Query``.

``build_schema(settings)`` is the only entry point; the HTTP app and test harnesses both
use it, so the schema they see is the same.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext
from strawberry.types.scalar import ScalarDefinition

from xieshang.config import Settings
from xieshang.schema import enums as _enums  # noqa: F401  (registers the GraphQL enums)
from xieshang.schema import fastpath, guard
from xieshang.schema.account import AccountMutation, AccountQuery
from xieshang.schema.assessments import JSON_SCALAR, AssessmentMutation, AssessmentQuery, JSONValue
from xieshang.schema.consultation import ConsultationMutation, ConsultationQuery
from xieshang.schema.evaluation import EvaluationMutation, EvaluationQuery
from xieshang.schema.extensions import MaskInternalErrors, SqlStatsExtension, unexpected
from xieshang.schema.follow_up import FollowUpMutation, FollowUpQuery
from xieshang.schema.limits import QueryLimits
from xieshang.schema.member import MemberMutation, MemberQuery
from xieshang.schema.node import NodeRegistry, node_query
from xieshang.schema.organisation import (
    CountyMutation,
    OfficeMutation,
    OrganisationQuery,
    ResponsibleUnitMutation,
    SectorMutation,
)
from xieshang.schema.platform import PlatformMutation, PlatformQuery
from xieshang.schema.records import RECORD_MUTATIONS, RecordQuery
from xieshang.schema.relay import RowType, node_types
from xieshang.schema.scalars import date_scalar, datetime_scalar
from xieshang.schema.studio import StudioMutation, StudioQuery
from xieshang.schema.subscription import Subscription
from xieshang.schema.topic import TopicIntakeMutation, TopicMutation, TopicQuery

#: The mutation types of every area, merged into ``Mutation``.
MUTATIONS: tuple[type, ...] = (
    AccountMutation,
    CountyMutation,
    AssessmentMutation,
    SectorMutation,
    OfficeMutation,
    ResponsibleUnitMutation,
    MemberMutation,
    PlatformMutation,
    StudioMutation,
    TopicMutation,
    TopicIntakeMutation,
    ConsultationMutation,
    FollowUpMutation,
    *RECORD_MUTATIONS,
    EvaluationMutation,
)

#: Every node type (each registers itself when its module is imported above).
NODE_TYPES: list[type[RowType]] = node_types()

logger = logging.getLogger("xieshang.graphql")


class Schema(strawberry.Schema):
    """strawberry's schema, logging only unexpected errors.

    Errors raised on purpose carry ``extensions.code`` (bad ID, page too large …) and are
    the client's business; a traceback in the log is kept for real faults.
    """

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        context = execution_context.context if execution_context is not None else None
        request_id = getattr(getattr(context, "origin", None), "request_id", None)
        for error in errors:
            if unexpected(error):
                logger.error(
                    "unexpected error in %s (request %s)",
                    error.path,
                    request_id,
                    exc_info=error.original_error,
                )


def build_schema(settings: Settings, *, tuned: bool = True) -> Schema:
    """The xieshang schema for ``settings`` (time zone, limits).

    ``tuned=False`` leaves out the parser and validation caches and the direct resolvers of
    plain fields — strawberry as it comes — so that ``bench/`` can show what they are worth.
    """
    query = merge_types(
        "Query",
        (
            node_query(NodeRegistry(NODE_TYPES)),
            OrganisationQuery,
            MemberQuery,
            PlatformQuery,
            StudioQuery,
            TopicQuery,
            ConsultationQuery,
            FollowUpQuery,
            RecordQuery,
            EvaluationQuery,
            AssessmentQuery,
            AccountQuery,
        ),
    )
    query.__strawberry_definition__.description = "查询入口 root query"  # type: ignore[attr-defined]
    mutation = merge_types("Mutation", MUTATIONS)
    mutation.__strawberry_definition__.description = "修改入口 root mutation"  # type: ignore[attr-defined]
    scalar_map: dict[object, ScalarDefinition] = {
        date: date_scalar(),
        datetime: datetime_scalar(settings.zone),
        JSONValue: JSON_SCALAR,
    }
    extensions: list[Any] = []
    alias_rules = MaxAliasesLimiter(max_alias_count=settings.max_aliases).validation_rules
    if tuned:
        extensions += [lambda: ParserCache(maxsize=512), lambda: ValidationCache(maxsize=512)]
    extensions += [
        # The alias rule is made once: MaxAliasesLimiter makes a new rule class per instance,
        # which would miss the validation cache on every request.
        lambda: AddValidationRules(alias_rules),
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: QueryLimits(max_depth=settings.max_depth, max_cost=settings.max_cost),
        MaskInternalErrors,
    ]
    if not settings.introspection:
        extensions.append(DisableIntrospection)
    if settings.debug_sql:
        extensions.append(SqlStatsExtension)
    schema = Schema(
        query=query,
        mutation=mutation,
        subscription=Subscription,
        types=NODE_TYPES,
        config=StrawberryConfig(
            auto_camel_case=True,
            scalar_map=scalar_map,
            # In production an error never suggests field names (they reveal the schema).
            disable_field_suggestions=settings.is_production,
        ),
        extensions=extensions,
    )
    if tuned:
        fastpath.apply(schema._schema, {t.graphql_type_name() for t in NODE_TYPES})
    guard.apply(schema._schema)
    return schema


def print_schema(settings: Settings | None = None) -> str:
    """The schema as SDL, the content of ``schema.graphql`` at the repository root."""
    return build_schema(settings or Settings()).as_str() + "\n"
