"""The inbox of an office (issue 16): what awaits it now — applications to sign off or to move on, counties
to decide or file, posts to confirm or approve, volunteers to receive, assessments to approve — each with
the deadline of its program year's milestone (R7, as stored, extensions included) for the steps R7 dates.

One queue per action: the rows in the state the action takes them from, inside the office's jurisdiction
for that action. A queue is shown only when an enabled plugin offers its action to the office's level.
The page is one UNION ALL statement (ordered by deadline, then action, then row) and one count: the
statement count does not grow with the rows. Not yet planned into the read planner's single statement
(the lead is restructuring the read side); the queues belong with the plugins that own their actions
and should move there through a hook once that settles."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import strawberry
from sqlalchemy import String, and_, cast, func, literal, null, select, union_all
from sqlalchemy.orm import aliased

from hub import models as m
from hub.auth import Actor
from hub.enums import ApplicationStatus as S
from hub.enums import CountyStatus, Milestone, OfficeLevel, PostStatus
from hub.errors import bad_input
from hub.graphql.connections import Connection, Edge, PageInfo, page_size
from hub.graphql.context import Info
from hub.graphql.fields import executor_only, executor_only_type
from hub.graphql.ids import to_global_id

P, C, N, SC = OfficeLevel.PROVINCIAL, OfficeLevel.COUNTY, OfficeLevel.NATIONAL, OfficeLevel.SCHOOL


@dataclass(frozen=True)
class Queue:
    """Rows of `model` awaiting `action` by offices of `level`: `where(actor)` selects them."""

    action: str
    level: OfficeLevel
    model: type
    where: Callable[[Actor], Any]
    milestone: Milestone | None = None


def _apps(status: S, column: str) -> Callable[[Actor], Any]:
    return lambda a: and_(m.Application.status == status.value, getattr(m.Application, column) == a.code)


def _province_counties(a: Actor) -> Any:
    return select(m.County.code).where(m.County.province_code == a.code)


QUEUES = (
    Queue("signOffApplication", SC, m.Application, _apps(S.SUBMITTED, "school_code"), Milestone.SCHOOL_SIGN_OFF_CLOSES),
    Queue(
        "recordSelection",
        P,
        m.Application,
        _apps(S.SCHOOL_APPROVED, "recruiting_province_code"),
        Milestone.SELECTION_COMPLETES,
    ),
    Queue(
        "recordPhysicalExam",
        P,
        m.Application,
        _apps(S.SELECTED, "recruiting_province_code"),
        Milestone.PHYSICAL_EXAMS_COMPLETE,
    ),
    Queue("publicize", P, m.Application, _apps(S.EXAM_PASSED, "recruiting_province_code")),  # R7: no milestone
    Queue(
        "signRecruitmentAgreement",
        P,
        m.Application,
        _apps(S.PUBLICIZED, "recruiting_province_code"),
        Milestone.RECRUITMENT_AGREEMENTS_SIGNED,
    ),
    Queue(
        "decideServiceCounty",
        P,
        m.County,
        lambda a: and_(m.County.status == CountyStatus.APPLIED.value, m.County.province_code == a.code),
    ),
    Queue(
        "confirmPosts",
        P,
        m.Post,
        lambda a: and_(m.Post.status == PostStatus.DECLARED.value, m.Post.county_code.in_(_province_counties(a))),
    ),
    Queue(
        "approveAssessments",
        P,
        m.Assessment,
        lambda a: and_(
            m.Assessment.status == "PROPOSED",
            m.Assessment.volunteer_id.in_(
                select(m.Application.volunteer_id).where(m.Application.serving_province_code == a.code)
            ),
        ),
    ),
    Queue("fileServiceCounty", N, m.County, lambda a: m.County.status == CountyStatus.PROVINCE_APPROVED.value),
    Queue("approvePosts", N, m.Post, lambda a: m.Post.status == PostStatus.PROVINCE_CONFIRMED.value),
    Queue("receiveVolunteers", C, m.Application, _apps(S.TRAINED, "county_code")),  # R7: no milestone
    Queue(
        "signServiceAgreement",
        C,
        m.Application,
        _apps(S.DISPATCHED, "county_code"),
        Milestone.SERVICE_AGREEMENTS_SIGNED,
    ),
)


NOT_PLANNED = "one UNION ALL statement over the work queues per page (this module); not yet in the planner's statement"


@strawberry.type(description="One thing awaiting the caller's office: the action to take on an object, by when.")
@executor_only_type(NOT_PLANNED)
class InboxItem:
    action: str = strawberry.field(description="The name of the mutation that takes it on.")
    subject_id: strawberry.ID = strawberry.field(description="The global id of the object awaiting it.")
    subject_type: str
    year: str | None
    deadline: date | None = strawberry.field(description="The milestone's closing date of the object's year.")
    overdue: bool


def inbox_statement(actor: Actor, permissions: Any) -> Any:
    """The UNION ALL of the office's queues: (action, type, key, year, deadline) rows."""
    parts = []
    for queue in QUEUES:
        if queue.level is not actor.level or not any(
            r.level is actor.level for r in permissions.rules.get(queue.action, [])
        ):
            continue
        model = queue.model
        key = next(iter(model.__table__.primary_key.columns))  # type: ignore[attr-defined]
        year = getattr(model, "year", None)
        if queue.milestone is not None and year is not None:
            dates = aliased(m.MilestoneDate)
            query = (
                select(
                    literal(queue.action).label("action"),
                    literal(model.__name__).label("type"),
                    cast(key, String).label("key"),
                    year.label("year"),
                    dates.closes_on.label("deadline"),
                )
                .select_from(model)
                .outerjoin(  # the date in force (hub.runtime.timeline): a draft date is none
                    dates, and_(dates.year == year, dates.milestone == queue.milestone.value, dates.draft.is_(False))
                )
            )
        else:
            query = select(
                literal(queue.action).label("action"),
                literal(model.__name__).label("type"),
                cast(key, String).label("key"),
                (year if year is not None else cast(null(), String)).label("year"),
                cast(null(), m.MilestoneDate.__table__.c.closes_on.type).label("deadline"),
            ).select_from(model)
        parts.append(query.where(queue.where(actor)))
    return union_all(*parts).subquery("inbox") if parts else None


