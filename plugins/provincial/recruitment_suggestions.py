"""The recruiting province's recruitment suggestions (招募建议, R15–R18, R20, R23): for its applicants who
passed selection and the physical exam, the serving province to sign the recruitment agreement with, from
the free quota of each of its cells (moves and reallocations included), solved exactly by
hub.rules.matching. A suggestion writes nothing: each is applied through `signRecruitmentAgreement`, so
every rule (quota under lock, milestone, public notice, preferences) still decides."""

from __future__ import annotations

import strawberry
from sqlalchemy import func, select

from hub import models as m
from hub.enums import ApplicationStatus
from hub.errors import bad_input, forbidden
from hub.graphql.applications import Application
from hub.graphql.context import Info
from hub.graphql.fields import executor_only, executor_only_type
from hub.graphql.geography import Province
from hub.i18n import _
from hub.quotas import uses_quota
from hub.rules.matching import Applicant, Matching, UnplacedReason, match
from hub.rules.years import parse_year
from hub.scales import serving_provinces

# R25 names the same statuses: passed selection and the exam, not yet recruited.
WAITING = (ApplicationStatus.EXAM_PASSED.value, ApplicationStatus.PUBLICIZED.value)

UnplacedReasonType = strawberry.enum(
    UnplacedReason,
    name="UnplacedReason",
    description="Why an applicant gets no suggestion: PREFERENCES_FULL (did not accept adjustment and no "
    "free quota among the three preferences) or QUOTA_FULL (every free unit of quota is suggested to others).",
)


SOLVED = "the result of an exact optimisation in Python (hub.rules.matching), not stored"


@strawberry.type(description="One suggested recruitment agreement: the applicant and the serving province.")
@executor_only_type(SOLVED)
class SuggestedAssignment:
    application: Application
    serving_province: Province
    preference_rank: int | None = strawberry.field(description="1–3, or null when placed by adjustment.")


@strawberry.type(description="An applicant the free quota cannot place, and why.")
@executor_only_type(SOLVED)
class UnplacedApplicant:
    application: Application
    reason: UnplacedReasonType  # type: ignore[valid-type]


@strawberry.type(
    description="How many applicants are suggested their first, second, third preference, by adjustment, or none."
)
@executor_only_type(SOLVED)
class PlacementByRank:
    first: int
    second: int
    third: int
    adjusted: int
    unplaced: int


@strawberry.type(description="R15–R18, R23: suggested recruitment agreements of a recruiting province for a year.")
@executor_only_type(SOLVED)
class RecruitmentSuggestions:
    year: str
    recruiting_province: Province
    assignments: list[SuggestedAssignment]
    unplaced: list[UnplacedApplicant]
    by_rank: PlacementByRank


def selection_order() -> tuple:
    """The order of priority among applicants: selection scores (written + interview) high to low, then id."""
    score = func.coalesce(m.Application.written_score, 0) + func.coalesce(m.Application.interview_score, 0)
    return (score.desc(), m.Application.id)


async def free_quota(session: object, year: str, recruiting: str) -> dict[str, int]:
    """Serving province → units still free in the cell recruiting → serving (R18), for the year's serving
    provinces (R2). The cells are read as they stand: moves (R16) and reallocations (R17) are in them."""
    used = (
        select(m.Application.serving_province_code, func.count())
        .where(m.Application.year == year, m.Application.quota_recruiting_code == recruiting, uses_quota())
        .group_by(m.Application.serving_province_code)
    )
    taken = dict((await session.execute(used)).all())  # type: ignore[attr-defined]
    serving = await serving_provinces(session, year)  # type: ignore[arg-type]
    cells = select(m.Quota.serving_province_code, m.Quota.quota).where(
        m.Quota.year == year, m.Quota.recruiting_province_code == recruiting
    )
    return {
        code: max(quota - taken.get(code, 0), 0)
        for code, quota in (await session.execute(cells)).all()  # type: ignore[attr-defined]
        if code in serving
    }


async def suggestions(info: Info, year: str, recruiting_province_code: str) -> RecruitmentSuggestions:
    actor = info.context.require_actor("suggestRecruitment")
    try:
        parse_year(year)
    except ValueError as exc:
        raise bad_input(str(exc)) from None
    decision = info.context.hub.permissions.decide(
        actor, "suggestRecruitment", {"recruiting_province": recruiting_province_code}
    )
    if not decision.allowed:
        raise forbidden(decision.reason)
    async with info.context.hub.sessionmaker() as session:
        province = await session.get(m.Province, recruiting_province_code)
        if province is None:
            raise bad_input(_("no province has the code {code!r}", code=recruiting_province_code))
        rows = list(
            (
                await session.execute(
                    select(m.Application)
                    .where(
                        m.Application.year == year,
                        m.Application.recruiting_province_code == recruiting_province_code,
                        m.Application.status.in_(WAITING),
                        m.Application.confirmation_number.is_(None),
                    )
                    .order_by(*selection_order())
                )
            ).scalars()
        )
        free = await free_quota(session, year, recruiting_province_code)
        serving = {p.code: p for p in (await session.execute(select(m.Province))).scalars()}
    applicants = [
        Applicant(row.id, (row.preference_1, row.preference_2, row.preference_3), row.accepts_adjustment)
        for row in rows
    ]
    result: Matching = match(applicants, free)
    by_id = {row.id: row for row in rows}
    return RecruitmentSuggestions(
        year=year,
        recruiting_province=Province.of(province),
        assignments=[
            SuggestedAssignment(
                application=Application.of(by_id[p.key]),
                serving_province=Province.of(serving[p.province]),
                preference_rank=p.rank,
            )
            for p in result.placements
        ],
        unplaced=[
            UnplacedApplicant(application=Application.of(by_id[key]), reason=why) for key, why in result.unplaced
        ],
        by_rank=PlacementByRank(**result.by_rank()),
    )


@strawberry.type
class RecruitmentSuggestionQuery:
    @executor_only(
        "an exact optimisation (min-cost flow, hub.rules.matching) over the province's applicants and free quota",
        description="R15–R18, R23: for the recruiting province's office, the serving province each applicant "
        "who passed selection and the exam (EXAM_PASSED/PUBLICIZED) should sign the recruitment agreement "
        "with: as many placed as the free quota allows, then as many first, second, third preferences; "
        "applicants who did not accept adjustment only among their preferences. Writes nothing: apply each "
        "with signRecruitmentAgreement.",
    )
    async def suggest_recruitment(self, info: Info, year: str, recruiting_province_code: str) -> RecruitmentSuggestions:
        return await suggestions(info, year, recruiting_province_code)
