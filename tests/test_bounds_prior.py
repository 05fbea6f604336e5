"""Bounds of the prior theory (W24 = arXiv 2406.12774, W25 = arXiv 2502.06309): each numeric
function against its sympy form, signs and bad input."""

import numpy as np
import pytest

from sptheory.bounds import wu2024, wu2025

RNG = np.random.Generator(np.random.PCG64(21))


def _agree(expr_fn, fn, points):
    f = expr_fn().lambdify()
    for args in points:
        assert fn(*args) == pytest.approx(float(f(*args)), rel=1e-12)


def test_gd_average_rate_bound_matches_sympy():
    pts = [tuple(RNG.uniform(0.1, 3.0, 3)) + (float(RNG.integers(1, 1000)),) for _ in range(20)]
    _agree(wu2024.gd_average_rate_bound_expr, wu2024.gd_average_rate_bound, pts)


def test_gd_linear_rate_bound_matches_sympy():
    pts = []
    for _ in range(20):
        gap0, mu, qmin = RNG.uniform(0.1, 2.0, 3)
        alpha = RNG.uniform(0.01, 0.99) / (mu * qmin)
        pts.append((gap0, alpha, mu, qmin, float(RNG.integers(0, 200))))
    _agree(wu2025.gd_linear_rate_bound_expr, wu2025.gd_linear_rate_bound, pts)


def test_descent_margin_nonnegative_on_a_grid():
    """The per-step decrease is at least alpha q_min g^2/2 for alpha <= 1/(L q_max), any q in range."""
    for _ in range(200):
        L, qmin = RNG.uniform(0.1, 5.0, 2)
        qmax = qmin * RNG.uniform(1.0, 10.0)
        alpha = RNG.uniform(0, 1) / (L * qmax)
        q = RNG.uniform(qmin, qmax)
        assert alpha * q * (1 - L * alpha * q / 2) >= alpha * qmin / 2 - 1e-15


def test_floor_functions_match_sympy_and_order():
    pts = [(s, S) for s in (0.1, 1.0, 3.0) for S in (0.01, 0.3, 0.7)]
    _agree(wu2024.asgd_limit_error_upper_expr, wu2024.asgd_limit_error_upper, pts)
    _agree(wu2025.thm2_floor_expr, wu2025.thm2_floor, pts)
    for s, S in pts:
        exact = wu2024.asgd_limit_error(s, S)
        assert exact <= wu2024.asgd_limit_error_upper(s, S) <= wu2024.thm3_lower_printed(s, S)  # S < 3/4
        assert exact <= wu2025.thm2_floor(s, S)


def test_stationary_point_matches_sympy_and_is_a_root():
    _agree(wu2024.asgd_stationary_point_expr, wu2024.asgd_stationary_point, [(1.0, 0.5, 1.0, 1.0), (2.0, -0.3, 0.5, 1.5)])
    L, ws, s, t = 1.0, 0.5, 1.0, 1.0
    w = wu2024.asgd_stationary_point(L, ws, s, t)
    c = L * (w - ws)
    assert c + (w / t) * max(abs(c), s) == pytest.approx(0.0, abs=1e-15)  # Rademacher E|c + s eps| = max(|c|, s)
    assert c**2 == pytest.approx(wu2024.asgd_limit_error(s, (w / t) ** 2))


def test_errata_thm3_constant():
    e = wu2024.errata_thm3_constant()
    assert e.refuted and str(e.s_max) == "3/4"


@pytest.mark.parametrize("call", [
    lambda: wu2024.gd_average_rate_bound(1.0, -0.1, 0.5, 10),
    lambda: wu2024.gd_average_rate_bound(1.0, 0.1, 0.5, 0),
    lambda: wu2024.asgd_limit_error_upper(1.0, 1.0),
    lambda: wu2024.asgd_stationary_point(1.0, 50.0, 1.0, 1.0),
    lambda: wu2025.gd_linear_rate_bound(1.0, 10.0, 1.0, 1.0, 3),
    lambda: wu2024.thm3_lower_printed("x", 0.1),
])
def test_bad_input(call):
    with pytest.raises(ValueError):
        call()


def test_implicit_penalty_point_matches_sympy_and_sign():
    pts = [(1.0, 0.0, 0.1, 1.0, 0.3), (2.0, -0.2, 0.5, 0.7, 0.4), (0.5, 0.3, 0.05, 2.0, -0.1)]
    _agree(wu2025.implicit_penalty_point_expr, wu2025.implicit_penalty_point, pts)
    for h, ws, S, Rp, sp in pts:
        bias = wu2025.implicit_penalty_point(h, ws, S, Rp, sp) - ws
        assert np.sign(bias) == np.sign(sp - ws) and abs(bias) < abs(sp - ws)
    with pytest.raises(ValueError):
        wu2025.implicit_penalty_point(0.0, 0.0, 0.1, 1.0, 0.3)


