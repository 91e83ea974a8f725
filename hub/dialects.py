"""SQL words PostgreSQL and SQLite both speak, for the read planner (and whatever else builds JSON in SQL).

A compiler (hub/graphql/fields.py) builds its JSON with these constructs, never with one engine's function
names; each construct is compiled for the engine it runs on (SQLAlchemy's `@compiles`), so one declaration
of a field gives the same answer on production's PostgreSQL and on the embedded SQLite:

| construct | PostgreSQL | SQLite (3.35+) |
|---|---|---|
| `json_object(k, v, ...)` | `json_build_object` | `json_object`, booleans as `true`/`false` |
| `json_array(v, ...)` | `json_build_array` | `json_array`, the same |
| `json_list(body, *order)` | `json_agg(body ORDER BY ...)` | `json_group_array(body)` over a window in `order` |
| `EMPTY_LIST` | `'[]'::json` | `json('[]')` |
| `base64_text(t)` | `encode(convert_to(t, 'UTF8'), 'base64')`, on one line | `hub_base64(t)`, registered by hub.db |
| `iso_instant(v)` | `to_char` of the UTC instant | `substr` of the stored `YYYY-MM-DD HH:MM:SS.ffffff` |
| `decimal_text(v, scale)` | `v::text` (numeric keeps its scale) | `printf('%.<scale>f', v)` |
| `cents_text(c)` | `CAST(c * 0.01 AS TEXT)` (numeric of scale 2) | `printf('%d.%02d', c / 100, c % 100)` |
| `ratio_number(p, w)` | `p::float8 / w` as JSON, `.0` on a whole number | `printf('%!.17g', p / w)` |
| `days_between(a, b)` | `b - a` | `julianday(b) - julianday(a)` as an integer |
| `LATERAL (...)` | as written | a plain subquery (SQLite lets a FROM subquery see the outer row) |

The window form of `json_list` yields one row per input row, each holding the whole list; a scalar
subquery takes the first (SQLite's rule) and an aggregate gives one (PostgreSQL's), so callers write the
same `select(json_list(...)).where(...)` for both. An empty input gives no row: wrap it in
`coalesce(..., EMPTY_LIST)` as for PostgreSQL's NULL.
"""

from __future__ import annotations

import base64
from typing import Any

from sqlalchemy import JSON as StoredJson
from sqlalchemy import Boolean, String, TypeDecorator, any_, bindparam, case, func, literal_column, null
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import Lateral
from sqlalchemy.types import UserDefinedType


class Json(UserDefinedType):  # type: ignore[type-arg]
    """The type of a JSON value the planner built (an object, a list)."""

    cache_ok = True

    def get_col_spec(self, **_kw: Any) -> str:
        return "JSON"


JSON = Json()


def _sqlite_value(value: Any) -> Any:
    """A value as SQLite's JSON functions must receive it to write what PostgreSQL writes. A JSON value
    built by a JSON function keeps its JSON subtype through scalar subqueries, coalesce and CASE (the
    agreement test would show it if it did not), so only JSON stored as text is parsed again: each
    `json()` deepens the statement, and SQLite's parser stack is 100 deep."""
    kind = getattr(value, "type", None)
    if isinstance(kind, StoredJson):
        return func.json(value)
    if isinstance(kind, Boolean):
        return case((value.is_(None), null()), (value, func.json("true")), else_=func.json("false"))
    return value


class json_object(FunctionElement):  # noqa: N801 - named like the SQL it writes
    """A JSON object of alternating keys and values."""

    type = JSON
    inherit_cache = True


@compiles(json_object)
def _json_object_pg(element: json_object, compiler: Any, **kw: Any) -> str:
    return f"json_build_object({compiler.process(element.clauses, **kw)})"


@compiles(json_object, "sqlite")
def _json_object_sqlite(element: json_object, compiler: Any, **kw: Any) -> str:
    items = list(element.clauses)
    values = [item if i % 2 == 0 else _sqlite_value(item) for i, item in enumerate(items)]
    return f"json_object({', '.join(compiler.process(v, **kw) for v in values)})"


class json_array(FunctionElement):  # noqa: N801
    """A JSON array of the given values."""

    type = JSON
    inherit_cache = True


@compiles(json_array)
def _json_array_pg(element: json_array, compiler: Any, **kw: Any) -> str:
    return f"json_build_array({compiler.process(element.clauses, **kw)})"


@compiles(json_array, "sqlite")
def _json_array_sqlite(element: json_array, compiler: Any, **kw: Any) -> str:
    return f"json_array({', '.join(compiler.process(_sqlite_value(v), **kw) for v in element.clauses)})"


