"""A batch mutation called for an import the way GraphQL calls it, without GraphQL's conversion of each row.

An import of 20,000 rows hands its mutation 20,000 input objects. Through a GraphQL document the rows
are first coerced by graphql-core and then converted into strawberry input objects by strawberry's
generic argument conversion, field by field — over half of such an import's time. The import already
holds typed values (its columns parse every cell, hub/exchange/tables.py), so it builds the input objects
itself, with a converter compiled once per input type from the schema's own strawberry definitions, and
calls the mutation's resolver exactly as GraphQL would: `perform` and the mutation's one rule
(authenticate → authorize → every domain rule → the write with its audit entry → events after the
import's commit). What GraphQL would refuse before the resolver is refused here too: a missing non-null
field, a value of another type, an Int beyond 32 bits. An input type this converter does not know (a
custom scalar, say) is not converted here: the import then sends a GraphQL document as before."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, dataclass
from enum import Enum
from typing import Any

import strawberry
from strawberry.types.base import StrawberryList, StrawberryOptional, has_object_definition
from strawberry.types.enum import StrawberryEnumDefinition

INT_RANGE = range(-(2**31), 2**31)  # GraphQL's Int
Convert = Callable[[Any], Any]


class Uncoercible(ValueError):
    """A value GraphQL would not have taken for its input field; `path` is the field's (input, rows, i, name)."""

    def __init__(self, path: tuple[str, ...], value: Any) -> None:
        super().__init__(f"{'.'.join(path)}: {value!r}")
        self.path = path
        self.value = value


class Unsupported(TypeError):
    """An input type this module does not convert."""


@dataclass(frozen=True)
class BatchInfo:
    """What `hub.mutation.perform` reads of strawberry's Info: the field's name, its payload type, the context."""

    field_name: str
    return_type: Any
    context: Any


@dataclass(frozen=True)
class BatchMutation:
    """A mutation field of the schema: its resolver (`perform` + the rule), payload type, input converter."""

    name: str
    resolve: Callable[..., Any]
    payload: Any
    convert: Convert


_CACHE: dict[tuple[int, str], BatchMutation | None] = {}


def batch_mutation(schema: strawberry.Schema, name: str) -> BatchMutation | None:
    """The mutation `name` of `schema` (one argument, `input`), or None when its input is not convertible here."""
    key = (id(schema), name)
    if key not in _CACHE:
        _CACHE[key] = _find(schema, name)
    return _CACHE[key]


def _find(schema: strawberry.Schema, name: str) -> BatchMutation | None:
    mutation = schema.get_type_by_name("Mutation")
    fields = getattr(mutation, "fields", ())
    field = next((f for f in fields if schema.config.name_converter.get_graphql_name(f) == name), None)
    if field is None or field.base_resolver is None or [a.python_name for a in field.arguments] != ["input"]:
        return None
    try:
        convert = _converter(field.arguments[0].type, schema, ("input",))
    except Unsupported:
        return None
    return BatchMutation(name, field.base_resolver.wrapped_func, field.type, convert)


def _converter(kind: Any, schema: strawberry.Schema, path: tuple[str, ...]) -> Convert:
    """A function taking a GraphQL variable's value (names as GraphQL spells them) to the resolver's argument."""
    if isinstance(kind, StrawberryOptional):
        inner = _converter(kind.of_type, schema, path)
        return lambda value: None if value is None else inner(value)
    required = _required(kind, schema, path)
    return required


def _required(kind: Any, schema: strawberry.Schema, path: tuple[str, ...]) -> Convert:
    def missing(value: Any) -> None:
        raise Uncoercible(path, value)

    if isinstance(kind, StrawberryList):
        item = _converter(kind.of_type, schema, (*path, "#"))

        def listed(value: Any) -> Any:
            if not isinstance(value, list):
                missing(value)
            out = []
            for index, element in enumerate(value):
                try:
                    out.append(item(element))
                except Uncoercible as exc:
                    at = len(path)
                    raise Uncoercible((*exc.path[:at], str(index), *exc.path[at + 1 :]), exc.value) from None
            return out

        return listed
    if isinstance(kind, StrawberryEnumDefinition):
        members = {value.name: kind.wrapped_cls(value.value) for value in kind.values}

        def enumerated(value: Any) -> Enum:
            member = members.get(value) if isinstance(value, str) else None
            if member is None:
                missing(value)
            return member  # type: ignore[return-value]

        return enumerated
    if kind is str or kind is strawberry.ID:
        return lambda value: value if isinstance(value, str) else missing(value)
    if kind is bool:
        return lambda value: value if isinstance(value, bool) else missing(value)
    if kind is int:
        return lambda value: value if type(value) is int and value in INT_RANGE else missing(value)
    if has_object_definition(kind) and kind.__strawberry_definition__.is_input:
        return _input(kind, schema, path)
    raise Unsupported(f"{'.'.join(path)}: {kind!r}")


def _input(kind: Any, schema: strawberry.Schema, path: tuple[str, ...]) -> Convert:
    fields = []
    for field in kind.__strawberry_definition__.fields:
        graphql_name = schema.config.name_converter.get_graphql_name(field)
        optional = isinstance(field.type, StrawberryOptional) or not (
            field.default is MISSING and field.default_factory is MISSING
        )  # may be left out: nullable, or with a default
        convert = _converter(field.type, schema, (*path, graphql_name))
        fields.append((graphql_name, field.python_name, optional, convert))
    known = {graphql_name for graphql_name, *_ in fields}

    def build(value: Any) -> Any:
        if not isinstance(value, dict) or not value.keys() <= known:
            raise Uncoercible(path, value)
        arguments = {}
        for graphql_name, python_name, optional, convert in fields:
            if graphql_name in value:
                arguments[python_name] = convert(value[graphql_name])
            elif not optional:
                raise Uncoercible((*path, graphql_name), None)
        return kind(**arguments)

    return build
