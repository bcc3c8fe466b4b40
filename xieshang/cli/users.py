"""``xieshang users add|passwd|disable|enable|list`` and ``xieshang token``.

Passwords are never command-line arguments (they would show in ``ps`` and shell history): they
are asked for twice on a terminal, or read from the first line of stdin with
``--password-stdin``. Every change writes an audit event, like the same change through the API.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import getpass
import sys
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.cli.common import database, positive_int, subcommands, unit_of_work, writes
from xieshang.config import Settings
from xieshang.db import models as m
from xieshang.db.enums import Role
from xieshang.domain import accounts
from xieshang.errors import ConfigError, NotFound

#: Longest lifetime ``xieshang token --minutes`` grants (one day).
MAX_TOKEN_MINUTES = 24 * 60


def register(commands: Any) -> None:
    users = commands.add_parser("users", help="账号管理 user accounts")
    actions = subcommands(users, "users_command")

    add = actions.add_parser("add", help="新建账号 add an account")
    add.add_argument("username", help="用户名：3–50 个小写字母、数字或 _ . -")
    add.add_argument(
        "--role",
        required=True,
        type=_role,
        metavar="ROLE",
        help="角色：" + "、".join(role.value for role in Role),
    )
    add.add_argument("--county", metavar="CODE", help="所属县行政区划代码（市级查看者除外）")
    add.add_argument("--member", metavar="CODE", help="委员账号关联的委员编号")
    add.add_argument("--unit", metavar="NAME", help="承办单位账号关联的承办单位名称")
    add.add_argument(
        "--grant",
        metavar="CODE",
        action="append",
        default=[],
        help="市级查看者可查看的县（行政区划代码），可重复",
    )
    add.add_argument("--name", metavar="TEXT", help="显示名称")
    _password_source(add)
    add.set_defaults(handler=lambda args, settings: asyncio.run(add_user(settings, args)))
    writes(add, "user_add")

    passwd = actions.add_parser("passwd", help="重设密码（并使该账号的所有登录失效）")
    passwd.add_argument("username")
    _password_source(passwd)
    passwd.set_defaults(handler=lambda args, settings: asyncio.run(change_password(settings, args)))
    writes(passwd, "user_passwd")

    for name, disabled, text in (
        ("disable", True, "停用账号（立即使其所有令牌失效） disable an account"),
        ("enable", False, "重新启用账号 enable an account again"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("username")
        action.set_defaults(
            handler=lambda args, settings, disabled=disabled: asyncio.run(
                set_disabled(settings, args.username, disabled)
            )
        )
        writes(action, f"user_{name}")

    listing = actions.add_parser("list", help="列出账号 list accounts")
    listing.add_argument("--county", metavar="CODE", help="只列出此县的账号")
    listing.set_defaults(handler=lambda args, settings: asyncio.run(list_users(settings, args)))
    writes(listing, None)

    token = commands.add_parser(
        "token", help="为账号签发访问令牌（供脚本和测试使用） print a bearer token"
    )
    token.add_argument("--user", required=True, metavar="NAME", help="用户名")
    token.add_argument(
        "--minutes",
        type=positive_int,
        metavar="N",
        help=f"有效期（分钟，默认取 XIESHANG_ACCESS_TOKEN_MINUTES，最长 {MAX_TOKEN_MINUTES}）",
    )
    token.set_defaults(handler=lambda args, settings: asyncio.run(print_token(settings, args)))
    # Not a change of data, but issuing a credential is audited like one.
    writes(token, "token_issued")


def _role(text: str) -> Role:
    try:
        return Role[text.strip().upper()]
    except KeyError:
        names = "、".join(role.value for role in Role)
        raise argparse.ArgumentTypeError(f"未知角色 {text!r}（可选：{names}）") from None


def _password_source(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="从标准输入的第一行读取密码（否则在终端中输入两次）",
    )


def read_password(from_stdin: bool) -> str:
    """The new password, from stdin's first line or typed twice on a terminal."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise ConfigError("标准输入中没有密码（--password-stdin 读取第一行）")
        return password
    if not sys.stdin.isatty():
        raise ConfigError("不在终端中运行：请用 --password-stdin 从标准输入提供密码")
    first = getpass.getpass("新密码：")
    if getpass.getpass("再输入一次：") != first:
        raise ConfigError("两次输入的密码不一致")
    return first


