"""The application state machine: every transition names its predecessors; anything else is INVALID_STATE."""

from __future__ import annotations

import pytest

from hub.enums import ApplicationStatus as S
from hub.enums import UserErrorCode, label
from hub.errors import DomainRefusal
from hub.rules.lifecycle import ALLOWED_FROM, can_move, ensure_transition


def test_every_status_has_its_predecessors_named() -> None:
    assert set(ALLOWED_FROM) == set(S)


@pytest.mark.parametrize(
    "current, target",
    [
        (S.SUBMITTED, S.SCHOOL_APPROVED),
        (S.SCHOOL_APPROVED, S.SELECTED),
        (S.PUBLICIZED, S.RECRUITED),
        (S.TRAINED, S.WITHDRAWN),
    ],
)
def test_allowed(current: S, target: S) -> None:
    assert can_move(current, target)
    ensure_transition(current, target)


@pytest.mark.parametrize(
    "current, target",
    [
        (S.SCHOOL_REJECTED, S.SCHOOL_APPROVED),
        (S.SUBMITTED, S.RECRUITED),
        (S.IN_SERVICE, S.WITHDRAWN),
        (S.WITHDRAWN, S.SUBMITTED),
    ],
)
def test_illegal_transitions_are_invalid_state(current: S, target: S) -> None:
    with pytest.raises(DomainRefusal) as refusal:
        ensure_transition(current, target)
    assert refusal.value.problems[0].code is UserErrorCode.INVALID_STATE
    message = refusal.value.problems[0].message
    assert label(current) in message and label(target) in message  # by their labels, not their codes
    assert current.value not in message
