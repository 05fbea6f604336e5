"""Inconsistencies of the paper in Sec. 2 / App. C, settled with sympy
(``errata_sp_formula_104``, ``errata_thm_c2_direction``, ``errata_thm_c4_factor``,
``errata_thm_c2_constant``). Each ``errata_*_expr()`` is the symbolic argument;
each ``errata_*()`` evaluates it at given numbers for the errata report.
Simulation evidence (which form holds) belongs to ``verification``.
Thm 3.7 (RIDER): ``errata_cstar_condition``, ``errata_alpha_small``, ``errata_kappa_exponent``
take no arguments and return the sympy findings with a verdict (bool).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from . import _checks as C
from ._symbolic import BoundExpr, make, symbols
from .zero_shift import (
    _contraction_hypothesis,
    _nonneg,
    _pos,
    zs_last_iterate_bound,
    zs_last_iterate_bound_expr,
    zs_pulses_needed,
)


# --------------------------------------------------------------------------
# errata/sp-formula-104 -- SoftBounds symmetric point, (103) vs the printed (104)
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def sp_soft_bounds_expr() -> BoundExpr:
    """Solve G(w) = 0 for q_plus = a_up (1 - w/tau_max), q_minus = a_dn (1 + w/tau_min),
    tau_max, tau_min > 0 the magnitudes of the bounds (eq. (103))."""
    import sympy as sp

    s = symbols()
    q_plus = s.a_up * (1 - s.w / s.tau_max)
    q_minus = s.a_dn * (1 + s.w / s.tau_min)
    G = (q_minus - q_plus) / 2
    (root,) = sp.solve(sp.Eq(G, 0), s.w)
    expr = (s.a_up - s.a_dn) / (s.a_up / s.tau_max + s.a_dn / s.tau_min)
    if sp.simplify(root - expr) != 0:
        raise RuntimeError(f"sympy's root of G, {root}, differs from the closed form {expr}")
    return make(expr, (s.a_up, s.a_dn, s.tau_max, s.tau_min), G=G, root=root, dG=sp.diff(G, s.w))


def sp_soft_bounds(a_up, a_dn, tau_max, tau_min, *, offset=0.0):
    """Symmetric point of a SoftBounds device, magnitude convention (eq. (103)):

        w_sp = offset + (a_up - a_dn) / (a_up/tau_max + a_dn/tau_min)

    Exact value (the root of the affine G). a_up, a_dn > 0 response
    amplitudes; tau_max, tau_min > 0 the MAGNITUDES of the bounds
    w in (-tau_min, tau_max); offset s shifts the curves, q(w) -> q(w - s).
    """
    a_up, a_dn = _pos("a_up", a_up), _pos("a_dn", a_dn)
    t_max, t_min = _pos("tau_max", tau_max), _pos("tau_min", tau_min)
    off = C.as_float_array("offset", offset)
    C.require("offset", off, np.isfinite(off), "finite")
    a_up, a_dn, t_max, t_min, off = C.broadcast(a_up=a_up, a_dn=a_dn, tau_max=t_max, tau_min=t_min, offset=off)
    return C.out(off + (a_up - a_dn) / (a_up / t_max + a_dn / t_min))


def sp_formula_104_printed(a_up, a_dn, tau_max, tau_min):
    """The paper's (104) as printed: (a_up - a_dn) / (a_up/tau_max - a_dn/tau_min).

    Right only when ``tau_min`` is the SIGNED lower bound (negative, aihwkit
    convention); with magnitudes it is wrong (and 0/0 = nan for a symmetric
    device with a_up = a_dn, tau_max = tau_min). Kept for the errata report;
    no sign check on tau_min.
    """
    a_up, a_dn = _pos("a_up", a_up), _pos("a_dn", a_dn)
    t_max, t_min = _pos("tau_max", tau_max), C.as_float_array("tau_min", tau_min)
    C.require("tau_min", t_min, t_min != 0, "nonzero")
    a_up, a_dn, t_max, t_min = C.broadcast(a_up=a_up, a_dn=a_dn, tau_max=t_max, tau_min=t_min)
    with np.errstate(divide="ignore", invalid="ignore"):
        return C.out((a_up - a_dn) / (a_up / t_max - a_dn / t_min))


class ErrataSPFormula104(NamedTuple):
    correct: Any                      # sympy: (a_up - a_dn)/(a_up/tau_max + a_dn/tau_min)
    printed: Any                      # sympy: (a_up - a_dn)/(a_up/tau_max - a_dn/tau_min)
    printed_minus_correct: Any        # sympy, magnitudes: not identically 0
    printed_right_for_magnitudes: bool  # False
    printed_right_for_signed: bool      # True: tau_min -> -tau_min makes them equal


@lru_cache(maxsize=None)
def errata_sp_formula_104() -> ErrataSPFormula104:
    """``errata_sp_formula_104``: (104)'s denominator is right for a signed tau_min only."""
    import sympy as sp

    s = symbols()
    correct = sp_soft_bounds_expr().expr
    printed = (s.a_up - s.a_dn) / (s.a_up / s.tau_max - s.a_dn / s.tau_min)
    diff = sp.simplify(printed - correct)
    signed = sp.Symbol("tau_min_signed", negative=True)  # = -tau_min
    diff_signed = sp.simplify(printed.subs(s.tau_min, signed) - correct.subs(s.tau_min, -signed))
    return ErrataSPFormula104(correct, printed, diff, bool(diff == 0), bool(diff_signed == 0))


