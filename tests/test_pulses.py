"""Pulse engine: closed form vs per-pulse loop, update model vs pulse-exact, bad input."""

import numpy as np
import pytest
from scipy import stats

from sptheory import devices, pulses


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


def sb(n=32, seed=0, dw=1e-2):
    return devices.soft_bounds_variation((n,), gen(seed), dw, sigma_d2d=0.3, sigma_pm=0.2, sigma_bounds=0.1, offset=0.1)


def as_custom(dev):
    """The same affine responses through the general (looping) code path."""
    return devices.Custom(
        lambda x: dev.a_up * (1 - x / dev.tau_max), lambda x: dev.a_dn * (1 + x / dev.tau_min),
        -dev.tau_min, dev.tau_max, dev.dw_min, offset=dev.offset,
    )


def test_table_device_reproduces_its_steps():
    nodes = np.array([-1.0, 0.0, 1.0])
    dev = devices.Custom.from_table(nodes, [2e-3, 1e-3, 0.0], [0.0, 1e-3, 2e-3], dw_min=1e-3)
    np.testing.assert_allclose(dev.q_plus(nodes) * dev.dw_min, [2e-3, 1e-3, 0.0])
    np.testing.assert_allclose(dev.q_minus([-0.5, 0.5]) * dev.dw_min, [0.5e-3, 1.5e-3])


def test_closed_form_run_equals_per_pulse_loop():
    dev = sb()
    w = np.linspace(-0.5, 0.5, 32)
    dW = np.linspace(-0.37, 0.41, 32)  # up to 40 pulses, both signs
    fast = pulses.apply_exact(dev, w, dW, gen(5))
    slow = pulses.apply_exact(as_custom(dev), w, dW, gen(5))
    np.testing.assert_array_equal(fast.n_pulses, slow.n_pulses)
    np.testing.assert_allclose(fast.w, slow.w, rtol=0, atol=1e-13)


def test_overshooting_pulse_clips_to_bound():
    dev = devices.SoftBounds(a_up=3.0, a_dn=3.0, dw_min=0.5)  # dw a / tau = 1.5 > 1
    res = pulses.apply_exact(dev, np.array([0.0, 0.0]), np.array([1.0, -1.0]), gen(0))
    np.testing.assert_allclose(res.w, [1.0, -1.0])
    loop = pulses.apply_exact(as_custom(dev), np.array([0.0, 0.0]), np.array([1.0, -1.0]), gen(0))
    np.testing.assert_allclose(loop.w, res.w)


def test_stochastic_rounding_mean_and_range():
    x = np.full(200_000, 2.3)
    n = pulses.stochastic_round(x, gen(1))
    assert set(np.unique(n)) == {2, 3}
    # mean 2.3, sd 0.458/sqrt(2e5)=1.0e-3; margin 6 sd: false failure ~2e-9
    assert abs(n.mean() - 2.3) < 6 * np.sqrt(0.3 * 0.7 / x.size)


@pytest.mark.parametrize("c2c", [0.0, 0.3])
def test_update_model_matches_pulse_exact_mean_and_variance(c2c):
    """Equivalence to first order: same variance, mean gap O(dW^2) (Assumption 3.4)."""
    dev = devices.SoftBounds(a_up=1.2, a_dn=0.8, dw_min=1e-3, offset=0.1)
    R = 100_000
    w = np.full(R, 0.2)
    for dW in (2.5e-3, -7.5e-3):
        ex = pulses.apply_exact(dev, w, dW, gen(2), c2c=c2c).w
        mo = pulses.apply_model(dev, w, dW, gen(3), c2c=c2c).w
        # curvature gap of the pulse train: for an affine run the exact mean is
        # bound + E[(1-x)^n](w - bound); its second-order term is <= n^2 x^2 |w - bound| / 2
        n_hi = np.ceil(abs(dW) / dev.dw_min)
        x = max(dev.pulse_steps()[0], dev.pulse_steps()[2])
        gap = 0.5 * (n_hi * x) ** 2 * 2.0
        se = np.sqrt(ex.var() / R + mo.var() / R)
        assert abs(ex.mean() - mo.mean()) < gap + 6 * se  # 6 sigma: false failure ~2e-9
        # variances: F-test style bound, ratio within 6 standard errors of log-variance
        ratio = ex.var() / mo.var()
        assert abs(np.log(ratio)) < 6 * np.sqrt(4.0 / R) + 0.05 * x * n_hi


def test_update_model_noiseless_is_the_analog_update_formula():
    dev = devices.Exponential(gamma=2.0, a_up=1.2, dw_min=1e-3)
    w = np.linspace(-0.5, 0.5, 11)
    dW = np.linspace(-0.01, 0.01, 11)
    res = pulses.apply_model(dev, w, dW, gen(0), noise=False)
    np.testing.assert_allclose(res.w, w + dW * dev.F(w) - np.abs(dW) * dev.G(w))
    np.testing.assert_allclose(res.n_pulses, np.abs(dW) / 1e-3)


