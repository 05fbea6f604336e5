"""Results of Wu, Gokmen, Rasch, Chen, "Towards exact gradient-based training on analog
in-memory computing" (NeurIPS 2024, arXiv 2406.12774; "W24"), as numeric functions beside
their sympy form.

Source: the arXiv v1 text as extracted in the public repository captaindpt/analog-gradients
(``papers/papers-markdown/2406.12774v1.md``), read for issue 21 (Thm 2 eq. (9), Thm 3 eq. (10) and App. G.2,
Thm 9 eq. (53) and App. F, Thm 4 and App. H).  Constants derived here (sympy) are named as such.

Setting (W24's analog SGD): the symmetric linear device (ALD) ``q_pm(w) = 1 -/+ w/tau``
(``devices.SoftBounds(a_up=1, a_dn=1, tau_max=tau, tau_min=tau)``, so ``F = 1``,
``G = w/tau``) and the recursion (3)

    W_{k+1} = W_k - alpha g_k - (alpha/tau) |g_k| * W_k ,    g_k = grad f(W_k; xi_k).

* :func:`thm9_printed` / :func:`thm9_proof` -- W24 Thm 9 (noiseless analog GD): eq. (53) as printed,
  ``2 (f(W0) - f*) L/(K (1 - W_max^2/tau^2))`` for any ``alpha <= 1/L``, and its proof's eq. (58) with
  ``1/alpha`` in place of L (:func:`thm9_expr`: printed/proof = ``alpha L``).
* :func:`gd_average_rate_bound` -- a descent-lemma form ``2 (f(W_0) - f*)/(alpha q_min K)``
  (``alpha <= 1/(L q_max)``), derived here; no longer judged by a claim (kept for
  :func:`sptheory.bounds.wu2025.gd_linear_rate_bound_expr`).
* :func:`thm3_lower_printed` -- W24 Thm 3 as stated: the asymptotic error of analog SGD
  is ``4 sigma^2 S_K + Theta(alpha)`` on the instance of App. G.2.
* :func:`thm3_step_expr`, :func:`thm3_limit`, :func:`thm3_conditions`, :func:`errata_thm3_step` -- Thm 3's
  instance (eq. (67): ``p_k = (1 - w_k/tau)/2``) redone: eq. (98) drops eq. (97)'s 1/2, and the corrected
  limit is ``sigma^2 S_K`` (erratum ``errata/w24-thm3-constant``).
* :func:`asgd_limit_error`, :func:`asgd_limit_two_point`, :func:`asgd_limit_error_upper` -- the
  ``alpha -> 0`` limit on a 1-D quadratic with a FIXED-p two-point noise (outside Thm 3's instance) and, for
  any zero-mean noise of variance ``sigma^2``, the ceiling ``sigma^2 S/(1 - S)`` (plain S), i.e.
  ``sigma^2 S_K`` with Thm 2's amplification factor (:func:`errata_thm3_constant`).

Tiki-Taka (W24 Sec. 4, Thm 4, Assumption 5 and the proof in its App. H; text read from the
arXiv v1 as extracted in the public repository captaindpt/analog-gradients,
``papers/papers-markdown/2406.12774v1.md``):

* Assumption 5: the noise coordinates are i.i.d. with ``E eps_i = 0``, ``E eps_i^2 <= sigma^2/D``
  and ``E|g + eps_i| >= c sigma`` for every real ``g``.  At ``g = 0`` and by Jensen,
  ``c sigma <= E|eps_i| <= sqrt(E eps_i^2) <= sigma/sqrt(D)``: :func:`assumption5_c_max`
  (``c <= 1/sqrt(D)``; Gaussian noise: ``c = sqrt(2/pi)/sqrt(D)``, :func:`assumption5_c_gaussian`).
* Thm 4: ``E||P_k||_inf^2 <= P_max^2 = 41 L^2 tau^4 D/(c^2 sigma^2)`` (:func:`thm4_pmax2`) and, if
  ``33 P_max^2/tau^2 < 1`` (:func:`thm4_saturation_condition`), ``E_K <= O(sqrt((f(W0) - f*) sigma^2 L/K)
  / (1 - 33 P_max^2/tau^2))``.  The proof's last step (eqs. (138)-(140)) divides by
  ``1 - 128/(c^2 D) - 32 P_max^2/tau^2`` (:func:`thm4_final_factor`), which Assumption 5 makes at most
  ``-127``: the proof yields no bound (erratum ``errata/w24-thm4-factor``, :func:`errata_thm4_factor`).

``S`` is the saturation ``W^2/tau^2`` at the stationary point (per coordinate, the
``||W||_inf^2/tau^2`` of the statement in 1-D).  Importing this module does not import sympy.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

import numpy as np

from . import _checks as C
from ._symbolic import BoundExpr, make

__all__ = [
    "gd_step_condition",
    "gd_average_rate_bound",
    "gd_average_rate_bound_expr",
    "thm9_printed",
    "thm9_proof",
    "thm9_expr",
    "thm3_lower_printed",
    "asgd_stationary_point",
    "asgd_stationary_point_expr",
    "asgd_limit_error",
    "asgd_limit_two_point",
    "asgd_limit_error_upper",
    "asgd_limit_error_upper_expr",
    "ErrataThm3Constant",
    "errata_thm3_constant",
    "thm3_step_expr",
    "thm3_limit",
    "thm3_conditions",
    "ErrataThm3Step",
    "errata_thm3_step",
    "assumption5_c_max",
    "assumption5_c_max_expr",
    "assumption5_c_gaussian",
    "thm4_pmax2",
    "thm4_pmax2_expr",
    "thm4_saturation_condition",
    "thm4_final_factor",
    "thm4_final_factor_expr",
    "ErrataThm4Factor",
    "errata_thm4_factor",
]


def _pos(name, value):
    a = C.as_float_array(name, value)
    C.require(name, a, np.isfinite(a) & (a > 0), "positive and finite")
    return a


def _nonneg(name, value):
    a = C.as_float_array(name, value)
    C.require(name, a, np.isfinite(a) & (a >= 0), "non-negative and finite")
    return a


def _out(x):
    return float(x) if np.ndim(x) == 0 else x


# --------------------------------------------------------------------------
# noiseless analog GD (W24 Thm 9 / W25 Thm 6): the controls
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def gd_average_rate_bound_expr() -> BoundExpr:
    """Descent lemma for one analog GD step, per coordinate, and the telescoped bound.

    A coordinate moves by ``-alpha q g`` with ``q in [q_min, q_max]`` its response in the
    step's direction, so L-smoothness gives a decrease of at least
    ``alpha q g^2 (1 - L alpha q / 2)``.  For ``alpha <= 1/(L q_max)`` this is at least
    ``alpha q_min g^2 / 2`` (checked below at the worst alpha, at both ends of ``q``; the
    coefficient is concave in q).  Summing over K steps:
    ``(1/K) sum ||grad f||^2 <= 2 (f(W0) - f*) / (alpha q_min K)``.
    """
    import sympy as sp

    alpha, L, q, qmin, qmax, K, gap0 = sp.symbols("alpha L q q_min q_max K f_gap0", positive=True)
    coeff = alpha * q * (1 - L * alpha * q / 2)          # decrease per unit g^2
    worst = coeff.subs(alpha, 1 / (L * qmax))            # coeff/alpha decreases in alpha
    margin = sp.simplify(worst - qmin / (2 * L * qmax))  # minus alpha q_min / 2 at that alpha
    # concave in q: check the ends q = q_min and q = q_max (with q_min <= q_max)
    t = sp.Symbol("t", nonnegative=True)                  # q_max = q_min + t
    ends = [sp.simplify(margin.subs(q, qmin).subs(qmax, qmin + t)),
            sp.simplify(margin.subs(q, qmax).subs(qmax, qmin + t))]
    for e in ends:
        num, den = sp.fraction(sp.together(e))
        if not (sp.expand(num).is_nonnegative or all(c >= 0 for c in sp.Poly(sp.expand(num), t, qmin).coeffs())):
            raise RuntimeError(f"descent-lemma margin not shown non-negative: {e}")
    if sp.diff(coeff, q, 2).is_positive:
        raise RuntimeError("descent coefficient is not concave in q")
    bound = 2 * gap0 / (alpha * qmin * K)
    return make(bound, (gap0, alpha, qmin, K), coeff=coeff, margin=margin, step_condition=1 / (L * qmax))


def gd_step_condition(L, q_max):
    """Largest step size of :func:`gd_average_rate_bound`: ``alpha <= 1/(L q_max)``.

    L: smoothness constant of f; q_max: largest response on the visited range.
    """
    return _out(1.0 / (_pos("L", L) * _pos("q_max", q_max)))


def gd_average_rate_bound(f_gap0, alpha, q_min, K):
    """Noiseless analog GD, time-averaged squared gradient (W24 Thm 9 / W25 Thm 6 form):

        (1/K) sum_{k<K} ||grad f(W_k)||^2 <= 2 (f(W_0) - f*) / (alpha q_min K).

    Upper bound (rate O(1/K)) for ``alpha <= 1/(L q_max)`` (:func:`gd_step_condition`),
    ``q_min``/``q_max`` the extreme responses over the visited range (Def. 2.1).
    f_gap0 = f(W_0) - f*; alpha the step size; K >= 1 the number of steps.
    Constants derived in :func:`gd_average_rate_bound_expr` (not W24's eq. (53) nor W25's eq. (133)).
    """
    g = _nonneg("f_gap0", f_gap0)
    a, qm, k = _pos("alpha", alpha), _pos("q_min", q_min), _pos("K", K)
    C.require("K", k, k >= 1, ">= 1")
    return _out(2.0 * g / (a * qm * k))


@lru_cache(maxsize=None)
def thm9_expr() -> BoundExpr:
    """W24 Thm 9 (App. F): eq. (53) as printed, ``2 (f(W0) - f*) L/(K (1 - W_max^2/tau^2))`` for any
    ``alpha <= 1/L``, against its proof's last line, eq. (58), ``2 (f(W0) - f*)/(alpha K (1 - W_max^2/tau^2))``.
    ``expr`` is (58) in ``(f_gap0, alpha, K, W_max, tau)``; ``steps['printed']`` is (53) in
    ``(f_gap0, L, K, W_max, tau)``; ``steps['ratio']`` = printed/proof = ``alpha L`` (<= 1: the printed bound is
    smaller than what the proof gives unless alpha = 1/L)."""
    import sympy as sp

    gap0, alpha, L, K, Wm, tau = sp.symbols("f_gap0 alpha L K W_max tau", positive=True)
    sat = 1 - Wm**2 / tau**2
    proof = 2 * gap0 / (alpha * K * sat)
    printed = 2 * gap0 * L / (K * sat)
    ratio = sp.simplify(printed / proof)
    if sp.simplify(ratio - alpha * L) != 0:
        raise RuntimeError(f"printed/proof = {ratio}")
    return make(proof, (gap0, alpha, K, Wm, tau), printed=printed, ratio=ratio)


def _thm9_args(f_gap0, K, W_max, tau):
    g, k, t = _nonneg("f_gap0", f_gap0), _pos("K", K), _pos("tau", tau)
    wm = _nonneg("W_max", W_max)
    C.require("W_max", wm, wm < t, f"< tau = {t} (Assumption 4)")
    return g, k, 1.0 - wm**2 / t**2


def thm9_printed(f_gap0, L, K, W_max, tau):
    """W24 Thm 9, eq. (53) as printed: ``(1/K) sum_{k<K} ||grad f(W_k)||^2 <= 2 (f(W0) - f*) L/(K (1 - W_max^2/tau^2))``
    for analog GD on the ALD with ``alpha <= 1/L``.  f_gap0 = f(W0) - f*; L: smoothness; K >= 1; W_max < tau:
    Assumption 4's bound on ``||W_k||_inf``; tau: the device bound.  Holds only at alpha = 1/L (:func:`thm9_expr`)."""
    g, k, sat = _thm9_args(f_gap0, K, W_max, tau)
    return _out(2.0 * g * _pos("L", L) / (k * sat))