# --------------------------------------------------------------------------
# errata/thm-c2-direction -- Thm C.2 prints "N <=", the proof gives "N >="
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def errata_thm_c2_direction_expr() -> dict:
    """The symbolic argument that (30) is a lower bound on N.

    * ``dbound_dN``: d/dN of (28) = dist0_sq (1-2x)^N log(1-2x) < 0 for
      0 < x = dw_min mu_q < 1/2: the bound decreases in N, so only "N >= ..."
      can make it small.
    * ``solve_exact``: (1-2x)^N dist0_sq <= delta/2  <=>  N >= log(2 dist0_sq/delta) / (-log(1-2x))
      (dividing by log(1-2x) < 0 flips "<=" into ">=").
    * ``log_gap``: g(x) = log(1-2x) + 2x has g(0) = 0 and ``log_gap_derivative``
      g'(x) = -4x/(1-2x) < 0, so -log(1-2x) >= 2x and (30)'s threshold
      log(2 dist0_sq/delta)/(2x) is >= the exact one: N >= (30) suffices.
    """
    import sympy as sp

    s = symbols()
    x = s.x
    bound = (1 - 2 * x) ** s.N * s.dist0_sq + s.dw_min * s.q_max**2 / s.mu_q
    g = sp.log(1 - 2 * x) + 2 * x
    return {
        "dbound_dN": sp.diff(bound, s.N),
        "solve_exact": sp.solve(sp.Eq((1 - 2 * x) ** s.N * s.dist0_sq, s.delta / 2), s.N)[0],
        "log_gap": g,
        "log_gap_at_0": g.subs(x, 0),
        "log_gap_derivative": sp.simplify(sp.diff(g, x)),
    }


class ErrataThmC2Direction(NamedTuple):
    n_sufficient: Any              # (30): log(2 dist0_sq/delta) / (2 dw_min mu_q), clipped at 0
    n_exact: Any                   # smallest N with geometric term <= delta/2
    geometric_at_n_sufficient: Any  # (1-2x)^N dist0_sq at N = n_sufficient, <= delta/2
    half_delta: Any
    slope_at_n_sufficient: Any     # d/dN of (28) there, < 0
    is_lower_bound: Any            # bool: the condition on N is "N >=" (bound decreasing, threshold met)


def errata_thm_c2_direction(delta, dw_min, mu_q, dist0_sq) -> ErrataThmC2Direction:
    """``errata_thm_c2_direction`` at numbers: (30) is a sufficient LOWER bound on N.

    Arguments as in ``zs_pulses_needed``. Requires 2 dw_min mu_q < 1.
    """
    n_suf = np.asarray(zs_pulses_needed(delta, dw_min, mu_q, dist0_sq, form="stated"))
    n_ex = np.asarray(zs_pulses_needed(delta, dw_min, mu_q, dist0_sq, form="exact"))
    x = _contraction_hypothesis(_pos("dw_min", dw_min), _pos("mu_q", mu_q))
    e0 = _nonneg("dist0_sq", dist0_sq)
    geo = (1 - 2 * x) ** n_suf * e0
    slope = geo * np.log1p(-2 * x)
    half = np.asarray(_pos("delta", delta)) / 2
    ok = (slope <= 0) & (geo <= half * (1 + 1e-12)) & (n_ex <= n_suf)
    return ErrataThmC2Direction(C.out(n_suf), C.out(n_ex), C.out(geo), C.out(np.broadcast_to(half, geo.shape)),
                                C.out(slope), bool(ok) if np.ndim(ok) == 0 else ok)


# --------------------------------------------------------------------------
# errata/thm-c4-factor -- Thm C.4: per-pair factor (1 - x)^2 in the proof (42) vs (1 - 2x)^2 in (43)
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def errata_thm_c4_factor_expr() -> dict:
    """Per-pair factors, x = dw_min mu_q in (0, 1/2).

    ``proof_minus_stated`` = (1-x)^2 - (1-2x)^2 = x (2 - 3x) > 0: the stated
    factor is strictly smaller, so (43) claims more than (42) gives and does
    not follow from it. ``affine_minus_stated`` = (1-x)^4 - (1-2x)^2 > 0: an
    affine (SoftBounds) device whose up and down slopes both equal mu_q
    contracts the squared distance by (1-x)^4 per pair -- slower than (43)
    says, faster than (42) allows (``proof_minus_affine`` >= 0).
    """
    import sympy as sp

    x = symbols().x
    stated, proof, affine = (1 - 2 * x) ** 2, (1 - x) ** 2, (1 - x) ** 4
    return {
        "stated": stated,
        "proof": proof,
        "affine": affine,
        "proof_minus_stated": sp.factor(sp.expand(proof - stated)),
        "affine_minus_stated": sp.factor(sp.expand(affine - stated)),
        "proof_minus_affine": sp.factor(sp.expand(proof - affine)),
    }


class ErrataThmC4Factor(NamedTuple):
    stated_factor: Any   # (1 - 2 dw_min mu_q)^(2N), eq. (43)
    proof_factor: Any    # (1 - dw_min mu_q)^(2N), from (42)
    affine_factor: Any   # (1 - dw_min mu_q)^(4N): equal-slope affine device, exact
    ratio: Any           # proof_factor / stated_factor (>= 1)
    stated_follows_from_proof: Any  # bool: stated_factor >= proof_factor (False for N > 0)


