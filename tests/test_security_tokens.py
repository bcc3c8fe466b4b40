"""Access and refresh tokens: what is accepted, what is refused, and the account commands."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
import sqlalchemy as sa
from cli_helpers import invoke, one_line_error
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy.engine import URL

from xieshang.db import models as m
from xieshang.demo.accounts import DEMO_PASSWORD
from xieshang.domain.accounts import AUDIENCE, ISSUER
from xieshang.testing import GraphQLClient, settings_for

ME = "{ me { username role county { code } } }"
LOGIN = """mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
  accessToken refreshToken expiresAt account { username } userErrors { code } } }"""
REFRESH = """mutation($t: String!) { refreshToken(input: {refreshToken: $t}) {
  accessToken refreshToken userErrors { code message } } }"""
LOGOUT = """mutation($t: String!) { logout(input: {refreshToken: $t}) { ok } }"""


def _bearer(client: GraphQLClient, token: str) -> GraphQLClient:
    client.http.headers["Authorization"] = f"Bearer {token}"
    return client


async def _login(client: GraphQLClient, username: str = "staff") -> dict[str, Any]:
    data = await client.query(LOGIN, {"u": username, "p": DEMO_PASSWORD})
    assert data["login"]["userErrors"] == []
    return dict(data["login"])


async def test_a_login_token_opens_the_api(xieshang_graphql: Any) -> None:
    client = xieshang_graphql(anonymous=True)
    assert (await client.query(ME))["me"] is None
    tokens = await _login(client)
    expires = datetime.fromisoformat(tokens["expiresAt"])
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15)
    claims = jwt.decode(tokens["accessToken"], options={"verify_signature": False})
    assert claims["iss"] == ISSUER and claims["aud"] == AUDIENCE and claims["role"] == "STAFF"
    me = (await _bearer(client, tokens["accessToken"]).query(ME))["me"]
    assert me == {"username": "staff", "role": "STAFF", "county": {"code": "511323"}}


def _forge(xieshang_demo_url: URL, user_id: int, **changes: Any) -> str:
    secret = changes.pop("secret", settings_for(xieshang_demo_url).secret)
    algorithm = changes.pop("algorithm", "HS256")
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        **changes,
    }
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, secret, algorithm=algorithm)


def _unsigned(claims: dict[str, Any]) -> str:
    """A token with ``alg: none`` (PyJWT will make one; we must never accept it)."""
    return jwt.encode(claims, key=None, algorithm="none")


@pytest.fixture
async def staff_id(xieshang_demo_sessions: Any) -> int:
    async with xieshang_demo_sessions() as session:
        user_id = await session.scalar(sa.select(m.User.id).where(m.User.username == "staff"))
    assert user_id is not None
    return int(user_id)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"exp": int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())}, "TOKEN_EXPIRED"),
        ({"aud": "another-service"}, "UNAUTHENTICATED"),
        ({"iss": "someone-else"}, "UNAUTHENTICATED"),
        ({"secret": "a-different-secret-of-the-same-length-0123456789"}, "UNAUTHENTICATED"),
        ({"algorithm": "HS512"}, "UNAUTHENTICATED"),
        ({"exp": None}, "UNAUTHENTICATED"),
        ({"sub": None}, "UNAUTHENTICATED"),
        ({"sub": "999999"}, "UNAUTHENTICATED"),
        ({"sub": "not-a-number"}, "UNAUTHENTICATED"),
    ],
)
# Forging an HS512 token with our 52-byte development secret makes PyJWT warn; it is the point.
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
async def test_bad_tokens_are_refused_with_401(
    changes: dict[str, Any],
    code: str,
    staff_id: int,
    xieshang_graphql: Any,
    xieshang_demo_url: URL,
) -> None:
    token = _forge(xieshang_demo_url, staff_id, **changes)
    client = _bearer(xieshang_graphql(anonymous=True), token)
    response = await client.http.post("/graphql", json={"query": ME})
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == code
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Basic c3RhZmY6cGFzc3dvcmQ=", "Bearer not.a.jwt", "Bearer " + "x" * 5000],
)
async def test_malformed_authorization_headers_are_refused(
    header: str, xieshang_graphql: Any
) -> None:
    client = xieshang_graphql(anonymous=True)
    response = await client.http.post(
        "/graphql", json={"query": ME}, headers={"Authorization": header}
    )
    assert response.status_code == 401


async def test_an_unsigned_token_is_refused(staff_id: int, xieshang_graphql: Any) -> None:
    now = datetime.now(UTC)
    token = _unsigned(
        {"sub": str(staff_id), "iss": ISSUER, "aud": AUDIENCE, "exp": int(now.timestamp()) + 300}
    )
    client = _bearer(xieshang_graphql(anonymous=True), token)
    response = await client.http.post("/graphql", json={"query": ME})
    assert response.status_code == 401


async def test_a_disabled_accounts_tokens_stop_working(
    xieshang_graphql: Any, xieshang_demo_sessions: Any
) -> None:
    client = xieshang_graphql(anonymous=True)
    tokens = await _login(client)
    _bearer(client, tokens["accessToken"])
    assert (await client.query(ME))["me"]["username"] == "staff"
    async with xieshang_demo_sessions() as session, session.begin():
        user = await session.scalar(sa.select(m.User).where(m.User.username == "staff"))
        assert user is not None
        user.disabled = True
    assert (await client.http.post("/graphql", json={"query": ME})).status_code == 401
    del client.http.headers["Authorization"]
    refreshed = await client.query(REFRESH, {"t": tokens["refreshToken"]})
    assert refreshed["refreshToken"]["accessToken"] is None
    assert refreshed["refreshToken"]["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def test_refresh_tokens_rotate_and_a_reused_one_ends_every_session(
    xieshang_graphql: Any, xieshang_demo_sessions: Any
) -> None:
    client = xieshang_graphql(anonymous=True)
    first = await _login(client)
    second = (await client.query(REFRESH, {"t": first["refreshToken"]}))["refreshToken"]
    assert second["userErrors"] == [] and second["refreshToken"] != first["refreshToken"]
    assert (await _bearer(client, second["accessToken"]).query(ME))["me"]["username"] == "staff"
    del client.http.headers["Authorization"]
    # The first token again: it was stolen. Both it and the one it was traded for stop working.
    reused = (await client.query(REFRESH, {"t": first["refreshToken"]}))["refreshToken"]
    assert reused["userErrors"][0]["code"] == "TOKEN_REUSED"
    after = (await client.query(REFRESH, {"t": second["refreshToken"]}))["refreshToken"]
    assert after["accessToken"] is None and after["userErrors"][0]["code"] == "TOKEN_REUSED"
    async with xieshang_demo_sessions() as session:
        live = await session.scalar(
            sa.select(sa.func.count())
            .select_from(m.RefreshToken)
            .join(m.User, m.User.id == m.RefreshToken.user_id)
            .where(m.User.username == "staff", m.RefreshToken.revoked_at.is_(None))
        )
    assert live == 0
    unknown = (await client.query(REFRESH, {"t": "made-up"}))["refreshToken"]
    assert unknown["userErrors"][0]["code"] == "UNAUTHENTICATED"


async def test_logout_revokes_the_refresh_token(xieshang_graphql: Any) -> None:
    client = xieshang_graphql(anonymous=True)
    tokens = await _login(client)
    assert (await client.query(LOGOUT, {"t": tokens["refreshToken"]}))["logout"]["ok"] is True
    assert (await client.query(LOGOUT, {"t": tokens["refreshToken"]}))["logout"]["ok"] is True
    assert (await client.query(LOGOUT, {"t": "never-issued"}))["logout"]["ok"] is False
    refused = (await client.query(REFRESH, {"t": tokens["refreshToken"]}))["refreshToken"]
    assert refused["accessToken"] is None


# -- an external identity provider (JWKS) ----------------------------------------------------


@pytest.fixture(scope="module")
def identity_provider() -> Iterator[dict[str, Any]]:
    """A local HTTP server publishing an RSA public key as a JWKS, like a government IdP."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**public, "kid": "gov-1", "use": "sig", "alg": "RS256"}]})

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"key": key, "url": f"http://127.0.0.1:{server.server_address[1]}/jwks.json"}
    server.shutdown()


