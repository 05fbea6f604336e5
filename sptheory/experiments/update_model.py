"""Pulse-exact Analog Update vs the update model: exact moments of one update.

The experiment behind the claim ``update-model`` (Section 1, eqs. (2), (5);
Assumption 3.4): one requested increment ``dW`` applied once to a cell at a
fixed starting weight ``w0`` by ``pulses.apply_exact`` (``n =
stochastic_round(|dW|/dw_min)`` pulses, q at the current weight) and by
``pulses.apply_model`` (``w0 + dW F(w0) - |dW| G(w0) + b``).  Exact means and
variances where closed forms exist, Monte Carlo of ``apply_exact`` to
cross-check them.  Nothing here decides a verdict.
"""

from __future__ import annotations

import numpy as np

from sptheory import devices, pulses, stats

__all__ = ["W0", "C2C", "soft_device", "power_device", "q_and_derivs", "run_forced", "split", "exact_mean",
           "soft_var", "mc_moments", "constant_device", "trains_mc"]

W0 = 0.5
C2C = 0.2


# ----------------------------------------------------------------------------
# devices and deterministic pulse runs
# ----------------------------------------------------------------------------

def soft_device(dw_min):
    """SoftBounds(a_up=1.2, a_dn=0.8, tau=1) at granularity ``dw_min``."""
    return devices.SoftBounds(a_up=1.2, a_dn=0.8, tau_max=1.0, tau_min=1.0, dw_min=dw_min)


def power_device(dw_min):
    """Power(gamma=2, tau=1) at granularity ``dw_min``."""
    return devices.Power(gamma=2.0, tau_max=1.0, tau_min=1.0, dw_min=dw_min)


def q_and_derivs(dev, w, up):
    """q, q', q'' of the pulse direction's response at w (q'' by central differences of q')."""
    if up:
        q, dq = dev.q_plus(w), dev._dqp(np.asarray(w) - dev.offset)
        h = 1e-5
        d2q = (dev._dqp(w + h - dev.offset) - dev._dqp(w - h - dev.offset)) / (2 * h)
    else:
        q, dq = dev.q_minus(w), dev._dqm(np.asarray(w) - dev.offset)
        h = 1e-5
        d2q = (dev._dqm(w + h - dev.offset) - dev._dqm(w - h - dev.offset)) / (2 * h)
    return float(np.squeeze(q)), float(np.squeeze(dq)), float(np.squeeze(d2q))


def run_forced(dev, w0, sign, counts):
    """Weights after exactly ``counts`` pulses of ``sign`` from ``w0`` (no noise).

    Same recursion as ``pulses.apply_exact`` (q at the current weight, clip
    after each pulse), deterministic because the count is given; vectorised
    over ``counts``.  SoftBounds uses the closed form ``bound + (1-x)^n (w0 - bound)``.
    """
    counts = np.asarray(counts, dtype=np.int64)
    up = sign > 0
    if dev.is_affine:
        x_up, _, x_dn, _ = dev.pulse_steps()
        x = float(np.squeeze(x_up if up else x_dn))
        bound = float(np.squeeze(dev.upper if up else dev.lower))
        return bound + np.exp(counts * np.log1p(-x)) * (w0 - bound)
    w = np.full(counts.shape, float(w0))
    lo, hi = float(np.squeeze(dev.lower)), float(np.squeeze(dev.upper))
    dw = float(np.squeeze(dev.dw_min))
    for k in range(int(counts.max(initial=0))):
        active = k < counts
        step = dw * dev.q_plus(w) if up else -dw * dev.q_minus(w)
        w = np.clip(np.where(active, w + step, w), lo, hi)
    return w


def split(dW, dw_min):
    """Integer part and fractional part ``f`` of ``|dW| / dw_min`` (the stochastic rounding's two counts)."""
    x = np.abs(dW) / dw_min
    base = np.floor(x)
    return base.astype(np.int64), x - base


