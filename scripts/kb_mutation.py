#!/usr/bin/env python3
"""Knowledge-base mutation check, wider than ../shared/tools/kb_mutants.py.

Corrupts one fact at a time in a private copy of the project (never in this work tree) and
runs the fast knowledge tests twice: the suite without the expectation tables ("before":
tests/test_knowledge.py and tests/test_forward_patterns.py) and with them ("after": plus
tests/test_expectations.py). Besides a muscle's, skin region's, reflex's or study's nerve
and roots, it corrupts branch order in structures.yaml (a node hung from its grandparent
or a sibling), the roots a node carries, a node's site pain, hypothesis lesion points and
their weights, cord effects, reflex arcs, conduction-study roots and fibre type, coverage
rules, length classes, movement shares and the look-alikes (mimic, differential).

Each mutant is first loaded in-process: one the loader rejects (a root a parent does not
carry, a cycle) is "rejected" - killed by validation, counted apart; one whose forward model
is identical to the original's for a lesion at every graph node, with the same hypotheses,
look-alikes and length classes, is "equivalent" (listed with its description, not run).

    .venv/bin/python scripts/kb_mutation.py --n 120 --seed 1 --workers 2 --json /tmp/m.json
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "plexnav" / "knowledge" / "data"
BEFORE = ["tests/test_knowledge.py", "tests/test_forward_patterns.py"]
AFTER = ["tests/test_expectations.py"]  # the "after" suite is BEFORE + AFTER
COPY = [
    "src",
    "scripts/expectation_tables.py",
    "tests/conftest.py",
    "tests/expectations",
    "pyproject.toml",
    *BEFORE,
    *AFTER,
]
ROOTS = ["L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3", "S4"]
TARGET_FILES = ["muscles.yaml", "skin_regions.yaml", "reflexes.yaml", "conduction_studies.yaml", "symptoms.yaml"]


# ------------------------------------------------------------------------------ candidates


def _swaps(flow: str):
    """Each way to swap two different values of a YAML flow mapping ('L4: 0.35, L5: 0.6'):
    (key a, key b, the mapping with their values swapped); the values' sum is kept."""
    items = [kv.split(": ") for kv in flow.split(", ")]
    for x in range(len(items)):
        for y in range(x + 1, len(items)):
            if items[x][1] != items[y][1]:
                swapped = [list(t) for t in items]
                swapped[x][1], swapped[y][1] = items[y][1], items[x][1]
                yield items[x][0], items[y][0], ", ".join(f"{k}: {v}" for k, v in swapped)


