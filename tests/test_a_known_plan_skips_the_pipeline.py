"""A query the read planner has planned before is answered over HTTP by its statement without strawberry's
pipeline (hub/app.py `_known_answer`, hub.graphql.planner `known_answer`): only when everything the plan
depends on is the same — the text, the operation, the variables, the caller, the day, the language — and
never for a request the pipeline would refuse (a bad token, a mutation). Its answer is the pipeline's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.seed import seed_reference

COUNTIES = """query Counties($province: String!, $first: Int) {
  counties(provinceCode: $province, first: $first) { totalCount edges { node { code name } } }
  me { level code }
}"""


@pytest.fixture
def pipeline_runs(client, monkeypatch: pytest.MonkeyPatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The operations strawberry's pipeline executed (every other answer came from a known plan)."""
    ran: list[str] = []
    execute = client.hub.schema.execute

    async def counted(query: str, *args: Any, **kwargs: Any) -> Any:
        ran.append(kwargs.get("operation_name") or query.split("(")[0])
        return await execute(query, *args, **kwargs)

    monkeypatch.setattr(client.hub.schema, "execute", counted)
    return ran


async def test_the_second_request_is_answered_from_its_plan(client, pipeline_runs) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(client.hub)
    national = client.token("national", sub="n")
    first = await client.gql(COUNTIES, {"province": "62", "first": 1}, token=national)
    again = await client.gql(COUNTIES, {"province": "62", "first": 1}, token=national)
    assert first == again and not first.get("errors")
    assert first["data"]["counties"]["totalCount"] == 2 and first["data"]["me"]["level"] == "NATIONAL"
    assert len(pipeline_runs) == 1  # the second came from the plan

    # other variables, another caller, another language: each its own plan, its own answer
    other = await client.gql(COUNTIES, {"province": "53", "first": 1}, token=national)
    assert other["data"]["counties"]["totalCount"] == 1
    county = await client.gql(COUNTIES, {"province": "62", "first": 1}, level="county", code="621121")
    assert county["data"]["me"] == {"level": "COUNTY", "code": "621121"}
    assert len(pipeline_runs) == 3
    response = await client.http.post(
        "/graphql",
        json={"query": COUNTIES, "variables": {"province": "62", "first": 1}},
        headers={"authorization": f"Bearer {national}", "accept-language": "en"},
    )
    assert response.json() == first and len(pipeline_runs) == 4


async def test_what_the_pipeline_refuses_never_comes_from_a_plan(client, pipeline_runs) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(client.hub)
    variables = {"province": "62", "first": 1}
    national = client.token("national", sub="n")
    await client.gql(COUNTIES, variables, token=national)
    await client.gql(COUNTIES, variables, token=national)
    assert len(pipeline_runs) == 1
    # the same request with a token that does not verify: the pipeline answers, and says why
    head, body, signature = national.split(".")
    forged = ".".join([head, body, ("A" if signature[0] != "A" else "B") + signature[1:]])
    refused = await client.gql(COUNTIES, variables, token=forged)
    assert refused["data"] is None or refused["data"].get("me") is None
    assert refused.get("errors") and len(pipeline_runs) == 2
    # over the limit of a page: refused by the pipeline's limits, whatever was planned for `first: 1`
    too_many = await client.gql(COUNTIES, {"province": "62", "first": 100_000}, token=national)
    assert too_many.get("errors") and too_many.get("data") is None and len(pipeline_runs) == 3
    # no such variable type: the pipeline refuses the variables
    wrong = await client.gql(COUNTIES, {"province": 62, "first": 1}, token=national)
    assert wrong.get("errors") and len(pipeline_runs) == 4


async def test_a_failing_statement_is_tried_once_and_the_executor_answers(  # type: ignore[no-untyped-def]
    client, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_reference(client.hub)
    national = client.token("national", sub="n")
    variables = {"province": "62", "first": 1}
    first = await client.gql(COUNTIES, variables, token=national)
    tries = []

    def broken() -> Any:
        tries.append(1)
        raise ConnectionError("the database is gone for the planned read")

    monkeypatch.setattr(client.hub, "read_connection", broken)
    again = await client.gql(COUNTIES, variables, token=national)
    assert again == first and len(tries) == 1  # the known plan failed once; the executor answered
