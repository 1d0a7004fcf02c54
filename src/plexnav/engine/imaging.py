"""Imaging as localizing evidence: which structure a scan finding lies on, and how likely
each lesion hypothesis makes such a finding there.

Why: real records are sparse on examination and rich in imaging.  A foraminal L3-L4 disc on
the right presses the exiting right L3 root; a thickened sacral plexus is evidence for a
sacral plexopathy.  The scan is one more finding, weighed with false-positive rates from
asymptomatic populations (``imaging.yaml``), so it informs the ranking and never overrules
a clear examination and EMG.

A *structure* is a site id (``root:L3``, ``plexus:sacral``, ``nerve:tibial``,
``cauda_equina``), a look-alike (``mimic:hip_joint``), or a group a finding points to when
the report does not name one: ``disc:L4-L5`` (a disc of unknown position: the traversing
root, or the exiting one), ``canal:L4-L5`` (central canal: the cauda equina and the
traversing roots on both sides), ``pelvis:mass`` (a pelvic finding with no structure named).
A spine finding whose report gives no level is read on ``spine:disc``, ``spine:exiting``,
``spine:traversing``, ``spine:canal`` or ``spine:compression``: the same structures spread
over the levels where such findings usually lie, with their own (higher) false-positive
rates (``imaging.yaml: unlevelled``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING

from plexnav import vocabulary as V
from plexnav.case import Case, Investigation
from plexnav.engine.hypotheses import Hypothesis
from plexnav.engine.memo import memo_store, once_per_object
from plexnav.engine.wording import structure_name
from plexnav.knowledge.base import KnowledgeBase

if TYPE_CHECKING:
    from plexnav.engine.catalogue import FindingSpec

MIDLINE_STRUCTURES = ("cauda_equina", "conus_medullaris", "spinal_cord")
UNLEVELLED_LATERAL = ("spine:disc", "spine:exiting", "spine:traversing")
UNLEVELLED_MIDLINE = ("spine:canal", "spine:compression")
_CORD_LEVELS = {"conus_medullaris", "spinal_cord"}
NAMED_CLASSES = ("named", "named_degenerative")  # a structure the report names
_NEIGHBOURS = {("cauda_equina", "conus_medullaris"), ("conus_medullaris", "spinal_cord")}
_LUMBOSACRAL = ("L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3", "S4", "S5")


def level_pairs() -> list[str]:
    """Intervertebral levels whose discs press lumbosacral roots: L1-L2 ... S1-S2."""
    return [f"{a}-{b}" for a, b in pairwise(_LUMBOSACRAL[:7])]


def structures(kb: KnowledgeBase) -> tuple[list[str], list[str]]:
    """(lateral structures, midline structures) the catalogue makes findings for."""
    lateral: list[str] = [s for s in V.SITES if s.startswith(("root:", "plexus:", "nerve:"))]
    lateral += [f"disc:{pair}" for pair in level_pairs()]
    lateral += [f"pelvis:{finding}" for finding in kb.imaging["pelvic_default"]]
    lateral += [f"{site}@{test}" for test, site in _field_sites(kb)]
    midline = [*MIDLINE_STRUCTURES, *(f"canal:{pair}" for pair in level_pairs())]
    return lateral, midline


_FIELD_SITES = memo_store("imaging.field_sites")


def _field_sites(kb: KnowledgeBase) -> tuple[tuple[str, str], ...]:
    """(test, nerve site) for each regional limb scan and each site with a lesion point in
    its field (imaging.yaml fields), worked out once per knowledge base."""

    def build() -> tuple[tuple[str, str], ...]:
        out: list[tuple[str, str]] = []
        for test, nodes in kb.imaging.get("fields", {}).items():
            inside = set(nodes)
            sites = {h.site for h in kb.hypotheses if h.site.startswith("nerve:") and inside & set(h.lesion)}
            out += [(test, site) for site in sorted(sites)]
        return tuple(out)

    pairs: tuple[tuple[str, str], ...] = once_per_object(_FIELD_SITES, kb, build)
    return pairs


def _is_midline(structure: str) -> bool:
    return structure in MIDLINE_STRUCTURES or structure in UNLEVELLED_MIDLINE or structure.startswith("canal:")


def imaging_specs(kb: KnowledgeBase) -> list[FindingSpec]:
    """Catalogue entries: one presence finding per (evidence class, structure, side)."""
    from plexnav.engine.catalogue import FindingSpec

    lateral, midline = structures(kb)
    unlevelled = kb.imaging["unlevelled"]["classes"]
    specs: list[FindingSpec] = []
    # classes read as a joint's look-alike (imaging.yaml joint_findings, class_joints), on that
    # joint only
    joint_classes: dict[str, list[str]] = {}
    for reading in kb.imaging["joint_findings"].values():
        for joint_class in reading["findings"].values():
            joint_classes.setdefault(joint_class, []).append(f"mimic:{reading['mimic']}")
    for joint_class, mimic in kb.imaging["class_joints"].items():
        joint_classes.setdefault(joint_class, []).append(f"mimic:{mimic}")
    for cls in [*kb.imaging["classes"], *unlevelled]:
        family = f"imaging_{cls}"
        targets: list[tuple[str, tuple[str, ...]]]
        if cls in joint_classes:
            targets = [(joint, ("left", "right", "either")) for joint in dict.fromkeys(joint_classes[cls])]
        elif cls in unlevelled:
            targets = [(s, ("left", "right", "either")) for s in UNLEVELLED_LATERAL]
            targets += [(s, ("midline",)) for s in UNLEVELLED_MIDLINE]
        else:
            targets = [(s, ("left", "right", "either")) for s in lateral] + [(s, ("midline",)) for s in midline]
        for structure, sides in targets:
            for side in sides:
                key = f"imaging:{cls}:{structure}" + ("" if side == "midline" else f":{side}")
                specs.append(FindingSpec(key, family, "presence", ("present",), "imaging", structure, side))
    for region in kb.imaging["normal"]:
        specs.append(
            FindingSpec(
                f"imaging:normal:{region}", "evidence", "presence", ("present",), "imaging_normal", region, "midline"
            )
        )
    return specs


# ----------------------------------------------------------------------------- prediction


def _roots_of_pair(pair: str) -> tuple[str, str]:
    """(exiting, traversing) root of an intervertebral level."""
    upper, lower = pair.split("-")
    return upper, lower


def _base_compat(kb: KnowledgeBase, hyp: Hypothesis, structure: str, side: str, scale: float = 1.0) -> float:
    """How strongly a lesion of ``hyp`` on ``side`` makes a finding at a single site likely;
    ``scale`` shrinks the credit a related (not the same) site gets."""
    rel: dict[str, float] = {k: v * scale for k, v in kb.imaging["relatedness"].items()}
    rel["bilateral_on_one_side"] = kb.imaging["relatedness"]["bilateral_on_one_side"]
    if structure.startswith("mimic:"):
        # a look-alike the scan shows itself (a dying muscle), on the leg it acts on
        return 1.0 if hyp.mimic == structure[6:] and hyp.acts_on in (None, side) else 0.0
    if hyp.mimic is not None or hyp.site in ("no_neurological_lesion", "polyneuropathy"):
        return 0.0
    if "@" in structure:
        # a nerve named on a regional scan: its own site counts only where the lesion lies
        # in the scan's field; other sites are related to the nerve as usual
        site, test = structure.split("@")
        field = kb.imaging["fields"][test]
        if hyp.site == site and not any(node in field for node in hyp.lesion.get(side, {})):
            return 0.0
        return _base_compat(kb, hyp, site, side, scale)
    if structure.startswith("cauda_from:"):
        # the cauda equina at a canal level holds only the roots that leave the canal there
        # (the exiting root, at its foramen's mouth) and those below; a root or a root range
        # that left the canal higher up is not pressed there
        first = V.ROOT_LEVELS.index(structure.split(":")[1])
        if first > V.ROOT_LEVELS.index("L2") and hyp.site == "conus_medullaris":
            # the conus ends above L3 even when low-lying (Saifuddin 1998, imaging.yaml
            # conus_at_L1_L2): a canal from L3-L4 down holds only the cauda equina
            return 0.0
        lowest = hyp.levels[-1] if hyp.site == "polyradiculopathy" and hyp.levels else None
        if hyp.site.startswith("root:"):
            lowest = hyp.site[5:]
        if lowest is not None and V.ROOT_LEVELS.index(lowest) < first:
            return 0.0
        structure = "cauda_equina"
    if structure in MIDLINE_STRUCTURES:
        if hyp.site == structure:
            return 1.0
        if (hyp.site, structure) in _NEIGHBOURS or (structure, hyp.site) in _NEIGHBOURS:
            if scale < 1.0 and {hyp.site, structure} == _CORD_LEVELS:
                # a report that names the conus (T12-L1) or the thoracic cord has placed the
                # lesion at a level of the cord: the other is another level, not the canal the
                # conus shares with the cauda equina at L1
                return 0.0
            return rel["conus_cauda_cord_neighbours"]
        if structure == "cauda_equina" and hyp.site == "polyradiculopathy":
            return rel["polyradiculopathy_in_cauda_equina"] * (1.0 if hyp.side == "bilateral" else 0.5)
        if structure == "cauda_equina" and hyp.site.startswith("root:") and hyp.site[5:] not in ("L1", "L2"):
            return rel["root_in_cauda_equina"] * 0.5
        return 0.0
    if structure.startswith("roots_below:"):
        # central canal stenosis: the roots that traverse the level and those below it
        first = V.ROOT_LEVELS.index(structure.split(":")[2])
        if hyp.site == "polyradiculopathy" and hyp.levels and V.ROOT_LEVELS.index(hyp.levels[-1]) >= first:
            return 1.0 if hyp.side == "bilateral" else rel["bilateral_on_one_side"]
        return 0.0
    touched = side in hyp.lesion or bool(hyp.central)
    if not touched:
        return 0.0
    factor = rel["bilateral_on_one_side"] if hyp.side == "bilateral" else 1.0
    if hyp.site == structure:
        return factor
    if structure.startswith("root:"):
        level = structure[5:]
        if hyp.site == "polyradiculopathy" and hyp.levels and level in hyp.levels:
            return rel["root_in_polyradiculopathy"] * factor
        if hyp.site == "cauda_equina" and f"root:{level}" in hyp.lesion.get(side, {}):
            return rel["root_in_cauda_equina"]
    if structure in kb.imaging["plexus_overlap"] and hyp.site in kb.imaging["plexus_overlap"][structure]:
        return rel["plexus_overlap"] * factor
    if hyp.site in kb.differential.get(structure, ()) or structure in kb.differential.get(hyp.site, ()):
        return rel["look_alike"] * factor
    return 0.0


def _members(kb: KnowledgeBase, structure: str) -> list[tuple[str, float]]:
    """The single sites a group structure stands for, with weights (a group of groups, as an
    unlevelled disc is a disc at one of several levels, is expanded with weights multiplied)."""
    kind, _, rest = structure.partition(":")
    if kind == "spine":
        return [
            (single, weight * inner)
            for member, weight in _unlevelled_members(kb, rest)
            for single, inner in _members(kb, member)
        ]
    if kind == "disc":
        exiting, traversing = _roots_of_pair(rest)
        unknown = kb.imaging["unknown_position"]
        return [
            (f"root:{r}", unknown[role])
            for r, role in ((traversing, "traversing"), (exiting, "exiting"))
            if r in V.ROOT_LEVELS
        ]
    if kind == "canal":
        exiting, traversing = _roots_of_pair(rest)
        canal = kb.imaging["canal"]
        roots = [(f"root:{traversing}", canal["traversing_root"])] if traversing in V.ROOT_LEVELS else []
        below = (
            [f"root:{lv}" for lv in V.ROOT_LEVELS[V.ROOT_LEVELS.index(traversing) :]]
            if traversing in V.ROOT_LEVELS
            else []
        )
        conus = [("conus_medullaris", kb.imaging["conus_at_L1_L2"])] if rest == "L1-L2" else []
        cauda = f"cauda_from:{exiting}" if exiting in V.ROOT_LEVELS else "cauda_equina"
        return [
            (cauda, canal["cauda_equina"]),
            *conus,
            *roots,
            *((f"roots_below:{r}", canal["polyradiculopathy"]) for r in below[:1]),
        ]
    if kind == "pelvis":
        return list(kb.imaging["pelvic_default"][rest].items())
    return [(structure, 1.0)]


def _unlevelled_members(kb: KnowledgeBase, kind: str) -> list[tuple[str, float]]:
    """The levelled structures an unlevelled one stands for, weighted by how often such a
    finding lies at each level (``imaging.yaml: unlevelled``)."""
    table = kb.imaging["unlevelled"]
    discs: Mapping[str, float] = table["disc_levels"]
    if kind == "disc":
        return [(f"disc:{pair}", w) for pair, w in discs.items()]
    if kind in ("exiting", "traversing"):
        role = 0 if kind == "exiting" else 1
        return [(f"root:{_roots_of_pair(pair)[role]}", w) for pair, w in discs.items()]
    canals = [(f"canal:{pair}", w) for pair, w in table["canal_levels"].items()]
    if kind == "compression":
        return [*canals, ("conus_medullaris", kb.imaging["conus_at_L1_L2"])]
    return canals


def compatibility(kb: KnowledgeBase, hyp: Hypothesis, structure: str, side: str, cls: str = "lesion") -> float:
    """0..1: how far a lesion of ``hyp`` explains an imaging finding at ``structure`` on ``side``.
    A structure the report names is a radiologist's localization: related sites get only a
    fraction of the credit (``named_relatedness_scale``)."""
    scale = kb.imaging["named_relatedness_scale"] if cls in NAMED_CLASSES else 1.0
    if structure.startswith("mimic:"):
        return 1.0 if hyp.mimic == structure[6:] else 0.0
    if _is_midline(structure):
        best = 0.0
        for member, weight in _members(kb, structure):
            for one_side in V.LATERAL_SIDES:
                best = max(best, weight * _base_compat(kb, hyp, member, one_side, scale))
        return best
    return max((w * _base_compat(kb, hyp, m, side, scale) for m, w in _members(kb, structure)), default=0.0)


# ----------------------------------------------------------------------------- observation


def _region(kb: KnowledgeBase, test: str) -> str | None:
    regions: Mapping[str, Sequence[str]] = kb.imaging["regions"]
    for region, tests in regions.items():
        if test in tests:
            return region
    return None


def _pair(level: str) -> str | None:
    """An intervertebral level from a level or a range ('L4' -> 'L4-L5', 'L4-S1' -> 'L4-L5');
    None above L1 or below S1."""
    first = level.split("-")[0]
    if first not in _LUMBOSACRAL[:6]:
        return None
    i = _LUMBOSACRAL.index(first)
    return f"{first}-{_LUMBOSACRAL[i + 1]}"  # a longer range is read at its upper level


def _unlevelled_structure(kb: KnowledgeBase, inv: Investigation) -> str:
    """The structure a spine finding with no level is read on: the roots the finding's
    position presses (imaging.yaml positions), as _spine_structure reads a levelled one."""
    if inv.finding == "cord_or_cauda_compression":
        return "spine:compression"
    if inv.finding == "canal_stenosis" or inv.position == "central":
        return "spine:canal"
    role = "exiting" if inv.finding == "foraminal_stenosis" else kb.imaging["positions"].get(inv.position)
    return f"spine:{role}" if role is not None else "spine:disc"


def _spine_structure(kb: KnowledgeBase, inv: Investigation) -> str | None:
    if inv.level is None:
        return None
    first = inv.level.split("-")[0]
    # a range from L1 ('L1-L2') is read at the L1-L2 disc, where the cauda equina lies and,
    # in some people, the tip of the conus (canal:L1-L2); L1 alone is the conus's level
    interspace_below_l1 = first == "L1" and "-" in inv.level
    cord_levels: Mapping[str, Sequence[str]] = kb.imaging["cord_levels"]
    for cord_site, levels in cord_levels.items():
        if first in levels and not interspace_below_l1:
            return cord_site
    pair = _pair(inv.level)
    if pair is None:
        return None
    exiting, traversing = _roots_of_pair(pair)
    role = kb.imaging["positions"].get(inv.position) if inv.position else None
    if inv.finding == "foraminal_stenosis":
        role = "exiting"
    if inv.finding in ("canal_stenosis", "cord_or_cauda_compression") or inv.position == "central":
        return f"canal:{pair}"
    if role is not None:
        root = exiting if role == "exiting" else traversing
        return f"root:{root}" if root in V.ROOT_LEVELS else f"canal:{pair}"
    if inv.finding == "disc_herniation":
        return f"disc:{pair}"
    return f"canal:{pair}"


def imaging_observations(kb: KnowledgeBase, case: Case) -> list[tuple[str, str]]:
    """(catalogue key, value text) for each imaging finding that bears on the site."""
    out = []
    for inv in case.investigations:
        if inv.finding is None:
            continue
        region = _region(kb, inv.test)
        if inv.finding == "normal":
            if region == "spine":
                name = "whole_spine" if inv.test == "mri_whole_spine" else "spine"
                out.append((f"imaging:normal:{name}", _TEST_WORDS[inv.test]))
            elif region == "pelvis":
                out.append(("imaging:normal:pelvis", _TEST_WORDS[inv.test]))
            continue
        cls = kb.imaging["findings"][inv.finding]
        structure: str | None = None
        if inv.site is not None and inv.site not in ("polyradiculopathy", "polyneuropathy", "no_neurological_lesion"):
            degenerative = cls in kb.imaging["named_degenerative_classes"]
            structure, cls = inv.site, "named_degenerative" if degenerative else "named"
            if (inv.test, inv.site) in _field_sites(kb):
                structure = f"{inv.site}@{inv.test}"
        elif cls in kb.imaging["class_joints"]:
            structure = f"mimic:{kb.imaging['class_joints'][cls]}"
        elif inv.finding in kb.imaging["joint_findings"].get(inv.test, {}).get("findings", {}):
            reading = kb.imaging["joint_findings"][inv.test]
            structure, cls = f"mimic:{reading['mimic']}", reading["findings"][inv.finding]
        elif region == "spine" and inv.level is None:
            if inv.finding in kb.imaging["unlevelled"]["findings"]:
                structure, cls = _unlevelled_structure(kb, inv), kb.imaging["unlevelled"]["findings"][inv.finding]
        elif region == "spine":
            structure = _spine_structure(kb, inv)
        elif region == "pelvis" and inv.finding in kb.imaging["pelvic_default"]:
            structure = f"pelvis:{inv.finding}"
        if structure is None:
            continue
        if _is_midline(structure):
            key = f"imaging:{cls}:{structure}"
        else:
            side = inv.side if inv.side in V.LATERAL_SIDES else "either"
            if inv.side == "bilateral":
                for one in V.LATERAL_SIDES:
                    out.append((f"imaging:{cls}:{structure}:{one}", _describe(inv)))
                continue
            key = f"imaging:{cls}:{structure}:{side}"
        out.append((key, _describe(inv)))
    return out


_TEST_WORDS = {
    "mri_lumbar_spine": "lumbar spine MRI",
    "mri_whole_spine": "whole-spine MRI",
    "mri_pelvis": "pelvic MRI",
    "ct_pelvis": "pelvic CT",
    "ct_abdomen_pelvis": "CT of the abdomen and pelvis",
    "pet_ct": "PET-CT",
    "mri_knee": "knee MRI",
    "ultrasound_nerve": "nerve ultrasound",
    "hip_imaging": "hip imaging",
}


def _describe(inv: Investigation) -> str:
    """'lumbar spine MRI: disc herniation at L4-L5, foraminal, right, on the L4 root'."""
    assert inv.finding is not None  # imaging_observations describes only investigations with a finding
    where = [w for w in (f"at {inv.level}" if inv.level else None, inv.position, inv.side) if w]
    text = f"{_TEST_WORDS.get(inv.test, inv.test)}: {inv.finding.replace('_', ' ')}"
    if where:
        text += " " + ", ".join(where)
    if inv.site:
        text += f", on the {structure_name(inv.site)}"
    return text
