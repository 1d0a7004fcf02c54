"""Plan the next tests: emergency step first, then imaging, nerve tests, blood tests.

Why rules over context: which test helps depends on where the lesion probably is, what
probably caused it and how urgent it is, so ``workup.yaml`` states each test's conditions
over the localization, the causes and the triage, and this module only evaluates them.

The safety rules that hold whatever the data says (docs/safety-review.md):

* a rule fires only for the sites it ``serves`` (imaging of the lesion's own region);
* every item says ``when`` it is due (contract revision 1.1);
* a test already done is skipped unless the rule's ``repeat_if`` holds, and a repeat is
  never proposed after an abnormal result of that test unless the rule says
  ``repeat_after_abnormal`` (an abnormal result is never read as a negative one);
* when an emergency step is planned, the tests in ``after_emergency`` drop to the priority
  given there (nerve tests never rank ahead of emergency imaging);
* a test ``covered_by`` another test planned at the same or a higher priority is dropped
  (the whole-spine MRI includes the lumbar spine).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from itertools import compress
from typing import Any, NamedTuple

from plexnav import vocabulary as V
from plexnav.case import BackgroundEntry, Case, EtiologyEntry, LocalizationEntry, Triage, WorkupEntry
from plexnav.engine.etiology import site_group, site_weights
from plexnav.engine.facts import STRUCTURAL_FINDINGS, Facts, holds, holds_each, roots_reached
from plexnav.engine.localize import NO_LESION, PLAIN_LOOK_ALIKE, leading_look_alike
from plexnav.engine.memo import memo_store, once_per_object
from plexnav.engine.records import builder
from plexnav.engine.triage import case_facts, holding_alerts
from plexnav.knowledge.guidance import GuidanceKnowledge, load_guidance_knowledge

_WORKUP_ENTRY = builder(WorkupEntry)
_SERVED_AS = ("site_p:", "group_p:", "region_p:")  # how a served name is read among the facts' values
LEADING = 3  # the "leading sites": the first three of the localization


def hypothesis_key(hypothesis: str | None, prefixes: Sequence[str]) -> str | None:
    """The rule-facing name of an engine hypothesis id: a known prefix it starts with
    (``mimic_hip_joint...`` -> ``mimic_hip_joint``), else the id before any ``:``."""
    if not hypothesis:
        return None
    for prefix in prefixes:
        if hypothesis.startswith(prefix):
            return prefix
    return hypothesis.split(":")[0]


def lesion_region(entry: LocalizationEntry, knowledge: GuidanceKnowledge) -> str | None:
    """The body region of an entry's lesion point (by hypothesis, then by site)."""
    return _places(knowledge).lesion_region(entry.hypothesis, entry.site)


def site_region(site: str, knowledge: GuidanceKnowledge) -> str | None:
    return _places(knowledge).site_region(site)


class _Described(NamedTuple):
    site_p: str  # the site's probability among the facts' values
    group: str
    region: str | None


class _Places:
    """Where sites and lesion points lie, read from the knowledge once: each site's group
    and body region, and (as they are met) each hypothesis's rule-facing key and region."""

    LIMIT = 10_000  # hypothesis ids remembered (the engine has a few hundred)

    def __init__(self, knowledge: GuidanceKnowledge):
        self.knowledge = knowledge
        self.groups = knowledge.site_groups
        spec = knowledge.workup["lesion_regions"]
        self.prefixes = tuple(knowledge.workup.get("hypothesis_prefixes", ()))
        self.by_hypothesis: Mapping[str, str] = spec.get("hypotheses", {})
        self.members: Mapping[str, Sequence[str]] = spec["sites"]
        self.regions = {site: self._region_of(site) for site in self.groups}
        self.keys: dict[str | None, str | None] = {}
        # per work-up rule: the facts' names of the sites, groups and regions it serves, in
        # the order _served_weight adds them (None: it serves any site)
        self.served_names = [
            None if "any" in rule["serves"] else tuple(p + name for name in rule["serves"] for p in _SERVED_AS)
            for rule in knowledge.workup["rules"]
        ]
        self.described = {
            site: _Described(f"site_p:{site}", group, self.regions[site]) for site, group in self.groups.items()
        }
        self.lesion_regions: dict[tuple[str | None, str], str | None] = {}

    def group(self, site: str) -> str:
        return self.groups[site] if site in self.groups else site_group(site, self.knowledge)

    def _region_of(self, site: str) -> str | None:
        group = self.group(site)
        for region, members in self.members.items():
            if site in members or group in members:
                return region
        return None

    def describe(self, site: str) -> _Described:
        """A site's ``site_p:`` name, group and body region (a site the knowledge does not
        group: worked out each time, as site_group refuses it)."""
        return _Described(f"site_p:{site}", self.group(site), self.site_region(site))

    def site_region(self, site: str) -> str | None:
        return self.regions[site] if site in self.regions else self._region_of(site)

    def key(self, hypothesis: str | None) -> str | None:
        if hypothesis in self.keys:
            return self.keys[hypothesis]
        if len(self.keys) >= self.LIMIT:
            self.keys.clear()
        key = self.keys[hypothesis] = hypothesis_key(hypothesis, self.prefixes)
        return key

    def lesion_region(self, hypothesis: str | None, site: str) -> str | None:
        at = (hypothesis, site)
        if at in self.lesion_regions:
            return self.lesion_regions[at]
        key = self.key(hypothesis)
        region = self.by_hypothesis[key] if key and key in self.by_hypothesis else self.site_region(site)
        if len(self.lesion_regions) >= self.LIMIT:
            self.lesion_regions.clear()
        self.lesion_regions[at] = region
        return region


