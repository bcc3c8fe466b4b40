"""The role × field matrix: every root field and mutation, called by every role.

The calls are generated from the schema, so a field added without a rule in
``xieshang/domain/policy.py`` fails here twice: it is missing from the policy tables, and
nobody (not even ADMIN) can call it.
"""

from __future__ import annotations

from typing import Any

import graphql
import pytest

from xieshang.config import Settings
from xieshang.db.enums import Role
from xieshang.domain import policy
from xieshang.schema import build_schema
from xieshang.schema.guard import guarded_type

#: The demo accounts (xieshang/demo/accounts.py), one per role, and the anonymous caller.
CALLERS: dict[str, str | None] = {
    "ANONYMOUS": None,
    "ADMIN": "admin",
    "STAFF": "staff",
    "MEMBER": "member",
    "AUDITOR": "auditor",
    "UNIT": "unit",
    "CITY_VIEWER": "city",
}

SCHEMA = build_schema(Settings())._schema
assert SCHEMA.query_type is not None and SCHEMA.mutation_type is not None
QUERY_FIELDS = dict(SCHEMA.query_type.fields)
MUTATION_FIELDS = dict(SCHEMA.mutation_type.fields)
assert SCHEMA.subscription_type is not None
SUBSCRIPTION_FIELDS = dict(SCHEMA.subscription_type.fields)

# What the roles may do, written out from the issue that specified them, independently of
# xieshang/domain/policy.py: the behaviour below is checked against this, not against the policy.
EVERYONE = set(CALLERS)
PUBLIC = {"ANONYMOUS", "ADMIN", "STAFF", "MEMBER", "CITY_VIEWER"}
COUNTY_READERS = {"ADMIN", "STAFF", "MEMBER", "CITY_VIEWER"}
EXPECTED_READS: dict[str, set[str]] = {
    **dict.fromkeys(("node", "nodes", "counties", "county", "me"), EVERYONE),
    **dict.fromkeys(
        ("sectors", "offices", "members", "platforms", "studios", "topics", "consultations",
         "outcomes", "activities", "deeds", "proposals", "activityKinds"),
        PUBLIC,
    ),
    **dict.fromkeys(
        ("responsibleUnits", "gridAssignments", "evaluations", "opinionReports", "standards",
         "assessments", "ranking", "supervisionBoard"),
        COUNTY_READERS,
    ),
    "followUps": COUNTY_READERS | {"UNIT"},  # a unit sees its own tasks
    "rulePlugins": {"ADMIN", "STAFF"},
    "ruleProblems": {"ADMIN", "STAFF"},
    "auditEvents": {"AUDITOR"},  # separation of duties: not even ADMIN
    "evaluationInvitations": COUNTY_READERS,  # like evaluations (names masked but for the office)
    "evaluationForm": EVERYONE,  # a resident opens the link without an account
}  # fmt: skip
# Live events: the county's readers; follow-up events also for units (their own tasks only).
EXPECTED_SUBSCRIBERS: dict[str, set[str]] = {
    "topicSubmitted": COUNTY_READERS,
    "followUpChanged": COUNTY_READERS | {"UNIT"},
    "evaluationSubmitted": COUNTY_READERS,
}
COUNTY_ADMIN_ONLY = (
    "updateCounty", "setCountyStandards", "enableCountyStandard", "disableCountyStandard",
)  # fmt: skip


def expected_writers(mutation: str) -> set[str]:
    if mutation in ("login", "refreshToken", "logout"):
        return EVERYONE
    if mutation == "createCounty":
        return set()  # the operator's job (CLI, in-process)
    if mutation in COUNTY_ADMIN_ONLY:
        return {"ADMIN"}
    if mutation in ("addFollowUpNote", "completeFollowUp"):
        return {"ADMIN", "STAFF", "UNIT"}  # a unit reports progress on its tasks and ends them
    if mutation == "submitTopic":
        return EVERYONE  # 社会出题: residents submit topics without an account
    if mutation == "promoteProposalToTopic":
        return {"ADMIN", "STAFF"}  # the county office turns a filed proposal into a topic
    if mutation == "submitEvaluation":
        return EVERYONE  # whoever holds a resident's link (the link is the permission)
    if mutation == "recordReturnVisit":
        return {"ADMIN", "STAFF", "MEMBER"}  # members record their own return visits
    return {"ADMIN", "STAFF"}  # the county office keeps the county's records


# Requests in this file come fast; rate limiting is tested on its own (test_security_http.py).
UNLIMITED = {"rate_limit_user": "100000/minute", "rate_limit_anonymous": "100000/minute"}


def test_every_root_field_has_a_rule() -> None:
    assert set(QUERY_FIELDS) - set(policy.ROOT_READERS) == set(), "root fields without a rule"
    assert set(policy.ROOT_READERS) - set(QUERY_FIELDS) == set(), "rules for missing fields"


def test_the_expectations_cover_the_schema() -> None:
    assert set(EXPECTED_READS) == set(QUERY_FIELDS)


