"""Every read field is either planned (its one declaration carries the SQL compiler, hub/graphql/fields.py)
or declared executor-only with a reason (issue 14): a field given a resolver and nothing else fails here,
listed by name. The composed schema with every installed plugin, the example local project's too."""

from __future__ import annotations

import strawberry
from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema, get_named_type

from hub.graphql.fields import EXECUTOR_ONLY_TYPES
from hub.graphql.planner import BUILT_BY_PARENT, EXECUTOR_ONLY, compiler_of, strawberry_field
from hub.plugins import HubPlugins
from hub.schema import compose

# Added by strawberry's federation support, not by us: answered by the executor for the gateway.
FEDERATION = {("Query", "_entities"), ("Query", "_service"), ("_Service", "sdl")}


def reachable_from_query(schema: GraphQLSchema) -> list[GraphQLObjectType]:
    """The object types a read can reach: through fields, and through interfaces to their implementations.
    (Mutation payloads are built by the executor from what a mutation just wrote.)"""
    assert schema.query_type is not None
    seen: dict[str, GraphQLObjectType] = {}
    todo: list[object] = [schema.query_type]
    while todo:
        t = todo.pop()
        if isinstance(t, GraphQLInterfaceType):
            todo.extend(schema.get_possible_types(t))
            continue
        if not isinstance(t, GraphQLObjectType) or t.name in seen:
            continue
        seen[t.name] = t
        todo.extend(get_named_type(f.type) for f in t.fields.values())
    return list(seen.values())


def unexplained(schema: GraphQLSchema) -> list[str]:
    missing = []
    for t in reachable_from_query(schema):
        if t.name in EXECUTOR_ONLY_TYPES:
            continue
        for name, field in t.fields.items():
            metadata = getattr(strawberry_field(field), "metadata", None) or {}
            explained = compiler_of(field) or metadata.get(BUILT_BY_PARENT) or metadata.get(EXECUTOR_ONLY)
            if not explained and (t.name, name) not in FEDERATION:
                missing.append(f"{t.name}.{name}")
    return sorted(missing)


def test_every_field_of_every_installed_plugin_is_planned_or_executor_only_with_a_reason() -> None:
    plugins = HubPlugins()  # every installed plugin
    schema = compose(plugins)._schema
    assert "ruralDoctors" in schema.type_map["County"].fields  # the example plugin is in the composition
    missing = unexplained(schema)
    assert not missing, "fields with neither a compiler nor an executor-only reason:\n" + "\n".join(missing)


def test_the_reasons_are_written_out() -> None:
    schema = compose(HubPlugins())._schema
    for t in reachable_from_query(schema):
        for name, field in t.fields.items():
            reason = (getattr(strawberry_field(field), "metadata", None) or {}).get(EXECUTOR_ONLY)
            assert reason is None or len(reason) > 20, f"{t.name}.{name}: say why it is not planned"
    assert all(len(reason) > 20 for reason in EXECUTOR_ONLY_TYPES.values())


@strawberry.type
class Holder:
    @strawberry.field
    def unexplained_field(self) -> int:
        return 1


@strawberry.type
class PlantedQuery:
    @strawberry.field
    def holder(self) -> Holder:
        return Holder()


def test_the_check_catches_a_field_with_only_a_resolver() -> None:
    schema = strawberry.Schema(query=PlantedQuery)._schema
    assert unexplained(schema) == ["Holder.unexplainedField", "PlantedQuery.holder"]
