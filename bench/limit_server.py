"""The practical limit: Q1 and Q2 each answered by ONE hand-written SQL statement that builds the whole
JSON response in PostgreSQL (json_build_object / json_agg), behind starlette at the same /graphql path.

It dispatches on the query text (the bench's own .graphql files, whitespace-normalised), reads the
arguments from those documents once at start-up, verifies the bearer token like the hub does and keeps
the hub's read scope for the county office (Q2), then hands PostgreSQL's text straight to the client.

    HUB_DATABASE_URL=postgresql+asyncpg://… HUB_JWT_SECRET=… HUB_TODAY=2027-11-15 \\
        python -m uvicorn --factory bench.limit_server:create_app --host 127.0.0.1 --port 8001
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import asyncpg
import orjson
from graphql import FieldNode, parse, value_from_ast_untyped, visit
from graphql.language import Visitor
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench import limit_writes
from hub.auth import Actor, AuthenticationError, parse_token
from hub.clock import Clock
from hub.enums import OfficeLevel
from hub.outbox import CHANNEL, Wakeups
from hub.rules.years import parse_year, service_period, year_code
from hub.settings import Settings

QUERIES = Path(__file__).parent / "queries"
POOL_SIZE = 16

# Q1: a province → its counties (by code) → their posts of the year (by id) with headcount and filled
# (R26: a volunteer in service holds the post of their latest agreement), and the volunteers in post (R8:
# in service with the term covering the year signed — term k of an application of year Y − k + 1).
# Tuned on the bench data: the key lists go in as arrays so that PostgreSQL probes the indexes (a plain
# join of the CTEs hashes whole tables); the latest agreement is read where the hub keeps it, on the
# application (hub.agreements), so filled is one index-only probe per post and inPost one index range.
Q1_SQL = """
WITH county_page AS MATERIALIZED (
    SELECT code, name FROM counties WHERE province_code = $1 ORDER BY code LIMIT $3
), page_posts AS MATERIALIZED (
    SELECT p.id, p.county_code, p.title, p.headcount,
           row_number() OVER (PARTITION BY p.county_code ORDER BY p.id) AS rn,
           count(*) OVER (PARTITION BY p.county_code) AS total
    FROM posts p
    WHERE p.county_code = ANY ((SELECT array_agg(code) FROM county_page)::text[]) AND p.year = $2
), holders AS MATERIALIZED (
    SELECT app.latest_post_id AS post_id, count(*) AS n
    FROM applications app
    WHERE app.latest_post_id = ANY ((SELECT array_agg(id) FROM page_posts WHERE rn <= $4)::int[])
      AND app.status = 'IN_SERVICE'
    GROUP BY app.latest_post_id
), county_posts AS (
    SELECT pp.county_code, max(pp.total) AS total,
           json_agg(json_build_object('node', json_build_object(
               'title', pp.title, 'headcount', pp.headcount, 'filled', coalesce(h.n, 0))) ORDER BY pp.id) AS edges
    FROM page_posts pp LEFT JOIN holders h ON h.post_id = pp.id
    WHERE pp.rn <= $4
    GROUP BY pp.county_code
)
SELECT json_build_object('data', json_build_object('province', (
    SELECT json_build_object(
        'code', pr.code,
        'name', pr.name,
        'inPost', (
            SELECT count(*) FROM applications ap
            WHERE ap.serving_province_code = pr.code AND ap.status = 'IN_SERVICE'
              AND ((ap.year = $2 AND ap.latest_term_year >= 1) OR (ap.year = $5 AND ap.latest_term_year >= 2)
                   OR (ap.year = $6 AND ap.latest_term_year >= 3))),
        'counties', json_build_object(
            'totalCount', (SELECT count(*) FROM counties WHERE province_code = pr.code),
            'edges', coalesce((
                SELECT json_agg(json_build_object('node', json_build_object(
                    'code', c.code,
                    'name', c.name,
                    'posts', json_build_object(
                        'totalCount', coalesce(cp.total, 0),
                        'edges', coalesce(cp.edges, '[]'::json))))
                    ORDER BY c.code)
                FROM county_page c LEFT JOIN county_posts cp ON cp.county_code = c.code), '[]'::json)))
    FROM provinces pr WHERE pr.code = $1)))::text
