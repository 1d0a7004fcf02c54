"""Guided examination benchmark (issue 10): how many items until stopping, and how right.

Simulated patients from every site family (root, nerve, plexus, polyradiculopathy, cauda
equina, conus, cord, polyneuropathy, no lesion), drawn with the realistic simulator's
assumptions: a per-patient severity (partial lesions, Beta(4, 1.5)), states drawn from
a model that differs from the scoring model, and 3% wrong answers.  Each patient first
reports symptoms (as in clinic); then three strategies examine, bedside items first, then
conduction studies and needle EMG:

* guided: plexnav's next question (information gain per cost), stopping when the leader
  reaches the target or no item of the phase would change the leader (then EMG/NCS);
* fixed: a textbook order (strength proximal to distal, reflexes, sensation, signs; then
  sensory and motor studies, late responses, muscles proximal to distal), both sides;
* random: the same items in random order (bedside, then EMG/NCS).

Fixed and random stop when the leader reaches the target.  Reported: mean and 90th
percentile items until stopping, EMG muscles asked, cost, top-1 at the stop, the full fixed
exam's top-1 (every item), the accuracy curve against items asked, and how well the
"expected further items" estimate predicted the items a phase took.

    .venv/bin/python benchmarks/guided.py --patients 270 --plot docs/guided-accuracy.png
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from plexnav import vocabulary as V
from plexnav.engine.catalogue import state_probabilities
from plexnav.engine.guided import askable, item_kind, plan
from plexnav.engine.localize import Scored, group_sites
from plexnav.engine.simulate import SKIP_TARGETS, _draw_state, derived_columns
from plexnav.knowledge.examination_costs import load_exam_costs
from plexnav.modelcache import load_model

FAMILIES = ("root", "nerve", "plexus", "polyradiculopathy", "cauda_equina", "conus", "cord", "polyneuropathy", "none")
FLIP = 0.03
CURVE_AT = (0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200)
# the textbook order of the strength screen: the vocabulary lists movements proximal to distal
TEXTBOOK_MOVEMENTS = V.MOVEMENTS


def patient(model, h, rng):
    """(symptom columns, {finding index: answer column}) of one simulated patient."""
    severity = rng.beta(4.0, 1.5)
    symptoms, answers = [], {}
    for f, spec in enumerate(model.findings):
        if spec.base_key is not None or spec.target in SKIP_TARGETS or spec.side == "either":
            continue
        probs = state_probabilities(model.kb, spec, model.inv_lmn[h, f] * severity, model.inv_umn[h, f] * severity)
        start = model.column[(spec.key, spec.states[0])]
        if spec.kind == "presence":
            chance = probs[0] * 0.8 if model.lmn[h, f] > 0 else 0.01
            if rng.random() < chance:
                symptoms.append(start)
            continue
        answers[f] = start + _draw_state(np.asarray(probs), rng, FLIP)
    return symptoms, answers


class Examination:
    """One patient being examined: the answered columns and the posterior they give."""

    def __init__(self, model, symptoms, answers):
        self.model, self.symptoms, self.answers = model, list(symptoms), answers
        self.cols: list[int] = []
        self.closed = np.zeros(len(model.findings), dtype=bool)

    def ask(self, f: int) -> None:
        self.closed[f] = True
        if f in self.answers:
            self.cols.append(self.answers[f])

    def posterior(self) -> np.ndarray:
        base = self.symptoms + self.cols
        return self.model.posterior(np.array(base + derived_columns(self.model, base), dtype=np.intp))

    def groups(self):
        return group_sites(self.model, Scored((), np.zeros(0, dtype=np.intp), self.posterior(), "bilateral"))

    def leader(self) -> tuple[str, str, float]:
        """(site, side, probability) of the leading site, as group_sites ranks it, cheaply."""
        mass = (
            np.bincount(self.model.group_index, weights=self.posterior(), minlength=len(self.model.group_keys))
            ** self.model.site_sharpness
        )
        g = int(np.argmax(mass))
        site, side = self.model.group_keys[g]
        return site, side, float(mass[g] / mass.sum())


def correct(model, leader, h) -> bool:
    """The leading site (and side, for one-sided hypotheses) is the patient's."""
    hyp = model.hypotheses[h]
    site, side = (leader.site, leader.side) if hasattr(leader, "site") else leader[:2]
    return site == hyp.site and (side == hyp.side or hyp.side in ("symptomatic", "bilateral"))


