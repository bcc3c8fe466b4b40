"""Per-request DataLoaders, made by one factory keyed by (model, column).

Each batch runs in its own short session, so loaders never share an ``AsyncSession``
with resolvers running concurrently (strawberry resolves sibling fields in parallel).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader


class Loaders:
    """The loaders of one request; ``one`` and ``many`` return the same loader per key."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._loaders: dict[Hashable, DataLoader[Any, Any]] = {}

    def get(
        self, key: Hashable, factory: Callable[[], DataLoader[Any, Any]]
    ) -> DataLoader[Any, Any]:
        """The loader stored under ``key``, made by ``factory`` the first time it is asked for."""
        loader = self._loaders.get(key)
        if loader is None:
            loader = factory()
            self._loaders[key] = loader
        return loader

    def one(self, model: type[Any], column: str = "id") -> DataLoader[Any, Any | None]:
        """Loader of the single row of ``model`` whose ``column`` equals the key (or None)."""
        key = ("one", model, column)
        loader = self._loaders.get(key)
        if loader is None:
            loader = DataLoader(lambda keys: self._load_one(model, column, keys))
            self._loaders[key] = loader
        return loader

    def many(
        self, model: type[Any], column: str, *, order_by: Sequence[str] = ("id",)
    ) -> DataLoader[Any, list[Any]]:
        """Loader of all rows of ``model`` whose ``column`` equals the key (one-to-many)."""
        key = ("many", model, column, tuple(order_by))
        loader = self._loaders.get(key)
        if loader is None:
            loader = DataLoader(lambda keys: self._load_many(model, column, order_by, keys))
            self._loaders[key] = loader
        return loader

    async def _load_one(self, model: type[Any], column: str, keys: list[Any]) -> list[Any | None]:
        col = getattr(model, column)
        async with self._sessions() as session:
            rows = (await session.scalars(sa.select(model).where(col.in_(set(keys))))).all()
        found = {getattr(row, column): row for row in rows}
        return [found.get(k) for k in keys]

    async def _load_many(
        self, model: type[Any], column: str, order_by: Sequence[str], keys: list[Any]
    ) -> list[list[Any]]:
        col = getattr(model, column)
        stmt = sa.select(model).where(col.in_(set(keys)))
        stmt = stmt.order_by(*[getattr(model, name) for name in order_by])
        async with self._sessions() as session:
            rows = (await session.scalars(stmt)).all()
        grouped: dict[Any, list[Any]] = defaultdict(list)
        for row in rows:
            grouped[getattr(row, column)].append(row)
        return [grouped.get(k, []) for k in keys]
