"""nn.IOSettings / nn.MLP(io=...): the aihwkit-style analog IO of the network's products (the paper's Table 6)."""

import dataclasses

import numpy as np
import pytest
from scipy import stats

from sptheory import nn
from sptheory.nn import _io_matvec

QUIET = dict(out_noise=0.0)


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


def tiny_split(n=40, features=5, classes=3, seed=0):
    g = gen(seed)
    return g.uniform(-2.0, 2.0, size=(n, features)), g.integers(0, classes, size=n)


# ----- settings ------------------------------------------------------------------------------

def test_paper_io_is_table_6_in_aihwkit_units():
    io = nn.PAPER_IO
    assert io == nn.IOSettings()
    assert (io.inp_res, io.inp_bound, io.out_res, io.out_bound, io.out_noise) == (1 / 127, 1.0, 1 / 510, 12.0, 0.06)
    assert io.noise_management == "abs_max" and io.backward is True
    assert io.inp_step == pytest.approx(2 / 127, rel=1e-15) and io.out_step == pytest.approx(24 / 510, rel=1e-15)


@pytest.mark.parametrize("field, value", [
    ("inp_res", -0.01), ("inp_res", 1.5), ("inp_res", np.nan), ("out_res", -1e-3), ("out_res", 2.0),
    ("inp_bound", 0.0), ("inp_bound", -1.0), ("inp_bound", np.inf), ("out_bound", 0.0), ("out_bound", -12.0),
    ("out_noise", -0.06), ("out_noise", np.inf), ("noise_management", "abs-max"), ("noise_management", "max"),
])
def test_bad_settings_name_the_field(field, value):
    with pytest.raises(ValueError, match=rf"IOSettings\.{field} must .*got {value!r}".replace("(", r"\(")):
        nn.IOSettings(**{field: value})


def test_bad_types():
    with pytest.raises(TypeError, match="IOSettings.out_noise"):
        nn.IOSettings(out_noise="0.06")
    with pytest.raises(TypeError, match="IOSettings.inp_bound"):
        nn.IOSettings(inp_bound=True)
    with pytest.raises(TypeError, match="IOSettings.backward"):
        nn.IOSettings(backward=1)
    X, y = tiny_split()
    for bad in ("paper", dataclasses.asdict(nn.PAPER_IO), 0.06):
        with pytest.raises(TypeError, match="io must be None or an nn.IOSettings"):
            nn.MLP(sizes=(5, 3), data=(X, y), io=bad)
    net = nn.MLP(sizes=(5, 3), data=(X, y), io=nn.PAPER_IO)
    with pytest.raises(TypeError, match="rng"):
        net.f(net.init_weights(gen(0)), rng="seed")
    # a seed is normalised like everywhere else: the same seed, the same noisy evaluation
    W = net.init_weights(gen(0))
    assert net.f(W, rng=3) == net.f(W, rng=gen_default(3))


def gen_default(seed):
    return np.random.default_rng(seed)


# ----- conversion: levels, scaling, clipping, noise --------------------------------------------

def test_input_levels():
    """aihwkit's DAC step is ``2 inp_bound inp_res``, rounding first and clipping after.  For
    ``inp_res = 1/126`` the bound 1 is the grid point 63/63: the values are the 127 levels ``k/63``,
    ``|k| <= 63`` (``1/inp_res + 1``).  For ``inp_res = 1/127`` the step is 2/127 and 1 is not on the
    grid: 127 grid levels ``2k/127``, ``|k| <= 63``, plus the clipped ``+-1`` reached from ``|k| = 64``."""
    x = np.linspace(-1.5, 1.5, 300_001)  # a dense deterministic sweep: spacing 1e-5, far below every step
    q = nn.IOSettings(inp_res=1 / 126).quantize_input(x)
    levels = np.unique(q)
    assert levels.size == 127
    np.testing.assert_allclose(levels * 63, np.arange(-63, 64), atol=1e-9)
    q = nn.IOSettings(inp_res=1 / 127).quantize_input(x)
    levels = np.unique(q)
    assert levels.size == 129
    np.testing.assert_allclose(levels[1:-1] * 127 / 2, np.arange(-63, 64), atol=1e-9)
    assert (levels[0], levels[-1]) == (-1.0, 1.0)
    # inp_res = 0: no DAC, only the bound
    np.testing.assert_array_equal(nn.IOSettings(inp_res=0.0).quantize_input(x), np.clip(x, -1.0, 1.0))