class json_list(FunctionElement):  # noqa: N801
    """The JSON array of `body` over the rows of the enclosing SELECT, in `order` (the first argument is
    the body, the rest the ordering expressions)."""

    type = JSON
    inherit_cache = True


@compiles(json_list)
def _json_list_pg(element: json_list, compiler: Any, **kw: Any) -> str:
    body, *order = list(element.clauses)
    ordering = ", ".join(compiler.process(o, **kw) for o in order)
    return f"json_agg({compiler.process(body, **kw)} ORDER BY {ordering})"


@compiles(json_list, "sqlite")
def _json_list_sqlite(element: json_list, compiler: Any, **kw: Any) -> str:
    body, *order = list(element.clauses)
    ordering = ", ".join(compiler.process(o, **kw) for o in order)
    value = compiler.process(_sqlite_value(body), **kw)
    window = f"ORDER BY {ordering} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"
    return f"json_group_array({value}) OVER ({window})"


class json_list_where(FunctionElement):  # noqa: N801
    """PostgreSQL only: the JSON array of `body` over the rows of the enclosing SELECT where `condition` holds, in
    `order` — an aggregate beside others over the same rows (a connection's page, hub/graphql/fields.py `paged`).
    The body is computed only for the rows the condition admits (PostgreSQL checks FILTER before the arguments)."""

    type = JSON
    inherit_cache = True


@compiles(json_list_where)
def _json_list_where_pg(element: json_list_where, compiler: Any, **kw: Any) -> str:
    body, condition, *order = list(element.clauses)
    ordering = ", ".join(compiler.process(o, **kw) for o in order)
    kept = compiler.process(condition, **kw)
    return f"json_agg({compiler.process(body, **kw)} ORDER BY {ordering}) FILTER (WHERE {kept})"


class _empty_list(FunctionElement):  # noqa: N801
    type = JSON
    inherit_cache = True


@compiles(_empty_list)
def _empty_list_pg(_element: _empty_list, _compiler: Any, **_kw: Any) -> str:
    return "'[]'::json"


@compiles(_empty_list, "sqlite")
def _empty_list_sqlite(_element: _empty_list, _compiler: Any, **_kw: Any) -> str:
    return "json('[]')"


EMPTY_LIST: ColumnElement[Any] = _empty_list()


class base64_text(FunctionElement):  # noqa: N801
    """base64 of a text's UTF-8 bytes, on one line (NULL stays NULL)."""

    inherit_cache = True


@compiles(base64_text)
def _base64_pg(element: base64_text, compiler: Any, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return f"translate(encode(convert_to({value}, 'UTF8'), 'base64'), E'\\n', '')"


@compiles(base64_text, "sqlite")
def _base64_sqlite(element: base64_text, compiler: Any, **kw: Any) -> str:
    return f"hub_base64({compiler.process(element.clauses, **kw)})"


def sqlite_base64(value: str | None) -> str | None:
    """`hub_base64`, the SQL function hub.db registers on every SQLite connection."""
    return None if value is None else base64.b64encode(value.encode()).decode()


class iso_instant(FunctionElement):  # noqa: N801
    """A stored instant as the executor writes it: UTC, Python's isoformat() (microseconds only when there
    are some), `+00:00` (sqlmodel's UTCDateTime returns aware UTC datetimes)."""

    inherit_cache = True


@compiles(iso_instant)
def _iso_instant_pg(element: iso_instant, compiler: Any, **kw: Any) -> str:
    v = compiler.process(element.clauses, **kw)
    utc = f"timezone('UTC', {v})"
    seconds = f"""to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS')"""
    micro = f"to_char({utc}, 'US')"
    return (
        f"CASE WHEN {v} IS NULL THEN NULL WHEN {micro} = '000000' THEN {seconds} || '+00:00' "
        f"ELSE {seconds} || '.' || {micro} || '+00:00' END"
    )


@compiles(iso_instant, "sqlite")
def _iso_instant_sqlite(element: iso_instant, compiler: Any, **kw: Any) -> str:
    # SQLAlchemy stores an SQLite DATETIME as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC here: UTCDateTime converts);
    # a row written by plain SQL may lack the fraction.
    v = compiler.process(element.clauses, **kw)
    day, seconds = f"substr({v}, 1, 10) || 'T' || substr({v}, 12, 8)", f"substr({v}, 20, 7)"
    return (
        f"CASE WHEN {v} IS NULL THEN NULL WHEN length({v}) <= 19 OR substr({v}, 21, 6) = '000000' "
        f"THEN {day} || '+00:00' ELSE {day} || {seconds} || '+00:00' END"
    )


class decimal_text(FunctionElement):  # noqa: N801
    """Money (a Numeric column with a scale) as the executor prints its Decimal: `1234.50`."""

    inherit_cache = True

    def __init__(self, value: Any, scale: int) -> None:
        super().__init__(value, literal_column(str(int(scale))))


@compiles(decimal_text)
def _decimal_text_pg(element: decimal_text, compiler: Any, **kw: Any) -> str:
    value, _scale = list(element.clauses)
    return f"CAST({compiler.process(value, **kw)} AS TEXT)"


@compiles(decimal_text, "sqlite")
def _decimal_text_sqlite(element: decimal_text, compiler: Any, **kw: Any) -> str:
    value, scale = list(element.clauses)
    return f"printf('%.{compiler.process(scale, **kw)}f', {compiler.process(value, **kw)})"


class cents_text(FunctionElement):  # noqa: N801
    """A sum of money in whole cents (an integer, not negative) as the executor prints its Decimal: `1234.50`."""

    inherit_cache = True


@compiles(cents_text)
def _cents_text_pg(element: cents_text, compiler: Any, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) * 0.01 AS TEXT)"


