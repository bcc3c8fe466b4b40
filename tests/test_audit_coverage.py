"""Every write leaves its audit record: every GraphQL mutation and every CLI command that writes.

Both lists are generated — the mutations from the schema, the commands from the CLI's argument
parser — so a new mutation or command is covered the day it is added: a mutation through the
unit of work it cannot avoid, a command because it must declare what it writes
(:func:`xieshang.cli.common.writes`) and gets a row in :data:`COMMANDS` here.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL
from test_security_matrix import MUTATION_FIELDS, call

from xieshang import cli
from xieshang.db import models as m
from xieshang.db.base import utcnow
from xieshang.db.engine import create_engine

#: Mutations whose records are named apart from ``mutation:<name>`` (sign-in and its refusal).
ACTIONS = {
    "login": {"login", "login_failed"},
    "refreshToken": {"refresh", "refresh_failed"},
    "logout": {"logout"},
}


async def _actions(url: URL | str, since: int = 0) -> list[tuple[str, bool]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.select(m.AuditEvent.action, m.AuditEvent.success)
                .where(m.AuditEvent.id > since)
                .order_by(m.AuditEvent.id)
            )
            return [(action, bool(success)) for action, success in rows.all()]
    finally:
        await engine.dispose()


async def _last_id(url: URL | str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return int(await conn.scalar(sa.select(sa.func.max(m.AuditEvent.id))) or 0)
    finally:
        await engine.dispose()


async def test_every_mutation_leaves_its_audit_record(
    xieshang_graphql: Any, xieshang_demo_url: URL
) -> None:
    """Each mutation, called with the smallest input its type allows (most are refused: the IDs
    name nothing), writes a record named after it — on refusal as much as on success."""
    # The system viewer: every mutation reaches its unit of work (a role's refusals are
    # recorded by the policy as denied:<name> before that; tests/test_security_audit.py).
    client = xieshang_graphql(
        system=True, rate_limit_user="100000/minute", rate_limit_anonymous="100000/minute"
    )
    missing: list[str] = []
    for name, field in MUTATION_FIELDS.items():
        before = await _last_id(xieshang_demo_url)
        response = await client.post(call(name, field, mutation=True))
        assert response.status_code == 200, (name, response.body)
        assert "INTERNAL_ERROR" not in response.error_codes, (name, response.body)
        written = {action for action, _ in await _actions(xieshang_demo_url, before)}
        if not written & ACTIONS.get(name, {f"mutation:{name}"}):
            missing.append(f"{name}: {sorted(written)}")
    assert missing == [], "mutations that left no audit record"


# -- the CLI ------------------------------------------------------------------------------------


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[Any]:
    """Every runnable command of the CLI as ``(words, parser)``."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        yield path, parser
    for group in groups:
        for name, sub in group.choices.items():
            yield from _leaves(sub, (*path, name))


COMMAND_WORDS = {words: leaf for words, leaf in _leaves(cli.build_parser())}

#: A run of each writing command against the demo county: its arguments and standard input.
COMMANDS: dict[str, tuple[list[str], str]] = {
    "rules.enable": (["rules", "enable", "--county", "511323", "pengan.three-ones"], ""),
    "rules.disable": (["rules", "disable", "--county", "511323", "pengan.county-rollup"], ""),
    "user_add": (
        ["users", "add", "new-staff", "--role", "STAFF", "--county", "511323", "--password-stdin"],
        "a-long-enough-password\n",
    ),
    "user_passwd": (["users", "passwd", "staff", "--password-stdin"], "another-long-password\n"),
    "user_disable": (["users", "disable", "member"], ""),
    "user_enable": (["users", "enable", "member"], ""),
    "token_issued": (["token", "--user", "admin"], ""),
    "audit_prune": (
        ["audit", "prune", "--before", (utcnow() - timedelta(days=200)).date().isoformat()],
        "",
    ),
    "followups.sweep": (["followups", "sweep"], ""),  # the demo has tasks overdue since 2024
    "topics.timelines": (["topics", "timelines", "--county", "511323"], ""),
    "import.members": (["import", "members", "{dir}/members.csv", "--county", "511323"], ""),
    "import.platforms": (["import", "platforms", "{dir}/platforms.csv", "--county", "511323"], ""),
    "import.studios": (["import", "studios", "{dir}/studios.csv", "--county", "511323"], ""),
    "demo.load": (["demo", "load", "--replace"], ""),
}


def test_every_command_declares_what_it_writes() -> None:
    undeclared = [
        " ".join(words) for words, leaf in COMMAND_WORDS.items() if "audited" not in leaf._defaults
    ]
    assert undeclared == [], "commands that do not say whether they write (cli.common.writes)"
    declared = {leaf._defaults["audited"] for leaf in COMMAND_WORDS.values()} - {None}
    assert declared == set(COMMANDS), "writing commands without a run here, or runs of none"


def _run(argv: list[str], stdin: str, url: URL, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("XIESHANG_DATABASE_URL", url.render_as_string(hide_password=False))
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return cli.main(argv)


def test_every_writing_command_leaves_its_audit_record(
    xieshang_demo_url: URL,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from xieshang.domain import spreadsheets

    for kind in spreadsheets.KINDS.values():
        # An empty roster (the header alone) imports nothing, and is recorded like any import.
        (tmp_path / f"{kind.name}.csv").write_bytes(spreadsheets.write_csv(kind.header(), []))
    missing: list[str] = []
    for action, (argv, stdin) in COMMANDS.items():
        before = asyncio.run(_last_id(xieshang_demo_url))
        status = _run([a.format(dir=tmp_path) for a in argv], stdin, xieshang_demo_url, monkeypatch)
        output = capsys.readouterr()
        assert status == 0, (action, output.err)
        written = asyncio.run(_actions(xieshang_demo_url, before))
        if (action, True) not in written:
            missing.append(f"{action}: {written}")
    assert missing == [], "commands that left no audit record"


def test_a_refused_command_leaves_a_refusal_record(
    xieshang_demo_url: URL, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = asyncio.run(_last_id(xieshang_demo_url))
    argv = ["rules", "disable", "--county", "511323", "no.such-standard"]
    assert _run(argv, "", xieshang_demo_url, monkeypatch) == 1
    assert "NOT_FOUND" in capsys.readouterr().err
    assert asyncio.run(_actions(xieshang_demo_url, before)) == [("rules.disable", False)]
