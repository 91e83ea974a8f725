"""R12, R14, R26: posts — what a post has filled and the one check every path that takes a place calls
(under a row lock, so parallel requests never overdraw a headcount), the province's post structure, and
the batch decisions of the province and the national office."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, case, cast, func, literal, literal_column, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from hub import counting
from hub import models as m
from hub.enums import ApplicationStatus, Decision, PostCategory, PostStatus, UnitLevel, UserErrorCode, label, labelled
from hub.errors import DomainRefusal, refuse
from hub.i18n import _
from hub.ids import to_global_id
from hub.rules.structure import (
    NEW_COUNTY_TOWNSHIP,
    RURAL_EDUCATION,
    TOWNSHIP,
    YOUTH_WORK,
    PostLine,
    Ratio,
    StructureReport,
    in_transition,
    post_structure,
)

TOWNSHIP_OR_BELOW = (UnitLevel.TOWNSHIP.value, UnitLevel.VILLAGE.value)


def _holds(application: Any) -> Any:
    """SQL: the application (a table or alias) holds a place — its volunteer is in service; the place is the
    post of their latest agreement, kept on the application (hub.agreements)."""
    return application.c.status == ApplicationStatus.IN_SERVICE.value


def holding(post_ids: Any) -> Any:
    """SQL: (post id, places taken) for the given posts — a volunteer in service holds the post of their
    latest agreement."""
    holder = m.Application.__table__.alias("holder")
    return (
        select(holder.c.latest_post_id, func.count())
        .where(holder.c.latest_post_id.in_(post_ids), _holds(holder))
        .group_by(holder.c.latest_post_id)
    )


def held_places(post_id: Any) -> Any:
    """SQL: the places taken of the post whose id is the (correlated) expression `post_id` — the read
    planner's form of `holding`, built from the same condition."""
    holder = m.Application.__table__.alias()
    return (
        select(func.count())
        .where(holder.c.latest_post_id == post_id, _holds(holder))
        .correlate_except(holder)
        .scalar_subquery()
    )


async def filled(session: AsyncSession, post_id: int) -> int:
    row = (await session.execute(holding([post_id]))).first()
    return row[1] if row else 0


async def ensure_free_place(session: AsyncSession, post_id: int, *field: str) -> m.Post:
    """R26: lock the post; refuse unless it is APPROVED (INVALID_STATE) and has a free place (POST_FULL)."""
    post = (await session.execute(select(m.Post).where(m.Post.id == post_id).with_for_update())).scalar_one()
    if post.status != PostStatus.APPROVED.value:
        raise refuse(
            UserErrorCode.INVALID_STATE,
            _("the post is {status}; only approved posts take volunteers", status=labelled(PostStatus, post.status)),
            *field,
        )
    taken = await filled(session, post.id)
    if taken >= post.headcount:
        raise refuse(
            UserErrorCode.POST_FULL,
            _(
                "the post '{title}' is full ({taken} of {headcount})",
                title=post.title,
                taken=taken,
                headcount=post.headcount,
            ),
            *field,
        )
    return post


@dataclass(frozen=True)
class Structure:
    """R14 for one province and year: the ratios, every violation as shown on the report, and those that
    refuse a national approval (the ratios are warnings only during the two-year transition)."""

    report: StructureReport
    violations: list[str]
    blocking: list[str]


async def structure(session: AsyncSession, year: str, province_code: str, plan_year: str) -> Structure:
    """R14 on the headcount of the year's posts of the province that are not REJECTED."""
    return (await structures(session, year, [province_code], plan_year))[province_code]


async def structures(
    session: AsyncSession, year: str, province_codes: list[str], plan_year: str
) -> dict[str, Structure]:
    """`structure` for several provinces with one query (the report of every western province at once)."""
    lines: dict[str, list[PostLine]] = defaultdict(list)
    new_counties: dict[str, dict[str, list[PostLine]]] = defaultdict(lambda: defaultdict(list))
    query = structure_lines(year, province_codes)
    for province, county_code, new_county, headcount, category, township in (await session.execute(query)).all():
        line = PostLine(headcount, PostCategory(category), bool(township))
        lines[province].append(line)
        if new_county:
            new_counties[province][county_code].append(line)
    transition = in_transition(plan_year, year)
    out = {}
    for code in province_codes:
        ratios = post_structure(lines.get(code, []))
        counties = post_structure([], new_counties.get(code, {}))
        shown = [warned(v, plan_year) if transition else v for v in ratios.violations]
        out[code] = Structure(
            report=ratios,
            violations=shown + list(counties.violations),
            blocking=([] if transition else list(ratios.violations)) + list(counties.violations),
        )
    return out


