"""Reading and checking an imported file runs off the event loop: while a slow import is being checked, other
requests are answered; when the request's deadline passes, the client gets the timeout error and the
check is stopped."""

from __future__ import annotations

import asyncio
import base64
import logging
import time
from dataclasses import replace

import httpx
import pytest

from hub.app import create_app
from hub.runtime import Hub
from hub.settings import Limits
from tests.conftest import Client
from tests.exchange import xlsx

IMPORT = """mutation($input: ImportTableInput!) { importTable(input: $input) { rows problemCount } }"""
NATIONAL = {"level": "national", "sub": "ops-national"}


def slow_file(rows: int = 10_000) -> str:
    """Counties whose every row lacks its name: all reading and cell checking, no database work."""
    table = [["县级行政区划代码", "县名称", "帮扶类别", "是否边远"]]
    table += [[f"62{n:04d}", "", "重点县", "否"] for n in range(rows)]
    return base64.b64encode(xlsx(table)).decode()


async def test_other_requests_are_answered_while_a_file_is_checked(client: Client) -> None:
    rows = 30_000  # long enough to be checked for a few seconds even on a quiet machine
    file = {"kind": "COUNTIES", "fileName": "县.xlsx", "contentBase64": slow_file(rows), "dryRun": True}
    finished: list[float] = []
    answered: list[float] = []

    async def importing() -> dict:  # type: ignore[type-arg]
        body = await client.gql(IMPORT, {"input": file}, **NATIONAL)
        finished.append(time.monotonic())
        return body

    async def meanwhile() -> None:
        while not finished:
            await asyncio.sleep(0.05)
            response = await client.http.get("/healthz")
            assert response.status_code == 200
            body = await client.gql("{ provinces { code } }")
            assert not body.get("errors")
            answered.append(time.monotonic())

    started = time.monotonic()
    body, _ = await asyncio.gather(importing(), meanwhile())
    result = body["data"]["importTable"]
    assert result["problemCount"] == 2 * rows and result["rows"] == rows
    during = [t for t in answered if t < finished[0]]
    print(f"import checked in {finished[0] - started:.2f} s; {len(during)} other requests answered meanwhile")
    # Parsed on the event loop (as before issue 20), the file would hold the loop from its first row to its
    # last and no other request could be answered meanwhile; how many are depends on the machine's load.
    assert during, "no other request was answered while the file was checked"


async def test_a_check_past_the_request_deadline_is_stopped_with_the_timeout_error(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    settings = replace(client.hub.settings, limits=replace(Limits(), timeout_seconds=0.3))
    hub = Hub(settings, client.hub.plugins)
    try:
        transport = httpx.ASGITransport(app=create_app(hub=hub))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            file = {"kind": "COUNTIES", "fileName": "县.xlsx", "contentBase64": slow_file(20_000), "dryRun": True}
            headers = {"authorization": f"Bearer {client.token(**NATIONAL)}"}
            with caplog.at_level(logging.WARNING, logger="hub.exchange"):
                response = await http.post(
                    "/graphql", json={"query": IMPORT, "variables": {"input": file}}, headers=headers
                )
                assert response.status_code == 503
                assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
                for _ in range(100):  # the worker looks at its flag every few hundred rows
                    if any("was stopped" in r.getMessage() for r in caplog.records):
                        break
                    await asyncio.sleep(0.05)
            assert any("was stopped" in r.getMessage() for r in caplog.records)
    finally:
        await hub.dispose()
