"""The first GraphQL lists over HTTP, against the demo county."""

from __future__ import annotations

import base64

import pytest

from xieshang.testing import GraphQLClient

COUNTS = """
query {
  county(code: "511323") { id name code city province }
  counties { totalCount }
  studios { totalCount }
  platforms { totalCount }
  county_: platforms(filter: {level: COUNTY}) { totalCount }
  township: platforms(filter: {level: TOWNSHIP}) { totalCount }
  village: platforms(filter: {level: VILLAGE}) { totalCount }
  members { totalCount }
  topics(filter: {year: 2024}) { totalCount }
  key: topics(filter: {year: 2024, isKey: true}) { totalCount }
  notKey: topics(filter: {year: 2024, isKey: false}) { totalCount }
}
"""


async def test_the_articles_figures(xieshang_demo_client: GraphQLClient) -> None:
    data = await xieshang_demo_client.query(COUNTS)
    assert data["county"]["name"] == "蓬安县"
    assert (data["county"]["city"], data["county"]["province"]) == ("南充市", "四川省")
    assert data["counties"]["totalCount"] == 1
    assert data["studios"]["totalCount"] == 16
    assert data["platforms"]["totalCount"] == 88
    assert [data[k]["totalCount"] for k in ("county_", "township", "village")] == [1, 15, 72]
    assert data["members"]["totalCount"] == 250
    assert data["topics"]["totalCount"] >= 350
    assert data["key"]["totalCount"] == 148
    assert data["key"]["totalCount"] + data["notKey"]["totalCount"] == data["topics"]["totalCount"]


async def test_unknown_county_code_is_null(xieshang_demo_client: GraphQLClient) -> None:
    data = await xieshang_demo_client.query('{ county(code: "000000") { id } }')
    assert data["county"] is None


async def test_topics_by_source_add_up(xieshang_demo_client: GraphQLClient) -> None:
    query = (
        """query($s: TopicSource!) { topics(filter: {year: 2024, source: $s}) { totalCount } }"""
    )
    total = 0
    for source in ("PARTY_COMMITTEE", "GOVERNMENT", "PUBLIC", "MEMBER_PROPOSAL"):
        count = (await xieshang_demo_client.query(query, {"s": source}))["topics"]["totalCount"]
        assert count > 0
        total += count
    assert total == 356


async def test_paging_through_all_members_visits_each_once(
    xieshang_demo_client: GraphQLClient,
) -> None:
    query = """query($after: String) {
      members(first: 100, after: $after) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
        edges { cursor node { id name } }
      }
    }"""
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        page = (await xieshang_demo_client.query(query, {"after": after}))["members"]
        pages += 1
        seen += [e["node"]["id"] for e in page["edges"]]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 250


async def test_paging_backwards_with_last_and_before(xieshang_demo_client: GraphQLClient) -> None:
    forward = await xieshang_demo_client.query(
        "{ studios(first: 16) { edges { cursor node { name } } } }"
    )
    names = [e["node"]["name"] for e in forward["studios"]["edges"]]
    tail = await xieshang_demo_client.query(
        "{ studios(last: 5) { pageInfo { hasPreviousPage hasNextPage } edges { node { name } } } }"
    )
    assert [e["node"]["name"] for e in tail["studios"]["edges"]] == names[-5:]
    assert tail["studios"]["pageInfo"] == {"hasPreviousPage": True, "hasNextPage": False}
    before = forward["studios"]["edges"][10]["cursor"]
    window = await xieshang_demo_client.query(
        "query($b: String) { studios(last: 3, before: $b) { edges { node { name } } } }",
        {"b": before},
    )
    assert [e["node"]["name"] for e in window["studios"]["edges"]] == names[7:10]


