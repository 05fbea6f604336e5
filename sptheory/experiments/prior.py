"""Settings and simulations behind the "prior theory" claims (issue 21).

* :func:`simulate_gd` -- noiseless analog GD (W24 Thm 9 / W25 Thm 6, the controls) on a
  diagonal quadratic with an asymmetric soft-bounds device, update model without noise
  (``pulse_mode="noiseless"``: the theorems' recursion).
* :func:`simulate_thm3` -- W24 Thm 3's own instance (arXiv 2406.12774 v1, App. G.2: ``W = w 1``, the
  state-dependent two-point noise of eq. (67), ``W_0 = W*``) with the symmetric linear device at several
  step sizes alpha towards 0: the asymptotic ``||grad f||^2``, Thm 2/3's ``S_K`` summand, the sign condition (84).
* :func:`simulate_asgd_floor` -- the same recursion with a fixed-p two-point noise on a 1-D quadratic
  (outside Thm 3's instance; issue 21's first reading): ``|grad f|^2`` and ``S = W^2/tau^2`` along the run.

* :func:`simulate_tt_convergence` -- W24's Tiki-Taka (TT-P/TT-W, Sec. 4: the package's TT-v1 with
  ``gamma = 0``, a full transfer every step, the symmetric linear device, ``pulse_mode="noiseless"``) and
  analog SGD on a D-dimensional quadratic with coordinate-wise Gaussian noise (W24 Assumption 5) at several
  alpha towards 0, ``beta = 8 alpha L`` (Thm 4): tail ``||grad f||^2``, ``max ||P||_inf``, ``max |W|``, and the
  noise's ``E|eps_i|`` and ``E eps_i^2`` from the draws themselves.
* :func:`simulate_tt_fails` -- a reimplementation, with the package's pulse engine, of the loop of the
  official script ``NeurIPS-2025/S1-TT-fails.py`` (W25 Fig. 2; see ``docs/PRIOR_THEORY.md`` for the
  line-by-line mapping): analog SGD and TT-v1 on a 50-weight least-squares problem, soft bounds
  ``+/-3.5`` with up/down asymmetry ``c_Lin`` (SP ``c_Lin tau``), ``desired_bl = 8`` pulse trains.

Pure functions of ``(quick, seed, size)``; nothing here decides a verdict.
"""

from __future__ import annotations

import numpy as np

from scipy import optimize

from sptheory import algorithms, devices, objectives
from sptheory.algorithms.base import analog_update

__all__ = ["GD", "FLOOR", "PENALTY", "TTC", "TTF", "GD_STEPS", "gd_sizes", "floor_sizes", "penalty_sizes", "simulate_gd",
           "simulate_asgd_floor", "simulate_thm3", "thm3_sizes", "THM3", "simulate_penalty", "penalty_device", "penalty_effective_update",
           "penalty_order_sweep",
           "mean_field_point", "ttc_sizes",
           "ttc_problem", "simulate_tt_convergence", "ttf_sizes", "ttf_problem", "ttf_device", "simulate_tt_fails",
           "RankOneRegression"]

#: noiseless analog GD control: device, problem, step-size fraction of 1/(L q_max), sizes
GD = dict(a_up=1.2, a_dn=0.8, tau=1.0, D=8, A_lo=0.5, A_hi=2.0, w_star=0.4, w0=0.6, box=0.75, step_frac=0.5,
          dw_min=1e-3)
#: W24 Thm 3 setting: f = L/2 (w - w*)^2, g = L (w - w*) + sigma eps (eps = +/-1), q_pm = 1 -/+ w/tau
FLOOR = dict(L=1.0, w_star=0.5, sigma=1.0, tau=1.0, dw_min=1e-3, ps=(0.8,))
#: W24 Thm 3's own instance (App. G.2): W = w 1 in R^D, f = L/2 ||W - W*||^2, W* = w* 1, W0 = W*, the
#: state-dependent two-point oracle of eq. (67); |w*| = tau/4 and sigma just under tau L sqrt(D)/(4 sqrt 3)
THM3 = dict(L=1.0, w_star=0.25, sigma=0.28, tau=1.0, D=4, dw_min=1e-3)
#: W25 implicit penalty: f = h/2 (w - w*)^2, Gaussian noise sigma, q_pm = 1 -/+ (w - s)/tau (SP s, R = (w - s)/tau)
PENALTY = dict(h=1.0, w_star=0.0, s=0.3, tau=1.0, alpha=0.005, dw_min=1e-3)


