"""Cor. 3.9: total cost to reach a training error delta vs dw_min, RIDER / E-RIDER vs two-stage.

Cor. 3.9 reads: RIDER needs ``O(K) = O(delta^-2)`` pulses to reach training
error ``delta >= Theta(dw_min)``, independent of ``dw_min``; the two-stage
baseline (zero-shift ``N`` pulses, then train with ``Q`` fixed) needs
``O(K + N) = O(delta^-2 + delta^-1 dw_min^-1)``, so ``~ dw_min^-1`` once the
calibration dominates.

Two accountings of "cost" (both from the same runs):

* **time** (the paper's Fig. 4): calibration pulses + update cycles x BL,
  ``Trace.time_cost(BL=5)`` -- every update cycle costs BL pulse slots
  whatever ``|dW|``;
* **energy**: pulses actually fired per cell (``Trace.pulses``, P and W
  arrays, calibration included).  With the pulse-exact engine an update
  ``dW`` fires ``|dW|/dw_min`` pulses, so training energy grows like
  ``1/dw_min`` for every method.

Setting (fixed before looking at results; see :data:`SETTING`): a
least-squares problem (``n = 64`` rows, ``D = 8``, condition number 4,
batch 1), a SoftBounds P array (bounds +-1 around a per-cell offset
``s ~ N(0.4, 0.1^2)``, so the SP sits near 0.4 while the reference starts at
``Q0 = 0``), a SoftBounds W array (SP 0), ``pulse_mode="exact"``;
``alpha = 0.02``, ``gamma = 1``, ``beta = alpha gamma mu / 2``,
``eta = alpha mu / 4`` (the Theta forms of Thm 3.7 with constants below 1;
the proof's exact constants make beta, eta ~1e-4 and the runs too long for the
budget), E-RIDER ``p = 0.05``.  ``W0 = P0 = Q0 = 0`` for every method (never
``Q`` at the SP).  Cost to reach ``delta``: the first recorded iteration at
which a trailing 5-record average of the replicate mean of
``f(W_bar) - f*`` is ``<= delta``; intervals by bootstrap over replicates.

The floor check: an *oracle* run (``Q`` fixed at the true SP, ``eta = 0``:
the two-stage method with a perfect calibration) gives the floor
``f(W_bar) - f*`` of the training noise plus the Theta(dw_min) term at every
``dw_min``; ``delta`` must lie above it.

Shared with :mod:`paper_figs.fig4_left` (:func:`simulate`, :func:`hit_cost`).
"""

from __future__ import annotations

import numpy as np

from sptheory import algorithms, devices, objectives, stats
from sptheory.sweep import run_jobs

ID = "cor3.9"
TITLE = ("Cor 3.9: cost to reach training error delta is independent of dw_min for RIDER and ~dw_min^-1 "
         "for two-stage (ZS N pulses, then Q fixed)")
SOURCE = "Cor. 3.9 (with Thm 3.7, Thm 2.2); Fig. 4 accounting"

#: the setting, fixed a priori
SETTING = dict(
    n=64, D=8, noise=0.3, cond=4.0, batch=1, w_scale=0.3,   # least squares
    sp_mean=0.4, sp_std=0.1, tau=1.0,                     # P array: SoftBounds, per-cell offsets
    alpha=0.02, gamma=1.0, beta_c=0.5, eta_c=0.25, p=0.05,  # beta = beta_c alpha gamma mu, eta = eta_c alpha mu
    delta=0.04, BL=5, window=5,
    problem_seed=20260301, device_seed=20260302,
)
#: doubling grid of calibration budgets for the two-stage method
N_GRID = tuple(8 * 2**j for j in range(12))  # 8 .. 16384
METHODS = ("rider", "e-rider", "two-stage", "oracle")


def make_problem() -> objectives.LeastSquares:
    s = SETTING
    return objectives.LeastSquares.synthetic(s["n"], s["D"], np.random.default_rng(s["problem_seed"]),
                                             noise=s["noise"], cond=s["cond"], batch=s["batch"], w_scale=s["w_scale"])