def errata_thm_c4_factor(dw_min, mu_q, N) -> ErrataThmC4Factor:
    """``errata_thm_c4_factor`` at numbers: the geometric factors of Thm C.4 after N pairs.

    dw_min, mu_q > 0 with 2 dw_min mu_q < 1; N >= 0 pairs. Broadcasts.
    """
    dw, mu = _pos("dw_min", dw_min), _pos("mu_q", mu_q)
    N = C.as_float_array("N", N)
    C.require("N", N, N >= 0, ">= 0 (number of pairs)")
    dw, mu, N = C.broadcast(dw_min=dw, mu_q=mu, N=N)
    x = _contraction_hypothesis(dw, mu)
    stated = (1 - 2 * x) ** (2 * N)
    proof = (1 - x) ** (2 * N)
    affine = (1 - x) ** (4 * N)
    follows = stated >= proof
    return ErrataThmC4Factor(C.out(stated), C.out(proof), C.out(affine), C.out(proof / stated),
                    bool(follows) if follows.ndim == 0 else follows)


# --------------------------------------------------------------------------
# errata/thm-c2-constant -- Thm C.2: E[(eps F - G)^2] <= q_max^2 suffices (the proof uses 2 q_max^2)
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def errata_thm_c2_constant_expr() -> dict:
    """E over eps = +/-1 of (eps F - G)^2 = F^2 + G^2 = (q_plus^2 + q_minus^2)/2 <= q_max^2,
    with equality when q_plus = q_minus = q_max; the printed 2 q_max^2 is twice that."""
    import sympy as sp

    s = symbols()
    b = zs_last_iterate_bound_expr("paper").steps
    tight = b["second_moment_in_q"]
    return {
        "second_moment": b["second_moment"],
        "second_moment_in_q": tight,
        "at_q_max": sp.simplify(tight.subs({s.q_plus: s.q_max, s.q_minus: s.q_max})),
        "floor_paper": s.dw_min * s.q_max**2 / s.mu_q,
        "floor_tight": s.dw_min * s.q_max**2 / (2 * s.mu_q),
    }


class ErrataThmC2Constant(NamedTuple):
    floor_paper: Any   # D dw_min q_max^2 / mu_q   (printed (28))
    floor_tight: Any   # D dw_min q_max^2 / (2 mu_q)
    ratio: Any         # 2


def errata_thm_c2_constant(dw_min, mu_q, q_max, *, cells=1) -> ErrataThmC2Constant:
    """``errata_thm_c2_constant`` at numbers: the additive floor of (28) with the printed and the tight constant."""
    paper = np.asarray(zs_last_iterate_bound(0, dw_min, mu_q, q_max, 0.0, cells=cells, const="paper"))
    tight = np.asarray(zs_last_iterate_bound(0, dw_min, mu_q, q_max, 0.0, cells=cells, const="tight"))
    return ErrataThmC2Constant(C.out(paper), C.out(tight), C.out(paper / tight))


# --------------------------------------------------------------------------
# errata/cstar-condition -- Thm 3.7: the condition on C_star (sigma/mu) vs the C2 interval of the proof
# --------------------------------------------------------------------------

class ErrataCstarCondition(NamedTuple):
    c_star_min_stated: Any    # sympy: 4 sqrt2 (sigma/mu) (q_max/q_min)^{3/2}  (Thm 3.7)
    c_star_min_proof: Any     # sympy: 4 sqrt2 sigma q_max^{3/2}/(sqrt(mu) q_min^{3/2})
    nonempty_iff: Any         # sympy relation: solve(lo <= hi, C_star)
    stated_over_proof: Any    # sympy: 1/sqrt(mu)
    stated_sufficient_iff: Any  # sympy relation on mu: mu <= 1
    stated_sufficient: bool   # False: not for every mu (it is for mu <= 1 only)
    proof_form_exact: bool    # True: at C_star = proof threshold lo == hi


@lru_cache(maxsize=None)
def errata_cstar_condition() -> ErrataCstarCondition:
    """``errata_cstar_condition``: the C2 interval [4 sigma^2/(C_star q_min), mu q_min^2 C_star/(8 q_max^3)]
    is non-empty iff C_star >= 4 sqrt2 sigma q_max^{3/2}/(sqrt(mu) q_min^{3/2})
    (sympy solves lo <= hi); Thm 3.7 prints sigma/mu instead of sigma/sqrt(mu).
    stated/proof = 1/sqrt(mu): the stated condition implies the proof's iff
    mu <= 1. E.g. mu = 4, sigma = 1, q_max/q_min = 2: stated 4, needed 8.
    """
    import sympy as sp

    from .rider import rider_c2_interval_expr, rider_cstar_condition_expr, rider_symbols

    s = rider_symbols()
    stated = rider_cstar_condition_expr("stated").expr
    proof = rider_cstar_condition_expr("proof").expr
    iff = rider_c2_interval_expr().steps["nonempty_iff"]
    ratio = sp.simplify(stated / proof)
    suff = sp.solve(ratio >= 1, s.mu)
    lo, hi = rider_c2_interval_expr().expr
    exact = sp.simplify((lo - hi).subs(s.C_star, proof)) == 0
    return ErrataCstarCondition(stated, proof, iff, ratio, suff, bool(suff == sp.true), bool(exact))


# --------------------------------------------------------------------------
# errata/alpha-small -- Thm 3.7: "alpha large enough" vs positivity of 1/(2 alpha q_max) - 3 gamma^2 L - C2 L
# --------------------------------------------------------------------------

