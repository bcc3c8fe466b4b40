"""Nested connections page exactly like the root list filtered to the same parent."""

from __future__ import annotations

from xieshang.testing import GraphQLClient


async def test_studio_members_match_the_filtered_root_list(
    xieshang_demo_client: GraphQLClient,
) -> None:
    client = xieshang_demo_client
    data = await client.query(
        "{ studios(first: 16) { edges { node { id members(first: 100) { totalCount edges { node { id } } } } } } }"
    )
    for edge in data["studios"]["edges"]:
        studio = edge["node"]
        root = await client.query(
            "query($s: ID) { members(first: 100, filter: {studioId: $s}) { totalCount edges { node { id } } } }",
            {"s": studio["id"]},
        )
        assert studio["members"]["totalCount"] == root["members"]["totalCount"] >= 5
        assert [e["node"]["id"] for e in studio["members"]["edges"]] == [
            e["node"]["id"] for e in root["members"]["edges"]
        ]


async def test_nested_pages_follow_cursors(xieshang_demo_client: GraphQLClient) -> None:
    client = xieshang_demo_client
    query = """query($after: String) { platforms(filter: {level: TOWNSHIP}, first: 15) { edges { node { id
        children(first: 2, after: $after, orderBy: {field: NAME}) {
          totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { name } } } } } } }"""
    first = await client.query(query)
    for edge in first["platforms"]["edges"]:
        children = edge["node"]["children"]
        assert len(children["edges"]) == 2
        assert children["pageInfo"]["hasNextPage"] is (children["totalCount"] > 2)
        assert children["pageInfo"]["hasPreviousPage"] is False
        # Paging one parent's children by its own cursor continues where the page ended.
        parent = edge["node"]["id"]
        everything = await client.query(
            "query($p: ID) { platforms(first: 20, filter: {parentId: $p}, orderBy: {field: NAME})"
            " { edges { node { name } } } }",
            {"p": parent},
        )
        names = [e["node"]["name"] for e in everything["platforms"]["edges"]]
        assert [e["node"]["name"] for e in children["edges"]] == names[:2]
        second = await client.query(
            """query($id: ID!, $after: String) { node(id: $id) { ... on Platform {
                children(first: 2, after: $after, orderBy: {field: NAME}) { edges { node { name } } } } } }""",
            {"id": parent, "after": children["pageInfo"]["endCursor"]},
        )
        assert [e["node"]["name"] for e in second["node"]["children"]["edges"]] == names[2:4]


async def test_nested_last_pages_and_filters(xieshang_demo_client: GraphQLClient) -> None:
    client = xieshang_demo_client
    data = await client.query(
        """{ sectors(first: 3) { edges { node { id
            all: members(first: 100) { totalCount edges { node { id } } }
            tail: members(last: 2) { edges { node { id } } pageInfo { hasPreviousPage hasNextPage } }
            standing: members(first: 100, filter: {isStandingCommittee: true}) { totalCount }
        } } } }"""
    )
    for edge in data["sectors"]["edges"]:
        node = edge["node"]
        ids = [e["node"]["id"] for e in node["all"]["edges"]]
        assert [e["node"]["id"] for e in node["tail"]["edges"]] == ids[-2:]
        assert node["tail"]["pageInfo"]["hasNextPage"] is False
        assert node["standing"]["totalCount"] <= node["all"]["totalCount"]


async def test_relations_both_ways(xieshang_demo_client: GraphQLClient) -> None:
    client = xieshang_demo_client
    data = await client.query(
        """{ members(first: 100, filter: {isStandingCommittee: true}) { edges { node { id
            studios(first: 5) { edges { node { id members(first: 20) { edges { node { id } } } } } } } } } }"""
    )
    checked = 0
    for edge in data["members"]["edges"]:
        member = edge["node"]
        for studio in member["studios"]["edges"]:
            assert member["id"] in [m["node"]["id"] for m in studio["node"]["members"]["edges"]]
            checked += 1
    assert checked > 0
    topic = await client.query(
        """{ topics(first: 1, filter: {isKey: true}) { edges { node { id consultations { edges { node {
            topic { id } outcomes { edges { node { consultation { topic { id } }
              followUps { edges { node { outcome { consultation { topic { id } } } } } } } } } } } } } } } }"""
    )
    node = topic["topics"]["edges"][0]["node"]
    consultation = node["consultations"]["edges"][0]["node"]
    assert consultation["topic"]["id"] == node["id"]
    outcome = consultation["outcomes"]["edges"][0]["node"]
    assert outcome["consultation"]["topic"]["id"] == node["id"]
    for follow_up in outcome["followUps"]["edges"]:
        assert follow_up["node"]["outcome"]["consultation"]["topic"]["id"] == node["id"]


async def test_overdue_filter_and_flag_agree(xieshang_demo_client: GraphQLClient) -> None:
    client = xieshang_demo_client
    overdue = await client.query(
        "{ followUps(first: 100, filter: {overdue: true}) { totalCount edges { node { isOverdue status } } } }"
    )
    rest = await client.query("{ followUps(filter: {overdue: false}) { totalCount } }")
    everything = await client.query("{ followUps { totalCount } }")
    assert overdue["followUps"]["totalCount"] == 16  # the demo's open tasks, all past due by now
    assert all(
        e["node"]["isOverdue"] and e["node"]["status"] != "DONE"
        for e in overdue["followUps"]["edges"]
    )
    assert (
        overdue["followUps"]["totalCount"] + rest["followUps"]["totalCount"]
        == everything["followUps"]["totalCount"]
    )
