"""Zero-shifting: fast path vs general loop, exact moments vs Monte Carlo, bad input."""

import numpy as np
import pytest

from sptheory import calibration, devices


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


def sb(n=16, seed=0, dw=1e-2, offset=0.2):
    return devices.soft_bounds_variation((n,), gen(seed), dw, sigma_d2d=0.3, sigma_pm=0.2, sigma_bounds=0.1, offset=offset)


def as_custom(dev):
    return devices.Custom(
        lambda x: dev.a_up * (1 - x / dev.tau_max), lambda x: dev.a_dn * (1 + x / dev.tau_min),
        -dev.tau_min, dev.tau_max, dev.dw_min, offset=dev.offset,
    )


@pytest.mark.parametrize("schedule", calibration.SCHEDULES)
def test_fast_affine_path_equals_general_loop(schedule):
    dev = sb()
    w0 = np.zeros((3, 16))
    a = calibration.zero_shift(dev, w0, 257, 11, schedule=schedule, checkpoints=[1, 64, 200])
    b = calibration.zero_shift(as_custom(dev), w0, 257, 11, schedule=schedule, checkpoints=[1, 64, 200])
    np.testing.assert_allclose(a.w, b.w, atol=1e-13)
    np.testing.assert_allclose(a.avg_g2, b.avg_g2, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(a.dist_sq, b.dist_sq, atol=1e-13)
    np.testing.assert_array_equal(a.checkpoints, [1, 64, 200, 257])
    assert a.pulses.shape == (3, 16) and np.all(a.pulses == 257)
    assert a.seed == 11


def test_cyclic_alternates_up_first():
    dev = devices.SoftBounds(a_up=1.2, a_dn=0.9, dw_min=0.1)
    r = calibration.zero_shift(dev, np.array([0.0]), 2, 0, schedule="cyclic", checkpoints=[1])
    w1 = 0.1 * dev.q_plus(0.0)
    assert r.mean[0] == pytest.approx(w1)
    assert r.w[0] == pytest.approx(w1 - 0.1 * dev.q_minus(w1))


def test_recorded_quantities_definition():
    dev = devices.Power(gamma=2.0, a_up=1.2, dw_min=1e-2)
    r = calibration.zero_shift(dev, np.zeros((2, 1)), 2, 3, schedule="cyclic", checkpoints=[1])
    sp = dev.symmetric_point()
    w1 = 1e-2 * dev.q_plus(0.0)
    w2 = w1 - 1e-2 * dev.q_minus(w1)
    np.testing.assert_allclose(r.dist_sq[:, :, 0], [[(w1 - sp) ** 2] * 2, [(w2 - sp) ** 2] * 2])
    np.testing.assert_allclose(r.avg_g2[0], dev.G(0.0) ** 2)
    np.testing.assert_allclose(r.avg_g2[1], 0.5 * (dev.G(0.0) ** 2 + dev.G(w1) ** 2))
    np.testing.assert_allclose(r.mean[:, 0], [w1, w2])
    np.testing.assert_allclose(r.std, 0.0)


@pytest.mark.parametrize("schedule", calibration.SCHEDULES)
@pytest.mark.parametrize("c2c", [0.0, 0.25])
def test_exact_moments_match_monte_carlo(schedule, c2c):
    """CLT check per cell and checkpoint; |z| < 5.5 over 4 x 8 x 4 = 128 comparisons:
    false-failure probability < 128 * 3.8e-8 = 5e-6 (normal tails; R = 20000)."""
    dev = sb(n=8, dw=2e-2)
    R = 20_000
    ck = [2, 7, 50, 151]
    mc = calibration.zero_shift(dev, np.zeros((R, 8)), 151, gen(4), schedule=schedule, checkpoints=ck, c2c=c2c)
    ex = calibration.zero_shift_moments(dev, 0.0, ck, schedule=schedule, c2c=c2c)
    for name in ("dist_sq", "avg_g2"):
        sample = getattr(mc, name)
        se = sample.std(axis=1) / np.sqrt(R)
        diff = sample.mean(axis=1) - getattr(ex, name)
        ok = se > 1e-12 * np.abs(getattr(ex, name)) + 1e-15  # else deterministic (cyclic, no noise)
        assert np.all(np.abs(diff[~ok]) < 1e-12)
        assert np.all(np.abs(diff[ok] / se[ok]) < 5.5), name
    # E[W_n]: the cell means across replicates
    w_mean = mc.mean  # across cells; compare the cell-average of the exact means
    se_w = mc.mean.std(axis=1) / np.sqrt(R)
    diff_w = w_mean.mean(axis=1) - ex.mean.mean(axis=1)
    assert np.all(np.abs(diff_w) < 5.5 * se_w + 1e-12)
    assert ex.mean.shape == (4, 8) and np.all(ex.var >= 0)


def test_exact_moments_cyclic_without_noise_is_the_trajectory():
    dev = sb(n=8, dw=1e-2)
    ck = [1, 10, 333, 1000]
    tr = calibration.zero_shift(dev, np.full(8, -0.3), 1000, 0, schedule="cyclic", checkpoints=ck)
    ex = calibration.zero_shift_moments(dev, -0.3, ck, schedule="cyclic")
    np.testing.assert_allclose(ex.mean.mean(axis=1), tr.mean, rtol=1e-9)
    np.testing.assert_allclose(ex.dist_sq, tr.dist_sq, rtol=1e-9, atol=1e-18)
    np.testing.assert_allclose(ex.avg_g2, tr.avg_g2, rtol=1e-9)
    np.testing.assert_allclose(ex.var, 0.0, atol=1e-15)


def test_exact_moments_large_n_stationary_values():
    """Stochastic ZS on an affine device: E[W_n] -> w_sp exactly (G affine), and the
    stationary second moment solves m2 = E(1-X)^2 m2 + E Y^2 for the mixed map."""
    dev = sb(n=4, dw=1e-3)
    ex = calibration.zero_shift_moments(dev, 0.0, [10**7], schedule="stochastic")
    np.testing.assert_allclose(ex.mean[0], dev.symmetric_point(), atol=1e-12)
    x_up, y_up, x_dn, y_dn = dev.pulse_steps()
    sp = dev.symmetric_point()
    yu, yd = y_up - x_up * sp, y_dn - x_dn * sp
    ea2 = 0.5 * ((1 - x_up) ** 2 + (1 - x_dn) ** 2)
    eab = 0.5 * ((1 - x_up) * yu + (1 - x_dn) * yd)
    eb2 = 0.5 * (yu**2 + yd**2)
    m2 = eb2 / (1 - ea2)  # E z = 0 at stationarity, so the cross term vanishes
    np.testing.assert_allclose(ex.dist_sq[0], m2, rtol=1e-8)
    assert np.all(np.isfinite(eab))


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        (dict(n_pulses=-1), ValueError, "n_pulses"),
        (dict(n_pulses=2.5), TypeError, "n_pulses"),
        (dict(schedule="random"), ValueError, "schedule"),
        (dict(checkpoints=[0]), ValueError, "checkpoints"),
        (dict(checkpoints=[20]), ValueError, "checkpoints"),
        (dict(c2c=-0.1), ValueError, "c2c"),
        (dict(w0=np.zeros(5)), ValueError, "w0"),
        (dict(w0=np.full(4, 2.0)), ValueError, "w0"),
    ],
)
def test_bad_input(kwargs, exc, match):
    args = dict(dev=sb(n=4), w0=np.zeros(4), n_pulses=10, rng=0)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        calibration.zero_shift(**args)


def test_moments_reject_non_affine_and_overshoot():
    with pytest.raises(TypeError, match="SoftBounds"):
        calibration.zero_shift_moments(devices.Power(dw_min=1e-3), 0.0, [10])
    with pytest.raises(ValueError, match="overshoot"):
        calibration.zero_shift_moments(devices.SoftBounds(a_up=3.0, dw_min=0.5), 0.0, [10])
