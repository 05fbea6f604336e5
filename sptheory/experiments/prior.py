"""Settings and simulations behind the "prior theory" claims (issue 21).

* :func:`simulate_gd` -- noiseless analog GD (W24 Thm 9 / W25 Thm 6, the controls) on a
  diagonal quadratic with an asymmetric soft-bounds device, update model without noise
  (``pulse_mode="noiseless"``: the theorems' recursion).
* :func:`simulate_asgd_floor` -- W24's analog SGD (symmetric linear device
  ``q_pm = 1 -/+ w/tau``, two-point Rademacher noise, 1-D quadratic) at several step sizes
  alpha towards 0: the asymptotic ``|grad f|^2`` and the saturation ``S = W^2/tau^2`` along
  the run.

Pure functions of ``(quick, seed, size)``; nothing here decides a verdict.
"""

from __future__ import annotations

import numpy as np

from scipy import optimize

from sptheory import algorithms, devices, objectives
from sptheory.algorithms.base import analog_update

__all__ = ["GD", "FLOOR", "PENALTY", "gd_sizes", "floor_sizes", "penalty_sizes", "simulate_gd",
           "simulate_asgd_floor", "simulate_penalty", "penalty_device", "mean_field_point"]

#: noiseless analog GD control: device, problem, step-size fraction of 1/(L q_max), sizes
GD = dict(a_up=1.2, a_dn=0.8, tau=1.0, D=8, A_lo=0.5, A_hi=2.0, w_star=0.4, w0=0.6, box=0.75, step_frac=0.5,
          dw_min=1e-3)
#: W24 Thm 3 setting: f = L/2 (w - w*)^2, g = L (w - w*) + sigma eps (eps = +/-1), q_pm = 1 -/+ w/tau
FLOOR = dict(L=1.0, w_star=0.5, sigma=1.0, tau=1.0, dw_min=1e-3, ps=(0.5, 0.8))
#: W25 implicit penalty: f = h/2 (w - w*)^2, Gaussian noise sigma, q_pm = 1 -/+ (w - s)/tau (SP s, R = (w - s)/tau)
PENALTY = dict(h=1.0, w_star=0.0, s=0.3, tau=1.0, alpha=0.005, dw_min=1e-3)


def gd_sizes(quick: bool) -> dict:
    return dict(R=16, K=500) if quick else dict(R=64, K=1000)


def floor_sizes(quick: bool) -> dict:
    if quick:
        return dict(alphas=[0.02, 0.014, 0.01, 0.007, 0.005], R=500, burn=8.0, tail=24.0)
    return dict(alphas=[0.02, 0.01, 0.005, 0.0025, 0.00125], R=600, burn=10.0, tail=40.0)


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


def simulate_gd(quick: bool, seed: int, size: dict | None = None) -> dict:
    """Noiseless analog GD from R random starts: per replicate ``||grad f(W_k)||^2`` and
    ``f(W_k) - f*`` at every k, and the visited range per coordinate."""
    z = dict(gd_sizes(quick), **(size or {}))
    R, K = int(z["R"]), int(z["K"])
    dev, obj, alpha = gd_problem(seed)
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
                dev=dev)


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