def candidates(kb) -> list[dict]:
    """Every one-line corruption: file, line index, category, description, new line."""
    g = kb.graph
    out = []

    def add(f, i, cat, desc, new):
        out.append({"file": f, "line": i, "category": cat, "desc": desc, "new": new})

    def neighbours(node):
        near = set(g.predecessors(node)) | set(g.successors(node))
        for p in g.predecessors(node):
            near |= set(g.successors(p))
        return sorted(n for n in near - {node} if g.nodes[n]["kind"] not in ("root", "spinal_nerve"))

    for f in TARGET_FILES:
        kind = {
            "muscles.yaml": "muscles",
            "skin_regions.yaml": "skin",
            "reflexes.yaml": "reflexes",
            "conduction_studies.yaml": "studies",
            "symptoms.yaml": "visceral",
        }[f]
        for i, line in enumerate((DATA / f).read_text().splitlines()):
            if line.lstrip().startswith("#"):
                continue
            m = re.search(r'\bnerve: "?([A-Za-z_:0-9]+)"?', line)
            if m and m.group(1) in g and not m.group(1).startswith("dorsal_ramus"):
                for other in neighbours(m.group(1)):
                    add(
                        f,
                        i,
                        f"{kind}:nerve",
                        f"nerve {m.group(1)} -> {other}",
                        line[: m.start()] + f'nerve: "{other}"' + line[m.end() :],
                    )
            for rm in re.finditer(r"\b(L[1-5]|S[1-4]): ([01](?:\.\d+)?)\b", line):
                root, share = rm.group(1), float(rm.group(2))
                if share < 1:
                    flip = "0.05" if share >= 0.5 else "0.9"
                    add(
                        f,
                        i,
                        f"{kind}:share",
                        f"{root} {share:g} -> {flip}",
                        line[: rm.start()] + f"{root}: {flip}" + line[rm.end() :],
                    )
                k = ROOTS.index(root)
                for other in ROOTS[max(0, k - 1) : k + 2]:
                    if other != root and f"{other}:" not in line:
                        add(
                            f,
                            i,
                            f"{kind}:root",
                            f"root {root} -> {other}",
                            line[: rm.start()] + f"{other}: {rm.group(2)}" + line[rm.end() :],
                        )
            for rm in re.finditer(r"roots: \{([^}]*)\}", line):  # move share between two roots (sum kept)
                for a, b, swapped in _swaps(rm.group(1)):
                    add(
                        f,
                        i,
                        f"{kind}:swap",
                        f"swap shares of {a} and {b}",
                        line[: rm.start()] + "roots: {" + swapped + "}" + line[rm.end() :],
                    )
            m = re.match(r"(\s*)fibres: (sensory|motor|reflex|late_motor)\s*$", line)
            if m:
                for other in ("sensory", "motor"):
                    if other != m.group(2):
                        add(f, i, "studies:fibres", f"fibres {m.group(2)} -> {other}", f"{m.group(1)}fibres: {other}")
            m = re.match(r"(\s*)coverage: (any|all)\s*$", line)
            if m:
                add(f, i, f"{kind}:coverage", f"coverage {m.group(2)} -> share", f"{m.group(1)}coverage: share")
            m = re.match(r"(\s*)length_class: ([123])\s*$", line)
            if m:
                for other in "123":
                    if other != m.group(2):
                        add(
                            f,
                            i,
                            f"{kind}:length_class",
                            f"length_class {m.group(2)} -> {other}",
                            f"{m.group(1)}length_class: {other}",
                        )

    lines = (DATA / "movements.yaml").read_text().splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"(\s*muscles: )\{(.*)\}\s*$", line)
        if m:
            for a, b, swapped in _swaps(m.group(2)):
                add(
                    "movements.yaml",
                    i,
                    "movements:share",
                    f"swap shares of {a} and {b}",
                    m.group(1) + "{" + swapped + "}",
                )

    node = None
    for i, line in enumerate((DATA / "structures.yaml").read_text().splitlines()):
        m = re.match(r"\s*- id: (\S+)", line)
        if m:
            node = m.group(1)
        m = re.match(r"(\s*parents: )\[(.*)\]\s*$", line)
        if m and node:
            parents = [p.strip() for p in m.group(2).split(",")]
            for p in parents:
                moves = [(q, "up to") for q in g.predecessors(p)]
                moves += [(q, "across to") for q in g.successors(p) if q != node and g.nodes[q]["kind"] != "root"]
                for q, how in moves:
                    if q in parents:
                        continue
                    new = [q if x == p else x for x in parents]
                    add(
                        "structures.yaml",
                        i,
                        "structures:branch_order",
                        f"{node}: parent {p} -> {how} {q}",
                        m.group(1) + "[" + ", ".join(new) + "]",
                    )
        m = re.match(r"(\s{4}roots: )\[(.*)\]\s*$", line)
        if m and node:
            roots = [r.strip() for r in m.group(2).split(",")]
            for r in roots if len(roots) > 1 else []:
                add(
                    "structures.yaml",
                    i,
                    "structures:node_roots",
                    f"{node}: drop root {r}",
                    m.group(1) + "[" + ", ".join(x for x in roots if x != r) + "]",
                )
        m = re.match(r"(\s*local_pain: )\[(.*)\]\s*$", line)
        if m and node and m.group(2).strip():
            regions = [r.strip() for r in m.group(2).split(",")]
            for r in regions:
                add(
                    "structures.yaml",
                    i,
                    "structures:local_pain",
                    f"{node}: drop site pain {r}",
                    m.group(1) + "[" + ", ".join(x for x in regions if x != r) + "]",
                )

    mimics = list(kb.mimics)
    sites = sorted({h.site for h in kb.hypotheses} | {"polyradiculopathy"})
    for i, line in enumerate((DATA / "sites.yaml").read_text().splitlines()):
        m = re.search(r"lesion: \{([^}]*)\}", line)
        if m and m.group(1).strip():
            items = [(k.strip().strip('"'), v.strip()) for k, v in (kv.rsplit(":", 1) for kv in m.group(1).split(", "))]
            for j, (n, w) in enumerate(items):
                for other in (
                    neighbours(n) if not n.startswith("root:") else [f"root:{r}" for r in ROOTS if f"root:{r}" != n]
                ):
                    if any(other == k for k, _ in items) or (
                        n.startswith("root:") and abs(ROOTS.index(other[5:]) - ROOTS.index(n[5:])) > 1
                    ):
                        continue
                    new = [(other if x == j else k, v) for x, (k, v) in enumerate(items)]
                    add(
                        "sites.yaml",
                        i,
                        "sites:lesion_point",
                        f"lesion {n} -> {other}",
                        line[: m.start()]
                        + "lesion: {"
                        + ", ".join(f'"{k}": {v}' for k, v in new)
                        + "}"
                        + line[m.end() :],
                    )
                nw = "0.5" if float(w) >= 0.75 else "1.0"
                new = [(k, nw if x == j else v) for x, (k, v) in enumerate(items)]
                add(
                    "sites.yaml",
                    i,
                    "sites:lesion_weight",
                    f"lesion {n} weight {w} -> {nw}",
                    line[: m.start()] + "lesion: {" + ", ".join(f'"{k}": {v}' for k, v in new) + "}" + line[m.end() :],
                )
        m = re.search(r"umn_from: (\w+)", line)
        if m:
            k = ROOTS.index(m.group(1))
            for other in (ROOTS[k - 1], ROOTS[k + 1]):
                add(
                    "sites.yaml",
                    i,
                    "sites:central",
                    f"umn_from {m.group(1)} -> {other}",
                    line[: m.start()] + f"umn_from: {other}" + line[m.end() :],
                )
        m = re.search(r"central: \{([^}]*)\}", line)
        if m:
            for kv in m.group(1).split(", "):
                k, v = kv.split(": ")
                add(
                    "sites.yaml",
                    i,
                    "sites:central",
                    f"central {k} {v} -> 0.1",
                    line[: m.start()] + "central: {" + m.group(1).replace(kv, f"{k}: 0.1") + "}" + line[m.end() :],
                )
        m = re.search(r"mimic: (\w+)", line)
        if m:
            for other in mimics:
                if other != m.group(1):
                    add(
                        "sites.yaml",
                        i,
                        "sites:look_alike",
                        f"mimic {m.group(1)} -> {other}",
                        line[: m.start()] + f"mimic: {other}" + line[m.end() :],
                    )
        m = re.match(r'(\s+"?([a-z_:0-9A-Z]+)"?: )\[(.*)\]\s*$', line)
        if m and m.group(2) in sites:
            entries = [e.strip() for e in m.group(3).split(",")]
            for j, e in enumerate(entries):
                add(
                    "sites.yaml",
                    i,
                    "sites:look_alike",
                    f"differential of {m.group(2)}: drop {e}",
                    m.group(1) + "[" + ", ".join(x for x in entries if x != e) + "]",
                )
                swaps = [s for s in sites if f'"{s}"' not in entries and s not in entries and s != m.group(2)]
                other = swaps[(i * 7 + j) % len(swaps)]
                add(
                    "sites.yaml",
                    i,
                    "sites:look_alike",
                    f"differential of {m.group(2)}: {e} -> {other}",
                    m.group(1) + "[" + ", ".join(f'"{other}"' if x == e else x for x in entries) + "]",
                )
    return out


