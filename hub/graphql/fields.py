"""Read fields declared once: each says what it is — a column, a relation, a list, a connection, an SQL
expression beside its Python, or Python only — and both the executor's resolver and the read planner's
SQL come from that one declaration (style.md: "a field is declared once; every path derives from it").

A declaration is a strawberry field whose metadata carries its planner compiler (`PLAN`) or the reason it
is answered by the executor only (`EXECUTOR_ONLY`). The planner (hub/graphql/planner.py) reads the compiler
off the live schema, so a plugin's fields declared here are planned like the core's, and
tests/test_every_field_is_planned_or_says_why.py fails on a field that is neither.

A compiler is `(walk, row, arguments, details, definition) -> SQL expression`: `row` is the FROM clause of
the object being built (an alias or a page subquery with the table's columns), None for root fields; the
arguments are keyed by Python name with enum values as stored. Every table is aliased, so a read scope —
written against the plain tables for the executor — goes in as `alias.key IN (SELECT key FROM table WHERE
scope)` and means exactly what it means there. Whatever a resolver would refuse (a bad `first`, cursor or
year, a missing token) raises `Unplannable`, and the executor answers with its error.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLObjectType
from sqlalchemy import DateTime, Numeric, Text, and_, case, cast, false, func, literal_column, null, select, true
from sqlalchemy.sql.elements import ColumnClause, ColumnElement, False_, True_
from sqlalchemy.sql.expression import literal
from sqlalchemy.sql.selectable import Exists, ScalarSelect, Selectable
from sqlalchemy.sql.util import ClauseAdapter
from sqlalchemy.sql.visitors import iterate

import hub.graphql.scalars  # noqa: F401  (registers the enums)
from hub.dialects import EMPTY_LIST, base64_text, decimal_text, iso_instant, json_list, json_list_where
from hub.graphql.connections import Connection, decode_cursor, fetch_nested_pages, fetch_page, page_size, to_connection
from hub.graphql.context import Info
from hub.graphql.planner import BUILT_BY_PARENT, EXECUTOR_ONLY, PLAN, Details, Unplannable, Walk, compiler_of, named
from hub.ids import to_global_id
from hub.models import key_column
from hub.rules.years import is_year_code

Compiler = Callable[[Walk, Any, dict[str, Any], Details, Any], ColumnElement[Any]]
NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")

RECORDS: dict[type, type] = {}  # table model -> the GraphQL type built from its rows
EXECUTOR_ONLY_TYPES: dict[str, str] = {}  # GraphQL type name -> why its fields are Python only


# --- Types ---------------------------------------------------------------------------------------------


def record(model: type, scope: str | None = None, node: bool = True) -> Callable[[type], type]:
    """Mark a (not yet strawberry-decorated) class as the GraphQL type of `model`'s rows: it gets a
    private `row`, an `id` (the Relay global id of the primary key) when it is a `node`, and `of(row)`.
    `scope` names the entity whose read scope `node(id:)` applies (None: any caller with a token)."""

    def decorate(cls: type) -> type:
        if node:
            cls.id = global_id(cls.__name__, model)  # type: ignore[attr-defined]
            cls.__annotations__ = {"id": strawberry.ID, **cls.__dict__.get("__annotations__", {})}
        _bind(cls, model)
        cls.scope = scope  # type: ignore[attr-defined]
        cls.node = node  # type: ignore[attr-defined]
        RECORDS[model] = cls
        return cls

    return decorate


def _bind(cls: type, model: type) -> None:
    """Give the class a private `row` and `of(row)`, which copies the row's columns (and its global id)
    into the declared plain fields; tell `many` declarations their row's model."""
    annotations = {**cls.__dict__.get("__annotations__", {}), "row": strawberry.Private[model]}  # type: ignore[valid-type]
    cls.__annotations__ = annotations
    copied: dict[str, Callable[[Any], Any]] = {}
    for attribute, value in list(cls.__dict__.items()):
        declared = getattr(value, "metadata", {}).get(PLAN)
        if isinstance(declared, Column):
            declared.name = declared.name or attribute
            copied[attribute] = declared.read
        if isinstance(declared, Many) and declared.owner is None:
            declared.owner = model
    cls.model = model  # type: ignore[attr-defined]
    cls.of = classmethod(lambda c, row: c(row=row, **{a: read(row) for a, read in copied.items()}))  # type: ignore[attr-defined]


