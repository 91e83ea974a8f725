"""The exchange asks the composed schema, as the office whose file or download it is, exactly what a front
end would ask: imports run its mutations, exports and documents its queries. Permissions, read scopes and
R2a masking are therefore those of GraphQL itself (one code path)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from hub.auth import Actor
from hub.graphql.context import HubContext
from hub.graphql.loaders import Loaders

PAGE = 500  # the schema's largest page
HAND_OUT = 50  # nodes handed out between two turns of the event loop (pages)
STATUS = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "BAD_USER_INPUT": 400,
    "NOT_FOUND": 404,
    "INVALID_STATE": 409,
    "UNAVAILABLE": 503,
}


class Refused(Exception):
    """A query the schema answered with errors: its code (as GraphQL gives it), message and HTTP status."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = STATUS.get(code, 400)


async def execute(  # type: ignore[no-untyped-def]
    hub: Any,
    actor: Actor | None,
    document: str,
    variables: dict[str, Any],
    transaction: Any = None,
    events: list[Any] | None = None,
):
    """The schema's ExecutionResult for `document`, run for `actor` with fresh per-request loaders; mutations
    join `transaction` (a write session already begun) when one is given, their events go to `events`."""
    context = HubContext(
        hub=hub,
        actor=actor,
        auth_error=None,
        loaders=Loaders(hub.sessionmaker),
        transaction=transaction,
        events=events if events is not None else [],
    )
    return await hub.schema.execute(document, variable_values=variables, context_value=context)


async def ask(hub: Any, actor: Actor | None, document: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The data of a query; Refused when the schema answered with an error (the first one)."""
    result = await execute(hub, actor, document, variables)
    if result.errors:
        error = result.errors[0]
        raise Refused((error.extensions or {}).get("code", "BAD_REQUEST"), error.message)
    return result.data  # type: ignore[return-value]


async def pages(hub: Any, actor: Actor, document: str, variables: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """Every node of the connection the query names `page`, a page at a time; the next page is asked for
    before this one's nodes are handed out, so the database answers it while they are written. Handing
    nodes out awaits nothing, so the event loop is given a turn every HAND_OUT nodes: without it the next
    page's task ran only once this page was written, and the export waited for every page (20,000 rows:
    0.5 s of 2.1)."""

    def page(after: str | None) -> asyncio.Task[dict[str, Any]]:
        return asyncio.ensure_future(ask(hub, actor, document, {**variables, "first": PAGE, "after": after}))

    pending: asyncio.Task[dict[str, Any]] | None = page(None)
    try:
        while pending is not None:
            connection = (await pending)["page"]
            info = connection["pageInfo"]
            pending = page(info["endCursor"]) if info["hasNextPage"] else None
            for index, edge in enumerate(connection["edges"]):
                if index % HAND_OUT == 0 and pending is not None:
                    await asyncio.sleep(0)  # the next page's task goes on: its statement, then its answer
                yield edge["node"]
    finally:
        if pending is not None:
            pending.cancel()
