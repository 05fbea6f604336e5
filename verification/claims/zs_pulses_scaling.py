"""Claim zs-pulses-scaling: the pulses zero-shifting needs to bring the SP mean within 1 %
grow like 1/dw_min (paper Fig. 1b; the reading N = O(1/(delta dw_min)) of Thm 2.2 and
eqs. (30), (46)).

Experiment (:mod:`sptheory.experiments.zs_array`, the Fig. 1 array): for each
dw_min of a log-spaced sweep 5e-3 .. 1.6e-6 and each schedule, the smallest
``N`` whose *expected* relative error of the SP mean is <= 1 % -- exact
(``calibration.zero_shift_moments``, no sampling), found by bisection on the
closed-form mean (``MeanLaw``) and re-evaluated with the exact moments at ``N``
and at the previous admissible ``N``.  Cyclic ZS counts whole up/down pairs
(even ``N``).  The realised cells-mean fluctuates around its expectation with
sd ``sqrt(sum Var[W_N]) / D``; the band of ``N`` where expectation -/+ 2 sd
crosses 1 % gives, with the integer rounding of ``N``, each point's standard
error for a weighted log-log fit (``stats.loglog_slope(..., y_err=...)``).

Prediction (kind ``scaling``, declared before the run): exponent -1 with
tolerance 0, i.e. holds if the fitted slope's 95 % interval over the whole
sweep (the paper's range) contains -1, violated if it excludes it -- the
tolerance the claim used before (``slope_verdict(fit, -1)``: interval contains
-1; that rule also made an interval wider than 1 inconclusive, never the case
here).  New with the verdict rules: the fit range must be shown asymptotic
(``stats.regime_check``: the slopes fitted on the first and second half of the
sweep agree), else inconclusive (pre-asymptotic).  A fit restricted to
dw_min <= 1e-4 is reported in the notes only.  Measurement check (not a
hypothesis of the paper, listed in the hypotheses table so that a failure
keeps the verdict from reading "violated"): pulse-by-pulse
``calibration.zero_shift`` on the full array at the largest dw_min agrees
with the exact expectation (|z| <= 4).
"""

from __future__ import annotations


import numpy as np

from sptheory import stats
from sptheory.experiments import plotting
from sptheory.experiments import zs_array as Z
from sptheory.sweep import run_jobs
from verification.harness import ClaimResult

ID = "zs-pulses-scaling"
TITLE = "Pulses for zero-shifting to reach 1 % relative error of the SP mean grow like 1/dw_min"
SOURCE = "Fig. 1b; Thm 2.2 reading N = O(1/(delta dw_min)), eqs. (30), (46)"
SCHEDULES = ("stochastic", "cyclic")
PREDICTED = -1.0
PREDICTION = stats.Prediction("scaling", "N(1 % relative error of the SP mean) ~ dw_min^-1", exponent=PREDICTED,
                              tol=0.0)
ASYMPTOTIC_DW = 1e-4  # notes only: fit over dw_min <= this


def _sizes(quick, side, n_dw):
    return (side or (128 if quick else 512)), (n_dw or (6 if quick else 10))


def _seeds(rng_seed):
    rng = np.random.default_rng(rng_seed)
    dev_seed = int(rng.integers(2**31))
    mc = [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(rng_seed).spawn(len(SCHEDULES))]
    return dev_seed, mc


def _ols(points, key="n_star", max_dw=np.inf):
    pts = [p for p in points if p[key] is not None and p["dw_min"] <= max_dw]
    if len(pts) < 3:
        return None
    return stats.loglog_slope([p["dw_min"] for p in pts], [p[key] for p in pts])


def _fmt_fit(fit):
    if fit is None:
        return "n/a (fewer than 3 points)"
    return f"{fit.slope:.4f} [{fit.lo:.4f}, {fit.hi:.4f}]"


