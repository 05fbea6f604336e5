"""Rank-1 stochastic pulse trains, the factored gradient object, write noise and the network devices."""

import numpy as np
import pytest
from scipy import stats

from sptheory import algorithms, devices, pulses


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


# A device whose every pulse moves the weight by +-dw_min up to 1e-7 relative (bounds at +-1e5): the
# increment divided by dw_min is the signed pulse count.
DW = 0.01
FLAT = devices.SoftBounds(tau_max=1e5, tau_min=1e5, dw_min=DW)


def factors(N, B=3, n_in=4, n_out=3, seed=0, big=1.0):
    """The same two-block factors repeated N times (replicate axis = independent repetitions)."""
    g = gen(seed)
    x1, d1 = g.standard_normal((1, B, n_in)), big * g.standard_normal((1, B, n_out))
    x2, d2 = g.standard_normal((1, B, n_out + 1)), g.standard_normal((1, B, 2))
    rep = lambda a: np.repeat(a, N, axis=0)  # noqa: E731
    return pulses.RankOneUpdate([(rep(x1), rep(d1)), (rep(x2), rep(d2))], scale=1.0 / B)


def signed_counts(dW, bl, seed, update_management=True):
    res = pulses.apply_trains(FLAT, np.zeros(dW.shape), dW, gen(seed), bl=bl, update_management=update_management)
    n = np.asarray(res.w) / DW
    np.testing.assert_allclose(n, np.round(n), atol=1e-3)  # each pulse moved the cell by dw_min (1e-7 relative)
    return np.round(n), res.n_pulses


def z_bonferroni(cells, family=1e-3):
    """Two-sided z threshold for a family-wise false-failure probability ``family`` over ``cells`` cells."""
    return stats.norm.ppf(1 - family / (2 * cells))


@pytest.mark.parametrize("um", [True, False])
def test_train_mean_is_the_outer_product_and_variance_matches(um):
    """Per cell, mean count = requested/dw_min and variance = sum_b bl p (1 - p) (train_count_moments).

    N = 20000 repetitions; the sample mean's z-score (and the z-score of the mean squared deviation,
    studentised with its sample spread) are compared with a Bonferroni threshold over the cells:
    family-wise false-failure probability 1e-3 for each of the two checks.
    """
    N, bl = 20000, 31
    lr = 0.6 * DW * bl / 3.0  # largest |x d| / B of these factors keeps every probability below 1
    dW = lr * factors(N)
    mean, var = pulses.train_count_moments(dW, DW, bl, update_management=um)
    px_ok = np.abs(mean[0]) <= bl
    assert np.all(px_ok)
    # the formula's mean is the requested increment exactly where nothing clips
    np.testing.assert_allclose(mean * DW, np.asarray(dW), rtol=1e-12, atol=1e-15)
    n, fired = signed_counts(dW, bl, seed=1, update_management=um)
    D = dW.shape[1]
    z = (n.mean(0) - mean[0]) / np.sqrt(var[0] / N)
    assert np.all(np.abs(z) < z_bonferroni(D)), np.abs(z).max()
    dev2 = (n - mean[0]) ** 2
    z2 = (dev2.mean(0) - var[0]) / (dev2.std(0, ddof=1) / np.sqrt(N))
    assert np.all(np.abs(z2) < z_bonferroni(D)), np.abs(z2).max()
    assert np.all(fired >= np.abs(np.round(n)))


def test_train_mean_is_clipped_at_bl():
    """Requests beyond bl pulses per sample: the mean follows the clipped formula, below the request."""
    N, bl = 20000, 5
    dW = 3.0 * factors(N, big=3.0)
    mean, var = pulses.train_count_moments(dW, DW, bl)
    requested = np.abs(np.asarray(dW)[0]) / DW
    assert np.any(requested > dW.batch * bl)  # some cells ask for more than the trains can give
    assert np.all(np.abs(mean[0]) <= dW.batch * bl) and np.all(np.abs(mean[0]) <= requested + 1e-9)
    n, _ = signed_counts(dW, bl, seed=2)
    assert np.all(np.abs(n) <= dW.batch * bl + 1e-6)
    ok = var[0] > 0
    z = (n.mean(0)[ok] - mean[0][ok]) / np.sqrt(var[0][ok] / N)
    assert np.all(np.abs(z) < z_bonferroni(ok.sum())), np.abs(z).max()  # family-wise 1e-3
    np.testing.assert_allclose(n.mean(0)[~ok], mean[0][~ok], atol=1e-6)  # p = 1: deterministic bl per sample


