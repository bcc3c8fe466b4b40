"""Public IDs of rows: what clients, the audit trail and links name a row by.

A row's public ID is base64url of ``TypeName:pk`` with the model's class name as the type name
(the GraphQL node types carry the same names), so the ID an auditor reads in the audit trail is
the one ``node(id:)`` takes.
"""

from __future__ import annotations

import base64
import binascii

from xieshang.errors import XieshangError


class GlobalIdError(XieshangError):
    """An ID that is not a global ID of the expected type."""

    code = "INVALID_ID"


def to_global_id(type_name: str, pk: int) -> str:
    """Opaque global ID of a row: base64url of ``TypeName:pk``."""
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def global_id_of(row: object) -> str | None:
    """The global ID of an ORM row (None for objects without an integer ``id``)."""
    pk = getattr(row, "id", None)
    if not isinstance(pk, int) or isinstance(pk, bool):
        return None
    return to_global_id(type(row).__name__, pk)


def from_global_id(
    global_id: str, *, expect: str | None = None, field: str = "id"
) -> tuple[str, int]:
    """``(type_name, pk)`` of a global ID; :class:`GlobalIdError` if malformed or of another type."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, raw_pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        pk = int(raw_pk)
        if not type_name or pk <= 0 or str(pk) != raw_pk:
            raise ValueError(global_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise GlobalIdError(
            f"ID 无效：{global_id[:40]!r} 不是 xieshang 的全局 ID", field=field
        ) from exc
    if expect is not None and type_name != expect:
        raise GlobalIdError(
            f"ID 类型不符：需要 {expect} 的 ID，收到的是 {type_name} 的 ID", field=field
        )
    return type_name, pk
