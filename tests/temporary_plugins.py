"""Temporary plugins for one test: registered beside the installed ones, served through the ASGI app with real
tokens, and gone with the test (the way datasette's tests register a plugin for one test and unregister it).

Keep one instance of a plugin per module: the schema is composed once per plugin set (hub.schema), keyed by
the plugin objects, so one instance means one schema however many tests use it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from hub.app import create_app
from hub.plugins import HubPlugins
from hub.runtime import Hub
from hub.settings import Settings
from tests.conftest import Client
from tests.seed import seed_reference


@asynccontextmanager
async def serving(
    settings: Settings, plugins: dict[str, Any], enabled: tuple[str, ...] | None = None
) -> AsyncIterator[Client]:
    """A client of a hub whose plugins are the installed ones (or `enabled`) plus `plugins` (name → plugin),
    on the test's database with the reference data seeded; the hub is disposed afterwards."""
    names = None if enabled is None else (*enabled, *plugins)
    hub = Hub(settings, HubPlugins(names, extra=plugins))
    try:
        await seed_reference(hub)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(hub=hub)), base_url="http://hub"
        ) as http:
            yield Client(http, hub)
    finally:
        await hub.dispose()
