"""SP-tracking experiments: RIDER / E-RIDER's tracker Q, the chopper, Lemmas 3.5 and 3.10, the implicit bias.

Shared by the claims ``rider-sp-tracking``, ``chopper``, ``lemma3.5``,
``lemma3.10``, ``residual-bias`` and the figure ``fig3``.  One problem, one
device family, one set of step sizes, fixed before any claim was run:

* P array: the bounded-q device ``q_pm(w) = 1 -/+ a tanh(w - s)``
  (``devices.Tanh``: Def. 2.1 holds on the whole line with ``q_min = 1 - a``,
  ``q_max = 1 + a``; ``F = 1``, ``G = a tanh(w - s)``, SP ``= s``), per-cell
  offsets ``s ~ N(0.3, 0.1^2)`` (the paper's Table-1 style ``ref_mean = 0.3``).
  Bounds ``[-5, 5]`` so clipping never matters.
* W array: the same family with ``s = 0``.
* Objective: diagonal quadratic, ``A`` evenly spaced in ``[1, 2]``,
  ``W* ~ N(0, 0.3^2)``, Gaussian gradient noise of std 1 per coordinate.
* Steps: ``alpha = 0.05, beta = 0.01, eta = 0.01, gamma = 0.5`` (Thm 3.7's
  Theta relations ``eta = Theta(alpha mu)``, ``beta = Theta(alpha gamma mu)``),
  E-RIDER ``p = 0.05`` (the paper's chopper probability).

Every ``simulate_*`` function is pure: randomness only through its seed, no
printing, no files.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, signal

from sptheory import algorithms, bounds, devices, objectives
from sptheory.objectives import abs_normal_mean

__all__ = [
    "A_TANH", "BOUND", "SP_MEAN", "SP_STD", "DW_MIN", "STEPS", "P_CHOP", "NOISE_PER_COORD", "PULSE_MODE",
    "tanh_device", "Setting", "make_setting", "algorithm", "starts", "record_states",
    "TRACKING_ALGOS", "tracking_sizes", "tracking_run", "simulate_tracking",
    "CHOPPER_P", "chopper_sizes", "chopper_run", "simulate_chopper",
    "lemma35_sizes", "lemma35_run", "lemma35_random", "simulate_lemma35",
    "filter_q", "sinusoid_gain", "traces_sizes", "trace_run", "simulate_traces", "band_summary",
    "BIAS", "bias_sizes", "bias_setting", "implicit_penalty_point", "bias_run", "simulate_bias",
]

A_TANH = 0.3
BOUND = 5.0
SP_MEAN, SP_STD = 0.3, 0.1
DW_MIN = 1e-3
STEPS = dict(alpha=0.05, beta=0.01, eta=0.01, gamma=0.5)
P_CHOP = 0.05
NOISE_PER_COORD = 1.0
PULSE_MODE = "model"


def _run_jobs(fn, jobs, executor):
    from sptheory.sweep import run_jobs

    return run_jobs(fn, jobs, executor=executor, progress=False)


def tanh_device(a, offset, dw_min=DW_MIN, bound=BOUND) -> devices.Tanh:
    """``q_plus = 1 - a tanh(x)``, ``q_minus = 1 + a tanh(x)``, ``x = w - offset``, on ``[-bound, bound] + offset``."""
    return devices.Tanh(a, offset, dw_min, bound=bound)


@dataclass
class Setting:
    """The shared SP-tracking setting for ``D`` cells (module docstring)."""

    D: int
    sp: np.ndarray
    W_star: np.ndarray
    A: np.ndarray
    dev_p: devices.Device
    dev_w: devices.Device
    prob: objectives.Quadratic
    start_W: np.ndarray
    start_Q: np.ndarray

    def describe(self) -> str:
        return (f"D={self.D} cells; P device q_pm = 1 -/+ {A_TANH} tanh(w - s) (Def. 2.1 globally, q in "
                f"[{1 - A_TANH:g}, {1 + A_TANH:g}], F = 1, G = {A_TANH} tanh(w - s)), per-cell SP s ~ "
                f"N({SP_MEAN}, {SP_STD}^2); W device same family with s = 0; dw_min = {DW_MIN:g}; quadratic, "
                f"A in [1, 2], W* ~ N(0, 0.3^2), gradient noise std {NOISE_PER_COORD} per coordinate; "
                f"alpha={STEPS['alpha']}, beta={STEPS['beta']}, eta={STEPS['eta']}, gamma={STEPS['gamma']}; "
                f"pulse_mode='{PULSE_MODE}'")


def make_setting(rng, D: int = 8) -> Setting:
    """Draw the per-cell SPs, ``W*`` and one random start from ``rng``."""
    rng = np.random.default_rng(rng)
    sp = SP_MEAN + SP_STD * rng.standard_normal(D)
    W_star = 0.3 * rng.standard_normal(D)
    start_W, start_Q = 0.5 * rng.standard_normal(D), -0.3 + 0.8 * rng.standard_normal(D)
    A = np.linspace(1.0, 2.0, D)
    prob = objectives.Quadratic(A, W_star, sigma=NOISE_PER_COORD * np.sqrt(D))
    return Setting(D, sp, W_star, A, tanh_device(A_TANH, sp), tanh_device(A_TANH, np.zeros(D)), prob,
                   start_W, start_Q)


def algorithm(name: str, st: Setting, p: float = P_CHOP, eta: float | None = None, pulse_mode: str = PULSE_MODE):
    """``"rider"``, ``"e-rider"`` (chopper ``p``) or ``"residual"`` on the shared setting."""
    kw = dict(STEPS)
    if eta is not None:
        kw["eta"] = eta
    if name == "rider":
        return algorithms.rider(st.dev_p, st.dev_w, **kw, pulse_mode=pulse_mode)
    if name == "e-rider":
        return algorithms.e_rider(st.dev_p, st.dev_w, **kw, p=p, pulse_mode=pulse_mode)
    if name == "residual":
        kw.pop("eta")
        return algorithms.residual_learning(st.dev_p, st.dev_w, **kw, pulse_mode=pulse_mode)
    raise ValueError(f"algorithm name must be 'rider', 'e-rider' or 'residual', got {name!r}")


def starts(st: Setting) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Initial ``(label, W0, Q0)``, Q0 far from the SP (~0.8 per cell RMS), never at it."""
    D = st.D
    return [
        ("W0=0, Q0=-0.5", np.zeros(D), np.full(D, -0.5)),
        ("W0=W*+0.5, Q0=+1.2", st.W_star + 0.5, np.full(D, 1.2)),
        ("W0~N(0,0.5^2), Q0~N(-0.3,0.8^2)", st.start_W, st.start_Q),
    ]