def thm9_proof(f_gap0, alpha, K, W_max, tau):
    """W24 Thm 9's proof, eq. (58): ``(1/K) sum_{k<K} ||grad f(W_k)||^2 <= 2 (f(W0) - f*)/(alpha K (1 - W_max^2/tau^2))``
    for ``alpha <= 1/L`` (the corrected statement).  Arguments as :func:`thm9_printed`, alpha the step size."""
    g, k, sat = _thm9_args(f_gap0, K, W_max, tau)
    return _out(2.0 * g / (_pos("alpha", alpha) * k * sat))


# --------------------------------------------------------------------------
# analog SGD's asymptotic error (W24 Thm 3 vs the exact limit)
# --------------------------------------------------------------------------

def thm3_lower_printed(sigma, S):
    """W24 Thm 3 as stated: ``lim inf E_K >= 4 sigma^2 S_K`` (plus a Theta(alpha) term).

    A lower bound on the asymptotic time-averaged ``||grad f||^2`` of analog SGD on a
    quadratic with the symmetric linear device and a two-point noise.  Refuted: see
    :func:`errata_thm3_constant`.  sigma: noise standard deviation; S: saturation.
    """
    return _out(4.0 * _nonneg("sigma", sigma) ** 2 * _nonneg("S", S))


@lru_cache(maxsize=None)
def asgd_stationary_point_expr() -> BoundExpr:
    """alpha -> 0 stationary point of W24's analog SGD on ``f = L/2 (w - w*)^2`` (1-D) with
    Rademacher noise ``g = L (w - w*) + sigma eps``: the mean drift
    ``-(c + (w/tau) E|c + sigma eps|)``, ``c = L (w - w*)``, vanishes; where
    ``|c| <= sigma``, ``E|c + sigma eps| = sigma`` and the root is ``L w* / (L + sigma/tau)``.
    ``steps['gap']`` is ``c^2 - sigma^2 w^2/tau^2`` at the root (zero: the exact error)."""
    import sympy as sp

    L, sigma, tau = sp.symbols("L sigma tau", positive=True)
    w_star, w = sp.symbols("w_star w", real=True)
    c = L * (w - w_star)
    (root,) = sp.solve(sp.Eq(c + (w / tau) * sigma, 0), w)
    gap = sp.simplify((c**2 - sigma**2 * w**2 / tau**2).subs(w, root))
    if gap != 0:
        raise RuntimeError(f"limit error differs from sigma^2 S: {gap}")
    in_branch = sp.simplify(sp.Abs(c.subs(w, root)) - sigma)  # must be <= 0 for the root to be valid
    return make(root, (L, w_star, sigma, tau), c=c, gap=gap, branch=in_branch)


