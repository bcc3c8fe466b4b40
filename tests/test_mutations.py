"""Every entity's create/update/archive, their success paths and the wrong inputs, over HTTP.

The client is the demo county's staff account (``xieshang_demo_client``), so every write also
passes the county restriction of a real role; counties themselves are made by the system viewer.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from xieshang.testing import GraphQLClient

IDS_QUERY = """{
  county(code: "511323") { id }
  sectors(first: 2) { edges { node { id name } } }
  offices(first: 1) { edges { node { id } } }
  responsibleUnits(first: 1) { edges { node { id } } }
  members(first: 2) { edges { node { id } } }
  county_: platforms(filter: {level: COUNTY}) { edges { node { id } } }
  township: platforms(first: 1, filter: {level: TOWNSHIP}) { edges { node { id } } }
  studios(first: 1) { edges { node { id } } }
  topics(first: 1, filter: {status: IN_IMPLEMENTATION}) { edges { node {
    id consultations(first: 1) { edges { node { id outcomes(first: 1) { edges { node { id } } } } } }
  } } }
  proposals(first: 1, filter: {filing: FILED}) { edges { node { id } } }
}"""


def _first(data: dict[str, Any], key: str, index: int = 0) -> str:
    return str(data[key]["edges"][index]["node"]["id"])


@pytest.fixture
def system_client(xieshang_graphql: Callable[..., GraphQLClient]) -> GraphQLClient:
    """The system viewer, on the same database: counties are made by the operator, not by a
    county office (every other test here acts as the demo county's staff)."""
    return xieshang_graphql(system=True)


@pytest.fixture
async def ids(xieshang_demo_client: GraphQLClient) -> dict[str, str]:
    data = await xieshang_demo_client.query(IDS_QUERY)
    return {
        "county": data["county"]["id"],
        "sector": _first(data, "sectors"),
        "sector2": _first(data, "sectors", 1),
        "office": _first(data, "offices"),
        "unit": _first(data, "responsibleUnits"),
        "member": _first(data, "members"),
        "member2": _first(data, "members", 1),
        "county_platform": _first(data, "county_"),
        "township": _first(data, "township"),
        "studio": _first(data, "studios"),
        "topic": _first(data, "topics"),
        # A topic still in implementation: it takes further consultations, outcomes and tasks.
        "consultation": _first(data["topics"]["edges"][0]["node"], "consultations"),
        "outcome": _first(
            data["topics"]["edges"][0]["node"]["consultations"]["edges"][0]["node"], "outcomes"
        ),
        "proposal": _first(data, "proposals"),
    }


@dataclass(frozen=True)
class Case:
    """How to create one entity and what to change in an update."""

    type_name: str
    field: str  # payload field
    create: Callable[[dict[str, str]], dict[str, Any]]
    text: str  # a required text field for the blank and too-long checks
    change: dict[str, Any]
    archive: bool = True

    @property
    def create_mutation(self) -> str:
        return f"create{self.type_name}"


CASES = [
    Case(
        "Sector",
        "sector",
        lambda i: {"countyId": i["county"], "name": "新界别"},
        "name",
        {"sortOrder": 99},
    ),
    Case(
        "Office",
        "office",
        lambda i: {"countyId": i["county"], "name": "新委室"},
        "name",
        {"name": "新委室二"},
    ),
    Case(
        "ResponsibleUnit",
        "responsibleUnit",
        lambda i: {"countyId": i["county"], "name": "县新单位", "phone": "08328600000"},
        "name",
        {"contactPerson": "张联络"},
    ),
    Case(
        "Member",
        "member",
        lambda i: {
            "countyId": i["county"],
            "name": "赵新",
            "term": 11,
            "sectorId": i["sector"],
            "code": "T-1",
        },
        "name",
        {"township": "罗家镇", "sectorId": None},
    ),
    Case(
        "Platform",
        "platform",
        lambda i: {
            "countyId": i["county"],
            "name": "新村协商平台",
            "level": "VILLAGE",
            "parentId": i["township"],
            "areaName": "新村",
            "hostVenue": "CIVILIZATION_STATION",
        },
        "areaName",
        {"hostVenueName": "新村新时代文明实践站"},
    ),
    Case(
        "Studio",
        "studio",
        lambda i: {
            "countyId": i["county"],
            "name": "新工作室",
            "leadMemberId": i["member"],
            "batchYear": 2025,
        },
        "name",
        {"description": "第二批"},
    ),
    Case(
        "SelectionRound",
        "selectionRound",
        lambda i: {"studioId": i["studio"], "roundNo": 6, "title": "补充考察"},
        "title",
        {"candidates": 2},
        archive=False,
    ),
    Case(
        "Topic",
        "topic",
        lambda i: {"countyId": i["county"], "title": "新议题", "source": "PUBLIC", "year": 2025},
        "title",
        {"theme": "助力基层治理"},
    ),
    Case(
        "Consultation",
        "consultation",
        lambda i: {
            "topicId": i["topic"],
            "platformId": i["county_platform"],
            "title": "新协商",
            "form": "专题协商",
            "startsAt": "2025-03-01T09:00:00+08:00",
        },
        "title",
        {"residentCount": 30},
    ),
    Case(
        "Outcome",
        "outcome",
        lambda i: {"consultationId": i["consultation"], "kind": "建议案", "title": "新成果"},
        "title",
        {"sentTo": "县政府"},
    ),
    Case(
        "FollowUp",
        "followUp",
        lambda i: {
            "outcomeId": i["outcome"],
            "unitId": i["unit"],
            "task": "落实建议",
            "assignedOn": "2025-01-10",
            "dueOn": "2025-04-10",
        },
        "task",
        {"dueOn": "2025-05-10"},
    ),
    Case(
        "Evaluation",
        "evaluation",
        lambda i: {
            "outcomeId": i["outcome"],
            "residentName": "居民甲",
            "satisfaction": "SATISFIED",
            "channel": "FORM",
        },
        "residentName",
        {"suggestion": "继续跟进"},
    ),
    Case(
        "OpinionReport",
        "opinionReport",
        lambda i: {
            "title": "新信息",
            "submittedOn": "2025-02-01",
            "memberId": i["member"],
            "countyId": i["county"],
        },
        "title",
        {"adopted": True, "adoptedOn": "2025-02-20", "adoptedBy": "市政协"},
    ),
    Case(
        "Activity",
        "activity",
        lambda i: {
            "countyId": i["county"],
            "kind": "READING",
            "title": "读书会",
            "occurredOn": "2025-02-03",
        },
        "title",
        {"participantCount": 12},
    ),
    Case(
        "Deed",
        "deed",
        lambda i: {"countyId": i["county"], "title": "修便民路", "doneOn": "2025-02-04"},
        "title",
        {"beneficiaries": 120},
    ),
    Case(
        "Proposal",
        "proposal",
        lambda i: {
            "countyId": i["county"],
            "title": "关于新事项的提案",
            "year": 2025,
            "submittedOn": "2025-01-05",
            "leadMemberId": i["member"],
            "number": "999",
        },
        "title",
        {"filing": "FILED", "isKey": True},
    ),
]

BY_NAME = {case.type_name: case for case in CASES}


def _mutation(name: str, input_type: str, field: str, selection: str = "id version") -> str:
    return (
        f"mutation($input: {input_type}!) {{ {name}(input: $input) {{"
        f" {field} {{ {selection} }} userErrors {{ field code message }} }} }}"
    )


async def create(client: GraphQLClient, case: Case, values: dict[str, Any]) -> dict[str, Any]:
    name = case.create_mutation
    response = await client.post(
        _mutation(name, f"Create{case.type_name}Input", case.field), {"input": values}
    )
    assert response.status_code == 200 and not response.errors, response.body
    return response.data[name]


async def update(client: GraphQLClient, case: Case, values: dict[str, Any]) -> dict[str, Any]:
    name = f"update{case.type_name}"
    response = await client.post(
        _mutation(name, f"Update{case.type_name}Input", case.field, "id version"), {"input": values}
    )
    assert response.status_code == 200 and not response.errors, response.body
    return response.data[name]


async def archive(client: GraphQLClient, case: Case, values: dict[str, Any]) -> dict[str, Any]:
    name = f"archive{case.type_name}"
    response = await client.post(
        _mutation(name, f"Archive{case.type_name}Input", case.field, "id version archivedAt"),
        {"input": values},
    )
    assert response.status_code == 200 and not response.errors, response.body
    return response.data[name]


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]


