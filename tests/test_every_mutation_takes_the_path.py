"""Every field of the composed Mutation type (every installed plugin, the example local project too) is
declared with `hub.mutation.mutation`, so it runs the one path (authenticate → authorize → rules → write and
audit → events) and cannot commit without a permission decision; and some enabled rule offers its name, so
that decision can be yes. importTable is the one exception: it runs other mutations, each on that path."""

from __future__ import annotations

from hub.plugins import HubPlugins
from hub.runtime import core_permissions
from hub.schema import compose

DISPATCHERS = {"importTable": "runs upsertCounties, upsertSchools, declarePosts or registerVolunteers per file"}


def test_every_mutation_is_declared_by_its_rule_and_offered_by_a_rule() -> None:
    plugins = HubPlugins()
    schema = compose(plugins)
    permissions = plugins.permissions(core_permissions())
    fields = schema.get_type_by_name("Mutation").fields  # type: ignore[union-attr]
    names = {f.graphql_name or schema.config.name_converter.get_graphql_name(f): f for f in fields}
    assert len(names) >= 44
    undeclared = sorted(
        name
        for name, f in names.items()
        if name not in DISPATCHERS and not hasattr(f.base_resolver and f.base_resolver.wrapped_func, "rule")
    )
    assert undeclared == [], f"mutations not declared with @mutation: {undeclared}"
    unoffered = sorted(name for name in names if name not in DISPATCHERS and not permissions.rules.get(name))
    assert unoffered == [], f"mutations no enabled rule offers (always FORBIDDEN): {unoffered}"
