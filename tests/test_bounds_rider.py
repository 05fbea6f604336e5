"""Tests for sptheory.bounds.rider (Thm 3.7, Cor 3.9, Lemma 3.5) and the errata cstar-condition,
alpha-small, kappa-exponent:
numeric functions vs their sympy expressions (rtol 1e-12), the Lemma 3.5
identity to machine precision, the eta window, the admissible region's edge,
and bad input. Deterministic: no sampling, so no false-failure probability.
"""

import numpy as np
import pytest
import sympy as sp

from sptheory import bounds as B

RTOL = 1e-12


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


def inputs(rng, m=200):
    """Random valid arguments, one per row (0 < q_min <= q_max)."""
    q_max = rng.uniform(0.3, 3.0, m)
    q_min = q_max * rng.uniform(0.2, 1.0, m)
    mu = 10 ** rng.uniform(-2, 1, m)
    return dict(
        alpha=10 ** rng.uniform(-4, 0, m), beta=10 ** rng.uniform(-5, 0, m), eta=10 ** rng.uniform(-5, 0, m),
        gamma=rng.uniform(0.05, 2.0, m), mu=mu, L=mu * rng.uniform(1.0, 50.0, m),
        sigma=rng.uniform(0.0, 2.0, m), C_star=10 ** rng.uniform(-1, 2, m), C2=rng.uniform(0.0, 3.0, m),
        q_min=q_min, q_max=q_max, K=10 ** rng.uniform(0, 7, m), V0=rng.uniform(0, 10, m),
        VK=rng.uniform(0, 1, m), kappa1=rng.uniform(1, 100, m), kappa2=rng.uniform(1, 5, m),
        delta=10 ** rng.uniform(-3, -0.5, m), dw_min=10 ** rng.uniform(-6, -2, m),
        c_K=rng.uniform(0.1, 10, m), c_N=rng.uniform(0.1, 10, m), c_K2=rng.uniform(0.0, 5, m),
        f_gap=rng.uniform(0, 5, m), dist_sq=rng.uniform(0, 5, m), phi_gap=rng.uniform(0, 5, m),
        C1=rng.uniform(0, 5, m), W=rng.normal(size=m), Q=rng.normal(size=m), W_star=rng.normal(size=m),
    )


def sym_eval(bexpr, values):
    out = bexpr.lambdify()(*(values[str(a)] for a in bexpr.args))
    if isinstance(out, (tuple, list)):
        return tuple(np.asarray(o, dtype=float) for o in out)
    return np.asarray(out, dtype=float)


def close(got, want):
    got, want = np.broadcast_arrays(np.asarray(got, dtype=float), np.asarray(want, dtype=float))
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=0)


# ---------------------------------------------------------------- sympy agreement

def test_step_sizes_and_c2_interval_match_sympy():
    v = inputs(gen(0))
    st = B.rider_step_sizes(v["alpha"], v["gamma"], v["mu"], v["q_min"], v["q_max"])
    for got, want in zip(st, sym_eval(B.rider_step_sizes_expr(), v)):
        close(got, want)
    # C1 does not depend on alpha
    close(B.rider_step_sizes(2 * v["alpha"], v["gamma"], v["mu"], v["q_min"], v["q_max"]).C1, st.C1)
    iv = B.rider_c2_interval(v["sigma"], v["C_star"], v["mu"], v["q_min"], v["q_max"])
    for got, want in zip(iv, sym_eval(B.rider_c2_interval_expr(), v)):
        close(got, want)
    for form in ("stated", "proof"):
        close(B.rider_cstar_condition(v["sigma"], v["mu"], v["q_min"], v["q_max"], form=form),
              sym_eval(B.rider_cstar_condition_expr(form), v))