async def count(client: GraphQLClient, type_name: str) -> int:
    """Rows of a type, archived ones included, counted through the API."""
    root = type_name[0].lower() + type_name[1:]
    root = {
        "Activity": "activities",
        "SelectionRound": None,
    }.get(type_name, root + "s")
    if root is None:
        data = await client.query(
            "{ studios(first: 100) { edges { node { selectionRounds { id } } } } }"
        )
        return sum(len(e["node"]["selectionRounds"]) for e in data["studios"]["edges"])
    data = await client.query(f"{{ {root}(filter: {{includeArchived: true}}) {{ totalCount }} }}")
    return int(data[root]["totalCount"])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.type_name)
async def test_create_read_update_archive(
    xieshang_demo_client: GraphQLClient, ids: dict[str, str], case: Case
) -> None:
    client = xieshang_demo_client
    before = await count(client, case.type_name)
    created = await create(client, case, case.create(ids))
    assert created["userErrors"] == []
    node = created[case.field]
    assert node["version"] == 1
    assert await count(client, case.type_name) == before + 1

    fetched = await client.query(
        "query($id: ID!) { node(id: $id) { __typename id } }", {"id": node["id"]}
    )
    assert fetched["node"] == {"__typename": case.type_name, "id": node["id"]}

    changed = await update(client, case, {"id": node["id"], "expectedVersion": 1, **case.change})
    assert changed["userErrors"] == []
    assert changed[case.field]["version"] == 2

    stale = await update(client, case, {"id": node["id"], "expectedVersion": 1, **case.change})
    assert codes(stale) == ["STALE_VERSION"] and stale[case.field] is None

    if case.archive:
        archived = await archive(client, case, {"id": node["id"], "expectedVersion": 2})
        assert archived["userErrors"] == []
        assert archived[case.field]["archivedAt"] is not None
        again = await update(client, case, {"id": node["id"], "expectedVersion": 3, **case.change})
        assert codes(again) == ["ARCHIVED"]
        twice = await archive(client, case, {"id": node["id"], "expectedVersion": 3})
        assert codes(twice) == ["ARCHIVED"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.type_name)
