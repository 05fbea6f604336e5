"""Applying a requested signed increment ``dW`` to analog cells (SPEC section 1).

Two realisations of the paper's Analog Update (2), (5):

* :func:`apply_exact` -- pulse-exact.  ``n = stochastic_round(|dW| / dw_min)``
  pulses of sign ``sign(dW)`` are fired one after another, each evaluating
  ``q`` at the current weight; optional cycle-to-cycle noise multiplies each
  pulse's step by ``(1 + c2c * xi)``, ``xi ~ N(0, 1)`` (Gaussian, as in
  aihwkit's ``dw_min_std``: for ``xi < -1/c2c`` a pulse moves the wrong way,
  a ``1/c2c``-sigma event); weights are clipped to the device bounds after
  every pulse.
* :func:`apply_model` -- the update model ``W + dW F(W) - |dW| G(W) + b``
  with a Gaussian ``b`` whose mean (0) and variance match the pulse
  discretization to first order.

Both return the per-cell pulse count: pulses are the cost the paper counts.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .devices import Device

__all__ = ["PulseResult", "stochastic_round", "apply_exact", "apply_model", "model_noise_variance"]


class PulseResult(NamedTuple):
    """New weights and the pulses fired per cell.

    ``n_pulses`` is an integer array for :func:`apply_exact` and the expected
    count ``|dW| / dw_min`` (float) for :func:`apply_model`.
    """

    w: np.ndarray
    n_pulses: np.ndarray


def _check_c2c(c2c) -> float:
    c2c = float(c2c)
    if not np.isfinite(c2c) or c2c < 0:
        raise ValueError(f"c2c must be a finite number >= 0, got {c2c!r}")
    return c2c


def _prepare(dev: Device, w, dW):
    if not isinstance(dev, Device):
        raise TypeError(f"dev must be a sptheory.devices.Device, got {type(dev).__name__}")
    w = np.asarray(w, dtype=float)
    dW = np.asarray(dW, dtype=float)
    try:
        shape = np.broadcast_shapes(w.shape, dW.shape, dev.shape)
    except ValueError:
        raise ValueError(
            f"w {w.shape}, dW {dW.shape} and the device's per-cell shape {dev.shape} do not broadcast"
        ) from None
    if not np.all(np.isfinite(dW)):
        raise ValueError("dW must be finite")
    w = np.clip(np.broadcast_to(w, shape), dev.lower, dev.upper)
    return w, np.broadcast_to(dW, shape)


def stochastic_round(x, rng) -> np.ndarray:
    """``floor(x) + Bernoulli(frac(x))`` for ``x >= 0``; ``E[result] = x``."""
    x = np.asarray(x, dtype=float)
    base = np.floor(x)
    return (base + (rng.random(x.shape) < (x - base))).astype(np.int64)


def apply_exact(dev: Device, w, dW, rng, c2c: float = 0.0) -> PulseResult:
    """Pulse-exact Analog Update of ``w`` by the requested increment ``dW``.

    Fires ``n = stochastic_round(|dW|/dw_min)`` pulses of sign ``sign(dW)``
    per cell, sequentially, with clipping to ``[dev.lower, dev.upper]``.

    Fast path (exact, no loop): for an affine device (SoftBounds) without
    cycle-to-cycle noise an up run is the geometric recursion
    ``w_n - upper = (1 - x_up)^n (w_0 - upper)`` (its fixed point is the
    bound, where ``q_plus`` vanishes), and likewise down; when
    ``x = dw_min a/tau > 1`` the first pulse overshoots and is clipped to the
    bound, where the cell then stays.  Otherwise pulses are applied in a loop
    over the pulse index, vectorised over cells.
    """
    c2c = _check_c2c(c2c)
    rng = np.random.default_rng(rng)
    w, dW = _prepare(dev, w, dW)
    n = stochastic_round(np.abs(dW) / dev.dw_min, rng)
    up = dW >= 0
    lower, upper = dev.lower, dev.upper
    if dev.is_affine and c2c == 0.0:
        x_up, _, x_dn, _ = dev.pulse_steps()
        x = np.where(up, x_up, x_dn)
        bound = np.where(up, upper, lower)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(x < 1.0, np.exp(n * np.log1p(-np.minimum(x, 1.0))), 0.0)
        factor = np.where(n == 0, 1.0, factor)
        return PulseResult(bound + factor * (w - bound), n)
    w = w.copy()
    for k in range(int(n.max(initial=0))):
        active = k < n
        x = w - dev.offset
        step = np.where(up, dev.dw_min * dev._qp(x), -dev.dw_min * dev._qm(x))
        if c2c:
            step = step * (1.0 + c2c * rng.standard_normal(w.shape))
        w = np.clip(np.where(active, w + step, w), lower, upper)
    return PulseResult(w, n)


def model_noise_variance(dev: Device, w, dW, c2c: float = 0.0) -> np.ndarray:
    """Variance of the discretization error ``b`` matched to the pulse engine.

    With ``x = |dW|/dw_min`` and ``f = frac(x)``, stochastic rounding gives
    ``Var[n] = f (1 - f)`` and cycle-to-cycle noise adds ``x c2c^2`` pulse
    variances, each pulse moving the cell by ``dw_min q(W)``:

        Var[b] = (dw_min q(W))^2 (f (1 - f) + x c2c^2).

    For ``|dW| < dw_min`` this is ``~ |dW| dw_min q^2`` (Assumption 3.4's
    ``Theta(|dW| dw_min)``); without c2c noise it stays ``<= (dw_min q)^2/4``
    for large ``|dW|``, with c2c noise it grows like ``|dW| dw_min c2c^2 q^2``.
    """
    c2c = _check_c2c(c2c)
    w, dW = _prepare(dev, w, dW)
    x = np.abs(dW) / dev.dw_min
    f = x - np.floor(x)
    q = np.where(dW >= 0, dev.q_plus(w), dev.q_minus(w))
    return (dev.dw_min * q) ** 2 * (f * (1.0 - f) + x * c2c**2)


def apply_model(dev: Device, w, dW, rng, c2c: float = 0.0, noise: bool = True) -> PulseResult:
    """Update model of SPEC section 1 / eqs. (2), (5):

        W_new = W + dW F(W) - |dW| G(W) + b,   E[b] = 0,
        Var[b] = model_noise_variance(dev, W, dW, c2c),

    clipped to the device bounds.  ``noise=False`` gives the noiseless
    recursion the theorems analyse (the ``dw_min -> 0`` limit).  It agrees
    with :func:`apply_exact` to first order in ``dW``; the mean gap is the
    curvature term ``O(dW^2)``.  ``n_pulses`` is the expected count
    ``|dW|/dw_min``.
    """
    rng = np.random.default_rng(rng)
    w, dW = _prepare(dev, w, dW)
    new = w + dW * dev.F(w) - np.abs(dW) * dev.G(w)
    if noise:
        var = model_noise_variance(dev, w, dW, c2c)
        new = new + np.sqrt(var) * rng.standard_normal(w.shape)
    return PulseResult(np.clip(new, dev.lower, dev.upper), np.abs(dW) / dev.dw_min)
