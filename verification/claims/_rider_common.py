"""Shared settings of the Thm 3.7 claims (``rider-rate``, ``rider-floor``, ``rider-bound``).

Not a claim module (no ``ID``): the devices and problems the three claims
simulate on, so that they, and ``paper_figs.thm37``, use the same ones.

Device satisfying Def. 2.1 globally (SPEC 9.9): ``q_pm(w) = 1 -/+ a tanh(w - s)``,
so ``F = 1``, ``G = a tanh(w - s)``, ``1 - a <= q <= 1 + a`` on the whole
line (bounds at +/- B only so the pulse engine has somewhere to clip; they
are never reached in these runs), SP at the offset ``s``.
"""

from __future__ import annotations

import numpy as np

from sptheory import devices, objectives

__all__ = ["tanh_device", "soft_device", "sp_offsets", "quadratic", "TANH_A", "BOUND_B"]

TANH_A = 0.5   # asymmetry amplitude a: q in [0.5, 1.5] everywhere
BOUND_B = 5.0  # clipping bounds +/- B (never reached)


def sp_offsets(D, rng, mean, spread):
    """Per-cell SP offsets ``mean + spread * N(0, 1)`` (nonzero mean, cell-to-cell spread)."""
    return mean + spread * np.random.default_rng(rng).standard_normal(D)


def tanh_device(D, rng, dw_min=1e-3, a=TANH_A, mean=0.4, spread=0.2) -> devices.Tanh:
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
