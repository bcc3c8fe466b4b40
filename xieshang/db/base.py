"""Declarative base, column types and the columns every table shares.

Tenant safety lives in the schema: every row carries ``county_id``, and a reference from one
county's row to another table is a composite foreign key ``(county_id, x_id)`` onto that
table's ``(county_id, id)``, so the database itself refuses a link across counties.
"""

from __future__ import annotations

import enum
import re
from datetime import UTC, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

from xieshang.db.fields import NEVER, field

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware instant stored in UTC on every engine.

    Naive datetimes are refused: a time without a zone is ambiguous in a service whose
    counties may sit in different zones.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: xieshang stores timezone-aware instants only")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def enum_type(enum_cls: type[enum.Enum], name: str | None = None) -> sa.Enum:
    """Text column holding an enum's values, with a CHECK constraint on both engines.

    ``name`` names the CHECK constraint when a table has two columns of one enum (PostgreSQL
    refuses two constraints of the same name on a table).
    """
    return sa.Enum(
        enum_cls,
        name=name or _snake(enum_cls.__name__),
        native_enum=False,
        create_constraint=True,
        length=max(len(str(m.value)) for m in enum_cls),
        values_callable=lambda cls: [str(m.value) for m in cls],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    """Base of every model; its metadata is what Alembic migrations must match."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Timestamped:
    """``created_at`` / ``updated_at`` in UTC, set by the application."""

    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, info=field("创建时间", "created at", write=NEVER)
    )
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, info=field("更新时间", "updated at", write=NEVER)
    )


class Versioned:
    """Optimistic locking: SQLAlchemy bumps ``version`` and refuses stale updates."""

    version: Mapped[int] = mapped_column(
        default=1,
        info=field(
            "版本号",
            "version",
            "：更新时作为 expectedVersion 传回，用于乐观锁 optimistic locking",
            write=NEVER,
        ),
    )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class Archivable:
    """Soft delete: archived rows stay for history and are hidden from lists by default."""

    archived_at: Mapped[datetime | None] = mapped_column(
        default=None,
        info=field(
            "归档时间", "archived at", "（未归档为空；归档即软删除 soft delete）", write=NEVER
        ),
    )


class TenantOwned:
    """Rows that belong to one county (the tenant)."""

    @declared_attr
    def county_id(cls) -> Mapped[int]:
        return mapped_column(
            sa.ForeignKey("counties.id", ondelete="RESTRICT"),
            index=True,
            info=field("所属县级政协", "county", write=NEVER),
        )


def tenant_key() -> sa.UniqueConstraint:
    """``UNIQUE (county_id, id)``: the target of tenant-scoped composite foreign keys."""
    return sa.UniqueConstraint("county_id", "id")


def tenant_fk(column: str, target: str, *, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    """Composite FK ``(county_id, column) → target(county_id, id)``.

    A NULL in ``column`` skips the check (MATCH SIMPLE), so optional links stay optional.
    """
    return sa.ForeignKeyConstraint(
        ["county_id", column],
        [f"{target}.county_id", f"{target}.id"],
        ondelete=ondelete,
    )


def not_blank(column: str, name: str | None = None) -> sa.CheckConstraint:
    """CHECK that a text column is not empty after trimming spaces."""
    return sa.CheckConstraint(f"length(trim({column})) > 0", name=name or f"{column}_not_blank")
