#!/usr/bin/env python3
"""Reviewed expectation tables: what a lesion at each site produces, frozen for the tests.

One YAML file per lesion hypothesis of sites.yaml under tests/expectations/: the hypothesis
itself (site, lesion nodes with their weights, central effects, look-alikes) and every target
the forward model touches, with its graded involvement rounded to 2 decimals and the sources
of the target record. Rows a reviewer checked against the references carry a ``review:`` note;
a table-level ``review:`` says what the whole table was checked against.

    .venv/bin/python scripts/expectation_tables.py --check        # what tests/test_expectations.py runs
    .venv/bin/python scripts/expectation_tables.py --write        # first generation (keeps notes)
    .venv/bin/python scripts/expectation_tables.py --update --reason "why the fact changed"
    .venv/bin/python scripts/expectation_tables.py --worksheet    # the rows as worksheet lines (markdown)

--update rewrites only the rows that changed, keeps every review note and appends the reason
with the changed rows to the table's ``changes:`` log, so a deliberate change of a fact lands
in the same commit as its table update.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TABLES = ROOT / "tests" / "expectations"

# Row groups in table order. The first five are deficit_pattern's groups (the `plexnav kb
# lesion` answer); the others pin facts deficit_pattern leaves out.
GROUPS = (
    "weak_movements",
    "reflexes_reduced",
    "numb_regions",
    "abnormal_studies",
    "denervated_muscles",
    "other_targets",
    "site_pain",
    "visceral",
)
HEADER = (
    "hypothesis",
    "site",
    "detail",
    "lesion",
    "pattern",
    "central",
    "umn_from",
    "family",
    "sides",
    "mimic",
    "look_alikes",
)
# header keys written only when they say something (older tables need no rewrite)
OPTIONAL_HEADER = ("central_other_side",)


def _sources(rec) -> str:
    return "; ".join(s.key + (f" ({s.locator})" if s.locator else "") for s in rec.sources)


class _NodeLesion:
    """A lesion of one graph node that no hypothesis has to itself (a spinal nerve beyond the
    ganglion, a ramus, a division, a branch): its table pins the facts no site reaches alone."""

    def __init__(self, node: str):
        self.id, self.site, self.lesion = f"node:{node}", "lesion point (no hypothesis of its own)", {node: 1.0}
        self.detail = self.pattern = self.umn_from = self.family = self.mimic = None
        self.central, self.central_contra, self.sides = {}, {}, []


def table_path(key: str) -> Path:
    if key.startswith("node:"):
        return TABLES / "nodes" / (key.removeprefix("node:").replace(":", "_") + ".yaml")
    return TABLES / f"{key}.yaml"


def live_tables(kb=None) -> dict[str, dict]:
    """The tables the live knowledge base gives: hypothesis id -> table (header + groups of
    target -> (involvement rounded to 2 decimals, source))."""
    from plexnav.knowledge import forward as fw
    from plexnav.knowledge.base import load_knowledge

    kb = kb or load_knowledge()
    out = {}
    single = {next(iter(h.lesion)) for h in kb.hypotheses if len(h.lesion) == 1 and set(h.lesion.values()) == {1.0}}
    extra = [_NodeLesion(node) for node in sorted(kb.graph) if node not in single]
    for hyp in [*kb.hypotheses, *extra]:
        lesion = dict(hyp.lesion)
        if hyp.pattern == "length_dependent":

            def value(kind, rec):
                return kb.length_dependent[rec.length_class if kind != "visceral" else 1]
        else:

            def value(kind, rec, lesion=lesion):
                if kind == "movement":
                    return fw.movement_involvement(kb, lesion, rec.id)
                if kind == "muscle":
                    return fw.muscle_involvement(kb, lesion, rec.id)
                if kind == "reflex":
                    return fw.reflex_involvement(kb, lesion, rec.id)
                if kind == "skin":
                    return fw.skin_involvement(kb, lesion, rec.id)
                if kind == "study":
                    return fw.study_involvement(kb, lesion, rec.id)
                return fw.supply_involvement(kb, lesion, rec.components)

        groups: dict[str, dict] = {g: {} for g in GROUPS}

        def put(group, key, rec, v, source=None, groups=groups):
            v = round(v, 2)
            if v > 0:
                fibres = getattr(rec, "fibres", None)  # a study's fibre type picks its likelihood family
                groups[group][key] = (v, source if source is not None else _sources(rec), fibres)

        if hyp.pattern == "length_dependent":  # a movement's grade by its muscles' length classes
            for rec in kb.movements.values():
                put(
                    "weak_movements",
                    rec.id,
                    rec,
                    sum(s * kb.length_dependent[kb.muscles[m].length_class] for m, s in rec.muscles.items()),
                )
        else:
            for rec in kb.movements.values():
                put("weak_movements", rec.id, rec, value("movement", rec))
        for rec in kb.reflexes.values():
            put(
                "reflexes_reduced" if rec.id != "plantar" else "other_targets",
                rec.id if rec.id != "plantar" else "reflex:plantar",
                rec,
                value("reflex", rec),
            )
        for rec in kb.skin.values():
            put("numb_regions", rec.id, rec, value("skin", rec))
        for rec in kb.studies.values():
            put("abnormal_studies", rec.id, rec, value("study", rec))
        for rec in kb.muscles.values():
            put(
                "denervated_muscles" if rec.emg else "other_targets",
                rec.id if rec.emg else f"muscle:{rec.id}",
                rec,
                value("muscle", rec),
            )
        if hyp.pattern is None:
            for region in kb.skin:
                put(
                    "site_pain",
                    region,
                    None,
                    fw.local_pain_involvement(kb, lesion, region),
                    source="structures.yaml local_pain of the lesion node",
                )
        for rec in kb.visceral.values():
            put("visceral", rec.id, rec, value("visceral", rec))
        out[hyp.id] = {
            "hypothesis": hyp.id,
            "site": hyp.site,
            "detail": hyp.detail,
            "lesion": lesion,
            "pattern": hyp.pattern,
            "central": dict(hyp.central),
            "central_other_side": dict(hyp.central_contra),
            "umn_from": hyp.umn_from,
            "family": hyp.family,
            "sides": list(hyp.sides),
            "mimic": hyp.mimic,
            "look_alikes": list(kb.differential.get(hyp.site, ())) if hyp.family else [],
            **{g: dict(sorted(rows.items(), key=lambda kv: (-kv[1][0], kv[0]))) for g, rows in groups.items()},
        }
    return out


# ---------------------------------------------------------------- reading and writing tables


def read_table(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def read_tables() -> dict[str, dict]:
    """hypothesis id (or node:<graph node>) -> stored table."""
    tables = (read_table(p) for p in [*sorted(TABLES.glob("*.yaml")), *sorted(TABLES.glob("nodes/*.yaml"))])
    return {t["hypothesis"]: t for t in tables}


def _q(text) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _flow(value) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, sort_keys=False).strip()
    return text.removesuffix("...").strip()  # a bare scalar is dumped as a document


def render(live: dict, old: dict | None, changes: list | None = None) -> str:
    """Write one table: the live values, the review notes of ``old`` (kept row by row)."""
    old = old or {}
    lines = [
        f"# Expectation table: what a lesion of hypothesis {live['hypothesis']} produces.",
        "# Generated by scripts/expectation_tables.py from the forward model, then reviewed; do not edit values",
        "# by hand: change the fact in the knowledge YAML and run the script with --update --reason.",
        "# involvement: share of the target's supply the lesion damages (0-1, rounded); the `plexnav kb lesion`",
        "# answer lists rows at 0.25 or more. A target not listed is pinned at 0 (spared).",
        "",
    ]
    for key in HEADER:
        lines.append(f"{key}: {_flow(live[key])}")
        if key == "central":
            lines += [f"{k}: {_flow(live[k])}" for k in OPTIONAL_HEADER if live.get(k)]
    if old.get("review"):
        lines.append(f"review: {_q(old['review'])}")
    for group in GROUPS:
        rows = live[group]
        if not rows:
            lines.append(f"{group}: {{}}")
            continue
        lines.append(f"{group}:")
        old_rows = old.get(group) or {}
        for target, (value, source, fibres) in rows.items():
            row = (
                f"  {target}: {{involvement: {value}"
                + (f", fibres: {fibres}" if fibres else "")
                + f", source: {_q(source)}"
            )
            note = (old_rows.get(target) or {}).get("review")
            if note:
                row += f", review: {_q(note)}"
            lines.append(row + "}")
        gone = [t for t, r in old_rows.items() if t not in rows and (r or {}).get("review")]
        for target in gone:  # a reviewed row that vanished keeps its note, at 0, so the reviewer sees it
            lines.append(f"  # {target}: was reviewed ({old_rows[target]['review']}); now spared")
    log = list(old.get("changes") or []) + list(changes or [])
    lines.append("changes:" + (" []" if not log else ""))
    for entry in log:
        lines.append(f"  - {_flow(entry)}")
    return "\n".join(lines) + "\n"


def differences(live: dict, table: dict) -> list[str]:
    """Human-readable differences between a live table and a stored one (empty: equal)."""
    out = []
    for key in HEADER:
        if table.get(key) != live[key]:
            out.append(f"{key}: table {table.get(key)!r}, live {live[key]!r}")
    for key in OPTIONAL_HEADER:
        if (table.get(key) or {}) != (live.get(key) or {}):
            out.append(f"{key}: table {table.get(key)!r}, live {live.get(key)!r}")
    for group in GROUPS:
        stored = {t: r["involvement"] for t, r in (table.get(group) or {}).items()}
        now = {t: v for t, (v, _, _) in live[group].items()}
        for target in sorted(set(stored) | set(now)):
            a, b = stored.get(target, 0.0), now.get(target, 0.0)
            if abs(a - b) > 1e-9:
                out.append(f"{group}.{target}: table {a}, live {b}")
        for target, (_, _, fibres) in live[group].items():
            was = ((table.get(group) or {}).get(target) or {}).get("fibres")
            if target in stored and was != fibres:
                out.append(f"{group}.{target}: fibres table {was}, live {fibres}")
    return out


def check(live_all: dict, tables: dict) -> list[str]:
    problems = []
    for hid in sorted(set(live_all) - set(tables)):
        problems.append(f"{hid}: no expectation table (run scripts/expectation_tables.py --update --reason ...)")
    for hid in sorted(set(tables) - set(live_all)):
        problems.append(f"{hid}: table for a hypothesis that no longer exists")
    for hid in sorted(set(live_all) & set(tables)):
        problems += [f"{table_path(hid).relative_to(TABLES)} {d}" for d in differences(live_all[hid], tables[hid])]
    return problems


def worksheet(tables: dict) -> str:
    """Each row as a line of the review worksheet (kind expectation), markdown."""
    lines = ["| kind | id | claim | sources | note | right/wrong |", "|---|---|---|---|---|---|"]
    for hid, table in tables.items():
        lesion = ", ".join(f"{n} {w:g}" for n, w in (table["lesion"] or {}).items()) or (
            table["pattern"] or "no lesion"
        )
        for group in GROUPS:
            for target, row in (table.get(group) or {}).items():
                cells = [
                    "expectation",
                    f"{hid}/{group}/{target}",
                    f"{table['site']} ({lesion}): {target} {row['involvement']:.2f}",
                    row["source"],
                    row.get("review", ""),
                    "",
                ]
                lines.append("| " + " | ".join(str(c).replace("|", "/") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--write", action="store_true", help="(re)write every table, keeping review notes")
    mode.add_argument("--update", action="store_true", help="rewrite changed tables and log --reason")
    mode.add_argument("--worksheet", action="store_true")
    ap.add_argument("--reason", help="why the facts changed (required with --update)")
    a = ap.parse_args(argv)
    live_all = live_tables()
    tables = read_tables()
    if a.check:
        problems = check(live_all, tables)
        print("\n".join(problems) or f"{len(tables)} expectation tables match the forward model")
        return 1 if problems else 0
    if a.worksheet:
        sys.stdout.write(worksheet(tables))
        return 0
    if a.update and not a.reason:
        ap.error("--update needs --reason")
    TABLES.mkdir(parents=True, exist_ok=True)
    for hid, live in live_all.items():
        old = tables.get(hid)
        diff = differences(live, old) if old else ["new table"]
        if a.update and not diff:
            continue
        log = [{"date": datetime.date.today().isoformat(), "reason": a.reason, "rows": diff}] if a.update else None
        table_path(hid).parent.mkdir(parents=True, exist_ok=True)
        table_path(hid).write_text(render(live, old, log), encoding="utf-8")
        if a.update:
            print(f"{hid}: {len(diff)} rows changed")
    if a.update:
        for hid in set(tables) - set(live_all):
            table_path(hid).unlink()
            print(f"{hid}: table removed (hypothesis gone)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
