"""Tables 1-2 as heat maps: mean test accuracy per algorithm over the SP-offset grid, and the paired
differences E-RIDER - AGAD and AGAD - TT-v2 with simultaneous intervals.

The runs are those of the verification claims ``table-sp-offsets``, ``ttv2-offset`` and ``agad-offset``
(:func:`sptheory.experiments.offsets.table`: digits MLP, HfO2-like 4.3-state device, hyperparameters from
the stored equal-budget nominal search, 3 seeds in quick mode, 8 otherwise).  Rows ref_std, columns
ref_mean, as the paper's tables.  E-RIDER is the buffered (aihwkit) realisation; "E-RIDER" without the
suffix is Alg. 3 with the direct transfer.
"""

from __future__ import annotations

import time

import numpy as np

from sptheory import stats
from sptheory.experiments import offsets, plotting

from ._write import write_figure

NAME = "table1"
TITLE = "Tables 1-2 in kind: test accuracy over the SP-offset grid, per algorithm, and paired differences"
SHOWN = offsets.COMPARED + ("E-RIDER", "residual learning", "analog SGD", "digital SGD")
DIFFERENCES = ((offsets.CLAIM_ERIDER, "AGAD"), ("AGAD", "TT-v2"))


def compute(quick: bool = False, executor=None, names=SHOWN, seeds=None, base=None) -> dict:
    seeds = offsets.SEEDS["quick" if quick else "full"] if seeds is None else tuple(seeds)
    kw = {} if base is None else dict(base=base)
    t = offsets.table(names, seeds, search=False, executor=executor, **kw)
    acc = t["acc"]
    n_cells = len(t["ref_means"]) * len(t["ref_stds"])
    level = stats.simultaneous_level(0.95, n_cells)
    diffs = {}
    for a, b in DIFFERENCES:
        if a in acc and b in acc:
            d = 100.0 * offsets.paired(acc[a], acc[b])
            e = stats.mean_ci(np.moveaxis(d, -1, 0), level=level)
            diffs[f"{a} - {b}"] = dict(mean=e.mean, lo=e.lo, hi=e.hi)
    return dict(means={n: 100.0 * acc[n].mean(axis=-1) for n in names}, differences=diffs,
                ref_means=t["ref_means"], ref_stds=t["ref_stds"], seeds=t["seeds"], family_level=level,
                hyperparameters=t["hyperparameters"], paper_ranges=offsets.PAPER_RANGES)


def draw(data: dict, path) -> None:
    import matplotlib.pyplot as plt

    n = len(data["means"]) + len(data["differences"])
    fig = plt.figure(figsize=(16, 3.4 * ((n + 3) // 4)))
    plotting.draw_offset_figure(fig, data)
    fig.suptitle(f"Tables 1-2 analog (digits MLP, HfO2-like 4.3 states, {len(data['seeds'])} seeds): mean test "
                 f"accuracy (%), and paired differences in points with Bonferroni intervals over the "
                 f"{len(data['ref_means']) * len(data['ref_stds'])} cells", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def make(out_dir, quick: bool = False, rng_seed: int = 0, side: int | None = None, executor=None, **kw) -> dict:
    """Compute, write ``table1.png`` and ``table1.json`` into ``out_dir``; return their paths.
    ``rng_seed`` and ``side`` are accepted for the common interface and ignored (the seeds are fixed)."""
    t0 = time.perf_counter()
    data = compute(quick, executor, **kw)
    data["seconds"] = time.perf_counter() - t0
    return write_figure(out_dir, NAME, data, draw)
