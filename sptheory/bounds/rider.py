"""RIDER (Alg. 2): the paper's Thm 3.7, Cor 3.9 and Lemma 3.5.

Each numeric function sits below the ``*_expr()`` function that derives its
expression with sympy; ``tests/test_bounds_rider.py`` checks that the two agree.

Symbols (Sec. 3 of the paper): ``alpha`` fast (P) learning rate, ``beta`` transfer (W)
rate, ``eta`` Q-filter weight, ``gamma`` residual scale; ``L``, ``mu``,
``sigma`` smoothness, strong convexity, gradient-noise standard deviation of
f (Assumptions 3.1-3.3); ``q_min <= q_max`` the response bounds of Def. 2.1;
``C_star`` the Rayleigh-type constant of Assumption 3.6; ``C1, C2`` the
weights of the Lyapunov function (63); ``K`` iterations;
``kappa1 = L/mu``, ``kappa2 = q_max/q_min``.

Findings on the paper's inconsistencies (``errata.errata_cstar_condition``,
``errata_alpha_small``, ``errata_kappa_exponent`` hold the symbolic arguments):

* errata/cstar-condition: the C2 interval ``[4 sigma^2/(C_star q_min), mu q_min^2 C_star/(8 q_max^3)]``
  is non-empty iff ``C_star >= 4 sqrt2 sigma q_max^{3/2}/(sqrt(mu) q_min^{3/2})``
  (``rider_cstar_condition(form="proof")``); the stated threshold
  ``4 sqrt2 (sigma/mu) (q_max/q_min)^{3/2}`` is that times ``1/sqrt(mu)``, so
  it suffices only when ``mu <= 1``.
* errata/alpha-small: ``1/(2 alpha q_max) - 3 gamma^2 L - C2 L`` decreases in alpha; it is
  positive iff ``alpha < 1/(2 q_max L (3 gamma^2 + C2))`` -- alpha SMALL enough.
* errata/kappa-exponent: with ``alpha = c/sqrt(K)`` the right side of (72) is
  ``(16 sqrt34 kappa2^5 / (mu q_max sqrt K)) (V0/c + 5 c L q_max^2 sigma^2)``,
  degree 1 in kappa1 (at fixed mu, q_max, sigma, V0, c): (15)'s
  ``kappa1 kappa2^5 / sqrt K`` follows from (72); (73)'s
  ``kappa2^5 / (kappa1 sqrt K)`` is kappa1^2 smaller and does not.

Arguments broadcast (numpy rules); a 0-d result is a Python float, except
``rider_admissible`` (scalars only) and the Lemma 3.5 functions (vectors
along the last axis).
"""

from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np

from . import _checks as C
from ._symbolic import BoundExpr, make
from .zero_shift import _nonneg, _pos

_SQRT34 = np.sqrt(34.0)
_FORMS = ("stated", "proof")


@lru_cache(maxsize=1)
def rider_symbols() -> SimpleNamespace:
    """The symbols of Thm 3.7 and its proof, named like the function arguments."""
    import sympy as sp

    pos = dict(positive=True)
    names_pos = ("alpha beta eta gamma L mu sigma q_min q_max C_star C1 C2 K V0 kappa1 kappa2 "
                 "delta dw_min c_K c_N c_K2 c a_norm b_norm t")
    ns = {n: sp.Symbol(n, **pos) for n in names_pos.split()}
    ns.update({n: sp.Symbol(n, nonnegative=True) for n in ("VK", "f_gap", "dist_sq", "phi_gap")})
    ns.update({n: sp.Symbol(n, real=True) for n in ("W", "Q", "W_star", "P", "cos_theta")})
    return SimpleNamespace(**ns)


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------

def _finite(name, value):
    a = C.as_float_array(name, value)
    C.require(name, a, np.isfinite(a), "finite")
    return a


def _q_pair(q_min, q_max):
    qn, qx = _pos("q_min", q_min), _pos("q_max", q_max)
    C.require("q_min", qn, qn <= qx, "<= q_max (Def. 2.1: q_min <= q_plus, q_minus <= q_max)")
    return qn, qx


def _scalar(name, a):
    if np.ndim(a) != 0:
        raise ValueError(f"{name} must be a scalar for rider_admissible; got shape {np.shape(a)}")
    return float(a)


# --------------------------------------------------------------------------
# Thm 3.7 -- the proof's step sizes and Lyapunov weights
# --------------------------------------------------------------------------

class RiderStepSizes(NamedTuple):
    beta: Any     # alpha gamma mu q_min^3 / (4 sqrt34 q_max^3)
    eta_max: Any  # alpha mu q_min^4 / (52 q_max^3); the proof takes eta <= eta_max
    C1: Any       # 10 beta gamma q_max^2 / (alpha q_min^2)  (independent of alpha)


@lru_cache(maxsize=None)
def rider_step_sizes_expr() -> BoundExpr:
    """The proof of Thm 3.7's choices; ``expr`` is the tuple (beta, eta_max, C1).

    steps["C1_in_alpha_free_form"]: with the chosen beta,
    C1 = 10 gamma^2 mu q_min / (4 sqrt34 q_max) -- alpha cancels, so V_0 in
    (72) does not depend on alpha.
    """
    import sympy as sp

    s = rider_symbols()
    beta = s.alpha * s.gamma * s.mu * s.q_min**3 / (4 * sp.sqrt(34) * s.q_max**3)
    eta_max = s.alpha * s.mu * s.q_min**4 / (52 * s.q_max**3)
    C1 = 10 * beta * s.gamma * s.q_max**2 / (s.alpha * s.q_min**2)
    return make((beta, eta_max, C1), (s.alpha, s.gamma, s.mu, s.q_min, s.q_max),
                beta=beta, eta_max=eta_max, C1=C1, C1_in_alpha_free_form=sp.simplify(C1))


def rider_step_sizes(alpha, gamma, mu, q_min, q_max) -> RiderStepSizes:
    """Thm 3.7, proof: the transfer rate, filter weight and Lyapunov weight C1
    chosen for a given fast rate alpha (exact values of the proof's choices).

        beta    = alpha gamma mu q_min^3 / (4 sqrt34 q_max^3)      (beta = Theta(alpha gamma mu))
        eta_max = alpha mu q_min^4 / (52 q_max^3)                  (eta <= eta_max, eta = Theta(alpha mu))
        C1      = 10 beta gamma q_max^2 / (alpha q_min^2) = 10 gamma^2 mu q_min / (4 sqrt34 q_max)

    alpha > 0 fast rate; gamma > 0 residual scale; mu > 0 strong convexity;
    0 < q_min <= q_max response bounds (Def. 2.1).
    """
    a, g, m = _pos("alpha", alpha), _pos("gamma", gamma), _pos("mu", mu)
    qn, qx = _q_pair(q_min, q_max)
    a, g, m, qn, qx = C.broadcast(alpha=a, gamma=g, mu=m, q_min=qn, q_max=qx)
    beta = a * g * m * qn**3 / (4 * _SQRT34 * qx**3)
    eta = a * m * qn**4 / (52 * qx**3)
    c1 = 10 * beta * g * qx**2 / (a * qn**2)
    return RiderStepSizes(C.out(beta), C.out(eta), C.out(c1))


# --------------------------------------------------------------------------
# Thm 3.7 -- the C2 interval and the condition on C_star (``errata_cstar_condition``)
# --------------------------------------------------------------------------

