"""Every bench query costs the same number of SQL statements whatever the size of the data (issue 7).

The national data set at two sizes (bench.generate, scales 0.005 and 0.02: four times the rows), each
bench query sent once warm through the ASGI app as its `# actor:` office, statements counted with a
`before_cursor_execute` listener (bench.run.count_statements). The queries the read planner answers
cost exactly one statement; the others are batched per level by DataLoaders.
"""

from __future__ import annotations

import asyncio

import pytest

from bench.run import count_statements, load_queries
from tests.bench_database import bench_database

pytestmark = pytest.mark.postgres_only

PLANNED = {
    "q1_province_dashboard",
    "q2_volunteer_page",
    "school_applications_page",
    "node_batch",
    "province_inbox",
    "funding_report",
    "post_structure_west",
}


def statements_at(scale: float) -> dict[str, int]:
    with bench_database(scale=scale, seed=7, prefix="hub_statements_test") as url:
        counted = asyncio.run(count_statements(url, load_queries()))
    for query, result in counted.items():
        assert not result["answer"].get("errors"), (query, result["answer"]["errors"])
    return {query: result["statements"] for query, result in counted.items()}


def test_every_bench_query_costs_the_same_statements_at_two_sizes() -> None:
    small, large = statements_at(0.005), statements_at(0.02)
    assert set(small) == {q.name for q in load_queries()}
    assert small == large
    for query in PLANNED:
        assert small[query] == 1, f"{query} is no longer answered by the read planner's one statement"
