"""Device models: closed forms against root solves and quadrature, conventions, bad input."""

import numpy as np
import pytest

from sptheory import devices


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


def varied(seed=0, n=64, offset=0.1):
    return devices.soft_bounds_variation((n,), gen(seed), 1e-3, sigma_d2d=0.3, sigma_pm=0.2, sigma_bounds=0.1, offset=offset)


ALL_FAMILIES = [
    lambda: varied(),
    lambda: devices.Power(gamma=np.array([0.7, 1.0, 2.0, 3.0]), a_up=1.3, a_dn=0.8, tau_max=1.2, dw_min=1e-3, offset=0.05),
    lambda: devices.Power(gamma=2.0, gamma_dn=1.5, dw_min=1e-3),
    lambda: devices.Exponential(gamma=np.array([0.5, 2.0, 4.0]), a_up=1.2, tau_min=0.8, dw_min=1e-3, offset=-0.1),
    lambda: devices.Exponential(gamma=3.0, dw_min=1e-3),
    lambda: devices.Custom(lambda x: 1.1 * (1 - x) ** 2, lambda x: 0.9 * (1 + x) ** 1.5, -1.0, 1.0, 1e-3),
    lambda: devices.Custom.from_table([-1, -0.2, 0.5, 1], [2e-3, 1.4e-3, 0.8e-3, 0], [0, 0.7e-3, 1.5e-3, 2.2e-3]),
]


@pytest.mark.parametrize("make", ALL_FAMILIES)
def test_sp_is_root_of_G_and_matches_bisection(make):
    dev = make()
    sp = dev.symmetric_point()
    assert sp.shape == dev.shape
    np.testing.assert_allclose(dev.G(sp), 0.0, atol=1e-12)
    np.testing.assert_allclose(sp, dev._bisect_sp() + dev.offset, atol=1e-12)
    assert np.all(dev.lower < sp) and np.all(sp < dev.upper)


@pytest.mark.parametrize("make", ALL_FAMILIES)
def test_phi_is_integral_of_G(make):
    dev = make()
    sp = dev.symmetric_point()
    for frac in (0.1, 0.5, 0.9):
        w = dev.lower + frac * (dev.upper - dev.lower)
        # trapezoid on a fine grid from sp to w
        t = np.linspace(0.0, 1.0, 20001)[:, None]
        grid = sp + t * (w - sp)
        vals = dev.G(grid)
        ref = np.trapezoid(vals, dx=1.0 / 20000, axis=0) * (w - sp)
        np.testing.assert_allclose(dev.phi(w), ref, rtol=1e-6, atol=1e-9)
        assert np.all(dev.phi(w) >= -1e-15)
    np.testing.assert_allclose(dev.phi(sp), 0.0, atol=1e-15)


@pytest.mark.parametrize("make", ALL_FAMILIES)
def test_constants_against_dense_grid(make):
    dev = make()
    lo, hi = dev.lower + 0.1 * (dev.upper - dev.lower), dev.upper - 0.1 * (dev.upper - dev.lower)
    c = dev.constants(lo, hi)
    t = np.linspace(0, 1, 4001)[:, None]
    grid = lo + t * (hi - lo)
    qp, qm = dev.q_plus(grid), dev.q_minus(grid)
    np.testing.assert_allclose(c.q_min, np.minimum(qp, qm).min(0), rtol=1e-9)
    np.testing.assert_allclose(c.q_max, np.maximum(qp, qm).max(0), rtol=1e-9)
    dG = dev.dG(grid)
    # grid-evaluated constants may miss an interior extreme by O(grid step^2)
    np.testing.assert_allclose(c.L_q, np.abs(dG).max(0), rtol=1e-3)
    np.testing.assert_allclose(c.mu_G, dG.min(0), rtol=1e-3)
    assert np.all(c.mu_G >= c.mu_q - 1e-12)


def test_softbounds_closed_forms():
    dev = devices.SoftBounds(a_up=1.3, a_dn=0.7, tau_max=0.9, tau_min=1.4, dw_min=1e-2, offset=0.2)
    assert dev.is_affine
    k = (1.3 / 0.9 + 0.7 / 1.4) / 2
    np.testing.assert_allclose(dev.symmetric_point(), 0.2 + (1.3 - 0.7) / (1.3 / 0.9 + 0.7 / 1.4))
    w = np.linspace(-1.0, 1.0, 7)
    np.testing.assert_allclose(dev.dG(w), k)
    np.testing.assert_allclose(dev.phi(w), 0.5 * k * (w - dev.symmetric_point()) ** 2, atol=1e-15)
    assert dev.lower == pytest.approx(-1.2) and dev.upper == pytest.approx(1.1)
    c = dev.constants(-0.5, 0.5)
    assert c.mu_q == pytest.approx(min(1.3 / 0.9, 0.7 / 1.4))
    assert c.L_q == pytest.approx(k) and c.mu_G == pytest.approx(k)


def test_signed_bound_convention_matches_magnitudes():
    """errata/sp-formula-104: aihwkit's signed w_min and the magnitude tau_min used here describe the same device."""
    dev = devices.SoftBounds.from_signed_bounds(w_max=1.25, w_min=-0.75, dw_up=2.2e-3, dw_down=1.8e-3)
    ref = devices.SoftBounds(a_up=1.1, a_dn=0.9, tau_max=1.25, tau_min=0.75, dw_min=2e-3)
    w = np.linspace(-0.7, 1.2, 9)
    np.testing.assert_allclose(dev.q_plus(w) * dev.dw_min, 2.2e-3 * (1 - w / 1.25))
    np.testing.assert_allclose(dev.q_minus(w) * dev.dw_min, 1.8e-3 * (1 - w / -0.75))
    np.testing.assert_allclose(dev.symmetric_point(), ref.symmetric_point())
    signed_sp = (2.2e-3 - 1.8e-3) / (2.2e-3 / 1.25 - 1.8e-3 / -0.75)
    np.testing.assert_allclose(dev.symmetric_point(), signed_sp)


