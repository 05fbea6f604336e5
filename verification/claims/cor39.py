"""Cor. 3.9: total cost to reach a training error delta vs dw_min, RIDER / E-RIDER vs two-stage.

Cor. 3.9 reads: RIDER needs ``O(K) = O(delta^-2)`` pulses to reach training
error ``delta >= Theta(dw_min)``, independent of ``dw_min``; the two-stage
baseline (zero-shift ``N`` pulses, then train with ``Q`` fixed) needs
``O(K + N) = O(delta^-2 + delta^-1 dw_min^-1)``, so ``~ dw_min^-1`` once the
calibration dominates.

Experiment: ``sptheory.experiments.training.simulate_costs`` (setting in its
docstring, shared with the figure ``fig4_left``), in two accountings of
"cost" from the same runs: **time** (the paper's Fig. 4) = calibration
pulses + update cycles x BL, every cycle costing BL pulse slots whatever
``|dW|``; **energy** = pulses actually fired per cell (P and W arrays,
calibration included), ``|dW|/dw_min`` per update with the pulse-exact engine.

Predictions, per accounting (fixed before the run; x = dw_min -> 0):

* ``e-rider`` (and ``rider`` when it reaches delta at >= 3 dw_min), kind
  ``independent``: the cost does not grow as dw_min shrinks.  Violated only if
  the slope interval of log cost vs log dw_min lies entirely below ``-0.1``
  (growth faster than dw_min^-0.1), holds if it lies at or above ``-0.1``.
  Why 0.1: it is a tenth of the competing law's exponent (two-stage's -1), and
  over the full grid (two decades of dw_min) it allows a cost ratio of at most
  10^0.2 = 1.6 between the ends, about the bootstrap resolution of one cost at
  R = 32 replicates (hitting times of one replicate spread by tens of percent);
  it is fixed here, with the previous full run's E-RIDER point estimate known
  (+0.07 in time accounting, a cost falling as dw_min shrinks), which any
  tolerance >= 0 leaves on the holding side.  Previous rule:
  ``stats.slope_verdict(fit, 0)`` (interval containing 0), which called a
  falling cost violated.
* ``two-stage`` total cost, kind ``order-upper``, exponent -1: grows at most
  like dw_min^-1 (violated only if the slope interval lies entirely below -1 on
  a range shown asymptotic).  Previous rule: ``slope_verdict(fit, -1,
  kind="at_least")``, the same one-sided reading without the regime check.
* ``n-star`` (time only): the smallest calibration budget N* on the doubling
  grid reaching delta, kind ``scaling``, exponent -1, tolerance 0 (as before:
  the interval must contain -1).

Slopes: weighted log-log fits with the bootstrap standard errors; intervals at
95 % family-wise over the parts of one accounting (Bonferroni).

Hypotheses (the corollary inherits Thm 3.7's; measured along the E-RIDER
runs, worst dw_min): Def. 2.1 on the visited ranges, Assumption 3.6, C_star in
both forms, the step-size conditions (``experiments.rider.thm37_hypotheses``),
and ``delta >= Theta(dw_min)``: delta above the oracle run's floor (Q fixed
at the true SP) at every dw_min.
"""

from __future__ import annotations

import numpy as np

from sptheory import stats
from sptheory.experiments import rider as XR
from sptheory.experiments import training as X
from verification.harness import ClaimResult

ID = "cor3.9"
TITLE = ("Cor 3.9: cost to reach training error delta is independent of dw_min for RIDER and ~dw_min^-1 "
         "for two-stage (ZS N pulses, then Q fixed)")
SOURCE = "Cor. 3.9 (with Thm 3.7, Thm 2.2); Fig. 4 accounting"
GROWTH_TOL = 0.1
PREDICTIONS = {
    "e-rider": stats.Prediction("independent", "E-RIDER's cost to reach delta does not grow as dw_min -> 0",
                                tol=GROWTH_TOL, towards="0"),
    "rider": stats.Prediction("independent", "RIDER's cost to reach delta does not grow as dw_min -> 0",
                              tol=GROWTH_TOL, towards="0"),
    "two-stage": stats.Prediction("order-upper", "two-stage cost O(delta^-2 + delta^-1 dw_min^-1): grows at most "
                                  "like dw_min^-1", exponent=-1.0, towards="0"),
    "n-star": stats.Prediction("scaling", "two-stage calibration N* ~ dw_min^-1 (Thm 2.2)", exponent=-1.0, tol=0.0),
}
# re-exported for code that used the claim module as the experiment
SETTING, simulate, hit_cost, make_problem, step_sizes = X.SETTING, X.simulate, X.hit_cost, X.make_problem, X.step_sizes


