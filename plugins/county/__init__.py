"""County office plugin (县级项目办): acts only in its own county; its mutations come with placement."""

from __future__ import annotations

from hub.enums import OfficeLevel
from hub.hookspecs import hookimpl
from hub.plugins import PluginInfo, plugin_info
from plugins.county.permissions import RULES, SCOPES


@hookimpl
def hub_plugin_info() -> PluginInfo:
    return plugin_info("county", OfficeLevel.COUNTY)


@hookimpl
def hub_permission_rules() -> list:
    return RULES


@hookimpl
def hub_read_scopes() -> list:
    return SCOPES