def test_c2_interval_nonempty_iff_proof_condition():
    v = inputs(gen(1), m=2000)
    iv = B.rider_c2_interval(v["sigma"], v["C_star"], v["mu"], v["q_min"], v["q_max"])
    need = B.rider_cstar_condition(v["sigma"], v["mu"], v["q_min"], v["q_max"], form="proof")
    stated = B.rider_cstar_condition(v["sigma"], v["mu"], v["q_min"], v["q_max"], form="stated")
    margin = np.abs(v["C_star"] / need - 1) > 1e-9
    nonempty = iv.lo <= iv.hi
    assert 100 < nonempty.sum() < 1900
    assert np.array_equal(nonempty[margin], (v["C_star"] >= need)[margin])
    close(stated / need, 1 / np.sqrt(v["mu"]))
    # at the proof threshold the interval is a single point
    iv0 = B.rider_c2_interval(v["sigma"], need, v["mu"], v["q_min"], v["q_max"])
    pos = v["sigma"] > 0
    np.testing.assert_allclose(iv0.lo[pos], iv0.hi[pos], rtol=1e-12)
    # stated condition met but interval empty: mu > 1 (errata/cstar-condition)
    bad = (v["C_star"] >= stated) & ~nonempty
    assert bad.any() and np.all(v["mu"][bad] > 1)


def test_side_conditions_match_sympy():
    v = inputs(gen(2))
    got = B.rider_side_conditions(v["alpha"], v["beta"], v["eta"], v["gamma"], v["L"], v["mu"], v["q_min"],
                                  v["q_max"], v["C2"], sigma=v["sigma"], C_star=v["C_star"], printed_constant=True)
    exprs = B.rider_side_conditions_expr()
    assert set(got) == set(exprs) == set(B.RIDER_SIDE_CONDITIONS)
    s = B.rider_symbols()
    args = (s.alpha, s.beta, s.eta, s.gamma, s.L, s.mu, s.q_min, s.q_max, s.C2, s.sigma, s.C_star)
    vals = [v[str(a)] for a in args]
    for name, (lhs, rhs) in exprs.items():
        close(got[name].lhs, np.asarray(sp.lambdify(args, lhs, "numpy")(*vals), dtype=float))
        close(got[name].rhs, np.asarray(sp.lambdify(args, rhs, "numpy")(*vals), dtype=float))
        assert got[name].holds.dtype == bool
    # strict positivity <=> alpha < 1/(2 q_max L (3 gamma^2 + C2))
    sup = 1 / (2 * v["q_max"] * v["L"] * (3 * v["gamma"] ** 2 + v["C2"]))
    away = np.abs(v["alpha"] / sup - 1) > 1e-9
    assert np.array_equal(got["positivity"].holds[away], (v["alpha"] < sup)[away])
    # without sigma/C_star the C2 conditions are left out; a scalar call gives bools
    one = B.rider_side_conditions(0.01, 1e-3, 1e-4, 1.0, 1.0, 0.5, 0.8, 1.0, 0.1)
    assert "C2_lo" not in one and isinstance(one["positivity"].holds, bool)


def test_alpha_bounds_match_sympy():
    v = inputs(gen(3), m=40)
    b = B.rider_alpha_bounds_expr()
    want = sym_eval(b, v)
    assert set(b.steps["alpha_free"]) == {"eta_beta", "eta_max"}
    for i in range(40):
        r = B.rider_admissible(v["L"][i], v["mu"][i], v["sigma"][i], v["q_min"][i], v["q_max"][i],
                               v["C_star"][i], v["gamma"][i])
        got = np.array([r.alpha_bounds[k] for k in B.ALPHA_BOUND_NAMES])
        # the sympy form takes C2 = lo; the admissible C2 is max(lo, condition (a)), which enters positivity only
        exp = np.array([w[i] for w in want])
        c2 = max(r.C2_interval.lo, r.C2_a)
        exp[-1] = 1 / (2 * v["q_max"][i] * v["L"][i] * (3 * v["gamma"][i] ** 2 + c2))
        assert B.ALPHA_BOUND_NAMES[-1] == "positivity"
        np.testing.assert_allclose(got, exp, rtol=RTOL)
    for name in B.ALPHA_BOUND_NAMES:  # each condition is increasing in alpha: alpha <= root
        d = b.steps[f"{name}_dh_dalpha"]
        assert d.is_positive, name


# ---------------------------------------------------------------- admissible region