class ErrataAlphaSmall(NamedTuple):
    positivity: Any           # sympy: 1/(2 alpha q_max) - 3 gamma^2 L - C2 L
    d_dalpha: Any             # sympy: -1/(2 alpha^2 q_max) < 0
    limit_alpha_to_inf: Any   # sympy: -L (3 gamma^2 + C2) < 0
    alpha_sup: Any            # sympy: 1/(2 L q_max (3 gamma^2 + C2))
    needs_alpha_small: bool   # True: holds iff alpha < alpha_sup


@lru_cache(maxsize=None)
def errata_alpha_small() -> ErrataAlphaSmall:
    """``errata_alpha_small``: the positivity condition decreases in alpha and is negative
    for large alpha; it holds iff alpha < 1/(2 L q_max (3 gamma^2 + C2)),
    so the proof needs alpha SMALL enough, not large. E.g. L = q_max =
    gamma = 1, C2 = 0.5: alpha_sup = 1/7; at alpha = 0.2 the term is -1.
    """
    import sympy as sp

    from .rider import rider_side_conditions_expr, rider_symbols

    s = rider_symbols()
    pos, _ = rider_side_conditions_expr()["positivity"]
    d = sp.simplify(sp.diff(pos, s.alpha))
    lim = sp.factor(sp.limit(pos, s.alpha, sp.oo))
    (sup,) = sp.solve(sp.Eq(pos, 0), s.alpha)
    sup = sp.factor(sup)
    at_0 = sp.limit(pos, s.alpha, 0, "+")  # +oo
    # strictly decreasing from +oo to a negative limit: positive exactly on (0, alpha_sup)
    small = bool(d.is_negative) and bool(lim.is_negative) and at_0 == sp.oo
    return ErrataAlphaSmall(pos, d, lim, sup, small)


# --------------------------------------------------------------------------
# errata/kappa-exponent -- Thm 3.7: (15) kappa1 kappa2^5/sqrt K vs the proof's (73) kappa2^5/(kappa1 sqrt K)
# --------------------------------------------------------------------------

class ErrataKappaExponent(NamedTuple):
    stated: Any               # sympy: kappa1 kappa2^5 / sqrt K   (15)
    proof_last_line: Any      # sympy: kappa2^5 / (kappa1 sqrt K)  (73)
    stated_over_proof: Any    # sympy: kappa1^2
    bound72_times_sqrtK: Any  # (72) at alpha = c/sqrt K, V_K = 0, times sqrt K, L = kappa1 mu, q_min = q_max/kappa2
    kappa1_degree: int        # 1
    kappa2_degree: int        # 5
    kappa1_degree_alpha_c_over_L: int   # 1 as well, with alpha = c/(L sqrt K) (c dimensionless)
    kappa1_power_optimal_c: Any         # 1/2, with c minimising the bound
    stated_follows_from_72: bool  # True
    proof_follows_from_72: bool   # False


@lru_cache(maxsize=None)
def errata_kappa_exponent() -> ErrataKappaExponent:
    """``errata_kappa_exponent``: derive the rate from (72) with alpha = c/sqrt(K).

    sqrt(K) * (72) = 16 sqrt34 kappa2^5 V0/(c mu q_max)
                     + 80 sqrt34 c kappa1 kappa2^5 q_max sigma^2
    (V_K = 0; L = kappa1 mu, q_min = q_max/kappa2; mu, q_max, sigma, V0, c fixed):
    degree 1 in kappa1, 5 in kappa2, so O(kappa1 kappa2^5 / sqrt K) as (15)
    states. The kappa1 growth survives other choices of the constant:
    c = c'/L (alpha scaled to the alpha <= 1/(2 gamma L q_max) side condition)
    moves kappa1 onto the V0 term (degree 1 again); the c minimising the bound
    gives kappa1^{1/2}. No choice yields (73)'s kappa1^{-1}, which is kappa1^2
    below (15) and does not follow from (72).
    """
    import sympy as sp

    from .rider import rider_bound_72_expr, rider_rate_kappa_expr, rider_symbols

    s = rider_symbols()
    stated = rider_rate_kappa_expr("stated").expr
    proof = rider_rate_kappa_expr("proof").expr
    ratio = sp.simplify(stated / proof)
    b = rider_bound_72_expr()
    in_kappa = b.steps["in_kappa"]
    poly = sp.Poly(in_kappa, s.kappa1, s.kappa2)
    deg1, deg2 = poly.degree(s.kappa1), poly.degree(s.kappa2)
    # alpha = c/(L sqrt K): c -> c/L = c/(kappa1 mu)
    over_L = sp.expand(in_kappa.subs(s.c, s.c / (s.kappa1 * s.mu)))
    deg1_over_L = int(sp.degree(sp.expand(over_L * s.kappa1), s.kappa1)) - 1
    # optimal c: minimise A/c + B c -> 2 sqrt(A B)
    (c_opt,) = sp.solve(sp.diff(in_kappa, s.c), s.c)
    at_opt = sp.simplify(in_kappa.subs(s.c, c_opt))
    power_opt = sp.simplify(s.kappa1 * sp.diff(sp.log(at_opt), s.kappa1))
    # leading behaviour as kappa1 -> oo: bound / stated finite and positive; bound / proof -> oo
    lead_stated = sp.limit(in_kappa / (s.kappa1 * s.kappa2**5), s.kappa1, sp.oo)
    lead_proof = sp.limit(in_kappa / (s.kappa2**5 / s.kappa1), s.kappa1, sp.oo)
    stated_ok = bool(lead_stated.is_positive) and lead_stated.is_finite and deg1 == 1
    proof_ok = bool(lead_proof.is_finite)
    return ErrataKappaExponent(stated, proof, ratio, in_kappa, int(deg1), int(deg2), deg1_over_L, power_opt,
                    bool(stated_ok), proof_ok)