def sample(cands: list[dict], n: int, seed: int) -> list[dict]:
    """Stratified: round-robin over categories so every kind of fact is represented."""
    rng = random.Random(seed)
    by_cat: dict[str, list] = {}
    for c in cands:
        by_cat.setdefault(c["category"], []).append(c)
    for items in by_cat.values():
        rng.shuffle(items)
    cats = sorted(by_cat)
    rng.shuffle(cats)
    picked = []
    while len(picked) < n and any(by_cat.values()):
        for cat in cats:
            if by_cat[cat] and len(picked) < n:
                picked.append(by_cat[cat].pop())
    return picked


# ------------------------------------------------------------------------------ in-process oracle


def _signature(kb) -> str:
    """Everything observable of the forward model: a lesion at every graph node, every
    target; hypotheses with look-alikes; length classes; study fibre types."""
    from plexnav.knowledge import forward as fw

    sig = []
    for node in sorted(kb.graph):
        lesion = {node: 1.0}
        pat = fw.deficit_pattern(kb, lesion, threshold=0.0001)
        extra = {m: round(fw.muscle_involvement(kb, lesion, m), 4) for m, r in kb.muscles.items() if not r.emg}
        extra["plantar"] = round(fw.reflex_involvement(kb, lesion, "plantar"), 4)
        extra.update(
            {f"v:{v}": round(fw.supply_involvement(kb, lesion, r.components), 4) for v, r in kb.visceral.items()}
        )
        extra.update({f"p:{s}": fw.local_pain_involvement(kb, lesion, s) for s in kb.skin})
        sig.append((node, pat, extra))
    sig.append([h.model_dump() for h in kb.hypotheses])
    sig.append({k: list(v) for k, v in kb.differential.items()})
    sig.append(
        {t: {r.id: r.length_class for r in getattr(kb, t).values()} for t in ("muscles", "skin", "reflexes", "studies")}
    )
    sig.append({s.id: s.fibres for s in kb.studies.values()})
    return json.dumps(sig, sort_keys=True, default=str)