def test_admissible_region_edge():
    rng = gen(4)
    n_nonempty = n_strict = n_a = 0
    for _ in range(60):
        q_max = rng.uniform(0.5, 2.0)
        q_min = q_max * rng.uniform(0.3, 1.0)
        mu = 10 ** rng.uniform(-1.5, 0.7)
        L, sigma, gamma = mu * rng.uniform(1, 30), rng.uniform(0, 1), rng.uniform(0.05, 1.5)
        need = B.rider_cstar_condition(sigma, mu, q_min, q_max, form="proof")
        C_star = need * rng.uniform(0.5, 3.0) if sigma > 0 else rng.uniform(0.1, 3)
        r = B.rider_admissible(L, mu, sigma, q_min, q_max, C_star, gamma)
        if C_star < need:
            assert not r.nonempty and np.isnan(r.alpha) and "C_star" in r.reason
            continue
        if r.C2_a > r.C2_interval.hi:  # condition (a) of errata/proof-conditions empties the region
            assert not r.nonempty and np.isnan(r.alpha) and "condition (a)" in r.reason
            n_a += 1
            continue
        n_nonempty += 1
        n_strict += r.binding == "positivity"
        assert r.alpha <= r.alpha_sup and r.alpha >= r.alpha_sup * (1 - 1e-14)
        assert r.alpha_sup == min(r.alpha_bounds.values())
        for alpha, ok in ((r.alpha, True), (r.alpha * (1 + 1e-9), False)):
            st = B.rider_step_sizes(alpha, gamma, mu, q_min, q_max)
            conds = B.rider_side_conditions(alpha, st.beta, st.eta_max, gamma, L, mu, q_min, q_max, r.C2,
                                            sigma=sigma, C_star=C_star)
            assert all(c.holds for c in conds.values()) is ok
            if not ok:
                assert not conds[r.binding].holds
        assert r.beta == B.rider_step_sizes(r.alpha, gamma, mu, q_min, q_max).beta
        assert r.C2 == max(r.C2_interval.lo, r.C2_a)
        assert r.printed_constant_ok == (r.C2 <= 1)
    assert n_nonempty > 15 and 0 < n_strict < n_nonempty and n_a > 0


def test_admissible_c2_choice_maximises_alpha():
    L, mu, sigma, q_min, q_max, C_star, gamma = 2.0, 0.5, 0.3, 0.7, 1.0, 20.0, 1.0
    r = B.rider_admissible(L, mu, sigma, q_min, q_max, C_star, gamma)
    assert r.nonempty and r.binding == "positivity"
    st = B.rider_step_sizes(r.alpha, gamma, mu, q_min, q_max)
    # any larger C2 in the interval breaks positivity at this alpha
    c2 = 0.5 * (r.C2_interval.lo + r.C2_interval.hi)
    conds = B.rider_side_conditions(r.alpha, st.beta, st.eta_max, gamma, L, mu, q_min, q_max, c2,
                                    sigma=sigma, C_star=C_star)
    assert not conds["positivity"].holds


# ---------------------------------------------------------------- bound (72), Lyapunov, lower level, rate

def test_bound_72_lyapunov_lower_level_rate_match_sympy():
    v = inputs(gen(5))
    close(B.rider_bound_72(v["K"], v["alpha"], v["V0"], v["L"], v["mu"], v["sigma"], v["q_min"], v["q_max"],
                           v["VK"]), sym_eval(B.rider_bound_72_expr(), v))
    close(B.rider_lyapunov(v["f_gap"], v["dist_sq"], v["phi_gap"], v["C1"], v["C2"]),
          sym_eval(B.rider_lyapunov_expr(), v))
    p = B.lower_level_solution(v["W"], v["Q"], v["W_star"], v["gamma"])
    close(p, sym_eval(B.lower_level_solution_expr(), v))
    np.testing.assert_allclose(v["W"] + v["gamma"] * (p - v["Q"]), v["W_star"], atol=1e-12)
    for form in ("stated", "proof"):
        close(B.rider_rate_kappa(v["K"], v["kappa1"], v["kappa2"], form=form),
              sym_eval(B.rider_rate_kappa_expr(form), v))
    ratio = (B.rider_rate_kappa(v["K"], v["kappa1"], v["kappa2"], form="stated")
             / B.rider_rate_kappa(v["K"], v["kappa1"], v["kappa2"], form="proof"))
    close(ratio, v["kappa1"] ** 2)


