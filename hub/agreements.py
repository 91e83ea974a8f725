"""R26–R27: the latest service agreement (最新服务协议) of each application, kept on the application.

An application's agreements are its one-year terms 1, 2 and 3: signing writes term 1 and each renewal the
next term (R27; a unique constraint keeps one agreement per term, and no path deletes one), so they are
terms 1..n without a gap. The latest agreement is the one of the highest term: its post is the place the
volunteer holds (R26, hub.posts) and its term says which program years they serve (R8, hub.counting).

Finding it in service_agreements costs an anti-join per application, on every dashboard. So
`applications.latest_post_id` and `applications.latest_term_year` keep it, rewritten in the transaction of
every agreement insert, update or delete:

- ORM writes (every mutation, the demo, the tests' fixtures): `listen` hooks the session's flush, which
  refreshes the applications whose agreements the flush wrote; bulk ORM statements on the agreements
  (session.execute(update(ServiceAgreement)...)) refresh every application that has or had one.
- Writes that bypass the session (bench/generate.py's COPY, a migration) run `refresh()` themselves.

`latest()` is the definition from scratch: what `refresh` writes, and what the tests compare with.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, Update, event, exists, func, inspect, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from hub import models as m

MAINTAINED = ("post_id", "term_year", "application_id")  # the agreement columns the latest one depends on


def latest() -> Select[Any]:
    """SQL: (application_id, post_id, term_year) of every application's latest agreement, from scratch."""
    agreement = m.ServiceAgreement.__table__.alias("agreement")
    later = m.ServiceAgreement.__table__.alias("later")
    newer = exists(
        select(later.c.id).where(
            later.c.application_id == agreement.c.application_id, later.c.term_year > agreement.c.term_year
        )
    )
    return select(agreement.c.application_id, agreement.c.post_id, agreement.c.term_year).where(~newer)


def refresh(application_ids: Iterable[int] | None = None) -> Update:
    """SQL: rewrite the latest post and term of the given applications (every one that has or had an
    agreement when None) from their agreements."""
    application = m.Application.__table__
    agreement = m.ServiceAgreement.__table__.alias("agreement")
    top = (
        select(agreement.c.post_id)
        .where(agreement.c.application_id == application.c.id)
        .order_by(agreement.c.term_year.desc())
        .limit(1)
        .scalar_subquery()
    )
    term = select(func.max(agreement.c.term_year)).where(agreement.c.application_id == application.c.id)
    statement = update(application).values(latest_post_id=top, latest_term_year=term.scalar_subquery())
    if application_ids is None:
        signed = select(m.ServiceAgreement.__table__.c.application_id)
        statement = statement.where(or_(application.c.id.in_(signed), application.c.latest_term_year.is_not(None)))
    else:
        statement = statement.where(application.c.id.in_(sorted(set(application_ids))))
    return statement


def refresh_sql(dialect: Any) -> str:
    """`refresh()` of every application as SQL text of `dialect`, for a loader that bypasses the ORM (COPY)."""
    return str(refresh().compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def _written(session: Session) -> set[int | None]:
    """The applications whose agreements this flush writes; None stands for one it cannot name (a deleted
    agreement whose application_id was never loaded), which refreshes every application."""
    touched: set[int | None] = set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        if not isinstance(instance, m.ServiceAgreement):
            continue
        state = inspect(instance)
        histories = {key: state.attrs[key].history for key in MAINTAINED}
        changed = any(h.has_changes() for h in histories.values())
        if state.persistent and instance not in session.deleted and not changed:
            continue  # added back unchanged, or a column the latest agreement does not depend on
        owner = histories["application_id"]
        ids = {v for v in (*owner.added, *owner.unchanged, *owner.deleted) if v is not None}
        touched |= ids or {None}
    return touched


def _apply(session: Session, statement: Update) -> None:
    """Run `refresh`'s statement and give the session's loaded applications the values it wrote."""
    application = m.Application.__table__
    returning = statement.returning(application.c.id, application.c.latest_post_id, application.c.latest_term_year)
    for key, post_id, term_year in session.connection().execute(returning).all():
        loaded = session.identity_map.get(inspect(m.Application).identity_key_from_primary_key((key,)))
        if loaded is not None:
            set_committed_value(loaded, "latest_post_id", post_id)
            set_committed_value(loaded, "latest_term_year", term_year)


def _after_flush(session: Session, _context: Any) -> None:
    touched = _written(session)
    if touched:
        _apply(session, refresh(None if None in touched else [k for k in touched if k is not None]))


def _after_bulk(state: Any) -> Any:
    """A bulk INSERT, UPDATE or DELETE of agreements through the session: run it, then refresh every
    application that has or had one (correct, not cheap: writers of many agreements call `refresh` with ids)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(state.statement, "table", None)
    if table is None or getattr(table, "name", None) != m.ServiceAgreement.__tablename__:
        return None
    result = state.invoke_statement()
    _apply(state.session, refresh())
    return result


def listen(session_class: type[Session] = Session) -> None:
    """Keep the latest agreement in every session of `session_class` (all sessions by default)."""
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "do_orm_execute", _after_bulk)