async def test_ordering_by_name_descending_is_stable_across_pages(
    xieshang_demo_client: GraphQLClient,
) -> None:
    query = """query($after: String) {
      platforms(first: 30, after: $after, orderBy: {field: NAME, direction: DESC}) {
        pageInfo { hasNextPage endCursor } edges { node { name } }
      }
    }"""
    names: list[str] = []
    after = None
    while True:
        page = (await xieshang_demo_client.query(query, {"after": after}))["platforms"]
        names += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(names) == 88 == len(set(names))
    # The database's own collation decides the order; paging must follow it exactly.
    single = await xieshang_demo_client.query(
        "{ platforms(first: 88, orderBy: {field: NAME, direction: DESC}) { edges { node { name } } } }"
    )
    assert names == [e["node"]["name"] for e in single["platforms"]["edges"]]


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_paging_by_a_timestamp_visits_every_row_once(
    direction: str, xieshang_demo_client: GraphQLClient
) -> None:
    """Timestamps in cursors are compared as the column stores them (naive UTC text on SQLite)."""
    query = """query($after: String, $direction: OrderDirection!) {
      consultations(first: 25, after: $after, orderBy: {field: STARTS_AT, direction: $direction}) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id startsAt } }
      }
    }"""
    seen: list[tuple[str, str]] = []
    after = None
    while True:
        variables = {"after": after, "direction": direction}
        page = (await xieshang_demo_client.query(query, variables))["consultations"]
        seen += [(e["node"]["startsAt"], e["node"]["id"]) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == page["totalCount"] == len(set(seen)) > 25
    times = [t for t, _ in seen]
    assert times == sorted(times, reverse=direction == "DESC")


async def test_empty_result_has_no_cursors(xieshang_demo_client: GraphQLClient) -> None:
    data = await xieshang_demo_client.query(
        '{ members(filter: {nameContains: "不存在的名字"}) { totalCount'
        " pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor } } }"
    )
    assert data["members"] == {
        "totalCount": 0,
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
        "edges": [],
    }


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ("first: 101", "PAGE_SIZE_EXCEEDED"),
        ("last: 500", "PAGE_SIZE_EXCEEDED"),
        ("first: -1", "INVALID_ARGUMENT"),
        ("first: 5, last: 5", "INVALID_ARGUMENT"),
        ('after: "not-a-cursor"', "INVALID_CURSOR"),
        ('before: "eyJ4Ijox"', "INVALID_CURSOR"),
    ],
)
async def test_bad_page_arguments_are_clear_errors(
    xieshang_demo_client: GraphQLClient, arguments: str, code: str
) -> None:
    response = await xieshang_demo_client.post(f"{{ members({arguments}) {{ totalCount }} }}")
    assert response.status_code == 200
    assert response.error_codes == [code]
    assert response.errors[0]["message"]  # a Chinese message for people


async def test_a_cursor_of_another_ordering_is_refused(xieshang_demo_client: GraphQLClient) -> None:
    page = await xieshang_demo_client.query("{ members(first: 1) { pageInfo { endCursor } } }")
    cursor = page["members"]["pageInfo"]["endCursor"]
    response = await xieshang_demo_client.post(
        "query($c: String) { members(first: 1, after: $c, orderBy: {field: NAME}) { totalCount } }",
        {"c": cursor},
    )
    assert response.error_codes == ["INVALID_CURSOR"]


@pytest.mark.parametrize(
    "key",
    [
        ["2024-06-01T09:00:00", 1],
        ["not a time", 1],
        [20240601, 1],
        ["2024-06-01T09:00:00+08:00", "x"],
    ],
)
async def test_a_forged_timestamp_cursor_is_refused_not_a_crash(
    xieshang_demo_client: GraphQLClient, key: list[object]
) -> None:
    import base64
    import json

    raw = json.dumps(["STARTS_AT:ASC", key]).encode()
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    response = await xieshang_demo_client.post(
        "query($c: String) { consultations(first: 1, after: $c, orderBy: {field: STARTS_AT})"
        " { totalCount } }",
        {"c": cursor},
    )
    assert response.error_codes == ["INVALID_CURSOR"]


