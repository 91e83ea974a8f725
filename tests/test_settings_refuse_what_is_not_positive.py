"""Every HUB_* number that must be positive is read by one function (hub/settings.py `_positive`): a value that
is zero, negative or no number at all is a ConfigurationError naming the variable (the CLI prints it without a
traceback), never a bare ValueError or a pool without a bound (SQLAlchemy's pool_size=0 means no limit)."""

from __future__ import annotations

import pytest

from hub.settings import ConfigurationError, Settings


@pytest.mark.parametrize(
    "name",
    [
        "HUB_DB_POOL_SIZE",
        "HUB_MAX_DEPTH",
        "HUB_REQUEST_TIMEOUT",
        "HUB_IMPORT_MAX_ROWS",
        "HUB_EVENTS_POLL_SECONDS",
    ],
)
@pytest.mark.parametrize("raw", ["0", "-3", "many"])
def test_a_number_that_must_be_positive_is_refused_by_name(name: str, raw: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env({name: raw})


def test_positive_numbers_and_defaults_are_read() -> None:
    settings = Settings.from_env({"HUB_DB_POOL_SIZE": "8", "HUB_REQUEST_TIMEOUT": "2.5", "HUB_IMPORT_MAX_ROWS": ""})
    assert settings.pool_size == 8 and settings.limits.timeout_seconds == 2.5
    assert settings.file_limits.max_rows == Settings().file_limits.max_rows
    assert Settings.from_env({}).pool_size == 32