class C2Interval(NamedTuple):
    lo: Any  # 4 sigma^2 / (C_star q_min)
    hi: Any  # mu q_min^2 C_star / (8 q_max^3)


@lru_cache(maxsize=None)
def rider_c2_interval_expr() -> BoundExpr:
    """The C2 interval of the proof of Thm 3.7; ``expr`` is (lo, hi).

    steps["nonempty_iff"]: sympy's solution of lo <= hi for C_star,
    ``C_star >= 4 sqrt2 sigma q_max^{3/2} / (sqrt(mu) q_min^{3/2})``.
    """
    import sympy as sp

    s = rider_symbols()
    lo = 4 * s.sigma**2 / (s.C_star * s.q_min)
    hi = s.mu * s.q_min**2 * s.C_star / (8 * s.q_max**3)
    return make((lo, hi), (s.sigma, s.C_star, s.mu, s.q_min, s.q_max),
                lo=lo, hi=hi, nonempty_iff=sp.solve(lo <= hi, s.C_star))


def rider_c2_interval(sigma, C_star, mu, q_min, q_max) -> C2Interval:
    """Thm 3.7, proof: the admissible Lyapunov weights C2 in [lo, hi],

        lo = 4 sigma^2 / (C_star q_min),   hi = mu q_min^2 C_star / (8 q_max^3).

    sigma >= 0 gradient-noise std (Assumption 3.2); C_star > 0 the lower bound
    on E|grad f|_d (Assumption 3.6); mu > 0; 0 < q_min <= q_max. The interval
    is empty (lo > hi) unless ``C_star >= rider_cstar_condition(..., form="proof")``.
    """
    sg, cs, m = _nonneg("sigma", sigma), _pos("C_star", C_star), _pos("mu", mu)
    qn, qx = _q_pair(q_min, q_max)
    sg, cs, m, qn, qx = C.broadcast(sigma=sg, C_star=cs, mu=m, q_min=qn, q_max=qx)
    return C2Interval(C.out(4 * sg**2 / (cs * qn)), C.out(m * qn**2 * cs / (8 * qx**3)))


@lru_cache(maxsize=None)
def rider_cstar_condition_expr(form: str = "proof") -> BoundExpr:
    """Smallest admissible C_star: "stated" as printed in Thm 3.7; "proof" the
    root of lo = hi of the C2 interval (solved by sympy; ``errata_cstar_condition``)."""
    import sympy as sp

    C.choice("form", form, _FORMS)
    s = rider_symbols()
    if form == "stated":
        expr = 4 * sp.sqrt(2) * s.sigma / s.mu * (s.q_max / s.q_min) ** sp.Rational(3, 2)
    else:
        lo, hi = rider_c2_interval_expr().expr
        (expr,) = sp.solve(sp.Eq(lo, hi), s.C_star)
    return make(expr, (s.sigma, s.mu, s.q_min, s.q_max))


def rider_cstar_condition(sigma, mu, q_min, q_max, *, form="stated"):
    """Thm 3.7's condition on C_star (Assumption 3.6), as the threshold:
    the condition is ``C_star >= rider_cstar_condition(...)``.

        form="stated": 4 sqrt2 (sigma / mu) (q_max / q_min)^{3/2}            (Thm 3.7 as printed)
        form="proof":  4 sqrt2 sigma q_max^{3/2} / (sqrt(mu) q_min^{3/2})    (C2 interval non-empty)

    "proof" is exact: the C2 interval of ``rider_c2_interval`` is non-empty iff
    C_star is at least this (``errata_cstar_condition``). stated = proof / sqrt(mu), so the
    stated condition is sufficient only for mu <= 1.
    """
    C.choice("form", form, _FORMS)
    sg, m = _nonneg("sigma", sigma), _pos("mu", mu)
    qn, qx = _q_pair(q_min, q_max)
    sg, m, qn, qx = C.broadcast(sigma=sg, mu=m, q_min=qn, q_max=qx)
    scale = m if form == "stated" else np.sqrt(m)
    return C.out(4 * np.sqrt(2.0) * sg / scale * (qx / qn) ** 1.5)


# --------------------------------------------------------------------------
# Thm 3.7 -- what (72) implies about the proof's descent step (errata/proof-conditions)
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def rider_descent_coefficient_expr() -> BoundExpr:
    """The common coefficient c of the descent inequality behind (72).

    The proof ends with one-step descent E[V_{k+1}] <= E[V_k] - c E[T_k] + N_k
    (T_k the bracket of (72)'s left side, N_k the noise term); summing over
    k < K and dividing by c K gives (1/K) sum E[T_k] <= (V0 - VK)/(c K) + N/c.
    Matching this to the printed (72) term by term (sympy ``solve``):

        c = alpha mu q_min^5 / (16 sqrt34 q_max^4)       (steps["c"])
        N = M alpha^2 L q_max^2 sigma^2                   (steps["N"]; M = 5 printed, 4 + C2 in the proof)
    """
    import sympy as sp

    s = rider_symbols()
    c, N, M = sp.symbols("c N M", positive=True)
    pre = 16 * sp.sqrt(34) * s.q_max**4 / (s.mu * s.q_min**5)
    printed = pre * ((s.V0 - s.VK) / (s.alpha * s.K) + M * s.alpha * s.L * s.q_max**2 * s.sigma**2)
    summed = (s.V0 - s.VK) / (c * s.K) + N / c
    (c_sol,) = sp.solve(sp.Eq((s.V0 - s.VK) / (c * s.K), (s.V0 - s.VK) * pre / (s.alpha * s.K)), c)
    (n_sol,) = sp.solve(sp.Eq(N / c_sol, pre * M * s.alpha * s.L * s.q_max**2 * s.sigma**2), N)
    residual = sp.simplify(summed.subs({c: c_sol, N: n_sol}) - printed)
    return make(c_sol, (s.alpha, s.mu, s.q_min, s.q_max), c=c_sol, N=n_sol, M=M, residual=residual)


def rider_descent_coefficient(alpha, mu, q_min, q_max):
    """Thm 3.7, proof: the coefficient c of E[T_k] in the one-step descent behind (72)
    (exact, derived from (72) in ``rider_descent_coefficient_expr``):

        c = alpha mu q_min^5 / (16 sqrt34 q_max^4),   i.e. (72)'s prefactor = alpha / c.

    alpha > 0; mu > 0; 0 < q_min <= q_max.
    """
    a, m = _pos("alpha", alpha), _pos("mu", mu)
    qn, qx = _q_pair(q_min, q_max)
    a, m, qn, qx = C.broadcast(alpha=a, mu=m, q_min=qn, q_max=qx)
    return C.out(a * m * qn**5 / (16 * _SQRT34 * qx**4))