"""

# Q2: the first volunteers (by id) placed with a county in a year, within the caller's read scope, with
# the post and county of the agreement in force today (the latest by id when several are).
# Q2: the volunteers serving in a county in a year (hub.counting.served_in_county, issue 19): assigned to the
# county for that year, or serving there in the renewed term that covers it (term k of an application of year
# Y - k + 1) — the two halves as a union, each through its own index, as the hub spells it.
Q2_SQL = """
WITH visible AS MATERIALIZED (
    SELECT v.id, v.name FROM volunteers v
    WHERE v.id IN (
        SELECT volunteer_id FROM applications WHERE year = $2 AND county_code = $1
        UNION
        SELECT r.volunteer_id FROM service_agreements t JOIN applications r ON r.id = t.application_id
        WHERE t.county_code = $1
          AND ((t.term_year = 1 AND r.year = $2) OR (t.term_year = 2 AND r.year = $5)
               OR (t.term_year = 3 AND r.year = $6)))
      AND {scope}
), page AS (
    SELECT id, name FROM visible ORDER BY id LIMIT $3
)
SELECT json_build_object('data', json_build_object('county', (
    SELECT json_build_object(
        'name', c.name,
        'volunteers', json_build_object(
            'totalCount', (SELECT count(*) FROM visible),
            'edges', coalesce((
                SELECT json_agg(json_build_object('node', json_build_object(
                    'name', pg.name,
                    'currentAgreement', ca.agreement)) ORDER BY pg.id)
                FROM page pg LEFT JOIN LATERAL (
                    SELECT json_build_object(
                        'post', json_build_object('title', p.title),
                        'county', json_build_object('name', ac.name)) AS agreement
                    FROM service_agreements a
                    JOIN posts p ON p.id = a.post_id
                    JOIN counties ac ON ac.code = a.county_code
                    WHERE a.volunteer_id = pg.id AND a.starts_on <= $4 AND a.ends_on >= $4
                    ORDER BY a.id DESC LIMIT 1) ca ON true), '[]'::json)))
    FROM counties c WHERE c.code = $1)))::text