def test_bound_72_with_alpha_c_over_sqrtK():
    """(72) at alpha = c/sqrt(K) times sqrt(K) equals the sympy step; it is
    affine in kappa1 (slope > 0) at fixed mu, q_max, sigma, V0, c."""
    s = B.rider_symbols()
    step = B.rider_bound_72_expr().steps["in_kappa"]
    f = sp.lambdify((s.V0, s.c, s.mu, s.q_max, s.sigma, s.kappa1, s.kappa2), step, "numpy")
    V0, c, mu, q_max, sigma, K = 2.0, 0.3, 0.4, 1.5, 0.7, 1e4
    k1 = np.array([1.0, 10.0, 1e3, 1e5])
    k2 = 1.7
    got = B.rider_bound_72(K, c / np.sqrt(K), V0, k1 * mu, mu, sigma, q_max / k2, q_max) * np.sqrt(K)
    np.testing.assert_allclose(got, f(V0, c, mu, q_max, sigma, k1, k2), rtol=1e-12)
    slopes = np.diff(np.log(got)) / np.diff(np.log(k1))
    assert np.all(slopes > 0) and abs(slopes[-1] - 1) < 0.02  # -> kappa1^1, never kappa1^-1


# ---------------------------------------------------------------- Cor 3.9

def test_pulses_and_crossover():
    v = inputs(gen(6))
    close(B.pulses_rider(v["delta"], c_K=v["c_K"]), sym_eval(B.pulses_rider_expr(), v))
    close(B.pulses_two_stage(v["delta"], v["dw_min"], c_K=v["c_K"], c_N=v["c_N"]),
          sym_eval(B.pulses_two_stage_expr(), v))
    x = B.cor39_crossover(v["delta"], v["c_K"], v["c_N"], c_K_two_stage=v["c_K2"])
    fin = v["c_K"] > v["c_K2"]
    assert fin.sum() > 50 and np.all(np.isinf(x[~fin]))
    close(x[fin], sym_eval(B.cor39_crossover_expr(), v)[fin])
    for f, rider_wins in ((0.99, True), (1.01, False)):
        dw = x[fin] * f
        rider = B.pulses_rider(v["delta"][fin], c_K=v["c_K"][fin])
        two = B.pulses_two_stage(v["delta"][fin], dw, c_K=v["c_K2"][fin] + 1e-300, c_N=v["c_N"][fin])
        assert np.all((rider < two) == rider_wins)
    # unit constants: dw_min* = delta; RIDER grows like delta^-2, two-stage adds delta^-1 dw_min^-1
    assert B.cor39_crossover(0.01, 1.0, 1.0) == pytest.approx(0.01, rel=RTOL)
    assert B.pulses_two_stage(0.1, 1e-4) == pytest.approx(100 + 1e5, rel=RTOL)


# ---------------------------------------------------------------- Lemma 3.5

def lemma_vectors(rng, shape=(400,), dim=6):
    P = rng.normal(size=shape + (dim,))
    Q = P + rng.normal(size=shape + (dim,)) * rng.uniform(0.01, 3, shape + (1,))
    W = rng.normal(size=shape + (dim,)) * 2
    return P, Q, W


def test_lemma35_identity_machine_precision():
    rng = gen(7)
    P, Q, W = lemma_vectors(rng, shape=(30, 20))
    eta = rng.uniform(-0.5, 1.5, (30, 20))
    r = B.lemma35_identity(P, Q, W, eta)
    assert r.lhs.shape == (30, 20)
    q_next = (1 - eta)[..., None] * Q + eta[..., None] * P
    np.testing.assert_allclose(r.lhs, np.sum((q_next - W) ** 2, axis=-1), rtol=1e-12)
    scale = np.sum((P - W) ** 2, -1) + (1 - eta) ** 2 * np.sum((P - Q) ** 2, -1)
    assert np.max(np.abs(r.lhs - r.rhs) / scale) < 1e-14
    # the right side in norms and cos theta equals the sympy expression
    b = B.lemma35_expr()
    na, nb = np.linalg.norm(P - W, axis=-1), np.linalg.norm(P - Q, axis=-1)
    np.testing.assert_allclose(b.lambdify()(na, nb, r.cos_theta, eta), r.rhs, rtol=1e-10, atol=1e-12 * scale.max())
    assert b.steps["identity_residual"] == 0
    # scalars are 1-vectors; degenerate angle is nan but the identity still holds
    one = B.lemma35_identity(1.0, 1.0, 0.0, 0.3)
    assert isinstance(one.lhs, float) and np.isnan(one.cos_theta) and one.lhs == pytest.approx(one.rhs)