def sizes(quick: bool) -> dict:
    return X.cost_sizes(quick)


def measure(quick: bool, rng_seed: int, executor=None) -> dict:
    return X.simulate_costs(quick, rng_seed, executor, sizes(quick))


def _fit(rows, method, acc, level):
    x, y, e = [], [], []
    for r in rows:
        c = r[method]
        v = c.get(acc)
        if v is not None and np.isfinite(v) and v > 0:
            x.append(r["dw"])
            y.append(v)
            sem = c.get(acc + "_sem")
            e.append(sem if sem is not None and np.isfinite(sem) and sem > 0 else np.nan)
    if len(x) < 3:
        return None, None
    e = np.array(e)
    err = e if np.all(np.isfinite(e)) else None
    return stats.loglog_slope(x, y, y_err=err, level=level), (np.array(x), np.array(y), err)


def _nstar_fit(rows, level):
    x = [r["dw"] for r in rows if r["two-stage"].get("N_star")]
    y = [r["two-stage"]["N_star"] for r in rows if r["two-stage"].get("N_star")]
    if len(x) < 3:
        return None, None
    return stats.loglog_slope(x, y, level=level), (np.array(x), np.array(y, float), None)


def _slope(fit, xyz, level):
    x, y, e = xyz
    ok, regime = stats.regime_check(x, y, y_err=e, level=level)
    return stats.Slope(fit, ok, regime)


def _fmt_cost(c, acc):
    v = c.get(acc)
    if v is None or not np.isfinite(v):
        return "not reached"
    return f"{v:.4g} [{c.get(acc + '_lo', np.nan):.4g}, {c.get(acc + '_hi', np.nan):.4g}]"


def _hypotheses(rows, delta):
    prob = X.make_problem()
    merged = {}
    for r in rows:
        h = r["e-rider"]["hyp"]
        dev_p, dev_w = X.make_devices(r["dw"])
        hy, _ = XR.thm37_hypotheses(dev_p, dev_w, prob, X.step_sizes(prob), (h["P_lo"], h["P_hi"]),
                                    (h["W_lo"], h["W_hi"]), h["c_star"])
        for x in hy:
            if x.name not in merged or (merged[x.name].met and not x.met):
                merged[x.name] = stats.Hypothesis(x.name, x.required, f"{x.measured} (dw_min={r['dw']:.3g})", x.met)
    worst = max(rows, key=lambda r: r["oracle"]["tail_hi"])
    floor_ok = all(r["oracle"]["tail_hi"] < delta for r in rows)
    return list(merged.values()) + [stats.Hypothesis(
        "delta >= Theta(dw_min)", "delta above the oracle floor (Q at the true SP) at every dw_min",
        f"largest floor upper end {worst['oracle']['tail_hi']:.4f} (dw_min={worst['dw']:.3g}) vs delta {delta}",
        floor_ok)]


