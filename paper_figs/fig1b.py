"""Fig. 1b: pulses zero-shifting needs to bring the SP mean within 1 %, vs dw_min
(5e-3 .. 1.6e-6), both schedules, with a 1/dw_min reference and the paper's
budget grid 200, 500, 1e3, 2e3, ..., 8.192e6.

Exact expectation (``calibration.zero_shift_moments``): the same experiment as
the claim ``zs-pulses-scaling`` (:func:`sptheory.experiments.zs_array.pulses_scan`).
"""

from __future__ import annotations

import time

from sptheory.experiments import zs_array as Z
from sptheory.experiments import plotting

from ._write import write_figure

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
            "points": [{k: p[k] for k in ("dw_min", "n_star", "n_lo", "n_hi", "n_grid", "err_limit",
                                          "sd_rel_at_n", "bound_n")} for p in pts],
            "fit": None if fit is None else {"slope": fit.slope, "lo": fit.lo, "hi": fit.hi,
                                             "intercept": fit.intercept},
        }
    return out


def draw(data: dict, path) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.8, 4.8))
    for b in data["budgets"]:
        ax.axhline(b, color="0.85", lw=0.6, zorder=0)
    for s, col, mk in zip(SCHEDULES, ("C0", "C1"), ("o", "^")):
        d = data["schedules"][s]
        plotting.zs_pulses_vs_dw(ax, d["points"], d["fit"], label=f"{s}: exact N", color=col, marker=mk,
                                 band=False, bound=False)
    ok = [p for p in data["schedules"]["stochastic"]["points"] if p["n_star"] is not None]
    if ok:
        plotting.inverse_reference(ax, [p["dw_min"] for p in ok], [p["n_star"] for p in ok])
    ax.set_title(f"{data['spec']['side']}x{data['spec']['side']} SoftBounds with d2d variation; "
                 "grey: paper budgets", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(True, which="major", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def make(out_dir, quick: bool = False, rng_seed: int = 0, side: int | None = None, executor=None) -> dict:
    """Compute, write ``fig1b.png`` and ``fig1b.json`` into ``out_dir``; return their paths."""
    spec = Z.ArraySpec(side=side or (128 if quick else 512), seed=rng_seed)
    t0 = time.perf_counter()
    data = compute(spec, 6 if quick else 11, executor)
    data["seconds"] = time.perf_counter() - t0
    return write_figure(out_dir, NAME, data, draw)