@lru_cache(maxsize=None)
def rider_c2_condition_a_expr() -> BoundExpr:
    """Condition (a) of errata/proof-conditions as a lower end for C2.

    The descent's ||G_p(P_k)||^2 coefficient is alpha C2 C_star/2 - 3 alpha sigma^2/(2 q_min)
    (the phi step's -alpha C2 C_star/2 ||G_p||^2 after Young, less the f step's
    3 alpha sigma^2/(2 q_min) ||G_p||^2); factoring out the common c of
    ``rider_descent_coefficient_expr`` needs it >= c. sympy solves for C2.
    steps["binds_iff"]: this lower end exceeds the interval's lo = 4 sigma^2/(C_star q_min)
    iff sigma^2 < mu q_min^6 / (8 sqrt34 q_max^4).
    """
    import sympy as sp

    s = rider_symbols()
    c = rider_descent_coefficient_expr().expr
    coeff = s.alpha * s.C2 * s.C_star / 2 - 3 * s.alpha * s.sigma**2 / (2 * s.q_min)
    (root,) = sp.solve(sp.Eq(coeff, c), s.C2)
    root = sp.expand(root)
    lo, _hi = rider_c2_interval_expr().expr
    binds = sp.solve(root > lo, s.sigma)
    return make(root, (s.sigma, s.C_star, s.mu, s.q_min, s.q_max), coefficient=coeff, c=c,
                d_coeff_dC2=sp.diff(coeff, s.C2), binds_iff=binds)


def _c2_a(sigma, C_star, mu, q_min, q_max):
    return 3 * sigma**2 / (C_star * q_min) + mu * q_min**5 / (8 * _SQRT34 * q_max**4 * C_star)


def rider_c2_condition_a(sigma, C_star, mu, q_min, q_max):
    """Thm 3.7, proof: the smallest C2 meeting condition (a) of errata/proof-conditions,

        C2 >= 3 sigma^2 / (C_star q_min) + mu q_min^5 / (8 sqrt34 q_max^4 C_star),

    so that the ||G_p||^2 coefficient of the descent, alpha C2 C_star/2 -
    3 alpha sigma^2/(2 q_min), is at least the common coefficient c
    (``rider_descent_coefficient``). Exact. With the interval's upper end
    mu q_min^2 C_star/(8 q_max^3) it keeps sigma from being small: both hold only if
    C_star^2 >= 24 sigma^2 q_max^3/(mu q_min^3) + q_min^3/(sqrt34 q_max).
    sigma >= 0; C_star > 0; mu > 0; 0 < q_min <= q_max.
    """
    sg, cs, m = _nonneg("sigma", sigma), _pos("C_star", C_star), _pos("mu", mu)
    qn, qx = _q_pair(q_min, q_max)
    sg, cs, m, qn, qx = C.broadcast(sigma=sg, C_star=cs, mu=m, q_min=qn, q_max=qx)
    return C.out(_c2_a(sg, cs, m, qn, qx))


@lru_cache(maxsize=None)
def rider_c2_condition_a_literal_expr() -> BoundExpr:
    """Condition (a) in the form the proof writes it, (71) -> (72), as a lower end for C2.

    The third line of (71) factors out the intermediate coefficient
    ``c71 = alpha mu q_min^5/(8 sqrt34 q_max^4) - 12 sqrt34 q_max^2 eta^2/(5 alpha mu q_min^3)``
    and the text after (71) asks ``alpha C2 C_star/2 - 3 alpha sigma^2/(2 q_min) >= c71``; only the
    last line replaces c71 by c = alpha mu q_min^5/(16 sqrt34 q_max^4) (valid once
    eta <= eta_max). sympy solves for C2. steps:
      "c71": the intermediate coefficient; "c71_at_eta_max": c71 at eta = alpha mu q_min^4/(52 q_max^3)
      (alpha-proportional); "c71_minus_c_at_eta_max": c71 - c there (> 0: the literal form is
      stronger than the sufficient one, ``rider_c2_condition_a_expr``); "root_at_eta_max": the C2
      lower end at eta = eta_max, free of alpha.
    """
    import sympy as sp

    s = rider_symbols()
    c = rider_descent_coefficient_expr().expr
    c71 = (s.alpha * s.mu * s.q_min**5 / (8 * sp.sqrt(34) * s.q_max**4)
           - 12 * sp.sqrt(34) * s.q_max**2 * s.eta**2 / (5 * s.alpha * s.mu * s.q_min**3))
    coeff = s.alpha * s.C2 * s.C_star / 2 - 3 * s.alpha * s.sigma**2 / (2 * s.q_min)
    (root,) = sp.solve(sp.Eq(coeff, c71), s.C2)
    root = sp.expand(root)
    eta_max = rider_step_sizes_expr().steps["eta_max"]
    at_max = sp.simplify(c71.subs(s.eta, eta_max))
    return make(root, (s.sigma, s.C_star, s.mu, s.q_min, s.q_max, s.alpha, s.eta), c71=c71,
                c71_at_eta_max=at_max, c71_minus_c_at_eta_max=sp.simplify(at_max - c),
                root_at_eta_max=sp.simplify(sp.expand(root.subs(s.eta, eta_max))), coefficient=coeff)


def _c2_a_literal(sigma, C_star, mu, q_min, q_max, eta_over_alpha):
    c71 = mu * q_min**5 / (8 * _SQRT34 * q_max**4) - 12 * _SQRT34 * q_max**2 * eta_over_alpha**2 / (5 * mu * q_min**3)
    return 3 * sigma**2 / (C_star * q_min) + 2 * c71 / C_star


def rider_c2_condition_a_literal(sigma, C_star, mu, q_min, q_max, alpha, eta):
    """Thm 3.7, proof, (71) -> (72) as written: the smallest C2 with
    ``alpha C2 C_star/2 - 3 alpha sigma^2/(2 q_min) >= c71``, c71 the intermediate coefficient of
    (71)'s third line (``rider_c2_condition_a_literal_expr``):

        C2 >= 3 sigma^2/(C_star q_min) + (2/C_star) (mu q_min^5/(8 sqrt34 q_max^4)
                                                      - 12 sqrt34 q_max^2 (eta/alpha)^2/(5 mu q_min^3))

    Exact. It is at least ``rider_c2_condition_a`` (the sufficient form: reach (72)'s final c)
    whenever eta <= eta_max. sigma >= 0; C_star > 0; mu > 0; 0 < q_min <= q_max; alpha, eta > 0.
    """
    sg, cs, m = _nonneg("sigma", sigma), _pos("C_star", C_star), _pos("mu", mu)
    a, e = _pos("alpha", alpha), _pos("eta", eta)
    qn, qx = _q_pair(q_min, q_max)
    sg, cs, m, qn, qx, a, e = C.broadcast(sigma=sg, C_star=cs, mu=m, q_min=qn, q_max=qx, alpha=a, eta=e)
    return C.out(_c2_a_literal(sg, cs, m, qn, qx, e / a))


def _c2_a_literal_at_eta_max(sigma, C_star, mu, q_min, q_max):
    return _c2_a_literal(sigma, C_star, mu, q_min, q_max, mu * q_min**4 / (52 * q_max**3))


# --------------------------------------------------------------------------
# Thm 3.7 -- side conditions and the admissible region
# --------------------------------------------------------------------------

