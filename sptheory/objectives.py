"""Training objectives with stochastic-gradient oracles (the paper's Sec. 3, Assumptions 3.1-3.3 and 3.6).

Each objective is vectorised over replicates: ``W`` has shape
``(replicates, D)`` (or ``(D,)``) and every method broadcasts over the
leading axes.  Each exposes the constants the theorems use:
``L`` (Assumption 3.1), ``mu`` (3.3), ``sigma2`` (3.2, the gradient-noise
variance ``E||g - grad f||^2``, at ``W*`` for least squares), ``W_star``,
``f_star``, and ``c_star(W)`` (Assumption 3.6's ``min_d E|grad f(W; xi)_d|``).
"""

from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["Quadratic", "LeastSquares", "RademacherQuadratic", "TwoPointQuadratic", "W24Thm3Quadratic",
           "abs_normal_mean", "abs_two_point_mean"]


def _as_W(W, D, name="W"):
    W = np.asarray(W, dtype=float)
    if W.shape[-1:] != (D,):
        raise ValueError(f"{name} must end with an axis of length D={D}, got shape {W.shape}")
    return W


def abs_normal_mean(m, s):
    """``E|m + s Z|`` for ``Z ~ N(0, 1)`` (folded normal mean), elementwise."""
    m = np.abs(np.asarray(m, dtype=float))
    s = np.asarray(s, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(s > 0, m / s, np.inf)
        val = s * np.sqrt(2 / np.pi) * np.exp(-0.5 * r**2) + m * special.erf(r / np.sqrt(2))
    return np.where(s > 0, val, m)


class Quadratic:
    """``f(W) = 1/2 (W - W*)^T A (W - W*) + f*`` with Gaussian gradient noise.

    ``A`` is a vector (diagonal) or an SPD matrix.  The stochastic gradient is
    ``A (W - W*) + xi`` with ``xi ~ N(0, (sigma^2/D) I)``, so
    ``E||g - grad f||^2 = sigma^2`` exactly.  ``L`` and ``mu`` are the
    extreme eigenvalues of ``A``.
    """

    def __init__(self, A, W_star, sigma=0.0, f_star=0.0):
        A = np.asarray(A, dtype=float)
        self.W_star = np.asarray(W_star, dtype=float)
        if self.W_star.ndim != 1:
            raise ValueError(f"W_star must be 1-D, got shape {self.W_star.shape}")
        D = self.W_star.size
        self.D = D
        if A.ndim == 1:
            if A.shape != (D,):
                raise ValueError(f"A (diagonal) must have shape ({D},), got {A.shape}")
            eig = A
            self.diagonal = True
        elif A.ndim == 2:
            if A.shape != (D, D) or not np.allclose(A, A.T):
                raise ValueError(f"A must be a symmetric ({D}, {D}) matrix, got shape {A.shape}")
            eig = np.linalg.eigvalsh(A)
            self.diagonal = False
        else:
            raise ValueError(f"A must be 1-D (diagonal) or 2-D, got shape {A.shape}")
        if np.any(eig <= 0):
            raise ValueError(f"A must be positive definite, smallest eigenvalue {eig.min():.3g}")
        if not np.isfinite(sigma) or sigma < 0:
            raise ValueError(f"sigma must be a finite number >= 0, got {sigma!r}")
        self.A = A
        self.L = float(eig.max())
        self.mu = float(eig.min())
        self.sigma2 = float(sigma) ** 2
        self.f_star = float(f_star)

    def _Ax(self, x):
        return self.A * x if self.diagonal else x @ self.A

    def f(self, W):
        """Objective value, one per replicate."""
        x = _as_W(W, self.D) - self.W_star
        return 0.5 * np.sum(x * self._Ax(x), axis=-1) + self.f_star

    def full_grad(self, W):
        return self._Ax(_as_W(W, self.D) - self.W_star)

    def grad(self, W, rng):
        """Stochastic gradient ``A (W - W*) + xi``, ``E||xi||^2 = sigma^2``."""
        g = self.full_grad(W)
        if self.sigma2 > 0:
            g = g + np.sqrt(self.sigma2 / self.D) * rng.standard_normal(g.shape)
        return g

    def c_star(self, W):
        """``min_d E|g_d(W)|`` (Assumption 3.6), exact for the Gaussian noise."""
        return abs_normal_mean(self.full_grad(W), np.sqrt(self.sigma2 / self.D)).min(axis=-1)


class LeastSquares:
    """``f(W) = 1/(2n) ||X W - y||^2`` with minibatch stochastic gradients.

    A minibatch draws ``batch`` rows uniformly with replacement;
    ``g = X_b^T (X_b W - y_b) / batch``.  ``sigma2`` is the exact gradient
    noise variance at ``W*``: ``(1/batch) (1/n) sum_i ||x_i r_i||^2`` with
    ``r = X W* - y`` (the full gradient vanishes there).
    """

    def __init__(self, X, y, batch=1):
        X = np.asarray(X, dtype=float)
        y = np.asarray(y, dtype=float)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D (n, D), got shape {X.shape}")
        if y.shape != (X.shape[0],):
            raise ValueError(f"y must have shape ({X.shape[0]},), got {y.shape}")
        if not isinstance(batch, (int, np.integer)) or batch < 1:
            raise ValueError(f"batch must be a positive integer, got {batch!r}")
        if X.shape[0] < 1 or batch > X.shape[0]:
            raise ValueError(f"batch must lie in [1, n] = [1, {X.shape[0]}] (rows of X), got {batch!r}")
        self.X, self.y, self.batch = X, y, int(batch)
        self.n, self.D = X.shape
        H = X.T @ X / self.n
        eig = np.linalg.eigvalsh(H)
        if eig.min() <= 1e-12 * eig.max():
            raise ValueError("X^T X is singular: least squares is not strongly convex")
        self.H = H
        self.L, self.mu = float(eig.max()), float(eig.min())
        self.W_star = np.linalg.solve(H, X.T @ y / self.n)
        r = X @ self.W_star - y
        self.f_star = float(0.5 * np.mean(r**2))
        self._resid_star = r
        self.sigma2 = float(np.mean(np.sum((X * r[:, None]) ** 2, axis=1)) / self.batch)

    @classmethod
    def synthetic(cls, n, D, rng, noise=0.1, cond=10.0, batch=1, w_scale=0.3):
        """Random problem: features with singular values spread over ``[1, sqrt(cond)]``,
        ``y = X w_true + noise * N(0, 1)``, ``w_true ~ w_scale N(0, 1)``.

        Needs ``n >= D >= 1`` (otherwise X^T X is singular) and ``1 <= batch <= n``.
        """
        for name, v in (("n", n), ("D", D)):
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"{name} must be a positive integer, got {v!r}")
        if n < D:
            raise ValueError(f"n must be at least D = {D} for a strongly convex problem, got n={n!r}")
        if not isinstance(batch, (int, np.integer)) or not 1 <= batch <= n:
            raise ValueError(f"batch must be an integer in [1, n] = [1, {n}], got {batch!r}")
        if not (np.isfinite(noise) and noise >= 0):
            raise ValueError(f"noise must be finite and >= 0, got {noise!r}")
        if not (np.isfinite(cond) and cond >= 1):
            raise ValueError(f"cond must be finite and >= 1, got {cond!r}")
        rng = np.random.default_rng(rng)
        U, _ = np.linalg.qr(rng.standard_normal((n, D)))
        V, _ = np.linalg.qr(rng.standard_normal((D, D)))
        s = np.sqrt(np.geomspace(1.0, cond, D)) * np.sqrt(n)
        X = (U * s) @ V.T
        w_true = w_scale * rng.standard_normal(D)
        y = X @ w_true + noise * rng.standard_normal(n)
        return cls(X, y, batch=batch)

    def f(self, W):
        W = _as_W(W, self.D)
        r = W @ self.X.T - self.y
        return 0.5 * np.mean(r**2, axis=-1)

    def full_grad(self, W):
        W = _as_W(W, self.D)
        return (W @ self.X.T - self.y) @ self.X / self.n

    def grad(self, W, rng):
        """Minibatch gradient, one independent minibatch per replicate."""
        W = _as_W(W, self.D)
        lead = W.shape[:-1]
        idx = rng.integers(0, self.n, size=lead + (self.batch,))
        Xb = self.X[idx]  # (..., batch, D)
        r = np.einsum("...bd,...d->...b", Xb, W) - self.y[idx]
        return np.einsum("...bd,...b->...d", Xb, r) / self.batch

    def c_star(self, W, rng=None, samples=4096):
        """``min_d E|g_d(W)|``: exact for ``batch = 1`` (average over rows), a Monte
        Carlo estimate from ``samples`` minibatches otherwise."""
        W = _as_W(W, self.D)
        if self.batch == 1:
            r = W @ self.X.T - self.y  # (..., n)
            return np.mean(np.abs(r[..., :, None] * self.X), axis=-2).min(axis=-1)
        rng = np.random.default_rng(rng)
        reps = np.broadcast_to(W, (samples,) + W.shape)
        return np.mean(np.abs(self.grad(reps, rng)), axis=0).min(axis=-1)


