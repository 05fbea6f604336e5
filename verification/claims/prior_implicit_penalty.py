"""prior-implicit-penalty: analog SGD's stationary point and its scaling in sigma (W25 Thm 1 / Thm 5; seed eq. (4)).

Prior theory (issue 21, item 2).  W25 = arXiv 2502.06309; its full text was not reachable
from this workspace (abstract only), so its eq. (60) (the 1-D form the issue's lead
questions) could not be read.  Checked is the formula as issue 21 writes it,

    W~ = (H + Sigma R')^-1 (H W* + Sigma R' W_sp),   Sigma = E|grad f(W*; xi)|,

(:func:`sptheory.bounds.wu2025.implicit_penalty_point`, sympy-derived from the zero drift of
the linearised update model), and the scaling of the bias ``W~ - W*`` in sigma: Theta(sigma)
by the theorem (Sigma = sigma sqrt(2/pi) for Gaussian noise at W*), Theta(sigma^2) by the
seed paper's eq. (4) (``f + Theta(sigma^2 ||W - W_sp||^2)``).

Setting: 1-D quadratic ``h = 1, W* = 0``, Gaussian gradient noise sigma, symmetric soft bounds
shifted to the SP ``s = 0.3`` (``F = 1``, ``R = G/F = (w - s)/tau``, ``R' = 1``, tau = 1), analog
SGD in the update model without pulse noise (the theorems' recursion), alpha = 0.005, R
replicates per sigma, tail average of W per replicate.

Predictions (fixed before the run):

* ``/formula``: two ``upper`` predictions (band): bias within ``(1 +/- 0.1) x`` the formula's
  at every sigma; t intervals over replicates, 95 % family-wise over the sigmas and the two
  sides (Bonferroni).  The band also fixes the sign (towards the SP).
* ``/sigma-w25``: kind ``scaling``, exponent 1 (tolerance 0) of the bias in sigma;
* ``/sigma-eq4``: kind ``scaling``, exponent 2 (tolerance 0) -- the seed's eq. (4) reading.
  Both fits reuse ``update_model._fit`` (per-point errors: the replicate standard error combined
  with the a-priori size ``Sigma R'/(h + Sigma R')`` of the saturation factor the power law
  neglects; half-range regime check).

Hypotheses: the iterate stays inside the device bounds; noise zero-mean with variance sigma^2
(Gaussian, by construction).
"""

from __future__ import annotations

import numpy as np

from sptheory import stats
from sptheory.bounds import wu2025
from sptheory.experiments import prior as X
from verification.claims.update_model import _fit
from verification.harness import ClaimResult

ID = "prior-implicit-penalty"
PART = "prior theory"
TITLE = "Analog SGD's stationary point (H + Sigma R')^-1 (H W* + Sigma R' W_sp), bias Theta(sigma) (W25 Thm 1/5)"
TOL = 0.10
PREDICTIONS = {
    "band-upper": stats.Prediction("upper", f"bias <= (1 + {TOL}) x W25's formula at every sigma"),
    "band-lower": stats.Prediction("upper", f"-bias <= -(1 - {TOL}) x W25's formula at every sigma"),
    "sigma-w25": stats.Prediction("scaling", "bias = Theta(sigma) (Sigma = E|grad f(W*; xi)|): exponent 1",
                                  exponent=1.0, tol=0.0),
    "sigma-eq4": stats.Prediction("scaling", "bias = Theta(sigma^2) (seed eq. (4)): exponent 2", exponent=2.0,
                                  tol=0.0),
}


def sizes(quick: bool) -> dict:
    return X.penalty_sizes(quick)


