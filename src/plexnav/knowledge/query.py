"""Questions the knowledge base answers (CLI ``plexnav kb`` and the API share these)."""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable, Mapping
from typing import Any, Literal, get_args

from plexnav.knowledge import files
from plexnav.knowledge.base import KnowledgeBase, imaging_classes
from plexnav.knowledge.forward import deficit_pattern, muscle_involvement
from plexnav.knowledge.guidance import ADVICE_SECTIONS, GuidanceKnowledge
from plexnav.knowledge.records import (
    HypothesisRecord,
    MovementRecord,
    MuscleRecord,
    ReflexRecord,
    SkinRecord,
    SourceRef,
    StudyRecord,
)

Target = MuscleRecord | ReflexRecord | SkinRecord | StudyRecord  # what a nerve supplies
Row = dict[str, Any]

Kind = Literal["muscle", "nerve", "root", "reflex", "region", "study", "movement"]
KINDS: tuple[Kind, ...] = get_args(Kind)


class UnknownId(KeyError):
    def __init__(self, kind: str, value: str, choices: list[str]):
        self.kind, self.value, self.choices = kind, value, choices
        close = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
        self.suggestion = close[0] if close else None
        hint = f"; did you mean '{self.suggestion}'?" if self.suggestion else f" (valid: {', '.join(choices)})"
        super().__init__(f"{value!r} is not a {kind}{hint}")

    def __str__(self) -> str:
        return str(self.args[0])


def _sources(recs: Iterable[SourceRef]) -> list[str]:
    return [f"{s.key}" + (f" ({s.locator})" if s.locator else "") for s in recs]


def _supply(kb: KnowledgeBase, rec: Target) -> list[Row]:
    return [
        {
            "nerve": c.nerve,
            "nerve_name": kb.nerve_name(c.nerve),
            "share": c.share,
            "roots": dict(c.roots),
            **({"part": c.part} if c.part else {}),
        }
        for c in rec.supply()
    ]


def describe(kb: KnowledgeBase, kind: str, item: str) -> Row:
    """What one record is made of, with its sources."""
    tables: dict[str, Mapping[str, Target | MovementRecord]] = {
        "muscle": kb.muscles,
        "reflex": kb.reflexes,
        "region": kb.skin,
        "study": kb.studies,
        "movement": kb.movements,
    }
    if kind == "root":
        item = item.removeprefix("root:")
        if item not in kb.roots:
            raise UnknownId("root", item, list(kb.roots))
        lesion = {f"root:{item}": 1.0}
        return {
            "kind": "root",
            "id": f"root:{item}",
            "preganglionic": True,
            "muscles": {m: round(v, 2) for m in kb.muscles if (v := muscle_involvement(kb, lesion, m)) > 0},
            "sources": _sources(kb.roots[item].sources),
        }
    if kind == "nerve":
        if item not in kb.nodes:
            raise UnknownId("nerve", item, sorted(kb.nodes))
        node = kb.nodes[item]
        children = sorted(kb.graph.successors(item))
        muscles = [m for m, r in kb.muscles.items() if any(c.nerve == item for c in r.supply())]
        return {
            "kind": node.kind,
            "id": node.id,
            "name": node.name,
            "roots": node.roots,
            "parents": node.parents,
            "branches": children,
            "muscles_supplied_here": muscles,
            "note": node.note,
            "sources": _sources(node.sources),
        }
    if kind not in tables:
        raise UnknownId("kind", kind, list(KINDS))
    table = tables[kind]
    if item not in table:
        raise UnknownId(kind, item, sorted(table))
    rec = table[item]
    out: Row = {"kind": kind, "id": rec.id, "name": rec.name, "note": rec.note, "sources": _sources(rec.sources)}
    if isinstance(rec, MovementRecord):
        out["muscles"] = {m: {"share": s, "supply": _supply(kb, kb.muscles[m])} for m, s in rec.muscles.items()}
    else:
        out["supply"] = _supply(kb, rec)
    if isinstance(rec, StudyRecord):
        out["fibres"] = rec.fibres
    return out


def lesion_effects(
    kb: KnowledgeBase, hypotheses: Iterable[HypothesisRecord], site: str, detail: str | None = None
) -> list[Row]:
    """The forward question: what a lesion at SITE produces (one entry per lesion point of
    ``hypotheses``, the knowledge base's own or a variant's)."""
    hypotheses = tuple(hypotheses)
    matching = [h for h in hypotheses if h.site == site]
    if not matching:
        raise UnknownId("site", site, sorted({h.site for h in hypotheses}))
    out = []
    for h in matching:
        mimic = kb.mimics[h.mimic] if h.mimic else None
        text = mimic.detail if mimic else h.detail
        if detail is not None and detail not in (text or ""):
            continue
        effects: dict[str, dict[str, float]] = deficit_pattern(kb, h.lesion)
        if mimic is not None:  # a look-alike damages no nerve: what it gives is pain where it hurts
            effects = {**effects, "painful_regions": {r: v for r, v in mimic.pain.items()}}
        out.append(
            {
                "hypothesis": h.id,
                "site": h.site,
                "detail": text,
                "lesion_nodes": dict(h.lesion),
                "pattern": h.pattern,
                "central": dict(h.central),
                "central_other_side": dict(h.central_contra),
                "mimic": h.mimic,
                "effects": effects,
            }
        )
    return out