def asgd_stationary_point(L, w_star, sigma, tau):
    """alpha -> 0 stationary point ``L w* / (L + sigma/tau)`` of W24's analog SGD, 1-D quadratic,
    Rademacher (two-point, p = 1/2) noise; exact where ``|L (w - w*)| <= sigma`` at the root
    (raises otherwise).  L: curvature; w_star: minimiser; sigma: noise std; tau: device bound."""
    L_, s, t = _pos("L", L), _pos("sigma", sigma), _pos("tau", tau)
    ws = C.as_float_array("w_star", w_star)
    C.require("w_star", ws, np.isfinite(ws), "finite")
    w = L_ * ws / (L_ + s / t)
    C.require("w_star", ws, np.abs(L_ * (w - ws)) <= s, "such that |L (w - w*)| <= sigma at the root")
    C.require("w_star", ws, np.abs(w) < t, "such that the root lies inside (-tau, tau)")
    return _out(w)


def asgd_limit_error(sigma, S):
    """Exact ``alpha -> 0`` asymptotic ``||grad f||^2`` of W24's analog SGD, 1-D quadratic,
    Rademacher (two-point, p = 1/2) noise: ``sigma^2 S`` with ``S = w_sp^2/tau^2`` at the
    stationary point (:func:`asgd_stationary_point_expr`).  A tight value, not a bound."""
    return _out(_nonneg("sigma", sigma) ** 2 * _nonneg("S", S))