#: name -> the side condition of the proof of Thm 3.7 it checks.
RIDER_SIDE_CONDITIONS = {
    "alpha_a": "alpha <= 2 q_max / (3 q_min gamma L)",
    "alpha_b": "alpha <= q_max / (q_min^2 gamma L)",
    "alpha_c": "alpha <= 1 / (2 gamma L q_max)",
    "beta_a": "beta <= gamma / (2 q_max)",
    "beta_b": "beta <= gamma / q_max",
    "eta_beta": "eta <= beta q_max^2 / (gamma q_min)",
    "beta_sq": "2 beta^2 / gamma^2 <= beta q_max^3 / (gamma q_min^2)",
    "positivity": "1/(2 alpha q_max) - 3 gamma^2 L - C2 L > 0   (strict; errata_alpha_small)",
    "eta_max": "eta <= alpha mu q_min^4 / (52 q_max^3)",
    "C2_lo": "C2 >= 4 sigma^2 / (C_star q_min)      (only with sigma and C_star)",
    "C2_hi": "C2 <= mu q_min^2 C_star / (8 q_max^3)  (only with sigma and C_star)",
    "C2_a": ("C2 >= 3 sigma^2/(C_star q_min) + mu q_min^5/(8 sqrt34 q_max^4 C_star): the descent's ||G_p||^2 "
             "coefficient alpha C2 C_star/2 - 3 alpha sigma^2/(2 q_min) reaches the common coefficient c "
             "(errata/proof-conditions (a); only with sigma and C_star)"),
    "C2_printed": "C2 <= 1: the constant 5 of (72) is (4 + C2) <= 5 (errata/proof-conditions (b); only with printed_constant=True)",
}
_STRICT = ("positivity",)
_GE = ("C2_lo", "C2_a")
#: conditions on C2 alone (not on alpha): left out of the alpha bounds.
_C2_ONLY = ("C2_lo", "C2_hi", "C2_a", "C2_printed")


class SideCondition(NamedTuple):
    holds: Any  # bool (array for array input)
    lhs: Any
    rhs: Any


@lru_cache(maxsize=None)
def rider_side_conditions_expr() -> dict:
    """name -> (lhs, rhs) in sympy, relation as in ``RIDER_SIDE_CONDITIONS``."""
    import sympy as sp

    s = rider_symbols()
    a, b, e, g, L, m, qn, qx, c2 = s.alpha, s.beta, s.eta, s.gamma, s.L, s.mu, s.q_min, s.q_max, s.C2
    lo, hi = rider_c2_interval_expr().expr
    return {
        "alpha_a": (a, 2 * qx / (3 * qn * g * L)),
        "alpha_b": (a, qx / (qn**2 * g * L)),
        "alpha_c": (a, 1 / (2 * g * L * qx)),
        "beta_a": (b, g / (2 * qx)),
        "beta_b": (b, g / qx),
        "eta_beta": (e, b * qx**2 / (g * qn)),
        "beta_sq": (2 * b**2 / g**2, b * qx**3 / (g * qn**2)),
        "positivity": (1 / (2 * a * qx) - 3 * g**2 * L - c2 * L, 0),
        "eta_max": (e, a * m * qn**4 / (52 * qx**3)),
        "C2_lo": (c2, lo),
        "C2_hi": (c2, hi),
        "C2_a": (c2, rider_c2_condition_a_expr().expr),
        "C2_printed": (c2, sp.Integer(1)),
    }


def rider_side_conditions(alpha, beta, eta, gamma, L, mu, q_min, q_max, C2, *, sigma=None, C_star=None,
                          printed_constant=False) -> dict:
    """Thm 3.7, proof: every step-size side condition collected along the proof,
    evaluated exactly (no tolerance). Returns ``{name: SideCondition(holds, lhs, rhs)}``
    with the relations listed in ``RIDER_SIDE_CONDITIONS``: ``lhs <= rhs``
    except "positivity" (``lhs > 0``, strict) and "C2_lo" (``lhs >= rhs``).

    alpha, beta, eta > 0 the three rates; gamma > 0; L, mu > 0; 0 < q_min <= q_max;
    C2 >= 0 the weight of phi in (63). With both ``sigma`` (>= 0) and
    ``C_star`` (> 0) given, "C2_lo"/"C2_hi" (C2 inside the interval of
    ``rider_c2_interval``) and "C2_a" (the condition the proof uses without
    stating it, ``errata.errata_proof_conditions`` (a)) are included; otherwise
    they are left out. ``printed_constant=True`` adds "C2_printed" (C2 <= 1,
    needed for the constant 5 of (72) as printed; (b)).
    "positivity" holds iff alpha < 1/(2 q_max L (3 gamma^2 + C2)): it needs
    alpha small, not large (``errata_alpha_small``).
    """
    if (sigma is None) != (C_star is None):
        raise ValueError(f"sigma and C_star must be given together; got sigma={sigma!r}, C_star={C_star!r}")
    a, b, e, g = _pos("alpha", alpha), _pos("beta", beta), _pos("eta", eta), _pos("gamma", gamma)
    L, m, c2 = _pos("L", L), _pos("mu", mu), _nonneg("C2", C2)
    qn, qx = _q_pair(q_min, q_max)
    arrs = dict(alpha=a, beta=b, eta=e, gamma=g, L=L, mu=m, q_min=qn, q_max=qx, C2=c2)
    if sigma is not None:
        arrs.update(sigma=_nonneg("sigma", sigma), C_star=_pos("C_star", C_star))
    v = dict(zip(arrs, C.broadcast(**arrs)))
    a, b, e, g, L, m, qn, qx, c2 = (v[k] for k in ("alpha", "beta", "eta", "gamma", "L", "mu", "q_min", "q_max", "C2"))
    pairs = {
        "alpha_a": (a, 2 * qx / (3 * qn * g * L)),
        "alpha_b": (a, qx / (qn**2 * g * L)),
        "alpha_c": (a, 1 / (2 * g * L * qx)),
        "beta_a": (b, g / (2 * qx)),
        "beta_b": (b, g / qx),
        "eta_beta": (e, b * qx**2 / (g * qn)),
        "beta_sq": (2 * b**2 / g**2, b * qx**3 / (g * qn**2)),
        "positivity": (1 / (2 * a * qx) - 3 * g**2 * L - c2 * L, np.zeros_like(a)),
        "eta_max": (e, a * m * qn**4 / (52 * qx**3)),
    }
    if sigma is not None:
        pairs["C2_lo"] = (c2, 4 * v["sigma"] ** 2 / (v["C_star"] * qn))
        pairs["C2_hi"] = (c2, m * qn**2 * v["C_star"] / (8 * qx**3))
        pairs["C2_a"] = (c2, _c2_a(v["sigma"], v["C_star"], m, qn, qx))
    if printed_constant:
        pairs["C2_printed"] = (c2, np.ones_like(c2))
    res = {}
    for name, (lhs, rhs) in pairs.items():
        ok = lhs > rhs if name in _STRICT else lhs >= rhs if name in _GE else lhs <= rhs
        res[name] = SideCondition(bool(ok) if np.ndim(ok) == 0 else ok, C.out(lhs), C.out(rhs))
    return res