def gd_sizes(quick: bool) -> dict:
    return dict(R=16, K=500) if quick else dict(R=64, K=1000)


def floor_sizes(quick: bool) -> dict:
    if quick:
        return dict(alphas=[0.02, 0.014, 0.01, 0.007, 0.005], R=500, burn=8.0, tail=24.0)
    return dict(alphas=[0.02, 0.01, 0.005, 0.0025], R=600, burn=10.0, tail=40.0)


def thm3_sizes(quick: bool) -> dict:
    if quick:
        return dict(alphas=[0.02, 0.013, 0.0085, 0.0055, 0.0035], R=300, burn=8.0, tail=24.0)
    return dict(alphas=[0.02, 0.01, 0.005, 0.0025], R=600, burn=10.0, tail=40.0)


def gd_problem(seed: int):
    """The control's device, quadratic and step size (seeded problem draw)."""
    rng = np.random.default_rng([seed, 1])
    g = GD
    dev = devices.SoftBounds(a_up=g["a_up"], a_dn=g["a_dn"], tau_max=g["tau"], tau_min=g["tau"], dw_min=g["dw_min"])
    A = np.geomspace(g["A_lo"], g["A_hi"], g["D"])
    W_star = rng.uniform(-g["w_star"], g["w_star"], g["D"])
    obj = objectives.Quadratic(A, W_star, sigma=0.0)
    q_box = dev.constants(-g["box"], g["box"])
    alpha = g["step_frac"] / (obj.L * float(np.max(q_box.q_max)))
    return dev, obj, alpha


#: the step sizes of the other two GD runs: W25 Thm 6's proof step 1/(L F_max) (F_max over GD's box), and
#: W24 Thm 9 on its ALD (q = 1 -/+ w/tau) at alpha = 0.1/L, inside its condition alpha <= 1/L
GD_STEPS = dict(w25_thm6=1.0, w24_thm9=0.1)


def simulate_gd(quick: bool, seed: int, size: dict | None = None, variant: str = "control") -> dict:
    """Noiseless analog GD from R random starts: per replicate ``||grad f(W_k)||^2`` and
    ``f(W_k) - f*`` at every k, and the visited range per coordinate.

    variant: ``"control"`` (GD's soft-bounds device, ``alpha = step_frac/(L q_max)``), ``"w25_thm6"`` (the
    same device, W25 Thm 6's step ``alpha = 1/(L F_max)``, F_max over GD's box) or ``"w24_thm9"`` (W24's ALD
    ``q_pm = 1 -/+ w/tau``, ``alpha = 0.1/L``).  The problem (A, W*, starts) is the same in all three."""
    if variant not in ("control", "w25_thm6", "w24_thm9"):
        raise ValueError(f"variant must be 'control', 'w25_thm6' or 'w24_thm9', got {variant!r}")
    z = dict(gd_sizes(quick), **(size or {}))
    R, K = int(z["R"]), int(z["K"])
    dev, obj, alpha = gd_problem(seed)
    if variant == "w25_thm6":
        F_box = 0.5 * (dev.q_plus(np.array([-GD["box"], GD["box"]])) + dev.q_minus(np.array([-GD["box"], GD["box"]])))
        alpha = GD_STEPS["w25_thm6"] / (obj.L * float(np.max(F_box)))
    elif variant == "w24_thm9":
        dev = devices.SoftBounds(a_up=1.0, a_dn=1.0, tau_max=GD["tau"], tau_min=GD["tau"], dw_min=GD["dw_min"])
        alpha = GD_STEPS["w24_thm9"] / obj.L
    rng = np.random.default_rng([seed, 2])
    W0 = rng.uniform(-GD["w0"], GD["w0"], (R, GD["D"]))
    algo = algorithms.sgd.AnalogSGD(dev, alpha, pulse_mode="noiseless")
    state = algo.init(W0)
    g2 = np.empty((K + 1, R))
    gap = np.empty((K + 1, R))
    lo, hi = W0.copy(), W0.copy()
    for k in range(K + 1):
        W = state.W
        g2[k] = np.sum(obj.full_grad(W) ** 2, axis=-1)
        gap[k] = obj.f(W) - obj.f_star
        np.minimum(lo, W, out=lo)
        np.maximum(hi, W, out=hi)
        if k < K:
            state = algo.step(state, obj, rng)
    return dict(size=z, alpha=alpha, L=obj.L, mu=obj.mu, g2=g2, gap=gap, lo=lo.min(axis=0), hi=hi.max(axis=0),
                lo_r=lo, hi_r=hi, dev=dev, variant=variant)