async def test_blank_and_over_long_text_write_nothing(
    xieshang_demo_client: GraphQLClient, ids: dict[str, str], case: Case
) -> None:
    client = xieshang_demo_client
    before = await count(client, case.type_name)
    blank = await create(client, case, {**case.create(ids), case.text: "   "})
    assert codes(blank) == ["REQUIRED"]
    assert blank["userErrors"][0]["field"] == case.text
    too_long = await create(client, case, {**case.create(ids), case.text: "长" * 20_001})
    assert codes(too_long) == ["TOO_LONG"]
    assert await count(client, case.type_name) == before


def _global(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.type_name)
async def test_update_of_a_missing_or_wrong_id(
    xieshang_demo_client: GraphQLClient, ids: dict[str, str], case: Case
) -> None:
    client = xieshang_demo_client
    missing = await update(
        client, case, {"id": _global(case.type_name, 987_654), "expectedVersion": 1}
    )
    assert codes(missing) == ["NOT_FOUND"]
    wrong_type = await update(client, case, {"id": ids["county"], "expectedVersion": 1})
    assert codes(wrong_type) == ["INVALID_ID"]
    malformed = await update(client, case, {"id": "@@@", "expectedVersion": 1})
    assert codes(malformed) == ["INVALID_ID"]
    assert malformed["userErrors"][0]["field"] == "id"


async def test_references_must_exist_in_the_same_county_and_not_be_archived(
    xieshang_demo_client: GraphQLClient, system_client: GraphQLClient, ids: dict[str, str]
) -> None:
    client = xieshang_demo_client
    member = BY_NAME["Member"]
    other = await create(
        system_client,
        Case("County", "county", lambda i: {}, "name", {}),
        {"code": "511381", "name": "阆中市", "city": "南充市", "province": "四川省"},
    )
    assert other["userErrors"] == []
    foreign = await create(
        system_client, BY_NAME["Sector"], {"countyId": other["county"]["id"], "name": "农业"}
    )
    foreign_sector = foreign["sector"]["id"]
    # A sector of another county is reported exactly like one that does not exist.
    crossed = await create(client, member, {**member.create(ids), "sectorId": foreign_sector})
    assert codes(crossed) == ["NOT_FOUND"] and crossed["userErrors"][0]["field"] == "sectorId"
    gone = await create(
        client, member, {**member.create(ids), "sectorId": _global("Sector", 99999)}
    )
    assert codes(gone) == ["NOT_FOUND"]
    assert crossed["userErrors"][0]["message"] == gone["userErrors"][0]["message"]

    archived = await archive(
        client, BY_NAME["Sector"], {"id": ids["sector2"], "expectedVersion": 1}
    )
    assert archived["userErrors"] == []
    refused = await create(client, member, {**member.create(ids), "sectorId": ids["sector2"]})
    assert codes(refused) == ["ARCHIVED"]