def test_noise_variance_scaling():
    dev = devices.SoftBounds(dw_min=1e-3)
    small = pulses.model_noise_variance(dev, 0.0, 1e-5)  # x = 0.01 -> ~ |dW| dw q^2
    assert small == pytest.approx(1e-5 * 1e-3 * 0.99, rel=1e-9)
    assert pulses.model_noise_variance(dev, 0.0, 5e-3) == pytest.approx(0.0, abs=1e-30)
    assert pulses.model_noise_variance(dev, 0.0, 5e-3, c2c=0.1) == pytest.approx(1e-6 * 5 * 0.01)


def test_c2c_noise_statistics():
    """One pulse with c2c noise: step dw q (1 + s xi) -> mean dw q, sd s dw q."""
    dev = devices.SoftBounds(dw_min=1e-3)
    R = 200_000
    res = pulses.apply_exact(dev, np.zeros(R), 1e-3, gen(7), c2c=0.2)
    steps = res.w
    assert abs(steps.mean() - 1e-3) < 6 * 0.2e-3 / np.sqrt(R)  # false failure ~2e-9
    chi = (R - 1) * steps.var() / (0.2e-3) ** 2
    assert stats.chi2.sf(chi, R - 1) > 1e-9 and stats.chi2.cdf(chi, R - 1) > 1e-9


def test_bad_input():
    dev = sb(n=4)
    with pytest.raises(ValueError, match="broadcast"):
        pulses.apply_exact(dev, np.zeros(3), 0.1, gen(0))
    with pytest.raises(ValueError, match="c2c"):
        pulses.apply_exact(dev, np.zeros(4), 0.1, gen(0), c2c=-1)
    with pytest.raises(ValueError, match="dW"):
        pulses.apply_model(dev, np.zeros(4), np.nan, gen(0))
    with pytest.raises(TypeError, match="dev"):
        pulses.apply_exact("soft", np.zeros(4), 0.1, gen(0))


@pytest.mark.parametrize("affine", [True, False])
def test_update_model_draws_are_pinned_to_a_transcription(affine):
    """Same seed, same numbers: apply_model against a direct transcription of its documented
    recipe (eq. (2) plus b = sqrt(Var[b]) xi; xi from the generator's first ceil(m/2) raw words by
    Box-Muller, m = cells; then the write-noise redraw: the next m 32-bit integers j decide pulsed
    cells, j < n 2^32 - 2^31 with j read as signed, and one normal per pulsed cell in order).  Guards the fast paths
    (folded affine responses, fused noise) against drift."""
    from sptheory.pulses import ReadOut

    g = np.random.Generator(np.random.PCG64(3))
    D = 50
    base = devices.SoftBounds(a_up=np.exp(0.3 * g.standard_normal(D)), a_dn=np.exp(0.3 * g.standard_normal(D)),
                              tau_max=1.2, tau_min=0.8, dw_min=0.3, offset=0.2 * g.standard_normal(D))
    dev = base if affine else devices.Custom(q_plus=base.q_plus, q_minus=base.q_minus, lower=base.lower,
                                              upper=base.upper, dw_min=0.3)
    dev = devices.with_write_noise(dev, 0.5)
    hidden = np.clip(0.3 * g.standard_normal((4, D)), dev.lower, dev.upper)
    w = ReadOut(hidden + 0.01 * g.standard_normal((4, D)), hidden)
    dW = 0.4 * g.standard_normal((4, D))
    c2c = 0.2
    out = pulses.apply_model(dev, w, dW, np.random.Generator(np.random.PCG64(9)), c2c=c2c)

    r = np.random.Generator(np.random.PCG64(9))
    m = 4 * D
    words = r.bit_generator.random_raw(m).view(np.uint32)  # m/2 words for xi, m/2 for the pulse decisions
    k, j = words[:m // 2].astype(np.float64), words[m // 2:m].view(np.int32).astype(np.float64)
    # -2 ln((k + 1/2) / 2^32) in float64, then float32 for the root and the angle
    radius = np.sqrt((64 * np.log(2.0) - 2.0 * np.log(k + 0.5)).astype(np.float32))
    theta = j.astype(np.float32) * np.float32(2 * np.pi / 2.0**32)
    xi = np.concatenate([radius * np.cos(theta), radius * np.sin(theta)]).astype(np.float64).reshape(4, D)
    q = np.where(dW >= 0, dev.q_plus(hidden), dev.q_minus(hidden))
    n = np.abs(dW) / 0.3
    f = n - np.floor(n)
    new = np.clip(hidden + dW * q + 0.3 * q * np.sqrt(f * (1 - f) + n * c2c**2) * xi, dev.lower, dev.upper)
    e = np.asarray(w) - hidden
    pulsed = np.flatnonzero(words[m:2 * m].view(np.int32).reshape(4, D) < n * 2.0**32 - 2.0**31)
    e.ravel()[pulsed] = 0.5 * 0.3 * r.standard_normal(pulsed.size)
    # identity up to rounding (different association of the same products)
    np.testing.assert_allclose(out.w.hidden, new, rtol=0, atol=1e-14)
    np.testing.assert_allclose(np.asarray(out.w), new + e, rtol=0, atol=1e-14)
    np.testing.assert_allclose(out.n_pulses, n, rtol=1e-15)