def _idp_token(key: Any, username: str, **changes: Any) -> str:
    now = datetime.now(UTC)
    claims = {
        "preferred_username": username,
        "iss": "https://login.example.gov.cn",
        "aud": "xieshang",
        "exp": int((now + timedelta(minutes=5)).timestamp()),
        **changes,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "gov-1"})


async def test_tokens_of_a_configured_identity_provider_are_accepted(
    identity_provider: dict[str, Any], xieshang_graphql: Any
) -> None:
    settings = {
        "jwks_url": identity_provider["url"],
        "jwks_issuer": "https://login.example.gov.cn",
        "jwks_audience": "xieshang",
    }
    key = identity_provider["key"]
    client = _bearer(xieshang_graphql(anonymous=True, **settings), _idp_token(key, "staff"))
    assert (await client.query(ME))["me"]["username"] == "staff"
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for token in (
        _idp_token(key, "staff", aud="another-app"),
        _idp_token(key, "staff", iss="https://evil.example.com"),
        _idp_token(key, "nobody-known"),  # the provider's user has no account here
        _idp_token(other_key, "staff"),  # signed by someone else under the same key ID
    ):
        refused = _bearer(xieshang_graphql(anonymous=True, **settings), token)
        assert (await refused.http.post("/graphql", json={"query": ME})).status_code == 401
    # Without a configured provider such tokens are refused outright.
    plain = _bearer(xieshang_graphql(anonymous=True), _idp_token(key, "staff"))
    assert (await plain.http.post("/graphql", json={"query": ME})).status_code == 401


