"""Nested queries issue the same number of SQL statements for 5 parents as for 100."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from xieshang.testing import GraphQLClient

PATHS = {
    "studios → lead member → sector; members": """query($n: Int) { studios(first: $n) { edges { node {
        name leadMember { name sector { name } } office { name }
        members(first: 10) { totalCount edges { node { name } } } selectionRounds { title } } } } }""",
    "members → studios → platforms": """query($n: Int) { members(first: $n) { edges { node {
        name platform { name } sector { name }
        studios(first: 5) { totalCount edges { node { name hostPlatform { name level } } } } } } } }""",
    "platforms → parent, children, members": """query($n: Int) { platforms(first: $n) { edges { node {
        name parent { name } checklist { item }
        children(first: 10) { totalCount edges { node { name } } }
        members(first: 10) { totalCount edges { node { name } } } } } } }""",
    "topics → consultations → outcomes → follow-ups → evaluations": """query($n: Int) {
      topics(first: $n, filter: {isKey: true}) { edges { node { title
        consultations(first: 3) { edges { node { title platform { name } attendances { attendance member { name } }
          outcomes(first: 3) { edges { node { title instructions { leader }
            followUps(first: 5) { totalCount edges { node { task isOverdue unit { name } notes { content } } } }
            evaluations(first: 5) { totalCount edges { node { satisfaction visitedBy { name } } } }
          } } } } } } } } } }""",
    "proposals → proposers, topics": """query($n: Int) { proposals(first: $n) { edges { node {
        title leadMember { name } sector { name } jointProposers { name } topics(first: 2) { totalCount } } } } }""",
    "activities → studio, participants": """query($n: Int) { activities(first: $n) { edges { node {
        title studio { name } participants(first: 3) { totalCount edges { node { name } } } } } } }""",
    "opinion reports → member, studio, instructions": """query($n: Int) { opinionReports(first: $n) { edges { node {
        title member { name } studio { name } instructions { leader } } } } }""",
}


@pytest.fixture
def debug_client(xieshang_graphql: Callable[..., GraphQLClient]) -> GraphQLClient:
    """The demo staff account, with each response's SQL statistics."""
    return xieshang_graphql(debug_sql=True)


async def statements(client: GraphQLClient, query: str, n: int) -> tuple[int, int]:
    response = await client.post(query, {"n": n})
    assert not response.errors, response.errors
    edges = sum(len(v["edges"]) for v in response.data.values())
    return response.body["extensions"]["sql"]["statements"], edges


#: A smaller page than 5 where the first five rows do not reach every relation of the query
#: (the first proposal made by a sector rather than a member is the 23rd).
SMALL = {"proposals → proposers, topics": 25}


@pytest.mark.parametrize("path", list(PATHS))
async def test_statement_count_does_not_grow_with_page_size(
    debug_client: GraphQLClient, path: str
) -> None:
    n = SMALL.get(path, 5)
    small, small_edges = await statements(debug_client, PATHS[path], n)
    large, large_edges = await statements(debug_client, PATHS[path], 100)
    assert large_edges > small_edges  # the larger page really has more parents
    assert small == large, f"{path}: {small} statements for first {n}, {large} for first 100"


async def test_sql_statistics_appear_only_when_asked(xieshang_demo_client: GraphQLClient) -> None:
    response = await xieshang_demo_client.post("{ studios { totalCount } }")
    assert "sql" not in (response.body.get("extensions") or {})


async def test_sql_statistics_report_statements_and_time(debug_client: GraphQLClient) -> None:
    response = await debug_client.post("{ studios { totalCount } }")
    sql = response.body["extensions"]["sql"]
    assert sql["statements"] >= 1 and sql["ms"] >= 0