def simulate_asgd_floor(quick: bool, seed: int, size: dict | None = None) -> dict:
    """W24 analog SGD for each two-point probability p in ``FLOOR['ps']`` and each alpha: R independent
    cells from ``w = 0``, ``burn/alpha`` steps discarded, then tail averages over ``tail/alpha`` steps of
    ``|grad f(w)|^2``, ``S = w^2/tau^2`` and ``S/(1 - S)`` per replicate; also ``max |w|/tau``."""
    z = dict(floor_sizes(quick), **(size or {}))
    p = FLOOR
    dev = devices.SoftBounds(a_up=1.0, a_dn=1.0, tau_max=p["tau"], tau_min=p["tau"], dw_min=p["dw_min"])
    rng = np.random.default_rng([seed, 3])
    out = []
    R = int(z["R"])
    for prob, alpha in ((q, a) for q in p["ps"] for a in z["alphas"]):
        obj = objectives.TwoPointQuadratic(np.array([p["L"]]), np.array([p["w_star"]]), sigma=p["sigma"], p=prob)
        algo = algorithms.sgd.AnalogSGD(dev, float(alpha), pulse_mode="noiseless")
        state = algo.init(np.zeros((R, 1)))
        burn, tail = int(round(z["burn"] / alpha)), int(round(z["tail"] / alpha))
        acc_g2 = np.zeros(R)
        acc_S = np.zeros(R)
        acc_Sa = np.zeros(R)
        wmax = np.zeros(R)
        for k in range(burn + tail):
            state = algo.step(state, obj, rng)
            w = state.W[:, 0]
            np.maximum(wmax, np.abs(w), out=wmax)
            if k >= burn:
                s = (w / p["tau"]) ** 2
                acc_g2 += (p["L"] * (w - p["w_star"])) ** 2
                acc_S += s
                acc_Sa += s / (1.0 - s)
        out.append(dict(p=float(prob), alpha=float(alpha), burn=burn, tail=tail, g2=acc_g2 / tail, S=acc_S / tail,
                        S_amp=acc_Sa / tail, wmax=float(wmax.max() / p["tau"])))
    return dict(size=z, parts=out)


