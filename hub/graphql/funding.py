"""R38–R40: the national funding report planned into the read planner's one statement: its figures in SQL
come from hub.funding.report_sql (beside the executor's `report`, from the same rules); this builds the
report's objects from them. tests/test_funding_report_is_planned.py holds the planner's answers equal to the
executor's on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, Text, cast, func, literal, select

from hub import funding
from hub import models as m
from hub.dialects import EMPTY_LIST, cents_text, json_list
from hub.graphql.fields import scoped, year_argument
from hub.graphql.planner import Details, Unplannable, Walk, named

ENTITY = "Funding"  # the read scope of the report (plugins' ReadScope("Funding", ...))


def compile_funding_report(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    """SQL of `Query.fundingReport`: one object per province the caller may read, by code — every serving
    province and any with money due or volunteers in post, or the one asked for."""
    if not walk.hub.permissions.can_read(walk.need_actor(), ENTITY):
        raise Unplannable("FORBIDDEN")
    year = year_argument(args.get("year"))
    only = args.get("province_code")
    if only is not None and not isinstance(only, str):
        raise Unplannable("not a province code")
    provinces = m.Province.__table__
    reported = select(provinces.c.code).where(walk.hub.permissions.visible(walk.actor, ENTITY))
    if only is not None:
        reported = reported.where(provinces.c.code == only)
    figures = funding.report_sql(year, walk.today, only, reported)
    zones, totals, posted = figures.zones, figures.totals, figures.posted
    province = m.Province.__table__.alias("funded_province")
    report_type = named(definition)
    zone_type = named(report_type.fields["byZone"])

    def by_zone(group: Details) -> Any:
        body = walk.embedded(
            zone_type,
            group,
            {
                "zone": lambda _d: zones.c.zone,
                "volunteerMonths": lambda _d: zones.c.months,
                "centralSubsidy": lambda _d: cents_text(zones.c.subsidy),
            },
        )
        listed = select(json_list(body, zones.c.rank)).where(zones.c.province == province.c.code)
        return func.coalesce(listed.correlate_except(zones).scalar_subquery(), EMPTY_LIST)

    body = walk.embedded(
        report_type,
        details,
        {
            "year": lambda _d: cast(literal(year, String), Text),
            "province": lambda group: walk.object(named(report_type.fields["province"]), province, group),
            "inPost": lambda _d: func.coalesce(posted.c.in_post, 0),
            "byZone": by_zone,
            "centralSubsidy": lambda _d: cents_text(func.coalesce(totals.c.subsidy, 0)),
            "localAllowance": lambda _d: cents_text(func.coalesce(totals.c.allowance, 0)),
            "uninsured": lambda _d: func.coalesce(posted.c.uninsured, 0),
        },
    )
    conditions = [scoped(walk, province, m.Province, ENTITY)]
    conditions.append(figures.listed(province.c.code) if only is None else province.c.code == only)
    listed = (
        select(json_list(body, province.c.code))
        .select_from(
            province.outerjoin(totals, totals.c.province == province.c.code).outerjoin(
                posted, posted.c.province == province.c.code
            )
        )
        .where(*conditions)
    )
    return func.coalesce(listed.scalar_subquery(), EMPTY_LIST)
