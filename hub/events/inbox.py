"""The inbox of an office (issue 16): what awaits it now — applications to sign off or to move on, counties
to decide or file, posts to confirm or approve, volunteers to receive, assessments to approve, monthly reports
overdue — each with the deadline of its program year's milestone (R7, as stored, extensions included) for the
steps R7 dates, and the due date of a monthly report (R28, hub.rules.reports).

One queue per action: the rows in the state the action takes them from, inside the office's jurisdiction
for that action. A queue is shown only when an enabled plugin offers its action to the office's level.
QUEUES is the one declaration both paths read: the executor pages `inbox_statement` (one UNION ALL statement
ordered by deadline, then action, then row, and one count); the read planner builds the same connection over
the same statement inside its single statement (`_compile_inbox`). Neither grows with the rows. The queues
belong with the plugins that own their actions and should move there through a hook once the read side
settles."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import strawberry
from graphql import GraphQLError
from sqlalchemy import Date, String, and_, case, cast, false, func, literal, null, select, true, union_all
from sqlalchemy.orm import aliased

from hub import models as m
from hub.auth import Actor
from hub.dialects import EMPTY_LIST, json_list
from hub.enums import ApplicationStatus as S
from hub.enums import CountyStatus, Milestone, OfficeLevel, PostStatus
from hub.errors import bad_input
from hub.graphql.connections import Connection, Edge, PageInfo, page_size
from hub.graphql.context import Info
from hub.graphql.fields import b64, built_by_parent, planned
from hub.graphql.planner import Details, Unplannable, Walk, named
from hub.i18n import _
from hub.ids import to_global_id
from hub.rules.reports import overdue_months
from hub.settings import Settings

P, C, N, SC = OfficeLevel.PROVINCIAL, OfficeLevel.COUNTY, OfficeLevel.NATIONAL, OfficeLevel.SCHOOL


@dataclass(frozen=True)
class Queue:
    """Rows of `model` awaiting `action` by offices of `level`: `where(actor)` selects them."""

    action: str
    level: OfficeLevel
    model: type
    where: Callable[[Actor], Any]
    milestone: Milestone | None = None

    def rows(self, actor: Actor, today: date, settings: Settings) -> Any | None:
        """SELECT action, type, key, year, deadline, month of the rows awaiting `actor`."""
        model = self.model
        year = getattr(model, "year", None)
        if self.milestone is None or year is None:
            query = select(*_labelled(self, model, m.key_column(model), year, None, None)).select_from(model)
        else:
            dates = aliased(m.MilestoneDate)
            query = (
                select(*_labelled(self, model, m.key_column(model), year, dates.closes_on, None))
                .select_from(model)
                .outerjoin(  # the date in force (hub.runtime.timeline): a draft date is none
                    dates, and_(dates.year == year, dates.milestone == self.milestone.value, dates.draft.is_(False))
                )
            )
        return query.where(self.where(actor))


@dataclass(frozen=True)
class OverdueReports:
    """R28: a county's monthly report overdue — a month in which a volunteer was in post in the county on
    some day up to today (an agreement's term overlapping it, R38), with no report filed for it, after its
    due date (hub.rules.reports: an assumption, configurable). The subject is the county; `month` says which."""

    action: str = "fileMonthlyReport"
    level: OfficeLevel = OfficeLevel.COUNTY
    model: type = m.County

    def rows(self, actor: Actor, today: date, settings: Settings) -> Any | None:
        months = overdue_months(today, settings.monthly_report_due_day)
        if not months:
            return None
        table = union_all(
            *(
                select(
                    literal(r.month, String).label("month"),
                    literal(r.first, Date).label("first"),
                    literal(r.last, Date).label("last"),
                    literal(r.due, Date).label("due"),
                    literal(r.year, String).label("year"),
                )
                for r in months
            )
        ).subquery("report_months")
        county = aliased(m.County)
        term = aliased(m.ServiceAgreement)
        filed = aliased(m.MonthlyReport)
        in_post = (
            select(term.id)
            .where(term.county_code == county.code, term.starts_on <= table.c.last, term.ends_on >= table.c.first)
            .exists()
        )
        reported = select(filed.id).where(filed.county_code == county.code, filed.month == table.c.month).exists()
        return (
            select(*_labelled(self, m.County, county.code, table.c.year, table.c.due, table.c.month))
            .select_from(county)
            .join(table, true())
            .where(county.code == actor.code, in_post, ~reported)
        )


def _labelled(queue: Any, model: type, key: Any, year: Any, deadline: Any, month: Any) -> tuple[Any, ...]:
    return (
        literal(queue.action, String).label("action"),
        literal(model.__name__, String).label("type"),
        cast(key, String).label("key"),
        (year if year is not None else cast(null(), String)).label("year"),
        (deadline if deadline is not None else cast(null(), Date)).label("deadline"),
        (month if month is not None else cast(null(), String)).label("month"),
    )


def _apps(status: S, column: str) -> Callable[[Actor], Any]:
    return lambda a: and_(m.Application.status == status.value, getattr(m.Application, column) == a.code)


def _province_counties(a: Actor) -> Any:
    return select(m.County.code).where(m.County.province_code == a.code)


QUEUES: tuple[Queue | OverdueReports, ...] = (
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
    OverdueReports(),  # R28: the county's monthly reports overdue
)


@strawberry.type(description="One thing awaiting the caller's office: the action to take on an object, by when.")
class InboxItem:
    action: str = built_by_parent(description="The name of the mutation that takes it on.")
    subject_id: strawberry.ID = built_by_parent(description="The global id of the object awaiting it.")
    subject_type: str = built_by_parent()
    year: str | None = built_by_parent()
    deadline: date | None = built_by_parent(
        description="The milestone's closing date of the object's year; for a monthly report, its due date."
    )
    overdue: bool = built_by_parent()
    month: str | None = built_by_parent(description="The month (YYYY-MM) of an overdue monthly report (R28).")


def inbox_statement(actor: Actor, permissions: Any, today: date, settings: Settings) -> Any:
    """The UNION ALL of the office's queues — (action, type, key, year, deadline, month) rows — or None when
    no queue is the office's. The executor pages it; the read planner builds the connection over it."""
    parts = []
    for queue in QUEUES:
        if queue.level is not actor.level or not any(
            r.level is actor.level for r in permissions.rules.get(queue.action, [])
        ):
            continue
        rows = queue.rows(actor, today, settings)
        if rows is not None:
            parts.append(rows)
    return union_all(*parts).subquery("inbox") if parts else None


def _order(inbox: Any) -> tuple[Any, ...]:
    """Soonest deadline first (none last), then action, type, key and month: a total order."""
    c = inbox.c
    return (c.deadline.is_(None), c.deadline, c.action, c.type, c.key, c.month)


def _subject_types() -> list[str]:
    return sorted({queue.model.__name__ for queue in QUEUES})


def _compile_inbox(walk: Walk, row: Any, args: dict[str, Any], details: Details, definition: Any) -> Any:
    """The connection in SQL over the same statement the resolver pages (one declaration, two paths):
    the office's queues as a CTE, numbered in the resolver's order; cursors are positions as there."""
    actor = walk.need_actor()
    try:
        size = page_size(args.get("first"))
        offset = _offset(args.get("after"))
    except GraphQLError as refused:
        raise Unplannable(refused.message) from refused
    hub = walk.hub
    statement = inbox_statement(actor, hub.permissions, walk.today, hub.settings)
    conn_type = named(definition)
    edge_type = named(conn_type.fields["edges"])
    node_type = named(edge_type.fields["node"])
    if statement is None:
        total: Any = literal(0)
        edges: Callable[[Details], Any] = lambda _d: EMPTY_LIST  # noqa: E731
    else:
        inbox = statement.element.cte()
        numbered = select(inbox, func.row_number().over(order_by=_order(inbox)).label("position")).subquery()
        total = select(func.count()).select_from(inbox).scalar_subquery()

        def edges(group: Details) -> Any:
            page = select(numbered).where(numbered.c.position > offset, numbered.c.position <= offset + size).subquery()
            c = page.c
            subject = case(
                *((c.type == name, b64(name, c.key)) for name in _subject_types()),
                else_=null(),
            )
            node = {
                "action": lambda _d: c.action,
                "subjectId": lambda _d: subject,
                "subjectType": lambda _d: c.type,
                "year": lambda _d: c.year,
                "deadline": lambda _d: c.deadline,
                "overdue": lambda _d: case((c.deadline < walk.today, true()), else_=false()),
                "month": lambda _d: c.month,
            }
            edge = walk.embedded(
                edge_type,
                group,
                {
                    "cursor": lambda _d: b64(CURSOR, c.position),
                    "node": lambda nodes: walk.embedded(node_type, nodes, node),
                },
            )
            return func.coalesce(select(json_list(edge, c.position)).select_from(page).scalar_subquery(), EMPTY_LIST)

    shown = case((total > offset + size, offset + size), else_=total)  # the position of the page's last edge
    listed = false() if size == 0 else total > offset  # the page has edges

    def page_info(group: Details) -> Any:
        return walk.embedded(
            named(conn_type.fields["pageInfo"]),
            group,
            {
                "hasNextPage": lambda _d: case((total > offset + size, true()), else_=false()),
                "hasPreviousPage": lambda _d: true() if offset > 0 else false(),
                "startCursor": lambda _d: case((listed, b64(CURSOR, literal(offset + 1))), else_=null()),
                "endCursor": lambda _d: case((listed, b64(CURSOR, shown)), else_=null()),
            },
        )

    return walk.embedded(conn_type, details, {"totalCount": lambda _d: total, "edges": edges, "pageInfo": page_info})


@strawberry.type
class InboxQuery:
    @planned(_compile_inbox, description="What awaits the caller's office now, soonest deadline first.")
    async def inbox(self, info: Info, first: int | None = None, after: str | None = None) -> Connection[InboxItem]:
        actor = info.context.require_actor("inbox")
        hub = info.context.hub
        size = page_size(first)
        offset = _offset(after)
        today = hub.clock.today()
        inbox = inbox_statement(actor, hub.permissions, today, hub.settings)
        rows: list[Any] = []
        total = 0
        if inbox is not None:
            async with hub.sessionmaker() as session:
                total = (await session.execute(select(func.count()).select_from(inbox))).scalar_one()
                query = select(inbox).order_by(*_order(inbox)).offset(offset).limit(size + 1)
                rows = list((await session.execute(query)).all())
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
                    month=row.month,
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


CURSOR = "InboxItem"


def _cursor(position: int) -> str:
    return base64.b64encode(f"{CURSOR}:{position}".encode()).decode()


def _offset(after: str | None) -> int:
    if after is None:
        return 0
    try:
        kind, _sep, position = base64.b64decode(after.encode(), validate=True).decode().partition(":")
    except Exception:
        raise bad_input(_("{cursor!r} is not a cursor of this list", cursor=after)) from None
    if kind != CURSOR or not position.isdigit():
        raise bad_input(_("{cursor!r} is not a cursor of this list", cursor=after))
    return int(position)