def asgd_limit_two_point(L, w_star, sigma, tau, p):
    """Exact ``alpha -> 0`` limit for W24's analog SGD, 1-D quadratic, two-point noise with probability
    ``p`` (``xi = sqrt((1-p)/p)`` w.p. p, ``-sqrt(p/(1-p))`` otherwise): the root ``w`` of the mean drift
    ``c + (w/tau) E|c + sigma xi| = 0``, ``c = L (w - w*)`` (brentq between 0 and w*, where the drift
    changes sign), and ``rho = c^2 / (sigma^2 w^2/tau^2) = (E|c + sigma xi|/sigma)^2`` (<= 1/(1 - S) by Jensen, S = w^2/tau^2).
    Returns ``(w, rho)``; at p = 1/2 ``w`` is :func:`asgd_stationary_point`'s and ``rho = 1``."""
    from scipy import optimize

    from ..objectives import abs_two_point_mean

    L_, s, t = (float(_pos(n, v)) for n, v in (("L", L), ("sigma", sigma), ("tau", tau)))
    ws = float(C.as_float_array("w_star", w_star))
    if not (np.isfinite(ws) and ws != 0 and abs(ws) < t):
        raise ValueError(f"w_star must be finite, non-zero and inside (-tau, tau), got {w_star!r}")

    def drift(w):
        c = L_ * (w - ws)
        return c + (w / t) * float(abs_two_point_mean(c, s, p))

    w = optimize.brentq(drift, 0.0, ws, xtol=1e-15) if ws > 0 else optimize.brentq(drift, ws, 0.0, xtol=1e-15)
    c = L_ * (w - ws)
    return float(w), float((abs_two_point_mean(c, s, p) / s) ** 2)


@lru_cache(maxsize=None)
def asgd_limit_error_upper_expr() -> BoundExpr:
    """For any zero-mean noise of variance sigma^2, at the stationary point
    ``c^2 = S (E|c + xi|)^2 <= S (c^2 + sigma^2)`` (Jensen), so ``c^2 <= sigma^2 S/(1 - S)``."""
    import sympy as sp

    sigma, c2 = sp.symbols("sigma c2", positive=True)
    S = sp.Symbol("S", positive=True)
    (sol,) = sp.solve(sp.Eq(c2, S * (c2 + sigma**2)), c2)
    return make(sol, (sigma, S), jensen=S * (c2 + sigma**2))


def asgd_limit_error_upper(sigma, S):
    """Upper bound ``sigma^2 S / (1 - S)`` on the alpha -> 0 asymptotic ``||grad f||^2`` of
    W24's analog SGD (1-D quadratic, any zero-mean noise of variance sigma^2), ``0 <= S < 1``."""
    s, S_ = _nonneg("sigma", sigma), _nonneg("S", S)
    C.require("S", S_, S_ < 1, "< 1 (inside the device bounds)")
    return _out(s**2 * S_ / (1.0 - S_))


