"""Topic intake from the four sources: residents' submissions (社会出题) over HTTP, staff entries
(县委交题, 政府点题), proposals promoted to topics (委员提案), and similar-topic hints."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from rate_limit_helpers import STORAGES, client_address
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from xieshang.config import Settings
from xieshang.db import models as m
from xieshang.db.enums import ProposalFiling
from xieshang.domain import similarity
from xieshang.domain.calendar import local_today
from xieshang.schema.relay import to_global_id
from xieshang.server import create_app
from xieshang.testing import GraphQLClient, scalar, settings_for

CONTACT = "13812345678"
THIS_YEAR = local_today(Settings().zone).year

SUBMIT = """
mutation Submit($input: SubmitTopicInput!) {
  submitTopic(input: $input) {
    topic {
      id title description source year status theme proposerName proposerContact
      platform { name }
      timeline { fromStatus toStatus actorRole actor }
    }
    similarTopics { score topic { id title } }
    userErrors { field code message }
  }
}"""

CREATE = """
mutation Create($input: CreateTopicInput!) {
  createTopic(input: $input) {
    topic { id title source assigningBody proposal { id } proposerMember { id name } }
    userErrors { field code message }
  }
}"""

PROMOTE = """
mutation Promote($input: PromoteProposalToTopicInput!) {
  promoteProposalToTopic(input: $input) {
    topic {
      id title theme year source status
      proposal { id topics { totalCount } }
      proposerMember { id }
      timeline { toStatus note }
    }
    userErrors { field code message }
  }
}"""

ARCHIVE = """
mutation Archive($input: ArchiveTopicInput!) {
  archiveTopic(input: $input) { topic { id } userErrors { code } }
}"""


async def _county_id(client: GraphQLClient, code: str = "511323") -> str:
    return str((await client.query(f'{{ county(code: "{code}") {{ id }} }}'))["county"]["id"])


async def _village(client: GraphQLClient) -> dict[str, str]:
    data = await client.query(
        "{ platforms(first: 1, filter: {level: VILLAGE}) { edges { node { id name } } } }"
    )
    node: dict[str, str] = data["platforms"]["edges"][0]["node"]
    return node


async def _topic_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    return int(await scalar(sessions, sa.select(sa.func.count()).select_from(m.Topic)))


def _codes(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


async def _submit(client: GraphQLClient, values: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(SUBMIT, {"input": values})
    assert response.status_code == 200 and not response.errors, response.body
    payload: dict[str, Any] = response.data["submitTopic"]
    return payload


# -- a resident submits ------------------------------------------------------------------


async def test_a_resident_submits_a_topic_without_an_account(
    xieshang_graphql: Any, xieshang_demo_sessions: async_sessionmaker[AsyncSession]
) -> None:
    staff = xieshang_graphql()
    county, village = await _county_id(staff), await _village(staff)
    anonymous = xieshang_graphql(anonymous=True)
    response = await anonymous.post(
        SUBMIT,
        {
            "input": {
                "countyId": county,
                "title": "  村口道路夜间没有路灯  ",
                "description": "晚上出行不便，老人孩子容易摔倒，希望协商解决。",
                "platformId": village["id"],
                "proposerName": "王小明",
                "proposerContact": CONTACT,
            }
        },
    )
    assert response.status_code == 200 and not response.errors, response.body
    payload = response.data["submitTopic"]
    assert payload["userErrors"] == []
    topic = payload["topic"]
    assert topic["title"] == "村口道路夜间没有路灯"  # trimmed
    assert (topic["source"], topic["status"], topic["year"]) == ("PUBLIC", "SUBMITTED", THIS_YEAR)
    assert topic["platform"]["name"] == village["name"]
    # Personal data is stored but never shown back to the public, not even in the answer.
    assert topic["proposerContact"] is None and topic["proposerName"] is None
    raw = json.dumps(response.body, ensure_ascii=False)
    assert CONTACT not in raw and "王小明" not in raw and "5678" not in raw
    assert topic["timeline"] == [
        {"fromStatus": None, "toStatus": "SUBMITTED", "actorRole": "ANONYMOUS", "actor": None}
    ]
    row = await scalar(
        xieshang_demo_sessions, sa.select(m.Topic).where(m.Topic.title == "村口道路夜间没有路灯")
    )
    assert row.proposer_contact == CONTACT and row.proposer_name == "王小明"
    assert row.county_id == int(await _pk(xieshang_demo_sessions, "511323"))
    # The audit trail has the anonymous submission, attributed to the county.
    event = await scalar(
        xieshang_demo_sessions,
        sa.select(m.AuditEvent).where(m.AuditEvent.action == "mutation:submitTopic"),
    )
    assert event.success and event.county_id == row.county_id and event.user_id is None

    read = "query($id: ID!) { node(id: $id) { ... on Topic { proposerContact proposerName } } }"
    variables = {"id": topic["id"]}
    assert (await anonymous.query(read, variables))["node"]["proposerContact"] is None
    masked = (await xieshang_graphql(as_user="member").query(read, variables))["node"]
    assert masked["proposerContact"] not in (None, CONTACT) and "*" in masked["proposerContact"]
    assert masked["proposerName"] == "王**"
    whole = (await xieshang_graphql(as_user="staff").query(read, variables))["node"]
    assert whole == {"proposerContact": CONTACT, "proposerName": "王小明"}


async def _pk(sessions: async_sessionmaker[AsyncSession], code: str) -> int:
    return int(await scalar(sessions, sa.select(m.County.id).where(m.County.code == code)))


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"title": "路" * 101}, ("title", "TOO_LONG")),
        ({"title": "   "}, ("title", "REQUIRED")),
        ({"description": ""}, ("description", "REQUIRED")),
        ({"description": "说" * 2001}, ("description", "TOO_LONG")),
        ({"proposerContact": "1" * 101}, ("proposerContact", "TOO_LONG")),
        ({"proposerName": "名" * 51}, ("proposerName", "TOO_LONG")),
        ({"theme": "题" * 51}, ("theme", "TOO_LONG")),
    ],
)
async def test_submissions_over_the_size_limits_are_refused(
    xieshang_graphql: Any,
    xieshang_demo_sessions: async_sessionmaker[AsyncSession],
    override: dict[str, str],
    expected: tuple[str, str],
) -> None:
    county = await _county_id(xieshang_graphql())
    before = await _topic_count(xieshang_demo_sessions)
    values = {"countyId": county, "title": "停车难", "description": "县城停车位不足", **override}
    payload = await _submit(xieshang_graphql(anonymous=True), values)
    assert _codes(payload) == [expected] and payload["topic"] is None
    assert all(
        e["message"] and "\u4e00" <= e["message"][0] <= "\u9fff" for e in payload["userErrors"]
    )
    assert payload["similarTopics"] == []
    assert await _topic_count(xieshang_demo_sessions) == before


async def test_the_limits_are_exact(xieshang_graphql: Any) -> None:
    county = await _county_id(xieshang_graphql())
    payload = await _submit(
        xieshang_graphql(anonymous=True),
        {
            "countyId": county,
            "title": "路" * 100,
            "description": "说" * 2000,
            "proposerContact": "1" * 100,
        },
    )
    assert payload["userErrors"] == [] and payload["topic"]["title"] == "路" * 100


async def test_an_unknown_county_is_not_found(
    xieshang_graphql: Any, xieshang_demo_sessions: async_sessionmaker[AsyncSession]
) -> None:
    before = await _topic_count(xieshang_demo_sessions)
    anonymous = xieshang_graphql(anonymous=True)
    values = {"title": "停车难", "description": "县城停车位不足"}
    missing = await _submit(anonymous, {**values, "countyId": to_global_id("County", 999_999)})
    assert _codes(missing) == [("countyId", "NOT_FOUND")]
    wrong_type = await _submit(anonymous, {**values, "countyId": to_global_id("Member", 1)})
    assert _codes(wrong_type) == [("countyId", "INVALID_ID")]
    assert await _topic_count(xieshang_demo_sessions) == before


async def test_a_platform_of_another_county_is_not_found(
    xieshang_graphql: Any, xieshang_demo_sessions: async_sessionmaker[AsyncSession]
) -> None:
    system = xieshang_graphql(system=True)
    other = await system.query(
        'mutation { createCounty(input: {code: "511302", name: "顺庆区", city: "南充市",'
        ' province: "四川省"}) { county { id } userErrors { code } } }'
    )
    other_county = other["createCounty"]["county"]["id"]
    platform = await system.query(
        'mutation($c: ID!) { createPlatform(input: {countyId: $c, name: "顺庆区协商平台",'
        ' level: COUNTY, areaName: "顺庆区", hostVenue: OTHER}) { platform { id } } }',
        {"c": other_county},
    )
    other_platform = platform["createPlatform"]["platform"]["id"]
    before = await _topic_count(xieshang_demo_sessions)
    payload = await _submit(
        xieshang_graphql(anonymous=True),
        {
            "countyId": await _county_id(system),
            "title": "停车难",
            "description": "县城停车位不足",
            "platformId": other_platform,
        },
    )
    assert _codes(payload) == [("platformId", "NOT_FOUND")]
    assert await _topic_count(xieshang_demo_sessions) == before
    # The same platform is fine for its own county.
    own = await _submit(
        xieshang_graphql(anonymous=True),
        {
            "countyId": other_county,
            "title": "停车难",
            "description": "城区停车位不足",
            "platformId": other_platform,
        },
    )
    assert own["userErrors"] == [] and own["topic"]["year"] == THIS_YEAR


@pytest.mark.parametrize("storage", STORAGES)
async def test_submissions_are_rate_limited_per_address(
    storage: str,
    xieshang_demo_url: URL,
    xieshang_demo_engine: AsyncEngine,
    xieshang_demo_sessions: async_sessionmaker[AsyncSession],
) -> None:
    # Counted per address: addresses of this test's own keep other workers' counts out.
    app = create_app(
        settings_for(xieshang_demo_url, rate_limit_submit="2/hour", rate_limit_storage=storage),
        engine=xieshang_demo_engine,
    )

    def client(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://xieshang.test")

    county = to_global_id("County", await _pk(xieshang_demo_sessions, "511323"))
    before = await _topic_count(xieshang_demo_sessions)

    async def submit(http: httpx.AsyncClient, n: int) -> dict[str, Any]:
        values = {"countyId": county, "title": f"议题{n}", "description": "说明"}
        response = await http.post(
            "/graphql", json={"query": SUBMIT, "variables": {"input": values}}
        )
        assert response.status_code == 200, response.text
        payload: dict[str, Any] = response.json()["data"]["submitTopic"]
        return payload

    async with client(client_address()) as first, client(client_address()) as second:
        assert [_codes(await submit(first, n)) for n in range(2)] == [[], []]
        refused = await submit(first, 3)
        assert _codes(refused) == [(None, "RATE_LIMITED")] and refused["topic"] is None
        assert "频繁" in refused["userErrors"][0]["message"]
        # Another address has its own allowance; other queries are not affected.
        assert _codes(await submit(second, 4)) == []
        other = await first.post("/graphql", json={"query": "{ topics { totalCount } }"})
        assert other.status_code == 200 and "errors" not in other.json()
    assert await _topic_count(xieshang_demo_sessions) == before + 3
    refusals = await scalar(
        xieshang_demo_sessions,
        sa.select(sa.func.count())
        .select_from(m.AuditEvent)
        .where(m.AuditEvent.action == "mutation:submitTopic", m.AuditEvent.success.is_(False)),
    )
    assert refusals == 1


def test_a_bad_submission_limit_setting_is_a_clear_error(xieshang_demo_url: URL) -> None:
    from xieshang.errors import ConfigError

    with pytest.raises(ConfigError, match="议题提交限流"):
        create_app(settings_for(xieshang_demo_url, rate_limit_submit="lots"))
    assert Settings.from_env({"XIESHANG_RATE_LIMIT_SUBMIT": "3/day"}).rate_limit_submit == "3/day"
    assert Settings.from_env({}).rate_limit_submit == "10/hour"


# -- similar topics ----------------------------------------------------------------------


def test_similarity_of_chinese_titles() -> None:
    same = similarity.dice(
        similarity.bigrams("芭茅村饮水难"), similarity.bigrams("芭茅村 饮水难！")
    )
    assert same == 1.0
    near = similarity.dice(
        similarity.bigrams("芭茅村饮水难问题"), similarity.bigrams("芭茅村饮水困难问题")
    )
    assert similarity.THRESHOLD < near < 1.0
    assert similarity.dice(similarity.bigrams("停车难"), similarity.bigrams("饮水难")) == 0.0
    assert similarity.bigrams("水") == frozenset({"水"}) and similarity.bigrams("") == frozenset()
    assert similarity.score(0.5, "民生", "民生") == pytest.approx(0.6)
    assert similarity.score(0.5, "民生", None) == 0.5


async def test_similar_topics_rank_a_near_duplicate_first(xieshang_graphql: Any) -> None:
    staff = xieshang_graphql()
    county = await _county_id(staff)

    async def create(title: str, year: int = THIS_YEAR, theme: str | None = None) -> str:
        values = {"countyId": county, "title": title, "source": "PUBLIC", "year": year}
        payload = (await staff.query(CREATE, {"input": {**values, "theme": theme}}))["createTopic"]
        assert payload["userErrors"] == []
        return str(payload["topic"]["id"])

    duplicate = await create("罗家镇芭茅村饮水困难问题", theme="民生实事")
    related = await create("芭茅村饮水管道老化")
    unrelated = await create("县城中心停车位不足")
    last_year = await create("罗家镇芭茅村饮水困难问题", year=THIS_YEAR - 1)
    anonymous = xieshang_graphql(anonymous=True)
    payload = await _submit(
        anonymous,
        {
            "countyId": county,
            "title": "芭茅村饮水困难",
            "description": "夏天经常停水",
            "theme": "民生实事",
        },
    )
    hints = payload["similarTopics"]
    ids = [h["topic"]["id"] for h in hints]
    assert ids[0] == duplicate and unrelated not in ids and last_year not in ids
    assert payload["topic"]["id"] not in ids
    assert all(0 < h["score"] <= 1 for h in hints)
    assert hints == sorted(hints, key=lambda h: -h["score"])
    # The same hints from the topic itself, for anyone who may read topics.
    query = """query($id: ID!, $n: Int!) { node(id: $id) { ... on Topic {
        similarTopics(first: $n) { score topic { id } } } } }"""
    own = await anonymous.query(query, {"id": payload["topic"]["id"], "n": 5})
    assert [h["topic"]["id"] for h in own["node"]["similarTopics"]] == ids
    one = await anonymous.query(query, {"id": payload["topic"]["id"], "n": 1})
    assert [h["topic"]["id"] for h in one["node"]["similarTopics"]] == [duplicate]
    # An archived topic is no longer a hint.
    version = (
        await staff.query(f'{{ node(id: "{duplicate}") {{ ... on Topic {{ version }} }} }}')
    )["node"]["version"]
    await staff.query(ARCHIVE, {"input": {"id": duplicate, "expectedVersion": version}})
    after = await anonymous.query(query, {"id": payload["topic"]["id"], "n": 5})
    assert duplicate not in [h["topic"]["id"] for h in after["node"]["similarTopics"]]
    assert related in [h["topic"]["id"] for h in after["node"]["similarTopics"]]
    refused = await anonymous.post(query, {"id": payload["topic"]["id"], "n": 21})
    assert refused.error_codes == ["INVALID_ARGUMENT"]


async def test_similar_topics_of_a_page_take_a_fixed_number_of_statements(
    xieshang_graphql: Any,
) -> None:
    client = xieshang_graphql(debug_sql=True)
    query = """query($n: Int!) { topics(first: $n, filter: {year: 2024}) { edges { node {
        id similarTopics(first: 3) { score topic { id title } } } } } }"""
    counts = []
    for size in (2, 40):
        response = await client.post(query, {"n": size})
        assert not response.errors, response.errors
        edges = response.data["topics"]["edges"]
        assert len(edges) == size
        counts.append(response.body["extensions"]["sql"]["statements"])
    assert counts[0] == counts[1]
    # The demo's public topics repeat subjects from village to village: hints are found.
    assert any(e["node"]["similarTopics"] for e in edges)


# -- staff entries -----------------------------------------------------------------------


async def test_staff_intake_rules(
    xieshang_graphql: Any, xieshang_demo_sessions: async_sessionmaker[AsyncSession]
) -> None:
    staff = xieshang_graphql(as_user="staff")
    county = await _county_id(staff)
    base = {"countyId": county, "title": "优化营商环境", "year": THIS_YEAR}

    async def create(values: dict[str, Any]) -> dict[str, Any]:
        payload: dict[str, Any] = (await staff.query(CREATE, {"input": {**base, **values}}))[
            "createTopic"
        ]
        return payload

    for source in ("PARTY_COMMITTEE", "GOVERNMENT"):
        refused = await create({"source": source, "assigningBody": "  "})
        assert _codes(refused) == [("assigningBody", "REQUIRED")], source
        saved = await create({"source": source, "assigningBody": "县委办公室"})
        assert saved["userErrors"] == [] and saved["topic"]["assigningBody"] == "县委办公室"
    assert _codes(await create({"source": "MEMBER_PROPOSAL"})) == [("proposalId", "REQUIRED")]
    proposal = await scalar(
        xieshang_demo_sessions,
        sa.select(m.Proposal)
        .where(m.Proposal.lead_member_id.is_not(None))
        .order_by(m.Proposal.id)
        .limit(1),
    )
    linked = await create(
        {"source": "MEMBER_PROPOSAL", "proposalId": to_global_id("Proposal", proposal.id)}
    )
    assert linked["userErrors"] == []
    assert linked["topic"]["proposerMember"]["id"] == to_global_id(
        "Member", proposal.lead_member_id
    )
    # An update may not take the assigning body away.
    topic_id = (await create({"source": "GOVERNMENT", "assigningBody": "县财政局"}))["topic"]["id"]
    update = await staff.query(
        """mutation($input: UpdateTopicInput!) { updateTopic(input: $input) {
            userErrors { field code } } }""",
        {"input": {"id": topic_id, "expectedVersion": 1, "assigningBody": None}},
    )
    assert update["updateTopic"]["userErrors"] == [{"field": "assigningBody", "code": "REQUIRED"}]


# -- promotion ---------------------------------------------------------------------------


async def _proposal(
    sessions: async_sessionmaker[AsyncSession], filing: ProposalFiling, *, with_topic: bool
) -> m.Proposal:
    has_topic = sa.exists().where(m.Topic.proposal_id == m.Proposal.id)
    stmt = (
        sa.select(m.Proposal)
        .where(
            m.Proposal.filing == filing,
            m.Proposal.lead_member_id.is_not(None),
            has_topic if with_topic else ~has_topic,
        )
        .order_by(m.Proposal.id)
        .limit(1)
    )
    found = await scalar(sessions, stmt)
    assert found is not None, (filing, with_topic)
    return found  # type: ignore[no-any-return]


async def test_a_filed_proposal_is_promoted_to_a_topic(
    xieshang_graphql: Any, xieshang_demo_sessions: async_sessionmaker[AsyncSession]
) -> None:
    proposal = await _proposal(xieshang_demo_sessions, ProposalFiling.FILED, with_topic=False)
    async with xieshang_demo_sessions() as session, session.begin():
        row = await session.get(m.Proposal, proposal.id)
        assert row is not None
        row.title = "关于加强农村饮水安全保障的提案"
    staff = xieshang_graphql(as_user="staff")
    proposal_id = to_global_id("Proposal", proposal.id)
    payload = (await staff.query(PROMOTE, {"input": {"proposalId": proposal_id}}))[
        "promoteProposalToTopic"
    ]
    assert payload["userErrors"] == []
    topic = payload["topic"]
    assert topic["title"] == "加强农村饮水安全保障"
    assert (topic["source"], topic["status"], topic["year"]) == (
        "MEMBER_PROPOSAL",
        "SUBMITTED",
        proposal.year,
    )
    assert topic["proposal"] == {"id": proposal_id, "topics": {"totalCount": 1}}
    assert topic["proposerMember"]["id"] == to_global_id("Member", proposal.lead_member_id)
    assert topic["timeline"] == [{"toStatus": "SUBMITTED", "note": "委员提案转为议题"}]

    again = (await staff.query(PROMOTE, {"input": {"proposalId": proposal_id, "title": "再转"}}))[
        "promoteProposalToTopic"
    ]
    assert _codes(again) == [("proposalId", "DUPLICATE")] and again["topic"] is None
    # Once its topic is archived, the proposal may be promoted again, with a title and theme.
    await staff.query(ARCHIVE, {"input": {"id": topic["id"], "expectedVersion": 1}})
    chosen = (
        await staff.query(
            PROMOTE,
            {
                "input": {
                    "proposalId": proposal_id,
                    "title": "农村饮水安全",
                    "theme": "民生实事",
                    "year": THIS_YEAR,
                }
            },
        )
    )["promoteProposalToTopic"]
    assert chosen["userErrors"] == []
    assert (chosen["topic"]["title"], chosen["topic"]["theme"], chosen["topic"]["year"]) == (
        "农村饮水安全",
        "民生实事",
        THIS_YEAR,
    )


async def test_promotion_refusals(
    xieshang_graphql: Any, xieshang_demo_sessions: async_sessionmaker[AsyncSession]
) -> None:
    staff = xieshang_graphql(as_user="staff")
    before = await _topic_count(xieshang_demo_sessions)

    async def promote(values: dict[str, Any]) -> dict[str, Any]:
        payload: dict[str, Any] = (await staff.query(PROMOTE, {"input": values}))[
            "promoteProposalToTopic"
        ]
        assert payload["topic"] is None
        return payload

    taken = await _proposal(xieshang_demo_sessions, ProposalFiling.FILED, with_topic=True)
    assert _codes(await promote({"proposalId": to_global_id("Proposal", taken.id)})) == [
        ("proposalId", "DUPLICATE")
    ]
    unfiled = await _proposal(xieshang_demo_sessions, ProposalFiling.FILED, with_topic=False)
    for filing in (ProposalFiling.PENDING, ProposalFiling.NOT_FILED):
        async with xieshang_demo_sessions() as session, session.begin():
            await session.execute(
                sa.update(m.Proposal)
                .where(m.Proposal.id == unfiled.id)
                .values(filing=filing, is_key=False, handled_on=None)
            )
        refused = await promote({"proposalId": to_global_id("Proposal", unfiled.id)})
        assert _codes(refused) == [("proposalId", "INVALID_STATE")], filing
        assert "立案" in refused["userErrors"][0]["message"]
    missing = await promote({"proposalId": to_global_id("Proposal", 999_999)})
    assert _codes(missing) == [("proposalId", "NOT_FOUND")]
    bad = await promote({"proposalId": to_global_id("Topic", 1)})
    assert _codes(bad) == [("proposalId", "INVALID_ID")]
    free = await _proposal(xieshang_demo_sessions, ProposalFiling.FILED, with_topic=False)
    out_of_range = await promote({"proposalId": to_global_id("Proposal", free.id), "year": 1999})
    assert _codes(out_of_range) == [("year", "OUT_OF_RANGE")]
    assert await _topic_count(xieshang_demo_sessions) == before
    # Members and the public may not promote proposals.
    for client in (xieshang_graphql(as_user="member"), xieshang_graphql(anonymous=True)):
        response = await client.post(
            PROMOTE, {"input": {"proposalId": to_global_id("Proposal", free.id)}}
        )
        assert response.error_codes == ["FORBIDDEN"]
