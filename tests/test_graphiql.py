"""GraphiQL offline: the page, its files and its policy come from xieshang itself.

The last test starts the service on a free port with the demo county, opens ``/graphql`` in
Debian's headless Chromium with every request to another host refused (by the browser's host
resolver and by Playwright's interception, which also records any attempt), runs queries from
the page — anonymous, then with a token pasted into the headers editor — and saves a
screenshot as ``test-artifacts/graphiql.png``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from cli_helpers import free_port, invoke
from sqlalchemy.engine import URL
from starlette.applications import Starlette

from xieshang.config import Settings
from xieshang.server import create_app
from xieshang.testing import settings_for
from xieshang.web.graphiql import (
    DIR_VARIABLE,
    OWN,
    PACKAGE_DIR,
    STATIC_PREFIX,
    VENDOR,
    GraphiQLError,
    install,
    missing,
)

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
UNLIMITED = {"rate_limit_user": "100000/minute", "rate_limit_anonymous": "100000/minute"}
HTML = {"Accept": "text/html"}
ME_AND_COUNTY = '{ me { username role } county(code: "511323") { name } }'
SOURCES = re.compile(r'(?:src|href)="([^"]*)"')


def _client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


def _require_assets() -> None:
    absent = missing(PACKAGE_DIR)
    if absent:
        pytest.fail(
            f"GraphiQL 的前端文件未安装（缺少 {absent}）：请先运行 xieshang graphiql install"
        )


# -- the page and its files (in-process) -----------------------------------------------------------


async def test_the_page_loads_only_files_of_this_server(xieshang_database_url: URL) -> None:
    _require_assets()
    app = create_app(settings_for(xieshang_database_url))
    async with _client(app) as client:
        page = await client.get("/graphql", headers=HTML)
        sources = SOURCES.findall(page.text)
        files = {src: await client.get(src) for src in sources if src.startswith("/")}
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "<script>" not in page.text  # no inline script: the policy allows none
    assert "http" not in page.text.replace('lang="zh-CN"', "")  # no absolute address at all
    assert len(sources) == len(VENDOR) + len(OWN) + 1  # the icon is an empty data: URL
    assert all(src.startswith(f"{STATIC_PREFIX}/") or src.startswith("data:") for src in sources)
    for src, response in files.items():
        assert response.status_code == 200, src
        assert len(response.content) > 100, src
        kind = "css" if ".css" in src else "javascript"
        assert kind in response.headers["content-type"], src

    policy = page.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # neither inline scripts nor eval
    assert directives["connect-src"] == "'self'"
    assert "https:" not in policy and "http:" not in policy and "*" not in policy
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.parametrize(
    "path",
    [
        "/graphiql/static/package.json",
        "/graphiql/static/__init__.py",
        "/graphiql/static/..%2F__init__.py",
        "/graphiql/static/react%2Fpackage.json",
        "/graphiql/static/node_modules",
        "/graphiql/static/",
    ],
)
async def test_only_the_listed_files_are_served(xieshang_database_url: URL, path: str) -> None:
    app = create_app(settings_for(xieshang_database_url))
    async with _client(app) as client:
        response = await client.get(path)
    assert response.status_code == 404
    assert "__future__" not in response.text and "dependencies" not in response.text


async def test_missing_files_are_explained_in_chinese(
    xieshang_database_url: URL, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(xieshang_database_url, extra={DIR_VARIABLE: str(tmp_path)})
    with caplog.at_level("WARNING", logger="xieshang.web.graphiql"):
        app = create_app(settings)
    assert "xieshang graphiql install" in caplog.text and "未安装" in caplog.text
    async with _client(app) as client:
        page = await client.get("/graphql", headers=HTML)
        script = await client.get(f"{STATIC_PREFIX}/graphiql.min.js")
        own = await client.get(f"{STATIC_PREFIX}/page.js")
        # The API itself does not depend on the page's files.
        api = await client.post("/graphql", json={"query": "{ __typename }"})
    assert page.status_code == 503 and "text/html" in page.headers["content-type"]
    assert "GraphiQL 的前端文件尚未安装" in page.text and "xieshang graphiql install" in page.text
    assert "graphiql/graphiql.min.js" in page.text and str(tmp_path) in page.text
    assert script.status_code == 404 and "xieshang graphiql install" in script.text
    assert own.status_code == 200  # xieshang's own file ships with the package
    assert api.json()["data"] == {"__typename": "Query"}


def _production(url: URL, **env: str) -> Settings:
    return Settings.from_env(
        {
            "XIESHANG_ENV": "production",
            "XIESHANG_SECRET": "p" * 48,
            "XIESHANG_DATABASE_URL": url.render_as_string(hide_password=False),
            **env,
        }
    )


@pytest.mark.parametrize(("flag", "offered"), [(None, False), ("0", False), ("1", True)])
async def test_production_offers_graphiql_only_when_enabled(
    xieshang_database_url: URL, flag: str | None, offered: bool
) -> None:
    settings = _production(xieshang_database_url, **({"XIESHANG_GRAPHIQL": flag} if flag else {}))
    assert settings.graphiql is offered
    app = create_app(settings)
    async with _client(app) as client:
        page = await client.get("/graphql", headers=HTML)
        script = await client.get(f"{STATIC_PREFIX}/page.js")
    if offered:
        _require_assets()
        assert page.status_code == 200 and "graphiql" in page.text
        assert script.status_code == 200
    else:
        assert page.status_code == 404 and "text/html" not in page.headers.get("content-type", "")
        assert script.status_code == 404


# -- installing ---------------------------------------------------------------------------------


def test_install_without_npm_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no npm on it
    with pytest.raises(GraphiQLError) as caught:
        install(tmp_path / "assets")
    assert caught.value.code == "NPM_NOT_FOUND" and "npm" in caught.value.message


def test_a_failing_npm_is_reported(tmp_path: Path) -> None:
    fake = tmp_path / "npm"
    fake.write_text("#!/bin/sh\necho 'npm ERR! registry unreachable' >&2\nexit 7\n")
    fake.chmod(0o755)
    with pytest.raises(GraphiQLError) as caught:
        install(tmp_path / "assets", npm=str(fake))
    assert "退出码 7" in caught.value.message and "registry unreachable" in caught.value.message
    # The manifest and lock were copied, so the folder can be completed by hand with npm ci.
    lock = json.loads((tmp_path / "assets" / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"][""]["dependencies"]["graphiql"]


def test_check_command_reports_missing_files(tmp_path: Path) -> None:
    absent = invoke("graphiql", "check", extra_env={DIR_VARIABLE: str(tmp_path)})
    assert absent.returncode == 1
    assert (
        "GRAPHIQL_ASSETS_MISSING" in absent.stderr and "xieshang graphiql install" in absent.stderr
    )
    _require_assets()
    present = invoke("graphiql", "check")
    assert present.returncode == 0, present.stderr
    assert str(PACKAGE_DIR / "node_modules") in present.stdout


def test_the_lock_pins_what_the_page_loads() -> None:
    manifest = json.loads((PACKAGE_DIR / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((PACKAGE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    for name, version in manifest["dependencies"].items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} must be pinned exactly"
        entry = lock["packages"][f"node_modules/{name}"]
        assert entry["version"] == version and entry["integrity"].startswith("sha512-")
    packages = {path.split("/")[0] for path in VENDOR.values()}
    assert packages | {"@graphiql"} >= {"react", "react-dom", "graphiql"}
    assert {"@graphiql/plugin-explorer", "react", "react-dom", "graphiql"} <= set(
        manifest["dependencies"]
    )


# -- in Chromium, with the outside world blocked ----------------------------------------------------


@contextmanager
def serving(settings: Settings) -> Iterator[str]:
    """The app under uvicorn in a thread on a free port; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="graphiql-test-server", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if server.started:
                break
            if not thread.is_alive():
                raise AssertionError("server exited during start-up")
            time.sleep(0.05)
        else:
            raise AssertionError("server did not start")
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _sign_in(base: str, username: str) -> str:
    query = """mutation($u: String!, $p: String!) {
      login(input: {username: $u, password: $p}) { accessToken userErrors { code } } }"""
    body = {"query": query, "variables": {"u": username, "p": "xieshang-demo-2024"}}
    data = httpx.post(f"{base}/graphql", json=body, timeout=30).json()["data"]["login"]
    assert data["userErrors"] == [], data
    return str(data["accessToken"])


