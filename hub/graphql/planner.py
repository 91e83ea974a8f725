"""The read planner: a validated read query becomes ONE SQL statement that builds the response in PostgreSQL.

The field-by-field executor spends most of a large answer's time in Python (a coroutine per field and
per row); PostGraphile, Hasura and Grafast avoid that by planning the whole query into SQL. This does the
same for every field declared with a compiler (hub/graphql/fields.py: the field's one declaration gives
both its resolver and its SQL): it walks the operation with graphql-core's own field collection
(fragments, aliases, @skip/@include, variables), reads each field's compiler off the live schema — read
scopes and R2a masking compiled in — and runs one statement building the JSON answer, on PostgreSQL or
SQLite (hub/dialects.py speaks both). Anything it does not cover (a field, an argument that would be
refused, a missing token) raises `Unplannable` and the executor answers instead, so the fast path never has
to reproduce an error.
tests/test_read_planner_agrees_with_executor.py checks that both give the same answers.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import orjson
from graphql import (
    ExecutionResult,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    Node,
    OperationType,
    VariableDefinitionNode,
    VariableNode,
    get_named_type,
)
from graphql.execution.collect_fields import FieldDetails, collect_fields, collect_subfields
from graphql.execution.executor import Executor
from graphql.execution.values import get_argument_values
from sqlalchemy import Text, bindparam, cast, literal, select
from sqlalchemy.exc import CompileError
from sqlalchemy.sql.elements import ColumnElement
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType as StrawberryOperation
from strawberry.utils.str_converters import to_camel_case

from hub.dialects import json_object
from hub.i18n import language

logger = logging.getLogger(__name__)

Details = list[FieldDetails]
CACHE_SIZE = 512
PLAN = "hub.plan"  # a field's metadata key: its compiler (hub/graphql/fields.py)
EXECUTOR_ONLY = "hub.executor_only"  # a field's metadata key: why it has no compiler
BUILT_BY_PARENT = "hub.built_by_parent"  # a field's metadata key: its parent's compiler builds it


def strawberry_field(definition: GraphQLField) -> Any:
    return (definition.extensions or {}).get("strawberry-definition")


def compiler_of(definition: GraphQLField) -> Callable[..., ColumnElement[Any]] | None:
    """The compiler a field of the live schema was declared with, if any."""
    return (getattr(strawberry_field(definition), "metadata", None) or {}).get(PLAN)


class Unplannable(Exception):
    """The planner does not cover this request; the executor answers it."""


@dataclass
class Walk:
    """One operation being planned: the schema, the operation's fragments and variables, and the caller."""

    schema: GraphQLSchema
    executor: Executor
    actor: Any
    hub: Any
    today: date
    memo: dict[Any, Any] = field(default_factory=dict)  # what several fields of one operation share (a CTE)
    cursors: dict[str, Callable[[Any], object]] = field(default_factory=dict)
    cursor_arguments: dict[str, set[int]] = field(default_factory=dict)  # variable -> its cursor arguments' ids

    def cursor(self, details: Details, argument: str, key: object, decode: Callable[[Any], object]) -> Any:
        """The decoded cursor `key` as a parameter of the statement. When the cursor comes from a variable, the
        parameter is named after it, so the plan serves every page of the same query: the next page's statement
        is this one with the variable's decoded value put in (`Plan.bind`), not a new plan compiled per page."""
        given = next((a for a in details[0].node.arguments or () if a.name.value == argument), None)
        if given is None or not isinstance(given.value, VariableNode):
            return key
        name = given.value.name.value
        self.cursors[name] = decode
        self.cursor_arguments.setdefault(name, set()).add(id(given))
        return bindparam(f"{CURSOR}{name}", key)

    def template_cursors(self) -> set[str]:
        """The cursor variables used nowhere but as cursors: only those may take another value in the same
        plan (a variable also given to another argument may have shaped the statement)."""
        uses: dict[str, int] = {}

        def count(node: Any) -> None:
            if isinstance(node, VariableNode):
                uses[node.name.value] = uses.get(node.name.value, 0) + 1
            elif isinstance(node, Node) and not isinstance(node, VariableDefinitionNode):
                for key in node.keys:
                    child = getattr(node, key, None)
                    for item in child if isinstance(child, tuple | list) else (child,):
                        if isinstance(item, Node):
                            count(item)

        count(self.executor.operation)
        for fragment in self.executor.fragments.values():
            count(fragment)
        return {name for name, given in self.cursor_arguments.items() if uses.get(name) == len(given)}

    def need_actor(self) -> Any:
        """The caller; fields that require a token are left to the executor (and its error) without one."""
        if self.actor is None:
            raise Unplannable("no token")
        return self.actor

    def root_arguments(self, name: str) -> list[dict[str, Any]]:
        """The arguments of every root field `name` of the operation (one per alias), so that the fields can
        share one computation, as the executor's DataLoader batches them (R14's report of every province)."""
        run, root = self.executor, self.schema.query_type
        assert root is not None
        collected = collect_fields(self.schema, run.fragments, run.variable_values, root, run.operation)
        groups = [group for _key, group in self._grouped(collected) if group[0].node.name.value == name]
        return [self.arguments(root.fields[name], group) for group in groups]

    def selections(self, parent: GraphQLObjectType, details: Details) -> Iterator[tuple[str, Details]]:
        """(response key, field details) of a field's sub-selection, merged as the executor merges them."""
        run = self.executor
        collected = collect_subfields(self.schema, run.fragments, run.variable_values, run.operation, parent, details)
        return self._grouped(collected)

    def _grouped(self, collected: Any) -> Iterator[tuple[str, Details]]:
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            raise Unplannable("@defer")
        for key, group in collected.grouped_field_set.items():
            if any(d.defer_usage is not None or d.fragment_variable_values is not None for d in group):
                raise Unplannable("@defer or fragment variables")
            yield key, group

    def arguments(self, definition: GraphQLField, details: Details) -> dict[str, Any]:
        """The field's arguments by Python name (as the resolver receives them), enums as their stored value."""
        try:
            raw = get_argument_values(definition, details[0].node, self.executor.variable_values)
        except Exception as exc:  # an argument the executor would refuse: let it say so
            raise Unplannable(str(exc)) from exc
        declared = getattr(strawberry_field(definition), "arguments", None) or []
        names = {a.graphql_name or to_camel_case(a.python_name): a.python_name for a in declared}
        return {names.get(name, name): getattr(value, "value", value) for name, value in raw.items()}

    def object(self, gql_type: GraphQLObjectType, row: Any, details: Details, root: bool = False) -> ColumnElement[Any]:
        """json_build_object of the selection on `gql_type` for the row `row` (None at the root), each field
        by the compiler it was declared with."""

        def compile_(name: str, group: Details) -> ColumnElement[Any] | None:
            definition = gql_type.fields.get(name)
            if definition is None:  # __schema, __type: introspection is the executor's
                raise Unplannable(f"introspection {name}")
            compiler = compiler_of(definition)
            if compiler is None:
                return None
            return compiler(self, row, self.arguments(definition, group), group, definition)

        run = self.executor
        if root:
            collected = collect_fields(self.schema, run.fragments, run.variable_values, gql_type, run.operation)
            return self._build(gql_type, self._grouped(collected), compile_)
        return self._build(gql_type, self.selections(gql_type, details), compile_)

    def embedded(
        self, gql_type: GraphQLObjectType, details: Details, values: dict[str, Callable[[Details], Any]]
    ) -> ColumnElement[Any]:
        """An object built from expressions of its parent's row (edges, page info, sign-offs)."""

        def compile_(name: str, group: Details) -> Any:
            return values[name](group) if name in values else None

        return self._build(gql_type, self.selections(gql_type, details), compile_)

    def _build(
        self,
        gql_type: GraphQLObjectType,
        groups: Iterator[tuple[str, Details]],
        compile_: Callable[[str, Details], Any],
    ) -> ColumnElement[Any]:
        pairs: list[Any] = []
        for key, group in groups:
            name = group[0].node.name.value
            expr = literal(gql_type.name) if name == "__typename" else compile_(name, group)
            if expr is None:
                raise Unplannable(f"{gql_type.name}.{name}")
            pairs += [literal(key), expr]
        return build_object(pairs)


