"""Accounts: passwords, sign-in with lock-out, access and refresh tokens, viewers from tokens.

- Passwords are hashed with scrypt (a slow, memory-hard KDF in Python's standard library).
- Five failed sign-ins in a row lock an account for 15 minutes.
- Access tokens are short-lived JWTs (HS256 only, ``exp``/``iss``/``aud`` checked); refresh
  tokens are random, stored only as SHA-256 hashes, used once and replaced. Presenting a used
  refresh token again revokes every token of the account (it was stolen or leaked).
- Optionally, tokens of an external identity provider are accepted through its JWKS.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.config import Settings
from xieshang.db import models as m
from xieshang.db.base import utcnow
from xieshang.db.enums import Role
from xieshang.domain.policy import Viewer
from xieshang.domain.unit_of_work import Work
from xieshang.errors import NotFound, UserError, ValidationFailed, XieshangError

ISSUER = "xieshang"
AUDIENCE = "xieshang-api"
ALGORITHMS = ["HS256"]  # fixed: a token naming another algorithm (or "none") is refused
MAX_FAILURES = 5
LOCK_MINUTES = 15
USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,49}$")
MIN_PASSWORD = 10

# scrypt cost: n=2**14, r=8 takes ~16 MB and tens of milliseconds per hash.
_N, _R, _P = 2**14, 8, 1


class AuthError(XieshangError):
    """A token that cannot be used (expired, forged, for a disabled account …)."""

    code = "UNAUTHENTICATED"


class TokenReused(AuthError):
    """A refresh token was presented a second time: it has leaked."""

    code = "TOKEN_REUSED"

    def __init__(self, message: str, *, user_id: int) -> None:
        super().__init__(message)
        self.user_id = user_id


class LoginFailed(XieshangError):
    """Sign-in refused; the message never says which of username or password was wrong."""

    code = "LOGIN_FAILED"


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=64 * 1024 * 1024)
    encode = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${encode(salt).decode()}${encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=64 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest))


@functools.cache
def _dummy_hash() -> str:
    # Checked when the username does not exist, so that a wrong username takes as long as a
    # wrong password (no user enumeration by timing).
    return hash_password(secrets.token_urlsafe(16))


def _password_problems(password: str) -> list[UserError]:
    if len(password) < MIN_PASSWORD:
        return [UserError("password", "TOO_SHORT", f"密码至少 {MIN_PASSWORD} 个字符")]
    return []


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    role: Role
    county_id: int | None = None
    member_id: int | None = None
    unit_id: int | None = None
    granted: tuple[int, ...] = ()
    display_name: str | None = None


async def create_user(session: AsyncSession, new: NewUser) -> m.User:
    """Add an account; every problem is reported at once (ValidationFailed)."""
    problems: list[UserError] = []
    username = new.username.strip().lower()
    if not USERNAME.match(username):
        problems.append(
            UserError("username", "INVALID_VALUE", "用户名为 3–50 个小写字母、数字或 _ . -")
        )
    elif await session.scalar(sa.select(m.User.id).where(m.User.username == username)) is not None:
        problems.append(UserError("username", "DUPLICATE", f"用户名 {username} 已存在"))
    problems += _password_problems(new.password)
    if new.role is Role.CITY_VIEWER:
        if not new.granted:
            problems.append(UserError("counties", "REQUIRED", "市级查看者须至少授权一个县"))
        for county in new.granted:
            if await session.get(m.County, county) is None:
                problems.append(UserError("counties", "NOT_FOUND", "所授权的县不存在"))
    elif new.county_id is None or await session.get(m.County, new.county_id) is None:
        problems.append(UserError("county", "NOT_FOUND", "所属县级政协不存在"))
    if new.role is Role.MEMBER:
        member = await session.get(m.Member, new.member_id) if new.member_id else None
        if member is None or member.county_id != new.county_id:
            problems.append(UserError("member", "NOT_FOUND", "委员账号须关联本县的一名委员"))
    if new.role is Role.UNIT:
        unit = await session.get(m.ResponsibleUnit, new.unit_id) if new.unit_id else None
        if unit is None or unit.county_id != new.county_id:
            problems.append(UserError("unit", "NOT_FOUND", "承办单位账号须关联本县的一个承办单位"))
    if problems:
        raise ValidationFailed(problems)
    user = m.User(
        username=username,
        display_name=new.display_name,
        password_hash=hash_password(new.password),
        role=new.role,
        county_id=new.county_id if new.role is not Role.CITY_VIEWER else None,
        member_id=new.member_id if new.role is Role.MEMBER else None,
        unit_id=new.unit_id if new.role is Role.UNIT else None,
    )
    session.add(user)
    await session.flush()
    for county in new.granted if new.role is Role.CITY_VIEWER else ():
        session.add(m.UserCountyGrant(user_id=user.id, county_id=county))
    await session.flush()
    return user


async def set_password(session: AsyncSession, user: m.User, password: str) -> None:
    problems = _password_problems(password)
    if problems:
        raise ValidationFailed(problems)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    await revoke_all(session, user.id)
    await session.flush()


async def authenticate(
    session: AsyncSession, username: str, password: str, now: datetime | None = None
) -> m.User:
    """The user for these credentials, or :class:`LoginFailed` (code ``BAD_CREDENTIALS`` for a
    wrong password: count it with :func:`count_failure`; ``ACCOUNT_LOCKED``; ``ACCOUNT_DISABLED``)."""
    now = now or utcnow()
    user = await session.scalar(
        sa.select(m.User).where(m.User.username == username.strip().lower()).with_for_update()
    )
    if user is None:
        verify_password(password, _dummy_hash())
        raise LoginFailed("用户名或密码错误", code="BAD_CREDENTIALS")
    if user.locked_until is not None and user.locked_until > now:
        raise LoginFailed(f"账号已锁定，请于 {LOCK_MINUTES} 分钟后再试", code="ACCOUNT_LOCKED")
    if not verify_password(password, user.password_hash):
        # The caller counts the failure in a transaction of its own (count_failure), since
        # this one is rolled back with the refusal.
        raise LoginFailed("用户名或密码错误", code="BAD_CREDENTIALS")
    if user.disabled:
        raise LoginFailed("账号已停用", code="ACCOUNT_DISABLED")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    await session.flush()
    return user


def count_failure(user: m.User, now: datetime | None = None) -> None:
    """One more wrong password: the fifth in a row locks the account for 15 minutes."""
    now = now or utcnow()
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILURES:
        user.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        user.failed_logins = 0


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: datetime


def access_token(
    settings: Settings, user: m.User, now: datetime | None = None
) -> tuple[str, datetime]:
    """A signed, short-lived access token for ``user``."""
    now = now or datetime.now(UTC)
    expires = now + timedelta(minutes=settings.access_token_minutes)
    claims = {
        "sub": str(user.id),
        "name": user.username,
        "role": user.role.value,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.secret, algorithm=ALGORITHMS[0]), expires


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_tokens(session: AsyncSession, settings: Settings, user: m.User) -> Tokens:
    """A new access token and a new refresh token (stored as a hash)."""
    token, expires = access_token(settings, user)
    refresh = secrets.token_urlsafe(32)
    session.add(
        m.RefreshToken(
            user_id=user.id,
            token_hash=_digest(refresh),
            expires_at=utcnow() + timedelta(days=settings.refresh_token_days),
        )
    )
    await session.flush()
    return Tokens(token, refresh, expires)


async def revoke_all(session: AsyncSession, user_id: int) -> None:
    await session.execute(
        sa.update(m.RefreshToken)
        .where(m.RefreshToken.user_id == user_id, m.RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def refresh(session: AsyncSession, settings: Settings, token: str) -> tuple[m.User, Tokens]:
    """Trade a refresh token for a new pair; the old one stops working."""
    stored = await session.scalar(
        sa.select(m.RefreshToken)
        .where(m.RefreshToken.token_hash == _digest(token))
        .with_for_update()
    )
    now = utcnow()
    if stored is None:
        raise AuthError("刷新令牌无效")
    if stored.revoked_at is not None:
        # A used token came back: someone else has it. The caller ends every session of the
        # account (revoke_all) in a transaction of its own, since this one rolls back.
        raise TokenReused(
            "刷新令牌已使用过；为安全起见，该账号的所有登录已失效，请重新登录",
            user_id=stored.user_id,
        )
    if stored.expires_at <= now:
        raise AuthError("刷新令牌已过期，请重新登录")
    user = await session.get(m.User, stored.user_id)
    if user is None or user.disabled:
        raise AuthError("账号已停用")
    stored.revoked_at = now
    return user, await issue_tokens(session, settings, user)


async def logout(session: AsyncSession, token: str) -> m.User | None:
    """Revoke a refresh token (idempotent)."""
    stored = await session.scalar(
        sa.select(m.RefreshToken).where(m.RefreshToken.token_hash == _digest(token))
    )
    if stored is None:
        return None
    if stored.revoked_at is None:
        stored.revoked_at = utcnow()
    return await session.get(m.User, stored.user_id)


async def viewer_of(session: AsyncSession, user: m.User) -> Viewer:
    granted: frozenset[int] = frozenset()
    if user.role is Role.CITY_VIEWER:
        rows = await session.scalars(
            sa.select(m.UserCountyGrant.county_id).where(m.UserCountyGrant.user_id == user.id)
        )
        granted = frozenset(rows.all())
    return Viewer(
        role=user.role,
        user_id=user.id,
        username=user.username,
        county_id=user.county_id,
        granted=granted,
        member_id=user.member_id,
        unit_id=user.unit_id,
    )


_JWKS_CLIENTS: dict[str, jwt.PyJWKClient] = {}


def _external_claims(settings: Settings, token: str) -> dict[str, Any]:
    assert settings.jwks_url is not None
    client = _JWKS_CLIENTS.get(settings.jwks_url)
    if client is None:
        client = _JWKS_CLIENTS[settings.jwks_url] = jwt.PyJWKClient(
            settings.jwks_url, cache_keys=True
        )
    key = client.get_signing_key_from_jwt(token)
    return dict(
        jwt.decode(
            token,
            key.key,
            algorithms=["RS256", "ES256"],
            audience=settings.jwks_audience,
            issuer=settings.jwks_issuer,
            options={"require": ["exp", "iss", "aud"]},
        )
    )


async def viewer_from_token(session: AsyncSession, settings: Settings, token: str) -> Viewer:
    """The viewer a bearer token stands for, or :class:`AuthError`."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise AuthError("访问令牌格式错误") from exc
    try:
        if header.get("kid") and settings.jwks_url:
            # The key fetch is blocking I/O (cached after the first): keep it off the loop.
            claims = await asyncio.to_thread(_external_claims, settings, token)
            username = str(claims.get(settings.jwks_username_claim) or "")
            user = await session.scalar(
                sa.select(m.User).where(m.User.username == username.lower())
            )
        else:
            claims = jwt.decode(
                token,
                settings.secret,
                algorithms=ALGORITHMS,
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
            user = await session.get(m.User, int(claims["sub"]))
    except jwt.ExpiredSignatureError as exc:
        raise AuthError(
            "访问令牌已过期，请用刷新令牌换取新的访问令牌", code="TOKEN_EXPIRED"
        ) from exc
    except (jwt.PyJWTError, ValueError, KeyError) as exc:
        raise AuthError("访问令牌无效") from exc
    if user is None or user.disabled:
        raise AuthError("账号不存在或已停用")
    return await viewer_of(session, user)


# -- operations: signing in and out, and the operator's account work (each a unit of work) ----


@dataclass(frozen=True)
class SignedIn:
    """A successful sign-in or refresh: the account and its new tokens."""

    user: m.User
    tokens: Tokens


async def sign_in(work: Work, username: str, password: str) -> SignedIn | LoginFailed:
    """``login``: tokens for the right password, or the refusal — which is recorded as
    ``login_failed`` against the typed name and the account's county, and commits the counted
    failure (the fifth in a row locks the account) in the same transaction."""
    try:
        user = await authenticate(work.session, username, password)
    except LoginFailed as exc:
        account = await work.session.scalar(
            sa.select(m.User).where(m.User.username == username.strip().lower())
        )
        if account is not None and exc.code == "BAD_CREDENTIALS":
            count_failure(account)
            await work.session.flush()
        typed = username[:50]
        work.refuse(
            exc.code,
            action="login_failed",
            target=typed,
            viewer=Viewer(username=typed),
            county_id=account.county_id if account is not None else None,
        )
        return exc
    work.account, work.county_id = user, user.county_id
    return SignedIn(user, await issue_tokens(work.session, work.env.settings, user))


async def refresh_session(work: Work, token: str) -> SignedIn | AuthError:
    """``refreshToken``: a new pair for a valid refresh token. A token presented twice ends
    every session of its account (it was stolen or leaked), committed with the refusal."""
    try:
        user, tokens = await refresh(work.session, work.env.settings, token)
    except AuthError as exc:
        if isinstance(exc, TokenReused):
            await revoke_all(work.session, exc.user_id)
        work.refuse(exc.code, action="refresh_failed")
        return exc
    work.action, work.account, work.county_id = "refresh", user, user.county_id
    return SignedIn(user, tokens)


async def sign_out(work: Work, token: str) -> m.User | None:
    """``logout``: revoke a refresh token (idempotent); the account it belonged to, if any."""
    user = await logout(work.session, token)
    if user is None:
        work.refuse("UNKNOWN_TOKEN")
    else:
        work.account, work.county_id = user, user.county_id
    return user


async def account_named(session: AsyncSession, username: str) -> m.User:
    """The account called ``username``; NOT_FOUND otherwise."""
    user = await session.scalar(
        sa.select(m.User).where(m.User.username == username.strip().lower())
    )
    if user is None:
        raise NotFound(f"没有用户名为 {username} 的账号")
    return user


def _concerns(work: Work, user: m.User, detail: str | None = None) -> None:
    work.target, work.county_id, work.detail = f"user:{user.username}", user.county_id, detail


async def add_account(work: Work, new: NewUser) -> m.User:
    """Add an account (the operator's ``users add``)."""
    user = await create_user(work.session, new)
    _concerns(work, user, f"role={new.role.value}")
    return user


async def reset_password(work: Work, username: str, password: str) -> m.User:
    """Set a new password; every session of the account ends."""
    user = await account_named(work.session, username)
    await set_password(work.session, user, password)
    _concerns(work, user)
    return user


async def set_disabled(work: Work, username: str, disabled: bool) -> m.User:
    """Disable an account (its sessions end at once) or enable it again (lock-out cleared)."""
    user = await account_named(work.session, username)
    user.disabled = disabled
    if disabled:
        await revoke_all(work.session, user.id)
    else:
        user.failed_logins = 0
        user.locked_until = None
    _concerns(work, user)
    return user


async def issue_token(work: Work, username: str, minutes: int) -> tuple[str, datetime]:
    """An access token of ``minutes`` for an account (the operator's ``token``, for scripts)."""
    user = await account_named(work.session, username)
    if user.disabled:
        raise ValidationFailed([UserError("user", "DISABLED", f"账号 {user.username} 已停用")])
    _concerns(work, user, f"minutes={minutes}")
    return access_token(replace(work.env.settings, access_token_minutes=minutes), user)
