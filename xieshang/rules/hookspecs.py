"""The hooks a rule plugin can implement. Each returns data; none does I/O.

A plugin is a module (or object) with functions marked ``@hookimpl`` and named like these
specifications. docs/plugins.md documents each one; a test checks that none is missing there.
"""

from __future__ import annotations

import pluggy

from xieshang.rules.screening import ScreeningNote, TopicDraft
from xieshang.rules.standards import ActivityKind, Standard

PROJECT = "xieshang"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def xieshang_standards() -> list[Standard]:  # type: ignore[empty-body]
    """Return the standards this plugin provides (studio, platform, member or county standards)."""


@hookspec
def xieshang_activity_kinds() -> list[ActivityKind]:  # type: ignore[empty-body]
    """Return extra activity kinds a county records, such as ROTA_RECEPTION (轮值接待)."""


@hookspec
def xieshang_screen_topic(topic: TopicDraft) -> list[ScreeningNote] | None:
    """Return notes on a topic coming in (REFUSE refuses it), or None when the rule does not apply."""
