"""The hub as an Apollo Federation v2 subgraph behind a real `@apollo/gateway` (Node, installed with
`npm ci` from tests/federation/package-lock.json), composed with a second subgraph written for this test
(training materials extending `Province`). One request reads fields of both subgraphs; the caller's token
reaches the hub through the gateway, and its permission rules apply there as on a direct call."""

from __future__ import annotations

import asyncio
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
from hub.auth import make_token
from hub.plugins import HubPlugins
from hub.settings import Settings
from tests.seed import seed_reference, seed_volunteers

HERE = Path(__file__).resolve().parent / "federation"
SECRET = "federation-test-secret-of-32-bytes-or-more"
REQUIRED = os.environ.get("CI") == "true"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited: {process.stdout.read() if process.stdout else ''}")
        try:
            if httpx.post(url, json={"query": "{ __typename }"}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{what} did not come up at {url}")


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "@apollo" / "gateway").exists():
        message = "node and `npm ci --prefix tests/federation` are needed for the gateway test"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    database = tmp_path_factory.mktemp("federation") / "hub.db"
    url = f"sqlite+aiosqlite:///{database}"
    migrate.upgrade(Settings(database_url=url), HubPlugins())

    async def seed() -> None:
        from hub.runtime import Hub

        hub = Hub(Settings(database_url=url, jwt_secret=SECRET))
        await seed_reference(hub)
        await seed_volunteers(hub, 2, county="621121")
        await seed_volunteers(hub, 1, county="530629", start=3)
        await hub.dispose()

    asyncio.run(seed())
    hub_port, materials_port, gateway_port = _port(), _port(), _port()
    env = {**os.environ, "HUB_DATABASE_URL": url, "HUB_JWT_SECRET": SECRET}
    processes = []
    try:
        processes.append(
            subprocess.Popen(
                [sys.executable, "-c", "from hub.cli import main; main()", "serve", "--port", str(hub_port)],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "tests.federation.materials:app", "--port", str(materials_port)],
                cwd=HERE.parent.parent,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
        )
        _wait(f"http://127.0.0.1:{hub_port}/graphql", processes[0], "the hub")
        _wait(f"http://127.0.0.1:{materials_port}/graphql", processes[1], "the materials subgraph")
        processes.append(
            subprocess.Popen(
                [node, "gateway.mjs"],
                cwd=HERE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                env={
                    **os.environ,
                    "PORT": str(gateway_port),
                    "HUB_URL": f"http://127.0.0.1:{hub_port}/graphql",
                    "MATERIALS_URL": f"http://127.0.0.1:{materials_port}/graphql",
                },
            )
        )
        _wait(f"http://127.0.0.1:{gateway_port}/", processes[2], "the gateway")
        yield f"http://127.0.0.1:{gateway_port}/"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def _ask(gateway: str, query: str, token: str | None = None) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return httpx.post(gateway, json={"query": query}, headers=headers, timeout=30).json()


def test_one_request_reads_both_subgraphs_with_the_token_forwarded(gateway: str) -> None:
    token = make_token(Settings(jwt_secret=SECRET), "county", "ops", "621121")
    body = _ask(
        gateway, '{ me { level code } province(code: "62") { name trainingMaterials counties { totalCount } } }', token
    )
    assert "errors" not in body, body
    assert body["data"]["me"] == {"level": "COUNTY", "code": "621121"}
    assert body["data"]["province"]["name"] == "甘肃省"
    assert body["data"]["province"]["trainingMaterials"] == ["甘肃省西部计划志愿者岗前培训手册", "乡村教育教学指南"]
    assert body["data"]["province"]["counties"]["totalCount"] == 2


def test_the_gateway_applies_the_hubs_permissions(gateway: str) -> None:
    body = _ask(gateway, '{ province(code: "53") { trainingMaterials counties { totalCount } } }')
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    token = make_token(Settings(jwt_secret=SECRET), "county", "ops", "621121")
    body = _ask(gateway, '{ applications(year: "2027-2028") { totalCount } }', token)
    assert body["data"]["applications"]["totalCount"] == 2  # only its own county's volunteers
