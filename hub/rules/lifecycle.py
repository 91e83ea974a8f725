"""The application state machine (ApplicationStatus), in one place: each state names the states it
may be reached from; anything else is INVALID_STATE, never a silent overwrite."""

from __future__ import annotations

from hub.enums import ApplicationStatus as S
from hub.enums import UserErrorCode, label
from hub.errors import refuse
from hub.i18n import _

ALLOWED_FROM: dict[S, frozenset[S]] = {
    S.SUBMITTED: frozenset(),
    S.SCHOOL_APPROVED: frozenset({S.SUBMITTED}),  # R21
    S.SCHOOL_REJECTED: frozenset({S.SUBMITTED}),
    S.SELECTED: frozenset({S.SCHOOL_APPROVED}),  # R22
    S.NOT_SELECTED: frozenset({S.SCHOOL_APPROVED}),
    S.EXAM_PASSED: frozenset({S.SELECTED}),
    S.EXAM_FAILED: frozenset({S.SELECTED}),
    S.PUBLICIZED: frozenset({S.EXAM_PASSED}),
    S.RECRUITED: frozenset({S.PUBLICIZED}),  # R22, R23: after the public notice
    S.TRAINED: frozenset({S.RECRUITED}),  # R24
    S.DISPATCHED: frozenset({S.TRAINED}),  # R26
    S.IN_SERVICE: frozenset({S.DISPATCHED}),
    S.COMPLETED: frozenset({S.IN_SERVICE}),  # R31
    S.WITHDRAWN: frozenset(
        {S.SUBMITTED, S.SCHOOL_APPROVED, S.SELECTED, S.EXAM_PASSED, S.PUBLICIZED, S.RECRUITED, S.TRAINED}
    ),
    S.TERMINATED: frozenset({S.DISPATCHED, S.IN_SERVICE}),
}


# Transitions that only one operation may take, beyond ALLOWED_FROM.
ONLY_VIA: dict[str, dict[S, frozenset[S]]] = {
    # R25: a replacement is recruited from EXAM_PASSED or PUBLICIZED (selected, examined, not yet recruited).
    "recruitReplacement": {S.RECRUITED: frozenset({S.EXAM_PASSED, S.PUBLICIZED})},
}


def allowed_from(target: S, via: str | None = None) -> frozenset[S]:
    return ONLY_VIA.get(via or "", {}).get(target, ALLOWED_FROM[target])


def can_move(current: S, target: S, via: str | None = None) -> bool:
    return current in allowed_from(target, via)


def ensure_transition(current: S | str, target: S, *field: str, via: str | None = None) -> None:
    """Refuse with INVALID_STATE unless `target` may follow `current` (for the operation `via`, if it has
    transitions of its own)."""
    current = S(current)
    if not can_move(current, target, via):
        allowed = ", ".join(label(s) for s in sorted(allowed_from(target, via), key=lambda s: s.value)) or _("nothing")
        raise refuse(
            UserErrorCode.INVALID_STATE,
            _(
                "an application in {current} cannot become {target} (only from {allowed})",
                current=label(current),
                target=label(target),
                allowed=allowed,
            ),
            *field,
        )
