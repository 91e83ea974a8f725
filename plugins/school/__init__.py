"""School office plugin (高校项目办): sign-off of its own students' applications (R21)."""

from __future__ import annotations

from hub.enums import OfficeLevel
from hub.hookspecs import hookimpl
from hub.plugins import PluginInfo, plugin_info
from plugins.school.mutations import SchoolMutation
from plugins.school.permissions import RULES, SCOPES


@hookimpl
def hub_plugin_info() -> PluginInfo:
    return plugin_info("school", OfficeLevel.SCHOOL)


@hookimpl
def hub_mutation_fields() -> list[type]:
    return [SchoolMutation]


@hookimpl
def hub_permission_rules() -> list:
    return RULES


@hookimpl
def hub_read_scopes() -> list:
    return SCOPES