class Oracle:
    """Loads a mutated data directory in this process (the loader, then the signature)."""

    def __init__(self, scratch: Path):
        sys.path.insert(0, str(ROOT / "src"))
        from plexnav.knowledge import base, files

        self.base, self.files, self.scratch = base, files, scratch
        files.read_bytes = lambda name: (scratch / name).read_bytes()
        files.data_names = lambda: sorted(p.name for p in scratch.glob("*.yaml"))

    def load(self):
        self.files.read_yaml.cache_clear()
        self.base.load_knowledge.cache_clear()
        return self.base.load_knowledge()


# ------------------------------------------------------------------------------ running


def run_suite(work: Path, tests: list[str]) -> bool:
    """True when the tests pass (the mutant survives them)."""
    p = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PYTHONPATH": str(work / "src"), "PATH": "/usr/bin:/bin", "HOME": str(work)},
    )
    return p.returncode == 0


def make_copy(dest: Path) -> None:
    for rel in COPY:
        src, dst = ROOT / rel, dest / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dst)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=120, help="mutants to draw (rejected and equivalent ones included)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", type=Path, help="write the full result here")
    ap.add_argument("--list", action="store_true", help="only list the candidate counts by category")
    ap.add_argument("--category", help="draw only from this category (e.g. studies:fibres)")
    a = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="kb-mutation-"))
    try:
        scratch = tmp / "scratch"
        shutil.copytree(DATA, scratch)
        oracle = Oracle(scratch)
        kb = oracle.load()
        base_sig = _signature(kb)
        cands = candidates(kb)
        if a.list:
            cats: dict[str, int] = {}
            for c in cands:
                cats[c["category"]] = cats.get(c["category"], 0) + 1
            print(json.dumps(cats, indent=1), len(cands))
            return 0
        if a.category:
            cands = [c for c in cands if c["category"] == a.category]
        picked = sample(cands, a.n, a.seed)
        to_run = []
        for c in picked:  # classify in-process: rejected by the loader, equivalent, or to test
            path = scratch / c["file"]
            original = path.read_text()
            lines = original.splitlines()
            lines[c["line"]] = c["new"]
            path.write_text("\n".join(lines) + "\n")
            try:
                sig = _signature(oracle.load())
                c["status"] = "equivalent" if sig == base_sig else "test"
            except Exception as exc:  # noqa: BLE001 - any load failure is a rejection
                c["status"], c["error"] = "rejected", str(exc).splitlines()[0][:160]
            finally:
                path.write_text(original)
            if c["status"] == "test":
                to_run.append(c)

        works = []
        for w in range(a.workers):
            make_copy(tmp / f"w{w}")
            works.append(tmp / f"w{w}")
        probe = subprocess.run(
            [str(ROOT / ".venv/bin/python"), "-c", "import plexnav; print(plexnav.__file__)"],
            capture_output=True,
            text=True,
            env={"PYTHONPATH": str(works[0] / "src")},
        )
        assert probe.stdout.startswith(str(works[0])), f"the copy imports the wrong package: {probe.stdout}"
        for w in works:
            if not run_suite(w, BEFORE + AFTER):
                print("baseline fails before any mutation")
                return 2

        def job(index):
            c, work = to_run[index], works[index % a.workers]
            path = work / "src/plexnav/knowledge/data" / c["file"]
            original = path.read_text()
            lines = original.splitlines()
            lines[c["line"]] = c["new"]
            path.write_text("\n".join(lines) + "\n")
            try:
                c["killed_after_only_by_tables"] = not run_suite(work, AFTER)
                c["survives_before"] = run_suite(work, BEFORE)
            finally:
                path.write_text(original)
            c["survives_after"] = c["survives_before"] and not c["killed_after_only_by_tables"]
            print(
                f"{'SURVIVED' if c['survives_after'] else 'killed  '} before:{'S' if c['survives_before'] else 'k'} "
                f"{c['category']:28s} {c['file']}:{c['line'] + 1} {c['desc']}",
                flush=True,
            )

        # one worker per copy: jobs of the same copy run in sequence
        with ThreadPoolExecutor(a.workers) as pool:
            list(pool.map(lambda w: [job(i) for i in range(w, len(to_run), a.workers)], range(a.workers)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def summary(key):
        surv = [f"{c['category']} {c['file']}:{c['line'] + 1} {c['desc']}" for c in to_run if c[key]]
        return {
            "tested": len(to_run),
            "survived": len(surv),
            "kill_rate": round(1 - len(surv) / max(1, len(to_run)), 3),
            "survivors": surv,
        }

    result = {
        "drawn": len(picked),
        "rejected_by_loader": sum(c["status"] == "rejected" for c in picked),
        "equivalent": [
            f"{c['category']} {c['file']}:{c['line'] + 1} {c['desc']}" for c in picked if c["status"] == "equivalent"
        ],
        "tested": len(to_run),
        "before": summary("survives_before"),
        "after": summary("survives_after"),
        "by_category": {},
        "mutants": picked,
    }
    for c in to_run:
        row = result["by_category"].setdefault(c["category"], {"tested": 0, "survived_before": 0, "survived_after": 0})
        row["tested"] += 1
        row["survived_before"] += c["survives_before"]
        row["survived_after"] += c["survives_after"]
    print(
        f"drawn {len(picked)}: rejected by the loader {result['rejected_by_loader']}, "
        f"equivalent {len(result['equivalent'])}, "
        f"tested {len(to_run)}"
    )
    for label in ("before", "after"):
        s = result[label]
        print(f"{label}: survived {s['survived']}/{s['tested']} (killed {s['kill_rate']:.1%})")
    for e in result["equivalent"]:
        print(f"equivalent: {e}")
    if a.json:
        a.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