def sp_offsets() -> np.ndarray:
    s = SETTING
    return s["sp_mean"] + s["sp_std"] * np.random.default_rng(s["device_seed"]).standard_normal(s["D"])


def make_devices(dw: float):
    s = SETTING
    dev_p = devices.SoftBounds(tau_max=s["tau"], tau_min=s["tau"], dw_min=dw, offset=sp_offsets())
    dev_w = devices.SoftBounds(tau_max=s["tau"], tau_min=s["tau"], dw_min=dw)
    return dev_p, dev_w


def step_sizes(prob) -> dict:
    s = SETTING
    a, g = s["alpha"], s["gamma"]
    return dict(alpha=a, gamma=g, beta=s["beta_c"] * a * g * prob.mu, eta=s["eta_c"] * a * prob.mu)


def _concat_states(states):
    """Stack TrainStates of equal D along the replicate axis (the calibration field is kept per group outside)."""
    first = states[0]
    cat = {}
    for name in ("W", "P", "Q", "Qt", "c", "pulses_p", "pulses_w", "programs"):
        cat[name] = np.concatenate([getattr(st, name) for st in states], axis=0)
    return first._replace(calibration=0.0, **cat)


def smoothed_mean(f_gap: np.ndarray, window: int) -> np.ndarray:
    """Trailing ``window``-record average of the replicate mean, ``f_gap`` of shape (records, R)."""
    m = f_gap.mean(axis=1)
    c = np.cumsum(np.insert(m, 0, 0.0))
    idx = np.arange(1, m.size + 1)
    lo = np.maximum(idx - window, 0)
    return (c[idx] - c[lo]) / (idx - lo)


def first_hit(f_gap: np.ndarray, delta: float, window: int) -> int:
    """Index of the first record whose smoothed replicate mean is <= delta; -1 if none."""
    ok = np.nonzero(smoothed_mean(f_gap, window) <= delta)[0]
    return int(ok[0]) if ok.size else -1


def simulate(method: str, dw: float, seed: int, R: int, K_max: int, record_every: int = 10,
             n_zs=(), chunk: int = 250, delta: float | None = None, window: int | None = None) -> dict:
    """One method at one dw_min, R replicates, pulse-exact; stops early once every group reached ``delta``.

    ``method``: "rider", "e-rider", "two-stage" (one group of R replicates per N in ``n_zs``, stacked along the
    replicate axis and run together) or "oracle" (Q = P0 = the true SP, eta = 0).  Returns records ``k``,
    ``f_gap`` (records, groups, R), ``pulses`` (energy, calibration included), ``cycles`` and the per-group
    calibration ``N`` (time = N + cycles * BL).
    """
    delta = SETTING["delta"] if delta is None else delta
    window = SETTING["window"] if window is None else window
    prob = make_problem()
    dev_p, dev_w = make_devices(dw)
    h = step_sizes(prob)
    rng = np.random.default_rng(seed)
    D = prob.D
    W0 = np.zeros(D)
    if method == "rider":
        algo = algorithms.rider(dev_p, dev_w, h["alpha"], h["beta"], h["eta"], h["gamma"], pulse_mode="exact")
        state, groups = algo.init(W0, replicates=R), [0]
    elif method == "e-rider":
        algo = algorithms.e_rider(dev_p, dev_w, h["alpha"], h["beta"], h["eta"], h["gamma"], p=SETTING["p"],
                                  pulse_mode="exact")
        state, groups = algo.init(W0, replicates=R), [0]
    elif method == "oracle":
        algo = algorithms.rider(dev_p, dev_w, h["alpha"], h["beta"], 0.0, h["gamma"], pulse_mode="exact")
        sp = dev_p.symmetric_point()
        state, groups = algo.init(W0, P0=sp, Q0=sp, replicates=R), [0]
    elif method == "two-stage":
        trainer = algorithms.rider(dev_p, dev_w, h["alpha"], h["beta"], 0.0, h["gamma"], pulse_mode="exact")
        groups = [int(n) for n in n_zs]
        if not groups:
            raise ValueError("two-stage needs at least one calibration budget in n_zs")
        algo = trainer
        state = _concat_states([algorithms.TwoStage(trainer, n).init(W0, rng, replicates=R) for n in groups])
    else:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    G = len(groups)
    parts, done = [], 0
    while done < K_max:
        n = min(chunk, K_max - done)
        state, tr = algorithms.run(algo, prob, state, n, rng, record_every=record_every)
        sl = slice(1, None) if parts else slice(None)  # drop the repeated first record of later chunks
        parts.append((tr.k[sl] + done, tr.f_gap[sl], tr.pulses[sl], tr.cycles[sl, 0]))
        done += n
        fg = np.concatenate([p[1] for p in parts]).reshape(-1, G, R)
        if all(first_hit(fg[:, g], delta, window) >= 0 for g in range(G)):
            break
    k = np.concatenate([p[0] for p in parts])
    f_gap = np.concatenate([p[1] for p in parts]).reshape(-1, G, R)
    pulses = np.concatenate([p[2] for p in parts]).reshape(-1, G, R)
    cycles = np.concatenate([p[3] for p in parts])
    # every P iterate must stay strictly inside the device's bounds for the constants to mean anything
    return dict(method=method, dw=float(dw), k=k, f_gap=f_gap, pulses=pulses, cycles=cycles,
                calibration=np.array(groups if method == "two-stage" else [0], dtype=float),
                K_run=int(k[-1]), R=R, P_range=[float(state.P.min()), float(state.P.max())])


