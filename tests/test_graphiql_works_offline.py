"""GraphiQL works on a network without a way out: a real headless Chromium, every request to anywhere but the
hub refused, loads /graphql from the hub's own assets, runs a query with a token and shows the answer."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hub.auth import make_token
from hub.settings import Settings
from tests.conftest import SECRET

CHROMIUM = os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium")
SERVE = """
import sys, uvicorn
from hub.app import create_app
from hub.settings import Settings
uvicorn.run(create_app(Settings(database_url=sys.argv[1], jwt_secret=sys.argv[2])), host="127.0.0.1",
            port=int(sys.argv[3]), log_level="warning")
"""
QUERY = "{ me { level subject } }"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(database_url: str) -> Iterator[str]:
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVE, database_url, SECRET, str(port)])
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.sqlite_only
async def test_graphiql_runs_a_query_with_a_token_without_the_internet(served: str) -> None:
    from playwright.async_api import async_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: .ci/run installs Debian's chromium"
    token = make_token(Settings(jwt_secret=SECRET), "national", "ops-graphiql", None)
    outside: list[str] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            # no name resolves but the hub's address: the page cannot reach the internet even if it tried
            args=["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--no-sandbox"],
        )
        try:
            page = await browser.new_page()

            async def guard(route) -> None:  # type: ignore[no-untyped-def]
                if route.request.url.startswith(served):
                    await route.continue_()
                else:
                    outside.append(route.request.url)
                    await route.abort()

            await page.route("**/*", guard)
            # The token and the query are in GraphiQL's storage before its scripts run, as a clerk's browser keeps
            # them from yesterday. Writing them after a first load raced GraphiQL's own debounced save of its
            # welcome text, which then ran instead (a comment only: "Syntax Error: Unexpected <EOF>").
            headers = json.dumps({"Authorization": f"Bearer {token}"})
            await page.add_init_script(
                f"localStorage.setItem('graphiql:headers', {json.dumps(headers)});"
                f"localStorage.setItem('graphiql:query', {json.dumps(QUERY)});"
            )
            await page.goto(f"{served}/graphql", wait_until="networkidle")
            await page.wait_for_function(
                "query => document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror?.getValue()"
                " === query",
                arg=QUERY,
                timeout=30_000,
            )
            await page.click(".graphiql-execute-button")
            result = page.locator(".graphiql-response")
            await result.get_by_text("ops-graphiql").wait_for(timeout=30_000)
            text = await result.inner_text()
            assert "NATIONAL" in text and "ops-graphiql" in text
        finally:
            await browser.close()
    assert outside == []