def run(quick: bool, rng_seed: int, executor=None):
    data = measure(quick, rng_seed, executor)
    rows = data["rows"]
    s, z = data["setting"], data["sizes"]
    delta = s["delta"]
    hyps = _hypotheses(rows, delta)
    floor_txt = "; ".join(f"dw={r['dw']:.3g}: {r['oracle']['tail_mean']:.4f} [{r['oracle']['tail_lo']:.4f}, "
                          f"{r['oracle']['tail_hi']:.4f}]" for r in rows)
    rider_reached = [r for r in rows if np.isfinite(r["rider"]["time"])]
    rider_tail = "; ".join(f"dw={r['dw']:.3g}: {r['rider']['tail_mean']:.3f} [{r['rider']['tail_lo']:.3f}, "
                           f"{r['rider']['tail_hi']:.3f}] at K={r['rider']['K_run']}" for r in rows)
    setting = (f"LeastSquares n={s['n']}, D={s['D']}, cond={s['cond']}, batch={s['batch']}, noise={s['noise']} "
               f"(f(0)-f* = {data['f0']:.3f}); P: SoftBounds bounds +-{s['tau']} around per-cell offsets "
               f"N({s['sp_mean']}, {s['sp_std']}^2) (SP ~ {s['sp_mean']}); W: SoftBounds SP 0; pulse_mode='exact'; "
               f"alpha={s['alpha']}, gamma={s['gamma']}, beta={s['beta']:.3g} (= alpha gamma mu/2), "
               f"eta={s['eta']:.3g} (= alpha mu/4), E-RIDER p={s['p']}; W0=P0=Q0=0; delta={delta}; "
               f"dw_min in {[float(f'{d:.3g}') for d in z['dws']]}; R={z['R']} replicates; "
               f"K_max={z['K_max']} (RIDER/E-RIDER), {z['K_ts']} (two-stage training, oracle); "
               f"two-stage N = smallest on the doubling grid 8*2^j reaching delta; BL={s['BL']}")
    common_notes = (
        f"**Floor check** (oracle: Q fixed at the true SP, eta = 0; mean f(W_bar)-f* over the last fifth of the "
        f"run, 95% CI): {floor_txt}. "
        f"**RIDER (p = 0)**: {'reached delta at ' + str(len(rider_reached)) + ' of ' + str(len(rows)) + ' dw_min' if rider_reached else 'never reached delta'}; "
        f"its late-run error (last fifth): {rider_tail}. Starting from Q0 = 0 (reference off the SP by "
        f"~{s['sp_mean']}), RIDER's Q does not move to the SP (errata/rider-invariant: Q - (eta/beta) W never "
        "sees G_p), so the error stays above delta; with fewer than 3 dw_min reached, RIDER's part is not judged "
        "and E-RIDER (p > 0, Alg. 3) stands in for 'RIDER' in the verdict. "
        f"**Two-stage**: N* per dw_min: " + ", ".join(f"{r['dw']:.3g}: {r['two-stage'].get('N_star')}" for r in rows)
        + ". The step sizes are Thm 3.7's Theta forms, not the proof's constants (those give beta ~ 2e-4, "
        "eta ~ 5e-5 here: runs of ~1e5 iterations, beyond the budget), so some hypotheses are not met; that "
        "only matters for a violated verdict. Cost intervals: bootstrap over replicates (percentile 95%).")
    results = []
    for acc in ("time", "energy"):
        names = ["e-rider", "rider", "two-stage"] + (["n-star"] if acc == "time" else [])
        level = stats.simultaneous_level(0.95, len(names))
        fits, judgements, parts = {}, [], []
        for m in names:
            fit, xyz = _nstar_fit(rows, level) if m == "n-star" else _fit(rows, m, acc, level)
            fits[m] = fit
            if fit is None:
                parts.append(f"{m}: fewer than 3 dw_min reached delta -> not judged")
                continue
            j = stats.judge(PREDICTIONS[m], _slope(fit, xyz, level), hyps)
            judgements.append(j)
            parts.append(f"{m}: slope {fit.format()} -> {j.verdict}" + (f" ({j.tightness})" if j.tightness else ""))
        if not any(fits[m] is not None for m in ("e-rider", "rider")):
            judgements.append(stats.unmeasured("neither RIDER nor E-RIDER reached delta at >= 3 dw_min"))
        judgement = stats.combine(judgements)
        fe = fits["e-rider"]
        tol0 = ""
        if fe is not None:
            j0 = stats.judge(stats.Prediction("independent", "tolerance 0", tol=0.0, towards="0"),
                             stats.Slope(fe, True), hyps)
            tol0 = f" With growth tolerance 0 the E-RIDER part would read {j0.verdict}."
        measured = "; ".join(
            f"dw={r['dw']:.3g}: E-RIDER {_fmt_cost(r['e-rider'], acc)}, two-stage {_fmt_cost(r['two-stage'], acc)}"
            f" (N*={r['two-stage'].get('N_star')}), RIDER {_fmt_cost(r['rider'], acc)}" for r in rows)
        if acc == "time":
            claim = (TITLE + " [time accounting: calibration + cycles x BL -- the accounting in which the paper's "
                     "statement is true: an update cycle costs BL pulse slots whatever dw_min]")
            acc_note = ("Time accounting (Fig. 4): calibration + cycles x BL. This is the accounting in which the "
                        "corollary's 'pulses = O(K)' holds: an update cycle costs BL slots whatever dw_min.")
        else:
            claim = (TITLE + " [energy accounting: pulses fired -- here every method pays ~ K/dw_min, so the "
                     "paper's statement does not hold in this accounting; it counts iterations]")
            acc_note = ("Energy accounting: pulses fired per cell (P + W arrays, calibration included). With "
                        "pulse-exact updates each update fires |dW|/dw_min pulses, so training energy is "
                        "~ K/dw_min for every method and RIDER's dw_min-independence cannot hold here (expected "
                        "slope -1 for E-RIDER too): the corollary counts iterations (time), not fired pulses.")
        results.append(ClaimResult(
            id=f"{ID}/{acc}", claim=claim, source=SOURCE, setting=setting,
            measured=f"cost to reach delta={delta} ({acc}; bootstrap 95% CI): " + measured,
            bound=("Cor 3.9: RIDER O(delta^-2) independent of dw_min (growth tolerance 0.1 in the exponent); "
                   "two-stage O(delta^-2 + delta^-1 dw_min^-1) (at most dw_min^-1; N* ~ dw_min^-1)"),
            ratio=None, slope="; ".join(parts),
            notes=(acc_note + " Rules: " + "; ".join(f"{m}: {PREDICTIONS[m].describe()}" for m in names)
                   + f". Slope intervals at {level:.4f} each (95 % family-wise over {len(names)} parts)." + tol0
                   + " " + common_notes),
            data=dict(data, accounting=acc, fits={m: (None if f is None else dict(
                slope=f.slope, lo=f.lo, hi=f.hi, intercept=f.intercept)) for m, f in fits.items()}),
            prediction=PREDICTIONS["e-rider"], judgement=judgement, hypotheses=hyps,
        ))
    return results