async def test_duplicates_are_refused(
    xieshang_demo_client: GraphQLClient, ids: dict[str, str]
) -> None:
    client = xieshang_demo_client
    sector = await create(client, BY_NAME["Sector"], {"countyId": ids["county"], "name": "农业"})
    assert codes(sector) == ["DUPLICATE"] and sector["userErrors"][0]["field"] == "name"
    case = BY_NAME["Member"]
    first = await create(client, case, case.create(ids))
    assert first["userErrors"] == []
    second = await create(client, case, case.create(ids))
    assert codes(second) == ["DUPLICATE"] and second["userErrors"][0]["field"] == "code"
    proposal = BY_NAME["Proposal"]
    assert (await create(client, proposal, proposal.create(ids)))["userErrors"] == []
    again = await create(client, proposal, proposal.create(ids))
    assert codes(again) == ["DUPLICATE"] and again["userErrors"][0]["field"] == "number"


@pytest.mark.parametrize(
    ("type_name", "override", "code", "field"),
    [
        ("Consultation", {"endsAt": "2025-03-01T08:00:00+08:00"}, "DATE_ORDER", "endsAt"),
        ("FollowUp", {"dueOn": "2025-01-01"}, "DATE_ORDER", "dueOn"),
        ("Consultation", {"residentCount": -3}, "OUT_OF_RANGE", "residentCount"),
        ("Studio", {"batchYear": 1990}, "OUT_OF_RANGE", "batchYear"),
        ("Member", {"term": 0}, "OUT_OF_RANGE", "term"),
        ("Member", {"phone": "not a phone"}, "INVALID_VALUE", "phone"),
        ("Activity", {"kind": "reading"}, "INVALID_VALUE", "kind"),
        ("Platform", {"level": "COUNTY", "parentId": None}, "DUPLICATE", "level"),
        ("Platform", {"level": "TOWNSHIP"}, "INVALID_STATE", "parentId"),
        ("Platform", {"parentId": None}, "REQUIRED", "parentId"),
        ("Evaluation", {"channel": "RETURN_VISIT"}, "REQUIRED", "visitedByMemberId"),
        ("OpinionReport", {"memberId": None}, "REQUIRED", "memberId"),
        ("OpinionReport", {"adopted": True}, "REQUIRED", "adoptedOn"),
        ("OpinionReport", {"adoptedOn": "2025-03-01"}, "INVALID_STATE", "adoptedOn"),
        ("Proposal", {"isKey": True}, "INVALID_STATE", "isKey"),
        ("Proposal", {"leadMemberId": None}, "REQUIRED", "leadMemberId"),
        ("Topic", {"year": 3000}, "OUT_OF_RANGE", "year"),
        ("Topic", {"proposalId": "PROPOSAL"}, "INVALID_STATE", "proposalId"),
        ("SelectionRound", {"roundNo": 1}, "DUPLICATE", "roundNo"),
        ("County", {}, "DUPLICATE", "code"),
    ],
)
async def test_rules_of_each_entity(
    xieshang_demo_client: GraphQLClient,
    system_client: GraphQLClient,
    ids: dict[str, str],
    type_name: str,
    override: dict[str, Any],
    code: str,
    field: str,
) -> None:
    client = xieshang_demo_client
    if type_name == "County":
        client = system_client
        case = Case("County", "county", lambda i: {}, "name", {})
        values = {"code": "511323", "name": "蓬安县", "city": "南充市", "province": "四川省"}
    else:
        case = BY_NAME[type_name]
        values = {**case.create(ids), **override}
        values = {k: (ids["proposal"] if v == "PROPOSAL" else v) for k, v in values.items()}
    result = await create(client, case, values)
    assert (code, field) in [(e["code"], e["field"]) for e in result["userErrors"]], result
    assert result[case.field] is None


