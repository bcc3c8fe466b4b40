"""Reading and writing one cell: the value a column's type needs from what a person typed.

Excel stores a phone number or a code typed as digits as a number, a date as a date, and people
write 是/否 or Y/N for yes and no; enums are written in Chinese (男) and accepted as codes (MALE).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any


class CellError(ValueError):
    """A cell that cannot be read; the message is Chinese and shown as the row's reason."""


def text(value: Any) -> str | None:
    """A cell as text (None when empty); numbers Excel made of codes lose their ``.0``."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number or code Excel stored as a number
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    found = str(value).strip()
    return found or None


def integer(value: Any) -> int | None:
    """A whole number."""
    found = text(value)
    if found is None:
        return None
    try:
        return int(found)
    except ValueError:
        raise CellError(f"应为整数，填写的是“{found}”") from None


def day(value: Any) -> date | None:
    """A date: an Excel date, or text like 2024-03-01 or 2024/3/1."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    found = text(value)
    if found is None:
        return None
    try:
        return date.fromisoformat(found.replace("/", "-"))
    except ValueError:
        raise CellError(f"应为日期（如 2024-03-01），填写的是“{found}”") from None


YES = frozenset({"是", "Y", "YES", "TRUE", "1"})
NO = frozenset({"否", "N", "NO", "FALSE", "0"})


def yes_no(value: Any) -> bool | None:
    """是 or 否 (also Y/N, TRUE/FALSE, 1/0)."""
    found = text(value)
    if found is None:
        return None
    if found.upper() in YES:
        return True
    if found.upper() in NO:
        return False
    raise CellError(f"应填“是”或“否”，填写的是“{found}”")


def short_label(member: Enum) -> str:
    """The Chinese part of an enum member's label: ``男 male`` → ``男``."""
    return str(getattr(member, "label", "")).split(" ")[0] or str(member.value)


def choice(enum: type[Enum]) -> Callable[[Any], Any]:
    """A reader of one of ``enum``'s values, by its Chinese label or its code."""
    by_text: dict[str, Enum] = {}
    for member in enum:
        by_text[short_label(member)] = member
        by_text[str(member.value)] = member

    def read(value: Any) -> Any:
        found = text(value)
        if found is None:
            return None
        member = by_text.get(found) or by_text.get(found.upper())
        if member is None:
            allowed = "、".join(short_label(x) for x in enum)
            raise CellError(f"应为以下之一：{allowed}；填写的是“{found}”")
        return member

    return read


def reader(kind: Any) -> Callable[[Any], Any]:
    """The reader of cells of a column whose values are of Python type ``kind``."""
    if isinstance(kind, type) and issubclass(kind, Enum):
        return choice(kind)
    if kind is bool:
        return yes_no
    if kind is int:
        return integer
    if kind is date:
        return day
    return text


def shown(value: Any) -> Any:
    """A value as written to a cell: labels for enums, 是/否, ISO dates, text otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Enum):
        return short_label(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
