"""The `xieshang` command: arguments, errors, the database lifecycle and serve.

The command runs in-process (``cli_helpers.invoke``), except ``serve``, which runs as a real
process; ``tests/test_cli_processes.py`` runs every other command group once as a real process.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from cli_helpers import SCRIPT, free_port, invoke, one_line_error, run

from xieshang.testing import TestDatabases


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("serve",),
        ("db",),
        ("db", "upgrade"),
        ("db", "downgrade"),
        ("db", "current"),
        ("demo",),
        ("demo", "load"),
        ("schema", "print"),
    ],
)
def test_help_on_every_command(args: tuple[str, ...]) -> None:
    result = invoke(*args, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: xieshang" in result.stdout


def test_version() -> None:
    result = invoke("--version")
    assert result.returncode == 0 and result.stdout.startswith("xieshang ")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("frobnicate",), "invalid choice"),
        (("demo", "load", "--seed", "abc"), "需要整数"),
        (("serve", "--port", "0"), "需要正整数"),
        (("serve", "--port", "70000"), "1–65535"),
        (("serve", "--workers", "two"), "需要正整数"),
        (("db",), "required"),
        (("db", "upgrade", "--bogus"), "unrecognized arguments"),
    ],
)
def test_wrong_arguments_give_one_line_and_exit_2(args: tuple[str, ...], fragment: str) -> None:
    result = invoke(*args)
    assert result.returncode == 2
    assert fragment in one_line_error(result)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("mysql://root@localhost/x", "CONFIG_INVALID"),
        ("::not a url::", "CONFIG_INVALID"),
        ("sqlite:///:memory:", "CONFIG_INVALID"),
        ("sqlite:////no/such/folder/x.db", "CONFIG_INVALID"),
        ("postgresql+asyncpg://postgres@127.0.0.1:1/nothing", "DATABASE_UNAVAILABLE"),
    ],
)
def test_bad_database_urls_give_one_line_and_exit_1(url: str, code: str) -> None:
    for result in (
        invoke("db", "current", url=url),
        invoke("--database-url", url, "db", "upgrade"),
    ):
        assert result.returncode == 1
        assert f"[{code}]" in one_line_error(result)


def test_bad_environment_setting_gives_one_line() -> None:
    result = invoke("db", "current", extra_env={"XIESHANG_ENV": "staging"})
    assert result.returncode == 1
    assert "XIESHANG_ENV" in one_line_error(result)


def test_db_upgrade_current_downgrade_and_demo_load(xieshang_databases: TestDatabases) -> None:
    url = asyncio.run(xieshang_databases.create("cli"))
    before = invoke("db", "current", url=url)
    assert before.returncode == 0 and "base" in before.stdout

    not_migrated = invoke("demo", "load", url=url)
    assert "[DATABASE_NOT_MIGRATED]" in one_line_error(not_migrated)

    assert invoke("db", "upgrade", url=url).returncode == 0
    assert "at head" in invoke("db", "current", url=url).stdout

    production = {"XIESHANG_ENV": "production", "XIESHANG_SECRET": "s" * 40}
    refused_in_production = invoke("demo", "load", url=url, extra_env=production)
    assert "演示账号" in one_line_error(refused_in_production)

    first = invoke("demo", "load", "--seed", "2024", url=url)
    assert first.returncode == 0, first.stderr
    assert "已载入" in first.stdout and "委员 250" in first.stdout
    second = invoke("demo", "load", url=url)
    assert second.returncode == 0
    assert (
        "未做改动" in second.stdout and "委员 250" in second.stdout and "议题 356" in second.stdout
    )

    refused = invoke(
        "db", "downgrade", "base", url=url
    )  # dropping tables that hold data is allowed
    assert refused.returncode == 0
    assert "base" in invoke("db", "current", url=url).stdout


def _post(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_serve_with_demo_answers_the_articles_figures(xieshang_databases: TestDatabases) -> None:
    url = asyncio.run(xieshang_databases.create("serve"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("XIESHANG_")}
    env["XIESHANG_DATABASE_URL"] = url.render_as_string(hide_password=False)
    process = subprocess.Popen(
        [str(SCRIPT), "serve", "--demo", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        process.stdout.read() if process.stdout else "no output"
                    ) from None
                time.sleep(0.3)
        body = _post(
            port,
            '{ county(code: "511323") { name } studios { totalCount } platforms { totalCount }'
            " members { totalCount } topics(filter: {year: 2024}) { totalCount }"
            " key: topics(filter: {year: 2024, isKey: true}) { totalCount } }",
        )
        assert body["data"] == {
            "county": {"name": "蓬安县"},
            "studios": {"totalCount": 16},
            "platforms": {"totalCount": 88},
            "members": {"totalCount": 250},
            "topics": {"totalCount": 356},
            "key": {"totalCount": 148},
        }
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/graphql" in output


def test_serve_refuses_an_unmigrated_database(xieshang_databases: TestDatabases) -> None:
    # serve always runs as a real process: were the check to pass, it would start a server.
    url = asyncio.run(xieshang_databases.create("unmigrated"))
    result = run("serve", "--port", str(free_port()), url=url)
    assert "[DATABASE_NOT_MIGRATED]" in one_line_error(result)


def test_schema_print_writes_the_sdl(tmp_path: Path) -> None:
    out = tmp_path / "schema.graphql"
    assert invoke("schema", "print", "-o", str(out)).returncode == 0
    assert "type Query" in out.read_text(encoding="utf-8")
