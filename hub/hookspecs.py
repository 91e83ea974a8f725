"""Every hook through which a plugin extends the hub. One docstring each; arguments are keywords.

A plugin is a module (or object) with functions marked `@hookimpl`, registered through the
`xibu_hub.plugins` entry-point group — the built-in office plugins exactly as outside packages.
The hub calls every hook through pluggy (`pm.hook.<name>`), in HUB_PLUGINS order; `tryfirst`/`trylast`
and wrappers (`wrapper=True`, `hookwrapper=True`) apply as pluggy documents them.
"""

from __future__ import annotations

from typing import Any

import pluggy

PROJECT = "xibu_hub"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def hub_plugin_info() -> Any:
    """Describe the plugin: a `PluginInfo(name, level, version)`; `level` is an OfficeLevel or None."""


@hookspec
def hub_tables() -> list[type]:
    """SQLModel table classes the plugin adds; they join the metadata that migrations are checked against."""


@hookspec
def hub_migration_locations() -> list[str]:
    """Directories of alembic revisions the plugin adds (its own branch, depending on the core's)."""


@hookspec
def hub_graphql_types() -> list[type]:
    """Strawberry types to add to the schema that no field reaches by itself (e.g. implementations of Node)."""


@hookspec
def hub_query_fields() -> list[type]:
    """Strawberry types whose fields are merged into `Query`; a name used twice is a startup error."""


@hookspec
def hub_mutation_fields() -> list[type]:
    """Strawberry types whose fields are merged into `Mutation`; a name used twice is a startup error."""


@hookspec
def hub_type_fields() -> list[tuple[str, type]]:
    """Fields added to existing types: `(type name, strawberry type holding the fields)` pairs; each resolver
    receives the core object as `self` (e.g. a `Province`). A name the type already has is a startup error.
    Fields declared with `hub.graphql.fields` (`many`, `one`, `column`, `@planned`) are planned into the read
    planner's one statement like the core's; others must say why with `@executor_only`."""


@hookspec
def hub_permission_rules() -> list[Any]:
    """`Rule`s that allow an action (a mutation field name) to actors of one level, within a jurisdiction."""


@hookspec
def hub_read_scopes() -> list[Any]:
    """`ReadScope`s giving, per entity and level, the SQL filter of the rows that level may read."""


@hookspec
def hub_after_commit(event: Any) -> None:
    """React to an accepted mutation after its transaction committed; `event` is an `Event`."""