@strawberry.type
class InboxQuery:
    @executor_only(NOT_PLANNED, description="What awaits the caller's office now, soonest deadline first.")
    async def inbox(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[InboxItem]:
        actor = info.context.require_actor("inbox")
        hub = info.context.hub
        size = page_size(first)
        offset = _offset(after)
        inbox = inbox_statement(actor, hub.permissions)
        rows: list[Any] = []
        total = 0
        if inbox is not None:
            order = (inbox.c.deadline.is_(None), inbox.c.deadline, inbox.c.action, inbox.c.type, inbox.c.key)
            async with hub.sessionmaker() as session:
                total = (await session.execute(select(func.count()).select_from(inbox))).scalar_one()
                query = select(inbox).order_by(*order).offset(offset).limit(size + 1)
                rows = list((await session.execute(query)).all())
        today = hub.clock.today()
        edges = [
            Edge(
                cursor=_cursor(offset + n + 1),
                node=InboxItem(
                    action=row.action,
                    subject_id=strawberry.ID(to_global_id(row.type, row.key)),
                    subject_type=row.type,
                    year=row.year,
                    deadline=row.deadline,
                    overdue=row.deadline is not None and row.deadline < today,
                ),
            )
            for n, row in enumerate(rows[:size])
        ]
        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(rows) > size,
                has_previous_page=offset > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=total,
        )


def _cursor(position: int) -> str:
    return base64.b64encode(f"InboxItem:{position}".encode()).decode()


def _offset(after: str | None) -> int:
    if after is None:
        return 0
    try:
        kind, _, position = base64.b64decode(after.encode(), validate=True).decode().partition(":")
    except Exception:
        raise bad_input(f"{after!r} is not a cursor of this list") from None
    if kind != "InboxItem" or not position.isdigit():
        raise bad_input(f"{after!r} is not a cursor of this list")
    return int(position)
