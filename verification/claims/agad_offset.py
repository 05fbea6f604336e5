"""agad-offset: AGAD's test accuracy does not depend on the SP offsets (Tables 1-2; Rasch et al. 2024).

Experiment: the offset grid of ``table-sp-offsets`` in its two settings (same
runs, same seeds, hyperparameters from each setting's stored search;
:mod:`sptheory.experiments.offsets`): ``agad-offset`` in setting A (fine slow
array), ``agad-offset/B`` in setting B (the 4-state device on both arrays).

Prediction, fixed before the first full run.  "Independent of the offset" is
an equivalence statement about accuracy differences, which the framework's
``independent`` kind (a log-log slope) does not fit; it is written as an
equivalence test (TOST) out of two one-sided ``comparison`` predictions per
cell, against a margin fixed beforehand of MARGIN = 5 accuracy points.  For
each of the 8 cells other than the smallest offset (ref_mean 0, ref_std
0.05), the per-seed paired difference ``d = acc(cell) - acc(0, 0.05)`` (percent
points) gets a t interval at the Bonferroni level over the 8 cells (95 %
family-wise, two-sided, so each one-sided test is at 2.5 %/8); the two
comparisons are ``d + MARGIN > 0`` and ``MARGIN - d > 0``.  Combined: holds if
every interval lies inside (-MARGIN, MARGIN); violated if some interval lies
entirely outside it; inconclusive otherwise.

Checks (besides those of ``table-sp-offsets``, with AGAD's learning curves
flat at the end, pooled over the grid): AGAD trains at all -- its mean test
accuracy over the grid is at least 0.3 (three times chance), since an
untrained network would be "independent of the offset" trivially.
"""

from __future__ import annotations

import numpy as np

from sptheory import stats
from sptheory.experiments import offsets, plotting
from verification.claims import _offsets_common as C
from verification.harness import ClaimResult

PART = "network"  # counted in the report's network part (verification.harness.ClaimResult.part)
ID = "agad-offset"
TITLE = "AGAD's accuracy does not depend on the SP offsets (equivalence within 5 points, TOST over the grid)"
MARGIN = 5.0
TRAINS_FLOOR = 0.3
PREDICTIONS = {
    "lower": stats.Prediction("comparison", f"acc_AGAD(cell) - acc_AGAD(0, 0.05) > -{MARGIN:g} points in every cell"),
    "upper": stats.Prediction("comparison", f"acc_AGAD(cell) - acc_AGAD(0, 0.05) < {MARGIN:g} points in every cell"),
}


def run(quick: bool, rng_seed: int, executor=None, options: dict | None = None):
    """Both settings (``options``: as ``table-sp-offsets``)."""
    data = C.data_of(options)
    return [run_setting(quick, setting, executor, data) for setting in C.SETTINGS]


def run_setting(quick: bool, setting: str, executor=None, data: str = "digits"):
    runs = C.runs(("AGAD", "digital SGD"), quick, executor, setting, data)
    acc = {n: r.test for n, r in runs.items()}
    a = acc["AGAD"]
    base = np.broadcast_to(a[0, 0], a.shape)
    n_other = a.shape[0] * a.shape[1] - 1
    level = stats.simultaneous_level(0.95, n_other)
    d = C.cell_differences(a, base, level)
    mask = np.ones(a.shape[:2], bool)
    mask[0, 0] = False
    grid_mean = float(a.mean())
    checks = C.common_checks(acc, quick, setting, runs, ("AGAD",), data=data) + [stats.Hypothesis(
        "AGAD trains", f"mean test accuracy over the grid >= {TRAINS_FLOOR}", f"{grid_mean:.3f}",
        grid_mean >= TRAINS_FLOOR)]
    hyps = [C.setting_hypothesis(setting, quick, data)]
    m, lo, hi = d["mean"][mask], d["lo"][mask], d["hi"][mask]
    lower = C.judge_cells(PREDICTIONS["lower"], [dict(mean=m + MARGIN, lo=lo + MARGIN, hi=hi + MARGIN)], hyps, checks)
    upper = C.judge_cells(PREDICTIONS["upper"], [dict(mean=MARGIN - m, lo=MARGIN - hi, hi=MARGIN - lo)], hyps, checks)
    j = stats.combine([lower, upper])
    return ClaimResult(
        id=C.result_id(ID, setting),
        claim=f"AGAD's accuracy is within +-{MARGIN:g} points of its smallest-offset value in every cell",
        source="Tables 1-2, Sec. 4; Rasch et al. 2024 (AGAD is invariant to the reference)",
        setting=(f"offset grid of table-sp-offsets, {C.describe(setting, quick, data)}; {a.shape[-1]} paired seeds, "
                 f"AGAD {C.hyperparameters(['AGAD'], quick, setting, data)['AGAD']}"),
        measured=(f"differences to (0, 0.05) from {m.min():.1f} to {m.max():.1f} points; simultaneous intervals "
                  f"from {lo.min():.1f} to {hi.max():.1f}; AGAD grid mean {100 * grid_mean:.1f} %"),
        bound=f"every interval inside (-{MARGIN:g}, {MARGIN:g}) points",
        notes=(f"TOST: lower part {lower.verdict} ({lower.decisive}), upper part {upper.verdict} ({upper.decisive}); "
               f"Bonferroni over {n_other} cells, per-interval level {level:.4f}."),
        data=dict(setting=setting, means={"AGAD": C.block(a)},
                  differences={"AGAD - AGAD(0, 0.05)": C.jsonable_diff(d)}, margin=MARGIN,
                  ref_means=list(offsets.REF_MEANS), ref_stds=list(offsets.REF_STDS),
                  curves=C.curve_summary(runs, ("AGAD",)), epochs=runs["AGAD"].epochs.tolist()),
        prediction=PREDICTIONS["lower"], judgement=j, hypotheses=hyps, checks=checks,
    )


def plot(result: ClaimResult, path) -> None:
    import matplotlib.pyplot as plt

    d = result.data
    fig = plt.figure(figsize=(10, 3.6))
    plotting.draw_offset_figure(fig, dict(means=d["means"], differences=d["differences"], ref_means=d["ref_means"],
                                          ref_stds=d["ref_stds"]))
    fig.suptitle(f"{result.id}: {result.verdict} (margin +-{d['margin']:g} points)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
