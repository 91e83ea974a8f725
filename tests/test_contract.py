"""The hub's schema is a compatible superset of the front-end contract (../shared/contract/hub.graphql).

Until the office plugins of the later issues exist, the only allowed gap is their mutations (and the
input types only those mutations use): the test lists exactly what is missing and is expected to fail
for that alone. Any other breaking change — a query field, a type, a type change — fails outright.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from graphql import GraphQLInputObjectType, build_schema, find_breaking_changes, get_named_type

from hub.plugins import HubPlugins
from hub.schema import compose

ROOT = Path(__file__).resolve().parent.parent


def contract_path() -> Path:
    configured = os.environ.get("HUB_CONTRACT")
    path = Path(configured) if configured else ROOT.parent / "shared" / "contract" / "hub.graphql"
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the contract is required in CI and missing at {path}")
        pytest.skip(f"no contract at {path}")
    return path


def _inputs_of(schema, field_names: set[str]) -> set[str]:  # type: ignore[no-untyped-def]
    """Input types reachable from the arguments of the given Mutation fields."""
    seen: set[str] = set()
    stack = [
        get_named_type(arg.type) for name in field_names for arg in schema.mutation_type.fields[name].args.values()
    ]
    while stack:
        named = stack.pop()
        if isinstance(named, GraphQLInputObjectType) and named.name not in seen:
            seen.add(named.name)
            stack.extend(get_named_type(f.type) for f in named.fields.values())
    return seen


def test_hub_schema_is_a_compatible_superset_of_the_contract() -> None:
    contract = build_schema(contract_path().read_text(encoding="utf-8"))
    hub = compose(HubPlugins()).as_str()
    hub_schema = build_schema(hub)
    missing_mutations = set(contract.mutation_type.fields) - set(hub_schema.mutation_type.fields)
    used_elsewhere = _inputs_of(contract, set(contract.mutation_type.fields) - missing_mutations)
    pending_inputs = _inputs_of(contract, missing_mutations) - used_elsewhere - set(hub_schema.type_map)

    changes = find_breaking_changes(contract, hub_schema)
    pending = {f"Field Mutation.{name} was removed." for name in missing_mutations}
    pending |= {f"{name} was removed." for name in pending_inputs}
    unexpected = [c.description for c in changes if c.description not in pending]
    assert unexpected == [], "breaking changes outside the pending plugin mutations:\n" + "\n".join(unexpected)
    if missing_mutations:
        pytest.xfail(
            f"{len(missing_mutations)} office-plugin mutations not built yet (issues 3–5): "
            + ", ".join(sorted(missing_mutations))
        )