def test_output_levels_and_bound():
    y = np.linspace(-20.0, 20.0, 400_001)
    q = nn.PAPER_IO.quantize_output(y)
    levels = np.unique(q)
    # step 24/510; 12 = 255 steps lies on the grid: 511 levels k 24/510, |k| <= 255
    assert levels.size == 511 and (levels[0], levels[-1]) == (-12.0, 12.0)
    np.testing.assert_allclose(levels * 510 / 24, np.arange(-255, 256), atol=1e-9)


def test_abs_max_makes_the_product_scale_invariant():
    """With abs-max noise management the DAC sees ``x / max|x|`` whatever the scale of ``x``, so the
    product scales with ``x``; factors that are powers of two keep every float exact."""
    g = gen(1)
    M = g.normal(size=(2, 4, 6))
    x = g.normal(size=(2, 5, 6))
    io = nn.IOSettings(**QUIET)
    base = _io_matvec(io, x, M, None)
    for c in (2.0 ** -7, 0.5, 8.0, 2.0 ** 20):
        np.testing.assert_array_equal(_io_matvec(io, c * x, M, None), c * base)
    # what the array computes is M applied to the quantised direction, scaled back by max|x|
    s = np.abs(x).max(axis=-1, keepdims=True)
    direct = io.quantize_output(np.matmul(io.quantize_input(x / s), M.transpose(0, 2, 1))) * s
    np.testing.assert_array_equal(base, direct)
    # without noise management large inputs clip at the input bound instead
    none = nn.IOSettings(noise_management="none", **QUIET)
    assert not np.allclose(_io_matvec(none, 8.0 * x, M, None), 8.0 * _io_matvec(none, x, M, None))
    # an all-zero input vector gives 0 (aihwkit's short cut)
    x0 = x.copy()
    x0[0, 2] = 0.0
    assert np.all(_io_matvec(nn.PAPER_IO, x0, M, gen(2))[0, 2] == 0.0)


def test_out_bound_clips_the_normalised_output():
    M = np.full((1, 3, 4), 100.0)
    M[0, 1] *= -1.0
    M[0, 2] = 0.01
    x = np.array([[[0.5, 0.5, 1.5, 1.0]]])  # max|x| = 1.5
    out = _io_matvec(nn.IOSettings(**QUIET), x, M, None)[0, 0]
    assert out[0] == 12.0 * 1.5 and out[1] == -12.0 * 1.5  # |M x / s| = 233 > 12: clipped, then scaled back
    # the unclipped output is within half an ADC and the DAC errors of the ideal product
    ideal = 0.01 * x.sum()
    assert abs(out[2] - ideal) <= 1.5 * (0.5 * nn.PAPER_IO.out_step + 0.01 * 4 * 0.5 * nn.PAPER_IO.inp_step)


@pytest.mark.parametrize("scale", [1.0, 3.0])
def test_output_noise_variance(scale):
    """Zero weights, no ADC: the output is ``scale * out_noise * xi``.  The sum of squares of N = 20,000
    outputs over ``(scale * sigma)^2`` is chi-square with N degrees of freedom (mean known to be 0);
    the two-sided interval has false-failure probability 1e-6."""
    io = nn.IOSettings(out_res=0.0, out_bound=1e3, out_noise=0.06)
    R, B, m, N = 4, 500, 10, 4 * 500 * 10
    x = np.zeros((R, B, 7))
    x[..., 0] = scale  # max|x| = scale
    y = _io_matvec(io, x, np.zeros((R, m, 7)), gen(5))
    ratio = np.sum(y ** 2) / (scale * 0.06) ** 2
    lo, hi = stats.chi2.ppf([0.5e-6, 1 - 0.5e-6], N)
    assert lo < ratio < hi
    assert np.all(_io_matvec(io, x, np.zeros((R, m, 7)), None) == 0.0)  # no rng: no noise


