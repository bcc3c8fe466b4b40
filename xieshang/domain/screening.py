"""Screening topics as they come in (议题初筛) by the rule plugins' ``xieshang_screen_topic`` hook.

Each plugin is asked on its own (:meth:`~xieshang.engine.registry.RulePlugins.call_each`, like
every hook): a plugin whose hook raises, or returns something that is not a list of notes, is
logged and leaves one NOTICE naming it (code ``SCREENING_ERROR``) so the county office knows the
screening was incomplete — intake itself goes on. A REFUSE note refuses the topic (``SCREENING_REFUSED`` with
the plugin's message); WARNING and NOTICE notes are stored with the topic.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models as m
from xieshang.db.enums import ScreeningSeverity, TopicSource
from xieshang.engine.registry import Failure, RulePlugins
from xieshang.errors import UserError, ValidationFailed
from xieshang.rules.screening import ScreeningNote, Severity, TopicDraft

logger = logging.getLogger("xieshang.screening")

#: Code of the NOTICE left when a plugin's screening failed.
ERROR_CODE = "SCREENING_ERROR"
#: Longest code a note may carry (the column's length).
MAX_CODE = 50
#: Longest message kept (longer ones are cut, they are hints for people).
MAX_MESSAGE = 2_000


@dataclass(frozen=True)
class PluginNote:
    """A note and the plugin that wrote it."""

    plugin: str
    note: ScreeningNote


async def draft_of(session: AsyncSession, topic: m.Topic) -> TopicDraft:
    """What the plugins see of ``topic``: its text, source, year, county and active standards."""
    county = await session.get(m.County, topic.county_id)
    codes = await session.scalars(
        sa.select(m.CountyStandard.standard_code).where(
            m.CountyStandard.county_id == topic.county_id
        )
    )
    return TopicDraft(
        title=topic.title,
        description=topic.description,
        source=TopicSource(topic.source).value,
        theme=topic.theme,
        year=topic.year,
        county_code=county.code if county is not None else "",
        active_standards=frozenset(codes),
    )


def _valid(value: object) -> list[ScreeningNote]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise TypeError(f"returned {type(value).__name__}, not a list of ScreeningNote")
    notes: list[ScreeningNote] = []
    for item in value:
        if not isinstance(item, ScreeningNote):
            raise TypeError(f"returned {item!r}, not xieshang.rules.ScreeningNote")
        if not item.code.strip() or len(item.code) > MAX_CODE or not item.message.strip():
            raise ValueError(f"note {item.code!r}: code (≤ {MAX_CODE}) and message are required")
        notes.append(item)
    return notes


def run(rules: RulePlugins, draft: TopicDraft) -> list[PluginNote]:
    """Ask every plugin implementing the hook about ``draft``, each one isolated from the rest."""
    found: list[PluginNote] = []
    for answer in rules.call_each(
        "xieshang_screen_topic",
        _valid,
        fix="fix the plugin's xieshang_screen_topic (see docs/plugins.md)",
        topic=draft,
    ):
        name = answer.plugin.name
        if isinstance(answer, Failure):
            # A broken plugin must not stop residents from submitting: log it, note it, go on.
            logger.error(
                "rule plugin %s: xieshang_screen_topic failed: %s",
                name,
                answer.problem,
                exc_info=answer.error,
            )
            failed = ScreeningNote(
                ERROR_CODE,
                Severity.NOTICE,
                f"规则插件 {name} 初筛出错，未给出意见（详见服务日志）",
            )
            found.append(PluginNote(name, failed))
            continue
        found += [PluginNote(name, note) for note in answer.value]
    return found


async def screen(
    session: AsyncSession, rules: RulePlugins, topic: m.Topic
) -> list[m.TopicScreeningNote]:
    """Screen ``topic`` (flushed, not yet committed) and store its notes.

    Raises :class:`ValidationFailed` (``SCREENING_REFUSED``, one error per refusal) when a plugin
    refuses the topic; the caller's transaction then writes nothing.
    """
    notes = run(rules, await draft_of(session, topic))
    refusals = [n for n in notes if n.note.severity is Severity.REFUSE]
    if refusals:
        raise ValidationFailed(
            [UserError(None, "SCREENING_REFUSED", n.note.message.strip()) for n in refusals]
        )
    rows = [
        m.TopicScreeningNote(
            county_id=topic.county_id,
            topic_id=topic.id,
            plugin=n.plugin[:100],
            code=n.note.code.strip(),
            severity=ScreeningSeverity(n.note.severity.value),
            message=n.note.message.strip()[:MAX_MESSAGE],
        )
        for n in notes
    ]
    session.add_all(rows)
    return rows
