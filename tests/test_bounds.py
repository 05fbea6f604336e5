"""Tests for sptheory.bounds: numeric functions vs their sympy expressions
(identities, rtol 1e-12), monotonicity, errata findings, bad input, and a
deterministic check that the ZS bounds hold on affine (SoftBounds) devices
using exact moment recursions (no sampling, so no false-failure probability).
"""

import numpy as np
import pytest
import sympy as sp

from sptheory import bounds as B

RTOL = 1e-12


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


def zs_inputs(rng, m=200):
    """Random valid ZS arguments, one per row (2 dw_min mu_q < 1)."""
    dw = 10 ** rng.uniform(-5, -1.5, m)
    mu = rng.uniform(0.05, 3.0, m)
    return dict(
        N=rng.integers(1, 20000, m).astype(float),
        dw_min=dw,
        mu_q=mu,
        q_max=rng.uniform(0.2, 3.0, m),
        L_q=rng.uniform(0.0, 3.0, m),
        phi0=rng.uniform(0.0, 2.0, m),
        dist0_sq=rng.uniform(1e-3, 2.0, m),
        delta=rng.uniform(1e-4, 0.5, m),
        D=rng.integers(1, 50, m).astype(float),
    )


def sym_eval(bexpr, values):
    f = bexpr.lambdify()
    return np.asarray(f(*(values[str(a)] for a in bexpr.args)), dtype=float)


# ---------------------------------------------------------------- sympy agreement

@pytest.mark.parametrize("seed", [0, 1])
def test_zs_average_bounds_match_sympy(seed):
    v = zs_inputs(gen(seed))
    got = B.zs_average_bound(v["N"], v["dw_min"], v["phi0"], v["L_q"], v["q_max"], cells=v["D"])
    np.testing.assert_allclose(got, sym_eval(B.zs_average_bound_expr(), v), rtol=RTOL)
    got = B.zs_cyclic_average_bound(v["N"], v["dw_min"], v["phi0"], v["L_q"], v["q_max"], cells=v["D"])
    np.testing.assert_allclose(got, sym_eval(B.zs_cyclic_average_bound_expr(), v), rtol=RTOL)


@pytest.mark.parametrize("const", ["paper", "tight"])
def test_zs_last_iterate_matches_sympy(const):
    v = zs_inputs(gen(2))
    got = B.zs_last_iterate_bound(v["N"], v["dw_min"], v["mu_q"], v["q_max"], v["dist0_sq"],
                                  cells=v["D"], const=const)
    np.testing.assert_allclose(got, sym_eval(B.zs_last_iterate_bound_expr(const), v), rtol=RTOL)


@pytest.mark.parametrize("form", ["stated", "proof"])
def test_zs_cyclic_last_iterate_matches_sympy(form):
    v = zs_inputs(gen(3))
    got = B.zs_cyclic_last_iterate_bound(v["N"], v["dw_min"], v["mu_q"], v["q_max"], v["L_q"],
                                         v["dist0_sq"], cells=v["D"], form=form)
    np.testing.assert_allclose(got, sym_eval(B.zs_cyclic_last_iterate_bound_expr(form), v), rtol=RTOL)


@pytest.mark.parametrize("form", ["stated", "exact"])
def test_zs_pulses_needed_matches_sympy(form):
    v = zs_inputs(gen(4))
    got = B.zs_pulses_needed(v["delta"], v["dw_min"], v["mu_q"], v["dist0_sq"], form=form)
    want = sym_eval(B.zs_pulses_needed_expr(form), v)
    pos = want > 0  # the numeric function clips at 0
    assert pos.sum() > 50
    np.testing.assert_allclose(got[pos], want[pos], rtol=RTOL)
    assert np.all(got[~pos] == 0)


