"""Rosters (花名册) of members, platforms and studios, to and from spreadsheets.

A roster's columns are the model's columns declared ``sheet=True`` (:mod:`xieshang.db.fields`),
in column order: the header is the column's label, each cell is read by the column's type, and
a reference is named in its cells by the referenced row's attributes (``sheet_by``: a studio's
lead member by 委员编号 or by 姓名, each its own column). What a roster adds is its natural keys
and a sample row.

Import reads the whole file, then runs every row through :func:`crud.create` or
:func:`crud.update` — the same checks, and the same follow-ups (a studio's lead becomes a
member), as the GraphQL mutations — each row in a savepoint of the caller's unit of work,
collecting the row's problems. Nothing is written unless every row is valid, or, when asked,
the valid rows are. Rows are matched to existing ones by the first natural key the row fills
in, so importing a file twice changes nothing the second time; a row whose values are all
unchanged is not written at all (its version stays).

Export writes the roster in exactly the import format (parents before children, so a tree of
platforms imports in order), so an export imports back unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db.fields import Field, declarations
from xieshang.domain import crud
from xieshang.domain import organisation as _organisation  # noqa: F401  (registers 界别, 委室 …)
from xieshang.domain.crud import Entity, references_of
from xieshang.domain.labels import label
from xieshang.domain.members import MEMBER
from xieshang.domain.platforms import PLATFORM
from xieshang.domain.spreadsheets import cells
from xieshang.domain.spreadsheets.files import SpreadsheetError, write_xlsx
from xieshang.domain.studios import STUDIO
from xieshang.domain.unit_of_work import Work, restrict
from xieshang.errors import ValidationFailed, XieshangError

#: What a header adds for a reference named by an attribute other than its name.
_BY_SUFFIX = {"name": "", "code": "编号"}


@dataclass(frozen=True)
class Column:
    """One column of a roster, derived from a column declaration."""

    header: str
    #: The model field it fills (a ``*_id`` field for a reference).
    field: str
    declaration: Field
    read: Callable[[Any], Any]
    required: bool
    #: For a reference: the referenced model and the attribute its cells name it by.
    ref: tuple[Any, str] | None = None
    #: The column is one of several naming the same reference (by code, by name).
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Roster:
    """A roster kind: its entity, natural keys and sample row; the columns are derived."""

    name: str
    entity: Entity
    #: Natural keys, each a tuple of fields, tried in order: the first the row fills in matches
    #: existing rows, which must have the earlier keys empty (a member without a code is
    #: matched by name and term only among members without a code).
    keys: tuple[tuple[str, ...], ...]
    sample: Mapping[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.entity.label

    @property
    def columns(self) -> tuple[Column, ...]:
        return _columns(self.entity.model)

    def header(self) -> list[str]:
        return [c.header for c in self.columns]


_COLUMNS: dict[Any, tuple[Column, ...]] = {}


def _columns(model: Any) -> tuple[Column, ...]:
    found = _COLUMNS.get(model)
    if found is not None:
        return found
    table: sa.Table = model.__table__
    references = references_of(model)
    columns: list[Column] = []
    for name, declaration in declarations(model).items():
        if not declaration.sheet:
            continue
        column = table.c[name]
        required = not column.nullable and column.default is None
        base = declaration.header or declaration.label
        if name in references:
            headers = [base + _BY_SUFFIX.get(attr, attr) for attr in declaration.sheet_by]
            for attr, header in zip(declaration.sheet_by, headers, strict=True):
                others = tuple(h for h in headers if h != header)
                columns.append(
                    Column(header, name, declaration, cells.text, required,
                           (references[name], attr), others)
                )  # fmt: skip
            continue
        kind = column.type.python_type if not isinstance(column.type, sa.Enum) else None
        enum_class = column.type.enum_class if isinstance(column.type, sa.Enum) else None
        columns.append(Column(base, name, declaration, cells.reader(enum_class or kind), required))
    _COLUMNS[model] = tuple(columns)
    return _COLUMNS[model]


def note(roster: Roster, column: Column) -> str:
    """What the template's 填写说明 sheet says of a column."""
    parts: list[str] = []
    table: sa.Table = roster.entity.model.__table__
    if column.required and not column.alternatives:
        parts.append("必填")
    elif column.required:
        parts.append(f"与“{'”“'.join(column.alternatives)}”至少填一列")
    if column.ref is not None:
        target, attr = column.ref
        what = crud.entity_for(target)
        noun = what.label if what is not None else target.__name__
        parts.append(f"本县已有{noun}的{label(target, attr)}")
    elif column.read is cells.day:
        parts.append("日期，如 2024-03-01")
    elif column.read is cells.yes_no:
        parts.append("是 或 否")
    elif column.read is cells.integer:
        parts.append("整数")
    else:
        column_type = table.c[column.field].type
        if isinstance(column_type, sa.Enum) and column_type.enum_class is not None:
            choices = "、".join(cells.short_label(x) for x in column_type.enum_class)
            parts.append("可选：" + choices)
    default = table.c[column.field].default
    if default is not None and not default.is_callable:
        parts.append(f"空为{cells.shown(default.arg)}")  # type: ignore[attr-defined]
    unique = any(
        {c.name for c in constraint.columns} == {"county_id", column.field}
        for constraint in table.constraints
        if isinstance(constraint, sa.UniqueConstraint)
    )
    own_note = column.declaration.note.strip("，：（）")
    if unique and "唯一" not in own_note:
        parts.append("县内唯一")
    if any(column.field in key for key in roster.keys):
        parts.append("按此列匹配已有记录")
    if own_note and column.declaration.shown:
        # (The note of a column the API masks is about who sees it, not what to write.)
        parts.append(own_note)
    return "；".join(parts)