def run(quick: bool, rng_seed: int, executor=None, *, side: int | None = None, n_dw: int | None = None):
    side, n_dw = _sizes(quick, side, n_dw)
    dev_seed, mc_seeds = _seeds(rng_seed)
    spec = Z.ArraySpec(side=side, seed=dev_seed)
    grid = Z.dw_grid(n_dw)
    by_schedule = Z.pulses_scan(spec, grid, SCHEDULES, executor)

    # Cross-check at the largest dw_min: pulse by pulse on the full array at N(1 %).
    mc_jobs = [(spec, float(grid[0]), s, by_schedule[s][0]["n_star"] or Z.BUDGETS[-1] // 1000, seed)
               for s, seed in zip(SCHEDULES, mc_seeds)]
    mcs = dict(zip(SCHEDULES, run_jobs(Z.pulses_mc_check, mc_jobs, executor=executor, progress=False)))

    results = []
    for s in SCHEDULES:
        pts, mc = by_schedule[s], mcs[s]
        step = 2 if s == "cyclic" else 1
        fit, ok = Z.fit_pulses(pts, step)
        # The exact path is the measurement; the pulse-by-pulse run checks it.
        mc_ok = abs(mc["z"]) <= 4.0 if mc["sd_rel"] > 1e-8 else mc["abs_diff_mean"] <= 1e-9
        checks = [stats.Hypothesis(
            "Monte Carlo cross-check",
            "pulse-by-pulse zero_shift agrees with the exact expectation at the largest dw_min (|z| <= 4)",
            f"z = {mc['z']:.2f}, |difference of means| {mc['abs_diff_mean']:.2e}", mc_ok)]
        if fit is None:
            judgement = stats.unmeasured("fewer than 3 dw_min reach 1 %: no slope")
        else:
            dws = np.array([p["dw_min"] for p in ok])
            ns = np.array([p["n_star"] for p in ok], float)
            asym, regime = stats.regime_check(dws, ns, Z.pulses_y_err(ok, step))
            judgement = stats.judge(PREDICTION, stats.Slope(fit, asym, regime), checks=checks)
        unreached = [p["dw_min"] for p in pts if p["n_star"] is None]
        ols, ols_asym, ols_grid = _ols(pts), _ols(pts, max_dw=ASYMPTOTIC_DW), _ols(pts, key="n_grid")
        slope = f"slope {_fmt_fit(fit)} vs predicted {PREDICTED:g}"
        n_dw_prod = [p["n_star"] * p["dw_min"] for p in ok]
        measured = (
            f"N(1 %) from {ok[0]['n_star']} (dw_min={ok[0]['dw_min']:.2g}) to {ok[-1]['n_star']} "
            f"(dw_min={ok[-1]['dw_min']:.2g}); N*dw_min in [{min(n_dw_prod):.3g}, {max(n_dw_prod):.3g}]; "
            f"fitted slope {_fmt_fit(fit)} (exact moments; realised-array band as error)"
            if ok else "1 % never reached"
        )
        bnd = [p["bound_n"] for p in ok]
        bound = (
            f"Theta(1/dw_min): slope -1. Eq. ({'30' if s == 'stochastic' else '46'}) per-cell N for "
            f"E(W_N-w_sp)^2 <= (1 % mean SP)^2, geometric part: median cell "
            f"{bnd[0]['geometric_median']:.4g} .. {bnd[-1]['geometric_median']:.4g} pulses"
            if bnd else "Theta(1/dw_min): slope -1"
        )
        notes = _notes(s, spec, pts, ok, mc, fit, ols, ols_asym, ols_grid, unreached, mc_ok)
        results.append(ClaimResult(
            id=f"{ID}/{s}",
            claim=TITLE + f" ({s} ZS)",
            source=SOURCE,
            setting=(f"{spec.describe()}; {len(grid)} dw_min log-spaced {grid[0]:.2g}..{grid[-1]:.2g}; "
                     f"{s} schedule; criterion |mean W_N - mean w_sp| <= 1 % |mean w_sp|"),
            measured=measured,
            bound=bound,
            ratio=None,
            slope=slope,
            notes=notes,
            prediction=PREDICTION,
            judgement=judgement,
            checks=checks,
            data={
                "schedule": s,
                "spec": spec.to_dict(),
                "target": Z.TARGET,
                "budgets": list(Z.BUDGETS),
                "points": pts,
                "mc_check": mc,
                "fit": None if fit is None else {"slope": fit.slope, "lo": fit.lo, "hi": fit.hi,
                                                 "intercept": fit.intercept, "r2": fit.r2},
                "ols": None if ols is None else {"slope": ols.slope, "lo": ols.lo, "hi": ols.hi},
                "ols_asymptotic": None if ols_asym is None else {"slope": ols_asym.slope, "lo": ols_asym.lo,
                                                                 "hi": ols_asym.hi},
                "ols_grid": None if ols_grid is None else {"slope": ols_grid.slope, "lo": ols_grid.lo,
                                                           "hi": ols_grid.hi},
            },
        ))
    return results


def _notes(s, spec, pts, ok, mc, fit, ols, ols_asym, ols_grid, unreached, mc_ok):
    lines = [
        "Exact, not sampled: N is the smallest count whose expected relative error of the SP mean "
        "(exact E[W_N] per cell, `calibration.zero_shift_moments`) is <= 1 %, found by bisection on the "
        "closed-form mean and re-evaluated with the exact moments "
        f"(max |closed form - moments| of the relative error: "
        f"{max(p['closed_form_max_abs_diff'] for p in pts):.1e}). "
        + ("Cyclic ZS: even N only (whole up/down pairs)." if s == "cyclic" else ""),
        f"Mean SP of the array: {pts[0]['sp_mean']:.5f} (W_0 = 0, so the error starts at 100 %).",
        "Rule fixed in advance (module docstring): kind scaling, exponent -1, tolerance 0, on the weighted fit over "
        "the whole sweep, in a range shown asymptotic (half-range slopes agree); a point's standard error is the "
        "realised-array band of N below (divided by 4) combined with the rounding of N.",
    ]
    rows = ["| dw_min | N(1 %) exact | realised band (err -/+ 2 sd) | sd of realised mean (rel.) | "
            "smallest budget reaching 1 % | N*dw_min | eq. (30)/(46) N, median / max cell |",
            "|---|---|---|---|---|---|---|"]
    for p in pts:
        if p["n_star"] is None:
            rows.append(f"| {p['dw_min']:.3g} | not reached (limit {p['err_limit']:.3%}) | | | | | |")
            continue
        b = p["bound_n"]
        rows.append(
            f"| {p['dw_min']:.3g} | {p['n_star']} | [{p['n_lo']}, {p['n_hi']}] | {p['sd_rel_at_n']:.2e} | "
            f"{p['n_grid']} | {p['n_star'] * p['dw_min']:.4g} | "
            f"{b['geometric_median']:.4g} / {b['geometric_max']:.4g} |")
    lines.append("\n".join(rows))
    lines.append(
        f"Fits of log N vs log dw_min: weighted (verdict) {_fmt_fit(fit)}; unweighted {_fmt_fit(ols)}; "
        f"unweighted over dw_min <= {ASYMPTOTIC_DW:g} (asymptotic, notes only) {_fmt_fit(ols_asym)}; "
        f"on the paper's budget grid (smallest budget reaching 1 %, factor-2 steps) {_fmt_fit(ols_grid)}.")
    if s == "cyclic":
        lim = pts[0]["err_limit"]
        lines.append(
            "Cyclic ZS has no sampling noise (deterministic given the array; the ~1e-12 'sd' values are "
            "rounding in Var = E z^2 - (E z)^2), and its even-N iterates converge "
            "to the fixed point of the up/down pair map, which sits about dw_min F/2 below the SP: a bias of "
            f"{lim:.3%} of the mean SP at dw_min = {pts[0]['dw_min']:.3g} (limit of the relative error). Where "
            "that bias is a sizable part of 1 %, more pulses are needed than 1/dw_min scaling predicts "
            "(N*dw_min column).")
    if ols is not None and not (ols.lo <= PREDICTED <= ols.hi):
        lines.append(
            f"The unweighted fit {_fmt_fit(ols)} EXCLUDES -1: over the paper's range N*dw_min is not constant "
            f"(from {ok[0]['n_star'] * ok[0]['dw_min']:.3g} at the largest dw_min to "
            f"{ok[-1]['n_star'] * ok[-1]['dw_min']:.3g} at the smallest). The verdict follows the rule fixed in "
            "advance (weighted fit, in which the precisely located small-dw_min points dominate); the 1/dw_min "
            "law holds asymptotically, with a departure at the largest dw_min.")
    if unreached:
        lines.append(f"1 % is never reached (error floor above 1 %) at dw_min = {unreached}; left out of the fit.")
    if not all(p["grid_consistent"] for p in pts):
        lines.append("WARNING: at some dw_min the exact error on the budget grid crosses 1 % more than once.")
    lines.append(
        f"Realised vs expected: the realised cells-mean has sd sqrt(sum_cells Var[W_N])/D; relative to the mean SP "
        f"it is {ok[0]['sd_rel_at_n']:.2e} at dw_min={ok[0]['dw_min']:.2g} and {ok[-1]['sd_rel_at_n']:.2e} at "
        f"dw_min={ok[-1]['dw_min']:.2g} ({spec.cells} cells)." if ok else "")
    lines.append(
        f"Pulse-by-pulse cross-check (`calibration.zero_shift`, full array, dw_min={mc['dw_min']:.3g}, "
        f"N={mc['n']}): realised relative error {mc['realised_err']:.5%} vs exact expectation "
        f"{mc['exact_err']:.5%} (sd {mc['sd_rel']:.2e}; z = {mc['z']:.2f}; |difference of means| "
        f"{mc['abs_diff_mean']:.2e}) -- {'agree' if mc_ok else 'DISAGREE'}.")
    if ok:
        b0, b1 = ok[0]["bound_n"], ok[-1]["bound_n"]
        lines.append(
            "Theorems: eq. (30) (stochastic) / (46) (cyclic, stated form, pairs x 2) give, per cell, the N after "
            "which the geometric term of Thm C.2/C.4 is below delta/2 for delta = (1 % of the mean SP)^2 -- a "
            "sufficient N for a stricter, per-cell criterion, and itself proportional to 1/dw_min. Median cell: "
            f"{b0['geometric_median']:.4g} (dw_min={ok[0]['dw_min']:.2g}) .. {b1['geometric_median']:.4g} "
            f"(dw_min={ok[-1]['dw_min']:.2g}); worst cell (mu_q min {b0['mu_q_min']:.3g}): "
            f"{b0['geometric_max']:.4g} .. {b1['geometric_max']:.4g}. Their precondition "
            "delta >= 2 x floor fails for almost every cell "
            f"(fraction of cells where it holds: {b0['fraction_precondition_ok']:.3g} .. "
            f"{b1['fraction_precondition_ok']:.3g}): the per-cell floor Theta(dw_min) is far above (1 % of 0.3)^2, "
            "so the theorems cannot certify 1 % per cell; the cells-mean gets there because per-cell errors "
            "average out. mu_q is w-independent for SoftBounds; q_max (precondition only) is taken on "
            "[min(W_0, w_sp), max(W_0, w_sp)] +/- (8 sd + 2 steps) per cell.")
    return "\n\n".join(x for x in lines if x)


def plot(result: ClaimResult, path) -> None:
    import matplotlib.pyplot as plt

    d = result.data
    pts = d["points"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.3))
    plotting.zs_pulses_vs_dw(ax, pts, d.get("fit"))
    ok = [p for p in pts if p["n_star"] is not None]
    plotting.inverse_reference(ax, [p["dw_min"] for p in ok], [p["n_star"] for p in ok])
    ax.set_title(f"{result.id}: {result.verdict}", fontsize=9)
    ax.set_ylabel("pulses N")
    ax.legend(fontsize=7)
    plotting.zs_budget_errors(bx, pts, d["target"])
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