async def test_bad_county_code_and_time_zone(system_client: GraphQLClient) -> None:
    case = Case("County", "county", lambda i: {}, "name", {})
    result = await create(
        system_client,
        case,
        {"code": "51A323", "name": "x", "city": "x", "province": "x", "timezone": "Mars/Base"},
    )
    assert sorted(codes(result)) == ["INVALID_VALUE", "INVALID_VALUE"]


async def test_a_bad_enum_is_a_clear_error_not_a_500(
    xieshang_demo_client: GraphQLClient, ids: dict[str, str]
) -> None:
    case = BY_NAME["Topic"]
    response = await xieshang_demo_client.post(
        _mutation("createTopic", "CreateTopicInput", "topic"),
        {"input": {**case.create(ids), "source": "ROYAL_DECREE"}},
    )
    assert response.status_code in (200, 400)
    assert response.errors and "ROYAL_DECREE" in response.errors[0]["message"]


async def test_mutations_are_refused_over_get(
    xieshang_demo_client: GraphQLClient, ids: dict[str, str]
) -> None:
    county = ids["county"]
    query = f'mutation {{ createSector(input: {{countyId: "{county}", name: "经GET"}}) {{ sector {{ id }} }} }}'
    response = await xieshang_demo_client.http.get("/graphql", params={"query": query})
    assert response.status_code in (400, 405)
    data = await xieshang_demo_client.query(
        '{ sectors(filter: {nameContains: "经GET"}) { totalCount } }'
    )
    assert data["sectors"]["totalCount"] == 0


async def test_studio_lead_is_a_member_and_cannot_be_removed(
    xieshang_demo_client: GraphQLClient, ids: dict[str, str]
) -> None:
    client = xieshang_demo_client
    case = BY_NAME["Studio"]
    studio = (await create(client, case, case.create(ids)))["studio"]
    members = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Studio { members { totalCount edges { node { id } } } } } }",
        {"id": studio["id"]},
    )
    assert [e["node"]["id"] for e in members["node"]["members"]["edges"]] == [ids["member"]]

    link = """mutation($input: %sInput!) { %s(input: $input) {
        studio { members { totalCount } } userErrors { field code message } } }"""
    add = await client.post(
        link % ("AddStudioMember", "addStudioMember"),
        {"input": {"studioId": studio["id"], "memberId": ids["member2"]}},
    )
    assert add.data["addStudioMember"]["studio"]["members"]["totalCount"] == 2
    dup = await client.post(
        link % ("AddStudioMember", "addStudioMember"),
        {"input": {"studioId": studio["id"], "memberId": ids["member2"]}},
    )
    assert codes(dup.data["addStudioMember"]) == ["DUPLICATE"]
    lead = await client.post(
        link % ("RemoveStudioMember", "removeStudioMember"),
        {"input": {"studioId": studio["id"], "memberId": ids["member"]}},
    )
    assert codes(lead.data["removeStudioMember"]) == ["INVALID_STATE"]
    removed = await client.post(
        link % ("RemoveStudioMember", "removeStudioMember"),
        {"input": {"studioId": studio["id"], "memberId": ids["member2"]}},
    )
    assert removed.data["removeStudioMember"]["studio"]["members"]["totalCount"] == 1
    not_there = await client.post(
        link % ("RemoveStudioMember", "removeStudioMember"),
        {"input": {"studioId": studio["id"], "memberId": ids["member2"]}},
    )
    assert codes(not_there.data["removeStudioMember"]) == ["NOT_FOUND"]

    # Changing the lead makes the new lead a member too.
    changed = await update(
        client, case, {"id": studio["id"], "expectedVersion": 1, "leadMemberId": ids["member2"]}
    )
    assert changed["userErrors"] == []
    members = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Studio { leadMember { id } members { totalCount } } } }",
        {"id": studio["id"]},
    )
    assert members["node"]["leadMember"]["id"] == ids["member2"]
    assert members["node"]["members"]["totalCount"] == 2


