"""Signing in and out, the signed-in account, and the audit trail (for auditors)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from xieshang.db import models
from xieshang.db.enums import Role
from xieshang.domain import accounts
from xieshang.errors import XieshangError
from xieshang.schema.context import Context
from xieshang.schema.derive import row_type
from xieshang.schema.lists import connection_field, list_spec
from xieshang.schema.mutations import UserError
from xieshang.schema.relations import to_one
from xieshang.schema.relay import OrderDirection, RowType

strawberry.enum(Role, description="角色 role")
for _value in Role.__strawberry_definition__.values:  # type: ignore[attr-defined]
    _value.description = Role(_value.value).label


@strawberry.type(description="当前登录的账号 the signed-in account")
class Account:
    username: str = strawberry.field(description="用户名 username")
    display_name: str | None = strawberry.field(description="显示名 display name")
    role: Role = strawberry.field(description="角色 role")
    county_id: strawberry.Private[int | None]
    member_id: strawberry.Private[int | None]
    unit_id: strawberry.Private[int | None]
    county = to_one(
        "County",
        "county_id",
        model=models.County,
        description="所属县级政协 county（市级查看者为空）",
    )
    member = to_one(
        "Member", "member_id", model=models.Member, description="关联的委员 member（委员账号）"
    )
    unit = to_one(
        "ResponsibleUnit",
        "unit_id",
        model=models.ResponsibleUnit,
        description="关联的承办单位 unit（承办单位账号）",
    )

    @classmethod
    def of(cls, user: models.User) -> Account:
        return cls(
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            county_id=user.county_id,
            member_id=user.member_id,
            unit_id=user.unit_id,
        )


@strawberry.type(description="登录结果 result of login / refreshToken")
class SessionPayload:
    access_token: str | None = strawberry.field(
        default=None,
        description="访问令牌 access token：请求时放在 Authorization: Bearer … 中，很快过期",
    )
    refresh_token: str | None = strawberry.field(
        default=None,
        description="刷新令牌 refresh token：用一次换一对新令牌；请妥善保存，不要放在网页存储中",
    )
    expires_at: datetime | None = strawberry.field(
        default=None, description="访问令牌过期时间 access token expiry"
    )
    account: Account | None = strawberry.field(default=None, description="登录的账号 the account")
    user_errors: list[UserError] = strawberry.field(
        default_factory=list, description="错误 errors（用户名或密码错误、账号锁定、令牌无效…）"
    )


@strawberry.type(description="退出结果 result of logout")
class LogoutPayload:
    ok: bool = strawberry.field(
        description="是否已使该刷新令牌失效 whether the refresh token is revoked"
    )


@row_type(
    models.AuditEvent,
    description="审计日志 AuditEvent：一次修改、登录、登录失败或越权尝试（只读，不可修改或删除）",
    county=False,
)
class AuditEvent(RowType):
    pass


AUDIT_EVENTS = list_spec(
    models.AuditEvent,
    label="审计日志",
    default_sort="OCCURRED_AT",
    default_direction=OrderDirection.DESC,
    scoped=False,
    insertion_order=False,
    filter_description="审计日志筛选 audit filter",
)


@strawberry.type
class AccountQuery:
    audit_events = connection_field(
        AUDIT_EVENTS, description="审计日志 audit trail（仅审计员，本县；最新的在前）"
    )

    @strawberry.field(description="当前登录的账号 the signed-in account（未登录为空）")
    async def me(self, info: Info[Context, Any]) -> Account | None:
        viewer = info.context.viewer
        if viewer.user_id is None:
            return None
        async with info.context.sessions() as session:
            user = await session.get(models.User, viewer.user_id)
        return Account.of(user) if user is not None else None


def _error(code: str, message: str) -> SessionPayload:
    return SessionPayload(user_errors=[UserError(field=None, code=code, message=message)])


@strawberry.input(description="登录 login")
class LoginInput:
    username: str = strawberry.field(description="用户名 username")
    password: str = strawberry.field(description="密码 password")


@strawberry.input(description="换取新令牌 refresh")
class RefreshTokenInput:
    refresh_token: str = strawberry.field(description="刷新令牌 refresh token")


@strawberry.input(description="退出 logout")
class LogoutInput:
    refresh_token: str = strawberry.field(description="要作废的刷新令牌 refresh token to revoke")


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="登录 sign in：连续 5 次失败锁定 15 分钟")
    async def login(
        self,
        info: Info[Context, Any],
        input: Annotated[LoginInput, strawberry.argument(description="输入 input")],
    ) -> SessionPayload:
        async with info.context.work("login", restrict=False) as work:
            done = await accounts.sign_in(work, input.username, input.password)
        return _session(done)

    @strawberry.mutation(
        description="用刷新令牌换一对新令牌 trade a refresh token for new tokens（旧的作废）"
    )
    async def refresh_token(
        self,
        info: Info[Context, Any],
        input: Annotated[RefreshTokenInput, strawberry.argument(description="输入 input")],
    ) -> SessionPayload:
        async with info.context.work("refreshToken", restrict=False) as work:
            done = await accounts.refresh_session(work, input.refresh_token)
        return _session(done)

    @strawberry.mutation(description="退出 sign out：作废刷新令牌（访问令牌到期自然失效）")
    async def logout(
        self,
        info: Info[Context, Any],
        input: Annotated[LogoutInput, strawberry.argument(description="输入 input")],
    ) -> LogoutPayload:
        async with info.context.work("logout", restrict=False) as work:
            user = await accounts.sign_out(work, input.refresh_token)
        return LogoutPayload(ok=user is not None)


def _session(done: accounts.SignedIn | XieshangError) -> SessionPayload:
    if isinstance(done, XieshangError):
        return _error(done.code, done.message)
    return SessionPayload(
        access_token=done.tokens.access_token,
        refresh_token=done.tokens.refresh_token,
        expires_at=done.tokens.expires_at,
        account=Account.of(done.user),
    )
