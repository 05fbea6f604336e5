"""prior-tt-convergence: Tiki-Taka's convergence, W24 Thm 4 and its Assumption 5.

Prior theory (issue 21, item 3).  Source read: W24 = Wu, Gokmen, Rasch, Chen, arXiv 2406.12774 v1
(NeurIPS 2024), Sec. 4 and App. H, as extracted to text in the public repository
captaindpt/analog-gradients (``papers/papers-markdown/2406.12774v1.md``).  The statements:

* Assumption 5: noise coordinates i.i.d. with mean 0, ``E eps_i^2 <= sigma^2/D`` and
  ``E|g + eps_i| >= c sigma`` for every real g.
* Thm 4: with ``alpha = O(1/sqrt(sigma^2 K))``, ``beta = 8 alpha L``: ``E||P_k||_inf^2 <= P_max^2 =
  41 L^2 tau^4 D/(c^2 sigma^2)``, and if ``33 P_max^2/tau^2 < 1``,
  ``E_K <= O(sqrt((f(W0) - f*) sigma^2 L/K) / (1 - 33 P_max^2/tau^2))`` (eq. (14)): no asymptotic error.
* The proof's last step (eqs. (138)-(140)) divides by ``1 - 128/(c^2 D) - 32 P_max^2/tau^2`` and then
  drops ``128/(c^2 D)`` "when D is sufficiently large", treating c as independent of D.

But Assumption 5 at g = 0 with Jensen gives ``c sigma <= E|eps_i| <= sigma/sqrt(D)``: ``c^2 D <= 1`` and the
factor is at most -127 for every D, noise law and P_max (sympy, ``wu2024.errata_thm4_factor``).

Setting (the theorem's): ``f = L/2 ||W - W*||^2`` (D = 4, L = 1, W* uniform in +/-0.5, seeded), gradient
noise ``eps_i ~ N(0, s^2)`` i.i.d. (s = 1.5, sigma^2 = D s^2; Assumption 5 with ``c = sqrt(2/pi)/sqrt(D)``),
symmetric linear device ``q_pm = 1 -/+ w/tau`` (tau = 1) in ``pulse_mode="noiseless"`` (W24's recursions
TT-P and TT-W exactly: the package's TT-v1 ``tiki_taka(dev, dev, alpha=beta, transfer_lr=alpha, gamma=0)``,
a full transfer every step; its fast array A is -P), ``beta = 8 alpha L``, R replicates from W = 0, at
several alpha towards 0; analog SGD (step alpha) alongside.  s was set so that analog SGD's exact
``alpha -> 0`` floor is a large share (about 0.3) of ``||grad f(0)||^2``; a first trial at s = 0.2 (floor
0.02, below the 0.05 threshold below) could not tell the two methods apart and was discarded before any
verdict was computed.

Predictions (fixed before the run):

* ``/thm4`` (kind ``upper``): W24 eq. (14), an O(.) bound without explicit constants; the only explicit
  form, the proof's (140), divides by the final factor.  Measurement: TT's tail ``E||grad f||^2`` per
  alpha against an unbounded (vacuous) bound, with the check "the proof's final factor is positive" --
  failed by construction of Assumption 5, so the verdict is inconclusive (hypotheses cannot hold
  together), with the erratum ``errata/w24-thm4-factor``.
* ``/c-bound`` (kind ``upper``, the corrected statement's premise): the run's own noise has
  ``c sqrt(D) <= 1`` (measured ``c = E|eps_i|/sigma``, the infimum over g being at g = 0 for symmetric
  noise; CLT interval over all draws at level 0.99).
* ``/empirical`` (kind ``upper``): what TT-v1 does: its ``alpha -> 0`` limit of the tail
  ``E||grad f||^2 / (L^2 ||W*||^2)`` (intercept of a weighted linear fit in alpha, t interval, n - 2
  dof, the larger of the stated and the scatter-rescaled errors, as ``prior-asgd-floor``) is at most
  0.05: the asymptotic error is eliminated (analog SGD's intercept reported alongside).  Intervals: 95 %
  family-wise over the two intercepts (Bonferroni).

Hypotheses measured along the run: Assumption 4 (``max |W|/tau < 1``), ``||P||_inf <= tau``, Assumption 5's
c, the condition ``33 P_max^2/tau^2 < 1`` (from the measured c), the proof's step-size condition
``alpha <= sigma/(6 L tau sqrt(D))``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as _st

from sptheory import stats
from sptheory.bounds import wu2024
from sptheory.experiments import prior as X
from verification.claims.prior_asgd_floor import intercept_ci
from verification.harness import ClaimResult

ID = "prior-tt-convergence"
PART = "prior theory"
TITLE = "Tiki-Taka's convergence: W24 Thm 4 and its Assumption 5"
TOL_EMP = 0.05
LEVEL_EMP = stats.simultaneous_level(0.95, 2)
LEVEL_C = 0.99
PREDICTIONS = {
    "thm4": stats.Prediction("upper", "E_K <= O(sqrt((f(W0) - f*) sigma^2 L / K) / (1 - 33 P_max^2/tau^2)) "
                             "(W24 Thm 4, eq. (14)); explicit form: the proof's eq. (140)"),
    "c-bound": stats.Prediction("upper", "c sqrt(D) <= 1: Assumption 5 forces c <= 1/sqrt(D) (corrected premise)",
                                level=LEVEL_C),
    "empirical": stats.Prediction("upper", f"lim_(alpha->0) E||grad f||^2 / (L^2 ||W*||^2) <= {TOL_EMP} for TT-v1 "
                                  "(W24: Tiki-Taka eliminates the asymptotic error)"),
}


def sizes(quick: bool) -> dict:
    return X.ttc_sizes(quick)


def _per_alpha(parts, key, norm, level):
    alphas = np.array([d["alpha"] for d in parts])
    ests = [stats.mean_ci(d[key]["g2"] / norm, level=level) for d in parts]
    return alphas, ests


def run(quick: bool, rng_seed: int, executor=None, size: dict | None = None):
    sim = X.simulate_tt_convergence(quick, rng_seed, size)
    p, parts = X.TTC, sim["parts"]
    fmt = stats._fmt
    D, L, tau, sigma, s = sim["D"], sim["L"], sim["tau"], sim["sigma"], sim["s"]
    norm = L**2 * float(np.sum(sim["W_star"] ** 2))
    # Assumption 5's c from the run's own noise draws (TT and SGD runs pooled)
    abs_sum = sum(d[k]["abs_mean"] * d[k]["n"] for d in parts for k in ("tt", "asgd"))
    sq_sum = sum(d[k]["sq_mean"] * d[k]["n"] for d in parts for k in ("tt", "asgd"))
    n = sum(d[k]["n"] for d in parts for k in ("tt", "asgd"))
    m1, m2 = abs_sum / n, sq_sum / n
    sd1 = np.sqrt(max(m2 - m1**2, 0.0))
    half = _st.norm.ppf(0.5 * (1 + LEVEL_C)) * sd1 / np.sqrt(n)
    c_hat, c_lo, c_hi = m1 / sigma, (m1 - half) / sigma, (m1 + half) / sigma
    c_gauss = wu2024.assumption5_c_gaussian(D)
    c_max = wu2024.assumption5_c_max(D)
    pmax2 = wu2024.thm4_pmax2(L, tau, D, c_hat, sigma)
    sat = wu2024.thm4_saturation_condition(pmax2, tau)
    factor = wu2024.thm4_final_factor(c_hat, D, pmax2 / tau**2)
    factor_best = wu2024.thm4_final_factor(c_max, D, 0.0)
    err = wu2024.errata_thm4_factor()
    wmax = max(d[k]["wmax"] for d in parts for k in ("tt", "asgd")) / tau
    pmax_meas = max(d["tt"]["pmax"] for d in parts) / tau
    pinf2 = max(float(d["tt"]["p_inf2"].mean()) for d in parts) / tau**2
    a_max = max(d["alpha"] for d in parts)
    a_cond = sigma / (6 * L * tau * np.sqrt(D))

    hyps_common = [
        stats.Hypothesis("Assumption 4 (bounded saturation)", "max_k ||W_k||_inf / tau < 1", fmt(wmax), wmax < 1),
        stats.Hypothesis("P inside the device bounds", "max_k ||P_k||_inf / tau <= 1", fmt(pmax_meas), pmax_meas <= 1),
        stats.Hypothesis("Assumption 5 (i.i.d. coordinates, mean 0, E eps_i^2 <= sigma^2/D)",
                         "Gaussian N(0, s^2) per coordinate, sigma^2 = D s^2",
                         f"s = {s}, measured E eps_i^2 / (sigma^2/D) = {fmt(m2 / s**2, 4)}", True),
        stats.Hypothesis("Assumption 5's constant", "c > 0 with E|g + eps_i| >= c sigma for all g",
                         f"c = {fmt(c_hat, 4)} [{fmt(c_lo, 4)}, {fmt(c_hi, 4)}] (Gaussian exact {fmt(c_gauss, 4)})",
                         c_lo > 0),
    ]
    hyps_thm = hyps_common + [
        stats.Hypothesis("Thm 4's saturation condition", "33 P_max^2/tau^2 < 1, P_max^2 = 41 L^2 tau^4 D/(c^2 sigma^2)",
                         f"{fmt(sat)} with the measured c (measured max_k E||P_k||_inf^2/tau^2 = {fmt(pinf2)})",
                         sat < 1),
        stats.Hypothesis("the proof's step size", "alpha <= sigma/(6 L tau sqrt(D)) (eq. (137))",
                         f"max alpha {fmt(a_max)} vs {fmt(a_cond)}", a_max <= a_cond),
    ]
    check_factor = stats.Hypothesis(
        "the proof's final factor is positive (needed to divide in eq. (140))",
        "1 - 128/(c^2 D) - 32 P_max^2/tau^2 > 0",
        f"{fmt(factor)} at the measured c (c^2 D = {fmt(c_hat**2 * D, 4)}); at most {fmt(factor_best)} for any "
        f"noise (c <= 1/sqrt(D), sympy sup = {err.sup_factor})", factor > 0)

    # /thm4: TT's tail error per alpha against the vacuous bound, the proof's factor as a failed check
    lvl4 = stats.simultaneous_level(0.95, len(parts))
    alphas, tt4 = _per_alpha(parts, "tt", norm, lvl4)
    j4 = stats.judge(PREDICTIONS["thm4"], stats.Curve(
        np.array([e.mean for e in tt4]), np.array([e.lo for e in tt4]), np.array([e.hi for e in tt4]),
        np.full(len(tt4), np.inf), f"t intervals over replicates, level {lvl4:.4f} (95 % family-wise)"),
        hyps_thm, checks=[check_factor])
    # /c-bound
    jc = stats.judge(PREDICTIONS["c-bound"], stats.Curve(
        np.array([c_hat * np.sqrt(D)]), np.array([c_lo * np.sqrt(D)]), np.array([c_hi * np.sqrt(D)]),
        np.array([1.0]), f"CLT interval over {n} draws, level {LEVEL_C}"), hyps_common[2:3])
    # /empirical: alpha -> 0 intercepts
    _, tt_e = _per_alpha(parts, "tt", norm, LEVEL_EMP)
    _, sg_e = _per_alpha(parts, "asgd", norm, LEVEL_EMP)
    fit = {}
    for name, ests in (("tt", tt_e), ("asgd", sg_e)):
        y = np.array([e.mean for e in ests])
        b0, b1, lo, hi, chi2 = intercept_ci(alphas, y, np.array([e.sem for e in ests]), LEVEL_EMP)
        fit[name] = dict(y=y, lo_pts=np.array([e.lo for e in ests]), hi_pts=np.array([e.hi for e in ests]),
                         b0=b0, b1=b1, lo=lo, hi=hi, chi2=chi2)
    je = stats.judge(PREDICTIONS["empirical"], stats.Curve(
        np.array([fit["tt"]["b0"]]), np.array([fit["tt"]["lo"]]), np.array([fit["tt"]["hi"]]), np.array([TOL_EMP]),
        f"intercept t interval, level {LEVEL_EMP:.4f} (95 % family-wise over TT and analog SGD)"), hyps_common)

    setting = (f"f = {L}/2 ||W - W*||^2, D = {D}, W* seeded uniform in +/-{p['w_star']}; eps_i ~ N(0, {s}^2) i.i.d. "
               f"(sigma = {fmt(sigma)}); SoftBounds a_up = a_dn = 1, tau = {tau}, pulse_mode='noiseless' (W24 TT-P/TT-W "
               f"and analog SGD recursions); beta = 8 alpha L; alpha in {alphas.tolist()}; {sim['size']['R']} replicates "
               f"from W = 0; {sim['size']['burn']} relaxation units discarded, {sim['size']['tail']} averaged "
               "(unit = max(1/(beta s), s/(alpha L tau)) steps)")
    measured_pts = "; ".join(
        f"alpha {a:g}: TT {fmt(t.mean, 4)} [{fmt(t.lo, 4)}, {fmt(t.hi, 4)}], analog SGD {fmt(g.mean, 4)}"
        for a, t, g in zip(alphas, tt_e, sg_e))
    emp = (f"alpha -> 0 intercepts of E||grad f||^2/(L^2||W*||^2): TT-v1 {fmt(fit['tt']['b0'], 4)} "
           f"[{fmt(fit['tt']['lo'], 4)}, {fmt(fit['tt']['hi'], 4)}] (slope {fmt(fit['tt']['b1'])}, reduced chi2 "
           f"{fmt(fit['tt']['chi2'])}); analog SGD {fmt(fit['asgd']['b0'], 4)} [{fmt(fit['asgd']['lo'], 4)}, "
           f"{fmt(fit['asgd']['hi'], 4)}]")
    erratum = {
        "paper": "W24 Thm 4 (proof, eqs. (138)-(140)): under Assumptions 1-5 the descent coefficient "
                 "1 - 128/(c^2 D) - 32 P_max^2/tau^2 is positive once D is large, giving eq. (14); and "
                 "33 P_max^2/tau^2 < 1 is 'easy to meet when training large models'",
        "corrected": "Assumption 5 at g = 0 with Jensen gives c sigma <= E|eps_i| <= sigma/sqrt(D), i.e. c^2 D <= 1 "
                     "(Gaussian: c^2 D = 2/pi); the coefficient is then at most -127 for every D, noise law and "
                     "P_max, so the proof establishes no bound and eq. (14) is unproven (not shown false). Also "
                     "P_max^2 >= 41 L^2 tau^4 D^2/sigma^2, so 33 P_max^2/tau^2 < 1 needs sigma^2 > 1353 L^2 tau^2 D^2: "
                     "harder, not easier, as D grows",
        "settled_by": f"sympy (sptheory.bounds.wu2024.errata_thm4_factor: c_max = {err.c_max}, sup factor = "
                      f"{err.sup_factor}, sigma^2 needed = {err.sigma2_min}, infeasible = {err.infeasible}); measured "
                      f"c sqrt(D) = {fmt(c_hat * np.sqrt(D), 4)} [{fmt(c_lo * np.sqrt(D), 4)}, "
                      f"{fmt(c_hi * np.sqrt(D), 4)}] <= 1 ({jc.verdict}); factor at the measured c {fmt(factor)}",
    }
    common = (f"Assumption 5 measured on the run's {n} noise draws: E|eps_i| = {fmt(m1, 4)}, so c = {fmt(c_hat, 4)} "
              f"and c sqrt(D) = {fmt(c_hat * np.sqrt(D), 4)} (ceiling 1, Gaussian sqrt(2/pi) = 0.7979). "
              f"P_max^2 from Thm 4 = {fmt(pmax2)} tau^2 (measured max E||P||_inf^2 = {fmt(pinf2)} tau^2); "
              f"33 P_max^2/tau^2 = {fmt(sat)}; the proof's final factor {fmt(factor)}. Empirically: {emp}. "
              "The theorem's statement sets beta = 8 alpha L; its proof (eq. (137)-(138)) takes "
              "beta = 8 alpha L tau^2 D/sigma^2; the runs use the statement's.")
    data = dict(alphas=alphas, level=LEVEL_EMP, tol=TOL_EMP, c_hat=c_hat, c_lo=c_lo, c_hi=c_hi, D=D,
                factor=factor, sat=sat, **{f"{k}_{f}": fit[k][f] for k in fit for f in ("y", "lo_pts", "hi_pts", "b0",
                                                                                     "b1", "lo", "hi")})
    results = [
        ClaimResult(
            id=f"{ID}/thm4", claim="Tiki-Taka converges at rate O(sqrt(sigma^2 L/K)) with no asymptotic error (W24 Thm 4)",
            source="W24 Thm 4, eq. (14); Assumption 5; proof App. H.5, eqs. (138)-(140)", setting=setting,
            measured="TT tail E||grad f||^2/(L^2||W*||^2) per alpha: " + measured_pts,
            bound="O(.) without explicit constants; the proof's explicit form needs a positive final factor",
            ratio=None, notes=f"Verdict {j4.verdict}: hypotheses cannot hold together ({j4.reason}). " + common,
            data=data, prediction=PREDICTIONS["thm4"], judgement=j4, hypotheses=hyps_thm, checks=[check_factor],
            erratum=erratum),
        ClaimResult(
            id=f"{ID}/c-bound", claim="Assumption 5's constant obeys c <= 1/sqrt(D) (corrected premise of Thm 4's proof)",
            source="W24 Assumption 5 (this package: Jensen, sympy wu2024.assumption5_c_max_expr)", setting=setting,
            measured=f"c sqrt(D) = {fmt(c_hat * np.sqrt(D), 4)} [{fmt(c_lo * np.sqrt(D), 4)}, "
                     f"{fmt(c_hi * np.sqrt(D), 4)}]", bound="1 (Gaussian noise: sqrt(2/pi) = 0.7979 exactly)",
            ratio=float(c_hat * np.sqrt(D)), notes=f"Verdict {jc.verdict}: {jc.reason}. " + common, data=data,
            prediction=PREDICTIONS["c-bound"], judgement=jc, hypotheses=hyps_common[2:3]),
        ClaimResult(
            id=f"{ID}/empirical", claim="TT-v1 has no asymptotic error as alpha -> 0 (what W24 Thm 4 asserts), "
                                        "next to analog SGD's floor",
            source="W24 Sec. 4 (Thm 4's conclusion); measured, not the theorem's proof", setting=setting,
            measured=emp + "; per alpha: " + measured_pts, bound=f"TT intercept <= {TOL_EMP}",
            ratio=float(fit["tt"]["b0"] / TOL_EMP), notes=f"Verdict {je.verdict}: {je.reason}. " + common, data=data,
            prediction=PREDICTIONS["empirical"], judgement=je, hypotheses=hyps_common),
    ]
    return results


def plot(result: ClaimResult, path) -> None:
    import matplotlib.pyplot as plt

    from sptheory.experiments import plotting

    d = result.data
    a = np.asarray(d["alphas"], float)
    fig, ax = plt.subplots(figsize=(6.8, 4.4))
    for name, col, lab in (("tt", "C0", "TT-v1 (W24 TT-P/TT-W)"), ("asgd", "C3", "analog SGD")):
        plotting.errorbars(ax, a, d[f"{name}_y"], d[f"{name}_lo_pts"], d[f"{name}_hi_pts"], fmt="o", color=col,
                           label=lab)
        xs = np.linspace(0, a.max() * 1.05, 50)
        ax.plot(xs, d[f"{name}_b0"] + d[f"{name}_b1"] * xs, ":", color=col, lw=0.8)
        ax.errorbar([0], [d[f"{name}_b0"]], yerr=[[d[f"{name}_b0"] - d[f"{name}_lo"]], [d[f"{name}_hi"] - d[f"{name}_b0"]]],
                    fmt="D", color=col, ms=4)
    ax.axhline(d["tol"], color="k", lw=0.8, ls="--", label=f"/empirical threshold {d['tol']}")
    ax.set(xlabel="alpha (beta = 8 alpha L)", ylabel="tail E||grad f||^2 / (L^2 ||W*||^2)",
           title=f"c sqrt(D) = {d['c_hat'] * np.sqrt(d['D']):.3f} (<= 1); proof's final factor {d['factor']:.1f} < 0")
    ax.legend(fontsize=7)
    fig.suptitle(f"{result.id}: {result.verdict}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
