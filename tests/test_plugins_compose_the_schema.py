"""Plugins: built-ins through the entry-point group, HUB_PLUGINS selects, the schema follows the enabled
set, clashing fields are a startup error naming both, every hook is documented and exercised."""

from __future__ import annotations

import inspect
from dataclasses import replace

import httpx
import pytest
import strawberry
from sqlalchemy import MetaData
from sqlmodel import Field, SQLModel

from hub import hookspecs
from hub.app import create_app
from hub.enums import OfficeLevel
from hub.graphql.context import Info
from hub.hookspecs import hookimpl
from hub.i18n import speaking
from hub.migrate import alembic_config
from hub.mutation import Event
from hub.plugins import ENTRY_POINT_GROUP, HubPlugins, PluginError, PluginInfo, installed_plugins
from hub.runtime import Hub
from hub.schema import compose
from hub.settings import Settings
from tests.seed import id_number, seed_reference

REGISTER = """mutation($input: RegisterVolunteerInput!) {
  registerVolunteer(input: $input) { volunteer { name } userErrors { code } } }"""


class ProbeBase(SQLModel):
    # Its own metadata, so the probe's table never joins the hub's (the no-drift migration test).
    metadata = MetaData()


class ProbeRow(ProbeBase, table=True):
    """A table a test plugin contributes (not migrated: only its registration is checked)."""

    __tablename__ = "probe_rows"
    id: int | None = Field(default=None, primary_key=True)


@strawberry.type
class ProbeNote:
    text: str


@strawberry.type
class ProbeQuery:
    @strawberry.field
    def probe_note(self, info: Info) -> ProbeNote:
        info.context.require_actor("probeNote")
        return ProbeNote(text="from the probe plugin")


@strawberry.type
class ProbeProvinceFields:
    @strawberry.field
    def probe_motto(self, info: Info) -> str:
        return f"{self.name} ({self.code})"  # `self` is the core Province


@strawberry.type
class ClashingProvinceFields:
    @strawberry.field
    def name(self) -> str:
        return "clash"