def _replace_text(page: Any, editor: Any, text: str) -> None:
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    # insert_text, not type: typing would trigger the editor's bracket auto-closing.
    page.keyboard.insert_text(text)


@pytest.mark.slow
def test_graphiql_runs_queries_in_chromium_without_internet(xieshang_demo_url: URL) -> None:
    from playwright.sync_api import Route, expect, sync_playwright

    _require_assets()
    if not CHROMIUM.exists():
        pytest.fail(
            "未找到 /usr/bin/chromium：请安装 Debian 的 chromium（apt-get install -y chromium）"
        )
    ARTIFACTS.mkdir(exist_ok=True)
    settings = settings_for(xieshang_demo_url, overdue_sweep_seconds=0, **UNLIMITED)
    outside: list[str] = []  # every attempt to reach another host, blocked or not
    problems: list[str] = []  # console errors (a CSP violation shows up here) and page errors
    posts: list[dict[str, Any]] = []

    def only_local(route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith("data:") or host in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("blockedbyclient")

    with serving(settings) as base, sync_playwright() as playwright:
        token = _sign_in(base, "staff")
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            # Names of other hosts do not resolve, so nothing could leave even past the router.
            args=["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
        )
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 800})
            context.route("**/*", only_local)
            page = context.new_page()
            page.on(
                "request",
                lambda r: (
                    None
                    if r.url.startswith("data:") or (urlsplit(r.url).hostname in LOCAL_HOSTS)
                    else outside.append(r.url)
                ),
            )
            page.on(
                "websocket",
                lambda ws: (
                    outside.append(ws.url)
                    if (urlsplit(ws.url).hostname not in LOCAL_HOSTS)
                    else None
                ),
            )
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "request",
                lambda r: (
                    posts.append({"headers": r.headers, "body": r.post_data or ""})
                    if r.method == "POST"
                    else None
                ),
            )

            page.goto(f"{base}/graphql", wait_until="networkidle")
            query_editor = page.locator(".graphiql-query-editor .CodeMirror").first
            expect(query_editor).to_be_visible(timeout=30_000)
            # Anonymous: public facts of the demo county.
            _replace_text(page, query_editor, '{ county(code: "511323") { name city } }')
            page.keyboard.press("Control+Enter")
            response = page.locator(".graphiql-response")
            expect(response).to_contain_text("蓬安县", timeout=30_000)
            expect(response).to_contain_text("南充市")

            # A token pasted into the headers editor is sent with the next request.
            page.get_by_role("button", name="Headers").click()
            headers_editor = page.locator(".graphiql-editor-tool .CodeMirror").last
            expect(headers_editor).to_be_visible()
            _replace_text(page, headers_editor, json.dumps({"Authorization": f"Bearer {token}"}))
            _replace_text(page, query_editor, ME_AND_COUNTY)
            page.locator(".graphiql-execute-button").click()
            expect(response).to_contain_text('"username": "staff"', timeout=30_000)
            expect(response).to_contain_text("蓬安县")
            # The explorer plugin was loaded from this server too and opens.
            page.get_by_role("button", name="Show GraphiQL Explorer").click()
            expect(page.locator(".graphiql-explorer-root")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "graphiql.png"), full_page=True)
        finally:
            browser.close()

    assert outside == [], f"requests to other hosts were attempted: {outside}"
    assert problems == [], problems
    sent = [p for p in posts if "me {" in p["body"]]
    assert sent and sent[-1]["headers"].get("authorization") == f"Bearer {token}"
    anonymous = [p for p in posts if "511323" in p["body"] and "me {" not in p["body"]]
    assert anonymous and "authorization" not in anonymous[-1]["headers"]
    assert (ARTIFACTS / "graphiql.png").stat().st_size > 10_000
    # The schema came from this server too (GraphiQL introspects /graphql).
    assert any("__schema" in p["body"] for p in posts)