def test_fine_conversion_is_within_the_derived_error():
    """Per output, ``|out - M x| <= s (inp_bound inp_res sum_j |M_ij| + out_bound out_res)``: each
    input moves by at most half a DAC step ``inp_bound inp_res`` (in units of ``s = max|x|``) and the
    output by half an ADC step ``out_bound out_res``; nothing clips here (``|M x / s| < out_bound``)."""
    g = gen(8)
    M = g.normal(size=(3, 5, 9))
    x = g.normal(size=(3, 11, 9))
    for res in (1e-3, 1e-6):
        io = nn.IOSettings(inp_res=res, out_res=res, out_bound=100.0, out_noise=0.0)
        out = _io_matvec(io, x, M, None)
        ideal = np.matmul(x, M.transpose(0, 2, 1))
        s = np.abs(x).max(axis=-1, keepdims=True)
        bound = s * (res * np.abs(M).sum(axis=-1)[:, None, :] + 100.0 * res)
        assert np.all(np.abs(out - ideal) <= bound * (1 + 1e-9))


# ----- the network -----------------------------------------------------------------------------

def test_io_none_is_the_ideal_network_bit_for_bit():
    X, y = tiny_split()
    kw = dict(sizes=(5, 4, 3), data=(X, y), batch=6)
    ideal, none = nn.MLP(**kw), nn.MLP(**kw, io=None)
    W = ideal.init_weights(gen(0), replicates=3)
    r1, r2 = gen(4), gen(4)
    a, b = ideal.grad(W, r1), none.grad(W, r2)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert r1.random() == r2.random()  # the same draws
    np.testing.assert_array_equal(ideal.f(W), none.f(W, rng=gen(9)))  # ideal products ignore the rng
    np.testing.assert_array_equal(ideal.predict(W, X), none.predict(W, X, rng=gen(9)))


def test_exact_conversion_gives_the_ideal_gradient():
    """No DAC/ADC steps, no noise, bounds far away: the IO model is ``(x / s) s``, exact up to
    floating-point round-off (a few ulps per product, relative 1e-12 of the gradient's scale)."""
    X, y = tiny_split()
    io = nn.IOSettings(inp_res=0.0, out_res=0.0, inp_bound=1.0, out_bound=1e6, out_noise=0.0)
    kw = dict(sizes=(5, 4, 4, 3), activation="tanh", data=(X, y), batch=6, factored=False)
    W = nn.MLP(**kw).init_weights(gen(0), replicates=2)
    ideal, analog = nn.MLP(**kw).grad(W, gen(3)), nn.MLP(**kw, io=io).grad(W, gen(3))
    np.testing.assert_allclose(analog, ideal, rtol=0, atol=1e-12 * np.abs(ideal).max())


