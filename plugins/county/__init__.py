"""County office plugin (县级项目办): new-service-county application, units, posts, receiving volunteers and
service agreements — only in its own county."""

from __future__ import annotations

from hub.enums import OfficeLevel
from hub.hookspecs import hookimpl
from hub.plugins import PluginInfo, plugin_info
from plugins.county.permissions import RULES, SCOPES
from plugins.county.placement import CountyPlacementMutation
from plugins.county.service import CountySetupMutation
from plugins.county.service_records import CountyServiceMutation


@hookimpl
def hub_plugin_info() -> PluginInfo:
    return plugin_info("county", OfficeLevel.COUNTY)


@hookimpl
def hub_mutation_fields() -> list[type]:
    return [CountySetupMutation, CountyPlacementMutation, CountyServiceMutation]


@hookimpl
def hub_permission_rules() -> list:
    return RULES


@hookimpl
def hub_read_scopes() -> list:
    return SCOPES
