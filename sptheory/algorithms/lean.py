"""A lean path for long RIDER / E-RIDER runs on a few cells (Alg. 2, Alg. 3).

:class:`~sptheory.algorithms.rider.Rider` with :func:`~sptheory.algorithms.base.run`
spends tens of microseconds of Python per iteration in device and pulse
dispatch; a Thm 3.7 counterexample needs millions of iterations of a 1-cell
run. This module runs the SAME noiseless recursion ((11a), (12), (11b); with
the chopper, (17), (18a), (18b)) for one case with a closed form per step:

* both arrays from the bounded family ``q_pm(w) = 1 -/+ a tanh(w - s)``
  (so ``F == 1`` and ``G = a tanh(w - s)``; Def. 2.1 on the whole line with
  ``q_min = 1 - a``, ``q_max = 1 + a``);
* a diagonal quadratic ``f(W) = 1/2 sum_d A_d (W_d - W*_d)^2`` with additive
  gradient noise of total variance ``sigma^2`` (per cell ``sigma^2 / D``),
  Gaussian or Rademacher (``+/- sigma/sqrt(D)`` with probability 1/2 each);
* ``pulse_mode="noiseless"`` (the dw_min -> 0 limit the theorems analyse),
  without clipping: the device bounds are never reached by these runs, and
  the visited range is returned so a caller can check it.

Each iteration is a fixed sequence of in-place numpy operations on
``(replicates, D)`` arrays; the noise for a block of iterations is drawn at
once and the observables (``f(W_bar_k) - f*``, ``||W_k - W*||^2``,
``||P_k - Q_k||^2``, ``||G_p(P_k)||^2``, ``E|grad f(W_bar_k; xi)|_d``) are
reduced per block, vectorised over time. The step sizes alpha, beta, eta
and the chopper probability p may differ per replicate (shape
``(replicates,)``), so runs tuned to several horizons share one loop.

The stream of random numbers is that of :func:`algorithms.run
<sptheory.algorithms.base.run>` with :class:`~sptheory.objectives.Quadratic`
(Gaussian) or :class:`~sptheory.objectives.RademacherQuadratic` for RIDER
(p = 0): one draw of shape ``(replicates, D)`` per iteration. With p > 0
the chopper flips are drawn per block after the noise, so the stream differs
from ``run``'s (which interleaves them); ``draws=`` replays given draws for
a like-for-like comparison (``tests/test_lean.py``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["LeanRun", "NOISE_KINDS", "ENGINES", "rider_tanh_quadratic"]

NOISE_KINDS = ("gaussian", "rademacher")
ENGINES = ("auto", "numpy", "numba")


def _kernel():
    """The compiled RIDER block (``sptheory._lean_kernels.rider_block``), or None when numba is
    missing or ``SPTHEORY_NO_NUMBA=1`` (the same switch as ``sptheory._fused``)."""
    from .. import _fused

    if _fused.switched_off():
        return None
    try:
        from .._lean_kernels import rider_block
    except ImportError:
        return None
    return rider_block


class LeanRun(NamedTuple):
    """What :func:`rider_tanh_quadratic` returns. ``R`` replicates, ``D`` cells.

    k           checkpoints K' (ascending ints, 1 <= K' <= K)
    f_gap_sum   (len(k), R): sum_{j<K'} f(W_bar_j) - f*
    w_dist_sum  (len(k), R): sum_{j<K'} ||W_j - W*||^2
    pq_sum      (len(k), R): sum_{j<K'} ||P_j - Q_j||^2
    gp_sum      (len(k), R): sum_{j<K'} ||G_p(P_j)||^2
    c_star_min  (R,): min over j < K and cells d of E_xi|grad f(W_bar_j; xi)_d|
                (exact for the noise law: the measured Assumption 3.6 constant along the run)
    P_min, P_max, W_min, W_max, Q_min, Q_max  (R, D): range visited over j <= K
    W, P, Q, c  final state (c: (R,) chopper signs)
    programs    (R,): reprogramming events of E-RIDER's analog reference copy
    """

    k: np.ndarray
    f_gap_sum: np.ndarray
    w_dist_sum: np.ndarray
    pq_sum: np.ndarray
    gp_sum: np.ndarray
    c_star_min: np.ndarray
    P_min: np.ndarray
    P_max: np.ndarray
    W_min: np.ndarray
    W_max: np.ndarray
    Q_min: np.ndarray
    Q_max: np.ndarray
    W: np.ndarray
    P: np.ndarray
    Q: np.ndarray
    c: np.ndarray
    programs: np.ndarray

    def average(self, name: str) -> np.ndarray:
        """Time average ``sum / K'`` of ``name`` in ``("f_gap", "w_dist", "pq", "gp")``, (len(k), R)."""
        if name not in ("f_gap", "w_dist", "pq", "gp"):
            raise ValueError(f"name must be one of 'f_gap', 'w_dist', 'pq', 'gp', got {name!r}")
        return getattr(self, f"{name}_sum") / self.k[:, None]


def _vec(name, value, D, *, positive=False, nonneg=False, below_one=False):
    a = np.asarray(value, dtype=float)
    try:
        a = np.broadcast_to(a, (D,)).copy()
    except ValueError:
        raise ValueError(f"{name} must be a scalar or have shape ({D},), got shape {np.shape(value)}") from None
    bad = ~np.isfinite(a)
    if positive:
        bad |= a <= 0
    if nonneg:
        bad |= a < 0
    if below_one:
        bad |= a >= 1
    if bad.any():
        need = "> 0" if positive else ">= 0" if nonneg else "finite"
        if below_one:
            need = "in [0, 1) (q_min = 1 - a > 0)"
        raise ValueError(f"{name} must be {need}, got {value!r}")
    return a


def _rate(name, value, R, *, upper=None, allow_zero=False):
    a = np.asarray(value, dtype=float)
    if a.ndim > 1 or (a.ndim == 1 and a.shape != (R,)):
        raise ValueError(f"{name} must be a scalar or have shape (replicates,) = ({R},), got shape {a.shape}")
    a = np.broadcast_to(a, (R,)).copy()
    ok = np.isfinite(a) & ((a >= 0) if allow_zero else (a > 0))
    if upper is not None:
        ok &= a <= upper
    if not ok.all():
        span = f"in {'[' if allow_zero else '('}0, {upper}]" if upper is not None else (">= 0" if allow_zero else "> 0")
        raise ValueError(f"{name} must be {span}, got {value!r}")
    return a[:, None]  # (R, 1): broadcasts over cells


def rider_tanh_quadratic(*, A, W_star, sigma, a_p, s_p, a_w, s_w, alpha, beta, eta, gamma, W0, P0, Q0, K,
                         rng, replicates, noise="rademacher", p=0.0, checkpoints=None, chunk=4096,
                         draws=None, engine="auto") -> LeanRun:
    """RIDER (Alg. 2; ``p = 0``) or E-RIDER (Alg. 3; ``p > 0``, analog reference copy) on
    the tanh family and a diagonal quadratic, noiseless update, for ``K`` iterations.

    One iteration (F == 1 on both arrays, ``c`` the chopper sign, ``R`` the reference):

        W_bar   = W + gamma c (P - Q)
        g       = A (W_bar - W*) + xi                               (Assumption 3.2: E xi = 0, E||xi||^2 = sigma^2)
        P_{k+1} = P - alpha c g - alpha |g| a_p tanh(P - s_p)       (11a)/(18a)
        W_{k+1} = W + beta c (P_{k+1} - R) - beta |P_{k+1} - R| a_w tanh(W - s_w)   (11b)/(18b)
        Q_{k+1} = (1 - eta) Q + eta P_{k+1}                         (12)
        c_{k+1} = -c with probability p; R = Q (RIDER) or Qt, reset to Q_{k+1} at a flip (17)

    Arguments: ``A`` (D,) curvatures (> 0); ``W_star`` (D,); ``sigma >= 0`` total
    noise standard deviation; ``noise`` in ``NOISE_KINDS``; ``a_p, s_p`` / ``a_w, s_w``
    the amplitude (in [0, 1)) and offset (the SP) of the P and W arrays (scalars or (D,));
    ``alpha, beta, eta, p``: scalars or (replicates,) arrays (alpha > 0, beta >= 0,
    eta in [0, 1], p in [0, 1]); ``gamma > 0``; ``W0, P0, Q0`` broadcast to
    (replicates, D); ``K >= 1`` iterations; ``checkpoints``: the K' (1 <= K' <= K) at
    which the running sums are kept (default: K only); ``rng`` normalised by
    ``np.random.default_rng``; ``chunk`` iterations per noise block.
    ``draws=(xi, flips)``: replay standardised noise ``xi`` (K, R, D) (unit variance per
    cell: Gaussian or +/-1) and chopper flips (K, R) bool instead of drawing (for tests).
    ``engine``: "numpy" (the reference loop), "numba" (the compiled block of
    ``sptheory._lean_kernels``, RIDER only: ``p = 0`` for every replicate; same operations
    in the same order, agreeing with "numpy" to rounding, not bit for bit, as tanh differs in the
    last ulp), or "auto" (numba for RIDER when numba is installed and ``SPTHEORY_NO_NUMBA`` is not
    1, else numpy). The random stream is the same for all engines.
    The reference is ``Q`` when ``p = 0`` for every replicate (RIDER) and the analog copy
    ``Qt`` once any replicate has ``p > 0``; a ``p = 0`` replicate of such a run then reads
    ``Q_0`` throughout (Alg. 3 as printed; erratum ``errata/erider-p0``).
    """
    if noise not in NOISE_KINDS:
        raise ValueError(f"noise must be one of {NOISE_KINDS}, got {noise!r}")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if isinstance(K, (bool, np.bool_)) or not isinstance(K, (int, np.integer)) or K < 1:
        raise ValueError(f"K must be a positive integer, got {K!r}")
    if isinstance(replicates, (bool, np.bool_)) or not isinstance(replicates, (int, np.integer)) or replicates < 1:
        raise ValueError(f"replicates must be a positive integer, got {replicates!r}")
    if not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise ValueError(f"chunk must be a positive integer, got {chunk!r}")
    W_star = np.atleast_1d(np.asarray(W_star, dtype=float))
    if W_star.ndim != 1 or not np.isfinite(W_star).all():
        raise ValueError(f"W_star must be a finite 1-D array, got {W_star!r}")
    D, R, K = W_star.size, int(replicates), int(K)
    A = _vec("A", A, D, positive=True)
    a_p, a_w = _vec("a_p", a_p, D, nonneg=True, below_one=True), _vec("a_w", a_w, D, nonneg=True, below_one=True)
    s_p, s_w = _vec("s_p", s_p, D), _vec("s_w", s_w, D)
    sigma = float(sigma)
    if not np.isfinite(sigma) or sigma < 0:
        raise ValueError(f"sigma must be a finite number >= 0, got {sigma!r}")
    gamma = float(gamma)
    if not np.isfinite(gamma) or gamma <= 0:
        raise ValueError(f"gamma must be a finite number > 0, got {gamma!r}")
    alpha = _rate("alpha", alpha, R)
    beta = _rate("beta", beta, R, allow_zero=True)
    eta = _rate("eta", eta, R, upper=1.0, allow_zero=True)
    p = _rate("p", p, R, upper=1.0, allow_zero=True)
    chopped = bool((p > 0).any())
    if engine == "numba" and chopped:
        raise ValueError("engine='numba' runs RIDER only (p = 0 for every replicate); got p > 0")
    kernel = None
    if not chopped and engine != "numpy":
        kernel = _kernel()
        if kernel is None and engine == "numba":
            raise ValueError("engine='numba' needs numba installed and SPTHEORY_NO_NUMBA unset")

    def start(name, x):
        try:
            return np.array(np.broadcast_to(np.asarray(x, dtype=float), (R, D)))
        except ValueError:
            raise ValueError(f"{name} with shape {np.shape(x)} does not broadcast to ({R}, {D})") from None

    W, P, Q = start("W0", W0), start("P0", P0), start("Q0", Q0)
    for name, x in (("W0", W), ("P0", P), ("Q0", Q)):
        if not np.isfinite(x).all():
            raise ValueError(f"{name} must be finite")
    ck = np.array([K] if checkpoints is None else checkpoints)
    if ck.ndim != 1 or ck.size == 0 or not np.issubdtype(ck.dtype, np.integer) or (ck < 1).any() or (ck > K).any() \
            or (np.diff(ck) <= 0).any():
        raise ValueError(f"checkpoints must be strictly increasing integers in [1, K={K}], got {checkpoints!r}")
    if draws is not None:
        xi_all, flips_all = draws
        xi_all, flips_all = np.asarray(xi_all, dtype=float), np.asarray(flips_all, dtype=bool)
        if xi_all.shape != (K, R, D) or flips_all.shape != (K, R):
            raise ValueError(f"draws must have shapes ({K}, {R}, {D}) and ({K}, {R}), got "
                             f"{xi_all.shape} and {flips_all.shape}")
    rng = np.random.default_rng(rng)
    scale = np.sqrt(sigma**2 / D)

    # Flat (R*D,) arrays with every parameter tiled to the same shape: same-shape 1-D ufuncs
    # are several times cheaper per call than broadcasting ones, and the call count is the cost.
    RD = R * D

    def tile(v):  # (D,) per cell or (R, 1) per replicate -> (R*D,)
        return np.ascontiguousarray(np.broadcast_to(v, (R, D))).reshape(RD)

    A_f, Ws_f, sp_f, sw_f = tile(A), tile(W_star), tile(s_p), tile(s_w)
    alpha_f, alpha_a = tile(alpha), tile(alpha * a_p)
    beta_f, beta_a = tile(beta), tile(beta * a_w)
    eta_f, one_m_eta = tile(eta), tile(1.0 - eta)
    c = np.ones(RD)
    gc = np.full(RD, gamma)
    Qt = Q.reshape(RD).copy()
    programs = np.zeros(R, dtype=np.int64)
    sums = {n: np.zeros((ck.size, R)) for n in ("f_gap", "w_dist", "pq", "gp")}
    run_sum = {n: np.zeros(R) for n in sums}
    c_min = np.full(R, np.inf)
    rngs = dict(P=[P.copy(), P.copy()], W=[W.copy(), W.copy()], Q=[Q.copy(), Q.copy()])

    n_max = min(chunk, K)
    e_buf = np.empty((n_max, RD))          # W_bar_j - W*
    t_buf = np.empty((n_max, RD))          # tanh(P_j - s_p)
    W_buf = np.empty((n_max + 1, RD))
    P_buf = np.empty((n_max + 1, RD))
    Q_buf = np.empty((n_max + 1, RD))
    u, g, h, d, x, qd = (np.empty(RD) for _ in range(6))
    sub, mul, add, ab, tanh = np.subtract, np.multiply, np.add, np.abs, np.tanh

    done = 0
    while done < K:
        n = min(n_max, K - done)
        if draws is None:
            if noise == "gaussian":
                xi = rng.standard_normal((n, R, D))
            else:
                xi = np.where(rng.random((n, R, D)) < 0.5, -1.0, 1.0)
            flips = rng.random((n, R)) < p[:, 0] if chopped else None
        else:
            xi, flips = xi_all[done:done + n], flips_all[done:done + n]
        nz = (xi * scale).reshape(n, RD)
        W_buf[0], P_buf[0], Q_buf[0] = W.reshape(RD), P.reshape(RD), Q.reshape(RD)
        if kernel is not None:
            kernel(np.ascontiguousarray(nz), A_f, Ws_f, sp_f, sw_f, gamma, alpha_f, alpha_a, beta_f, beta_a, eta_f,
                   one_m_eta, W_buf[:n + 1], P_buf[:n + 1], Q_buf[:n + 1], e_buf[:n], t_buf[:n])
        for j in range(0 if kernel is not None else n):
            Wj, Pj, Qj = W_buf[j], P_buf[j], Q_buf[j]
            W1, P1, Q1 = W_buf[j + 1], P_buf[j + 1], Q_buf[j + 1]
            e, t = e_buf[j], t_buf[j]
            sub(Pj, Qj, out=u)
            mul(gc, u, out=e)
            add(Wj, e, out=e)
            sub(e, Ws_f, out=e)                     # W_bar - W*
            mul(A_f, e, out=g)
            add(g, nz[j], out=g)                    # g = grad f(W_bar; xi)
            sub(Pj, sp_f, out=x)
            tanh(x, out=t)
            ab(g, out=h)
            mul(h, t, out=h)
            mul(h, alpha_a, out=h)                  # alpha |g| G_p(P)
            if chopped:
                mul(g, c, out=g)
            mul(g, alpha_f, out=g)
            sub(Pj, g, out=P1)
            sub(P1, h, out=P1)                      # (11a)
            sub(P1, Qt if chopped else Qj, out=d)   # P_{k+1} - reference
            sub(Wj, sw_f, out=x)
            tanh(x, out=x)
            ab(d, out=h)
            mul(h, x, out=h)
            mul(h, beta_a, out=h)                   # beta |d| G_w(W)
            if chopped:
                mul(d, c, out=d)
            mul(d, beta_f, out=d)
            add(Wj, d, out=W1)
            sub(W1, h, out=W1)                      # (11b)
            mul(Qj, one_m_eta, out=Q1)
            mul(P1, eta_f, out=qd)
            add(Q1, qd, out=Q1)                     # (12)
            if chopped:
                f = flips[j]
                if f.any():
                    cells = np.repeat(f, D)
                    c[cells] *= -1.0
                    mul(c, gamma, out=gc)
                    Qt[cells] = Q1[cells]
                    programs += f
        # per-block observables, vectorised over time (iterations done .. done + n - 1)
        e3 = e_buf[:n].reshape(n, R, D)
        f_gap = 0.5 * np.einsum("jrd,d->jr", e3**2, A)
        w_dist = np.sum((W_buf[:n].reshape(n, R, D) - W_star) ** 2, axis=-1)
        pq = np.sum((P_buf[:n] - Q_buf[:n]).reshape(n, R, D) ** 2, axis=-1)
        gp = np.sum((t_buf[:n].reshape(n, R, D) * a_p) ** 2, axis=-1)
        mean_abs = np.abs(e3 * A)
        if scale > 0:
            if noise == "rademacher":  # E|m + s eps| = max(|m|, s) for eps = +/-1
                mean_abs = np.maximum(mean_abs, scale)
            else:
                from ..objectives import abs_normal_mean

                mean_abs = abs_normal_mean(mean_abs, scale)
        c_min = np.minimum(c_min, mean_abs.min(axis=(0, 2)))
        for name, arr in (("f_gap", f_gap), ("w_dist", w_dist), ("pq", pq), ("gp", gp)):
            cs = np.cumsum(arr, axis=0) + run_sum[name]
            inside = (ck > done) & (ck <= done + n)
            sums[name][inside] = cs[ck[inside] - done - 1]
            run_sum[name] = cs[-1]
        for name, buf in (("P", P_buf), ("W", W_buf), ("Q", Q_buf)):
            lo, hi = rngs[name]
            blk = buf[:n + 1].reshape(n + 1, R, D)
            np.minimum(lo, blk.min(axis=0), out=lo)
            np.maximum(hi, blk.max(axis=0), out=hi)
        W, P, Q = (buf[n].reshape(R, D).copy() for buf in (W_buf, P_buf, Q_buf))
        done += n
    return LeanRun(ck, sums["f_gap"], sums["w_dist"], sums["pq"], sums["gp"], c_min,
                   rngs["P"][0], rngs["P"][1], rngs["W"][0], rngs["W"][1], rngs["Q"][0], rngs["Q"][1],
                   W, P, Q, c.reshape(R, D)[:, 0].copy(), programs)
