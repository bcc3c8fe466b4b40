"""The audit trail: an event for every mutation, sign-in and refusal, written (or rolled back)
together with the change, readable by auditors only, and never changed or deleted early."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from cli_helpers import invoke, one_line_error
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from xieshang.db import models as m
from xieshang.db.base import utcnow
from xieshang.demo.accounts import DEMO_PASSWORD

CREATE_SECTOR = """mutation($input: CreateSectorInput!) {
  createSector(input: $input) { sector { id } userErrors { field code } } }"""
LOGIN = """mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
  accessToken refreshToken account { username role } userErrors { code message } } }"""


async def _events(sessions: Any, **where: Any) -> list[m.AuditEvent]:
    async with sessions() as session:
        query = sa.select(m.AuditEvent).order_by(m.AuditEvent.id)
        for name, value in where.items():
            query = query.where(getattr(m.AuditEvent, name) == value)
        return list((await session.scalars(query)).all())


async def _sectors(sessions: Any, name: str) -> int:
    async with sessions() as session:
        count = await session.scalar(
            sa.select(sa.func.count()).select_from(m.Sector).where(m.Sector.name == name)
        )
    return int(count or 0)


async def _county_input(client: Any) -> str:
    return str((await client.query('{ county(code: "511323") { id } }'))["county"]["id"])


async def test_a_mutation_writes_its_event_with_who_what_where(
    xieshang_graphql: Any, xieshang_demo_sessions: Any
) -> None:
    staff = xieshang_graphql(as_user="staff")
    county = await _county_input(staff)
    staff.http.headers["X-Request-ID"] = "req-audit-0001"
    data = await staff.query(CREATE_SECTOR, {"input": {"countyId": county, "name": "审计界别"}})
    sector_id = data["createSector"]["sector"]["id"]
    (event,) = await _events(xieshang_demo_sessions, action="mutation:createSector")
    assert event.success is True
    assert (event.username, event.role, event.target) == ("staff", "STAFF", sector_id)
    assert event.request_id == "req-audit-0001"
    assert event.client_address  # the test client's address
    async with xieshang_demo_sessions() as session:
        county_pk = await session.scalar(sa.select(m.County.id).where(m.County.code == "511323"))
    assert event.county_id == county_pk
    assert abs(event.occurred_at - utcnow()) < timedelta(minutes=5)


async def test_a_refused_mutation_writes_nothing_but_its_failure_event(
    xieshang_graphql: Any, xieshang_demo_sessions: Any
) -> None:
    staff = xieshang_graphql(as_user="staff")
    county = await _county_input(staff)
    response = await staff.post(CREATE_SECTOR, {"input": {"countyId": county, "name": "  "}})
    assert response.data["createSector"]["userErrors"][0]["code"] == "REQUIRED"
    (event,) = await _events(xieshang_demo_sessions, action="mutation:createSector")
    assert event.success is False and event.username == "staff"
    assert event.detail is not None and "REQUIRED" in event.detail


async def _inject_failure(engine: AsyncEngine, table: str, when: str) -> None:
    """A trigger that makes the database refuse an insert — a real failure, not a mock — as
    an integrity violation on both engines."""
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            await connection.exec_driver_sql(
                "CREATE FUNCTION xieshang_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$"
                " BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = '23000'; END $$"
            )
            await connection.exec_driver_sql(
                f"CREATE TRIGGER xieshang_test_refuse BEFORE INSERT ON {table} FOR EACH ROW"
                f" WHEN ({when}) EXECUTE FUNCTION xieshang_test_refuse()"
            )
        else:
            await connection.exec_driver_sql(
                f"CREATE TRIGGER xieshang_test_refuse BEFORE INSERT ON {table}"
                f" WHEN {when} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )


async def test_when_the_event_cannot_be_written_the_change_is_not_either(
    xieshang_graphql: Any,
    xieshang_demo_engine: AsyncEngine,
    xieshang_demo_sessions: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    staff = xieshang_graphql(as_user="staff")
    county = await _county_input(staff)
    await _inject_failure(
        xieshang_demo_engine,
        "audit_events",
        "NEW.action = 'mutation:createSector' AND NEW.success = TRUE",
    )
    response = await staff.post(CREATE_SECTOR, {"input": {"countyId": county, "name": "无痕界别"}})
    assert response.error_codes == ["INTERNAL_ERROR"]
    request_id = response.errors[0]["extensions"]["requestId"]
    assert request_id == response.headers["x-request-id"]
    # The client gets the request ID and no detail; the log has both, under the same ID.
    assert "refused by the test" not in str(response.body)
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged and logged[0].exc_info is not None
    assert await _sectors(xieshang_demo_sessions, "无痕界别") == 0
    (event,) = await _events(xieshang_demo_sessions, action="mutation:createSector")
    assert event.success is False and event.detail is not None
    assert event.detail.startswith("INTERNAL")


async def test_when_the_change_fails_its_success_event_is_rolled_back(
    xieshang_graphql: Any, xieshang_demo_engine: AsyncEngine, xieshang_demo_sessions: Any
) -> None:
    staff = xieshang_graphql(as_user="staff")
    county = await _county_input(staff)
    await _inject_failure(xieshang_demo_engine, "sectors", "NEW.name = '失败界别'")
    response = await staff.post(CREATE_SECTOR, {"input": {"countyId": county, "name": "失败界别"}})
    # The database's refusal reaches the client as a conflict, without its words.
    assert response.data["createSector"] == {
        "sector": None,
        "userErrors": [{"field": None, "code": "CONFLICT"}],
    }
    assert "refused by the test" not in str(response.body)
    assert await _sectors(xieshang_demo_sessions, "失败界别") == 0
    events = await _events(xieshang_demo_sessions, action="mutation:createSector")
    assert [e.success for e in events] == [False]


async def test_sign_ins_failures_and_lock_out_are_recorded(
    xieshang_graphql: Any, xieshang_demo_sessions: Any
) -> None:
    anonymous = xieshang_graphql(anonymous=True)
    ok = await anonymous.query(LOGIN, {"u": "staff", "p": DEMO_PASSWORD})
    assert ok["login"]["account"] == {"username": "staff", "role": "STAFF"}
    for _ in range(5):
        wrong = await anonymous.query(LOGIN, {"u": "staff", "p": "not-the-password"})
        assert wrong["login"]["userErrors"][0]["code"] == "BAD_CREDENTIALS"
        assert wrong["login"]["accessToken"] is None
    # Locked now: even the right password is refused, and says so.
    locked = await anonymous.query(LOGIN, {"u": "staff", "p": DEMO_PASSWORD})
    assert locked["login"]["userErrors"][0]["code"] == "ACCOUNT_LOCKED"
    unknown = await anonymous.query(LOGIN, {"u": "nobody-here", "p": "whatever-password"})
    assert unknown["login"]["userErrors"][0]["code"] == "BAD_CREDENTIALS"
    assert (
        unknown["login"]["userErrors"][0]["message"] == wrong["login"]["userErrors"][0]["message"]
    )

    (success,) = await _events(xieshang_demo_sessions, action="login")
    assert (success.username, success.role, success.success) == ("staff", "STAFF", True)
    failures = await _events(xieshang_demo_sessions, action="login_failed")
    assert [(e.target, e.detail) for e in failures] == [
        *[("staff", "BAD_CREDENTIALS")] * 5,
        ("staff", "ACCOUNT_LOCKED"),
        ("nobody-here", "BAD_CREDENTIALS"),
    ]
    # Attempts on an account are the county's business: its auditor sees them.
    assert {e.county_id for e in failures[:6]} == {success.county_id}

    # Fifteen minutes later the account opens again.
    async with xieshang_demo_sessions() as session, session.begin():
        user = await session.scalar(sa.select(m.User).where(m.User.username == "staff"))
        assert user is not None and user.locked_until is not None
        assert user.locked_until - utcnow() > timedelta(minutes=14)
        user.locked_until = utcnow() - timedelta(seconds=1)
    again = await anonymous.query(LOGIN, {"u": "staff", "p": DEMO_PASSWORD})
    assert again["login"]["userErrors"] == []


async def test_a_disabled_account_cannot_sign_in(
    xieshang_graphql: Any, xieshang_demo_sessions: Any
) -> None:
    async with xieshang_demo_sessions() as session, session.begin():
        user = await session.scalar(sa.select(m.User).where(m.User.username == "member"))
        assert user is not None
        user.disabled = True
    anonymous = xieshang_graphql(anonymous=True)
    refused = await anonymous.query(LOGIN, {"u": "member", "p": DEMO_PASSWORD})
    assert refused["login"]["userErrors"][0]["code"] == "ACCOUNT_DISABLED"
    wrong = await anonymous.query(LOGIN, {"u": "member", "p": "not-the-password"})
    # A wrong password does not reveal that the account is disabled.
    assert wrong["login"]["userErrors"][0]["code"] == "BAD_CREDENTIALS"


async def test_permission_denials_are_recorded(
    xieshang_graphql: Any, xieshang_demo_sessions: Any
) -> None:
    member = xieshang_graphql(as_user="member")
    county = await _county_input(member)
    refused = await member.post(CREATE_SECTOR, {"input": {"countyId": county, "name": "越权"}})
    assert refused.error_codes == ["FORBIDDEN"]
    refused_read = await member.post("{ auditEvents { totalCount } }")
    assert refused_read.error_codes == ["FORBIDDEN"]
    events = await _events(xieshang_demo_sessions, success=False)
    assert [(e.action, e.username, e.role) for e in events] == [
        ("denied:createSector", "member", "MEMBER"),
        ("denied:auditEvents", "member", "MEMBER"),
    ]
    assert await _sectors(xieshang_demo_sessions, "越权") == 0


AUDIT_QUERY = """query($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { cursor node { occurredAt username role action target success requestId detail } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def test_auditors_query_the_trail_with_filters(
    xieshang_graphql: Any, xieshang_demo_sessions: Any
) -> None:
    staff = xieshang_graphql(as_user="staff")
    county = await _county_input(staff)
    for name in ("审计一", "审计二", "  "):
        await staff.post(CREATE_SECTOR, {"input": {"countyId": county, "name": name}})
    auditor = xieshang_graphql(as_user="auditor")
    everything = (await auditor.query(AUDIT_QUERY))["auditEvents"]
    actions = [e["node"]["action"] for e in everything["edges"]]
    assert actions[:3] == ["mutation:createSector"] * 3  # newest first
    failed = (
        await auditor.query(
            AUDIT_QUERY, {"filter": {"action": "mutation:createSector", "success": False}}
        )
    )["auditEvents"]
    assert failed["totalCount"] == 1 and failed["edges"][0]["node"]["username"] == "staff"
    by_user = (await auditor.query(AUDIT_QUERY, {"filter": {"username": "staff"}}))["auditEvents"]
    assert by_user["totalCount"] == 3
    first = (await auditor.query(AUDIT_QUERY, {"first": 2}))["auditEvents"]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (
        await auditor.query(AUDIT_QUERY, {"first": 2, "after": first["pageInfo"]["endCursor"]})
    )["auditEvents"]
    assert not {e["cursor"] for e in first["edges"]} & {e["cursor"] for e in rest["edges"]}
    # Not even the county's administrator reads the trail (separation of duties).
    admin = xieshang_graphql(as_user="admin")
    assert (await admin.post(AUDIT_QUERY)).error_codes == ["FORBIDDEN"]


async def test_no_api_changes_or_deletes_an_event() -> None:
    from xieshang.config import Settings
    from xieshang.schema import build_schema

    schema = build_schema(Settings())._schema
    assert schema.mutation_type is not None
    assert not [name for name in schema.mutation_type.fields if "audit" in name.lower()]


async def test_the_database_refuses_changes_and_early_deletes(
    xieshang_demo_engine: AsyncEngine, xieshang_demo_sessions: Any
) -> None:
    async with xieshang_demo_sessions() as session, session.begin():
        recent = m.AuditEvent(action="test:recent", success=True)
        old = m.AuditEvent(
            action="test:old", success=True, occurred_at=utcnow() - timedelta(days=200)
        )
        session.add_all([recent, old])
    for statement in (
        sa.update(m.AuditEvent).where(m.AuditEvent.id == recent.id).values(success=False),
        sa.update(m.AuditEvent).where(m.AuditEvent.id == old.id).values(detail="edited"),
        sa.delete(m.AuditEvent).where(m.AuditEvent.id == recent.id),
    ):
        with pytest.raises(sa.exc.DBAPIError):
            async with xieshang_demo_engine.begin() as connection:
                await connection.execute(statement)
    async with xieshang_demo_engine.begin() as connection:
        deleted = await connection.execute(sa.delete(m.AuditEvent).where(m.AuditEvent.id == old.id))
        assert deleted.rowcount == 1
    remaining = {e.action for e in await _events(xieshang_demo_sessions)}
    assert "test:recent" in remaining and "test:old" not in remaining


async def test_audit_prune_keeps_180_days(
    xieshang_demo_url: URL, xieshang_demo_sessions: Any
) -> None:
    async with xieshang_demo_sessions() as session, session.begin():
        session.add_all(
            m.AuditEvent(
                action="test:aged", success=True, occurred_at=utcnow() - timedelta(days=days)
            )
            for days in (400, 300, 100)
        )
    too_recent = (utcnow() - timedelta(days=170)).date().isoformat()
    line = one_line_error(invoke("audit", "prune", "--before", too_recent, url=xieshang_demo_url))
    assert "RETENTION" in line and "180" in line
    assert len(await _events(xieshang_demo_sessions, action="test:aged")) == 3
    cutoff = (utcnow() - timedelta(days=200)).date().isoformat()
    result = invoke("audit", "prune", "--before", cutoff, url=xieshang_demo_url)
    assert result.returncode == 0, result.stderr
    assert "2 条" in result.stdout
    (kept,) = await _events(xieshang_demo_sessions, action="test:aged")
    assert utcnow() - kept.occurred_at < timedelta(days=101)
    # The refused prune is on record too (every unit of work leaves one, refused or not).
    (refused,) = await _events(xieshang_demo_sessions, action="audit_prune", success=False)
    assert refused.detail == "RETENTION" and refused.role == "SYSTEM"
    (pruned,) = await _events(xieshang_demo_sessions, action="audit_prune", success=True)
    assert pruned.detail == f"before={cutoff} deleted=2" and pruned.role == "SYSTEM"
    bad = one_line_error(invoke("audit", "prune", "--before", "last-year", url=xieshang_demo_url))
    assert "YYYY-MM-DD" in bad
