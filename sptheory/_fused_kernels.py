"""The numba kernels behind :mod:`sptheory._fused` (imported only when numba is installed).

Each loop is written so that LLVM can vectorise it without fast-math flags: selections instead of
branches, and the maximum of the non-negative pulse counts taken over their bit patterns as integers
(for floats ``>= 0`` the order of the bits is the order of the values, NaN above infinity).
"""

from __future__ import annotations

import numba
import numpy as np


def _jit(*signature):
    """Compile for the one signature given (inputs read-only, which writable arrays also match, so that a
    read-only input does not cost a second compilation), cached on disk.  No fast-math: LLVM must
    neither reassociate nor contract ``a * b + c`` into a fused multiply-add, so that every operation
    rounds as NumPy's does."""
    return numba.njit(signature, cache=True, nogil=True, fastmath=False, error_model="numpy")


_t = numba.types
_IN = {dt: _t.Array(dt, 1, "C", readonly=True) for dt in (_t.float64, _t.float32, _t.int32, _t.uint32, _t.boolean)}
_OUT = {dt: _t.Array(dt, 1, "C") for dt in (_t.float64, _t.float32, _t.boolean)}
_F64, _F32, _I32, _U32, _BOOL = _t.float64, _t.float32, _t.int32, _t.uint32, _t.boolean
_LINES = _t.Array(_F64, 2, "C", readonly=True)

_ONE_BITS = 0x3FF0000000000000  # the bits of 1.0


@_jit(_IN[_F64], _IN[_F64], _IN[_I32], _BOOL, _OUT[_F64], _OUT[_BOOL])
def counts(dW, dw_min, bits, write, n, pulsed):  # pragma: no cover - compiled
    """Pass 1: the expected pulse counts ``n = |dW| / dw_min`` (written to ``n``), whether all of them
    are below 1, and with ``write`` whether each cell fired a pulse (``pulses._pulsed``, written to
    ``pulsed``) and how many did.  ``dW``, ``bits``, ``n``, ``pulsed``: flat over the cells;
    ``dw_min``: one value per position on the last axis, repeated over the leading ones."""
    m, D = dW.shape[0], dw_min.shape[0]
    for r in range(m // D):
        o = r * D
        for j in range(D):
            n[o + j] = abs(dW[o + j]) / dw_min[j]
    as_int = n.view(np.int64)
    top = 0
    for i in range(m):
        b = as_int[i]
        top = b if b > top else top
    fired = 0
    if write:
        for i in range(m):
            p = float(bits[i]) < n[i] * 4294967296.0 - 2147483648.0
            pulsed[i] = p
            fired += np.int64(p)
    return top < _ONE_BITS, fired


@_jit(_IN[_F64], _IN[_F64], _IN[_F64], _IN[_F32], _LINES, _IN[_F64], _IN[_F64], _IN[_F64], _BOOL, _F64, _F64,
      _IN[_BOOL], _IN[_F64], _F64, _IN[_F64], _IN[_F64], _BOOL, _BOOL, _OUT[_F64], _OUT[_F64])
def update(w, dW, n, xi, lines, dw_min, lower, upper, small, one_c2, c2, pulsed, z, level, readout, hidden,
           perturbed, make_e, new, e):  # pragma: no cover - compiled
    """Pass 2: ``new = clip(w + q (dW + dw_min sqrt(s) xi))`` with ``q`` the response line of the
    request's sign (``lines``: ``cp0, cp1, cm0, cm1`` per position) and ``s`` the rounding variance
    factor (``small``: every count below 1), and with ``make_e`` the read-out
    ``e = (pulsed ? level dw_min z_k : readout - hidden if perturbed, else 0) + new``, ``z`` taken in
    cell order.  The same operations in the same order as ``pulses.apply_model`` and ``_finish``."""
    m, D = w.shape[0], lines.shape[1]
    for r in range(m // D):
        o = r * D
        for j in range(D):
            i = o + j
            wi, dwi, ni = w[i], dW[i], n[i]
            q_up = lines[1, j] * wi
            q_up += lines[0, j]
            q_dn = lines[3, j] * wi
            q_dn += lines[2, j]
            q = q_up if dwi >= 0.0 else q_dn
            if small:
                s = one_c2 - ni
                s *= ni
            else:
                frac = ni - np.floor(ni)
                s = 1.0 - frac
                s *= frac
                with_c2 = s + c2 * ni
                s = with_c2 if c2 != 0.0 else s
            s = np.sqrt(s)
            s *= np.float64(xi[i])
            s *= dw_min[j]
            s += dwi
            s *= q
            x = wi + s
            lo, hi = lower[j], upper[j]
            x = lo if x < lo else x
            new[i] = hi if x > hi else x
    k = 0
    if make_e:
        for r in range(m // D):
            o = r * D
            for j in range(D):
                i = o + j
                if pulsed[i]:
                    sel = (level * dw_min[j]) * z[k]
                    k += 1
                elif perturbed:
                    sel = readout[i] - hidden[i]
                else:
                    sel = 0.0
                e[i] = sel + new[i]
    return k


@_jit(_IN[_U32], _IN[_I32], _F32, _OUT[_F64], _OUT[_F32])
def normals_pre(radial, angular, angle, r, theta):  # pragma: no cover - compiled
    """Box-Muller inputs of ``pulses._normals``: ``r = k + 1/2`` (float64) from the radial words and
    ``theta = float32(j) * angle`` (float32) from the angular words read as signed."""
    for i in range(radial.shape[0]):
        r[i] = np.float64(radial[i]) + 0.5
        theta[i] = np.float32(angular[i]) * angle


@_jit(_IN[_F64], _F64, _IN[_F32], _IN[_F32], _OUT[_F32], _OUT[_F32])
def normals_post(log_r, ln_2_64, cos_t, sin_t, first, second):  # pragma: no cover - compiled
    """Box-Muller outputs of ``pulses._normals`` from ``ln r``, ``cos theta``, ``sin theta``:
    ``rho = sqrt(float32(-2 ln r + 64 ln 2))``, ``first = rho cos theta``, ``second = rho sin theta``
    (two arrays, so that LLVM sees they do not overlap and vectorises the loop)."""
    for i in range(log_r.shape[0]):
        x = log_r[i] * -2.0
        x += ln_2_64
        rho = np.sqrt(np.float32(x))
        first[i] = rho * cos_t[i]
        second[i] = rho * sin_t[i]