class RademacherQuadratic(Quadratic):
    """:class:`Quadratic` (diagonal ``A``) whose gradient noise is Rademacher:
    ``g = A (W - W*) + (sigma/sqrt(D)) eps``, ``eps_d = +/-1`` with probability 1/2 each.

    Assumption 3.2 holds with ``E||g - grad f||^2 = sigma^2`` exactly, and
    Assumption 3.6 holds everywhere with ``C_star = sigma/sqrt(D)``:
    ``E|m + s eps| = max(|m|, s)``, so ``E|g_d| >= sigma/sqrt(D)`` at every W,
    the largest constant any noise of that variance allows (at ``grad f = 0``,
    ``E|xi_d| <= sqrt(E xi_d^2)``). Used for the Thm 3.7 counterexample.
    """

    def __init__(self, A, W_star, sigma=0.0, f_star=0.0):
        if np.ndim(A) != 1:
            raise ValueError(f"A must be 1-D (diagonal) for RademacherQuadratic, got shape {np.shape(A)}")
        super().__init__(A, W_star, sigma=sigma, f_star=f_star)

    def grad(self, W, rng):
        """Stochastic gradient ``A (W - W*) + (sigma/sqrt(D)) eps``, one uniform draw per entry."""
        g = self.full_grad(W)
        if self.sigma2 > 0:
            g = g + np.sqrt(self.sigma2 / self.D) * np.where(rng.random(g.shape) < 0.5, -1.0, 1.0)
        return g

    def c_star(self, W):
        """``min_d E|g_d(W)| = min_d max(|grad f(W)_d|, sigma/sqrt(D))`` (exact)."""
        return np.maximum(np.abs(self.full_grad(W)), np.sqrt(self.sigma2 / self.D)).min(axis=-1)