def test_every_mutation_has_a_rule() -> None:
    assert set(MUTATION_FIELDS) - set(policy.WRITERS) == set(), "mutations without a rule"
    assert set(policy.WRITERS) - set(MUTATION_FIELDS) == set(), "rules for missing mutations"


def test_every_node_type_has_a_reading_rule() -> None:
    node = SCHEMA.get_type("Node")
    assert isinstance(node, graphql.GraphQLInterfaceType)
    nodes = {t.name for t in SCHEMA.get_possible_types(node)}
    assert nodes - set(policy.TYPE_READERS) == set()


def test_every_nested_field_returning_records_is_guarded() -> None:
    """Object-valued fields either return a guarded type or a part of a guarded parent (the
    criteria of an assessment, page info) — listed here, so a new type needs a decision."""
    parts_of_guarded_parents = {
        "PageInfo",  # of every connection
        "CriterionResult", "ItemResult", "SectionResult", "WindowResult",  # of Assessment
        "StandardCriterion",  # of Standard
        "OfficeShare",  # of StandardSummary
        "Node",  # Assessment.subject and evidence: same county as the assessment
    }  # fmt: skip
    unguarded: set[str] = set()
    for type_name, type_ in SCHEMA.type_map.items():
        if type_name.startswith("__") or not isinstance(type_, graphql.GraphQLObjectType):
            continue
        if type_ in (SCHEMA.query_type, SCHEMA.mutation_type) or type_name.endswith("Payload"):
            continue
        for field in type_.fields.values():
            named = graphql.get_named_type(field.type)
            if not isinstance(named, graphql.GraphQLObjectType | graphql.GraphQLInterfaceType):
                continue
            if guarded_type(field.type) is None and named.name not in parts_of_guarded_parents:
                unguarded.add(named.name)
    assert unguarded == set(), "object types reachable without a reading rule"


def test_root_fields_allow_no_one_their_type_refuses() -> None:
    """Root lists are checked once, at the root (their edges and nodes are not checked again), so
    a root field must not let in a role that may not read the type it returns."""
    for name, field in QUERY_FIELDS.items():
        type_name = guarded_type(field.type)
        if type_name is not None:
            extra = policy.ROOT_READERS[name] - policy.TYPE_READERS[type_name]
            assert extra == frozenset(), f"{name} lets {set(extra)} read {type_name}"


# -- calling every field ------------------------------------------------------------------


def literal(type_: graphql.GraphQLInputType) -> str:
    """A valid (if meaningless) GraphQL literal of ``type_``, with only required fields."""
    if isinstance(type_, graphql.GraphQLNonNull):
        return literal(type_.of_type)
    if isinstance(type_, graphql.GraphQLList):
        return f"[{literal(type_.of_type)}]"
    if isinstance(type_, graphql.GraphQLInputObjectType):
        parts = [
            f"{name}: {literal(field.type)}"
            for name, field in type_.fields.items()
            if graphql.is_required_input_field(field)
        ]
        return "{" + ", ".join(parts) + "}"
    if isinstance(type_, graphql.GraphQLEnumType):
        return next(iter(type_.values))
    return {
        "Int": "1",
        "Float": "1.5",
        "Boolean": "true",
        "ID": '"bm8tc3VjaDox"',  # base64 "no-such:1": well-formed, names nothing
        "Date": '"2024-10-24"',
        "DateTime": '"2024-10-24T09:00:00+08:00"',
        "JSON": "{}",
    }.get(type_.name, '"测试"')


def call(field_name: str, field: graphql.GraphQLField, *, mutation: bool) -> str:
    """The smallest document calling ``field_name`` with its required arguments."""
    args = [
        f"{name}: {literal(arg.type)}"
        for name, arg in field.args.items()
        if graphql.is_required_argument(arg)
    ]
    arguments = f"({', '.join(args)})" if args else ""
    named = graphql.get_named_type(field.type)
    selection = "" if isinstance(named, graphql.GraphQLScalarType | graphql.GraphQLEnumType) else (
        " { __typename }"
    )  # fmt: skip
    return f"{'mutation' if mutation else 'query'} {{ {field_name}{arguments}{selection} }}"


def allowed(role: str, table: dict[str, frozenset[str]], field: str) -> bool:
    return role in {r.value if isinstance(r, Role) else r for r in table[field]}


def forbidden_at(response: Any, field: str) -> bool:
    return any(
        (e.get("extensions") or {}).get("code") == "FORBIDDEN" and e.get("path") == [field]
        for e in response.errors
    )


