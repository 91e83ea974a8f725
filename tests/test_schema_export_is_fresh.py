"""`schema/hub.graphql` is what `hub schema` prints with every plugin enabled; a stale export fails."""

from __future__ import annotations

from pathlib import Path

from hub.plugins import HubPlugins
from hub.schema import compose, sdl

EXPORT = Path(__file__).resolve().parent.parent / "schema" / "hub.graphql"


def test_exported_sdl_matches_the_schema() -> None:
    assert EXPORT.read_text(encoding="utf-8") == sdl(compose(HubPlugins())), (
        "schema/hub.graphql is stale: run `hub schema -o schema/hub.graphql` and commit it"
    )