def exact_mean(dev, w0, dW):
    """E[apply_exact] for a 1-d array of same-signed dW, no c2c: exact mixture over {floor, ceil}."""
    dW = np.asarray(dW, dtype=float)
    sign = 1 if dW[0] >= 0 else -1
    n0, f = split(dW, float(np.squeeze(dev.dw_min)))
    r0 = run_forced(dev, w0, sign, n0)
    r1 = run_forced(dev, w0, sign, n0 + 1)
    return (1 - f) * r0 + f * r1


def soft_var(dev, w0, dW, c2c):
    """Exact Var[apply_exact] on SoftBounds (closed form, no clipping reached).

    With z = w - bound each pulse multiplies z by ``1 - x (1 + c2c xi)``:
    ``E z_n = z0 (1-x)^n``, ``E z_n^2 = z0^2 ((1-x)^2 + x^2 c2c^2)^n``;
    the count is ``n0`` or ``n0 + 1`` with probabilities ``1 - f, f``.
    """
    dW = np.asarray(dW, dtype=float)
    dw = float(np.squeeze(dev.dw_min))
    up = dW >= 0
    x_up, _, x_dn, _ = dev.pulse_steps()
    x = np.where(up, np.squeeze(x_up), np.squeeze(x_dn))
    bound = np.where(up, np.squeeze(dev.upper), np.squeeze(dev.lower))
    z0 = w0 - bound
    n0, f = split(dW, dw)

    def within(n):  # Var of z after n pulses (c2c only), stable form
        g = np.exp(2 * n * np.log1p(-x))
        return z0**2 * g * np.expm1(n * np.log1p(x**2 * c2c**2 / (1 - x) ** 2))

    mean0 = z0 * np.exp(n0 * np.log1p(-x))
    jump = mean0 * x  # E z_{n0} - E z_{n0+1}
    return (1 - f) * within(n0) + f * within(n0 + 1) + f * (1 - f) * jump**2


def mc_moments(dev, w0, dW, R, rng, c2c=0.0):
    """Monte Carlo of pulses.apply_exact: mean and variance estimates with standard errors."""
    if R < 2:
        raise ValueError(f"R must be at least 2 replicates, got {R!r}")
    out = pulses.apply_exact(dev, np.full(R, w0), np.full(R, dW), rng, c2c=c2c).w
    m = stats.mean_ci(out)
    dev2 = (out - out.mean()) ** 2 * R / (R - 1)
    v = stats.mean_ci(dev2)
    return m.mean, m.sem, v.mean, v.sem




# ----------------------------------------------------------------------------
# stochastic pulse trains (Li et al. 2025, Lemma 1; the prior-theory claim prior-trains-var)
# ----------------------------------------------------------------------------

def constant_device(dw_min, bound=10.0):
    """A device with constant response ``q_pm = 1`` on ``[-bound, bound]``: every pulse moves the
    weight by exactly ``dw_min``, so an update's error is the pulse-count discretisation alone."""
    one = lambda x: np.ones_like(np.asarray(x, dtype=float))  # noqa: E731
    zero = lambda x: np.zeros_like(np.asarray(x, dtype=float))  # noqa: E731
    return devices.Custom(q_plus=one, q_minus=one, lower=-bound, upper=bound, dw_min=dw_min,
                          dq_plus=zero, dq_minus=zero)


def trains_mc(dev, dW, bl, R, rng):
    """Monte Carlo of ``pulses.apply_trains`` (plain-array form: per cell
    ``Binomial(bl, |dW|/(dw_min bl))`` pulses) from ``w = 0``: per cell of the 1-d ``dW``, the error
    ``b = w_after - dW``'s mean, its standard error, the variance estimate and its standard error."""
    if R < 2:
        raise ValueError(f"R must be at least 2 replicates, got {R!r}")
    dW = np.asarray(dW, dtype=float)
    out = pulses.apply_trains(dev, np.zeros((R, dW.size)), np.broadcast_to(dW, (R, dW.size)), rng, bl=bl).w
    b = out - dW
    m = b.mean(axis=0)
    sem = b.std(axis=0, ddof=1) / np.sqrt(R)
    d2 = (b - m) ** 2 * R / (R - 1)
    return m, sem, d2.mean(axis=0), d2.std(axis=0, ddof=1) / np.sqrt(R)
