"""RIDER experiments: Thm 3.7's devices and problems, the Theta(dw_min) floor, hypotheses along a run.

Shared by the claims ``rider-rate``, ``rider-floor``, ``rider-bound`` and the
figure ``thm37``.

Devices (per-cell SP offsets ``mean + spread N(0, 1)``, nonzero mean):

* :func:`tanh_device` -- ``q_pm(w) = 1 -/+ a tanh(w - s)``: ``F = 1``,
  ``G = a tanh(w - s)``, ``1 - a <= q <= 1 + a`` on the whole line, so
  Def. 2.1 holds globally (``devices.Tanh``; its bounds +/- 5 only give the
  pulse engine somewhere to clip and are never reached here);
* :func:`soft_device` -- SoftBounds ``q_plus = 1 - x/tau``,
  ``q_minus = 1 + x/tau`` shifted by the offsets (bounds ``offset +/- tau``).

Problem: :func:`quadratic`, a diagonal quadratic with eigenvalues
``geomspace(mu, L, D)`` and Gaussian gradient noise.

:func:`thm37_hypotheses` measures the hypotheses of Thm 3.7 along a run
(Def. 2.1 on the visited range, the proof's step-size conditions, the
condition on C_star in its stated and proof forms, Assumption 3.6 along the
iterates).  :func:`simulate_floor` is the ``rider-floor`` experiment.
"""

from __future__ import annotations

import numpy as np

from sptheory import algorithms, bounds, devices, objectives, stats

__all__ = [
    "TANH_A", "BOUND_B", "sp_offsets", "tanh_device", "soft_device", "quadratic",
    "visited_range", "thm37_hypotheses", "FLOOR", "floor_sizes", "floor_build", "floor_steps", "floor_run",
    "simulate_floor", "floor_summary",
]

TANH_A = 0.5   # asymmetry amplitude a: q in [0.5, 1.5] everywhere
BOUND_B = 5.0  # clipping bounds +/- B (never reached)


def sp_offsets(D, rng, mean, spread):
    """Per-cell SP offsets ``mean + spread * N(0, 1)`` (nonzero mean, cell-to-cell spread)."""
    return mean + spread * np.random.default_rng(rng).standard_normal(D)


def tanh_device(D, rng, dw_min=1e-3, a=TANH_A, mean=0.4, spread=0.2) -> devices.Tanh:
    """``q_pm = 1 -/+ a tanh(w - s)`` with per-cell SPs ``s`` from :func:`sp_offsets`."""
    return devices.Tanh(a, sp_offsets(D, rng, mean, spread), dw_min, bound=BOUND_B)


def soft_device(D, rng, dw_min=1e-3, tau=3.0, mean=0.4, spread=0.2) -> devices.SoftBounds:
    """SoftBounds ``q_plus = 1 - x/tau``, ``q_minus = 1 + x/tau`` shifted by per-cell offsets:
    SP at the offset, ``G' = 1/tau``, bounds ``offset +/- tau``."""
    return devices.SoftBounds(a_up=1.0, a_dn=1.0, tau_max=tau, tau_min=tau, dw_min=dw_min,
                              offset=sp_offsets(D, rng, mean, spread))


def quadratic(D, rng, sigma, mu=0.5, L=2.0, w_scale=0.3) -> objectives.Quadratic:
    """Diagonal quadratic, eigenvalues ``geomspace(mu, L, D)``, ``W* ~ w_scale N(0, 1)``."""
    rng = np.random.default_rng(rng)
    return objectives.Quadratic(np.geomspace(mu, L, D), w_scale * rng.standard_normal(D), sigma=sigma)


# --------------------------------------------------------------------------
# hypotheses of Thm 3.7, measured along a run
# --------------------------------------------------------------------------

def visited_range(states) -> tuple[np.ndarray, np.ndarray]:
    """Per-cell ``(lo, hi)`` over every record and replicate of ``states`` ``(records, replicates, D)``."""
    x = np.asarray(states, dtype=float)
    if x.ndim != 3:
        raise ValueError(f"states must have shape (records, replicates, D), got {x.shape}")
    return x.min(axis=(0, 1)), x.max(axis=(0, 1))


