"""Input types that more than one plugin takes (a plugin cannot import another: shared shapes live here)."""

from __future__ import annotations

import strawberry

from hub.enums import Decision


@strawberry.input
class PostsDecisionInput:
    """R12: a batch decision on posts — the provincial confirmation and the national approval."""

    post_ids: list[strawberry.ID]
    decision: Decision
    reason: str | None = None