# --------------------------------------------------------------------------
# errata/rider-invariant -- RIDER's conserved quantity I = Q - (eta/beta) W (F_w == 1)
# --------------------------------------------------------------------------

class ErrataRiderInvariant(NamedTuple):
    increment: Any            # sympy: I_{k+1} - I_k under (11b), (12) with F_w = 1 (RIDER)
    increment_expected: Any   # sympy: eta |P_{k+1} - Q_k| G_w(W_k)
    residual: Any             # sympy: increment - increment_expected, simplifies to 0
    free_of_G_p: bool         # True: the increment does not involve G_p (P's device)
    chopped_increment: Any    # sympy: the same with the chopper c and reference Qt ((18b), (12))
    chopped_extra: Any        # sympy: chopped increment - RIDER's form at that state; 0 iff c = 1 and Qt = Q
    chopped_extra_at_flip: Any  # sympy: chopped_extra at c = -1, Qt = Q: 2 eta (P_{k+1} - Q_k)
    holds: bool               # True: the identity is exact for RIDER


@lru_cache(maxsize=None)
def errata_rider_invariant() -> ErrataRiderInvariant:
    """errata/rider-invariant (refines the paper's claim that Q tracks P's SP, Lemma 3.5).

    With F_w == 1 (e.g. the tanh family, ``devices.Tanh``), (11b) and (12) read
    W_{k+1} = W_k + beta d - beta |d| G_w(W_k), Q_{k+1} = Q_k + eta d,
    d = P_{k+1} - Q_k. Hence, exactly,

        I_{k+1} = I_k + eta |P_{k+1} - Q_k| G_w(W_k),   I = Q - (eta/beta) W:

    the increment never involves G_p, so nothing in RIDER's recursion pulls
    Q toward P's symmetric point beyond what this drift allows; on the mean
    map's line of stationary points (P = Q, W = W* - E|g| G_p(Q)/(A F_p(Q)))
    d = 0 and I does not move. With E-RIDER's chopper ((18b): beta c (P_{k+1} - Qt))
    the increment gains eta [(P_{k+1} - Q_k) - c (P_{k+1} - Qt_k)] plus the change of
    the |.| term: zero for c = 1, Qt = Q; 2 eta (P_{k+1} - Q_k) at c = -1.
    """
    import sympy as sp

    P1, Q, W, Qt, G_w = sp.symbols("P_next Q W Qt G_w", real=True)
    eta, beta = sp.symbols("eta beta", positive=True)
    c = sp.Symbol("c", real=True)
    G_p = sp.Function("G_p")
    d = P1 - Q
    W1 = W + beta * d * 1 - beta * sp.Abs(d) * G_w   # F_w = 1
    Q1 = Q + eta * d
    inc = sp.simplify((Q1 - eta / beta * W1) - (Q - eta / beta * W))
    want = eta * sp.Abs(d) * G_w
    resid = sp.simplify(inc - want)
    dc = P1 - Qt
    W1c = W + beta * c * dc - beta * sp.Abs(dc) * G_w
    inc_c = sp.expand((Q1 - eta / beta * W1c) - (Q - eta / beta * W))
    extra = sp.simplify(inc_c - want)
    at_flip = sp.simplify(extra.subs({c: -1, Qt: Q}))
    at_rider = sp.simplify(extra.subs({c: 1, Qt: Q}))
    return ErrataRiderInvariant(inc, want, resid, not inc.has(G_p), inc_c, extra, at_flip,
                                bool(resid == 0 and at_rider == 0))


def rider_invariant(Q, W, eta, beta):
    """errata/rider-invariant: ``I = Q - (eta/beta) W`` (exact value; arrays broadcast).

    Q SP tracker, W slow-array weights; eta > 0 filter weight of (12); beta > 0 transfer rate.
    """
    q, w = C.as_float_array("Q", Q), C.as_float_array("W", W)
    C.require("Q", q, np.isfinite(q), "finite")
    C.require("W", w, np.isfinite(w), "finite")
    e, b = _pos("eta", eta), _pos("beta", beta)
    q, w, e, b = C.broadcast(Q=q, W=w, eta=e, beta=b)
    return C.out(q - e / b * w)


def rider_invariant_increment(P_next, Q, G_w_of_W, eta):
    """errata/rider-invariant: the exact one-step change of ``I`` under RIDER with F_w == 1,
    ``eta |P_{k+1} - Q_k| G_w(W_k)`` (arrays broadcast; G_w_of_W = G_w(W_k) of the W device)."""
    p, q, g = (C.as_float_array(n, v) for n, v in (("P_next", P_next), ("Q", Q), ("G_w_of_W", G_w_of_W)))
    for n, v in (("P_next", p), ("Q", q), ("G_w_of_W", g)):
        C.require(n, v, np.isfinite(v), "finite")
    e = _pos("eta", eta)
    p, q, g, e = C.broadcast(P_next=p, Q=q, G_w_of_W=g, eta=e)
    return C.out(e * np.abs(p - q) * g)