class ProbePlugin:
    """A temporary plugin implementing every hook, registered for one test through `extra`."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    @hookimpl
    def hub_plugin_info(self) -> PluginInfo:
        return PluginInfo("probe", OfficeLevel.PROVINCIAL, "9.9.9")

    @hookimpl
    def hub_tables(self) -> list[type]:
        return [ProbeRow]

    @hookimpl
    def hub_migration_locations(self) -> list[str]:
        return ["/nonexistent/probe/versions"]

    @hookimpl
    def hub_graphql_types(self) -> list[type]:
        return [ProbeNote]

    @hookimpl
    def hub_query_fields(self) -> list[type]:
        return [ProbeQuery]

    @hookimpl
    def hub_mutation_fields(self) -> list[type]:
        return []

    @hookimpl
    def hub_type_fields(self) -> list[tuple[str, type]]:
        return [("Province", ProbeProvinceFields)]

    @hookimpl
    def hub_permission_rules(self) -> list:
        return []

    @hookimpl
    def hub_read_scopes(self) -> list:
        return []

    @hookimpl
    def hub_after_commit(self, event: Event) -> None:
        self.events.append(event)


@strawberry.type
class ClashingMutation:
    @strawberry.mutation
    def sign_off_application(self) -> bool:
        return True


class FailingListener:
    @hookimpl
    def hub_after_commit(self, event: Event) -> None:
        raise RuntimeError("a broken listener")


class ClashingPlugin:
    @hookimpl
    def hub_mutation_fields(self) -> list[type]:
        return [ClashingMutation]


class ClashingTypePlugin:
    @hookimpl
    def hub_type_fields(self) -> list[tuple[str, type]]:
        return [("Province", ClashingProvinceFields)]


def test_builtins_are_registered_through_the_entry_point_group() -> None:
    installed = installed_plugins()
    for name in ("national", "provincial", "county", "school"):
        assert installed[name].group == ENTRY_POINT_GROUP
        assert installed[name].value == f"plugins.{name}"


def test_every_hook_has_a_docstring_and_the_probe_implements_it() -> None:
    hooks = [name for name, f in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("hub_")]
    assert hooks
    for name in hooks:
        assert (getattr(hookspecs, name).__doc__ or "").strip(), f"{name} has no docstring"
        assert hasattr(ProbePlugin, name), f"{name} is not exercised by the probe plugin"


def test_unknown_plugin_names_are_a_startup_error() -> None:
    with pytest.raises(PluginError, match="未安装的插件：nope"):  # an operator's mistake, in Chinese by default
        HubPlugins(("national", "nope"))
    with speaking("en"), pytest.raises(PluginError, match="not installed: nope"):
        HubPlugins(("national", "nope"))


def test_two_plugins_adding_one_field_is_a_startup_error_naming_both() -> None:
    plugins = HubPlugins(("school", "clash"), extra={"clash": ClashingPlugin()})
    with pytest.raises(PluginError, match=r"signOffApplication 同时由 school 和 clash 添加"):
        compose(plugins)
    with speaking("en"), pytest.raises(PluginError, match=r"signOffApplication is added by both school and clash"):
        compose(plugins)


def test_a_field_added_to_a_core_type_may_not_shadow_one() -> None:
    plugins = HubPlugins(("national", "clash"), extra={"clash": ClashingTypePlugin()})
    with speaking("en"), pytest.raises(PluginError, match=r"Province.name is added by both core and clash"):
        compose(plugins)


def test_disabling_a_plugin_removes_its_mutations_only() -> None:
    full = compose(HubPlugins()).as_str()
    without_school = compose(HubPlugins(("national", "provincial", "county"))).as_str()
    assert "signOffApplication" in full and "signOffApplication" not in without_school
    assert "setProgramYear" in without_school and "registerVolunteer" in without_school
    assert "applications(" in without_school  # core queries stay


def test_plugin_tables_and_migration_locations_are_collected(tmp_path) -> None:  # type: ignore[no-untyped-def]
    plugins = HubPlugins(("national", "probe"), extra={"probe": ProbePlugin()})
    assert ProbeRow in plugins.tables()
    config = alembic_config(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db"), plugins)
    assert "/nonexistent/probe/versions" in config.get_main_option("version_locations")


async def test_without_the_school_plugin_the_rest_works(settings: Settings) -> None:
    hub = Hub(settings, HubPlugins(("national", "provincial", "county")))
    await seed_reference(hub)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(hub=hub)), base_url="http://hub"
        ) as http:
            from tests.conftest import Client

            client = Client(http, hub)
            body = await client.gql(
                'mutation { signOffApplication(input: {applicationId: "x", decision: APPROVE})'
                " { userErrors { code } } }",
                level="school",
                code="10730",
            )
            assert "Cannot query field 'signOffApplication'" in body["errors"][0]["message"]
            data = await client.ok("{ plugins { name level version } }", level="national")
            assert sorted(p["name"] for p in data["plugins"]) == ["county", "national", "provincial"]
            # a school office reads nothing while its plugin is off: no scope admits it
            body = await client.gql('{ applications(year: "2027-2028") { totalCount } }', level="school", code="10730")
            assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
            li = {
                "name": "李四",
                "idNumber": id_number(7),
                "phone": "13900000007",
                "schoolCode": "10730",
                "degree": "BACHELOR",
                "hasWorkExperience": False,
            }
            data = await client.ok(REGISTER, {"input": li}, level="volunteer", sub="li")
            assert data["registerVolunteer"]["volunteer"]["name"] == "李四"
    finally:
        await hub.dispose()


async def test_a_plugin_adds_query_fields_and_hears_after_commit_events(settings: Settings) -> None:
    probe = ProbePlugin()
    hub = Hub(replace(settings), HubPlugins(None, extra={"failing": FailingListener(), "probe": probe}))
    await seed_reference(hub)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(hub=hub)), base_url="http://hub"
        ) as http:
            from tests.conftest import Client

            client = Client(http, hub)
            data = await client.ok(
                '{ probeNote { text } plugins { name level version } province(code: "62") { probeMotto } }',
                level="national",
            )
            assert data["province"]["probeMotto"] == "甘肃省 (62)"
            assert data["probeNote"]["text"] == "from the probe plugin"
            assert {"name": "probe", "level": "PROVINCIAL", "version": "9.9.9"} in data["plugins"]
            good = {
                "name": "王五",
                "idNumber": id_number(8),
                "phone": "13900000008",
                "schoolCode": "10730",
                "degree": "BACHELOR",
                "hasWorkExperience": False,
            }
            await client.ok(REGISTER, {"input": good}, level="volunteer", sub="wang")
            # the failing listener is logged, the mutation stands and the probe still hears it
            assert [e.operation for e in probe.events] == ["registerVolunteer"]
            assert probe.events[0].actor.subject == "wang"
            refused = await client.ok(REGISTER, {"input": {**good, "phone": "123"}}, level="volunteer", sub="zhao")
            assert refused["registerVolunteer"]["userErrors"]
            assert len(probe.events) == 1  # nothing is emitted for a refused mutation
    finally:
        await hub.dispose()
