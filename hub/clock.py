"""Today and now, honouring HUB_TODAY so that tests and rehearsals can move the calendar (R7)."""

from __future__ import annotations

from datetime import UTC, date, datetime


class Clock:
    """The hub's calendar. `fixed_today` pins the date; the time of day stays real."""

    def __init__(self, fixed_today: date | None = None) -> None:
        self.fixed_today = fixed_today

    def today(self) -> date:
        return self.fixed_today or datetime.now(UTC).date()

    def now(self) -> datetime:
        """Aware UTC timestamp; on the pinned day when HUB_TODAY is set."""
        real = datetime.now(UTC)
        if self.fixed_today is None:
            return real
        return datetime.combine(self.fixed_today, real.timetz())
