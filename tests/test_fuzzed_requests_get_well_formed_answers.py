"""Fuzzing with schemathesis's GraphQL mode: every Query and Mutation field of the live schema gets
generated documents and arguments (a fixed seed, a few hundred examples in all), sent through the ASGI app
as the national office (queries) or as the office that owns the mutation (its row of the authorization
matrix), so that generated inputs reach the domain rules instead of stopping at FORBIDDEN. No answer is
a 500, every body is JSON with well-formed errors, and no error is an unhandled exception: each error
from a resolver carries a code (a refusal the hub meant to give).

SQLite only: schemathesis drives the ASGI app from its own synchronous client (its own event loop), and
an SQLite hub opens its connections per use; the PostgreSQL pool belongs to one loop."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.graphql import nodes

from hub.app import create_app
from hub.auth import make_token
from hub.plugins import HubPlugins
from hub.runtime import Hub
from hub.settings import Settings
from tests.conftest import SECRET
from tests.seed import TODAY
from tests.test_authorization_matrix_covers_the_live_schema import DISPATCHERS, ROWS

EXAMPLES_PER_FIELD = 5
SEED = 20270301

# The hub's own scalars: valid values and anything else, as strings (what a client can send).
_text = st.text(max_size=40)
schemathesis.graphql.scalar("Date", st.one_of(st.dates().map(lambda d: d.isoformat()), _text).map(nodes.String))
schemathesis.graphql.scalar("DateTime", st.one_of(st.datetimes().map(lambda d: d.isoformat()), _text).map(nodes.String))
schemathesis.graphql.scalar(
    "Decimal", st.one_of(st.decimals(allow_nan=True, allow_infinity=True).map(str), _text).map(nodes.String)
)
schemathesis.graphql.scalar("JSON", _text.map(nodes.String))
schemathesis.graphql.scalar("_Any", _text.map(nodes.String))


def problems_of(status: int, body: Any) -> list[str]:
    """What is wrong with one answer ([] when it is well-formed)."""
    if status >= 500:
        return [f"status {status}"]
    if not isinstance(body, dict):
        return [f"not a JSON object: {body!r}"[:200]]
    found = []
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if not isinstance(error.get("message"), str) or not error["message"]:
            found.append(f"an error without a message: {error}")
        if "Traceback" in error["message"] or 'File "' in error["message"]:
            found.append(f"a stack trace in an error: {error['message'][:200]}")
        if error.get("path") and not isinstance(code, str):
            found.append(f"an unhandled exception at {error['path']}: {error['message'][:200]}")
    return found


@pytest.mark.sqlite_only
def test_fuzzed_documents_get_well_formed_answers(database_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, jwt_secret=SECRET, today=TODAY)
    hub = Hub(settings, HubPlugins())
    import asyncio

    from tests.seed import seed_reference

    asyncio.run(seed_reference(hub))
    national = make_token(settings, "national", "fuzzer")
    schema = schemathesis.graphql.from_asgi("/graphql", create_app(hub=hub))
    operations = [result.ok() for result in schema.get_all_operations()]
    statuses: Counter[int] = Counter()
    codes: Counter[str] = Counter()
    failures: list[str] = []

    for operation in operations:
        kind, _, name = operation.label.partition(".")
        # a mutation as its owner; importTable as the owner of the first mutation it runs (upsertCounties);
        # an office's own things (webhooks) as the national office
        dispatched = DISPATCHERS.get(name)
        row = (ROWS.get(name) or (ROWS[dispatched[0]] if dispatched else None)) if kind == "Mutation" else None
        owner = row.permitted if row is not None else None
        token = make_token(settings, owner["level"], owner["sub"], owner.get("code")) if owner else national

        @seed(SEED)
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_FIELD,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def fuzz(case: Any) -> None:
            response = case.call(headers={"authorization": f"Bearer {token}"})  # noqa: B023 (called at once)
            statuses[response.status_code] += 1
            try:
                body = response.json()
            except ValueError:
                body = response.text
            for error in (body.get("errors") or []) if isinstance(body, dict) else []:
                codes[(error.get("extensions") or {}).get("code") or "(validation)"] += 1
            for problem in problems_of(response.status_code, body):
                failures.append(f"{case.operation.label}: {problem}\n  {case.body}"[:600])

        fuzz()

    total = sum(statuses.values())
    print(f"\nfuzz: {len(operations)} fields, {total} requests, statuses {dict(statuses)}, error codes {dict(codes)}")
    assert len(operations) > 60
    assert total >= 300
    assert not failures, "\n".join(failures[:20])