@lru_cache(maxsize=None)
def rider_alpha_bounds_expr() -> BoundExpr:
    """Upper bounds on alpha implied by each side condition once beta, eta are
    the proof's choices (``rider_step_sizes_expr``, eta = eta_max) and
    C2 = lo, the low end of the C2 interval (smallest C2 -> largest alpha).

    Each condition becomes h(alpha) <= 0 (h = lhs - rhs; for "positivity"
    h = -lhs < 0; for "beta_sq" h = (lhs - rhs)/beta). sympy solves h = 0 for alpha; h is increasing in alpha
    (steps["<name>_dh_dalpha"] > 0), so the condition is alpha <= root.
    ``expr`` is the tuple of roots in the order of ``ALPHA_BOUND_NAMES``.
    Conditions whose sign does not depend on alpha are in steps["alpha_free"]
    as factored h (must be <= 0): "eta_beta" is
    alpha mu q_min^2 (34 q_min^2 - 13 sqrt34 q_max^2) / (1768 q_max^3) <= 0, i.e.
    q_min^2/q_max^2 <= 13/sqrt34 (about 2.23), true under Def. 2.1;
    "eta_max" holds with equality (h = 0).
    """
    import sympy as sp

    s = rider_symbols()
    beta, eta_max, _ = rider_step_sizes_expr().expr
    lo, _hi = rider_c2_interval_expr().expr
    sub = {s.beta: beta, s.eta: eta_max, s.C2: lo}
    roots, steps, free = [], {}, {}
    for name, (lhs, rhs) in rider_side_conditions_expr().items():
        if name in _C2_ONLY:
            continue
        h = rhs - lhs if name in _STRICT else lhs - rhs
        if name == "beta_sq":  # divide by beta > 0: 2 beta/gamma^2 <= q_max^3/(gamma q_min^2)
            h = sp.expand(h / s.beta)
        h = sp.simplify(h.subs(sub))
        found = sp.solve(sp.Eq(h, 0), s.alpha)  # alpha is a positive symbol: positive roots only
        if not found:  # the sign of h does not depend on alpha
            free[name] = sp.factor(h)
            continue
        (root,) = found
        steps[f"{name}_dh_dalpha"] = sp.simplify(sp.diff(h, s.alpha))
        steps[name] = root
        roots.append(root)
    derived = tuple(k for k in steps if not k.endswith("_dh_dalpha"))
    if derived != ALPHA_BOUND_NAMES:
        raise RuntimeError(f"derived step-size bounds {derived} differ from ALPHA_BOUND_NAMES {ALPHA_BOUND_NAMES}")
    return make(tuple(roots), (s.L, s.mu, s.sigma, s.q_min, s.q_max, s.C_star, s.gamma),
                alpha_free=free, **steps)


#: side conditions that bound alpha from above under the proof's choices.
ALPHA_BOUND_NAMES = ("alpha_a", "alpha_b", "alpha_c", "beta_a", "beta_b", "beta_sq", "positivity")


def _alpha_bounds(L, mu, sigma, q_min, q_max, C_star, gamma, c2=None):
    """Closed forms of ``rider_alpha_bounds_expr`` (numpy); ``c2`` (default: the
    interval's low end, as in the sympy form) enters "positivity" only."""
    if c2 is None:
        c2 = 4 * sigma**2 / (C_star * q_min)
    return {
        "alpha_a": 2 * q_max / (3 * q_min * gamma * L),
        "alpha_b": q_max / (q_min**2 * gamma * L),
        "alpha_c": 1 / (2 * gamma * L * q_max),
        "beta_a": 2 * _SQRT34 * q_max**2 / (mu * q_min**3),
        "beta_b": 4 * _SQRT34 * q_max**2 / (mu * q_min**3),
        "beta_sq": 2 * _SQRT34 * q_max**6 / (mu * q_min**5),
        "positivity": 1 / (2 * q_max * L * (3 * gamma**2 + c2)),
    }


class RiderAdmissible(NamedTuple):
    nonempty: bool
    reason: str           # why empty, or which condition binds
    alpha: float          # largest float alpha meeting every side condition (nan if empty)
    alpha_sup: float      # supremum of the admissible alphas (min of alpha_bounds)
    binding: str          # name of the condition giving alpha_sup
    beta: float           # proof's beta at alpha
    eta: float            # proof's eta = eta_max at alpha
    C1: float
    C2: float             # smallest admissible C2: max(interval low end, condition (a)) (maximises alpha_sup)
    C2_interval: C2Interval
    alpha_bounds: dict    # name -> upper bound on alpha (see ALPHA_BOUND_NAMES), at this C2
    C2_a: float           # lower end for C2 from condition (a) of errata/proof-conditions
    printed_constant_ok: bool  # C2 <= 1: the constant 5 of (72) as printed applies (condition (b))


#: forms of the (71) -> (72) condition on C2 that ``rider_admissible`` can impose.
C2_FORMS = ("sufficient", "literal")


def rider_admissible(L, mu, sigma, q_min, q_max, C_star, gamma, *, c2_form="sufficient") -> RiderAdmissible:
    """Thm 3.7: the admissible step sizes, alpha in (0, alpha_sup] (open at
    alpha_sup when "positivity" binds), with beta, eta = eta_max and C1 the
    proof's choices (``rider_step_sizes``) and C2 = the smallest value meeting
    both the C2 interval's low end and condition (a) of errata/proof-conditions
    (``rider_c2_condition_a``), the choice that maximises alpha_sup (C2 enters
    only the positivity condition, which tightens as C2 grows) and minimises
    V0 and the (4 + C2) constant of (72). ``printed_constant_ok`` says whether
    this C2 <= 1 (condition (b): the printed constant 5 of (72) applies).

        alpha_sup = min( 2 q_max/(3 q_min gamma L), q_max/(q_min^2 gamma L),
                         1/(2 gamma L q_max), 2 sqrt34 q_max^2/(mu q_min^3),
                         4 sqrt34 q_max^2/(mu q_min^3), 2 sqrt34 q_max^6/(mu q_min^5),
                         1/(2 q_max L (3 gamma^2 + C2)) )

    (derived in ``rider_alpha_bounds_expr``). ``alpha`` is alpha_sup stepped
    down by a few ulps until ``rider_side_conditions`` holds for every entry
    when evaluated in floating point, so it is admissible as computed.

    ``c2_form="literal"``: C2 also meets the (71) -> (72) condition as the proof writes it
    (``rider_c2_condition_a_literal`` at eta = eta_max, which does not depend on alpha; stepped
    up by 1e-12 relative against rounding); the returned ``C2_a`` is then that literal lower end. Default "sufficient": condition (a) only.

    Empty (``nonempty=False``, alpha nan, ``reason`` says why) when the C2
    interval is empty, i.e. C_star < ``rider_cstar_condition(form="proof")``
    (``errata_cstar_condition``), when condition (a) pushes C2 above the interval's upper end,
    or when an alpha-free condition fails. Scalars only.
    L, mu > 0; sigma >= 0; 0 < q_min <= q_max; C_star > 0; gamma > 0.
    """
    C.choice("c2_form", c2_form, C2_FORMS)
    L, m, g, cs = _pos("L", L), _pos("mu", mu), _pos("gamma", gamma), _pos("C_star", C_star)
    sg = _nonneg("sigma", sigma)
    qn, qx = _q_pair(q_min, q_max)
    L, m, g, cs, sg, qn, qx = (_scalar(k, v) for k, v in
                               dict(L=L, mu=m, gamma=g, C_star=cs, sigma=sg, q_min=qn, q_max=qx).items())
    interval = rider_c2_interval(sg, cs, m, qn, qx)
    c2a = float(_c2_a(sg, cs, m, qn, qx))
    if c2_form == "literal":
        # stepped up by 1e-12 (relative) so that C2 meets the literal end as evaluated in floating
        # point at any alpha with eta = eta_max (eta/alpha rounds differently from the closed form)
        c2a = max(c2a, float(_c2_a_literal_at_eta_max(sg, cs, m, qn, qx)) * (1 + 1e-12))
    c2 = max(float(interval.lo), c2a)
    bounds = {k: float(v) for k, v in _alpha_bounds(L, m, sg, qn, qx, cs, g, c2).items()}
    binding = min(bounds, key=bounds.get)
    sup = bounds[binding]
    nan = float("nan")

    def empty(reason):
        return RiderAdmissible(False, reason, nan, sup, binding, nan, nan, nan, nan, interval, bounds, c2a, False)

    if interval.lo > interval.hi:
        need = rider_cstar_condition(sg, m, qn, qx, form="proof")
        stated = rider_cstar_condition(sg, m, qn, qx, form="stated")
        return empty(
            f"C2 interval empty: lo = {interval.lo:.6g} > hi = {interval.hi:.6g}; it needs "
            f"C_star >= 4 sqrt2 sigma q_max^1.5/(sqrt(mu) q_min^1.5) = {need:.6g}, got C_star = {cs:.6g} "
            f"(Thm 3.7's stated threshold is {stated:.6g}; errata/cstar-condition)")
    if c2 > interval.hi:
        return empty(
            f"condition (a) of errata/proof-conditions ({c2_form} form) needs C2 >= {c2a:.6g}, above the C2 interval's upper "
            f"end {interval.hi:.6g} (interval [{interval.lo:.6g}, {interval.hi:.6g}])")

    def failing(alpha):
        st = rider_step_sizes(alpha, g, m, qn, qx)
        conds = rider_side_conditions(alpha, st.beta, st.eta_max, g, L, m, qn, qx, c2, sigma=sg, C_star=cs)
        # rounding: c2 is max(lo, C2_a) computed by the same closed forms, so C2_lo/C2_a hold exactly
        return st, [k for k, c in conds.items() if not c.holds]

    st, failed = failing(sup)
    free = [k for k in failed if k not in ALPHA_BOUND_NAMES]
    if free:  # conditions alpha cannot fix (none under Def. 2.1, kept for safety)
        return empty("side condition(s) independent of alpha fail: "
                     + "; ".join(f"{k}: {RIDER_SIDE_CONDITIONS[k]}" for k in free))
    alpha = sup
    for _ in range(64):  # a few ulps: rounding of the closed forms, and the strict "positivity"
        if not failed:
            break
        alpha = float(np.nextafter(alpha, 0.0))
        st, failed = failing(alpha)
    else:  # pragma: no cover
        return empty(f"side conditions {failed} still fail 64 ulps below alpha_sup = {sup:.17g}")
    how = "open (strict)" if binding in _STRICT else "closed"
    return RiderAdmissible(True, f"binding: {binding} ({RIDER_SIDE_CONDITIONS[binding]}); region {how} at alpha_sup",
                           alpha, sup, binding, st.beta, st.eta_max, st.C1, c2, interval, bounds, c2a, c2 <= 1.0)