@compiles(cents_text, "sqlite")
def _cents_text_sqlite(element: cents_text, compiler: Any, **kw: Any) -> str:
    value = compiler.process(element.clauses, **kw)
    return f"printf('%d.%02d', ({value}) / 100, ({value}) % 100)"


class ratio_number(FunctionElement):  # noqa: N801
    """part / whole of two integers as the JSON number the executor writes for `float(Fraction(part, whole))`
    (Python's repr, 0.0 when whole is 0): a float that reads back the same — both engines divide doubles
    exactly rounded, as Python does — and `1.0`, not `1`, for a whole number, so the bytes are the same."""

    type = JSON
    inherit_cache = True


@compiles(ratio_number)
def _ratio_number_pg(element: ratio_number, compiler: Any, **kw: Any) -> str:
    part, whole = (compiler.process(c, **kw) for c in element.clauses)
    return (
        f"CASE WHEN {whole} = 0 THEN CAST('0.0' AS json) "
        f"WHEN {part} = ({part} / {whole}) * {whole} THEN CAST(CAST({part} / {whole} AS text) || '.0' AS json) "
        f"ELSE to_json(CAST({part} AS double precision) / {whole}) END"  # float8's text reads back exactly
    )


@compiles(ratio_number, "sqlite")
def _ratio_number_sqlite(element: ratio_number, compiler: Any, **kw: Any) -> str:
    # 17 significant digits read back as the same double ('!' lifts SQLite's cap of 16 and keeps the '.0')
    part, whole = (compiler.process(c, **kw) for c in element.clauses)
    return f"json(CASE WHEN {whole} = 0 THEN '0.0' ELSE printf('%!.17g', CAST({part} AS REAL) / {whole}) END)"


class days_between(FunctionElement):  # noqa: N801
    """Whole days from the first date to the second (`date - date` in PostgreSQL; SQLite stores ISO text)."""

    inherit_cache = True


@compiles(days_between)
def _days_between_pg(element: days_between, compiler: Any, **kw: Any) -> str:
    first, second = (compiler.process(c, **kw) for c in element.clauses)
    return f"({second} - {first})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: Any, **kw: Any) -> str:
    first, second = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday({second}) - julianday({first}) AS INTEGER)"


def array_type(column: Any, dialect: Any) -> ARRAY:
    """The PostgreSQL array type of a column's values: VARCHAR(n) as VARCHAR (an explicit cast to VARCHAR(n)[]
    would cut a longer text, where a comparison must not match and an insert must refuse it), any other
    type as it is, with its bind processing."""
    kind = column.type
    stored = kind.impl if isinstance(kind, TypeDecorator) else kind
    if isinstance(stored, String) and stored.length is not None:
        if kind.dialect_impl(dialect).bind_processor(dialect) is None:
            return ARRAY(String())
    return ARRAY(kind)


def is_one_of(column: Any, values: list[Any], dialect: Any) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `column = ANY(:values)`, one array bound instead of a parameter per
    value that the server parses and plans (a roster's lookups, thousands of values)."""
    if dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=array_type(column, dialect)))
    return column.in_(values)  # type: ignore[no-any-return]


@compiles(Lateral, "sqlite")
def _lateral_sqlite(element: Lateral, compiler: Any, **kw: Any) -> str:
    return compiler.visit_alias(element, **kw)


__all__ = [
    "EMPTY_LIST",
    "JSON",
    "array_type",
    "is_one_of",
    "base64_text",
    "cents_text",
    "days_between",
    "decimal_text",
    "ratio_number",
    "iso_instant",
    "json_array",
    "json_list",
    "json_list_where",
    "json_object",
    "sqlite_base64",
]
