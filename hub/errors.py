"""How the hub says no: permission errors as GraphQL errors, domain refusals as payload userErrors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from graphql import GraphQLError

from hub.enums import UserErrorCode


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
