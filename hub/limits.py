"""Hostile and heavy queries: depth, aliases, tokens, page size and a cost budget per request, checked
before anything runs; introspection off, errors masked and field suggestions stripped in production.

The limits are read per request from the hub's settings (the composed schema is shared by every hub of a
process, so one schema serves a development and a production hub alike). Defaults and their reasons are
in README.md and docs/security.md; compare the OWASP GraphQL cheat sheet and graphql-armor's defaults.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    value_from_ast_untyped,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from sqlalchemy.exc import DBAPIError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

from hub.argumenttext import nul_errors
from hub.graphql.connections import DEFAULT_PAGE, MAX_PAGE
from hub.i18n import _
from hub.settings import Settings

log = logging.getLogger("hub.limits")
TOO_COMPLEX = "QUERY_TOO_COMPLEX"
INTERNAL = "INTERNAL_SERVER_ERROR"
UNAVAILABLE = "DATABASE_UNAVAILABLE"
LOST = re.compile(r"connect|connection|unable to open database", re.IGNORECASE)
SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


@dataclass(frozen=True)
class Measure:
    """What an operation asks for: nesting depth, aliases, and its cost — one per field, a connection's
    fields counted once per row of the page it asks for (`first`, or the default page)."""

    depth: int = 0
    aliases: int = 0
    cost: int = 0


class _Measurer:
    """Walks one operation, expanding fragments once each (memoised, so a fragment bomb costs nothing to
    measure) and ignoring introspection fields (`__schema`, `__type`, `__typename`)."""

    def __init__(self, fragments: Mapping[str, FragmentDefinitionNode], variables: Mapping[str, Any]) -> None:
        self.fragments = fragments
        self.variables = variables
        self.memo: dict[str, Measure] = {}
        self.bad_pages: list[tuple[FieldNode, object]] = []

    def selection_set(self, node: SelectionSetNode | None) -> Measure:
        depth = aliases = cost = 0
        for selection in node.selections if node else ():
            if isinstance(selection, FieldNode):
                if selection.name.value.startswith("__"):
                    continue
                inner = self.selection_set(selection.selection_set)
                depth = max(depth, inner.depth + 1)
                aliases += inner.aliases + (1 if selection.alias else 0)
                cost += 1 + self.page(selection) * inner.cost
            else:
                inner = self.fragment(selection)
                depth, aliases, cost = max(depth, inner.depth), aliases + inner.aliases, cost + inner.cost
        return Measure(depth, aliases, cost)

    def fragment(self, node: Any) -> Measure:
        if isinstance(node, InlineFragmentNode):
            return self.selection_set(node.selection_set)
        assert isinstance(node, FragmentSpreadNode)
        name = node.name.value
        if name not in self.memo:
            self.memo[name] = Measure()  # a cycle (refused by NoFragmentCyclesRule) measures as nothing
            definition = self.fragments.get(name)
            self.memo[name] = self.selection_set(definition.selection_set) if definition else Measure()
        return self.memo[name]

    def page(self, node: FieldNode) -> int:
        """The rows a field returns per parent: its `first` (a literal or a variable), else 1 for a plain
        field and the default page for a connection without `first`."""
        argument = next((a for a in node.arguments or () if a.name.value == "first"), None)
        if argument is None:
            return 1 if node.selection_set is None or not _is_connection(node) else DEFAULT_PAGE
        value: object
        if isinstance(argument.value, VariableNode):
            value = self.variables.get(argument.value.name.value)
        elif isinstance(argument.value, IntValueNode):
            value = int(argument.value.value)
        else:
            value = value_from_ast_untyped(argument.value)
        if value is None:
            return DEFAULT_PAGE
        if not isinstance(value, int) or isinstance(value, bool):
            return DEFAULT_PAGE  # not an Int: argument coercion refuses it with its own message
        if value < 0 or value > MAX_PAGE:
            self.bad_pages.append((node, value))
            return MAX_PAGE
        return value


def _is_connection(node: FieldNode) -> bool:
    selections = node.selection_set.selections if node.selection_set else ()
    return any(isinstance(s, FieldNode) and s.name.value in ("edges", "totalCount", "pageInfo") for s in selections)


def measurer(document: Any, operation: OperationDefinitionNode, variables: Mapping[str, Any] | None) -> _Measurer:
    """A measurer of `operation` in `document` with the request's variables (defaults filled in)."""
    values = dict(variables or {})
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return _Measurer(fragments, values)


