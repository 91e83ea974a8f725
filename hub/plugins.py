"""The plugin manager: installed plugins from the entry-point group, chosen by HUB_PLUGINS, composed once.

The built-in office plugins (`plugins.national`, `plugins.provincial`, `plugins.county`,
`plugins.school`) are registered in `pyproject.toml` under the same `xibu_hub.plugins` group that a
provincial local project's package uses, so the built-ins prove the extension path.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from importlib.metadata import entry_points, version
from types import ModuleType
from typing import Any

import pluggy

from hub import hookspecs
from hub.enums import OfficeLevel
from hub.i18n import _
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
    """The enabled plugins, in a pluggy manager; every hook is called through it (`pm.hook.<name>`)."""

    def __init__(self, enabled: tuple[str, ...] | None = None, extra: dict[str, Any] | None = None) -> None:
        available: dict[str, Any] = dict(installed_plugins())
        available.update(extra or {})
        names = tuple(available) if enabled is None else enabled
        unknown = [n for n in names if n not in available]
        if unknown:
            raise PluginError(
                _(
                    "HUB_PLUGINS names plugins that are not installed: {unknown} (installed: {installed})",
                    unknown=", ".join(unknown),
                    installed=", ".join(sorted(available)) or _("none"),
                )
            )
        self.manager = pluggy.PluginManager(hookspecs.PROJECT)
        self.manager.add_hookspecs(hookspecs)
        self.names: list[str] = list(names)
        self._given: list[dict[int, list[str]]] = []  # per hook call in progress: id(result) → who gave it
        # pluggy calls the plugin registered last first; registering in reverse makes every hook run in
        # HUB_PLUGINS order (entry-point order when unset), which tryfirst/trylast and wrappers then adjust.
        for name in reversed(names):
            target = available[name]
            plugin = target.load() if hasattr(target, "load") and not isinstance(target, ModuleType) else target
            self.manager.register(plugin, name=name)
            for caller in self.manager.get_hookcallers(plugin) or []:
                for impl in caller.get_hookimpls():
                    if impl.plugin is plugin and not (impl.hookwrapper or impl.wrapper):
                        impl.function = self._attributed(caller.name, name, impl.function)

    def _attributed(self, hook: str, name: str, function: Any) -> Any:
        """`function` as pluggy will call it: its result noted as `name`'s (hook results carry no plugin names);
        an after-commit listener's failure logged, so that the other listeners still hear the event."""

        @functools.wraps(function)
        def call(*args: Any) -> Any:
            try:
                result = function(*args)
            except Exception:
                if hook != "hub_after_commit":
                    raise
                # a listener's failure must neither undo the mutation nor silence the others
                operation = getattr(args[0], "operation", "?") if args else "?"
                log.exception("after-commit listener of %s failed for %s", name, operation)
                return None
            if result is not None and self._given:
                self._given[-1].setdefault(id(result), []).append(name)
            return result

        return call

    def each(self, hook: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """`pm.hook.<hook>(**kwargs)` (so ordering, tryfirst/trylast and wrappers apply): its results, each with
        the name of the plugin that gave it (a result only a wrapper made is named after the hook's wrappers)."""
        caller = getattr(self.manager.hook, hook)
        self._given.append({})
        try:
            results = caller(**kwargs)
        finally:
            given = self._given.pop()
        wrappers = ", ".join(i.plugin_name for i in caller.get_hookimpls() if i.hookwrapper or i.wrapper)
        named = []
        for result in results:
            givers = given.get(id(result))  # one object given by two plugins is named after each in turn
            named.append((givers.pop(0) if givers else wrappers or "unknown", result))
        return named

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
        """Give `event` to every listener (`pm.hook.hub_after_commit`); one that raises is logged and the others
        still hear it."""
        self.manager.hook.hub_after_commit(event=event)


def plugin_info(name: str, level: OfficeLevel | None, distribution: str = "xibu-hub") -> PluginInfo:
    """A PluginInfo whose version is the installed version of `distribution`."""
    return PluginInfo(name=name, level=level, version=_version_of(distribution))


def _version_of(distribution: str) -> str:
    try:
        return version(distribution)
    except Exception:
        return "0"
