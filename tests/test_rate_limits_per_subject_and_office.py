"""Issue 20: abuse by a valid token. Each authenticated request counts against its subject and its office
(level + code, shared by the office's users); over either limit it is answered 429 RATE_LIMITED with
Retry-After and does not run. The counters are in memory by default and in Redis when configured, where
every hub process shares them."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
import pytest

from hub.app import create_app
from hub.auth import make_token
from hub.runtime import Hub
from hub.settings import ConfigurationError, Settings

ME = "{ me { level code subject } }"
REDIS = os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379")
REDIS_REQUIRED = os.environ.get("CI") == "true"


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """One app (one process's limiter) over a hub with `settings`."""
    hub = Hub(settings)
    transport = httpx.ASGITransport(app=create_app(hub=hub))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
            http.hub_settings = settings  # type: ignore[attr-defined]
            yield http
    finally:
        await hub.dispose()


@pytest.fixture
async def limited(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(replace(settings, rate_limit_subject="3/minute", rate_limit_office="5/minute")) as http:
        yield http


async def asks(http: httpx.AsyncClient, level: str, sub: str, code: str | None, times: int) -> list[httpx.Response]:
    token = make_token(http.hub_settings, level, sub, code)  # type: ignore[attr-defined]
    headers = {"authorization": f"Bearer {token}"}
    return [await http.post("/graphql", json={"query": ME}, headers=headers) for _ in range(times)]


def statuses(responses: list[httpx.Response]) -> list[int]:
    return [r.status_code for r in responses]


async def test_a_subject_over_its_limit_is_told_when_to_come_back(limited: httpx.AsyncClient) -> None:
    responses = await asks(limited, "county", "clerk-a", "621121", 4)
    assert statuses(responses) == [200, 200, 200, 429]
    refused = responses[-1]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED" and "该账号" in error["message"]  # Chinese by default


async def test_an_office_is_limited_over_all_its_users(limited: httpx.AsyncClient) -> None:
    assert statuses(await asks(limited, "county", "clerk-a", "621121", 3)) == [200] * 3
    second = await asks(limited, "county", "clerk-b", "621121", 3)
    assert statuses(second) == [200, 200, 429]  # the office's fifth request was the last
    assert "该单位" in second[-1].json()["errors"][0]["message"]
    assert statuses(await asks(limited, "county", "clerk-c", "620321", 1)) == [200]  # another county


async def test_volunteers_count_per_account_and_anonymous_reads_pass(limited: httpx.AsyncClient) -> None:
    assert statuses(await asks(limited, "volunteer", "acct-1", None, 4)) == [200, 200, 200, 429]
    assert statuses(await asks(limited, "volunteer", "acct-2", None, 3)) == [200] * 3
    public = [await limited.post("/graphql", json={"query": "{ provinces { code } }"}) for _ in range(6)]
    assert statuses(public) == [200] * 6


def test_limits_are_configured_in_the_limits_notation() -> None:
    settings = Settings.from_env({"HUB_RATE_LIMIT_SUBJECT": "10/second;600/hour", "HUB_RATE_LIMIT_OFFICE": "off"})
    assert (settings.rate_limit_subject, settings.rate_limit_office) == ("10/second;600/hour", None)
    assert Settings.from_env({}).rate_limit_subject == "600/minute"
    with pytest.raises(ConfigurationError, match="HUB_RATE_LIMIT_SUBJECT"):
        Settings.from_env({"HUB_RATE_LIMIT_SUBJECT": "lots"})


@pytest.mark.sqlite_only
async def test_hubs_sharing_redis_share_the_counters(settings: Settings) -> None:
    """Two hubs (as two processes would) with HUB_RATE_LIMIT_STORAGE on Redis count one subject together."""
    try:
        from coredis import Redis

        await Redis.from_url(REDIS).ping()
    except Exception as exc:
        if REDIS_REQUIRED:
            pytest.fail(f"Redis is required (CI) but unreachable at {REDIS}: {exc}")
        pytest.skip(f"Redis unreachable at {REDIS}: {exc}")
    shared = replace(settings, rate_limit_subject="4/minute", rate_limit_office=None, rate_limit_storage=REDIS)
    subject = f"clerk-{uuid.uuid4().hex}"  # a fresh key: counters in Redis outlive the test
    async with serving(shared) as one, serving(shared) as other:
        first = await asks(one, "school", subject, "10730", 2)
        second = await asks(other, "school", subject, "10730", 3)
    assert statuses(first) + statuses(second) == [200, 200, 200, 200, 429]
