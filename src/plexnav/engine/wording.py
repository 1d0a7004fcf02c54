"""Clinical words for hypotheses, findings and the anatomy behind them.

One vocabulary for every view: the CLI, the API, the web page and the report all render
the explanation steps the engine emits with these phrases.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from plexnav import vocabulary as V
from plexnav.knowledge.base import KnowledgeBase
from plexnav.knowledge.records import Component

if TYPE_CHECKING:
    from plexnav.engine.catalogue import FindingSpec
    from plexnav.engine.hypotheses import Hypothesis

SITE_WORDS = {
    "cauda_equina": "cauda equina lesion",
    "conus_medullaris": "conus medullaris lesion",
    "spinal_cord": "spinal cord lesion",
    "plexus:lumbar": "lumbar plexus lesion",
    "plexus:lumbosacral_trunk": "lumbosacral trunk lesion",
    "plexus:sacral": "sacral plexus lesion",
    "plexus:lumbosacral": "lumbosacral plexus lesion",
    "polyneuropathy": "length-dependent polyneuropathy",
    "no_neurological_lesion": "no neurological lesion",
    "polyradiculopathy": "polyradiculopathy",
}


def range_detail(levels: Sequence[str]) -> str:
    """A root range's own detail ('roots L3-L5'): what its label already says by its levels."""
    return f"roots {levels[0]}-{levels[-1]}"


def site_label(
    site: str, side: str | None, levels: Sequence[str] | None = None, detail: str | None = None, noun: str = "lesion"
) -> str:
    """The site in words; ``noun`` names what is wrong with a root or nerve ('irritation')."""
    if site.startswith("root:"):
        words = f"{site.split(':')[1]} root {noun}"
    elif site.startswith("nerve:"):
        words = f"{site.split(':')[1].replace('_', ' ')} nerve {noun}"
    else:
        words = SITE_WORDS.get(site, site)
    if site == "polyradiculopathy" and levels:
        words = f"{levels[0]}-{levels[-1]} polyradiculopathy"
        if detail and detail != range_detail(levels):
            words += f" ({detail})"  # a form of its own (the sensory roots alone)
    if side in ("left", "right") and site != "no_neurological_lesion":
        words = f"{side} {words}"
    elif side == "bilateral" and site.startswith(("plexus", "polyradic", "root", "nerve", "cauda")):
        # the cauda equina also has one-sided forms: without the word, "fits a left cauda
        # equina lesion better than a cauda equina lesion" leaves the second's sides unsaid
        words = f"bilateral {words}"
    if detail and site.startswith(("nerve:", "root:")):  # a root has a detail only when irritative
        words += f" ({detail})"
    if detail and site == "no_neurological_lesion":
        words += f": {detail}"
    if detail and site == "polyneuropathy" and not words.startswith(detail.split(",")[0]):
        words += f" ({detail})"  # a form of its own (small-fibre); the usual one's detail repeats the words
    return words


def background_label(entry: Any) -> str:
    """A background process in words: what it is where its site says too little (an old
    upper motor neuron lesion, reported on the spinal cord), its site otherwise."""
    detail: str | None = getattr(entry, "detail", None)
    return detail or site_label(entry.site, entry.side)


def background_phrase(entry: Any) -> str:
    """The background with its article, as 'Also present: ...' says it ('a length-dependent
    polyneuropathy'; words that bring their own article keep it)."""
    label = background_label(entry)
    if label.startswith(("a ", "an ")):
        return label
    return f"{'an' if label[:1] in 'aeiou' else 'a'} {label}"


def structure_name(site: str) -> str:
    """The structure a site id names, without 'lesion': 'femoral nerve', 'sacral plexus', 'L4 root'."""
    return site_label(site, None).removesuffix(" lesion")


def territory_title(site: str | None) -> str:
    """The heading over the leading site's body map: a look-alike is not a nerve, so what the
    map shades is where it is felt, not a nerve's skin territory."""
    if site == "no_neurological_lesion":
        return "Where the leading reading (no nerve lesion) is felt"
    return "Skin territory of the leading site"


def percent(probability: float) -> str:
    """Rounded, but never '100%' or '0%': a probability is never certain."""
    if probability >= 0.995:
        return ">99%"
    return f"{probability:.0%}" if probability >= 0.005 else "<1%"


def hypothesis_label(hyp: Hypothesis) -> str:
    """The hypothesis in words, as explanations use it after 'fits a ...'."""
    if hyp.mimic is not None:
        return f"{hyp.name} (no nerve lesion)"
    if hyp.site == "no_neurological_lesion":
        return "picture with no nerve lesion"
    side = None if hyp.side == "symptomatic" else hyp.side
    # an irritative twin hurts more than it takes away: "right L5 root irritation", so that
    # "spares it" reads true of it (its site entry's detail says the same at more length)
    # a polyneuropathy's or a root range's form is named in the site table, not in every line that cites it
    detail = None if hyp.site in ("polyneuropathy", "polyradiculopathy") else hyp.detail
    return site_label(hyp.site, side, hyp.levels, detail, "irritation" if hyp.irritative else "lesion")


