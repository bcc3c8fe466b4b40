"""Rosters in and out of Excel and CSV: members, platforms and studios (花名册).

Each kind declares its columns (Chinese headers, the model field, how a cell is read and
written). Import reads the whole file, then runs every row through :func:`crud.create` or
:func:`crud.update` — the same checks as the GraphQL mutations — each row in a savepoint of one
transaction, collecting the row's :class:`ValidationFailed` errors. Nothing is committed unless
every row is valid, or, when asked, the valid rows are. Rows are matched to existing ones by a
natural key (see :data:`KINDS`), so importing the same file twice changes nothing the second
time; a row whose values are all unchanged is not written at all (its version stays).

Export writes the roster in exactly the import format, so an export imports back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from xieshang.db import models as m
from xieshang.db.enums import Gender, HostVenue, MemberStatus, PlatformLevel
from xieshang.domain import crud
from xieshang.domain.crud import Entity
from xieshang.domain.members import MEMBER
from xieshang.domain.platforms import PLATFORM
from xieshang.domain.studios import STUDIO
from xieshang.domain.unit_of_work import Work, restrict
from xieshang.errors import UserError, ValidationFailed, XieshangError

#: Excel opens a CSV as UTF-8 only when it starts with a byte-order mark.
CSV_ENCODING = "utf-8-sig"


class SpreadsheetError(XieshangError):
    """The file cannot be read as a roster at all (not a row's problem)."""

    code = "BAD_FILE"


# -- cells ----------------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read; the message is Chinese and shown as the row's reason."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number or code Excel stored as a number
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _int(value: Any) -> int | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise CellError(f"应为整数，填写的是“{text}”") from None


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if text is None:
        return None
    try:
        return date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise CellError(f"应为日期（如 2024-03-01），填写的是“{text}”") from None


_YES = {"是", "Y", "YES", "TRUE", "1"}
_NO = {"否", "N", "NO", "FALSE", "0"}


def _bool(value: Any) -> bool | None:
    text = _text(value)
    if text is None:
        return None
    if text.upper() in _YES:
        return True
    if text.upper() in _NO:
        return False
    raise CellError(f"应填“是”或“否”，填写的是“{text}”")


def short_label(member: Enum) -> str:
    """The Chinese part of an enum member's label: ``男 male`` → ``男``."""
    return str(getattr(member, "label", "")).split(" ")[0] or str(member.value)


def _choice(enum: type[Enum]) -> Callable[[Any], Any]:
    by_text: dict[str, Enum] = {}
    for member in enum:
        by_text[short_label(member)] = member
        by_text[str(member.value)] = member

    def read(value: Any) -> Any:
        text = _text(value)
        if text is None:
            return None
        found = by_text.get(text) or by_text.get(text.upper())
        if found is None:
            allowed = "、".join(short_label(x) for x in enum)
            raise CellError(f"应为以下之一：{allowed}；填写的是“{text}”")
        return found

    return read


def _show(value: Any) -> Any:
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


# -- kinds ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of a roster."""

    header: str
    #: The model field it fills (a ``*_id`` field for references given by name).
    field: str
    read: Callable[[Any], Any]
    note: str
    required: bool = False
    #: For references: the model whose row is named, and the attribute that names it.
    ref: tuple[Any, str] | None = None


@dataclass(frozen=True)
class Kind:
    """A roster kind: its entity, columns and natural key."""

    name: str
    label: str
    entity: Entity
    columns: tuple[Column, ...]
    key_note: str
    sample: dict[str, Any] = field(default_factory=dict)

    def header(self) -> list[str]:
        return [c.header for c in self.columns]


def _choices_note(enum: type[Enum]) -> str:
    return "可选：" + "、".join(short_label(x) for x in enum)


MEMBERS = Kind(
    "members",
    "委员",
    MEMBER,
    (
        Column("委员编号", "code", _text, "县内唯一；填写后按编号匹配已有委员"),
        Column("姓名", "name", _text, "必填", required=True),
        Column("性别", "gender", _choice(Gender), _choices_note(Gender)),
        Column("界别", "sector_id", _text, "界别名称，须为本县已有界别", ref=(m.Sector, "name")),
        Column("委室", "office_id", _text, "委室名称，须为本县已有委室", ref=(m.Office, "name")),
        Column("所在乡镇", "township", _text, "所在乡镇（街道）"),
        Column("工作单位", "employer", _text, ""),
        Column("职务", "position", _text, ""),
        Column("联系电话", "phone", _text, "数字、+、-、括号或空格，5–20 位"),
        Column("是否常委", "is_standing_committee", _bool, "是 或 否（空为否）"),
        Column("届次", "term", _int, "必填，整数 1–99，如 11 表示第十一届", required=True),
        Column(
            "状态", "status", _choice(MemberStatus), _choices_note(MemberStatus) + "（空为在任）"
        ),
        Column("任职日期", "joined_on", _date, "日期，如 2021-12-20"),
    ),
    "委员编号（填写时）；未填编号时按 姓名 + 届次 匹配",
    {
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

PLATFORMS = Kind(
    "platforms",
    "协商平台",
    PLATFORM,
    (
        Column("名称", "name", _text, "必填，县内唯一", required=True),
        Column(
            "层级", "level", _choice(PlatformLevel), "必填；" + _choices_note(PlatformLevel), True
        ),
        Column(
            "上级平台",
            "parent_id",
            _text,
            "上级平台名称（县级平台不填）；上级须在本县已有或在本表中排在前面",
            ref=(m.Platform, "name"),
        ),
        Column("所在区域", "area_name", _text, "必填", required=True),
        Column(
            "依托阵地类型",
            "host_venue",
            _choice(HostVenue),
            "必填；" + _choices_note(HostVenue),
            True,
        ),
        Column("依托阵地名称", "host_venue_name", _text, ""),
        Column("地址", "address", _text, ""),
        Column("建成日期", "established_on", _date, "日期，如 2023-05-01"),
    ),
    "名称",
    {
        "名称": "示例镇协商平台",
        "层级": "乡镇（街道）级",
        "上级平台": "（本县县级平台的名称）",
        "所在区域": "示例镇",
        "依托阵地类型": "党群服务综合体",
        "建成日期": "2023-05-01",
    },
)

STUDIOS = Kind(
    "studios",
    "工作室",
    STUDIO,
    (
        Column("名称", "name", _text, "必填，县内唯一", required=True),
        Column(
            "领衔委员编号",
            "lead_member_id",
            _text,
            "领衔委员的委员编号；填写时按编号查找，否则按姓名查找",
            ref=(m.Member, "code"),
        ),
        Column("领衔委员", "lead_member_id", _text, "领衔委员姓名（未填编号时必填，且不能重名）"),
        Column("依托平台", "host_platform_id", _text, "平台名称", ref=(m.Platform, "name")),
        Column("联系委室", "office_id", _text, "委室名称", ref=(m.Office, "name")),
        Column("界别", "sector_id", _text, "界别名称", ref=(m.Sector, "name")),
        Column("创建批次年份", "batch_year", _int, "必填，如 2022", required=True),
        Column("成立日期", "founded_on", _date, "日期，如 2022-06-01"),
        Column("简介", "description", _text, ""),
    ),
    "名称",
    {
        "名称": "示例委员工作室",
        "领衔委员": "张三",
        "创建批次年份": 2024,
        "成立日期": "2024-06-01",
    },
)

KINDS: dict[str, Kind] = {k.name: k for k in (MEMBERS, PLATFORMS, STUDIOS)}


def kind_of(name: str) -> Kind:
    """The roster kind called ``name`` (members, platforms, studios)."""
    try:
        return KINDS[name]
    except KeyError:
        raise SpreadsheetError(f"未知的名册类型 {name}；可用：{'、'.join(KINDS)}") from None


# -- reading and writing files --------------------------------------------------------------


def read_table(path: Path) -> list[list[Any]]:
    """The rows of the first sheet of an .xlsx file, or of a CSV file (with or without BOM)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            with path.open(encoding=CSV_ENCODING, newline="") as handle:
                return [list(row) for row in csv.reader(handle)]
        except (OSError, UnicodeDecodeError) as exc:
            raise SpreadsheetError(f"无法读取 CSV 文件 {path}：{exc}") from exc
    if suffix not in (".xlsx", ".xlsm"):
        raise SpreadsheetError(f"只支持 .xlsx 和 .csv 文件，收到 {path.name}")
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise SpreadsheetError(f"无法读取 Excel 文件 {path}：{exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def write_xlsx(
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
) -> bytes:
    """An .xlsx file of ``(title, header, rows)`` sheets; text cells stay text (phones, codes)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.number_format = "@"
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file in UTF-8 with a byte-order mark, so Excel shows the Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue().encode(CSV_ENCODING)


def template(kind: Kind) -> bytes:
    """A template .xlsx: the header and a sample row, and a sheet explaining every column."""
    notes = [[c.header, "是" if c.required else "否", c.note or "可不填"] for c in kind.columns]
    notes.append(["（匹配已有记录）", "", f"按 {kind.key_note} 匹配：已有则更新，没有则新增"])
    notes.append(["（示例行）", "", "导入前请删除或替换第 2 行的示例"])
    sample = [kind.sample.get(c.header) for c in kind.columns]
    return write_xlsx(
        [
            (kind.label + "名册", kind.header(), [sample]),
            ("填写说明", ["列名", "必填", "说明"], notes),
        ]
    )


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


async def _resolve(
    session: AsyncSession, county_id: int, model: Any, attr: str, value: str
) -> list[int]:
    column = getattr(model, attr)
    stmt = sa.select(model.id).where(model.county_id == county_id, column == value)
    if hasattr(model, "archived_at"):
        stmt = stmt.where(model.archived_at.is_(None))
    return list((await session.scalars(stmt.limit(2))).all())


async def _row_values(
    session: AsyncSession, kind: Kind, county_id: int, cells: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[str | None, str]]]:
    """The model values of one row; cell problems as ``(header, reason)``."""
    values: dict[str, Any] = {}
    problems: list[tuple[str | None, str]] = []
    for column in kind.columns:
        if column.field in values and values[column.field] is not None:
            continue  # a reference already found by an earlier column (编号 before 姓名)
        try:
            value = column.read(cells.get(column.header))
        except CellError as exc:
            problems.append((column.header, str(exc)))
            continue
        if column.field == "lead_member_id" and column.ref is None:
            # 领衔委员 by name: only when no code was given.
            if value is None:
                values.setdefault(column.field, None)
                continue
            found = await _resolve(session, county_id, m.Member, "name", value)
            if len(found) != 1:
                reason = (
                    f"本县没有名为“{value}”的委员"
                    if not found
                    else f"本县有多名委员叫“{value}”，请填写领衔委员编号"
                )
                problems.append((column.header, reason))
                continue
            value = found[0]
        elif column.ref is not None and value is not None:
            model, attr = column.ref
            found = await _resolve(session, county_id, model, attr, value)
            if not found:
                what = crud.entity_for(model)
                label = what.label if what is not None else column.header
                problems.append((column.header, f"本县没有“{value}”这个{label}"))
                continue
            value = found[0]
        values[column.field] = value
    return values, problems


def _key(kind: Kind, values: dict[str, Any]) -> tuple[Any, ...] | None:
    """The natural key of a row (its first item is the column to blame for a duplicate)."""
    if kind is MEMBERS:
        if values.get("code"):
            return ("委员编号", values["code"])
        if values.get("name") and values.get("term") is not None:
            return ("姓名", values["name"], values["term"])
        return None
    return ("名称", values["name"]) if values.get("name") else None


async def _existing(
    session: AsyncSession, kind: Kind, county_id: int, values: dict[str, Any]
) -> Any | None:
    model = kind.entity.model
    stmt = sa.select(model).where(model.county_id == county_id)
    if kind is MEMBERS:
        if values.get("code"):
            stmt = stmt.where(model.code == values["code"])
        elif values.get("name") and values.get("term") is not None:
            stmt = stmt.where(
                model.name == values["name"], model.term == values["term"], model.code.is_(None)
            )
        else:
            return None
    elif values.get("name"):
        stmt = stmt.where(model.name == values["name"])
    else:
        return None
    return (await session.scalars(stmt.limit(1))).first()


def _header_of(kind: Kind, field_name: str | None) -> str | None:
    if field_name is None:
        return None
    for column in kind.columns:
        if column.field == field_name:
            return column.header
    return field_name


def _defaults(kind: Kind, values: dict[str, Any]) -> dict[str, Any]:
    """Empty cells of columns with a default (是否常委, 状态) take the default on import."""
    if kind is MEMBERS:
        if values.get("is_standing_committee") is None:
            values["is_standing_committee"] = False
        if values.get("status") is None:
            values["status"] = MemberStatus.ACTIVE
    return values


class RowsRefused(XieshangError):
    """Rows had errors and nothing was written (the result says which and why)."""

    code = "INVALID_ROWS"

    def __init__(self, result: ImportResult) -> None:
        super().__init__(f"{result.rows_with_errors} 行有错误，未写入任何数据")
        self.result = result


async def import_rows(
    work: Work,
    kind: Kind,
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
    header = [_text(h) or "" for h in table[0]]
    known = set(kind.header())
    missing = [c.header for c in kind.columns if c.required and c.header not in header]
    if kind is STUDIOS and "领衔委员" not in header and "领衔委员编号" not in header:
        missing.append("领衔委员")
    if missing:
        raise SpreadsheetError(
            f"第 1 行缺少列：{'、'.join(missing)}（xieshang import template 可生成模板）"
        )
    unknown = [h for h in header if h and h not in known]
    if unknown:
        raise SpreadsheetError(f"第 1 行有不认识的列：{'、'.join(unknown)}")
    restrict(session, county_id)
    seen: dict[tuple[Any, ...], int] = {}
    for number, raw in enumerate(table[1:], start=2):
        cells = {h: v for h, v in zip(header, raw, strict=False) if h}
        if all(_text(v) is None for v in cells.values()):
            continue  # blank rows at the end of a sheet
        values, problems = await _row_values(session, kind, county_id, cells)
        if problems:
            result.errors.extend(RowError(number, col, why) for col, why in problems)
            continue
        values = _defaults(kind, values)
        key = _key(kind, values)
        if key is not None and key in seen:
            # Without this the later row would silently overwrite the earlier one.
            what = "姓名和届次" if len(key) == 3 else key[0]
            shown = " ".join(str(k) for k in key[1:])
            result.errors.append(
                RowError(
                    number,
                    key[0],
                    f"与第 {seen[key]} 行的{what}相同（{shown}），同一记录只能出现一次",
                )
            )
            continue
        if key is not None:
            seen[key] = number
        try:
            async with session.begin_nested():
                outcome = await _write(work, kind, county_id, values)
        except ValidationFailed as exc:
            result.errors.extend(
                RowError(number, _header_of(kind, e.field), e.message) for e in exc.errors
            )
            continue
        if outcome == "created":
            result.created += 1
        elif outcome == "updated":
            result.updated += 1
        else:
            result.unchanged += 1
    result.committed = skip_invalid or not result.errors
    if not result.committed:
        raise RowsRefused(result)
    work.county_id = county_id
    work.detail = (
        f"created={result.created} updated={result.updated} "
        f"unchanged={result.unchanged} invalid_rows={result.rows_with_errors}"
    )
    return result


async def _write(work: Work, kind: Kind, county_id: int, values: dict[str, Any]) -> str:
    row = await _existing(work.session, kind, county_id, values)
    if row is None:
        await crud.create(work, kind.entity, dict(values), county_id=county_id)
        return "created"
    changes = {k: v for k, v in values.items() if getattr(row, k) != v}
    if not changes:
        crud.check_not_archived(kind.entity, row)
        return "unchanged"
    await crud.update(work, kind.entity, row.id, row.version, changes, county_id=county_id)
    return "updated"


# -- export ---------------------------------------------------------------------------------


async def _names(
    session: AsyncSession, model: Any, county_id: int, attr: str = "name"
) -> dict[int, Any]:
    rows = await session.execute(
        sa.select(model.id, getattr(model, attr)).where(model.county_id == county_id)
    )
    return {pk: name for pk, name in rows.all()}


async def roster_rows(
    session: AsyncSession,
    kind: Kind,
    county_id: int,
    *,
    phone: Callable[[str | None], str | None] = lambda p: p,
) -> list[list[Any]]:
    """The county's current (not archived) rows of ``kind`` in the import format.

    ``phone`` shows a member's phone to the viewer (whole, masked or not at all).
    """
    model = kind.entity.model
    stmt = sa.select(model).where(model.county_id == county_id, model.archived_at.is_(None))
    if kind is PLATFORMS:
        # Parents before children, so the file imports in order.
        level_order = sa.case(
            (model.level == PlatformLevel.COUNTY, 0),
            (model.level == PlatformLevel.TOWNSHIP, 1),
            else_=2,
        )
        stmt = stmt.order_by(level_order, model.id)
    else:
        stmt = stmt.order_by(model.id)
    rows = (await session.scalars(stmt)).all()
    refs: dict[tuple[Any, str], dict[int, Any]] = {}
    for column in kind.columns:
        if column.ref is not None and column.ref not in refs:
            refs[column.ref] = await _names(session, column.ref[0], county_id, column.ref[1])
    member_names = await _names(session, m.Member, county_id) if kind is STUDIOS else {}
    table: list[list[Any]] = []
    for row in rows:
        line: list[Any] = []
        for column in kind.columns:
            value = getattr(row, column.field)
            if column.ref is not None:
                value = refs[column.ref].get(value) if value is not None else None
            elif column.field == "lead_member_id":
                value = member_names.get(value)
            elif column.field == "phone":
                value = phone(value)
            line.append(_show(value))
        table.append(line)
    return table


async def county_by_code(session: AsyncSession, code: str) -> m.County:
    """The county with administrative code ``code``; NOT_FOUND otherwise."""
    county = await session.scalar(sa.select(m.County).where(m.County.code == code))
    if county is None:
        raise ValidationFailed(
            [UserError("county", "NOT_FOUND", f"没有行政区划代码为 {code} 的县级政协")]
        )
    return county


# -- reports --------------------------------------------------------------------------------

_SUBJECT_KINDS = {
    "STUDIO": "工作室",
    "PLATFORM": "协商平台",
    "MEMBER": "委员",
    "COUNTY": "县级政协",
}
_STATUSES = {
    "MET": "达标",
    "NOT_MET": "未达标",
    "IN_PROGRESS": "进行中",
    "NOT_APPLICABLE": "不适用",
    "ERROR": "出错",
}

ASSESSMENT_HEADER = ["名次", "对象类型", "对象", "状态", "得分", "等次", "说明"]


def assessment_rows(results: Sequence[Any]) -> list[list[Any]]:
    """Rows of assessment results (:class:`xieshang.rules.results.Assessment`), as ranked."""
    return [
        [
            a.rank,
            _SUBJECT_KINDS.get(str(a.subject.kind), str(a.subject.kind)),
            a.subject.name,
            _STATUSES.get(str(a.status), str(a.status)),
            a.score,
            a.grade,
            a.error or "；".join(c.reason for c in a.criteria if c.status.value != "MET") or None,
        ]
        for a in results
    ]


STATISTICS_HEADER = ["指标", "数值"]


def statistics_rows(figures: Any) -> list[list[Any]]:
    """Rows of one year's :class:`~xieshang.domain.statistics.ConsultationStatistics`."""

    def pct(ratio: float | None) -> str | None:
        return None if ratio is None else f"{ratio * 100:.1f}%"

    rows: list[list[Any]] = [
        ["年度", figures.year],
        ["收集议题", figures.topics_collected],
        ["重点议题", figures.key_topics],
    ]
    for source in figures.topics_by_source:
        label = short_label(source.source)
        rows.append([f"收集议题：{label}", source.collected])
        rows.append([f"重点议题：{label}", source.key])
    rows += [
        ["开展协商", figures.consultations_held],
        ["协商成果", figures.outcomes],
        ["成果转化", figures.outcomes_converted],
        ["转化率", pct(figures.conversion_rate)],
        ["办理任务", figures.tasks],
        ["已办结", figures.tasks_done],
        ["未办结", figures.tasks_open],
        ["逾期", figures.tasks_overdue],
        ["按期办结", figures.tasks_done_on_time],
        ["按期办结率", pct(figures.on_time_rate)],
        ["群众评价", figures.evaluations],
    ]
    for level, count in figures.satisfaction_counts.items():
        rows.append([f"评价：{short_label(level)}", count])
    rows.append(["满意率", pct(figures.satisfaction_rate)])
    return rows


# -- one export, for the CLI and for HTTP ----------------------------------------------------

EXPORT_KINDS = ("members", "platforms", "studios", "assessments", "statistics")


@dataclass(frozen=True)
class ExportRequest:
    """What to export: the kind, the county and the kind's own parameters."""

    kind: str
    county_code: str
    year: int | None = None
    standard: str | None = None
    period: str | None = None


async def export_table(
    session: AsyncSession,
    request: ExportRequest,
    *,
    rules: Any,
    today: date,
    phone: Callable[[str | None], str | None] = lambda p: p,
) -> tuple[str, list[str], list[list[Any]]]:
    """``(sheet title, header, rows)`` of an export; :class:`ValidationFailed` for bad parameters."""
    county = await county_by_code(session, request.county_code)
    if request.kind in KINDS:
        kind = KINDS[request.kind]
        return (
            kind.label + "名册",
            kind.header(),
            await roster_rows(session, kind, county.id, phone=phone),
        )
    if request.kind == "statistics":
        from xieshang.domain.statistics import county_statistics

        year = request.year if request.year is not None else today.year
        figures = await county_statistics(session, county.id, year, today)
        return f"{year}年统计", STATISTICS_HEADER, statistics_rows(figures)
    if request.kind == "assessments":
        from xieshang.domain.assessments import assess
        from xieshang.engine.run import rank
        from xieshang.rules.periods import parse_period

        if not request.standard or not request.period:
            raise ValidationFailed(
                [UserError("standard", "REQUIRED", "导出考核结果须指定考核标准和考核期间")]
            )
        if request.standard not in rules.standards and request.standard not in rules.broken:
            raise ValidationFailed(
                [UserError("standard", "NOT_FOUND", f"未安装考核标准 {request.standard}")]
            )
        try:
            period = parse_period(request.period)
        except (ValueError, XieshangError) as exc:
            raise ValidationFailed([UserError("period", "INVALID_VALUE", str(exc))]) from exc
        found = await assess(session, rules, request.standard, period, [county.id])
        if not found:
            raise ValidationFailed(
                [
                    UserError(
                        "standard",
                        "NOT_FOUND",
                        f"{request.county_code} 未启用考核标准 {request.standard}",
                    )
                ]
            )
        scored = all(a.score is not None for a in found)
        ordered = rank(found) if scored else sorted(found, key=lambda a: a.subject.id)
        return "考核结果", ASSESSMENT_HEADER, assessment_rows(ordered)
    raise ValidationFailed(
        [
            UserError(
                "kind",
                "INVALID_VALUE",
                f"未知的导出类型 {request.kind}；可用：{'、'.join(EXPORT_KINDS)}",
            )
        ]
    )


def encode(fmt: str, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """The export as .xlsx or CSV bytes."""
    if fmt == "csv":
        return write_csv(header, rows)
    return write_xlsx([(title, header, rows)])
