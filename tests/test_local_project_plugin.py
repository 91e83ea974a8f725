"""A provincial local project extends the hub without touching it (R41): examples/local-project, Gansu's
rural-doctor scheme, installed as its own package (`pip install -e examples/local-project`, as .ci/run and
the README's test command do). Its table migrates with `hub db upgrade`, the schema grows by exactly its
additions, its mutation is Gansu's alone, and HUB_PLUGINS switches it off cleanly."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from graphql import GraphQLObjectType, find_breaking_changes

from hub.app import create_app
from hub.plugins import BUILTIN, HubPlugins, installed_plugins
from hub.runtime import Hub
from hub.schema import compose
from tests.conftest import Client, error_codes
from tests.seed import seed_reference

NAME = "gansu_rural_doctors"
REGISTER = """mutation($input: RegisterRuralDoctorInput!) { registerRuralDoctor(input: $input) {
  ruralDoctor { id village doctorName specialty startsOn } userErrors { code field } } }"""
DOCTOR = {
    "countyCode": "621121",
    "village": "鸡川村",
    "doctorName": "马医生",
    "specialty": "全科",
    "startsOn": "2027-09-01",
}

if NAME not in installed_plugins():
    if os.environ.get("CI") == "true":
        pytest.fail(
            "examples/local-project must be installed in CI (pip install -e examples/local-project)", pytrace=False
        )
    pytest.skip("examples/local-project is not installed", allow_module_level=True)


def _fields(schema) -> set[str]:  # type: ignore[no-untyped-def]
    out = set()
    for name, t in schema.type_map.items():
        if name.startswith("__"):
            continue
        out.add(name)
        if isinstance(t, GraphQLObjectType) or hasattr(t, "fields"):
            out.update(f"{name}.{f}" for f in t.fields)
    return out


def test_the_schema_grows_by_exactly_its_additions() -> None:
    without = compose(HubPlugins(BUILTIN))._schema
    with_it = compose(HubPlugins((*BUILTIN, NAME)))._schema
    added = _fields(with_it) - _fields(without)
    assert added == {
        "RuralDoctor",
        "RuralDoctor.id",
        "RuralDoctor.village",
        "RuralDoctor.doctorName",
        "RuralDoctor.specialty",
        "RuralDoctor.startsOn",
        "RuralDoctorPayload",
        "RuralDoctorPayload.ruralDoctor",
        "RuralDoctorPayload.userErrors",
        "RegisterRuralDoctorInput",
        "RegisterRuralDoctorInput.countyCode",
        "RegisterRuralDoctorInput.village",
        "RegisterRuralDoctorInput.doctorName",
        "RegisterRuralDoctorInput.specialty",
        "RegisterRuralDoctorInput.startsOn",
        "County.ruralDoctors",
        "Mutation.registerRuralDoctor",
    }
    assert _fields(without) - _fields(with_it) == set()
    assert find_breaking_changes(without, with_it) == []


def test_its_migration_runs_with_hub_db_upgrade(tmp_path: Path) -> None:
    env = {**os.environ, "HUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/lp.db"}
    command = [sys.executable, "-c", "from hub.cli import main; main()", "db"]
    result = subprocess.run([*command, "upgrade"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    tables = {r[0] for r in sqlite3.connect(tmp_path / "lp.db").execute("SELECT name FROM sqlite_master")}
    assert {"gansu_rural_doctors", "counties", "provinces"} <= tables
    result = subprocess.run(
        [*command, "downgrade", "--revision", "base"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    tables = {r[0] for r in sqlite3.connect(tmp_path / "lp.db").execute("SELECT name FROM sqlite_master")}
    assert "gansu_rural_doctors" not in tables and "counties" not in tables


@pytest.mark.parametrize(
    "actor",
    [
        {"level": "provincial", "code": "53"},
        {"level": "national"},
        {"level": "county", "code": "621121"},
        {"level": "school", "code": "10730"},
        {"level": "volunteer", "sub": "v"},
    ],
)
async def test_only_the_gansu_provincial_office_registers_rural_doctors(client, hub, actor) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(hub)
    body = await client.gql(REGISTER, {"input": DOCTOR}, **actor)
    assert error_codes(body) == ["FORBIDDEN"] and (body["data"] or {}).get("registerRuralDoctor") is None
    assert await client.sql("SELECT count(*) FROM gansu_rural_doctors") == [(0,)]
    assert await client.sql("SELECT count(*) FROM audit_entries") == [(0,)]
    data = await client.ok(REGISTER, {"input": DOCTOR}, level="provincial", code="62")
    assert data["registerRuralDoctor"]["ruralDoctor"]["doctorName"] == "马医生"
    # Gansu's office in a county of another province is refused too
    body = await client.gql(REGISTER, {"input": {**DOCTOR, "countyCode": "530629"}}, level="provincial", code="62")
    assert error_codes(body) == ["FORBIDDEN"]
    read = await client.ok('{ county(code: "621121") { ruralDoctors { village doctorName } } }', level="national")
    assert read["county"]["ruralDoctors"] == [{"village": "鸡川村", "doctorName": "马医生"}]
    log = await client.ok("{ auditLog { edges { node { operation actorCode } } } }", level="provincial", code="62")
    assert {"operation": "registerRuralDoctor", "actorCode": "62"} in [e["node"] for e in log["auditLog"]["edges"]]


async def test_its_rule_violations_are_user_errors(client, hub) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(hub)
    data = await client.ok(
        REGISTER, {"input": {**DOCTOR, "village": " ", "specialty": ""}}, level="provincial", code="62"
    )
    assert data["registerRuralDoctor"]["userErrors"] == [
        {"code": "INVALID_INPUT", "field": ["input", "village"]},
        {"code": "INVALID_INPUT", "field": ["input", "specialty"]},
    ]


async def test_hub_plugins_switches_it_off_cleanly(settings) -> None:  # type: ignore[no-untyped-def]
    hub = Hub(replace(settings), HubPlugins(BUILTIN))
    await seed_reference(hub)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(hub=hub)), base_url="http://hub"
        ) as http:
            client = Client(http, hub)
            body = await client.gql(REGISTER, {"input": DOCTOR}, level="provincial", code="62")
            messages = " ".join(e["message"] for e in body["errors"])
            assert "Unknown type 'RegisterRuralDoctorInput'" in messages
            assert "Cannot query field 'registerRuralDoctor'" in messages
            body = await client.gql('{ county(code: "621121") { ruralDoctors { village } } }', level="national")
            assert "Cannot query field 'ruralDoctors'" in body["errors"][0]["message"]
            plugins = await client.ok("{ plugins { name } }", level="national")
            assert NAME not in [p["name"] for p in plugins["plugins"]]
            # the rest works on the same database, its table left in place
            data = await client.ok('{ county(code: "621121") { name } }', level="national")
            assert data["county"]["name"] == "通渭县"
    finally:
        await hub.dispose()


async def test_the_plugins_query_lists_it_with_its_version_and_level(client) -> None:  # type: ignore[no-untyped-def]
    data = await client.ok("{ plugins { name level version } }", level="national")
    assert {"name": NAME, "level": "PROVINCIAL", "version": "0.1.0"} in data["plugins"]
    assert {p["name"] for p in data["plugins"]} >= set(BUILTIN)


LISTING = """{ province(code: "62") { counties(first: 50) { edges { node { code
  ruralDoctors { id village doctorName specialty startsOn } } } } } }"""


@pytest.mark.postgres_only
async def test_its_province_listing_is_one_planned_statement(client, hub) -> None:  # type: ignore[no-untyped-def]
    """Its field joins the read planner through its declaration (hub_type_fields + hub.graphql.fields):
    a province's counties with their rural doctors is one SQL statement, as the executor would answer it."""
    from sqlalchemy import event

    await seed_reference(hub)
    await client.ok(REGISTER, {"input": DOCTOR}, level="provincial", code="62")
    await client.ok(REGISTER, {"input": {**DOCTOR, "village": "何家村"}}, level="provincial", code="62")
    await client.ok(LISTING, level="national")  # warm: plan cached, pool connected
    statements: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(hub.engine.sync_engine, "before_cursor_execute", count)
    try:
        planned = await client.ok(LISTING, level="national")
    finally:
        event.remove(hub.engine.sync_engine, "before_cursor_execute", count)
    assert len(statements) == 1, statements
    doctors = [d for e in planned["province"]["counties"]["edges"] for d in e["node"]["ruralDoctors"]]
    assert [d["village"] for d in doctors] == ["鸡川村", "何家村"]
    hub.read_planner = False
    try:
        assert await client.ok(LISTING, level="national") == planned
    finally:
        hub.read_planner = True