class ErrataThm3Constant(NamedTuple):
    """errata/w24-thm3-constant: the printed lower-bound constant 4 against the exact limit.

    printed:    ``4 sigma^2 S`` (sympy)
    exact:      ``sigma^2 S`` (Rademacher, alpha -> 0)
    any_noise:  ``sigma^2 S/(1 - S)`` (largest limit for any noise of variance sigma^2)
    s_max:      the S below which the printed bound exceeds any_noise (3/4)
    refuted:    True if ``printed > any_noise`` for ``0 < S < s_max`` (sympy)
    """

    printed: object
    exact: object
    any_noise: object
    s_max: object
    refuted: bool


@lru_cache(maxsize=None)
def errata_thm3_constant() -> ErrataThm3Constant:
    """Compare W24 Thm 3's ``4 sigma^2 S`` with the exact limit and the any-noise ceiling (sympy)."""
    import sympy as sp

    sigma, S = sp.symbols("sigma S", positive=True)
    printed = 4 * sigma**2 * S
    asgd_stationary_point_expr()  # raises if the exact limit were not sigma^2 S
    exact = sigma**2 * S
    upper = asgd_limit_error_upper_expr().expr.subs(
        {sp.Symbol("sigma", positive=True): sigma, sp.Symbol("S", positive=True): S})
    (s_max,) = sp.solve(sp.Eq(printed, upper), S)
    diff = sp.simplify((printed - upper) / sigma**2)        # 4S - S/(1-S)
    refuted = bool(sp.simplify(diff.subs(S, s_max / 2)) > 0) and s_max == sp.Rational(3, 4)
    return ErrataThm3Constant(printed, exact, upper, s_max, refuted)


# --------------------------------------------------------------------------
# W24 Thm 3 in its own setting (App. G.2: the state-dependent two-point oracle)
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def thm3_step_expr() -> BoundExpr:
    """W24 Thm 3's proof (App. G.2, eqs. (95)-(100)) redone in sympy, per coordinate.

    Instance: ``W = w 1``, ``f = L/2 ||W - W*||^2``, noise ``xi 1`` with the two-point law of eq. (67)
    (scale ``s = sigma/sqrt(D)``, ``p = (1 - w/tau)/2``).  Inside the sign condition (84)
    ``E|g + xi| = 2 s sqrt(p (1-p)) + (2p - 1) g`` (eq. (83)); eq. (97): ``sqrt(p (1-p)) = (1/2) sqrt(1 - w^2/tau^2)``.
    The mean drift of the gradient coordinate ``g = L (w - w*)`` is then
    ``E[g'] - g = -alpha L ((1 - w^2/tau^2) g + s (w/tau) sqrt(1 - w^2/tau^2))``, whose root gives
    ``||grad f||^2 = D g^2 = sigma^2 S`` with ``S = (w^2/tau^2)/(1 - w^2/tau^2)`` (Thm 2/3's amplification
    factor at one point).  Eq. (98) as printed carries ``2 alpha L s sqrt(1 - w^2/tau^2) w/tau``: the 1/2 of
    (97) dropped, which gives ``4 sigma^2 S`` in (99)-(100).

    ``expr``: the corrected limit ``sigma^2 S`` as a function of ``(sigma, S)``; ``steps``: ``sqrt_pq``
    (eq. (97)'s value, checked), ``drift_correct`` / ``drift_printed`` (the w-coefficient of (98), with and
    without the 1/2), ``limit_correct`` / ``limit_printed`` (``||grad f||^2/(sigma^2 S)`` at the root of each:
    1 and 4), ``jensen_equal`` (``E|g + xi| - sqrt(g^2 + s^2)`` at the root: 0, the oracle attains the
    any-noise ceiling of :func:`asgd_limit_error_upper_expr`).
    """
    import sympy as sp

    w, g = sp.symbols("w g", real=True)
    tau, s, L, alpha, D = sp.symbols("tau s L alpha D", positive=True)
    sigma, S = sp.symbols("sigma S", positive=True)
    p = (1 - w / tau) / 2
    sqrt_pq = sp.sqrt(p * (1 - p))
    half = sp.sqrt(1 - w**2 / tau**2) / 2
    if sp.simplify(sp.expand(sqrt_pq**2 - half**2)) != 0:
        raise RuntimeError("eq. (97) sqrt(p (1 - p)) != (1/2) sqrt(1 - w^2/tau^2)")
    abs_mean = 2 * s * half + (2 * p - 1) * g                      # eq. (83) with (97)
    drift = -alpha * L * (g + (w / tau) * abs_mean)               # E[g'] - g, from (95)-(96)
    drift_correct = -alpha * L * ((1 - w**2 / tau**2) * g + s * (w / tau) * sp.sqrt(1 - w**2 / tau**2))
    if sp.simplify(drift - drift_correct) != 0:
        raise RuntimeError("the mean drift does not reduce to the corrected (98)")
    drift_printed = -alpha * L * ((1 - w**2 / tau**2) * g + 2 * s * (w / tau) * sp.sqrt(1 - w**2 / tau**2))
    sat = (w**2 / tau**2) / (1 - w**2 / tau**2)
    out = {}
    for name, dr in (("correct", drift_correct), ("printed", drift_printed)):
        (root,) = sp.solve(sp.Eq(dr, 0), g)
        out[name] = sp.simplify((D * root**2) / ((D * s**2) * sat))   # ||grad||^2 / (sigma^2 S), sigma^2 = D s^2
    if out["correct"] != 1 or out["printed"] != 4:
        raise RuntimeError(f"unexpected limits: {out}")
    (g_root,) = sp.solve(sp.Eq(drift_correct, 0), g)
    jensen = sp.simplify(abs_mean.subs(g, g_root) ** 2 - (g_root**2 + s**2))
    if jensen != 0:
        raise RuntimeError(f"the oracle does not attain Jensen's ceiling: {jensen}")
    return make(sigma**2 * S, (sigma, S), sqrt_pq=half, drift_correct=drift_correct, drift_printed=drift_printed,
                limit_correct=out["correct"], limit_printed=out["printed"], jensen_equal=jensen)


