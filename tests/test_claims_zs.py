"""Tests of the zero-shifting bound claims (verification/claims/zs_*.py) and their experiment layer."""

import importlib
import json

import numpy as np
import pytest

from sptheory import calibration, devices, stats
from sptheory.experiments import zero_shift as C
from verification.claims import _zs_common
from verification.harness import RESULT_VERDICTS, ClaimResult, to_jsonable

MODULES = ["zs_avg", "zs_last", "zs_cyclic_avg", "zs_cyclic_last"]


def test_interval_contains_start_and_sp_and_stays_inside_bounds():
    dev = C.make_device("softbounds", 1e-2, np.random.Generator(np.random.PCG64(3)))
    sp = dev.symmetric_point()
    for margins in (C.stochastic_margin(dev), C.cyclic_margin(dev)):
        lo, hi = C.apriori_interval(dev, margins)
        assert np.all(lo <= np.minimum(C.W0, sp)) and np.all(hi >= np.maximum(C.W0, sp))
        assert np.all(lo > dev.lower) and np.all(hi < dev.upper)
        k = dev.constants(lo, hi)  # valid: q_min > 0 on the interval
        assert np.all(k.q_min > 0)


def test_margins_a_priori():
    dev = C.make_device("power", 1e-3)
    m_sp, m0 = C.stochastic_margin(dev)
    sd = np.sqrt(C.stationary_var(dev))
    np.testing.assert_allclose(m_sp, C.SIGMAS * sd + 5e-3)
    assert np.all(m0 <= m_sp) and np.all(m0 > 0)
    # W0 at the SP: no drift there, the W0 margin is the stationary one
    dev0 = devices.SoftBounds(a_up=1.0, a_dn=1.0, dw_min=1e-3)
    m_sp0, m00 = C.stochastic_margin(dev0)
    assert m00 == pytest.approx(m_sp0)


def test_select_interval_widens_only_where_iterates_leave():
    dev = C.make_device("power", 1e-3)
    margins = C.stochastic_margin(dev)
    lo, hi = C.apriori_interval(dev, margins)
    seen_min, seen_max = lo.copy(), hi.copy()
    seen_min[2] = lo[2] - 0.05
    seen_max[5] = hi[5] + 0.02
    lo2, hi2, outside = C.select_interval(dev, margins, seen_min, seen_max)
    assert outside.tolist() == [i in (2, 5) for i in range(C.MC_CELLS)]
    assert lo2[2] < seen_min[2] and hi2[5] > seen_max[5]
    np.testing.assert_array_equal(np.delete(lo2, 2), np.delete(lo, 2))
    np.testing.assert_array_equal(np.delete(hi2, 5), np.delete(hi, 5))


def test_constants_softbounds_closed_form():
    dev = devices.SoftBounds(a_up=1.3, a_dn=0.8, dw_min=1e-3, offset=0.3)
    k = C.theorem_constants(dev, (0.1, 0.1), C.W0, C.W0)
    assert k.mu_q == pytest.approx(0.8)
    assert k.L_q == pytest.approx((1.3 + 0.8) / 2)
    assert k.q_max == pytest.approx(max(dev.q_plus(k.w_lo), dev.q_minus(k.w_hi)))
    assert k.dist0 == pytest.approx((C.W0 - dev.symmetric_point()) ** 2)
    assert k.phi0 == pytest.approx(dev.phi(C.W0))


def test_segmented_simulation_matches_one_call_for_cyclic():
    dev = C.make_device("exponential", 1e-2)
    n = C.log_checkpoints(200, 8)
    raw = C.simulate_mc(dev, np.zeros((1, C.MC_CELLS)), 2 * n, None, "cyclic")
    ref = calibration.zero_shift(dev, np.zeros((1, C.MC_CELLS)), int(2 * n[-1]), None, schedule="cyclic",
                                 checkpoints=2 * n)
    np.testing.assert_allclose(raw["avg_g2"], ref.avg_g2, rtol=1e-12)
    np.testing.assert_allclose(raw["dist_sq"], ref.dist_sq, rtol=1e-12)
    # the visited range covers W0 and every recorded iterate
    assert np.all(raw["w_min"] <= raw["w"].min(axis=(0, 1))) and np.all(raw["w_max"] >= 0.0)
    with pytest.raises(ValueError, match="even"):
        C.simulate_mc(dev, np.zeros((1, C.MC_CELLS)), [3], None, "cyclic")