def node_types() -> dict[str, type]:
    """The types `node(id:)` can return, by the type name in the global id."""
    return {cls.__name__: cls for cls in RECORDS.values() if cls.node}  # type: ignore[attr-defined]


def built_by_parent(**field: Any) -> Any:
    """A plain field that the compiler of the field above it builds (a connection's edges, `me`'s level)."""
    return strawberry.field(metadata={BUILT_BY_PARENT: True}, **field)


def executor_only_type(reason: str) -> Callable[[type], type]:
    """A type built in Python from a computation (a report, a rule's result): none of its fields is planned."""

    def decorate(cls: type) -> type:
        EXECUTOR_ONLY_TYPES[cls.__name__] = reason
        return cls

    return decorate


def view(model: type, row: Any) -> Any:
    """The GraphQL object of a table row (None stays None)."""
    return None if row is None else RECORDS[model].of(row)


# --- SQL building blocks ---------------------------------------------------------------------------------


def text(value: str) -> ColumnElement[Any]:
    """A constant string the planner itself chose (a GraphQL name), inlined: json_build_object takes
    "any" arguments, whose parameters PostgreSQL could not type."""
    if not NAME.match(value):
        raise Unplannable(f"not a plain name: {value!r}")
    return literal_column(f"'{value}'")


def b64(prefix: str, key: Any) -> ColumnElement[Any]:
    """base64 of `prefix:key` in SQL, as `hub.ids.to_global_id` and cursors spell it in Python."""
    text_key = cast(key, Text)
    labelled = text(prefix).op("||")(literal_column("':'")).op("||")(text_key)  # NULL stays NULL (concat would not)
    return base64_text(labelled)


def primary_key(model: type) -> str:
    return key_column(model).key


def as_json_value(value: Any) -> ColumnElement[Any]:
    """A column as the executor serializes it: instants as ISO text, money (Decimal) as its text. (PostgreSQL's
    own JSON of a timestamp drops trailing zeros of the microseconds, Python's isoformat keeps them.)"""
    stored = getattr(value.type, "impl", value.type)  # a TypeDecorator (sqlmodel's UTCDateTime) by what it stores
    if isinstance(stored, DateTime):
        return iso_instant(value)
    if isinstance(stored, Numeric) and stored.asdecimal:
        return cast(value, Text) if stored.scale is None else decimal_text(value, stored.scale)
    return value


def scoped(walk: Walk, row: Any, model: type, entity: str) -> ColumnElement[bool]:
    """The caller's read scope on `entity` (hub.permissions), applied to an aliased row."""
    condition = walk.hub.permissions.visible(walk.actor, entity)
    if isinstance(condition, True_):
        return true()
    if isinstance(condition, False_):
        return false()
    table = model.__table__  # type: ignore[attr-defined]
    if _on_own_row(condition, table):
        # A filter on the row's own columns (a school office: school_code = ?) is put on the row itself, so a
        # page's keyset scan uses it: as `id IN (SELECT id ... WHERE ...)` it was rescanned whole for every page
        # (and a key's own subquery, `id IN (SELECT volunteer_id ...)`, is probed once instead of nested twice).
        return ClauseAdapter(row).traverse(condition)
    key = primary_key(model)
    return row.c[key].in_(select(table.c[key]).where(condition))


def _on_own_row(condition: ColumnElement[bool], table: Any) -> bool:
    """Whether `condition` may be moved onto an alias of `table`: outside its subqueries it reads only columns of
    `table`, and no subquery names `table` at all (one that did — its FROM or a correlation — would change
    meaning when re-aliased). A county office's `volunteers.id IN (SELECT volunteer_id FROM applications WHERE
    county_code = ?)` qualifies, so a row is checked with one probe instead of a nested semi-join."""

    def walk(element: Any) -> bool:
        if isinstance(element, (Selectable, ScalarSelect, Exists)):
            return not any(_names_table(inner, table) for inner in iterate(element))
        if isinstance(element, ColumnClause) and element.table is not None and element.table is not table:
            return False
        return all(walk(child) for child in element.get_children())

    return walk(condition)


