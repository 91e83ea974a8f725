"""Compose the schema once per process (per plugin set) from the core and the enabled plugins."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLObjectType
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.tools import merge_types
from strawberry.types.base import has_object_definition
from strawberry.utils.str_converters import to_camel_case

import hub.graphql.applications  # noqa: F401  (every core type registers itself)
import hub.graphql.audit_log  # noqa: F401
import hub.graphql.service  # noqa: F401
from hub.events.graphql import WebhookMutation, WebhookQuery
from hub.events.inbox import InboxQuery
from hub.events.subscriptions import EventSubscription
from hub.exchange.graphql import ExchangeMutation
from hub.graphql.fields import node_types
from hub.graphql.history import HISTORY_FIELDS, HISTORY_TYPES
from hub.graphql.payloads import PAYLOAD_TYPES
from hub.graphql.planner import ReadPlanner
from hub.graphql.query import Query
from hub.graphql.volunteer import VolunteerMutation
from hub.i18n import _
from hub.limits import RequestLimits
from hub.observability import OperationObserver
from hub.plugins import HubPlugins, PluginError

PARSED_DOCUMENTS = 1024  # distinct query documents whose parse and validation are kept per process
_SCHEMAS: dict[tuple[tuple[str, int], ...], strawberry.Schema] = {}


def _fields(source: str, types: list[type]) -> list[tuple[str, str]]:
    out = []
    for t in types:
        if not has_object_definition(t):
            raise PluginError(_("{source} contributed {type!r}, which is not a strawberry type", source=source, type=t))
        out.extend((f.graphql_name or to_camel_case(f.python_name), source) for f in t.__strawberry_definition__.fields)
    return out


def _merge(name: str, core: list[type], contributed: list[tuple[str, list[type]]]) -> type | None:
    """One root type from the core's and the plugins' field holders; a field name twice is an error."""
    owners: dict[str, str] = {}
    for field_name, source in _fields("core", core) + [p for s, ts in contributed for p in _fields(s, ts)]:
        if field_name in owners:
            raise PluginError(
                _(
                    "{type}.{field} is added by both {owner} and {source}; disable one of them",
                    type=name,
                    field=field_name,
                    owner=owners[field_name],
                    source=source,
                )
            )
        owners[field_name] = source
    holders = [*core, *(t for _, ts in contributed for t in ts)]
    return merge_types(name, tuple(holders)) if holders else None


def compose(plugins: HubPlugins) -> strawberry.Schema:
    """The schema of the core plus the enabled plugins, built once per plugin set and reused."""
    key = tuple((name, id(plugins.manager.get_plugin(name))) for name in plugins.names)
    cached = _SCHEMAS.get(key)
    if cached is not None:
        return cached
    query = _merge("Query", [Query, WebhookQuery, InboxQuery], plugins.each("hub_query_fields"))
    mutation = _merge(
        "Mutation", [VolunteerMutation, ExchangeMutation, WebhookMutation], plugins.each("hub_mutation_fields")
    )
    subscription = merge_types("Subscription", (EventSubscription,))  # issue 16: events from the outbox
    extra: list[Any] = [*node_types().values(), *PAYLOAD_TYPES, *HISTORY_TYPES]
    extra += [t for _, ts in plugins.each("hub_graphql_types") for t in ts]
    schema = strawberry.federation.Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=extra,
        federation_version="2.7",
        # Order matters: the caches fill parse and validation first; RequestLimits then measures the
        # validated document (hub/limits.py); the read planner answers before the executor would.
        extensions=[
            OperationObserver,  # first: it sees the final result (names, outcome, the operation's span)
            # factories: strawberry keeps both caches at module level (per schema for validation)
            lambda: ParserCache(maxsize=PARSED_DOCUMENTS),
            lambda: ValidationCache(maxsize=PARSED_DOCUMENTS),
            RequestLimits,
            ReadPlanner,
        ],
    )
    _extend_types(schema, [("core", HISTORY_FIELDS), *plugins.each("hub_type_fields")])
    _SCHEMAS[key] = schema
    return schema


def _extend_types(schema: strawberry.Schema, contributed: list[tuple[str, list[tuple[str, type]]]]) -> None:
    """Add plugins' fields to existing object types of this schema only (each Schema converts the types
    anew, so another plugin set's schema in the same process is untouched)."""
    owners: dict[tuple[str, str], str] = {}
    for source, pairs in contributed:
        for type_name, holder in pairs:
            target = schema._schema.type_map.get(type_name)
            if not isinstance(target, GraphQLObjectType):
                raise PluginError(
                    _(
                        "{source} adds fields to {type!r}, which is no object type of the schema",
                        source=source,
                        type=type_name,
                    )
                )
            definition = holder.__strawberry_definition__
            for field in definition.fields:
                name = field.graphql_name or to_camel_case(field.python_name)
                if name in target.fields:
                    owner = owners.get((type_name, name), "core")
                    raise PluginError(
                        _(
                            "{type}.{field} is added by both {owner} and {source}; disable one of them",
                            type=type_name,
                            field=name,
                            owner=owner,
                            source=source,
                        )
                    )
                owners[(type_name, name)] = source
                target.fields[name] = schema.schema_converter.from_field(field, type_definition=definition)


def sdl(schema: strawberry.Schema) -> str:
    """The SDL to export: standalone, federation directive definitions included (hub/schema_export.py)."""
    from hub.schema_export import standalone_sdl

    return standalone_sdl(schema)