@pytest.mark.parametrize("form", ["stated", "proof"])
def test_zs_cyclic_pulses_needed_matches_sympy(form):
    v = zs_inputs(gen(5))
    got = B.zs_cyclic_pulses_needed(v["delta"], v["dw_min"], v["mu_q"], v["dist0_sq"], form=form)
    want = sym_eval(B.zs_cyclic_pulses_needed_expr(form), v)
    pos = want > 0
    np.testing.assert_allclose(got[pos], want[pos], rtol=RTOL)
    assert np.all(got[~pos] == 0)


def test_filter_gain_matches_sympy_and_transfer():
    rng = gen(6)
    omega = rng.uniform(-np.pi, np.pi, 300)
    eta = rng.uniform(1e-3, 1.0, 300)
    got = B.filter_gain(omega, eta)
    b = B.filter_gain_expr()
    np.testing.assert_allclose(got, sym_eval(b, {"omega": omega, "eta": eta}), rtol=RTOL)
    # the closed form is |H|^2 of the transfer function, symbolically and numerically
    assert sp.simplify(b.steps["from_transfer"] - b.expr) == 0
    assert sp.simplify(b.steps["stated"] - b.expr) == 0
    h = eta / (1 - (1 - eta) * np.exp(-1j * omega))
    np.testing.assert_allclose(got, np.abs(h) ** 2, rtol=1e-10)
    np.testing.assert_allclose(np.abs(B.filter_response(omega, eta)) ** 2, got, rtol=1e-10)


def test_filter_gain_endpoints():
    eta = np.array([1e-3, 0.05, 0.3, 1.0])
    np.testing.assert_allclose(B.filter_gain(0.0, eta), 1.0, rtol=RTOL)
    np.testing.assert_allclose(B.filter_gain(np.pi, eta), eta**2 / (2 - eta) ** 2, rtol=RTOL)
    assert isinstance(B.filter_gain(0.3, 0.1), float)
    # low-pass: gain decreases on [0, pi] for eta in (0, 1)
    assert np.all(np.diff(B.filter_gain(np.linspace(0, np.pi, 50), 0.2)) < 0)


# ---------------------------------------------------------------- derivation facts

def test_derivation_steps():
    s = B.zs_last_iterate_bound_expr("paper").steps
    syms = {x.name: x for x in s["second_moment"].free_symbols | s["second_moment_in_q"].free_symbols}
    F, G, qp, qm = (syms[k] for k in ("F", "G", "q_plus", "q_minus"))
    assert sp.simplify(s["second_moment"] - (F**2 + G**2)) == 0
    assert sp.simplify(s["second_moment_in_q"] - (qp**2 + qm**2) / 2) == 0
    # the finite-N form is below the stated bound (geometric slack r^N/(1-r) >= 0)
    v = zs_inputs(gen(7))
    fin = sp.lambdify(B.zs_last_iterate_bound_expr().args, s["finite_sum_bound"], "numpy")
    finite = fin(v["N"], v["dw_min"], v["mu_q"], v["q_max"], v["dist0_sq"], v["D"])
    bound = B.zs_last_iterate_bound(v["N"], v["dw_min"], v["mu_q"], v["q_max"], v["dist0_sq"], cells=v["D"])
    assert np.all(finite <= bound * (1 + 1e-12))


# ---------------------------------------------------------------- monotonicity / pulses

def test_bounds_decrease_in_N():
    N = np.arange(1, 5001, dtype=float)
    avg = B.zs_average_bound(N, 1e-3, 0.4, 1.5, 2.0)
    cyc = B.zs_cyclic_average_bound(N, 1e-3, 0.4, 1.5, 2.0)
    last = B.zs_last_iterate_bound(N, 1e-3, 0.8, 2.0, 0.5)
    assert np.all(np.diff(avg) < 0) and np.all(np.diff(cyc) < 0) and np.all(np.diff(last) < 0)
    for form in ("stated", "proof"):
        assert np.all(np.diff(B.zs_cyclic_last_iterate_bound(N, 1e-3, 0.8, 2.0, 1.0, 0.5, form=form)) < 0)
    # floors: Theta(dw_min)
    assert np.isclose(avg[-1] - 0.4 / (N[-1] * 1e-3), 1.5 / 2 * 1e-3 * 4.0)


