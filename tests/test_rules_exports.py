"""What ``xieshang.rules`` exports is exactly its ``__all__`` (modelled on httpx's
tests/test_exported_members.py), defined inside the contract; deprecated names follow the
compatibility policy of docs/plugins.md."""

from __future__ import annotations

import inspect
import re
import types
import warnings

import pluggy
import pytest

import xieshang.rules
from xieshang.rules import PLUGIN_API_VERSION, ProposerRole
from xieshang.rules.compat import DEPRECATED_NAMES, version_tuple

#: Exports that are values rather than definitions, with the type each must have.
VALUES: dict[str, type] = {"PLUGIN_API_VERSION": str, "hookimpl": pluggy.HookimplMarker}


def _public_namespace() -> list[str]:
    """Public names of the package, but its own submodules (``xieshang.rules.standards`` …)."""
    return [
        name
        for name, value in vars(xieshang.rules).items()
        if not name.startswith("_")
        and not (
            isinstance(value, types.ModuleType) and value.__name__.startswith("xieshang.rules.")
        )
    ]


def _isort_key(name: str) -> tuple[int, str]:
    # The order ruff's RUF022 keeps: CONSTANTS, then Classes, then functions and instances.
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def test_every_name_in_all_exists() -> None:
    missing = [name for name in xieshang.rules.__all__ if not hasattr(xieshang.rules, name)]
    assert missing == []


def test_everything_public_is_in_all() -> None:
    assert sorted(_public_namespace()) == sorted(xieshang.rules.__all__)


def test_all_is_sorted_and_has_no_duplicates() -> None:
    names = xieshang.rules.__all__
    assert names == sorted(names, key=_isort_key)
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("name", xieshang.rules.__all__)
def test_each_export_is_defined_in_the_contract(name: str) -> None:
    value = getattr(xieshang.rules, name)
    if inspect.isclass(value) or inspect.isfunction(value):
        assert value.__module__.startswith("xieshang.rules."), value.__module__
    else:
        # A value, not a definition: only the few listed, each of its declared type.
        assert name in VALUES and isinstance(value, VALUES[name])


def test_hookimpl_marks_xieshang_hooks() -> None:
    assert xieshang.rules.hookimpl.project_name == "xieshang"


def test_the_plugin_api_version_is_major_dot_minor() -> None:
    assert re.fullmatch(r"\d+\.\d+", PLUGIN_API_VERSION)
    assert version_tuple(PLUGIN_API_VERSION) >= (2, 0)


def test_a_deprecated_name_still_works_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="ProposerRole") as caught:
        role = xieshang.rules.Role  # type: ignore[attr-defined]
    assert role is ProposerRole
    assert "3.0" in str(caught[0].message)  # says when it goes
    assert "Role" not in xieshang.rules.__all__ and "Role" not in vars(xieshang.rules)


def test_deprecated_names_are_removed_after_one_major_version() -> None:
    """Policy: a name deprecated in major version N works until N + 1, where it is removed."""
    major, _ = version_tuple(PLUGIN_API_VERSION)
    for old, (new, since) in DEPRECATED_NAMES.items():
        assert since == major, f"{old} was deprecated in {since}.0: remove it in {major}.0"
        assert new in xieshang.rules.__all__


def test_an_unknown_name_is_an_attribute_error() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError, match="NoSuchThing"):
            xieshang.rules.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018
