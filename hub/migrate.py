"""`hub db upgrade`: alembic over the core's revisions and those of the enabled plugins."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

import migrations
from hub.plugins import HubPlugins
from hub.settings import Settings

CORE_VERSIONS = Path(migrations.__file__).parent / "versions"


def alembic_config(settings: Settings, plugins: HubPlugins) -> Config:
    """An alembic Config for `settings.database_url` with every enabled plugin's version location."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    locations = [str(CORE_VERSIONS), *plugins.migration_locations()]
    config.set_main_option("version_locations", " ".join(locations))
    config.set_main_option("path_separator", "space")
    config.set_main_option("sqlalchemy.url", settings.database_url)
    config.attributes["plugins"] = plugins
    return config


def upgrade(settings: Settings, plugins: HubPlugins, revision: str = "heads") -> None:
    """Migrate to `revision` (every branch head by default)."""
    command.upgrade(alembic_config(settings, plugins), revision)


def downgrade(settings: Settings, plugins: HubPlugins, revision: str = "base") -> None:
    command.downgrade(alembic_config(settings, plugins), revision)


async def upgrade_async(settings: Settings, plugins: HubPlugins, revision: str = "heads") -> None:
    """Upgrade from inside a running event loop (alembic's env starts its own loop in a thread)."""
    await asyncio.to_thread(upgrade, settings, plugins, revision)
