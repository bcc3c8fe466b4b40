"""Screening topics as they come in (议题初筛): 蓬安's default rule, a county's own plugin, refusals,
and a broken plugin that must not stop intake."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from xieshang.db import models as m
from xieshang.domain.calendar import local_today
from xieshang.engine.registry import RulePlugins
from xieshang.rules import ScreeningNote, Severity, TopicDraft, hookimpl
from xieshang.schema.relay import to_global_id
from xieshang.testing import GraphQLClient, scalar

SUBMIT = """
mutation Submit($input: SubmitTopicInput!) {
  submitTopic(input: $input) {
    topic { id }
    userErrors { field code message }
  }
}"""

CREATE = """
mutation Create($input: CreateTopicInput!) {
  createTopic(input: $input) { topic { id } userErrors { field code message } }
}"""

PROMOTE = """
mutation Promote($input: PromoteProposalToTopicInput!) {
  promoteProposalToTopic(input: $input) { topic { id } userErrors { field code message } }
}"""

NOTES = """query($id: ID!) { node(id: $id) { ... on Topic {
  screeningNotes { plugin code severity message } } } }"""


async def _county(client: GraphQLClient) -> str:
    return str((await client.query('{ county(code: "511323") { id } }'))["county"]["id"])


async def _submit(client: GraphQLClient, county: str, **values: Any) -> dict[str, Any]:
    values = {"countyId": county, "title": "村里路灯不亮", "description": "晚上出行不便", **values}
    response = await client.post(SUBMIT, {"input": values})
    assert response.status_code == 200 and not response.errors, response.body
    payload: dict[str, Any] = response.data["submitTopic"]
    return payload


async def _notes(client: GraphQLClient, topic_id: str) -> list[dict[str, str]]:
    notes: list[dict[str, str]] = (await client.query(NOTES, {"id": topic_id}))["node"][
        "screeningNotes"
    ]
    return notes


async def _topic_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    return int(await scalar(sessions, sa.select(sa.func.count()).select_from(m.Topic)))


# -- 蓬安's default ----------------------------------------------------------------------


async def test_pengan_warns_on_personal_disputes_and_notes_a_missing_theme(
    xieshang_graphql: Any,
) -> None:
    staff = xieshang_graphql(as_user="staff")
    county = await _county(staff)
    anonymous = xieshang_graphql(anonymous=True)
    dispute = await _submit(
        anonymous,
        county,
        title="邻居欠款不还",
        description="我借给邻居的钱，他一直欠款不还，要求赔偿我",
    )
    assert dispute["userErrors"] == []  # 蓬安 refuses nothing
    notes = await _notes(staff, dispute["topic"]["id"])
    by_code = {n["code"]: n for n in notes}
    assert set(by_code) == {"pengan.personal-dispute", "pengan.no-theme"}
    warning = by_code["pengan.personal-dispute"]
    assert (warning["plugin"], warning["severity"]) == ("pengan", "WARNING")
    assert "欠款" in warning["message"] and "赔偿我" in warning["message"]
    assert by_code["pengan.no-theme"]["severity"] == "NOTICE"

    clean = await _submit(anonymous, county, theme="助力基层治理")
    assert await _notes(staff, clean["topic"]["id"]) == []
    # Notes are internal to the county: the public does not see them.
    refused = await anonymous.post(NOTES, {"id": clean["topic"]["id"]})
    assert refused.error_codes == ["FORBIDDEN"]


async def test_pengan_screening_applies_only_to_counties_using_its_standards(
    xieshang_graphql: Any, xieshang_demo_sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with xieshang_demo_sessions() as session, session.begin():
        county_id = await session.scalar(sa.select(m.County.id).where(m.County.code == "511323"))
        await session.execute(
            sa.delete(m.CountyStandard).where(m.CountyStandard.county_id == county_id)
        )
    staff = xieshang_graphql(as_user="staff")
    payload = await _submit(
        xieshang_graphql(anonymous=True), await _county(staff), title="离婚纠纷"
    )
    assert payload["userErrors"] == []
    assert await _notes(staff, payload["topic"]["id"]) == []


# -- a county's own plugin ---------------------------------------------------------------


class Screener:
    """A test county's rule: refuse advertising, warn on anything mentioning 拆迁, record drafts."""

    def __init__(self) -> None:
        self.seen: list[TopicDraft] = []

    @hookimpl
    def xieshang_screen_topic(self, topic: TopicDraft) -> list[ScreeningNote] | None:
        self.seen.append(topic)
        if "广告" in topic.text:
            return [ScreeningNote("test.advert", Severity.REFUSE, "议题不得含商业广告")]
        if "拆迁" in topic.text:
            return [
                ScreeningNote(
                    "test.demolition", Severity.WARNING, "涉及拆迁，请先征求自然资源局意见"
                )
            ]
        return None


@pytest.fixture
def screener(xieshang_plugin_rules: Callable[..., RulePlugins]) -> tuple[Screener, RulePlugins]:
    plugin = Screener()
    return plugin, xieshang_plugin_rules(("test-screen", plugin))