# --------------------------------------------------------------------------
# Thm 3.7 -- the explicit bound (72), Lyapunov function (63), lower level (10)
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def rider_bound_72_expr() -> BoundExpr:
    """Right side of (72) without the Theta(dw_min) term.

    steps["at_alpha_c_over_sqrtK"]: alpha = c/sqrt(K), V_K = 0, times sqrt(K);
    steps["in_kappa"]: the same with L = kappa1 mu, q_min = q_max/kappa2 --
    a polynomial of degree 1 in kappa1 and 5 in kappa2 (see ``errata_kappa_exponent``).
    """
    import sympy as sp

    s = rider_symbols()
    pre = 16 * sp.sqrt(34) * s.q_max**4 / (s.mu * s.q_min**5)
    expr = pre * ((s.V0 - s.VK) / (s.alpha * s.K) + 5 * s.alpha * s.L * s.q_max**2 * s.sigma**2)
    scaled = sp.expand(sp.simplify(expr.subs({s.alpha: s.c / sp.sqrt(s.K), s.VK: 0}) * sp.sqrt(s.K)))
    in_kappa = sp.expand(scaled.subs({s.L: s.kappa1 * s.mu, s.q_min: s.q_max / s.kappa2}))
    return make(expr, (s.K, s.alpha, s.V0, s.L, s.mu, s.sigma, s.q_min, s.q_max, s.VK),
                prefactor=pre, at_alpha_c_over_sqrtK=scaled, in_kappa=in_kappa)


def rider_bound_72(K, alpha, V0, L, mu, sigma, q_min, q_max, VK=0.0, *, C2=None):
    """Thm 3.7, proof eq. (72): upper bound on
    ``(1/K) sum_{k<K} E[f(W_bar_k) - f* + C1 ||P*(W_k,Q_k) - Q_k||^2 + ||G_p(P_k)||^2]``,
    without its Theta(dw_min) term (no explicit constant; check by scaling):

        16 sqrt34 q_max^4 / (mu q_min^5) * ( (V0 - VK)/(alpha K) + 5 alpha L q_max^2 sigma^2 )

    K > 0 iterations; alpha > 0 fast rate (must be admissible: ``rider_admissible``);
    V0, VK >= 0 the Lyapunov function (63) at k = 0 and K (``rider_lyapunov``;
    VK = 0 gives the bound usable without knowing V_K); L, mu > 0; sigma >= 0;
    0 < q_min <= q_max. With alpha = c/sqrt(K) it is O(kappa1 kappa2^5/sqrt K).

    ``C2=None``: the constant 5 as printed (valid for C2 <= 1, errata/proof-conditions (b));
    ``C2`` a number >= 0: the proof's own constant (4 + C2) in place of 5.
    """
    M = 5.0
    if C2 is not None:
        M = 4.0 + _nonneg("C2", C2)
    k = _pos("K", K)
    a, v0, vk = _pos("alpha", alpha), _nonneg("V0", V0), _nonneg("VK", VK)
    L, m, sg = _pos("L", L), _pos("mu", mu), _nonneg("sigma", sigma)
    qn, qx = _q_pair(q_min, q_max)
    k, a, v0, L, m, sg, qn, qx, vk, M = C.broadcast(K=k, alpha=a, V0=v0, L=L, mu=m, sigma=sg, q_min=qn, q_max=qx,
                                                    VK=vk, M=M)
    pre = 16 * _SQRT34 * qx**4 / (m * qn**5)
    return C.out(pre * ((v0 - vk) / (a * k) + M * a * L * qx**2 * sg**2))


@lru_cache(maxsize=None)
def rider_lyapunov_expr() -> BoundExpr:
    """Eq. (63): V = (f(W_bar) - f*) + C1 ||P*(W,Q) - Q||^2 + C2 (phi(P) - phi*)."""
    s = rider_symbols()
    return make(s.f_gap + s.C1 * s.dist_sq + s.C2 * s.phi_gap, (s.f_gap, s.dist_sq, s.phi_gap, s.C1, s.C2))