def thm3_limit(L, w_star, sigma, tau, D):
    """The ``alpha -> 0`` limit in W24 Thm 3's instance (App. G.2, eq. (67) oracle), from the corrected (98):
    the root ``w`` of ``L (w - w*) + (sigma/sqrt(D)) (w/tau)/sqrt(1 - w^2/tau^2) = 0`` (brentq between 0 and
    w*), and there ``||grad f||^2 = D L^2 (w - w*)^2`` and ``S = (w^2/tau^2)/(1 - w^2/tau^2)``.  Returns
    ``(w, grad2, S)``; ``grad2 = sigma^2 S`` (:func:`thm3_step_expr`).  L: curvature; w_star: the common
    minimiser coordinate (``0 < |w*| < tau``); sigma: noise level; tau: device bound; D: dimension."""
    from scipy import optimize

    L_, s, t, d = (float(_pos(n, v)) for n, v in (("L", L), ("sigma", sigma), ("tau", tau), ("D", D)))
    ws = float(C.as_float_array("w_star", w_star))
    if not (np.isfinite(ws) and ws != 0 and abs(ws) < t):
        raise ValueError(f"w_star must be finite, non-zero and inside (-tau, tau), got {w_star!r}")
    sd = s / np.sqrt(d)

    def drift(w):
        return L_ * (w - ws) + sd * (w / t) / np.sqrt(1.0 - (w / t) ** 2)

    w = optimize.brentq(drift, min(0.0, ws), max(0.0, ws), xtol=1e-15)
    S = (w / t) ** 2 / (1.0 - (w / t) ** 2)
    return float(w), float(d * (L_ * (w - ws)) ** 2), float(S)


def thm3_conditions(L, w_star, sigma, tau, D, alpha):
    """W24 Thm 3's instance conditions (App. G.2): ``|w*| <= tau/4``, ``sigma <= tau L sqrt(D)/(4 sqrt 3)``,
    ``alpha <= min(1/(2L), 1/(mu + 6 sigma/(tau sqrt D)))`` with ``mu = L`` (the quadratic's strong convexity).
    Returns a dict ``name -> (value, limit, met)``; raises on non-positive inputs."""
    L_, s, t, d, a = (float(_pos(n, v)) for n, v in (("L", L), ("sigma", sigma), ("tau", tau), ("D", D),
                                                      ("alpha", alpha)))
    ws = abs(float(C.as_float_array("w_star", w_star)))
    a_max = min(1.0 / (2 * L_), 1.0 / (L_ + 6 * s / (t * np.sqrt(d))))
    s_max = t * L_ * np.sqrt(d) / (4 * np.sqrt(3.0))
    return {"|w*| <= tau/4": (ws, t / 4, ws <= t / 4), "sigma <= tau L sqrt(D)/(4 sqrt 3)": (s, s_max, s <= s_max),
            "alpha <= min(1/(2L), 1/(L + 6 sigma/(tau sqrt D)))": (a, a_max, a <= a_max)}


class ErrataThm3Step(NamedTuple):
    """errata/w24-thm3-constant, located: eqs. (96) -> (98) of W24 App. G.2.

    printed_98:  the w-term of (98) as printed (``2 alpha L s sqrt(1 - w^2/tau^2) w/tau``)
    correct_98:  with (97)'s 1/2 kept (``alpha L s sqrt(1 - w^2/tau^2) w/tau``)
    ratio_98:    printed/correct (2, sympy)
    limit_printed, limit_correct: ``||grad f||^2/(sigma^2 S_K)`` at the alpha -> 0 root (4 and 1)
    """

    printed_98: object
    correct_98: object
    ratio_98: object
    limit_printed: object
    limit_correct: object