def plot(result, path) -> None:
    import matplotlib.pyplot as plt

    from sptheory.experiments import plotting

    d = result.data
    acc = d["accounting"]
    rows = d["rows"]
    dws = np.array([r["dw"] for r in rows])
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    styles = {"e-rider": ("C0", "o", "E-RIDER (p=0.05)"), "two-stage": ("C3", "s", "two-stage (best N on grid)"),
              "rider": ("C2", "^", "RIDER (p=0)")}
    series = {}
    for m, (col, mk, lab) in styles.items():
        get = lambda r, key: r[m].get(key) if r[m].get(key) is not None else np.nan  # noqa: E731
        series[lab] = dict(y=[get(r, acc) for r in rows], lo=[get(r, acc + "_lo") for r in rows],
                           hi=[get(r, acc + "_hi") for r in rows], color=col, marker=mk, fit=d["fits"].get(m))
    plotting.draw_cost_vs_dw(ax, dws, series, "time: N + cycles x BL" if acc == "time"
                             else "energy: pulses fired per cell")
    if acc == "time":
        ns = np.array([r["two-stage"].get("N_star") or np.nan for r in rows], dtype=float)
        ax.plot(dws, ns, color="C3", ls="--", marker=".", alpha=0.6, label="two-stage N* (calibration part)")
        ax.legend(fontsize=7)
    ax.set_title(f"Cor 3.9, {acc} accounting, delta={d['setting']['delta']}")
    r = rows[-1]
    for m, (col, _, lab) in dict(styles, oracle=("k", "", "oracle (Q = true SP)")).items():
        c = r[m]
        if c.get("curve"):
            ax2.plot(c["curve_k"], c["curve"], color=col, label=lab + (f", N={c['N_star']}" if m == "two-stage" else ""))
    ax2.axhline(d["setting"]["delta"], color="gray", ls="--", label="delta")
    ax2.set_yscale("log")
    ax2.set_xlabel("iteration k")
    ax2.set_ylabel("replicate mean f(W_bar)-f* (5-record avg)")
    ax2.set_title(f"curves at dw_min={r['dw']:.3g}")
    ax2.legend(fontsize=7)
    fig.suptitle(f"{result.id}: {result.verdict}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