def _names_table(element: Any, table: Any) -> bool:
    return element is table or (isinstance(element, ColumnClause) and element.table is table)


def when(condition: ColumnElement[bool], value: Any, otherwise: Any) -> Any:
    if isinstance(condition, True_):
        return value
    if isinstance(condition, False_):
        return otherwise
    return case((condition, value), else_=otherwise)


def related(walk: Walk, model: type, key: str, value: Any, details: Details, definition: Any) -> Any:
    """The object of the `model` row whose `key` equals `value` (null when there is none)."""
    alias = model.__table__.alias()  # type: ignore[attr-defined]
    body = walk.object(named(definition), alias, details)
    return select(body).where(alias.c[key] == value).correlate_except(alias).scalar_subquery()


def listed(
    walk: Walk, model: type, where: Callable[[Any], Any], details: Details, definition: Any, order: str | None = None
) -> ColumnElement[Any]:
    """A JSON list of rows (never null), ordered as the loaders order them (by key unless told)."""
    alias = model.__table__.alias()  # type: ignore[attr-defined]
    body = walk.object(named(definition), alias, details)
    ordering = alias.c[order or primary_key(model)]
    aggregated = json_list(body, ordering)
    return func.coalesce(select(aggregated).where(where(alias)).correlate_except(alias).scalar_subquery(), EMPTY_LIST)


TOTAL, RANK = "hub_total", "hub_rank"  # the columns a connection's one scan adds to its rows (PostgreSQL)
SHORT_LIST = 4  # a list of at most 4 pages is counted by the scan that finds its first page (PostgreSQL)


