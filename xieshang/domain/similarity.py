"""Similar topics (相似议题): hints that a topic coming in may repeat one already collected.

No tokenizer is needed for Chinese: texts are compared by their **character bigrams** (every two
neighbouring characters, after dropping spaces and punctuation and lower-casing Latin letters).

- title score ``t`` = Dice coefficient of the two titles' bigram sets:
  ``2·|A∩B| / (|A| + |B|)`` (a one-character title counts as its single character);
- score ``s`` = ``t``, raised by a fifth of what is left (``t + 0.2·(1 − t)``) when both topics
  have the same theme;
- a topic is listed when ``t ≥`` :data:`THRESHOLD` (so sharing a theme alone never suffices),
  best score first, then oldest first.

Candidates are the other topics of the same county and year that are not archived. They are read
with one statement for any number of topics (grouped by county and year), and the listed rows
with a second one.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models as m

#: Smallest title score (Dice over character bigrams) for a topic to be listed.
THRESHOLD = 0.3
#: Weight of a shared theme: the share of the remaining distance to 1 it adds.
THEME_BONUS = 0.2
#: Most hints a caller may ask for.
MAX_FIRST = 20


def normalized(text: str | None) -> str:
    """``text`` without spaces and punctuation, Latin letters lower-cased, full-width folded."""
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in ("L", "N"))


def bigrams(text: str | None) -> frozenset[str]:
    """The set of character bigrams of ``text`` (its single character when it has one)."""
    chars = normalized(text)
    if len(chars) == 1:
        return frozenset({chars})
    return frozenset(chars[i : i + 2] for i in range(len(chars) - 1))


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def score(title_score: float, theme_a: str | None, theme_b: str | None) -> float:
    """The listed score: the title score, raised when both topics share a theme."""
    same_theme = bool(normalized(theme_a)) and normalized(theme_a) == normalized(theme_b)
    return title_score + THEME_BONUS * (1 - title_score) if same_theme else title_score


@dataclass(frozen=True)
class Probe:
    """A topic to find neighbours for (an existing topic, or one about to be saved)."""

    id: int | None
    county_id: int
    year: int
    title: str
    theme: str | None

    @classmethod
    def of(cls, topic: m.Topic) -> Probe:
        return cls(topic.id, topic.county_id, topic.year, topic.title, topic.theme)


@dataclass(frozen=True)
class Similar:
    """One hint: a topic and how similar it is (0–1, rounded to three places)."""

    topic: m.Topic
    score: float


def rank(
    probe: Probe, candidates: Sequence[tuple[int, str, str | None]], first: int
) -> list[tuple[int, float]]:
    """``(id, score)`` of the ``first`` best candidates ``(id, title, theme)`` above the threshold."""
    mine = bigrams(probe.title)
    found: list[tuple[float, int]] = []
    for pk, title, theme in candidates:
        if pk == probe.id:
            continue
        title_score = dice(mine, bigrams(title))
        if title_score >= THRESHOLD:
            found.append((score(title_score, probe.theme, theme), pk))
    found.sort(key=lambda item: (-item[0], item[1]))
    return [(pk, round(value, 3)) for value, pk in found[:first]]


async def similar_topics(
    session: AsyncSession, probes: Sequence[Probe], first: int
) -> list[list[Similar]]:
    """For each probe, its most similar topics (see the module doc); two statements in all."""
    if first <= 0 or not probes:
        return [[] for _ in probes]
    first = min(first, MAX_FIRST)
    groups = {(p.county_id, p.year) for p in probes}
    t = m.Topic
    rows = await session.execute(
        sa.select(t.id, t.county_id, t.year, t.title, t.theme).where(
            t.archived_at.is_(None),
            sa.or_(*[sa.and_(t.county_id == c, t.year == y) for c, y in sorted(groups)]),
        )
    )
    by_group: dict[tuple[int, int], list[tuple[int, str, str | None]]] = defaultdict(list)
    for pk, county_id, year, title, theme in rows:
        by_group[(county_id, year)].append((pk, title, theme))
    ranked = [rank(p, by_group[(p.county_id, p.year)], first) for p in probes]
    wanted = {pk for hits in ranked for pk, _ in hits}
    loaded: dict[int, Any] = {}
    if wanted:
        loaded = {
            row.id: row for row in await session.scalars(sa.select(t).where(t.id.in_(wanted)))
        }
    return [[Similar(loaded[pk], value) for pk, value in hits if pk in loaded] for hits in ranked]
