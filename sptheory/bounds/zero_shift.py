"""Zero-shifting (ZS) calibration bounds: the paper's Section 2 and App. C,
Thm 2.2, Thm C.2, Thm C.3 and Thm C.4.

Each numeric function sits below the ``*_expr()`` function that derives its
expression with sympy; ``tests/test_bounds.py`` checks that the two agree.

Conventions
-----------
* Per cell by default (D = 1). ``cells=D`` gives the bound for a D-cell array
  measured with summed squared norms (``||G(W_n)||^2``, ``||W_N - W_sp||^2``):
  ``phi0`` and ``dist0_sq`` are then the sums over cells, ``q_max`` and
  ``L_q`` the largest and ``mu_q`` the smallest per-cell constant, one common
  ``dw_min``, and the additive (``dw_min``) terms are multiplied by D; the
  ``1/N`` and geometric terms are unchanged (errata/per-cell). Divide by D for the
  per-cell average. When the cells differ, evaluating per-cell arrays and
  summing is never looser.
* Arguments broadcast (numpy rules); a 0-d result is a Python float.
* ``N`` may be any real >= 0 (> 0 for the average bounds), so the bounds can
  be plotted; the theorems speak of integer N.
* ``const`` (Thm C.2 only, errata/thm-c2-constant): the proof bounds the one-pulse second
  moment ``E[(eps F - G)^2]/dw_min^2 = F^2 + G^2 = (q_plus^2 + q_minus^2)/2``
  by ``2 q_max^2``; ``q_max^2`` suffices. ``const="paper"`` (default) keeps
  the printed floor ``dw_min q_max^2 / mu_q``; ``const="tight"`` halves it.
* ``form`` (cyclic last iterate, errata/thm-c4-factor): ``"stated"`` is (43) as printed,
  per-pair factor ``(1 - 2 dw_min mu_q)^2``; ``"proof"`` is what the proof's
  (42) supports, ``(1 - dw_min mu_q)^2``. The stated bound does not follow
  from the proof (see ``errata.errata_thm_c4_factor``); ``"proof"`` is the valid one.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import _checks as C
from ._symbolic import BoundExpr, geometric_sum, make, symbols

# E[(eps F - G)^2] <= KAPPA * dw_min^2 q_max^2  (errata/thm-c2-constant)
_KAPPA = {"paper": 2, "tight": 1}
_CYCLIC_FORMS = ("stated", "proof")


# --------------------------------------------------------------------------
# validation shared by the functions below
# --------------------------------------------------------------------------

def _N(N, strict: bool):
    a = C.as_float_array("N", N)
    if strict:
        C.require("N", a, a > 0, "> 0 (number of pulses/pairs averaged)")
    else:
        C.require("N", a, a >= 0, ">= 0 (number of pulses/pairs)")
    return a


def _pos(name, value):
    a = C.as_float_array(name, value)
    C.require(name, a, a > 0, "> 0")
    return a


def _nonneg(name, value):
    a = C.as_float_array(name, value)
    C.require(name, a, a >= 0, ">= 0")
    return a


def _contraction_hypothesis(dw, mu):
    x = dw * mu
    C.require("dw_min*mu_q", x, 2 * x < 1, "< 1/2 (hypothesis 2 dw_min mu_q < 1 of Thm C.2/C.4)")
    return x


# --------------------------------------------------------------------------
# Thm 2.2 -- stochastic ZS, average iterate
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def zs_average_bound_expr() -> BoundExpr:
    """Derivation of Thm 2.2 / proof eq. (25).

    phi'' = G' with |G'| <= L_q, so for a step Delta,
    phi(W + Delta) <= phi(W) + <G(W), Delta> + (L_q/2) ||Delta||^2.
    A ZS pulse has E[Delta | W] = -dw_min G(W) and
    E[Delta^2 | W] = dw_min^2 (F^2 + G^2) <= dw_min^2 q_max^2 per cell, so
    E phi_{n+1} <= E phi_n - dw_min E||G_n||^2 + D (L_q/2) dw_min^2 q_max^2.
    Telescope over n < N and drop E phi_N >= 0.
    """
    import sympy as sp

    s = symbols()
    per_step_growth = s.D * s.L_q / 2 * s.dw_min**2 * s.q_max**2
    total_growth = sp.Sum(per_step_growth, (s.n, 0, s.N - 1)).doit()
    # dw_min * sum_{n<N} E||G_n||^2 <= phi0 - E phi_N + total_growth
    avg = sp.expand((s.phi0 + total_growth) / (s.N * s.dw_min))
    return make(
        avg,
        (s.N, s.dw_min, s.phi0, s.L_q, s.q_max, s.D),
        per_step_growth=per_step_growth,
        telescoped_growth=total_growth,
    )


def zs_average_bound(N, dw_min, phi0, L_q, q_max, *, cells=1):
    """Thm 2.2, eq. (25): upper bound on the average squared asymmetry of
    stochastic ZS, ``(1/N) sum_{n<N} E[G(W_n)^2]``.

        phi0 / (N dw_min) + D (L_q / 2) dw_min q_max^2

    N: pulses (> 0); dw_min: granularity; phi0: ``phi(W_0) - phi(W_sp)`` >= 0
    (accumulated asymmetry, eq. (21)); L_q: ``max |G'|``; q_max: largest
    response on the traversed domain; cells: D (module docstring).
    Reading: floor Theta(dw_min), so a fixed accuracy delta needs
    N = O(1/(delta dw_min)) pulses.
    """
    N = _N(N, strict=True)
    dw, phi0, L, q = _pos("dw_min", dw_min), _nonneg("phi0", phi0), _nonneg("L_q", L_q), _pos("q_max", q_max)
    D = C.cells_array(cells)
    N, dw, phi0, L, q, D = C.broadcast(N=N, dw_min=dw, phi0=phi0, L_q=L, q_max=q, cells=D)
    return C.out(phi0 / (N * dw) + D * L / 2 * dw * q**2)


# --------------------------------------------------------------------------
# Thm C.2 -- stochastic ZS, last iterate, monotone responses
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def zs_last_iterate_bound_expr(const: str = "paper") -> BoundExpr:
    """Derivation of Thm C.2 / proof eq. (28).

    One pulse: W' - w_sp = (W - w_sp) + eps F - dw_min G, eps = +/- dw_min, so
    E e' = e - 2 dw_min (W - w_sp) G + dw_min^2 (F^2 + G^2)
         <= (1 - 2 dw_min mu_q) e + kappa D dw_min^2 q_max^2
    (monotonicity (W - w_sp) G >= mu_q e; kappa = 2 printed, 1 suffices).
    Unroll N times: r^N e_0 + c sum_{n<N} r^n, and sum_{n<N} r^n <= 1/(1 - r).
    """
    import sympy as sp

    C.choice("const", const, tuple(_KAPPA))
    s = symbols()
    eps = sp.Symbol("eps_sign")
    sq = (eps * s.F - s.G) ** 2
    second_moment = sp.expand((sq.subs(eps, 1) + sq.subs(eps, -1)) / 2)  # F^2 + G^2
    second_moment_q = sp.expand(second_moment.subs({s.F: (s.q_minus + s.q_plus) / 2,
                                                    s.G: (s.q_minus - s.q_plus) / 2}))
    kappa = _KAPPA[const]
    r = 1 - 2 * s.dw_min * s.mu_q
    c = kappa * s.D * s.dw_min**2 * s.q_max**2
    geo = geometric_sum(s.r, s.N)
    finite = s.r**s.N * s.dist0_sq + c * geo
    geo_bound = 1 / (1 - s.r)
    slack = sp.simplify(geo_bound - geo)  # = r^N / (1 - r) >= 0 for 0 <= r < 1
    bound = (s.r**s.N * s.dist0_sq + c * geo_bound).subs(s.r, r)
    bound = sp.simplify(bound - r**s.N * s.dist0_sq) + r**s.N * s.dist0_sq
    return make(
        bound,
        (s.N, s.dw_min, s.mu_q, s.q_max, s.dist0_sq, s.D),
        second_moment=second_moment,
        second_moment_in_q=second_moment_q,
        finite_sum_bound=finite.subs(s.r, r),
        geometric_slack=slack,
    )


def zs_last_iterate_bound(N, dw_min, mu_q, q_max, dist0_sq, *, cells=1, const="paper"):
    """Thm C.2, eq. (28): upper bound on ``E[(W_N - w_sp)^2]`` after N
    stochastic ZS pulses, for monotone responses (Def. C.1).

        (1 - 2 dw_min mu_q)^N dist0_sq + D (kappa/2) dw_min q_max^2 / mu_q

    kappa = 2 for ``const="paper"`` (the printed floor dw_min q_max^2/mu_q),
    1 for ``const="tight"`` (errata/thm-c2-constant). N >= 0 pulses; mu_q: Def. C.1 modulus;
    dist0_sq: ``(W_0 - w_sp)^2``. Requires 2 dw_min mu_q < 1. Decreasing in N,
    floor Theta(dw_min).
    """
    kappa = _KAPPA[C.choice("const", const, tuple(_KAPPA))]
    N = _N(N, strict=False)
    dw, mu, q, e0 = _pos("dw_min", dw_min), _pos("mu_q", mu_q), _pos("q_max", q_max), _nonneg("dist0_sq", dist0_sq)
    D = C.cells_array(cells)
    N, dw, mu, q, e0, D = C.broadcast(N=N, dw_min=dw, mu_q=mu, q_max=q, dist0_sq=e0, cells=D)
    x = _contraction_hypothesis(dw, mu)
    return C.out((1 - 2 * x) ** N * e0 + D * kappa / 2 * dw * q**2 / mu)


@lru_cache(maxsize=None)
def zs_pulses_needed_expr(form: str = "stated") -> BoundExpr:
    """Derivation of eq. (30): N with (1 - 2 dw_min mu_q)^N dist0_sq <= delta/2.

    "stated": use (1 - 2x)^N <= exp(-2 x N) (log(1 - y) <= -y), then solve.
    "exact": solve (1 - 2x)^N dist0_sq = delta/2 directly.
    Either threshold is a LOWER bound on N (the term decreases in N; errata/thm-c2-direction).
    """
    import sympy as sp

    C.choice("form", form, ("stated", "exact"))
    s = symbols()
    x = s.dw_min * s.mu_q
    term = sp.exp(-2 * x * s.N) if form == "stated" else (1 - 2 * x) ** s.N
    (sol,) = sp.solve(sp.Eq(term * s.dist0_sq, s.delta / 2), s.N)
    sol = sp.together(sp.expand_log(sol, force=True))  # no huge powers inside the log
    if form == "exact":
        from sympy.codegen.cfunctions import log1p  # accurate for small dw_min mu_q

        sol = sol.subs(sp.log(1 - 2 * x), log1p(-2 * x))
    return make(sol, (s.delta, s.dw_min, s.mu_q, s.dist0_sq), geometric_term=term * s.dist0_sq)


def zs_pulses_needed(delta, dw_min, mu_q, dist0_sq, *, q_max=None, cells=1, const="paper", form="stated"):
    """Eq. (30): pulses after which Thm C.2's bound is <= delta.

        N >= log(2 dist0_sq / delta) / (2 mu_q dw_min)       (form="stated")
        N >= log(2 dist0_sq / delta) / (-log(1 - 2 mu_q dw_min))  (form="exact")

    Returns the real threshold N_min, clipped at 0: every N >= N_min makes the
    geometric term <= delta/2 (it is a lower bound on N, not "N <=" as Thm C.2
    prints; errata/thm-c2-direction). "exact" is the smallest such N; "stated" >= "exact".
    Take ``ceil`` for a pulse count.

    The other half, floor <= delta/2, i.e. ``delta >= 2 q_max^2 dw_min / mu_q``
    (D kappa/2 times that for other ``cells``/``const``), is a precondition
    of (30), not a condition on N. With ``q_max`` given, entries where it
    fails are ``inf`` (no N reaches delta by this argument); without it the
    precondition is not checked.
    """
    C.choice("form", form, ("stated", "exact"))
    kappa = _KAPPA[C.choice("const", const, tuple(_KAPPA))]
    d = _pos("delta", delta)
    dw, mu, e0 = _pos("dw_min", dw_min), _pos("mu_q", mu_q), _nonneg("dist0_sq", dist0_sq)
    D = C.cells_array(cells)
    q = np.asarray(1.0) if q_max is None else _pos("q_max", q_max)
    d, dw, mu, e0, D, q = C.broadcast(delta=d, dw_min=dw, mu_q=mu, dist0_sq=e0, cells=D, q_max=q)
    x = _contraction_hypothesis(dw, mu)
    rate = 2 * x if form == "stated" else -np.log1p(-2 * x)
    with np.errstate(divide="ignore"):
        n = np.maximum(np.log(2 * e0 / d) / rate, 0.0)
    if q_max is not None:
        floor = D * kappa / 2 * dw * q**2 / mu
        n = np.where(d >= 2 * floor, n, np.inf)
    return C.out(n)


# --------------------------------------------------------------------------
# Thm C.3 / C.4 -- cyclic ZS (alternating up, down), N = number of pairs
# --------------------------------------------------------------------------

@lru_cache(maxsize=None)
def zs_cyclic_average_bound_expr() -> BoundExpr:
    """Thm C.3, eq. (38) as stated (Section 2); D scales the dw_min term."""
    s = symbols()
    expr = s.phi0 / (2 * s.N * s.dw_min) + 3 * s.D * s.dw_min * s.q_max**2 * s.L_q / 2
    return make(expr, (s.N, s.dw_min, s.phi0, s.L_q, s.q_max, s.D))


def zs_cyclic_average_bound(N, dw_min, phi0, L_q, q_max, *, cells=1):
    """Thm C.3, eq. (38): upper bound on ``(1/2N) sum_{n<2N} G(W_n)^2`` for
    cyclic ZS (deterministic; up pulse first).

        phi0 / (2 N dw_min) + 3 D dw_min q_max^2 L_q / 2

    N: number of up/down PAIRS (2N pulses), > 0; other arguments as in
    ``zs_average_bound``. Floor Theta(dw_min), three times Thm 2.2's.
    """
    N = _N(N, strict=True)
    dw, phi0, L, q = _pos("dw_min", dw_min), _nonneg("phi0", phi0), _nonneg("L_q", L_q), _pos("q_max", q_max)
    D = C.cells_array(cells)
    N, dw, phi0, L, q, D = C.broadcast(N=N, dw_min=dw, phi0=phi0, L_q=L, q_max=q, cells=D)
    return C.out(phi0 / (2 * N * dw) + 3 * D * dw * q**2 * L / 2)


def _pair_factor(x, form):
    """Per-pair contraction of (W - w_sp)^2: stated (43) vs proof (42)."""
    return (1 - 2 * x) ** 2 if form == "stated" else (1 - x) ** 2


@lru_cache(maxsize=None)
def zs_cyclic_last_iterate_bound_expr(form: str = "stated") -> BoundExpr:
    """Thm C.4, eq. (43): per-pair factor to the power N plus the stated floor."""
    C.choice("form", form, _CYCLIC_FORMS)
    s = symbols()
    x = s.dw_min * s.mu_q
    factor = _pair_factor(x, form)
    floor = s.D * s.dw_min * s.q_max**2 * (4 + s.L_q**2 / s.mu_q + 2 * s.mu_q) / s.mu_q
    expr = factor**s.N * s.dist0_sq + floor
    return make(expr, (s.N, s.dw_min, s.mu_q, s.q_max, s.L_q, s.dist0_sq, s.D),
                pair_factor=factor, floor=floor)


def zs_cyclic_last_iterate_bound(N, dw_min, mu_q, q_max, L_q, dist0_sq, *, cells=1, form="stated"):
    """Thm C.4, eq. (43): upper bound on ``(W_2N - w_sp)^2`` after N up/down
    pairs of cyclic ZS, monotone responses.

        form="stated": (1 - 2 dw_min mu_q)^(2N) dist0_sq + floor     (43)
        form="proof":  (1 -   dw_min mu_q)^(2N) dist0_sq + floor     (42)
        floor = D dw_min q_max^2 (4 + L_q^2/mu_q + 2 mu_q) / mu_q

    "stated" is strictly smaller than "proof" and is not implied by the proof
    (errata/thm-c4-factor, ``errata.errata_thm_c4_factor``); use "proof" for a bound the argument
    supports. The floor is the printed one in both forms. N >= 0 pairs;
    requires 2 dw_min mu_q < 1.
    """
    C.choice("form", form, _CYCLIC_FORMS)
    N = _N(N, strict=False)
    dw, mu, q = _pos("dw_min", dw_min), _pos("mu_q", mu_q), _pos("q_max", q_max)
    L, e0 = _nonneg("L_q", L_q), _nonneg("dist0_sq", dist0_sq)
    D = C.cells_array(cells)
    N, dw, mu, q, L, e0, D = C.broadcast(N=N, dw_min=dw, mu_q=mu, q_max=q, L_q=L, dist0_sq=e0, cells=D)
    x = _contraction_hypothesis(dw, mu)
    floor = D * dw * q**2 * (4 + L**2 / mu + 2 * mu) / mu
    return C.out(_pair_factor(x, form) ** N * e0 + floor)


@lru_cache(maxsize=None)
def zs_cyclic_pulses_needed_expr(form: str = "stated") -> BoundExpr:
    """Eq. (46): solve exp(-k x N) dist0_sq = delta/2 with the per-pair bound
    (1-2x)^2 <= exp(-4x) ("stated", k = 4) or (1-x)^2 <= exp(-2x) ("proof", k = 2)."""
    import sympy as sp

    C.choice("form", form, _CYCLIC_FORMS)
    s = symbols()
    k = 4 if form == "stated" else 2
    (sol,) = sp.solve(sp.Eq(sp.exp(-k * s.dw_min * s.mu_q * s.N) * s.dist0_sq, s.delta / 2), s.N)
    sol = sp.together(sp.expand_log(sol, force=True))
    return make(sol, (s.delta, s.dw_min, s.mu_q, s.dist0_sq))


def zs_cyclic_pulses_needed(delta, dw_min, mu_q, dist0_sq, *, q_max=None, L_q=None, cells=1, form="stated"):
    """Eq. (46): PAIRS of cyclic ZS after which Thm C.4's bound is <= delta.

        N >= log(2 dist0_sq / delta) / (4 mu_q dw_min)   (form="stated", (46))
        N >= log(2 dist0_sq / delta) / (2 mu_q dw_min)   (form="proof")

    Real threshold clipped at 0 (lower bound on N; 2N pulses). With ``q_max``
    and ``L_q`` both given, entries violating the precondition
    ``delta >= 2 floor`` (floor of ``zs_cyclic_last_iterate_bound``) are inf.
    """
    C.choice("form", form, _CYCLIC_FORMS)
    if (q_max is None) != (L_q is None):
        raise ValueError(f"q_max and L_q must be given together; got q_max={q_max!r}, L_q={L_q!r}")
    d = _pos("delta", delta)
    dw, mu, e0 = _pos("dw_min", dw_min), _pos("mu_q", mu_q), _nonneg("dist0_sq", dist0_sq)
    D = C.cells_array(cells)
    q = np.asarray(1.0) if q_max is None else _pos("q_max", q_max)
    L = np.asarray(0.0) if L_q is None else _nonneg("L_q", L_q)
    d, dw, mu, e0, D, q, L = C.broadcast(delta=d, dw_min=dw, mu_q=mu, dist0_sq=e0, cells=D, q_max=q, L_q=L)
    x = _contraction_hypothesis(dw, mu)
    k = 4 if form == "stated" else 2
    with np.errstate(divide="ignore"):
        n = np.maximum(np.log(2 * e0 / d) / (k * x), 0.0)
    if q_max is not None:
        floor = D * dw * q**2 * (4 + L**2 / mu + 2 * mu) / mu
        n = np.where(d >= 2 * floor, n, np.inf)
    return C.out(n)


# --------------------------------------------------------------------------
# floors: the N -> infinity terms of the four bounds (Theta(dw_min) each)
# --------------------------------------------------------------------------

def zs_average_floor(dw_min, L_q, q_max, *, cells=1):
    """Thm 2.2, eq. (25): the bound's limit as N -> infinity, ``D (L_q/2) dw_min q_max^2``.

    The Theta(dw_min) error floor of stochastic ZS (average iterate); equals
    ``zs_average_bound`` with ``phi0 = 0``.  Arguments as there.
    """
    dw, L, q = _pos("dw_min", dw_min), _nonneg("L_q", L_q), _pos("q_max", q_max)
    D = C.cells_array(cells)
    dw, L, q, D = C.broadcast(dw_min=dw, L_q=L, q_max=q, cells=D)
    return C.out(D * L / 2 * dw * q**2)


def zs_last_iterate_floor(dw_min, mu_q, q_max, *, cells=1, const="paper"):
    """Thm C.2, eq. (28): the bound's limit as N -> infinity, ``D (kappa/2) dw_min q_max^2 / mu_q``.

    kappa = 2 (``const="paper"``, the printed ``dw_min q_max^2 / mu_q``) or 1
    (``const="tight"``, errata id ``errata/thm-c2-constant``).  Requires
    ``2 dw_min mu_q < 1`` like the bound.
    """
    kappa = _KAPPA[C.choice("const", const, tuple(_KAPPA))]
    dw, mu, q = _pos("dw_min", dw_min), _pos("mu_q", mu_q), _pos("q_max", q_max)
    D = C.cells_array(cells)
    dw, mu, q, D = C.broadcast(dw_min=dw, mu_q=mu, q_max=q, cells=D)
    _contraction_hypothesis(dw, mu)
    return C.out(D * kappa / 2 * dw * q**2 / mu)


def zs_cyclic_average_floor(dw_min, L_q, q_max, *, cells=1):
    """Thm C.3, eq. (38): the bound's limit as N -> infinity, ``3 D dw_min q_max^2 L_q / 2``."""
    dw, L, q = _pos("dw_min", dw_min), _nonneg("L_q", L_q), _pos("q_max", q_max)
    D = C.cells_array(cells)
    dw, L, q, D = C.broadcast(dw_min=dw, L_q=L, q_max=q, cells=D)
    return C.out(3 * D * dw * q**2 * L / 2)


def zs_cyclic_last_iterate_floor(dw_min, mu_q, q_max, L_q, *, cells=1):
    """Thm C.4, eq. (43): the bound's limit as N -> infinity,
    ``D dw_min q_max^2 (4 + L_q^2/mu_q + 2 mu_q) / mu_q`` (the same in both ``form``s).
    Requires ``2 dw_min mu_q < 1`` like the bound."""
    dw, mu, q, L = _pos("dw_min", dw_min), _pos("mu_q", mu_q), _pos("q_max", q_max), _nonneg("L_q", L_q)
    D = C.cells_array(cells)
    dw, mu, q, L, D = C.broadcast(dw_min=dw, mu_q=mu, q_max=q, L_q=L, cells=D)
    _contraction_hypothesis(dw, mu)
    return C.out(D * dw * q**2 * (4 + L**2 / mu + 2 * mu) / mu)
