"""Fit the evidence temperature and the site sharpness so stated probabilities match accuracy
on realistic simulated cases.

The posterior tempers the summed log-likelihood by a temperature T (findings are
correlated); reported site probabilities are then raised to a sharpness exponent and
renormalised (near-identical hypotheses make summed sites too sharp).
Cases are drawn by ``simulate.realistic_columns`` (partial lesions, incomplete work-ups,
selective recording, 3% wrong findings), half from the prior and half uniformly over
hypotheses.  Prints the grid's best (base, slope), accuracy and a reliability table.

Run: .venv/bin/python benchmarks/calibrate.py [n_cases]
"""

from __future__ import annotations

import sys

import numpy as np

from plexnav.engine.model import get_model
from plexnav.engine.simulate import realistic_columns


def grouped(model, post: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keys = [(h.site, h.side, h.levels) for h in model.hypotheses]
    uniq = {k: i for i, k in enumerate(dict.fromkeys(keys))}
    index = np.array([uniq[k] for k in keys])
    G = np.zeros((post.shape[0], len(uniq)))
    np.add.at(G.T, index, post.T)
    return G, index


def main(n: int = 3000) -> None:
    model = get_model()
    rng = np.random.default_rng(7)
    prior = np.exp(model.log_prior)
    H = len(model.hypotheses)
    truth = np.where(rng.random(n) < 0.5, rng.choice(H, size=n, p=prior / prior.sum()), rng.integers(0, H, size=n))
    cases = [realistic_columns(model, int(h), rng) for h in truth]
    loglik = np.stack([model.log_lik[:, c].sum(axis=1) for c in cases])  # (n, H)
    counts = np.array([len(c) for c in cases])
    best = None
    for base in np.arange(1.0, 3.01, 0.25):
        s = model.log_prior + loglik / base
        s -= s.max(axis=1, keepdims=True)
        post = np.exp(s)
        post /= post.sum(axis=1, keepdims=True)
        G0, index = grouped(model, post)
        for sharp in np.arange(0.5, 1.01, 0.05):
            G = G0 ** sharp
            G /= G.sum(axis=1, keepdims=True)
            p_true = G[np.arange(n), index[truth]]
            nll = -np.mean(np.log(np.clip(p_true, 1e-9, 1)))
            if best is None or nll < best[0]:
                best = (nll, base, sharp, G, index)
    nll, base, slope, G, index = best
    top = G.argmax(axis=1)
    conf = G.max(axis=1)
    correct = top == index[truth]
    print(f"cases {n}; best temperature {base:.2f}, site sharpness {slope:.2f}; mean NLL {nll:.3f}")
    print(f"(in use: temperature {model.temperature}, site sharpness {model.site_sharpness})")
    print(f"top-1 accuracy {correct.mean():.1%}")
    ece = 0.0
    for lo in np.arange(0, 1, 0.1):
        sel = (conf >= lo) & (conf < lo + 0.1 if lo < 0.9 else conf <= 1)
        if sel.any():
            gap = abs(conf[sel].mean() - correct[sel].mean())
            ece += sel.mean() * gap
            print(f"  stated {lo:.1f}-{lo + 0.1:.1f}: n={sel.sum():5d} mean stated {conf[sel].mean():.2f} observed {correct[sel].mean():.2f}")
    print(f"expected calibration error {ece:.3f}")
    for depth, label in enumerate(("symptoms only", "bedside exam", "exam + electrodiagnosis")):
        hits = []
        for h in truth[: n // 3]:
            cols = realistic_columns(model, int(h), rng, depth=depth)
            post = model.posterior(cols)
            G, index = grouped(model, post[None, :])
            hits.append(G[0].argmax() == index[h])
        print(f"top-1 with {label}: {np.mean(hits):.1%} ({len(hits)} cases)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
