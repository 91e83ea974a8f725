"""GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/): the response's media type and status.

A client that accepts `application/graphql-response+json` (and prefers it at least as much as
`application/json`) gets it, with the spec's status codes: a request error — the document does not parse,
does not validate (our request limits included, hub/limits.py), or its variables do not coerce — is a 4xx
answer without a `data` entry; a response that has `data` (even null, after a field error) is 200. A client
that asks for `application/json` only, or sends no Accept header, gets the legacy behaviour the spec keeps
for it: 200 with the GraphQL response as it is. graphql-http's `auditServer` checks this
(tests/test_graphql_over_http_audit.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
# A request error the client cannot fix by rephrasing: the answer is 5xx rather than 400.
SERVER_SIDE_CODES = {"DATABASE_UNAVAILABLE": 503, "INTERNAL_SERVER_ERROR": 500, "TIMEOUT": 503}


def _quality(accept: str) -> dict[str, float]:
    """Each media range of an Accept header with its q-value (RFC 9110 §12.5.1); a bad q counts as 0."""
    ranges: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        media = media.lower()
        ranges[media] = max(q, ranges.get(media, 0.0))
    return ranges


def wants_graphql_response(accept: str | None) -> bool:
    """True when the client accepts application/graphql-response+json at least as much as application/json
    (the spec's preferred type wins a tie); no Accept header means application/json (the spec's rule for
    legacy clients), and so does a bare wildcard."""
    if not accept:
        return False
    ranges = _quality(accept)
    ours = ranges.get(GRAPHQL_RESPONSE, 0.0)
    if ours <= 0:
        return False
    legacy = ranges.get(JSON, ranges.get("application/*", ranges.get("*/*", 0.0)))
    return ours >= legacy


def request_error_status(response: Mapping[str, Any], errors: Sequence[Any] | None) -> int | None:
    """The status of a request error (no execution took place), or None when the response is an executed one.

    graphql-core and strawberry answer a request error with `data: null` and errors without a path; an
    executed operation's errors each carry the path of their field."""
    if response.get("data") is not None or not errors:
        return None
    if any(getattr(error, "path", None) for error in errors):
        return None
    codes = [((getattr(error, "extensions", None) or {}).get("code")) for error in errors]
    return max((SERVER_SIDE_CODES.get(code, 400) for code in codes), default=400)
