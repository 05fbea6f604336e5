"""Prior-theory claims (issue 21): they run, carry PART, and give the expected verdicts on quick sizes."""

import numpy as np
import pytest

from verification.claims import prior_asgd_floor, prior_gd_rate


def test_gd_rate_controls_hold_quick():
    res = {r.id.split("/")[1]: r for r in prior_gd_rate.run(True, 5)}
    assert prior_gd_rate.PART == "prior theory"
    assert {k: r.verdict for k, r in res.items()} == {"average": "holds", "w24-thm9": "violated",
                                                     "w24-thm9-corrected": "holds", "linear": "holds"}
    assert res["w24-thm9"].erratum and all(h.met for r in res.values() for h in r.hypotheses)


def test_intercept_ci_recovers_a_line():
    x = np.array([0.01, 0.02, 0.03, 0.04])
    b0, b1, lo, hi, _ = prior_asgd_floor.intercept_ci(x, 1.0 + 2.0 * x, np.full(4, 1e-3), 0.95)
    assert b0 == pytest.approx(1.0) and b1 == pytest.approx(2.0) and lo < 1.0 < hi


@pytest.mark.slow
def test_asgd_floor_quick_verdicts():
    res = {r.id.split("/")[1]: r for r in prior_asgd_floor.run(True, 7)}
    assert prior_asgd_floor.PART == "prior theory"
    assert res["w24-thm3-lower"].verdict == "violated" and res["w24-thm3-lower"].erratum
    assert res["w25-thm2-upper"].verdict == "holds"
    assert res["corrected"].verdict == "holds"
    assert res["fixed-p"].verdict == "holds" and res["fixed-p"].erratum is None
    assert all(h.met for h in res["w24-thm3-lower"].hypotheses)


def test_trains_var_quick_verdicts():
    from verification.claims import prior_trains_var

    res = {r.id.split("/")[1]: r for r in prior_trains_var.run(True, 11, size=dict(R=5000))}
    assert prior_trains_var.PART == "prior theory"
    assert res["mean"].verdict == "holds" and res["corrected"].verdict == "holds"
    assert res["x-delta"].verdict == "violated" and res["x-delta"].erratum


def test_constant_device_trains_error_is_the_count():
    from sptheory.experiments import update_model as E

    dev = E.constant_device(1e-3)
    m, sem, v, vsem = E.trains_mc(dev, np.array([2e-3]), 31, 4000, np.random.Generator(np.random.PCG64(3)))
    # b = dw_min n - dW with n ~ Binomial(31, 2/31): exact variance 2e-3 * 1e-3 * (1 - 2/31)
    exact = 2e-6 * (1 - 2 / 31)
    assert abs(v[0] - exact) <= 5.3 * vsem[0]  # false failure ~1e-7
    assert abs(m[0]) <= 5.3 * sem[0]


def test_implicit_penalty_quick_verdicts():
    from verification.claims import prior_implicit_penalty

    res = {r.id.split("/")[1]: r for r in prior_implicit_penalty.run(True, 13)}
    assert prior_implicit_penalty.PART == "prior theory"
    assert res["formula"].verdict == "violated" and res["formula"].erratum   # eq. (50)'s sign (W25 v3)
    assert res["formula-corrected"].verdict == "holds" and res["sigma-w25"].verdict == "holds"
    assert res["sigma-eq4"].verdict == "violated" and res["sigma-eq4"].erratum


def test_penalty_effective_update_vanishes_at_the_mean_field_point():
    from sptheory.experiments import prior as X

    p = X.PENALTY
    for s in (0.01, 0.1):
        w = X.mean_field_point(s)
        assert X.penalty_effective_update(w, p["h"], p["w_star"], s, p["s"], p["tau"]) == pytest.approx(0, abs=1e-12)


def test_mean_field_point_is_a_root_near_the_formula():
    from sptheory.bounds import wu2025
    from sptheory.experiments import prior as X

    p = X.PENALTY
    for s in (0.01, 0.1):
        w = X.mean_field_point(s)
        pred = wu2025.implicit_penalty_point(p["h"], p["w_star"], s * np.sqrt(2 / np.pi), 1 / p["tau"], p["s"])
        assert 0 < w < p["s"] and abs(w / pred - 1) < 0.05


# ----- items 3 and 5: Tiki-Taka (W24 Thm 4) and the S1-TT-fails.py reimplementation ----------------

def test_tt_convergence_thm4_inconclusive_with_erratum():
    from verification.claims import prior_tt_convergence as M

    res = {r.id.split("/")[1]: r for r in M.run(True, 3, size=dict(R=16, alphas=[0.01, 0.007, 0.005]))}
    assert M.PART == "prior theory"
    assert res["thm4"].verdict == "inconclusive" and res["thm4"].erratum
    assert "final factor" in res["thm4"].judgement.reason
    assert res["c-bound"].verdict == "holds"
    assert res["c-bound"].ratio == pytest.approx(np.sqrt(2 / np.pi), abs=0.02)  # Gaussian c sqrt(D)


def test_tally_quadratic_counts_its_draws():
    from sptheory.experiments import prior as X

    dev, obj = X.ttc_problem(0)
    t = X._TallyQuadratic(obj, 2.0)
    g = t.grad(np.zeros((3, obj.D)), np.random.default_rng(1))
    assert g.shape == (3, obj.D) and t.n == 3 * obj.D and t.abs_sum > 0 and t.sq_sum > 0


def test_rank_one_regression_gradient_and_device():
    from sptheory.experiments import prior as X

    obj = X.ttf_problem(0)
    W = np.random.default_rng(2).standard_normal((3, obj.D))
    dense = np.asarray(obj.grad(W))
    assert np.allclose(dense, obj.full_grad(W), rtol=1e-12, atol=1e-14)
    h = 1e-6  # f's gradient by central differences along one axis
    e = np.zeros(obj.D)
    e[5] = h
    fd = (obj.f(W + e) - obj.f(W - e)) / (2 * h)
    assert np.allclose(fd, obj.full_grad(W)[:, 5], rtol=1e-6)
    for c in (0.0, 0.1, 0.3):
        dev = X.ttf_device(c)
        assert float(dev.G(c * X.TTF["tau"])) == pytest.approx(0.0, abs=1e-12)  # SP at c tau
        assert float(dev.G(0.0)) == pytest.approx(-c)
    with pytest.raises(ValueError, match="c_lin"):
        X.ttf_device(1.0)
    with pytest.raises(ValueError, match="X must be"):
        X.RankOneRegression(np.zeros(5), np.zeros(5))


def test_script_smoothing():
    from verification.claims import prior_tt_fails as M

    s = M.smooth(np.array([1.0, 0.0, 0.0]))
    assert s.tolist() == pytest.approx([1.0, 0.9, 0.81])


@pytest.mark.slow
def test_tt_fails_quick_runs():
    from verification.claims import prior_tt_fails as M

    res = M.run(True, 1, size=dict(R=2, steps=60))
    assert M.PART == "prior theory" and len(res) == 3
    assert res[0].erratum and "swapped" in res[0].erratum["corrected"]
    assert all(r.verdict in ("holds", "violated", "inconclusive") for r in res)