def simulate_thm3(quick: bool, seed: int, size: dict | None = None) -> dict:
    """W24 Thm 3's instance exactly (``THM3``; ``objectives.W24Thm3Quadratic``, the symmetric linear device
    ``q_pm = 1 -/+ w/tau`` in ``pulse_mode="noiseless"``, i.e. W24's recursion (3)), started at ``W0 = W*``,
    for each alpha of ``thm3_sizes``: R independent runs, ``burn/alpha`` steps discarded, then tail averages
    per replicate of ``||grad f(W_k)||^2``, of ``S = (w^2/tau^2)/(1 - w^2/tau^2)`` (Thm 2/3's S_K summand) and
    of the plain ``w^2/tau^2``; along the whole run ``max |w|/tau`` and the number of steps where the sign
    condition (84)-(85) fails, i.e. ``g + xi_plus < 0`` or ``g + xi_minus > 0``."""
    z = dict(thm3_sizes(quick), **(size or {}))
    p = THM3
    dev = devices.SoftBounds(a_up=1.0, a_dn=1.0, tau_max=p["tau"], tau_min=p["tau"], dw_min=p["dw_min"])
    obj = objectives.W24Thm3Quadratic(p["L"], p["w_star"], p["sigma"], p["tau"], p["D"])
    rng = np.random.default_rng([seed, 7])
    R = int(z["R"])
    out = []
    for alpha in z["alphas"]:
        algo = algorithms.sgd.AnalogSGD(dev, float(alpha), pulse_mode="noiseless")
        state = algo.init(np.full((R, p["D"]), p["w_star"]))
        burn, tail = int(round(z["burn"] / alpha)), int(round(z["tail"] / alpha))
        acc_g2 = np.zeros(R)
        acc_S = np.zeros(R)
        acc_s = np.zeros(R)
        wmax = np.zeros(R)
        sign_fail = 0
        for k in range(burn + tail):
            W = state.W
            w = W[:, 0]
            g = p["L"] * (w - p["w_star"])
            xp, xm = obj.noise_values(W)
            sign_fail += int(np.count_nonzero((g + xp < 0) | (g + xm > 0)))
            if k >= burn:
                sat = (w / p["tau"]) ** 2
                acc_g2 += p["D"] * g**2
                acc_S += sat / (1.0 - sat)
                acc_s += sat
            state = algo.step(state, obj, rng)
            np.maximum(wmax, np.abs(state.W).max(axis=1), out=wmax)
        out.append(dict(alpha=float(alpha), burn=burn, tail=tail, g2=acc_g2 / tail, S=acc_S / tail,
                        S_plain=acc_s / tail, wmax=float(wmax.max() / p["tau"]), sign_fail=sign_fail,
                        steps=(burn + tail) * R, spread=float(np.ptp(state.W, axis=1).max())))
    return dict(size=z, parts=out)


def penalty_sizes(quick: bool) -> dict:
    if quick:
        return dict(sigmas=np.geomspace(0.005, 0.08, 5).tolist(), R=60, burn=8.0, tail=24.0)
    return dict(sigmas=np.geomspace(0.005, 0.08, 6).tolist(), R=200, burn=10.0, tail=40.0)


def penalty_device():
    """Symmetric soft bounds shifted to the SP ``s``: ``F = 1``, ``G = R = (w - s)/tau``."""
    p = PENALTY
    return devices.SoftBounds(a_up=1.0, a_dn=1.0, tau_max=p["tau"], tau_min=p["tau"], dw_min=p["dw_min"],
                              offset=p["s"])


def mean_field_point(sigma: float) -> float:
    """Exact zero drift of the update model: ``h (w - w*) + E|h (w - w*) + sigma Z| (w - s)/tau = 0``
    (Sigma taken at the point itself, not at W*); brentq between w* and s."""
    p = PENALTY

    def drift(w):
        c = p["h"] * (w - p["w_star"])
        return c + float(objectives.abs_normal_mean(c, sigma)) * (w - p["s"]) / p["tau"]

    return float(optimize.brentq(drift, p["w_star"], p["s"], xtol=1e-15))


def simulate_penalty(quick: bool, seed: int, size: dict | None = None) -> dict:
    """Analog SGD (update model without pulse noise, the theorems' recursion) on R x len(sigmas)
    independent 1-D problems, one noise level per column; tail average of w per replicate."""
    z = dict(penalty_sizes(quick), **(size or {}))
    p = PENALTY
    dev = penalty_device()
    sig = np.asarray(z["sigmas"], float)
    R, a = int(z["R"]), p["alpha"]
    rng = np.random.default_rng([seed, 4])
    w = np.full((R, sig.size), p["w_star"])
    burn, tail = int(round(z["burn"] / a)), int(round(z["tail"] / a))
    acc = np.zeros_like(w)
    for k in range(burn + tail):
        g = p["h"] * (w - p["w_star"]) + sig * rng.standard_normal(w.shape)
        w = analog_update(dev, w, -a * g, rng, "noiseless").w
        if k >= burn:
            acc += w
    return dict(size=z, sigmas=sig, W_mean=acc / tail, burn=burn, tail=tail)