def test_offset_shifts_everything():
    base = devices.Exponential(gamma=2.0, a_up=1.3)
    moved = devices.Exponential(gamma=2.0, a_up=1.3, offset=0.25)
    w = np.linspace(-0.5, 0.5, 5)
    np.testing.assert_allclose(moved.q_plus(w + 0.25), base.q_plus(w))
    np.testing.assert_allclose(moved.symmetric_point(), base.symmetric_point() + 0.25)
    np.testing.assert_allclose(moved.upper, base.upper + 0.25)
    np.testing.assert_allclose(moved.phi(w + 0.25), base.phi(w))


def test_variation_and_presets():
    dev = varied(seed=3, n=20000, offset=0.0)
    g = 0.5 * (dev.a_up + dev.a_dn)
    # log g ~ N(0, 0.3^2) (truncation at positive steps is negligible here)
    assert abs(np.log(g).std() - 0.3) < 0.01  # sd of sample sd ~ 0.3/sqrt(2*20000)=0.0015
    assert np.all(dev.a_up > 0) and np.all(dev.a_dn > 0) and np.all(dev.tau_min > 0)
    for name, spec in devices.PRESETS.items():
        nominal = devices.preset(name)
        np.testing.assert_allclose(nominal.states, spec.states)
        d = devices.preset(name, shape=(100,), rng=gen(1))
        assert d.shape == (100,)
    assert 4 < devices.PRESETS["hfo2"].states < 5
    assert devices.PRESETS["reramsb"].states == pytest.approx(1000)
    assert devices.PRESETS["idealized"].states == pytest.approx(10000)


def test_per_cell_broadcasting_with_replicates():
    dev = varied(n=8)
    w = np.zeros((5, 8))
    assert dev.G(w).shape == (5, 8)
    with pytest.raises(ValueError, match="w with shape"):
        dev.G(np.zeros((5, 7)))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(dw_min=0.0), "dw_min"),
        (dict(dw_min=-1e-3), "dw_min"),
        (dict(tau_min=-1.0), "tau_min"),
        (dict(a_up=np.array([1.0, 1.0]), a_dn=np.array([1.0, 1.0, 1.0])), "broadcast"),
        (dict(a_up=np.nan), "a_up"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        devices.SoftBounds(**kwargs)


def test_bad_constants_domain():
    dev = devices.SoftBounds(dw_min=1e-3)
    with pytest.raises(ValueError, match="w_lo"):
        dev.constants(-1.0, 0.5)
    with pytest.raises(ValueError, match="w_hi"):
        dev.constants(-0.5, 1.5)
    with pytest.raises(ValueError, match="w_hi must exceed"):
        dev.constants(0.5, 0.1)
    wobbly = devices.Custom(lambda x: 1 - x, lambda x: 3 * (1 + x) * (x - 0.2), -1, 1, 1e-3)
    with pytest.raises(ValueError, match="q_min"):
        wobbly.constants(-0.5, 0.5)
    with pytest.raises(TypeError, match="q_plus"):
        devices.Custom(1.0, lambda x: x, -1, 1, 1e-3)
    with pytest.raises(ValueError, match="w_min"):
        devices.SoftBounds.from_signed_bounds(1.0, 0.5, 1e-3, 1e-3)
    with pytest.raises(ValueError, match="unknown preset"):
        devices.preset("nope")


def test_tanh_family_closed_forms_against_numerics():
    dev = devices.Tanh(a=np.array([0.2, 0.45]), offset=np.array([0.3, -0.7]), dw_min=1e-3)
    assert np.allclose(dev.symmetric_point(), [0.3, -0.7])
    assert dev.global_q == pytest.approx((0.55, 1.45))
    # phi against quadrature of G, from the SP
    w = np.array([1.4, -2.1])
    xs = np.linspace(dev.symmetric_point(), w, 20001)
    quad = np.trapz(dev.G(xs), xs, axis=0) if hasattr(np, "trapz") else np.trapezoid(dev.G(xs), xs, axis=0)
    assert np.allclose(dev.phi(w), quad, rtol=1e-7)
    k = dev.constants(dev.offset - 1.0, dev.offset + 2.0)
    assert np.allclose(k.L_q, dev.a) and np.allclose(k.mu_G, dev.a / np.cosh(2.0) ** 2)
    with pytest.raises(ValueError, match="a must lie in"):
        devices.Tanh(a=1.0)


def test_device_parameters_are_read_only_so_sp_cannot_go_stale():
    a_up = np.array([1.2, 0.8])
    dev = devices.SoftBounds(a_up=a_up, a_dn=1.0, dw_min=1e-3)
    sp = dev.symmetric_point()
    a_up[0] = 5.0  # the caller's array is copied
    assert np.allclose(dev.symmetric_point(), sp)
    with pytest.raises(ValueError):
        dev.a_up[0] = 5.0
    with pytest.raises(AttributeError, match="read-only"):
        dev.a_up = np.array([5.0, 5.0])
