"""One way to write: inputs, payloads with ``userErrors``, and the create/update/archive set.

Every mutation has the shape ``verbNoun(input: VerbNounInput!): VerbNounPayload``. The payload
holds the changed object, or ``userErrors { field code message }`` and no object — in which
case nothing was written. A mutation is a thin adapter: it decodes the input's global IDs
(INVALID_ID for a malformed one or one of the wrong type) inside a unit of work
(:func:`xieshang.domain.unit_of_work.write`: transaction, county restriction, audit record,
events after commit) and calls a named domain operation; the domain's errors name model
fields, which become API field names here (:func:`api_field`).
"""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from xieshang.db.fields import declarations
from xieshang.domain import crud, links, policy
from xieshang.domain.ids import GlobalIdError, from_global_id
from xieshang.domain.unit_of_work import Work
from xieshang.errors import UserError as DomainUserError
from xieshang.errors import ValidationFailed, XieshangError
from xieshang.schema.context import Context
from xieshang.schema.derive import input_fields
from xieshang.schema.errors import api_field
from xieshang.schema.relay import lazy_node, node_type_of_model


@strawberry.type(description="输入错误 user error：字段、稳定的错误代码和中文说明")
class UserError:
    field: str | None = strawberry.field(
        description="出错的输入字段 input field（camelCase），与整体有关时为空"
    )
    code: str = strawberry.field(
        description=(
            "错误代码 stable code：INVALID_ID、NOT_FOUND、ARCHIVED、REQUIRED、TOO_LONG、OUT_OF_RANGE、"
            "INVALID_VALUE、DATE_ORDER、DUPLICATE、STALE_VERSION、INVALID_STATE、INVALID_TRANSITION、"
            "RATE_LIMITED、SCREENING_REFUSED、INVALID_TOKEN、CONFLICT"
        )
    )
    message: str = strawberry.field(description="中文说明 message for people")


#: Marks an input field without a default (the client must give it).
NO_DEFAULT: Any = object()


@dataclass(frozen=True)
class InputField:
    """One field of a mutation input: annotation, bilingual description, default."""

    annotation: Any
    description: str
    default: Any = NO_DEFAULT


def _optional(annotation: Any) -> Any:
    return annotation if _is_optional(annotation) else annotation | None


def _is_optional(annotation: Any) -> bool:
    return (
        isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union
    ) and type(None) in typing.get_args(annotation)