def rider_lyapunov(f_gap, P_star_minus_Q_sq, phi_gap, C1, C2):
    """Thm 3.7, eq. (63): the Lyapunov function (exact value)

        V = (f(W_bar) - f*) + C1 ||P*(W, Q) - Q||^2 + C2 (phi(P) - phi*)

    f_gap >= 0: f(W_bar_k) - f*; P_star_minus_Q_sq >= 0: ||P*(W_k,Q_k) - Q_k||^2
    with P* from ``lower_level_solution`` (eq. (10)); phi_gap >= 0:
    phi(P_k) - phi* of the P device (accumulated asymmetry, phi* = 0 at the
    SP); C1, C2 >= 0 (``rider_step_sizes``, ``rider_c2_interval``).
    """
    f, d, p = _nonneg("f_gap", f_gap), _nonneg("P_star_minus_Q_sq", P_star_minus_Q_sq), _nonneg("phi_gap", phi_gap)
    c1, c2 = _nonneg("C1", C1), _nonneg("C2", C2)
    f, d, p, c1, c2 = C.broadcast(f_gap=f, P_star_minus_Q_sq=d, phi_gap=p, C1=c1, C2=c2)
    return C.out(f + c1 * d + c2 * p)


@lru_cache(maxsize=None)
def lower_level_solution_expr() -> BoundExpr:
    """Eq. (10): argmin_P f(W + gamma (P - Q)) for f(x) = (mu/2)(x - W*)^2
    (any f with unique minimiser W* gives the same: the argmin makes
    W + gamma (P - Q) = W*). Solved by sympy from d/dP = 0."""
    import sympy as sp

    s = rider_symbols()
    f = s.mu / 2 * (s.W + s.gamma * (s.P - s.Q) - s.W_star) ** 2
    (sol,) = sp.solve(sp.diff(f, s.P), s.P)
    return make(sol, (s.W, s.Q, s.W_star, s.gamma), objective=f)


def lower_level_solution(W, Q, W_star, gamma):
    """Eq. (10): the lower-level solution of the bilevel view (8),
    ``P*(W, Q) = argmin_P f(W + gamma (P - Q)) = Q + (W* - W) / gamma`` (exact).

    W slow-array weights, Q SP tracker, W_star the minimiser of f (arrays,
    broadcast); gamma > 0 residual scale.
    """
    w, q, ws = _finite("W", W), _finite("Q", Q), _finite("W_star", W_star)
    g = _pos("gamma", gamma)
    w, q, ws, g = C.broadcast(W=w, Q=q, W_star=ws, gamma=g)
    return C.out(q + (ws - w) / g)


@lru_cache(maxsize=None)
def rider_rate_kappa_expr(form: str = "stated") -> BoundExpr:
    """(15) ("stated") or (73) ("proof"): the kappa dependence of Thm 3.7's rate."""
    import sympy as sp

    C.choice("form", form, _FORMS)
    s = rider_symbols()
    k1 = s.kappa1 if form == "stated" else 1 / s.kappa1
    return make(k1 * s.kappa2**5 / sp.sqrt(s.K), (s.K, s.kappa1, s.kappa2))


def rider_rate_kappa(K, kappa1, kappa2, *, form="stated"):
    """Thm 3.7's rate without its constant (an order, not a bound):

        form="stated": kappa1 kappa2^5 / sqrt(K)      (15)
        form="proof":  kappa2^5 / (kappa1 sqrt(K))    (73), the proof's last line

    K > 0 iterations; kappa1 = L/mu >= 1; kappa2 = q_max/q_min >= 1.
    They differ by kappa1^2 (``errata_kappa_exponent``). Setting alpha = c/sqrt(K) in (72)
    (``rider_bound_72_expr().steps``) gives
    sqrt(K) * bound = 16 sqrt34 kappa2^5 (V0/c + 5 c kappa1 mu q_max^2 sigma^2) / (mu q_max),
    degree 1 in kappa1: "stated" (15) is what (72) supports; (73)'s 1/kappa1
    does not follow (``errata.errata_kappa_exponent``).
    """
    C.choice("form", form, _FORMS)
    k = _pos("K", K)
    k1, k2 = _pos("kappa1", kappa1), _pos("kappa2", kappa2)
    C.require("kappa1", k1, k1 >= 1, ">= 1 (kappa1 = L/mu, L >= mu)")
    C.require("kappa2", k2, k2 >= 1, ">= 1 (kappa2 = q_max/q_min)")
    k, k1, k2 = C.broadcast(K=k, kappa1=k1, kappa2=k2)
    f1 = k1 if form == "stated" else 1 / k1
    return C.out(f1 * k2**5 / np.sqrt(k))


# --------------------------------------------------------------------------
# Cor 3.9 -- pulses to reach training error delta
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def pulses_rider_expr() -> BoundExpr:
    s = rider_symbols()
    return make(s.c_K / s.delta**2, (s.delta, s.c_K))


def pulses_rider(delta, *, c_K=1.0):
    """Cor 3.9: pulses RIDER needs to reach training error delta, an order
    O(delta^-2) written with an explicit constant:

        K(delta) = c_K / delta^2

    delta > 0 target (the corollary assumes delta >= Theta(dw_min));
    c_K > 0 the (unknown, problem-dependent) constant, which also absorbs the
    pulses per iteration (e.g. BL). Unit constant by default.
    """
    d, ck = _pos("delta", delta), _pos("c_K", c_K)
    d, ck = C.broadcast(delta=d, c_K=ck)
    return C.out(ck / d**2)


@lru_cache(maxsize=None)
def pulses_two_stage_expr() -> BoundExpr:
    s = rider_symbols()
    return make(s.c_K / s.delta**2 + s.c_N / (s.delta * s.dw_min), (s.delta, s.dw_min, s.c_K, s.c_N))


def pulses_two_stage(delta, dw_min, *, c_K=1.0, c_N=1.0):
    """Cor 3.9: pulses of the two-stage baseline (ZS for N pulses, then
    training with the SP fixed), an order O(delta^-2 + delta^-1 dw_min^-1):

        K(delta) + N(delta) = c_K / delta^2 + c_N / (delta dw_min)

    delta > 0 target; dw_min > 0 response granularity (N = O(1/(delta dw_min))
    from Thm 2.2); c_K, c_N > 0 constants, unit by default.
    """
    d, dw = _pos("delta", delta), _pos("dw_min", dw_min)
    ck, cn = _pos("c_K", c_K), _pos("c_N", c_N)
    d, dw, ck, cn = C.broadcast(delta=d, dw_min=dw, c_K=ck, c_N=cn)
    return C.out(ck / d**2 + cn / (d * dw))


@lru_cache(maxsize=None)
def cor39_crossover_expr() -> BoundExpr:
    """Solve c_K/delta^2 = c_K2/delta^2 + c_N/(delta dw_min) for dw_min."""
    import sympy as sp

    s = rider_symbols()
    rider = s.c_K / s.delta**2
    two = s.c_K2 / s.delta**2 + s.c_N / (s.delta * s.dw_min)
    (sol,) = sp.solve(sp.Eq(rider, two), s.dw_min)
    return make(sp.simplify(sol), (s.delta, s.c_K, s.c_N, s.c_K2), rider=rider, two_stage=two)


