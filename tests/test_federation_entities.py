"""The hub as a Federation v2 subgraph: `_service` and `_entities` for Province(code), County(code),
School(code), Volunteer(id), Post(id); representations resolve in batches (constant SQL statements for 500),
and the permission rules apply to entities exactly as to queries."""

from __future__ import annotations

from sqlalchemy import event

from hub.ids import to_global_id
from tests.conftest import error_codes
from tests.seed import seed_reference, seed_volunteers

ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on Province { code name } ... on County { code name province { code } } ... on School { code name }
  ... on Volunteer { id name idNumber } ... on Post { id title } } }"""


async def test_the_service_sdl_declares_the_entity_keys(client) -> None:  # type: ignore[no-untyped-def]
    sdl = (await client.ok("{ _service { sdl } }"))["_service"]["sdl"]
    for entity, key in (
        ("Province", "code"),
        ("County", "code"),
        ("School", "code"),
        ("Volunteer", "id"),
        ("Post", "id"),
    ):
        assert f'type {entity} implements Node @key(fields: "{key}")' in sdl, entity
    assert "federation/v2" in sdl


async def test_entities_resolve_each_kind(client, hub) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(hub)
    [volunteer] = await seed_volunteers(hub, 1, county="621121")
    representations = [
        {"__typename": "Province", "code": "62"},
        {"__typename": "County", "code": "621121"},
        {"__typename": "School", "code": "10730"},
        {"__typename": "Volunteer", "id": to_global_id("Volunteer", volunteer)},
        {"__typename": "County", "code": "999999"},
    ]
    data = await client.ok(ENTITIES, {"r": representations}, level="provincial", code="62")
    entities = data["_entities"]
    assert entities[0] == {"code": "62", "name": "甘肃省"}
    assert entities[1] == {"code": "621121", "name": "通渭县", "province": {"code": "62"}}
    assert entities[2] == {"code": "10730", "name": "兰州大学"}
    assert entities[3]["name"] == "志愿者1" and "*" not in entities[3]["idNumber"]  # R2a: full for province 62
    assert entities[4] is None


async def test_entities_follow_the_callers_jurisdiction(client, hub) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(hub)
    [mine] = await seed_volunteers(hub, 1, county="621121")
    [theirs] = await seed_volunteers(hub, 1, county="530629", start=2)
    representations = [{"__typename": "Volunteer", "id": to_global_id("Volunteer", v)} for v in (mine, theirs)]
    body = await client.gql(ENTITIES, {"r": representations}, level="county", code="621121")
    assert body["data"]["_entities"][0]["name"] == "志愿者1"
    assert body["data"]["_entities"][1] is None
    assert error_codes(body) == ["FORBIDDEN"] and body["errors"][0]["path"] == ["_entities", 1]
    body = await client.gql(ENTITIES, {"r": representations})
    assert set(error_codes(body)) == {"UNAUTHENTICATED"}
    body = await client.gql(ENTITIES, {"r": [{"__typename": "Province", "code": "54"}]})
    assert body["data"]["_entities"] == [{"code": "54", "name": "西藏自治区"}]  # public reference data


async def test_five_hundred_representations_cost_a_constant_number_of_statements(client, hub) -> None:  # type: ignore[no-untyped-def]
    await seed_reference(hub)
    volunteers = await seed_volunteers(hub, 250, county="621121")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    async def run(size: int) -> int:
        representations = [
            {"__typename": "Volunteer", "id": to_global_id("Volunteer", v)} for v in volunteers[: size // 2]
        ]
        representations += [{"__typename": "County", "code": c} for c in ("621121", "620321", "530629")] * (
            size // 2 // 3
        ) + [{"__typename": "Province", "code": "62"}] * (size - len(representations) - (size // 2 // 3) * 3)
        statements.clear()
        data = await client.ok(ENTITIES, {"r": representations}, level="national")
        assert len(data["_entities"]) == size and all(e is not None for e in data["_entities"])
        return len(statements)

    event.listen(hub.engine.sync_engine, "before_cursor_execute", count)
    try:
        small, large = await run(20), await run(500)
    finally:
        event.remove(hub.engine.sync_engine, "before_cursor_execute", count)
    print(f"SQL statements: 20 representations {small}, 500 representations {large}")
    assert small == large
