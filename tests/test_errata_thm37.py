"""Thm 3.7 errata entries settled with sympy (errata/rider-invariant, errata/pl-step,
errata/proof-conditions) and the numeric functions beside them."""

import numpy as np
import pytest
import sympy as sp

from sptheory import algorithms, bounds as B, devices, objectives


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


def test_descent_coefficient_reproduces_72():
    dc = B.rider_descent_coefficient_expr()
    assert dc.steps["residual"] == 0
    f = dc.lambdify()
    r = gen(0)
    a, mu, qn = r.uniform(1e-4, 1e-1, 20), r.uniform(0.1, 1e3, 20), r.uniform(0.2, 1.0, 20)
    qx = qn * r.uniform(1.0, 3.0, 20)
    np.testing.assert_allclose(B.rider_descent_coefficient(a, mu, qn, qx), f(a, mu, qn, qx), rtol=1e-12)
    # (72)'s prefactor is alpha / c
    pre = B.rider_bound_72(1.0, a, 1.0, 1.0, mu, 0.0, qn, qx)  # V0/(alpha K) = 1/alpha at sigma = 0
    np.testing.assert_allclose(pre * a, a / B.rider_descent_coefficient(a, mu, qn, qx), rtol=1e-12)


def test_condition_a_is_the_root_of_the_coefficient():
    ca = B.rider_c2_condition_a_expr()
    r = gen(1)
    sg, cs, mu, qn = r.uniform(0, 2, 30), r.uniform(0.1, 3, 30), r.uniform(0.1, 1e3, 30), r.uniform(0.2, 1, 30)
    qx = qn * r.uniform(1, 3, 30)
    got = B.rider_c2_condition_a(sg, cs, mu, qn, qx)
    np.testing.assert_allclose(got, ca.lambdify()(sg, cs, mu, qn, qx), rtol=1e-12)
    alpha = 1e-3
    coeff = alpha * got * cs / 2 - 3 * alpha * sg**2 / (2 * qn)
    np.testing.assert_allclose(coeff, B.rider_descent_coefficient(alpha, mu, qn, qx), rtol=1e-10)
    assert ca.steps["d_coeff_dC2"].is_positive  # so "C2 >= root" is the condition


def test_side_conditions_include_a_and_printed():
    kw = dict(sigma=0.3, C_star=0.3)
    base = (1e-5, 1e-6, 1e-7, 0.5, 700.0, 700.0, 0.68, 1.32)
    c2a = B.rider_c2_condition_a(0.3, 0.3, 700.0, 0.68, 1.32)
    below = B.rider_side_conditions(*base, c2a * (1 - 1e-9), **kw)
    at = B.rider_side_conditions(*base, c2a, **kw, printed_constant=True)
    assert not below["C2_a"].holds and at["C2_a"].holds
    assert "C2_printed" not in below and at["C2_printed"].holds == (c2a <= 1)


def test_bound_72_proof_constant():
    args = (1e6, 1e-5, 0.5, 700.0, 700.0, 0.3, 0.68, 1.32)
    assert B.rider_bound_72(*args, C2=1.0) == pytest.approx(B.rider_bound_72(*args), rel=1e-14)
    assert B.rider_bound_72(*args, C2=3.0) > B.rider_bound_72(*args)
    with pytest.raises(ValueError, match="C2"):
        B.rider_bound_72(*args, C2=-1.0)


def test_admissible_uses_condition_a():
    # mu = L = 700, sigma = C_star = 0.3, q in [0.68, 1.32]: condition (a) binds (C2_a > lo)
    r = B.rider_admissible(700.0, 700.0, 0.3, 0.68, 1.32, 0.3, 0.5)
    assert r.nonempty and r.C2 == r.C2_a > r.C2_interval.lo and not r.printed_constant_ok
    # small sigma: (a) pushes C2 above the interval's upper end
    r = B.rider_admissible(700.0, 700.0, 0.05, 0.68, 1.32, 0.05, 0.5)
    assert not r.nonempty and "condition (a)" in r.reason


def test_errata_rider_invariant():
    e = B.errata_rider_invariant()
    assert e.residual == 0 and e.holds and e.free_of_G_p
    P1, Q = sp.symbols("P_next Q", real=True)
    eta = sp.Symbol("eta", positive=True)
    assert sp.simplify(e.chopped_extra_at_flip - 2 * eta * (P1 - Q)) == 0


def test_invariant_on_a_recorded_rider_run():
    dp, dw = devices.Tanh(a=0.3, offset=[0.3, 0.5]), devices.Tanh(a=0.25, offset=[-0.1, 0.0])
    prob = objectives.Quadratic([3.0, 1.0], [0.1, -0.2], sigma=0.5)
    eta, beta = 0.03, 0.02
    algo = algorithms.rider(dp, dw, 0.05, beta, eta, 0.5, pulse_mode="noiseless")
    _, tr = algorithms.run(algo, prob, algo.init(np.zeros(2), P0=1.5, Q0=1.2, replicates=3), 200, gen(2),
                           keep_states=True)
    W, P, Q = tr.states["W"], tr.states["P"], tr.states["Q"]
    inc = B.rider_invariant(Q[1:], W[1:], eta, beta) - B.rider_invariant(Q[:-1], W[:-1], eta, beta)
    want = B.rider_invariant_increment(P[1:], Q[:-1], dw.G(W[:-1]), eta)
    # F_w = (q_minus + q_plus)/2 equals 1 up to rounding: the identity holds to rounding
    assert np.max(np.abs(inc - want)) < 1e-13
    assert np.max(np.abs(want)) > 1e-6  # the drift itself is not zero


