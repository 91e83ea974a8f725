"""Persisted operations: Apollo's automatic persisted queries (hash first, PERSISTED_QUERY_NOT_FOUND, then
hash and text), and trusted documents: with HUB_TRUSTED_DOCUMENTS=on only the operations registered with
`hub documents add manifest.json` run, whichever process of the hub is asked (the list is in the database)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from hub.app import create_app
from hub.cli import main
from hub.runtime import Hub
from tests.conftest import error_codes

PROVINCES = "query Provinces { provinces { code } }"
TIBET = 'query Tibet { province(code: "54") { name } }'


def sha(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def persisted(body: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha(body)}}


async def test_automatic_persisted_queries(client) -> None:  # type: ignore[no-untyped-def]
    first = await client.http.post("/graphql", json={"extensions": persisted(PROVINCES)})
    assert first.status_code == 200, first.text
    assert error_codes(first.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert first.json()["errors"][0]["message"] == "PersistedQueryNotFound"  # what Apollo's link looks for
    registered = await client.http.post("/graphql", json={"query": PROVINCES, "extensions": persisted(PROVINCES)})
    assert len(registered.json()["data"]["provinces"]) == 32
    again = await client.http.post("/graphql", json={"extensions": persisted(PROVINCES)})
    assert again.json() == registered.json()
    by_get = await client.http.get(  # as Apollo's link sends hashed queries by GET (a bare GET shows GraphiQL)
        "/graphql", params={"extensions": json.dumps(persisted(PROVINCES))}, headers={"accept": "application/json"}
    )
    assert by_get.json() == registered.json()
    wrong = await client.http.post(
        "/graphql", json={"query": TIBET, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha("x")}}}
    )
    assert error_codes(wrong.json()) == ["PERSISTED_QUERY_HASH_MISMATCH"]
    spec = await client.http.post(
        "/graphql",
        json={"extensions": persisted(TIBET)},
        headers={"accept": "application/graphql-response+json"},
    )
    assert spec.status_code == 400 and "data" not in spec.json()  # a request error in the spec's terms


def _manifest(tmp_path: Path, operations: list[tuple[str, str]]) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": i, "body": b, "name": None, "type": "query"} for i, b in operations],
            }
        ),
        encoding="utf-8",
    )
    return path


async def _add(path: Path, url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> str:
    """`hub documents add PATH --client web` (in a thread: the command runs its own event loop)."""
    monkeypatch.setenv("HUB_DATABASE_URL", url)
    await asyncio.to_thread(main, ["--lang", "zh", "documents", "add", str(path), "--client", "web"])
    return capsys.readouterr().out


async def test_trusted_documents_only(hub, tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    url = hub.settings.database_url
    out = await _add(_manifest(tmp_path, [(sha(PROVINCES), PROVINCES)]), url, monkeypatch, capsys)
    assert out.startswith("已登记 1 个文档，0 个此前已登记")
    relay = tmp_path / "relay.json"
    relay.write_text(json.dumps({"tibet-v1": TIBET}), encoding="utf-8")  # Relay / codegen: {id: document}
    assert (await _add(relay, url, monkeypatch, capsys)).startswith("已登记 1 个文档")
    assert (await _add(relay, url, monkeypatch, capsys)).startswith("已登记 0 个文档，1 个此前已登记")

    # Two hubs (two processes of one deployment) on the same database, in trusted mode.
    for _ in range(2):
        trusted = Hub(replace(hub.settings, trusted_documents=True))
        try:
            transport = httpx.ASGITransport(app=create_app(hub=trusted))
            async with httpx.AsyncClient(transport=transport, base_url="http://hub") as http:
                by_hash = (await http.post("/graphql", json={"extensions": persisted(PROVINCES)})).json()
                assert len(by_hash["data"]["provinces"]) == 32
                by_id = await http.post(
                    "/graphql", json={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "tibet-v1"}}}
                )
                assert by_id.json()["data"] == {"province": {"name": "西藏自治区"}}
                as_text = (await http.post("/graphql", json={"query": TIBET})).json()
                assert as_text["data"] == {"province": {"name": "西藏自治区"}}
                other = (await http.post("/graphql", json={"query": "{ provinces { name } }"})).json()
                assert error_codes(other) == ["QUERY_NOT_IN_SAFELIST"] and other["data"] is None
                other_hash = "{ provinces { name } }"
                unknown = (await http.post("/graphql", json={"extensions": persisted(other_hash)})).json()
                assert error_codes(unknown) == ["PERSISTED_QUERY_NOT_IN_LIST"]
                # APQ cannot register a document in trusted mode.
                sneaked = await http.post("/graphql", json={"query": other_hash, "extensions": persisted(other_hash)})
                assert error_codes(sneaked.json()) == ["PERSISTED_QUERY_NOT_IN_LIST"]
        finally:
            await trusted.dispose()


async def test_bad_manifests_are_refused_whole(hub, tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    url = hub.settings.database_url
    cases = {
        "id 不是该文档的 SHA-256": [(sha("other"), PROVINCES), (sha(TIBET), TIBET)],
        "Cannot query field 'nope'": [(sha(TIBET), TIBET), ("bad", "{ provinces { nope } }")],
        "Syntax Error": [("broken", "{ provinces { ")],
    }
    for reason, operations in cases.items():
        with pytest.raises(SystemExit) as refused:
            await _add(_manifest(tmp_path, operations), url, monkeypatch, capsys)
        said = capsys.readouterr().err  # the one line of a refused command (hub/cli.py: Stop, exit status 2)
        assert refused.value.code == 2 and reason in said, (reason, said)
    first = tmp_path / "first.json"
    first.write_text(json.dumps({"op": PROVINCES}), encoding="utf-8")
    await _add(first, url, monkeypatch, capsys)
    first.write_text(json.dumps({"op": TIBET}), encoding="utf-8")
    with pytest.raises(SystemExit) as clash:
        await _add(first, url, monkeypatch, capsys)
    assert clash.value.code == 2 and "已以其他文档登记：op" in capsys.readouterr().err
    rows = await _documents(hub)
    assert rows == [("op", PROVINCES)]  # nothing of the refused manifests was written


async def _documents(hub) -> list:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    async with hub.engine.connect() as connection:
        return list((await connection.execute(text("SELECT id, body FROM trusted_documents ORDER BY id"))).all())