def penalty_effective_update(w, h, w_star, sigma, s, tau):
    """W25 eq. (46)'s effective update ``T(w) = |E f'(w; xi) F(w) + E|f'(w; xi)| G(w)|`` (written with the update
    ``U(W, D) = W + D F - |D| G``, D = -alpha f') on ``f = h/2 (w - w*)^2`` with Gaussian noise sigma and the
    shifted linear device ``F = 1``, ``G = (w - s)/tau``; exact (folded-normal mean).  Zero at a stationary point
    of the mean dynamics.  Arrays broadcast."""
    c = h * (np.asarray(w, float) - w_star)
    return np.abs(c + objectives.abs_normal_mean(c, sigma) * (np.asarray(w, float) - s) / tau)


def penalty_order_sweep(sigma: float, dists) -> dict:
    """Thm 5's order claim ``T(W^S) <= O((W_sp - W*)^2)`` evaluated exactly (:func:`penalty_effective_update`)
    at ``W^S`` of eq. (50) as printed and with the sign corrected, for SP distances ``d = s - w*`` in ``dists``
    (``PENALTY``'s h, w*, tau; ``Sigma = sigma sqrt(2/pi) = E|f'(W*; xi)|``)."""
    from ..bounds import wu2025

    p = PENALTY
    d = np.asarray(dists, float)
    sp_ = p["w_star"] + d
    Sig = sigma * np.sqrt(2 / np.pi)
    Rp = 1.0 / p["tau"]
    ws_pr = wu2025.implicit_penalty_point_printed(p["h"], p["w_star"], Sig, Rp, sp_)
    ws_co = wu2025.implicit_penalty_point(p["h"], p["w_star"], Sig, Rp, sp_)
    T = [penalty_effective_update(x, p["h"], p["w_star"], sigma, sp_, p["tau"]) for x in (ws_pr, ws_co)]
    return dict(d=d, Sigma=Sig, w_printed=ws_pr, w_corrected=ws_co, T_printed=T[0], T_corrected=T[1])


# ----- W24 Thm 4: Tiki-Taka on the theorem's setting ------------------------------------------

#: W24 Thm 4 setting: f = L/2 ||W - W*||^2 (D cells), eps_i ~ N(0, s^2) i.i.d. (sigma^2 = D s^2, Assumption 5),
#: symmetric linear device q_pm = 1 -/+ w/tau, beta = 8 alpha L
TTC = dict(D=4, L=1.0, tau=1.0, s=1.5, w_star=0.5, dw_min=1e-3, beta_per_alpha_L=8.0)


def ttc_sizes(quick: bool) -> dict:
    if quick:
        return dict(alphas=[0.01, 0.007, 0.005, 0.0035], R=64, burn=4.0, tail=10.0)
    return dict(alphas=[0.01, 0.005, 0.0025, 0.00125], R=128, burn=5.0, tail=15.0)


class _TallyQuadratic:
    """The quadratic with i.i.d. Gaussian coordinates of noise that also sums what it draws
    (``|eps|``, ``eps^2``, count), so that Assumption 5's constant is measured on the run's own noise.
    Local to one simulation (a mutable tally, never shared)."""

    def __init__(self, obj: objectives.Quadratic, s: float):
        self.obj, self.s = obj, float(s)
        self.D, self.L = obj.D, obj.L
        self.abs_sum = 0.0
        self.sq_sum = 0.0
        self.n = 0

    def full_grad(self, W):
        return self.obj.full_grad(W)

    def f(self, W):
        return self.obj.f(W)

    def grad(self, W, rng):
        g = self.obj.full_grad(W)
        eps = self.s * rng.standard_normal(g.shape)
        self.abs_sum += float(np.abs(eps).sum())
        self.sq_sum += float((eps**2).sum())
        self.n += eps.size
        return g + eps