def limit_errors(document: Any, variables: Mapping[str, Any] | None, limits: Any) -> list[GraphQLError]:
    """The operations of a valid document over the limits, each with a clear QUERY_TOO_COMPLEX error (and an
    out-of-range `first` as BAD_USER_INPUT, the connection's own refusal)."""
    errors: list[GraphQLError] = []
    for node in document.definitions:
        if not isinstance(node, OperationDefinitionNode):
            continue
        measured = measurer(document, node, variables)
        found = measured.selection_set(node.selection_set)
        for field, value in measured.bad_pages:
            message = _("first must be between 0 and {limit}, not {first}", limit=MAX_PAGE, first=value)
            errors.append(GraphQLError(message, field, extensions={"code": "BAD_USER_INPUT"}))
        refusals = []
        if found.depth > limits.max_depth:
            refusals.append(
                _("the query is nested {depth} levels deep; at most {limit}", depth=found.depth, limit=limits.max_depth)
            )
        if found.aliases > limits.max_aliases:
            refusals.append(
                _("the query uses {aliases} aliases; at most {limit}", aliases=found.aliases, limit=limits.max_aliases)
            )
        if found.cost > limits.max_cost:
            refusals.append(
                _(
                    "the query could cost {cost} (one per field, times the rows of each page asked for); "
                    "at most {limit}: ask for smaller pages or fewer nested lists",
                    cost=found.cost,
                    limit=limits.max_cost,
                )
            )
        errors += [GraphQLError(message, node, extensions={"code": TOO_COMPLEX}) for message in refusals]
    return errors


class RequestLimits(SchemaExtension):
    """The per-request guard: token limit at parse; (in production) no introspection and, once the document
    is valid, the limits; on the way out errors are made safe to show.

    The limits are checked after validation rather than as a validation rule: they depend on the request's
    variables (`first: $n`), and a per-request rule would defeat the validation cache, which keys on the
    rules. In hub/schema.py this extension comes after ValidationCache, so the document is validated (or
    found in the cache) before it is measured."""

    def _settings(self) -> Settings:
        hub = getattr(self.execution_context.context, "hub", None)
        return hub.settings if hub is not None else Settings()

    def on_operation(self) -> Iterator[None]:
        settings = self._settings()
        self.execution_context.parse_options["max_tokens"] = settings.limits.max_tokens
        if settings.production:
            rules = self.execution_context.validation_rules
            self.execution_context.validation_rules = (*rules, NoSchemaIntrospectionCustomRule)
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [safe_error(e, settings.production) for e in errors]  # type: ignore[union-attr]

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors is None:  # no validation cache before us: validate here
            context.pre_execution_errors = validate_document(
                context.schema._schema, context.graphql_document, context.validation_rules
            )
        if not context.pre_execution_errors:  # a new list: the cache's own must not change
            context.pre_execution_errors = limit_errors(
                context.graphql_document, context.variables, self._settings().limits
            ) + nul_errors(context.graphql_document, context.query, context.variables)
        yield


def safe_error(error: GraphQLError, production: bool) -> GraphQLError:
    """An error fit to send: a lost database is DATABASE_UNAVAILABLE in every mode; in production an
    unexpected exception becomes a bare INTERNAL_SERVER_ERROR (no stack, SQL or internal names, which are
    logged instead) and "Did you mean …?" suggestions, which leak the schema, are cut."""
    original = error.original_error
    if original is not None and _database_lost(original):
        log.warning("database unavailable: %s", type(original).__name__)
        return _replace(error, _("the database is unavailable; try again shortly"), UNAVAILABLE)
    if not production:
        return error
    if original is not None and not isinstance(original, GraphQLError):
        log.error("unexpected error at %s", error.path, exc_info=original)
        return _replace(error, _("internal server error"), INTERNAL)
    message = SUGGESTION.sub("", error.message)
    return error if message == error.message else _replace(error, message, (error.extensions or {}).get("code"))


def _replace(error: GraphQLError, message: str, code: str | None) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": code} if code else None,
    )


def _database_lost(exc: BaseException) -> bool:
    """The database could not be reached or dropped the connection (not a refusal by a constraint)."""
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or isinstance(exc.orig, OSError) or bool(LOST.search(str(exc.orig)))
    return isinstance(exc, OSError | TimeoutError)
