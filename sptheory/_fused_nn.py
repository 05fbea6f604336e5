"""The analog matrix-vector product of ``nn`` (the IO model of ``nn.IOSettings``) in compiled passes.

``nn._io_matvec`` is the specification: per input vector, abs-max scaling, the DAC (round, clip), the
product with the array, the bias column, Gaussian output noise, the ADC (round, clip) and the scaling
back.  In NumPy that is some twenty array operations on arrays of a few hundred numbers, each costing
about a microsecond of call overhead, three times per training step of a two-layer network: the largest
share of a step on the digits MLP (issue 17's profile: 40 %).  :func:`io_matvec` does the same work in
four calls:

1. :func:`._fused_nn_kernels.io_in`: scale and quantise every input vector (one pass);
2. ``np.matmul`` -- NumPy's own product, called on arrays of the same shapes, strides and values as
   ``nn._io_matvec`` calls it with (the BLAS kernel, whose summation order depends on the shapes, is
   not reproduced but reused);
3. ``rng.standard_normal(y.shape)`` -- the same draw, at the same point of the stream;
4. :func:`._fused_nn_kernels.io_out`: bias, noise, ADC and scaling back (one pass, in place).

How the two paths are kept from drifting apart
----------------------------------------------
* Only arithmetic is compiled.  ``nn.MLP.grad``, ``_forward`` and every algorithm's ``step`` are the
  one copy of the logic; the compiled product is entered through one hook at the top of
  ``nn._io_matvec`` and the compiled update model through one in ``pulses.apply_model``.  A change of
  the IO model's *arithmetic* has to be made in both ``nn._io_matvec`` and the kernels; a new *option*
  (a field of ``IOSettings`` the kernels do not know, e.g. a bound management) makes :func:`supported`
  false whenever it is set to anything but its default, so the NumPy path runs it until the kernels
  learn it.
* Bit for bit.  The kernels do the same floating-point operations in the same order (no fast-math),
  the matrix product and the random draws are NumPy's own calls, so the outputs equal the NumPy
  path's bit for bit; ``tests/test_fused_nn.py`` compares both paths' bytes (training runs of several
  algorithms with the paper's IO, evaluation, every IO option) and ``tests/test_pulses_golden.py`` pins
  the values.  ``SPTHEORY_NO_NUMBA=1`` (or numba missing) runs the NumPy path.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from . import _fused

__all__ = ["kernels", "supported", "io_matvec", "KNOWN_FIELDS"]

#: The ``nn.IOSettings`` fields the kernels implement; any other field must hold its default value.
KNOWN_FIELDS = frozenset({"inp_res", "inp_bound", "out_res", "out_bound", "out_noise", "noise_management",
                          "backward"})


@functools.lru_cache(maxsize=None)
def _nn_kernels():
    from . import _fused_nn_kernels

    return _fused_nn_kernels


def kernels():
    """The compiled IO kernels, or ``None`` where the NumPy path runs (``_fused.kernels()`` is None:
    numba missing or ``SPTHEORY_NO_NUMBA=1``)."""
    if _fused.kernels() is None:
        return None
    return _nn_kernels()


@functools.lru_cache(maxsize=64)
def _supported(io) -> bool:
    if io.noise_management not in ("abs_max", "none"):
        return False
    for f in dataclasses.fields(io):
        if f.name in KNOWN_FIELDS:
            continue
        default = f.default if f.default is not dataclasses.MISSING else (
            f.default_factory() if f.default_factory is not dataclasses.MISSING else dataclasses.MISSING)
        if default is dataclasses.MISSING or getattr(io, f.name) != default:
            return False
    return True


def supported(io) -> bool:
    """Whether the kernels implement ``io``: every field they do not know is at its default (off)."""
    try:
        return _supported(io)
    except TypeError:  # an unhashable setting: not ours to judge
        return False


def io_matvec(io, x, M, rng, bias=None):
    """``nn._io_matvec(io, x, M, rng, bias)`` in compiled passes, bit for bit; ``None`` where the kernels
    do not apply (no numba, an unsupported ``io``, an unexpected layout): the caller then runs NumPy.

    ``x``: ``(R, B, n)`` per-replicate input vectors or ``(N, n)`` shared by the replicates; ``M``:
    ``(R, m, n)`` (any strides: it goes to ``np.matmul`` as it is); ``bias``: ``(R, m)`` or None.
    """
    k = kernels()
    if k is None or not supported(io):
        return None
    if not (isinstance(x, np.ndarray) and isinstance(M, np.ndarray)) or x.dtype != np.float64 \
            or M.dtype != np.float64 or M.ndim != 3 or not x.flags.c_contiguous:
        return None
    R, m, n = M.shape
    if x.shape[-1] != n or not (x.ndim == 2 or (x.ndim == 3 and x.shape[0] == R)):
        return None
    if bias is not None and (not isinstance(bias, np.ndarray) or bias.dtype != np.float64 or bias.shape != (R, m)):
        return None
    abs_max = io.noise_management == "abs_max"
    x2 = x.reshape(-1, n)
    vectors = x2.shape[0]
    xq, s, one = np.empty_like(x2), np.empty(vectors), np.empty(vectors)
    in_step, out_step = io.inp_step, io.out_step
    k.io_in(x2, abs_max, bias is not None, in_step, 1.0 / in_step if in_step > 0.0 else 0.0, io.inp_bound,
            xq, s, one)
    y = np.matmul(xq.reshape(x.shape), M.transpose(0, 2, 1))  # as nn._io_matvec calls it
    noisy = rng is not None and io.out_noise > 0.0
    noise = rng.standard_normal(y.shape).reshape(-1) if noisy else s
    b = np.ascontiguousarray(bias) if bias is not None else np.empty((1, m))
    k.io_out(y.reshape(-1, m), b, one, noise, io.out_noise, s, abs_max, bias is not None, noisy, x.ndim == 2,
             out_step, 1.0 / out_step if out_step > 0.0 else 0.0, io.out_bound)
    return y


# ----- rank-1 pulse trains --------------------------------------------------------------------------

def _soft_bounds_params(dev):
    """SoftBounds parameters per cell of ``dev.shape``, flattened (made once per device)."""
    cached = dev.__dict__.get("_fused_trains_cache")
    if cached is None:
        shape = dev.shape if dev.shape else (1,)
        cached = tuple(np.array(np.broadcast_to(np.asarray(v, dtype=float), shape)).ravel()
                       for v in (dev.dw_min, dev.a_up, dev.tau_max, dev.a_dn, dev.tau_min, dev.offset, dev.lower,
                                 dev.upper))
        dev.__dict__["_fused_trains_cache"] = cached
    return cached


def trains_rank1(dev, w, dW, rng, bl, c2c, update_management, probabilities, fire, lean=False):
    """The sample loop of ``pulses.apply_trains`` for a ``RankOneUpdate`` ``dW`` in compiled passes, bit for
    bit: ``(w_new, total counts)``, or ``None`` where the kernels do not apply (the caller runs NumPy).

    Per sample the same draws in the same order (per block: the row trains, then the column trains, by
    ``rng.random``; then ``max(counts)`` arrays of cycle-to-cycle normals, drawn here in one call, which
    consumes the stream as the per-pulse calls of ``_fire`` do); the counts by :func:`train_hits`; the pulses by :func:`fire_soft_bounds` on a SoftBounds device with ``c2c > 0``,
    else by ``fire`` (``pulses._fire``, NumPy).  ``probabilities`` is ``pulses._train_probabilities``.

    ``lean`` (the ``stream="lean"`` of ``pulses.apply_trains``): per sample ``counts.sum()`` normals in one
    call, cell-major, as ``pulses._fire(..., lean=True)`` draws them, fired by :func:`fire_soft_bounds_lean`.
    """
    k = kernels()
    if k is None:
        return None
    from .devices import SoftBounds
    from .pulses import AdditiveC2C

    R, D = dW.shape
    if w.shape != (R, D) or w.dtype != np.float64:
        return None
    sign = dW.sign
    if sign is not None:
        sign = np.ascontiguousarray(sign, dtype=float)
        if sign.shape not in ((D,), (R, D)):
            return None
        sign = sign.reshape(-1)
    # the compiled pulses are the multiplicative c2c law; pulses.AdditiveC2C fires through ``fire`` (NumPy)
    compiled_fire = (type(dev) is SoftBounds and c2c > 0.0 and not isinstance(c2c, AdditiveC2C)
                     and dev.shape in ((), (D,), (R, D)))
    params = _soft_bounds_params(dev) if compiled_fire else None
    dw = float(np.asarray(dev.dw_min).flat[0])
    scale = np.abs(dW.scale) / (dw * bl)
    direction = np.ascontiguousarray(np.sign(dW.scale).reshape(R))
    w = np.array(w, dtype=float, order="C")  # ours to update in place
    total = np.zeros(R * D, dtype=np.int64)
    counts, up = np.empty(R * D, dtype=np.int64), np.empty(R * D, dtype=np.bool_)
    blocks = dW.blocks()
    no_sign = np.ones(1)
    for b in range(dW.batch):
        top = fired = 0
        for (x, d), (start, _stop) in zip(dW.factors, blocks):
            xb, db = x[:, b], d[:, b]
            px, pd = probabilities(xb, db, scale, update_management)
            row = rng.random(xb.shape + (bl,)) < px[..., None]
            col = rng.random(db.shape + (bl,)) < pd[..., None]
            block = k.train_hits(row, col, np.ascontiguousarray(xb), np.ascontiguousarray(db), direction, start,
                                 sign if sign is not None else no_sign, sign is not None, counts, up, total)
            top, fired = max(top, block[0]), fired + block[1]
        if compiled_fire and lean:
            xi = rng.standard_normal(fired) if fired else no_sign
            k.fire_soft_bounds_lean(w.reshape(-1), counts, up, xi, float(c2c), *params)
        elif compiled_fire:
            xi = rng.standard_normal(top * R * D) if top else no_sign
            k.fire_soft_bounds(w.reshape(-1), counts, up, xi, float(c2c), *params)
        else:
            w = fire(dev, w, counts.reshape(R, D), up.reshape(R, D), rng, c2c, lean)
    return w, total.reshape(R, D)
