"""regime-b: the network claims decided in the paper's regime (issue 16); runs only with ``--long``.

Experiment (:mod:`sptheory.experiments.regime`): setting B (the HfO2-like preset on both arrays, the fast
array's SP offsets, the paper's Table 6 IO with bound management ITERATIVE), the digits MLP, for the budget of
the run-length rule (at least 183 epochs: the paper's 306 transfer reads per first-layer column; 1.5x up to
twice while some compared method's end slope exceeds 0.1 points per epoch), with the hyperparameters the
bracketing search chose, read back from its record ``verification/data/regime_search_B.json``.  E-RIDER is
E-RIDER as the paper ran it (``algorithms.erider_paper``: AGAD plus the gamma-mixed gradient).  Test accuracy
once per run, seeds :data:`SEEDS` (disjoint from the search's).

Predictions (kind ``comparison``, fixed before any run in this regime), per-seed paired differences of test
accuracy in points, 95 % paired t intervals, one interval per claim (no family):

* ``regime-b/erider-vs-agad``: E-RIDER (paper) - AGAD > 0 at the nominal cell (ref_mean 0.2, ref_std 0.3);
* ``regime-b/agad-vs-ttv2``: AGAD - TT-v2 > 0 at the nominal cell;
* ``regime-b/ttv2-offset``: TT-v2(ref_std 0.05) - TT-v2(ref_std 1.0) > 0 at ref_mean 0.2;
* ``regime-b/agad-offset``: |AGAD(ref_std 0.05) - AGAD(ref_std 1.0)| is within 2 points (AGAD's offset
  robustness, the paper's reading), decided as: holds if the interval lies inside (-2, 2), violated if it
  lies entirely outside, inconclusive otherwise.

Holds if the interval lies above 0 (the first three), violated if it lies below 0, inconclusive otherwise.
Measurement checks (a failed one makes the verdict inconclusive; the verdict without the checks is in the
notes): each compared method's search is complete, not failed (best validation >= 20 %) and bracketed
(every axis interior or shown flat); the run-length rule was met; no compared method is at chance (mean test
accuracy >= 20 %).  An inconclusive verdict carries a power analysis: the seeds a paired t test at 95 % with
80 % power needs for the observed mean difference and spread (``n = ((1.96 + 0.84) sd / |mean|)^2``); if
the search record or the run-length outcome is missing, every result is inconclusive and says which part is.

The offset grid of Tables 1-2 (9 cells), ``erider-best`` (needs c-TTv2's search), ``fig5-chopper`` and
``fig4-pulses`` in this regime are not here yet (docs/NETWORK_REGIME.md).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from sptheory import stats
from sptheory.experiments import network, regime
from verification.harness import ClaimResult

ID = "regime-b"
TITLE = "Network claims in the paper's regime (setting B, >= 183 epochs, bracketing search; --long only)"
SEEDS = tuple(range(8))
QUICK_SEEDS, QUICK_EPOCHS = (0, 1), 3
AGAD_BAND = 2.0
E = "E-RIDER (paper)"

PREDICTIONS = {
    "erider-vs-agad": stats.Prediction("comparison", "test accuracy E-RIDER (paper) - AGAD > 0 at the nominal cell "
                                       "of B (paired over seeds)"),
    "agad-vs-ttv2": stats.Prediction("comparison", "test accuracy AGAD - TT-v2 > 0 at the nominal cell of B "
                                     "(paired over seeds)"),
    "ttv2-offset": stats.Prediction("comparison", "TT-v2 accuracy at ref_std 0.05 - at ref_std 1.0 > 0 "
                                    "(ref_mean 0.2, paired over seeds)"),
    "agad-offset": stats.Prediction("comparison", f"|AGAD accuracy at ref_std 0.05 - at ref_std 1.0| < {AGAD_BAND} "
                                    "points (ref_mean 0.2, paired over seeds)"),
}
PAIRS = {"erider-vs-agad": ((E, 0.3), ("AGAD", 0.3)), "agad-vs-ttv2": (("AGAD", 0.3), ("TT-v2", 0.3)),
         "ttv2-offset": (("TT-v2", 0.05), ("TT-v2", 1.0)), "agad-offset": (("AGAD", 0.05), ("AGAD", 1.0))}


def seeds_needed(diff, band: float | None = None) -> float:
    """Paired seeds a two-sided 95 % test with 80 % power needs for the observed mean and sd of ``diff``: against
    0, or (``band``) against the nearer edge of ``(-band, band)`` (the distance ``band - |mean|``)."""
    d = np.asarray(diff, float)
    m, sd = abs(float(d.mean())), float(d.std(ddof=1))
    if band is not None:
        m = abs(band - m)
    if m == 0.0:
        return float("inf")
    return float(math.ceil(((1.959964 + 0.841621) * sd / m) ** 2))


def _search_state(rec):
    """Per compared method: (chosen hp or None, check text, ok)."""
    E0 = regime.min_epochs()
    out = {}
    for n in regime.COMPARED:
        pts = [p for p in rec["points"] if p["algorithm"] == n and p["epochs"] == E0]
        if len(pts) < regime.POINTS:
            out[n] = (None, f"{n}: search incomplete ({len(pts)} of {regime.POINTS} points)", False)
            continue
        probes = {p["probe_axis"]: p for p in rec.get("probes", []) if p["algorithm"] == n}
        b = regime.bracket(n, pts, probes)
        ok = not b["failed"] and all(v in ("interior", "flat") for v in b["axes"].values())
        out[n] = (None if b["failed"] else b["best"]["hp"],
                  f"{n}: best val {b['best']['val_mean']:.3f}, axes {b['axes']}", ok)
    return out


def _length(rec, search):
    E0 = regime.min_epochs()
    budgets = {E0: {}}
    for n in regime.COMPARED:
        pts = [p for p in rec["points"] if p["algorithm"] == n and p["epochs"] == E0]
        if len(pts) >= regime.POINTS:
            budgets[E0][n] = regime.bracket(n, pts)["best"]["end_slope"]
    for p in rec.get("length", []):
        budgets.setdefault(p["epochs"], {})[p["algorithm"]] = p["end_slope"]
    full = {e: s for e, s in budgets.items() if set(regime.COMPARED) <= set(s)}
    return regime.run_length(full)


def _inconclusive(key, why):
    pred = PREDICTIONS[key]
    j = stats.judge(pred, stats.Difference(float("nan"), float("nan"), float("nan")), [],
                    [stats.Hypothesis("the regime's inputs exist", "search record complete and run-length rule "
                                      "applied", why, False)])
    return ClaimResult(id=f"{ID}/{key}", claim=pred.statement, source="Tables 1-2, Sec. 4; issue 16",
                       setting="setting B of experiments.regime (not run)", measured="not run: " + why, bound="> 0",
                       notes="Run python -m verification.regime search / probes / length first.",
                       prediction=pred, judgement=j)


def run(quick: bool, rng_seed: int, executor=None, options: dict | None = None):
    """The four claims of the module docstring (``quick``: a 3-epoch smoke at the Table 5 centres, 2 seeds,
    every verdict inconclusive by its checks)."""
    if quick:
        hps = {n: regime.centre(n) for n in regime.COMPARED}
        epochs, seeds, checks_common = QUICK_EPOCHS, QUICK_SEEDS, [
            stats.Hypothesis("regime inputs", "the stored search and run-length outcome", "quick smoke: Table 5 "
                             "centres, 3 epochs", False)]
        length_note = "quick"
    else:
        try:
            rec = regime.load_record()
        except FileNotFoundError as exc:
            return [_inconclusive(k, str(exc)) for k in PREDICTIONS]
        search = _search_state(rec)
        missing = [t for hp, t, ok in search.values() if hp is None]
        length = _length(rec, search)
        if missing or length["epochs"] is None:
            why = "; ".join(missing) or f"run-length rule not applied (next budget {length['next']})"
            return [_inconclusive(k, why) for k in PREDICTIONS]
        hps = {n: hp for n, (hp, _, _) in search.items()}
        epochs, seeds = length["epochs"], SEEDS
        checks_common = [stats.Hypothesis(f"search of {n} bracketed", "complete, not failed, every axis interior "
                                          "or flat", t, ok) for n, (_, t, ok) in search.items()]
        checks_common.append(stats.Hypothesis("run-length rule met", f"every end slope <= "
                                              f"{100 * regime.SLOPE_TOL:.1f} points/epoch",
                                              f"{epochs} epochs; over the tolerance: {length['over']}",
                                              length["met"]))
        length_note = f"run-length outcome {length}"
    from sptheory import sweep

    keys = list(dict.fromkeys(x for pair in PAIRS.values() for x in pair))
    jobs = [(dataclasses.replace(regime.SETTING, epochs=int(epochs), ref_std=std), name, hps[name], seeds)
            for name, std in keys]
    runs = dict(zip(keys, sweep.run_jobs(network.train_curves, jobs, executor=executor, progress=False)))
    out = []
    for key, (a, b) in PAIRS.items():
        d = 100.0 * (runs[a].test - runs[b].test)
        e = stats.mean_ci(d)
        chance = {f"{n} (ref_std {s})": float(runs[(n, s)].test.mean()) for n, s in (a, b)}
        checks = list(checks_common) + [stats.Hypothesis("no row at chance", "mean test accuracy >= 0.20",
                                                         str({k: round(v, 3) for k, v in chance.items()}),
                                                         min(chance.values()) >= 0.20)]
        if key == "agad-offset":  # the band as a comparison: BAND - |d| > 0 over the whole interval
            near = 0.0 if e.lo <= 0.0 <= e.hi else min(abs(e.lo), abs(e.hi))
            m = stats.Difference(AGAD_BAND - abs(e.mean), AGAD_BAND - max(abs(e.lo), abs(e.hi)), AGAD_BAND - near)
        else:
            m = stats.Difference(e.mean, e.lo, e.hi)
        pred = PREDICTIONS[key]
        j = stats.judge(pred, m, [], checks)
        bare = stats.judge(pred, m, [], []).verdict
        need = seeds_needed(d, AGAD_BAND if key == "agad-offset" else None)
        power = "" if j.verdict != "inconclusive" else f"; power: about {need:.0f} paired seeds for " \
                                                       f"the observed difference at 95 %/80 %"
        out.append(ClaimResult(
            id=f"{ID}/{key}", claim=pred.statement, source="Tables 1-2, Sec. 4; issue 16",
            setting=(f"setting B of experiments.regime, {epochs} epochs, seeds {list(seeds)}; "
                     + "; ".join(f"{n} ref_std {s}: {dict((k, hps[n][k]) for k, _ in regime.AXES[n])}"
                                 for n, s in (a, b))),
            measured=f"difference {e.format()} points" + power,
            bound="> 0" if key != "agad-offset" else f"inside (-{AGAD_BAND}, {AGAD_BAND})",
            notes=f"95 % paired t interval over seeds; verdict without the measurement checks: {bare}; {length_note}.",
            data=dict(diff=d.round(3).tolist(), test={f"{n}|{s}": runs[(n, s)].test.round(4).tolist()
                                                      for n, s in (a, b)},
                      curves={f"{n}|{s}": runs[(n, s)].curve.mean(axis=0).round(4).tolist() for n, s in (a, b)},
                      end_slopes={f"{n}|{s}": network.end_slope(runs[(n, s)].curve) for n, s in (a, b)
                                  } if runs[a].curve.shape[1] >= 4 else {},
                      epochs=int(epochs), seeds_needed=need),
            prediction=pred, judgement=j, checks=checks))
    return out


def plot(result: ClaimResult, path) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6))
    for k, c in (result.data.get("curves") or {}).items():
        ax.plot(100 * np.asarray(c), label=k)
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy, seed mean (%)")
    ax.set_title(f"{result.id}: {result.verdict}", fontsize=9)
    if result.data.get("curves"):
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