def record_states(algo, prob, state, n_iter: int, rng, every: int = 1) -> dict:
    """Drive ``algo`` for ``n_iter`` steps and return the states ``P, Q, W, c`` (and
    ``programs``) at ``k = 0, every, 2 every, ...`` as arrays ``(records, replicates, D)``
    (``P, Q, c`` only for two-array methods); a thin view of ``algorithms.run(keep_states=True)``."""
    state, trace = algorithms.run(algo, prob, state, n_iter, rng, record_every=every, keep_states=True)
    out = dict(trace.states, k=trace.k)
    out["programs"] = np.asarray(state.programs)
    out["state"] = state
    return out


def _along(st: Setting, S: dict, gamma: float) -> dict:
    """Visited ranges of P and W and ``min E|grad f(W_bar)_d|`` over recorded states ``S`` (hypotheses)."""
    c = S["c"][..., None] if "c" in S else 1.0
    W_bar = S["W"] + gamma * c * (S["P"] - S["Q"])
    return dict(P_range=(S["P"].min(axis=(0, 1)), S["P"].max(axis=(0, 1))),
                W_range=(S["W"].min(axis=(0, 1)), S["W"].max(axis=(0, 1))),
                c_star=float(np.min(st.prob.c_star(W_bar))))


# --------------------------------------------------------------------------
# rider-sp-tracking
# --------------------------------------------------------------------------

TRACKING_ALGOS = ("rider", "e-rider", "residual")
TRACKING_TAIL = 0.25


def tracking_sizes(quick: bool) -> dict:
    return dict(K=3000, R=16, D=8, records=60) if quick else dict(K=6000, R=32, D=8, records=120)