def _two_point_values(p):
    p = float(p)
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must lie in (0, 1), got {p!r}")
    return np.sqrt((1 - p) / p), np.sqrt(p / (1 - p))


def abs_two_point_mean(m, s, p):
    """``E|m + s xi|`` for the two-point ``xi = sqrt((1-p)/p)`` w.p. p, ``-sqrt(p/(1-p))`` w.p. 1 - p
    (mean 0, variance 1), elementwise."""
    a, b = _two_point_values(p)
    m = np.asarray(m, dtype=float)
    return p * np.abs(m + s * a) + (1 - p) * np.abs(m - s * b)


class TwoPointQuadratic(Quadratic):
    """:class:`Quadratic` (diagonal ``A``) with two-point gradient noise (W24's lower-bound oracle):
    ``g = A (W - W*) + (sigma/sqrt(D)) xi``, ``xi_d = sqrt((1-p)/p)`` with probability p and
    ``-sqrt(p/(1-p))`` otherwise (mean 0, variance 1; ``p = 1/2`` is :class:`RademacherQuadratic`).
    ``E|xi| = 2 sqrt(p (1 - p))``."""

    def __init__(self, A, W_star, sigma=0.0, p=0.5, f_star=0.0):
        if np.ndim(A) != 1:
            raise ValueError(f"A must be 1-D (diagonal) for TwoPointQuadratic, got shape {np.shape(A)}")
        self.a, self.b = _two_point_values(p)
        self.p = float(p)
        super().__init__(A, W_star, sigma=sigma, f_star=f_star)

    def grad(self, W, rng):
        """Stochastic gradient ``A (W - W*) + (sigma/sqrt(D)) xi``, one uniform draw per entry."""
        g = self.full_grad(W)
        if self.sigma2 > 0:
            xi = np.where(rng.random(g.shape) < self.p, self.a, -self.b)
            g = g + np.sqrt(self.sigma2 / self.D) * xi
        return g

    def c_star(self, W):
        """``min_d E|g_d(W)|`` (exact)."""
        return abs_two_point_mean(self.full_grad(W), np.sqrt(self.sigma2 / self.D), self.p).min(axis=-1)