def hit_cost(sim: dict, group: int, delta: float, window: int, BL: int, n_boot: int = 0, rng=None) -> dict:
    """Cost (time and energy) to reach delta for one group, with bootstrap over replicates.

    Returns ``time``, ``energy`` (NaN if never reached), ``k`` (iteration), and with ``n_boot``:
    ``time_lo/hi``, ``energy_lo/hi`` (2.5/97.5 percentiles; inf if > 2.5 % of resamples never reach),
    ``time_sem``, ``energy_sem`` (bootstrap std over the resamples that reached) and ``reach_frac``.
    """
    fg = sim["f_gap"][:, group]
    pulses = sim["pulses"][:, group]
    cal = float(sim["calibration"][group])

    def cost(idx_rep):
        i = first_hit(fg[:, idx_rep], delta, window)
        if i < 0:
            return np.inf, np.inf, -1
        return cal + sim["cycles"][i] * BL, float(pulses[i, idx_rep].mean()), int(sim["k"][i])

    t, e, k = cost(np.arange(fg.shape[1]))
    out = dict(time=t if np.isfinite(t) else np.nan, energy=e if np.isfinite(e) else np.nan, k=k, N=cal)
    if n_boot:
        rng = np.random.default_rng(rng)
        R = fg.shape[1]
        bt = np.array([cost(rng.integers(0, R, R))[:2] for _ in range(n_boot)])
        reach = np.isfinite(bt[:, 0])
        out["reach_frac"] = float(reach.mean())
        for j, name in enumerate(("time", "energy")):
            v = bt[:, j]
            out[name + "_lo"] = float(np.percentile(v, 2.5)) if reach.any() else np.inf
            out[name + "_hi"] = float(np.percentile(v, 97.5)) if reach.mean() >= 0.975 else np.inf
            out[name + "_sem"] = float(v[reach].std(ddof=1)) if reach.sum() > 1 else np.nan
    return out


def sizes(quick: bool) -> dict:
    if quick:
        return dict(dws=[1e-2, 3.16e-3, 1e-3], R=16, K_max=3000, K_ts=1000, n_boot=200)
    return dict(dws=list(np.geomspace(1e-2, 1e-4, 5)), R=32, K_max=5000, K_ts=1500, n_boot=300)


def _job(method, dw, seed, R, K_max, n_zs):
    return simulate(method, dw, seed, R, K_max, n_zs=n_zs)


def _n_grid_for(dw: float) -> list[int]:
    """The doubling grid, cut at 2 log(1e3)/dw (far beyond what zero-shifting needs to reach its floor)."""
    return [n for n in N_GRID if n <= max(64, 2 * np.log(1e3) / dw)]