def run_guided(model, costs, exam, h, target, limit=10_000, edx_costs=None):
    """Bedside questions until the step says stop, then EMG/NCS until it says stop (or
    ``limit`` items are asked; ``edx_costs`` may set other stop thresholds for EMG/NCS)."""
    curve, estimates, items, emg, cost = [], [], 0, 0, 0.0
    bedside_costs = costs
    for phase in ("bedside", "edx"):
        costs = edx_costs if (phase == "edx" and edx_costs is not None) else bedside_costs
        phase_items, first_estimate = 0, None
        while True:
            groups = exam.groups()
            if len(curve) == items:
                curve.append(correct(model, groups[0], h))
            step = plan(model, exam.posterior(), groups, exam.closed, phase, costs, target, n=1)
            if first_estimate is None:
                first_estimate = step.expected_further_items
            if step.stop or not step.questions or items >= limit:
                break
            q = step.questions[0]
            exam.ask(model.finding_index[q.finding])
            items, phase_items, cost = items + 1, phase_items + 1, cost + q.cost
            emg += q.finding.startswith("needle_emg:")
        estimates.append((first_estimate, phase_items))
        if step.stop_reason == "target_reached":
            break
    return items, emg, cost, curve, curve[-1], estimates, step.stop_reason


def textbook_order(model, phase_mask) -> list[int]:
    def rank(f):
        spec = model.findings[f]
        prefix = spec.key.split(":")[0]
        side = 0 if spec.side != "right" else 1
        if prefix == "strength":
            return (0, TEXTBOOK_MOVEMENTS.index(spec.target_id), side)
        if prefix == "reflex":
            return (1, spec.key, side)
        if prefix == "sensation":
            return (2, spec.key, side)
        if prefix == "sign":
            return (3, spec.key, side)
        if prefix == "ncs":
            fibres = model.kb.studies[spec.target_id].fibres
            return (4, ("sensory", "motor", "reflex", "late_motor").index(fibres), spec.key, side)
        return (5, model.kb.muscles[spec.target_id].length_class, spec.key, side)

    return sorted(np.flatnonzero(phase_mask), key=rank)


def run_order(model, costs, exam, h, target, order):
    """Ask in the given order until the leader reaches the target; curve[k]: right after k items."""
    curve, items, emg, cost = [], 0, 0, 0.0
    for f in order:
        leader = exam.leader()
        curve.append(correct(model, leader, h))
        if leader[2] >= target:
            break
        exam.ask(f)
        items += 1
        key = model.findings[f].key
        emg += key.startswith("needle_emg:")
        cost += costs.cost(key, item_kind(model, f))
    else:
        curve.append(correct(model, exam.leader(), h))
    return items, emg, cost, curve, curve[-1]


def choose_hypotheses(model, n, rng):
    by_family = {
        fam: [i for i, hyp in enumerate(model.hypotheses) if hyp.family == fam and hyp.background is None]
        for fam in FAMILIES
    }
    return [int(rng.choice(by_family[FAMILIES[k % len(FAMILIES)]])) for k in range(n)]


def summarise(name, rows):
    items = np.array([r["items"] for r in rows])
    return {
        "strategy": name,
        "mean_items": round(float(items.mean()), 1),
        "p90_items": float(np.percentile(items, 90)),
        "mean_emg_muscles": round(float(np.mean([r["emg"] for r in rows])), 1),
        "mean_cost": round(float(np.mean([r["cost"] for r in rows])), 1),
        "top1_at_stop": round(float(np.mean([r["ok"] for r in rows])), 3),
    }