"""
# The national funding report (R38–R40), as the national office sees it (every province). One pass over the
# agreements gives each application's months in post (R38: a month counts when a term has a day in it up to
# today, within August–July) as a 12-bit mask per term OR-ed together, and the county of its latest term;
# grouped by (province, county, months) — ~930 groups for 19,000 volunteers — before the zone (R4), the rate
# and the allowance standard in force (the county's, else the province's; drafts count for nothing, R39) are
# looked up. Amounts per volunteer rounded to the cent (numeric, half away from zero), then summed. In post
# and uninsured (R39: not both kinds of policy in force today) as Q1 counts inPost.
FUNDING_SQL = """
WITH served AS MATERIALIZED (
    -- per application: the months of the year's service period (index 0 = August) with a day of a term up to
    -- today, as a 12-bit mask per term OR-ed together, and the county of the latest term (R27: renewals)
    SELECT t.application_id,
           bit_or(CASE WHEN greatest(t.starts_on, $3::date) <= least(t.ends_on, $4::date, $2::date) THEN
               (1 << ((extract(year FROM least(t.ends_on, $4::date, $2::date)) * 12
                        + extract(month FROM least(t.ends_on, $4::date, $2::date)))::int - $5::int + 1))
             - (1 << ((extract(year FROM greatest(t.starts_on, $3::date)) * 12
                        + extract(month FROM greatest(t.starts_on, $3::date)))::int - $5::int))
             ELSE 0 END) AS mask,
           (array_agg(t.county_code ORDER BY t.term_year DESC))[1] AS county_code
    FROM service_agreements t
    GROUP BY t.application_id
), groups AS MATERIALIZED (
    SELECT ap.serving_province_code AS province, s.county_code, bit_count(s.mask::bit(12))::int AS months,
           count(*) AS n
    FROM served s JOIN applications ap ON ap.id = s.application_id
    WHERE s.mask <> 0 AND ap.latest_term_year IS NOT NULL  -- signed an agreement (hub.agreements keeps it)
    GROUP BY 1, 2, 3
), due AS MATERIALIZED (
    SELECT g.province, z.zone, z.rank, g.months, g.n,
           round(z.rate::numeric * g.months / 12, 2) * g.n AS subsidy,
           coalesce(g.months * (st.monthly_allowance
                    + CASE WHEN c.remote THEN st.hardship_allowance ELSE 0 END) * g.n, 0) AS allowance
    FROM groups g
    JOIN provinces pr ON pr.code = g.province
    LEFT JOIN counties c ON c.code = g.county_code
    JOIN (VALUES ('SOUTH_XINJIANG_TIBET', 40000, 1), ('WEST', 30000, 2), ('CENTRAL', 24000, 3), ('NONE', 0, 4))
        AS z(zone, rate, rank)
      ON z.zone = CASE WHEN left(g.county_code, 2) = '54'
                         OR left(g.county_code, 4) IN ('6529', '6530', '6531', '6532') THEN 'SOUTH_XINJIANG_TIBET'
                       WHEN pr.region = 'WEST' THEN 'WEST' WHEN pr.region = 'CENTRAL' THEN 'CENTRAL' ELSE 'NONE' END
    LEFT JOIN LATERAL (
        SELECT s.monthly_allowance, s.hardship_allowance FROM allowance_standards s
        WHERE s.year = $1 AND NOT s.draft AND s.province_code = g.province
          AND (s.county_code = g.county_code OR s.county_code IS NULL)
        ORDER BY s.county_code IS NULL, s.id DESC LIMIT 1) st ON true
), zones AS (
    SELECT province, json_agg(json_build_object(
               'zone', zone, 'volunteerMonths', months, 'centralSubsidy', subsidy::numeric(20, 2)::text) ORDER BY rank)
           AS by_zone, sum(subsidy) AS subsidy
    FROM (SELECT province, zone, rank, sum(months * n) AS months, sum(subsidy) AS subsidy
          FROM due GROUP BY province, zone, rank) per_zone
    GROUP BY province
), allowance AS (
    SELECT province, sum(allowance) AS allowance FROM due GROUP BY province
), insured AS MATERIALIZED (  -- built once, in the leader: INs were hashed again by every parallel worker
    SELECT volunteer_id FROM insurance_policies
    WHERE kind = 'MAJOR_ILLNESS' AND valid_from <= $2::date AND valid_until >= $2::date
    INTERSECT
    SELECT volunteer_id FROM insurance_policies
    WHERE kind = 'ACCIDENT' AND valid_from <= $2::date AND valid_until >= $2::date
), posted AS (
    SELECT ap.serving_province_code AS province, count(*) AS in_post,
           count(*) FILTER (WHERE ap.volunteer_id NOT IN (SELECT volunteer_id FROM insured)) AS uninsured
    FROM applications ap
    WHERE ap.status = 'IN_SERVICE'
      AND ((ap.year = $1 AND ap.latest_term_year >= 1) OR (ap.year = $6 AND ap.latest_term_year >= 2)
           OR (ap.year = $7 AND ap.latest_term_year >= 3))
    GROUP BY 1
)
SELECT json_build_object('data', json_build_object('fundingReport', coalesce((
    SELECT json_agg(json_build_object(
        'year', $1::text,
        'province', json_build_object('code', pr.code, 'name', pr.name),
        'inPost', coalesce(po.in_post, 0),
        'byZone', coalesce(z.by_zone, '[]'::json),
        'centralSubsidy', coalesce(z.subsidy, 0)::numeric(20, 2)::text,
        'localAllowance', coalesce(a.allowance, 0)::numeric(20, 2)::text,
        'uninsured', coalesce(po.uninsured, 0)) ORDER BY pr.code)
    FROM provinces pr
    LEFT JOIN zones z ON z.province = pr.code
    LEFT JOIN allowance a ON a.province = pr.code
    LEFT JOIN posted po ON po.province = pr.code
    WHERE z.province IS NOT NULL OR po.in_post > 0
       OR EXISTS (SELECT 1 FROM province_scales sc
                  WHERE sc.year = $1 AND sc.province_code = pr.code AND NOT sc.draft AND sc.scale > 0)
), '[]'::json)))::text
"""
# The hub's Volunteer read scopes (plugins/*/permissions.py) for the levels Q2 is run as.
Q2_SCOPES = {
    OfficeLevel.NATIONAL: "true",
    OfficeLevel.COUNTY: "v.id IN (SELECT volunteer_id FROM applications WHERE county_code = $7)",
}

# The post structure (R14) of the provinces a document asks for, one alias each ($3 aliases, $2 codes, in the
# document's order): the lines R14 counts — the year's posts that are not REJECTED (with whether their county
# serves for the first time that year) and the volunteers renewed into the year (term 2 of last year's
# application or term 3 of the year before's, signed: one place each on their post's category and level) —
# summed once per province; the violations are the hub's own texts (hub.rules.structure in the hub's default
# language, read at start-up: $6–$9 as format() templates, share %1$s, county %2$s).
STRUCTURE_SQL = """
WITH lines AS MATERIALIZED (
    SELECT c.province_code AS province, c.code AS county, c.first_service_year = $1 AS new_county,
           p.headcount, p.category, u.level IN ('TOWNSHIP', 'VILLAGE') AS township
    FROM posts p JOIN counties c ON c.code = p.county_code JOIN service_units u ON u.id = p.unit_id
    WHERE p.year = $1 AND p.status <> 'REJECTED' AND c.province_code = ANY ($2::text[])
    UNION ALL
    SELECT c.province_code, c.code, false, 1, p.category, u.level IN ('TOWNSHIP', 'VILLAGE')
    FROM applications a
    JOIN service_agreements t ON t.application_id = a.id
    JOIN posts p ON p.id = t.post_id JOIN service_units u ON u.id = p.unit_id JOIN counties c ON c.code = p.county_code
    WHERE a.status = 'IN_SERVICE' AND c.province_code = ANY ($2::text[])
      AND ((a.year = $4 AND t.term_year = 2 AND a.latest_term_year >= 2)
           OR (a.year = $5 AND t.term_year = 3 AND a.latest_term_year >= 3))
), sums AS (
    SELECT pr.code, pr.name,
           coalesce(sum(l.headcount), 0) AS total,
           coalesce(sum(l.headcount) FILTER (WHERE l.township), 0) AS township,
           coalesce(sum(l.headcount) FILTER (WHERE l.category = 'RURAL_EDUCATION'), 0) AS education,
           coalesce(sum(l.headcount) FILTER (WHERE l.category = 'YOUTH_WORK'), 0) AS youth_work
    FROM provinces pr LEFT JOIN lines l ON l.province = pr.code
    WHERE pr.code = ANY ($2::text[])
    GROUP BY pr.code, pr.name
), new_counties AS (
    SELECT province, county, sum(headcount) AS total, coalesce(sum(headcount) FILTER (WHERE township), 0) AS township
    FROM lines WHERE new_county GROUP BY province, county
), violations AS (  -- basis points floored below a minimum, ceiled above a maximum, as NN.NN%
    SELECT code AS province, 0 AS rank, '' AS county,
           format($6, b / 100 || '.' || lpad((b % 100)::text, 2, '0') || '%') AS text
    FROM sums, LATERAL (SELECT township * 10000 / nullif(total, 0) AS b) bp
    WHERE total > 0 AND township * 10 < total * 9
    UNION ALL
    SELECT code, 1, '', format($7, b / 100 || '.' || lpad((b % 100)::text, 2, '0') || '%')
    FROM sums, LATERAL (SELECT education * 10000 / nullif(total, 0) AS b) bp
    WHERE total > 0 AND education * 4 < total
    UNION ALL
    SELECT code, 2, '', format($8, b / 100 || '.' || lpad((b % 100)::text, 2, '0') || '%')
    FROM sums, LATERAL (SELECT (youth_work * 10000 + total - 1) / nullif(total, 0) AS b) bp
    WHERE total > 0 AND youth_work * 10 > total
    UNION ALL
    SELECT province, 3, county, format($9, b / 100 || '.' || lpad((b % 100)::text, 2, '0') || '%', county)
    FROM new_counties, LATERAL (SELECT township * 10000 / nullif(total, 0) AS b) bp
    WHERE total > 0 AND township * 100 < total * 95
)
SELECT json_build_object('data', json_object_agg(asked.alias, (
    SELECT json_build_object(
        'province', json_build_object('code', s.code, 'name', s.name),
        'totalHeadcount', s.total,
        'townshipShare', CASE WHEN s.total = 0 THEN 0 ELSE s.township::float8 / s.total END,
        'educationShare', CASE WHEN s.total = 0 THEN 0 ELSE s.education::float8 / s.total END,
        'youthWorkShare', CASE WHEN s.total = 0 THEN 0 ELSE s.youth_work::float8 / s.total END,
        'compliant', NOT EXISTS (SELECT 1 FROM violations v WHERE v.province = s.code),
        'violations', coalesce((SELECT json_agg(v.text ORDER BY v.rank, v.county)
                                FROM violations v WHERE v.province = s.code), '[]'::json))
    FROM sums s WHERE s.code = asked.code) ORDER BY asked.n))::text