_PLACES = memo_store("workup.places")


def _places(knowledge: GuidanceKnowledge) -> _Places:
    return once_per_object(_PLACES, knowledge, lambda: _Places(knowledge))


def context_facts(
    case: Case,
    localization: Sequence[LocalizationEntry],
    etiology: Sequence[EtiologyEntry],
    triage: Triage,
    knowledge: GuidanceKnowledge,
    facts: Facts | None = None,
    background: Sequence[BackgroundEntry] = (),
    sites: Mapping[str, float] | None = None,
) -> Facts:
    """Case facts plus what earlier steps concluded (site, cause and triage), for rule conditions.

    Besides ``site_p:``/``group_p:``/``cause_p:`` values: ``site_top:``, ``group_top:``,
    ``site_top3:``/``group_top3:`` (the leading three), ``region_top:`` and ``region_p:``
    (the lesion point's body region), ``hypothesis_top:``/``hypothesis:`` (engine hypothesis
    ids, e.g. ``mimic_hip_joint``), ``lookalike_p:`` (a look-alike's share of the case: the
    no-lesion probability times its share of it, so a hip joint that trails the trochanteric
    tendons by a hair still counts), ``background:`` (a background process such as a
    polyneuropathy under a focal lesion), ``scan_misses_top`` (a root or roots lead, the
    spine was scanned, and no disc or narrowing on the lesion's side presses one of them:
    the scan does not match the lesion, which an operation needs, NICE NG59;
    :func:`_scan_misses`), ``scan_lesion_on_top`` (a root or roots lead and a scan shows
    something other than a disc or narrowing, an abscess, a deposit, a lump, a bleed or a
    fracture, reaching one of them: :func:`_scan_lesion_on`), ``lookalike_named`` (no nerve lesion
    leads and one look-alike leads it clearly, as the summary names it:
    localize.leading_look_alike) and ``localized``.  ``sites``: the
    :func:`~plexnav.engine.etiology.site_weights` of these facts and localization if the
    caller already has them."""
    facts = facts or case_facts(case, knowledge)
    if sites is None:
        sites = site_weights(facts, localization, knowledge)
    places = _places(knowledge)
    values: dict[str, float] = {}
    groups: dict[str, float] = defaultdict(float)
    described = places.described
    for site, p in sites.items():
        words = described.get(site) or places.describe(site)
        values[words.site_p] = p
        groups[words.group] += p
    values.update({f"group_p:{g}": p for g, p in groups.items()})
    values.update({f"cause_p:{e.cause}": e.probability for e in etiology})
    # an alert reads like a rule that fired (triage_rule:alert.<id>), shown or not: one at the
    # policy's own level is not shown beside it, but its picture still asks for its steps
    features = {
        f"triage:{triage.level}",
        *(f"triage_rule:{r}" for r in (*triage.rules, *holding_alerts(facts, knowledge))),
    }
    # body regions: localized entries by their lesion point, the unassigned rest by site
    regions: dict[str, float] = defaultdict(float)
    localized_p: dict[str, float] = defaultdict(float)
    for e in localization:
        localized_p[e.site] += e.probability
        for look_alike, share in (e.look_alikes or {}).items():
            values[f"lookalike_p:{look_alike}"] = values.get(f"lookalike_p:{look_alike}", 0.0) + e.probability * share
        if (region := places.lesion_region(e.hypothesis, e.site)) is not None:
            regions[region] += e.probability
    for site, p in sites.items():
        rest = p - localized_p.get(site, 0.0)
        if rest > 1e-9 and (region := (described.get(site) or places.describe(site)).region) is not None:
            regions[region] += rest
    values.update({f"region_p:{r}": p for r, p in regions.items()})
    if localization:
        ranked = sorted(localization, key=lambda e: -e.probability)
        top = ranked[0]
        features |= {"localized", f"site_top:{top.site}", f"group_top:{places.group(top.site)}"}
        values["site_top_p"] = top.probability
        if (region := places.lesion_region(top.hypothesis, top.site)) is not None:
            features.add(f"region_top:{region}")
        if (key := places.key(top.hypothesis)) is not None:
            features.add(f"hypothesis_top:{key}")
        # an entry without the shares (a localization from elsewhere) is read by its hypothesis
        if top.look_alikes:
            named = leading_look_alike(top.look_alikes)
        else:
            named = top.hypothesis if (top.hypothesis or "").startswith("mimic_") else None
        if top.site == NO_LESION and named not in (None, PLAIN_LOOK_ALIKE):
            features.add("lookalike_named")
        if _scan_misses(case, top):
            features.add("scan_misses_top")
        if _scan_lesion_on(case, top):
            features.add("scan_lesion_on_top")
        for e in ranked[:LEADING]:
            features |= {f"site_top3:{e.site}", f"group_top3:{places.group(e.site)}"}
            if (key := places.key(e.hypothesis)) is not None:
                features.add(f"hypothesis:{key}")
    for b in background:
        features.add(f"background:{b.site}")
        values[f"background_p:{b.site}"] = max(b.probability, values.get(f"background_p:{b.site}", 0.0))
    if etiology:
        features.add(f"cause_top:{etiology[0].cause}")
        values["cause_top_p"] = etiology[0].probability
    return facts.extend(features, values)


