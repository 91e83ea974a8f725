"""The mutation path (hub.mutation): permission is a step of the path, not a convention. A mutation whose rule
never asked for a permission decision — or asked, was refused and carried on — is refused itself: nothing is
written, no audit entry, no event. The operation is the field's GraphQL name (never retyped): the rule's
action, the audit entry's operation and the event's, whatever alias the caller used; a refused payload is the
declared payload, empty, with its userErrors."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import GraphQLError

from hub import models as m
from hub.enums import OfficeLevel, UserErrorCode
from hub.errors import UserError, refuse
from hub.hookspecs import hookimpl
from hub.mutation import Event, Unit, mutation
from hub.permissions import Rule
from hub.settings import Settings
from tests.conftest import error_codes
from tests.temporary_plugins import serving

GANSU = {"level": "provincial", "code": "62", "sub": "ops-gansu"}


@strawberry.type
class PlantedPayload:
    code: str | None
    user_errors: list[UserError]


async def _write_school(unit: Unit, code: str) -> PlantedPayload:
    unit.session.add(m.School(code=code, name="试种学校", province_code="62"))
    await unit.session.flush()
    unit.record(f"School:{code}", {"name": "试种学校"}, province="62")
    return PlantedPayload(code=code, user_errors=[])


@strawberry.type
class PlantedMutation:
    @mutation
    async def plant_undecided_school(unit: Unit, code: str) -> PlantedPayload:
        """A rule that forgot to authorize: it writes without ever asking."""
        return await _write_school(unit, code)

    @mutation
    async def plant_overruled_school(unit: Unit, code: str) -> PlantedPayload:
        """A rule that asks, is refused, swallows the refusal and writes anyway."""
        try:
            unit.authorize({"province": "11"})
        except GraphQLError:
            pass
        return await _write_school(unit, code)

    @mutation
    async def plant_school(unit: Unit, code: str) -> PlantedPayload:
        """A rule as it should be: authorize, then the domain rule, then the write."""
        unit.authorize({"province": "62"})
        if not code.isdigit():
            raise refuse(UserErrorCode.INVALID_INPUT, "a school code is digits", "code")
        return await _write_school(unit, code)

    @mutation(name="plantRenamedSchool", description="A field whose GraphQL name is not its Python name.")
    async def plant_school_under_another_name(unit: Unit, code: str) -> PlantedPayload:
        unit.authorize({"province": "62"})
        return await _write_school(unit, code)


def _own_province(actor: Any, target: Any) -> bool:
    return target.get("province") == actor.code


class PlantedPlugin:
    """Offers every planted mutation to provincial offices in their own province, and hears the events."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    @hookimpl
    def hub_mutation_fields(self) -> list[type]:
        return [PlantedMutation]

    @hookimpl
    def hub_graphql_types(self) -> list[type]:
        return [PlantedPayload]

    @hookimpl
    def hub_permission_rules(self) -> list[Rule]:
        actions = ("plantUndecidedSchool", "plantOverruledSchool", "plantSchool", "plantRenamedSchool")
        return [Rule(a, OfficeLevel.PROVINCIAL, _own_province, describes="own province") for a in actions]

    @hookimpl
    def hub_after_commit(self, event: Event) -> None:
        self.events.append(event)


PLANTED = PlantedPlugin()  # one instance: one composed schema for the module


@pytest.fixture
async def planted(settings: Settings):  # type: ignore[no-untyped-def]
    PLANTED.events.clear()
    async with serving(settings, {"planted": PLANTED}, enabled=("national",)) as client:
        yield client


def _plant(field: str, code: str) -> str:
    return f'mutation {{ {field}(code: "{code}") {{ code userErrors {{ field message code }} }} }}'


async def _counts(client) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    schools = (await client.sql("SELECT count(*) FROM schools WHERE code LIKE '9%'"))[0][0]
    audit = (await client.sql("SELECT count(*) FROM audit_entries"))[0][0]
    return schools, audit


@pytest.mark.parametrize("field", ["plantUndecidedSchool", "plantOverruledSchool"])
async def test_a_rule_without_a_granted_decision_writes_nothing(planted, field: str) -> None:  # type: ignore[no-untyped-def]
    before = await _counts(planted)
    body = await planted.gql(_plant(field, "90001"), **GANSU)
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["data"] is None or body["data"][field] is None
    if field == "plantUndecidedSchool":
        assert body["errors"][0]["message"] == "plantUndecidedSchool 未获授权：没有作出权限判定，未写入任何数据"
    assert await _counts(planted) == before
    assert PLANTED.events == []


async def test_a_rule_that_authorizes_commits_under_the_field_name(planted) -> None:  # type: ignore[no-untyped-def]
    schools, audit = await _counts(planted)
    data = await planted.ok(
        'mutation { mine: plantSchool(code: "90002") { code userErrors { code } } }',
        **GANSU,
    )
    assert data["mine"] == {"code": "90002", "userErrors": []}
    assert await _counts(planted) == (schools + 1, audit + 1)
    operations = await planted.sql("SELECT operation FROM audit_entries ORDER BY id")
    assert operations[-1][0] == "plantSchool"  # the field's name, not the alias
    assert [e.operation for e in PLANTED.events] == ["plantSchool"]


async def test_the_action_is_the_graphql_name_even_when_the_python_name_differs(planted) -> None:  # type: ignore[no-untyped-def]
    data = await planted.ok(_plant("plantRenamedSchool", "90003"), **GANSU)
    assert data["plantRenamedSchool"]["code"] == "90003"
    operations = await planted.sql("SELECT operation FROM audit_entries ORDER BY id")
    assert operations[-1][0] == "plantRenamedSchool"
    county = await planted.gql(_plant("plantRenamedSchool", "90004"), level="county", code="621121")
    assert county["errors"][0]["message"] == "plantRenamedSchool 只能由省级项目办办理，不能由县级项目办办理"


async def test_refusals_keep_their_shape(planted) -> None:  # type: ignore[no-untyped-def]
    before = await _counts(planted)
    data = await planted.ok(_plant("plantSchool", "9x"), **GANSU)
    assert data["plantSchool"] == {
        "code": None,
        "userErrors": [{"field": ["code"], "message": "a school code is digits", "code": "INVALID_INPUT"}],
    }
    outsider = await planted.gql(_plant("plantSchool", "90005"), level="provincial", code="53")
    assert error_codes(outsider) == ["FORBIDDEN"]
    anonymous = await planted.gql(_plant("plantSchool", "90005"))
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    assert anonymous["errors"][0]["message"] == "plantSchool 需要令牌"
    assert await _counts(planted) == before
    assert PLANTED.events == []


def test_a_rule_takes_the_unit_first() -> None:
    with pytest.raises(TypeError, match="takes the Unit first"):

        @mutation
        async def misdeclared(info: Any, code: str) -> PlantedPayload:  # pragma: no cover - never runs
            raise AssertionError
