"""What the read planner covers: the SQL of each field, type by type, mirroring the resolvers of
`hub.graphql.types` and `hub.graphql.query` (same rows, order, cursors, read scopes, R2a masking).

A compiler is `(walk, row, arguments, details, definition) -> SQL expression`: `row` is the FROM clause
of the object being built (an alias or a page subquery with the table's columns), None for root fields.
Every table is aliased, so a read scope — written against the plain tables for the executor — goes in as
`alias.key IN (SELECT key FROM table WHERE scope)` and means exactly what it means there. Whatever a
resolver would refuse (a bad `first`, cursor or year, a missing token) raises `Unplannable`, and the
executor answers with its error. A field missing here is simply answered by the executor.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, GraphQLObjectType
from sqlalchemy import Text, and_, case, cast, exists, false, func, literal, literal_column, null, select, true
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement, False_, True_

from hub import models as m
from hub.counting import of_year
from hub.enums import UnitLevel
from hub.graphql.aggregates import in_post_condition
from hub.graphql.connections import decode_cursor, page_size
from hub.graphql.planner import Details, Unplannable, Walk, named
from hub.posts import held_places
from hub.rules.privacy import entitled_sql
from hub.rules.years import is_year_code, parse_year

Compiler = Callable[[Walk, Any, dict[str, Any], Details, Any], ColumnElement[Any]]
NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")
EMPTY_LIST = literal_column("'[]'::json")


def text(value: str) -> ColumnElement[Any]:
    """A constant string the planner itself chose (a GraphQL name), inlined: json_build_object takes
    "any" arguments, whose parameters PostgreSQL could not type."""
    if not NAME.match(value):
        raise Unplannable(f"not a plain name: {value!r}")
    return literal_column(f"'{value}'")


def b64(prefix: str, key: Any) -> ColumnElement[Any]:
    """base64 of `prefix:key` in SQL, as `hub.graphql.ids.to_global_id` and cursors spell it in Python."""
    text_key = cast(key, Text)
    labelled = text(prefix).op("||")(literal_column("':'")).op("||")(text_key)  # NULL stays NULL (concat would not)
    raw = func.convert_to(labelled, literal_column("'UTF8'"))
    return func.translate(func.encode(raw, literal_column("'base64'")), literal_column("E'\\n'"), literal_column("''"))


def primary_key(model: type) -> str:
    return next(iter(model.__table__.primary_key.columns)).key  # type: ignore[attr-defined]


def column(name: str) -> Compiler:
    return lambda walk, row, args, details, definition: row.c[name]


def global_id(type_name: str, key: str) -> Compiler:
    return lambda walk, row, args, details, definition: b64(type_name, row.c[key])


def iso_datetime(value: Any) -> ColumnElement[Any]:
    """A stored instant as the executor writes it: UTC, Python's isoformat() (microseconds only when there
    are some), `+00:00` (sqlmodel's UTCDateTime returns aware UTC datetimes)."""
    utc = func.timezone(literal_column("'UTC'"), value)
    seconds = func.to_char(utc, literal_column("'YYYY-MM-DD\"T\"HH24:MI:SS'"))
    micro = func.to_char(utc, literal_column("'US'"))
    return case(
        (value.is_(None), null()),
        (micro == literal_column("'000000'"), func.concat(seconds, literal_column("'+00:00'"))),
        else_=func.concat(seconds, literal_column("'.'"), micro, literal_column("'+00:00'")),
    )


def datetime_column(name: str) -> Compiler:
    return lambda walk, row, args, details, definition: iso_datetime(row.c[name])


def scoped(walk: Walk, row: Any, model: type, entity: str) -> ColumnElement[bool]:
    """The caller's read scope on `entity` (hub.permissions), applied to an aliased row."""
    condition = walk.hub.permissions.visible(walk.actor, entity)
    if isinstance(condition, True_):
        return true()
    if isinstance(condition, False_):
        return false()
    table = model.__table__  # type: ignore[attr-defined]
    key = primary_key(model)
    return row.c[key].in_(select(table.c[key]).where(condition))


def to_one(model: type, foreign_key: str, target: str | None = None) -> Compiler:
    """A related row (None when the foreign key is null), as the loaders' `one(model)` loads it."""

    def compile_(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
        alias = model.__table__.alias()  # type: ignore[attr-defined]
        key = target or primary_key(model)
        body = walk.object(named(definition), alias, details)
        return select(body).where(alias.c[key] == row.c[foreign_key]).correlate_except(alias).scalar_subquery()

    return compile_


def listed(
    walk: Walk, model: type, where: Callable[[Any], Any], details: Details, definition: Any, order: str | None = None
) -> ColumnElement[Any]:
    """A JSON list of rows (never null), ordered as the loaders order them (by key unless told)."""
    alias = model.__table__.alias()  # type: ignore[attr-defined]
    body = walk.object(named(definition), alias, details)
    ordering = alias.c[order or primary_key(model)]
    aggregated = func.json_agg(aggregate_order_by(body, ordering))
    return func.coalesce(select(aggregated).where(where(alias)).correlate_except(alias).scalar_subquery(), EMPTY_LIST)


def connection(
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

    def rows(limit: int) -> Any:
        alias = table.alias()
        condition = where(alias)
        if after_key is not None:
            condition = and_(condition, alias.c[key] > after_key)
        return select(alias).where(condition).correlate_except(alias).order_by(alias.c[key]).limit(limit).lateral()

    kind = model.__name__
    conn_type: GraphQLObjectType = named(definition)
    node_type = named(named(conn_type.fields["edges"]).fields["node"])

    def total(_details: Details) -> Any:
        alias = table.alias()
        return select(func.count()).select_from(alias).where(where(alias)).correlate_except(alias).scalar_subquery()

    def edges(group: Details) -> Any:
        page = rows(size)
        edge_type = named(conn_type.fields["edges"])
        edge = walk.embedded(
            edge_type,
            group,
            {
                "cursor": lambda _d: b64(kind, page.c[key]),
                "node": lambda nodes: walk.object(node_type, page, nodes),
            },
        )
        aggregated = func.json_agg(aggregate_order_by(edge, page.c[key]))
        return func.coalesce(select(aggregated).select_from(page).correlate_except(page).scalar_subquery(), EMPTY_LIST)

    def cursor_at(pick: Callable[[Any], Any]) -> Callable[[Details], Any]:
        def build(_details: Details) -> Any:
            page = rows(size)
            return select(b64(kind, pick(page.c[key]))).select_from(page).correlate_except(page).scalar_subquery()

        return build

    def page_info(group: Details) -> Any:
        def has_next(_details: Details) -> Any:
            probe = rows(size + 1)
            return select(func.count() > size).select_from(probe).correlate_except(probe).scalar_subquery()

        return walk.embedded(
            named(conn_type.fields["pageInfo"]),
            group,
            {
                "hasNextPage": has_next,
                "hasPreviousPage": lambda _d: true() if after is not None else false(),
                "startCursor": cursor_at(func.min),
                "endCursor": cursor_at(func.max),
            },
        )

    return walk.embedded(conn_type, details, {"totalCount": total, "edges": edges, "pageInfo": page_info})


def year_argument(value: Any) -> str:
    if not isinstance(value, str) or not is_year_code(value):
        raise Unplannable("not a year")
    return value


# --- Query -----------------------------------------------------------------------------------------


def q_provinces(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    region = args.get("region")
    return listed(walk, m.Province, lambda t: true() if region is None else t.c.region == region, details, definition)


def q_by_code(model: type, public: bool = False) -> Compiler:
    """`province(code:)` (public), `county(code:)`, `school(code:)`: the row or null."""

    def compile_(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
        if not public:
            walk.need_actor()
        alias = model.__table__.alias()  # type: ignore[attr-defined]
        body = walk.object(named(definition), alias, details)
        return select(body).where(alias.c.code == args["code"]).correlate_except(alias).scalar_subquery()

    return compile_


def q_counties(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    walk.need_actor()
    province, status = args.get("provinceCode"), args.get("status")

    def where(t: Any) -> Any:
        return and_(
            true() if province is None else t.c.province_code == province,
            true() if status is None else t.c.status == status,
        )

    return connection(walk, m.County, where, args, details, definition)


def q_posts(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    walk.need_actor()
    year = year_argument(args["year"])
    filters = {"county_code": args.get("countyCode"), "status": args.get("status"), "category": args.get("category")}
    province = args.get("provinceCode")

    def where(t: Any) -> Any:
        conditions = [t.c.year == year] + [t.c[c] == v for c, v in filters.items() if v is not None]
        if province is not None:
            conditions.append(t.c.county_code.in_(select(m.County.code).where(m.County.province_code == province)))
        return and_(*conditions)

    return connection(walk, m.Post, where, args, details, definition)


def q_applications(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    actor = walk.need_actor()
    if not walk.hub.permissions.can_read(actor, "Application"):
        raise Unplannable("FORBIDDEN")
    year = year_argument(args["year"])
    filters = {
        "school_code": args.get("schoolCode"),
        "recruiting_province_code": args.get("recruitingProvinceCode"),
        "serving_province_code": args.get("servingProvinceCode"),
        "county_code": args.get("countyCode"),
        "status": args.get("status"),
    }

    def where(t: Any) -> Any:
        conditions = [of_year(year, args.get("inPost"), t.c), scoped(walk, t, m.Application, "Application")]
        return and_(*conditions, *(t.c[c] == v for c, v in filters.items() if v is not None))

    return connection(walk, m.Application, where, args, details, definition)


def q_me(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    actor = walk.need_actor()
    values = {"level": actor.level.value, "code": actor.code, "subject": actor.subject}

    def constant(value: str | None) -> Callable[[Details], Any]:
        return lambda _d: null() if value is None else cast(literal(value), Text)

    return walk.embedded(named(definition), details, {k: constant(v) for k, v in values.items()})


# --- Province, County, ServiceUnit, Post, School ----------------------------------------------------


def province_in_post(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    walk.need_actor()
    year = args["year"]
    try:
        parse_year(year)
    except Exception as refused:
        raise Unplannable("not a year") from refused
    return (
        select(func.count())
        .select_from(m.Application.__table__)
        .where(m.Application.serving_province_code == row.c.code, in_post_condition(year))
        .correlate_except(m.Application.__table__)
        .scalar_subquery()
    )


def province_scale(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    walk.need_actor()
    alias = m.ProvinceScale.__table__.alias()
    condition = and_(alias.c.year == args["year"], alias.c.province_code == row.c.code)
    return select(alias.c.scale).where(condition).correlate_except(alias).scalar_subquery()


def province_counties(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    walk.need_actor()
    status = args.get("status")

    def where(t: Any) -> Any:
        return and_(t.c.province_code == row.c.code, true() if status is None else t.c.status == status)

    return connection(walk, m.County, where, args, details, definition)


def province_schools(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    walk.need_actor()
    return listed(walk, m.School, lambda t: t.c.province_code == row.c.code, details, definition)


def county_posts(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    year, status = args["year"], args.get("status")

    def where(t: Any) -> Any:
        return and_(t.c.county_code == row.c.code, t.c.year == year, true() if status is None else t.c.status == status)

    return connection(walk, m.Post, where, args, details, definition)


def county_volunteers(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    from hub.counting import served_in_county  # the one definition of a county's volunteers of a year

    walk.need_actor()
    year = args["year"]
    assigned = (
        select(m.Application.volunteer_id)
        .where(served_in_county(year, row.c.code))
        .correlate_except(m.Application.__table__)
    )

    def where(t: Any) -> Any:
        return and_(t.c.id.in_(assigned), scoped(walk, t, m.Volunteer, "Volunteer"))

    return connection(walk, m.Volunteer, where, args, details, definition)


def county_service_units(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    return listed(walk, m.ServiceUnit, lambda t: t.c.county_code == row.c.code, details, definition)


def post_filled(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    return held_places(row.c.id)


def post_township_or_below(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    unit = m.ServiceUnit.__table__.alias()
    levels = (UnitLevel.TOWNSHIP.value, UnitLevel.VILLAGE.value)
    return exists(select(unit.c.id).where(unit.c.id == row.c.unit_id, unit.c.level.in_(levels)).correlate_except(unit))


# --- Volunteer, ServiceAgreement, Application --------------------------------------------------------


def volunteer_masked(kind: str) -> Compiler:
    """idNumber / phone: R2a's entitlement (hub.rules.privacy) decided in SQL for each row."""

    def compile_(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
        allowed = entitled_sql(walk.actor, kind, row)
        value = row.c.id_number if kind == "id_number" else row.c.phone
        if kind == "id_number":  # hub.rules.idnumbers.mask_id_number: 620***********1234
            stars = func.repeat(literal_column("'*'"), func.length(value) - 7)
            masked = case(
                (func.length(value) <= 7, func.repeat(literal_column("'*'"), func.length(value))),
                else_=func.concat(func.left(value, 3), stars, func.right(value, 4)),
            )
        else:
            masked = null()
        return case((allowed, value), else_=masked)

    return compile_


def if_volunteer_visible(walk: Walk, row: Any, value: Any, otherwise: Any) -> Any:
    """What a volunteer's record shows only inside the caller's read scope (aggregates.volunteer_visible)."""
    visible = scoped(walk, row, m.Volunteer, "Volunteer")
    if isinstance(visible, True_):
        return value
    if isinstance(visible, False_):
        return otherwise
    return case((visible, value), else_=otherwise)


def volunteer_current_agreement(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    today = walk.today
    alias = m.ServiceAgreement.__table__.alias()
    body = walk.object(named(definition), alias, details)
    current = (
        select(body)
        .where(alias.c.volunteer_id == row.c.id, alias.c.starts_on <= today, alias.c.ends_on >= today)
        .correlate_except(alias)
        .order_by(alias.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return if_volunteer_visible(walk, row, current, null())


def volunteer_agreements(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    rows = listed(walk, m.ServiceAgreement, lambda t: t.c.volunteer_id == row.c.id, details, definition)
    return if_volunteer_visible(walk, row, rows, EMPTY_LIST)


def application_sign_off(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    body = walk.embedded(
        named(definition),
        details,
        {
            "decision": lambda _d: row.c.sign_off_decision,
            "reason": lambda _d: row.c.sign_off_reason,
            "by": lambda _d: func.coalesce(row.c.sign_off_by, literal_column("''")),
            "at": lambda _d: iso_datetime(row.c.sign_off_at),
        },
    )
    return when_present(row, ["sign_off_decision"], body)


def q_node(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    """`node(id:)` as Query.node answers it: null for an unknown type or key; a row outside the caller's
    read scope is FORBIDDEN there, so such types are planned only for callers whose scope is everything."""
    from hub.graphql.ids import from_global_id
    from hub.graphql.types import NODE_TYPES

    try:
        type_name, key = from_global_id(args["id"])
    except GraphQLError as refused:
        raise Unplannable(refused.message) from refused
    entry = NODE_TYPES.get(type_name)
    if entry is None:
        return null()
    _, model, entity, numeric = entry
    if type_name != "Province":
        walk.need_actor()
    if numeric and not key.isdigit():
        return null()
    if entity is not None and not isinstance(walk.hub.permissions.visible(walk.actor, entity), True_):
        raise Unplannable("node of a scoped type")
    concrete = walk.schema.get_type(type_name)
    alias = model.__table__.alias()  # type: ignore[attr-defined]
    body = walk.object(concrete, alias, details)
    pk = primary_key(model)
    return select(body).where(alias.c[pk] == (int(key) if numeric else key)).correlate_except(alias).scalar_subquery()


def training_days(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    """R24: both the first and the last day count."""
    return row.c.ends_on - row.c.starts_on + 1


def when_present(row: Any, columns: list[str], body: Any) -> Any:
    """An embedded object that is null unless all of `columns` are set (as the resolvers test them)."""
    return case((and_(*(row.c[c].is_not(None) for c in columns)), body), else_=null())


def application_selection(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    body = walk.embedded(
        named(definition),
        details,
        {
            "writtenScore": lambda _d: row.c.written_score,
            "interviewScore": lambda _d: row.c.interview_score,
            "psychologicalPassed": lambda _d: func.coalesce(row.c.psychological_passed, false()),
            "selected": lambda _d: row.c.selected,
        },
    )
    return when_present(row, ["selected"], body)


def application_physical_exam(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    """Health data (R2a): only for the volunteer and the recruiting and serving provincial offices."""
    volunteer = m.Volunteer.__table__.alias()
    entitled = exists(
        select(volunteer.c.id)
        .where(volunteer.c.id == row.c.volunteer_id, entitled_sql(walk.actor, "health", volunteer))
        .correlate_except(volunteer)
    )
    body = walk.embedded(
        named(definition),
        details,
        {"passed": lambda _d: row.c.exam_passed, "examinedOn": lambda _d: row.c.examined_on},
    )
    return case((and_(row.c.exam_passed.is_not(None), row.c.examined_on.is_not(None), entitled), body), else_=null())


def application_public_notice(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    body = walk.embedded(
        named(definition),
        details,
        {"startsOn": lambda _d: row.c.notice_starts_on, "endsOn": lambda _d: row.c.notice_ends_on},
    )
    return when_present(row, ["notice_starts_on", "notice_ends_on"], body)


def application_recruitment(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    agreement_type = named(definition)
    serving = agreement_type.fields["servingProvince"]
    body = walk.embedded(
        agreement_type,
        details,
        {
            "signedAt": lambda _d: iso_datetime(row.c.recruited_at),
            "confirmationNumber": lambda _d: row.c.confirmation_number,
            "servingProvince": lambda group: to_one(m.Province, "serving_province_code")(walk, row, {}, group, serving),
        },
    )
    return when_present(row, ["recruited_at", "confirmation_number", "serving_province_code"], body)


def application_preferences(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    """The three preferred provinces in the applicant's order."""
    items = [to_one(m.Province, f"preference_{n}")(walk, row, args, details, definition) for n in (1, 2, 3)]
    return func.json_build_array(*items)


def application_replaced_by(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    alias = m.Application.__table__.alias()
    body = walk.object(named(definition), alias, details)
    return select(body).where(alias.c.replacement_for_id == row.c.id).correlate_except(alias).scalar_subquery()


def volunteer_applications(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    """The volunteer's applications inside the caller's read scope (aggregates.visible_applications)."""

    def where(t: Any) -> Any:
        return and_(t.c.volunteer_id == row.c.id, scoped(walk, t, m.Application, "Application"))

    return listed(walk, m.Application, where, details, definition)


def _columns(**names: str) -> dict[str, Compiler]:
    return {graphql: column(sql) for graphql, sql in names.items()}


FIELDS: dict[str, dict[str, Compiler]] = {
    "Query": {
        "province": q_by_code(m.Province, public=True),
        "provinces": q_provinces,
        "county": q_by_code(m.County),
        "school": q_by_code(m.School),
        "counties": q_counties,
        "posts": q_posts,
        "applications": q_applications,
        "me": q_me,
        "node": q_node,
    },
    "Province": {
        "id": global_id("Province", "code"),
        **_columns(code="code", name="name", region="region"),
        "inPost": province_in_post,
        "scale": province_scale,
        "counties": province_counties,
        "schools": province_schools,
    },
    "County": {
        "id": global_id("County", "code"),
        **_columns(code="code", name="name", keyAssistance="key_assistance", remote="remote", status="status"),
        "province": to_one(m.Province, "province_code"),
        "posts": county_posts,
        "volunteers": county_volunteers,
        "serviceUnits": county_service_units,
    },
    "ServiceUnit": {
        "id": global_id("ServiceUnit", "id"),
        **_columns(name="name", level="level"),
        "county": to_one(m.County, "county_code"),
    },
    "Post": {
        "id": global_id("Post", "id"),
        **_columns(year="year", title="title", category="category", headcount="headcount", status="status"),
        "filled": post_filled,
        "townshipOrBelow": post_township_or_below,
        "county": to_one(m.County, "county_code"),
        "unit": to_one(m.ServiceUnit, "unit_id"),
    },
    "School": {
        "id": global_id("School", "code"),
        **_columns(code="code", name="name"),
        "province": to_one(m.Province, "province_code"),
    },
    "Volunteer": {
        "id": global_id("Volunteer", "id"),
        **_columns(
            name="name",
            gender="gender",
            birthDate="birth_date",
            degree="degree",
            graduateTeachingGroup="graduate_teaching_group",
            hasWorkExperience="has_work_experience",
            volunteerExperience="volunteer_experience",
            certificateNumber="certificate_number",
        ),
        "idNumber": volunteer_masked("id_number"),
        "phone": volunteer_masked("phone"),
        "school": to_one(m.School, "school_code"),
        "currentAgreement": volunteer_current_agreement,
        "agreements": volunteer_agreements,
        "applications": volunteer_applications,
    },
    "ServiceAgreement": {
        "id": global_id("ServiceAgreement", "id"),
        **_columns(termYear="term_year", startsOn="starts_on", endsOn="ends_on"),
        "signedAt": datetime_column("signed_at"),
        "volunteer": to_one(m.Volunteer, "volunteer_id"),
        "post": to_one(m.Post, "post_id"),
        "county": to_one(m.County, "county_code"),
        "unit": to_one(m.ServiceUnit, "unit_id"),
    },
    "Training": {
        "id": global_id("Training", "id"),
        **_columns(year="year", location="location", startsOn="starts_on", endsOn="ends_on", status="status"),
        "days": training_days,
        "servingProvince": to_one(m.Province, "serving_province_code"),
    },
    "Application": {
        "id": global_id("Application", "id"),
        **_columns(year="year", acceptsAdjustment="accepts_adjustment", status="status"),
        "submittedAt": datetime_column("submitted_at"),
        "volunteer": to_one(m.Volunteer, "volunteer_id"),
        "school": to_one(m.School, "school_code"),
        "recruitingProvince": to_one(m.Province, "recruiting_province_code"),
        "servingProvince": to_one(m.Province, "serving_province_code"),
        "county": to_one(m.County, "county_code"),
        "schoolSignOff": application_sign_off,
        "selection": application_selection,
        "physicalExam": application_physical_exam,
        "publicNotice": application_public_notice,
        "recruitmentAgreement": application_recruitment,
        "preferences": application_preferences,
        "training": to_one(m.Training, "training_id"),
        "replacementFor": to_one(m.Application, "replacement_for_id"),
        "replacedBy": application_replaced_by,
    },
}

__all__ = ["FIELDS"]