def _q_on_range(dev, lo, hi):
    """``(q_min, q_max)`` of ``dev`` over the per-cell ranges ``[lo, hi]``, or None if Def. 2.1 fails there
    (the range touches a bound, or q_min <= 0)."""
    hi = np.maximum(hi, lo + 1e-12)  # a cell that never moved: a degenerate range
    try:
        c = dev.constants(lo, hi)
    except ValueError:
        return None
    return float(np.min(c.q_min)), float(np.max(c.q_max))


def thm37_hypotheses(dev_p, dev_w, prob, steps: dict, P_range, W_range, c_star_run: float) -> tuple[list, dict]:
    """Thm 3.7's hypotheses as ``stats.Hypothesis`` rows, measured along a run; returns ``(rows, numbers)``.

    dev_p, dev_w   the P and W devices; ``P_range``, ``W_range`` per-cell ``(lo, hi)`` visited by the run
                   (:func:`visited_range`): Def. 2.1 is checked there (q_min > 0, finite q_max), and
                   ``q_min, q_max`` of the theorem are taken over both arrays on those ranges.
    prob           the objective (``L``, ``mu``, ``sigma2``).
    steps          ``alpha, beta, eta, gamma`` of the run.
    c_star_run     ``min_k min_d E|grad f(W_bar_k; xi)_d|`` over the recorded iterates (Assumption 3.6
                   along the run).

    Rows: Def. 2.1 for P and for W on the visited ranges; Assumption 3.6 (C_star > 0 along the run);
    C_star >= the stated threshold ``4 sqrt2 (sigma/mu) kappa2^1.5`` and >= the proof's
    ``4 sqrt2 sigma kappa2^1.5 / sqrt(mu)`` (``bounds.rider_cstar_condition``, erratum
    ``errata/cstar-condition``); every step-size condition of the proof
    (``bounds.rider_side_conditions`` with C2 at the smallest value the proof can use, the low end
    of its interval raised to condition (a) of errata/proof-conditions: the choice that admits the
    largest alpha; C2's conditions fail exactly when no admissible C2 exists).
    """
    rows, nums = [], {}
    qp = _q_on_range(dev_p, *P_range)
    qw = _q_on_range(dev_w, *W_range)
    for name, q, rng_ in (("P", qp, P_range), ("W", qw, W_range)):
        span = f"[{stats._fmt(float(np.min(rng_[0])))}, {stats._fmt(float(np.max(rng_[1])))}]"
        rows.append(stats.Hypothesis(
            f"Def. 2.1 ({name} array)", "q_min > 0 on the visited range",
            f"visited {span}: " + ("outside the device's Def. 2.1 range" if q is None else
                                   f"q in [{stats._fmt(q[0])}, {stats._fmt(q[1])}]"),
            q is not None and q[0] > 0))
    if qp is None or qw is None:
        return rows, nums
    q_min, q_max = min(qp[0], qw[0]), max(qp[1], qw[1])
    sigma = float(np.sqrt(prob.sigma2))
    mu, L = float(prob.mu), float(prob.L)
    nums.update(q_min=q_min, q_max=q_max, sigma=sigma, mu=mu, L=L, c_star=float(c_star_run))
    rows.append(stats.Hypothesis("Assumption 3.6", "C_star = min_k,d E|grad f(W_bar_k)_d| > 0",
                                 f"C_star = {stats._fmt(c_star_run)} along the run", c_star_run > 0))
    for form in ("stated", "proof"):
        thr = float(bounds.rider_cstar_condition(sigma, mu, q_min, q_max, form=form))
        nums[f"cstar_{form}"] = thr
        rows.append(stats.Hypothesis(
            f"C_star condition ({form})",
            "C_star >= 4 sqrt2 (sigma/mu) kappa2^1.5" if form == "stated" else
            "C_star >= 4 sqrt2 sigma kappa2^1.5 / sqrt(mu)",
            f"{stats._fmt(c_star_run)} vs {stats._fmt(thr)}", c_star_run >= thr))
    c2 = 0.0
    if c_star_run > 0:
        # the smallest C2 the proof can use: the interval's low end, raised to condition (a)
        # of errata/proof-conditions (it admits the largest alpha)
        iv = bounds.rider_c2_interval(sigma, c_star_run, mu, q_min, q_max)
        c2 = max(float(iv.lo), float(bounds.rider_c2_condition_a(sigma, c_star_run, mu, q_min, q_max)))
    kw = dict(sigma=sigma, C_star=c_star_run) if c_star_run > 0 else {}
    conds = bounds.rider_side_conditions(steps["alpha"], steps["beta"], steps["eta"], steps["gamma"], L, mu,
                                         q_min, q_max, c2, **kw)
    nums["C2"] = c2
    for name, c in conds.items():
        rows.append(stats.Hypothesis(
            f"step size: {name}", bounds.RIDER_SIDE_CONDITIONS[name].split("  (")[0].strip(),
            f"{stats._fmt(float(c.lhs))} vs {stats._fmt(float(c.rhs))}", bool(c.holds)))
    return rows, nums


