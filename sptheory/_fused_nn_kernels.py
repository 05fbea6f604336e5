"""The numba kernels behind :mod:`sptheory._fused_nn` (imported only when numba is installed).

Two passes around NumPy's own matrix product: :func:`io_in` (abs-max scaling and the DAC of every input
vector) and :func:`io_out` (bias column, output noise, ADC, scaling back).  The operations per element
are those of ``nn._io_matvec`` and ``nn._convert`` in the same order, without fast-math (no
reassociation, no fused multiply-add), so every value rounds as NumPy's does; maxima propagate NaN as
``np.max``/``np.maximum``/``np.minimum`` do.
"""

from __future__ import annotations

import numba
import numpy as np

from ._fused_kernels import _jit

_t = numba.types
_F64, _BOOL = _t.float64, _t.boolean
_IN2 = _t.Array(_F64, 2, "C", readonly=True)
_IN1 = _t.Array(_F64, 1, "C", readonly=True)
_OUT1 = _t.Array(_F64, 1, "C")
_OUT2 = _t.Array(_F64, 2, "C")


@numba.njit(inline="always")
def _convert(v, step, inv_step, bound):  # pragma: no cover - compiled
    """``nn._convert`` of one value: ``rint(v * (1/step)) * step`` (``step > 0``), then ``min(., bound)``
    and ``max(., -bound)`` with NaN passed through."""
    if step > 0.0:
        v = v * inv_step
        v = np.rint(v)
        v = v * step
    v = bound if v > bound else v
    return -bound if v < -bound else v


@_jit(_IN2, _BOOL, _BOOL, _F64, _F64, _F64, _OUT2, _OUT1, _OUT1)
def io_in(x, abs_max, bias, step, inv_step, bound, xq, s, one):  # pragma: no cover - compiled
    """Per row ``x[i]`` (one input vector): ``s = max_j |x_ij|`` (at least 1 with the ``bias`` input),
    ``inv = 1/s`` (0 where ``s`` is not > 0), ``xq = convert(x inv)`` and the bias input's level
    ``one = convert(inv)``; without ``abs_max`` ``xq = convert(x)``, ``one = convert(1)`` and ``s``
    untouched."""
    rows, n = x.shape
    for i in range(rows):
        if abs_max:
            m = 0.0
            for j in range(n):
                a = abs(x[i, j])
                if a > m or a != a:
                    m = a
                if m != m:
                    break
            if n == 0:
                m = -np.inf  # np.max of an empty axis has no value; never reached by the network
            if bias and m < 1.0:
                m = 1.0
            s[i] = m
            inv = 1.0 / m if m > 0.0 else 0.0
            for j in range(n):
                xq[i, j] = _convert(x[i, j] * inv, step, inv_step, bound)
            one[i] = _convert(inv, step, inv_step, bound)
        else:
            for j in range(n):
                xq[i, j] = _convert(x[i, j], step, inv_step, bound)
            one[i] = _convert(1.0, step, inv_step, bound)


@_jit(_OUT2, _IN2, _IN1, _IN1, _F64, _IN1, _BOOL, _BOOL, _BOOL, _BOOL, _F64, _F64, _F64)
def io_out(y, bias, one, noise, out_noise, s, abs_max, has_bias, has_noise, shared, step, inv_step,
           bound):  # pragma: no cover - compiled
    """In place on ``y`` (rows ``(r, i)`` flattened, ``R = bias.shape[0]`` replicates): ``y + one_i
    bias_r`` (``has_bias``), ``+ out_noise xi`` (``has_noise``, ``noise`` flat like ``y``), ADC, times
    ``s_i`` (``abs_max``).  ``one``, ``s`` have one entry per input vector: per row of ``y``, or with
    ``shared`` (inputs shared by the replicates) per row within a replicate."""
    rows, m = y.shape
    R = bias.shape[0] if has_bias else 1
    per = rows // R if has_bias else rows
    vectors = one.shape[0]
    for row in range(rows):
        i = row % vectors if shared else row
        r = row // per if has_bias else 0
        for k in range(m):
            v = y[row, k]
            if has_bias:
                v = v + one[i] * bias[r, k]
            if has_noise:
                v = v + out_noise * noise[row * m + k]
            v = _convert(v, step, inv_step, bound)
            if abs_max:
                v = v * s[i]
            y[row, k] = v
