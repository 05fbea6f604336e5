"""Fig. 1a: zero-shifting on a 2000-state SoftBounds array -- relative error of the
SP mean and the per-cell error after N in {500, 1000, 2000, 4000, 8000} pulses
(the paper reports that more than about 2000 pulses are needed to get under 1 %).

Pulse by pulse on the whole array, both schedules, with the exact expectation
overlaid (+/- 2 sd of the realised cells-mean): the experiment is
:func:`sptheory.experiments.zs_array.budget_run` (array: :class:`~sptheory.experiments.zs_array.ArraySpec`,
dw_min = 1e-3 with bounds [-1, 1] around the offset).
"""

from __future__ import annotations

import time

from sptheory.experiments import zs_array as Z
from sptheory.experiments import plotting

from ._write import write_figure

NAME = "fig1a"
TITLE = "ZS: relative error of the SP mean vs pulse budget, 2000 states (dw_min = 1e-3)"
SCHEDULES = ("stochastic", "cyclic")


def compute(spec: Z.ArraySpec, rng_seed: int = 0) -> dict:
    """Realised and exact errors at the budgets, histograms of ``W_N - w_sp`` per cell."""
    return Z.budget_run(spec, rng_seed, schedules=SCHEDULES)


def draw(data: dict, path) -> None:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.4))
    plotting.zs_fig1a_errors(axes[0], data)
    for ax, s in zip(axes[1:], SCHEDULES):
        plotting.zs_error_histograms(ax, data, s)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def make(out_dir, quick: bool = False, rng_seed: int = 0, side: int | None = None) -> dict:
    """Compute, write ``fig1a.png`` and ``fig1a.json`` into ``out_dir``; return their paths."""
    spec = Z.ArraySpec(side=side or (128 if quick else 512), seed=rng_seed)
    t0 = time.perf_counter()
    data = compute(spec, rng_seed)
    data["seconds"] = time.perf_counter() - t0
    return write_figure(out_dir, NAME, data, draw)