def paged(
    walk: Walk, model: type, where: Callable[[Any], Any], args: dict[str, Any], details: Details, definition: Any
) -> ColumnElement[Any]:
    """A Relay connection as `hub.graphql.connections` pages it: by primary key, after the cursor,
    `first` rows (50 by default), totalCount over the whole list."""
    table = model.__table__  # type: ignore[attr-defined]
    key = primary_key(model)
    numeric = table.c[key].type.python_type is int
    try:
        size = page_size(args.get("first"))
        after = args.get("after")
        after_key = None if after is None else decode_cursor(after, model, numeric)
    except GraphQLError as refused:
        raise Unplannable(refused.message) from refused
    if after_key is not None:
        cursor = walk.cursor(details, "after", after_key, lambda given: decode_cursor(given, model, numeric))

    def rows(limit: int) -> Any:
        alias = table.alias()
        condition = where(alias)
        if after_key is not None:
            condition = and_(condition, alias.c[key] > cursor)
        return select(alias).where(condition).correlate_except(alias).order_by(alias.c[key]).limit(limit).lateral()

    kind = model.__name__
    conn_type: GraphQLObjectType = named(definition)
    edge_type = named(conn_type.fields["edges"])
    node_type = named(edge_type.fields["node"])

    def edge(page: Any, group: Details) -> Any:
        node = {"cursor": lambda _d: b64(kind, page.c[key]), "node": lambda nodes: walk.object(node_type, page, nodes)}
        return walk.embedded(edge_type, group, node)

    def page_info(group: Details, has_next: Any, start: Any, end: Any) -> Any:
        """pageInfo from the builders of hasNextPage, startCursor and endCursor."""
        previous = true() if after is not None else false()
        parts = {"hasNextPage": has_next, "hasPreviousPage": lambda _d: previous}
        parts |= {"startCursor": start, "endCursor": end}
        return walk.embedded(named(conn_type.fields["pageInfo"]), group, parts)

    def total(_details: Details) -> Any:
        alias = table.alias()
        return select(func.count()).select_from(alias).where(where(alias)).correlate_except(alias).scalar_subquery()

    selected = {group[0].node.name.value for _key, group in walk.selections(conn_type, details)}
    if walk.hub.engine.dialect.name == "postgresql" and selected & {"edges", "pageInfo"} and after_key is None:
        # A first page is answered from one scan of the list: the page (first + 1 rows, the extra one telling
        # hasNextPage), edges and pageInfo aggregated over it, and totalCount as a window over the first
        # SHORT_LIST × first rows — a longer list (the scan found more) is counted apart: a window over all of
        # it would hold each of its rows (a national list of 20,000 applications: 9 -> 166 ms). Written out
        # below, every part scanned the list again. Pages after a cursor keep that form: an export's pages were
        # slower in one scan (20,000 rows: 3.2 -> 3.7-4.5 s), for reasons not yet found.
        counted = "totalCount" in selected
        row = table.alias()
        found = select(row).where(where(row))
        # the windows go over the limited rows, not under the limit: a LIMIT right above its ORDER BY keeps
        # PostgreSQL's bounded (top-N) sort; with a window between them every row of the list was sorted
        limit = literal(SHORT_LIST * size + 1 if counted else size + 1)
        listed = found.correlate_except(row).order_by(row.c[key]).limit(limit).lateral()
        windows = [func.row_number().over(order_by=listed.c[key]).label(RANK)]
        if counted:
            windows.append(func.count().over().label(TOTAL))
        page = select(listed, *windows).lateral()
        in_page = page.c[RANK] <= size
        seen = func.coalesce(func.max(page.c[TOTAL]), 0) if counted else None

        def cursor_in_page(pick: Callable[[Any], Any]) -> Callable[[Details], Any]:
            return lambda _d: b64(kind, pick(page.c[key]).filter(in_page))

        parts = {
            "totalCount": lambda d: case((seen <= SHORT_LIST * size, seen), else_=total(d)) if counted else total(d),
            "edges": lambda g: func.coalesce(json_list_where(edge(page, g), in_page, page.c[key]), EMPTY_LIST),
            "pageInfo": lambda g: page_info(
                g, lambda _d: func.count() > size, cursor_in_page(func.min), cursor_in_page(func.max)
            ),
        }
        # HAVING without GROUP BY: one row (one group) even when nothing selected aggregates — a selection of
        # only pageInfo { hasPreviousPage } gave a row per page row, or none (null) for an empty list
        answer = select(walk.embedded(conn_type, details, parts)).select_from(page).having(true())
        return answer.scalar_subquery()

    def edges(group: Details) -> Any:
        page = rows(size)
        aggregated = json_list(edge(page, group), page.c[key])
        return func.coalesce(select(aggregated).select_from(page).correlate_except(page).scalar_subquery(), EMPTY_LIST)

    def cursor_at(pick: Callable[[Any], Any]) -> Callable[[Details], Any]:
        def build(_details: Details) -> Any:
            page = rows(size)
            return select(b64(kind, pick(page.c[key]))).select_from(page).correlate_except(page).scalar_subquery()

        return build

    def has_next(_details: Details) -> Any:
        probe = rows(size + 1)
        return select(func.count() > size).select_from(probe).correlate_except(probe).scalar_subquery()

    def paged_info(group: Details) -> Any:
        return page_info(group, has_next, cursor_at(func.min), cursor_at(func.max))

    return walk.embedded(conn_type, details, {"totalCount": total, "edges": edges, "pageInfo": paged_info})


def year_argument(value: Any) -> str:
    if not isinstance(value, str) or not is_year_code(value):
        raise Unplannable("not a year")
    return value


# --- Declarations ----------------------------------------------------------------------------------------


