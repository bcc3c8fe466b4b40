"""Custom criterion (自定义): a function of the plugin's own, for what no built-in kind covers.

The function receives the subject's facts (:class:`~xieshang.rules.results.CriterionInput`) and
returns a :class:`~xieshang.rules.results.CriterionResult`. If it raises, that criterion's result
is ERROR naming the plugin; the other criteria are evaluated as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from xieshang.rules.criteria import JSON, DataclassCriterion
from xieshang.rules.results import CriterionInput, CriterionResult
from xieshang.rules.standards import RecordKind, SubjectKind


@dataclass(frozen=True)
class CustomCriterion(DataclassCriterion):
    """A criterion computed by the plugin: ``evaluate(input) -> CriterionResult``.

    The function is the criterion's :meth:`~xieshang.rules.criteria.Criterion.evaluate`; it has
    no numbers a county could override and no parameters to show.
    """

    code: str
    title: str
    evaluate: Callable[[CriterionInput], CriterionResult]
    description: str = ""

    kind: ClassVar[str] = "CUSTOM"

    def problems(self, subject: SubjectKind, records: frozenset[RecordKind]) -> list[str]:
        """The function must be callable."""
        return [] if callable(self.evaluate) else ["evaluate must be callable"]

    def parameters(self) -> dict[str, JSON]:
        """None: the function is the plugin's own."""
        return {}