def test_backward_io_is_applied_and_close_for_fine_resolution():
    """The backward IO changes only the layers below the last one (the last layer's delta is the
    digital softmax error).  With a fine resolution and no noise, the first layer's delta differs from
    the ideal back-propagated one by at most ``e_b = s_b (inp_res sum_o |W1_oi| + out_bound out_res)``
    times ``max act' = 1/4`` (sigmoid), per example ``b`` (``s_b = max|delta_b|``), so each gradient
    entry ``(1/B) sum_b d_bi [x_b; 1]_j`` moves by at most ``max_b e_b * max|[x; 1]|``."""
    X, y = tiny_split()
    res, out_bound = 1e-6, 100.0
    io_fwd = nn.IOSettings(inp_res=res, out_res=res, out_bound=out_bound, out_noise=0.0, backward=False)
    io_both = dataclasses.replace(io_fwd, backward=True)
    kw = dict(sizes=(5, 4, 3), data=(X, y), batch=8, factored=False)
    fwd_only, both = nn.MLP(**kw, io=io_fwd), nn.MLP(**kw, io=io_both)
    W = fwd_only.init_weights(gen(0), replicates=2)
    g_f, g_b = fwd_only.grad(W, gen(6)), both.grad(W, gen(6))
    a, b = fwd_only._blocks[0]
    np.testing.assert_array_equal(g_f[:, b:], g_b[:, b:])  # the last layer: no backward product involved
    assert not np.array_equal(g_f[:, a:b], g_b[:, a:b])  # the first layer: the backward IO was applied
    # the bound, from the same minibatch (its indices are the first draw of the rng)
    idx = gen(6).integers(0, fwd_only.n, size=(2, 8))
    W1 = fwd_only.layers(W)[1][..., :-1]                    # (R, 3, 4)
    z_soft = fwd_only._forward(fwd_only._mats(W), X[idx])[1]
    delta = np.exp(fwd_only._log_softmax(z_soft))
    delta[np.arange(2)[:, None], np.arange(8)[None, :], y[idx]] -= 1.0
    s = np.abs(delta).max(axis=-1)                          # (R, B)
    e = s * (res * np.abs(W1).sum(axis=1).max(axis=-1)[:, None] + out_bound * res) * 0.25
    xmax = max(np.abs(X).max(), 1.0)
    tol = e.max(axis=-1) * xmax                             # per replicate
    diff = np.abs(g_f[:, a:b] - g_b[:, a:b]).max(axis=-1)
    assert np.all(diff <= tol * (1 + 1e-6))


def test_coarse_io_moves_the_network_and_evaluation_noise_follows_the_rng():
    X, y = tiny_split(n=60)
    kw = dict(sizes=(5, 6, 3), data=(X, y), batch=5)
    ideal, analog = nn.MLP(**kw), nn.MLP(**kw, io=nn.PAPER_IO)
    W = ideal.init_weights(gen(0), replicates=3)
    quiet = analog.f(W)
    np.testing.assert_array_equal(quiet, analog.f(W))  # no rng: deterministic (quantised, clipped)
    assert not np.array_equal(quiet, ideal.f(W))
    noisy1, noisy2 = analog.f(W, rng=gen(1)), analog.f(W, rng=gen(2))
    np.testing.assert_array_equal(noisy1, analog.f(W, rng=gen(1)))
    assert not np.array_equal(noisy1, noisy2) and not np.array_equal(noisy1, quiet)
    assert analog.predict(W, X, rng=gen(1)).shape == (3, 60)
    assert analog.accuracy(W, X, y).shape == analog.loss(W, X, y, rng=gen(3)).shape == (3,)
    # the training gradient draws its noise from grad's rng: factored and dense agree for the same draws
    fac = analog.grad(W, gen(4))
    dense = nn.MLP(**kw, io=nn.PAPER_IO, factored=False).grad(W, gen(4))
    np.testing.assert_allclose(np.asarray(fac), dense, rtol=0, atol=1e-12 * np.abs(dense).max())
    assert not np.allclose(dense, ideal.grad(W, gen(4)))


def test_update_factors_stay_digital():
    """The rank-1 factors are the layer inputs ``[h; 1]`` and errors ``delta`` before any conversion:
    the first layer's ``x`` is the raw minibatch, not its 7-bit image."""
    X, y = tiny_split()
    net = nn.MLP(sizes=(5, 4, 3), data=(X, y), batch=6, io=nn.PAPER_IO)
    W = net.init_weights(gen(0), replicates=2)
    upd = net.grad(W, gen(7))
    idx = gen(7).integers(0, net.n, size=(2, 6))
    x0, _ = upd.factors[0]
    np.testing.assert_array_equal(x0[..., :-1], X[idx])
    assert np.all(x0[..., -1] == 1.0)
