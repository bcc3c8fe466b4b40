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

    def one(
        self, model: type[Any], column: str = "id", *, scope: Hashable = None
    ) -> DataLoader[Any, Any | None]:
        """Loader of the single row of ``model`` whose ``column`` equals the key (or None).

        ``scope`` separates loaders of different fields (see :func:`field_scope`), so that each
        relation field is one batch per level of the response however the event loop
        interleaves them: the statement count of a query then depends on its shape alone.
        """
        key = ("one", model, column, scope)
        loader = self._loaders.get(key)
        if loader is None:
            loader = DataLoader(lambda keys: self._load_one(model, column, keys))
            self._loaders[key] = loader
        return loader

    def many(
        self,
        model: type[Any],
        column: str,
        *,
        order_by: Sequence[str] = ("id",),
        scope: Hashable = None,
    ) -> DataLoader[Any, list[Any]]:
        """Loader of all rows of ``model`` whose ``column`` equals the key (one-to-many)."""
        key = ("many", model, column, tuple(order_by), scope)
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


def field_scope(info: Any) -> tuple[str | int, ...]:
    """The response path of a field without list indices, e.g. ``("studios", "edges", "node",
    "leadMember")``: the same for every item of a list, different for every field."""
    path = info.path
    keys: list[str | int] = []
    while path is not None:
        if isinstance(path.key, str):
            keys.append(path.key)
        path = path.prev
    return tuple(reversed(keys))