def worksheet_rows(kb: KnowledgeBase) -> list[Row]:
    """Every claim in the knowledge base with its source, for clinician review."""
    rows: list[Row] = []

    def add(kind: str, rid: str, claim: str, sources: Iterable[SourceRef], note: str | None = None) -> None:
        rows.append(
            {
                "kind": kind,
                "id": rid,
                "claim": claim,
                "sources": "; ".join(_sources(sources)),
                "note": note or "",
                "verdict": "",
            }
        )

    for node in kb.nodes.values():
        add(
            "nerve",
            node.id,
            f"{node.name}: from {', '.join(node.parents)}; roots {node.roots[0]}-{node.roots[-1]}",
            node.sources,
            node.note,
        )
    targets: tuple[tuple[Mapping[str, Target], str], ...] = (
        (kb.muscles, "muscle"),
        (kb.reflexes, "reflex"),
        (kb.skin, "region"),
        (kb.studies, "study"),
    )
    for table, kind in targets:
        for target in table.values():
            supply = "; ".join(
                f"{kb.nerve_name(c.nerve)} "
                + ",".join(f"{r}({share:.0%})" for r, share in c.roots.items())
                + (f" [{c.part}]" if c.part else "")
                for c in target.supply()
            )
            add(kind, target.id, f"{target.name}: {supply}", target.sources, target.note)
    for movement in kb.movements.values():
        muscles = ", ".join(f"{m} {s:.0%}" for m, s in movement.muscles.items())
        add("movement", movement.id, f"{movement.name}: {muscles}", movement.sources, movement.note)
    for sign in kb.signs.values():
        add("sign", sign.id, f"{sign.name}: mechanism {sign.mechanism}", sign.sources, sign.note)
    for activity in kb.activities.values():
        add(
            "activity",
            activity.id,
            "needs " + ", ".join(f"{m} {s:.0%}" for m, s in activity.movements.items()),
            activity.sources,
        )
    for key, evidence in kb.evidence.items():
        parts = [f"default {evidence.default:g}", f"no lesion {evidence.none:g}"]
        parts += [f"{k} {v:g}" for table in (evidence.family, evidence.site, evidence.mimic) for k, v in table.items()]
        add("evidence", key, f"P(present): {', '.join(parts)}", evidence.sources, evidence.note)
    for mimic in kb.mimics.values():
        add(
            "look-alike",
            mimic.id,
            f"{mimic.detail}; pain: " + ", ".join(f"{r} {v:g}" for r, v in mimic.pain.items()),
            mimic.sources,
            mimic.note,
        )
    imaging_sources = [SourceRef.model_validate(s) for s in kb.imaging["sources"]]
    for cls, spec in imaging_classes(kb.imaging).items():
        add(
            "imaging",
            cls,
            f"sensitivity {spec['sensitivity']:g}, false positive {spec['fp']:g}: {spec['rationale']}",
            imaging_sources,
        )
    for feature, rule in kb.site_risk.items():
        ratios: dict[str, float] = {**rule.sites, **rule.families}
        claim = "prior odds x " + ", ".join(f"{k} {v:g}" for k, v in ratios.items())
        if rule.bilateral != 1:
            claim += f"; two-sided form x {rule.bilateral:g} more"
        add("history", feature, f"{claim}: {rule.reason}", list(rule.sources))
    for hyp in kb.hypotheses:
        lesion = ", ".join(f"{n} {w:g}" for n, w in hyp.lesion.items()) or (hyp.pattern or "no lesion")
        rows.append(
            {
                "kind": "hypothesis",
                "id": hyp.id,
                "claim": f"{hyp.site}: {lesion}; prior weight {hyp.weight:g} in family {hyp.family}",
                "sources": "plexnav_model (sites.yaml)",
                "note": hyp.detail or "",
                "verdict": "",
            }
        )
    for name in GUIDANCE_FILES:
        rows += _guidance_rows(name, files.read_yaml(name))
    return rows


GUIDANCE_FILES = (
    "triage_rules.yaml",
    "definitions_guidance.yaml",
    "causes.yaml",
    "workup.yaml",
    "management.yaml",
    "education.yaml",
    "safety.yaml",
)
_CLAIM_FIELDS = ("text", "why", "option", "reason", "title", "missing_reason", "default_text", "rule", "note")