def curve_points(rows, at=CURVE_AT):
    out = []
    for k in at:
        out.append(round(float(np.mean([r["curve"][min(k, len(r["curve"]) - 1)] for r in rows])), 3))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=270)
    parser.add_argument("--target", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=10)
    parser.add_argument("--plot", default=None, help="write the accuracy curve as a PNG")
    parser.add_argument("--json", default=None, help="write the figures as JSON")
    parser.add_argument(
        "--sweep",
        default=None,
        help="guided only, at these targets (e.g. 0.8,0.95,0.99), plus guided continued to a "
        "target of 99.9%% within half the full exam's items",
    )
    args = parser.parse_args()
    model, costs = load_model(), load_exam_costs()
    rng = np.random.default_rng(args.seed)
    bedside, edx = askable(model, "bedside"), askable(model, "edx")
    fixed_order = textbook_order(model, bedside) + textbook_order(model, edx)
    if args.sweep:
        sweep(model, costs, rng, args, fixed_order)
        return
    results = {"guided": [], "fixed": [], "random": [], "full": []}
    estimate_pairs = []
    start = time.perf_counter()
    for h in choose_hypotheses(model, args.patients, rng):
        symptoms, answers = patient(model, h, rng)
        items, emg, cost, curve, ok, est, reason = run_guided(
            model, costs, Examination(model, symptoms, answers), h, args.target
        )
        results["guided"].append(
            {
                "items": items,
                "emg": emg,
                "cost": cost,
                "curve": curve,
                "ok": ok,
                "reason": reason,
                "family": model.hypotheses[h].family,
            }
        )
        estimate_pairs += est
        items, emg, cost, curve, ok = run_order(
            model, costs, Examination(model, symptoms, answers), h, args.target, fixed_order
        )
        results["fixed"].append({"items": items, "emg": emg, "cost": cost, "curve": curve, "ok": ok})
        shuffled = list(rng.permutation(np.flatnonzero(bedside))) + list(rng.permutation(np.flatnonzero(edx)))
        items, emg, cost, curve, ok = run_order(
            model, costs, Examination(model, symptoms, answers), h, args.target, shuffled
        )
        results["random"].append({"items": items, "emg": emg, "cost": cost, "curve": curve, "ok": ok})
        full = Examination(model, symptoms, answers)
        for f in fixed_order:
            full.ask(f)
        results["full"].append(
            {
                "items": len(fixed_order),
                "emg": int(sum(model.findings[f].key.startswith("needle_emg:") for f in fixed_order)),
                "cost": 0.0,
                "curve": [correct(model, full.leader(), h)],
                "ok": correct(model, full.leader(), h),
            }
        )
    seconds = time.perf_counter() - start
    table = [summarise(name, results[name]) for name in ("guided", "fixed", "random")]
    full = summarise("full fixed exam (every item)", results["full"])
    full["mean_cost"] = round(sum(costs.cost(model.findings[f].key, item_kind(model, f)) for f in fixed_order), 1)
    table.append(full)
    errors = [abs(e - a) for e, a in estimate_pairs]
    report = {
        "patients": args.patients,
        "target": args.target,
        "seconds": round(seconds, 1),
        "table": table,
        "curve_at": list(CURVE_AT),
        "curves": {n: curve_points(results[n]) for n in ("guided", "fixed", "random")},
        "estimate_median_abs_error": float(np.median(errors)) if errors else None,
        "estimate_within_5": round(float(np.mean([e <= 5 for e in errors])), 3) if errors else None,
    }
    print("| strategy | mean items | p90 items | EMG muscles (mean) | cost (mean) | top-1 at stop |")
    print("|---|---|---|---|---|---|")
    for row in table:
        print(
            f"| {row['strategy']} | {row['mean_items']} | {row['p90_items']:.0f} | {row['mean_emg_muscles']} | "
            f"{row['mean_cost']} | {row['top1_at_stop']:.0%} |"
        )
    print("\naccuracy (top-1) after k items:", json.dumps(report["curve_at"]))
    for name, points in report["curves"].items():
        print(f"  {name:7s}", " ".join(f"{p:.2f}" for p in points))
    print(
        f"\nexpected-further-items estimate at the start of a phase: median absolute error "
        f"{report['estimate_median_abs_error']}, within 5 items {report['estimate_within_5']:.0%}"
    )
    reasons = {}
    for r in results["guided"]:
        reasons.setdefault(r["reason"], []).append(r["ok"])
    report["guided_stops"] = {k: {"patients": len(v), "top1": round(float(np.mean(v)), 3)} for k, v in reasons.items()}
    families = {}
    for r in results["guided"]:
        families.setdefault(r["family"], []).append(r)
    report["guided_by_family"] = {
        k: {
            "top1": round(float(np.mean([r["ok"] for r in v])), 3),
            "mean_items": round(float(np.mean([r["items"] for r in v])), 1),
        }
        for k, v in families.items()
    }
    print("guided stops:", json.dumps(report["guided_stops"]))
    print("guided by family:", json.dumps(report["guided_by_family"]))
    print(f"{args.patients} patients in {seconds:.0f} s")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=2)
    if args.plot:
        plot(report, results, args.plot)


