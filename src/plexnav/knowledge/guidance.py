"""Load the guidance knowledge: triage rules, causes, work-up, management and education.

Why a separate loader: these files are about what to *do* (how urgent, which cause, which
test, which option), not anatomy, and the engines that use them take this object
explicitly, so tests can swap in variants and nothing reads files at call time.  Loading
checks every condition, id and source key, so a typo in a data file fails at load, not
silently at the bedside.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from plexnav import vocabulary as V
from plexnav.knowledge.conditions import condition_problems
from plexnav.knowledge.files import read_sources, read_yaml

FILES = {
    "definitions": "definitions.yaml",
    "definitions_guidance": "definitions_guidance.yaml",
    "triage": "triage_rules.yaml",
    "causes": "causes.yaml",
    "workup": "workup.yaml",
    "management": "management.yaml",
    "words": "plain_words.yaml",
    "education": "education.yaml",
    "safety": "safety.yaml",
}
Doc = Mapping[str, Any]  # a parsed YAML document or record

# the derived definitions, in evaluation order: definitions.yaml, then definitions_guidance.yaml
DEFINITION_FILES = ("definitions", "definitions_guidance")


def freeze(obj: Any) -> Any:
    """Read-only copy of parsed YAML: mappings become proxies, lists become tuples."""
    if isinstance(obj, Mapping):
        return MappingProxyType({k: freeze(v) for k, v in obj.items()})
    if isinstance(obj, list | tuple):
        return tuple(freeze(v) for v in obj)
    return obj


@dataclass(frozen=True)
class GuidanceKnowledge:
    derived: Doc  # name -> condition
    triage: tuple[Doc, ...]  # levels, in policy order
    alerts: tuple[Doc, ...]  # emergencies the policy has no clause for (triage_rules.yaml)
    causes: Doc  # the causes.yaml document
    workup: Doc
    management: Doc
    words: Doc
    education: Doc
    sources: Doc  # bibliography key -> entry
    safety: Doc = field(default_factory=lambda: MappingProxyType({}))  # safety.yaml, for review and tests
    site_groups: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # site -> causes.yaml group

    def cite(self, refs: Iterable[Doc] | None) -> list[str]:
        """Citation strings for a record's ``sources`` list (with locators)."""
        out = []
        for ref in refs or ():
            text = self.sources[ref["key"]]["citation"]
            out.append(f"{text} ({ref['locator']})" if ref.get("locator") else text)
        return out


def expand_each(causes: Doc) -> Doc:
    """causes.yaml with every evidence item that has ``for_each: {name: [values]}`` written
    out once per value, ``{name}`` replaced in its condition, its lr's site keys and its
    reason.  Why: one rule that reads the site it is weighed at ("a disc at another level
    than this root") is one item per root; the file states it once."""
    out = dict(causes)
    out["causes"] = {name: _expand_cause(cause) for name, cause in causes["causes"].items()}
    return out


def _expand_cause(cause: Doc) -> Doc:
    items = cause.get("evidence")
    if not items or not any("for_each" in item for item in items):
        return cause
    expanded: list[Any] = []
    for item in items:
        if "for_each" not in item:
            expanded.append(item)
            continue
        (name, values), *rest = item["for_each"].items()
        if rest:
            raise ValueError(f"for_each takes one name, got {sorted(item['for_each'])}")
        body = {k: v for k, v in item.items() if k != "for_each"}
        expanded += [_substitute(body, "{" + name + "}", str(value)) for value in values]
    return {**cause, "evidence": expanded}


def _substitute(node: Any, slot: str, value: str) -> Any:
    if isinstance(node, str):
        return node.replace(slot, value)
    if isinstance(node, Mapping):
        return {_substitute(k, slot, value): _substitute(v, slot, value) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_substitute(v, slot, value) for v in node]
    return node


def _walk_sources(node: Any, where: str, known: Doc, problems: list[str]) -> None:
    if isinstance(node, Mapping):
        for ref in node.get("sources", ()) if isinstance(node.get("sources"), list | tuple) else ():
            if not isinstance(ref, Mapping) or ref.get("key") not in known:
                problems.append(f"{where}: unknown source {ref!r}")
        for key, value in node.items():
            _walk_sources(value, f"{where}.{key}", known, problems)
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            _walk_sources(value, f"{where}[{i}]", known, problems)


# files whose conditions are read on the case's own facts, before triage, localization and
# causes exist (engine.triage.case_facts): they may not name the engines' context
CASE_FACT_FILES = ("triage", "causes")


def _walk_conditions(node: Any, where: str, derived: Iterable[str], problems: list[str], context: bool = True) -> None:
    if isinstance(node, Mapping):
        for key, value in node.items():
            if key in ("when", "needs_any", "repeat_if", "skip_if", "never_when"):
                items = value if key == "needs_any" else [value]
                for item in items:
                    problems += condition_problems(item, derived, f"{where}.{key}", context)
            else:
                _walk_conditions(value, f"{where}.{key}", derived, problems, context)
    elif isinstance(node, list | tuple):
        for i, value in enumerate(node):
            _walk_conditions(value, f"{where}[{i}]", derived, problems, context)


