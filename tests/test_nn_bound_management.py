"""Bound management ITERATIVE of nn.IOSettings (aihwkit's CPU forward pass, nn module docstring)."""

import dataclasses

import numpy as np
import pytest

from sptheory import nn
from sptheory.nn import _io_matvec


def gen(k):
    return np.random.Generator(np.random.PCG64(k))


def _reference(io, x, M, bias):
    """A direct transcription of aihwkit's per-vector loop (noise-free): r = 1, 2, 4, ...; stop when no rounded
    output exceeds the bound, or r > max_bm_factor, or r > max_bm_res / inp_res."""
    R, m, n = M.shape
    out = np.zeros((R, x.shape[0], m))
    for k in range(R):
        for b in range(x.shape[0]):
            v = np.append(x[b], 1.0) if bias is not None else x[b]
            W = np.concatenate([M[k], bias[k][:, None]], axis=1) if bias is not None else M[k]
            s = np.abs(v).max()
            red = 0.5
            while True:
                red *= 2.0
                xq = io.quantize_input(v / (s * red))
                y = W @ xq
                step = io.out_step
                yr = np.rint(y / step) * step
                passed = not np.any(np.abs(yr) > io.out_bound)
                passed = passed or red > io.max_bm_factor or red > io.max_bm_res / io.inp_res
                if passed:
                    break
            out[k, b] = np.clip(yr, -io.out_bound, io.out_bound) * s * red
    return out


BM = dataclasses.replace(nn.PAPER_IO, bound_management="iterative")


@pytest.mark.parametrize("scale", [0.5, 6.0, 40.0, 3000.0])
def test_matches_a_direct_transcription_of_aihwkit_loop(scale):
    rng = gen(1)
    R, m, n, B = 3, 5, 9, 7
    M = scale * rng.standard_normal((R, m, n)) / np.sqrt(n)
    bias = rng.standard_normal((R, m))
    x = rng.uniform(-1, 1, (B, n))
    got = _io_matvec(BM, x, M, None, bias=bias, bound_management=True)
    np.testing.assert_allclose(got, _reference(BM, x, M, bias), rtol=0, atol=1e-9)
    # per-replicate inputs (the training minibatches) give the same per vector
    xr = np.broadcast_to(x, (R, B, n)).copy()
    np.testing.assert_allclose(_io_matvec(BM, xr, M, None, bias=bias, bound_management=True), got, atol=1e-12)


def test_default_is_unchanged_and_unsaturated_products_are_not_rerun():
    rng = gen(2)
    M = 0.3 * rng.standard_normal((2, 4, 6))
    x = rng.uniform(-1, 1, (2, 5, 6))
    assert nn.PAPER_IO.bound_management == "none"
    a = _io_matvec(nn.PAPER_IO, x, M, gen(3), bound_management=True)
    b = _io_matvec(nn.PAPER_IO, x, M, gen(3))
    np.testing.assert_array_equal(a, b)
    # no saturation: iterative draws no extra noise and returns the clipped-mode values bit for bit
    np.testing.assert_array_equal(_io_matvec(BM, x, M, gen(3), bound_management=True), b)


def test_saturated_product_recovers_the_ideal_value_and_the_cap_holds():
    M = np.full((1, 1, 4), 5.0)                       # ideal output 20 > out_bound 12 for x = 1
    x = np.ones((1, 1, 4))
    clip = _io_matvec(nn.PAPER_IO, x, M, None)
    bm = _io_matvec(BM, x, M, None, bound_management=True)
    assert clip[0, 0, 0] == pytest.approx(12.0)
    assert abs(bm[0, 0, 0] - 20.0) < 2 * BM.out_step * 2 + 2 * 4 * 5.0 * BM.inp_step  # one halving, re-quantised
    # far beyond the bound: stops at r = 32 (> 0.25 * 127), the output is 32 * 12
    huge = _io_matvec(BM, x, np.full((1, 1, 4), 1000.0), None, bound_management=True)
    assert huge[0, 0, 0] == pytest.approx(32 * 12.0)


def test_the_backward_pass_is_not_bound_managed_as_in_aihwkit():
    """Layer-1 weights 0 (every hidden unit 0.5) and output weights +-10 alternating over the 4 hidden units:
    the forward products are 0 (no saturation), the backward products W_2^T delta reach 20 |delta_0| / s and
    saturate.  The gradient with ITERATIVE equals the clipped one (aihwkit ignores bound management on the
    backward pass), while bound-managing that backward product would change it (control)."""
    X, y = np.full((6, 2), 0.3), np.zeros(6, dtype=int)
    quiet = dict(out_noise=0.0)
    clip = nn.MLP(sizes=(2, 4, 3), data=(X, y), batch=6, io=nn.IOSettings(**quiet), factored=False)
    bm = nn.MLP(sizes=(2, 4, 3), data=(X, y), batch=6, io=nn.IOSettings(bound_management="iterative", **quiet),
                factored=False)
    W1, W2 = np.zeros((4, 3)), np.zeros((3, 5))
    sign = np.array([1.0, -1.0, 1.0, -1.0])
    W2[0, :4], W2[1, :4], W2[2, :4] = 10 * sign, -10 * sign, -10 * sign
    W = np.concatenate([W1.ravel(), W2.ravel()])[None]
    np.testing.assert_array_equal(bm.grad(W, gen(1)), clip.grad(W, gen(1)))
    # control: the backward product does saturate, so managing it would change the gradient
    delta = np.array([[[-2 / 3, 1 / 3, 1 / 3]]])
    M = W2[None, :, :4].transpose(0, 2, 1)
    assert not np.allclose(_io_matvec(bm.io, delta, M, None, bound_management=True), _io_matvec(bm.io, delta, M, None))


@pytest.mark.parametrize("field,value,err", [("bound_management", "ITERATIVE", ValueError),
                                             ("bound_management", None, ValueError),
                                             ("max_bm_factor", 0.0, ValueError),
                                             ("max_bm_res", -1.0, ValueError),
                                             ("max_bm_res", "0.25", TypeError)])
def test_bad_settings_name_the_field(field, value, err):
    with pytest.raises(err, match=field):
        nn.IOSettings(**{field: value})
