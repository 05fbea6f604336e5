"""Fig. 1b: pulses zero-shifting needs to bring the SP mean within 1 %, vs dw_min
(5e-3 .. 1.6e-6), both schedules, with a 1/dw_min reference and the paper's
budget grid 200, 500, 1e3, 2e3, ..., 8.192e6 (SPEC section 2).

Exact expectation (``calibration.zero_shift_moments``), the same computation as
the claim ``zs-pulses-scaling`` (:func:`paper_figs.zs_scaling.pulses_scan`).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np

from . import zs_scaling as Z

NAME = "fig1b"
TITLE = "ZS: pulses to reach 1 % relative error of the SP mean vs dw_min"
SCHEDULES = ("stochastic", "cyclic")


def compute(spec: Z.ArraySpec, n_dw: int, executor=None) -> dict:
    grid = Z.dw_grid(n_dw)
    scan = Z.pulses_scan(spec, grid, SCHEDULES, executor)
    out = {"spec": spec.to_dict(), "target": Z.TARGET, "budgets": list(Z.BUDGETS), "dw_min": grid,
           "schedules": {}}
    for s in SCHEDULES:
        pts = scan[s]
        fit, _ = Z.fit_pulses(pts, 2 if s == "cyclic" else 1)
        out["schedules"][s] = {
            "n_star": [p["n_star"] for p in pts],
            "n_lo": [p["n_lo"] for p in pts],
            "n_hi": [p["n_hi"] for p in pts],
            "n_grid": [p["n_grid"] for p in pts],
            "err_limit": [p["err_limit"] for p in pts],
            "sd_rel_at_n": [p["sd_rel_at_n"] for p in pts],
            "bound_n_median": [p["bound_n"]["geometric_median"] if p["bound_n"] else None for p in pts],
            "fit": None if fit is None else {"slope": fit.slope, "lo": fit.lo, "hi": fit.hi,
                                             "intercept": fit.intercept},
        }
    return out


def draw(data: dict, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.8, 4.8))
    dw = np.array(data["dw_min"], float)
    for b in data["budgets"]:
        ax.axhline(b, color="0.85", lw=0.6, zorder=0)
    for s, col, mk in zip(SCHEDULES, ("C0", "C1"), ("o", "^")):
        d = data["schedules"][s]
        ok = [i for i, n in enumerate(d["n_star"]) if n is not None]
        x = dw[ok]
        n = np.array([d["n_star"][i] for i in ok], float)
        f = d["fit"]
        lab = f"{s}: exact N" + (f", slope {f['slope']:.3f} [{f['lo']:.3f}, {f['hi']:.3f}]" if f else "")
        ax.loglog(x, n, mk + "-", color=col, label=lab)
        g = [(dw[i], d["n_grid"][i]) for i in ok if d["n_grid"][i] is not None]
        if g:
            ax.loglog(*zip(*g), "s", color=col, mfc="none", ms=9, alpha=0.7, label=f"{s}: smallest paper budget")
    n0 = np.array([v for v in data["schedules"]["stochastic"]["n_star"] if v is not None], float)
    if n0.size:
        x0 = dw[: n0.size]
        c = math.exp(np.mean(np.log(n0 * x0)))
        ax.loglog(dw, c / dw, "k:", label=f"{c:.3g} / dw_min")
    ax.set_xlabel("dw_min")
    ax.set_ylabel("pulses to reach 1 % (SP mean)")
    ax.set_title(f"{data['spec']['side']}x{data['spec']['side']} SoftBounds with d2d variation; "
                 "grey: paper budgets", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def make(out_dir, quick: bool = False, rng_seed: int = 0, side: int | None = None, executor=None) -> dict:
    """Compute, write ``fig1b.png`` and ``fig1b.json`` into ``out_dir``; return their paths."""
    from verification.harness import to_jsonable

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    spec = Z.ArraySpec(side=side or (128 if quick else 512), seed=rng_seed)
    t0 = time.perf_counter()
    data = compute(spec, 6 if quick else 11, executor)
    data["seconds"] = time.perf_counter() - t0
    png, js = out_dir / f"{NAME}.png", out_dir / f"{NAME}.json"
    draw(data, png)
    js.write_text(json.dumps(to_jsonable(data), indent=1, allow_nan=False) + "\n")
    return {"png": png, "json": js}
