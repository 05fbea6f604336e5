"""Inconsistencies of the paper in SPEC section 2 / appendix C, settled with sympy
(SPEC 9.1, 9.2, 9.3, 9.8). Each ``errata_*_expr()`` is the symbolic argument;
each ``errata_*()`` evaluates it at given numbers for the errata report.
Simulation evidence (which form holds) belongs to ``verification``.
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
# 9.1 -- SoftBounds symmetric point, (103) vs the printed (104)
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def sp_soft_bounds_expr() -> BoundExpr:
    """Solve G(w) = 0 for q_plus = a_up (1 - w/tau_max), q_minus = a_dn (1 + w/tau_min),
    tau_max, tau_min > 0 the magnitudes of the bounds (SPEC (103))."""
    import sympy as sp

    s = symbols()
    q_plus = s.a_up * (1 - s.w / s.tau_max)
    q_minus = s.a_dn * (1 + s.w / s.tau_min)
    G = (q_minus - q_plus) / 2
    (root,) = sp.solve(sp.Eq(G, 0), s.w)
    expr = (s.a_up - s.a_dn) / (s.a_up / s.tau_max + s.a_dn / s.tau_min)
    assert sp.simplify(root - expr) == 0
    return make(expr, (s.a_up, s.a_dn, s.tau_max, s.tau_min), G=G, root=root, dG=sp.diff(G, s.w))


def sp_soft_bounds(a_up, a_dn, tau_max, tau_min, *, offset=0.0):
    """Symmetric point of a SoftBounds device, magnitude convention (SPEC (103)):

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


class Errata91(NamedTuple):
    correct: Any                      # sympy: (a_up - a_dn)/(a_up/tau_max + a_dn/tau_min)
    printed: Any                      # sympy: (a_up - a_dn)/(a_up/tau_max - a_dn/tau_min)
    printed_minus_correct: Any        # sympy, magnitudes: not identically 0
    printed_right_for_magnitudes: bool  # False
    printed_right_for_signed: bool      # True: tau_min -> -tau_min makes them equal


@lru_cache(maxsize=None)
def errata_9_1() -> Errata91:
    """SPEC 9.1: (104)'s denominator is right for a signed tau_min only."""
    import sympy as sp

    s = symbols()
    correct = sp_soft_bounds_expr().expr
    printed = (s.a_up - s.a_dn) / (s.a_up / s.tau_max - s.a_dn / s.tau_min)
    diff = sp.simplify(printed - correct)
    signed = sp.Symbol("tau_min_signed", negative=True)  # = -tau_min
    diff_signed = sp.simplify(printed.subs(s.tau_min, signed) - correct.subs(s.tau_min, -signed))
    return Errata91(correct, printed, diff, bool(diff == 0), bool(diff_signed == 0))


# --------------------------------------------------------------------------
# 9.2 -- Thm C.2 prints "N <=", the proof gives "N >="
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def errata_9_2_expr() -> dict:
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


class Errata92(NamedTuple):
    n_sufficient: Any              # (30): log(2 dist0_sq/delta) / (2 dw_min mu_q), clipped at 0
    n_exact: Any                   # smallest N with geometric term <= delta/2
    geometric_at_n_sufficient: Any  # (1-2x)^N dist0_sq at N = n_sufficient, <= delta/2
    half_delta: Any
    slope_at_n_sufficient: Any     # d/dN of (28) there, < 0
    is_lower_bound: Any            # bool: the condition on N is "N >=" (bound decreasing, threshold met)


def errata_9_2(delta, dw_min, mu_q, dist0_sq) -> Errata92:
    """SPEC 9.2 at numbers: (30) is a sufficient LOWER bound on N.

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
    return Errata92(C.out(n_suf), C.out(n_ex), C.out(geo), C.out(np.broadcast_to(half, geo.shape)), C.out(slope),
                    bool(ok) if np.ndim(ok) == 0 else ok)


# --------------------------------------------------------------------------
# 9.3 -- Thm C.4: per-pair factor (1 - x)^2 in the proof (42) vs (1 - 2x)^2 in (43)
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def errata_9_3_expr() -> dict:
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


class Errata93(NamedTuple):
    stated_factor: Any   # (1 - 2 dw_min mu_q)^(2N), eq. (43)
    proof_factor: Any    # (1 - dw_min mu_q)^(2N), from (42)
    affine_factor: Any   # (1 - dw_min mu_q)^(4N): equal-slope affine device, exact
    ratio: Any           # proof_factor / stated_factor (>= 1)
    stated_follows_from_proof: Any  # bool: stated_factor >= proof_factor (False for N > 0)


def errata_9_3(dw_min, mu_q, N) -> Errata93:
    """SPEC 9.3 at numbers: the geometric factors of Thm C.4 after N pairs.

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
    return Errata93(C.out(stated), C.out(proof), C.out(affine), C.out(proof / stated),
                    bool(follows) if follows.ndim == 0 else follows)


# --------------------------------------------------------------------------
# 9.8 -- Thm C.2: E[(eps F - G)^2] <= q_max^2 suffices (the proof uses 2 q_max^2)
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def errata_9_8_expr() -> dict:
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


class Errata98(NamedTuple):
    floor_paper: Any   # D dw_min q_max^2 / mu_q   (printed (28))
    floor_tight: Any   # D dw_min q_max^2 / (2 mu_q)
    ratio: Any         # 2


def errata_9_8(dw_min, mu_q, q_max, *, cells=1) -> Errata98:
    """SPEC 9.8 at numbers: the additive floor of (28) with the printed and the tight constant."""
    paper = np.asarray(zs_last_iterate_bound(0, dw_min, mu_q, q_max, 0.0, cells=cells, const="paper"))
    tight = np.asarray(zs_last_iterate_bound(0, dw_min, mu_q, q_max, 0.0, cells=cells, const="tight"))
    return Errata98(C.out(paper), C.out(tight), C.out(paper / tight))
