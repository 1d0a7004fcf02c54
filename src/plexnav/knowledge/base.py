"""Load the anatomy data files into one immutable, validated knowledge base.

The nerve graph runs proximal to distal: root -> spinal nerve (beyond the dorsal root
ganglion) -> dorsal / ventral ramus -> plexus -> divisions -> nerves -> lesion points.
Targets (muscles, skin regions, reflex arcs, conduction studies) hang off graph nodes
through their nerve supply.  :mod:`plexnav.knowledge.forward` applies the one rule that
turns a lesion into deficits.

The graph is kept as plain data (node attributes, edges, each node's upstream set); the
networkx view (:attr:`KnowledgeBase.graph`) is built, and networkx imported, only when
something asks for it, so loading the knowledge for an assessment never imports networkx.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypedDict, TypeVar, get_args

from plexnav import vocabulary as V
from plexnav.knowledge import files
from plexnav.knowledge.age import is_age_condition
from plexnav.knowledge.records import (
    ActivityRecord,
    CentralEffect,
    Component,
    EvidenceRecord,
    FamilyParameters,
    HypothesisRecord,
    IrritativeTwins,
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

if TYPE_CHECKING:
    import networkx as nx

KNOWLEDGE_VERSION = "2026.11.2"
_ROOT_ORDER: Mapping[str, int] = MappingProxyType({level: i for i, level in enumerate(V.ROOT_LEVELS)})


# node attributes (set in _build_graph): kind, name, short: str; roots: frozenset[str];
# local_pain: Mapping[str, float].  Not a TypedDict: the networkx stubs take only the
# default node-data type.
NerveGraph: TypeAlias = "nx.DiGraph[str]"  # not subscriptable at run time
NodeData: TypeAlias = Mapping[str, Mapping[str, Any]]  # node -> its attributes, in insertion order


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


def imaging_classes(imaging: Mapping[str, Any]) -> dict[str, Any]:
    """Every imaging evidence class of imaging.yaml: the classes read at a level and side,
    and those read when the report gives no level."""
    return {**imaging["classes"], **imaging["unlevelled"]["classes"]}


def root_range_id(first: str, last: str) -> str:
    """The id (before its side) of the root-range hypothesis from ``first`` to ``last``
    (sites.yaml polyradiculopathy ranges, built by engine.hypotheses)."""
    return f"polyradiculopathy_{first}_{last}"


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
    node_data: NodeData  # the graph's nodes and their attributes (see NerveGraph)
    edges: tuple[tuple[str, str], ...]  # (parent, child), proximal to distal, in insertion order
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

    @cached_property
    def graph(self) -> NerveGraph:
        """The nerve graph as a frozen networkx DiGraph, built (and networkx imported) on
        first use; node and edge order are those of loading."""
        import networkx as nx

        graph: NerveGraph = nx.DiGraph()
        for node, attributes in self.node_data.items():
            graph.add_node(node, **attributes)
        graph.add_edges_from(self.edges)
        frozen: NerveGraph = nx.freeze(graph)  # the stubs leave freeze()'s return (its argument) untyped
        return frozen

    def __getstate__(self) -> dict[str, Any]:
        """Pickled without the networkx view (rebuilt from node_data and edges on demand)."""
        return {name: value for name, value in self.__dict__.items() if name != "graph"}

    def node_roots(self, node: str) -> frozenset[str]:
        roots: frozenset[str] = self.node_data[node]["roots"]
        return roots

    def node_local_pain(self, node: str) -> Mapping[str, float]:
        """Skin region -> weight of pain felt at the lesion site itself (or sclerotomal)."""
        pain: Mapping[str, float] = self.node_data[node]["local_pain"]
        return pain

    def is_preganglionic(self, node: str) -> bool:
        kind: str = self.node_data[node]["kind"]
        return kind == "root"

    def node_name(self, node: str) -> str:
        name: str = self.node_data[node]["name"]
        return name

    def nerve_name(self, node: str) -> str:
        """Short clinical name of the nerve a node belongs to ('tibial nerve')."""
        short: str = self.node_data[node]["short"]
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
) -> tuple[NodeData, tuple[tuple[str, str], ...]]:
    """The nerve graph's nodes (with attributes) and edges, checked: every parent known,
    no node carrying a root its parents do not, no cycle."""
    data: dict[str, Mapping[str, Any]] = {}
    edges: dict[tuple[str, str], None] = {}  # an ordered set: a repeated edge counts once
    for level in roots:
        for spec in _segment_nodes(level):
            pain: dict[V.SkinRegion, float] = {}
            if spec["kind"] == "root":
                pain = {**roots[level].radicular_pain, **dict.fromkeys(root_local_pain, 1.0)}
            data[spec["id"]] = MappingProxyType(
                {
                    "kind": spec["kind"],
                    "name": spec["name"],
                    "short": spec["name"],
                    "roots": frozenset(spec["roots"]),
                    "local_pain": MappingProxyType(pain),
                }
            )
            for parent in spec["parents"]:
                edges[(parent, spec["id"])] = None
    for rec in nodes.values():
        data[rec.id] = MappingProxyType(
            {
                "kind": rec.kind,
                "name": rec.name,
                "short": rec.short,
                "roots": frozenset(rec.roots),
                "local_pain": MappingProxyType(dict.fromkeys(rec.local_pain, 1.0)),
            }
        )
    for rec in nodes.values():
        for parent in rec.parents:
            if parent not in data:
                raise ValueError(f"node {rec.id!r}: unknown parent {parent!r}")
            edges[(parent, rec.id)] = None
        carried = set().union(*(data[p]["roots"] for p in rec.parents))
        if not set(rec.roots) <= carried:
            raise ValueError(f"node {rec.id!r} carries roots its parents do not: {set(rec.roots) - carried}")
    return MappingProxyType(data), tuple(edges)


def _upstream_sets(data: NodeData, edges: Sequence[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """Each node with every node proximal to it; a ValueError if the graph has a cycle.
    (Kahn's order: a node is done once all its parents are.)"""
    parents: dict[str, list[str]] = {node: [] for node in data}
    children: dict[str, list[str]] = {node: [] for node in data}
    for parent, child in edges:
        parents[child].append(parent)
        children[parent].append(child)
    waiting = {node: len(ps) for node, ps in parents.items()}
    ready = [node for node, count in waiting.items() if count == 0]
    upstream: dict[str, frozenset[str]] = {}
    while ready:
        node = ready.pop()
        upstream[node] = frozenset({node}).union(*(upstream[p] for p in parents[node]))
        for child in children[node]:
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    if len(upstream) < len(data):
        raise ValueError("the nerve graph has a cycle")
    return {node: upstream[node] for node in data}


def _check_supply(graph: NodeData, owner: str, components: Iterable[Component]) -> None:
    for comp in components:
        if comp.nerve not in graph:
            raise ValueError(f"{owner}: unknown nerve node {comp.nerve!r}")
        extra = set(comp.roots) - graph[comp.nerve]["roots"]
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
    graph, edges = _build_graph(roots, nodes, structures["root_local_pain"])
    ancestors = MappingProxyType(_upstream_sets(graph, edges))

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
    for mimic in mimics.values():
        if sensory := sorted(s for s in mimic.motor_responses if studies[s].fibres != "motor"):
            raise ValueError(f"mimic {mimic.id!r}: motor_responses names studies that are not motor: {sensory}")
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
    sides_of = {h.id: set(h.sides) for h in hypotheses}
    unknown_records = {
        entry
        for entry in likelihood["background_polyneuropathy"].get("records", ())
        for record, _, side in [entry.partition(":")]
        if record not in sides_of or (side and side not in sides_of[record])
    }
    if unknown_records:
        raise ValueError(
            f"background_polyneuropathy.records: unknown hypothesis records or sides {sorted(unknown_records)} "
            "(a record's id, or 'id:side' with one of its sides)"
        )
    central = likelihood.get("background_central")
    if central is not None:
        unknown = set(central["families"]) - set(likelihood["priors"])
        effects = set(central["central"]) - set(get_args(CentralEffect))
        if unknown or effects:
            raise ValueError(
                f"background_central: unknown families {sorted(unknown)} or central effects {sorted(effects)} "
                f"(effects: {', '.join(get_args(CentralEffect))})"
            )
    for key in likelihood["background_polyneuropathy"]["odds_ratio"]:
        factor = key.removeprefix("factor:")
        if not is_age_condition(key) and (factor == key or factor not in V.HISTORY_FACTORS):
            raise ValueError(
                f"background_polyneuropathy.odds_ratio: {key!r} is neither 'factor:<history factor>' "
                "nor an age condition ('age>=N', 'age<N')"
            )
    irritative = IrritativeTwins.model_validate(likelihood["irritative"])
    if bad := sorted(set(irritative.families) - set(likelihood["priors"])):
        raise ValueError(f"irritative: unknown families {bad}")
    site_risk: dict[str, SiteRiskRule] = {}
    for feature, rule in likelihood["site_risk"].items():
        factor = feature.removeprefix("factor:")
        if factor not in V.HISTORY_FACTORS:
            raise ValueError(f"site_risk: unknown history factor {feature!r}")
        site_risk[feature] = record = SiteRiskRule.model_validate(rule)
        if bad_families := sorted(set(record.families) - set(likelihood["priors"])):
            raise ValueError(f"site_risk {feature!r}: unknown families {bad_families}")
        if bad_mimics := sorted(set(record.mimics) - set(mimics)):
            raise ValueError(f"site_risk {feature!r}: unknown look-alikes {bad_mimics}")
    families = MappingProxyType(
        {
            **families,
            **{f"imaging_{cls}": FamilyParameters.model_validate(v) for cls, v in imaging_classes(imaging).items()},
        }
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
    known_hypotheses = {h.id for h in hypotheses}
    for symptom in visceral.values():
        for hyp_id in symptom.neuralgia:
            if hyp_id not in known_hypotheses:
                raise ValueError(f"visceral symptom {symptom.id}: neuralgia of unknown hypothesis {hyp_id!r}")
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
    poly = sites["polyradiculopathy"]
    ranges = [*poly["ranges"], *poly.get("sacral_ranges", []), *poly.get("diffuse_ranges", [])]
    # the root ranges are built from these spans (engine.hypotheses), named after them
    hypothesis_ids = {hyp.id for hyp in hypotheses} | {root_range_id(first, last) for first, last in ranges}
    for key, rec in evidence.items():
        if set(rec.hypothesis) - hypothesis_ids:
            raise ValueError(f"evidence {key!r}: unknown hypotheses {sorted(set(rec.hypothesis) - hypothesis_ids)}")

    for site, others in sites["differential"].items():
        for other in [site, *others]:
            if other not in V.SITES:
                raise ValueError(f"differential of {site!r}: unknown site {other!r}")
    return KnowledgeBase(
        version=KNOWLEDGE_VERSION,
        content_hash=files.content_hash(),
        node_data=graph,
        edges=edges,
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