def cor39_crossover(delta, c_K, c_N, *, c_K_two_stage=0.0):
    """Cor 3.9: the dw_min below which RIDER needs fewer pulses than two-stage,

        c_K/delta^2 < c_K2/delta^2 + c_N/(delta dw_min)  <=>  dw_min < c_N delta / (c_K - c_K2)

    delta > 0 target; c_K > 0 RIDER's constant (``pulses_rider``); c_N > 0
    the calibration constant; c_K_two_stage = c_K2 >= 0 the training constant
    of the two-stage method. The default 0 compares RIDER's whole cost with
    the calibration alone (conservative for RIDER). inf where c_K <= c_K2
    (RIDER needs fewer pulses for every dw_min). Shrinks like delta: for a
    finer target the crossover moves to smaller dw_min.
    """
    d, ck, cn = _pos("delta", delta), _pos("c_K", c_K), _pos("c_N", c_N)
    ck2 = _nonneg("c_K_two_stage", c_K_two_stage)
    d, ck, cn, ck2 = C.broadcast(delta=d, c_K=ck, c_N=cn, c_K_two_stage=ck2)
    gap = ck - ck2
    with np.errstate(divide="ignore"):
        return C.out(np.where(gap > 0, cn * d / np.where(gap > 0, gap, 1.0), np.inf))


# --------------------------------------------------------------------------
# Lemma 3.5 -- the Q average moves towards the SP
# --------------------------------------------------------------------------

class Lemma35(NamedTuple):
    lhs: Any        # ||Q_{k+1} - W_sp||^2, computed from Q_{k+1} = (1 - eta) Q_k + eta P_{k+1}
    rhs: Any        # ||a||^2 + (1-eta)^2 ||b||^2 - 2 (1-eta) ||a|| ||b|| cos theta
    cos_theta: Any  # cos of the angle between a = P_{k+1} - W_sp and b = P_{k+1} - Q_k (nan if a or b is 0)


class EtaWindow(NamedTuple):
    eta_lo: Any     # max(1 - 2 ||a|| cos theta / ||b||, 0); nan where the window is empty
    eta_hi: Any     # 1; nan where the window is empty
    cos_theta: Any


@lru_cache(maxsize=None)
def lemma35_expr() -> BoundExpr:
    """Lemma 3.5 in sympy. ``expr``: the right side in terms of ||a||, ||b||,
    cos theta, eta, with a = P_{k+1} - W_sp, b = P_{k+1} - Q_k.

    steps:
      identity_residual: componentwise (3-D vectors) ||a - (1-eta) b||^2
        minus the right side with ||a|| ||b|| cos theta = <a, b>; simplifies to 0.
        Q_{k+1} - W_sp = a - (1 - eta) b, so this is the identity.
      change: right side - ||a||^2, factored: (1-eta) ||b|| ((1-eta) ||b|| - 2 ||a|| cos theta).
      change_on_window: the change at 1 - eta = t * 2 ||a|| cos theta / ||b||,
        = 4 ||a||^2 cos^2 theta t (t - 1): negative for every t in (0, 1), i.e.
        every eta in (1 - 2 ||a|| cos theta/||b||, 1) (and eta in (0, 1) when
        that low end is below 0), which needs cos theta > 0. At t = 0, 1 the
        change is 0, so the window is exact.
    """
    import sympy as sp

    s = rider_symbols()
    a, b, c, e, t = s.a_norm, s.b_norm, s.cos_theta, s.eta, s.t
    rhs = a**2 + (1 - e) ** 2 * b**2 - 2 * (1 - e) * a * b * c
    av = sp.Matrix(sp.symbols("a0:3", real=True))
    bv = sp.Matrix(sp.symbols("b0:3", real=True))
    lhs_vec = (av - (1 - e) * bv).dot(av - (1 - e) * bv)
    rhs_vec = av.dot(av) + (1 - e) ** 2 * bv.dot(bv) - 2 * (1 - e) * av.dot(bv)
    change = sp.factor(rhs - a**2)
    on_window = sp.factor(sp.expand((rhs - a**2).subs(e, 1 - t * 2 * a * c / b)))
    return make(rhs, (s.a_norm, s.b_norm, s.cos_theta, s.eta),
                identity_residual=sp.simplify(sp.expand(lhs_vec - rhs_vec)),
                change=change, change_on_window=on_window,
                eta_lo=1 - 2 * a * c / b)


def _lemma35_vectors(P_next, Q, W_sp):
    p, q, w = _finite("P_next", P_next), _finite("Q", Q), _finite("W_sp", W_sp)
    p, q, w = C.broadcast(P_next=p, Q=q, W_sp=w)
    scalar = p.ndim == 0
    if scalar:
        p, q, w = p[None], q[None], w[None]
    a, b = p - w, p - q
    ab = np.einsum("...i,...i->...", a, b)
    na, nb = np.linalg.norm(a, axis=-1), np.linalg.norm(b, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cos = np.where((na > 0) & (nb > 0), ab / (na * nb), np.nan)
        cos = np.clip(cos, -1.0, 1.0)
    return a, b, ab, na, nb, cos


def lemma35_identity(P_next, Q, W_sp, eta) -> Lemma35:
    """Lemma 3.5: both sides of the exact identity (an identity, equal to
    rounding), with Q_{k+1} = (1 - eta) Q_k + eta P_{k+1},

        ||Q_{k+1} - W_sp||^2
          = ||P_{k+1} - W_sp||^2 + (1-eta)^2 ||P_{k+1} - Q_k||^2
            - 2 (1-eta) ||P_{k+1} - W_sp|| ||P_{k+1} - Q_k|| cos theta,

    theta the angle between P_{k+1} - W_sp and P_{k+1} - Q_k. P_next = P_{k+1},
    Q = Q_k, W_sp: vectors along the LAST axis (a scalar is a 1-vector),
    broadcast together; eta (real; the algorithm uses (0, 1]) broadcasts with
    the batch shape. The rhs uses ||a|| ||b|| cos theta = <a, b>, so it is
    defined when an angle is not (cos_theta nan where a or b is 0).
    """
    a, b, ab, na, nb, cos = _lemma35_vectors(P_next, Q, W_sp)
    e = _finite("eta", eta)
    e, ab, na, nb, cos = C.broadcast(eta=e, batch=ab, a=na, b=nb, cos_theta=cos)
    q_next_minus_sp = a - (1 - e)[..., None] * b
    lhs = np.einsum("...i,...i->...", q_next_minus_sp, q_next_minus_sp)
    rhs = na**2 + (1 - e) ** 2 * nb**2 - 2 * (1 - e) * ab
    return Lemma35(C.out(lhs), C.out(rhs), C.out(cos))


def lemma35_eta_window(P_next, Q, W_sp) -> EtaWindow:
    """Lemma 3.5: the filter weights eta in (eta_lo, eta_hi) = (eta_lo, 1) with
    ``||Q_{k+1} - W_sp|| < ||P_{k+1} - W_sp||`` (the average is closer to the SP),

        eta_lo = max(1 - 2 ||P_{k+1} - W_sp|| cos theta / ||P_{k+1} - Q_k||, 0),

    exact when eta_lo > 0: eta in [0, eta_lo] gives no decrease
    (``lemma35_expr().steps["change_on_window"]``). Arguments as in
    ``lemma35_identity``. Where cos theta <= 0 (or undefined: P_{k+1} = W_sp or
    P_{k+1} = Q_k) no eta < 1 helps: eta_lo and eta_hi are nan there.
    """
    _, _, ab, na, nb, cos = _lemma35_vectors(P_next, Q, W_sp)
    ok = ab > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        # ||a|| cos / ||b|| = <a, b> / ||b||^2: no division by ||a||
        lo = np.where(ok, np.maximum(1 - 2 * ab / np.where(ok, nb**2, 1.0), 0.0), np.nan)
    hi = np.where(ok, 1.0, np.nan)
    return EtaWindow(C.out(lo), C.out(hi), C.out(cos))
