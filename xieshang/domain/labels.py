"""Chinese names of fields for messages (“姓名不能为空”), from the columns' declarations."""

from __future__ import annotations

from typing import Any

from xieshang.db.fields import declarations


def label(model: type[Any] | None, field: str) -> str:
    """The Chinese label of model field ``field`` (the field itself when it declares none)."""
    if model is None:
        return field
    declared = declarations(model).get(field)
    return declared.label if declared is not None else field