def sweep(model, costs, rng, args, fixed_order) -> None:
    """Items against top-1 for the guided strategy at several targets (same patients)."""
    patients = [(h, *patient(model, h, rng)) for h in choose_hypotheses(model, args.patients, rng)]
    from dataclasses import replace

    runs = [(f"guided, target {float(t):.0%}", float(t), 10_000, None) for t in args.sweep.split(",")]
    # EMG/NCS continued without the no-change stop, up to half the full exam's items
    runs.append(
        (
            "guided, EMG/NCS continued to half the full exam's items",
            0.999,
            len(fixed_order) // 2,
            replace(costs, leader_change_below=0.0, gain_below=0.0),
        )
    )
    print("| strategy | mean items | p90 items | EMG muscles (mean) | top-1 at stop |")
    print("|---|---|---|---|---|")
    rows = []
    for name, target, limit, edx_costs in runs:
        done = [run_guided(model, costs, Examination(model, s, a), h, target, limit, edx_costs) for h, s, a in patients]
        items = np.array([d[0] for d in done])
        row = {
            "strategy": name,
            "mean_items": round(float(items.mean()), 1),
            "p90_items": float(np.percentile(items, 90)),
            "mean_emg_muscles": round(float(np.mean([d[1] for d in done])), 1),
            "top1_at_stop": round(float(np.mean([d[4] for d in done])), 3),
        }
        rows.append(row)
        print(
            f"| {name} | {row['mean_items']} | {row['p90_items']:.0f} | {row['mean_emg_muscles']} | "
            f"{row['top1_at_stop']:.0%} |",
            flush=True,
        )
    full = []
    for h, s, a in patients:
        exam = Examination(model, s, a)
        for f in fixed_order:
            exam.ask(f)
        full.append(correct(model, exam.leader(), h))
    print(f"| full fixed exam (every item) | {len(fixed_order)} | {len(fixed_order)} | - | {np.mean(full):.0%} |")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"patients": args.patients, "rows": rows, "full_top1": float(np.mean(full))}, fh, indent=2)


def plot(report, results, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4), dpi=120)
    longest = max(len(r["curve"]) for name in ("fixed", "random", "guided") for r in results[name])
    ks = np.arange(0, min(longest, 200))
    for name, style in (("guided", "-"), ("fixed", "--"), ("random", ":")):
        ys = [np.mean([r["curve"][min(k, len(r["curve"]) - 1)] for r in results[name]]) for k in ks]
        ax.plot(ks, ys, style, label=name)
    ax.axhline(report["table"][-1]["top1_at_stop"], color="grey", lw=0.8, label="full fixed exam")
    ax.set_xlabel("items asked (after the symptoms); stopped patients keep their answer")
    ax.set_ylabel("top-1 site correct")
    ax.set_ylim(0, 1)
    ax.set_title(f"Guided examination, {report['patients']} simulated patients, target {report['target']:.0%}")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)


if __name__ == "__main__":
    main()