class Column:
    """A field that is a column of its row; the name defaults to the field's Python name."""

    def __init__(self, name: str | None) -> None:
        self.name = name

    def read(self, row: Any) -> Any:
        return getattr(row, self.name)  # type: ignore[arg-type]

    def __call__(self, walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
        return as_json_value(row.c[self.name])


def column(name: str | None = None, **field: Any) -> Any:
    """A column of the row (`name` defaults to the field's Python name), copied by `of(row)`."""
    return strawberry.field(metadata={PLAN: Column(name)}, **field)


class GlobalId(Column):
    """The Relay global id of the row's primary key, `Type:key` in base64."""

    def __init__(self, type_name: str, model: type) -> None:
        super().__init__(primary_key(model))
        self.type_name = type_name

    def read(self, row: Any) -> Any:
        return strawberry.ID(to_global_id(self.type_name, getattr(row, self.name)))  # type: ignore[arg-type]

    def __call__(self, walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
        return b64(self.type_name, row.c[self.name])


def global_id(type_name: str, model: type) -> Any:
    return strawberry.field(metadata={PLAN: GlobalId(type_name, model)})


def one(model: type, via: str, key: str | None = None, **field: Any) -> Any:
    """The `model` row whose `key` (its primary key unless told) equals this row's `via` column; null when
    `via` is null or no row matches. Loaded through the request's DataLoader; a correlated subquery in SQL."""
    target = key or primary_key(model)

    async def resolve(self, info: Info) -> Any:  # noqa: ANN001
        value = getattr(self.row, via)
        if value is None:
            return None
        return view(model, await info.context.loaders.one(model, target).load(value))

    def compile_(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
        return related(walk, model, target, row.c[via], details, definition)

    return strawberry.field(resolver=resolve, metadata={PLAN: compile_}, **field)


class Many:
    """A list of `model` rows pointing at this row; `owner` (this row's model) is set by `record`."""

    def __init__(self, model: type, via: str, key: str | None, guard: str | None) -> None:
        self.model, self.via, self.key, self.guard = model, via, key, guard
        self.owner: type | None = None

    async def resolve(self, info: Info, row: Any) -> list[Any]:
        owner = self.owner
        assert owner is not None
        if self.guard is not None and not await visible(info, self.guard, owner, row):
            return []
        parent = getattr(row, self.key or primary_key(owner))
        return [view(self.model, r) for r in await info.context.loaders.many(self.model, self.via).load(parent)]

    def __call__(self, walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
        owner = self.owner
        assert owner is not None
        parent = row.c[self.key or primary_key(owner)]
        rows = listed(walk, self.model, lambda t: t.c[self.via] == parent, details, definition)
        return rows if self.guard is None else when(scoped(walk, row, owner, self.guard), rows, EMPTY_LIST)


def many(
    model: type, via: str, key: str | None = None, guard: str | None = None, owner: type | None = None, **field: Any
) -> Any:
    """The `model` rows whose `via` column equals this row's `key` (its primary key unless told), in key
    order. `guard` names the entity whose read scope must include THIS row for the list to show (else []).
    `owner`, this row's model, is known from `record`; a plugin adding the field to a core type names it."""
    declared = Many(model, via, key, guard)
    declared.owner = owner

    async def resolve(self, info: Info) -> list[Any]:  # noqa: ANN001
        return await declared.resolve(info, self.row)

    return strawberry.field(resolver=resolve, metadata={PLAN: declared}, **field)


async def visible(info: Info, entity: str, model: type, row: Any) -> bool:
    """Whether the caller's read scope on `entity` includes this row (one batched query per request)."""
    condition = info.context.hub.permissions.visible(info.context.actor, entity)
    if isinstance(condition, True_):
        return True
    if isinstance(condition, False_):
        return False
    key = model.__table__.c[primary_key(model)]  # type: ignore[attr-defined]

    async def batch(session: Any, keys: list[Any]) -> list[bool]:
        found = set((await session.execute(select(key).where(key.in_(keys), condition))).scalars())
        return [k in found for k in keys]

    return await info.context.loaders.custom(("visible", entity, model), batch).load(getattr(row, key.key))


def embedded(type_name: str, present: tuple[str, ...], **field: Any) -> Any:
    """An object made of more columns of the same row (a sign-off, a selection result): null unless all of
    `present` are set; its fields are declared on its own type over the same row."""

    def resolve(self) -> Any:  # noqa: ANN001
        if any(getattr(self.row, c) is None for c in present):
            return None
        return EMBEDDED[type_name].of(self.row)

    def compile_(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
        body = walk.object(named(definition), row, details)
        return case((and_(*(row.c[c].is_not(None) for c in present)), body), else_=null())

    return strawberry.field(resolver=resolve, metadata={PLAN: compile_}, **field)


EMBEDDED: dict[str, type] = {}


def part_of(model: type) -> Callable[[type], type]:
    """Mark a class as an object embedded in `model`'s row (see `embedded`)."""

    def decorate(cls: type) -> type:
        _bind(cls, model)
        EMBEDDED[cls.__name__] = cls
        return cls

    return decorate


def connection(
    model: type,
    where: Callable[[Any, dict[str, Any], Any], Any],
    parent: tuple[str, str] | None = None,
    token: bool = True,
    scope: str | None = None,
    visible_to: str | None = None,
    year: str | None = None,
    **field: Any,
) -> Callable[[Callable[..., Any]], Any]:
    """Decorates a resolver stub (its signature gives the arguments) into a Relay connection of `model` rows
    matching `where(table, arguments, parent_row)` — `parent_row` is the parent's row (its columns in SQL),
    None at the root. `parent=(child column, parent column)` links the rows to their parent (not repeated in
    `where`), which lets the executor page many parents in one query.
    `token`: a caller must be signed in; `scope`: the entity whose read scope filters the rows and which the
    caller's level must be able to read at all (FORBIDDEN otherwise); `visible_to`: the entity whose read
    scope only filters the rows; `year`: the argument that must be a program year."""
    filtered = scope or visible_to
    from hub.errors import bad_input
    from hub.i18n import _

    def decorate(stub: Callable[..., Any]) -> Any:
        what = stub.__name__

        @functools.wraps(stub)
        async def resolve(self: Any, info: Info, **args: Any) -> Connection[Any]:
            context = info.context
            if scope is not None:
                actor = context.require_scope(scope, what)
            elif token:
                actor = context.require_actor(what)
            else:
                actor = context.actor
            values = {k: getattr(v, "value", v) for k, v in args.items()}
            if year is not None and not is_year_code(values[year]):
                raise bad_input(_("a program year reads like 2021-2022, not {year!r}", year=values[year]))
            row = getattr(self, "row", None)
            table = model.__table__  # type: ignore[attr-defined]
            condition = where(table, values, row)
            if filtered is not None:
                condition = and_(condition, context.hub.permissions.visible(actor, filtered))
            first, after = values.get("first"), values.get("after")
            if parent is not None and row is not None:
                child, parent_column = parent

                async def batch(session: Any, keys: list[Any]) -> list[Any]:
                    return await fetch_nested_pages(session, model, table.c[child], keys, condition, first, after)

                cache = (what, model, tuple(sorted((k, str(v)) for k, v in values.items())))
                page = await context.loaders.custom(cache, batch).load(getattr(row, parent_column))
            else:
                async with context.hub.sessionmaker() as session:
                    page = await fetch_page(session, model, condition, first, after)
            return to_connection(page, RECORDS[model].of, lambda r: getattr(r, primary_key(model)))

        def compile_(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
            if scope is not None:
                if not walk.hub.permissions.can_read(walk.need_actor(), scope):
                    raise Unplannable("FORBIDDEN")
            elif token:
                walk.need_actor()
            if year is not None:
                year_argument(args.get(year))
            parent_row = None if row is None else row.c

            def condition(t: Any) -> Any:
                base = where(t, args, parent_row)
                if parent is not None and row is not None:
                    base = and_(t.c[parent[0]] == row.c[parent[1]], base)
                return base if filtered is None else and_(base, scoped(walk, t, model, filtered))

            return paged(walk, model, condition, args, details, definition)

        return strawberry.field(resolver=resolve, metadata={PLAN: compile_}, **field)

    return decorate


def planned(compiler: Compiler, **field: Any) -> Callable[[Callable[..., Any]], Any]:
    """A field whose resolver is written out, with its SQL compiler beside it in the same module — for
    computed fields (a count, a masked value, a rule) whose two forms share their rule's function."""

    def decorate(resolver: Callable[..., Any]) -> Any:
        return strawberry.field(resolver=resolver, metadata={PLAN: compiler}, **field)

    return decorate


def executor_only(reason: str, **field: Any) -> Callable[[Callable[..., Any]], Any]:
    """A field answered by its Python resolver only; `reason` says why it is not planned."""

    def decorate(resolver: Callable[..., Any]) -> Any:
        return strawberry.field(resolver=resolver, metadata={EXECUTOR_ONLY: reason}, **field)

    return decorate


__all__ = [
    "EMPTY_LIST",
    "PLAN",
    "EXECUTOR_ONLY",
    "b64",
    "column",
    "compiler_of",
    "connection",
    "embedded",
    "executor_only",
    "executor_only_type",
    "global_id",
    "many",
    "one",
    "paged",
    "part_of",
    "planned",
    "record",
    "related",
    "scoped",
    "view",
    "when",
]


@strawberry.interface
class Node:
    id: strawberry.ID