FROM unnest($3::text[], $2::text[]) WITH ORDINALITY AS asked (alias, code, n)
"""


def structure_texts(year: str, plan_year: str) -> tuple[str, ...]:
    """R14's violations as format() templates (share %1$s, county %2$s), from the hub's own rule texts
    (hub.rules.structure, hub.posts) in the hub's default language: warnings during the transition."""
    from hub.posts import warned
    from hub.rules import structure

    share, county = "\x00share\x00", "\x00county\x00"
    texts = []
    for ratio in (structure.TOWNSHIP, structure.RURAL_EDUCATION, structure.YOUTH_WORK, structure.NEW_COUNTY_TOWNSHIP):
        text = ratio.message(share, county)
        if ratio is not structure.NEW_COUNTY_TOWNSHIP and structure.in_transition(plan_year, year):
            text = warned(text, plan_year)
        texts.append(text.replace("%", "%%").replace(share, "%1$s").replace(county, "%2$s"))
    return tuple(texts)


def structure_arguments(document: str, plan_year: str) -> tuple[Any, ...]:
    """The aliases of a document of `postStructure` fields (one year), their provinces, and the texts."""
    aliases, codes, years = [], [], set()
    operation = parse(document).definitions[0]
    for selection in operation.selection_set.selections:  # type: ignore[attr-defined]
        arguments = {a.name.value: value_from_ast_untyped(a.value) for a in selection.arguments}
        aliases.append((selection.alias or selection.name).value)
        codes.append(arguments["provinceCode"])
        years.add(arguments["year"])
    [year] = years
    earlier = tuple(year_code(parse_year(year) - k) for k in (1, 2))  # the years of terms 2 and 3 (R27)
    return (year, codes, aliases, *earlier, *structure_texts(year, plan_year))


