"""The docs: GraphQL examples are valid against the schema; the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

import graphql
import pytest

from xieshang.config import Settings
from xieshang.schema import build_schema

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCK = re.compile(r"```graphql\n(.*?)```", re.S)


def examples() -> list[tuple[str, str]]:
    found = []
    for path in sorted(DOCS.glob("*.md")):
        for i, block in enumerate(BLOCK.findall(path.read_text(encoding="utf-8"))):
            found.append((f"{path.name}#{i + 1}", block))
    return found


def test_there_are_examples() -> None:
    assert len(examples()) >= 10


@pytest.mark.parametrize(("where", "document"), examples(), ids=[w for w, _ in examples()])
def test_example_is_valid(where: str, document: str) -> None:
    schema = build_schema(Settings())._schema
    errors = graphql.validate(schema, graphql.parse(document))
    assert errors == [], f"{where}: {[e.message for e in errors]}"


@pytest.mark.parametrize(
    ("where", "document"),
    [(w, d) for w, d in examples() if "$" not in d and d.lstrip().startswith("query")],
    ids=[w for w, d in examples() if "$" not in d and d.lstrip().startswith("query")],
)
async def test_examples_without_variables_run_on_the_demo(
    xieshang_demo_client: object, where: str, document: str
) -> None:
    from xieshang.testing import GraphQLClient

    assert isinstance(xieshang_demo_client, GraphQLClient)
    data = await xieshang_demo_client.query(document)
    assert data, where


# -- the plugin-author guide (modelled on datasette's test_plugin_hooks_are_documented) --------

PLUGINS_MD = DOCS / "plugins.md"
HOOK_HEADING = re.compile(r"^### `(xieshang_\w+)\((.*)\)(?: -> (.+))?`$", re.M)


def _hooks() -> dict[str, str]:
    """Each hook specification's full signature, as a plugin author writes it."""
    import inspect

    from xieshang.rules import hookspecs

    found = {}
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction):
        if not name.startswith("xieshang_"):
            continue
        signature = inspect.signature(fn)  # annotations stay text (postponed evaluation)
        parameters = []
        for parameter in signature.parameters.values():
            assert parameter.annotation is not inspect.Parameter.empty, f"{name}: {parameter}"
            parameters.append(f"{parameter.name}: {parameter.annotation}")
        assert signature.return_annotation is not inspect.Signature.empty, name
        found[name] = f"{name}({', '.join(parameters)}) -> {signature.return_annotation}"
    return found


def test_there_are_hooks() -> None:
    assert set(_hooks()) >= {
        "xieshang_standards",
        "xieshang_activity_kinds",
        "xieshang_screen_topic",
    }


@pytest.mark.parametrize("hook", sorted(_hooks()))
def test_every_hook_is_documented_with_its_full_signature(hook: str) -> None:
    documented = {
        m.group(1): f"{m.group(1)}({m.group(2)}) -> {m.group(3)}"
        for m in HOOK_HEADING.finditer(PLUGINS_MD.read_text(encoding="utf-8"))
    }
    assert hook in documented, f"docs/plugins.md has no '### `{hook}(…) -> …`' heading"
    assert documented[hook] == _hooks()[hook]


def test_the_docs_document_no_hook_that_does_not_exist() -> None:
    documented = {m.group(1) for m in HOOK_HEADING.finditer(PLUGINS_MD.read_text("utf-8"))}
    assert documented == set(_hooks())


def _criterion_kinds() -> list[str]:
    import xieshang.rules as rules

    return [
        name
        for name in rules.__all__
        if isinstance(getattr(rules, name), type)
        and isinstance(getattr(getattr(rules, name), "kind", None), str)
    ]


@pytest.mark.parametrize("kind", _criterion_kinds())
def test_every_criterion_kind_has_a_section(kind: str) -> None:
    import xieshang.rules as rules

    text = PLUGINS_MD.read_text(encoding="utf-8")
    assert f"### `{kind}`" in text, f"docs/plugins.md has no section for {kind}"
    api_name = getattr(rules, kind).kind
    assert f"`{api_name}`" in text, f"docs/plugins.md does not name the kind {api_name}"


def test_the_plugin_api_version_and_the_files_of_a_new_kind_are_documented() -> None:
    from xieshang.rules import PLUGIN_API_VERSION

    text = PLUGINS_MD.read_text(encoding="utf-8")
    assert f'xieshang_api_version = "{PLUGIN_API_VERSION}"' in text
    assert f"`PLUGIN_API_VERSION`（当前 `{PLUGIN_API_VERSION}`）" in text
    for path in ("xieshang/rules/<kind>.py", "xieshang/rules/__init__.py", "docs/plugins.md"):
        assert f"`{path}`" in text, path


README = DOCS.parent / "README.md"
TEST_COMMAND = re.compile(r"<!-- test-command -->\n```sh\n(.*?)\n```", re.S)


def test_the_readme_gives_one_test_command_in_both_languages() -> None:
    """.ci/run runs the first; on a fresh machine it must install the prerequisites itself."""
    commands = TEST_COMMAND.findall(README.read_text(encoding="utf-8"))
    assert len(commands) == 2, "README.md: one <!-- test-command --> block per language"
    assert commands[0] == commands[1], "the Chinese and English test commands differ"
    assert "scripts/prerequisites.sh" in commands[0]
    assert (DOCS.parent / "scripts" / "prerequisites.sh").is_file()
