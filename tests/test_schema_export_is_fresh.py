"""`schema/hub.graphql` is what `HUB_PLUGINS=national,provincial,county,school hub schema` prints — the
hub with its four office plugins; a stale export fails."""

from __future__ import annotations

from pathlib import Path

from hub.plugins import BUILTIN, HubPlugins
from hub.schema import compose, sdl

EXPORT = Path(__file__).resolve().parent.parent / "schema" / "hub.graphql"


def test_exported_sdl_matches_the_schema() -> None:
    assert EXPORT.read_text(encoding="utf-8") == sdl(compose(HubPlugins(BUILTIN))), (
        "schema/hub.graphql is stale: run "
        "`HUB_PLUGINS=national,provincial,county,school hub schema -o schema/hub.graphql`"
    )
