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
def test_affine_pulse_path_equals_general_loop(schedule):
    """method="pulse" on SoftBounds (affine stepper) vs a Custom copy (q evaluated, clipped): same signs."""
    dev = sb()
    w0 = np.zeros((3, 16))
    a = calibration.zero_shift(dev, w0, 257, 11, schedule=schedule, checkpoints=[1, 64, 200], method="pulse")
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


# ----- fast exact paths (stochastic grouped, cyclic closed form) ----------------

def _pulse_by_pulse_with_words(z0, coefs, ckpt, words, group, chunk):
    """Reference for _stochastic_grouped: the same bits, decoded sign by sign, one pulse map at a time."""
    a_up, b_up, a_dn, b_dn = coefs
    z = z0.copy()
    rec_z, rec_s = np.empty((len(ckpt), z.size)), np.empty((len(ckpt), z.size))
    words = iter(words)
    for lo in range(0, z.size, chunk):
        sl = slice(lo, min(lo + chunk, z.size))
        acc = np.zeros(sl.stop - lo)
        w, left, done = None, 0, 0
        for i, target in enumerate(ckpt):
            while done < target:
                j = min(group, target - done)
                if left < j:
                    w, left = next(words).copy(), 64
                for b in range(j):
                    up = ((w >> np.uint64(b)) & np.uint64(1)).astype(bool)
                    acc += z[sl] ** 2
                    z[sl] = np.where(up, a_up[sl] * z[sl] + b_up[sl], a_dn[sl] * z[sl] + b_dn[sl])
                w >>= np.uint64(j)
                left -= j
                done += j
            rec_z[i, sl], rec_s[i, sl] = z[sl], acc
    return rec_z, rec_s


@pytest.mark.parametrize("group, chunk", [(3, 5), (1, 64), (4, 7)])
def test_grouped_stochastic_equals_pulse_maps_for_the_same_signs(group, chunk):
    """Composed pattern tables, bit order, remainders at checkpoints and chunking: identical
    up to rounding (1e-13 absolute on z of order 0.3) to one map per pulse fed the same bits."""
    dev = sb(n=12, dw=3e-2)
    x_up, y_up, x_dn, y_dn = dev.pulse_steps()
    sp = dev.symmetric_point()
    coefs = (1 - x_up, y_up - x_up * sp, 1 - x_dn, y_dn - x_dn * sp)
    ckpt = np.array([1, 2, 5, 64, 65, 200])
    g = gen(5)
    drawn = []

    def draw(m):
        drawn.append(g.integers(0, 2**64 - 1, size=m, dtype=np.uint64, endpoint=True))
        return drawn[-1].copy()

    z0 = gen(6).uniform(-0.3, 0.3, 12)
    got_z, got_s = calibration._stochastic_grouped(z0.copy(), coefs, ckpt, draw, True, group=group, chunk=chunk)
    ref_z, ref_s = _pulse_by_pulse_with_words(z0, coefs, ckpt, drawn, group, chunk)
    np.testing.assert_allclose(got_z, ref_z, rtol=0, atol=1e-13)
    np.testing.assert_allclose(got_s, ref_s, rtol=1e-12, atol=1e-14)


def test_fast_stochastic_path_has_the_exact_first_two_moments():
    """method="auto" (grouped, packed bits) vs the exact moment recursion, per cell with
    device-to-device variation, checkpoints off the group boundaries, several chunks
    (R x 8 = 160000 cells).  E W_n, E (W_n - w_sp)^2 and E avg G^2: at most 6 x 8 x 3 = 144
    CLT z-scores, |z| < 5.5 each; false-failure probability < 144 * 3.8e-8 = 5.5e-6.
    avg G^2 at n = 1 is G(W_0)^2, not random: compared to rounding instead."""
    dev = sb(n=8, dw=2e-2)
    R = 20_000
    ck = [1, 2, 4, 7, 50, 151]
    w0 = np.full((R, 8), -0.2)
    mc = calibration.zero_shift(dev, w0, 151, gen(21), schedule="stochastic", checkpoints=ck)
    ex = calibration.zero_shift_moments(dev, -0.2, ck, schedule="stochastic")
    np.testing.assert_allclose(mc.avg_g2[0], np.broadcast_to(ex.avg_g2[0], (R, 8)), rtol=1e-12)
    for name, sample, exact in (("dist_sq", mc.dist_sq, ex.dist_sq), ("avg_g2", mc.avg_g2[1:], ex.avg_g2[1:])):
        se = sample.std(axis=1, ddof=1) / np.sqrt(R)
        z = (sample.mean(axis=1) - exact) / se
        assert np.all(np.abs(z) < 5.5), (name, z)
    # E W_n per cell (the result keeps W only at N): one run per checkpoint, own seed
    for n in ck:
        r = calibration.zero_shift(dev, w0, n, gen(100 + n), schedule="stochastic", track_g2=False)
        se = r.w.std(axis=0, ddof=1) / np.sqrt(R)
        z = (r.w.mean(axis=0) - ex.mean[ck.index(n)]) / se
        assert np.all(np.abs(z) < 5.5), (n, z)


