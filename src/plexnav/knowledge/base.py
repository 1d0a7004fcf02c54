"""Load the anatomy data files into one immutable, validated knowledge base.

The graph (networkx) runs proximal to distal: root -> spinal nerve (beyond the dorsal root
ganglion) -> dorsal / ventral ramus -> plexus -> divisions -> nerves -> lesion points.
Targets (muscles, skin regions, reflex arcs, conduction studies) hang off graph nodes
through their nerve supply.  :mod:`plexnav.knowledge.forward` applies the one rule that
turns a lesion into deficits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Protocol, TypeAlias, TypedDict, TypeVar

import networkx as nx

from plexnav import vocabulary as V
from plexnav.knowledge import files
from plexnav.knowledge.age import is_age_condition
from plexnav.knowledge.records import (
    ActivityRecord,
    Component,
    EvidenceRecord,
    FamilyParameters,
    HypothesisRecord,
    MimicRecord,
    MovementRecord,
    MuscleRecord,
    NodeRecord,
    ReflexRecord,
    RootRecord,
    SignRecord,
    SiteRiskRule,
    SkinRecord,
    StudyRecord,
    VisceralRecord,
)

KNOWLEDGE_VERSION = "2026.11.2"
_ROOT_ORDER: Mapping[str, int] = MappingProxyType({level: i for i, level in enumerate(V.ROOT_LEVELS)})


# node attributes (set in _build_graph): kind, name, short: str; roots: frozenset[str];
# local_pain: Mapping[str, float].  Not a TypedDict: the networkx stubs take only the
# default node-data type.
NerveGraph: TypeAlias = "nx.DiGraph[str]"  # not subscriptable at run time


class _SegmentNode(TypedDict):
    id: str
    kind: str
    name: str
    parents: list[str]
    roots: list[str]


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_R = TypeVar("_R", bound=_HasId)


def _index(records: Iterable[_R], label: str) -> Mapping[str, _R]:
    out: dict[str, _R] = {}
    for rec in records:
        if rec.id in out:
            raise ValueError(f"duplicate {label} id {rec.id!r}")
        out[rec.id] = rec
    return MappingProxyType(out)


@dataclass(frozen=True)
class KnowledgeBase:
    version: str
    content_hash: str
    graph: NerveGraph
    roots: Mapping[str, RootRecord]
    nodes: Mapping[str, NodeRecord]
    muscles: Mapping[str, MuscleRecord]
    movements: Mapping[str, MovementRecord]
    reflexes: Mapping[str, ReflexRecord]
    skin: Mapping[str, SkinRecord]
    studies: Mapping[str, StudyRecord]
    signs: Mapping[str, SignRecord]
    activities: Mapping[str, ActivityRecord]
    visceral: Mapping[str, VisceralRecord]
    nonlocalizing_symptoms: tuple[str, ...]
    hypotheses: tuple[HypothesisRecord, ...]
    polyradiculopathy: Mapping[str, Any]  # sites.yaml, as read
    differential: Mapping[str, tuple[str, ...]]
    length_dependent: Mapping[int, float]
    families: Mapping[str, FamilyParameters]
    parameters: Mapping[str, Any]  # likelihood.yaml, as read
    site_risk: Mapping[str, SiteRiskRule]  # history factor -> the sites it points to
    sources: Mapping[str, dict[str, Any]]
    evidence: Mapping[str, EvidenceRecord]  # non-anatomical findings (mimics.yaml)
    evidence_overrides: Mapping[str, Mapping[str, float]]
    mimics: Mapping[str, MimicRecord]
    imaging: Mapping[str, Any]  # imaging.yaml, as read
    _ancestors: Mapping[str, frozenset[str]] = field(repr=False, default_factory=dict)

    @property
    def version_label(self) -> str:
        """What every assessment reports: version plus a short content hash."""
        return f"{self.version}+{self.content_hash[:12]}"

    @property
    def root_order(self) -> Mapping[str, int]:
        """Root level -> position, rostral to caudal (L1 = 0 ... S4 = 8)."""
        return _ROOT_ORDER

    def upstream(self, node: str) -> frozenset[str]:
        """The node and every node proximal to it (the path its fibres travel)."""
        return self._ancestors[node]

    def node_roots(self, node: str) -> frozenset[str]:
        roots: frozenset[str] = self.graph.nodes[node]["roots"]
        return roots

    def is_preganglionic(self, node: str) -> bool:
        kind: str = self.graph.nodes[node]["kind"]
        return kind == "root"

    def node_name(self, node: str) -> str:
        name: str = self.graph.nodes[node]["name"]
        return name

    def nerve_name(self, node: str) -> str:
        """Short clinical name of the nerve a node belongs to ('tibial nerve')."""
        short: str = self.graph.nodes[node]["short"]
        return short


def _segment_nodes(level: str) -> list[_SegmentNode]:
    """The four per-segment nodes every root level has (see structures.yaml header)."""
    return [
        {"id": f"root:{level}", "kind": "root", "name": f"{level} root", "parents": [], "roots": [level]},
        {
            "id": f"spinal_nerve:{level}",
            "kind": "spinal_nerve",
            "name": f"{level} spinal nerve",
            "parents": [f"root:{level}"],
            "roots": [level],
        },
        {
            "id": f"dorsal_ramus:{level}",
            "kind": "dorsal_ramus",
            "name": f"{level} dorsal ramus",
            "parents": [f"spinal_nerve:{level}"],
            "roots": [level],
        },
        {
            "id": f"ventral_ramus:{level}",
            "kind": "ventral_ramus",
            "name": f"{level} ventral ramus",
            "parents": [f"spinal_nerve:{level}"],
            "roots": [level],
        },
    ]


def _build_graph(
    roots: Mapping[str, RootRecord], nodes: Mapping[str, NodeRecord], root_local_pain: Sequence[V.SkinRegion]
) -> NerveGraph:
    graph: NerveGraph = nx.DiGraph()
    for level in roots:
        for spec in _segment_nodes(level):
            pain: dict[V.SkinRegion, float] = {}
            if spec["kind"] == "root":
                pain = {**roots[level].radicular_pain, **dict.fromkeys(root_local_pain, 1.0)}
            graph.add_node(
                spec["id"],
                kind=spec["kind"],
                name=spec["name"],
                short=spec["name"],
                roots=frozenset(spec["roots"]),
                local_pain=MappingProxyType(pain),
            )
            for parent in spec["parents"]:
                graph.add_edge(parent, spec["id"])
    for rec in nodes.values():
        graph.add_node(
            rec.id,
            kind=rec.kind,
            name=rec.name,
            short=rec.short,
            roots=frozenset(rec.roots),
            local_pain=MappingProxyType(dict.fromkeys(rec.local_pain, 1.0)),
        )
    for rec in nodes.values():
        for parent in rec.parents:
            if parent not in graph:
                raise ValueError(f"node {rec.id!r}: unknown parent {parent!r}")
            graph.add_edge(parent, rec.id)
        carried = set().union(*(graph.nodes[p]["roots"] for p in rec.parents))
        if not set(rec.roots) <= carried:
            raise ValueError(f"node {rec.id!r} carries roots its parents do not: {set(rec.roots) - carried}")
    if not nx.is_directed_acyclic_graph(graph):
        raise ValueError("the nerve graph has a cycle")
    frozen: NerveGraph = nx.freeze(graph)  # the stubs leave freeze()'s return (its argument) untyped
    return frozen


def _check_supply(kb_graph: NerveGraph, owner: str, components: Iterable[Component]) -> None:
    for comp in components:
        if comp.nerve not in kb_graph:
            raise ValueError(f"{owner}: unknown nerve node {comp.nerve!r}")
        extra = set(comp.roots) - kb_graph.nodes[comp.nerve]["roots"]
        if extra:
            raise ValueError(f"{owner}: roots {sorted(extra)} do not run in {comp.nerve!r}")


@lru_cache(maxsize=1)
def load_knowledge() -> KnowledgeBase:
    """Read, validate and freeze the knowledge base (cached: the data never changes at run time)."""
    read = files.read_yaml
    structures = read("structures.yaml")
    roots: Mapping[str, RootRecord] = MappingProxyType(
        {r.level: r for r in map(RootRecord.model_validate, structures["roots"])}
    )
    nodes = _index(map(NodeRecord.model_validate, structures["nodes"]), "node")
    graph = _build_graph(roots, nodes, structures["root_local_pain"])

    muscles = _index(map(MuscleRecord.model_validate, read("muscles.yaml")), "muscle")
    skin = _index(map(SkinRecord.model_validate, read("skin_regions.yaml")), "skin region")
    reflexes = _index(map(ReflexRecord.model_validate, read("reflexes.yaml")), "reflex")
    studies = _index(map(StudyRecord.model_validate, read("conduction_studies.yaml")), "study")
    movements = _index(map(MovementRecord.model_validate, read("movements.yaml")), "movement")
    signs = _index(map(SignRecord.model_validate, read("signs.yaml")), "sign")
    symptoms = read("symptoms.yaml")
    activities = _index(map(ActivityRecord.model_validate, symptoms["activities"]), "activity")
    visceral = _index(map(VisceralRecord.model_validate, symptoms["visceral"]), "visceral symptom")
    sites = read("sites.yaml")
    hypotheses = tuple(map(HypothesisRecord.model_validate, sites["hypotheses"]))
    likelihood = read("likelihood.yaml")
    families = MappingProxyType({k: FamilyParameters.model_validate(v) for k, v in likelihood["families"].items()})
    mimic_data = read("mimics.yaml")
    mimics = _index(map(MimicRecord.model_validate, mimic_data["mimics"]), "mimic")
    evidence = MappingProxyType({k: EvidenceRecord.model_validate(v) for k, v in mimic_data["evidence"].items()})
    for key, rec in evidence.items():
        unknown = (set(rec.mimic) | set(mimic_data["overrides"].get(key, {}))) - set(mimics)
        if unknown:
            raise ValueError(f"evidence {key!r}: unknown mimics {sorted(unknown)}")
        if set(rec.family) - set(likelihood["priors"]):
            raise ValueError(
                f"evidence {key!r}: unknown families {sorted(set(rec.family) - set(likelihood['priors']))}"
            )
    imaging = read("imaging.yaml")
    for key in likelihood["background_polyneuropathy"]["odds_ratio"]:
        factor = key.removeprefix("factor:")
        if not is_age_condition(key) and (factor == key or factor not in V.HISTORY_FACTORS):
            raise ValueError(
                f"background_polyneuropathy.odds_ratio: {key!r} is neither 'factor:<history factor>' "
                "nor an age condition ('age>=N', 'age<N')"
            )
    site_risk: dict[str, SiteRiskRule] = {}
    for feature, rule in likelihood["site_risk"].items():
        factor = feature.removeprefix("factor:")
        if factor not in V.HISTORY_FACTORS:
            raise ValueError(f"site_risk: unknown history factor {feature!r}")
        site_risk[feature] = record = SiteRiskRule.model_validate(rule)
        if bad_families := sorted(set(record.families) - set(likelihood["priors"])):
            raise ValueError(f"site_risk {feature!r}: bad_families families {bad_families}")
    families = MappingProxyType(
        {**families, **{f"imaging_{cls}": FamilyParameters.model_validate(v) for cls, v in imaging["classes"].items()}}
    )

    for label, table in (
        ("muscle", muscles),
        ("skin region", skin),
        ("reflex", reflexes),
        ("study", studies),
        ("visceral symptom", visceral),
    ):
        for target in table.values():
            _check_supply(
                graph, f"{label} {target.id}", target.supply() if hasattr(target, "supply") else target.components
            )
    for sign in signs.values():
        if sign.nerve and sign.nerve not in graph:
            raise ValueError(f"sign {sign.id}: unknown nerve {sign.nerve!r}")
        for node in sign.nodes:
            if node not in graph:
                raise ValueError(f"sign {sign.id}: unknown node {node!r}")
        for muscle in sign.muscles:
            if muscle not in muscles:
                raise ValueError(f"sign {sign.id}: unknown muscle {muscle!r}")
    for move in movements.values():
        for muscle in move.muscles:
            if muscle not in muscles:
                raise ValueError(f"movement {move.id}: unknown muscle {muscle!r}")
    for hyp in hypotheses:
        for node in (*hyp.lesion, *hyp.contralateral):
            if node not in graph:
                raise ValueError(f"hypothesis {hyp.id}: unknown lesion node {node!r}")
        if hyp.family not in likelihood["priors"]:
            raise ValueError(f"hypothesis {hyp.id}: no prior for family {hyp.family!r}")
        if hyp.mimic is not None and hyp.mimic not in mimics:
            raise ValueError(f"hypothesis {hyp.id}: unknown mimic {hyp.mimic!r}")
    hypothesis_ids = {hyp.id for hyp in hypotheses}
    for key, rec in evidence.items():
        if set(rec.hypothesis) - hypothesis_ids:
            raise ValueError(f"evidence {key!r}: unknown hypotheses {sorted(set(rec.hypothesis) - hypothesis_ids)}")

    for site, others in sites["differential"].items():
        for other in [site, *others]:
            if other not in V.SITES:
                raise ValueError(f"differential of {site!r}: unknown site {other!r}")
    ancestors = MappingProxyType({n: frozenset(nx.ancestors(graph, n)) | {n} for n in graph})
    return KnowledgeBase(
        version=KNOWLEDGE_VERSION,
        content_hash=files.content_hash(),
        graph=graph,
        roots=roots,
        nodes=nodes,
        muscles=muscles,
        movements=movements,
        reflexes=reflexes,
        skin=skin,
        studies=studies,
        signs=signs,
        activities=activities,
        visceral=visceral,
        nonlocalizing_symptoms=tuple(symptoms["nonlocalizing"]),
        hypotheses=hypotheses,
        polyradiculopathy=MappingProxyType(sites["polyradiculopathy"]),
        differential=MappingProxyType({k: tuple(v) for k, v in sites["differential"].items()}),
        length_dependent=MappingProxyType({int(k): float(v) for k, v in sites["length_dependent"].items()}),
        families=families,
        parameters=MappingProxyType(likelihood),
        site_risk=MappingProxyType(site_risk),
        sources=MappingProxyType(files.read_sources()),
        evidence=evidence,
        evidence_overrides=MappingProxyType({k: MappingProxyType(v) for k, v in mimic_data["overrides"].items()}),
        mimics=mimics,
        imaging=MappingProxyType(imaging),
        _ancestors=ancestors,
    )


def spec_ids_missing(kb: KnowledgeBase) -> list[str]:
    """Spec ids with no knowledge record behind them (a consistency test wants none)."""
    missing = []
    for table, ids, label in (
        (kb.movements, V.MOVEMENTS, "movement"),
        (kb.reflexes, V.REFLEXES, "reflex"),
        (kb.skin, V.SKIN_REGIONS, "region"),
        (kb.studies, V.NCS_STUDIES, "study"),
        (kb.signs, V.SIGNS, "sign"),
        (kb.activities, V.WEAKNESS_ACTIVITIES, "activity"),
    ):
        missing += [f"{label}:{i}" for i in ids if i not in table]
    missing += [f"muscle:{m}" for m in V.EMG_MUSCLES if m not in kb.muscles]
    sites = {h.site for h in kb.hypotheses} | {"polyradiculopathy"}
    missing += [f"site:{s}" for s in V.SITES if s not in sites]
    return missing