def structure_lines(year: str, province_codes: Any) -> Any:
    """SQL: what R14 counts in `year` for the given provinces (a list, or an SQL expression to compare with
    IN), one row per line: (province, county, new_county, headcount, category, township).

    A line is a post of the year that is not REJECTED (`new_county`: its county serves for the first time
    that year), or a volunteer renewed into `year`, who holds a post of an earlier year (R27 keeps the post):
    one more place of the province's structure that year on their post's category and level (hub.counting),
    never a new county's. Both the executor (`structures`) and the read planner (`structures_sql`) read
    these rows, so what counts is said here only."""
    unit_level = m.ServiceUnit.level.in_(TOWNSHIP_OR_BELOW)
    township = case((unit_level, 1), else_=0)
    posts = (
        select(
            m.County.province_code.label("province"),
            m.County.code.label("county"),
            case((m.County.first_service_year == year, 1), else_=0).label("new_county"),
            m.Post.headcount.label("headcount"),
            m.Post.category.label("category"),
            township.label("township"),
        )
        .select_from(m.Post)
        .join(m.ServiceUnit, m.ServiceUnit.id == m.Post.unit_id)
        .join(m.County, m.County.code == m.Post.county_code)
        .where(
            m.Post.year == year,
            m.County.province_code.in_(province_codes),
            m.Post.status != PostStatus.REJECTED.value,
        )
    )
    term = m.ServiceAgreement.__table__.alias("term")
    renewed = (
        select(
            m.County.province_code,
            m.County.code,
            literal(0),
            literal(1),
            m.Post.category,
            township,
        )
        .select_from(m.Application)
        .join(term, term.c.application_id == m.Application.id)
        .join(m.Post, m.Post.id == term.c.post_id)
        .join(m.ServiceUnit, m.ServiceUnit.id == m.Post.unit_id)
        .join(m.County, m.County.code == m.Post.county_code)
        .where(
            m.Application.year != year,
            counting.in_post(year),
            counting.term_covers(term.c, m.Application, year),
            m.County.province_code.in_(province_codes),
        )
    )
    return union_all(posts, renewed)


# --- R14 in SQL (the read planner's postStructure): what counts comes from `structure_lines`, the ratios and
# their texts from hub.rules.structure; the comparisons and the percentages are spelled again below, and
# tests/test_post_structure_is_planned.py holds them to the executor's (`structures`) on both engines. ------

SHARES = {"township": TOWNSHIP, "education": RURAL_EDUCATION, "youth_work": YOUTH_WORK}  # sums' column -> ratio
_SHARE, _COUNTY = "\x00share\x00", "\x00county\x00"  # where SQL writes into a message


def structures_sql(year: str, province_codes: list[str], plan_year: str, suffix: int = 0) -> tuple[Any, Any]:
    """`structures` in SQL: (the sums of each province in `year` — total and each share's part of the
    headcount —, their violations as shown, with their order): CTEs named with `suffix`, so that the 13 western
    provinces cost one pass, as in the executor."""
    lines = structure_lines(year, province_codes).cte(f"structure_lines_{suffix}")
    province = m.Province.__table__.alias("structure_province")

    def total(condition: Any = None) -> Any:
        counted = lines.c.headcount if condition is None else case((condition, lines.c.headcount), else_=0)
        return func.coalesce(func.sum(counted), 0)

    sums: Any = (
        select(
            province.c.code.label("province"),
            total().label("total"),
            total(lines.c.township == 1).label("township"),
            total(lines.c.category == PostCategory.RURAL_EDUCATION.value).label("education"),
            total(lines.c.category == PostCategory.YOUTH_WORK.value).label("youth_work"),
        )
        .select_from(province.outerjoin(lines, lines.c.province == province.c.code))
        .where(province.c.code.in_(province_codes))
        .group_by(province.c.code)
    )
    sums = sums.cte(f"structure_sums_{suffix}")
    new_counties: Any = (
        select(lines.c.province, lines.c.county, total().label("total"), total(lines.c.township == 1).label("township"))
        .where(lines.c.new_county == 1)
        .group_by(lines.c.province, lines.c.county)
    )
    new_counties = new_counties.cte(f"structure_new_counties_{suffix}")
    warning = plan_year if in_transition(plan_year, year) else None
    found = [
        select(
            sums.c.province,
            literal_column(str(order)).label("rank"),
            _text("").label("county"),
            _violation_sql(ratio, sums.c[column], sums.c.total, _text(""), warning).label("text"),
        ).where(sums.c.total > 0, _violated_sql(ratio, sums.c[column], sums.c.total))
        for order, (column, ratio) in enumerate(SHARES.items())
    ]
    ratio = NEW_COUNTY_TOWNSHIP
    found.append(
        select(
            new_counties.c.province,
            literal_column(str(len(found))),
            new_counties.c.county,
            _violation_sql(ratio, new_counties.c.township, new_counties.c.total, new_counties.c.county, None),
        ).where(new_counties.c.total > 0, _violated_sql(ratio, new_counties.c.township, new_counties.c.total))
    )
    return sums, union_all(*found).cte(f"structure_violations_{suffix}")