async def test_joint_proposers_keep_signing_order(
    xieshang_demo_client: GraphQLClient, ids: dict[str, str]
) -> None:
    client = xieshang_demo_client
    proposal = (await create(client, BY_NAME["Proposal"], BY_NAME["Proposal"].create(ids)))[
        "proposal"
    ]
    data = await client.query("{ members(first: 4, after: null) { edges { node { id } } } }")
    people = [e["node"]["id"] for e in data["members"]["edges"]][1:4]
    mutation = """mutation($input: %sInput!) { %s(input: $input) {
        proposal { jointProposers { id } } userErrors { code } } }"""
    for person in people:
        result = await client.post(
            mutation % ("AddJointProposer", "addJointProposer"),
            {"input": {"proposalId": proposal["id"], "memberId": person}},
        )
        assert result.data["addJointProposer"]["userErrors"] == []
    removed = await client.post(
        mutation % ("RemoveJointProposer", "removeJointProposer"),
        {"input": {"proposalId": proposal["id"], "memberId": people[0]}},
    )
    order = [m["id"] for m in removed.data["removeJointProposer"]["proposal"]["jointProposers"]]
    assert order == people[1:]
    again = await client.post(
        mutation % ("AddJointProposer", "addJointProposer"),
        {"input": {"proposalId": proposal["id"], "memberId": people[0]}},
    )
    order = [m["id"] for m in again.data["addJointProposer"]["proposal"]["jointProposers"]]
    assert order == [*people[1:], people[0]]


async def test_attendance_is_set_and_changed(
    xieshang_demo_client: GraphQLClient, ids: dict[str, str]
) -> None:
    client = xieshang_demo_client
    consultation = (
        await create(client, BY_NAME["Consultation"], BY_NAME["Consultation"].create(ids))
    )["consultation"]
    mutation = """mutation($input: SetConsultationAttendanceInput!) { setConsultationAttendance(input: $input) {
        consultation { attendances { attendance member { id } } } userErrors { code } } }"""
    first = await client.post(
        mutation, {"input": {"consultationId": consultation["id"], "memberId": ids["member"]}}
    )
    assert first.data["setConsultationAttendance"]["consultation"]["attendances"] == [
        {"attendance": "PRESENT", "member": {"id": ids["member"]}}
    ]
    changed = await client.post(
        mutation,
        {
            "input": {
                "consultationId": consultation["id"],
                "memberId": ids["member"],
                "attendance": "ON_LEAVE",
            }
        },
    )
    assert (
        changed.data["setConsultationAttendance"]["consultation"]["attendances"][0]["attendance"]
        == "ON_LEAVE"
    )


async def test_grid_placement_moves_a_member(
    xieshang_demo_client: GraphQLClient, ids: dict[str, str]
) -> None:
    client = xieshang_demo_client
    mutation = """mutation($input: AssignMemberToPlatformInput!) { assignMemberToPlatform(input: $input) {
        gridAssignment { id version assignedOn platform { id } } userErrors { field code } } }"""
    moved = await client.post(
        mutation,
        {
            "input": {
                "memberId": ids["member"],
                "platformId": ids["township"],
                "assignedOn": "2026-01-05",
            }
        },
    )
    assert moved.data["assignMemberToPlatform"]["userErrors"] == []
    data = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Member { platform { id } gridAssignments { totalCount } } } }",
        {"id": ids["member"]},
    )
    assert data["node"]["platform"]["id"] == ids["township"]
    assert data["node"]["gridAssignments"]["totalCount"] == 2
    backdated = await client.post(
        mutation,
        {
            "input": {
                "memberId": ids["member"],
                "platformId": ids["county_platform"],
                "assignedOn": "2020-01-01",
            }
        },
    )
    assert [e["code"] for e in backdated.data["assignMemberToPlatform"]["userErrors"]] == [
        "DATE_ORDER"
    ]
    end = await client.post(
        """mutation($input: EndGridAssignmentInput!) { endGridAssignment(input: $input) {
            gridAssignment { endedOn } userErrors { code field } } }""",
        {
            "input": {
                "id": moved.data["assignMemberToPlatform"]["gridAssignment"]["id"],
                "expectedVersion": 1,
                "endedOn": "2025-12-31",
            }
        },
    )
    assert [e["code"] for e in end.data["endGridAssignment"]["userErrors"]] == ["DATE_ORDER"]


