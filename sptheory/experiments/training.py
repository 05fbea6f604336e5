"""Cor. 3.9 experiment: cost to reach a training error delta vs dw_min, RIDER / E-RIDER vs two-stage.

Shared by the claim ``cor3.9`` and the figure ``fig4_left``.

Setting (:data:`SETTING`, fixed before any run): a least-squares problem
(``n = 64`` rows, ``D = 8``, condition number 4, batch 1), a SoftBounds P array
(bounds +-1 around a per-cell offset ``s ~ N(0.4, 0.1^2)``, so the SP sits
near 0.4 while the reference starts at ``Q0 = 0``), a SoftBounds W array
(SP 0), ``pulse_mode="exact"``; ``alpha = 0.02``, ``gamma = 1``,
``beta = alpha gamma mu / 2``, ``eta = alpha mu / 4`` (Thm 3.7's Theta forms),
E-RIDER ``p = 0.05``; ``W0 = P0 = Q0 = 0`` for every method.  Cost to reach
``delta``: the first recorded iteration at which a trailing 5-record average
of the replicate mean of ``f(W_bar) - f*`` is ``<= delta``, in two
accountings: **time** = calibration pulses + update cycles x BL (the paper's
Fig. 4), **energy** = pulses fired per cell (P and W arrays, calibration
included).

Methods: ``"rider"``, ``"e-rider"``, ``"two-stage"`` (zero-shift N pulses on
the doubling grid :data:`N_GRID`, then train with Q fixed) and ``"oracle"``
(Q fixed at the true SP: the floor of training noise plus Theta(dw_min)).
"""

from __future__ import annotations

import numpy as np

from sptheory import algorithms, devices, objectives, stats

__all__ = ["SETTING", "N_GRID", "METHODS", "make_problem", "sp_offsets", "make_devices", "step_sizes",
           "smoothed_mean", "first_hit", "simulate", "hit_cost", "cost_sizes", "n_grid_for", "simulate_costs"]

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
#: records between the states kept for the hypotheses (Assumption 3.6 along the run)
_STATE_STRIDE = 5


def make_problem() -> objectives.LeastSquares:
    s = SETTING
    return objectives.LeastSquares.synthetic(s["n"], s["D"], np.random.default_rng(s["problem_seed"]),
                                             noise=s["noise"], cond=s["cond"], batch=s["batch"], w_scale=s["w_scale"])


def sp_offsets() -> np.ndarray:
    s = SETTING
    return s["sp_mean"] + s["sp_std"] * np.random.default_rng(s["device_seed"]).standard_normal(s["D"])


def make_devices(dw: float):
    """``(P device, W device)`` at granularity ``dw``."""
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
    cat = {name: np.concatenate([getattr(st, name) for st in states], axis=0)
           for name in ("W", "P", "Q", "Qt", "c", "pulses_p", "pulses_w", "programs")}
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
    ``f_gap`` (records, groups, R), ``pulses`` (energy, calibration included), ``cycles``, the per-group
    calibration ``N`` (time = N + cycles * BL), and for the hypotheses the visited ranges of P and W
    (``P_lo, P_hi, W_lo, W_hi`` per cell) and ``c_star``, the smallest ``E|grad f(W_bar)_d|`` over the
    states kept every ``5 record_every`` iterations.
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
    P_lo, P_hi = state.P.min(axis=0), state.P.max(axis=0)
    W_lo, W_hi = state.W.min(axis=0), state.W.max(axis=0)
    c_star = np.inf
    while done < K_max:
        n = min(chunk, K_max - done)
        state, tr = algorithms.run(algo, prob, state, n, rng, record_every=record_every, keep_states=True)
        sl = slice(1, None) if parts else slice(None)  # drop the repeated first record of later chunks
        parts.append((tr.k[sl] + done, tr.f_gap[sl], tr.pulses[sl], tr.cycles[sl, 0]))
        S = tr.states
        P_lo, P_hi = np.minimum(P_lo, S["P"].min(axis=(0, 1))), np.maximum(P_hi, S["P"].max(axis=(0, 1)))
        W_lo, W_hi = np.minimum(W_lo, S["W"].min(axis=(0, 1))), np.maximum(W_hi, S["W"].max(axis=(0, 1)))
        sub = slice(None, None, _STATE_STRIDE)
        W_bar = S["W"][sub] + h["gamma"] * S["c"][sub][..., None] * (S["P"][sub] - S["Q"][sub])
        c_star = min(c_star, float(np.min(prob.c_star(W_bar))))
        done += n
        fg = np.concatenate([p[1] for p in parts]).reshape(-1, G, R)
        if all(first_hit(fg[:, g], delta, window) >= 0 for g in range(G)):
            break
    k = np.concatenate([p[0] for p in parts])
    f_gap = np.concatenate([p[1] for p in parts]).reshape(-1, G, R)
    pulses = np.concatenate([p[2] for p in parts]).reshape(-1, G, R)
    cycles = np.concatenate([p[3] for p in parts])
    return dict(method=method, dw=float(dw), k=k, f_gap=f_gap, pulses=pulses, cycles=cycles,
                calibration=np.array(groups if method == "two-stage" else [0], dtype=float),
                K_run=int(k[-1]), R=R, P_range=[float(P_lo.min()), float(P_hi.max())],
                P_lo=P_lo, P_hi=P_hi, W_lo=W_lo, W_hi=W_hi, c_star=c_star, steps=h)


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


