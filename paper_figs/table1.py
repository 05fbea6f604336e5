"""Tables 1-2 as heat maps: mean test accuracy per algorithm over the SP-offset grid, and the paired
differences E-RIDER - AGAD and AGAD - TT-v2 with simultaneous intervals.

The runs are those of the verification claims ``table-sp-offsets``, ``ttv2-offset`` and ``agad-offset``
(:func:`sptheory.experiments.offsets.table`: digits MLP with the paper's IO, HfO2-like 4.3-state fast array
with the offsets, in converged setting A (fine slow array; ``setting="B"``: the 4-state device on both
arrays), hyperparameters from the setting's stored Table-5-centred search, ``offsets.SEEDS`` seeds).  Rows
ref_std, columns ref_mean, as the paper's tables; the last panel shows the learning curves (validation
accuracy per epoch, mean over cells and seeds).  E-RIDER is the buffered (aihwkit) realisation.
"""

from __future__ import annotations

import time

import numpy as np

from sptheory import stats
from sptheory.experiments import offsets, plotting

from ._write import write_figure

NAME = "table1"
TITLE = "Tables 1-2 in kind: test accuracy over the SP-offset grid, per algorithm, and paired differences"
SHOWN = offsets.COMPARED + (offsets.CLAIM_RIDER, "residual learning", "analog SGD", "digital SGD")
DIFFERENCES = ((offsets.CLAIM_ERIDER, "AGAD"), ("AGAD", "TT-v2"))


def compute(quick: bool = False, executor=None, names=SHOWN, seeds=None, base=None, setting: str = "A") -> dict:
    seeds = offsets.SEEDS[(setting, "quick" if quick else "full")] if seeds is None else tuple(seeds)
    base = offsets.base_setting(setting, quick) if base is None else base
    t = offsets.table(names, seeds, search=False, executor=executor, base=base, setting=setting)
    acc = t["acc"]
    n_cells = len(t["ref_means"]) * len(t["ref_stds"])
    level = stats.simultaneous_level(0.95, n_cells)
    diffs = {}
    for a, b in DIFFERENCES:
        if a in acc and b in acc:
            d = 100.0 * offsets.paired(acc[a], acc[b])
            e = stats.mean_ci(np.moveaxis(d, -1, 0), level=level)
            diffs[f"{a} - {b}"] = dict(mean=e.mean, lo=e.lo, hi=e.hi)
    curves = {n: 100.0 * np.asarray(t["curve"][n]).reshape(-1, len(t["epochs"])).mean(axis=0) for n in names}
    return dict(means={n: 100.0 * acc[n].mean(axis=-1) for n in names}, differences=diffs, curves=curves,
                epochs=t["epochs"], ref_means=t["ref_means"], ref_stds=t["ref_stds"], seeds=t["seeds"],
                family_level=level, hyperparameters=t["hyperparameters"], paper_ranges=offsets.PAPER_RANGES,
                setting=setting, setting_text=_SETTING_TEXT[setting])


_SETTING_TEXT = {"A": "HfO2-like 4.3-state fast array, fine 200-state slow array",
                 "B": "HfO2-like 4.3-state device on both arrays"}


def draw(data: dict, path) -> None:
    import matplotlib.pyplot as plt

    n = len(data["means"]) + len(data["differences"]) + 1
    fig = plt.figure(figsize=(16, 3.4 * ((n + 3) // 4)))
    (ax,) = plotting.draw_offset_figure(fig, data, extra=1)
    plotting.draw_learning_curves(ax, data["epochs"], data["curves"])
    fig.suptitle(f"Tables 1-2 analog, setting {data['setting']} (digits MLP, {data['setting_text']}, "
                 f"{len(data['seeds'])} seeds): mean test accuracy (%), paired differences in points with "
                 f"Bonferroni intervals over the {len(data['ref_means']) * len(data['ref_stds'])} cells, "
                 f"learning curves", fontsize=10)
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