def ttc_problem(seed: int):
    """The device and the quadratic of the Thm 4 check (seeded W*)."""
    p = TTC
    rng = np.random.default_rng([seed, 5])
    W_star = rng.uniform(-p["w_star"], p["w_star"], p["D"])
    dev = devices.SoftBounds(a_up=1.0, a_dn=1.0, tau_max=p["tau"], tau_min=p["tau"], dw_min=p["dw_min"])
    obj = objectives.Quadratic(np.full(p["D"], p["L"]), W_star, sigma=0.0)
    return dev, obj


def simulate_tt_convergence(quick: bool, seed: int, size: dict | None = None) -> dict:
    """W24's Tiki-Taka (TT-P then TT-W each step: the package's ``tiki_taka(dev, dev, alpha=beta,
    transfer_lr=alpha, gamma=0, pulse_mode="noiseless")``, whose fast array A is ``-P``) and analog SGD
    (step alpha) from ``W = 0``, R replicates, at each alpha: ``burn`` units discarded, then tail
    averages over ``tail`` units, a unit ``max(1/(beta s), s/(alpha L tau))`` steps (the slower of P's and W's relaxations), of ``||grad f(W)||^2`` per replicate; ``max ||P||_inf``,
    mean ``||P||_inf^2`` (tail), ``max |W|``; the noise's ``E|eps_i|`` and ``E eps_i^2`` over every draw."""
    z = dict(ttc_sizes(quick), **(size or {}))
    p = TTC
    dev, obj = ttc_problem(seed)
    rng = np.random.default_rng([seed, 6])
    R, D = int(z["R"]), p["D"]
    parts = []
    for alpha in z["alphas"]:
        alpha = float(alpha)
        beta = p["beta_per_alpha_L"] * alpha * p["L"]
        # slowest relaxation: P's (rate beta E|eps_i|/tau ~ beta s) or W's (TT: ~ alpha L tau/E|eps_i|)
        unit = max(1.0 / (beta * p["s"]), p["s"] / (alpha * p["L"] * p["tau"]))
        burn, tail = int(round(z["burn"] * unit)), int(round(z["tail"] * unit))
        row = dict(alpha=alpha, beta=beta, burn=burn, tail=tail)
        for name in ("tt", "asgd"):
            tally = _TallyQuadratic(obj, p["s"])
            if name == "tt":
                algo = algorithms.tiki_taka(dev, dev, alpha=beta, transfer_lr=alpha, transfer_every=1,
                                                      gamma=0.0, pulse_mode="noiseless")
                state = algo.init(np.zeros((R, D)))
            else:
                algo = algorithms.sgd.AnalogSGD(dev, alpha, pulse_mode="noiseless")
                state = algo.init(np.zeros((R, D)))
            g2 = np.zeros(R)
            p_inf2 = np.zeros(R)
            pmax = 0.0
            wmax = 0.0
            for k in range(burn + tail):
                state = algo.step(state, tally, rng)
                W = state.C if name == "tt" else state.W
                wmax = max(wmax, float(np.abs(W).max()))
                if name == "tt":
                    pinf = np.abs(state.A).max(axis=-1)
                    pmax = max(pmax, float(pinf.max()))
                if k >= burn:
                    g2 += np.sum(obj.full_grad(W) ** 2, axis=-1)
                    if name == "tt":
                        p_inf2 += pinf**2
            row[name] = dict(g2=g2 / tail, p_inf2=p_inf2 / tail, pmax=pmax, wmax=wmax,
                             abs_mean=tally.abs_sum / tally.n, sq_mean=tally.sq_sum / tally.n, n=tally.n)
        parts.append(row)
    return dict(size=z, parts=parts, W_star=obj.W_star, L=obj.L, D=D, s=p["s"], tau=p["tau"],
                sigma=float(p["s"] * np.sqrt(D)))