def test_errata_pl_step():
    e = B.errata_pl_step()
    s = B.rider_symbols()
    assert e.confirmed and e.lo_has_C2_units and not e.hi_printed_has_C2_units and e.corrected_has_C2_units
    assert sp.simplify(e.hi_corrected - e.hi_printed / (2 * s.mu)) == 0
    assert sp.simplify(e.c_star_min_corrected - 8 * s.sigma * (s.q_max / s.q_min) ** sp.Rational(3, 2)) == 0
    assert sp.simplify(e.balanced_against - 2 * s.mu * e.grad_coefficient) == 0


def test_errata_proof_conditions():
    e = B.errata_proof_conditions()
    s = B.rider_symbols()
    assert e.matches_72 and e.a_needed and e.b_needed
    assert sp.simplify(e.c - s.alpha * s.mu * s.q_min**5 / (16 * sp.sqrt(34) * s.q_max**4)) == 0
    assert e.b_condition == (s.C2 <= 1)


def test_literal_condition_is_the_root_of_71s_intermediate_coefficient():
    lit = B.rider_c2_condition_a_literal_expr()
    r = gen(7)
    n = 30
    sg, cs, mu, qn = r.uniform(0, 2, n), r.uniform(0.1, 3, n), r.uniform(0.1, 1e3, n), r.uniform(0.2, 1, n)
    qx = qn * r.uniform(1, 3, n)
    alpha = 10 ** r.uniform(-6, -2, n)
    eta = B.rider_step_sizes(alpha, 0.5, mu, qn, qx).eta_max * r.uniform(0.1, 1.0, n)
    got = B.rider_c2_condition_a_literal(sg, cs, mu, qn, qx, alpha, eta)
    np.testing.assert_allclose(got, lit.lambdify()(sg, cs, mu, qn, qx, alpha, eta), rtol=1e-12)
    # at that C2 the G_p coefficient equals (71)'s intermediate coefficient c71
    c71 = alpha * mu * qn**5 / (8 * np.sqrt(34) * qx**4) - 12 * np.sqrt(34) * qx**2 * eta**2 / (5 * alpha * mu * qn**3)
    coeff = alpha * got * cs / 2 - 3 * alpha * sg**2 / (2 * qn)
    np.testing.assert_allclose(coeff, c71, rtol=1e-9, atol=0)
    # the literal form is stronger than the sufficient one for eta <= eta_max (c71 - c > 0 there)
    assert np.all(got > B.rider_c2_condition_a(sg, cs, mu, qn, qx))
    assert lit.steps["c71_minus_c_at_eta_max"].is_positive
    # the number: 6.053 in the main counterexample setting (mu = 880, sigma = C_star = 0.22, a = 0.34)
    st = B.rider_step_sizes(1e-5, 0.5, 880.0, 0.66, 1.34)
    assert B.rider_c2_condition_a_literal(0.22, 0.22, 880.0, 0.66, 1.34, 1e-5, st.eta_max) == pytest.approx(6.0532, abs=1e-4)


def test_admissible_literal_form():
    # main setting: no C2 in the interval meets the literal form; the mu = 700, sigma = 0.30 setting has one
    main = B.rider_admissible(880.0, 880.0, 0.22, 0.66, 1.34, 0.22, 0.5, c2_form="literal")
    assert not main.nonempty and "literal form" in main.reason
    assert B.rider_admissible(880.0, 880.0, 0.22, 0.66, 1.34, 0.22, 0.5).nonempty
    adm = B.rider_admissible(700.0, 700.0, 0.30, 0.68, 1.32, 0.30, 0.5, c2_form="literal")
    assert adm.nonempty and adm.C2_interval.lo <= adm.C2 <= adm.C2_interval.hi
    lit = B.rider_c2_condition_a_literal(0.30, 0.30, 700.0, 0.68, 1.32, adm.alpha, adm.eta)
    assert adm.C2 >= lit and adm.C2 == pytest.approx(lit, rel=1e-11)
    with pytest.raises(ValueError, match="c2_form"):
        B.rider_admissible(700.0, 700.0, 0.30, 0.68, 1.32, 0.30, 0.5, c2_form="paper")


def test_gamma_drops():
    e = B.errata_gamma_drops()
    assert e.confirmed and e.exact_at_one and e.all_valid_iff == sp.FiniteSet(1)
    s = B.rider_symbols()
    assert sp.simplify(e.fw_coefficient_kept.subs(s.gamma, 1) - e.fw_coefficient_printed) == 0
    assert e.fw_at_half.is_negative
    # numeric: with the proof's beta and C1, the coefficient changes sign at gamma = 4/5
    for g, sign in ((0.5, -1), (0.79, -1), (0.81, 1), (1.0, 1), (2.0, 1)):
        st = B.rider_step_sizes(1e-4, g, 700.0, 0.68, 1.32)
        kept = st.beta * st.C1 / (2 * g * 1.32) - 4 * st.beta**2 * 1.32 / (1e-4 * 0.68**2 * g)
        assert np.sign(kept) == sign
