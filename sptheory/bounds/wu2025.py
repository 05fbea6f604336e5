"""Results of Wu, Xian, Gokmen, Fagbohungbe, Chen, "Analog in-memory training on general
non-ideal resistive elements: the impact of response functions" (NeurIPS 2025, arXiv
2502.06309; "W25", the seed paper's "Wu et al., 2025"), as numeric functions beside their
sympy form.

Source: the arXiv v3 text as extracted in the public repository captaindpt/analog-gradients
(``papers/papers-markdown/2502.06309v3.md``), read for issue 21.  Notation: ``F = (Q- + Q+)/2``,
``G = (Q- - Q+)/2`` (eq. (4)), ``R(W) = Q+ Q-`` (the saturation vector of eq. (61)/(138)); for the
symmetric linear device ``q_pm = 1 -/+ w/tau``: ``F = 1``, ``G = w/tau``, ``R = 1 - w^2/tau^2``.

* :func:`thm2_floor` -- W25 Thm 2 is printed as an order bound, ``E_K <= O(sqrt(sigma^2/K) + sigma^2
  S^ASGD_K)`` (eq. (8)), ``S^ASGD_K = (1/K) sum ||G/sqrt(F)||_inf^2``.  Its explicit constants are in the
  proof: eq. (69) ``16 F_max^2 sqrt(...) + 8 F_max sigma^2 S^ASGD_K`` (:func:`thm2_proof_floor`), and, when
  saturation never happens, Remark 1 (eq. (71), restated in App. B eqs. (20)-(21)):
  ``... + 2 F_max sigma^2 (1/K) sum ||G/sqrt F||_inf^2 / min R(W_k)``, for the linear device
  ``2 sigma^2 S_K`` with W24's amplification factor ``S_K = (1/K) sum (||W||^2/tau^2)/(1 - ||W||^2/tau^2)``.
  :func:`thm2_floor` is that ``2 sigma^2 S_K``.
* :func:`gd_linear_rate_bound` -- noiseless analog GD under the PL inequality: a derived control
  (this package's sympy, descent lemma), NOT a statement of W25: W25 Thm 6 (eqs. (132)-(133)) gives only
  average-gradient rates ``8 L (f(W0) - f*) F_max^2/K`` and ``2 L (f(W0) - f*) F_max^2/(K R_min)``.
* :func:`implicit_penalty_point` -- the stationary point of analog SGD on a quadratic with the
  penalty of Thm 1 / Thm 5 (eqs. (7), (47), (49), (51): ``f_Sigma = f + <Sigma, R_c>``, ``R_c' = G/F``),
  ``W~ = (H + Sigma R')^-1 (H W* + Sigma R' W_sp)``, ``Sigma = E|grad f(W; xi) - grad f(W)|`` (Thm 1's
  constant; ``E|grad f(W*; xi)|`` at W*).  Eqs. (48) and (50) print the minus sign,
  ``(H - R' Sigma)^-1 (H W* - R' Sigma W_sp)`` (:func:`implicit_penalty_point_printed`), which is the stationary
  point of ``f - <Sigma, R_c>``, not of (47)/(49)/(51): erratum ``errata/w25-thm5-sign``
  (:func:`errata_thm5_sign`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from . import _checks as C
from ._symbolic import BoundExpr, make
from .wu2024 import _nonneg, _out, _pos, gd_average_rate_bound_expr

__all__ = ["thm6_average", "thm6_average_expr", "thm2_floor", "thm2_floor_expr", "thm2_proof_floor", "gd_linear_rate_bound", "gd_linear_rate_bound_expr",
           "implicit_penalty_point", "implicit_penalty_point_expr", "implicit_penalty_point_printed",
           "ErrataThm5Sign", "errata_thm5_sign"]


@lru_cache(maxsize=None)
def thm6_average_expr() -> BoundExpr:
    """W25 Thm 6, eq. (133), from its proof's eq. (143): ``2 (f(W0) - f*) F_max/(alpha K R_min)`` at the proof's
    step ``alpha = 1/(L F_max)`` gives ``2 L (f(W0) - f*) F_max^2/(K R_min)``."""
    import sympy as sp

    gap0, L, Fm, Rm, K, alpha = sp.symbols("f_gap0 L F_max R_min K alpha", positive=True)
    at_alpha = 2 * gap0 * Fm / (alpha * K * Rm)
    expr = sp.simplify(at_alpha.subs(alpha, 1 / (L * Fm)))
    if sp.simplify(expr - 2 * L * gap0 * Fm**2 / (K * Rm)) != 0:
        raise RuntimeError(f"eq. (133) not recovered: {expr}")
    return make(expr, (gap0, L, Fm, Rm, K), at_alpha=at_alpha, step=1 / (L * Fm))


def thm6_average(f_gap0, L, F_max, R_min, K):
    """W25 Thm 6, eq. (133): noiseless analog GD, ``(1/K) sum_{k<K} ||grad f(W_k)||^2 <= 2 L (f(W0) - f*) F_max^2/(K R_min)``
    (upper bound), at the proof's step size ``alpha = 1/(L F_max)`` (eq. (143); the statement names none).
    f_gap0 = f(W0) - f*; L: smoothness; F_max: a bound on ``F = (q+ + q-)/2`` over the visited range; R_min > 0:
    ``min_k min q+(W_k) q-(W_k)``; K >= 1."""
    g, L_, Fm, Rm, k = (_nonneg("f_gap0", f_gap0), _pos("L", L), _pos("F_max", F_max), _pos("R_min", R_min),
                        _pos("K", K))
    return _out(2.0 * L_ * g * Fm**2 / (k * Rm))


@lru_cache(maxsize=None)
def thm2_floor_expr() -> BoundExpr:
    import sympy as sp

    sigma, S = sp.symbols("sigma S", positive=True)
    return make(2 * sigma**2 * S, (sigma, S))


def thm2_floor(sigma, S):
    """W25 Remark 1 (eq. (71) = App. B eqs. (20)-(21)), the explicit form of Thm 2 without saturation, on the
    linear device: asymptotic-error term of analog SGD ``2 sigma^2 S`` (an upper bound).

    sigma: gradient-noise standard deviation; S: W24's amplification factor
    ``(1/K) sum (||W_k||_inf^2/tau^2)/(1 - ||W_k||_inf^2/tau^2)`` along the run."""
    return _out(2.0 * _nonneg("sigma", sigma) ** 2 * _nonneg("S", S))


def thm2_proof_floor(sigma, S_plain, F_max=1.0):
    """W25 Thm 2's proof, eq. (69): asymptotic-error term ``8 F_max sigma^2 S^ASGD_K`` (an upper bound), with
    ``S^ASGD_K = (1/K) sum ||G(W_k)/sqrt(F(W_k))||_inf^2`` (``||W||_inf^2/tau^2`` on the linear device, F_max = 1).
    sigma: noise standard deviation; S_plain: that average; F_max: the largest symmetric response."""
    return _out(8.0 * _pos("F_max", F_max) * _nonneg("sigma", sigma) ** 2 * _nonneg("S_plain", S_plain))


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


def implicit_penalty_point_printed(h, w_star, Sigma, R_prime, w_sp):
    """W25 eq. (50) (= eq. (48) in 1-D) as printed: ``(h w* - R' Sigma w_sp)/(h - R' Sigma)`` (``h > R' Sigma``).
    Arguments as :func:`implicit_penalty_point`.  The bias it predicts points away from the SP; see
    :func:`errata_thm5_sign`."""
    h_, S, Rp = _pos("h", h), _nonneg("Sigma", Sigma), _nonneg("R_prime", R_prime)
    C.require("Sigma", S, h_ - S * Rp > 0, f"such that h - Sigma R' > 0 (h = {h_}, R' = {Rp})")
    ws = C.as_float_array("w_star", w_star)
    sp_ = C.as_float_array("w_sp", w_sp)
    C.require("w_star", ws, np.isfinite(ws), "finite")
    C.require("w_sp", sp_, np.isfinite(sp_), "finite")
    return _out((h_ * ws - S * Rp * sp_) / (h_ - S * Rp))


class ErrataThm5Sign(NamedTuple):
    """errata/w25-thm5-sign (sympy, 1-D).

    printed:       eq. (50) ``(h w* - R' Sigma w_sp)/(h - R' Sigma)``
    minimiser_49:  the minimiser of eq. (49)/(47) ``f + Sigma R_c`` (``R_c' = R' (w - w_sp)``)
    zero_drift:    the root of the mean update ``-(f'(w) F + Sigma G)``, ``G/F = R' (w - w_sp)`` (eq. (46)
                   written with U(W, D) = W + D F - |D| G)
    printed_is_minimiser_of_minus: True if eq. (50) is the stationary point of ``f - Sigma R_c`` instead
    drift_at_printed: the mean drift at eq. (50)'s point: ``2 h R' Sigma (w* - w_sp)/(h - R' Sigma)``, first
                   order in ``w_sp - w*`` (Thm 5 claims ``O((w_sp - w*)^2)``)
    """

    printed: object
    minimiser_49: object
    zero_drift: object
    printed_is_minimiser_of_minus: bool
    drift_at_printed: object


def errata_thm5_sign() -> ErrataThm5Sign:
    """Eq. (48)/(50) of W25 against its own eqs. (46)-(47), (49), (51) (sympy)."""
    import sympy as sp

    h, Sig, Rp = sp.symbols("h Sigma R_prime", positive=True)
    w_star, w_sp, w = sp.symbols("w_star w_sp w", real=True)
    printed = (h * w_star - Rp * Sig * w_sp) / (h - Rp * Sig)
    pen = h / 2 * (w - w_star) ** 2 + Sig * Rp / 2 * (w - w_sp) ** 2      # f + Sigma R_c, R_c' = R' (w - w_sp)
    (mini,) = sp.solve(sp.diff(pen, w), w)
    (zero,) = sp.solve(sp.Eq(h * (w - w_star) + Sig * Rp * (w - w_sp), 0), w)
    minus = h / 2 * (w - w_star) ** 2 - Sig * Rp / 2 * (w - w_sp) ** 2
    (mini_minus,) = sp.solve(sp.diff(minus, w), w)
    is_minus = sp.simplify(mini_minus - printed) == 0
    if sp.simplify(mini - implicit_penalty_point_expr().expr.subs(
            {sp.Symbol("Sigma", positive=True): Sig})) != 0 or sp.simplify(mini - zero) != 0:
        raise RuntimeError("minimiser of (49) and zero drift disagree")
    drift = sp.factor(sp.simplify(h * (printed - w_star) + Sig * Rp * (printed - w_sp)))
    return ErrataThm5Sign(printed, mini, zero, bool(is_minus), drift)