# ----- W25 Fig. 2: the official script S1-TT-fails.py, reimplemented -----------------------------

#: S1-TT-fails.py's setting: 50 weights, 100 rows, W* = 0.5 N(0, 1), X ~ N(0, 1), Y = X W*; lr 0.8 (analog SGD and
#: TT's fast_lr), TT transfer_lr 1 x lr (scale_transfer_lr), gamma 0.4, a full transfer each step; soft bounds
#: +/-3.5, dw_min 1e-4, up_down = c_Lin; desired_bl 8; weights start at 1; 1000 steps (1001 recorded losses)
TTF = dict(n_in=50, n_rows=100, w_scale=0.5, lr=0.8, fast_lr=0.8, transfer_lr=0.8, gamma=0.4, tau=3.5, dw_min=1e-4,
           c_lins=(0.0, 0.1, 0.2, 0.3), bl=8, transfer_bl=31, w0=1.0, steps=1000)


#: aihwkit's variable train length and d-first clipping (pulses.Trains options); off: a fixed BL = 8, the
#: compiled kernel (the NumPy path of the options costs ~10x, over the claim's budget)
BL_MANAGEMENT = False


def ttf_sizes(quick: bool) -> dict:
    return dict(R=2, steps=600) if quick else dict(R=4, steps=TTF["steps"])


class RankOneRegression:
    """``f(W) = ||X W - Y||^2 / (2 n)`` (the script's ``MSELoss()(X W, Y) / 2``, mean over the n rows) whose
    gradient is returned as the per-row outer products aihwkit's analog linear layer pulses
    (:class:`~sptheory.pulses.RankOneUpdate`, x = the rows, d = residuals / n): a full batch applied as n
    rank-1 trains one after another.  ``grad`` draws nothing (no noise: the script's ``w_noise`` is 0)."""

    def __init__(self, X, Y):
        from sptheory.pulses import RankOneUpdate  # noqa: F401  (fail early if missing)

        self.X = np.asarray(X, float)
        self.Y = np.asarray(Y, float)
        if self.X.ndim != 2 or self.Y.shape != (self.X.shape[0],):
            raise ValueError(f"X must be (n, D) and Y (n,), got {self.X.shape} and {self.Y.shape}")
        self.n, self.D = self.X.shape

    def residual(self, W):
        return np.asarray(W, float) @ self.X.T - self.Y

    def f(self, W):
        r = self.residual(W)
        return np.sum(r**2, axis=-1) / (2 * self.n)

    def full_grad(self, W):
        return self.residual(W) @ self.X / self.n

    def grad(self, W, rng=None):
        from sptheory.pulses import RankOneUpdate

        W = np.atleast_2d(np.asarray(W, float))
        R = W.shape[0]
        x = np.broadcast_to(self.X, (R, self.n, self.D))
        d = (self.residual(W) / self.n)[:, :, None]
        return RankOneUpdate(((x, d),))


def ttf_problem(seed: int) -> RankOneRegression:
    """The script's data with NumPy's generator (the script seeds torch with 42; its exact draws are not
    reproduced): ``W* = 0.5 N(0, I_50)``, ``X ~ N(0, 1)^(100 x 50)``, ``Y = X W*`` (no bias)."""
    p = TTF
    rng = np.random.default_rng([seed, 42])
    w_star = p["w_scale"] * rng.standard_normal(p["n_in"])
    X = rng.standard_normal((p["n_rows"], p["n_in"]))
    return RankOneRegression(X, X @ w_star)


