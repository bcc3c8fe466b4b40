"""Every command group of ``xieshang`` once as a real process.

What the commands do is tested in-process (``cli_helpers.invoke``) in the test file of each area;
these tests start the installed console script (``cli_helpers.run``), so they also cover what only a
real process shows: the entry point, a fresh interpreter importing and loading the rule plugins by
their entry points, the exit status, output through real pipes. ``serve`` runs as a real process
in tests/test_cli.py (several workers: tests/test_deploy.py; two servers: tests/test_subscriptions.py).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import run
from sqlalchemy.engine import URL

from xieshang.testing import GraphQLClient, TestDatabases

pytestmark = pytest.mark.slow


def test_db(xieshang_databases: TestDatabases) -> None:
    url = asyncio.run(xieshang_databases.create("process"))
    result = run("db", "upgrade", url=url)
    assert result.returncode == 0, result.stderr
    assert "数据库已升级到" in result.stdout


def test_demo(xieshang_database_url: URL) -> None:
    result = run("demo", "load", url=xieshang_database_url)
    assert result.returncode == 0, result.stderr
    assert "已载入演示县 蓬安县" in result.stdout and "委员 250" in result.stdout


def test_schema() -> None:
    result = run("schema", "print")
    assert result.returncode == 0, result.stderr
    assert "type Query" in result.stdout
    committed = Path(__file__).resolve().parents[1] / "schema.graphql"
    assert result.stdout == committed.read_text(encoding="utf-8")


def test_rules_and_assess(xieshang_demo_url: URL) -> None:
    # A fresh interpreter finds 蓬安's plugin through its entry point.
    result = run(
        "assess", "--county", "511323", "--standard", "pengan.three-ones", "--period", "2024",
        url=xieshang_demo_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "MET 12" in result.stdout and "NOT_MET 4" in result.stdout


async def test_users_and_token(xieshang_demo_url: URL, xieshang_graphql: Any) -> None:
    result = run("token", "--user", "admin", url=xieshang_demo_url)
    assert result.returncode == 0, result.stderr
    client: GraphQLClient = xieshang_graphql(anonymous=True)
    client.http.headers["Authorization"] = f"Bearer {result.stdout.strip()}"
    assert (await client.query("{ me { username } }"))["me"] == {"username": "admin"}


def test_audit(xieshang_demo_url: URL) -> None:
    from xieshang.db.base import utcnow

    cutoff = (utcnow() - timedelta(days=200)).date().isoformat()
    result = run("audit", "prune", "--before", cutoff, url=xieshang_demo_url)
    assert result.returncode == 0, result.stderr
    assert f"已删除 {cutoff} 以前的审计日志" in result.stdout


def test_followups(xieshang_demo_url: URL) -> None:
    result = run("followups", "sweep", url=xieshang_demo_url)
    assert result.returncode == 0, result.stderr
    assert "新逾期的督办任务" in result.stdout


def test_topics(xieshang_demo_url: URL) -> None:
    result = run("topics", "timelines", "--county", "511323", url=xieshang_demo_url)
    assert result.returncode == 0, result.stderr
    assert "补录流程记录 0 条" in result.stdout  # the demo's timelines are complete


def test_export_and_import(xieshang_demo_url: URL, tmp_path: Path) -> None:
    path = tmp_path / "members.xlsx"
    exported = run(
        "export", "members", "--county", "511323", "-o", str(path), url=xieshang_demo_url
    )
    assert exported.returncode == 0, exported.stderr
    assert "已导出 250 行" in exported.stdout
    imported = run("import", "members", str(path), "--county", "511323", url=xieshang_demo_url)
    assert imported.returncode == 0, imported.stderr
    assert "新增 0，更新 0，未变 250，有错误的行 0" in imported.stdout


def test_graphiql() -> None:
    result = run("graphiql", "check")
    assert result.returncode == 0, result.stderr
    assert "GraphiQL 前端文件齐全" in result.stdout