@pytest.mark.parametrize("w0", [0.0, -0.4, 0.45])
def test_cyclic_closed_form_equals_pulse_by_pulse(w0):
    """method="auto" (closed form) vs method="pulse" (one affine map per pulse), per-cell
    parameters, odd and even checkpoints up to 4001.  Tolerances fixed before running:
    W and z = W - w_sp to 1e-13 absolute (W of order 0.5: 2000 pulses of rounding), avg G^2 to
    1e-10 relative."""
    dev = sb(n=16, dw=1e-2)
    ck = [1, 2, 3, 10, 333, 1000, 2999, 4001]
    kw = dict(schedule="cyclic", checkpoints=ck)
    fast = calibration.zero_shift(dev, np.full((2, 16), w0), 4001, 0, **kw)
    slow = calibration.zero_shift(dev, np.full((2, 16), w0), 4001, 0, method="pulse", **kw)
    np.testing.assert_allclose(fast.w, slow.w, rtol=0, atol=1e-13)
    np.testing.assert_allclose(np.sqrt(fast.dist_sq), np.sqrt(slow.dist_sq), rtol=0, atol=1e-13)
    np.testing.assert_allclose(fast.avg_g2, slow.avg_g2, rtol=1e-10)
    np.testing.assert_allclose(fast.mean, slow.mean, rtol=0, atol=1e-13)
    np.testing.assert_array_equal(fast.checkpoints, slow.checkpoints)


def test_cyclic_any_budget():
    """N = 1e9 and 1e12 pulses on 4 cells (would loop for hours pulse by pulse): W_N is the
    pair map's fixed point (up-first, N even), independently from q_plus/q_minus; checkpoints
    at 1e3 agree with the pulse path; avg G^2 tends to the mean of G^2 over the 2-cycle."""
    dev = sb(n=4, dw=1e-3)
    sp = dev.symmetric_point()
    ck = [1000, 10**9]
    r = calibration.zero_shift(dev, np.zeros(4), 10**12, 0, schedule="cyclic", checkpoints=ck)
    dw = dev.dw_min
    # fixed point w* of w -> D(U(w)), D/U from q_minus/q_plus (affine: two evaluations give the map)
    h = 0.1  # inside every cell's bounds
    up_a, up_b = 1 + dw * (dev.q_plus(h) - dev.q_plus(0.0)) / h, dw * dev.q_plus(0.0)
    dn_a, dn_b = 1 - dw * (dev.q_minus(h) - dev.q_minus(0.0)) / h, -dw * dev.q_minus(0.0)
    w_star = (dn_a * up_b + dn_b) / (1 - dn_a * up_a)
    np.testing.assert_allclose(r.w, w_star, rtol=1e-9)
    np.testing.assert_allclose(r.dist_sq[1], (w_star - sp) ** 2, rtol=1e-8)
    w_up = up_a * w_star + up_b
    limit = 0.5 * (dev.G(w_star) ** 2 + dev.G(w_up) ** 2)
    # the transient adds about slope^2 z_0^2 / (N (x_up + x_dn)) ~ 3e-11 to a limit of order dw^2 ~ 4e-7
    np.testing.assert_allclose(r.avg_g2[-1], limit, rtol=1e-3)
    ex = calibration.zero_shift_moments(dev, 0.0, ck + [10**12], schedule="cyclic")  # moment recursion, own code
    np.testing.assert_allclose(r.avg_g2, ex.avg_g2, rtol=1e-8)
    slow = calibration.zero_shift(dev, np.zeros(4), 1000, 0, schedule="cyclic", method="pulse")
    np.testing.assert_allclose(r.dist_sq[0], slow.dist_sq[0], rtol=1e-10)
    np.testing.assert_array_equal(r.checkpoints, [1000, 10**9, 10**12])


def test_method_and_zero_pulses():
    dev = sb(n=4)
    with pytest.raises(ValueError, match="method"):
        calibration.zero_shift(dev, np.zeros(4), 10, 0, method="fast")
    for schedule in calibration.SCHEDULES:
        r = calibration.zero_shift(dev, np.full(4, 0.1), 0, 0, schedule=schedule)
        np.testing.assert_allclose(r.w, 0.1, rtol=0, atol=1e-15)
        assert r.checkpoints.size == 0 and r.avg_g2.shape == (0, 4)