SPINE_SCANS = ("mri_lumbar_spine", "mri_whole_spine")


def _scan_misses(case: Case, top: LocalizationEntry) -> bool:
    """A root or a range of roots leads, the spine was scanned, and none of the scan's discs
    or narrowings on the lesion's side (or given no side) presses one of its roots head-on
    (facts.roots_reached without the exiting root at a narrow canal's mouth): what an
    operation would free is not what the findings point to.  A disc given neither level nor
    root may be the one, so it never misses."""
    roots = _top_roots(top)
    if not roots or not any(inv.test in SPINE_SCANS for inv in case.investigations):
        return False
    other = {"left": "right", "right": "left"}.get(top.side)
    for inv in case.investigations:
        if inv.finding not in STRUCTURAL_FINDINGS or (other is not None and inv.side == other):
            continue
        pressed = roots_reached(inv, canal_exiting=False)
        if pressed is None or pressed & roots:
            return False
    return True


# what else a scan of the spine can show pressing on or damaging a root (case format 1.1)
ROOT_LESION_FINDINGS = ("abscess", "bone_metastasis", "mass", "hematoma", "fracture", "cord_or_cauda_compression")


def _scan_lesion_on(case: Case, top: LocalizationEntry) -> bool:
    """A root or a range of roots leads and a scan shows a lesion other than a disc or a
    narrowing reaching one of them (an abscess in the lateral recess, a deposit in the
    pedicle): on a spine scan or named on a root or the cauda equina, on the lesion's side or
    given no side, at a level whose roots include one of them (facts.roots_reached) or at no
    level.  The scan has then found what presses the root, though no disc does."""
    roots = _top_roots(top)
    if not roots:
        return False
    other = {"left": "right", "right": "left"}.get(top.side)
    for inv in case.investigations:
        if inv.finding not in ROOT_LESION_FINDINGS or (other is not None and inv.side == other):
            continue
        on_a_root = inv.site is not None and (inv.site.startswith("root:") or inv.site == "cauda_equina")
        if not on_a_root and (inv.site is not None or inv.test not in SPINE_SCANS):
            continue
        reached = roots_reached(inv)
        if reached is None or reached & roots:
            return True
    return False


