"""GraphQL over HTTP: a client accepting application/graphql-response+json gets it, with the spec's status
codes (a request error is 4xx without `data`; an executed response is 200); application/json clients keep
the legacy answers. graphql-http's own `auditServer` (npm, installed with `npm ci --prefix tests/graphql_tools`)
runs against a served hub and must pass every audit with no warning."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hub import migrate
from hub.graphql_http import wants_graphql_response
from hub.plugins import HubPlugins
from hub.settings import Settings
from tests.conftest import error_codes

TOOLS = Path(__file__).resolve().parent / "graphql_tools"
REQUIRED = os.environ.get("CI") == "true"
GRAPHQL_RESPONSE = {"accept": "application/graphql-response+json, application/json;q=0.9"}


async def _post(client, body: dict, headers: dict) -> httpx.Response:  # type: ignore[no-untyped-def]
    return await client.http.post("/graphql", json=body, headers=headers)


async def test_request_errors_are_400_without_data(client) -> None:  # type: ignore[no-untyped-def]
    cases = {
        "parse": {"query": "{ provinces { code "},
        "validation": {"query": "{ provinces { noSuchField } }"},
        "variables": {"query": "query ($c: String!) { province(code: $c) { name } }", "variables": {"c": 54}},
        "limits": {"query": "{ " + " ".join(f"a{i}: provinces {{ code }}" for i in range(40)) + " }"},
    }
    for case, body in cases.items():
        response = await _post(client, body, GRAPHQL_RESPONSE)
        assert response.status_code == 400, (case, response.text)
        assert response.headers["content-type"].startswith("application/graphql-response+json"), case
        answer = response.json()
        assert "data" not in answer and answer["errors"], (case, answer)
    limited = (await _post(client, cases["limits"], GRAPHQL_RESPONSE)).json()
    assert error_codes(limited) == ["QUERY_TOO_COMPLEX"]


async def test_executed_responses_are_200_with_data(client) -> None:  # type: ignore[no-untyped-def]
    response = await _post(client, {"query": '{ province(code: "54") { name } }'}, GRAPHQL_RESPONSE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert response.json() == {"data": {"province": {"name": "西藏自治区"}}}
    # A field error (an anonymous caller reading `me`) is an executed response: data present, 200.
    response = await _post(client, {"query": "{ me { level } provinces { code } }"}, GRAPHQL_RESPONSE)
    assert response.status_code == 200 and "data" in response.json() and response.json()["errors"]


async def test_application_json_clients_keep_the_legacy_answers(client) -> None:  # type: ignore[no-untyped-def]
    for headers in ({}, {"accept": "application/json"}, {"accept": "*/*"}):
        response = await _post(client, {"query": "{ provinces { noSuchField } }"}, headers)
        assert response.status_code == 200, headers
        assert response.headers["content-type"].startswith("application/json"), headers
        assert response.json()["errors"]


def test_accept_negotiation() -> None:
    assert wants_graphql_response("application/graphql-response+json")
    assert wants_graphql_response("application/json, application/graphql-response+json")
    assert wants_graphql_response("application/graphql-response+json;q=1, application/json;q=0.9")
    assert not wants_graphql_response("application/graphql-response+json;q=0.5, application/json")
    assert not wants_graphql_response("application/graphql-response+json;q=0")
    assert not wants_graphql_response(None)
    assert not wants_graphql_response("*/*")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def served_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`hub serve` on a migrated SQLite file, as a separate process (the audit speaks real HTTP)."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('audit') / 'hub.db'}"
    migrate.upgrade(Settings(database_url=url), HubPlugins())
    port = _port()
    env = {**os.environ, "HUB_DATABASE_URL": url, "HUB_JWT_SECRET": "audit-test-secret-of-32-bytes-or-more"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from hub.cli import main; main()", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the hub exited: {process.stdout.read() if process.stdout else ''}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_graphql_http_audit_passes_without_warnings(served_hub: str) -> None:
    node = shutil.which("node")
    if node is None or not (TOOLS / "node_modules" / "graphql-http").exists():
        message = "node and `npm ci --prefix tests/graphql_tools` are needed for the GraphQL-over-HTTP audit"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    run = subprocess.run([node, "audit.mjs", served_hub], cwd=TOOLS, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    print(f"graphql-http audit: {report['ok']} ok, {report['warn']} warnings, {report['error']} errors")
    assert report["total"] >= 61 and report["problems"] == [], report["problems"]
    assert report["ok"] == report["total"]