def test_pulses_needed_reach_half_delta():
    v = zs_inputs(gen(8))
    x = v["dw_min"] * v["mu_q"]
    for form in ("stated", "exact"):
        n = B.zs_pulses_needed(v["delta"], v["dw_min"], v["mu_q"], v["dist0_sq"], form=form)
        geo = (1 - 2 * x) ** n * v["dist0_sq"]
        assert np.all(geo <= v["delta"] / 2 * (1 + 1e-9))
    n_exact = B.zs_pulses_needed(v["delta"], v["dw_min"], v["mu_q"], v["dist0_sq"], form="exact")
    n_stated = B.zs_pulses_needed(v["delta"], v["dw_min"], v["mu_q"], v["dist0_sq"])
    assert np.all(n_exact <= n_stated)
    # "exact" is the smallest: one pulse fewer leaves the geometric term above delta/2
    pos = n_exact > 1
    geo_less = (1 - 2 * x[pos]) ** (n_exact[pos] - 1) * v["dist0_sq"][pos]
    assert np.all(geo_less > v["delta"][pos] / 2)
    for form in ("stated", "proof"):
        n = B.zs_cyclic_pulses_needed(v["delta"], v["dw_min"], v["mu_q"], v["dist0_sq"], form=form)
        factor = (1 - 2 * x) ** 2 if form == "stated" else (1 - x) ** 2
        assert np.all(factor**n * v["dist0_sq"] <= v["delta"] / 2 * (1 + 1e-9))


def test_pulses_needed_precondition_and_full_bound():
    # delta >= 2 q_max^2 dw_min / mu_q: then the whole bound (28) is <= delta at N
    dw, mu, q, e0 = 1e-3, 0.5, 1.0, 0.3
    ok_delta = 2 * q**2 * dw / mu
    deltas = np.array([0.5 * ok_delta, ok_delta, 4 * ok_delta])
    n = B.zs_pulses_needed(deltas, dw, mu, e0, q_max=q)
    assert np.isinf(n[0]) and np.all(np.isfinite(n[1:]))
    assert np.all(B.zs_last_iterate_bound(n[1:], dw, mu, q, e0) <= deltas[1:] * (1 + 1e-12))
    # tight constant halves the floor, so the precondition halves too
    assert np.isfinite(B.zs_pulses_needed(0.5 * ok_delta, dw, mu, e0, q_max=q, const="tight"))
    # D cells: floor x D
    assert np.isinf(B.zs_pulses_needed(ok_delta, dw, mu, e0, q_max=q, cells=2))
    # cyclic precondition
    floor = B.zs_cyclic_last_iterate_bound(1e9, dw, mu, q, 1.0, e0)
    assert np.isinf(B.zs_cyclic_pulses_needed(1.9 * floor, dw, mu, e0, q_max=q, L_q=1.0))
    n = B.zs_cyclic_pulses_needed(2 * floor, dw, mu, e0, q_max=q, L_q=1.0)
    assert B.zs_cyclic_last_iterate_bound(n, dw, mu, q, 1.0, e0) <= 2 * floor * (1 + 1e-12)
    assert B.zs_pulses_needed(0.1, dw, mu, 0.0) == 0.0  # already at the SP


def test_cells_scaling_and_broadcast():
    one = B.zs_last_iterate_bound(100, 1e-3, 1.0, 2.0, 0.0)
    assert np.isclose(B.zs_last_iterate_bound(100, 1e-3, 1.0, 2.0, 0.0, cells=10), 10 * one, rtol=RTOL)
    assert np.isclose(B.zs_average_bound(1e12, 1e-3, 1.0, 1.0, 1.0, cells=7) / 7,
                      B.zs_average_bound(1e12, 1e-3, 1.0, 1.0, 1.0), rtol=1e-6)
    out = B.zs_average_bound(np.array([[10.0], [100.0]]), np.array([1e-3, 1e-2, 1e-1]), 1.0, 1.0, 1.0)
    assert out.shape == (2, 3)
    assert isinstance(B.zs_last_iterate_bound(10, 1e-3, 1.0, 1.0, 1.0), float)


