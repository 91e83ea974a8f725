"""Read models computed from the record: post structure (R14), quotas (R15–R18), funding (R38–R40),
certificate checks (R31). Each is a few set-based queries and a pure rule function."""

from __future__ import annotations

import functools
from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from hub import allowances, posts
from hub import models as m
from hub.auth import Actor
from hub.enums import FundingZone, Region
from hub.graphql.aggregates import in_post_condition
from hub.graphql.people import CertificateCheck
from hub.graphql.posts import PostStructure
from hub.graphql.program import ProvinceFunding, Quota, ZoneFunding
from hub.quotas import used as quota_used
from hub.quotas import uses_quota
from hub.rules import funding as money
from hub.rules.years import parse_year
from hub.scales import serving_provinces

CENTS = Decimal("0.00")  # amounts always read with two decimals, also when nothing is due


async def post_structure(info: Any, year: str, province_code: str) -> PostStructure:
    """R14's report; every province asked for in one request (aliases) is computed from one query."""
    plan_year = info.context.hub.settings.plan_year

    async def batch(session: Any, codes: list[str]) -> list[posts.Structure]:
        found = await posts.structures(session, year, list(dict.fromkeys(codes)), plan_year)
        return [found[c] for c in codes]

    result = await info.context.loaders.custom(("post_structure", year), batch).load(province_code)
    report = result.report
    return PostStructure(
        year=year,
        province_code=province_code,
        total_headcount=report.total_headcount,
        township_share=float(report.township_share),
        education_share=float(report.education_share),
        youth_work_share=float(report.youth_work_share),
        compliant=not result.violations,
        violations=result.violations,
    )


async def quotas(info: Any, year: str, recruiting: str | None, serving: str | None) -> list[Quota]:
    cells = select(m.Quota).where(m.Quota.year == year)
    used = (
        select(m.Application.quota_recruiting_code, m.Application.serving_province_code, func.count())
        .where(m.Application.year == year, uses_quota())
        .group_by(m.Application.quota_recruiting_code, m.Application.serving_province_code)
    )
    if recruiting is not None:
        cells = cells.where(m.Quota.recruiting_province_code == recruiting)
        used = used.where(m.Application.quota_recruiting_code == recruiting)
    if serving is not None:
        cells = cells.where(m.Quota.serving_province_code == serving)
        used = used.where(m.Application.serving_province_code == serving)
    cells = cells.order_by(m.Quota.recruiting_province_code, m.Quota.serving_province_code)
    async with info.context.hub.sessionmaker() as session:
        rows = list((await session.execute(cells)).scalars())
        counts = {(r, s): n for r, s, n in (await session.execute(used))}
    return [
        Quota(
            year=year,
            recruiting_province_code=q.recruiting_province_code,
            serving_province_code=q.serving_province_code,
            quota=q.quota,
            used=counts.get((q.recruiting_province_code, q.serving_province_code), 0),
        )
        for q in rows
    ]


async def quota_views(session: Any, cells: list[m.Quota]) -> list[Quota]:
    """The GraphQL view of quota cells just written, with what each has used."""
    return [
        Quota(
            year=c.year,
            recruiting_province_code=c.recruiting_province_code,
            serving_province_code=c.serving_province_code,
            quota=c.quota,
            used=await quota_used(session, c.year, c.recruiting_province_code, c.serving_province_code),
        )
        for c in cells
    ]