async def test_node_round_trips_every_type(xieshang_demo_client: GraphQLClient) -> None:
    data = await xieshang_demo_client.query(
        """{
          county(code: "511323") { id }
          members(first: 1) { edges { node { id name sector { id name } office { id } } } }
          studios(first: 1) { edges { node { id name selectionRounds { id roundNo } } } }
          platforms(first: 1) { edges { node { id name } } }
          topics(first: 1) { edges { node { id title } } }
        }"""
    )
    member = data["members"]["edges"][0]["node"]
    ids = [
        data["county"]["id"],
        member["id"],
        member["sector"]["id"],
        data["studios"]["edges"][0]["node"]["id"],
        data["studios"]["edges"][0]["node"]["selectionRounds"][0]["id"],
        data["platforms"]["edges"][0]["node"]["id"],
        data["topics"]["edges"][0]["node"]["id"],
    ]
    fetched = await xieshang_demo_client.query(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }", {"ids": ids}
    )
    assert [n["id"] for n in fetched["nodes"]] == ids
    assert [n["__typename"] for n in fetched["nodes"]] == [
        "County", "Member", "Sector", "Studio", "SelectionRound", "Platform", "Topic",
    ]  # fmt: skip
    one = await xieshang_demo_client.query(
        "query($id: ID!) { node(id: $id) { ... on Member { name } } }", {"id": member["id"]}
    )
    assert one["node"]["name"] == member["name"]


async def test_node_with_a_missing_or_malformed_id(xieshang_demo_client: GraphQLClient) -> None:
    missing = base64.urlsafe_b64encode(b"Member:999999").decode().rstrip("=")
    assert (await xieshang_demo_client.query(f'{{ node(id: "{missing}") {{ id }} }}'))[
        "node"
    ] is None
    for bad in (
        "xx",
        base64.urlsafe_b64encode(b"Nothing:1").decode(),
        base64.urlsafe_b64encode(b"Member:abc").decode(),
    ):
        response = await xieshang_demo_client.post(f'{{ node(id: "{bad}") {{ id }} }}')
        assert response.error_codes == ["INVALID_ID"], bad


async def test_filter_with_an_id_of_the_wrong_type(xieshang_demo_client: GraphQLClient) -> None:
    data = await xieshang_demo_client.query("{ members(first: 1) { edges { node { id } } } }")
    member_id = data["members"]["edges"][0]["node"]["id"]
    response = await xieshang_demo_client.post(
        "query($id: ID) { members(filter: {sectorId: $id}) { totalCount } }", {"id": member_id}
    )
    assert response.error_codes == ["INVALID_ID"]
    assert "Sector" in response.errors[0]["message"]


async def test_members_filtered_by_sector_add_up(xieshang_demo_client: GraphQLClient) -> None:
    sectors = await xieshang_demo_client.query(
        "{ sectors(first: 100) { totalCount edges { node { id } } } }"
    )
    assert sectors["sectors"]["totalCount"] == 23
    total = 0
    for edge in sectors["sectors"]["edges"]:
        data = await xieshang_demo_client.query(
            "query($id: ID) { members(filter: {sectorId: $id}) { totalCount } }",
            {"id": edge["node"]["id"]},
        )
        total += data["members"]["totalCount"]
    assert total == 250


async def test_studio_page_with_lead_member_and_host_platform(
    xieshang_demo_client: GraphQLClient,
) -> None:
    data = await xieshang_demo_client.query(
        """{ studios(first: 16) { edges { node {
              name batchYear
              leadMember { name sector { name } phone }
              hostPlatform { level parent { level } }
              office { name }
              selectionRounds { roundNo title }
        } } } }"""
    )
    for edge in data["studios"]["edges"]:
        studio = edge["node"]
        assert studio["batchYear"] == 2022
        assert [r["roundNo"] for r in studio["selectionRounds"]] == [1, 2, 3, 4, 5]
        assert studio["leadMember"]["sector"]["name"]
        assert studio["hostPlatform"]["level"] == "TOWNSHIP"
        assert studio["hostPlatform"]["parent"]["level"] == "COUNTY"
        assert len(studio["leadMember"]["phone"]) == 11  # whole: the county's own office


async def test_times_are_shown_in_the_county_time_zone(xieshang_demo_client: GraphQLClient) -> None:
    data = await xieshang_demo_client.query(
        "{ topics(first: 5) { edges { node { submittedAt } } } }"
    )
    for edge in data["topics"]["edges"]:
        assert edge["node"]["submittedAt"].endswith("+08:00")


async def test_get_requests_run_queries(xieshang_demo_client: GraphQLClient) -> None:
    response = await xieshang_demo_client.http.get(
        "/graphql", params={"query": "{ studios { totalCount } }"}
    )
    assert response.status_code == 200
    assert response.json()["data"]["studios"]["totalCount"] == 16


async def test_healthz(xieshang_demo_client: GraphQLClient) -> None:
    response = await xieshang_demo_client.http.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