# ---------------------------------------------------------------- errata

def test_errata_sp_formula_104():
    e = B.errata_sp_formula_104()
    assert e.printed_right_for_magnitudes is False
    assert e.printed_right_for_signed is True
    rng = gen(9)
    a_up, a_dn = rng.uniform(0.5, 2, 100), rng.uniform(0.5, 2, 100)
    t_max, t_min = rng.uniform(0.3, 3, 100), rng.uniform(0.3, 3, 100)
    correct = B.sp_soft_bounds(a_up, a_dn, t_max, t_min)
    # correct value zeroes G = (q_minus - q_plus)/2 of (103)
    G = a_dn * (1 + correct / t_min) - a_up * (1 - correct / t_max)
    np.testing.assert_allclose(G, 0, atol=1e-12)
    np.testing.assert_allclose(correct, sym_eval(B.sp_soft_bounds_expr(),
                               dict(a_up=a_up, a_dn=a_dn, tau_max=t_max, tau_min=t_min)), rtol=RTOL)
    # printed (104): right with signed tau_min, wrong with magnitudes
    np.testing.assert_allclose(B.sp_formula_104_printed(a_up, a_dn, t_max, -t_min), correct, rtol=RTOL)
    wrong = B.sp_formula_104_printed(a_up, a_dn, t_max, t_min)
    assert np.all(np.abs(wrong - correct) > 1e-6 * np.abs(correct))
    assert B.sp_soft_bounds(1.0, 1.0, 1.0, 1.0, offset=0.3) == pytest.approx(0.3)


def test_errata_thm_c2_direction_lower_bound_on_N():
    e = B.errata_thm_c2_direction(0.01, 1e-3, 1.0, 0.25)
    assert e.is_lower_bound and e.slope_at_n_sufficient < 0
    assert e.n_exact <= e.n_sufficient and e.geometric_at_n_sufficient <= e.half_delta
    s = B.errata_thm_c2_direction_expr()
    x = sp.Symbol("x", positive=True)
    assert s["log_gap_at_0"] == 0
    # g'(x) = -4x/(1-2x) < 0 on (0, 1/2)
    assert sp.simplify(s["log_gap_derivative"] + 4 * x / (1 - 2 * x)) == 0
    # N just below the "<=" reading's limit does not reach delta/2: "N <=" is not sufficient
    half = B.zs_last_iterate_bound(e.n_exact / 2, 1e-3, 1.0, 1e-9, 0.25)
    assert half > 0.01 / 2


def test_errata_thm_c4_factor_pair_factor():
    e = B.errata_thm_c4_factor(1e-3, 1.0, 1000)
    assert e.stated_follows_from_proof is False
    assert e.stated_factor < e.affine_factor < e.proof_factor
    assert e.ratio == pytest.approx(((1 - 1e-3) / (1 - 2e-3)) ** 2000, rel=RTOL)
    s = B.errata_thm_c4_factor_expr()
    x = sp.Symbol("x", positive=True)
    assert sp.simplify(s["proof_minus_stated"] - x * (2 - 3 * x)) == 0
    xs = np.linspace(1e-6, 0.5 - 1e-6, 200)
    for key in ("proof_minus_stated", "affine_minus_stated", "proof_minus_affine"):
        assert np.all(sp.lambdify(x, s[key], "numpy")(xs) > 0), key


def test_errata_thm_c2_constant():
    e = B.errata_thm_c2_constant(1e-3, 0.5, 2.0, cells=3)
    assert e.ratio == pytest.approx(2.0) and e.floor_paper == pytest.approx(3 * 1e-3 * 4 / 0.5)
    s = B.errata_thm_c2_constant_expr()
    assert sp.simplify(s["at_q_max"] - sp.Symbol("q_max", positive=True) ** 2) == 0