def test_lemma35_eta_window_implies_decrease():
    rng = gen(8)
    P, Q, W = lemma_vectors(rng, shape=(2000,), dim=4)
    win = B.lemma35_eta_window(P, Q, W)
    ok = win.cos_theta > 0
    assert 200 < ok.sum() < 1800
    assert np.all(np.isnan(win.eta_lo[~ok])) and np.all(np.isnan(win.eta_hi[~ok]))
    assert np.all(win.eta_hi[ok] == 1) and np.all((win.eta_lo[ok] >= 0) & (win.eta_lo[ok] < 1))
    dist0 = np.sum((P - W) ** 2, axis=-1)
    u = rng.uniform(0.001, 0.999, 2000)
    eta_in = win.eta_lo + u * (1 - win.eta_lo)
    r = B.lemma35_identity(P[ok], Q[ok], W[ok], eta_in[ok])
    assert np.all(r.lhs < dist0[ok])
    # exact window: below eta_lo (when > 0) there is no decrease
    lo_pos = ok & (win.eta_lo > 1e-3)
    assert lo_pos.sum() > 50
    eta_out = win.eta_lo[lo_pos] * u[lo_pos]
    assert np.all(B.lemma35_identity(P[lo_pos], Q[lo_pos], W[lo_pos], eta_out).lhs >= dist0[lo_pos])
    # cos theta <= 0: no eta in (0, 1) decreases the distance
    bad = ~ok & np.isfinite(win.cos_theta)
    assert np.all(B.lemma35_identity(P[bad], Q[bad], W[bad], u[bad]).lhs >= dist0[bad] * (1 - 1e-12))


def test_lemma35_symbolic_window():
    s = B.lemma35_expr().steps
    sy = B.rider_symbols()
    a, c, t = sy.a_norm, sy.cos_theta, sy.t
    assert sp.simplify(s["change_on_window"] - 4 * a**2 * c**2 * t * (t - 1)) == 0
    f = sp.lambdify((a, c, t), s["change_on_window"], "numpy")
    ts = np.linspace(1e-6, 1 - 1e-6, 100)
    assert np.all(f(1.3, 0.4, ts) < 0)


# ---------------------------------------------------------------- errata cstar-condition, alpha-small, kappa-exponent