async def funding_report(info: Any, actor: Actor, year: str, province_code: str | None) -> list[ProvinceFunding]:
    """R38–R40 for each serving province (or one): volunteers in post by zone, central subsidy, local
    allowance and the uninsured count, all from agreements, standards and policies on record."""
    parse_year(year)
    today = info.context.hub.clock.today()
    visible = info.context.hub.permissions.visible(actor, "Funding")
    provinces_q = select(m.Province).where(visible).order_by(m.Province.code)
    if province_code is not None:
        provinces_q = provinces_q.where(m.Province.code == province_code)

    async with info.context.hub.sessionmaker() as session:
        provinces = list((await session.execute(provinces_q)).scalars())
        codes = [p.code for p in provinces]
        agreements = (
            await session.execute(
                select(
                    m.Application.id,
                    m.Application.serving_province_code,
                    m.Application.status,
                    m.ServiceAgreement.county_code,
                    m.ServiceAgreement.starts_on,
                    m.ServiceAgreement.ends_on,
                    m.Application.volunteer_id,
                )
                .join(m.ServiceAgreement, m.ServiceAgreement.application_id == m.Application.id)
                .where(m.Application.serving_province_code.in_(codes))
                .order_by(m.ServiceAgreement.term_year, m.ServiceAgreement.id)  # the latest agreement comes last
            )
        ).all()
        in_post_ids = set(
            (
                await session.execute(
                    select(m.Application.id).where(
                        m.Application.serving_province_code.in_(codes), in_post_condition(year)
                    )
                )
            ).scalars()
        )
        counties = {
            c.code: c
            for c in (await session.execute(select(m.County).where(m.County.province_code.in_(codes)))).scalars()
        }
        scales_of_year = list(await serving_provinces(session, year))
        standards = await allowances.in_force(session, year, codes)
        policies = (
            await session.execute(
                select(
                    m.InsurancePolicy.volunteer_id,
                    m.InsurancePolicy.kind,
                    m.InsurancePolicy.valid_from,
                    m.InsurancePolicy.valid_until,
                ).where(
                    m.InsurancePolicy.volunteer_id.in_(
                        select(m.Application.volunteer_id).where(m.Application.serving_province_code.in_(codes))
                    )
                )
            )
        ).all()
    regions = {p.code: Region(p.region) for p in provinces}
    serving = set(scales_of_year)
    by_application: dict[int, dict[str, Any]] = {}
    of_province: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for app_id, serving_code, _status, county_code, starts_on, ends_on, volunteer_id in agreements:
        entry = by_application.setdefault(
            app_id, {"province": serving_code, "county": county_code, "periods": [], "volunteer": volunteer_id}
        )
        of_province[serving_code][app_id] = entry
        entry["periods"].append((starts_on, ends_on))
        entry["county"] = county_code  # the latest agreement's county
    policies_of: dict[int, list[Any]] = defaultdict(list)
    for volunteer_id, kind, valid_from, valid_until in policies:
        policies_of[volunteer_id].append((kind, valid_from, valid_until))
    standard_of = {(s.province_code, s.county_code): s for s in standards}

    # The rules are pure and their arguments take few values (4 zones × 13 month counts, a few standards):
    # computed once each per request, not once per volunteer (exact Fraction arithmetic is the cost).
    subsidy_for = functools.cache(money.central_subsidy)
    allowance_for = functools.cache(money.local_allowance)
    reports = []
    for province in provinces:
        zone_months: dict[FundingZone, int] = defaultdict(int)
        zone_subsidy: dict[FundingZone, Decimal] = defaultdict(Decimal)
        allowance = Decimal("0")
        in_post = uninsured = 0
        for app_id, entry in of_province[province.code].items():
            months = money.months_in_post(entry["periods"], year, today)
            county = counties.get(entry["county"])
            zone = money.funding_zone(entry["county"], regions[province.code])
            if months:
                zone_months[zone] += months
                zone_subsidy[zone] += subsidy_for(zone, months)
                standard = standard_of.get((province.code, entry["county"])) or standard_of.get((province.code, None))
                if standard is not None:
                    allowance += allowance_for(
                        months,
                        standard.monthly_allowance,
                        standard.hardship_allowance,
                        bool(county and county.remote),
                    )
            if app_id in in_post_ids:
                in_post += 1
                if money.uninsured(policies_of.get(entry["volunteer"], []), today):
                    uninsured += 1
        by_zone = [
            ZoneFunding(zone=z, volunteer_months=zone_months[z], central_subsidy=zone_subsidy[z] + CENTS)
            for z in FundingZone
            if z in zone_months
        ]
        if province_code is None and province.code not in serving and not zone_months and not in_post:
            continue  # the all-provinces report lists the year's serving provinces and any with money due
        reports.append(
            ProvinceFunding(
                year=year,
                province_code=province.code,
                in_post=in_post,
                by_zone=by_zone,
                central_subsidy=sum(zone_subsidy.values(), CENTS),
                local_allowance=allowance + CENTS,
                uninsured=uninsured,
            )
        )
    return reports


async def verify_certificate(info: Any, number: str) -> CertificateCheck | None:
    """R31: name, province and years served for a certificate number — nothing more."""
    async with info.context.hub.sessionmaker() as session:
        volunteer = (
            await session.execute(select(m.Volunteer).where(m.Volunteer.certificate_number == number))
        ).scalar_one_or_none()
        if volunteer is None or volunteer.completed_on is None:
            return None
        row = (
            await session.execute(
                select(m.Application.serving_province_code, func.count(m.ServiceAgreement.id))
                .join(m.ServiceAgreement, m.ServiceAgreement.application_id == m.Application.id)
                .where(
                    m.Application.volunteer_id == volunteer.id,
                    m.Application.serving_province_code.is_not(None),
                )
                .group_by(m.Application.serving_province_code)
                .order_by(func.count(m.ServiceAgreement.id).desc())
            )
        ).first()
    if row is None:
        return None
    province, terms = row
    return CertificateCheck(
        number=number,
        name=volunteer.name,
        province_code=province,
        years_served=terms,
        completed_on=volunteer.completed_on,
    )
