"""The aihwkit-compatible options of the library (issue 18): BL management and d-first clipping of the
pulse trains, additive cycle-to-cycle noise, an ADC on the transfer read.  Each defaults to the earlier
behaviour; these tests check what each option does, against aihwkit 1.1.0's formulas (docstrings)."""

import math

import numpy as np
import pytest
from scipy import stats

from sptheory import algorithms, devices, pulses
from sptheory.algorithms.base import check_c2c
from sptheory.algorithms.tiki_taka import check_read_adc, read

DW = 0.01
FLAT = devices.SoftBounds(tau_max=1e5, tau_min=1e5, dw_min=DW)  # every pulse moves by dw_min (1e-7 relative)


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


def test_trains_options_default_off_and_repr():
    t = pulses.Trains(5)
    assert (t.bl_management, t.clip_d_first) == (False, False)
    assert repr(t) == "Trains(bl=5, update_management=True)" and hash(t) == hash(pulses.Trains(5))
    m = pulses.Trains(5, bl_management=True, clip_d_first=True)
    assert m != t and "bl_management=True" in repr(m)
    with pytest.raises(TypeError, match="bl_management"):
        pulses.Trains(5, bl_management=1)
    with pytest.raises(ValueError, match="clip_d_first"):
        pulses.Trains(5, update_management=False, clip_d_first=True)


def test_train_lengths_formula():
    """BL = min(ceil(lr max|x| max|d| / dw), bl), 0 for an all-zero factor (aihwkit performUpdateManagement)."""
    x = np.array([[0.5, -2.0], [0.0, 0.0], [3.0, 1.0]])
    d = np.array([[0.08], [1.0], [10.0]])
    lr = np.array([[0.05], [0.05], [0.05]])
    got = pulses.train_lengths(x, d, lr, 0.01, 5)
    # k = 0.05 * 2 * 0.08 / 0.01 = 0.8 -> 1; zero x -> 0; 0.05 * 3 * 10 / 0.01 = 150 -> capped at 5
    np.testing.assert_array_equal(got, [[1], [0], [5]])


def test_bl_management_is_unbiased_and_short():
    """With BL management each sample fires at most BL = ceil(k) pulses per cell (here k = 1.6: at most 2,
    not bl = 5), and the mean signed count stays |dW| / dw per cell.  z-test per cell, Bonferroni over the
    cells at a family-wise false-failure probability 1e-3."""
    N = 6000
    x = np.array([0.8, -0.4, 0.2])
    d = np.array([0.5, -1.0])
    scale = 0.02  # k = 0.02 * 0.8 * 1.0 / 0.01 = 1.6
    dW = pulses.RankOneUpdate([(np.tile(x, (N, 1, 1)), np.tile(d, (N, 1, 1)))], scale=scale)
    res = pulses.apply_trains(FLAT, np.zeros(dW.shape), dW, gen(1), bl=5, bl_management=True)
    n = np.round(np.asarray(res.w) / DW)
    assert np.abs(n).max() <= 2
    want = (scale * np.outer(d, x) / DW).reshape(-1)
    mean, se = n.mean(axis=0), n.std(axis=0, ddof=1) / math.sqrt(N)
    z = stats.norm.ppf(1 - 1e-3 / (2 * want.size))
    assert np.all(np.abs(mean - want) <= z * se)
    # the fixed-BL default fires up to 5 pulses on the same request
    fixed = pulses.apply_trains(FLAT, np.zeros(dW.shape), dW, gen(1), bl=5)
    assert np.abs(np.round(np.asarray(fixed.w) / DW)).max() > 2


def test_clip_d_first_keeps_x_unclipped():
    """When the largest cell asks for more than one pulse per slot (k m_x m_d > 1), aihwkit's update management
    keeps p_x = |x| / max|x| and lets only d's probabilities saturate."""
    x = np.array([[0.5, 2.0]])
    d = np.array([[1.0, 0.25]])
    k = np.array([[1.5]])  # k m_x m_d = 3 > 1
    px, pd = pulses._train_probabilities(x, d, k, True, clip_d_first=True)
    np.testing.assert_allclose(px, [[0.25, 1.0]])
    np.testing.assert_allclose(pd, [[3.0, 0.75]])  # the first clips to 1 when the trains are drawn
    px0, pd0 = pulses._train_probabilities(x, d, k, True)
    np.testing.assert_allclose(px0 * pd0[:, :1], px * pd[:, :1])  # same product before clipping
    # below one pulse per slot nothing changes
    small = np.array([[0.1]])
    for a, b in zip(pulses._train_probabilities(x, d, small, True, clip_d_first=True),
                    pulses._train_probabilities(x, d, small, True)):
        np.testing.assert_array_equal(a, b)


