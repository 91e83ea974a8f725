"""An export asks for its next page while it writes the current one (hub/exchange/calls.py `pages`): the
next page's query is under way before the current page's last row is handed out, and every row comes out
once, in order."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from hub.exchange import calls

ROWS = 3 * calls.PAGE + 7


async def test_the_next_page_is_asked_for_while_this_one_is_written(monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[tuple[str, int]] = []

    async def ask(_hub: Any, _actor: Any, _document: str, variables: dict[str, Any]) -> dict[str, Any]:
        start = int(variables["after"] or 0)
        log.append(("asked", start))
        await asyncio.sleep(0.01)  # the database's time
        stop = min(start + variables["first"], ROWS)
        edges = [{"node": {"n": n}} for n in range(start, stop)]
        return {"page": {"pageInfo": {"hasNextPage": stop < ROWS, "endCursor": str(stop)}, "edges": edges}}

    monkeypatch.setattr(calls, "ask", ask)
    seen = []
    async for node in calls.pages(None, None, "query", {}):  # type: ignore[arg-type]
        seen.append(node["n"])
        log.append(("written", node["n"]))
    assert seen == list(range(ROWS))
    for start in range(calls.PAGE, ROWS, calls.PAGE):
        asked = log.index(("asked", start))
        last_of_previous = log.index(("written", start - 1))
        assert asked < last_of_previous, f"page {start} was asked for only after the previous one was written"
