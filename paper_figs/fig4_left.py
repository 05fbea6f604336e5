"""Fig. 4 (left) analog: total cost to reach a target training loss vs the number of states,
E-RIDER vs the two-stage baseline (zero-shift N pulses, then train with Q fixed) for several N.

Time accounting as in the paper's Fig. 4: calibration pulses + update cycles x BL (BL = 5).
The setting (least squares, SoftBounds P array with per-cell SP offsets near 0.4,
pulse-exact updates, step sizes, target ``delta``) and the simulation are those of the
claim ``cor3.9`` (:mod:`sptheory.experiments.training`: :func:`simulate`, :func:`hit_cost`);
``dw_min = 2 / states`` (the P array spans 2 around its offset).  A point missing from a
curve means the method did not reach the target within its iteration budget.
"""

from __future__ import annotations

import numpy as np

from sptheory.experiments import training as C

from ._write import write_figure

NAME = "fig4_left"
TITLE = "Cost (N + cycles x BL) to reach a target loss vs number of states: E-RIDER vs two-stage (N = 500..8000)"
STATES = (20, 50, 100, 200, 500, 1000)
N_LIST = (500, 1000, 2000, 4000, 8000)


def sizes(quick: bool) -> dict:
    if quick:
        return dict(states=(20, 100, 1000), R=8, K_max=2500, K_ts=800, n_boot=100)
    return dict(states=STATES, R=24, K_max=4000, K_ts=1200, n_boot=200)


def compute(quick: bool = False, rng_seed: int = 0) -> dict:
    z = sizes(quick)
    s = C.SETTING
    delta, window, BL = s["delta"], s["window"], s["BL"]
    seeds = np.random.SeedSequence([rng_seed, 4]).generate_state(2 * len(z["states"]) + 1)
    boot = np.random.default_rng(int(seeds[-1]))
    rows = []
    for i, st in enumerate(z["states"]):
        dw = 2.0 / st
        er = C.simulate("e-rider", dw, int(seeds[2 * i]), z["R"], z["K_max"])
        ts = C.simulate("two-stage", dw, int(seeds[2 * i + 1]), z["R"], z["K_ts"], n_zs=N_LIST)
        row = dict(states=st, dw=dw, e_rider=C.hit_cost(er, 0, delta, window, BL, z["n_boot"], boot),
                   two_stage={int(n): C.hit_cost(ts, g, delta, window, BL, z["n_boot"], boot)
                              for g, n in enumerate(N_LIST)})
        row["e_rider"]["K_run"] = er["K_run"]
        rows.append(row)
    return dict(title=TITLE, setting=dict(s, **C.step_sizes(C.make_problem())), sizes=z, N_list=list(N_LIST),
                delta=delta, BL=BL, rows=rows,
                note="time = calibration N + update cycles x BL; NaN = target not reached within the budget")


def draw(data: dict, path) -> None:
    import matplotlib.pyplot as plt

    rows = data["rows"]
    states = np.array([r["states"] for r in rows], dtype=float)
    fig, ax = plt.subplots(figsize=(6.4, 4.4))

    def series(get):
        y = np.array([get(r).get("time", np.nan) for r in rows], dtype=float)
        lo = np.array([get(r).get("time_lo", np.nan) for r in rows], dtype=float)
        hi = np.array([get(r).get("time_hi", np.nan) for r in rows], dtype=float)
        hi = np.where(np.isfinite(hi), hi, y)
        return y, lo, hi

    cmap = plt.get_cmap("Reds")
    for j, n in enumerate(data["N_list"]):
        y, lo, hi = series(lambda r, n=n: r["two_stage"][n] if n in r["two_stage"] else r["two_stage"][str(n)])
        ok = np.isfinite(y)
        ax.errorbar(states[ok], y[ok], yerr=[y[ok] - lo[ok], hi[ok] - y[ok]], marker="s", ms=4, capsize=2,
                    color=cmap(0.35 + 0.6 * j / max(1, len(data["N_list"]) - 1)), label=f"two-stage, N={n}")
    y, lo, hi = series(lambda r: r["e_rider"])
    ok = np.isfinite(y)
    ax.errorbar(states[ok], y[ok], yerr=[y[ok] - lo[ok], hi[ok] - y[ok]], marker="o", color="C0", lw=2, capsize=3,
                label="E-RIDER (no calibration)")
    if (~ok).any():
        ax.scatter(states[~ok], np.full((~ok).sum(), np.nanmax(y) * 1.5 if ok.any() else 1e4), marker="x",
                   color="C0", label="E-RIDER: target not reached")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("number of states (2 / dw_min)")
    ax.set_ylabel(f"time to target: N + cycles x BL (BL={data['BL']})")
    ax.set_title(f"Fig. 4 left analog: least squares, target f - f* <= {data['delta']}", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def make(out_dir, quick: bool = False, rng_seed: int = 0, side=None) -> dict:
    """Compute, write ``fig4_left.png`` and ``fig4_left.json`` into ``out_dir``; return their paths.
    ``side`` is ignored (the problem size is the claim's)."""
    data = compute(quick, rng_seed)
    return write_figure(out_dir, NAME, data, draw)
