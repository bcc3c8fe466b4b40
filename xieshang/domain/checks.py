"""Input checks shared by every operation: text length and emptiness from the column types,
ranges and date order declared by the rules of each entity.

A :class:`Checker` collects every problem before anything is written, so a client sees all
that is wrong with its input at once.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa

from xieshang.domain.labels import label
from xieshang.errors import UserError, ValidationFailed

#: Longest text accepted for unbounded (TEXT) columns.
MAX_TEXT = 20_000

#: Columns the operations set themselves; never taken from input.
MANAGED = {"id", "county_id", "version", "created_at", "updated_at", "archived_at"}


class Checker:
    """Collects :class:`UserError` s; ``raise_if_any`` ends the operation when there are some."""

    def __init__(self, model: type[Any] | None = None) -> None:
        self.errors: list[UserError] = []
        self.model = model

    def label(self, field: str) -> str:
        """The Chinese name of ``field`` of this model (姓名 for a member's name)."""
        return label(self.model, field)

    def fail(self, field: str | None, code: str, message: str) -> None:
        """Note a problem with model field ``field`` (None: with the input as a whole)."""
        self.errors.append(UserError(field, code, message))

    def has(self, field: str) -> bool:
        return any(e.field == field for e in self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)

    # -- declared rules ------------------------------------------------------------------

    def in_range(self, field: str, value: int | None, low: int | None, high: int | None) -> None:
        if value is None:
            return
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = (
                f"{low} 到 {high}"
                if low is not None and high is not None
                else (f"不小于 {low}" if low is not None else f"不大于 {high}")
            )
            self.fail(field, "OUT_OF_RANGE", f"{self.label(field)}应为 {bounds}（收到 {value}）")

    def not_before(
        self,
        later_field: str,
        later: date | datetime | None,
        earlier_field: str,
        earlier: date | datetime | None,
    ) -> None:
        if later is None or earlier is None:
            return
        if later < earlier:
            self.fail(
                later_field,
                "DATE_ORDER",
                f"{self.label(later_field)}（{later}）不能早于{self.label(earlier_field)}（{earlier}）",
            )

    def required(self, field: str, value: Any) -> None:
        if value is None and not self.has(field):
            self.fail(field, "REQUIRED", f"{self.label(field)}不能为空")

    # -- checks derived from the model's columns -----------------------------------------

    def columns(self, model: Any, values: dict[str, Any], *, creating: bool) -> dict[str, Any]:
        """Clean ``values`` against ``model``'s columns: trim text, empty text to None, refuse
        what is too long and required values left empty. Returns the cleaned values."""
        table: sa.Table = model.__table__
        cleaned: dict[str, Any] = {}
        for name, value in values.items():
            column = table.c.get(name)
            if column is None or name in MANAGED:
                cleaned[name] = value
                continue
            # Enum values are strings too (StrEnum) but are not text to trim.
            if isinstance(value, str) and not isinstance(value, Enum):
                value = value.strip() or None
                if value is not None:
                    limit = getattr(column.type, "length", None) or MAX_TEXT
                    if len(value) > limit:
                        self.fail(
                            name,
                            "TOO_LONG",
                            f"{self.label(name)}不能超过 {limit} 个字（现为 {len(value)} 个字）",
                        )
            if value is None and not column.nullable:
                self.fail(name, "REQUIRED", f"{self.label(name)}不能为空")
            cleaned[name] = value
        if creating:
            for column in table.columns:
                missing = column.name not in cleaned and column.name not in MANAGED
                if missing and not column.nullable and column.default is None:
                    self.fail(column.name, "REQUIRED", f"{self.label(column.name)}不能为空")
        return cleaned
