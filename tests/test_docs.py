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


README = DOCS.parent / "README.md"
TEST_COMMAND = re.compile(r"<!-- test-command -->\n```sh\n(.*?)\n```", re.S)


def test_the_readme_gives_one_test_command_in_both_languages() -> None:
    """.ci/run runs the first; on a fresh machine it must install the prerequisites itself."""
    commands = TEST_COMMAND.findall(README.read_text(encoding="utf-8"))
    assert len(commands) == 2, "README.md: one <!-- test-command --> block per language"
    assert commands[0] == commands[1], "the Chinese and English test commands differ"
    assert "scripts/prerequisites.sh" in commands[0]
    assert (DOCS.parent / "scripts" / "prerequisites.sh").is_file()
