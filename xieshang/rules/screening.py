"""What a topic-screening rule sees and says (议题初筛): :class:`TopicDraft` in,
:class:`ScreeningNote` s out. Part of the plugin contract (re-exported by ``xieshang.rules``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How much a screening note weighs."""

    #: 不予受理: the submission is refused with the note's message; nothing is written.
    REFUSE = "REFUSE"
    #: 需注意: kept with the topic; the county office should look at it before selecting.
    WARNING = "WARNING"
    #: 提示: kept with the topic, for information.
    NOTICE = "NOTICE"


@dataclass(frozen=True)
class TopicDraft:
    """A topic as it comes in, before it is saved: what a screening rule may look at.

    ``source`` is the source's code (``PARTY_COMMITTEE``, ``GOVERNMENT``, ``MEMBER_PROPOSAL``,
    ``PUBLIC``); ``active_standards`` are the codes of the standards the county has switched on,
    so that a plugin can tell whether the county uses its rules at all.
    """

    title: str
    description: str | None
    source: str
    theme: str | None
    year: int
    county_code: str
    active_standards: frozenset[str] = frozenset()

    @property
    def text(self) -> str:
        """Title and description together, for rules that search the whole text."""
        return f"{self.title}\n{self.description or ''}"


@dataclass(frozen=True)
class ScreeningNote:
    """What a screening rule says about a topic: a stable code, a severity and a Chinese message.

    ``severity`` may be given as a :class:`Severity` or its name (``"WARNING"``).
    """

    code: str
    severity: Severity
    message: str

    def __post_init__(self) -> None:
        # Accept the plain name too; an unknown one is a ValueError the engine reports.
        object.__setattr__(self, "severity", Severity(self.severity))
