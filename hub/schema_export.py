"""The exported SDL: strawberry's printout plus the definitions it leaves out, so the file stands alone.

Strawberry prints the federation directives where they apply (`schema @link(...)`, `type Province @key(...)`)
but not their definitions, which a federation router supplies itself; a tool reading the file alone
(graphql-inspector, codegen, an IDE) then finds `@link` and `@key` undefined. The definitions come from the
schema itself — the directives strawberry built into it, printed by graphql-core — so they are the ones
the hub serves, for whichever federation directives the schema uses."""

from __future__ import annotations

import re

import strawberry
from graphql import GraphQLNamedType, get_named_type, is_specified_directive
from graphql.utilities.print_schema import print_directive, print_type


def _defined(text: str) -> set[str]:
    return set(re.findall(r"^(?:directive @|scalar |enum |input |type |interface |union )(\w+)", text, re.M))


def standalone_sdl(schema: strawberry.Schema) -> str:
    """The SDL of `schema` with every directive it uses defined, and every type those definitions name."""
    text = schema.as_str()
    defined = _defined(text)
    used = set(re.findall(r"@(\w+)", text))
    definitions: list[str] = []
    types: dict[str, GraphQLNamedType] = {}
    for directive in schema._schema.directives:
        if is_specified_directive(directive) or directive.name in defined or directive.name not in used:
            continue
        definitions.append(print_directive(directive))
        for argument in directive.args.values():
            named = get_named_type(argument.type)
            if named.name not in defined and not named.name.startswith("__"):
                types.setdefault(named.name, named)
    definitions += [print_type(t) for name, t in sorted(types.items()) if name not in ("String", "Boolean")]
    if not definitions:
        return text + "\n"
    return "\n\n".join([text, *definitions]) + "\n"