def test_additive_c2c_keeps_its_size_near_the_bound():
    """aihwkit's mult_noise=False: a pulse at w = 0.9 tau_max moves by dw (q(w) + s a_up xi): standard deviation
    s a_up dw, where the multiplicative form gives s q(w) dw = s a_up dw / 10.  20000 cells: the sample standard
    deviation is within 5 % of the target (relative error of the estimate 0.5 %, a 10-sigma margin)."""
    dev = devices.SoftBounds(a_up=1.2, a_dn=0.8, dw_min=1e-3)
    w = np.full(20000, 0.9)
    s = 0.3
    add = pulses.apply_counts(dev, w, np.ones(20000, dtype=np.int64), gen(2), c2c=pulses.AdditiveC2C(s))
    mul = pulses.apply_counts(dev, w, np.ones(20000, dtype=np.int64), gen(2), c2c=s)
    q = 1.2 * (1 - 0.9)
    for res, sd_want in ((add, s * 1.2 * 1e-3), (mul, s * q * 1e-3)):
        step = np.asarray(res.w) - 0.9
        assert step.mean() == pytest.approx(q * 1e-3, abs=5 * sd_want / math.sqrt(20000))
        assert step.std() == pytest.approx(sd_want, rel=0.05)
    down = pulses.apply_counts(dev, w, -np.ones(20000, dtype=np.int64), gen(3), c2c=pulses.AdditiveC2C(s))
    assert (np.asarray(down.w) - 0.9).std() == pytest.approx(s * 0.8 * 1e-3, rel=0.05)


def test_additive_c2c_survives_the_checks_and_is_refused_by_the_model():
    a = pulses.AdditiveC2C(0.2)
    assert isinstance(check_c2c(a), pulses.AdditiveC2C)
    fast, slow = check_c2c((a, 0.3))
    assert isinstance(fast, pulses.AdditiveC2C) and not isinstance(slow, pulses.AdditiveC2C)
    assert isinstance(pulses._check_c2c(a), pulses.AdditiveC2C)
    dev = devices.SoftBounds(dw_min=1e-3)
    with pytest.raises(ValueError, match="additive"):
        pulses.apply_model(dev, np.zeros(3), np.ones(3) * 1e-3, gen(0), c2c=a)
    pulses.apply_model(dev, np.zeros(3), np.ones(3) * 1e-3, gen(0), c2c=pulses.AdditiveC2C(0.0))  # 0 is no noise


def test_read_adc():
    A = np.array([[0.0, 0.03, -0.5, 20.0]])
    cells = np.arange(4)
    v = read(A, cells, None, 0.0, None, (24 / 510, 12.0))
    step = 24 / 510
    np.testing.assert_allclose(v, [[0.0, step, np.rint(-0.5 / step) * step, 12.0]])
    np.testing.assert_array_equal(read(A, cells, None, 0.0, None), A)
    assert check_read_adc(None) is None and check_read_adc([0.1, 2]) == (0.1, 2.0)
    with pytest.raises(ValueError, match="read_adc"):
        check_read_adc((0.1, 0.0))
    with pytest.raises(TypeError, match="read_adc"):
        check_read_adc(0.1)
    dev = devices.SoftBounds(dw_min=0.01)
    assert algorithms.c_ttv2(dev, dev, 0.1, 0.1, read_adc=(step, 12)).read_adc == (step, 12.0)
    assert algorithms.agad(dev, dev, 0.1, 0.1).read_adc is None
    with pytest.raises(ValueError, match="read_adc"):
        algorithms.agad(dev, dev, 0.1, 0.1, read_adc=(-1.0, 1.0))


def test_fold_is_aihwkit_enforce_consistency():
    """fold=True: the first draw, swapped where w_min > w_max, then folded; equal to the default draws on
    every cell the default does not redraw."""
    kw = dict(sigma_d2d=0.7, sigma_pm=0.01, sigma_bounds=0.43, sigma_bounds_min=0.6)
    a = devices.soft_bounds_variation(5000, gen(4), 0.46, **kw)
    b = devices.soft_bounds_variation(5000, gen(4), 0.46, fold=True, **kw)
    xi = gen(4).standard_normal((4, 5000))
    w_max, w_min = 1 + 0.43 * xi[2], -(1 + 0.6 * xi[3])
    swap = w_min > w_max
    np.testing.assert_allclose(b.tau_max, np.abs(np.where(swap, w_min, w_max)))
    np.testing.assert_allclose(b.tau_min, np.abs(np.where(swap, w_max, w_min)))
    kept = (w_max > 0) & (w_min < 0) & (np.exp(0.7 * xi[0]) - 0.01 * np.abs(xi[1]) > 0)
    np.testing.assert_array_equal(a.tau_min[kept], b.tau_min[kept])
    assert np.all(b.tau_min > 0) and np.all(b.tau_max > 0)
    nd = devices.network_devices("hfo2", ((3, 4),), 0, fold=True)
    assert nd.fast.tau_min.shape == (12,)


def test_additive_c2c_trains_are_the_numpy_law_with_or_without_the_kernels(monkeypatch):
    """The compiled train loop fires the multiplicative law only: with ``AdditiveC2C`` it must give the
    NumPy path's result bit for bit (its pulses go through ``pulses._fire``)."""
    from sptheory import _fused

    dev = devices.SoftBounds(a_up=1.2, a_dn=0.8, tau_max=1.0, tau_min=0.9, dw_min=0.05)
    x, d = np.linspace(-1, 1, 6)[None], np.linspace(-0.5, 0.7, 4)[None]
    dW = pulses.RankOneUpdate([(np.tile(x, (3, 1, 1)), np.tile(d, (3, 1, 1)))], scale=0.3)

    def run():
        return pulses.apply_trains(dev, np.zeros(dW.shape), dW, np.random.default_rng(5), bl=5,
                                   c2c=pulses.AdditiveC2C(0.3)).w

    fused = run()
    with monkeypatch.context() as m:
        m.setattr(_fused, "kernels", lambda: None)
        plain = run()
    np.testing.assert_array_equal(fused, plain)
