"""School office plugin (高校项目办): its students registered in batches (R6, R19), sign-off of their
applications (R21)."""

from __future__ import annotations

from hub.enums import OfficeLevel
from hub.hookspecs import hookimpl
from hub.plugins import PluginInfo, plugin_info
from plugins.school.mutations import SchoolMutation
from plugins.school.permissions import RULES, SCOPES
from plugins.school.registration import SchoolRegistrationMutation


@hookimpl
def hub_plugin_info() -> PluginInfo:
    return plugin_info("school", OfficeLevel.SCHOOL)


@hookimpl
def hub_mutation_fields() -> list[type]:
    return [SchoolMutation, SchoolRegistrationMutation]


@hookimpl
def hub_permission_rules() -> list:
    return RULES


@hookimpl
def hub_read_scopes() -> list:
    return SCOPES
