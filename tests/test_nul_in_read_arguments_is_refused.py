"""A NUL character (U+0000) in a read's argument, literal or variable, is BAD_USER_INPUT naming it, before
anything runs: PostgreSQL text cannot hold it, and the lookup failed as a driver error inside the resolver
(found by the planner fuzz, tests/test_fuzzed_requests_get_well_formed_answers.py)."""

from __future__ import annotations

from tests.conftest import Client, error_codes
from tests.seed import seed_reference


async def test_a_nul_in_a_literal_or_a_variable_is_refused(client: Client) -> None:
    await seed_reference(client.hub)
    literal = await client.gql('{ province(code: "62\\u0000") { name } }', level="national")
    assert error_codes(literal) == ["BAD_USER_INPUT"] and literal["data"] is None
    assert "参数 code 含有 NUL 字符" in literal["errors"][0]["message"]
    variable = await client.gql("query($c: String!) { province(code: $c) { name } }", {"c": "\x0062"}, level="national")
    assert error_codes(variable) == ["BAD_USER_INPUT"]
    assert "变量 $c" in variable["errors"][0]["message"]
    fine = await client.ok('{ province(code: "62") { name } }', level="national")
    assert fine["province"]["name"]