@dataclass(frozen=True)
class Prepared:
    """One bench query the limit answers: its SQL per office level (and whether that level's read scope
    takes the office's code as the last argument), and the arguments read from the document."""

    name: str
    sql: dict[OfficeLevel, tuple[str, bool]]
    arguments: tuple[Any, ...]

    def bind(self, actor: Actor) -> tuple[str, tuple[Any, ...]] | None:
        entry = self.sql.get(actor.level)
        if entry is None:
            return None
        sql, scoped = entry
        return sql, (*self.arguments, actor.code) if scoped else self.arguments

    def written(self, actor: Actor) -> str | None:
        """The statement with its arguments written in (`written`), as the hub's planner writes its values."""
        bound = self.bind(actor)
        return None if bound is None else written(*bound)


def written(sql: str, arguments: tuple[Any, ...]) -> str:
    """`sql` with each `$n` replaced by its argument as a quoted literal of no type, which PostgreSQL types from
    where it stands as it types a parameter there. Bound, PostgreSQL re-plans a prepared statement at every
    execution whenever it prices its generic plan above a custom one (Q2 on the grown nation); written, it plans
    it once per connection — the hub's planner does the same (hub/graphql/planner.py `_written_compiler`), so
    the limit stays a limit."""

    def literal(value: Any) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, list | tuple):
            items = (str(v).replace("\\", "\\\\").replace('"', '\\"') for v in value)
            text = "{" + ",".join(f'"{item}"' for item in items) + "}"
        else:
            text = value.isoformat() if isinstance(value, date) else str(value)
        return "'" + text.replace("'", "''") + "'"

    return re.sub(r"\$(\d+)", lambda found: literal(arguments[int(found.group(1)) - 1]), sql)