def ttf_device(c_lin):
    """aihwkit's ``SoftBoundsReferenceDevice(dw_min=1e-4, up_down=c_Lin, w_max=3.5, w_min=-3.5)`` without
    variations: up steps ``dw_min (1 + c) (1 - w/tau)``, down steps ``dw_min (1 - c) (1 + w/tau)``, i.e.
    W25's ``q_+ = (1 + c)(1 - w/tau)``, ``q_- = (1 - c)(1 + w/tau)``, symmetric point ``c tau``.
    ``c_lin`` a number or an array (per-cell devices, e.g. shape ``(rows, 50)``)."""
    p = TTF
    c = np.asarray(c_lin, float)
    if np.any(np.abs(c) >= 1) or not np.all(np.isfinite(c)):
        raise ValueError(f"c_lin must lie in (-1, 1), got {c_lin!r}")
    return devices.SoftBounds.from_signed_bounds(p["tau"], -p["tau"], p["dw_min"] * (1 + c),
                                                 p["dw_min"] * (1 - c), dw_min=p["dw_min"])


def simulate_tt_fails(quick: bool, seed: int, size: dict | None = None) -> dict:
    """Per ``c_Lin`` and method, R replicates of the script's loop; the recorded loss is the script's
    ``get_loss(for_training=False)`` = ``f(W) / 50`` at the weight the network computes with (W for analog
    SGD, ``gamma A + C`` for TT), before each update (1001 values for 1000 steps).

    Gradient updates are rank-1 pulse trains of the 100 rows one after another, ``Trains(8,
    update_management=True)`` (aihwkit's ``desired_bl = 8`` with update management; its variable train
    length and d-first clipping are :data:`BL_MANAGEMENT`); TT's transfer reads A exactly and writes
    ``transfer_lr * A`` onto C cell by cell with up to 31 pulses (aihwkit's default ``transfer_update``,
    a one-hot input per column).  All (c_Lin, method, replicate) rows are one stacked array with per-row
    devices, so that one pulse-train call per step serves every run: analog SGD's rows hold W, TT's rows
    hold A (their C is kept apart)."""
    from sptheory import pulses

    z = dict(ttf_sizes(quick), **(size or {}))
    p = TTF
    obj = ttf_problem(seed)
    R, K, D = int(z["R"]), int(z["steps"]), p["n_in"]
    cs = [float(c) for c in p["c_lins"]]
    rows = [(c, m) for c in cs for m in ("asgd", "tt")]
    c_row = np.repeat([c for c, _ in rows], R)
    is_tt = np.repeat([m == "tt" for _, m in rows], R)
    dev = ttf_device(np.broadcast_to(c_row[:, None], (c_row.size, D)).copy())
    dev_tt = ttf_device(np.broadcast_to(c_row[is_tt][:, None], (int(is_tt.sum()), D)).copy())
    rng = np.random.default_rng([seed, 7])
    grad_mode = pulses.Trains(p["bl"], update_management=True, bl_management=BL_MANAGEMENT,
                              clip_d_first=BL_MANAGEMENT)
    tr_mode = pulses.Trains(p["transfer_bl"], update_management=True)
    Z = np.where(is_tt[:, None], 0.0, p["w0"]) * np.ones((c_row.size, D))  # analog SGD: W; TT: A
    C = np.full((int(is_tt.sum()), D), p["w0"])                              # TT's slow array
    loss = np.empty((K + 1, c_row.size))
    for k in range(K + 1):
        Wf = Z.copy()
        Wf[is_tt] = C + p["gamma"] * Z[is_tt]
        loss[k] = obj.f(Wf) / D
        if k == K:
            break
        Z = analog_update(dev, Z, -p["lr"] * obj.grad(Wf), rng, grad_mode).w  # lr = fast_lr = 0.8
        C = analog_update(dev_tt, C, p["transfer_lr"] * Z[is_tt], rng, tr_mode).w
    runs = {}
    for j, (c, m) in enumerate(rows):
        sl = slice(j * R, (j + 1) * R)
        runs[(m, c)] = dict(loss=loss[:, sl])
    tt_rows = np.flatnonzero(is_tt)
    for c in cs:
        sel = [i for i, r in enumerate(tt_rows) if c_row[r] == c]
        runs[("tt", c)].update(A_end=Z[tt_rows[sel]], C_end=C[sel])
    return dict(size=z, runs=runs, c_lins=cs, sp=[c * p["tau"] for c in cs])