MAX_ARGUMENTS = 100  # PostgreSQL's limit on a function's arguments: 50 keys per json_build_object


def build_object(pairs: list[Any]) -> ColumnElement[Any]:
    if len(pairs) > MAX_ARGUMENTS:
        raise Unplannable("more than 50 fields in one selection")
    return json_object(*pairs)


def named(definition: GraphQLField) -> Any:
    return get_named_type(definition.type)


@dataclass(frozen=True)
class Plan:
    """A compiled statement: SQL text for the driver and its positional parameters; `cursors` gives, for each
    parameter that is a page cursor taken from a variable, its position, the variable and its decoder."""

    sql: str
    parameters: tuple[Any, ...]
    cursors: tuple[tuple[int, str, Callable[[Any], object]], ...] = ()
    operation: str | None = None  # the operation's name in its document, for metrics and the access log

    def cursor_variables(self) -> frozenset[str]:
        return frozenset(name for _at, name, _decode in self.cursors)

    def bind(self, variables: dict[str, Any]) -> Plan:
        """The same statement for other cursor values (Unplannable when one is not a cursor of its list)."""
        parameters = list(self.parameters)
        for at, name, decode in self.cursors:
            try:
                parameters[at] = decode(variables[name])
            except Exception as exc:  # the executor refuses it, with its message
                raise Unplannable(str(exc)) from exc
        return Plan(self.sql, tuple(parameters), self.cursors, self.operation)