def _text(value: str) -> Any:
    return cast(literal(value), Text)


def _spliced(message: str, values: dict[str, Any]) -> Any:
    """SQL: `message` (written in the request's language with the markers of `values`) with each marker
    replaced by its SQL text."""
    parts = re.split("(" + "|".join(re.escape(marker) for marker in values) + ")", message)
    pieces = [values[part] if part in values else _text(part) for part in parts if part]
    out = pieces[0]
    for piece in pieces[1:]:
        out = out.op("||")(piece)
    return out


def _percent_sql(part: Any, total: Any, at_least: bool) -> Any:
    """SQL of hub.rules.structure._percent: basis points, floored below a minimum, ceiled above a maximum."""
    scaled = part * 10000
    points = scaled // total if at_least else (scaled + total - 1) // total
    hundredths = cast(100 + points - (points // 100) * 100, Text)
    return cast(points // 100, Text).op("||")(_text(".")).op("||")(func.substr(hundredths, 2)).op("||")(_text("%"))


def _violated_sql(ratio: Ratio, part: Any, total: Any) -> Any:
    """SQL of Ratio.violated on part/total (total > 0), in whole numbers: exact, as the Fraction is."""
    share, limit = part * ratio.limit.denominator, total * ratio.limit.numerator
    return share < limit if ratio.at_least else share > limit


def _violation_sql(ratio: Ratio, part: Any, total: Any, county: Any, warning: str | None) -> Any:
    message = ratio.message(_SHARE, _COUNTY)
    if warning is not None:
        message = warned(message, warning)
    return _spliced(message, {_SHARE: _percent_sql(part, total, ratio.at_least), _COUNTY: county})


def warned(violation: str, plan_year: str) -> str:
    """R14: a ratio violation during the two-year transition from the plan's year, shown as a warning."""
    return _("warning (two-year transition from {year}): {violation}", year=plan_year, violation=violation)


def rejection_reason(decision: Decision, reason: str | None) -> str | None:
    """A rejection needs a reason (INVALID_INPUT); an approval may carry one."""
    reason = (reason or "").strip() or None
    if decision is Decision.REJECT and reason is None:
        raise refuse(UserErrorCode.INVALID_INPUT, "a rejection needs a reason", "input", "reason")
    return reason


async def decide(
    unit: Any, post_ids: list[str], decision: Decision, reason: str | None, expected: PostStatus, approved: PostStatus
) -> list[m.Post]:
    """R12: move each post of a batch from `expected` to `approved` (or REJECTED), authorizing each on its
    county and province; all of the batch or none. The rows come back locked and changed, audited."""
    if not post_ids or len(set(post_ids)) != len(post_ids):
        raise refuse(UserErrorCode.INVALID_INPUT, "name each post once, at least one", "input", "postIds")
    rows, problems = [], []
    for index, gid in enumerate(post_ids):
        path = ("input", "postIds", str(index))
        try:
            post = await unit.fetch(m.Post, gid, *path)
            unit.authorize({"serving_province": post.county_code[:2], "county": post.county_code})
            if post.status != expected.value:
                raise refuse(
                    UserErrorCode.INVALID_STATE,
                    _(
                        "post {index} is {status}, not {expected}",
                        index=index,
                        status=labelled(PostStatus, post.status),
                        expected=label(expected),
                    ),
                    *path,
                )
            rows.append(post)
        except DomainRefusal as refusal:
            problems.extend(refusal.problems)
    if problems:
        raise DomainRefusal(problems)
    reason = rejection_reason(decision, reason)  # after authorization: an outsider learns no rule
    target = approved if decision is Decision.APPROVE else PostStatus.REJECTED
    for post in rows:
        unit.record(
            to_global_id("Post", post.id),
            {"status": {"from": post.status, "to": target.value}, "reason": reason},
            county=post.county_code,
            province=post.county_code[:2],
        )
        post.status = target.value
        unit.session.add(post)
    await unit.session.flush()
    return rows
