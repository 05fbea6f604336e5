"""Fig. 1a: zero-shifting on a 2000-state SoftBounds array -- relative error of the
SP mean and the per-cell error after N in {500, 1000, 2000, 4000, 8000} pulses
(SPEC section 2; the paper reports that more than about 2000 pulses are
needed to get under 1 %).

Pulse by pulse (``calibration.zero_shift``) on the whole array, both schedules,
continued from one budget to the next (every segment has even length, so the
cyclic schedule keeps its up-first phase); the exact expectation
(``calibration.zero_shift_moments`` at the budgets, closed-form mean in between)
is overlaid with +/- 2 sd of the realised cells-mean.  Array: see
:mod:`paper_figs.zs_scaling` (dw_min = 1e-3 with bounds [-1, 1] around the offset).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from sptheory import calibration

from . import zs_scaling as Z

NAME = "fig1a"
TITLE = "ZS: relative error of the SP mean vs pulse budget, 2000 states (dw_min = 1e-3)"
DW_MIN = 1e-3
BUDGETS = (500, 1000, 2000, 4000, 8000)
SCHEDULES = ("stochastic", "cyclic")


def compute(spec: Z.ArraySpec, rng_seed: int = 0, budgets=BUDGETS, dw_min: float = DW_MIN) -> dict:
    """Realised and exact errors at the budgets, histograms of ``W_N - w_sp`` per cell."""
    dev = Z.make_device(spec, dw_min)
    sp = dev.symmetric_point()
    sp_mean = float(sp.mean())
    seeds = np.random.SeedSequence(rng_seed).spawn(len(SCHEDULES))
    dense_n = np.unique(np.geomspace(50, 2 * max(budgets), 90).astype(int))
    out = {"spec": spec.to_dict(), "dw_min": dw_min, "states": float(np.mean(dev.states)), "budgets": list(budgets),
           "sp_mean": sp_mean, "target": Z.TARGET, "schedules": {}}
    errs = {}
    for s, seed in zip(SCHEDULES, seeds):
        rng = np.random.default_rng(seed)
        w, done = np.full(dev.shape, Z.W0), 0
        realised, per_cell = [], []
        t0 = time.perf_counter()
        for b in budgets:
            res = calibration.zero_shift(dev, w, int(b) - done, rng, schedule=s, track_g2=False)
            w, done = res.w, int(b)
            realised.append(abs(float(w.mean()) - sp_mean) / abs(sp_mean))
            e = w - sp
            errs[(s, b)] = e
            per_cell.append({"mean_abs": float(np.mean(np.abs(e))), "rms": float(np.sqrt(np.mean(e * e))),
                             "q05": float(np.quantile(e, 0.05)), "median": float(np.median(e)),
                             "q95": float(np.quantile(e, 0.95))})
        seconds = time.perf_counter() - t0
        m = calibration.zero_shift_moments(dev, Z.W0, list(budgets), s)
        exact = np.abs(m.mean.mean(axis=-1) - sp_mean) / abs(sp_mean)
        sd = np.sqrt(m.var.sum(axis=-1)) / spec.cells / abs(sp_mean)
        dense_n_s = dense_n[dense_n % 2 == 0] if s == "cyclic" else dense_n
        law = Z.MeanLaw(dev, Z.W0, s)
        dense = [law.rel_err(int(n)) for n in dense_n_s]
        out["schedules"][s] = {
            "realised_err": realised, "exact_err": exact, "sd_rel": sd,
            "z": [(r_ - e_) / sd_ if sd_ > 1e-9 else 0.0 for r_, e_, sd_ in zip(realised, exact, sd)],
            "per_cell": per_cell, "dense_n": dense_n_s, "dense_err": dense,
            "exact_rms": np.sqrt(m.dist_sq.mean(axis=-1)),
            "first_budget_under_1pct_realised": next((b for b, r_ in zip(budgets, realised) if r_ <= Z.TARGET), None),
            "pulse_seconds": seconds, "cell_pulses": spec.cells * max(budgets),
        }
    allv = np.concatenate([e.ravel() for e in errs.values()])
    lo, hi = np.quantile(allv, [0.0005, 0.9995])
    edges = np.linspace(lo, hi, 121)
    for s in SCHEDULES:
        out["schedules"][s]["hist_edges"] = edges
        out["schedules"][s]["hist_counts"] = [np.histogram(errs[(s, b)], bins=edges)[0] for b in budgets]
    return out


def draw(data: dict, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    ax = axes[0]
    b = np.array(data["budgets"], float)
    for s, col in zip(SCHEDULES, ("C0", "C1")):
        d = data["schedules"][s]
        ax.loglog(d["dense_n"], d["dense_err"], "-", color=col, lw=1, label=f"{s}: exact E")
        ex, sd = np.array(d["exact_err"]), np.array(d["sd_rel"])
        ax.fill_between(b, np.maximum(ex - 2 * sd, 1e-6), ex + 2 * sd, color=col, alpha=0.2)
        ax.loglog(b, d["realised_err"], "o", color=col, mfc="none", label=f"{s}: pulse-by-pulse")
    ax.axhline(data["target"], color="r", ls="--", lw=1, label="1 %")
    ax.set_xticks(b)
    ax.set_xticklabels([str(int(v)) for v in b])
    ax.set_xlabel("pulse budget N")
    ax.set_ylabel("|mean W_N - mean w_sp| / |mean w_sp|")
    ax.set_title(f"{data['spec']['side']}x{data['spec']['side']}, ~{data['states']:.0f} states, "
                 f"mean SP {data['sp_mean']:.3f}", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    edges = np.array(data["schedules"][SCHEDULES[0]]["hist_edges"])
    centres = 0.5 * (edges[1:] + edges[:-1])
    cmap = plt.get_cmap("viridis")
    for ax, s in zip(axes[1:], SCHEDULES):
        d = data["schedules"][s]
        for i, (bb, counts) in enumerate(zip(data["budgets"], d["hist_counts"])):
            pc = d["per_cell"][i]
            ax.step(centres, counts, where="mid", color=cmap(i / max(len(b) - 1, 1)),
                    label=f"N={bb}: mean|err| {pc['mean_abs']:.3g}")
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yscale("log")
        ax.set_xlabel("per-cell error W_N - w_sp")
        ax.set_ylabel("cells")
        ax.set_title(f"{s} ZS: per-cell error distribution", fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def make(out_dir, quick: bool = False, rng_seed: int = 0, side: int | None = None) -> dict:
    """Compute, write ``fig1a.png`` and ``fig1a.json`` into ``out_dir``; return their paths."""
    from verification.harness import to_jsonable

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    spec = Z.ArraySpec(side=side or (128 if quick else 512), seed=rng_seed)
    t0 = time.perf_counter()
    data = compute(spec, rng_seed)
    data["seconds"] = time.perf_counter() - t0
    png, js = out_dir / f"{NAME}.png", out_dir / f"{NAME}.json"
    draw(data, png)
    js.write_text(json.dumps(to_jsonable(data), indent=1, allow_nan=False) + "\n")
    return {"png": png, "json": js}