def entry_detail(hyp: Hypothesis) -> str | None:
    """A site entry's detail: where on the structure, and whether it irritates more than it
    takes away (explanations name the site without the second part, which every line would
    repeat)."""
    return "; ".join(part for part in (hyp.detail, hyp.irritative) if part) or None


def roots_text(roots: Mapping[V.RootLevel, float]) -> str:
    """The main roots of a supply ('L5', 'L3-L4'): those with at least half the largest share."""
    top = max(roots.values())
    major = [r for r, share in roots.items() if share >= top / 2] or list(roots)
    return major[0] if len(major) == 1 else f"{major[0]}-{major[-1]}"


class _Supplied(Protocol):
    """A knowledge-base target with a nerve supply (muscle, reflex, skin region, study)."""

    def supply(self) -> tuple[Component, ...]: ...


def _main_component(record: _Supplied) -> Component:
    return max(record.supply(), key=lambda c: c.share)


def target_gloss(kb: KnowledgeBase, target: str, target_id: str) -> str:
    """'(tibialis posterior, tibial nerve, L5)' — what anatomy a finding tests."""
    if target == "movement":
        movement = kb.movements[target_id]
        muscle_id = max(movement.muscles, key=lambda m: movement.muscles[m])
        comp = _main_component(kb.muscles[muscle_id])
        return f"{kb.muscles[muscle_id].name}, {kb.nerve_name(comp.nerve)}, {roots_text(comp.roots)}"
    if target == "muscle":
        supply = kb.muscles[target_id].supply()
        if all(c.nerve.startswith("dorsal_ramus:") for c in supply):
            levels = [c.nerve.split(":")[1] for c in supply]
            return f"dorsal rami {levels[0]}-{levels[-1]}, which leave before the plexus"
        comp = _main_component(kb.muscles[target_id])
        return f"{kb.nerve_name(comp.nerve)}, {roots_text(comp.roots)}"
    if target == "reflex":
        comp = _main_component(kb.reflexes[target_id])
        return f"{kb.nerve_name(comp.nerve)}, {roots_text(comp.roots)}"
    if target == "skin":
        region = kb.skin[target_id]
        if region.coverage == "all":
            # a pattern that needs every supply at once (a stocking) is no one nerve's map
            roots = sorted({r for c in region.supply() for r in c.roots}, key=kb.root_order.__getitem__)
            return f"every nerve there at once, {roots[0]}-{roots[-1]}"
        comp = _main_component(region)
        return f"{kb.nerve_name(comp.nerve)}, {roots_text(comp.roots)}"
    if target == "study":
        study = kb.studies[target_id]
        comp = _main_component(study)
        where = "; sensory fibres beyond the dorsal root ganglion" if study.fibres == "sensory" else ""
        return f"{kb.nerve_name(comp.nerve)}, {roots_text(comp.roots)}{where}"
    if target == "activity":
        activity = kb.activities[target_id]
        mov = max(activity.movements, key=lambda m: activity.movements[m])
        return kb.movements[mov].name
    return ""


STATE_WORDS = {
    "strength": {"normal": "normal", "slight": "slightly weak", "mild": "mildly weak", "severe": "weak"},
}
# a needle EMG result as a clinician writes it ("both in left tibialis anterior" said nothing)
EMG_RESULT_WORDS = {
    "active_denervation": "active denervation",
    "chronic_neurogenic": "chronic neurogenic changes",
    "both": "active denervation and chronic neurogenic changes",
    "myopathic": "myopathic changes",
    "myokymic_discharges": "myokymic discharges",
    "reduced_recruitment_only": "reduced recruitment alone",
}