class W24Thm3Quadratic(Quadratic):
    """W24 Thm 3's instance exactly (arXiv 2406.12774 v1, App. G.2, eqs. (66)-(67)):
    ``f(W) = L/2 ||W - W*||^2`` with ``W* = w* 1`` in R^D, and the state-dependent two-point noise
    ``eps_k = xi_k 1`` (one draw shared by all D coordinates),
    ``xi_k = (sigma/sqrt(D)) sqrt((1-p_k)/p_k)`` w.p. ``p_k``, ``-(sigma/sqrt(D)) sqrt(p_k/(1-p_k))`` otherwise,
    ``p_k = (1 - w_k/tau)/2`` with ``w_k`` the common coordinate of ``W_k = w_k 1`` (the iterates stay on
    that line: every coordinate gets the same update).  ``E eps = 0``, ``E||eps||^2 = sigma^2``.

    L: curvature (> 0); w_star: the common minimiser coordinate (the theorem asks ``|w*| <= tau/4``);
    sigma: noise level (the theorem asks ``sigma <= tau L sqrt(D)/(4 sqrt 3)``); tau: the device bound;
    D: dimension.  The theorem's own conditions are not enforced here (a claim measures them); only
    well-definedness is: ``|w| < tau`` where the noise is drawn (else ``p_k`` is 0 or 1).
    """

    def __init__(self, L, w_star, sigma, tau, D):
        for name, v in (("L", L), ("sigma", sigma), ("tau", tau)):
            if not (np.isscalar(v) and np.isfinite(v) and v > 0):
                raise ValueError(f"{name} must be a positive finite number, got {v!r}")
        if not (isinstance(D, (int, np.integer)) and D >= 1):
            raise ValueError(f"D must be an integer >= 1, got {D!r}")
        if not (np.isscalar(w_star) and np.isfinite(w_star) and abs(w_star) < tau):
            raise ValueError(f"w_star must be a finite number inside (-tau, tau), got {w_star!r}")
        self.tau = float(tau)
        self.w_star = float(w_star)
        self.sigma_D = float(sigma) / np.sqrt(D)
        super().__init__(np.full(int(D), float(L)), np.full(int(D), float(w_star)), sigma=float(sigma))

    def noise_probability(self, W):
        """``p_k = (1 - w_k/tau)/2`` (eq. (67)), ``w_k = W[..., 0]``."""
        w = _as_W(W, self.D)[..., 0]
        if not np.all(np.abs(w) < self.tau):
            raise ValueError(f"W must lie inside (-tau, tau) = (-{self.tau}, {self.tau}), got max |w| = "
                             f"{float(np.max(np.abs(w)))}")
        return 0.5 * (1.0 - w / self.tau)

    def noise_values(self, W):
        """The two values ``(xi_plus, xi_minus)`` of eq. (67) at ``W`` (``xi_minus < 0``)."""
        p = self.noise_probability(W)
        return self.sigma_D * np.sqrt((1 - p) / p), -self.sigma_D * np.sqrt(p / (1 - p))

    def grad(self, W, rng):
        """``L (W - W*) + xi_k 1`` with ``xi_k`` drawn once per row of ``W`` (eq. (66))."""
        g = self.full_grad(W)
        p = self.noise_probability(W)
        xp, xm = self.noise_values(W)
        xi = np.where(rng.random(p.shape) < p, xp, xm)
        return g + xi[..., None]