# ---------------------------------------------------------------- bounds hold on affine devices

def test_zs_bounds_hold_on_soft_bounds_devices():
    """Exact E[(W_n - sp)^2] (stochastic ZS, affine maps) and the deterministic cyclic
    ZS trajectory on 500 random SoftBounds cells stay below every bound, both forms."""
    rng = gen(10)
    m = 500
    a_up, a_dn = np.exp(0.3 * rng.standard_normal(m)), np.exp(0.3 * rng.standard_normal(m))
    t_max, t_min = rng.uniform(0.5, 2, m), rng.uniform(0.5, 2, m)
    dw = 10 ** rng.uniform(-3, -1.2, m)
    sp_ = B.sp_soft_bounds(a_up, a_dn, t_max, t_min)
    L = (a_up / t_max + a_dn / t_min) / 2          # G(w) = L (w - sp)
    mu = np.minimum(a_up / t_max, a_dn / t_min)    # Def. C.1
    q_max = np.maximum(a_up * (1 + t_min / t_max), a_dn * (1 + t_max / t_min))  # over the bounds
    w0 = rng.uniform(-0.95 * t_min, 0.95 * t_max)
    e0 = (w0 - sp_) ** 2
    phi0 = L * e0 / 2
    Au, Bu = 1 - dw * a_up / t_max, dw * a_up      # up pulse  W -> Au W + Bu
    Ad, Bd = 1 - dw * a_dn / t_min, -dw * a_dn     # down pulse W -> Ad W + Bd
    m1, m2, W = w0.copy(), w0**2, w0.copy()
    sum_g2, sum_g2_cyc = np.zeros(m), np.zeros(m)
    for n in range(1, 2001):
        sum_g2 += L**2 * (m2 - 2 * sp_ * m1 + sp_**2)
        m1, m2 = ((Au + Ad) / 2 * m1 + (Bu + Bd) / 2,
                  ((Au**2 + Ad**2) * m2 + 2 * (Au * Bu + Ad * Bd) * m1 + Bu**2 + Bd**2) / 2)
        sum_g2_cyc += (L * (W - sp_)) ** 2
        W = Au * W + Bu
        sum_g2_cyc += (L * (W - sp_)) ** 2
        W = Ad * W + Bd
        if n % 100:
            continue
        e = m2 - 2 * sp_ * m1 + sp_**2
        assert np.all(sum_g2 / n <= B.zs_average_bound(n, dw, phi0, L, q_max))
        for const in ("paper", "tight"):
            assert np.all(e <= B.zs_last_iterate_bound(n, dw, mu, q_max, e0, const=const))
        assert np.all(sum_g2_cyc / (2 * n) <= B.zs_cyclic_average_bound(n, dw, phi0, L, q_max))
        for form in ("stated", "proof"):
            assert np.all((W - sp_) ** 2 <= B.zs_cyclic_last_iterate_bound(n, dw, mu, q_max, L, e0, form=form))


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: B.zs_average_bound(0, 1e-3, 1, 1, 1), "N"),
        (lambda: B.zs_average_bound(10, -1e-3, 1, 1, 1), "dw_min"),
        (lambda: B.zs_average_bound(10, 1e-3, -1, 1, 1), "phi0"),
        (lambda: B.zs_average_bound(10, 1e-3, 1, -1, 1), "L_q"),
        (lambda: B.zs_average_bound(10, 1e-3, 1, 1, 0), "q_max"),
        (lambda: B.zs_average_bound(10, 1e-3, 1, 1, 1, cells=0), "cells"),
        (lambda: B.zs_average_bound(10, 1e-3, 1, 1, 1, cells=1.5), "cells"),
        (lambda: B.zs_last_iterate_bound(-1, 1e-3, 1, 1, 1), "N"),
        (lambda: B.zs_last_iterate_bound(10, 0.0, 1, 1, 1), "dw_min"),
        (lambda: B.zs_last_iterate_bound(10, 1e-3, 0, 1, 1), "mu_q"),
        (lambda: B.zs_last_iterate_bound(10, 0.5, 1, 1, 1), "dw_min*mu_q"),
        (lambda: B.zs_last_iterate_bound(10, 1e-3, 1, -2, 1), "q_max"),
        (lambda: B.zs_last_iterate_bound(10, 1e-3, 1, 1, -1), "dist0_sq"),
        (lambda: B.zs_last_iterate_bound(10, 1e-3, 1, 1, 1, const="loose"), "const"),
        (lambda: B.zs_last_iterate_bound(np.array([1, np.nan]), 1e-3, 1, 1, 1), "N"),
        (lambda: B.zs_last_iterate_bound(np.ones(2), np.full(3, 1e-3), 1, 1, 1), "broadcast"),
        (lambda: B.zs_pulses_needed(0, 1e-3, 1, 1), "delta"),
        (lambda: B.zs_pulses_needed(0.1, 1e-3, 1, 1, form="x"), "form"),
        (lambda: B.zs_cyclic_last_iterate_bound(10, 1e-3, 1, 1, 1, 1, form="printed"), "form"),
        (lambda: B.zs_cyclic_last_iterate_bound(10, 0.6, 1, 1, 1, 1), "dw_min*mu_q"),
        (lambda: B.zs_cyclic_pulses_needed(0.1, 1e-3, 1, 1, q_max=1.0), "L_q"),
        (lambda: B.zs_cyclic_average_bound(0, 1e-3, 1, 1, 1), "N"),
        (lambda: B.filter_gain(0.1, 0.0), "eta"),
        (lambda: B.filter_gain("a", 0.1), "omega"),
        (lambda: B.sp_soft_bounds(1, 1, 1, -1), "tau_min"),
        (lambda: B.errata_thm_c4_factor(1e-3, 1, -1), "N"),
    ],
)
def test_bad_input_names_argument(call, name):
    with pytest.raises(ValueError, match=name.replace("*", r"\*")):
        call()