def errata_thm3_step() -> ErrataThm3Step:
    """The dropped factor 1/2 between eqs. (96)-(97) and (98) of W24 (sympy, :func:`thm3_step_expr`)."""
    import sympy as sp

    e = thm3_step_expr()
    g = sp.Symbol("g", real=True)
    term_p = sp.simplify(e.steps["drift_printed"].subs(g, 0))   # the w-term of (98), printed
    term_c = sp.simplify(e.steps["drift_correct"].subs(g, 0))   # the same with (97)'s 1/2 kept
    ratio = sp.simplify(term_p / term_c)
    if ratio != 2:
        raise RuntimeError(f"printed/correct (98) ratio {ratio}, expected 2")
    return ErrataThm3Step(-term_p, -term_c, ratio, e.steps["limit_printed"], e.steps["limit_correct"])


# --------------------------------------------------------------------------
# Tiki-Taka: W24 Thm 4, its Assumption 5 and the proof's final factor
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def assumption5_c_max_expr() -> BoundExpr:
    """The largest constant Assumption 5 allows: ``c <= 1/sqrt(D)``.

    Assumption 5 at ``g = 0``: ``c sigma <= E|eps_i|``; Jensen: ``E|eps_i| <= sqrt(E eps_i^2)``;
    the variance part: ``E eps_i^2 <= sigma^2/D``.  Chained: ``c <= 1/sqrt(D)``.  ``steps['chain']``
    is that chain with ``m1 = E|eps_i|`` and ``m2 = E eps_i^2`` as symbols; ``steps['gaussian']`` the
    value for ``eps_i ~ N(0, sigma^2/D)`` (``E|eps_i| = sqrt(2/pi) sigma/sqrt(D)``, an integral done here).
    """
    import sympy as sp

    sigma, D, m1, m2 = sp.symbols("sigma D m1 m2", positive=True)
    c_max = sp.sqrt(m2) / sigma  # from c sigma <= m1 <= sqrt(m2)
    bound = sp.simplify(c_max.subs(m2, sigma**2 / D))
    x = sp.Symbol("x", real=True)
    s = sigma / sp.sqrt(D)
    gauss_m1 = sp.simplify(sp.integrate(sp.Abs(x) * sp.exp(-x**2 / (2 * s**2)) / (s * sp.sqrt(2 * sp.pi)),
                                        (x, -sp.oo, sp.oo)))
    c_gauss = sp.simplify(gauss_m1 / sigma)
    if sp.simplify(c_gauss - sp.sqrt(2 / sp.pi) / sp.sqrt(D)) != 0:
        raise RuntimeError(f"Gaussian E|eps| not sqrt(2/pi) sigma/sqrt(D): {gauss_m1}")
    if not sp.simplify(bound - c_gauss).is_positive:
        raise RuntimeError("the Gaussian c exceeds the Jensen ceiling")
    return make(bound, (D,), chain=(m1, sp.sqrt(m2)), gaussian=c_gauss)


def assumption5_c_max(D):
    """Largest Assumption 5 constant of W24: ``c <= 1/sqrt(D)`` (:func:`assumption5_c_max_expr`).
    D: the number of coordinates (``D >= 1``)."""
    d = _pos("D", D)
    C.require("D", d, d >= 1, ">= 1")
    return _out(1.0 / np.sqrt(d))


def assumption5_c_gaussian(D):
    """Assumption 5's constant for Gaussian coordinates ``eps_i ~ N(0, sigma^2/D)``:
    ``c = inf_g E|g + eps_i|/sigma = sqrt(2/pi)/sqrt(D)`` (the infimum is at g = 0).
    W24's App. D.2 gives ``sqrt(2/pi)`` for ``eps ~ N(0, sigma^2)``, i.e. without the ``1/D`` variance."""
    d = _pos("D", D)
    C.require("D", d, d >= 1, ">= 1")
    return _out(np.sqrt(2.0 / np.pi) / np.sqrt(d))


@lru_cache(maxsize=None)
def thm4_pmax2_expr() -> BoundExpr:
    """W24 Thm 4 / Lemma 7: ``P_max^2 = 41 L^2 tau^4 D / (c^2 sigma^2)``; ``steps['at_c_max']`` its
    smallest value under Assumption 5 (``c = 1/sqrt(D)``): ``41 L^2 tau^4 D^2/sigma^2``."""
    import sympy as sp

    L, tau, D, c, sigma = sp.symbols("L tau D c sigma", positive=True)
    p2 = 41 * L**2 * tau**4 * D / (c**2 * sigma**2)
    return make(p2, (L, tau, D, c, sigma), at_c_max=sp.simplify(p2.subs(c, 1 / sp.sqrt(D))))