def test_log_checkpoints():
    n = C.log_checkpoints(1000, 16)
    assert n[0] == 1 and n[-1] == 1000 and np.all(np.diff(n) > 0)


@pytest.mark.slow
@pytest.mark.parametrize("name", MODULES)
def test_claim_module_quick(name, tmp_path):
    mod = importlib.import_module(f"verification.claims.{name}")
    results = mod.run(quick=True, rng_seed=0, executor=None)
    assert isinstance(results, list) and len(results) == len(C.FAMILIES)
    for r in results:
        assert isinstance(r, ClaimResult)
        assert r.id.startswith(mod.ID + "/")
        assert r.verdict in RESULT_VERDICTS and r.verdict != "crashed"
        assert r.ratio is not None and np.isfinite(r.ratio)
        assert r.judgement is not None and r.prediction is mod.PREDICTION
        assert r.hypotheses and all(isinstance(h, stats.Hypothesis) for h in r.hypotheses)
        json.dumps(to_jsonable(r.data), allow_nan=False)
        path = tmp_path / f"{r.id.replace('/', '_')}.png"
        mod.plot(r, path)
        assert path.exists() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_exact_floor_matches_long_runs():
    dev = C.make_device("softbounds", 1e-2, np.random.Generator(np.random.PCG64(5)))
    fl = C.exact_floor(dev, "stochastic", "dist_sq")
    # first-order stationary variance dw F^2 / (2 G'), exact up to O(dw)
    np.testing.assert_allclose(fl, C.stationary_var(dev), rtol=0.05)
    np.testing.assert_allclose(C.exact_floor(dev, "stochastic", "avg_g2"), dev.slope**2 * fl, rtol=1e-12)
    # cyclic: the 2-cycle reached by a long deterministic run
    n = 2 * 20000
    r = calibration.zero_shift(dev, np.zeros(C.SB_CELLS), n + 2, None, schedule="cyclic", checkpoints=[n, n + 1])
    np.testing.assert_allclose(C.exact_floor(dev, "cyclic", "dist_sq"), r.dist_sq[0], rtol=1e-6)
    np.testing.assert_allclose(C.exact_floor(dev, "cyclic", "avg_g2"), dev.slope**2 * r.dist_sq[:2].mean(0),
                               rtol=1e-6)


@pytest.mark.parametrize("name", MODULES)
def test_claim_modules_declare_predictions(name):
    mod = importlib.import_module(f"verification.claims.{name}")
    assert isinstance(mod.PREDICTION, stats.Prediction) and mod.PREDICTION.kind == "upper"


def test_constants_interval_one_rule():
    dev = devices.SoftBounds(a_up=1.0, a_dn=1.0, dw_min=1e-3)  # bounds [-1, 1], range 2
    lo, hi, clipped = C.constants_interval(dev, np.array([-0.99, -0.5]), np.array([0.2, 0.95]))
    np.testing.assert_allclose(lo, [-0.9, -0.5])
    np.testing.assert_allclose(hi, [0.2, 0.9])
    assert clipped.tolist() == [True, True]
    with pytest.raises(ValueError, match="lo must not exceed hi"):
        C.constants_interval(dev, 0.3, 0.2)
    with pytest.raises(ValueError, match="edge"):
        C.constants_interval(dev, 0.0, 0.1, edge=0.6)


def test_hypotheses_flag_a_visit_outside_the_interval():
    dev = C.make_device("power", 1e-2)
    k = C.theorem_constants(dev, C.stochastic_margin(dev), C.W0, C.W0)
    curve = C.ZSCurve(1e-2, np.array([1]), *(np.zeros((1, C.MC_CELLS)),) * 4, np.zeros(C.MC_CELLS),
                      np.zeros(C.MC_CELLS), k.seen_min, k.seen_max, "mc", 10)
    rows = _zs_common.hypotheses([k], [curve], monotone=True)
    assert all(h.met for h in rows)
    k.seen_max = k.w_hi + 0.01  # a visit beyond the interval where the constants were taken
    rows = {h.name: h for h in _zs_common.hypotheses([k], [curve], monotone=True)}
    assert not rows["visited range inside [w_lo, w_hi]"].met


def test_mean_law_rejects_non_affine_device():
    with pytest.raises(TypeError, match="SoftBounds"):
        C.MeanLaw(devices.Power(gamma=2.0, dw_min=1e-3), 0.0, "stochastic")
    with pytest.raises(ValueError, match="schedule"):
        C.MeanLaw(devices.SoftBounds(a_up=1.2, a_dn=0.8, dw_min=1e-3), 0.0, "random")
