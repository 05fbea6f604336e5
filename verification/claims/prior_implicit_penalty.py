"""prior-implicit-penalty: analog SGD's stationary point and its scaling in sigma (W25 Thm 1 / Thm 5; seed eq. (4)).

Prior theory (issue 21, item 2).  Source: W25 = arXiv 2502.06309 v3 as extracted in the public repository
captaindpt/analog-gradients (``papers/papers-markdown/2502.06309v3.md``): Thm 1 (eq. (7)), Thm 5 and its
proof (App. G, eqs. (46)-(56)), the penalised objective eqs. (45)/(49).  What the text states:

* Thm 1 (D = 1, ``Sigma = E|grad f(W; xi) - E grad f(W; xi)|`` a constant): analog SGD implicitly optimises
  ``f_Sigma = f + <Sigma, R_c>``, ``R_c' = R = G/F``; on the linear device ``f + Sigma/(2 tau) ||W||^2`` (eq. (49)).
* Thm 5: with ``T(W) = |E f'(W; xi) F(W) - E|f'(W; xi)| G(W)|`` (eq. (46)) there is a point
  ``W^S = (grad^2 f(W*) - grad R(W_sp) Sigma)^-1 (grad^2 f(W*) W* - grad R(W_sp) Sigma W_sp)`` (eq. (48); 1-D eq. (50))
  with ``||grad f_Sigma(W^S)|| <= O((W_sp - W*)^2)`` and ``T(W^S) <= O((W_sp - W*)^2)``.

Eqs. (48)/(50) (and the proof's (54)) carry a minus sign: that point is the stationary point of
``f - <Sigma, R_c>``, not of (47)/(49)/(51) (``grad f_Sigma = grad f + Sigma R``); with the update written as
in W25's eq. (5) (``U(W, D) = W + D F - |D| G``) the mean update vanishes at the plus-sign point
``(H + Sigma R')^-1 (H W* + Sigma R' W_sp)`` (sympy: ``wu2025.errata_thm5_sign``).  Issue 21 quoted the
plus-sign form and called the 1-D form "eq. (60)"; in v3 it is eq. (50) (v3's eq. (60) is in App. H).
An earlier version of this claim (written before the text was read) tested the plus-sign form as "the"
formula (verdict holds); it is now ``/formula-corrected``.

Setting of the simulation: 1-D quadratic ``h = 1, W* = 0``, Gaussian gradient noise sigma (so Thm 1's Sigma is
the constant ``sigma sqrt(2/pi)``), symmetric soft bounds shifted to the SP ``s = 0.3`` (``F = 1``,
``R = G/F = (w - s)/tau``, ``R' = 1``, tau = 1), analog SGD in the update model without pulse noise (the
theorems' recursion), alpha = 0.005, R replicates per sigma, tail average of W per replicate.

Predictions (fixed before the run):

* ``/formula`` (Thm 5 as printed): kind ``order-upper``, exponent 2, towards 0: ``T(W^S)`` of eq. (50) as
  printed, computed exactly (folded-normal mean, ``prior.penalty_effective_update``) at SP distances
  ``d = s - w*`` in ``geomspace(1e-3, 0.1, 9)`` at sigma = 0.05, fitted against d (weighted log-log fit with
  per-point relative error ``d/tau``, the a-priori size of the next order; half-range regime check);
* ``/formula-corrected``: two ``upper`` predictions (band): the simulated bias within ``(1 +/- 0.1) x`` that of
  the plus-sign point at every sigma; t intervals over replicates, 95 % family-wise over the sigmas and the
  two sides (Bonferroni).  The band also fixes the sign (towards the SP).  The exact order of ``T`` at the
  plus-sign point is reported in the notes;
* ``/sigma-w25``: kind ``scaling``, exponent 1 (tolerance 0) of the bias in sigma (Sigma proportional to the
  noise level, Thm 1's text);
* ``/sigma-eq4``: kind ``scaling``, exponent 2 (tolerance 0) -- the seed's eq. (4) reading.
  Both fits reuse ``update_model._fit`` (per-point errors: the replicate standard error combined
  with the a-priori size ``Sigma R'/(h + Sigma R')`` of the saturation factor the power law
  neglects; half-range regime check).

Hypotheses: D = 1 and Sigma constant (Gaussian additive noise: ``E|f'(w; xi) - f'(w)| = sigma sqrt(2/pi)`` at
every w); ``h - Sigma R' > 0`` (eq. (50)'s denominator); the iterate stays inside the device bounds.
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
TITLE = "Analog SGD's stationary point: W25 Thm 5's W^S (eq. (50), its sign), bias Theta(sigma) (W25 Thm 1/5)"
ORDER_SIGMA = 0.05
ORDER_DISTS = np.geomspace(1e-3, 0.1, 9)
TOL = 0.10
PREDICTIONS = {
    "formula": stats.Prediction("order-upper", "T(W^S) <= O((W_sp - W*)^2) at eq. (50)'s W^S as printed (W25 Thm 5)",
                                exponent=2.0, towards="0"),
    "formula-corrected-order": stats.Prediction("order-upper", "T(W^S) <= O((W_sp - W*)^2) at the plus-sign point",
                                                exponent=2.0, towards="0"),
    "band-upper": stats.Prediction("upper", f"bias <= (1 + {TOL}) x the plus-sign point's at every sigma"),
    "band-lower": stats.Prediction("upper", f"-bias <= -(1 - {TOL}) x the plus-sign point's at every sigma"),
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
    sw = X.penalty_order_sweep(ORDER_SIGMA, ORDER_DISTS)
    Rp_ok = p["h"] - sw["Sigma"] / p["tau"]
    hyps_o = [stats.Hypothesis("Thm 1: D = 1, Sigma constant", "E|f'(w; xi) - f'(w)| independent of w",
                               f"Gaussian additive noise: sigma sqrt(2/pi) = {fmt(sw['Sigma'], 4)} at every w", True),
              stats.Hypothesis("eq. (50)'s denominator", "h - Sigma R' > 0", fmt(Rp_ok, 4), Rp_ok > 0)]
    fit_pr = _fit(sw["d"], sw["T_printed"], sw["d"] / p["tau"])
    fit_co = _fit(sw["d"], sw["T_corrected"], sw["d"] / p["tau"])
    j_pr = stats.judge(PREDICTIONS["formula"], fit_pr, hyps_o)
    j_co = stats.judge(PREDICTIONS["formula-corrected-order"], fit_co, hyps_o)
    err5 = wu2025.errata_thm5_sign()
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
              "Source: W25 v3 Thm 1, Thm 5, eqs. (45)-(56).")
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
    pr_bias = wu2025.implicit_penalty_point_printed(p["h"], p["w_star"], Sigma, Rp, p["s"]) - p["w_star"]
    o_set = (f"exact T(W^S) (eq. (46), folded-normal mean) on f = {p['h']}/2 (w - {p['w_star']})^2, Gaussian noise "
             f"sigma = {ORDER_SIGMA} (Sigma = {fmt(sw['Sigma'], 4)}), F = 1, G = (w - s)/tau, tau = {p['tau']}, "
             f"SP distance d = s - w* in geomspace(1e-3, 0.1, 9)")
    o_meas = (f"T at eq. (50)'s point (printed): " + ", ".join(fmt(v, 3) for v in sw["T_printed"])
              + f"; slope {fit_pr.fit.format()} ({fit_pr.regime}); at the plus-sign point: "
              + ", ".join(fmt(v, 3) for v in sw["T_corrected"]) + f"; slope {fit_co.fit.format()}")
    erratum5 = {
        "paper": "W25 Thm 5, eqs. (48)/(50): W^S = (grad^2 f(W*) - grad R(W_sp) Sigma)^-1 (grad^2 f(W*) W* - "
                 "grad R(W_sp) Sigma W_sp) satisfies T(W^S) <= O((W_sp - W*)^2) (and the proof's (54) uses "
                 "grad f - Sigma G/F)",
        "corrected": "W^S = (grad^2 f(W*) + grad R(W_sp) Sigma)^-1 (grad^2 f(W*) W* + grad R(W_sp) Sigma W_sp), the "
                     "stationary point of (47)/(49) (grad f_Sigma = grad f + Sigma R, eq. (51)); the printed point is "
                     "that of f - <Sigma, R_c> and the mean update there is first order in W_sp - W*",
        "settled_by": f"sympy (wu2025.errata_thm5_sign: printed = minimiser of f - Sigma R_c: "
                      f"{err5.printed_is_minimiser_of_minus}; drift at the printed point {err5.drift_at_printed}); exact "
                      f"T slopes in d: printed {fit_pr.fit.format()} vs 2 ({j_pr.verdict}), corrected "
                      f"{fit_co.fit.format()} ({j_co.verdict}, not tight); simulation: bias towards the SP, within "
                      f"+/-{TOL:.0%} of the plus-sign point ({j_band.verdict})",
    }
    out = [ClaimResult(
        id=f"{ID}/formula", claim=PREDICTIONS["formula"].statement,
        source="W25 Thm 5, eqs. (46), (48), (50) (arXiv 2502.06309 v3)", setting=o_set, measured=o_meas,
        bound="exponent 2 in d = |W_sp - W*| (d -> 0)", ratio=None,
        slope=f"{fit_pr.fit.format()} vs 2",
        notes=(f"Verdict {j_pr.verdict}: {j_pr.reason}. The printed point moves the bias away from the SP: at the "
               f"simulation's sigmas eq. (50) gives " + ", ".join(fmt(v, 3) for v in pr_bias)
               + " where the measured bias is " + ", ".join(fmt(v, 3) for v in mean)
               + f". With the sign corrected: T slope {fit_co.fit.format()} ({j_co.verdict}, {j_co.tightness}). "
               + common),
        data=dict(data, part="formula", d=sw["d"], T_printed=sw["T_printed"], T_corrected=sw["T_corrected"],
                  pr_bias=pr_bias),
        prediction=PREDICTIONS["formula"], judgement=j_pr, hypotheses=hyps_o, erratum=erratum5)]
    for part, j, pred_, src, extra in (
        ("formula-corrected", j_band, PREDICTIONS["band-upper"],
         "W25 Thm 1 / Thm 5 with eq. (50)'s sign corrected (the stationary point of eqs. (47)/(49)/(51))",
         f"Band: upper side {j_up.verdict}, lower side {j_dn.verdict}. Exact T(W^S) at the plus-sign point: slope "
         f"{fit_co.fit.format()} in |W_sp - W*| ({j_co.verdict} against O(d^2), {j_co.tightness}). "),
        ("sigma-w25", j_w25, PREDICTIONS["sigma-w25"], "W25 Thm 1 / Thm 5 (Sigma = E|grad f(W*; xi)|)", ""),
        ("sigma-eq4", j_eq4, PREDICTIONS["sigma-eq4"], "seed paper eq. (4) (Theta(sigma^2) penalty)", ""),
    ):
        out.append(ClaimResult(
            id=f"{ID}/{part}", claim=pred_.statement, source=src, setting=setting, measured=measured,
            bound=("plus-sign point: " + ", ".join(fmt(v, 4) for v in pred) + f" (band +/- {TOL:.0%})")
            if part == "formula-corrected" else f"exponent {pred_.exponent:g} in sigma",
            ratio=float(np.max(mean / pred)) if part == "formula-corrected" else None,
            slope=None if part == "formula-corrected" else f"{fit.fit.format()} vs {pred_.exponent:g}",
            notes=f"Verdict {j.verdict}: {j.reason}. " + extra + common,
            data=dict(data, part=part), prediction=pred_, judgement=j, hypotheses=hyps,
            erratum=erratum if part == "sigma-eq4" else None))
    return out


def plot(result: ClaimResult, path) -> None:
    import matplotlib.pyplot as plt

    from sptheory.experiments import plotting

    d = result.data
    if d["part"] == "formula":
        fig, ax = plt.subplots(figsize=(6.5, 4.2))
        x = np.asarray(d["d"], float)
        ax.plot(x, d["T_printed"], "o-", color="tab:red", label="T at eq. (50)'s W^S (printed, minus sign)")
        ax.plot(x, d["T_corrected"], "s-", color="tab:blue", label="T at the plus-sign W^S")
        ax.plot(x, d["T_printed"][0] * (x / x[0]) ** 2, "k--", lw=0.8, label="d^2 (Thm 5's order)")
        ax.set(xscale="log", yscale="log", xlabel="d = |W_sp - W*|", ylabel="effective update T(W^S) (eq. (46))")
        ax.legend(fontsize=7)
        fig.suptitle(f"{result.id}: {result.verdict}", fontsize=10)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return
    s = np.asarray(d["sigmas"], float)
    pred = np.asarray(d["pred"], float)
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    plotting.errorbars(ax, s, d["mean"], d["lo"], d["hi"], fmt="o", label=f"measured bias ({d['level']:.4f} intervals)")
    ax.plot(s, pred, "k-", label="plus-sign point: (h w* + Sigma R' s)/(h + Sigma R') - w*")
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
