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


# ----- rank-1 pulse trains (pulses.apply_trains) ------------------------------------------------

_I64 = _t.int64
_BOOL3 = _t.Array(_BOOL, 3, "C", readonly=True)
_OUTI2 = _t.Array(_I64, 2, "C")
_INI1 = _t.Array(_I64, 1, "C", readonly=True)
_OUTI1 = _t.Array(_I64, 1, "C")
_OUTB1 = _t.Array(_BOOL, 1, "C")


@numba.njit(inline="always")
def _sign(v):  # pragma: no cover - compiled
    return 1.0 if v > 0.0 else (-1.0 if v < 0.0 else 0.0)


@numba.njit(inline="always")
def _store_count(h, sgn, sign, has_sign, flat, counts, up, total):  # pragma: no cover - compiled
    """Cell ``flat`` of :func:`train_hits`: the signed count ``n = h sgn`` (times ``sign`` of the cell with
    ``has_sign``) stored as ``counts[flat] = |n|`` (added to ``total``) and ``up[flat] = n >= 0``; returns
    ``|n|``."""
    v = np.int64(h) * np.int64(sgn)
    if has_sign:
        v = v * np.int64(sign[flat % sign.shape[0]])
    a = -v if v < 0 else v
    counts[flat] = a
    total[flat] += a
    up[flat] = v >= 0
    return a


@_jit(_BOOL3, _BOOL3, _IN2, _IN2, _IN1, _I64, _IN1, _BOOL, _OUTI1, _OUTB1, _OUTI1)
def train_hits(row, col, x, d, direction, start, sign, has_sign, counts, up, total):  # pragma: no cover - compiled
    """One sample's pulse counts of one block (``pulses.apply_trains``): for replicate ``r``, output line
    ``o`` and input line ``i`` the signed count ``n = hits sgn``, ``hits`` the number of slots ``t`` where both
    ``col[r, o, t]`` and ``row[r, i, t]`` fired, ``sgn = direction_r sign(d_ro) sign(x_ri)``, times the
    cell's ``sign`` (``has_sign``; +-1 per cell, repeated over the leading axes); cell ``flat = r D + start +
    o n_in + i`` gets ``counts[flat] = |n|`` (also added to ``total``, the samples so far) and ``up[flat] =
    n >= 0``.  Returns the block's largest count and the sum of its counts.  Integers, so exact in any
    order."""
    R, n_in, bl = row.shape
    n_out = col.shape[1]
    D = counts.shape[0] // R
    top = 0
    fired = 0
    if bl <= 64:
        # the slots of each line packed into the bits of one integer: the hits of a cell are the set bits of
        # (column line & row line), counted one by one (few: most cells get no coincidence); a silent column
        # line gives zeros for its whole row of cells.  The same integers as the slot loop below.
        rows = np.zeros(n_in, dtype=np.uint64)
        for r in range(R):
            for i in range(n_in):
                b = np.uint64(0)
                for t in range(bl):
                    if row[r, i, t]:
                        b |= np.uint64(1) << np.uint64(t)
                rows[i] = b
            for o in range(n_out):
                so = direction[r] * _sign(d[r, o])
                base = r * D + start + o * n_in
                c = np.uint64(0)
                for t in range(bl):
                    if col[r, o, t]:
                        c |= np.uint64(1) << np.uint64(t)
                if c == np.uint64(0):  # a silent column line: no pulse on its row of cells
                    for i in range(n_in):
                        counts[base + i] = 0
                        up[base + i] = True
                    continue
                for i in range(n_in):
                    both = c & rows[i]
                    if both == np.uint64(0):  # no coincidence (most cells)
                        counts[base + i] = 0
                        up[base + i] = True
                        continue
                    h = 0
                    while both != np.uint64(0):
                        both &= both - np.uint64(1)
                        h += 1
                    a = _store_count(h, so * _sign(x[r, i]), sign, has_sign, base + i, counts, up, total)
                    fired += a
                    top = a if a > top else top
        return top, fired
    for r in range(R):
        for o in range(n_out):
            so = direction[r] * _sign(d[r, o])
            base = r * D + start + o * n_in
            for i in range(n_in):
                h = 0
                for t in range(bl):
                    h += np.int64(col[r, o, t] and row[r, i, t])
                a = _store_count(h, so * _sign(x[r, i]), sign, has_sign, base + i, counts, up, total)
                fired += a
                top = a if a > top else top
    return top, fired


@_jit(_OUT1, _INI1, _t.Array(_BOOL, 1, "C", readonly=True), _IN1, _F64, _IN1, _IN1, _IN1, _IN1, _IN1, _IN1,
      _IN1, _IN1)
def fire_soft_bounds(w, counts, up, xi, c2c, dw_min, a_up, tau_max, a_dn, tau_min, offset, lower,
                     upper):  # pragma: no cover - compiled
    """``pulses._fire`` on a SoftBounds device with cycle-to-cycle noise, in place on ``w``: cell ``i``
    takes its ``counts[i]`` pulses one after another, pulse ``k`` moving it by ``dw_min q(w - offset)
    (1 + c2c xi[k, i])`` (``q = a_up (1 - x/tau_max)`` up, ``-a_dn (1 + x/tau_min)`` down), clipped to
    ``[lower, upper]`` after each; ``xi`` holds ``max(counts)`` standard normals per cell, pulse-major
    (the draws ``_fire`` makes one pulse index at a time).  Parameters: one per cell, repeated over the
    leading axes.  The same operations in the same order as ``_fire`` and ``SoftBounds._qp/_qm``."""
    m, P = w.shape[0], dw_min.shape[0]
    for i in range(m):
        j = i % P
        v = w[i]
        for k in range(counts[i]):
            x = v - offset[j]
            if up[i]:
                step = dw_min[j] * (a_up[j] * (1.0 - x / tau_max[j]))
            else:
                step = -dw_min[j] * (a_dn[j] * (1.0 + x / tau_min[j]))
            step = step * (1.0 + c2c * xi[k * m + i])
            v = v + step
            v = lower[j] if v < lower[j] else v
            v = upper[j] if v > upper[j] else v
        w[i] = v


@_jit(_OUT1, _INI1, _t.Array(_BOOL, 1, "C", readonly=True), _IN1, _F64, _IN1, _IN1, _IN1, _IN1, _IN1, _IN1,
      _IN1, _IN1)
def fire_soft_bounds_lean(w, counts, up, xi, c2c, dw_min, a_up, tau_max, a_dn, tau_min, offset, lower,
                          upper):  # pragma: no cover - compiled
    """:func:`fire_soft_bounds` on the lean stream (``pulses._fire(..., lean=True)``): ``xi`` holds one
    normal per pulse fired, cell-major, so cell ``i``'s pulses take ``xi[s_i], ..., xi[s_i + counts[i] - 1]``
    with ``s_i`` the pulses of the cells before it.  The same operations per pulse, in the same order."""
    m, P = w.shape[0], dw_min.shape[0]
    pos = 0
    for i in range(m):
        if counts[i] == 0:  # most cells: no pulse, nothing to do
            continue
        j = i % P
        v = w[i]
        for _k in range(counts[i]):
            x = v - offset[j]
            if up[i]:
                step = dw_min[j] * (a_up[j] * (1.0 - x / tau_max[j]))
            else:
                step = -dw_min[j] * (a_dn[j] * (1.0 + x / tau_min[j]))
            step = step * (1.0 + c2c * xi[pos])
            pos += 1
            v = v + step
            v = lower[j] if v < lower[j] else v
            v = upper[j] if v > upper[j] else v
        w[i] = v