@pytest.mark.parametrize("role", list(CALLERS))
async def test_root_fields_by_role(role: str, xieshang_graphql: Any) -> None:
    user = CALLERS[role]
    client = xieshang_graphql(as_user=user, anonymous=user is None, **UNLIMITED)
    mismatched: list[str] = []
    for name, field in QUERY_FIELDS.items():
        response = await client.post(call(name, field, mutation=False))
        assert response.status_code == 200, (name, response.body)
        expected = role in EXPECTED_READS[name]
        if forbidden_at(response, name) == expected:
            mismatched.append(f"{name}: {'refused' if expected else 'allowed'}")
        if not expected:
            assert response.data is None or response.data.get(name) is None
    assert mismatched == [], f"{role}: root fields not as the policy says"


@pytest.mark.parametrize("role", list(CALLERS))
async def test_mutations_by_role(role: str, xieshang_graphql: Any) -> None:
    user = CALLERS[role]
    client = xieshang_graphql(as_user=user, anonymous=user is None, **UNLIMITED)
    mismatched: list[str] = []
    for name, field in MUTATION_FIELDS.items():
        response = await client.post(call(name, field, mutation=True))
        assert response.status_code == 200, (name, response.body)
        expected = role in expected_writers(name)
        if forbidden_at(response, name) == expected:
            mismatched.append(f"{name}: {'refused' if expected else 'allowed'}")
    assert mismatched == [], f"{role}: mutations not as the policy says"


def test_the_policy_tables_say_what_is_expected() -> None:
    """The policy module agrees with the written-out expectations (a change to one without the
    other fails here, before any request is made)."""
    for field in QUERY_FIELDS:
        assert {r for r in CALLERS if allowed(r, policy.ROOT_READERS, field)} == EXPECTED_READS[
            field
        ], field
    for field in MUTATION_FIELDS:
        assert {r for r in CALLERS if allowed(r, policy.WRITERS, field)} == expected_writers(
            field
        ), field


# -- subscriptions (live events) ----------------------------------------------------------


def test_every_subscription_field_has_a_rule() -> None:
    assert set(SUBSCRIPTION_FIELDS) - set(policy.SUBSCRIBERS) == set(), (
        "subscriptions without a rule"
    )
    assert set(policy.SUBSCRIBERS) - set(SUBSCRIPTION_FIELDS) == set(), "rules for missing fields"
    assert set(EXPECTED_SUBSCRIBERS) == set(SUBSCRIPTION_FIELDS)
    for field in SUBSCRIPTION_FIELDS:
        assert {r for r in CALLERS if allowed(r, policy.SUBSCRIBERS, field)} == (
            EXPECTED_SUBSCRIBERS[field]
        ), field


def test_subscriptions_allow_no_one_their_type_refuses() -> None:
    for name, field in SUBSCRIPTION_FIELDS.items():
        type_name = guarded_type(field.type)
        assert type_name is not None, f"{name} returns an unguarded type"
        extra = policy.SUBSCRIBERS[name] - policy.TYPE_READERS[type_name]
        assert extra == frozenset(), f"{name} lets {set(extra)} read {type_name}"


@pytest.mark.parametrize("role", list(CALLERS))
async def test_subscriptions_by_role(role: str, xieshang_demo_sessions: Any) -> None:
    """Every subscription field, started in-process by every role for the demo county."""
    import asyncio
    import contextlib

    import sqlalchemy as sa
    from strawberry.types.execution import ExecutionResult

    from xieshang.db import models as m
    from xieshang.domain.accounts import viewer_from_token
    from xieshang.schema.context import Context
    from xieshang.schema.relay import to_global_id
    from xieshang.testing import token_for

    settings = Settings()
    schema = build_schema(settings)
    async with xieshang_demo_sessions() as session:
        county = await session.scalar(sa.select(m.County.id).order_by(m.County.id).limit(1))
        viewer = policy.Viewer.anonymous()
        if CALLERS[role] is not None:
            user = await session.scalar(sa.select(m.User).where(m.User.username == CALLERS[role]))
            viewer = await viewer_from_token(session, settings, token_for(user, settings))
    mismatched: list[str] = []
    for name, field in SUBSCRIPTION_FIELDS.items():
        document = call(name, field, mutation=False).replace("query", "subscription", 1)
        document = document.replace('"bm8tc3VjaDox"', f'"{to_global_id("County", county)}"')
        context = Context.create(xieshang_demo_sessions, settings, viewer=viewer)
        stream = await schema.subscribe(document, context_value=context)
        assert not isinstance(stream, ExecutionResult)
        first = asyncio.ensure_future(anext(stream))
        # Either the refusal comes first, or the subscription reaches the bus and waits there.
        for _ in range(1000):
            if first.done() or context.bus.subscriber_count:
                break
            await asyncio.sleep(0.01)
        refused = first.done()
        if refused:
            codes = [(e.extensions or {}).get("code") for e in first.result().errors or []]
            assert codes == ["FORBIDDEN"], (name, role, first.result())
        else:
            first.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await first
        await stream.aclose()
        if refused == (role in EXPECTED_SUBSCRIBERS[name]):
            mismatched.append(f"{name}: {'refused' if refused else 'allowed'}")
    assert mismatched == [], f"{role}: subscriptions not as the policy says"