def normalise(text: str) -> str:
    """The query text with whitespace collapsed: the dispatch key."""
    return " ".join(text.split())


def field_arguments(document: str) -> dict[str, dict[str, Any]]:
    """Literal arguments of the fields that have some, by field name (the bench's queries name each once)."""
    found: dict[str, dict[str, Any]] = {}

    class Collect(Visitor):
        def enter_field(self, node: FieldNode, *_args: Any) -> None:
            if node.arguments:
                found[node.name.value] = {a.name.value: value_from_ast_untyped(a.value) for a in node.arguments}

    visit(parse(document), Collect())
    return found


def prepare(today: Any, plan_year: str = Settings.plan_year) -> dict[str, Prepared]:
    """Q1, Q2, the western post structure and the funding report from bench/queries, keyed by their normalised
    text."""
    q1 = (QUERIES / "q1_province_dashboard.graphql").read_text(encoding="utf-8")
    args = field_arguments(q1)
    year = args["posts"]["year"]
    if args["inPost"]["year"] != year:
        raise ValueError("Q1 asks for posts and volunteers in post of one year")
    earlier = tuple(year_code(parse_year(year) - k) for k in (1, 2))  # the years of terms 2 and 3 (R27)
    first_counties, first_posts = args["counties"].get("first", 50), args["posts"].get("first", 50)
    q1_args = (args["province"]["code"], year, first_counties, first_posts, *earlier)
    q2 = (QUERIES / "q2_volunteer_page.graphql").read_text(encoding="utf-8")
    args = field_arguments(q2)
    q2_year = args["volunteers"]["year"]
    renewed = tuple(year_code(parse_year(q2_year) - k) for k in (1, 2))  # applications whose term 2 or 3 covers it
    q2_args = (args["county"]["code"], q2_year, args["volunteers"].get("first", 50), today, *renewed)
    return {
        normalise(q1): Prepared("q1_province_dashboard", {level: (Q1_SQL, False) for level in OfficeLevel}, q1_args),
        normalise(q2): Prepared(
            "q2_volunteer_page",
            {level: (Q2_SQL.format(scope=scope), "$7" in scope) for level, scope in Q2_SCOPES.items()},
            q2_args,
        ),
        **_post_structure(plan_year),
        **prepare_funding(today),
    }


