"""One topic through the whole cycle over HTTP, as the people involved would drive it.

A resident submits a topic without an account; the county office reviews and selects it,
schedules and holds a consultation, reports the outcome and assigns it to a responsible unit;
the unit reports progress and completes the task, which closes the topic; the office invites the
resident to evaluate; the resident answers through the one-time link; a member records a return
visit. The county's statistics for the year count exactly this.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from xieshang.db import models as m
from xieshang.domain.calendar import local_today
from xieshang.testing import GraphQLClient

UNLIMITED = {"rate_limit_user": "100000/minute", "rate_limit_anonymous": "100000/minute"}
ZONE = ZoneInfo("Asia/Shanghai")


async def _call(client: GraphQLClient, document: str, **variables: Any) -> Any:
    response = await client.post(document, variables)
    assert response.status_code == 200 and not response.errors, response.body
    for payload in response.data.values():
        assert payload.get("userErrors") in (None, []), payload
    payloads = list(response.data.values())
    return payloads[0] if len(payloads) == 1 else response.data


async def test_a_topic_goes_round_the_whole_cycle(
    xieshang_graphql: Any, xieshang_demo_sessions: Any
) -> None:
    resident = xieshang_graphql(anonymous=True, **UNLIMITED)
    office = xieshang_graphql(as_user="staff", **UNLIMITED)
    unit = xieshang_graphql(as_user="unit", **UNLIMITED)
    member = xieshang_graphql(as_user="member", **UNLIMITED)
    today = local_today(ZONE)
    year = today.year

    refs = await office.query(
        """{ county(code: "511323") { id }
        platforms(first: 1, filter: {areaName: "芭茅村"}) { edges { node { id } } }
        members(first: 1) { edges { node { id } } } }"""
    )
    county = refs["county"]["id"]
    village = refs["platforms"]["edges"][0]["node"]["id"]
    unit_id = (await unit.query("{ me { unit { id } } }"))["me"]["unit"]["id"]
    member_id = (await member.query("{ me { member { id } } }"))["me"]["member"]["id"]
    statistics = """query($c: ID!, $y: Int!) { node(id: $c) { ... on County { statistics(year: $y) {
      topicsCollected keyTopics consultationsHeld outcomes tasks tasksDone tasksOpen
      outcomesConverted conversionRate evaluations satisfactionRate onTimeRate } } } }"""
    before = (await office.query(statistics, {"c": county, "y": year}))["node"]["statistics"]

    # 1. The resident submits a topic (社会出题) with a contact that is never shown back.
    submitted = await _call(
        resident,
        """mutation($c: ID!, $p: ID!) { submitTopic(input: {countyId: $c, platformId: $p,
            title: "村里集中供水管护无人负责", description: "水池和管网坏了没人修，希望协商解决",
            proposerName: "漆玉民", proposerContact: "13800001234"}) {
          topic { id status source proposerContact proposerName } userErrors { code } } }""",
        c=county,
        p=village,
    )
    topic = submitted["topic"]
    assert (topic["status"], topic["source"]) == ("SUBMITTED", "PUBLIC")
    assert topic["proposerContact"] is None and topic["proposerName"] is None
    async with xieshang_demo_sessions() as session:
        stored = await session.scalar(
            sa.select(m.Topic.proposer_contact).where(m.Topic.title == "村里集中供水管护无人负责")
        )
    assert stored == "13800001234"

    # 2. The office reviews and selects it as a key topic.
    change = """mutation($t: ID!, $v: Int!, $s: TopicStatus!, $n: String) {
      changeTopicStatus(input: {id: $t, expectedVersion: $v, status: $s, note: $n}) {
        topic { id version status proposerContact } userErrors { code message } } }"""
    reviewed = (await _call(office, change, t=topic["id"], v=1, s="UNDER_REVIEW"))["topic"]
    assert reviewed["proposerContact"] == "13800001234"  # the office sees it whole
    selected = await _call(office, change, t=topic["id"], v=reviewed["version"], s="SELECTED")
    assert selected["topic"]["status"] == "SELECTED"

    # 3. A consultation at the village platform: scheduled, then held with a member attending.
    starts = (today - timedelta(days=20)).isoformat() + "T09:00:00+08:00"
    consultation = (
        await _call(
            office,
            """mutation($t: ID!, $p: ID!, $s: DateTime!) { createConsultation(input: {topicId: $t,
                platformId: $p, title: "集中供水管护院坝协商", form: "院坝协商", startsAt: $s,
                invitedOfficials: "县水务局、罗家镇"}) {
              consultation { id version topic { status } } userErrors { code } } }""",
            t=topic["id"],
            p=village,
            s=starts,
        )
    )["consultation"]
    assert consultation["topic"]["status"] == "SCHEDULED"
    held = await _call(
        office,
        """mutation($c: ID!, $v: Int!, $m: ID!) {
          updateConsultation(input: {id: $c, expectedVersion: $v, status: HELD, residentCount: 46,
            agreements: "成立用水户协会，制定管护公约"}) {
            consultation { status topic { status } } userErrors { code } }
          setConsultationAttendance(input: {consultationId: $c, memberId: $m}) {
            consultation { attendances { attendance } } userErrors { code } } }""",
        c=consultation["id"],
        v=consultation["version"],
        m=member_id,
    )
    assert held["updateConsultation"]["consultation"]["topic"]["status"] == "CONSULTED"

    # 4. The outcome is reported and assigned to the unit.
    outcome = (
        await _call(
            office,
            """mutation($c: ID!, $d: Date!) { createOutcome(input: {consultationId: $c,
                kind: "公约/协议", title: "集中供水管护公约", sentTo: "罗家镇党委、政府",
                reportedOn: $d}) { outcome { id consultation { topic { status } } }
                userErrors { code } } }""",
            c=consultation["id"],
            d=(today - timedelta(days=15)).isoformat(),
        )
    )["outcome"]
    assert outcome["consultation"]["topic"]["status"] == "OUTCOME_REPORTED"
    task = (
        await _call(
            office,
            """mutation($o: ID!, $u: ID!, $a: Date!, $d: Date!) { createFollowUp(input: {
                outcomeId: $o, unitId: $u, task: "落实集中供水管护责任", assignedOn: $a,
                dueOn: $d}) { followUp { id version status outcome { consultation {
                topic { status } } } } userErrors { code } } }""",
            o=outcome["id"],
            u=unit_id,
            a=(today - timedelta(days=14)).isoformat(),
            d=(today + timedelta(days=5)).isoformat(),
        )
    )["followUp"]
    assert task["outcome"]["consultation"]["topic"]["status"] == "IN_IMPLEMENTATION"

    # 5. The unit finds it among its reminders, reports progress and completes it.
    reminders = await unit.query("{ me { unit { reminders(withinDays: 7) { id daysLeft } } } }")
    assert {"id": task["id"], "daysLeft": 5} in reminders["me"]["unit"]["reminders"]
    progressed = await _call(
        unit,
        """mutation($t: ID!) { addFollowUpNote(input: {followUpId: $t, content: "管网已改造"}) {
          followUp { version status } userErrors { code } } }""",
        t=task["id"],
    )
    assert progressed["followUp"]["status"] == "IN_PROGRESS"
    completed = await _call(
        unit,
        """mutation($t: ID!, $v: Int!) { completeFollowUp(input: {id: $t, expectedVersion: $v,
            resultClass: A, note: "用水户协会已运行"}) {
          followUp { status resultClass outcome { consultation { topic { status timeline {
            toStatus } } } } } userErrors { code } } }""",
        t=task["id"],
        v=progressed["followUp"]["version"],
    )
    closed = completed["followUp"]["outcome"]["consultation"]["topic"]
    assert closed["status"] == "CLOSED"
    assert [s["toStatus"] for s in closed["timeline"]] == [
        "SUBMITTED", "UNDER_REVIEW", "SELECTED", "SCHEDULED", "CONSULTED", "OUTCOME_REPORTED",
        "IN_IMPLEMENTATION", "CLOSED",
    ]  # fmt: skip

    # 6. The office invites the resident to evaluate; the link's token is returned once.
    invitation = await _call(
        office,
        """mutation($o: ID!) { createEvaluationInvitation(input: {outcomeId: $o,
            residentName: "漆玉民", residentRole: "村党支部书记", validDays: 14}) {
          token evaluationInvitation { id } userErrors { code } } }""",
        o=outcome["id"],
    )
    token = invitation["token"]
    form = await resident.query(
        """query($t: String!) { evaluationForm(token: $t) {
          outcomeTitle residentName residentRole canSubmit } }""",
        {"t": token},
    )
    assert form["evaluationForm"] == {
        "outcomeTitle": "集中供水管护公约",
        "residentName": "漆**",
        "residentRole": "村党支部书记",
        "canSubmit": True,
    }
    submit = """mutation($t: String!) { submitEvaluation(input: {token: $t,
        satisfaction: VERY_SATISFIED, comment: "满意，非常满意", suggestion: "希望长期坚持"}) {
      ok userErrors { code message } } }"""
    assert (await _call(resident, submit, t=token))["ok"] is True
    again = (await resident.post(submit, {"t": token})).data["submitEvaluation"]
    assert again["ok"] is False and [e["code"] for e in again["userErrors"]] == ["INVALID_TOKEN"]

    # 7. A member records a return visit (回访) on another resident's behalf.
    visit = await _call(
        member,
        """mutation($o: ID!) { recordReturnVisit(input: {outcomeId: $o, residentName: "王大姐",
            residentRole: "村民代表", satisfaction: SATISFIED}) {
          evaluation { channel visitedBy { id } } userErrors { code } } }""",
        o=outcome["id"],
    )
    assert visit["evaluation"] == {"channel": "RETURN_VISIT", "visitedBy": {"id": member_id}}

    # 8. The office sees both evaluations; the statistics of the year count the cycle.
    evaluations = await office.query(
        """query($o: ID!) { node(id: $o) { ... on Outcome { evaluations(first: 10) {
          edges { node { channel satisfaction residentName } } } } } }""",
        {"o": outcome["id"]},
    )
    got = {
        (e["node"]["channel"], e["node"]["satisfaction"], e["node"]["residentName"])
        for e in evaluations["node"]["evaluations"]["edges"]
    }
    assert got == {("FORM", "VERY_SATISFIED", "漆玉民"), ("RETURN_VISIT", "SATISFIED", "王大姐")}
    after = (await office.query(statistics, {"c": county, "y": year}))["node"]["statistics"]
    counted = ("topicsCollected", "keyTopics", "consultationsHeld", "outcomes", "tasks",
               "tasksDone", "outcomesConverted", "evaluations")  # fmt: skip
    assert {k: after[k] - before[k] for k in counted} == {
        "topicsCollected": 1, "keyTopics": 1, "consultationsHeld": 1, "outcomes": 1, "tasks": 1,
        "tasksDone": 1, "outcomesConverted": 1, "evaluations": 2,
    }  # fmt: skip
    if before["outcomes"] == 0:  # nothing else of this year in the demo: exact rates
        assert after["conversionRate"] == 1.0
        assert after["satisfactionRate"] == 1.0
        assert after["onTimeRate"] == 1.0