def _guidance_rows(name: str, node: Any, path: str = "") -> list[Row]:
    """Every sourced record of a guidance file (triage rules, causes, tests, options, lessons)."""
    rows: list[Row] = []
    if isinstance(node, dict):
        if "sources" in node and path:
            claim = next((str(node[f]) for f in _CLAIM_FIELDS if isinstance(node.get(f), str)), None)
            if "prior" in node and "evidence" in node:  # a cause: its base rate and what moves it
                moves = "; ".join(f"{item['reason']} (LR {item['lr']})" for item in node["evidence"])
                claim = f"base rate {node['prior']}; evidence: {moves}"
            if claim is None and "paragraphs" in node:
                claim = " ".join(node["paragraphs"])[:300]
            refs = "; ".join(s["key"] + (f" ({s['locator']})" if s.get("locator") else "") for s in node["sources"])
            rows.append(
                {
                    "kind": name.removesuffix(".yaml"),
                    "id": str(node.get("id", path)),
                    "claim": claim or path,
                    "sources": refs,
                    "note": "",
                    "verdict": "",
                }
            )
        for key, value in node.items():
            rows += _guidance_rows(name, value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            rows += _guidance_rows(name, value, f"{path}[{i}]")
    return rows


def worksheet(kb: KnowledgeBase, fmt: str = "md") -> str:
    rows = worksheet_rows(kb)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        return buf.getvalue()
    lines = [
        f"# plexnav knowledge review worksheet ({kb.version_label})",
        "",
        "Mark each claim right or wrong in the last column.",
        "",
        "| kind | id | claim | sources | note | right/wrong |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [r["kind"], r["id"], r["claim"], r["sources"], r["note"], ""]
        lines.append("| " + " | ".join(c.replace("|", "/").replace("\n", " ") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(text: object) -> str:
    return str(text).replace("|", "/").replace("\n", " ")


def _refs(refs: Iterable[Mapping[str, Any]] | None) -> str:
    return "; ".join(r["key"] + (f" ({r['locator']})" if r.get("locator") else "") for r in refs or ())


def _condition_words(condition: Any) -> str:
    """A condition as compact text (for the review table)."""
    if isinstance(condition, str):
        return condition
    for word in ("all", "any", "none"):
        if word in condition:
            return f"{word}(" + ", ".join(_condition_words(c) for c in condition[word]) + ")"
    ops = ", ".join(f"{op} {condition[op]}" for op in ("lt", "le", "ge", "gt") if op in condition)
    return f"{condition['value']} {ops}"


def safety_review(guidance: GuidanceKnowledge) -> str:
    """docs/safety-review.md: every safety rule of the work-up, causes and management with
    what enforces it, the test that shows it and its sources, plus each contraindication and
    the options it blocks, with a right/wrong column for clinical review."""
    safety, management = guidance.safety, guidance.management
    lines = [
        "# plexnav clinical safety review",
        "",
        "Generated by `plexnav kb safety-review` (also `plexnav kb worksheet --format safety`) from",
        "`safety.yaml`, `management.yaml` and the bibliography; do not edit by hand. A test checks that",
        "this file equals the generated one. Mark each row right or wrong in the last column.",
        "",
        "## Safety rules",
        "",
        "| area | id | rule | enforced by | shown by test | sources | right/wrong |",
        "|---|---|---|---|---|---|---|",
    ]
    for rule in safety["rules"]:
        cells = [
            rule["area"],
            rule["id"],
            rule["rule"],
            ", ".join(rule["enforced_by"]),
            rule["test"],
            _refs(rule["sources"]),
            "",
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += [
        "",
        "## Contraindications: options never offered",
        "",
        "Every management option carries `never_with`, as self-care advice may; "
        "an option or advice is dropped when one of these holds.",
        "",
        "| contraindication | holds when | never offered | why | sources | right/wrong |",
        "|---|---|---|---|---|---|",
    ]
    for name, spec in management["contraindications"].items():
        blocked = [m["id"] for m in management["management"] if name in m["never_with"]]
        blocked += [
            f"{section}:{g['id']}"
            for section in ADVICE_SECTIONS
            for g in management.get(section) or ()
            if name in g.get("never_with", ())
        ]
        cells = [name, _condition_words(spec["when"]), ", ".join(blocked), spec["text"], _refs(spec["sources"]), ""]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "## Engine guards", "", "| guard | what it does | right/wrong |", "|---|---|---|"]
    for name, text in safety["engine_guards"].items():
        lines.append(f"| {_cell(name)} | {_cell(text)} |  |")
    cited = sorted(
        {r["key"] for rule in safety["rules"] for r in rule["sources"]}
        | {r["key"] for spec in management["contraindications"].values() for r in spec["sources"]}
    )
    lines += ["", "## Sources", ""]
    lines += [f"- `{key}`: {guidance.sources[key]['citation']}" for key in cited]
    return "\n".join(lines) + "\n"