def prepare_funding(today: Any) -> dict[str, Prepared]:
    """The funding report (national office only: the limit keeps no provincial read scope for it)."""
    text = (QUERIES / "funding_report.graphql").read_text(encoding="utf-8")
    year = field_arguments(text)["fundingReport"]["year"]
    starts, ends = service_period(year)
    earlier = tuple(year_code(parse_year(year) - k) for k in (1, 2))  # the years of terms 2 and 3 (R27)
    august = starts.year * 12 + starts.month  # the month index of the service period's first month
    arguments = (year, today, starts, ends, august, *earlier)
    return {normalise(text): Prepared("funding_report", {OfficeLevel.NATIONAL: (FUNDING_SQL, False)}, arguments)}


def _post_structure(plan_year: str) -> dict[str, Prepared]:
    west = (QUERIES / "post_structure_west.graphql").read_text(encoding="utf-8")
    arguments = structure_arguments(west, plan_year)
    every_level = {level: (STRUCTURE_SQL, False) for level in OfficeLevel}  # the hub asks only for a token
    return {normalise(west): Prepared("post_structure_west", every_level, arguments)}


def error(message: str, code: str, status: int = 200) -> JSONResponse:
    return JSONResponse({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}, status)


def create_app(settings: Settings | None = None) -> Starlette:
    """The limit server over `settings.database_url` (HUB_* environment by default)."""
    settings = settings or Settings.from_env()
    clock = Clock(settings.today)
    prepared = prepare(clock.today(), settings.plan_year)
    state: dict[str, asyncpg.Pool] = {}
    statements: dict[tuple[str, OfficeLevel, str | None], str | None] = {}  # each document and caller's statement
    write_key = normalise(limit_writes.SUBMIT_APPLICATION)
    wakeups = Wakeups(lambda: state["pool"].execute(f"NOTIFY {CHANNEL}"))  # as the hub's (hub.outbox.notify_on)

    async def graphql(request: Request) -> Response:
        body = json.loads(await request.body())
        text = normalise(body.get("query") or "")
        query = prepared.get(text)
        if query is None and text != write_key:  # submitApplication: the write limit (bench/limit_writes.py)
            message = "the limit server answers only the bench's Q1, Q2, funding report and submitApplication"
            return error(message, "NOT_SUPPORTED", 400)
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            actor = parse_token(token.strip(), settings) if scheme.lower() == "bearer" else None
        except AuthenticationError as exc:
            return error(str(exc), "UNAUTHENTICATED")
        if actor is None:
            return error(f"{query.name if query else limit_writes.OPERATION} needs a token", "UNAUTHENTICATED")
        if query is None:  # the write limit (bench/limit_writes.py)
            answer = await limit_writes.submit_application(
                state["pool"], wakeups, actor, body.get("variables"), clock.now(), clock.today()
            )
            return Response(orjson.dumps(answer), media_type="application/json")
        key = (text, actor.level, actor.code)
        sql = statements.get(key) or statements.setdefault(key, query.written(actor))
        if sql is None:
            return error(f"the limit server has no read scope for {actor.level.value}", "FORBIDDEN")
        text = await state["pool"].fetchval(sql)
        return Response(text, media_type="application/json")

    async def readyz(_request: Request) -> JSONResponse:
        await state["pool"].fetchval("SELECT 1")
        return JSONResponse({"status": "ready"})

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        dsn = settings.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        state["pool"] = await asyncpg.create_pool(dsn, min_size=POOL_SIZE, max_size=POOL_SIZE)
        try:
            yield
        finally:
            await wakeups.flush()
            await state["pool"].close()

    return Starlette(
        routes=[Route("/graphql", graphql, methods=["POST"]), Route("/readyz", readyz)],
        lifespan=lifespan,
    )
