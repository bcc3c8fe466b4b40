"""County isolation (no reading or changing another county's rows by guessing IDs) and the
masking of personal data, role by role."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from xieshang.db import models as m
from xieshang.db.enums import Role
from xieshang.domain.accounts import NewUser, create_user
from xieshang.schema.relay import to_global_id
from xieshang.testing import GraphQLClient, settings_for, token_for

OTHER = {"code": "511302", "name": "顺庆区", "city": "南充市", "province": "四川省"}
OTHER_PHONE = "13900000002"
OTHER_CONTACT = "13900000003"


async def _create(client: GraphQLClient, name: str, field: str, values: dict[str, Any]) -> str:
    mutation = f"""mutation($input: {name[0].upper()}{name[1:]}Input!) {{
        {name}(input: $input) {{ {field} {{ id }} userErrors {{ code message }} }} }}"""
    payload = (await client.query(mutation, {"input": values}))[name]
    assert payload["userErrors"] == [], payload
    return str(payload[field]["id"])


@pytest.fixture
async def other(xieshang_graphql: Any, xieshang_demo_sessions: Any) -> dict[str, str]:
    """A second county with a member, a unit, a topic, a consultation, an outcome, a follow-up
    and an evaluation, and a STAFF account of its own (``other-staff``)."""
    system = xieshang_graphql(system=True)
    county = await _create(system, "createCounty", "county", OTHER)
    ids = {"county": county}
    ids["member"] = await _create(
        system, "createMember", "member",
        {"countyId": county, "name": "顺庆委员", "term": 1, "phone": OTHER_PHONE},
    )  # fmt: skip
    ids["unit"] = await _create(
        system, "createResponsibleUnit", "responsibleUnit", {"countyId": county, "name": "顺庆区水务局"}
    )  # fmt: skip
    ids["platform"] = await _create(
        system, "createPlatform", "platform",
        {"countyId": county, "name": "顺庆区协商平台", "level": "COUNTY", "areaName": "顺庆区",
         "hostVenue": "OTHER"},
    )  # fmt: skip
    ids["topic"] = await _create(
        system, "createTopic", "topic",
        {"countyId": county, "title": "顺庆区停车难", "source": "PUBLIC", "year": 2024,
         "proposerName": "李四", "proposerContact": OTHER_CONTACT},
    )  # fmt: skip
    for version, status in enumerate(("UNDER_REVIEW", "SELECTED"), start=1):
        await _create(
            system, "changeTopicStatus", "topic",
            {"id": ids["topic"], "expectedVersion": version, "status": status},
        )  # fmt: skip
    ids["consultation"] = await _create(
        system, "createConsultation", "consultation",
        {"topicId": ids["topic"], "platformId": ids["platform"], "title": "停车难协商",
         "form": "议事协商", "startsAt": "2024-06-01T09:00:00+08:00", "status": "HELD"},
    )  # fmt: skip
    ids["outcome"] = await _create(
        system, "createOutcome", "outcome",
        {"consultationId": ids["consultation"], "kind": "协商专报", "title": "停车专报"},
    )  # fmt: skip
    ids["followUp"] = await _create(
        system, "createFollowUp", "followUp",
        {"outcomeId": ids["outcome"], "unitId": ids["unit"], "task": "增设车位",
         "assignedOn": "2024-06-10", "dueOn": "2024-09-30"},
    )  # fmt: skip
    ids["evaluation"] = await _create(
        system, "createEvaluation", "evaluation",
        {"outcomeId": ids["outcome"], "residentName": "王五", "satisfaction": "SATISFIED",
         "channel": "FORM", "residentContact": OTHER_CONTACT},
    )  # fmt: skip
    async with xieshang_demo_sessions() as session, session.begin():
        county_pk = await session.scalar(sa.select(m.County.id).where(m.County.code == "511302"))
        await create_user(
            session,
            NewUser("other-staff", "other-staff-password", Role.STAFF, county_id=county_pk),
        )
    return ids


def _client(xieshang_graphql: Any, user: str) -> GraphQLClient:
    client: GraphQLClient = xieshang_graphql(as_user=user)
    return client


NODE_QUERY = """query($id: ID!) { node(id: $id) { id } }"""


@pytest.mark.parametrize("user", ["admin", "staff", "member", "unit", "city"])
async def test_another_countys_rows_cannot_be_read_by_id(
    user: str, other: dict[str, str], xieshang_graphql: Any
) -> None:
    client = _client(xieshang_graphql, user)
    for key, global_id in other.items():
        data = await client.query(NODE_QUERY, {"id": global_id})
        assert data["node"] is None, f"{user} read {key} of another county"
    many = await client.query(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": list(other.values())}
    )
    assert many["nodes"] == [None] * len(other)


@pytest.mark.parametrize("user", ["admin", "staff", "member", "city"])
async def test_lists_and_filters_never_reach_another_county(
    user: str, other: dict[str, str], xieshang_graphql: Any
) -> None:
    client = _client(xieshang_graphql, user)
    data = await client.query(
        """query($county: ID!) {
          members(first: 100, filter: {countyId: $county}) { totalCount }
          topics(first: 100, filter: {countyId: $county}) { totalCount }
          followUps(first: 100) { edges { node { county { code } } } }
          counties { edges { node { code } } }
          county(code: "511302") { id }
        }""",
        {"county": other["county"]},
    )
    assert data["members"]["totalCount"] == 0
    assert data["topics"]["totalCount"] == 0
    assert {row["node"]["county"]["code"] for row in data["followUps"]["edges"]} == {"511323"}
    assert [row["node"]["code"] for row in data["counties"]["edges"]] == ["511323"]
    assert data["county"] is None


async def test_the_public_reads_every_countys_public_records(
    other: dict[str, str], xieshang_graphql: Any
) -> None:
    anonymous = xieshang_graphql(anonymous=True)
    data = await anonymous.query(NODE_QUERY, {"id": other["member"]})
    assert data["node"] == {"id": other["member"]}
    # … but not its internal work.
    for key in ("followUp", "evaluation", "unit"):
        assert (await anonymous.query(NODE_QUERY, {"id": other[key]}))["node"] is None, key


async def test_a_county_account_sees_its_own_county_and_not_the_demo(
    other: dict[str, str],
    xieshang_graphql: Any,
    xieshang_demo_url: Any,
    xieshang_demo_sessions: Any,
) -> None:
    async with xieshang_demo_sessions() as session:
        user = await session.scalar(sa.select(m.User).where(m.User.username == "other-staff"))
    token = token_for(user, settings_for(xieshang_demo_url))
    client = xieshang_graphql(anonymous=True)
    client.http.headers["Authorization"] = f"Bearer {token}"
    data = await client.query(
        "{ members(first: 100) { totalCount edges { node { phone } } } counties { edges { node { code } } } }"
    )
    assert data["members"]["totalCount"] == 1
    assert data["members"]["edges"] == [{"node": {"phone": OTHER_PHONE}}]  # own county: unmasked
    assert [c["node"]["code"] for c in data["counties"]["edges"]] == ["511302"]


UPDATE_MEMBER = """mutation($input: UpdateMemberInput!) {
  updateMember(input: $input) { member { id name } userErrors { field code } } }"""


@pytest.mark.parametrize("user", ["admin", "staff"])
async def test_another_countys_rows_cannot_be_changed(
    user: str, other: dict[str, str], xieshang_graphql: Any, xieshang_demo_sessions: Any
) -> None:
    client = _client(xieshang_graphql, user)
    changed = await client.post(
        UPDATE_MEMBER, {"input": {"id": other["member"], "expectedVersion": 1, "name": "改名"}}
    )
    assert changed.data["updateMember"]["member"] is None
    assert [e["code"] for e in changed.data["updateMember"]["userErrors"]] == ["NOT_FOUND"]
    # Creating in another county, or pointing at its rows from one's own, is refused too.
    created = await client.post(
        """mutation($input: CreateMemberInput!) { createMember(input: $input) {
            member { id } userErrors { code } } }""",
        {"input": {"countyId": other["county"], "name": "越权委员", "term": 1}},
    )
    assert created.data["createMember"]["member"] is None
    assert created.data["createMember"]["userErrors"][0]["code"] == "NOT_FOUND"
    note = await client.post(
        """mutation($input: AddFollowUpNoteInput!) { addFollowUpNote(input: $input) {
            followUp { id } userErrors { code } } }""",
        {"input": {"followUpId": other["followUp"], "content": "越权填写"}},
    )
    assert note.data["addFollowUpNote"]["userErrors"][0]["code"] == "NOT_FOUND"
    async with xieshang_demo_sessions() as session:
        names = (await session.scalars(sa.select(m.Member.name))).all()
        notes = await session.scalar(sa.select(sa.func.count()).select_from(m.FollowUpNote))
        demo_notes = await session.scalar(
            sa.select(sa.func.count())
            .select_from(m.FollowUpNote)
            .where(m.FollowUpNote.content == "越权填写")
        )
    assert "改名" not in names and "越权委员" not in names and "顺庆委员" in names
    assert notes is not None and demo_notes == 0


async def test_a_city_viewer_reads_granted_counties_and_writes_nothing(
    other: dict[str, str], xieshang_graphql: Any, xieshang_demo_sessions: Any
) -> None:
    city = _client(xieshang_graphql, "city")
    before = await city.query("{ counties { edges { node { code } } } }")
    assert [c["node"]["code"] for c in before["counties"]["edges"]] == ["511323"]
    async with xieshang_demo_sessions() as session, session.begin():
        user = await session.scalar(sa.select(m.User).where(m.User.username == "city"))
        assert user is not None
        county = await session.scalar(sa.select(m.County.id).where(m.County.code == "511302"))
        session.add(m.UserCountyGrant(user_id=user.id, county_id=county))
    both = await city.query("{ counties { edges { node { code } } } }")
    assert sorted(c["node"]["code"] for c in both["counties"]["edges"]) == ["511302", "511323"]
    assert (await city.query(NODE_QUERY, {"id": other["member"]}))["node"] is not None
    refused = await city.post(
        UPDATE_MEMBER, {"input": {"id": other["member"], "expectedVersion": 1, "name": "改名"}}
    )
    assert refused.error_codes == ["FORBIDDEN"]


@pytest.mark.slow
async def test_a_unit_sees_only_its_own_tasks(
    xieshang_graphql: Any, xieshang_demo_sessions: Any
) -> None:
    async with xieshang_demo_sessions() as session:
        unit_id = await session.scalar(sa.select(m.User.unit_id).where(m.User.username == "unit"))
        others = (
            await session.scalars(
                sa.select(m.FollowUp.id).where(m.FollowUp.unit_id != unit_id).limit(3)
            )
        ).all()
        own = await session.scalar(
            sa.select(sa.func.count()).select_from(m.FollowUp).where(m.FollowUp.unit_id == unit_id)
        )
    assert own and others, "the demo county gives the demo unit some tasks, and others some"
    unit = _client(xieshang_graphql, "unit")
    data = await unit.query("{ followUps(first: 100) { totalCount } }")
    assert data["followUps"]["totalCount"] == own
    for pk in others:
        global_id = to_global_id("FollowUp", pk)
        assert (await unit.query(NODE_QUERY, {"id": global_id}))["node"] is None
        note = await unit.post(
            """mutation($input: AddFollowUpNoteInput!) { addFollowUpNote(input: $input) {
                followUp { id } userErrors { code } } }""",
            {"input": {"followUpId": global_id, "content": "不是本单位的任务"}},
        )
        assert note.data["addFollowUpNote"]["userErrors"][0]["code"] == "NOT_FOUND"
    refused = await unit.post("{ evaluations(first: 1) { totalCount } }")
    assert refused.error_codes == ["FORBIDDEN"]


async def test_nested_fields_of_a_forbidden_type_are_refused(xieshang_graphql: Any) -> None:
    """Reaching an internal type through a public one does not get round the policy."""
    anonymous = xieshang_graphql(anonymous=True)
    for internal in (
        "followUps { totalCount }",
        "evaluations { totalCount }",
        "instructions { id }",
    ):
        response = await anonymous.post(
            f"{{ outcomes(first: 1) {{ edges {{ node {{ title {internal} }} }} }} }}"
        )
        assert response.error_codes == ["FORBIDDEN"], internal
        assert response.errors[0]["path"][-1] == internal.split()[0]
        assert "totalCount" not in str(response.data) and "'id'" not in str(response.data)
    auditor = _client(xieshang_graphql, "auditor")
    response = await auditor.post('{ county(code: "511323") { name standards { code } } }')
    assert response.error_codes == ["FORBIDDEN"]


# -- personal data ---------------------------------------------------------------------------

PERSONAL = """{
  members(first: 100) { edges { node { phone } } }
  topics(first: 100) { edges { node { proposerName proposerContact } } }
}"""
INTERNAL_PERSONAL = """{
  evaluations(first: 100) { edges { node { residentName residentContact } } }
  responsibleUnits(first: 100) { edges { node { phone } } }
}"""
MASKED_PHONE = re.compile(r"^\d{3}\*{4}\d{4}$")


async def _truth(sessions: Any) -> dict[str, set[str]]:
    async with sessions() as session:
        phones = set((await session.scalars(sa.select(m.Member.phone))).all()) - {None}
        contacts = set((await session.scalars(sa.select(m.Topic.proposer_contact))).all())
        contacts |= set((await session.scalars(sa.select(m.Evaluation.resident_contact))).all())
    return {"phones": phones, "contacts": contacts - {None}}


def _values(data: Any, key: str) -> list[Any]:
    found: list[Any] = []
    if isinstance(data, dict):
        for name, value in data.items():
            found += [value] if name == key else _values(value, key)
    elif isinstance(data, list):
        for item in data:
            found += _values(item, key)
    return found


@pytest.mark.parametrize("user", ["admin", "staff"])
async def test_the_county_office_sees_personal_data_whole(
    user: str, xieshang_graphql: Any, xieshang_demo_sessions: Any
) -> None:
    truth = await _truth(xieshang_demo_sessions)
    data = await _client(xieshang_graphql, user).query(PERSONAL)
    phones = {p for p in _values(data, "phone") if p}
    assert phones and phones <= truth["phones"]
    internal = await _client(xieshang_graphql, user).query(INTERNAL_PERSONAL)
    contacts = {c for c in _values(internal, "residentContact") if c}
    assert contacts and contacts <= truth["contacts"]


@pytest.mark.parametrize("user", ["member", "city"])
async def test_other_signed_in_users_see_personal_data_masked(
    user: str, xieshang_graphql: Any, xieshang_demo_sessions: Any
) -> None:
    truth = await _truth(xieshang_demo_sessions)
    client = _client(xieshang_graphql, user)
    data = await client.query(PERSONAL)
    internal = await client.query(INTERNAL_PERSONAL)
    phones = [p for p in _values(data, "phone") + _values(internal, "phone") if p]
    assert phones and all(MASKED_PHONE.match(p) for p in phones), phones[:5]
    contacts = [c for c in _values(data, "proposerContact") + _values(internal, "residentContact")]
    assert any(contacts) and not (set(contacts) & truth["contacts"])
    assert all(c is None or "*" in c for c in contacts)
    names = [n for n in _values(internal, "residentName")]
    assert names and all(n == n[:1] + "*" * (len(n) - 1) for n in names)
    # 138****0001: the first three and last four digits of the real number.
    assert set(phones) <= {f"{p[:3]}****{p[-4:]}" for p in truth["phones"]}


async def test_anonymous_callers_never_see_phones_or_contacts(xieshang_graphql: Any) -> None:
    anonymous = xieshang_graphql(anonymous=True)
    data = await anonymous.query(PERSONAL)
    assert set(_values(data, "phone")) == {None}
    assert set(_values(data, "proposerContact")) == {None}
    assert set(_values(data, "proposerName")) == {None}
    refused = await anonymous.post(INTERNAL_PERSONAL)
    assert set(refused.error_codes) == {"FORBIDDEN"}


async def test_a_unit_sees_its_own_phone_masked_like_any_other(
    xieshang_graphql: Any, xieshang_demo_sessions: Any
) -> None:
    async with xieshang_demo_sessions() as session, session.begin():
        unit_id = await session.scalar(sa.select(m.User.unit_id).where(m.User.username == "unit"))
        unit_row = await session.get(m.ResponsibleUnit, unit_id)
        assert unit_row is not None
        unit_row.phone = "08178888001"
    query = "{ followUps(first: 5) { edges { node { unit { phone } } } } }"
    unit_sees = {p for p in _values(await _client(xieshang_graphql, "unit").query(query), "phone")}
    staff_sees = {
        p for p in _values(await _client(xieshang_graphql, "staff").query(query), "phone")
    }
    assert unit_sees == {"081****8001"}
    assert "08178888001" in staff_sees