@dataclass
class PlanCache:
    """Compiled statements by (document, operation, variables, caller, today): compiling costs more
    than running a small plan, and a front end sends the same few documents all day."""

    size: int = CACHE_SIZE
    entries: OrderedDict[str, Plan | None] = field(default_factory=OrderedDict)
    # (query, operation) -> the variables its plans take page cursors from (Plan.cursors)
    cursor_variables: OrderedDict[str, frozenset[str]] = field(default_factory=OrderedDict)
    # documents with a plan for some variables and caller: known_answer looks no further for others (a
    # mutation's key would cost json.dumps of its variables, an import's file among them)
    texts: OrderedDict[str, None] = field(default_factory=OrderedDict)

    def planned_text(self, query: str) -> bool:
        return query in self.texts

    def remember_text(self, query: str) -> None:
        self.texts[query] = None
        if len(self.texts) > self.size:
            self.texts.popitem(last=False)

    def get(self, key: str) -> Plan | None | bool:
        if key not in self.entries:
            return False
        self.entries.move_to_end(key)
        return self.entries[key]

    def put(self, key: str, plan: Plan | None) -> None:
        self.entries[key] = plan
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)

    def paged(self, query: str, operation_name: str | None, variables: dict[str, Any], actor: Any, today: date) -> Any:
        """The plan of another page of a query planned before (its cursor variables bound), or False."""
        names = self.cursor_variables.get(cache_key(query, operation_name, None, None, today))
        if not names or any(variables.get(name) is None for name in names):
            return False
        template = self.get(cache_key(query, operation_name, _cursors_marked(variables, names), actor, today))
        if not isinstance(template, Plan):
            return False
        try:
            return template.bind(variables)
        except Unplannable:
            return False

    def put_paged(
        self, query: str, operation_name: str | None, variables: dict[str, Any], actor: Any, today: date, plan: Plan
    ) -> None:
        """Keep `plan` as the template of every page of its query (all its cursor variables given)."""
        names = plan.cursor_variables()
        if not names or any(variables.get(name) is None for name in names):
            return
        self.cursor_variables[cache_key(query, operation_name, None, None, today)] = names
        if len(self.cursor_variables) > self.size:
            self.cursor_variables.popitem(last=False)
        self.put(cache_key(query, operation_name, _cursors_marked(variables, names), actor, today), plan)


CURSOR = "hub_cursor_"  # the name of a parameter that is a page cursor: CURSOR + its variable's name