def thm4_pmax2(L, tau, D, c, sigma):
    """W24 Thm 4's bound on ``E||P_k||_inf^2``: ``P_max^2 = 41 L^2 tau^4 D / (c^2 sigma^2)``.
    L: smoothness; tau: device bound; D: coordinates; c: Assumption 5's constant; sigma: noise std
    (``E||eps||^2 <= sigma^2``)."""
    L_, t, d, c_, s = (_pos(n, v) for n, v in (("L", L), ("tau", tau), ("D", D), ("c", c), ("sigma", sigma)))
    return _out(41.0 * L_**2 * t**4 * d / (c_**2 * s**2))


def thm4_saturation_condition(pmax2, tau):
    """The quantity ``33 P_max^2/tau^2`` that W24 Thm 4 requires to be below 1."""
    return _out(33.0 * _nonneg("pmax2", pmax2) / _pos("tau", tau) ** 2)


@lru_cache(maxsize=None)
def thm4_final_factor_expr() -> BoundExpr:
    """The factor the proof of W24 Thm 4 divides by (its eqs. (138)-(140)):
    ``1 - 128/(c^2 D) - 32 P_max^2/tau^2`` (``r = P_max^2/tau^2``).  ``steps['sup']`` is its supremum
    under Assumption 5 (``c^2 D <= 1``, ``r >= 0``): ``-127``."""
    import sympy as sp

    c, D = sp.symbols("c D", positive=True)
    r = sp.Symbol("r", nonnegative=True)
    factor = 1 - 128 / (c**2 * D) - 32 * r
    u = sp.Symbol("u", positive=True)  # u = c^2 D in (0, 1]
    in_u = sp.simplify(factor.subs(c, sp.sqrt(u / D)))
    # increasing in u and decreasing in r: the supremum is at u = 1, r = 0
    if not (sp.diff(in_u, u).is_positive and sp.diff(in_u, r).is_negative):
        raise RuntimeError(f"final factor not monotone as expected: {in_u}")
    sup = sp.simplify(in_u.subs({u: 1, r: 0}))
    return make(factor, (c, D, r), in_u=in_u, sup=sup)


def thm4_final_factor(c, D, pmax2_over_tau2):
    """``1 - 128/(c^2 D) - 32 P_max^2/tau^2``: the coefficient of ``-||grad f||^2`` in the proof's
    descent inequality (W24 eq. (138)); positive is what (140) needs.  c: Assumption 5's constant;
    D: coordinates; pmax2_over_tau2: ``P_max^2/tau^2``."""
    c_, d = _pos("c", c), _pos("D", D)
    r = _nonneg("pmax2_over_tau2", pmax2_over_tau2)
    return _out(1.0 - 128.0 / (c_**2 * d) - 32.0 * r)


class ErrataThm4Factor(NamedTuple):
    """errata/w24-thm4-factor: the proof of W24 Thm 4 cannot conclude under its own Assumption 5.

    c_max:       Assumption 5's ceiling on c (``1/sqrt(D)``, sympy)
    factor:      the proof's final factor ``1 - 128/(c^2 D) - 32 r``
    sup_factor:  its supremum under Assumption 5 (``-127``)
    pmax2_min:   the smallest ``P_max^2`` Assumption 5 allows (``41 L^2 tau^4 D^2/sigma^2``)
    sigma2_min:  the ``sigma^2`` that ``33 P_max^2/tau^2 < 1`` then needs (``1353 L^2 tau^2 D^2``): it grows
                 with D, against the paper's remark that large D makes the condition easy
    infeasible:  True if ``sup_factor < 0`` (no D, noise law or P_max makes the factor positive)
    """

    c_max: object
    factor: object
    sup_factor: object
    pmax2_min: object
    sigma2_min: object
    infeasible: bool


@lru_cache(maxsize=None)
def errata_thm4_factor() -> ErrataThm4Factor:
    """Assumption 5 forces ``c^2 D <= 1``; the proof's final factor is then at most -127 (sympy)."""
    import sympy as sp

    c_max = assumption5_c_max_expr().expr
    fac = thm4_final_factor_expr()
    pm = thm4_pmax2_expr()
    L, tau, D, sigma = sp.symbols("L tau D sigma", positive=True)
    pmin = pm.steps["at_c_max"]
    (s2,) = sp.solve(sp.Eq(33 * pmin.subs(sigma, sp.sqrt(sp.Symbol("s2", positive=True))) / tau**2, 1),
                     sp.Symbol("s2", positive=True))
    sup = fac.steps["sup"]
    return ErrataThm4Factor(c_max, fac.expr, sup, pmin, sp.simplify(s2), bool(sup < 0))