# --------------------------------------------------------------------------
# rider-floor: the Theta(dw_min) term of Thm 3.7
# --------------------------------------------------------------------------

#: setting of the floor experiment (fixed before any run)
FLOOR = dict(gamma=0.5, alpha=0.005, sigmas=(0.1, 0.4), tau=3.0, p_mean=0.4, w_mean=-0.2, spread=0.2)


def floor_sizes(quick: bool) -> dict:
    """Sizes per mode: ``D`` cells, ``R`` replicates, ``K`` iterations, the dw_min grid."""
    if quick:
        return dict(D=8, R=16, K=2400, dw=np.geomspace(2e-3, 3.2e-2, 5).tolist())
    return dict(D=8, R=32, K=4000, dw=np.geomspace(2e-3, 3.2e-2, 5).tolist())


def floor_build(D: int, seed: int, dw_min: float, sigma: float):
    """Problem and SoftBounds (P, W) devices of the floor experiment for one device seed."""
    ss = np.random.SeedSequence(seed).spawn(3)
    prob = quadratic(D, np.random.default_rng(ss[0]), sigma)
    f = FLOOR
    dev_p = soft_device(D, np.random.default_rng(ss[1]), dw_min=dw_min, tau=f["tau"], mean=f["p_mean"],
                        spread=f["spread"])
    dev_w = soft_device(D, np.random.default_rng(ss[2]), dw_min=dw_min, tau=f["tau"], mean=f["w_mean"],
                        spread=f["spread"])
    return prob, dev_p, dev_w


def floor_steps(mu: float) -> dict:
    """``alpha`` fixed, ``beta = alpha gamma mu``, ``eta = alpha mu`` (Thm 3.7's Theta forms, constants 1)."""
    a, g = FLOOR["alpha"], FLOOR["gamma"]
    return dict(alpha=a, beta=a * g * mu, eta=a * mu, gamma=g)


