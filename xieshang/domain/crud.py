"""Create, update and archive any entity, with every check in one place.

Each entity declares an :class:`Entity`: its model, its Chinese name, where its county comes
from, its own checks and what follows a write (a studio's lead becomes a member, a new topic is
screened …). Which input fields refer to other rows is derived from the model's foreign keys.
The operations here then do the rest in the caller's unit of work
(:mod:`xieshang.domain.unit_of_work`): clean the input against the columns, resolve and check
every reference (exists, same county, not archived), check optimistic-lock versions and
uniqueness, run the entity's checks — collecting every problem — and write only when there is
none. Every path that writes an entity (GraphQL, spreadsheets, the CLI) calls these.
"""

from __future__ import annotations

import typing
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from xieshang.db.base import Base, utcnow
from xieshang.db.models import County
from xieshang.domain.checks import Checker
from xieshang.domain.policy import Viewer
from xieshang.domain.unit_of_work import Environment, Work, county_of, within
from xieshang.errors import UserError, ValidationFailed


@dataclass
class Change:
    """What an entity's checks see: the values after the change, and what it changes."""

    work: Work
    checker: Checker
    county_id: int | None
    values: dict[str, Any]
    changes: dict[str, Any]
    row: Any | None
    refs: dict[str, Any]

    @property
    def session(self) -> AsyncSession:
        return self.work.session

    @property
    def env(self) -> Environment:
        return self.work.env

    @property
    def viewer(self) -> Viewer:
        return self.work.viewer

    @property
    def creating(self) -> bool:
        return self.row is None

    def changed(self, *fields: str) -> bool:
        return any(f in self.changes for f in fields)


