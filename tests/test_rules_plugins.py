"""Plugins are found through entry points; a broken one is reported and isolated."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import invoke

from xieshang.engine.registry import RulePlugins
from xieshang.rules import (
    PLUGIN_API_VERSION,
    ActivityKind,
    PeriodicQuota,
    RecordKind,
    Standard,
    SubjectKind,
    Window,
    hookimpl,
    hookspecs,
)
from xieshang.testing import GraphQLClient

ROOT = Path(__file__).resolve().parents[1]


def standard(code: str) -> Standard:
    return Standard(
        code,
        "测试标准",
        SubjectKind.STUDIO,
        "1",
        (PeriodicQuota("reports", "每季度一条信息", RecordKind.OPINION_REPORT, Window.QUARTER, 1),),
    )


class Good:
    @hookimpl
    def xieshang_standards(self) -> list[Standard]:
        return [standard("good.quarterly")]

    @hookimpl
    def xieshang_activity_kinds(self) -> list[ActivityKind]:
        return [ActivityKind("NIGHT_SCHOOL", "夜校")]


class Raises:
    @hookimpl
    def xieshang_standards(self) -> list[Standard]:
        raise RuntimeError("database of rules not found")


class Invalid:
    @hookimpl
    def xieshang_standards(self) -> list[Any]:
        return [
            standard("invalid.none").__class__("invalid.bad", "", SubjectKind.STUDIO, "1", ()),
            "nonsense",
        ]


class Duplicate:
    @hookimpl
    def xieshang_standards(self) -> list[Standard]:
        return [standard("pengan.three-ones")]


class BadKind:
    @hookimpl
    def xieshang_activity_kinds(self) -> list[ActivityKind]:
        return [ActivityKind("night school", "夜校")]


class Misspelt:
    @hookimpl
    def xieshang_standard(self) -> list[Standard]:  # not a hook: the s is missing
        return [standard("misspelt.quota")]


def test_an_unknown_hook_is_reported_not_ignored() -> None:
    rules = RulePlugins.load(extra=(("misspelt", Misspelt()),))
    (problem,) = rules.problems
    assert problem.plugin == "misspelt" and "unknown hook" in problem.message
    assert "misspelt" not in rules.plugins and "pengan.three-ones" in rules.standards


def test_installed_plugins_come_from_entry_points() -> None:
    rules = RulePlugins.load()
    assert rules.problems == []
    assert rules.plugins["pengan"].distribution == "xieshang"
    assert rules.standards["pengan.three-ones"].plugin == "pengan"
    assert "ROTA_RECEPTION" in rules.activity_kinds and "READING" in rules.activity_kinds


def test_broken_plugins_are_reported_and_the_others_keep_working() -> None:
    rules = RulePlugins.load(
        extra=(
            ("good", Good()),
            ("raises", Raises()),
            ("invalid", Invalid()),
            ("duplicate", Duplicate()),
            ("badkind", BadKind()),
        )
    )
    said: dict[str, str] = {}
    for problem in rules.problems:
        said[problem.plugin] = said.get(problem.plugin, "") + problem.message
    assert set(said) == {"raises", "invalid", "duplicate", "badkind"}
    assert "database of rules not found" in said["raises"]
    assert "title is empty" in said["invalid"] and "has no criteria" in said["invalid"]
    assert "returned str" in said["invalid"]
    assert "already declared by plugin 'pengan'" in said["duplicate"]
    assert "night school" in said["badkind"]
    assert all(p.fix for p in rules.problems)
    # The working plugins' standards are all there; the duplicate did not replace pengan's.
    assert {"good.quarterly", "pengan.three-ones", "pengan.member-duty"} <= set(rules.standards)
    assert rules.standards["pengan.three-ones"].plugin == "pengan"
    assert "invalid.bad" in rules.broken
    assert "NIGHT_SCHOOL" in rules.activity_kinds


@pytest.fixture
def broken_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed distribution whose plugin module does not import."""
    info = tmp_path / "broken_rules-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: broken-rules\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[xieshang.rules]\nbroken = broken_rules_module_that_is_missing\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def test_a_plugin_that_fails_to_import_is_named_with_its_distribution(
    broken_distribution: Path,
) -> None:
    rules = RulePlugins.load()
    (problem,) = rules.problems
    assert (problem.plugin, problem.distribution) == ("broken", "broken-rules")
    assert (
        "failed to import" in problem.message
        and "broken_rules_module_that_is_missing" in problem.fix
    )
    assert "pengan.three-ones" in rules.standards  # the others still load


def test_rules_check_exits_non_zero_and_says_how_to_fix(
    broken_distribution: Path, tmp_path: Path
) -> None:
    # The broken distribution is on sys.path (the fixture put it there), as PYTHONPATH would.
    database = f"sqlite:///{tmp_path}/none.db"
    result = invoke("rules", "check", url=database)
    assert result.returncode == 1
    assert "broken (broken-rules)" in result.stderr and "failed to import" in result.stderr
    assert "Traceback" not in result.stderr
    listing = invoke("rules", "list", url=database)
    assert (
        listing.returncode == 0 and "pengan.three-ones" in listing.stdout
    )  # the service's view still works