async def test_an_unreachable_identity_provider_is_a_401_not_a_crash(
    xieshang_graphql: Any,
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client = xieshang_graphql(
        anonymous=True,
        jwks_url="http://127.0.0.1:9/jwks.json",
        jwks_issuer="https://login.example.gov.cn",
        jwks_audience="xieshang",
    )
    _bearer(client, _idp_token(key, "staff"))
    assert (await client.http.post("/graphql", json={"query": ME})).status_code == 401


# -- the account commands ----------------------------------------------------------------------


async def test_accounts_are_managed_from_the_command_line(
    xieshang_demo_url: URL, xieshang_graphql: Any, xieshang_demo_sessions: Any
) -> None:
    add = invoke(
        "users", "add", "clerk", "--role", "staff", "--county", "511323", "--password-stdin",
        url=xieshang_demo_url, input="clerk-password-1\n",
    )  # fmt: skip
    assert add.returncode == 0, add.stderr
    client = xieshang_graphql(anonymous=True)
    ok = await client.query(LOGIN, {"u": "clerk", "p": "clerk-password-1"})
    assert ok["login"]["account"] == {"username": "clerk"}

    token = invoke("token", "--user", "clerk", url=xieshang_demo_url)
    assert token.returncode == 0, token.stderr
    assert len(token.stdout.strip().splitlines()) == 1  # only the token on stdout
    cli_client = _bearer(xieshang_graphql(anonymous=True), token.stdout.strip())
    assert (await cli_client.query(ME))["me"]["username"] == "clerk"

    passwd = invoke(
        "users", "passwd", "clerk", "--password-stdin", url=xieshang_demo_url,
        input="clerk-password-2\n",
    )  # fmt: skip
    assert passwd.returncode == 0, passwd.stderr
    old = await client.query(LOGIN, {"u": "clerk", "p": "clerk-password-1"})
    assert old["login"]["userErrors"][0]["code"] == "BAD_CREDENTIALS"

    assert invoke("users", "disable", "clerk", url=xieshang_demo_url).returncode == 0
    assert (await cli_client.http.post("/graphql", json={"query": ME})).status_code == 401
    listing = invoke("users", "list", "--county", "511323", url=xieshang_demo_url)
    assert "clerk\tSTAFF\t511323\t停用" in listing.stdout.splitlines()
    assert "admin\tADMIN\t511323\t正常" in listing.stdout.splitlines()
    assert "停用" in one_line_error(invoke("token", "--user", "clerk", url=xieshang_demo_url))

    async with xieshang_demo_sessions() as session:
        actions = (
            await session.scalars(
                sa.select(m.AuditEvent.action)
                .where(m.AuditEvent.target == "user:clerk")
                .order_by(m.AuditEvent.id)
            )
        ).all()
    assert actions == ["user_add", "token_issued", "user_passwd", "user_disable"]


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (("users", "add", "ab", "--role", "staff", "--county", "511323"), "", "用户名"),
        (("users", "add", "newbie", "--role", "staff", "--county", "999999"), "", "999999"),
        (("users", "add", "newbie", "--role", "king", "--county", "511323"), "", "未知角色"),
        (("users", "add", "admin", "--role", "staff", "--county", "511323"), "", "已存在"),
        (("users", "add", "newbie", "--role", "member", "--county", "511323"), "", "委员"),
        (("users", "add", "newbie", "--role", "city_viewer", "--county", "511323"), "", "--grant"),
        (("users", "add", "newbie", "--role", "staff", "--county", "511323"), "", "--password-stdin"),
        (("users", "add", "newbie", "--role", "staff", "--county", "511323", "--password-stdin"),
         "short\n", "密码至少"),
        (("users", "passwd", "nobody-here", "--password-stdin"), "long-enough-pw\n", "nobody-here"),
        (("users", "disable", "nobody-here"), "", "nobody-here"),
        (("token", "--user", "admin", "--minutes", "5000"), "", "--minutes"),
    ],
)  # fmt: skip
def test_account_commands_report_bad_input_in_one_line(
    args: tuple[str, ...], stdin: str, expected: str, xieshang_demo_url: URL
) -> None:
    line = one_line_error(invoke(*args, url=xieshang_demo_url, input=stdin))
    assert expected in line
    listing = invoke("users", "list", url=xieshang_demo_url).stdout
    assert "newbie" not in listing  # nothing half-written