def cost_sizes(quick: bool) -> dict:
    if quick:
        return dict(dws=[1e-2, 3.16e-3, 1e-3], R=16, K_max=3000, K_ts=1000, n_boot=200)
    return dict(dws=list(np.geomspace(1e-2, 1e-4, 5)), R=32, K_max=5000, K_ts=1500, n_boot=300)


def n_grid_for(dw: float) -> list[int]:
    """The doubling grid, cut at 2 log(1e3)/dw (far beyond what zero-shifting needs to reach its floor)."""
    return [n for n in N_GRID if n <= max(64, 2 * np.log(1e3) / dw)]


def _job(method, dw, seed, R, K_max, n_zs):
    return simulate(method, dw, seed, R, K_max, n_zs=n_zs)


def _hyp_data(sm: dict) -> dict:
    return dict(P_lo=sm["P_lo"], P_hi=sm["P_hi"], W_lo=sm["W_lo"], W_hi=sm["W_hi"], c_star=sm["c_star"])


def simulate_costs(quick: bool, seed: int, executor=None, sizes: dict | None = None) -> dict:
    """Every method at every dw_min of :func:`cost_sizes`; per dw_min the costs to reach delta (bootstrap
    intervals), the late-run error, the learning curves, the two-stage grid, and the hypotheses data."""
    from sptheory.sweep import run_jobs

    z = dict(cost_sizes(quick), **(sizes or {}))
    s = SETTING
    delta, window, BL = s["delta"], s["window"], s["BL"]
    seeds = [int(x) for x in np.random.default_rng(seed).integers(2**62, size=4 * len(z["dws"]) + 1)]
    jobs = []
    for i, dw in enumerate(z["dws"]):
        for j, m in enumerate(METHODS):
            K = z["K_ts"] if m in ("two-stage", "oracle") else z["K_max"]
            jobs.append((m, float(dw), seeds[4 * i + j], z["R"], K, tuple(n_grid_for(dw)) if m == "two-stage" else ()))
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
            row[m] = dict(c, K_run=sm["K_run"], tail_mean=ci.mean, tail_lo=ci.lo, tail_hi=ci.hi, tail=tail,
                          curve_k=sm["k"].tolist(), curve=smoothed_mean(sm["f_gap"][:, 0], window).tolist(),
                          P_range=sm["P_range"], hyp=_hyp_data(sm))
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
        row["two-stage"]["hyp"] = _hyp_data(ts)
        rows.append(row)
    prob = make_problem()
    return dict(setting=dict(SETTING, **step_sizes(prob)), sizes=z, rows=rows,
                f0=float(prob.f(np.zeros(s["D"])) - prob.f_star))