def floor_run(dw_min: float, mode: str, sigma: float, D: int, R: int, K: int, seed: int, run_seed) -> dict:
    """One RIDER run from ``W0 = W*, P0 = Q0 = 0``; per replicate, the averages over k >= K/2 of
    ``||W_k - W*||^2`` and ``f(W_bar_k) - f*``, and what :func:`thm37_hypotheses` needs."""
    prob, dev_p, dev_w = floor_build(D, seed, dw_min, sigma)
    h = floor_steps(prob.mu)
    alg = algorithms.rider(dev_p, dev_w, h["alpha"], h["beta"], h["eta"], h["gamma"], pulse_mode=mode)
    state = alg.init(prob.W_star, P0=0.0, Q0=0.0, replicates=R)
    every = max(1, K // 400)
    _, tr = algorithms.run(alg, prob, state, K, run_seed, record_every=every, keep_states=True)
    half = tr.k >= K // 2
    S = tr.states
    W_bar = S["W"] + h["gamma"] * (S["P"] - S["Q"])
    return dict(w=tr.w_dist[half].mean(axis=0), f=tr.f_gap[half].mean(axis=0),
                pulses_per_step=float(tr.pulses[-1].mean() / K),
                P_range=visited_range(S["P"]), W_range=visited_range(S["W"]),
                c_star=float(np.min(prob.c_star(W_bar))), steps=h)


def simulate_floor(quick: bool, seed: int, executor=None, sizes: dict | None = None) -> dict:
    """The floor experiment: per sigma, pulse-exact runs over the dw_min grid and one noiseless run.

    Returns ``{"sizes", "dw", "sigmas", "parts": [per sigma: {"sigma", "exact": [run dicts],
    "noiseless": run dict}], "device_seed"}`` (run dicts from :func:`floor_run`).
    """
    from sptheory.sweep import run_jobs

    sz = dict(floor_sizes(quick), **(sizes or {}))
    sigmas = FLOOR["sigmas"]
    n = len(sz["dw"]) + 1
    seeds = np.random.SeedSequence(seed).spawn(n * len(sigmas) + 1)
    dev_seed = int(seeds[0].generate_state(1)[0])
    common = dict(D=sz["D"], R=sz["R"], K=sz["K"], seed=dev_seed)
    jobs = []
    for j, sg in enumerate(sigmas):
        jobs += [dict(dw_min=dw, mode="exact", sigma=sg, run_seed=seeds[1 + j * n + i], **common)
                 for i, dw in enumerate(sz["dw"])]
        # noiseless: dw_min only sets the (unused) pulse count, the recursion does not depend on it
        jobs.append(dict(dw_min=sz["dw"][0], mode="noiseless", sigma=sg, run_seed=seeds[1 + j * n + n - 1], **common))
    out = run_jobs(floor_run, jobs, executor=executor, progress=False)
    parts = [dict(sigma=sg, exact=out[j * n:j * n + n - 1], noiseless=out[j * n + n - 1])
             for j, sg in enumerate(sigmas)]
    return dict(sizes=sz, dw=list(sz["dw"]), sigmas=list(sigmas), parts=parts, device_seed=dev_seed)


def floor_summary(sim: dict, level: float = 0.95) -> list[dict]:
    """Per sigma part of :func:`simulate_floor`: the floor per dw_min (mean and ``level`` interval over
    replicates), the noiseless level, the excess ``floor - noiseless`` with its standard error, the weighted
    log-log fit of the excess vs dw_min at ``level`` (of the raw floor when some excess is not positive:
    ``fitted`` says which), its half-range regime check, and the hypotheses data of every pulse-exact run."""
    dw = np.asarray(sim["dw"])
    parts = []
    for part in sim["parts"]:
        exact, base = part["exact"], part["noiseless"]
        est = [stats.mean_ci(o["w"], level=level) for o in exact]
        est0 = stats.mean_ci(base["w"], level=level)
        excess = np.array([e.mean - est0.mean for e in est])
        err = np.array([np.hypot(e.sem, est0.sem) for e in est])
        raw_err = np.array([max(e.sem, 1e-15) for e in est])
        fit_raw = stats.loglog_slope(dw, [e.mean for e in est], y_err=raw_err, level=level)
        if np.all(excess > 0):
            y, y_err, fitted = excess, np.maximum(err, 1e-15), "excess"
        else:
            y, y_err, fitted = np.array([e.mean for e in est]), raw_err, "raw"
        fit = stats.loglog_slope(dw, y, y_err=y_err, level=level)
        asym, regime = stats.regime_check(dw, y, y_err=y_err, level=level)
        sl = lambda f: dict(slope=f.slope, lo=f.lo, hi=f.hi, intercept=f.intercept, r2=f.r2)  # noqa: E731
        parts.append(dict(
            sigma=part["sigma"], dw=dw.tolist(),
            exact=dict(mean=[e.mean for e in est], lo=[e.lo for e in est], hi=[e.hi for e in est],
                       sem=[e.sem for e in est], f_gap=[float(o["f"].mean()) for o in exact],
                       pulses_per_step=[o["pulses_per_step"] for o in exact]),
            noiseless=dict(mean=est0.mean, lo=est0.lo, hi=est0.hi, sem=est0.sem, f_gap=float(base["f"].mean())),
            excess=dict(mean=excess.tolist(), err=err.tolist()),
            fit=sl(fit), fit_raw=sl(fit_raw), fitted=fitted, asymptotic=bool(asym), regime=regime,
            fit_obj=fit,
            hyp=[dict(P_range=o["P_range"], W_range=o["W_range"], c_star=o["c_star"], steps=o["steps"],
                      dw=float(d)) for o, d in zip(exact, dw)],
        ))
    return parts
