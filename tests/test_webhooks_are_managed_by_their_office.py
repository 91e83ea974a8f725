"""Issue 16: an office manages its own webhook endpoints through the API — create, list, update, rotate the
secret, delete — and no other office's; volunteers have none. Refusals write nothing. Bad URLs (SSRF
targets, malformed) and unknown event types are userErrors."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hub.settings import EventSettings
from tests.conftest import Client, error_codes
from tests.permission_tables import changed, snapshot

FIELDS = "webhook { id url eventTypes secret } userErrors { code field message }"
CREATE = f"mutation($input: CreateWebhookInput!) {{ createWebhook(input: $input) {{ {FIELDS} }} }}"
UPDATE = f"mutation($input: UpdateWebhookInput!) {{ updateWebhook(input: $input) {{ {FIELDS} }} }}"
ROTATE = f"mutation($input: WebhookIdInput!) {{ rotateWebhookSecret(input: $input) {{ {FIELDS} }} }}"
DELETE = """mutation($input: WebhookIdInput!) { deleteWebhook(input: $input) {
  deletedWebhookId userErrors { code field message } } }"""
LIST = "query { webhooks(first: 10) { totalCount edges { node { id url eventTypes secret } } } }"

OFFICE_TABLE = {
    "createWebhook": CREATE,
    "updateWebhook": UPDATE,
    "rotateWebhookSecret": ROTATE,
    "deleteWebhook": DELETE,
}
NATIONAL = {"level": "national", "sub": "hook-national"}
GANSU = {"level": "provincial", "code": "62", "sub": "hook-gansu"}
YUNNAN = {"level": "provincial", "code": "53", "sub": "hook-yn"}
TONGWEI = {"level": "county", "code": "621121", "sub": "hook-tw"}
YONGCHANG = {"level": "county", "code": "620321", "sub": "hook-yc"}
LZU = {"level": "school", "code": "10730", "sub": "hook-lzu"}
PKU = {"level": "school", "code": "10001", "sub": "hook-pku"}
OFFICES = [(NATIONAL, GANSU), (GANSU, YUNNAN), (TONGWEI, YONGCHANG), (LZU, PKU)]
VOLUNTEER = {"level": "volunteer", "sub": "v"}
TABLES = ("webhooks", "webhook_deliveries", "audit_entries", "domain_events")


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    return replace(settings, events=EventSettings(allow_private=True))


@pytest.mark.parametrize("owner,other", OFFICES, ids=lambda a: f"{a['level']}-{a.get('code', '')}")
async def test_an_office_manages_its_own_endpoints_and_no_one_elses(client: Client, owner, other) -> None:  # type: ignore[no-untyped-def]
    data = await client.ok(CREATE, {"input": {"url": "http://127.0.0.1:9/hooks"}}, **owner)
    created = data["createWebhook"]
    assert created["userErrors"] == []
    hook = created["webhook"]
    assert hook["eventTypes"] is None and hook["secret"].startswith("whsec_")
    assert (await client.ok(LIST, **owner))["webhooks"]["totalCount"] == 1
    assert (await client.ok(LIST, **other))["webhooks"]["totalCount"] == 0

    before = await snapshot(client, TABLES)
    for operation, document in OFFICE_TABLE.items():
        if operation == "createWebhook":
            continue
        variables = {"input": {"webhookId": hook["id"]}}
        for who, expected in (
            (other, "FORBIDDEN"),
            ({"level": "volunteer", "sub": "v"}, "FORBIDDEN"),
            ({}, "UNAUTHENTICATED"),
        ):
            body = await client.gql(document, variables, **who)
            assert error_codes(body) == [expected], (operation, who, body)
            assert (body.get("data") or {}).get(operation) is None
    body = await client.gql(CREATE, {"input": {"url": "http://127.0.0.1:9/v"}}, level="volunteer", sub="v")
    assert error_codes(body) == ["FORBIDDEN"]
    assert changed(before, await snapshot(client, TABLES)) == []

    updated = (
        await client.ok(UPDATE, {"input": {"webhookId": hook["id"], "eventTypes": ["signOffApplication"]}}, **owner)
    )["updateWebhook"]
    assert updated["userErrors"] == [] and updated["webhook"]["eventTypes"] == ["signOffApplication"]
    assert updated["webhook"]["url"] == "http://127.0.0.1:9/hooks"
    rotated = (await client.ok(ROTATE, {"input": {"webhookId": hook["id"]}}, **owner))["rotateWebhookSecret"]
    assert rotated["webhook"]["secret"].startswith("whsec_") and rotated["webhook"]["secret"] != hook["secret"]
    deleted = (await client.ok(DELETE, {"input": {"webhookId": hook["id"]}}, **owner))["deleteWebhook"]
    assert deleted == {"deletedWebhookId": hook["id"], "userErrors": []}
    assert (await client.ok(LIST, **owner))["webhooks"]["totalCount"] == 0
    audited = await client.sql("SELECT operation, changes FROM audit_entries ORDER BY id")
    assert [op for op, _ in audited] == ["createWebhook", "updateWebhook", "rotateWebhookSecret", "deleteWebhook"]
    assert all("whsec_" not in str(changes) for _, changes in audited)  # the secret is never audited


async def test_unknown_event_types_and_bad_urls_are_user_errors(client: Client) -> None:
    county = {"level": "county", "code": "621121", "sub": "hook-tw"}
    data = await client.ok(CREATE, {"input": {"url": "http://127.0.0.1:9/h", "eventTypes": ["noSuchThing"]}}, **county)
    assert data["createWebhook"]["webhook"] is None
    assert [(e["code"], e["field"]) for e in data["createWebhook"]["userErrors"]] == [
        ("INVALID_INPUT", ["input", "eventTypes", "0"])
    ]
    for url in ("ftp://example.org/x", "not a url", "http://user:pw@127.0.0.1/x"):
        data = await client.ok(CREATE, {"input": {"url": url}}, **county)
        assert [e["field"] for e in data["createWebhook"]["userErrors"]] == [["input", "url"]], url
    assert await client.sql("SELECT count(*) FROM webhooks") == [(0,)]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/h",
        "http://localhost/h",
        "http://[::1]/h",
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/h",
        "http://192.168.0.5/h",
        "http://172.16.0.1/h",
        "http://[::ffff:127.0.0.1]/h",
        "http://0.0.0.0/h",
    ],
)
async def test_private_targets_are_refused_unless_allowed(hub, url: str) -> None:  # type: ignore[no-untyped-def]
    """SSRF: without HUB_WEBHOOKS_ALLOW_PRIVATE the default settings refuse loopback, link-local and private
    addresses (a name that resolves to one too)."""
    from hub.events.targets import BlockedTarget, check_target

    with pytest.raises(BlockedTarget):
        await check_target(url, allow_private=False)
    await check_target(url, allow_private=True)


def test_public_addresses_pass_the_address_check() -> None:
    from hub.events.targets import blocked_address

    assert not blocked_address("8.8.8.8") and not blocked_address("2001:4860:4860::8888")
    assert blocked_address("100.64.0.1") and blocked_address("fd00::1") and blocked_address("224.0.0.1")