async def _county_id(session: AsyncSession, code: str | None) -> int | None:
    if code is None:
        return None
    county_id = await session.scalar(sa.select(m.County.id).where(m.County.code == code.strip()))
    if county_id is None:
        raise NotFound(f"没有行政区划代码为 {code} 的县级政协")
    return county_id


async def add_user(settings: Settings, args: argparse.Namespace) -> None:
    """``users add``: check everything first, then ask for the password, then write."""
    role: Role = args.role
    async with database(settings, write=True) as sessions, sessions() as session, session.begin():
        county_id = await _county_id(session, args.county)
        if role is Role.CITY_VIEWER and county_id is not None:
            raise ConfigError("市级查看者不属于某个县：请用 --grant 指定可查看的县")
        if role is not Role.CITY_VIEWER and args.grant:
            raise ConfigError("只有市级查看者（CITY_VIEWER）可以 --grant")
        granted = tuple(
            county for county in [await _county_id(session, c) for c in args.grant] if county
        )
        member_id = unit_id = None
        if args.member is not None:
            member_id = await session.scalar(
                sa.select(m.Member.id).where(
                    m.Member.county_id == county_id, m.Member.code == args.member
                )
            )
            if member_id is None:
                raise NotFound(f"本县没有编号为 {args.member} 的委员")
        if args.unit is not None:
            unit_id = await session.scalar(
                sa.select(m.ResponsibleUnit.id).where(
                    m.ResponsibleUnit.county_id == county_id,
                    m.ResponsibleUnit.name == args.unit,
                )
            )
            if unit_id is None:
                raise NotFound(f"本县没有名为 {args.unit} 的承办单位")
        new = accounts.NewUser(
            username=args.username,
            # Checked with a placeholder long enough to pass, so that every other problem
            # is reported before anyone types a password.
            password="x" * accounts.MIN_PASSWORD,
            role=role,
            county_id=county_id,
            member_id=member_id,
            unit_id=unit_id,
            granted=granted,
            display_name=args.name,
        )
        # A dry run (rolled back): every other problem is told before anyone types a password.
        async with session.begin_nested() as trial:
            await accounts.create_user(session, new)
            await trial.rollback()
    password = read_password(args.password_stdin)
    async with unit_of_work(settings, "user_add") as work:
        user = await accounts.add_account(work, dataclasses.replace(new, password=password))
    print(f"已新建账号 {user.username}（{role.label.split()[0]}）")


async def change_password(settings: Settings, args: argparse.Namespace) -> None:
    async with database(settings) as sessions, sessions() as session:
        await accounts.account_named(session, args.username)  # before asking for a password
    password = read_password(args.password_stdin)
    async with unit_of_work(settings, "user_passwd") as work:
        user = await accounts.reset_password(work, args.username, password)
    print(f"已重设 {user.username} 的密码；该账号原有的登录均已失效")


async def set_disabled(settings: Settings, username: str, disabled: bool) -> None:
    async with unit_of_work(settings, "user_disable" if disabled else "user_enable") as work:
        user = await accounts.set_disabled(work, username, disabled)
    print(f"已{'停用' if disabled else '启用'}账号 {user.username}")


async def list_users(settings: Settings, args: argparse.Namespace) -> None:
    async with database(settings) as sessions, sessions() as session:
        county_id = await _county_id(session, args.county)
        query = (
            sa.select(m.User, m.County.code)
            .outerjoin(m.County, m.County.id == m.User.county_id)
            .order_by(m.User.username)
        )
        if county_id is not None:
            query = query.where(m.User.county_id == county_id)
        rows = (await session.execute(query)).all()
    if not rows:
        print("（没有账号）")
        return
    for user, code in rows:
        state = "停用" if user.disabled else ("锁定" if user.locked_until else "正常")
        print(f"{user.username}\t{user.role.value}\t{code or '-'}\t{state}")


async def print_token(settings: Settings, args: argparse.Namespace) -> None:
    """``token --user NAME``: an access token on stdout, nothing else (for ``$(…)``)."""
    minutes = args.minutes or settings.access_token_minutes
    if minutes > MAX_TOKEN_MINUTES:
        raise ConfigError(f"--minutes 最长 {MAX_TOKEN_MINUTES}（一天），收到 {minutes}")
    async with unit_of_work(settings, "token_issued") as work:
        token, expires = await accounts.issue_token(work, args.user, minutes)
    print(token)
    print(f"有效至 {expires.astimezone(settings.zone):%Y-%m-%d %H:%M}", file=sys.stderr)
