"""ttv2-offset: TT-v2's test accuracy falls as the spread ref_std of the SP offsets grows (Tables 1-2).

Experiment: the offset grid of ``table-sp-offsets`` in its two settings (same
runs, same seeds, hyperparameters from each setting's stored search;
:mod:`sptheory.experiments.offsets`): ``ttv2-offset`` in setting A (fine slow
array), ``ttv2-offset/B`` in setting B (the 4-state device on both arrays).

Prediction (kind ``comparison``, fixed before the first full run): per seed,
``d_s = mean over ref_mean of acc(ref_std = 0.05) - mean over ref_mean of
acc(ref_std = 1.0)`` (TT-v2, test accuracy, percent points; paired because
seed s draws the same standard normals for every cell's offsets).  Holds if
the 95 % t interval of the mean of d lies above 0, violated if it lies below 0,
inconclusive otherwise.  One interval, no family.  Checks as in
``table-sp-offsets`` (digital SGD learns the task; the test split and seeds
were not seen by the search; TT-v2's learning curves are flat at the end,
pooled over the grid).
"""

from __future__ import annotations

import numpy as np

from sptheory import stats
from sptheory.experiments import offsets, plotting
from verification.claims import _offsets_common as C
from verification.harness import ClaimResult

PART = "network"  # counted in the report's network part (verification.harness.ClaimResult.part)
ID = "ttv2-offset"
TITLE = "TT-v2's accuracy falls as ref_std grows (ref_std 0.05 vs 1.0, pooled over ref_mean, paired)"
PREDICTION = stats.Prediction("comparison", "acc_TT-v2(ref_std 0.05) - acc_TT-v2(ref_std 1.0) > 0, "
                              "pooled over ref_mean, paired over seeds")
LOW, HIGH = offsets.REF_STDS.index(0.05), offsets.REF_STDS.index(1.0)


def run(quick: bool, rng_seed: int, executor=None, options: dict | None = None):
    """Both settings (``options``: as ``table-sp-offsets``)."""
    data = C.data_of(options)
    return [run_setting(quick, setting, executor, data) for setting in C.SETTINGS]


def run_setting(quick: bool, setting: str, executor=None, data: str = "digits"):
    runs = C.runs(("TT-v2", "digital SGD"), quick, executor, setting, data)
    acc = {n: r.test for n, r in runs.items()}
    a = acc["TT-v2"]
    d = 100.0 * (a[LOW].mean(axis=0) - a[HIGH].mean(axis=0))
    e = C.ci(d)
    hyps = [C.setting_hypothesis(setting, quick, data)]
    checks = C.common_checks(acc, quick, setting, runs, ("TT-v2",), data=data)
    j = stats.judge(PREDICTION, stats.Difference(e.mean, e.lo, e.hi), hyps, checks)
    rows = 100.0 * a.mean(axis=(1, 2))
    return ClaimResult(
        id=C.result_id(ID, setting), claim=PREDICTION.statement,
        source="Tables 1-2, Sec. 4; Rasch et al. 2024 (TT-v2 needs the reference at the SP)",
        setting=(f"offset grid of table-sp-offsets, {C.describe(setting, quick, data)}; {a.shape[-1]} paired seeds, "
                 f"TT-v2 {C.hyperparameters(['TT-v2'], quick, setting, data)['TT-v2']}"),
        measured=(f"difference {e.format()} points; TT-v2 mean accuracy per ref_std "
                  + ", ".join(f"{s:g}: {r:.1f} %" for s, r in zip(offsets.REF_STDS, rows))),
        bound="> 0",
        notes="95 % paired t interval over seeds; each seed's value is the mean over the three ref_mean.",
        data=dict(setting=setting, means={"TT-v2": C.block(a)}, per_std=rows.round(2).tolist(),
                  diff=d.round(2).tolist(), ref_means=list(offsets.REF_MEANS), ref_stds=list(offsets.REF_STDS),
                  curves=C.curve_summary(runs, ("TT-v2",)), epochs=runs["TT-v2"].epochs.tolist()),
        prediction=PREDICTION, judgement=j, hypotheses=hyps, checks=checks,
    )


def plot(result: ClaimResult, path) -> None:
    import matplotlib.pyplot as plt

    d = result.data
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    plotting.draw_offset_heatmap(ax1, d["means"]["TT-v2"], d["ref_means"], d["ref_stds"], "TT-v2 test accuracy (%)")
    ax2.plot(d["ref_stds"], d["per_std"], "o-")
    ax2.set_xscale("log")
    ax2.set_xlabel("ref_std")
    ax2.set_ylabel("TT-v2 accuracy, mean over ref_mean and seeds (%)")
    ax2.set_title(f"{result.verdict}: {result.decisive}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
