"""National office plugin (全国项目办): program years, reference data, scales, quotas, training approval."""

from __future__ import annotations

from hub.enums import OfficeLevel
from hub.hookspecs import hookimpl
from hub.plugins import PluginInfo, plugin_info
from plugins.national.mutations import NationalMutation
from plugins.national.permissions import RULES, SCOPES
from plugins.national.placement import NationalLocalProjectMutation, NationalPlacementMutation
from plugins.national.reference import NationalReferenceMutation
from plugins.national.rollover import RolloverMutation


@hookimpl
def hub_plugin_info() -> PluginInfo:
    return plugin_info("national", OfficeLevel.NATIONAL)


@hookimpl
def hub_mutation_fields() -> list[type]:
    return [
        NationalMutation,
        NationalReferenceMutation,
        NationalPlacementMutation,
        NationalLocalProjectMutation,
        RolloverMutation,
    ]


@hookimpl
def hub_permission_rules() -> list:
    return RULES


@hookimpl
def hub_read_scopes() -> list:
    return SCOPES
