"""Residents' evaluations: single-use invitation links (created once, stored as a hash, refused
when unknown, used, expired or revoked, single use under concurrency) and return visits."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from xieshang.config import Settings
from xieshang.db import models as m
from xieshang.db.base import utcnow
from xieshang.db.engine import write_session_factory
from xieshang.db.enums import EvaluationChannel, Satisfaction
from xieshang.domain import evaluations
from xieshang.domain.ids import from_global_id, to_global_id
from xieshang.domain.policy import Viewer
from xieshang.domain.unit_of_work import Environment, write
from xieshang.engine.registry import RulePlugins
from xieshang.errors import ValidationFailed
from xieshang.testing import GraphQLClient

CREATE = """mutation($input: CreateEvaluationInvitationInput!) {
  createEvaluationInvitation(input: $input) {
    token
    evaluationInvitation { id status residentName residentContact expiresAt outcome { id } }
    userErrors { field code message }
  }
}"""
REVOKE = """mutation($id: ID!) {
  revokeEvaluationInvitation(input: {id: $id}) {
    evaluationInvitation { id status revokedAt }
    userErrors { field code message }
  }
}"""
FORM = """query($token: String!) {
  evaluationForm(token: $token) {
    outcomeTitle outcomeKind consultationTitle consultationDate platformName
    residentName residentRole expiresAt status canSubmit
  }
}"""
SUBMIT = """mutation($input: SubmitEvaluationInput!) {
  submitEvaluation(input: $input) { ok submittedAt userErrors { field code message } }
}"""
VISIT = """mutation($input: RecordReturnVisitInput!) {
  recordReturnVisit(input: $input) {
    evaluation { id channel satisfaction visitedBy { id } residentName }
    userErrors { field code message }
  }
}"""
UNLIMITED = {"rate_limit_user": "100000/minute", "rate_limit_anonymous": "100000/minute"}


@pytest.fixture
async def outcome(xieshang_demo_sessions: Any) -> dict[str, Any]:
    """An outcome of the demo county, with its consultation and platform."""
    async with xieshang_demo_sessions() as session:
        row = (
            await session.execute(
                sa.select(m.Outcome, m.Consultation, m.Platform)
                .join(m.Consultation, m.Consultation.id == m.Outcome.consultation_id)
                .join(m.Platform, m.Platform.id == m.Consultation.platform_id)
                .order_by(m.Outcome.id)
                .limit(1)
            )
        ).one()
    o, c, p = row
    return {"id": to_global_id("Outcome", o.id), "pk": o.id, "row": o, "c": c, "p": p}


async def _invite(client: GraphQLClient, outcome_id: str, **extra: Any) -> dict[str, Any]:
    values = {"outcomeId": outcome_id, "residentName": "张三丰", "residentRole": "村民代表"}
    values |= {"residentContact": "13812345678", **extra}
    payload = (await client.query(CREATE, {"input": values}))["createEvaluationInvitation"]
    return dict(payload)


async def _submit(client: GraphQLClient, token: str, **extra: Any) -> dict[str, Any]:
    values = {"token": token, "satisfaction": "SATISFIED", **extra}
    return dict((await client.query(SUBMIT, {"input": values}))["submitEvaluation"])


async def _form_evaluations(sessions: Any, invitation_pk: int) -> list[m.Evaluation]:
    async with sessions() as session:
        stmt = sa.select(m.Evaluation).where(m.Evaluation.invitation_id == invitation_pk)
        return list((await session.scalars(stmt)).all())


# -- invitations ------------------------------------------------------------------------------


async def test_the_token_is_returned_once_and_only_its_hash_is_stored(
    xieshang_graphql: Any, xieshang_demo_sessions: Any, outcome: dict[str, Any]
) -> None:
    staff = xieshang_graphql(as_user="staff")
    created = await _invite(staff, outcome["id"])
    assert created["userErrors"] == []
    token = created["token"]
    assert isinstance(token, str) and len(token) >= 43  # 32 random bytes, base64url
    invitation = created["evaluationInvitation"]
    assert invitation["status"] == "OPEN"
    assert invitation["residentName"] == "张三丰"  # the county office sees it whole
    assert invitation["outcome"]["id"] == outcome["id"]
    pk = from_global_id(invitation["id"])[1]
    async with xieshang_demo_sessions() as session:
        row = await session.get(m.EvaluationInvitation, pk)
        assert row is not None
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
        assert row.created_by == "staff"
        assert timedelta(days=29, hours=23) < row.expires_at - row.created_at <= timedelta(days=30)
        # The token itself is nowhere: not in the invitation row, not in the audit trail.
        stored = [str(v) for v in (await session.execute(sa.select(m.EvaluationInvitation))).all()]
        audit = (await session.execute(sa.select(m.AuditEvent))).all()
        assert all(token not in text for text in stored + [str(a) for a in audit])
    # No later answer carries it: the type has no token field, the list shows the rest.
    listed = await staff.query(
        "{ evaluationInvitations(first: 10) { totalCount edges { node { id status } } } }"
    )
    assert listed["evaluationInvitations"]["edges"] == [
        {"node": {"id": invitation["id"], "status": "OPEN"}}
    ]
    response = await staff.post("{ evaluationInvitations(first: 1) { edges { node { token } } } }")
    assert response.errors and token not in str(response.body)
    # Two invitations never share a token.
    again = await _invite(staff, outcome["id"])
    assert again["token"] != token


async def test_invitation_inputs_are_checked(
    xieshang_graphql: Any, outcome: dict[str, Any]
) -> None:
    staff = xieshang_graphql(as_user="staff")
    for extra, field, code in (
        ({"validDays": 0}, "validDays", "OUT_OF_RANGE"),
        ({"validDays": 181}, "validDays", "OUT_OF_RANGE"),
        ({"residentName": "  "}, "residentName", "REQUIRED"),
        ({"residentName": "名" * 51}, "residentName", "TOO_LONG"),
        ({"outcomeId": to_global_id("Outcome", 999999)}, "outcomeId", "NOT_FOUND"),
        ({"outcomeId": to_global_id("Member", 1)}, "outcomeId", "INVALID_ID"),
    ):
        payload = await _invite(staff, outcome["id"], **extra)
        assert payload["token"] is None and payload["evaluationInvitation"] is None
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(field, code)], extra
    created = await _invite(staff, outcome["id"], validDays=180)
    assert created["userErrors"] == []


async def test_members_see_invitations_masked_and_cannot_create_them(
    xieshang_graphql: Any, outcome: dict[str, Any]
) -> None:
    staff = xieshang_graphql(as_user="staff")
    await _invite(staff, outcome["id"])
    member = xieshang_graphql(as_user="member")
    data = await member.query(
        "{ evaluationInvitations(first: 5) { edges { node { residentName residentContact } } } }"
    )
    assert data["evaluationInvitations"]["edges"] == [
        {"node": {"residentName": "张**", "residentContact": "138****5678"}}
    ]
    response = await member.post(
        CREATE, {"input": {"outcomeId": outcome["id"], "residentName": "李四"}}
    )
    assert response.error_codes == ["FORBIDDEN"]
    anonymous = xieshang_graphql(anonymous=True)
    response = await anonymous.post("{ evaluationInvitations(first: 5) { totalCount } }")
    assert response.error_codes == ["FORBIDDEN"]


# -- the public form --------------------------------------------------------------------------


async def test_the_form_shows_what_the_resident_needs(
    xieshang_graphql: Any, outcome: dict[str, Any]
) -> None:
    staff = xieshang_graphql(as_user="staff")
    created = await _invite(staff, outcome["id"])
    anonymous = xieshang_graphql(anonymous=True)
    form = (await anonymous.query(FORM, {"token": created["token"]}))["evaluationForm"]
    starts = outcome["c"].starts_at.astimezone(staff_zone()).date().isoformat()
    assert form == {
        "outcomeTitle": outcome["row"].title,
        "outcomeKind": outcome["row"].kind,
        "consultationTitle": outcome["c"].title,
        "consultationDate": starts,
        "platformName": outcome["p"].name,
        "residentName": "张**",
        "residentRole": "村民代表",
        "expiresAt": created["evaluationInvitation"]["expiresAt"],
        "status": "OPEN",
        "canSubmit": True,
    }
    # The resident's contact is not on the form, not even masked.
    response = await anonymous.post(FORM, {"token": created["token"]})
    assert "5678" not in str(response.body)
    assert (await anonymous.query(FORM, {"token": "no-such-token"}))["evaluationForm"] is None
    assert (await anonymous.query(FORM, {"token": ""}))["evaluationForm"] is None


def staff_zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


async def test_an_anonymous_resident_submits_over_http(
    xieshang_graphql: Any, xieshang_demo_sessions: Any, outcome: dict[str, Any]
) -> None:
    staff = xieshang_graphql(as_user="staff")
    created = await _invite(staff, outcome["id"])
    anonymous = xieshang_graphql(anonymous=True)
    payload = await _submit(
        anonymous,
        created["token"],
        satisfaction="VERY_SATISFIED",
        suggestion="  希望持续跟进  ",
        comment="满意，非常满意",
    )
    assert payload["ok"] is True and payload["submittedAt"] and payload["userErrors"] == []
    pk = from_global_id(created["evaluationInvitation"]["id"])[1]
    [stored] = await _form_evaluations(xieshang_demo_sessions, pk)
    assert stored.channel is EvaluationChannel.FORM
    assert stored.satisfaction is Satisfaction.VERY_SATISFIED
    assert stored.outcome_id == outcome["pk"]
    assert (stored.resident_name, stored.resident_role, stored.resident_contact) == (
        "张三丰",
        "村民代表",
        "13812345678",
    )
    assert (stored.suggestion, stored.comment) == ("希望持续跟进", "满意，非常满意")
    assert stored.visited_by_member_id is None
    # The office now sees the invitation used and the evaluation on the outcome.
    node = await staff.query(
        "query($id: ID!) { node(id: $id) { ... on EvaluationInvitation { status usedAt } } }",
        {"id": created["evaluationInvitation"]["id"]},
    )
    assert node["node"]["status"] == "USED" and node["node"]["usedAt"]
    form = (await anonymous.query(FORM, {"token": created["token"]}))["evaluationForm"]
    assert (form["status"], form["canSubmit"]) == ("USED", False)
    # The anonymous caller's payload cannot reach the evaluation: the field does not exist.
    response = await anonymous.post(
        'mutation { submitEvaluation(input: {token: "x", satisfaction: SATISFIED}) '
        "{ evaluation { id } } }"
    )
    assert response.errors and response.data is None


async def _refusal(client: GraphQLClient, token: str) -> tuple[str, str, str]:
    payload = await _submit(client, token)
    assert payload["ok"] is False and payload["submittedAt"] is None
    [error] = payload["userErrors"]
    return error["field"], error["code"], error["message"]


async def test_unknown_used_expired_and_revoked_tokens_are_refused(
    xieshang_graphql: Any, xieshang_demo_sessions: Any, outcome: dict[str, Any]
) -> None:
    staff = xieshang_graphql(as_user="staff")
    anonymous = xieshang_graphql(anonymous=True, **UNLIMITED)
    messages: dict[str, str] = {}

    field, code, messages["unknown"] = await _refusal(anonymous, "not-a-real-token")
    assert (field, code) == ("token", "INVALID_TOKEN")

    used = await _invite(staff, outcome["id"])
    assert (await _submit(anonymous, used["token"]))["ok"] is True
    field, code, messages["used"] = await _refusal(anonymous, used["token"])
    assert (field, code) == ("token", "INVALID_TOKEN")

    expired = await _invite(staff, outcome["id"])
    expired_pk = from_global_id(expired["evaluationInvitation"]["id"])[1]
    async with xieshang_demo_sessions() as session, session.begin():
        row = await session.get(m.EvaluationInvitation, expired_pk)
        assert row is not None
        row.created_at = utcnow() - timedelta(days=40)
        row.expires_at = utcnow() - timedelta(seconds=1)
    field, code, messages["expired"] = await _refusal(anonymous, expired["token"])
    assert (field, code) == ("token", "INVALID_TOKEN")
    form = (await anonymous.query(FORM, {"token": expired["token"]}))["evaluationForm"]
    assert (form["status"], form["canSubmit"]) == ("EXPIRED", False)

    revoked = await _invite(staff, outcome["id"])
    answer = await staff.query(REVOKE, {"id": revoked["evaluationInvitation"]["id"]})
    revoked_node = answer["revokeEvaluationInvitation"]["evaluationInvitation"]
    assert revoked_node["status"] == "REVOKED" and revoked_node["revokedAt"]
    field, code, messages["revoked"] = await _refusal(anonymous, revoked["token"])
    assert (field, code) == ("token", "INVALID_TOKEN")

    assert len(set(messages.values())) == 4, messages  # four distinct explanations
    assert "已使用" in messages["used"] and "过期" in messages["expired"]
    assert "撤销" in messages["revoked"] and "无效" in messages["unknown"]
    # Nothing but the one good submission was stored.
    async with xieshang_demo_sessions() as session:
        count = await session.scalar(
            sa.select(sa.func.count()).where(m.Evaluation.invitation_id.is_not(None))
        )
    assert count == 1

    # Revoking twice, or a used invitation, is refused; so is another county's or a wrong ID.
    again = (await staff.query(REVOKE, {"id": revoked["evaluationInvitation"]["id"]}))[
        "revokeEvaluationInvitation"
    ]
    assert [e["code"] for e in again["userErrors"]] == ["INVALID_STATE"]
    used_revoke = (await staff.query(REVOKE, {"id": used["evaluationInvitation"]["id"]}))[
        "revokeEvaluationInvitation"
    ]
    assert [e["code"] for e in used_revoke["userErrors"]] == ["INVALID_STATE"]
    missing = (await staff.query(REVOKE, {"id": to_global_id("EvaluationInvitation", 99999)}))[
        "revokeEvaluationInvitation"
    ]
    assert [e["code"] for e in missing["userErrors"]] == ["NOT_FOUND"]


async def test_a_link_to_an_archived_outcome_is_refused(
    xieshang_graphql: Any, xieshang_demo_sessions: Any, outcome: dict[str, Any]
) -> None:
    staff = xieshang_graphql(as_user="staff")
    anonymous = xieshang_graphql(anonymous=True, **UNLIMITED)
    invitation = await _invite(staff, outcome["id"])
    archived = await staff.query(
        """mutation($id: ID!, $v: Int!) { archiveOutcome(input: {id: $id, expectedVersion: $v}) {
          outcome { archivedAt } userErrors { code } } }""",
        {"id": outcome["id"], "v": outcome["row"].version},
    )
    assert archived["archiveOutcome"]["userErrors"] == []
    field, code, message = await _refusal(anonymous, invitation["token"])
    assert (field, code) == ("token", "INVALID_TOKEN") and "撤销" in message
    pk = from_global_id(invitation["evaluationInvitation"]["id"])[1]
    assert await _form_evaluations(xieshang_demo_sessions, pk) == []
    async with xieshang_demo_sessions() as session:
        row = await session.get(m.EvaluationInvitation, pk)
        assert row is not None and row.used_at is None  # the link was not spent either


async def test_submission_inputs_are_checked(
    xieshang_graphql: Any, outcome: dict[str, Any]
) -> None:
    staff = xieshang_graphql(as_user="staff")
    created = await _invite(staff, outcome["id"])
    anonymous = xieshang_graphql(anonymous=True)
    payload = await _submit(anonymous, created["token"], suggestion="长" * 2001)
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("suggestion", "TOO_LONG")]
    response = await anonymous.post(
        SUBMIT, {"input": {"token": created["token"], "satisfaction": "HAPPY"}}
    )
    assert response.errors  # not an enum value: refused before anything runs
    # A refused submission did not use the link up.
    assert (await _submit(anonymous, created["token"]))["ok"] is True


# -- single use under concurrency -------------------------------------------------------------


@pytest.mark.parametrize("callers", [2, 10])
async def test_concurrent_submissions_store_exactly_one_evaluation(
    callers: int, xieshang_graphql: Any, xieshang_demo_sessions: Any, outcome: dict[str, Any]
) -> None:
    """Concurrent HTTP requests (on PostgreSQL each on its own connection)."""
    staff = xieshang_graphql(as_user="staff")
    created = await _invite(staff, outcome["id"])
    clients = [xieshang_graphql(anonymous=True, **UNLIMITED) for _ in range(callers)]
    answers = await asyncio.gather(*(_submit(c, created["token"]) for c in clients))
    assert sum(a["ok"] for a in answers) == 1
    losers = [a["userErrors"] for a in answers if not a["ok"]]
    assert len(losers) == callers - 1
    assert all([e["code"] for e in errors] == ["INVALID_TOKEN"] for errors in losers)
    assert all("已使用" in errors[0]["message"] for errors in losers)
    pk = from_global_id(created["evaluationInvitation"]["id"])[1]
    assert len(await _form_evaluations(xieshang_demo_sessions, pk)) == 1


def _work(writes: Any, viewer: Viewer | None = None) -> Any:
    """An unrestricted unit of work (the operations restrict it to the invitation's county)."""
    env = Environment(Settings(), RulePlugins.empty())
    return write(writes, viewer or Viewer.anonymous(), "test", env, restricted=False)


async def test_a_submission_that_read_the_link_open_loses_to_one_that_claimed_it(
    xieshang_demo_engine: AsyncEngine, xieshang_demo_sessions: Any, outcome: dict[str, Any]
) -> None:
    """Two transactions interleaved by hand: the second starts while the first holds its claim
    uncommitted. On PostgreSQL the second's UPDATE waits for the first and then finds the row
    used; on SQLite the second transaction waits to begin. Either way one evaluation."""
    writes = write_session_factory(xieshang_demo_engine)
    async with _work(writes, Viewer.trusted()) as work:
        issued = await evaluations.create_invitation(
            work, outcome_id=outcome["pk"], resident_name="赵六"
        )
    started = asyncio.Event()

    async def second() -> Any:
        started.set()  # the unit of work begins next (on SQLite it waits there for the first)
        async with _work(writes) as work:
            return await evaluations.submit_evaluation(
                work, token=issued.token, satisfaction=Satisfaction.DISSATISFIED
            )

    async with _work(writes) as first:
        won = await evaluations.submit_evaluation(
            first, token=issued.token, satisfaction=Satisfaction.SATISFIED
        )
        task = asyncio.create_task(second())
        await started.wait()
        await asyncio.sleep(0.3)  # let the second transaction reach its claim (or BEGIN)
        assert not task.done()  # it waits for the first: nothing decided yet
    with pytest.raises(ValidationFailed) as refused:
        await task
    assert [e.code for e in refused.value.errors] == ["INVALID_TOKEN"]
    assert "已使用" in refused.value.errors[0].message
    stored = await _form_evaluations(xieshang_demo_sessions, issued.invitation.id)
    assert [e.id for e in stored] == [won.id]
    assert stored[0].satisfaction is Satisfaction.SATISFIED


async def test_the_database_refuses_a_second_evaluation_of_one_invitation(
    xieshang_demo_sessions: Any, xieshang_demo_engine: AsyncEngine, outcome: dict[str, Any]
) -> None:
    """Whatever the application does, the UNIQUE constraint on invitation_id holds."""
    writes = write_session_factory(xieshang_demo_engine)
    async with _work(writes, Viewer.trusted()) as work:
        issued = await evaluations.create_invitation(
            work, outcome_id=outcome["pk"], resident_name="钱七"
        )
        await evaluations.submit_evaluation(
            work, token=issued.token, satisfaction=Satisfaction.SATISFIED
        )
    with pytest.raises(sa.exc.IntegrityError):
        async with writes() as session, session.begin():
            session.add(
                m.Evaluation(
                    county_id=issued.invitation.county_id,
                    outcome_id=outcome["pk"],
                    resident_name="钱七",
                    satisfaction=Satisfaction.SATISFIED,
                    channel=EvaluationChannel.FORM,
                    invitation_id=issued.invitation.id,
                )
            )


# -- return visits ----------------------------------------------------------------------------


@pytest.fixture
async def members(xieshang_demo_sessions: Any) -> dict[str, str]:
    """The demo member account's own member and another member of the county."""
    async with xieshang_demo_sessions() as session:
        own = await session.scalar(sa.select(m.User.member_id).where(m.User.username == "member"))
        other = await session.scalar(
            sa.select(m.Member.id).where(m.Member.id != own).order_by(m.Member.id).limit(1)
        )
    assert own is not None and other is not None
    return {"own": to_global_id("Member", own), "other": to_global_id("Member", other)}


def _visit(outcome_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "input": {
            "outcomeId": outcome_id,
            "residentName": "孙八",
            "residentRole": "村民",
            "satisfaction": "BASICALLY_SATISFIED",
            "comment": "基本满意",
            **extra,
        }
    }


async def test_staff_record_a_return_visit_naming_the_member(
    xieshang_graphql: Any, outcome: dict[str, Any], members: dict[str, str]
) -> None:
    staff = xieshang_graphql(as_user="staff")
    missing = (await staff.query(VISIT, _visit(outcome["id"])))["recordReturnVisit"]
    assert [(e["field"], e["code"]) for e in missing["userErrors"]] == [("memberId", "REQUIRED")]
    wrong = (
        await staff.query(VISIT, _visit(outcome["id"], memberId=to_global_id("Member", 999999)))
    )["recordReturnVisit"]
    assert [(e["field"], e["code"]) for e in wrong["userErrors"]] == [("memberId", "NOT_FOUND")]
    done = (await staff.query(VISIT, _visit(outcome["id"], memberId=members["other"])))[
        "recordReturnVisit"
    ]
    assert done["userErrors"] == []
    evaluation = done["evaluation"]
    assert evaluation["channel"] == "RETURN_VISIT"
    assert evaluation["satisfaction"] == "BASICALLY_SATISFIED"
    assert evaluation["visitedBy"]["id"] == members["other"]
    assert evaluation["residentName"] == "孙八"


async def test_a_member_records_only_their_own_visits_in_their_own_county(
    xieshang_graphql: Any,
    xieshang_demo_sessions: Any,
    outcome: dict[str, Any],
    members: dict[str, str],
) -> None:
    member = xieshang_graphql(as_user="member")
    done = (await member.query(VISIT, _visit(outcome["id"])))["recordReturnVisit"]
    assert done["userErrors"] == []
    assert done["evaluation"]["visitedBy"]["id"] == members["own"]
    assert done["evaluation"]["residentName"] == "孙*"  # a member sees names masked
    same = (await member.query(VISIT, _visit(outcome["id"], memberId=members["own"])))[
        "recordReturnVisit"
    ]
    assert same["userErrors"] == []
    # Posing as another member is refused, and nothing is written.
    posing = (await member.query(VISIT, _visit(outcome["id"], memberId=members["other"])))[
        "recordReturnVisit"
    ]
    assert posing["evaluation"] is None
    assert [(e["field"], e["code"]) for e in posing["userErrors"]] == [
        ("memberId", "INVALID_VALUE")
    ]
    async with xieshang_demo_sessions() as session:
        own_pk = from_global_id(members["own"])[1]
        other_pk = from_global_id(members["other"])[1]
        visits = (
            await session.execute(
                sa.select(m.Evaluation.visited_by_member_id).where(
                    m.Evaluation.resident_name == "孙八"
                )
            )
        ).all()
    assert sorted(v for (v,) in visits) == [own_pk, own_pk]
    assert other_pk not in {v for (v,) in visits}

    # Another county's outcome is out of reach (reported like a missing one).
    system = xieshang_graphql(system=True)
    other_outcome = await _other_county_outcome(system)
    foreign = (await member.query(VISIT, _visit(other_outcome)))["recordReturnVisit"]
    assert [(e["field"], e["code"]) for e in foreign["userErrors"]] == [("outcomeId", "NOT_FOUND")]
    staff = xieshang_graphql(as_user="staff")
    foreign = (await staff.query(VISIT, _visit(other_outcome, memberId=members["own"])))[
        "recordReturnVisit"
    ]
    assert [e["code"] for e in foreign["userErrors"]] == ["NOT_FOUND"]
    invite = await _invite(staff, other_outcome)
    assert [e["code"] for e in invite["userErrors"]] == ["NOT_FOUND"]
    async with xieshang_demo_sessions() as session:
        other_pk = from_global_id(other_outcome)[1]
        written = await session.scalar(
            sa.select(sa.func.count()).where(m.Evaluation.outcome_id == other_pk)
        )
    assert written == 0


async def test_others_may_not_record_return_visits(
    xieshang_graphql: Any, outcome: dict[str, Any], members: dict[str, str]
) -> None:
    for user in ("unit", "auditor", "city", None):
        client = xieshang_graphql(as_user=user, anonymous=user is None)
        response = await client.post(VISIT, _visit(outcome["id"], memberId=members["own"]))
        assert response.error_codes == ["FORBIDDEN"], user


async def _other_county_outcome(system: GraphQLClient) -> str:
    """An outcome of a second county (顺庆区), made through the API as the system viewer."""

    async def create(name: str, field: str, values: dict[str, Any]) -> str:
        mutation = f"""mutation($input: {name[0].upper()}{name[1:]}Input!) {{
            {name}(input: $input) {{ {field} {{ id }} userErrors {{ code message }} }} }}"""
        payload = (await system.query(mutation, {"input": values}))[name]
        assert payload["userErrors"] == [], payload
        return str(payload[field]["id"])

    county = await create(
        "createCounty",
        "county",
        {"code": "511302", "name": "顺庆区", "city": "南充市", "province": "四川省"},
    )
    platform = await create(
        "createPlatform",
        "platform",
        {"countyId": county, "name": "顺庆区协商平台", "level": "COUNTY", "areaName": "顺庆区",
         "hostVenue": "OTHER"},
    )  # fmt: skip
    topic = await create(
        "createTopic",
        "topic",
        {"countyId": county, "title": "顺庆区停车难", "source": "PUBLIC", "year": 2024},
    )
    for version, status in enumerate(("UNDER_REVIEW", "SELECTED"), start=1):
        await create(
            "changeTopicStatus", "topic",
            {"id": topic, "expectedVersion": version, "status": status},
        )  # fmt: skip
    consultation = await create(
        "createConsultation",
        "consultation",
        {"topicId": topic, "platformId": platform, "title": "停车难协商", "form": "议事协商",
         "startsAt": "2024-06-01T09:00:00+08:00", "status": "HELD"},
    )  # fmt: skip
    return await create(
        "createOutcome",
        "outcome",
        {"consultationId": consultation, "kind": "协商专报", "title": "停车专报"},
    )