# --------------------------------------------------------------------------
# errata/pl-step -- the upper end of the C2 interval lost PL's factor 2 mu
# --------------------------------------------------------------------------

class ErrataPLStep(NamedTuple):
    hi_printed: Any            # sympy: mu q_min^2 C_star / (8 q_max^3)
    balanced_against: Any      # sympy: the coefficient the printed hi equates C2 alpha q_max^2/(2 C_star) with
    grad_coefficient: Any      # sympy: alpha q_min^2/(32 q_max): that coefficient before PL (divided by 2 mu)
    hi_corrected: Any          # sympy: q_min^2 C_star / (16 q_max^3) = hi_printed / (2 mu)
    hi_smoothness: Any         # sympy: hi_printed / (2 L): the alternative route via ||grad f||^2 <= 2 L (f - f*)
    c_star_min_corrected: Any  # sympy: 8 sigma (q_max/q_min)^{3/2}: interval [lo, hi_corrected] non-empty iff C_star >= this
    c_star_min_smoothness: Any  # sympy: 8 sigma kappa2^{3/2} sqrt(L/mu)
    dimensions: dict           # name -> sympy dimension in units f (objective) and w (weight)
    hi_printed_has_C2_units: bool  # False: hi_printed carries units of mu times those of C2
    lo_has_C2_units: bool          # True
    corrected_has_C2_units: bool   # True
    unmeetable_near_optimum: bool  # True: C_star <= sigma/sqrt(D) near W* < 8 sigma kappa2^{3/2} for kappa2 >= 1
    confirmed: bool


@lru_cache(maxsize=None)
def errata_pl_step() -> ErrataPLStep:
    """errata/pl-step: the proof of Thm 3.7 turns the phi step's
    ``C2 alpha q_max^2/(2 C_star) ||grad f||^2`` into an (f - f*) term without PL's 2 mu.

    Settled symbolically in two independent ways.

    1. The balance. sympy solves ``C2 alpha q_max^2/(2 C_star) = X`` at the printed
       upper end C2 = mu q_min^2 C_star/(8 q_max^3): X = alpha mu q_min^2/(16 q_max), a
       coefficient linear in mu, i.e. an (f - f*) coefficient produced by PL
       (||grad f||^2 >= 2 mu (f - f*)) from alpha q_min^2/(32 q_max) ||grad f||^2. The printed
       end equates a ||grad f||^2 coefficient with an (f - f*) one. Absorbing the term
       where it is a ||grad f||^2 term (before PL) gives hi = q_min^2 C_star/(16 q_max^3),
       i.e. the printed end divided by 2 mu; going through L-smoothness instead
       (||grad f||^2 <= 2 L (f - f*), the only way to bound a POSITIVE ||grad f||^2 term
       by f - f*) divides it by 2 L. PL alone cannot convert a positive term.
    2. Units. With [f] the unit of f and [w] that of a weight: alpha [w]^2/[f];
       mu, L [f]/[w]^2; sigma, C_star [f]/[w]; q, beta, eta, gamma dimensionless;
       phi [w] (integral of the dimensionless G), so C2 (weight of phi in V, unit [f])
       has [f]/[w]. The interval's lo = 4 sigma^2/(C_star q_min) has [f]/[w]; the printed
       hi has [f]^2/[w]^3 = [f]/[w] times the unit of mu; the corrected end has [f]/[w].

    Consequence: [lo, hi/(2 mu)] is non-empty iff C_star >= 8 sigma kappa2^{3/2}
    (kappa2 = q_max/q_min >= 1). Near W*, E|grad f(W; xi)_d| <= sqrt(E xi_d^2) <= sigma,
    so no run that converges with sigma > 0 meets it: with the factor restored the
    proof covers sigma = 0 only (where Assumption 3.6 forces C_star -> 0 along a
    converging run). The theorem AS PRINTED is what the claim
    ``rider-counterexample`` tests.
    """
    import sympy as sp

    from .rider import rider_c2_interval_expr, rider_symbols

    s = rider_symbols()
    lo, hi = rider_c2_interval_expr().expr
    X = sp.Symbol("X", positive=True)
    (balanced,) = sp.solve(sp.Eq(s.C2 * s.alpha * s.q_max**2 / (2 * s.C_star), X).subs(s.C2, hi), X)
    grad_coeff = sp.simplify(balanced / (2 * s.mu))
    (hi_corr,) = sp.solve(sp.Eq(s.C2 * s.alpha * s.q_max**2 / (2 * s.C_star), grad_coeff), s.C2)
    hi_L = sp.simplify(hi / (2 * s.L))
    (cs_corr,) = sp.solve(sp.Eq(lo, hi_corr), s.C_star)
    (cs_L,) = sp.solve(sp.Eq(lo, hi_L), s.C_star)
    # units: f and w as positive symbols; a quantity's unit is a monomial in them
    f, w = sp.symbols("unit_f unit_w", positive=True)
    units = {s.alpha: w**2 / f, s.mu: f / w**2, s.L: f / w**2, s.sigma: f / w, s.C_star: f / w,
             s.q_min: 1, s.q_max: 1, s.gamma: 1, s.beta: 1, s.eta: 1}
    C2_unit = f / w  # V has unit f, phi has unit w

    def unit(e):  # the unit monomial, numeric factors dropped
        return sp.simplify(e.subs(units)).as_coeff_Mul()[1]

    dims = {"C2 (from V = ... + C2 phi)": C2_unit, "lo": unit(lo), "hi_printed": unit(hi),
            "hi_corrected": unit(hi_corr), "hi_printed / C2": sp.simplify(unit(hi) / C2_unit),
            "mu": units[s.mu]}
    kappa2 = sp.Symbol("kappa2", positive=True)
    gap = sp.simplify((cs_corr / s.sigma).subs(s.q_max, kappa2 * s.q_min))  # 8 kappa2^{3/2}
    unmeet = bool(sp.simplify(gap.subs(kappa2, 1) - 8) == 0 and sp.diff(gap, kappa2).is_positive)
    ok_balance = sp.simplify(hi_corr - hi / (2 * s.mu)) == 0
    units_ok = (sp.simplify(dims["lo"] / C2_unit) == 1, sp.simplify(dims["hi_printed"] / C2_unit) == 1,
                sp.simplify(dims["hi_corrected"] / C2_unit) == 1)
    return ErrataPLStep(hi, balanced, grad_coeff, hi_corr, hi_L, cs_corr, cs_L, dims, bool(units_ok[1]),
                        bool(units_ok[0]), bool(units_ok[2]), unmeet,
                        bool(ok_balance and units_ok[0] and not units_ok[1] and units_ok[2] and unmeet))