def measure(quick: bool, rng_seed: int, executor=None) -> dict:
    z = sizes(quick)
    s = SETTING
    delta, window, BL = s["delta"], s["window"], s["BL"]
    seeds = [int(x) for x in np.random.default_rng(rng_seed).integers(2**62, size=4 * len(z["dws"]) + 1)]
    jobs = []
    for i, dw in enumerate(z["dws"]):
        for j, m in enumerate(METHODS):
            K = z["K_ts"] if m in ("two-stage", "oracle") else z["K_max"]
            jobs.append((m, float(dw), seeds[4 * i + j], z["R"], K, tuple(_n_grid_for(dw)) if m == "two-stage" else ()))
    sims = run_jobs(_job, jobs, executor=executor, progress=False)
    boot_rng = np.random.default_rng(seeds[-1])
    rows = []
    for i, dw in enumerate(z["dws"]):
        by = {sm["method"]: sm for sm in sims[4 * i: 4 * i + 4]}
        row = dict(dw=float(dw))
        for m in ("rider", "e-rider", "oracle"):
            sm = by[m]
            c = hit_cost(sm, 0, delta, window, BL, z["n_boot"], boot_rng)
            tail = sm["f_gap"][-max(5, len(sm["k"]) // 5):, 0].mean(axis=0)  # per replicate, last fifth
            ci = stats.mean_ci(tail)
            row[m] = dict(c, K_run=sm["K_run"], tail_mean=ci.mean, tail_lo=ci.lo, tail_hi=ci.hi,
                          curve_k=sm["k"].tolist(), curve=smoothed_mean(sm["f_gap"][:, 0], window).tolist(),
                          P_range=sm["P_range"])
        ts = by["two-stage"]
        per_n = [hit_cost(ts, g, delta, window, BL) for g in range(len(ts["calibration"]))]
        reached = [g for g, c in enumerate(per_n) if np.isfinite(c["time"])]
        if reached:
            g = reached[0]
            c = hit_cost(ts, g, delta, window, BL, z["n_boot"], boot_rng)
            row["two-stage"] = dict(c, N_star=int(ts["calibration"][g]), K_run=ts["K_run"],
                                    curve_k=ts["k"].tolist(), curve=smoothed_mean(ts["f_gap"][:, g], window).tolist())
        else:
            row["two-stage"] = dict(time=np.nan, energy=np.nan, N_star=None, K_run=ts["K_run"])
        row["two-stage"]["grid"] = [dict(N=int(n), time=c["time"], energy=c["energy"])
                                    for n, c in zip(ts["calibration"], per_n)]
        rows.append(row)
    return dict(setting=dict(SETTING, **step_sizes(make_problem())), sizes=z, rows=rows,
                f0=float(make_problem().f(np.zeros(s["D"])) - make_problem().f_star))


def _fit(rows, method, acc):
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
        return None
    e = np.array(e)
    if np.all(np.isfinite(e)):
        return stats.loglog_slope(x, y, y_err=e)
    return stats.loglog_slope(x, y)


def _nstar_fit(rows):
    x = [r["dw"] for r in rows if r["two-stage"].get("N_star")]
    y = [r["two-stage"]["N_star"] for r in rows if r["two-stage"].get("N_star")]
    return stats.loglog_slope(x, y) if len(x) >= 3 else None


def _fmt_cost(c, acc):
    v = c.get(acc)
    if v is None or not np.isfinite(v):
        return "not reached"
    return f"{v:.4g} [{c.get(acc + '_lo', np.nan):.4g}, {c.get(acc + '_hi', np.nan):.4g}]"


def run(quick: bool, rng_seed: int, executor=None):
    from verification.harness import ClaimResult

    data = measure(quick, rng_seed, executor)
    rows = data["rows"]
    s, z = data["setting"], data["sizes"]
    delta = s["delta"]
    floors_ok = all(r["oracle"]["tail_hi"] < delta for r in rows)
    floor_txt = "; ".join(f"dw={r['dw']:.3g}: {r['oracle']['tail_mean']:.4f} [{r['oracle']['tail_lo']:.4f}, "
                          f"{r['oracle']['tail_hi']:.4f}]" for r in rows)
    rider_reached = [r for r in rows if np.isfinite(r["rider"]["time"])]
    rider_tail = "; ".join(f"dw={r['dw']:.3g}: {r['rider']['tail_mean']:.3f} [{r['rider']['tail_lo']:.3f}, "
                           f"{r['rider']['tail_hi']:.3f}] at K={r['rider']['K_run']}" for r in rows)
    nfit = _nstar_fit(rows)
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
        f"run, 95% CI): {floor_txt}. delta = {delta} lies above every floor: {floors_ok}. "
        f"**RIDER (p = 0)**: {'reached delta at ' + str(len(rider_reached)) + ' of ' + str(len(rows)) + ' dw_min' if rider_reached else 'never reached delta'}; "
        f"its late-run error (last fifth): {rider_tail}. Starting from Q0 = 0 (reference off the SP by ~{s['sp_mean']}), "
        "RIDER's Q does not move to the SP: the learning goes into the digital Q and the error stays far above "
        "delta (SPEC 9.9: with p = 0 the mean dynamics have a line of stationary points P = Q, "
        "W = W* - E|g| G_p(Q)/(A F_p(Q)), nothing singles out Q = W_sp). So RIDER's cost is censored "
        "(not reached) and its part of the corollary is untestable here; E-RIDER (p > 0, Algorithm 3) is the "
        "variant that reaches delta and stands in for 'RIDER' in the slope checks. "
        f"**Two-stage**: N* (smallest N reaching delta) per dw_min: "
        + ", ".join(f"{r['dw']:.3g}: {r['two-stage'].get('N_star')}" for r in rows)
        + (f"; slope of N* vs dw_min {nfit.format()} (Thm 2.2 / Cor 3.9 predict -1)." if nfit else ".")
        + " The step sizes are Thm 3.7's Theta forms, not the proof's constants (those give beta ~ 2e-4, "
        "eta ~ 5e-5 here: runs of ~1e5 iterations, beyond the budget); the theorem's C_star condition is not "
        "enforced. Intervals: bootstrap over replicates (percentile 95%); slopes: weighted log-log fit with the "
        "bootstrap standard errors (stats.loglog_slope).")
    results = []
    for acc in ("time", "energy"):
        fits = {m: _fit(rows, m, acc) for m in ("e-rider", "two-stage", "rider")}
        verdicts, parts = [], []
        fe = fits["e-rider"]
        if fe is not None:
            # The verdict uses the rule fixed before the first run: slope == 0 (cost independent of
            # dw_min).  The one-sided O(.) reading (slope >= 0: the cost does not grow as dw_min shrinks)
            # was added after seeing a full run and is reported only, never used for the verdict.
            v = stats.slope_verdict(fe, 0.0)
            v_o = stats.slope_verdict(fe, 0.0, kind="at_least")
            verdicts.append(v)
            parts.append(f"E-RIDER slope {fe.format()} vs predicted 0 ({v}; post-hoc one-sided O-reading "
                         f"slope >= 0, not used for the verdict: {v_o})")
        else:
            verdicts.append("inconclusive")
            parts.append("E-RIDER: fewer than 3 dw_min reached delta")
        ft = fits["two-stage"]
        if ft is not None:
            v = stats.slope_verdict(ft, -1.0, kind="at_least")
            verdicts.append(v)
            parts.append(f"two-stage slope {ft.format()} vs O(dw_min^-1) (at least -1: {v})")
        else:
            verdicts.append("inconclusive")
            parts.append("two-stage: fewer than 3 dw_min reached delta")
        if acc == "time" and nfit is not None:
            v = stats.slope_verdict(nfit, -1.0)
            verdicts.append(v)
            parts.append(f"two-stage N* slope {nfit.format()} vs -1 ({v})")
        fr = fits["rider"]
        if fr is not None:
            v = stats.slope_verdict(fr, 0.0)
            verdicts.append(v)
            parts.append(f"RIDER slope {fr.format()} vs 0 ({v})")
        else:
            verdicts.append("inconclusive")
            parts.append("RIDER (p=0): did not reach delta at >= 3 dw_min -> untested")
        measured = "; ".join(
            f"dw={r['dw']:.3g}: E-RIDER {_fmt_cost(r['e-rider'], acc)}, two-stage {_fmt_cost(r['two-stage'], acc)}"
            f" (N*={r['two-stage'].get('N_star')}), RIDER {_fmt_cost(r['rider'], acc)}" for r in rows)
        verdict = stats.combine_verdicts(verdicts)
        if acc == "time":
            acc_note = ("Time accounting (Fig. 4): calibration + cycles x BL. This is the accounting in which the "
                        "corollary's 'pulses = O(K)' holds: an update cycle costs BL slots whatever dw_min.")
        else:
            acc_note = ("Energy accounting: pulses fired per cell (P + W arrays, calibration included). With "
                        "pulse-exact updates each update fires |dW|/dw_min pulses, so training energy is "
                        "~ K/dw_min for every method and the corollary's dw_min-independence of RIDER cannot "
                        "hold in this accounting (expected slope -1 for E-RIDER/RIDER too): the corollary "
                        "counts iterations (time), not fired pulses.")
        results.append(ClaimResult(
            id=f"{ID}/{acc}", claim=TITLE + f" [{acc} accounting]", source=SOURCE, setting=setting,
            measured=f"cost to reach delta={delta} ({acc}; bootstrap 95% CI): " + measured,
            bound=("Cor 3.9: RIDER O(delta^-2) independent of dw_min (slope 0); two-stage "
                   "O(delta^-2 + delta^-1 dw_min^-1) (slope -> -1 once N dominates)"),
            ratio=None, slope="; ".join(parts), verdict=verdict, notes=acc_note + " " + common_notes,
            data=dict(data, accounting=acc, fits={m: (None if f is None else dict(
                slope=f.slope, lo=f.lo, hi=f.hi, intercept=f.intercept)) for m, f in
                dict(fits, n_star=nfit).items()}),
        ))
    return results


def plot(result, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = result.data
    acc = d["accounting"]
    rows = d["rows"]
    dws = np.array([r["dw"] for r in rows])
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    styles = {"e-rider": ("C0", "o", "E-RIDER (p=0.05)"), "two-stage": ("C3", "s", "two-stage (best N on grid)"),
              "rider": ("C2", "^", "RIDER (p=0)")}
    for m, (col, mk, lab) in styles.items():
        y = np.array([r[m].get(acc, np.nan) if r[m].get(acc) is not None else np.nan for r in rows], dtype=float)
        lo = np.array([r[m].get(acc + "_lo", np.nan) for r in rows], dtype=float)
        hi = np.array([r[m].get(acc + "_hi", np.nan) for r in rows], dtype=float)
        ok = np.isfinite(y)
        if ok.any():
            hi_c = np.where(np.isfinite(hi), hi, y * 3)
            ax.errorbar(dws[ok], y[ok], yerr=[y[ok] - lo[ok], hi_c[ok] - y[ok]], color=col, marker=mk, label=lab,
                        capsize=3)
            f = d["fits"].get(m)
            if f:
                xx = np.geomspace(dws.min(), dws.max(), 20)
                ax.plot(xx, np.exp(f["intercept"]) * xx ** f["slope"], color=col, ls=":", lw=1,
                        label=f"fit slope {f['slope']:.2f} [{f['lo']:.2f}, {f['hi']:.2f}]")
        if (~ok).any():
            top = np.nanmax([r[mm].get(acc) or np.nan for r in rows for mm in styles]) * 2
            ax.scatter(dws[~ok], np.full((~ok).sum(), top), color=col, marker="x",
                       label=f"{lab}: not reached" if not ok.any() else None)
    if acc == "time":
        ns = np.array([r["two-stage"].get("N_star") or np.nan for r in rows], dtype=float)
        ax.plot(dws, ns, color="C3", ls="--", marker=".", alpha=0.6, label="two-stage N* (calibration part)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("dw_min")
    ax.set_ylabel("time: N + cycles x BL" if acc == "time" else "energy: pulses fired per cell")
    ax.set_title(f"Cor 3.9, {acc} accounting, delta={d['setting']['delta']}")
    ax.legend(fontsize=7)
    # right: learning curves at the smallest dw_min
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
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