async def test_the_api_keeps_working_and_shows_error_with_the_plugin_name(
    xieshang_graphql: Any,
) -> None:
    rules = RulePlugins.load(extra=(("invalid", Invalid()), ("raises", Raises())))
    client: GraphQLClient = xieshang_graphql(rules=rules)
    data = await client.query(
        "{ ruleProblems { plugin message fix } studios { totalCount } standards { code } }"
    )
    assert {p["plugin"] for p in data["ruleProblems"]} == {"invalid", "raises"}
    assert data["studios"]["totalCount"] == 16
    assert "pengan.three-ones" in {s["code"] for s in data["standards"]}


def test_every_hook_is_documented() -> None:
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    hooks = [
        name
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("xieshang_")
    ]
    assert hooks, "no hooks found"
    for name in hooks:
        assert f"{name}(" in docs, f"docs/plugins.md does not document the hook {name}"
        assert f"### `{name}" in docs, f"docs/plugins.md has no section for {name}"


# -- every hook goes through one isolating call --------------------------------------------


class Answers:
    """Answers screening with a fixed value (or raises it)."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer

    @hookimpl
    def xieshang_screen_topic(self, topic: Any) -> Any:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_call_each_isolates_each_plugin_and_names_its_distribution() -> None:
    from xieshang.engine.registry import Answer, Failure

    rules = RulePlugins.load(entry_points=False)
    rules.register(Answers(["first"]), "first", distribution="first-rules", version="1.0")
    rules.register(Answers(KeyError("no table")), "raises", distribution="raising-rules")
    rules.register(Answers("text"), "garbage", distribution="garbage-rules")
    rules.register(Answers(["last"]), "last")

    def as_list(value: object) -> list[str]:
        if not isinstance(value, list):
            raise TypeError(f"returned {type(value).__name__}, not a list")
        return value

    answers = rules.call_each("xieshang_screen_topic", as_list, fix="fix it", topic="a topic")
    by_plugin = {a.plugin.name: a for a in answers}
    assert set(by_plugin) == {"first", "raises", "garbage", "last"}
    first, last = by_plugin["first"], by_plugin["last"]
    assert isinstance(first, Answer) and first.value == ["first"]
    assert isinstance(last, Answer) and last.value == ["last"]
    raised, garbage = by_plugin["raises"], by_plugin["garbage"]
    assert isinstance(raised, Failure) and isinstance(raised.error, KeyError)
    assert (raised.problem.plugin, raised.problem.distribution) == ("raises", "raising-rules")
    assert raised.problem.message == "xieshang_screen_topic() raised KeyError: 'no table'"
    assert isinstance(garbage, Failure) and garbage.problem.distribution == "garbage-rules"
    assert garbage.problem.message == "xieshang_screen_topic() returned str, not a list"
    assert all(a.problem.fix == "fix it" for a in answers if isinstance(a, Failure))


def test_no_hook_is_called_but_through_call_each() -> None:
    """One helper isolates plugins: no other module calls a hook, or catches its errors."""
    calls = re.compile(r"\.hook\.|get_hookimpls\(|impl\.function\(")
    found = []
    for path in sorted((ROOT / "xieshang").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name == "registry.py" and path.parent.name == "engine":
            # Only inside RulePlugins.call_each.
            start = text.index("    def call_each(")
            end = text.index("\n    def ", start + 1)
            text = text[:start] + text[end:]
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in calls.finditer(text)]
    assert found == []


# -- the plugin API version a plugin supports ------------------------------------------------


class Declares:
    """A plugin that says which plugin API versions it supports."""

    def __init__(self, versions: Any) -> None:
        self.xieshang_api_version = versions

    @hookimpl
    def xieshang_standards(self) -> list[Standard]:
        return [standard("declares.quarterly")]


@pytest.mark.parametrize(
    "versions", [PLUGIN_API_VERSION, (PLUGIN_API_VERSION,), ("1.4", PLUGIN_API_VERSION), "2.0"]
)
def test_a_plugin_supporting_this_api_version_loads(versions: Any) -> None:
    rules = RulePlugins.load(extra=(("declares", Declares(versions)),))
    assert rules.problems == [] and "declares.quarterly" in rules.standards


@pytest.mark.parametrize(
    ("versions", "message", "fix"),
    [
        (
            "2.9",
            "supports plugin API 2.9; this xieshang provides plugin API 2.0",
            "upgrade xieshang",
        ),
        ("3.0", "supports plugin API 3.0", "upgrade xieshang"),
        (("1.0", "1.4"), "supports plugin API 1.0, 1.4", 'add "2.0" to its xieshang_api_version'),
        ("2", "is not a plugin API version", 'xieshang_api_version = "2.0"'),
        (2.0, "is not a plugin API version", 'xieshang_api_version = "2.0"'),
        ((), "is not a plugin API version", 'xieshang_api_version = "2.0"'),
    ],
)
def test_a_plugin_for_another_api_version_is_refused_with_what_to_do(
    versions: Any, message: str, fix: str
) -> None:
    assert PLUGIN_API_VERSION == "2.0"  # the messages below name it
    rules = RulePlugins.load(extra=(("declares", Declares(versions)),))
    (problem,) = rules.problems
    assert problem.plugin == "declares"
    assert message in problem.message and fix in problem.fix, (problem.message, problem.fix)
    assert "declares" not in rules.plugins and "declares.quarterly" not in rules.standards
    assert "pengan.three-ones" in rules.standards  # the others still load


def test_the_built_in_plugin_declares_a_supported_api_version() -> None:
    from xieshang.engine.registry import api_version_problem
    from xieshang.plugins import pengan

    assert isinstance(pengan.xieshang_api_version, str)
    assert api_version_problem(pengan, "pengan", "xieshang") is None