def _cursors_marked(variables: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    """The variables with each cursor's value replaced by a mark: one key for every page of a query."""
    return {**variables, **{name: {CURSOR: True} for name in names}}


def plan(
    hub: Any, schema: GraphQLSchema, document: Any, operation_name: str | None, variables: Any, actor: Any
) -> Plan:
    """The one statement answering this read query, or Unplannable."""
    built = Executor.build(schema, document, raw_variable_values=variables, operation_name=operation_name)
    if isinstance(built, list):
        raise Unplannable("variables or operation refused")
    if built.operation.operation is not OperationType.QUERY:
        raise Unplannable("not a query")
    walk = Walk(schema, built, actor, hub, hub.clock.today())
    # As text: the driver would parse PostgreSQL's json with the standard library's json, 5x slower than orjson
    statement = select(cast(walk.object(schema.query_type, None, [], root=True), Text).label("data"))
    dialect = hub.engine.dialect
    compiler = _written_compiler(dialect.statement_compiler)
    compiled = compiler(dialect, statement, compile_kwargs={"render_postcompile": True})
    values = compiled.construct_params()
    order = compiled.positiontup or []
    templated = walk.template_cursors()
    cursors = tuple(
        (at, name[len(CURSOR) :], walk.cursors[name[len(CURSOR) :]])
        for at, name in enumerate(order)
        if name.startswith(CURSOR) and name[len(CURSOR) :] in templated
    )
    operation = built.operation.name.value if built.operation.name else None
    return Plan(str(compiled), tuple(values[name] for name in order), cursors, operation)


@functools.cache
def _written_compiler(base: type) -> Any:
    """A dialect's compiler `base` writing the plan's values into the statement, typed as its parameters would
    be (`('620121')::VARCHAR`). A plan is compiled per variables, caller and day already, so its values are
    known; bound, PostgreSQL plans a prepared statement again at each execution whenever it prices its generic
    plan, which cannot see the values, above a custom one: on a nation grown ×5 around small counties, Q2 spent
    3–5 ms planning at every request (bench/README.md). Written, the statement is planned once per server
    connection. Bound stay: a page cursor taken from a variable (`Walk.cursor`: another page binds it), what the
    dialect cannot write (CompileError), and any value `_writable` refuses (a list as a whole; a written list is
    not cast: its items take the column's type, as in `code IN ('61', '62')`)."""

    class Written(base):  # type: ignore[misc,valid-type]
        def visit_bindparam(self, bindparam: Any, **kw: Any) -> str:
            if bindparam.key.startswith(CURSOR) or not _writable(bindparam.effective_value):
                return str(super().visit_bindparam(bindparam, **kw))
            try:
                value = str(super().visit_bindparam(bindparam, **{**kw, "literal_binds": True}))
            except CompileError:
                return str(super().visit_bindparam(bindparam, **kw))
            impl = bindparam.type._unwrapped_dialect_impl(self.dialect)
            if self.dialect._bind_typing_render_casts and impl.render_bind_cast and not bindparam.expanding:
                return str(self.render_bind_cast(bindparam.type, impl, f"({value})"))  # (-1)::INTEGER
            return value

    return Written


PLAIN = re.compile(r"[\w\-. ]{0,64}")  # letters of any script, digits, _ - . and space


def _writable(value: Any) -> bool:
    """Whether a value may be written into a statement. SQLAlchemy rewrites the compiled text after it is
    written — placeholders such as `%(name)s` and `__[POSTCOMPILE_name]`, quoted or not — and PostgreSQL reads
    a backslash as an escape where standard_conforming_strings is off: so a string is written only when it is
    short and plain (codes, years, names, enum values); anything else from a caller stays bound."""
    if value is None or isinstance(value, bool | int | float | Decimal | date):  # date: datetimes too
        return True
    if isinstance(value, list | tuple):  # an IN list (post structure's provinces, statuses, levels)
        return all(_writable(item) and not isinstance(item, list | tuple) for item in value)
    if isinstance(value, Enum):
        value = value.value
    return isinstance(value, str) and PLAIN.fullmatch(value) is not None


def cache_key(query: str, operation_name: str | None, variables: Any, actor: Any, today: date) -> str:
    """What a plan depends on: the query text (parsed and validated the same every time), the operation,
    the variables, the caller, today (agreements in force) and the language of the request (a report's
    texts, such as R14's violations, are written into its statement)."""
    facts = [query, operation_name, variables, _who(actor), today.isoformat(), language()]
    raw = json.dumps(facts, default=str, sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()


def _who(actor: Any) -> Any:
    return None if actor is None else (actor.level.value, actor.code, actor.subject)


class ReadPlanner(SchemaExtension):
    """Answers a planned query with one statement before the executor runs; leaves the rest to it."""

    async def on_execute(self) -> Any:  # type: ignore[override]
        context = self.execution_context.context
        hub = getattr(context, "hub", None)
        if hub is not None and hub.read_planner and self.execution_context.result is None:
            data = await answer(hub, self.execution_context, context)
            if data is not None:
                self.execution_context.result = ExecutionResult(data=data, errors=None)
        yield


async def answer(hub: Any, execution: Any, context: Any) -> dict[str, Any] | None:
    """The planned answer's data, or None for the executor to answer."""
    if context.auth_error or execution.operation_type is not StrawberryOperation.QUERY:
        return None
    variables = execution.variables or {}
    today = hub.clock.today()
    # the operation name as the request gave it (None for a document's only operation), as known_answer sees it
    name = getattr(execution, "_provided_operation_name", execution.operation_name)
    key = cache_key(execution.query, name, variables, context.actor, today)
    found = _known(hub, key, execution.query, name, variables, context.actor, today)
    if found is False:
        document = execution.graphql_document
        try:
            found = plan(hub, hub.schema._schema, document, execution.operation_name, variables, context.actor)
        except Unplannable as why:
            logger.debug("executor answers: %s", why)
            found = None
        except Exception:  # a planner bug must not cost the caller an answer: the executor gives it
            logger.exception("the read planner failed; the executor answers")
            found = None
        hub.plans.put(key, found)
        if found is not None:
            hub.plans.remember_text(execution.query)
            hub.plans.put_paged(execution.query, name, variables, context.actor, today, found)
    if found is None or getattr(context, "plan_failed", False):  # failed on the way in: not twice
        return None
    return await _run(hub, found, context)


async def known_answer(
    hub: Any, context: Any, query: str, operation_name: str | None, variables: dict[str, Any] | None
) -> tuple[dict[str, Any], str | None] | None:
    """The answer of a request whose plan is known: the same text, operation, variables, caller, day and
    language were parsed, validated, measured against the limits and planned before (hub/app.py asks before
    strawberry's pipeline runs, which costs as much CPU as the planned statement itself; the verdicts of
    those steps depend on nothing else). (data, the operation's name) — None when no plan is known: the
    request takes the whole path."""
    if context.auth_error or not hub.plans.planned_text(query):
        return None
    variables = variables or {}
    today = hub.clock.today()
    key = cache_key(query, operation_name, variables, context.actor, today)
    found = _known(hub, key, query, operation_name, variables, context.actor, today)
    if not isinstance(found, Plan):
        return None
    data = await _run(hub, found, context)
    return None if data is None else (data, found.operation)


def _known(
    hub: Any, key: str, query: str, operation_name: str | None, variables: dict[str, Any], actor: Any, today: date
) -> Plan | None | bool:
    """The plan cached for `key` (None: known to be unplannable), else another page's template bound to
    these cursors, else False."""
    found = hub.plans.get(key)
    if found is False:
        found = hub.plans.paged(query, operation_name, variables, actor, today)
    return found


async def _run(hub: Any, found: Plan, context: Any) -> dict[str, Any] | None:
    try:
        async with hub.read_connection() as connection:  # a replica's when configured (hub/replica.py)
            result = await connection.exec_driver_sql(found.sql, found.parameters)
            value = result.scalar_one()
        data = _loads(value)
    except Exception:  # a lost database or a plan PostgreSQL refuses: the executor answers (or says why)
        logger.exception("a planned statement failed; the executor answers")
        context.plan_failed = True
        return None
    context.planned = True
    return data


def _loads(text: str) -> dict[str, Any]:
    """The answer's JSON, by orjson (5x json's speed). orjson reads an integer beyond 64 bits as a float, json
    as an int — none can be in an answer (GraphQL's Int has 32 bits; money is a string) — and it refuses
    what json takes (SQLite's 9.0e999 for an infinite float): json reads those, as before."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
