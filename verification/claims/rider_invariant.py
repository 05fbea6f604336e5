"""rider-invariant (errata/rider-invariant): RIDER conserves I = Q - (eta/beta) W up to a drift
that never involves P's device.

Prediction (declared before the first full run; kind ``identity``): on recorded RIDER runs
(``algorithms.run``, noiseless, ``devices.Tanh`` on both arrays, so F_w == 1),

    I_{k+1} - I_k = eta |P_{k+1} - Q_k| G_w(W_k)   for every k, replicate and cell,

with maximum absolute error at most TOL = 1e-12 (the states are O(1); F_w = (q_minus + q_plus)/2
equals 1 only to rounding, so the identity holds to a few ulps). The symbolic derivation
(``bounds.errata_rider_invariant``: (11b) and (12) with F_w = 1, residual simplified to 0) must
hold too; if it did not, the error would be reported as infinite.

E-RIDER (Alg. 3) beside it, not judged: its chopper sign c_k in (18b) and the analog reference
Qt break the identity; the size of the deviation is reported (at chopper flips and between them).
"""

from __future__ import annotations

from sptheory import bounds, stats
from sptheory.experiments import thm37 as X
from verification.harness import ClaimResult

ID = "rider-invariant"
TITLE = "RIDER with F_w = 1: I = Q - (eta/beta) W changes only by eta |P_{k+1} - Q_k| G_w(W_k) (no G_p)"
SOURCE = "Alg. 2, eqs. (11b), (12); Lemma 3.5 (Q as SP tracker); Alg. 3, eq. (18b)"
TOL = 1e-12
PREDICTION = stats.Prediction(
    "identity", "I_{k+1} - I_k = eta |P_{k+1} - Q_k| G_w(W_k) for RIDER with F_w = 1 (I = Q - (eta/beta) W)", tol=TOL)


def run(quick: bool, rng_seed: int, executor=None) -> ClaimResult:
    sym = bounds.errata_rider_invariant()
    m = X.simulate_invariant(X.invariant_sizes(quick), rng_seed)
    r, e = m["algos"]["rider"], m["algos"]["e-rider"]
    err = r["err"] if sym.holds else float("inf")
    sz, stp = m["sizes"], m["steps"]
    n = sz["K"] * sz["R"] * sz["D"]
    hyp = [stats.Hypothesis("F_w == 1 along the run", "max_k |F_w(W_k) - 1| at rounding level (<= 1e-15)",
                            f"{r['F_w_dev']:.3g}", r["F_w_dev"] <= 1e-15),
           stats.Hypothesis("RIDER (Alg. 2)", "no chopper, digital reference Q", "algorithms.rider", True)]
    j = stats.judge(PREDICTION, stats.MaxError(err, instances=n), hyp)
    setting = (f"algorithms.run (noiseless), devices.Tanh a = 0.3 on both arrays (F == 1), per-cell SPs "
               f"0.4 + 0.2 N (P) and -0.2 + 0.2 N (W); Quadratic D = {sz['D']}, eigenvalues geomspace(0.5, 2), "
               f"sigma = 0.5 (Gaussian); alpha = {stp['alpha']}, beta = {stp['beta']}, eta = {stp['eta']}, "
               f"gamma = {stp['gamma']}; E-RIDER p = {stp['p']}; P0 = Q0 = 1.5, W0 = 0; K = {sz['K']}, "
               f"R = {sz['R']}" + (" (quick)" if quick else ""))
    measured = (f"RIDER: max |dI - eta|P_{{k+1}}-Q_k| G_w| = {err:.3g} over {n} steps x cells (max |dI| = "
                f"{r['scale']:.3g}); E-RIDER: max deviation {e['err']:.3g} ({e['err'] / e['drift']:.3g} x its "
                f"max drift term), mean {e['mean_abs_dev']:.3g} vs mean drift {e['mean_abs_drift']:.3g}")
    notes = (
        f"Symbolic: (Q_{{k+1}} - (eta/beta) W_{{k+1}}) - (Q_k - (eta/beta) W_k) = {sym.increment} (residual "
        f"{sym.residual}); G_p does not appear, so nothing in RIDER's recursion pulls Q toward P's SP beyond this "
        f"drift (on the mean map's line of stationary points P = Q the drift vanishes). RIDER run: Q moved by at most "
        f"{r['Q_move']:.3g} and ends at RMS distance {r['Q_sp_end']:.3g} from P's SP (start {r['Q_sp_start']:.3g}). "
        f"With E-RIDER's chopper the increment gains eta[(P_{{k+1}} - Q_k) - c_k (P_{{k+1}} - Qt_k)] plus the change "
        f"of the |.| term (symbolic: 2 eta (P_{{k+1}} - Q_k) at a flip with Qt = Q); measured deviation at the "
        f"{e['n_flips']} flips up to {e['err_at_flips']:.3g}, between flips up to {e['err_between']:.3g} (Qt lags Q); "
        f"E-RIDER's Q ends at RMS distance {e['Q_sp_end']:.3g} from the SP (start {e['Q_sp_start']:.3g})."
    )
    erratum = dict(
        paper="Q_k, the average of P_k (12), tracks the symmetric point of P's device (Lemma 3.5, Alg. 2)",
        corrected="with F_w = 1, RIDER conserves I = Q - (eta/beta) W up to eta |P_{k+1} - Q_k| G_w(W_k); G_p never "
                  "enters, so RIDER's Q need not move to P's SP; E-RIDER's chopper breaks the invariant",
        settled_by="sympy (bounds.errata_rider_invariant) and recorded RIDER / E-RIDER runs")
    return ClaimResult(id=ID, claim=TITLE, source=SOURCE, setting=setting, measured=measured,
                       bound=f"identity, max error <= {TOL:g}", prediction=PREDICTION, judgement=j, hypotheses=hyp,
                       notes=notes,
                       data=dict(m, symbolic=dict(increment=str(sym.increment), residual=str(sym.residual),
                                                  chopped_extra=str(sym.chopped_extra))),
                       erratum=erratum)


def plot(result: ClaimResult, path) -> None:
    import matplotlib.pyplot as plt

    a = result.data["algos"]
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    names = ["RIDER", "E-RIDER"]
    ax.bar(names, [max(a["rider"]["err"], 1e-18), a["e-rider"]["err"]], color=["C0", "C1"],
           label="max |dI - eta|P-Q| G_w|")
    ax.bar(names, [a["rider"]["drift"], a["e-rider"]["drift"]], fill=False, edgecolor="k",
           label="max drift eta|P-Q| G_w")
    ax.axhline(TOL, color="r", ls="--", label=f"tolerance {TOL:g}")
    ax.set_yscale("log")
    ax.legend(fontsize=7)
    ax.set_title(f"{result.id}: {result.verdict}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