# --------------------------------------------------------------------------
# errata/proof-conditions -- conditions the proof of Thm 3.7 uses but does not state
# --------------------------------------------------------------------------

class ErrataProofConditions(NamedTuple):
    c: Any                     # sympy: the common coefficient alpha mu q_min^5/(16 sqrt34 q_max^4), derived from (72)
    noise_per_step: Any        # sympy: M alpha^2 L q_max^2 sigma^2 (M = 5 printed, 4 + C2 in the proof)
    matches_72: bool           # True: summing the descent with (c, N) reproduces (72) exactly
    a_coefficient: Any         # sympy: alpha C2 C_star/2 - 3 alpha sigma^2/(2 q_min)
    a_C2_min: Any              # sympy: 3 sigma^2/(C_star q_min) + mu q_min^5/(8 sqrt34 q_max^4 C_star)
    a_binds_iff: Any           # sympy relation on sigma: a_C2_min > lo
    a_with_hi_needs: Any       # sympy: C_star^2 >= this, for a_C2_min <= hi (printed hi)
    b_condition: Any           # sympy relation: 4 + C2 <= 5 <=> C2 <= 1
    b_lo_needs: Any            # sympy relation on sigma: lo <= 1 (so that some C2 <= 1 is in the interval)
    a_needed: bool             # True: (a) is not implied by C2 >= lo (it binds for small sigma)
    b_needed: bool             # True: the interval's lo can exceed 1


@lru_cache(maxsize=None)
def errata_proof_conditions() -> ErrataProofConditions:
    """errata/proof-conditions: two conditions the proof of Thm 3.7 uses but does not state.

    (a) The proof factors a common coefficient c out of the three terms of
        (72)'s left side. c follows from (72) itself (``rider_descent_coefficient_expr``):
        c = alpha mu q_min^5/(16 sqrt34 q_max^4). The ||G_p||^2 term's coefficient,
        alpha C2 C_star/2 - 3 alpha sigma^2/(2 q_min), must be >= c:
        C2 >= 3 sigma^2/(C_star q_min) + mu q_min^5/(8 sqrt34 q_max^4 C_star). This is
        stronger than the interval's lo = 4 sigma^2/(C_star q_min) iff
        sigma^2 < mu q_min^6/(8 sqrt34 q_max^4), and together with the printed hi it
        needs C_star^2 >= 24 sigma^2 kappa2^3/mu + q_min^3/(sqrt34 q_max): C_star (hence
        sigma, since C_star <= sigma near W*) cannot be small.
    (b) The noise term of the descent is (4 + C2) alpha^2 L q_max^2 sigma^2; the
        printed 5 needs C2 <= 1, which with C2 >= lo needs 4 sigma^2/(C_star q_min) <= 1.
    Both are added to ``bounds.rider_admissible`` / ``rider_side_conditions``.
    """
    import sympy as sp

    from .rider import rider_c2_condition_a_expr, rider_c2_interval_expr, rider_descent_coefficient_expr, rider_symbols

    s = rider_symbols()
    dc = rider_descent_coefficient_expr()
    ca = rider_c2_condition_a_expr()
    lo, hi = rider_c2_interval_expr().expr
    (need,) = sp.solve(sp.Eq(ca.expr, hi), s.C_star)
    need_sq = sp.expand(need**2)
    b = sp.solve(4 + s.C2 <= 5, s.C2)
    b_lo = sp.solve(lo <= 1, s.sigma)
    # (a) binds somewhere: at sigma -> 0 lo -> 0 while a_C2_min stays positive
    a_needed = bool(sp.limit(ca.expr - lo, s.sigma, 0).is_positive)
    b_needed = bool(sp.limit(lo, s.sigma, sp.oo) == sp.oo)
    return ErrataProofConditions(dc.expr, dc.steps["N"], bool(dc.steps["residual"] == 0), ca.steps["coefficient"],
                                 ca.expr, ca.steps["binds_iff"], need_sq, b, b_lo, a_needed, b_needed)


# --------------------------------------------------------------------------
# errata/gamma-drops -- gamma and 1/gamma factors dropped between (61), (64) and (66)
# --------------------------------------------------------------------------