def finding_phrase(kb: KnowledgeBase, spec: FindingSpec, state: str, value: str) -> str:
    """Plain clinical description of one observation, e.g. 'weak left ankle inversion (MRC 3)'."""
    side = spec.side if spec.side in ("left", "right") else ""
    sided = f"{side} " if side else ""
    t, tid = spec.target, spec.target_id
    if t == "anywhere":
        return f"{value} reported"
    if t == "movement":
        word = STATE_WORDS["strength"][state]
        return f"{word} {sided}{kb.movements[tid].name}" + (f" ({value})" if state != "normal" else "")
    if t == "reflex":
        return f"{value} {sided}{kb.reflexes[tid].name}"
    if spec.key.startswith("sensation"):
        return f"{value} sensation over the {sided}{kb.skin[tid].name}"
    if spec.key.startswith("symptom:sensory"):
        return f"{value} reported in the {sided}{kb.skin[tid].name}"
    if spec.key.startswith("symptom:pain"):
        return f"pain reported in the {sided}{kb.skin[tid].name}"
    if t == "activity":
        return f"{sided}weakness reported ({tid.replace('_', ' ')})"
    if t == "visceral":
        return tid.replace("_", " ") + " reported"
    if t == "unreported":
        return value
    if t == "unmapped":
        return f"no numbness or tingling reported in the {sided}{kb.skin[tid].name}"
    if t == "study":
        return f"{value.replace('_', ' ')} {sided}{kb.studies[tid].name}"
    if t == "muscle":
        name = kb.muscles[tid].name
        if state == "normal":
            return f"normal needle EMG of {sided}{name}"
        return f"{EMG_RESULT_WORDS.get(value, value.replace('_', ' '))} in {sided}{name} on needle EMG"
    if t == "sign" or (t == "evidence" and tid.startswith("sign:")):
        name = sign_name(kb, tid, spec.region)
        return f"{sided}{name} present" if state == "present" else f"no {sided}{name}"
    if t == "complaint":
        return f"no complaint or abnormal finding on the {side} side"
    if t == "evidence":
        return value
    if t == "asymmetry":
        other = V.other_side(side)
        words = EMG_RESULT_WORDS if tid.startswith("needle_emg:") else {}
        values = " against ".join(words.get(v, v.replace("_", " ")) for v in value.split(" against "))
        return f"{_paired_name(kb, tid, side)} worse than the {other} ({values})"
    if t == "age_pair":
        if side:
            return f"{_paired_name(kb, tid, side)} {value} on the {V.other_side(side)}: age alone seldom takes one side"
        left, right = value.split(" and ")
        sides = f"{left} on both sides" if left == right else f"{left} on the left and {right} on the right"
        return f"{_paired_name(kb, tid, '')} {sides}, as age alone often leaves it"
    if t == "imaging":
        return f"imaging: {value}"
    if t == "imaging_normal":
        return f"a normal scan ({value.replace('_', ' ')})"
    return spec.key


_SECTION_TARGETS = {
    "strength": "movement",
    "reflex": "reflex",
    "sensation": "skin",
    "ncs": "study",
    "needle_emg": "muscle",
}


def _paired_name(kb: KnowledgeBase, base: str, side: str) -> str:
    """'left sural sensory response (SNAP)' for a paired finding's base key and a side."""
    section, ident = base.split(":", 1)
    return target_name(kb, _SECTION_TARGETS[section], ident, side)


def finding_name(kb: KnowledgeBase, spec: FindingSpec) -> str:
    """What to examine, in words: 'needle EMG of left tibialis posterior'."""
    return target_name(kb, spec.target, spec.target_id, spec.side, spec.region) or spec.key


def target_name(kb: KnowledgeBase, target: str, tid: str, side: str, region: str | None = None) -> str:
    """A finding's target in words, with its side ('' when the target has no words)."""
    sided = f"{side} " if side in ("left", "right") else ""
    if target == "movement":
        return f"{sided}{kb.movements[tid].name} strength"
    if target == "reflex":
        return f"{sided}{kb.reflexes[tid].name}"
    if target == "skin":
        return f"sensation over the {sided}{kb.skin[tid].name}"
    if target == "study":
        return f"{sided}{kb.studies[tid].name}"
    if target == "muscle":
        return f"needle EMG of {sided}{kb.muscles[tid].name}"
    if target == "sign" or (target == "evidence" and tid.startswith("sign:")):
        return f"{sided}{sign_name(kb, tid, region)}"
    return ""


def sign_name(kb: KnowledgeBase, target_id: str, region: str | None = None) -> str:
    """A sign in words with its region: 'tender, tense muscle compartment (anterior leg)'.
    ``target_id`` is the sign's id, or an evidence target 'sign:ID' or 'sign:ID:REGION'
    (a sign read per region, mimics.yaml), whose region it carries itself."""
    sign_id, _, own_region = target_id.removeprefix("sign:").partition(":")
    where = region or own_region
    return kb.signs[sign_id].name + (f" ({where.replace('_', ' ')})" if where else "")


LOOK_ALIKES_SHOWN = 3
LOOK_ALIKE_AT_LEAST = 0.05  # a look-alike with a smaller share of "no damaged nerve" is not named


def look_alike_line(look_alikes: Mapping[str, float] | None, words: Mapping[str, object]) -> str | None:
    """One line naming what "no damaged nerve" looks most like (the leading look-alikes and
    their shares), from plain_words.yaml; None when nothing is split or worth naming."""
    if not look_alikes:
        return None
    names = words["look_alikes"]
    assert isinstance(names, Mapping)
    shown = sorted(((p, k) for k, p in look_alikes.items() if p >= LOOK_ALIKE_AT_LEAST), reverse=True)
    if not shown:
        return None
    items = ", ".join(f"{names[k]} {percent(p)}" for p, k in shown[:LOOK_ALIKES_SHOWN])
    return str(words["look_alike_line"]).format(items=items)