def tracking_run(algo_name: str, start_idx: int, setting_seed, run_seed, K: int, R: int, D: int, records: int) -> dict:
    """One algorithm from one start; metric curves ``(records, R)``, tail summaries (last quarter of the
    records) and what the hypotheses table needs."""
    st = make_setting(setting_seed, D)
    label, W0, Q0 = starts(st)[start_idx]
    algo = algorithm(algo_name, st)
    if algo_name == "residual":
        Q0 = np.zeros(D)
    state = algo.init(W0, P0=Q0, Q0=Q0, replicates=R)
    state, tr = algorithms.run(algo, st.prob, state, K, run_seed, record_every=max(1, K // records),
                               keep_states=True)
    n_tail = max(2, int(round(TRACKING_TAIL * len(tr.k))))
    return dict(
        algo=algo_name, start=label, k=tr.k, q_sp=tr.q_sp, w_dist=tr.w_dist, f_gap=tr.f_gap,
        q0_sp=float(np.sum((Q0 - st.sp) ** 2)), w0_dist=float(np.sum((W0 - st.W_star) ** 2)),
        tail_q_sp=tr.q_sp[-n_tail:].mean(axis=0), tail_w_dist=tr.w_dist[-n_tail:].mean(axis=0),
        q_bias2=float(np.sum((state.Q.mean(axis=0) - st.sp) ** 2)),
        programs=np.asarray(state.programs, dtype=float), **_along(st, tr.states, algo.gamma),
    )


def simulate_tracking(quick: bool, seed, executor=None, sizes: dict | None = None) -> dict:
    """Every (algorithm, start) run of ``rider-sp-tracking``: ``{"size", "setting", "runs"}``."""
    z = dict(tracking_sizes(quick), **(sizes or {}))
    setting_seed, *run_seeds = np.random.SeedSequence(seed).spawn(1 + len(TRACKING_ALGOS) * 3)
    st = make_setting(setting_seed, z["D"])
    n_starts = len(starts(st))
    jobs = [dict(algo_name=name, start_idx=j, setting_seed=setting_seed, run_seed=run_seeds[i * n_starts + j], **z)
            for i, name in enumerate(TRACKING_ALGOS) for j in range(n_starts)]
    return dict(size=z, setting=st, runs=_run_jobs(tracking_run, jobs, executor))


# --------------------------------------------------------------------------
# chopper
# --------------------------------------------------------------------------

CHOPPER_P = (0.0, 0.01, 0.05, 0.2)
CHOPPER_TOL = 0.1  # hitting criterion ||Q - W_sp||^2 <= 0.1 ||Q_0 - W_sp||^2


def chopper_sizes(quick: bool) -> dict:
    return dict(K=3000, R=16, D=8, every=10) if quick else dict(K=5000, R=32, D=8, every=10)


def chopper_run(p: float, setting_seed, run_seed, K: int, R: int, D: int, every: int) -> dict:
    """RIDER (``p = 0``) or E-RIDER from the first start; per replicate the hitting time ``T`` of the
    criterion (censored at ``K``), the programming events, and the mean ``||Q_k - W_sp||^2`` curve."""
    st = make_setting(setting_seed, D)
    _, W0, Q0 = starts(st)[0]
    algo = algorithm("rider" if p == 0 else "e-rider", st, p=p)
    state = algo.init(W0, P0=Q0, Q0=Q0, replicates=R)
    state, tr = algorithms.run(algo, st.prob, state, K, run_seed, record_every=every)
    hit = tr.q_sp <= CHOPPER_TOL * tr.q_sp[0]  # (records, R)
    reached = hit.any(axis=0)
    T = np.where(reached, tr.k[np.argmax(hit, axis=0)], K).astype(float)
    return dict(p=p, T=T, reached=reached, programs=np.asarray(state.programs, float),
                k=tr.k, q_sp=tr.q_sp.mean(axis=1), q0=float(tr.q_sp[0, 0]))


def simulate_chopper(quick: bool, seed, executor=None, sizes: dict | None = None) -> dict:
    """One run per ``p`` in :data:`CHOPPER_P`, all with the SAME run seed, so replicate i of every p
    shares its random stream (common random numbers: the pairing of the comparison)."""
    z = dict(chopper_sizes(quick), **(sizes or {}))
    setting_seed, run_seed = np.random.SeedSequence(seed).spawn(2)
    outs = _run_jobs(chopper_run, [dict(p=p, setting_seed=setting_seed, run_seed=run_seed, **z) for p in CHOPPER_P],
                     executor)
    return dict(size=z, setting=make_setting(setting_seed, z["D"]), runs=outs)


# --------------------------------------------------------------------------
# lemma3.5
# --------------------------------------------------------------------------

LEMMA35_ALGOS = ("rider", "e-rider")


def lemma35_sizes(quick: bool) -> dict:
    return dict(K=1500, R=8, D=8, n_random=20000) if quick else dict(K=4000, R=32, D=8, n_random=200000)


def _rel_err(lhs, rhs, scale):
    return np.abs(lhs - rhs) / np.maximum(scale, np.finfo(float).tiny)


def lemma35_run(name: str, setting_seed, run_seed, K: int, R: int, D: int) -> dict:
    """Lemma 3.5 on every step of one run: the identity's relative error (w.r.t. ``||a||^2 +
    (1-eta)^2 ||b||^2``, ``a = P_(k+1) - W_sp``, ``b = P_(k+1) - Q_k``) with ``bounds.lemma35_identity`` and
    with the algorithm's own ``Q_(k+1)``; the fractions of steps with ``cos theta > 0`` and with eta in the
    window; and the window's agreement with what happened."""
    st = make_setting(setting_seed, D)
    _, W0, Q0 = starts(st)[0]
    algo = algorithm(name, st)
    rec = record_states(algo, st.prob, algo.init(W0, P0=Q0, Q0=Q0, replicates=R), K, run_seed)
    P1, Q0s, Q1 = rec["P"][1:], rec["Q"][:-1], rec["Q"][1:]  # (K, R, D)
    eta = algo.eta
    lem = bounds.lemma35_identity(P1, Q0s, st.sp, eta)
    a2 = np.sum((P1 - st.sp) ** 2, -1)
    b2 = np.sum((P1 - Q0s) ** 2, -1)
    scale = a2 + (1 - eta) ** 2 * b2
    actual = np.sum((Q1 - st.sp) ** 2, -1)
    win = bounds.lemma35_eta_window(P1, Q0s, st.sp)
    cos = np.asarray(lem.cos_theta)
    pos = cos > 0
    in_win = pos & (eta > np.nan_to_num(np.asarray(win.eta_lo), nan=np.inf))
    closer = actual < a2
    return dict(
        algo=name, err_bounds=float(_rel_err(lem.lhs, lem.rhs, scale).max()),
        err_actual=float(_rel_err(actual, lem.rhs, scale).max()),
        err_actual_lhs=float(_rel_err(actual, lem.rhs, actual).max()),
        frac_pos=pos.mean(axis=0), frac_win=in_win.mean(axis=0),
        win_mismatch=int(np.sum(in_win != closer)), n=int(pos.size),
        cos_mean=np.nanmean(cos, axis=1), eta=eta,
    )


def lemma35_random(n: int, D: int, rng) -> dict:
    """Random instances ``P_(k+1), Q_k, W_sp ~ N(0, I_D)``, ``eta ~ U(0, 1)``: the identity's largest relative
    error, and the eta-window: eta drawn inside ``(eta_lo, 1)`` (must decrease the distance), below it, and
    with ``cos theta <= 0`` (must not).  ``excess_in`` is the largest relative excess
    ``(||Q_(k+1) - W_sp||^2 - ||P_(k+1) - W_sp||^2) / ||P_(k+1) - W_sp||^2`` inside the window (< 0 expected)."""
    rng = np.random.default_rng(rng)
    P1, Q, sp = rng.standard_normal((3, n, D))
    eta = rng.uniform(0, 1, n)
    lem = bounds.lemma35_identity(P1, Q, sp, eta)
    a2, b2 = np.sum((P1 - sp) ** 2, -1), np.sum((P1 - Q) ** 2, -1)
    err = _rel_err(lem.lhs, lem.rhs, a2 + (1 - eta) ** 2 * b2)
    win = bounds.lemma35_eta_window(P1, Q, sp)
    lo = np.asarray(win.eta_lo)
    ok = np.isfinite(lo)
    u = rng.uniform(0, 1, n)
    e_in = lo + u * (1 - lo)
    e_out = u * lo

    def dist(e):
        Qn = (1 - e)[:, None] * Q + e[:, None] * P1
        return np.sum((Qn - sp) ** 2, -1)

    d_in = dist(np.where(ok, e_in, 0.5))
    dec_in = d_in < a2
    has_out = ok & (lo > 0)
    dec_out = dist(np.where(has_out, e_out, 0.5)) < a2
    bad = ~ok
    dec_bad = dist(u) < a2
    excess = (d_in[ok] - a2[ok]) / a2[ok]
    return dict(err=float(err.max()), n=n, n_window=int(ok.sum()), n_dec_in=int(dec_in[ok].sum()),
                excess_in=float(excess.max()) if excess.size else float("-inf"),
                n_out=int(has_out.sum()), n_dec_out=int(dec_out[has_out].sum()),
                n_bad=int(bad.sum()), n_dec_bad=int(dec_bad[bad].sum()))


def simulate_lemma35(quick: bool, seed, executor=None, sizes: dict | None = None) -> dict:
    """RIDER and E-RIDER runs from the first start, and the random instances."""
    z = dict(lemma35_sizes(quick), **(sizes or {}))
    setting_seed, rand_seed, *seeds = np.random.SeedSequence(seed).spawn(2 + len(LEMMA35_ALGOS))
    outs = _run_jobs(lemma35_run, [dict(name=a, setting_seed=setting_seed, run_seed=s, K=z["K"], R=z["R"], D=z["D"])
                                   for a, s in zip(LEMMA35_ALGOS, seeds)], executor)
    return dict(size=z, setting=make_setting(setting_seed, z["D"]), runs=outs,
                random=lemma35_random(z["n_random"], z["D"], rand_seed))


# --------------------------------------------------------------------------
# lemma3.10 and Fig. 3
# --------------------------------------------------------------------------

def filter_q(P, eta, Q0=0.0):
    """The recursion (12), ``Q_{k+1} = (1-eta) Q_k + eta P_{k+1}``, along axis 0; returns ``Q_1..Q_n``."""
    P = np.asarray(P, float)
    zi = np.asarray((1 - eta) * np.broadcast_to(Q0, P.shape[1:]))[None]
    out, _ = signal.lfilter([eta], [1.0, -(1.0 - eta)], P, axis=0, zi=zi)
    return out


def sinusoid_gain(omega: float, eta: float, phase: float = 0.3) -> float:
    """Power gain of (12) for ``P_k = cos(omega k + phase)``: after the transient ((1-eta)^k < e^-40) input
    and output are fitted by least squares to ``a cos + b sin + c`` at ``omega``; ratio of ``a^2 + b^2``."""
    burn = int(np.ceil(40.0 / eta))
    n = burn + max(4000, int(np.ceil(40 * np.pi / omega)))
    k = np.arange(1, n + 1)
    P = np.cos(omega * k + phase)
    Q = filter_q(P, eta)
    kt = k[burn:]
    X = np.column_stack([np.cos(omega * kt), np.sin(omega * kt), np.ones_like(kt, dtype=float)])
    # the same fit for input and output: at omega = pi the sampled input's amplitude is |cos(phase)|, not 1;
    # rcond drops the numerically-zero sin column at omega = pi
    (ci, *_), (co, *_) = (np.linalg.lstsq(X, y[burn:], rcond=1e-8) for y in (P, Q))
    return float((co[0] ** 2 + co[1] ** 2) / (ci[0] ** 2 + ci[1] ** 2))


def traces_sizes(quick: bool) -> dict:
    return dict(K=3000, burn=1000, R=4, D=8, nperseg=256) if quick else dict(K=9000, burn=1000, R=16, D=8, nperseg=512)


def trace_run(name: str, setting_seed, run_seed, K: int, burn: int, R: int, D: int, nperseg: int, p: float = P_CHOP):
    """One RIDER / E-RIDER run from the first start, every step recorded: the check of the recorded Q
    against (12) applied to the recorded P, Welch spectra of P and Q after ``burn`` (averaged over
    replicates and cells), and one cell's traces."""
    st = make_setting(setting_seed, D)
    _, W0, Q0 = starts(st)[0]
    algo = algorithm(name, st, p=p)
    rec = record_states(algo, st.prob, algo.init(W0, P0=Q0, Q0=Q0, replicates=R), K, run_seed)
    P, Q = rec["P"], rec["Q"]  # (K+1, R, D)
    Qf = filter_q(P[1:], algo.eta, Q0=Q[0])
    impl = float(np.max(np.abs(Qf - Q[1:])) / np.max(np.abs(Q[1:])))
    Pt, Qt = P[burn:], Q[burn:]
    f, Spp = signal.welch(Pt, nperseg=nperseg, window="hann", detrend="constant", axis=0)
    _, Sqq = signal.welch(Qt, nperseg=nperseg, window="hann", detrend="constant", axis=0)
    omega = 2 * np.pi * f
    Spp, Sqq = Spp.mean(axis=(1, 2)), Sqq.mean(axis=(1, 2))
    return dict(algo=name, p=algo.p, eta=algo.eta, impl=impl, omega=omega, Spp=Spp, Sqq=Sqq,
                k=rec["k"], P0=P[:, 0, 0], Q0=Q[:, 0, 0], sp0=float(st.sp[0]), c0=rec["c"][:, 0])


def simulate_traces(quick: bool, seed, executor=None, sizes: dict | None = None) -> dict:
    """RIDER and E-RIDER traces and spectra (``lemma3.10`` and Fig. 3)."""
    z = dict(traces_sizes(quick), **(sizes or {}))
    setting_seed, *seeds = np.random.SeedSequence(seed).spawn(1 + len(LEMMA35_ALGOS))
    outs = _run_jobs(trace_run, [dict(name=a, setting_seed=setting_seed, run_seed=s, **z)
                                 for a, s in zip(LEMMA35_ALGOS, seeds)], executor)
    return dict(size=z, setting=make_setting(setting_seed, z["D"]), traces={o["algo"]: o for o in outs})


def band_summary(tr: dict, p_band: float) -> dict:
    """Chopper band ``omega >= 2 p``: P's power share there, the Q/P power ratio there and its
    |H|^2-weighted prediction; the empirical Welch gain's relative deviation from |H|^2."""
    om, Spp, Sqq = tr["omega"], tr["Spp"], tr["Sqq"]
    H2 = bounds.filter_gain(om, tr["eta"])
    band = om >= 2 * p_band
    pos = om > 0
    rel = np.abs(Sqq[pos] / Spp[pos] / H2[pos] - 1)
    return dict(share=float(Spp[band].sum() / Spp[pos].sum()), ratio=float(Sqq[band].sum() / Spp[band].sum()),
                pred=float((H2[band] * Spp[band]).sum() / Spp[band].sum()), gain_rel_median=float(np.median(rel)),
                gain_rel_argmax=float(om[pos][np.argmax(rel)]), gain_rel_max=float(rel.max()),
                H2_corner=float(bounds.filter_gain(2 * p_band, tr["eta"])))


# --------------------------------------------------------------------------
# residual-bias: the implicit penalty of a reference off the SP
# --------------------------------------------------------------------------

#: setting of the bias experiment (fixed before any run)
BIAS = dict(a=0.5, offsets=tuple(np.geomspace(0.1, 0.8, 6)), copies=4, noise=1.0,
            steps_sgd=dict(alpha=0.02), steps_res=dict(alpha=0.05, beta=0.01, gamma=0.5),
            parts=("analog-sgd", "residual"))


def bias_sizes(quick: bool) -> dict:
    return dict(K=4000, burn=1000, R=32, every=5) if quick else dict(K=10000, burn=2000, R=64, every=5)


def bias_setting():
    """``(offsets per cell, problem, P device, symmetric W device)``: each offset on ``copies`` cells, W* = 0."""
    s = np.repeat(np.asarray(BIAS["offsets"]), BIAS["copies"])
    D = s.size
    prob = objectives.Quadratic(np.ones(D), np.zeros(D), sigma=BIAS["noise"] * np.sqrt(D))
    return s, prob, tanh_device(BIAS["a"], s), tanh_device(0.0, np.zeros(D))


def implicit_penalty_point(part: str, dev, prob, mean_field: bool = False) -> np.ndarray:
    """Stationary W per coordinate of the implicit penalty (eq. (4); Wu et al. 2025) on a diagonal quadratic.

    ``part="analog-sgd"``: ``A_d (w - W*_d) + Sigma_d G(w)/F(w) = 0``;
    ``part="residual"`` (reference Q = 0, symmetric W array): ``A_d (w - W*_d) + Sigma_d G_p(0)/F_p(0) = 0``;
    ``Sigma = E|grad f(W*; xi)|``, or with ``mean_field=True`` ``E|grad f(w; xi)|`` at the point itself
    (the exact zero-drift condition of the update model's mean recursion).  Solved by ``brentq``.
    """
    if part not in BIAS["parts"]:
        raise ValueError(f"part must be one of {BIAS['parts']}, got {part!r}")
    D = prob.D
    s_noise = np.sqrt(prob.sigma2 / D)
    A = np.broadcast_to(prob.A, (D,))
    Ws = prob.W_star
    sigma_star = abs_normal_mean(np.zeros(D), s_noise * np.ones(D))
    out = np.empty(D)
    for d in range(D):
        def coord(fn, x):
            v = np.zeros(D)
            v[d] = x
            return float(fn(v)[d])

        def sig(w):
            return float(abs_normal_mean(A[d] * (w - Ws[d]), s_noise)) if mean_field else float(sigma_star[d])

        if part == "residual":
            r0 = coord(dev.G, 0.0) / coord(dev.F, 0.0)
            h = lambda w: A[d] * (w - Ws[d]) + sig(w) * r0  # noqa: E731
        else:
            h = lambda w: A[d] * (w - Ws[d]) + sig(w) * coord(dev.G, w) / coord(dev.F, w)  # noqa: E731
        span = 2.0 + 4 * abs(Ws[d])
        out[d] = optimize.brentq(h, Ws[d] - span, Ws[d] + span, xtol=1e-14)
    return out


def bias_run(part: str, seed, K: int, burn: int, R: int, every: int) -> dict:
    """Analog SGD or residual learning from ``W0 = 0``: per replicate and offset the tail-mean bias
    ``E[W] - W*`` (the ``copies`` cells of an offset pooled), the mean W trajectories, the visited range."""
    s, prob, dev_p, dev_w = bias_setting()
    mode = PULSE_MODE
    if part == "analog-sgd":
        algo = algorithms.AnalogSGD(dev_p, **BIAS["steps_sgd"], pulse_mode=mode)
        state = algo.init(np.zeros(prob.D), replicates=R)
    else:
        algo = algorithms.residual_learning(dev_p, dev_w, **BIAS["steps_res"], pulse_mode=mode)
        state = algo.init(np.zeros(prob.D), P0=0.0, Q0=0.0, replicates=R)
    rec = record_states(algo, prob, state, K, seed, every=every)
    tail = rec["k"] >= burn
    W_tail = rec["W"][tail].mean(axis=0)  # (R, D)
    n_off, cp = len(BIAS["offsets"]), BIAS["copies"]
    per = W_tail.reshape(R, n_off, cp).mean(axis=2)
    X = rec["P"] if "P" in rec else rec["W"]  # the array on the asymmetric device
    return dict(part=part, bias=per - prob.W_star[0], k=rec["k"], W_mean=rec["W"].mean(axis=1)[:, ::cp],
                range=(float(X.min()), float(X.max())))


def simulate_bias(quick: bool, seed, executor=None, sizes: dict | None = None) -> dict:
    """Both parts of ``residual-bias``, with the implicit-penalty predictions per offset."""
    z = dict(bias_sizes(quick), **(sizes or {}))
    seeds = np.random.SeedSequence(seed).spawn(len(BIAS["parts"]))
    outs = _run_jobs(bias_run, [dict(part=p, seed=sd, **z) for p, sd in zip(BIAS["parts"], seeds)], executor)
    _, prob, dev_p, _ = bias_setting()
    cp = BIAS["copies"]
    for o in outs:
        o["pred"] = implicit_penalty_point(o["part"], dev_p, prob)[::cp] - prob.W_star[::cp]
        o["pred_mf"] = implicit_penalty_point(o["part"], dev_p, prob, mean_field=True)[::cp] - prob.W_star[::cp]
    return dict(size=z, offsets=np.asarray(BIAS["offsets"]), parts=outs)