def run(quick: bool, rng_seed: int, executor=None, size: dict | None = None):
    sim = X.simulate_penalty(quick, rng_seed, size)
    p, z = X.PENALTY, sim["size"]
    sig = sim["sigmas"]
    n = sig.size
    fmt = stats._fmt
    bias_r = sim["W_mean"] - p["w_star"]
    level = stats.simultaneous_level(0.95, 2 * n)
    est = stats.mean_ci(bias_r, level=level)
    mean, lo, hi, sem = (np.asarray(v, float) for v in (est.mean, est.lo, est.hi, est.sem))
    Sigma = sig * np.sqrt(2 / np.pi)
    Rp = 1.0 / p["tau"]
    pred = wu2025.implicit_penalty_point(p["h"], p["w_star"], Sigma, Rp, p["s"]) - p["w_star"]
    mf = np.array([X.mean_field_point(s) for s in sig]) - p["w_star"]
    wmax = float(np.max(np.abs(sim["W_mean"] - p["s"])))
    hyps = [stats.Hypothesis("inside the device bounds", "|W - s| < tau (tail means)", fmt(wmax), wmax < p["tau"]),
            stats.Hypothesis("noise", "mean 0, variance sigma^2", "Gaussian, by construction", True)]
    fam = f"t intervals at {level:.4f} each: 95 % family-wise over {n} sigmas x 2 sides (Bonferroni)"
    j_up = stats.judge(PREDICTIONS["band-upper"], stats.Curve(mean, lo, hi, (1 + TOL) * pred, fam), hyps)
    j_dn = stats.judge(PREDICTIONS["band-lower"], stats.Curve(-mean, -hi, -lo, -(1 - TOL) * pred, fam), hyps)
    j_band = stats.combine([j_up, j_dn])
    rsat = Sigma * Rp / (p["h"] + Sigma * Rp)
    fit = _fit(sig, mean, np.sqrt((sem / mean) ** 2 + rsat**2))
    j_w25 = stats.judge(PREDICTIONS["sigma-w25"], fit, hyps)
    j_eq4 = stats.judge(PREDICTIONS["sigma-eq4"], fit, hyps)
    setting = (f"f = {p['h']}/2 (w - {p['w_star']})^2, Gaussian noise sigma in [{fmt(sig[0])}, {fmt(sig[-1])}] "
               f"({n} values); SoftBounds a_up = a_dn = 1, tau = {p['tau']}, offset s = {p['s']} (F = 1, R = (w - s)/tau); "
               f"pulse_mode 'noiseless'; alpha = {p['alpha']}; {z['R']} replicates per sigma, {sim['burn']} steps "
               f"discarded, tail of {sim['tail']} averaged")
    measured = ("bias per sigma: " + ", ".join(f"{fmt(s)}: {fmt(m, 4)} [{fmt(a, 4)}, {fmt(b, 4)}]"
                                                for s, m, a, b in zip(sig, mean, lo, hi))
                + f"; measured/formula {fmt(np.min(mean / pred), 4)} ... {fmt(np.max(mean / pred), 4)}; slope in sigma "
                f"{fit.fit.format()}")
    common = (f"Mean-field zero drift (Sigma at the point, not at W*): measured/mean-field "
              f"{fmt(np.min(mean / mf), 4)} ... {fmt(np.max(mean / mf), 4)}. Sign: every bias interval lies "
              f"{'above 0, i.e. towards the SP' if np.all(lo > 0) else 'NOT entirely above 0'} (s = {p['s']} > w*; the "
              f"formula's slope at Sigma = 0 is R' (w_sp - w*)/h > 0). Regime: {fit.regime}. "
              "W25's eq. (60) itself was not readable here; the formula checked is issue 21's.")
    data = dict(sigmas=sig, mean=mean, lo=lo, hi=hi, pred=pred, mf=mf, level=level, tol=TOL,
                slope=fit.fit.slope, slope_lo=fit.fit.lo, slope_hi=fit.fit.hi)
    erratum = {
        "paper": "seed paper eq. (4): analog SGD implicitly minimises f(W) + Theta(sigma^2 ||W - W_sp||^2)",
        "corrected": "the penalty weight is Sigma = E|grad f(W*; xi)| = Theta(sigma) (W25 Thm 1/5): "
                     "f(W) + Theta(sigma ||W - W_sp||^2) near the SP, so the bias grows like sigma, not sigma^2",
        "settled_by": f"simulation: slope of the bias in sigma {fit.fit.format()} (exponent 1 {j_w25.verdict}, "
                      f"exponent 2 {j_eq4.verdict}); sympy: d bias/d Sigma at 0 = R'(w_sp - w*)/h "
                      "(wu2025.implicit_penalty_point_expr)",
    }
    out = []
    for part, j, pred_, src, extra in (
        ("formula", j_band, PREDICTIONS["band-upper"], "W25 Thm 1 / Thm 5 (stationary point of analog SGD)",
         f"Band: upper side {j_up.verdict}, lower side {j_dn.verdict}. "),
        ("sigma-w25", j_w25, PREDICTIONS["sigma-w25"], "W25 Thm 1 / Thm 5 (Sigma = E|grad f(W*; xi)|)", ""),
        ("sigma-eq4", j_eq4, PREDICTIONS["sigma-eq4"], "seed paper eq. (4) (Theta(sigma^2) penalty)", ""),
    ):
        out.append(ClaimResult(
            id=f"{ID}/{part}", claim=pred_.statement, source=src, setting=setting, measured=measured,
            bound=("W25 formula: " + ", ".join(fmt(v, 4) for v in pred) + f" (band +/- {TOL:.0%})") if part == "formula"
            else f"exponent {pred_.exponent:g} in sigma",
            ratio=float(np.max(mean / pred)) if part == "formula" else None,
            slope=None if part == "formula" else f"{fit.fit.format()} vs {pred_.exponent:g}",
            notes=f"Verdict {j.verdict}: {j.reason}. " + extra + common,
            data=dict(data, part=part), prediction=pred_, judgement=j, hypotheses=hyps,
            erratum=erratum if part == "sigma-eq4" else None))
    return out


def plot(result: ClaimResult, path) -> None:
    import matplotlib.pyplot as plt

    from sptheory.experiments import plotting

    d = result.data
    s = np.asarray(d["sigmas"], float)
    pred = np.asarray(d["pred"], float)
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    plotting.errorbars(ax, s, d["mean"], d["lo"], d["hi"], fmt="o", label=f"measured bias ({d['level']:.4f} intervals)")
    ax.plot(s, pred, "k-", label="W25: (h w* + Sigma R' s)/(h + Sigma R') - w*")
    ax.fill_between(s, (1 - d["tol"]) * pred, (1 + d["tol"]) * pred, color="k", alpha=0.1, label="+/- 10 %")
    ax.plot(s, d["mf"], "k:", label="mean field (Sigma at the point)")
    ax.plot(s, pred[0] * (s / s[0]) ** 2, "r--", lw=0.8, label="sigma^2 law through the first point (eq. (4))")
    ax.set(xscale="log", yscale="log", xlabel="sigma", ylabel="bias W~ - W*",
           title=f"fitted slope {d['slope']:.3f} [{d['slope_lo']:.3f}, {d['slope_hi']:.3f}]")
    ax.legend(fontsize=7)
    fig.suptitle(f"{result.id}: {result.verdict}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