def test_two_point_limit_matches_rademacher_and_jensen():
    w, rho = wu2024.asgd_limit_two_point(1.0, 0.5, 1.0, 1.0, 0.5)
    assert w == pytest.approx(wu2024.asgd_stationary_point(1.0, 0.5, 1.0, 1.0), abs=1e-12)
    assert rho == pytest.approx(1.0, abs=1e-12)
    for p in (0.1, 0.3, 0.8):
        w, rho = wu2024.asgd_limit_two_point(1.0, 0.5, 1.0, 1.0, p)
        S = w**2
        assert 0 < w < 0.5 and 0 < rho <= 1.0 / (1.0 - S)  # Jensen: E|c + xi| <= sqrt(c^2 + sigma^2)
        assert (w - 0.5) ** 2 <= wu2024.asgd_limit_error_upper(1.0, S) + 1e-15
    with pytest.raises(ValueError):
        wu2024.asgd_limit_two_point(1.0, 0.5, 1.0, 1.0, 1.0)


def test_two_point_quadratic_noise_moments():
    from sptheory import objectives

    obj = objectives.TwoPointQuadratic(np.array([1.0]), np.array([0.0]), sigma=2.0, p=0.8)
    g = obj.grad(np.zeros((200000, 1)), np.random.Generator(np.random.PCG64(5)))[:, 0]
    n = g.size
    # mean 0 and variance 4; 5.3-sigma margins (false failure ~1e-7 each)
    assert abs(g.mean()) <= 5.3 * 2.0 / np.sqrt(n)
    m4 = np.mean(g**4)
    assert abs(g.var() - 4.0) <= 5.3 * np.sqrt((m4 - 16.0) / n)
    assert obj.c_star(np.zeros(1)) == pytest.approx(2.0 * 2 * np.sqrt(0.8 * 0.2))


# ----- W24 Thm 4 / Assumption 5 (Tiki-Taka) ------------------------------------------------------

def test_thm4_functions_match_sympy():
    pts = [tuple(RNG.uniform(0.2, 3.0, 5)) for _ in range(10)]
    _agree(wu2024.thm4_pmax2_expr, wu2024.thm4_pmax2, pts)
    pts = [(RNG.uniform(0.05, 1.0), float(RNG.integers(1, 50)), RNG.uniform(0, 2)) for _ in range(10)]
    _agree(wu2024.thm4_final_factor_expr, wu2024.thm4_final_factor, pts)
    _agree(wu2024.assumption5_c_max_expr, wu2024.assumption5_c_max, [(1.0,), (4.0,), (37.0,)])


def test_thm4_erratum_factor_is_at_most_minus_127():
    e = wu2024.errata_thm4_factor()
    assert e.infeasible and int(e.sup_factor) == -127
    import sympy as sp

    L, tau, D = sp.symbols("L tau D", positive=True)
    assert sp.simplify(e.sigma2_min - 1353 * L**2 * tau**2 * D**2) == 0
    # numerically: at the largest c Assumption 5 allows, with no saturation at all, every D
    for D_ in (1, 2, 10, 1000):
        c = wu2024.assumption5_c_max(D_)
        assert wu2024.thm4_final_factor(c, D_, 0.0) == pytest.approx(-127.0)
        assert wu2024.thm4_final_factor(0.9 * c, D_, 0.0) < -127.0


def test_gaussian_c_below_the_ceiling_and_matches_monte_carlo():
    for D_ in (1, 4, 9):
        assert wu2024.assumption5_c_gaussian(D_) < wu2024.assumption5_c_max(D_)
    s, D_, n = 1.5, 4, 200_000
    eps = s * RNG.standard_normal(n)
    c_mc = np.abs(eps).mean() / (s * np.sqrt(D_))
    # E|eps| = s sqrt(2/pi), sd of |eps| = s sqrt(1 - 2/pi); 5.3 sigma: false failure ~1e-7
    margin = 5.3 * np.sqrt(1 - 2 / np.pi) / np.sqrt(n) / np.sqrt(D_)
    assert abs(c_mc - wu2024.assumption5_c_gaussian(D_)) <= margin


def test_thm4_bad_input():
    with pytest.raises(ValueError, match="D"):
        wu2024.assumption5_c_max(0.5)
    with pytest.raises(ValueError, match="c"):
        wu2024.thm4_final_factor(0.0, 4, 0.1)
    with pytest.raises(ValueError, match="pmax2_over_tau2"):
        wu2024.thm4_final_factor(0.3, 4, -0.1)
    with pytest.raises(ValueError, match="sigma"):
        wu2024.thm4_pmax2(1.0, 1.0, 4, 0.3, -1.0)
    with pytest.raises(ValueError, match="tau"):
        wu2024.thm4_saturation_condition(0.1, 0.0)