def _check_ids(docs: Doc, problems: list[str]) -> None:
    causes = docs["causes"]["causes"]
    if set(causes) != set(V.CAUSES):
        problems.append(f"causes.yaml must define exactly the spec causes; diff {set(causes) ^ set(V.CAUSES)}")
    groups = set(docs["causes"]["site_groups"])
    valid = set(V.SITES) | groups | {"default"}
    for cause, entry in causes.items():
        problems += [
            f"causes.{cause}.sites: unknown site or group {k!r}" for k in entry.get("sites", {}) if k not in valid
        ]
        for item in entry.get("evidence", ()):
            if isinstance(item["lr"], dict):
                problems += [
                    f"causes.{cause}: lr for unknown site or group {k!r}" for k in item["lr"] if k not in valid
                ]
    _check_look_alikes(docs["causes"], docs["words"], problems)
    _check_site_forms(docs["causes"], docs["words"], problems)
    unlocalized = docs["causes"]["unlocalized"]
    for table in [unlocalized["base"], *(cue["sites"] for cue in unlocalized["cues"])]:
        problems += [f"causes.unlocalized: unknown site {k!r}" for k in table if k not in V.SITES]
    for rule in docs["workup"]["rules"]:
        if rule["test"] not in V.WORKUP_TESTS:
            problems.append(f"workup rule {rule.get('id')}: unknown test {rule['test']!r}")
        if rule["priority"] not in V.WORKUP_PRIORITIES:
            problems.append(f"workup rule {rule.get('id')}: unknown priority {rule['priority']!r}")
    levels = [lvl["level"] for lvl in docs["triage"]["levels"]]
    if levels != list(V.TRIAGE_LEVELS):
        problems.append(f"triage levels must be {V.TRIAGE_LEVELS} in that order, got {levels}")
    for alert in docs["triage"].get("alerts") or ():
        if alert.get("level") not in V.TRIAGE_LEVELS[:-1]:
            problems.append(f"triage alert {alert.get('id')}: level must be one of {V.TRIAGE_LEVELS[:-1]}")
        if not alert.get("sources"):
            problems.append(f"triage alert {alert.get('id')}: no sources")


def all_derived(docs: Doc) -> dict[str, Any]:
    """Every derived definition, in evaluation order (definitions.yaml first)."""
    out: dict[str, Any] = {}
    for name in DEFINITION_FILES:
        out.update((docs.get(name) or {}).get("derived") or {})
    return out


def _check_definitions(docs: Doc, problems: list[str]) -> list[str]:
    seen: list[str] = []
    for file in DEFINITION_FILES:
        for name, spec in ((docs.get(file) or {}).get("derived") or {}).items():
            if name in seen:
                problems.append(f"{file}.{name}: defined twice")
            # a definition may use only those above it (they are evaluated in file order)
            # ... and only the case's own facts: the engines' context comes later
            problems += condition_problems(spec["when"], seen, f"{file}.{name}", context=False)
            seen.append(name)
    return seen


# management.yaml's sections of plain advice (topic and text, an optional never_with)
ADVICE_SECTIONS = ("recovery", "self_care", "prevention")


def _check_guidance_ids(docs: Doc, problems: list[str]) -> None:
    """Management options name known contraindications; work-up rules say when and whom they
    serve; safety rules point at records that exist."""
    management = docs["management"]
    contra = management.get("contraindications") or {}
    for item in management["management"]:
        if "never_with" not in item:
            problems.append(f"management option {item.get('id')}: no never_with list")
        problems += [
            f"management option {item.get('id')}: unknown contraindication {c!r}"
            for c in item.get("never_with") or ()
            if c not in contra
        ]
    for section in ADVICE_SECTIONS:
        for item in management.get(section) or ():
            problems += [
                f"{section} entry {item.get('id')}: unknown contraindication {c!r}"
                for c in item.get("never_with") or ()
                if c not in contra
            ]
    for question in docs["words"].get("questions") or ():
        problems += [
            f"plain_words question {question.get('text', '')[:40]!r}: unknown contraindication {c!r}"
            for c in question.get("never_with") or ()
            if c not in contra
        ]
    workup = docs["workup"]
    spec = workup.get("lesion_regions", {})
    regions = set(spec.get("sites", {})) | set((spec.get("hypotheses") or {}).values())
    groups = set(docs["causes"]["site_groups"])
    for rule in workup["rules"]:
        for key in ("due", "repeat_due"):
            if key in rule and rule[key] not in V.WORKUP_WHEN:
                problems.append(f"workup rule {rule.get('id')}: unknown {key} {rule[key]!r}")
        if "due" not in rule:
            problems.append(f"workup rule {rule.get('id')}: no due (when the test should be done)")
        serves = rule.get("serves")
        if not serves:
            problems.append(f"workup rule {rule.get('id')}: no serves (the sites it is for)")
        problems += [
            f"workup rule {rule.get('id')}: serves unknown {s!r}"
            for s in serves or ()
            if s not in regions | groups | set(V.SITES) | {"any"}
        ]
    safety = docs.get("safety") or {}
    known = {
        "workup": {r["id"] for r in workup["rules"]},
        "management": {m["id"] for m in management["management"]},
        "contraindication": set(contra),
        "cause": set(docs["causes"]["causes"]),
        "definition": set(all_derived(docs)),
        "engine": set(safety.get("engine_guards") or {}),
        # advice lines (recovery, self_care, prevention) by their section's name
        **{section: {item["id"] for item in management.get(section) or ()} for section in ADVICE_SECTIONS},
    }
    for rule in safety.get("rules", ()):
        if not rule.get("sources"):
            problems.append(f"safety rule {rule.get('id')}: no sources")
        for ref in rule.get("enforced_by", ()):
            kind, _, rid = ref.partition(":")
            if rid not in known.get(kind, ()):
                problems.append(f"safety rule {rule.get('id')}: enforced_by unknown {ref!r}")