#: An entity's own checks, run after the common ones (ranges, dates, states).
Checks = Callable[[Change], Awaitable[None]]
#: What follows a write of a row (``work``, the row, the values given).
AfterWrite = Callable[[Work, Any, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Entity:
    """How one model is created, updated and archived."""

    model: Any
    #: Chinese name for messages, e.g. 委员.
    label: str
    #: For rows that belong to a parent: the reference whose row gives the county.
    county_from: str | None = None
    #: The entity's own checks (ranges, dates, states), run after the common ones.
    checks: Checks | None = None
    #: What follows creating a row, changing one, and either (in the same unit of work).
    after_create: AfterWrite | None = None
    after_update: AfterWrite | None = None
    after_write: AfterWrite | None = None
    #: False only for the tenant itself (County), which belongs to no county.
    owned: bool = True

    def __post_init__(self) -> None:
        _ENTITIES.setdefault(self.model, self)

    @property
    def references(self) -> dict[str, Any]:
        """Column → model of the row it refers to, from the model's foreign keys (the tenant
        key ``county_id`` left out)."""
        return references_of(self.model)

    @property
    def name(self) -> str:
        """The entity's name in operation names (``createMember``): the model's class name."""
        return str(self.model.__name__)


_ENTITIES: dict[Any, Entity] = {}


def entity_for(model: Any) -> Entity | None:
    """The :class:`Entity` declared for ``model``, if any."""
    return _ENTITIES.get(model)


_REFERENCES: dict[Any, dict[str, Any]] = {}


def references_of(model: Any) -> dict[str, Any]:
    """Column → referenced model for every foreign key of ``model`` but the tenant key, in the
    table's column order."""
    found = _REFERENCES.get(model)
    if found is None:
        by_table = {
            typing.cast(sa.Table, mapper.local_table).name: mapper.class_
            for mapper in Base.registry.mappers
        }
        table: sa.Table = model.__table__
        referred: dict[str, Any] = {}
        # foreign_key_constraints is a set: its order differs between runs.
        for constraint in table.foreign_key_constraints:
            columns = [c.name for c in constraint.columns if c.name != "county_id"]
            if len(columns) == 1:
                referred[columns[0]] = by_table[constraint.referred_table.name]
        found = {c.name: referred[c.name] for c in table.columns if c.name in referred}
        _REFERENCES[model] = found
    return found


def _not_found(entity_label: str, field_name: str | None = "id") -> UserError:
    return UserError(field_name, "NOT_FOUND", f"所选{entity_label}不存在")


async def load_for_update(work: Work, entity: Entity, pk: int) -> Any:
    """The row ``pk`` of ``entity``, locked for this unit of work; NOT_FOUND otherwise (also for
    rows of a county this unit of work may not change)."""
    row = await work.session.get(entity.model, pk, with_for_update=True)
    if row is None or not within(work.session, county_of(row)):
        raise ValidationFailed([_not_found(entity.label)])
    return row


def check_version(entity: Entity, row: Any, expected_version: int) -> None:
    """STALE_VERSION unless the row is still at the version the client last read."""
    if row.version != expected_version:
        raise ValidationFailed(
            [
                UserError(
                    "expected_version",
                    "STALE_VERSION",
                    f"该{entity.label}已被他人修改（当前版本 {row.version}，你修改的是版本"
                    f" {expected_version}），请刷新后重试",
                )
            ]
        )


def check_not_archived(entity: Entity, row: Any) -> None:
    if getattr(row, "archived_at", None) is not None:
        raise ValidationFailed([UserError("id", "ARCHIVED", f"该{entity.label}已归档，不能修改")])


async def _references(
    session: AsyncSession,
    entity: Entity,
    values: Mapping[str, Any],
    checker: Checker,
    county_id: int | None,
) -> dict[str, Any]:
    refs: dict[str, Any] = {}
    for name, model in entity.references.items():
        pk = values.get(name)
        if pk is None:
            continue
        row = await session.get(model, pk)
        target = _model_label(model)
        if row is None or (county_id is not None and row.county_id != county_id):
            # Rows of another county are reported exactly like missing ones.
            checker.fail(name, "NOT_FOUND", f"所选{target}不存在")
        elif getattr(row, "archived_at", None) is not None:
            checker.fail(name, "ARCHIVED", f"所选{target}已归档")
        else:
            refs[name] = row
    return refs


def _model_label(model: Any) -> str:
    found = entity_for(model)
    return found.label if found is not None else model.__name__


async def _unique(session: AsyncSession, entity: Entity, change: Change, checker: Checker) -> None:
    model = entity.model
    for columns in unique_keys(model):
        if change.row is not None and not change.changed(*columns):
            continue
        key = {c: change.values.get(c) for c in columns}
        if "county_id" in key:
            key["county_id"] = change.county_id
        if any(v is None for v in key.values()):
            continue
        stmt = sa.select(model.id).where(*[getattr(model, c) == v for c, v in key.items()])
        if change.row is not None:
            stmt = stmt.where(model.id != change.row.id)
        if await session.scalar(stmt.limit(1)) is not None:
            shown = [c for c in columns if c != "county_id"]
            main = shown[-1]
            checker.fail(
                main,
                "DUPLICATE",
                f"{entity.label}的{checker.label(main)}“{change.values.get(main)}”已存在",
            )


def unique_keys(model: Any) -> list[tuple[str, ...]]:
    """Column tuples that must be unique (the tenant key ``(county_id, id)`` left out)."""
    table: sa.Table = model.__table__
    keys: list[tuple[str, ...]] = []
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            names = tuple(c.name for c in constraint.columns)
            if set(names) != {"county_id", "id"}:
                keys.append(names)
    for index in table.indexes:
        # Partial unique indexes (e.g. one current grid placement) are each entity's rule.
        partial = index.dialect_options["sqlite"].get("where") is not None
        if index.unique and not partial:
            keys.append(tuple(c.name for c in index.columns))
    for column in table.columns:
        if column.unique:
            keys.append((column.name,))
    return keys


async def _flush(session: AsyncSession, entity: Entity) -> None:
    try:
        await session.flush()
    except StaleDataError as exc:
        raise ValidationFailed(
            [
                UserError(
                    "expected_version",
                    "STALE_VERSION",
                    f"该{entity.label}已被他人修改，请刷新后重试",
                )
            ]
        ) from exc
    except IntegrityError as exc:
        # The checks above make this rare: a concurrent change got there first.
        raise ValidationFailed(
            [UserError(None, "CONFLICT", f"保存{entity.label}时与现有数据冲突，请刷新后重试")]
        ) from exc


async def create(
    work: Work, entity: Entity, values: dict[str, Any], *, county_id: int | None = None
) -> Any:
    """Insert a row of ``entity`` from ``values``; :class:`ValidationFailed` lists every problem.

    ``county_id`` names the county of a row that belongs to one directly; a row that belongs to
    a parent (``Entity.county_from``) takes the parent's.
    """
    session = work.session
    checker = Checker(entity.model)
    values = checker.columns(entity.model, values, creating=True)
    if not entity.owned:
        pass
    elif entity.county_from is not None:
        parent_pk = values.get(entity.county_from)
        parent_model = entity.references[entity.county_from]
        parent = await session.get(parent_model, parent_pk) if parent_pk is not None else None
        if parent is None or not within(session, parent.county_id):
            checker.fail(entity.county_from, "NOT_FOUND", f"所选{_model_label(parent_model)}不存在")
            raise ValidationFailed(checker.errors)
        county_id = parent.county_id
    elif (
        county_id is None
        or not within(session, county_id)
        or await session.get(County, county_id) is None
    ):
        checker.fail("county_id", "NOT_FOUND", "所选县级政协不存在")
        checker.raise_if_any()
    refs = await _references(session, entity, values, checker, county_id)
    change = Change(work, checker, county_id, dict(values), dict(values), None, refs)
    if entity.checks is not None:
        await entity.checks(change)
    await _unique(session, entity, change, checker)
    checker.raise_if_any()
    extra = {"county_id": county_id} if entity.owned else {}
    row = entity.model(**extra, **change.values)
    session.add(row)
    await _flush(session, entity)
    for hook in (entity.after_create, entity.after_write):
        if hook is not None:
            await hook(work, row, values)
    return row


async def update(
    work: Work,
    entity: Entity,
    pk: int,
    expected_version: int,
    changes: dict[str, Any],
    *,
    county_id: int | None = None,
) -> Any:
    """Change some fields of row ``pk``; refused when stale, archived or invalid."""
    session = work.session
    row = await load_for_update(work, entity, pk)
    if county_id is not None and getattr(row, "county_id", county_id) != county_id:
        raise ValidationFailed([_not_found(entity.label)])
    check_not_archived(entity, row)
    check_version(entity, row, expected_version)
    row_county = getattr(row, "county_id", None)
    checker = Checker(entity.model)
    changes = checker.columns(entity.model, changes, creating=False)
    refs = await _references(session, entity, changes, checker, row_county)
    current = {c.key: getattr(row, c.key) for c in sa.inspect(entity.model).column_attrs}
    change = Change(work, checker, row_county, current | changes, changes, row, refs)
    if entity.checks is not None:
        await entity.checks(change)
    await _unique(session, entity, change, checker)
    checker.raise_if_any()
    for name, value in change.changes.items():
        setattr(row, name, value)
    await _flush(session, entity)
    for hook in (entity.after_update, entity.after_write):
        if hook is not None:
            await hook(work, row, changes)
    return row


async def archive(work: Work, entity: Entity, pk: int, expected_version: int) -> Any:
    """Soft-delete row ``pk``: it keeps its history and disappears from lists by default."""
    row = await load_for_update(work, entity, pk)
    check_not_archived(entity, row)
    check_version(entity, row, expected_version)
    row.archived_at = utcnow()
    await _flush(work.session, entity)
    return row


async def delete(work: Work, entity: Entity, pk: int, expected_version: int) -> Any:
    """Hard-delete a dependent row (a selection round, an instruction) that has no history of its own."""
    row = await load_for_update(work, entity, pk)
    check_version(entity, row, expected_version)
    await work.session.delete(row)
    await _flush(work.session, entity)
    return row