def test_dense_request_in_trains_mode_is_binomial_per_cell():
    """Plain-array increments: n ~ Binomial(bl, |dW|/(dw_min bl)) per cell (one-hot column trains)."""
    N, bl = 40000, 8
    dW = DW * np.array([[-3.0, 0.5, 7.9, 0.0, 12.0]])  # last one clips at bl
    res = pulses.apply_trains(FLAT, np.zeros((N, 5)), np.repeat(dW, N, 0), gen(3), bl=bl)
    n = np.round(np.asarray(res.w) / DW)
    p = np.minimum(np.abs(dW[0]) / (DW * bl), 1.0)
    mean, var = np.sign(dW[0]) * bl * p, bl * p * (1 - p)
    live = var > 0
    z = (n.mean(0)[live] - mean[live]) / np.sqrt(var[live] / N)
    assert np.all(np.abs(z) < z_bonferroni(5))  # family-wise 1e-3
    np.testing.assert_allclose(n.mean(0)[~live], mean[~live], atol=1e-6)


def test_rank_one_update_algebra():
    dW = factors(2, seed=5)
    dense = np.asarray(dW)
    R, D = dW.shape
    assert isinstance(-0.5 * dW, pulses.RankOneUpdate)
    c = np.array([[1.0], [-1.0]])
    assert isinstance(c * dW, pulses.RankOneUpdate)
    np.testing.assert_allclose(np.asarray(-0.5 * c * dW), -0.5 * c * dense, rtol=1e-14)
    flips = np.where(gen(6).random((R, D)) < 0.5, -1.0, 1.0)  # per-cell chopper signs
    out = dW * flips
    assert isinstance(out, pulses.RankOneUpdate)
    np.testing.assert_allclose(np.asarray(out), dense * flips, rtol=1e-14)
    col = np.concatenate([np.tile(np.arange(1.0, 5.0), 3), np.tile(np.arange(4.0), 2)])  # per-column factors
    out = dW * col
    assert isinstance(out, pulses.RankOneUpdate) and out.sign is None
    np.testing.assert_allclose(np.asarray(out), dense * col, rtol=1e-14)
    rnd = gen(7).random(D)  # not column-structured: falls back to a plain array
    assert isinstance(dW * rnd, np.ndarray)
    np.testing.assert_allclose(dW * rnd, dense * rnd)
    np.testing.assert_allclose(np.ones((R, D)) - dW, 1 - dense)
    np.testing.assert_allclose(np.abs(dW), np.abs(dense))
    with pytest.raises(ValueError):
        np.asarray(dW).__setitem__((0, 0), 1.0)  # the cached dense value is read-only


def test_trains_with_sign_flips_follow_the_signs():
    N, bl = 20000, 31
    dW = 0.5 * factors(N, seed=8)
    flips = np.where(gen(9).random(dW.shape[1]) < 0.5, -1.0, 1.0)
    m0, v0 = pulses.train_count_moments(dW, DW, bl)
    m1, v1 = pulses.train_count_moments(dW * flips, DW, bl)
    np.testing.assert_allclose(m1, m0 * flips)
    np.testing.assert_allclose(v1, v0)
    n, _ = signed_counts(dW * flips, bl, seed=10)
    z = (n.mean(0) - m1[0]) / np.sqrt(v1[0] / N)
    assert np.all(np.abs(z) < z_bonferroni(dW.shape[1]))  # family-wise 1e-3


@pytest.mark.parametrize("bl", [2.5, 0, -3, True, "5"])
def test_bad_burst_length(bl):
    with pytest.raises((TypeError, ValueError), match="bl"):
        pulses.Trains(bl=bl)
    with pytest.raises((TypeError, ValueError), match="bl"):
        pulses.apply_trains(FLAT, np.zeros((1, 3)), np.zeros((1, 3)), gen(0), bl=bl)


def test_bad_factors_and_modes():
    with pytest.raises(ValueError, match="factors\\[0\\]"):
        pulses.RankOneUpdate([(np.zeros((2, 3)), np.zeros((2, 3, 1)))])
    with pytest.raises(ValueError, match="scale"):
        pulses.RankOneUpdate([(np.zeros((2, 3, 4)), np.zeros((2, 3, 1)))], scale=np.ones(3))
    with pytest.raises(ValueError, match="sign"):
        pulses.RankOneUpdate([(np.zeros((2, 3, 4)), np.zeros((2, 3, 1)))], sign=2 * np.ones(4))
    with pytest.raises(ValueError, match="pulse_mode"):
        algorithms.AnalogSGD(FLAT, 0.1, pulse_mode="train")
    with pytest.raises(ValueError, match="c2c"):
        pulses.apply_trains(FLAT, np.zeros((1, 3)), np.zeros((1, 3)), gen(0), c2c=-0.1)
    per_cell = devices.SoftBounds(dw_min=np.array([0.01, 0.02, 0.01, 0.01]))
    with pytest.raises(ValueError, match="dw_min"):
        pulses.apply_trains(per_cell, np.zeros((2, 4)), pulses.RankOneUpdate([(np.ones((2, 1, 2)), np.ones((2, 1, 2)))]),
                            gen(0))
    with pytest.raises(TypeError, match="integer"):
        pulses.apply_counts(FLAT, np.zeros(3), np.array([1.0, 2.0, 0.0]))


# ----- write noise ---------------------------------------------------------------------------

