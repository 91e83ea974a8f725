"""Rate limits per subject and per office, with the `limits` library: each authenticated request counts
against its token's subject (HUB_RATE_LIMIT_SUBJECT) and its office, the level and code every user of one
office shares (HUB_RATE_LIMIT_OFFICE; a volunteer's account has no office). Over a limit the request is
answered 429 with `Retry-After` before it runs.

The counters live in memory (one process: the embedded default) or in Redis
(HUB_RATE_LIMIT_STORAGE=redis://127.0.0.1:6379), shared by every hub process. A sliding-window counter
(`limits`' SlidingWindowCounterRateLimiter) smooths the edge of fixed windows. When the store cannot be
reached the request is let through and the failure logged: losing the limiter must not take the hub down.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from hub.auth import Actor
from hub.enums import OfficeLevel
from hub.settings import Settings

log = logging.getLogger("hub.ratelimits")


@dataclass(frozen=True)
class Refusal:
    """Which limit a request went over, and in how many seconds it may try again."""

    scope: str
    limit: str
    retry_after: int


def storage_url(url: str) -> str:
    """`limits`' asyncio storages are named async+<scheme>: memory://, redis://host:port."""
    return url if url.startswith("async+") else f"async+{url}"


class RateLimits:
    def __init__(self, settings: Settings) -> None:
        self.subject: list[RateLimitItem] = (
            parse_many(settings.rate_limit_subject or "") if settings.rate_limit_subject else []
        )
        self.office: list[RateLimitItem] = (
            parse_many(settings.rate_limit_office or "") if settings.rate_limit_office else []
        )
        self.limiter = SlidingWindowCounterRateLimiter(storage_from_string(storage_url(settings.rate_limit_storage)))

    @property
    def enabled(self) -> bool:
        return bool(self.subject or self.office)

    async def refuse(self, actor: Actor) -> Refusal | None:
        """Count one request of `actor`; the refusal when it is over a limit, None when it may run."""
        keys = [("subject", self.subject, f"{actor.level.value}/{actor.subject}")]
        if actor.level is not OfficeLevel.VOLUNTEER:
            keys.append(("office", self.office, f"{actor.level.value}/{actor.code or ''}"))
        try:
            for scope, items, key in keys:
                for item in items:
                    if not await self.limiter.hit(item, "hub", scope, key):
                        stats = await self.limiter.get_window_stats(item, "hub", scope, key)
                        wait = max(1, math.ceil(stats.reset_time - time.time()))
                        return Refusal(scope, str(item), wait)
        except Exception:  # the shared store is down: let the request through, say so in the log
            log.exception("rate limits not checked: the store %s cannot be reached", self.limiter.storage)
        return None


def _items(rate: str | None) -> list[RateLimitItem]:
    return parse_many(rate) if rate else []
