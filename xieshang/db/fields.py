"""What each column means, declared once, next to the column (SQLAlchemy's ``info``).

``name: Mapped[str] = mapped_column(sa.String(50), info=field("姓名", "name", filter=CONTAINS))``
says everything xieshang derives about the column besides its type, length and nullability:

- its Chinese **label**, used in messages ("姓名不能为空"), as the head of its GraphQL
  description (``姓名 name``) and as its spreadsheet header;
- the English **term** and any further **note** of the description;
- whether lists **filter** by it (equal value, text contained, a date range) and **sort** by it;
- whether clients **write** it (on create and update, on create only, never) and whether the API
  shows it as a plain field (``shown=False``: a resolver of the type's own shows it, masked, or
  nothing does);
- whether rosters have it as a **sheet** column, and for a reference what names the row there.

The schema (:mod:`xieshang.schema.derive`), the domain's messages (:mod:`xieshang.domain.labels`)
and the spreadsheets (:mod:`xieshang.domain.rosters`) read these; none repeats them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import sqlalchemy as sa

#: Key of the declaration in a column's ``info``.
INFO_KEY = "xieshang"


class Filter(Enum):
    """How a list filters by a column."""

    #: ``field: value`` (a reference: the referenced row's global ID).
    EQUALS = "EQUALS"
    #: ``fieldContains: text`` — the text appears in the column.
    CONTAINS = "CONTAINS"
    #: ``fieldFrom`` / ``fieldTo`` — an inclusive range of dates or times (``submitted_on`` →
    #: ``submittedFrom`` / ``submittedTo``).
    RANGE = "RANGE"


class Write(Enum):
    """When clients give a column's value."""

    #: On create and on update.
    ALWAYS = "ALWAYS"
    #: On create only (the parent a row belongs to, the source of a topic …).
    CREATE = "CREATE"
    #: Never: the operations set it (a status, a timestamp, a hash).
    NEVER = "NEVER"


EQUALS, CONTAINS, RANGE = Filter.EQUALS, Filter.CONTAINS, Filter.RANGE
ALWAYS, CREATE, NEVER = Write.ALWAYS, Write.CREATE, Write.NEVER


@dataclass(frozen=True)
class Field:
    """The declaration of one column (see the module docstring)."""

    label: str
    term: str
    note: str = ""
    filter: Filter | None = None
    sort: bool = False
    write: Write = Write.ALWAYS
    #: Shown by the API as a plain field (a reference: as a relation to the row it names).
    shown: bool = True
    #: For a reference: the name of the relation field (default: the column without ``_id``).
    relation: str | None = None
    #: A roster column (members, platforms, studios spreadsheets).
    sheet: bool = False
    #: For a roster column that is a reference: the attributes of the referenced row that name
    #: it in a cell, each its own column (``("code", "name")``: 领衔委员编号, 领衔委员).
    sheet_by: tuple[str, ...] = ("name",)
    #: The roster header when it is not the label (kept for files already in use).
    header: str | None = None

    @property
    def description(self) -> str:
        """Chinese first, the English term after, then the note: ``届次 term，如 11 表示第十一届``."""
        return f"{self.label} {self.term}{self.note}"


def field(
    label: str,
    term: str,
    note: str = "",
    *,
    filter: Filter | None = None,
    sort: bool = False,
    write: Write = Write.ALWAYS,
    shown: bool = True,
    relation: str | None = None,
    sheet: bool = False,
    sheet_by: tuple[str, ...] = ("name",),
    header: str | None = None,
) -> dict[str, Any]:
    """The ``info`` of a column declared with these facts."""
    return {
        INFO_KEY: Field(
            label,
            term,
            note,
            filter=filter,
            sort=sort,
            write=write,
            shown=shown,
            relation=relation,
            sheet=sheet,
            sheet_by=sheet_by,
            header=header,
        )
    }


def declared(column: sa.ColumnElement[Any] | sa.Column[Any]) -> Field | None:
    """The declaration of a column, if it has one."""
    info = getattr(column, "info", None) or {}
    found = info.get(INFO_KEY)
    return found if isinstance(found, Field) else None


def declarations(model: type[Any]) -> dict[str, Field]:
    """Column name → declaration for every declared column of ``model``, in column order."""
    table: sa.Table = model.__table__
    found: dict[str, Field] = {}
    for column in table.columns:
        declaration = declared(column)
        if declaration is not None:
            found[column.name] = declaration
    return found