def test_write_noise_hidden_weight_and_redraw():
    base = devices.SoftBounds(dw_min=0.1, a_up=1.2, a_dn=0.8)
    noisy = devices.with_write_noise(base, 0.5)
    assert base.write_noise == 0.0 and noisy.write_noise == 0.5
    w0 = np.zeros((4, 5000))
    dW = np.where(np.arange(5000) < 2500, 0.25, 0.0)  # the second half is not pulsed
    clean = pulses.apply_exact(base, w0, dW, gen(1))
    res = pulses.apply_exact(noisy, w0, dW, gen(1))
    assert isinstance(res.w, pulses.ReadOut)
    np.testing.assert_array_equal(res.w.hidden, clean.w)  # pulses move the hidden weight as without noise
    e = np.asarray(res.w) - res.w.hidden
    pulsed = clean.n_pulses > 0
    assert np.all(e[~pulsed] == 0)
    # sample std of ~8000 N(0, 0.05^2) draws: relative standard error 1/sqrt(2 * 8000) = 0.8 %; 5 sigma margin
    assert abs(e[pulsed].std() / 0.05 - 1) < 5 / np.sqrt(2 * pulsed.sum())
    again = pulses.apply_model(noisy, res.w, np.zeros_like(dW), gen(2))  # zero request: nothing pulsed
    np.testing.assert_array_equal(np.asarray(again.w), np.asarray(res.w))
    np.testing.assert_array_equal(again.w.hidden, res.w.hidden)
    assert type(res.w + 1.0) is np.ndarray and type(res.w.copy()) is pulses.ReadOut  # derived arrays are plain
    assert res.w.copy().hidden is None
    with pytest.raises(ValueError, match="write_noise"):
        devices.with_write_noise(base, -0.1)


def test_algorithms_read_the_perturbed_weights():
    dev = devices.with_write_noise(devices.SoftBounds(dw_min=0.1), 0.6)
    seen = []

    class Spy:
        D, f_star, W_star = 6, 0.0, None

        def grad(self, W, rng):
            seen.append(np.array(W))
            return np.full(np.shape(W), -1.0)

        def f(self, W):
            return np.zeros(np.shape(W)[:-1])

    algo = algorithms.AnalogSGD(dev, 0.5, pulse_mode="exact")
    state = algo.init(np.zeros(6), replicates=3)
    state = algo.step(state, Spy(), gen(0))
    state = algo.step(state, Spy(), gen(1))
    assert isinstance(state.W, pulses.ReadOut)
    np.testing.assert_array_equal(seen[1], np.asarray(algo.forward_weights(state)) * 0 + seen[1])
    assert not np.allclose(seen[1], 0.0)
    # the forward weights of the second step are the read-out of the first, not the hidden weights
    first = algo.step(algo.init(np.zeros(6), replicates=3), Spy(), gen(0))
    np.testing.assert_array_equal(seen[1], np.asarray(first.W))
    assert not np.array_equal(seen[1], first.W.hidden)


def test_network_devices():
    shapes = ((32, 65), (10, 33))
    nd = devices.network_devices("hfo2", shapes, seed=3, ref_mean=0.3, ref_std=0.3)
    D = 32 * 65 + 10 * 33
    assert nd.fast.shape == nd.slow.shape == (D,) and nd.offsets.shape == (D,)
    assert nd.fast.write_noise == nd.slow.write_noise == devices.PRESETS["hfo2"].write_noise
    assert nd.c2c == (devices.PRESETS["hfo2"].c2c,) * 2 and nd.spec is nd.fast_spec is nd.slow_spec
    np.testing.assert_allclose(nd.fast.offset, nd.offsets)
    assert np.all(nd.slow.offset == 0.0)
    # offsets ~ N(0.3, 0.3^2) over D = 2410 cells: mean within 5 standard errors (false failure ~6e-7)
    assert abs(nd.offsets.mean() - 0.3) < 5 * 0.3 / np.sqrt(D)
    # the SP is the offset plus the device's own SP (from its small up/down variation)
    own = devices.network_devices("hfo2", shapes, seed=3).fast.symmetric_point()
    np.testing.assert_allclose(nd.fast.symmetric_point(), nd.offsets + own, atol=1e-12)
    again = devices.network_devices("hfo2", shapes, seed=3, ref_mean=0.3, ref_std=0.3)
    np.testing.assert_array_equal(again.fast.a_up, nd.fast.a_up)
    np.testing.assert_array_equal(again.slow.tau_min, nd.slow.tau_min)
    other = devices.network_devices("hfo2", shapes, seed=4)
    assert not np.array_equal(other.fast.a_up, nd.fast.a_up) and np.all(other.offsets == 0)
    assert devices.network_devices("hfo2", shapes, 0, write_noise=False).fast.write_noise == 0.0
    with pytest.raises(ValueError, match="ref_std"):
        devices.network_devices("hfo2", shapes, 0, ref_std=-0.1)
    with pytest.raises(ValueError, match="unknown preset"):
        devices.network_devices("hfo3", shapes, 0)
    with pytest.raises(ValueError, match="layer_shapes"):
        devices.network_devices("hfo2", ((0, 3),), 0)
