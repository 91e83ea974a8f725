"""Read models computed from the record: post structure (R14, hub.posts), quotas (R15–R18, hub.quotas), funding
(R38–R40, hub.funding), certificate checks (R31, hub.certificates). The domain modules compute the figures;
this builds the GraphQL objects from them."""

from __future__ import annotations

from typing import Any

from hub import certificates, funding, posts
from hub import models as m
from hub.auth import Actor
from hub.graphql.people import CertificateCheck
from hub.graphql.posts import PostStructure
from hub.graphql.program import ProvinceFunding, Quota, ZoneFunding
from hub.quotas import matrix as quota_matrix
from hub.quotas import used as quota_used


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


def _quota(cell: m.Quota, used: int) -> Quota:
    return Quota(
        year=cell.year,
        recruiting_province_code=cell.recruiting_province_code,
        serving_province_code=cell.serving_province_code,
        quota=cell.quota,
        used=used,
    )


async def quotas(info: Any, year: str, recruiting: str | None, serving: str | None) -> list[Quota]:
    async with info.context.hub.sessionmaker() as session:
        return [_quota(cell, used) for cell, used in await quota_matrix(session, year, recruiting, serving)]


async def quota_views(session: Any, cells: list[m.Quota]) -> list[Quota]:
    """The GraphQL view of quota cells just written, with what each has used."""
    return [
        _quota(c, await quota_used(session, c.year, c.recruiting_province_code, c.serving_province_code)) for c in cells
    ]


async def funding_report(info: Any, actor: Actor, year: str, province_code: str | None) -> list[ProvinceFunding]:
    """R38–R40 for each serving province (or one), computed by hub.funding.report from the record."""
    visible = info.context.hub.permissions.visible(actor, "Funding")
    async with info.context.hub.sessionmaker() as session:
        figures = await funding.report(session, year, info.context.hub.clock.today(), visible, province_code)
    return [ProvinceFunding(**{**vars(f), "by_zone": [ZoneFunding(**vars(z)) for z in f.by_zone]}) for f in figures]


async def verify_certificate(info: Any, number: str) -> CertificateCheck | None:
    """R31: name, province and years served for a certificate number — nothing more."""
    async with info.context.hub.sessionmaker() as session:
        facts = await certificates.check(session, number)
    return None if facts is None else CertificateCheck(**vars(facts))
