"""Provincial office plugin (省级项目办): recruiting province (selection to recruitment agreement, quota moves)
and serving province (training, attendance, replacement)."""

from __future__ import annotations

from hub.enums import OfficeLevel
from hub.hookspecs import hookimpl
from hub.plugins import PluginInfo, plugin_info
from plugins.provincial.in_service import InServiceMutation
from plugins.provincial.permissions import RULES, SCOPES
from plugins.provincial.placement import PlacementMutation
from plugins.provincial.recruitment import RecruitingMutation
from plugins.provincial.recruitment_suggestions import RecruitmentSuggestionQuery
from plugins.provincial.training import ServingMutation


@hookimpl
def hub_plugin_info() -> PluginInfo:
    return plugin_info("provincial", OfficeLevel.PROVINCIAL)


@hookimpl
def hub_mutation_fields() -> list[type]:
    return [RecruitingMutation, ServingMutation, PlacementMutation, InServiceMutation]


@hookimpl
def hub_query_fields() -> list[type]:
    return [RecruitmentSuggestionQuery]


@hookimpl
def hub_permission_rules() -> list:
    return RULES


@hookimpl
def hub_read_scopes() -> list:
    return SCOPES
