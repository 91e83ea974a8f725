"""Relay connections page in order through every row: no duplicates, nothing missed, a right totalCount
and pageInfo; pages are bounded (default 50, at most 500) and a cursor that is not one is refused."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import Client, error_codes
from tests.seed import YEAR, seed_reference, seed_volunteers

APPLICATIONS = """
query($year: String!, $first: Int, $after: String) {
  applications(year: $year, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id volunteer { name } } }
  }
}"""

COUNTIES = """
query($provinceCode: String, $first: Int, $after: String) {
  counties(provinceCode: $provinceCode, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { code } }
  }
}"""

PROVINCE_COUNTIES = """
query($first: Int, $after: String) {
  province(code: "62") {
    counties(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { code } }
    }
  }
}"""

EXTRA_GANSU_COUNTIES = ["620102", "620103", "620104", "620105", "620111"]
GANSU_COUNTIES = sorted(["621121", "620321", *EXTRA_GANSU_COUNTIES])


async def add_counties(client: Client, codes: list[str]) -> None:
    async with client.hub.engine.begin() as connection:
        for code in codes:
            await connection.execute(
                text(
                    "INSERT INTO counties (code, name, province_code, key_assistance, remote, status)"
                    " VALUES (:code, :name, :province, 'NONE', false, 'NOT_SERVICE')"
                ),
                {"code": code, "name": f"县{code}", "province": code[:2]},
            )


def check_page(connection: dict[str, Any], *, first_page: bool, size: int) -> None:
    info = connection["pageInfo"]
    edges = connection["edges"]
    assert len(edges) <= size
    assert info["hasPreviousPage"] is (not first_page)
    if edges:
        assert info["startCursor"] == edges[0]["cursor"]
        assert info["endCursor"] == edges[-1]["cursor"]


async def walk(
    client: Client, query: str, variables: dict[str, Any], size: int, pick: Any, **as_actor: Any
) -> tuple[list[dict[str, Any]], list[int], int]:
    """Follow endCursor to the end; returns the edges, the page lengths and the totalCount seen."""
    edges: list[dict[str, Any]] = []
    lengths: list[int] = []
    totals: set[int] = set()
    after = None
    for _ in range(1000):
        data = await client.ok(query, {**variables, "first": size, "after": after}, **as_actor)
        connection = pick(data)
        check_page(connection, first_page=after is None, size=size)
        edges.extend(connection["edges"])
        lengths.append(len(connection["edges"]))
        totals.add(connection["totalCount"])
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    else:
        pytest.fail("the connection never ends")
    assert len(totals) == 1, f"totalCount changed between pages: {totals}"
    return edges, lengths, totals.pop()


async def test_applications_walk_to_the_end_without_duplicates_or_gaps(client: Client) -> None:
    await seed_reference(client.hub)
    await seed_volunteers(client.hub, 120)

    edges, lengths, total = await walk(
        client, APPLICATIONS, {"year": YEAR}, 50, lambda d: d["applications"], level="national"
    )
    assert lengths == [50, 50, 20]
    assert total == 120
    ids = [e["node"]["id"] for e in edges]
    assert len(set(ids)) == 120
    names = [e["node"]["volunteer"]["name"] for e in edges]
    assert sorted(names) == sorted(f"志愿者{n}" for n in range(1, 121))
    cursors = [e["cursor"] for e in edges]
    assert len(set(cursors)) == 120


async def test_applications_default_page_and_largest_page(client: Client) -> None:
    await seed_reference(client.hub)
    await seed_volunteers(client.hub, 120)

    data = await client.ok(APPLICATIONS, {"year": YEAR}, level="national")
    assert len(data["applications"]["edges"]) == 50
    assert data["applications"]["totalCount"] == 120
    assert data["applications"]["pageInfo"]["hasNextPage"] is True
    assert data["applications"]["pageInfo"]["hasPreviousPage"] is False

    data = await client.ok(APPLICATIONS, {"year": YEAR, "first": 500}, level="national")
    assert len(data["applications"]["edges"]) == 120
    assert data["applications"]["pageInfo"]["hasNextPage"] is False


async def test_the_last_page_after_the_last_cursor_is_empty(client: Client) -> None:
    await seed_reference(client.hub)
    await seed_volunteers(client.hub, 3)
    data = await client.ok(APPLICATIONS, {"year": YEAR, "first": 3}, level="national")
    connection = data["applications"]
    assert len(connection["edges"]) == 3
    assert connection["pageInfo"]["hasNextPage"] is False
    data = await client.ok(
        APPLICATIONS, {"year": YEAR, "first": 3, "after": connection["pageInfo"]["endCursor"]}, level="national"
    )
    assert data["applications"]["edges"] == []
    assert data["applications"]["totalCount"] == 3
    assert data["applications"]["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize("first", [501, 10_000, -1])
async def test_page_size_out_of_bounds_is_refused(client: Client, first: int) -> None:
    await seed_reference(client.hub)
    await seed_volunteers(client.hub, 2)
    body = await client.gql(APPLICATIONS, {"year": YEAR, "first": first}, level="national")
    assert error_codes(body) == ["BAD_USER_INPUT"], body
    body = await client.gql(COUNTIES, {"first": first}, level="national")
    assert error_codes(body) == ["BAD_USER_INPUT"], body
    body = await client.gql(PROVINCE_COUNTIES, {"first": first}, level="national")
    assert error_codes(body) == ["BAD_USER_INPUT"], body


GARBAGE_CURSORS = [
    "garbage",
    "!!!not base64!!!",
    base64.b64encode(b"hello").decode(),
    base64.b64encode(b"cursor:").decode(),
    base64.b64encode(b"\xff\xfe\xfd").decode(),
]


@pytest.mark.parametrize("cursor", GARBAGE_CURSORS, ids=["word", "not-base64", "no-prefix", "no-key", "not-utf8"])
async def test_a_garbage_cursor_is_refused(client: Client, cursor: str) -> None:
    await seed_reference(client.hub)
    await seed_volunteers(client.hub, 2)
    body = await client.gql(APPLICATIONS, {"year": YEAR, "after": cursor}, level="national")
    assert error_codes(body) == ["BAD_USER_INPUT"], body
    body = await client.gql(PROVINCE_COUNTIES, {"first": 1, "after": cursor}, level="national")
    assert error_codes(body) == ["BAD_USER_INPUT"], body


async def test_a_cursor_with_a_key_of_the_wrong_kind_is_refused(client: Client) -> None:
    """Applications are numbered: a cursor whose key is not a number is no cursor of that list."""
    await seed_reference(client.hub)
    await seed_volunteers(client.hub, 2)
    cursor = base64.b64encode(b"Application:abc").decode()
    body = await client.gql(APPLICATIONS, {"year": YEAR, "after": cursor}, level="national")
    assert error_codes(body) == ["BAD_USER_INPUT"], body


async def test_a_cursor_of_another_list_is_refused(client: Client) -> None:
    """A counties cursor (all digits, like an application key) is still no cursor of the applications list."""
    await seed_reference(client.hub)
    await seed_volunteers(client.hub, 2)
    data = await client.ok("{ counties(first: 1) { edges { cursor } } }", level="national")
    cursor = data["counties"]["edges"][0]["cursor"]
    body = await client.gql(APPLICATIONS, {"year": YEAR, "after": cursor}, level="national")
    assert error_codes(body) == ["BAD_USER_INPUT"], body


async def test_counties_walk_to_the_end(client: Client) -> None:
    await seed_reference(client.hub)
    await add_counties(client, EXTRA_GANSU_COUNTIES)

    edges, lengths, total = await walk(client, COUNTIES, {}, 3, lambda d: d["counties"], level="national")
    codes = [e["node"]["code"] for e in edges]
    assert total == 8
    assert lengths == [3, 3, 2]
    assert sorted(codes) == sorted([*GANSU_COUNTIES, "530629"])
    assert len(set(codes)) == 8

    edges, lengths, total = await walk(
        client, COUNTIES, {"provinceCode": "62"}, 2, lambda d: d["counties"], level="county", code="621121"
    )
    assert total == 7
    assert lengths == [2, 2, 2, 1]
    assert sorted(e["node"]["code"] for e in edges) == GANSU_COUNTIES


async def test_a_provinces_counties_page_one_at_a_time(client: Client) -> None:
    await seed_reference(client.hub)
    await add_counties(client, EXTRA_GANSU_COUNTIES)

    edges, lengths, total = await walk(
        client, PROVINCE_COUNTIES, {}, 1, lambda d: d["province"]["counties"], level="national"
    )
    assert total == 7
    assert lengths == [1] * 7
    codes = [e["node"]["code"] for e in edges]
    assert len(set(codes)) == 7
    assert sorted(codes) == GANSU_COUNTIES


async def test_nested_pages_are_per_parent(client: Client) -> None:
    await seed_reference(client.hub)
    await add_counties(client, EXTRA_GANSU_COUNTIES)
    data = await client.ok(
        """{ provinces { code counties(first: 2) { totalCount pageInfo { hasNextPage hasPreviousPage }
             edges { node { code province { code } } } } } }""",
        level="national",
    )
    by_code = {p["code"]: p["counties"] for p in data["provinces"]}
    assert by_code["62"]["totalCount"] == 7
    assert len(by_code["62"]["edges"]) == 2
    assert by_code["62"]["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False}
    assert {e["node"]["province"]["code"] for e in by_code["62"]["edges"]} == {"62"}
    assert by_code["53"]["totalCount"] == 1
    assert [e["node"]["code"] for e in by_code["53"]["edges"]] == ["530629"]
    assert by_code["53"]["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": False}
    assert by_code["11"] == {"totalCount": 0, "pageInfo": {"hasNextPage": False, "hasPreviousPage": False}, "edges": []}
