"""R15–R18, R20, R23: the recruitment matcher (hub.rules.matching) against a brute-force solver on small
random instances: every suggestion keeps the quota and the preferences, and its (placed, first, second,
third) is the lexicographic maximum over every feasible assignment. Pure rule, no database."""

from __future__ import annotations

import itertools
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.rules.matching import Applicant, Matching, Placement, UnplacedReason, greedy, match

PROVINCES = ["53", "62", "65", "66"]


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[Applicant], dict[str, int]]:
    count = draw(st.integers(min_value=0, max_value=6))
    applicants = [
        Applicant(
            key=100 + index,
            preferences=tuple(draw(st.permutations(PROVINCES))[:3]),  # type: ignore[arg-type]
            accepts_adjustment=draw(st.booleans()),
        )
        for index in range(count)
    ]
    free = {code: draw(st.integers(min_value=0, max_value=3)) for code in draw(st.sets(st.sampled_from(PROVINCES)))}
    return applicants, free


def _allowed(applicant: Applicant, free: dict[str, int]) -> list[tuple[str, int | None]]:
    ranks = {code: rank for rank, code in enumerate(applicant.preferences, start=1)}
    return [
        (code, ranks.get(code)) for code in free if free[code] > 0 and (code in ranks or applicant.accepts_adjustment)
    ]


def brute_force(applicants: list[Applicant], free: dict[str, int]) -> tuple[int, int, int, int]:
    """The best (placed, first, second, third) over every assignment that keeps the quota."""
    best = (0, 0, 0, 0)
    choices = [[None, *_allowed(a, free)] for a in applicants]
    for assignment in itertools.product(*choices):
        used = Counter(choice[0] for choice in assignment if choice is not None)
        if any(used[code] > free[code] for code in used):
            continue
        ranks = Counter(choice[1] for choice in assignment if choice is not None)
        best = max(best, (sum(used.values()), ranks[1], ranks[2], ranks[3]))
    return best


def _feasible(result: Matching, applicants: list[Applicant], free: dict[str, int]) -> None:
    by_key = {a.key: a for a in applicants}
    placed = [p.key for p in result.placements]
    assert sorted(placed + [k for k, _ in result.unplaced]) == sorted(by_key), "each applicant once"
    used = Counter(p.province for p in result.placements)
    assert all(used[code] <= free.get(code, 0) for code in used), "a quota cell overdrawn"
    for p in result.placements:
        applicant = by_key[p.key]
        if p.rank is None:
            assert applicant.accepts_adjustment and p.province not in applicant.preferences
        else:
            assert applicant.preferences[p.rank - 1] == p.province
    for key, reason in result.unplaced:
        applicant = by_key[key]
        options = [code for code, _ in _allowed(applicant, free)]
        assert all(used[code] == free[code] for code in options), "left idle a unit this applicant could use"
        expected = UnplacedReason.QUOTA_FULL if applicant.accepts_adjustment else UnplacedReason.PREFERENCES_FULL
        assert reason is expected


@settings(max_examples=300, deadline=None)
@given(instances())
def test_suggestions_are_the_lexicographic_optimum(instance: tuple[list[Applicant], dict[str, int]]) -> None:
    applicants, free = instance
    result = match(applicants, free)
    _feasible(result, applicants, free)
    assert result.objective() == brute_force(applicants, free)
    assert match(applicants, free) == result, "the same instance gives the same suggestions"


@settings(max_examples=200, deadline=None)
@given(instances())
def test_first_come_greedy_is_feasible_and_never_better(instance: tuple[list[Applicant], dict[str, int]]) -> None:
    applicants, free = instance
    result = greedy(applicants, free)
    _feasible_greedy = [p for p in result.placements if free.get(p.province, 0) <= 0]
    assert not _feasible_greedy
    assert result.objective() <= match(applicants, free).objective()


def test_better_ranked_applicants_of_a_group_take_the_better_choices() -> None:
    """Three applicants with the same preferences and one unit in each: the first in the caller's order
    (selection ranking, then id) gets the first preference."""
    same = ("62", "53", "65")
    applicants = [Applicant(key, same, False) for key in (7, 3, 5)]
    result = match(applicants, {"62": 1, "53": 1, "65": 1})
    assert result.placements == [Placement(7, "62", 1), Placement(3, "53", 2), Placement(5, "65", 3)]


def test_greedy_loses_first_choices_the_matcher_keeps() -> None:
    """A first-come order takes 62 for an applicant who accepts anything; the matcher gives it to the one
    who wants only 62."""
    applicants = [Applicant(1, ("62", "53", "65"), True), Applicant(2, ("62", "53", "65"), False)]
    free = {"62": 1, "66": 1}
    assert greedy(applicants, free).by_rank() == {
        "first": 1,
        "second": 0,
        "third": 0,
        "adjusted": 0,
        "unplaced": 1,
    }
    best = match(applicants, free)
    assert best.by_rank() == {"first": 1, "second": 0, "third": 0, "adjusted": 1, "unplaced": 0}
    assert Placement(2, "62", 1) in best.placements and Placement(1, "66", None) in best.placements


def test_no_quota_places_nobody() -> None:
    applicants = [Applicant(1, ("62", "53", "65"), True), Applicant(2, ("62", "53", "65"), False)]
    result = match(applicants, {})
    assert result.placements == []
    assert result.unplaced == [(1, UnplacedReason.QUOTA_FULL), (2, UnplacedReason.PREFERENCES_FULL)]