def check_documents(docs: Doc, known_sources: Doc) -> list[str]:
    """Every problem in the guidance data (empty when all is well)."""
    problems: list[str] = []
    docs = {**docs, "causes": expand_each(docs["causes"])}
    derived = _check_definitions(docs, problems)
    for name, doc in docs.items():
        if name in DEFINITION_FILES:
            _walk_sources(doc, name, known_sources, problems)
            continue
        _walk_sources(doc, name, known_sources, problems)
        _walk_conditions(doc, name, derived, problems, context=name not in CASE_FACT_FILES)
    _check_ids(docs, problems)
    _check_guidance_ids(docs, problems)
    return problems


@lru_cache(maxsize=1)
def load_guidance_knowledge() -> GuidanceKnowledge:
    """Read and check the guidance data files once (they are immutable package data)."""
    docs = {name: read_yaml(file) for name, file in FILES.items()}
    docs["causes"] = expand_each(docs["causes"])
    sources = read_sources()
    problems = check_documents(docs, sources)
    if problems:
        raise ValueError("guidance knowledge is inconsistent:\n  " + "\n  ".join(problems))
    return GuidanceKnowledge(
        derived=freeze({k: v["when"] for k, v in all_derived(docs).items()}),
        triage=freeze(docs["triage"]["levels"]),
        alerts=freeze(docs["triage"].get("alerts") or []),
        causes=freeze(docs["causes"]),
        workup=freeze(docs["workup"]),
        management=freeze(docs["management"]),
        words=freeze(docs["words"]),
        education=freeze(docs["education"]),
        sources=freeze(sources),
        safety=freeze(docs["safety"]),
        site_groups=MappingProxyType(_site_groups(docs["causes"])),
    )


def _check_look_alikes(causes: Doc, words: Doc, problems: list[str]) -> None:
    """causes.yaml look_alikes: every row a distribution over the same look-alikes, for spec
    causes, each with plain words."""
    spec = causes.get("look_alikes")
    if not spec:
        return
    keys = set(spec["base"])
    if set(words.get("look_alikes", {})) != keys:
        problems.append(f"plain_words.look_alikes must name exactly the look-alikes {sorted(keys)}")
    _check_split_rows("causes.look_alikes", "look-alikes", spec, problems)


def _check_split_rows(where: str, parts: str, spec: Doc, problems: list[str]) -> None:
    """A split table (look-alikes under no nerve lesion, a site's forms): its ``base`` and
    ``by_cause`` rows, each for a spec cause, over the base's parts, positive and summing to 1."""
    keys = set(spec["base"])
    for name, row in [("base", spec["base"]), *spec.get("by_cause", {}).items()]:
        if name != "base" and name not in V.CAUSES:
            problems.append(f"{where}.by_cause: unknown cause {name!r}")
        if set(row) != keys:
            problems.append(f"{where}.{name}: {parts} {sorted(row)} differ from base {sorted(keys)}")
        if abs(sum(row.values()) - 1.0) > 1e-9 or min(row.values()) <= 0:
            problems.append(f"{where}.{name}: shares must be positive and sum to 1, got {sum(row.values())}")


def _check_site_forms(causes: Doc, words: Doc, problems: list[str]) -> None:
    """causes.yaml site_forms: per spec site, every row a distribution over the same forms
    (one of them 'none', the site's usual form), for spec causes, each form with plain words."""
    named = set(words.get("forms", {}))
    for site, spec in (causes.get("site_forms") or {}).items():
        if site not in V.SITES:
            problems.append(f"causes.site_forms: unknown site {site!r}")
        keys = set(spec["base"])
        if "none" not in keys or not keys - {"none"} <= named:
            problems.append(
                f"causes.site_forms.{site}: forms {sorted(keys)} need 'none' and plain_words.forms for the rest"
            )
        _check_split_rows(f"causes.site_forms.{site}", "forms", spec, problems)


def _site_groups(causes: Doc) -> dict[str, str]:
    """Each spec site's group in causes.yaml (first group that names it or its prefix)."""
    out: dict[str, str] = {}
    for site in V.SITES:
        for name, spec in causes["site_groups"].items():
            if site in spec.get("sites", ()) or any(site.startswith(p) for p in spec.get("prefixes", ())):
                out[site] = name
                break
    return out
