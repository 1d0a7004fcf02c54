"""The forward model: what a lesion at a set of graph nodes does to each target.

One rule: a lesion at node X damages the fibres of root r that reach a target when X lies
on the target's nerve path (X is the supplying node or upstream of it) and X carries r.
Sensory nerve action potentials come from cell bodies in the dorsal root ganglion, so only
a lesion distal to the ganglion (any node but a root) makes them fall.
Involvement is graded 0..1: the sum, over the roots the lesion reaches, of each root's
share of the target's supply times the chance the lesion node is clinically involved, so
one root of a three-root muscle involves it partly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from plexnav.knowledge.base import KnowledgeBase
from plexnav.knowledge.records import Component

Lesion = Mapping[str, float]  # graph node -> chance it is involved (0..1)


def root_involvement(
    kb: KnowledgeBase, lesion: Lesion, nerve: str, root: str, postganglionic_only: bool = False
) -> float:
    """How much of root ``root``'s fibres through ``nerve`` the lesion damages (0..1)."""
    path = kb.upstream(nerve)
    best = 0.0
    for node, weight in lesion.items():
        if node in path and root in kb.node_roots(node):
            if postganglionic_only and kb.is_preganglionic(node):
                continue
            best = max(best, weight)
    return best


def component_involvement(
    kb: KnowledgeBase, lesion: Lesion, comp: Component, postganglionic_only: bool = False
) -> float:
    """Involvement of one nerve supply: the share of its axons, root by root, that the lesion damages."""
    total = 0.0
    for root, share in comp.roots.items():
        total += share * root_involvement(kb, lesion, comp.nerve, root, postganglionic_only)
    return min(total, 1.0)


def supply_involvement(
    kb: KnowledgeBase,
    lesion: Lesion,
    supply: Iterable[Component],
    postganglionic_only: bool = False,
    coverage: str = "share",
) -> float:
    """Involvement of a whole target: share-weighted over its supplies (or the least, for 'all')."""
    values = [(c.share, component_involvement(kb, lesion, c, postganglionic_only)) for c in supply]
    if not values:
        return 0.0
    if coverage == "all":
        return min(v for _, v in values)
    if coverage == "any":
        return max(v for _, v in values)
    return sum(share * v for share, v in values)


def muscle_involvement(kb: KnowledgeBase, lesion: Lesion, muscle: str) -> float:
    record = kb.muscles[muscle]
    return supply_involvement(kb, lesion, record.supply(), coverage=record.coverage)


def movement_involvement(kb: KnowledgeBase, lesion: Lesion, movement: str) -> float:
    record = kb.movements[movement]
    return sum(share * muscle_involvement(kb, lesion, m) for m, share in record.muscles.items())


def study_involvement(kb: KnowledgeBase, lesion: Lesion, study: str) -> float:
    record = kb.studies[study]
    return supply_involvement(kb, lesion, record.supply(), postganglionic_only=record.fibres == "sensory")


def skin_involvement(kb: KnowledgeBase, lesion: Lesion, region: str) -> float:
    record = kb.skin[region]
    return supply_involvement(kb, lesion, record.supply(), coverage=record.coverage)


def reflex_involvement(kb: KnowledgeBase, lesion: Lesion, reflex: str) -> float:
    return supply_involvement(kb, lesion, kb.reflexes[reflex].supply())


def local_pain_involvement(kb: KnowledgeBase, lesion: Lesion, region: str) -> float:
    """Pain at the lesion site itself (e.g. buttock pain with a sacral plexus lesion), or
    radiating from a root beyond its dermatome (sclerotomal pain down the back of the thigh)."""
    best = 0.0
    for node, weight in lesion.items():
        best = max(best, weight * kb.node_local_pain(node).get(region, 0.0))
    return best


def deficit_pattern(kb: KnowledgeBase, lesion: Lesion, threshold: float = 0.25) -> dict[str, dict[str, float]]:
    """Everything a lesion affects above ``threshold``: the answer to "what does a lesion here produce?"."""

    def above(items: Iterable[tuple[str, float]]) -> dict[str, float]:
        return {k: round(v, 2) for k, v in items if v >= threshold}

    return {
        "weak_movements": above((m, movement_involvement(kb, lesion, m)) for m in kb.movements),
        "reflexes_reduced": above((r, reflex_involvement(kb, lesion, r)) for r in kb.reflexes if r != "plantar"),
        "numb_regions": above((s, skin_involvement(kb, lesion, s)) for s in kb.skin),
        "abnormal_studies": above((s, study_involvement(kb, lesion, s)) for s in kb.studies),
        "denervated_muscles": above((m, muscle_involvement(kb, lesion, m)) for m, rec in kb.muscles.items() if rec.emg),
    }
