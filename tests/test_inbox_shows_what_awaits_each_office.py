"""Issue 16: the inbox of an office — what awaits it now, with the deadline of the year's milestone, as a
Relay connection; an office sees only its own jurisdiction's queue, and a step taken leaves the inbox."""

from __future__ import annotations

from datetime import date

from tests.conftest import Client
from tests.seed import YEAR, seed_reference
from tests.test_audit_log import SIGN_OFF, register, submit

INBOX = """query($first: Int, $after: String) { inbox(first: $first, after: $after) { totalCount
  pageInfo { hasNextPage endCursor } edges { node { action subjectId subjectType year deadline overdue } } } }"""
LZU = {"level": "school", "code": "10730", "sub": "inbox-lzu"}
PKU = {"level": "school", "code": "10001", "sub": "inbox-pku"}
GANSU = {"level": "provincial", "code": "62", "sub": "inbox-gansu"}


async def test_each_office_sees_its_own_queue_with_deadlines(client: Client) -> None:
    await seed_reference(client.hub)
    await register(client, "acct-in-1", 871, "10730")
    first = await submit(client, "acct-in-1")
    await register(client, "acct-in-2", 872, "10730")
    second = await submit(client, "acct-in-2")
    [(closes_on,)] = await client.sql(
        "SELECT closes_on FROM milestone_dates WHERE year = :y AND milestone = 'SCHOOL_SIGN_OFF_CLOSES'", y=YEAR
    )
    closes_on = closes_on if isinstance(closes_on, date) else date.fromisoformat(str(closes_on))

    page = (await client.ok(INBOX, {"first": 1}, **LZU))["inbox"]
    assert page["totalCount"] == 2 and page["pageInfo"]["hasNextPage"]
    rest = (await client.ok(INBOX, {"first": 5, "after": page["pageInfo"]["endCursor"]}, **LZU))["inbox"]
    items = [e["node"] for e in page["edges"] + rest["edges"]]
    assert not rest["pageInfo"]["hasNextPage"]
    assert sorted(i["subjectId"] for i in items) == sorted([first, second])
    assert {(i["action"], i["subjectType"], i["year"], i["deadline"], i["overdue"]) for i in items} == {
        ("signOffApplication", "Application", YEAR, closes_on.isoformat(), False)
    }
    assert (await client.ok(INBOX, **PKU))["inbox"]["totalCount"] == 0
    assert (await client.ok(INBOX, **GANSU))["inbox"]["totalCount"] == 0

    signed = await client.ok(SIGN_OFF, {"input": {"applicationId": first, "decision": "APPROVE"}}, **LZU)
    assert signed["signOffApplication"]["userErrors"] == []
    [left] = [e["node"] for e in (await client.ok(INBOX, **LZU))["inbox"]["edges"]]
    assert left["subjectId"] == second
    [selection] = [e["node"] for e in (await client.ok(INBOX, **GANSU))["inbox"]["edges"]]
    assert (selection["action"], selection["subjectId"]) == ("recordSelection", first)
    assert (await client.ok(INBOX, level="volunteer", sub="acct-in-1"))["inbox"]["totalCount"] == 0