class ErrataGammaDrops(NamedTuple):
    drops: dict                # name -> dict(kept=sympy, printed=sympy, valid_iff=sympy relation on gamma)
    fw_coefficient_printed: Any  # sympy: (66)'s coefficient of ||(P*-Q) F_w - |P*-Q| G_w||^2 with C1 = the proof's
    fw_coefficient_kept: Any   # sympy: the same with (61)'s 1/gamma kept: beta^2 q_max (5 - 4/gamma)/(alpha q_min^2)
    fw_negative_iff: Any       # sympy relation on gamma: gamma < 4/5
    fw_at_half: Any            # sympy: the kept coefficient at gamma = 1/2 (negative)
    all_valid_iff: Any         # sympy set of gamma > 0 where every drop is a valid inequality: {1}
    exact_at_one: bool         # True: at gamma = 1 every dropped factor is 1 (kept == printed)
    confirmed: bool


@lru_cache(maxsize=None)
def errata_gamma_drops() -> ErrataGammaDrops:
    """errata/gamma-drops: the proof of Thm 3.7 drops gamma and 1/gamma factors between (61), (64)
    and (66). Each drop replaces a term of an upper bound by the printed one; it is valid iff the
    printed term is at least the kept one (sympy solves that for gamma > 0):

    * D1, (61) -> (64): ``+ 4 beta^2 q_max/(alpha q_min^2 gamma) ||(P*-Q) F_w - |P*-Q| G_w||^2`` printed
      without the 1/gamma: valid iff gamma >= 1;
    * D2, (61) -> (64): ``+ 4 beta^2 q_max^3/(alpha q_min^2 gamma) ||P_{k+1} - P*||^2`` likewise: gamma >= 1;
    * D3, (64) -> (66): ``- alpha gamma q_min^2/(8 q_max) ||grad f||^2`` (from (57)) printed as
      ``- alpha q_min^2/(8 q_max) ||grad f||^2``: gamma >= 1;
    * D4, (64) -> (66): ``+ alpha sigma^2 gamma/(2 q_min) ||G_p||^2`` printed without gamma: gamma <= 1.

    With D1 undone, (66)'s coefficient of ``||(P*-Q) F_w - |P*-Q| G_w||^2``,
    ``beta C1/(2 gamma q_max) - 4 beta^2 q_max/(alpha q_min^2 [gamma])`` with the proof's
    C1 = 10 beta gamma q_max^2/(alpha q_min^2), is ``beta^2 q_max (5 - 4/gamma)/(alpha q_min^2)``
    instead of the printed ``beta^2 q_max/(alpha q_min^2)``: negative for gamma < 4/5 (at gamma = 1/2,
    -3 beta^2 q_max/(alpha q_min^2)), so the proof cannot drop that term there. Every drop is
    valid only at gamma = 1, where each dropped factor is 1: gamma = 1 removes the issue.
    """
    import sympy as sp

    from .rider import rider_symbols

    s = rider_symbols()
    a, b, g, qn, qx, sg = s.alpha, s.beta, s.gamma, s.q_min, s.q_max, s.sigma
    # (kept, printed, sign): sign +1 for a term added to the upper bound, -1 for a term subtracted
    terms = {
        "D1 (61)->(64): 4 beta^2 q_max/(alpha q_min^2 gamma) ||(P*-Q) F_w - |P*-Q| G_w||^2":
            (4 * b**2 * qx / (a * qn**2 * g), 4 * b**2 * qx / (a * qn**2), 1),
        "D2 (61)->(64): 4 beta^2 q_max^3/(alpha q_min^2 gamma) ||P_{k+1} - P*||^2":
            (4 * b**2 * qx**3 / (a * qn**2 * g), 4 * b**2 * qx**3 / (a * qn**2), 1),
        "D3 (64)->(66): alpha gamma q_min^2/(8 q_max) ||grad f||^2 (subtracted)":
            (a * g * qn**2 / (8 * qx), a * qn**2 / (8 * qx), -1),
        "D4 (64)->(66): alpha sigma^2 gamma/(2 q_min) ||G_p||^2":
            (a * sg**2 * g / (2 * qn), a * sg**2 / (2 * qn), 1),
    }
    drops, sets = {}, []
    for name, (kept, printed, sign) in terms.items():
        valid = sp.solve(sign * (printed - kept) >= 0, g)
        drops[name] = dict(kept=kept, printed=printed, valid_iff=valid)
        sets.append(sp.solveset(sign * (printed - kept) >= 0, g, sp.Interval.open(0, sp.oo)))
    C1 = 10 * b * g * qx**2 / (a * qn**2)  # the proof's choice (rider_step_sizes_expr), in beta
    printed = sp.simplify(b * C1 / (2 * g * qx) - 4 * b**2 * qx / (a * qn**2))
    kept = sp.simplify(b * C1 / (2 * g * qx) - 4 * b**2 * qx / (a * qn**2 * g))
    neg = sp.solve(kept < 0, g)
    half = sp.simplify(kept.subs(g, sp.Rational(1, 2)))
    every = sp.Intersection(*sets)
    exact = all(sp.simplify((d["kept"] - d["printed"]).subs(g, 1)) == 0 for d in drops.values())
    ok = (every == sp.FiniteSet(1) and exact and bool(sp.simplify(printed - b**2 * qx / (a * qn**2)) == 0)
          and bool(sp.simplify(kept - b**2 * qx * (5 - 4 / g) / (a * qn**2)) == 0) and bool(half.is_negative))
    return ErrataGammaDrops(drops, printed, kept, neg, half, every, bool(exact), bool(ok))