def test_thm3_step_erratum_and_limit_match_sympy():
    """W24 App. G.2: (98) drops (97)'s 1/2 (ratio 2, limits 4 vs 1); the numeric limit equals sigma^2 S."""
    e = wu2024.errata_thm3_step()
    assert e.ratio_98 == 2 and e.limit_printed == 4 and e.limit_correct == 1
    expr = wu2024.thm3_step_expr()
    assert expr.steps["jensen_equal"] == 0
    f = expr.lambdify()
    for L, ws, sigma, tau, D in [(1.0, 0.25, 0.28, 1.0, 4), (2.0, -0.3, 0.5, 1.5, 9), (0.7, 0.1, 0.05, 1.0, 1)]:
        w, g2, S = wu2024.thm3_limit(L, ws, sigma, tau, D)
        assert g2 == pytest.approx(float(f(sigma, S)), rel=1e-9)
        c = L * (w - ws)  # the zero of the corrected drift (98)
        assert c * (1 - (w / tau) ** 2) + sigma / np.sqrt(D) * (w / tau) * np.sqrt(1 - (w / tau) ** 2) == \
            pytest.approx(0.0, abs=1e-12)
    cond = wu2024.thm3_conditions(1.0, 0.25, 0.28, 1.0, 4, 0.02)
    assert all(v[2] for v in cond.values())
    assert not wu2024.thm3_conditions(1.0, 0.3, 0.28, 1.0, 4, 0.02)["|w*| <= tau/4"][2]


def test_thm3_oracle_law_and_bad_input():
    from sptheory import objectives

    obj = objectives.W24Thm3Quadratic(1.0, 0.25, 0.28, 1.0, 4)
    W = np.full((200_000, 4), 0.2)
    g = obj.grad(W, np.random.default_rng(3))
    xi = g[:, 0] - (0.2 - 0.25)
    assert np.all(g - g[:, :1] == 0)                       # one draw shared by the coordinates
    n = xi.size                                            # E xi = 0, E xi^2 = sigma^2/D; 5.3 sigma: false failure ~1e-7
    assert abs(xi.mean()) <= 5.3 * xi.std() / np.sqrt(n)
    assert abs((xi**2).mean() - 0.28**2 / 4) <= 5.3 * (xi**2).std() / np.sqrt(n)
    assert obj.noise_probability(W)[0] == pytest.approx(0.4)
    for bad in [dict(L=0.0), dict(sigma=-1.0), dict(D=0), dict(D=2.5), dict(w_star=1.5)]:
        kw = dict(L=1.0, w_star=0.25, sigma=0.28, tau=1.0, D=4, **{})
        kw.update(bad)
        with pytest.raises(ValueError):
            objectives.W24Thm3Quadratic(**kw)
    with pytest.raises(ValueError):
        obj.noise_probability(np.full((1, 4), 1.0))
    with pytest.raises(ValueError):
        wu2024.thm3_limit(1.0, 0.0, 0.28, 1.0, 4)


def test_thm5_sign_erratum_and_printed_point():
    e = wu2025.errata_thm5_sign()
    assert e.printed_is_minimiser_of_minus
    for h, ws, S, Rp, sp in [(1.0, 0.0, 0.1, 1.0, 0.3), (2.0, -0.2, 0.5, 0.7, 0.4)]:
        printed = wu2025.implicit_penalty_point_printed(h, ws, S, Rp, sp)
        assert np.sign(printed - ws) == -np.sign(sp - ws)   # away from the SP
        vals = {"h": h, "w_star": ws, "Sigma": S, "R_prime": Rp, "w_sp": sp}
        assert float(e.printed.subs({x: vals[x.name] for x in e.printed.free_symbols})) == \
            pytest.approx(printed, rel=1e-12)
    with pytest.raises(ValueError):
        wu2025.implicit_penalty_point_printed(1.0, 0.0, 2.0, 1.0, 0.3)   # h - Sigma R' <= 0


def test_thm2_proof_floor():
    assert wu2025.thm2_proof_floor(1.0, 0.1) == pytest.approx(0.8)
    with pytest.raises(ValueError):
        wu2025.thm2_proof_floor(1.0, 0.1, F_max=0.0)


def test_thm9_and_thm6_match_sympy():
    e = wu2024.thm9_expr()
    f_proof = e.lambdify()
    import sympy as sp

    printed = sp.lambdify(sp.symbols("f_gap0 L K W_max tau", positive=True), e.steps["printed"])
    for gap0, alpha, L, K, Wm, tau in [(1.0, 0.05, 2.0, 10, 0.5, 1.0), (0.3, 0.5, 1.0, 1000, 0.1, 2.0)]:
        assert wu2024.thm9_proof(gap0, alpha, K, Wm, tau) == pytest.approx(float(f_proof(gap0, alpha, K, Wm, tau)))
        assert wu2024.thm9_printed(gap0, L, K, Wm, tau) == pytest.approx(float(printed(gap0, L, K, Wm, tau)))
        ratio = wu2024.thm9_printed(gap0, L, K, Wm, tau) / wu2024.thm9_proof(gap0, alpha, K, Wm, tau)
        assert ratio == pytest.approx(alpha * L)
    _agree(wu2025.thm6_average_expr, wu2025.thm6_average, [(1.0, 2.0, 1.15, 0.6, 10.0), (0.2, 1.0, 1.0, 0.9, 3.0)])
    for call in (lambda: wu2024.thm9_printed(1.0, 1.0, 10, 1.0, 1.0), lambda: wu2024.thm9_proof(1.0, 0.0, 10, 0.5, 1.0),
                 lambda: wu2025.thm6_average(1.0, 1.0, 1.0, 0.0, 10)):
        with pytest.raises(ValueError):
            call()
