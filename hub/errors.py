"""How the hub says no: permission errors as GraphQL errors, domain refusals as payload userErrors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types.base import StrawberryList, StrawberryOptional
from strawberry.types.private import is_private

from hub.enums import UserErrorCode
from hub.i18n import spoken


def unauthenticated(reason: str) -> GraphQLError:
    return GraphQLError(reason, extensions={"code": "UNAUTHENTICATED"})


def forbidden(reason: str) -> GraphQLError:
    return GraphQLError(reason, extensions={"code": "FORBIDDEN"})


def bad_input(reason: str) -> GraphQLError:
    """An argument a query cannot use (a bad cursor, a page too large)."""
    return GraphQLError(reason, extensions={"code": "BAD_USER_INPUT"})


@dataclass(frozen=True)
class Problem:
    """One domain-rule refusal: its code, a message for people, and the input path at fault."""

    code: UserErrorCode
    message: str
    field: tuple[str, ...] | None = None


class DomainRefusal(Exception):
    """Raised inside a mutation: the transaction rolls back and the payload carries the problems."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)


def refuse(code: UserErrorCode, message: str, *field: str) -> DomainRefusal:
    """One problem as a raisable refusal: `raise refuse(UserErrorCode.NOT_FOUND, "...", "input", "x")`."""
    return DomainRefusal([Problem(code, message, tuple(field) or None)])


@strawberry.type
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path of the input field at fault, e.g. ["input", "idNumber"]; null when not tied to one field.'
    )
    message: str
    code: UserErrorCode


def user_errors(problems: list[Problem]) -> list[UserError]:
    """The problems as the payload's userErrors, their messages in the caller's language (hub.i18n)."""
    return [
        UserError(field=list(p.field) if p.field else None, message=spoken(p.message), code=p.code) for p in problems
    ]


def refusal(payload: type, problems: list[Problem]) -> Any:
    """The payload a refused mutation returns: each list empty, each object null, its userErrors filled."""
    empty = {name: [] if is_list else None for name, is_list in _objects(payload)}
    return payload(**empty, user_errors=user_errors(problems))


@cache
def _objects(payload: type) -> tuple[tuple[str, bool], ...]:
    """(name, is a list) of each field of `payload` besides userErrors; a field that can be neither empty nor
    null has no refused value, and says so."""
    objects = []
    for f in payload.__strawberry_definition__.fields:  # type: ignore[attr-defined]
        if f.python_name == "user_errors" or f.base_resolver is not None or is_private(f.type):
            continue  # a computed field or a private value is no argument of the payload
        if not isinstance(f.type, StrawberryList | StrawberryOptional):
            raise TypeError(f"{payload.__name__}.{f.python_name} is neither a list nor nullable: no refused value")
        objects.append((f.python_name, isinstance(f.type, StrawberryList)))
    return tuple(objects)
