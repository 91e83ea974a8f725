"""Text arguments of a read that no database can hold: PostgreSQL's text cannot contain NUL (U+0000), so a
query argument with one can match nothing and would fail as a driver error inside a resolver (or a planned
statement). It is refused before anything runs, as BAD_USER_INPUT naming the argument. Mutations are left
to the write path's text guard (hub/db.py), which answers with userErrors at the field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    Visitor,
    visit,
)

from hub.i18n import _

NUL = "\x00"


def nul_errors(document: Any, query: str | None, variables: Mapping[str, Any] | None) -> list[GraphQLError]:
    """BAD_USER_INPUT for each string argument or variable of a query operation holding NUL."""
    if not variables and query is not None and "\\u" not in query and NUL not in query:
        return []  # nothing can hold NUL: asked first, as nearly every request is this one (no document walk)
    if not any(
        isinstance(d, OperationDefinitionNode) and d.operation is OperationType.QUERY for d in document.definitions
    ):
        return []
    errors: list[GraphQLError] = []
    if query is None or "\\u" in query or NUL in query:  # a literal can only hold NUL through an escape

        class Literals(Visitor):
            def enter_argument(self, node: ArgumentNode, *_rest: Any) -> None:
                if any(NUL in value for value in _strings_in(node.value)):
                    errors.append(_refusal(_("the argument {name}", name=node.name.value), node))

        visit(document, Literals())
    for name, value in (variables or {}).items():
        if _holds_nul(value):
            errors.append(_refusal(_("the variable ${name}", name=name), None))
    return errors


def _refusal(what: str, node: Any) -> GraphQLError:
    message = _("{what} holds the NUL character (U+0000), which no text may contain", what=what)
    return GraphQLError(message, node, extensions={"code": "BAD_USER_INPUT"})


def _strings_in(node: Any) -> list[str]:
    if isinstance(node, StringValueNode):
        return [node.value]
    found: list[str] = []
    for child in (*getattr(node, "values", ()), *(f.value for f in getattr(node, "fields", ()))):
        found += _strings_in(child)
    return found


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, Mapping):
        return any(_holds_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_holds_nul(v) for v in value)
    return False
