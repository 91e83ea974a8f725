"""Reference data shipped with the hub (R3 provinces)."""

from __future__ import annotations

import json
from importlib.resources import files


def load_provinces() -> list[dict[str, str]]:
    """R3: the 31 provincial-level divisions and XPCC, each with code, name and region."""
    return json.loads(files(__package__).joinpath("provinces.json").read_text(encoding="utf-8"))
