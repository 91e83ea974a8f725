"""The hub's schema is a compatible superset of the front-end contract (../shared/contract/hub.graphql):
graphql-core's find_breaking_changes(contract, hub) is empty, with the four office plugins enabled."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from graphql import build_schema, find_breaking_changes

from hub.plugins import BUILTIN, HubPlugins
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


def test_hub_schema_is_a_compatible_superset_of_the_contract() -> None:
    contract = build_schema(contract_path().read_text(encoding="utf-8"))
    # The printed SDL carries federation directives (@link, @key) that a plain build_schema rejects:
    # compare against the executable schema itself.
    hub = compose(HubPlugins(BUILTIN))._schema
    changes = [c.description for c in find_breaking_changes(contract, hub)]
    assert changes == [], "breaking changes against the contract:\n" + "\n".join(changes)
