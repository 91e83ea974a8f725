"""R15–R18, R20, R23: recruitment suggestions (招募建议) — which serving province each applicant of a
recruiting province should sign the recruitment agreement with, solved exactly as a min-cost flow.

The objective is lexicographic: first as many applicants placed as the free quota allows (a maximum
flow), then as many first preferences as possible, then second, then third. Applicants with the same
preferences and the same answer on adjustment are interchangeable for that objective, so the network has
one node per such group (a few hundred even for thousands of applicants):

    source ─(group size)→ group ─(rank edge, cost)→ serving province ─(free quota)→ sink

A rank edge costs −W₁, −W₂, −W₃ for a first, second or third preference and 0 for an adjustment (only
for groups that accept adjustment), with W₃ = 1, W₂ = n + 1, W₁ = (n + 1)²: n placements of a lower rank
never outweigh one of a higher rank, so the minimum cost among maximum flows is the lexicographic optimum.
The costs are integers and networkx's network simplex is exact on them.

Ties are broken deterministically: groups and provinces enter the network in sorted order, and inside a
group the better-ranked applicants (the order the caller gives, e.g. by selection scores then id) take
the better choices the flow gives that group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

import networkx as nx

ADJUSTED = None  # the preference rank of a placement by adjustment


class UnplacedReason(Enum):
    """Why an applicant gets no suggestion."""

    PREFERENCES_FULL = "PREFERENCES_FULL"  # did not accept adjustment; no free quota among the 3 preferences
    QUOTA_FULL = "QUOTA_FULL"  # accepts adjustment, but every free unit of quota went to someone placed


@dataclass(frozen=True)
class Applicant:
    """An applicant as matching sees them: a key (the application id), the three preferred serving
    provinces in order (R20) and whether they accept adjustment (R23)."""

    key: int
    preferences: tuple[str, str, str]
    accepts_adjustment: bool


@dataclass(frozen=True)
class Placement:
    key: int
    province: str
    rank: int | None  # 1–3, or None when placed by adjustment


@dataclass
class Matching:
    """The suggestions: placements in the caller's applicant order, the unplaced with their reason."""

    placements: list[Placement] = field(default_factory=list)
    unplaced: list[tuple[int, UnplacedReason]] = field(default_factory=list)

    def by_rank(self) -> dict[str, int]:
        counts = {"first": 0, "second": 0, "third": 0, "adjusted": 0, "unplaced": len(self.unplaced)}
        names = {1: "first", 2: "second", 3: "third", None: "adjusted"}
        for p in self.placements:
            counts[names[p.rank]] += 1
        return counts

    def objective(self) -> tuple[int, int, int, int]:
        """(placed, first, second, third): what the matching maximizes, in this order."""
        counts = self.by_rank()
        return (len(self.placements), counts["first"], counts["second"], counts["third"])


def _options(applicant: Applicant, provinces: Sequence[str]) -> list[tuple[str, int | None]]:
    """(province, rank) the applicant may be placed in: their preferences, then by adjustment any other."""
    options: list[tuple[str, int | None]] = []
    for rank, code in enumerate(applicant.preferences, start=1):
        if code in provinces and all(code != c for c, _ in options):
            options.append((code, rank))
    if applicant.accepts_adjustment:
        options.extend((code, ADJUSTED) for code in provinces if all(code != c for c, _ in options))
    return options


def match(applicants: Sequence[Applicant], free: Mapping[str, int]) -> Matching:
    """Suggest a serving province for each applicant (given in priority order) within `free` quota per
    serving province: the exact lexicographic optimum described in the module docstring."""
    provinces = sorted(code for code, units in free.items() if units > 0)
    groups: dict[tuple[tuple[str, str, str], bool], list[Applicant]] = defaultdict(list)
    for applicant in applicants:
        groups[(applicant.preferences, applicant.accepts_adjustment)].append(applicant)
    n = len(applicants)
    weight = {1: (n + 1) ** 2, 2: n + 1, 3: 1, ADJUSTED: 0}

    graph = nx.DiGraph()
    graph.add_node("source")
    for index, key in enumerate(sorted(groups)):
        members = groups[key]
        graph.add_edge("source", ("group", index), capacity=len(members), weight=0)
        for code, rank in _options(members[0], provinces):
            graph.add_edge(("group", index), ("province", code), capacity=len(members), weight=-weight[rank])
    for code in provinces:
        graph.add_edge(("province", code), "sink", capacity=free[code], weight=0)
    flow = nx.max_flow_min_cost(graph, "source", "sink") if provinces else {}

    chosen: dict[int, Placement] = {}
    for index, key in enumerate(sorted(groups)):
        members = groups[key]
        seats: list[tuple[str, int | None]] = []
        for code, rank in _options(members[0], provinces):  # best option first
            seats.extend([(code, rank)] * flow.get(("group", index), {}).get(("province", code), 0))
        for applicant, (code, rank) in zip(members, seats, strict=False):
            chosen[applicant.key] = Placement(applicant.key, code, rank)
    result = Matching()
    for applicant in applicants:
        if applicant.key in chosen:
            result.placements.append(chosen[applicant.key])
        else:
            reason = UnplacedReason.QUOTA_FULL if applicant.accepts_adjustment else UnplacedReason.PREFERENCES_FULL
            result.unplaced.append((applicant.key, reason))
    return result


def greedy(applicants: Sequence[Applicant], free: Mapping[str, int]) -> Matching:
    """First come, first served (the comparison in bench/): each applicant in turn takes their best option
    with a free unit left."""
    left = dict(free)
    provinces = sorted(code for code, units in free.items() if units > 0)
    result = Matching()
    for applicant in applicants:
        for code, rank in _options(applicant, provinces):
            if left[code] > 0:
                left[code] -= 1
                result.placements.append(Placement(applicant.key, code, rank))
                break
        else:
            reason = UnplacedReason.QUOTA_FULL if applicant.accepts_adjustment else UnplacedReason.PREFERENCES_FULL
            result.unplaced.append((applicant.key, reason))
    return result
