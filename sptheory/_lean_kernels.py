"""The numba kernel behind :func:`sptheory.algorithms.lean.rider_tanh_quadratic` (imported only when
numba is installed; the NumPy loop in ``lean`` stays the reference and the fallback).

One block of RIDER iterations (Alg. 2, ``p = 0``; noiseless update, F == 1 on both arrays) on flat
``(replicates * cells,)`` arrays: the same operations as the NumPy loop, in the same order, with no
fast-math flags (no reassociation, no fused multiply-add). ``tanh`` comes from the C library here and
from NumPy's own implementation there, so the two paths agree to rounding, not bit for bit
(``tests/test_lean.py`` checks the agreement).
"""

from __future__ import annotations

import math

import numba


@numba.njit(cache=True, nogil=True, fastmath=False, error_model="numpy")
def rider_block(nz, A, Ws, sp, sw, gamma, alpha, alpha_a, beta, beta_a, eta, one_m_eta,
                W_buf, P_buf, Q_buf, e_buf, t_buf):  # pragma: no cover - compiled
    """Iterations ``j = 0 .. n-1`` of (11a), (11b), (12) from the states in row 0 of ``W_buf``,
    ``P_buf``, ``Q_buf`` (shape ``(n + 1, m)``), writing rows ``1 .. n``; ``e_buf[j]`` = W_bar_j - W*,
    ``t_buf[j]`` = tanh(P_j - s_p). ``nz`` (n, m): the gradient noise of each iteration; every other
    argument (m,) per flat cell, ``gamma`` a float."""
    n, m = nz.shape
    for j in range(n):
        for i in range(m):
            Pj = P_buf[j, i]
            Qj = Q_buf[j, i]
            Wj = W_buf[j, i]
            e = gamma * (Pj - Qj)
            e = Wj + e
            e = e - Ws[i]                                  # W_bar - W*
            e_buf[j, i] = e
            g = A[i] * e
            g = g + nz[j, i]                               # grad f(W_bar; xi)
            t = math.tanh(Pj - sp[i])
            t_buf[j, i] = t
            h = abs(g) * t
            h = h * alpha_a[i]                             # alpha |g| G_p(P)
            g = g * alpha[i]
            P1 = Pj - g
            P1 = P1 - h                                    # (11a)
            P_buf[j + 1, i] = P1
            d = P1 - Qj                                    # P_{k+1} - Q_k
            x = math.tanh(Wj - sw[i])
            h = abs(d) * x
            h = h * beta_a[i]                              # beta |d| G_w(W)
            d = d * beta[i]
            W1 = Wj + d
            W_buf[j + 1, i] = W1 - h                       # (11b)
            q = Qj * one_m_eta[i]
            Q_buf[j + 1, i] = q + P1 * eta[i]              # (12)
