"""The topic workflow over HTTP: review steps by hand, the later steps driven by the records,
illegal steps refused with the allowed ones named, and every step on the topic's timeline."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from xieshang.db import models as m
from xieshang.db.enums import TopicStatus
from xieshang.domain import topic_workflow
from xieshang.testing import GraphQLClient

TOPIC_FIELDS = "id version status isKey statusReason nextStatuses mergedInto { id }"
TIMELINE = "timeline { fromStatus toStatus actor actorRole note occurredAt }"

CREATE_TOPIC = f"""mutation($input: CreateTopicInput!) {{ createTopic(input: $input) {{
  topic {{ {TOPIC_FIELDS} }} userErrors {{ field code message }} }} }}"""
CHANGE = f"""mutation($input: ChangeTopicStatusInput!) {{ changeTopicStatus(input: $input) {{
  topic {{ {TOPIC_FIELDS} {TIMELINE} }} userErrors {{ field code message }} }} }}"""
TOPIC = (
    f"""query($id: ID!) {{ node(id: $id) {{ ... on Topic {{ {TOPIC_FIELDS} {TIMELINE} }} }} }}"""
)
CREATE_CONSULTATION = """mutation($input: CreateConsultationInput!) {
  createConsultation(input: $input) { consultation { id version status topic { status } }
  userErrors { field code message } } }"""
UPDATE_CONSULTATION = """mutation($input: UpdateConsultationInput!) {
  updateConsultation(input: $input) { consultation { id version status topic { status } }
  userErrors { field code message } } }"""
CREATE_OUTCOME = """mutation($input: CreateOutcomeInput!) { createOutcome(input: $input) {
  outcome { id consultation { topic { status } } } userErrors { field code message } } }"""
CREATE_FOLLOW_UP = """mutation($input: CreateFollowUpInput!) { createFollowUp(input: $input) {
  followUp { id version status outcome { consultation { topic { status } } } }
  userErrors { field code message } } }"""
ADD_NOTE = """mutation($input: AddFollowUpNoteInput!) { addFollowUpNote(input: $input) {
  followUp { id version status notes { content } } userErrors { field code message } } }"""
COMPLETE = """mutation($input: CompleteFollowUpInput!) { completeFollowUp(input: $input) {
  followUp { id version status resultClass completedOn daysLeft
    outcome { consultation { topic { status } } } }
  userErrors { field code message } } }"""

PAST = "2024-05-06T09:00:00+08:00"


@pytest.fixture
def staff(xieshang_graphql: Any) -> GraphQLClient:
    client: GraphQLClient = xieshang_graphql(as_user="staff", rate_limit_user="100000/minute")
    return client


@pytest.fixture
async def refs(staff: GraphQLClient) -> dict[str, str]:
    data = await staff.query(
        """{ county(code: "511323") { id }
        platforms(first: 1, filter: {level: COUNTY}) { edges { node { id } } }
        me { county { id } } }"""
    )
    unit = await staff.query("""{ responsibleUnits(first: 2) { edges { node { id name } } } }""")
    return {
        "county": data["county"]["id"],
        "platform": data["platforms"]["edges"][0]["node"]["id"],
        "unit": unit["responsibleUnits"]["edges"][0]["node"]["id"],
        "unit2": unit["responsibleUnits"]["edges"][1]["node"]["id"],
    }


async def _mutate(client: GraphQLClient, mutation: str, name: str, values: dict[str, Any]) -> Any:
    response = await client.post(mutation, {"input": values})
    assert response.status_code == 200 and not response.errors, response.body
    return response.data[name]


def _ok(payload: dict[str, Any], field: str) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload["userErrors"]
    result: dict[str, Any] = payload[field]
    return result


async def _new_topic(client: GraphQLClient, refs: dict[str, str], title: str) -> dict[str, Any]:
    payload = await _mutate(
        client,
        CREATE_TOPIC,
        "createTopic",
        {"countyId": refs["county"], "title": title, "source": "PUBLIC", "year": 2024},
    )
    return _ok(payload, "topic")


async def _step(
    client: GraphQLClient, topic: dict[str, Any], status: str, **extra: Any
) -> dict[str, Any]:
    payload = await _mutate(
        client,
        CHANGE,
        "changeTopicStatus",
        {"id": topic["id"], "expectedVersion": topic["version"], "status": status, **extra},
    )
    return payload  # type: ignore[no-any-return]


async def test_review_steps_and_the_timeline(staff: GraphQLClient, refs: dict[str, str]) -> None:
    topic = await _new_topic(staff, refs, "村道路灯维修")
    assert topic["status"] == "SUBMITTED"
    assert topic["nextStatuses"] == ["UNDER_REVIEW"]

    reviewing = _ok(await _step(staff, topic, "UNDER_REVIEW"), "topic")
    assert reviewing["nextStatuses"] == ["SELECTED", "MERGED", "RESERVED", "RETURNED"]
    selected = _ok(await _step(staff, reviewing, "SELECTED", note="列入年度重点"), "topic")
    assert selected["isKey"] is True and selected["status"] == "SELECTED"

    timeline = selected["timeline"]
    assert [(e["fromStatus"], e["toStatus"]) for e in timeline] == [
        (None, "SUBMITTED"),
        ("SUBMITTED", "UNDER_REVIEW"),
        ("UNDER_REVIEW", "SELECTED"),
    ]
    assert {e["actor"] for e in timeline} == {"staff"}
    assert timeline[-1]["note"] == "列入年度重点" and timeline[-1]["actorRole"] == "STAFF"

    # Deselected before anything was scheduled: no longer a key topic.
    back = _ok(await _step(staff, selected, "UNDER_REVIEW"), "topic")
    assert back["isKey"] is False


async def test_illegal_steps_name_the_allowed_ones(
    staff: GraphQLClient, refs: dict[str, str]
) -> None:
    topic = await _new_topic(staff, refs, "集镇停车难")
    refused = await _step(staff, topic, "SELECTED")
    assert refused["topic"] is None
    [error] = refused["userErrors"]
    assert error["code"] == "INVALID_TRANSITION" and error["field"] == "status"
    assert "审查中（UNDER_REVIEW）" in error["message"]

    # Nothing was written: still submitted, same version, one timeline entry.
    data = await staff.query(TOPIC, {"id": topic["id"]})
    assert data["node"]["status"] == "SUBMITTED" and data["node"]["version"] == topic["version"]
    assert len(data["node"]["timeline"]) == 1

    reviewing = _ok(await _step(staff, topic, "UNDER_REVIEW"), "topic")
    # Steps driven by records cannot be taken by hand.
    for status in ("SCHEDULED", "CONSULTED", "CLOSED"):
        [error] = (await _step(staff, reviewing, status))["userErrors"]
        assert error["code"] == "INVALID_TRANSITION", status
    # Keeping for reference and returning need a reason.
    for status in ("RESERVED", "RETURNED"):
        [error] = (await _step(staff, reviewing, status))["userErrors"]
        assert (error["field"], error["code"]) == ("note", "REQUIRED")
    # Merging needs a live target topic, not itself.
    [error] = (await _step(staff, reviewing, "MERGED"))["userErrors"]
    assert (error["field"], error["code"]) == ("mergedIntoId", "REQUIRED")
    [error] = (await _step(staff, reviewing, "MERGED", mergedIntoId=topic["id"]))["userErrors"]
    assert (error["field"], error["code"]) == ("mergedIntoId", "INVALID_VALUE")
    submitted = await _new_topic(staff, refs, "还没审查的议题")
    [error] = (await _step(staff, reviewing, "MERGED", mergedIntoId=submitted["id"]))["userErrors"]
    assert (error["field"], error["code"]) == ("mergedIntoId", "INVALID_STATE")
    # A stale version is refused as everywhere else.
    [error] = (await _step(staff, topic, "RESERVED", note="x"))["userErrors"]
    assert error["code"] == "STALE_VERSION"


async def test_merge_and_keep_for_reference(staff: GraphQLClient, refs: dict[str, str]) -> None:
    target = _ok(
        await _step(staff, await _new_topic(staff, refs, "乡村道路养护"), "UNDER_REVIEW"), "topic"
    )
    duplicate = _ok(
        await _step(staff, await _new_topic(staff, refs, "乡村道路养护难"), "UNDER_REVIEW"), "topic"
    )
    merged = _ok(await _step(staff, duplicate, "MERGED", mergedIntoId=target["id"]), "topic")
    assert merged["mergedInto"] == {"id": target["id"]} and merged["nextStatuses"] == []
    [error] = (await _step(staff, merged, "UNDER_REVIEW"))["userErrors"]
    assert error["code"] == "INVALID_TRANSITION" and "最终状态" in error["message"]

    reserved = _ok(await _step(staff, target, "RESERVED", note="  明年再议  "), "topic")
    assert reserved["statusReason"] == "明年再议"
    again = _ok(await _step(staff, reserved, "UNDER_REVIEW"), "topic")
    assert again["statusReason"] is None


async def _selected_topic(staff: GraphQLClient, refs: dict[str, str], title: str) -> dict[str, Any]:
    topic = await _new_topic(staff, refs, title)
    reviewing = _ok(await _step(staff, topic, "UNDER_REVIEW"), "topic")
    return _ok(await _step(staff, reviewing, "SELECTED"), "topic")


async def _consultation(
    staff: GraphQLClient, refs: dict[str, str], topic: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    payload = await _mutate(
        staff,
        CREATE_CONSULTATION,
        "createConsultation",
        {
            "topicId": topic["id"],
            "platformId": refs["platform"],
            "title": "专题协商会",
            "form": "专题协商",
            "startsAt": PAST,
            **extra,
        },
    )
    return payload  # type: ignore[no-any-return]


async def test_consultations_drive_the_topic(staff: GraphQLClient, refs: dict[str, str]) -> None:
    # Not yet selected: no consultation.
    unselected = await _new_topic(staff, refs, "未选定的议题")
    [error] = (await _consultation(staff, refs, unselected))["userErrors"]
    assert (error["field"], error["code"]) == ("topicId", "INVALID_TRANSITION")

    topic = await _selected_topic(staff, refs, "农村饮水安全")
    first = _ok(await _consultation(staff, refs, topic), "consultation")
    assert first["topic"]["status"] == "SCHEDULED"
    # An outcome needs a consultation that was held.
    refused = await _mutate(
        staff,
        CREATE_OUTCOME,
        "createOutcome",
        {"consultationId": first["id"], "kind": "建议案", "title": "成果"},
    )
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        ("consultationId", "INVALID_STATE")
    ]
    # Cancelling the only consultation puts the topic back to selected.
    cancelled = _ok(
        await _mutate(
            staff,
            UPDATE_CONSULTATION,
            "updateConsultation",
            {"id": first["id"], "expectedVersion": first["version"], "status": "CANCELLED"},
        ),
        "consultation",
    )
    assert cancelled["topic"]["status"] == "SELECTED"
    # A cancelled consultation is final.
    refused = await _mutate(
        staff,
        UPDATE_CONSULTATION,
        "updateConsultation",
        {"id": first["id"], "expectedVersion": cancelled["version"], "status": "HELD"},
    )
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_TRANSITION"]

    # Recording a consultation that was already held takes both steps.
    held = _ok(await _consultation(staff, refs, topic, status="HELD"), "consultation")
    assert held["topic"]["status"] == "CONSULTED"
    data = await staff.query(TOPIC, {"id": topic["id"]})
    steps = [(e["fromStatus"], e["toStatus"]) for e in data["node"]["timeline"]]
    assert steps[-4:] == [
        ("SELECTED", "SCHEDULED"),
        ("SCHEDULED", "SELECTED"),
        ("SELECTED", "SCHEDULED"),
        ("SCHEDULED", "CONSULTED"),
    ]


async def test_outcome_tasks_and_closing(
    staff: GraphQLClient, refs: dict[str, str], xieshang_graphql: Any
) -> None:
    topic = await _selected_topic(staff, refs, "集中供水管护")
    held = _ok(await _consultation(staff, refs, topic, status="HELD"), "consultation")
    outcome = _ok(
        await _mutate(
            staff,
            CREATE_OUTCOME,
            "createOutcome",
            {"consultationId": held["id"], "kind": "公约/协议", "title": "管护公约"},
        ),
        "outcome",
    )
    assert outcome["consultation"]["topic"]["status"] == "OUTCOME_REPORTED"

    unit = xieshang_graphql(as_user="unit")
    unit_id = (await unit.query("{ me { unit { id } } }"))["me"]["unit"]["id"]
    today = date.today()
    tasks = []
    for unit_ref, due in (
        (unit_id, today - timedelta(days=3)),
        (refs["unit2"], today + timedelta(days=30)),
    ):
        task = _ok(
            await _mutate(
                staff,
                CREATE_FOLLOW_UP,
                "createFollowUp",
                {
                    "outcomeId": outcome["id"],
                    "unitId": unit_ref,
                    "task": "落实管护责任",
                    "assignedOn": (today - timedelta(days=40)).isoformat(),
                    "dueOn": due.isoformat(),
                },
            ),
            "followUp",
        )
        assert task["status"] == "ASSIGNED"
        assert task["outcome"]["consultation"]["topic"]["status"] == "IN_IMPLEMENTATION"
        tasks.append(task)
    own, other = tasks

    # The unit's reminders show its overdue task; the board counts it.
    reminders = await unit.query(
        "query($id: ID!) { node(id: $id) { ... on ResponsibleUnit { reminders { id daysLeft isOverdue } } } }",
        {"id": unit_id},
    )
    mine = [r for r in reminders["node"]["reminders"] if r["id"] == own["id"]]
    assert mine and mine[0]["isOverdue"] is True and mine[0]["daysLeft"] <= -3

    # A unit reports progress on its own task (assigned → in progress) and not on another's.
    progressed = _ok(
        await _mutate(
            unit, ADD_NOTE, "addFollowUpNote", {"followUpId": own["id"], "content": "已开工"}
        ),
        "followUp",
    )
    assert progressed["status"] == "IN_PROGRESS"
    refused = await _mutate(
        unit, COMPLETE, "completeFollowUp",
        {"id": other["id"], "expectedVersion": other["version"], "resultClass": "A"},
    )  # fmt: skip
    assert [e["code"] for e in refused["userErrors"]] == ["NOT_FOUND"]

    done = _ok(
        await _mutate(
            unit, COMPLETE, "completeFollowUp",
            {"id": own["id"], "expectedVersion": progressed["version"], "resultClass": "A",
             "note": "已建立管护制度"},
        ),
        "followUp",
    )  # fmt: skip
    assert done["status"] == "DONE" and done["resultClass"] == "A" and done["daysLeft"] is None
    assert done["outcome"]["consultation"]["topic"]["status"] == "IN_IMPLEMENTATION"
    again = await _mutate(
        unit, COMPLETE, "completeFollowUp",
        {"id": own["id"], "expectedVersion": done.get("version", 0) or 99, "resultClass": "A"},
    )  # fmt: skip
    assert again["userErrors"] and again["followUp"] is None

    # Completing before the assignment date is refused; the last task closes the topic.
    early = await _mutate(
        staff, COMPLETE, "completeFollowUp",
        {"id": other["id"], "expectedVersion": other["version"], "resultClass": "B",
         "completedOn": (today - timedelta(days=400)).isoformat()},
    )  # fmt: skip
    assert [(e["field"], e["code"]) for e in early["userErrors"]] == [("completedOn", "DATE_ORDER")]
    last = _ok(
        await _mutate(
            staff, COMPLETE, "completeFollowUp",
            {"id": other["id"], "expectedVersion": other["version"], "resultClass": "B"},
        ),
        "followUp",
    )  # fmt: skip
    assert last["outcome"]["consultation"]["topic"]["status"] == "CLOSED"
    data = await staff.query(TOPIC, {"id": topic["id"]})
    final = data["node"]["timeline"][-1]
    assert (final["fromStatus"], final["toStatus"], final["note"]) == (
        "IN_IMPLEMENTATION",
        "CLOSED",
        "督办任务全部办结",
    )
    # A closed topic takes no more tasks.
    refused = await _mutate(
        staff, CREATE_FOLLOW_UP, "createFollowUp",
        {"outcomeId": outcome["id"], "unitId": refs["unit"], "task": "再交办",
         "assignedOn": today.isoformat(), "dueOn": today.isoformat()},
    )  # fmt: skip
    assert [e["code"] for e in refused["userErrors"]] == ["INVALID_STATE"]


async def test_supervision_board_counts_by_unit(
    staff: GraphQLClient, xieshang_demo_sessions: Any
) -> None:
    county = (await staff.query('{ county(code: "511323") { id } }'))["county"]["id"]
    data = await staff.query(
        """query($c: ID!) { supervisionBoard(countyId: $c, withinDays: 30) {
          asOf withinDays open overdue dueSoon done
          units { unit { name } open overdue dueSoon done doneOnTime onTimeRate } } }""",
        {"c": county},
    )
    board = data["supervisionBoard"]
    today = date.fromisoformat(board["asOf"])
    async with xieshang_demo_sessions() as session:
        tasks = (await session.scalars(sa.select(m.FollowUp))).all()
    open_tasks = [t for t in tasks if t.status != "DONE"]
    assert board["open"] == len(open_tasks) > 0
    assert board["overdue"] == sum(t.due_on < today for t in open_tasks)
    assert board["dueSoon"] == sum(
        today <= t.due_on <= today + timedelta(days=30) for t in open_tasks
    )
    assert board["done"] == len(tasks) - len(open_tasks)
    assert sum(u["open"] for u in board["units"]) == board["open"]
    overdue = [u["overdue"] for u in board["units"]]
    assert overdue == sorted(overdue, reverse=True)

    # Out-of-range windows and other counties' boards are refused.
    response = await staff.post(
        "query($c: ID!) { supervisionBoard(countyId: $c, withinDays: 365) { open } }", {"c": county}
    )
    assert response.error_codes == ["OUT_OF_RANGE"]


def test_every_status_is_reachable_and_final_ones_have_no_steps() -> None:
    reachable = {TopicStatus.SUBMITTED}
    frontier = [TopicStatus.SUBMITTED]
    while frontier:
        for nxt in topic_workflow.TRANSITIONS.get(frontier.pop(), frozenset()):
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    assert reachable == set(TopicStatus)
    finals = {s for s in TopicStatus if not topic_workflow.allowed_steps(s)}
    assert finals == {TopicStatus.MERGED, TopicStatus.RETURNED, TopicStatus.CLOSED}


async def test_demo_topics_have_timelines_that_end_at_their_status(
    xieshang_demo_sessions: Any,
) -> None:
    from collections import defaultdict
    from zoneinfo import ZoneInfo

    from xieshang.domain import topic_history

    async with xieshang_demo_sessions() as session:
        topics = (await session.scalars(sa.select(m.Topic))).all()
        steps = (
            await session.scalars(
                sa.select(m.TopicTransition).order_by(
                    m.TopicTransition.occurred_at, m.TopicTransition.id
                )
            )
        ).all()
        by_topic: dict[int, list[m.TopicTransition]] = defaultdict(list)
        for step in steps:
            by_topic[step.topic_id].append(step)
        assert len(topics) >= 350
        for topic in topics:
            timeline = by_topic[topic.id]
            assert timeline[0].from_status is None and timeline[0].to_status == "SUBMITTED"
            assert timeline[-1].to_status == topic.status, topic.title
            for before, after in itertools.pairwise(timeline):
                # Each step is one the workflow allows, taken from where the last one ended.
                assert after.from_status == before.to_status
                assert after.to_status in topic_workflow.TRANSITIONS[before.to_status]
    # Running it again writes nothing: every topic has its timeline.
    async with xieshang_demo_sessions() as session, session.begin():
        assert (
            await topic_history.backfill(session, topics[0].county_id, ZoneInfo("Asia/Shanghai"))
            == 0
        )


def test_the_cli_reconstructs_missing_timelines(xieshang_demo_url: Any) -> None:
    import asyncio

    from cli_helpers import invoke

    from xieshang.db.engine import create_engine

    async def forget(count: int) -> list[int]:
        engine = create_engine(xieshang_demo_url)
        try:
            async with engine.begin() as conn:
                ids = list(
                    (
                        await conn.execute(sa.select(m.Topic.id).order_by(m.Topic.id).limit(count))
                    ).scalars()
                )
                await conn.execute(
                    sa.delete(m.TopicTransition).where(m.TopicTransition.topic_id.in_(ids))
                )
            return ids
        finally:
            await engine.dispose()

    async def steps(ids: list[int]) -> dict[int, int]:
        engine = create_engine(xieshang_demo_url)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(
                    sa.select(m.TopicTransition.topic_id, sa.func.count())
                    .where(m.TopicTransition.topic_id.in_(ids))
                    .group_by(m.TopicTransition.topic_id)
                )
                return {topic_id: n for topic_id, n in rows}
        finally:
            await engine.dispose()

    forgotten = asyncio.run(forget(3))
    assert asyncio.run(steps(forgotten)) == {}
    first = invoke("topics", "timelines", "--county", "511323", url=xieshang_demo_url)
    assert first.returncode == 0, first.stderr
    restored = asyncio.run(steps(forgotten))
    assert set(restored) == set(forgotten) and all(n >= 3 for n in restored.values())
    assert f"补录流程记录 {sum(restored.values())} 条" in first.stdout
    second = invoke("topics", "timelines", url=xieshang_demo_url)
    assert second.returncode == 0 and "补录流程记录 0 条" in second.stdout
    unknown = invoke("topics", "timelines", "--county", "999999", url=xieshang_demo_url)
    assert unknown.returncode != 0 and "999999" in unknown.stderr
