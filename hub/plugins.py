"""The plugin manager: installed plugins from the entry-point group, chosen by HUB_PLUGINS, composed once.

The built-in office plugins (`plugins.national`, `plugins.provincial`, `plugins.county`,
`plugins.school`) are registered in `pyproject.toml` under the same `xibu_hub.plugins` group that a
provincial local project's package uses, so the built-ins prove the extension path.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.metadata import entry_points, version
from types import ModuleType
from typing import Any

import pluggy

from hub import hookspecs
from hub.enums import OfficeLevel
from hub.permissions import Permissions

log = logging.getLogger("hub.plugins")
ENTRY_POINT_GROUP = "xibu_hub.plugins"
BUILTIN = ("national", "provincial", "county", "school")  # the office plugins shipped with the hub


class PluginError(RuntimeError):
    """A plugin cannot be loaded or composed (unknown name, clashing fields, ...)."""


@dataclass(frozen=True)
class PluginInfo:
    """What the `plugins` query shows of a plugin."""

    name: str
    level: OfficeLevel | None
    version: str


def installed_plugins() -> dict[str, Any]:
    """Name → entry point of every installed plugin."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


class HubPlugins:
    """The enabled plugins, in a pluggy manager, with helpers that call a hook plugin by plugin."""

    def __init__(self, enabled: tuple[str, ...] | None = None, extra: dict[str, Any] | None = None) -> None:
        available: dict[str, Any] = dict(installed_plugins())
        available.update(extra or {})
        names = tuple(available) if enabled is None else enabled
        unknown = [n for n in names if n not in available]
        if unknown:
            raise PluginError(
                f"HUB_PLUGINS names plugins that are not installed: {', '.join(unknown)}"
                f" (installed: {', '.join(sorted(available)) or 'none'})"
            )
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self.names: list[str] = []
        for name in names:
            target = available[name]
            plugin = target.load() if hasattr(target, "load") and not isinstance(target, ModuleType) else target
            self.manager.register(plugin, name=name)
            self.names.append(name)

    def each(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call `hook` on every enabled plugin that implements it: (plugin name, result) pairs, in order."""
        results = []
        for impl in getattr(self.manager.hook, hook).get_hookimpls():
            result = impl.function(**kwargs)
            if result is not None:
                results.append((impl.plugin_name, result))
        return results

    def infos(self) -> list[PluginInfo]:
        by_name = {info.name: info for _, info in self.each("hub_plugin_info")}
        return [by_name.get(n) or PluginInfo(n, None, _version_of(n)) for n in self.names]

    def tables(self) -> list[type]:
        return [table for _, tables in self.each("hub_tables") for table in tables]

    def migration_locations(self) -> list[str]:
        return [loc for _, locs in self.each("hub_migration_locations") for loc in locs]

    def permissions(self, core: Permissions) -> Permissions:
        """The core's rules and scopes plus every enabled plugin's."""
        for name, rules in self.each("hub_permission_rules"):
            core.add_rules(rules, name)
        for name, scopes in self.each("hub_read_scopes"):
            core.add_scopes(scopes, name)
        return core

    def emit(self, event: Any) -> None:
        """Give `event` to every listener; one that raises is logged and the others still hear it."""
        for impl in self.manager.hook.hub_after_commit.get_hookimpls():
            try:
                impl.function(event=event)
            except Exception:  # a listener's failure must neither undo the mutation nor silence the others
                log.exception("after-commit listener of %s failed for %s", impl.plugin_name, event.operation)


def plugin_info(name: str, level: OfficeLevel | None, distribution: str = "xibu-hub") -> PluginInfo:
    """A PluginInfo whose version is the installed version of `distribution`."""
    return PluginInfo(name=name, level=level, version=_version_of(distribution))


def _version_of(distribution: str) -> str:
    try:
        return version(distribution)
    except Exception:
        return "0"
