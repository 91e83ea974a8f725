"""Issue 16: the catalogue of event types is the live schema's mutations, with who performs each and who
may receive it; docs/events.md is that catalogue rendered, regenerated when a mutation is added."""

from __future__ import annotations

from pathlib import Path

from hub.events.catalogue import catalogue, render
from hub.plugins import BUILTIN, HubPlugins
from hub.runtime import core_permissions
from hub.schema import compose

DOC = Path(__file__).parent.parent / "docs" / "events.md"


def built_in_catalogue():  # type: ignore[no-untyped-def]
    plugins = HubPlugins(BUILTIN)
    return compose(plugins), catalogue(compose(plugins), plugins.permissions(core_permissions()))


def test_every_mutation_is_an_event_type_with_its_performers_and_receivers() -> None:
    schema, types = built_in_catalogue()
    assert [t.name for t in types] == sorted(schema._schema.mutation_type.fields)
    by_name = {t.name: t for t in types}
    assert by_name["signOffApplication"].performed_by == ("school",)
    assert by_name["registerVolunteer"].performed_by == ("volunteer",)
    assert by_name["createWebhook"].performed_by == ("county", "national", "provincial", "school")
    # the readers of the audit log: every level that has a read scope on AuditEntry
    assert set(by_name["approvePosts"].received_by) == {"national", "provincial", "county", "school", "volunteer"}


def test_docs_events_md_is_fresh() -> None:
    _, types = built_in_catalogue()
    assert DOC.read_text(encoding="utf-8") == render(types), (
        "docs/events.md is stale: HUB_PLUGINS=national,provincial,county,school hub events catalogue -o docs/events.md"
    )
