"""The application state machine (ApplicationStatus), in one place: each state names the states it
may be reached from; anything else is INVALID_STATE, never a silent overwrite."""

from __future__ import annotations

from hub.enums import ApplicationStatus as S
from hub.enums import UserErrorCode
from hub.errors import refuse

ALLOWED_FROM: dict[S, frozenset[S]] = {
    S.SUBMITTED: frozenset(),
    S.SCHOOL_APPROVED: frozenset({S.SUBMITTED}),  # R21
    S.SCHOOL_REJECTED: frozenset({S.SUBMITTED}),
    S.SELECTED: frozenset({S.SCHOOL_APPROVED}),  # R22
    S.NOT_SELECTED: frozenset({S.SCHOOL_APPROVED}),
    S.EXAM_PASSED: frozenset({S.SELECTED}),
    S.EXAM_FAILED: frozenset({S.SELECTED}),
    S.PUBLICIZED: frozenset({S.EXAM_PASSED}),
    S.RECRUITED: frozenset({S.PUBLICIZED, S.EXAM_PASSED}),  # R23; EXAM_PASSED only as a replacement (R25)
    S.TRAINED: frozenset({S.RECRUITED}),  # R24
    S.DISPATCHED: frozenset({S.TRAINED}),  # R26
    S.IN_SERVICE: frozenset({S.DISPATCHED}),
    S.COMPLETED: frozenset({S.IN_SERVICE}),  # R31
    S.WITHDRAWN: frozenset(
        {S.SUBMITTED, S.SCHOOL_APPROVED, S.SELECTED, S.EXAM_PASSED, S.PUBLICIZED, S.RECRUITED, S.TRAINED}
    ),
    S.TERMINATED: frozenset({S.DISPATCHED, S.IN_SERVICE}),
}


def can_move(current: S, target: S) -> bool:
    return current in ALLOWED_FROM[target]


def ensure_transition(current: S | str, target: S, *field: str) -> None:
    """Refuse with INVALID_STATE unless `target` may follow `current`."""
    current = S(current)
    if not can_move(current, target):
        allowed = ", ".join(sorted(s.value for s in ALLOWED_FROM[target])) or "nothing"
        raise refuse(
            UserErrorCode.INVALID_STATE,
            f"an application in {current.value} cannot become {target.value} (only from {allowed})",
            *field,
        )
