"""Results of Wu, Xian, Gokmen, Fagbohungbe, Chen, "Analog in-memory training on general
non-ideal resistive elements: the impact of response functions" (NeurIPS 2025, arXiv
2502.06309; "W25", the seed paper's "Wu et al., 2025"), as numeric functions beside their
sympy form.

The paper's full text was not reachable from this workspace (only its abstract); the
statements checked are the ones named in issue 21, written out in each docstring.

* :func:`thm2_floor` -- W25 Thm 2 / eq. (21): the asymptotic error of analog SGD is at
  most ``2 sigma^2 S`` (plus terms vanishing with K); compared with W24 Thm 3's lower
  bound ``4 sigma^2 S`` (:func:`sptheory.bounds.wu2024.thm3_lower_printed`).
* :func:`gd_linear_rate_bound` -- noiseless analog GD under the PL inequality (W25 Thm 6
  form, the control): ``f(W_K) - f* <= (1 - alpha mu q_min)^K (f(W_0) - f*)`` for
  ``alpha <= 1/(L q_max)``; derived in :func:`gd_linear_rate_bound_expr` from the same
  per-step decrease as :func:`sptheory.bounds.wu2024.gd_average_rate_bound`.
* :func:`implicit_penalty_point` -- W25 Thm 1 / Thm 5 (the implicit penalty): the stationary
  point of analog SGD on a quadratic, ``W~ = (H + Sigma R')^-1 (H W* + Sigma R' W_sp)`` with
  ``Sigma = E|grad f(W*; xi)|`` (Theta(sigma), not the Theta(sigma^2) of the seed's eq. (4)).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import _checks as C
from ._symbolic import BoundExpr, make
from .wu2024 import _nonneg, _out, _pos, gd_average_rate_bound_expr

__all__ = ["thm2_floor", "thm2_floor_expr", "gd_linear_rate_bound", "gd_linear_rate_bound_expr",
           "implicit_penalty_point", "implicit_penalty_point_expr"]


@lru_cache(maxsize=None)
def thm2_floor_expr() -> BoundExpr:
    import sympy as sp

    sigma, S = sp.symbols("sigma S", positive=True)
    return make(2 * sigma**2 * S, (sigma, S))


def thm2_floor(sigma, S):
    """W25 Thm 2 (eq. (21)) asymptotic-error term of analog SGD: ``2 sigma^2 S`` (an upper bound).

    sigma: gradient-noise standard deviation; S: saturation ``||W||_inf^2/tau^2`` along the run."""
    return _out(2.0 * _nonneg("sigma", sigma) ** 2 * _nonneg("S", S))


@lru_cache(maxsize=None)
def gd_linear_rate_bound_expr() -> BoundExpr:
    """Per step ``f_{k+1} <= f_k - (alpha q_min/2) ||grad f_k||^2`` (W24 descent lemma,
    ``alpha <= 1/(L q_max)``) and PL ``||grad f||^2 >= 2 mu (f - f*)`` give
    ``f_{k+1} - f* <= (1 - alpha mu q_min)(f_k - f*)``."""
    import sympy as sp

    alpha, mu, qmin, K, gap0, gap = sp.symbols("alpha mu q_min K f_gap0 gap", positive=True)
    gd_average_rate_bound_expr()  # the per-step decrease it rests on (raises if not shown)
    one_step = sp.expand(gap - alpha * qmin / 2 * 2 * mu * gap)
    factor = sp.simplify(one_step / gap)
    if sp.simplify(factor - (1 - alpha * mu * qmin)) != 0:
        raise RuntimeError(f"contraction factor {factor}")
    return make(factor**K * gap0, (gap0, alpha, mu, qmin, K), factor=factor)


def gd_linear_rate_bound(f_gap0, alpha, mu, q_min, K):
    """Noiseless analog GD under PL (W25 Thm 6 form): ``f(W_K) - f* <= (1 - alpha mu q_min)^K (f(W_0) - f*)``.

    Upper bound (linear rate) for ``alpha <= 1/(L q_max)``; mu the PL constant, q_min the smallest
    response over the visited range, K >= 0 steps."""
    g = _nonneg("f_gap0", f_gap0)
    a, m, qm = _pos("alpha", alpha), _pos("mu", mu), _pos("q_min", q_min)
    k = _nonneg("K", K)
    r = 1.0 - a * m * qm
    C.require("alpha", a, r >= 0, "such that alpha mu q_min <= 1")
    return _out(g * r**k)


@lru_cache(maxsize=None)
def implicit_penalty_point_expr() -> BoundExpr:
    """1-D zero drift of analog SGD's update model with ``R = G/F`` linearised at the SP,
    ``R(w) ~ R' (w - w_sp)``: ``h (w - w*) + Sigma R' (w - w_sp) = 0`` (W25 Thm 1 / Thm 5), solved by
    sympy; ``steps['bias']`` is ``w~ - w*`` (same sign as ``w_sp - w*``: pulled towards the SP)."""
    import sympy as sp

    h, Sig, Rp = sp.symbols("h Sigma R_prime", positive=True)
    w_star, w_sp, w = sp.symbols("w_star w_sp w", real=True)
    (root,) = sp.solve(sp.Eq(h * (w - w_star) + Sig * Rp * (w - w_sp), 0), w)
    closed = (h * w_star + Sig * Rp * w_sp) / (h + Sig * Rp)
    if sp.simplify(root - closed) != 0:
        raise RuntimeError(f"root {root} differs from the closed form {closed}")
    bias = sp.simplify(root - w_star)
    return make(root, (h, w_star, Sig, Rp, w_sp), bias=bias, d_bias_d_Sigma_at_0=sp.diff(bias, Sig).subs(Sig, 0))


def implicit_penalty_point(h, w_star, Sigma, R_prime, w_sp):
    """W25 Thm 1 / Thm 5 stationary point, per coordinate of a diagonal quadratic:
    ``(h w* + Sigma R' w_sp) / (h + Sigma R')``.

    h: curvature (H's diagonal); w_star: minimiser; Sigma = E|grad f(W*; xi)| (Theta(sigma));
    R_prime: slope of R = G/F at the SP (1/tau for a symmetric soft-bounds device); w_sp: the SP.
    A tight value of the linearised zero-drift condition (not a bound)."""
    h_, S, Rp = _pos("h", h), _nonneg("Sigma", Sigma), _nonneg("R_prime", R_prime)
    ws = C.as_float_array("w_star", w_star)
    sp_ = C.as_float_array("w_sp", w_sp)
    C.require("w_star", ws, np.isfinite(ws), "finite")
    C.require("w_sp", sp_, np.isfinite(sp_), "finite")
    return _out((h_ * ws + S * Rp * sp_) / (h_ + S * Rp))