def test_errata_cstar_condition_alpha_small_kappa_exponent():
    s = B.rider_symbols()
    e4 = B.errata_cstar_condition()
    assert e4.stated_sufficient is False and e4.proof_form_exact is True
    assert sp.simplify(e4.stated_over_proof - 1 / sp.sqrt(s.mu)) == 0
    assert e4.stated_sufficient_iff == (s.mu <= 1)
    e5 = B.errata_alpha_small()
    assert e5.needs_alpha_small is True
    assert sp.simplify(e5.alpha_sup - 1 / (2 * s.L * s.q_max * (3 * s.gamma**2 + s.C2))) == 0
    e6 = B.errata_kappa_exponent()
    assert e6.stated_follows_from_72 is True and e6.proof_follows_from_72 is False
    assert (e6.kappa1_degree, e6.kappa2_degree, e6.kappa1_degree_alpha_c_over_L) == (1, 5, 1)
    assert e6.kappa1_power_optimal_c == sp.Rational(1, 2)
    assert sp.simplify(e6.stated_over_proof - s.kappa1**2) == 0
    # numbers quoted in the docstrings
    assert B.rider_cstar_condition(1.0, 4.0, 0.5, 1.0) == pytest.approx(4.0, rel=RTOL)
    assert B.rider_cstar_condition(1.0, 4.0, 0.5, 1.0, form="proof") == pytest.approx(8.0, rel=RTOL)
    c = B.rider_side_conditions(0.2, 1e-3, 1e-5, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5)["positivity"]
    assert c.lhs == pytest.approx(-1.0) and not c.holds


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: B.rider_step_sizes(0, 1, 1, 1, 1), "alpha"),
        (lambda: B.rider_step_sizes(0.1, -1, 1, 1, 1), "gamma"),
        (lambda: B.rider_step_sizes(0.1, 1, 0, 1, 1), "mu"),
        (lambda: B.rider_step_sizes(0.1, 1, 1, 2, 1), "q_min"),
        (lambda: B.rider_step_sizes(0.1, 1, 1, 1, -1), "q_max"),
        (lambda: B.rider_c2_interval(-1, 1, 1, 1, 1), "sigma"),
        (lambda: B.rider_c2_interval(1, 0, 1, 1, 1), "C_star"),
        (lambda: B.rider_cstar_condition(1, 1, 1, 1, form="printed"), "form"),
        (lambda: B.rider_side_conditions(0.1, 0.1, 0.1, 1, 1, 1, 1, 1, -0.1), "C2"),
        (lambda: B.rider_side_conditions(0.1, 0.1, 0.1, 1, 1, 1, 1, 1, 0.1, sigma=1.0), "C_star"),
        (lambda: B.rider_side_conditions(0.1, 0.0, 0.1, 1, 1, 1, 1, 1, 0.1), "beta"),
        (lambda: B.rider_side_conditions(0.1, 0.1, np.nan, 1, 1, 1, 1, 1, 0.1), "eta"),
        (lambda: B.rider_admissible(0, 1, 1, 1, 1, 1, 1), "L"),
        (lambda: B.rider_admissible(1, 1, 1, 1, 1, np.ones(2), 1), "C_star"),
        (lambda: B.rider_bound_72(0, 0.1, 1, 1, 1, 1, 1, 1), "K"),
        (lambda: B.rider_bound_72(10, 0.1, -1, 1, 1, 1, 1, 1), "V0"),
        (lambda: B.rider_bound_72(10, 0.1, 1, 1, 1, 1, 1, 1, VK=-1), "VK"),
        (lambda: B.rider_bound_72(np.ones(2), 0.1, 1, 1, 1, 1, 1, np.ones(3)), "broadcast"),
        (lambda: B.rider_lyapunov(-1, 0, 0, 1, 1), "f_gap"),
        (lambda: B.rider_lyapunov(0, -1, 0, 1, 1), "P_star_minus_Q_sq"),
        (lambda: B.rider_lyapunov(0, 0, -1, 1, 1), "phi_gap"),
        (lambda: B.lower_level_solution(1, 1, 1, 0), "gamma"),
        (lambda: B.lower_level_solution(np.inf, 1, 1, 1), "W"),
        (lambda: B.rider_rate_kappa(100, 0.5, 2), "kappa1"),
        (lambda: B.rider_rate_kappa(100, 2, 0.5), "kappa2"),
        (lambda: B.rider_rate_kappa(100, 2, 2, form="x"), "form"),
        (lambda: B.pulses_rider(0), "delta"),
        (lambda: B.pulses_two_stage(0.1, 0), "dw_min"),
        (lambda: B.pulses_two_stage(0.1, 1e-3, c_N=0), "c_N"),
        (lambda: B.cor39_crossover(0.1, 1, 1, c_K_two_stage=-1), "c_K_two_stage"),
        (lambda: B.lemma35_identity(np.ones(3), np.ones(3), np.ones(3), np.nan), "eta"),
        (lambda: B.lemma35_identity(np.ones(3), np.ones(2), np.ones(3), 0.5), "broadcast"),
        (lambda: B.lemma35_eta_window(np.ones(3), np.ones(3), [np.nan, 0, 0]), "W_sp"),
        (lambda: B.lemma35_eta_window("x", np.ones(3), np.ones(3)), "P_next"),
    ],
)
def test_bad_input_names_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()