def _top_roots(top: LocalizationEntry) -> frozenset[str]:
    """The roots of a leading root or range of roots (none for any other site)."""
    if top.site.startswith("root:"):
        return frozenset({top.site[5:]})
    if top.site == "polyradiculopathy" and top.levels:
        return frozenset(top.levels)
    return frozenset()


def _served_weight(names: Sequence[str] | None, values: Mapping[str, float]) -> float:
    """How much of the localization falls on the sites, groups or regions a rule serves
    (``names``: their facts' names, _Places.served_names; None when it serves any site)."""
    if names is None:
        return 1.0
    total = 0.0
    for name in names:
        total += values.get(name, 0.0)
    return min(total, 1.0)


def _abnormal_result(test: str, spec: Mapping[str, Any], facts: Facts) -> bool:
    """Whether a done test (by its case-format investigations) showed anything but normal."""
    for done in spec["done_by"].get(test, ()):
        if done.startswith("test:"):
            inv = done.removeprefix("test:")
            prefix = f"imaging:{inv}:"
            if any(f.startswith(prefix) and f != prefix + "normal" for f in facts.features):
                return True
    return False


def plan_workup(
    case: Case,
    localization: Sequence[LocalizationEntry],
    etiology: Sequence[EtiologyEntry],
    triage: Triage,
    knowledge: GuidanceKnowledge | None = None,
    context: Facts | None = None,
) -> list[WorkupEntry]:
    """Tests worth doing next, most urgent first, one entry per test.  ``context``: the
    :func:`context_facts` if the caller already has them."""
    knowledge = knowledge or load_guidance_knowledge()
    facts = context or context_facts(case, localization, etiology, triage, knowledge)
    spec = knowledge.workup
    serves_min = spec.get("serves_min", 0.1)
    chosen: dict[str, tuple[int, int, dict[str, Any]]] = {}  # test -> (rank, rule, the entry's fields)
    rules = spec["rules"]
    served_names = _places(knowledge).served_names
    values = facts.values
    for order in compress(range(len(rules)), holds_each(rules, facts, "when")):  # the rules that apply
        rule = rules[order]
        if _served_weight(served_names[order], values) < rule.get("serves_min", serves_min):
            continue
        done = not facts.features.isdisjoint(spec["done_by"].get(rule["test"], ()))
        if done:
            if "repeat_if" not in rule or not holds(rule["repeat_if"], facts):
                continue
            if _abnormal_result(rule["test"], spec, facts) and not rule.get("repeat_after_abnormal"):
                continue
        priority = rule["repeat_priority"] if done else rule["priority"]
        why = rule["repeat_why"] if done else rule["why"]
        due = rule.get("repeat_due", rule["due"]) if done else rule["due"]
        rank = V.WORKUP_PRIORITIES.index(priority)
        if rule["test"] not in chosen or (rank, order) < chosen[rule["test"]][:2]:
            chosen[rule["test"]] = (rank, order, {"test": rule["test"], "priority": priority, "why": why, "when": due})
    for test, covering in spec.get("covered_by", {}).items():
        # a whole-spine MRI includes the lumbar spine: one scan, not two
        if test in chosen and any(c in chosen and chosen[c][0] <= chosen[test][0] for c in covering):
            del chosen[test]
    emergency = {test for test, (_, _, e) in chosen.items() if e["priority"] == "emergency"}
    if emergency:
        for test, cap in spec.get("after_emergency", {}).items():
            # a test that is itself the emergency step (a CT of the arteries for a bleed)
            # is not held back behind itself
            if test in chosen and test not in emergency:
                rank, order, e = chosen[test]
                cap_rank = V.WORKUP_PRIORITIES.index(cap)
                if rank < cap_rank:
                    chosen[test] = (cap_rank, order, {**e, "priority": cap})
    # the entries of the tests kept, built once each: by priority, then the sooner due (a
    # test wanted within 24 hours before one wanted within 2 weeks), then the file's order
    due_rank = V.WORKUP_WHEN.index
    kept = sorted(chosen.values(), key=lambda c: (c[0], due_rank(c[2]["when"]), c[1]))
    return [_WORKUP_ENTRY(entry) for _, _, entry in kept]