def template(roster: Roster) -> bytes:
    """A template .xlsx: the header and a sample row, and a sheet explaining every column."""
    notes = [
        [c.header, "是" if c.required else "否", note(roster, c) or "可不填"]
        for c in roster.columns
    ]
    keys = "；".join("、".join(label(roster.entity.model, f) for f in key) for key in roster.keys)
    notes.append(["（匹配已有记录）", "", f"按 {keys} 匹配：已有则更新，没有则新增"])
    notes.append(["（示例行）", "", "导入前请删除或替换第 2 行的示例"])
    sample = [roster.sample.get(c.header) for c in roster.columns]
    return write_xlsx(
        [
            (roster.label + "名册", roster.header(), [sample]),
            ("填写说明", ["列名", "必填", "说明"], notes),
        ]
    )


MEMBERS = Roster(
    "members",
    MEMBER,
    keys=(("code",), ("name", "term")),
    sample={
        "委员编号": "W0001",
        "姓名": "张三",
        "性别": "男",
        "所在乡镇": "相如街道",
        "联系电话": "13800000001",
        "是否常委": "否",
        "届次": 11,
        "状态": "在任",
        "任职日期": "2021-12-20",
    },
)
PLATFORMS = Roster(
    "platforms",
    PLATFORM,
    keys=(("name",),),
    sample={
        "名称": "示例镇协商平台",
        "层级": "乡镇（街道）级",
        "上级平台": "（本县县级平台的名称）",
        "所在区域": "示例镇",
        "依托阵地类型": "党群服务综合体",
        "建成日期": "2023-05-01",
    },
)
STUDIOS = Roster(
    "studios",
    STUDIO,
    keys=(("name",),),
    sample={
        "名称": "示例委员工作室",
        "领衔委员": "张三",
        "创建批次年份": 2024,
        "成立日期": "2024-06-01",
    },
)

KINDS: dict[str, Roster] = {k.name: k for k in (MEMBERS, PLATFORMS, STUDIOS)}


def kind_of(name: str) -> Roster:
    """The roster kind called ``name`` (members, platforms, studios)."""
    try:
        return KINDS[name]
    except KeyError:
        raise SpreadsheetError(f"未知的名册类型 {name}；可用：{'、'.join(KINDS)}") from None


# -- import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """A problem of one row: its row number in the file (header is row 1), column and reason."""

    row: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行"
        if self.column:
            where += f"「{self.column}」"
        return f"{where}：{self.reason}"