async def test_checklist_items_are_attested_updated_and_withdrawn(
    xieshang_demo_client: GraphQLClient, ids: dict[str, str]
) -> None:
    client = xieshang_demo_client
    attest = """mutation($input: AttestPlatformChecklistItemInput!) { attestPlatformChecklistItem(input: $input) {
        fact { id version item evidence } userErrors { code } } }"""
    values = {
        "platformId": ids["township"],
        "item": "signage",
        "attestedOn": "2026-01-02",
        "evidence": "新标牌",
    }
    first = (await client.post(attest, {"input": values})).data["attestPlatformChecklistItem"][
        "fact"
    ]
    assert first["version"] == 2  # the demo had attested it: this updated the fact
    withdraw = await client.post(
        """mutation($input: WithdrawPlatformChecklistItemInput!) { withdrawPlatformChecklistItem(input: $input) {
            fact { id } userErrors { code } } }""",
        {"input": {"id": first["id"], "expectedVersion": 2}},
    )
    assert withdraw.data["withdrawPlatformChecklistItem"]["userErrors"] == []
    items = await client.query(
        "query($id: ID!) { node(id: $id) { ... on Platform { checklist { item } } } }",
        {"id": ids["township"]},
    )
    assert "signage" not in [i["item"] for i in items["node"]["checklist"]]
    again = (await client.post(attest, {"input": values})).data["attestPlatformChecklistItem"][
        "fact"
    ]
    assert again["version"] == 1


async def test_instructions_need_exactly_one_target(
    xieshang_demo_client: GraphQLClient, ids: dict[str, str]
) -> None:
    client = xieshang_demo_client
    mutation = """mutation($input: CreateInstructionInput!) { createInstruction(input: $input) {
        instruction { id outcome { id } } userErrors { code field } } }"""
    base = {"leader": "县长", "content": "请抓好落实", "instructedOn": "2025-01-20"}
    ok = await client.post(mutation, {"input": {**base, "outcomeId": ids["outcome"]}})
    assert ok.data["createInstruction"]["instruction"]["outcome"]["id"] == ids["outcome"]
    neither = await client.post(mutation, {"input": base})
    assert [e["code"] for e in neither.data["createInstruction"]["userErrors"]] == ["NOT_FOUND"]


async def test_follow_up_notes_are_appended(
    xieshang_demo_client: GraphQLClient, ids: dict[str, str]
) -> None:
    client = xieshang_demo_client
    task = (await create(client, BY_NAME["FollowUp"], BY_NAME["FollowUp"].create(ids)))["followUp"]
    mutation = """mutation($input: AddFollowUpNoteInput!) { addFollowUpNote(input: $input) {
        followUp { notes { content } } userErrors { code } } }"""
    await client.post(mutation, {"input": {"followUpId": task["id"], "content": "已制定方案"}})
    second = await client.post(
        mutation, {"input": {"followUpId": task["id"], "content": "已完成一半"}}
    )
    assert [n["content"] for n in second.data["addFollowUpNote"]["followUp"]["notes"]] == [
        "已制定方案",
        "已完成一半",
    ]
    blank = await client.post(mutation, {"input": {"followUpId": task["id"], "content": " "}})
    assert [e["code"] for e in blank.data["addFollowUpNote"]["userErrors"]] == ["REQUIRED"]


async def test_in_process_execution_matches_http(
    xieshang_demo_client: GraphQLClient,
    xieshang_demo_engine: Any,
    xieshang_demo_url: Any,
    ids: dict[str, str],
) -> None:
    """Harnesses may call the schema directly with a context of their own."""
    from xieshang.db.engine import session_factory
    from xieshang.schema import build_schema
    from xieshang.schema.context import Context
    from xieshang.testing import Viewer, settings_for

    settings = settings_for(xieshang_demo_url)
    schema = build_schema(settings)
    context = Context.create(
        session_factory(xieshang_demo_engine), settings, viewer=Viewer.trusted()
    )
    result = await schema.execute(
        'mutation($c: ID!) { createSector(input: {countyId: $c, name: "进程内"})'
        " { sector { name } userErrors { code } } }",
        variable_values={"c": ids["county"]},
        context_value=context,
    )
    assert result.errors is None
    assert result.data == {"createSector": {"sector": {"name": "进程内"}, "userErrors": []}}
    http = await xieshang_demo_client.query(
        '{ sectors(filter: {nameContains: "进程内"}) { totalCount } }'
    )
    assert http["sectors"]["totalCount"] == 1
