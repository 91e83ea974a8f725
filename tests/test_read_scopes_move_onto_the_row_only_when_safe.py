"""The planner puts a read scope on the paged row itself (hub.graphql.fields.scoped) only when that cannot change
what it reads: columns of the row's own table outside subqueries, and subqueries that never name that table. A
subquery that does (its FROM, or a correlation) keeps the `id IN (SELECT id FROM table WHERE ...)` form."""

from __future__ import annotations

from sqlalchemy import and_, exists, select
from sqlalchemy.dialects import postgresql

from hub import models as m
from hub.graphql.fields import _on_own_row

volunteers, applications = m.Volunteer.__table__, m.Application.__table__


def sql(clause: object) -> str:
    return str(clause.compile(dialect=postgresql.dialect()))  # type: ignore[attr-defined]


def test_a_scope_on_own_columns_or_an_independent_subquery_moves_onto_the_row() -> None:
    school = volunteers.c.school_code == "10001"
    county = volunteers.c.id.in_(select(applications.c.volunteer_id).where(applications.c.county_code == "620121"))
    assert _on_own_row(school, volunteers)
    assert _on_own_row(county, volunteers)
    assert _on_own_row(and_(school, county), volunteers)


def test_a_scope_whose_subquery_names_the_table_stays_nested() -> None:
    correlated = exists(select(applications.c.id).where(applications.c.volunteer_id == volunteers.c.id))
    self_reading = volunteers.c.id.in_(select(volunteers.c.id).where(volunteers.c.school_code == "10001"))
    other_table = applications.c.county_code == "620121"
    assert not _on_own_row(correlated, volunteers), sql(correlated)
    assert not _on_own_row(self_reading, volunteers), sql(self_reading)
    assert not _on_own_row(other_table, volunteers)