@dataclass
class ImportResult:
    """What an import did (or would have done)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False

    @property
    def rows_with_errors(self) -> int:
        return len({e.row for e in self.errors})


class RowsRefused(XieshangError):
    """Rows had errors and nothing was written (the result says which and why)."""

    code = "INVALID_ROWS"

    def __init__(self, result: ImportResult) -> None:
        super().__init__(f"{result.rows_with_errors} 行有错误，未写入任何数据")
        self.result = result


async def _resolve(
    session: AsyncSession, county_id: int, model: Any, attr: str, value: str
) -> list[int]:
    column = getattr(model, attr)
    stmt = sa.select(model.id).where(model.county_id == county_id, column == value)
    if hasattr(model, "archived_at"):
        stmt = stmt.where(model.archived_at.is_(None))
    return list((await session.scalars(stmt.limit(2))).all())


async def _row_values(
    session: AsyncSession, roster: Roster, county_id: int, cells_of_row: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[str | None, str]]]:
    """The model values of one row; cell problems as ``(header, reason)``."""
    values: dict[str, Any] = {}
    problems: list[tuple[str | None, str]] = []
    for column in roster.columns:
        if values.get(column.field) is not None:
            continue  # a reference already named by an earlier column (编号 before 姓名)
        try:
            value = column.read(cells_of_row.get(column.header))
        except cells.CellError as exc:
            problems.append((column.header, str(exc)))
            continue
        if column.ref is not None and value is not None:
            target, attr = column.ref
            found = await _resolve(session, county_id, target, attr, value)
            what = crud.entity_for(target)
            noun = what.label if what is not None else column.header
            if not found:
                problems.append((column.header, f"本县没有“{value}”这个{noun}"))
                continue
            if len(found) > 1:
                hint = f"，请填写{column.alternatives[0]}" if column.alternatives else ""
                problems.append((column.header, f"本县有多个{noun}名为“{value}”{hint}"))
                continue
            value = found[0]
        values[column.field] = value if value is not None else values.get(column.field)
    return values, problems


def _defaults(roster: Roster, values: dict[str, Any]) -> dict[str, Any]:
    """Empty cells of columns with a default (是否常委, 状态) take the default."""
    table: sa.Table = roster.entity.model.__table__
    for column in roster.columns:
        default = table.c[column.field].default
        if values.get(column.field) is None and default is not None and not default.is_callable:
            values[column.field] = default.arg  # type: ignore[attr-defined]
    return values


def _key(roster: Roster, values: dict[str, Any]) -> tuple[str, ...] | None:
    """The first natural key the row fills in."""
    return next((k for k in roster.keys if all(values.get(f) not in (None, "") for f in k)), None)


async def _existing(
    session: AsyncSession, roster: Roster, county_id: int, values: dict[str, Any]
) -> Any | None:
    key = _key(roster, values)
    if key is None:
        return None
    model = roster.entity.model
    stmt = sa.select(model).where(
        model.county_id == county_id, *[getattr(model, f) == values[f] for f in key]
    )
    for earlier in roster.keys[: roster.keys.index(key)]:
        stmt = stmt.where(*[getattr(model, f).is_(None) for f in earlier])
    return (await session.scalars(stmt.limit(1))).first()


def _header_of(roster: Roster, field_name: str | None) -> str | None:
    if field_name is None:
        return None
    return next((c.header for c in roster.columns if c.field == field_name), field_name)


def _check_header(roster: Roster, header: list[str]) -> None:
    missing = []
    for column in roster.columns:
        present = column.header in header or any(h in header for h in column.alternatives)
        named = not column.alternatives or column.header == column.declaration.label
        if column.required and not present and named and column.header not in missing:
            missing.append(column.header)
    if missing:
        raise SpreadsheetError(
            f"第 1 行缺少列：{'、'.join(missing)}（xieshang import template 可生成模板）"
        )
    unknown = [h for h in header if h and h not in set(roster.header())]
    if unknown:
        raise SpreadsheetError(f"第 1 行有不认识的列：{'、'.join(unknown)}")


async def import_rows(
    work: Work,
    roster: Roster,
    county_id: int,
    table: Sequence[Sequence[Any]],
    *,
    skip_invalid: bool = False,
) -> ImportResult:
    """Validate and write the rows of ``table`` (header first) in the caller's unit of work,
    which it restricts to ``county_id``.

    Every row runs in a savepoint; a row with errors is rolled back and reported. When any row
    has errors and ``skip_invalid`` is false, :class:`RowsRefused` ends the unit of work: nothing
    is written, and the refusal is what the audit trail records.
    """
    session = work.session
    result = ImportResult()
    if not table:
        raise SpreadsheetError("文件是空的：第 1 行应为列名")
    header = [cells.text(h) or "" for h in table[0]]
    _check_header(roster, header)
    restrict(session, county_id)
    seen: dict[tuple[Any, ...], int] = {}
    for number, raw in enumerate(table[1:], start=2):
        row = {h: v for h, v in zip(header, raw, strict=False) if h}
        if all(cells.text(v) is None for v in row.values()):
            continue  # blank rows at the end of a sheet
        values, problems = await _row_values(session, roster, county_id, row)
        if problems:
            result.errors.extend(RowError(number, col, why) for col, why in problems)
            continue
        values = _defaults(roster, values)
        key = _key(roster, values)
        identity = (key, *(values[f] for f in key)) if key is not None else None
        if identity is not None and identity in seen:
            # Without this the later row would silently overwrite the earlier one.
            assert key is not None
            names = "和".join(label(roster.entity.model, f) for f in key)
            shown = " ".join(str(values[f]) for f in key)
            result.errors.append(
                RowError(
                    number,
                    _header_of(roster, key[0]),
                    f"与第 {seen[identity]} 行的{names}相同（{shown}），同一记录只能出现一次",
                )
            )
            continue
        if identity is not None:
            seen[identity] = number
        try:
            async with session.begin_nested():
                outcome = await _write(work, roster, county_id, values)
        except ValidationFailed as exc:
            result.errors.extend(
                RowError(number, _header_of(roster, e.field), e.message) for e in exc.errors
            )
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
    result.committed = skip_invalid or not result.errors
    if not result.committed:
        raise RowsRefused(result)
    work.county_id = county_id
    work.detail = (
        f"created={result.created} updated={result.updated} "
        f"unchanged={result.unchanged} invalid_rows={result.rows_with_errors}"
    )
    return result


async def _write(work: Work, roster: Roster, county_id: int, values: dict[str, Any]) -> str:
    entity = roster.entity
    row = await _existing(work.session, roster, county_id, values)
    if row is None:
        await crud.create(work, entity, dict(values), county_id=county_id)
        return "created"
    changes = {k: v for k, v in values.items() if getattr(row, k) != v}
    if not changes:
        crud.check_not_archived(entity, row)
        return "unchanged"
    await crud.update(work, entity, row.id, row.version, changes, county_id=county_id)
    return "updated"


# -- export ---------------------------------------------------------------------------------


def _parents_first(rows: Sequence[Any], parent_field: str) -> list[Any]:
    """``rows`` in an order where each comes after the row it hangs below (a tree of platforms
    imports in order), each level in insertion order."""
    by_parent: dict[Any, list[Any]] = {}
    for row in rows:
        by_parent.setdefault(getattr(row, parent_field), []).append(row)
    ids = {row.id for row in rows}
    ordered: list[Any] = []
    level = [r for r in rows if getattr(r, parent_field) not in ids]
    while level:
        ordered += level
        level = [child for parent in level for child in by_parent.get(parent.id, [])]
    return ordered


async def roster_rows(
    session: AsyncSession,
    roster: Roster,
    county_id: int,
    *,
    personal: Callable[[str | None], str | None] = lambda value: value,
) -> list[list[Any]]:
    """The county's current (not archived) rows of ``roster`` in the import format.

    ``personal`` shows personal data (a member's phone) to the viewer: whole, masked or not at all.
    """
    model = roster.entity.model
    stmt = sa.select(model).where(model.county_id == county_id, model.archived_at.is_(None))
    rows: list[Any] = list((await session.scalars(stmt.order_by(model.id))).all())
    self_references = [f for f, target in references_of(model).items() if target is model]
    for parent_field in self_references:
        rows = _parents_first(rows, parent_field)
    names: dict[tuple[Any, str], dict[int, Any]] = {}
    for column in roster.columns:
        if column.ref is not None and column.ref not in names:
            target, attr = column.ref
            found = await session.execute(
                sa.select(target.id, getattr(target, attr)).where(target.county_id == county_id)
            )
            names[column.ref] = {pk: name for pk, name in found.all()}
    table: list[list[Any]] = []
    for row in rows:
        line: list[Any] = []
        for column in roster.columns:
            value = getattr(row, column.field)
            if column.ref is not None:
                value = names[column.ref].get(value) if value is not None else None
            elif not column.declaration.shown:
                value = personal(value)  # shown by the API only through the viewer's policy
            line.append(cells.shown(value))
        table.append(line)
    return table