def make_input(name: str, description: str, fields: Mapping[str, InputField]) -> type:
    """A strawberry input ``name`` with ``fields`` (nullable fields default to null)."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations}
    ordered = sorted(fields.items(), key=lambda item: _has_default(item[1]))
    for field_name, spec in ordered:
        annotations[field_name] = spec.annotation
        default = spec.default
        if default is NO_DEFAULT and _is_optional(spec.annotation):
            default = None
        if default is NO_DEFAULT:
            namespace[field_name] = strawberry.field(description=spec.description)
        else:
            namespace[field_name] = strawberry.field(default=default, description=spec.description)
    return strawberry.input(type(name, (), namespace), description=description)


def _has_default(spec: InputField) -> bool:
    return spec.default is not NO_DEFAULT or _is_optional(spec.annotation)


def update_fields(fields: Mapping[str, InputField]) -> dict[str, InputField]:
    """The fields of an update: every one optional and absent by default (UNSET = unchanged)."""
    return {
        name: InputField(
            _optional(spec.annotation), spec.description + "（不传则不变）", strawberry.UNSET
        )
        for name, spec in fields.items()
    }


_PAYLOADS: dict[str, type] = {}


def payload_type(name: str, node_field: str, node_type: str, description: str) -> type:
    """``<name>Payload { <node_field>: <node_type>, userErrors: [UserError!]! }``, made once."""
    if name in _PAYLOADS:
        return _PAYLOADS[name]
    namespace = {
        "__annotations__": {
            node_field: lazy_node(node_type) | None,
            "user_errors": list[UserError],
        },
        node_field: strawberry.field(
            default=None, description="修改后的对象 the object as saved（有错误时为空）"
        ),
        "user_errors": strawberry.field(
            default_factory=list,
            description="输入错误 user errors（成功时为空列表；有错误时什么也没有写入）",
        ),
    }
    payload = strawberry.type(type(f"{name}Payload", (), namespace), description=description)
    _PAYLOADS[name] = payload
    return payload


def user_errors(exc: XieshangError) -> list[UserError]:
    """The ``userErrors`` of a refused mutation."""
    found = (
        exc.errors
        if isinstance(exc, ValidationFailed)
        else [DomainUserError(exc.field, exc.code, exc.message)]
    )
    return [UserError(field=api_field(e.field), code=e.code, message=e.message) for e in found]


def input_values(data: Any, id_types: Mapping[str, str]) -> dict[str, Any]:
    """The given fields of an input as a plain dict, global IDs decoded to primary keys.

    Fields left UNSET are absent. Raises :class:`ValidationFailed` (INVALID_ID) for an ID that
    is malformed or of another type.
    """
    values: dict[str, Any] = {}
    problems: list[DomainUserError] = []
    for field in dataclasses.fields(data):
        value = getattr(data, field.name)
        if value is strawberry.UNSET:
            continue
        type_name = id_types.get(field.name)
        if type_name is not None and value is not None:
            try:
                value = from_global_id(value, expect=type_name, field=field.name)[1]
            except GlobalIdError as exc:
                problems.append(DomainUserError(exc.field, exc.code, exc.message))
                continue
        values[field.name] = value
    if problems:
        raise ValidationFailed(problems)
    return values


@dataclass(frozen=True)
class Reply:
    """What a handler of a mutation with its own ``payload`` may return: the row it wrote (for
    the audit trail) and whatever else its payload presents (e.g. a token shown once)."""

    row: Any
    extra: Mapping[str, Any] = dataclasses.field(default_factory=dict)


#: What a mutation does once its input is decoded: a domain operation in the unit of work,
#: returning the row it wrote (or a :class:`Reply`).
Handler = Callable[[Work, dict[str, Any]], Awaitable[Any]]


def mutation_field(
    name: str,
    *,
    fields: Mapping[str, InputField],
    id_types: Mapping[str, str],
    node_field: str,
    node_type: str,
    handler: Handler,
    description: str,
    input_description: str,
    restrict: bool = True,
    payload: type | None = None,
    record_keeping: bool = False,
) -> Any:
    """A mutation ``name`` (PascalCase, e.g. CreateMember) running ``handler`` in a unit of work.

    ``record_keeping`` mutations keep a county's records (who may call them:
    :data:`xieshang.domain.policy.RECORD_KEEPERS`); the others need their own line in
    :data:`xieshang.domain.policy.SPECIAL_WRITERS`.

    The unit of work may change rows of the viewer's own county only. A mutation open to callers
    without a county (residents submitting a topic or an evaluation) passes ``restrict=False``;
    its operation must then call :func:`xieshang.domain.unit_of_work.restrict` itself with the
    one county the input names, before it writes anything.

    ``payload`` replaces the generated payload type when the answer must show something other
    than the node (a token shown once, or less than the node to an anonymous caller): it is
    built as ``payload(**{node_field: result, "user_errors": [...]})``, ``result`` being what
    the handler returned (None on errors), and presents it through its own fields. A handler
    may return a :class:`Reply` to name the row written (for the audit trail) apart from it.
    """
    input_type = make_input(f"{name}Input", input_description, fields)
    if payload is None:
        payload = payload_type(
            name, node_field, node_type, f"{description} 的结果 result of {name}"
        )

    field_name = f"{name[0].lower()}{name[1:]}"
    action = f"mutation:{field_name}"
    if record_keeping:
        policy.record_keeping(field_name)

    async def resolve(info: Info[Context, Any], input: Any) -> Any:
        target = getattr(input, "id", None)
        try:
            async with info.context.work(
                action, target=target if isinstance(target, str) else None, restrict=restrict
            ) as work:
                # Decoded inside the unit of work, so that a bad ID is an audited refusal too.
                result = await handler(work, input_values(input, id_types))
                work.concerns(result.row if isinstance(result, Reply) else result)
        except XieshangError as exc:
            return payload(**{node_field: None, "user_errors": user_errors(exc)})
        return payload(**{node_field: result, "user_errors": []})

    resolve.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                "info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Info[Context, Any]
            ),
            inspect.Parameter(
                "input",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[input_type, strawberry.argument(description="输入 input")],
            ),
        ],
        return_annotation=payload,
    )
    resolve.__name__ = f"resolve_{name}"
    return strawberry.field(resolver=resolve, description=description)


def _type_name_of(model: Any) -> str:
    return node_type_of_model(model).graphql_type_name()


class _LazyIdTypes(Mapping[str, str]):
    """Field → GraphQL type name of the IDs an entity's input carries (resolved on first use,
    once every node type exists)."""

    def __init__(self, entity: crud.Entity, type_name: str, extra: Mapping[str, str]) -> None:
        self.entity, self.type_name, self.extra = entity, type_name, extra
        self._resolved: dict[str, str] | None = None

    def _all(self) -> dict[str, str]:
        if self._resolved is None:
            resolved = {"id": self.type_name, "county_id": "County", **self.extra}
            for field, model in self.entity.references.items():
                resolved[field] = _type_name_of(model)
            self._resolved = resolved
        return self._resolved

    def __getitem__(self, key: str) -> str:
        return self._all()[key]

    def __iter__(self) -> Any:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


#: A domain operation creating a row of an entity from ``(work, values, county_id)``, for entities
#: whose creation is more than :func:`xieshang.domain.crud.create` (a topic is also screened).
Creator = Callable[[Work, dict[str, Any], int | None], Awaitable[Any]]


def target_fields(noun: str, type_name: str) -> dict[str, InputField]:
    """``id`` and ``expectedVersion`` of an input that changes one existing row."""
    return {
        "id": InputField(strawberry.ID, f"要修改的{noun}（全局 ID） the {type_name} to change"),
        "expected_version": InputField(
            int, "读取时的版本号 version last read；已被他人修改则返回 STALE_VERSION"
        ),
    }


def column_inputs(
    model: type[Any],
    *,
    creating: bool,
    only: Sequence[str] | None = None,
    required: Sequence[str] = (),
) -> dict[str, InputField]:
    """Input fields of ``model``'s declared columns (see :func:`xieshang.schema.derive.input_fields`);
    ``required`` names nullable columns an operation nonetheless needs (the date a placement ends)."""
    found: dict[str, InputField] = {}
    for name, spec in input_fields(model, creating=creating, only=only).items():
        if name in required:
            annotation = (
                typing.get_args(spec.annotation)[0]
                if _is_optional(spec.annotation)
                else spec.annotation
            )
            found[name] = InputField(annotation, spec.description)
        else:
            default = NO_DEFAULT if spec.default is ... else spec.default
            found[name] = InputField(spec.annotation, spec.description, default)
    return found


def crud_mutations(
    entity: crud.Entity,
    *,
    node_field: str,
    noun: str,
    archive: bool = True,
    create_with: Creator | None = None,
) -> type:
    """The ``createX`` / ``updateX`` / ``archiveX`` mutations of one entity, as a strawberry type.

    The inputs come from the model's column declarations: the create input has every column
    clients write (and ``countyId`` for an entity that belongs to a county directly), the update
    input those they may change afterwards, each optional. ``create_with`` names the domain
    operation that creates a row when it is not plain :func:`xieshang.domain.crud.create`.
    """
    type_name = entity.name
    ids = _LazyIdTypes(entity, type_name, {})
    create_fields = column_inputs(entity.model, creating=True)
    if entity.owned and entity.county_from is None:
        county = declarations(entity.model)["county_id"]
        create_fields = {
            "county_id": InputField(strawberry.ID, county.description),
            **create_fields,
        }

    async def create(work: Work, values: dict[str, Any]) -> Any:
        county_id = values.pop("county_id", None)
        if create_with is not None:
            return await create_with(work, values, county_id)
        return await crud.create(work, entity, values, county_id=county_id)

    async def update(work: Work, values: dict[str, Any]) -> Any:
        pk, version = values.pop("id"), values.pop("expected_version")
        return await crud.update(work, entity, pk, version, values)

    async def archive_row(work: Work, values: dict[str, Any]) -> Any:
        return await crud.archive(work, entity, values["id"], values["expected_version"])

    target = target_fields(noun, type_name)
    kept = column_inputs(entity.model, creating=False)
    namespace: dict[str, Any] = {
        f"create_{_snake(type_name)}": mutation_field(
            f"Create{type_name}",
            fields=create_fields,
            id_types=ids,
            node_field=node_field,
            node_type=type_name,
            handler=create,
            description=f"新建{noun} create a {type_name}",
            input_description=f"新建{noun}的输入 input of create{type_name}",
            record_keeping=True,
        ),
        f"update_{_snake(type_name)}": mutation_field(
            f"Update{type_name}",
            fields={**target, **update_fields(kept)},
            id_types=ids,
            node_field=node_field,
            node_type=type_name,
            handler=update,
            description=f"修改{noun} update a {type_name}（只改传入的字段）",
            input_description=f"修改{noun}的输入 input of update{type_name}",
            record_keeping=True,
        ),
    }
    if archive:
        namespace[f"archive_{_snake(type_name)}"] = mutation_field(
            f"Archive{type_name}",
            fields=target,
            id_types=ids,
            node_field=node_field,
            node_type=type_name,
            handler=archive_row,
            description=f"归档（软删除）{noun} archive a {type_name}",
            input_description=f"归档{noun}的输入 input of archive{type_name}",
            record_keeping=True,
        )
    return strawberry.type(type(f"{type_name}Mutation", (), namespace))


def delete_handler(entity: crud.Entity) -> Handler:
    """A handler deleting a dependent row of ``entity`` by ``id`` and ``expected_version``."""

    async def delete(work: Work, values: dict[str, Any]) -> Any:
        return await crud.delete(work, entity, values["id"], values["expected_version"])

    return delete


def _snake(type_name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in type_name).lstrip("_")


def link_mutations(
    kind: links.LinkKind,
    *,
    node_field: str,
    add: str,
    remove: str,
    noun: str,
    upsert: bool = False,
) -> type:
    """``add`` / ``remove`` mutations linking a member to a parent row (both return the parent).

    The inputs come from the association table's declared columns: the parent, the member, and
    on ``add`` any value the link carries (the date a member joined a studio). With ``upsert``
    the add mutation also changes an existing link's values (attendance).
    """
    parent_field = kind.parent_field
    parent_type = kind.parent.name
    keys = (parent_field, "member_id")
    fields = column_inputs(kind.association, creating=True, only=keys)
    ids = {parent_field: parent_type, "member_id": "Member"}
    extra = {
        name: spec
        for name, spec in column_inputs(kind.association, creating=True).items()
        if name not in keys
    }

    async def do_add(work: Work, values: dict[str, Any]) -> Any:
        parent_pk, member_pk = values.pop(parent_field), values.pop("member_id")
        operation = links.set_value if upsert else links.add
        return await operation(work, kind, parent_pk, member_pk, **values)

    async def do_remove(work: Work, values: dict[str, Any]) -> Any:
        return await links.remove(work, kind, values[parent_field], values["member_id"])

    namespace = {
        _snake(add): mutation_field(
            add,
            fields={**fields, **extra},
            id_types=ids,
            node_field=node_field,
            node_type=parent_type,
            handler=do_add,
            description=f"{'设置' if upsert else '添加'}{noun} {'set' if upsert else 'add'} {kind.label}",
            input_description=f"{'设置' if upsert else '添加'}{noun}的输入 input of {add[0].lower() + add[1:]}",
            record_keeping=True,
        ),
        _snake(remove): mutation_field(
            remove,
            fields=fields,
            id_types=ids,
            node_field=node_field,
            node_type=parent_type,
            handler=do_remove,
            description=f"移除{noun} remove a {kind.label}",
            input_description=f"移除{noun}的输入 input of {remove[0].lower() + remove[1:]}",
            record_keeping=True,
        ),
    }
    return strawberry.type(type(f"{add}Mutation", (), namespace))
