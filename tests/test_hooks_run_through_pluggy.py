"""Every hook is called through pluggy (`pm.hook.<name>`), so a plugin can order itself (tryfirst/trylast) and
wrap other plugins' implementations (new-style `wrapper=True`, old-style `hookwrapper=True`): here temporary
plugins record the order they ran in, a wrapper changes what a hook returns, and the results keep naming the
plugin that gave them (rules, clashes). Without tryfirst/trylast, hooks run in HUB_PLUGINS order."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry

from hub.enums import OfficeLevel
from hub.hookspecs import hookimpl
from hub.i18n import speaking
from hub.mutation import Event
from hub.permissions import Rule
from hub.plugins import HubPlugins, PluginError
from hub.schema import compose
from hub.settings import Settings
from tests.conftest import error_codes
from tests.seed import id_number
from tests.temporary_plugins import serving

RAN: list[str] = []


class Plain:
    def __init__(self, name: str) -> None:
        self.name = name

    @hookimpl
    def hub_permission_rules(self) -> list[Rule]:
        RAN.append(self.name)
        return []


class First:
    @hookimpl(tryfirst=True)
    def hub_permission_rules(self) -> list[Rule]:
        RAN.append("first")
        return []


class Last:
    @hookimpl(trylast=True)
    def hub_permission_rules(self) -> list[Rule]:
        RAN.append("last")
        return []


class NewStyleWrapper:
    """Runs around every implementation of the rule hook and adds a rule to what they returned."""

    @hookimpl(wrapper=True)
    def hub_permission_rules(self) -> Any:
        RAN.append("wrapper before")
        results = yield
        RAN.append("wrapper after")
        return [*results, [Rule("signOffApplication", OfficeLevel.COUNTY, describes="wrapped in by a test")]]


class OldStyleWrapper:
    @hookimpl(hookwrapper=True)
    def hub_permission_rules(self) -> Any:
        RAN.append("old wrapper before")
        outcome = yield
        RAN.append(f"old wrapper after {len(outcome.get_result())} results")


def test_hooks_run_in_plugin_order_then_tryfirst_trylast_and_wrappers_apply() -> None:
    RAN.clear()
    HubPlugins(("a", "b"), extra={"a": Plain("a"), "b": Plain("b")}).each("hub_permission_rules")
    assert RAN == ["a", "b"]  # HUB_PLUGINS order, as before hooks went through pluggy
    RAN.clear()
    extra = {
        "last": Last(),
        "a": Plain("a"),
        "new": NewStyleWrapper(),
        "first": First(),
        "b": Plain("b"),
        "old": OldStyleWrapper(),
    }
    plugins = HubPlugins(tuple(extra), extra=extra)
    named = plugins.each("hub_permission_rules")
    assert RAN == [
        "wrapper before",  # later-registered wrappers are the outer ones; here "new" is listed before "old"
        "old wrapper before",
        "first",
        "a",
        "b",
        "last",
        "old wrapper after 4 results",
        "wrapper after",
    ]
    # each result names the plugin that gave it; one that only a wrapper made names the hook's wrappers
    assert [name for name, _ in named] == ["first", "a", "b", "last", "old, new"]


async def test_a_wrapper_changes_the_rules_the_hub_decides_with(settings: Settings) -> None:
    async with serving(settings, {"new": NewStyleWrapper()}) as client:
        rules = client.hub.permissions.rules["signOffApplication"]
        assert [(r.level, r.source) for r in rules] == [
            (OfficeLevel.SCHOOL, "school"),
            (OfficeLevel.COUNTY, "new"),
        ]
        body = await client.gql(
            'mutation { signOffApplication(input: {applicationId: "QXBwbGljYXRpb246OTk=", decision: APPROVE})'
            " { userErrors { code } } }",
            level="county",
            code="621121",
        )
        # the county is now admitted by the wrapped-in rule, so it hears the domain answer, not FORBIDDEN
        assert error_codes(body) == []
        assert body["data"]["signOffApplication"]["userErrors"] == [{"code": "NOT_FOUND"}]


class Listener:
    def __init__(self, name: str, heard: list[str]) -> None:
        self.name, self.heard = name, heard

    @hookimpl
    def hub_after_commit(self, event: Event) -> None:
        self.heard.append(f"{self.name}: {event.operation}")


class BrokenListener:
    @hookimpl(tryfirst=True)
    def hub_after_commit(self, event: Event) -> None:
        raise RuntimeError("a broken listener")


class ListenerWrapper:
    def __init__(self, heard: list[str]) -> None:
        self.heard = heard

    @hookimpl(wrapper=True)
    def hub_after_commit(self, event: Event) -> Any:
        self.heard.append("wrapper before")
        yield
        self.heard.append("wrapper after")


async def test_listeners_run_in_order_inside_wrappers_and_a_broken_one_silences_none(settings: Settings) -> None:
    heard: list[str] = []
    extra = {
        "one": Listener("one", heard),
        "broken": BrokenListener(),
        "wrapper": ListenerWrapper(heard),
        "two": Listener("two", heard),
    }
    async with serving(settings, extra) as client:
        volunteer = {
            "name": "钱七",
            "idNumber": id_number(17),
            "phone": "13900000017",
            "schoolCode": "10730",
            "degree": "BACHELOR",
            "hasWorkExperience": False,
        }
        data = await client.ok(
            "mutation($input: RegisterVolunteerInput!) { registerVolunteer(input: $input) { userErrors { code } } }",
            {"input": volunteer},
            level="volunteer",
            sub="qian",
        )
        assert data["registerVolunteer"]["userErrors"] == []
    assert heard == ["wrapper before", "one: registerVolunteer", "two: registerVolunteer", "wrapper after"]


@strawberry.type
class ClashingMutation:
    @strawberry.mutation
    def sign_off_application(self) -> bool:
        return True


class Clashing:
    @hookimpl(tryfirst=True)
    def hub_mutation_fields(self) -> list[type]:
        return [ClashingMutation]


class FieldsWrapper:
    @hookimpl(wrapper=True)
    def hub_mutation_fields(self) -> Any:
        return (yield)


def test_a_clash_still_names_both_plugins_when_a_wrapper_and_tryfirst_are_in_play() -> None:
    plugins = HubPlugins(("school", "wrapper", "clash"), extra={"clash": Clashing(), "wrapper": FieldsWrapper()})
    with speaking("en"), pytest.raises(PluginError, match=r"signOffApplication is added by both clash and school"):
        compose(plugins)