async def test_a_plugin_sees_every_new_topic_and_its_notes_are_kept(
    xieshang_graphql: Any,
    xieshang_demo_sessions: async_sessionmaker[AsyncSession],
    screener: tuple[Screener, RulePlugins],
) -> None:
    plugin, rules = screener
    staff = xieshang_graphql(as_user="staff", rules=rules)
    county = await _county(staff)
    submitted = await _submit(
        xieshang_graphql(anonymous=True, rules=rules),
        county,
        description="旧城拆迁安置进度慢",
        theme="城市更新",
    )
    assert submitted["userErrors"] == []
    assert await _notes(staff, submitted["topic"]["id"]) == [
        {
            "plugin": "test-screen",
            "code": "test.demolition",
            "severity": "WARNING",
            "message": "涉及拆迁，请先征求自然资源局意见",
        }
    ]
    draft = plugin.seen[-1]
    assert (draft.source, draft.county_code, draft.theme) == ("PUBLIC", "511323", "城市更新")
    assert draft.year == local_today(staff_zone()).year
    assert draft.description == "旧城拆迁安置进度慢"
    assert "pengan.three-ones" in draft.active_standards

    created = await staff.query(
        CREATE,
        {
            "input": {
                "countyId": county,
                "title": "优化营商环境",
                "source": "GOVERNMENT",
                "year": 2025,
                "assigningBody": "县政府办公室",
            }
        },
    )
    assert created["createTopic"]["userErrors"] == []
    assert plugin.seen[-1].source == "GOVERNMENT"

    proposal = await scalar(
        xieshang_demo_sessions,
        sa.select(m.Proposal.id)
        .where(
            m.Proposal.filing == "FILED",
            ~sa.exists().where(m.Topic.proposal_id == m.Proposal.id),
        )
        .order_by(m.Proposal.id)
        .limit(1),
    )
    promoted = await staff.query(
        PROMOTE, {"input": {"proposalId": to_global_id("Proposal", proposal)}}
    )
    assert promoted["promoteProposalToTopic"]["userErrors"] == []
    assert plugin.seen[-1].source == "MEMBER_PROPOSAL"
    assert len(plugin.seen) == 3


def staff_zone() -> Any:
    from xieshang.config import Settings

    return Settings().zone


async def test_a_refusal_writes_nothing(
    xieshang_graphql: Any,
    xieshang_demo_sessions: async_sessionmaker[AsyncSession],
    screener: tuple[Screener, RulePlugins],
) -> None:
    _plugin, rules = screener
    staff = xieshang_graphql(as_user="staff", rules=rules)
    county = await _county(staff)
    before = await _topic_count(xieshang_demo_sessions)
    notes_before = await scalar(
        xieshang_demo_sessions, sa.select(sa.func.count()).select_from(m.TopicScreeningNote)
    )
    refused = await _submit(
        xieshang_graphql(anonymous=True, rules=rules), county, title="招商广告：旺铺出租"
    )
    assert refused["topic"] is None
    assert refused["userErrors"] == [
        {"field": None, "code": "SCREENING_REFUSED", "message": "议题不得含商业广告"}
    ]
    # Staff entries are screened the same way.
    created = await staff.query(
        CREATE,
        {"input": {"countyId": county, "title": "广告牌整治", "source": "PUBLIC", "year": 2025}},
    )
    assert [e["code"] for e in created["createTopic"]["userErrors"]] == ["SCREENING_REFUSED"]
    assert await _topic_count(xieshang_demo_sessions) == before
    assert (
        await scalar(
            xieshang_demo_sessions,
            sa.select(sa.func.count()).select_from(m.TopicScreeningNote),
        )
        == notes_before
    )
    transitions = await scalar(
        xieshang_demo_sessions,
        sa.select(sa.func.count())
        .select_from(m.TopicTransition)
        .join(m.Topic, m.Topic.id == m.TopicTransition.topic_id)
        .where(m.Topic.title.contains("广告")),
    )
    assert transitions == 0


class Broken:
    @hookimpl
    def xieshang_screen_topic(self, topic: TopicDraft) -> list[ScreeningNote] | None:
        raise RuntimeError("rule file missing")


class Garbage:
    @hookimpl
    def xieshang_screen_topic(self, topic: TopicDraft) -> Any:
        return ["not a note"]


@pytest.mark.parametrize("plugin", [Broken(), Garbage()], ids=["raises", "returns-garbage"])
async def test_a_broken_plugin_does_not_stop_intake(
    plugin: Any,
    xieshang_graphql: Any,
    xieshang_plugin_rules: Callable[..., RulePlugins],
    caplog: pytest.LogCaptureFixture,
) -> None:
    name = type(plugin).__name__.lower()
    rules = xieshang_plugin_rules((name, plugin))
    staff = xieshang_graphql(as_user="staff", rules=rules)
    with caplog.at_level(logging.ERROR, logger="xieshang.screening"):
        payload = await _submit(
            xieshang_graphql(anonymous=True, rules=rules), await _county(staff), theme="民生实事"
        )
    assert payload["userErrors"] == [] and payload["topic"] is not None
    notes = await _notes(staff, payload["topic"]["id"])
    assert notes == [
        {
            "plugin": name,
            "code": "SCREENING_ERROR",
            "severity": "NOTICE",
            "message": f"规则插件 {name} 初筛出错，未给出意见（详见服务日志）",
        }
    ]
    assert any(name in r.getMessage() and r.exc_info for r in caplog.records)


def test_notes_accept_severity_names_and_refuse_unknown_ones() -> None:
    assert ScreeningNote("x", "NOTICE", "提示").severity is Severity.NOTICE  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ScreeningNote("x", "FATAL", "错误")  # type: ignore[arg-type]