def test_zs_floors_are_the_bounds_limits():
    """bounds.zs_*_floor equal the bounds with the transient terms removed, and the sympy limit N -> oo."""
    import sympy as sp

    dw, mu, q, L = 1e-3, 0.8, 1.7, 1.3
    assert B.zs_average_floor(dw, L, q) == pytest.approx(B.zs_average_bound(10, dw, 0.0, L, q), rel=1e-14)
    assert B.zs_cyclic_average_floor(dw, L, q) == pytest.approx(B.zs_cyclic_average_bound(10, dw, 0.0, L, q),
                                                                rel=1e-14)
    for const in ("paper", "tight"):
        assert B.zs_last_iterate_floor(dw, mu, q, const=const) == pytest.approx(
            B.zs_last_iterate_bound(10, dw, mu, q, 0.0, const=const), rel=1e-14)
    assert B.zs_cyclic_last_iterate_floor(dw, mu, q, L) == pytest.approx(
        B.zs_cyclic_last_iterate_bound(10, dw, mu, q, L, 0.0), rel=1e-14)
    e = B.zs_average_bound_expr()
    lim = sp.limit(e.expr, e.args[0], sp.oo)
    vals = dict(zip(e.args, (None, dw, 0.4, L, q, 3)))
    assert float(lim.subs({k: v for k, v in vals.items() if v is not None})) == pytest.approx(
        B.zs_average_floor(dw, L, q, cells=3), rel=1e-12)
    with pytest.raises(ValueError, match="dw_min"):
        B.zs_average_floor(-1e-3, L, q)
    with pytest.raises(ValueError, match="2 dw_min mu_q < 1|dw_min\\*mu_q"):
        B.zs_last_iterate_floor(0.9, 1.0, q)
