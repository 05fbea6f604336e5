"""Resistive-cell response models (the paper's Sec. 1-2 and App. F).

One pulse moves a cell by ``+dw_min * q_plus(w)`` (up) or ``-dw_min * q_minus(w)``
(down).  With ``F = (q_minus + q_plus)/2`` and ``G = (q_minus - q_plus)/2``
(the paper's eq. (6)) the symmetric point (SP, Def. 1.1) is the root of ``G``.

Every family takes its parameters as floats or per-cell arrays; they are
broadcast together once at construction, and every method broadcasts its
argument ``w`` against that per-cell shape (so ``w`` of shape
``(replicates, cells)`` works with parameters of shape ``(cells,)``).

An ``offset`` ``s`` shifts the curves along ``w``: ``q(w) -> q(w - s)``, so the
SP and both weight bounds move by ``+s``.  This models a reference that does
not sit at the device's SP.

Families
--------
SoftBounds     eq. (103): ``q_plus = a_up (1 - x/tau_max)``, ``q_minus = a_dn (1 + x/tau_min)``,
               magnitudes ``tau_max, tau_min > 0``; affine, so pulse runs and
               zero-shifting moments have closed forms.
Power          ``q_plus = a_up (1 - x/tau_max)^gamma``, ``q_minus = a_dn (1 + x/tau_min)^gamma_dn``
               (Wu et al. 2025, App. K, with amplitudes to move the SP).
Exponential    ``q_pm = a (exp(gamma (1 -/+ x/tau)) - 1) / (exp(gamma) - 1)``
               (Wu et al. 2025, eq. 149).
Custom         two callables, or step sizes tabulated at nodes (aihwkit
               PiecewiseStep-like) and linearly interpolated.

Here ``x = w - offset``.

Presets and network arrays
--------------------------
:data:`PRESETS` holds aihwkit-style soft-bounds settings (:class:`PresetSpec`,
checked field by field).  :func:`network_devices` builds the fast array (P
of RIDER/E-RIDER, A of Tiki-Taka/AGAD; with the per-cell reference offsets)
and the slow array (W, C) of every layer of a network, each from its own
spec: ``network_devices("hfo2", shapes, seed, slow="fine")`` pairs the
4-state HfO2 fast array with the 200-state ``"fine"`` slow array, and
``slow=None`` uses the fast spec for both.  Its result carries each array's
cycle-to-cycle noise (``c2c_fast``, ``c2c_slow``; ``.c2c`` is the pair the
two-array algorithms take).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

__all__ = [
    "Device",
    "DeviceConstants",
    "SoftBounds",
    "Tanh",
    "Power",
    "Exponential",
    "Custom",
    "soft_bounds_variation",
    "PresetSpec",
    "PRESETS",
    "preset",
    "with_write_noise",
    "NetworkDevices",
    "network_devices",
    "stack_devices",
]

_BISECTION_STEPS = 64  # interval width shrinks by 2^-64: below float64 resolution


class DeviceConstants(NamedTuple):
    """Response constants over a stated interval ``[w_lo, w_hi]`` (per cell).

    q_min, q_max : bounds of Def. 2.1, ``q_min <= q_plus, q_minus <= q_max``.
    mu_q  : Def. C.1 modulus, ``min(q_minus', -q_plus')`` (the paper's mu_q).
    mu_G  : true strong-monotonicity modulus of G, ``min G' = min (q_minus' - q_plus')/2``
            (at least mu_q).
    L_q   : Lipschitz constant of G, ``max |G'|``.
    """

    q_min: np.ndarray
    q_max: np.ndarray
    mu_q: np.ndarray
    mu_G: np.ndarray
    L_q: np.ndarray


def _param(name: str, value, *, positive: bool = False, nonneg: bool = False) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a number or an array of numbers, got {value!r}") from exc
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if positive and np.any(arr <= 0):
        raise ValueError(f"{name} must be > 0, got {_show(arr)}")
    if nonneg and np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0, got {_show(arr)}")
    # a private read-only copy: the caller's array cannot change the device after construction
    arr = arr.copy()
    arr.flags.writeable = False
    return arr


def _show(arr: np.ndarray) -> str:
    arr = np.asarray(arr)
    if arr.size <= 4:
        return repr(arr.tolist() if arr.ndim else float(arr))
    return f"array of shape {arr.shape} with min {arr.min():.6g}"


def _broadcast_params(params: dict[str, np.ndarray]) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(*(a.shape for a in params.values()))
    except ValueError:
        shapes = ", ".join(f"{k}{v.shape}" for k, v in params.items())
        raise ValueError(f"device parameters do not broadcast together: {shapes}") from None


class Device:
    """Base class: a per-cell response pair ``(q_plus, q_minus)`` with an offset.

    Subclasses implement the unshifted responses ``_qp(x), _qm(x)``, their
    derivatives ``_dqp, _dqm``, the unshifted bounds ``_lower0, _upper0`` and
    optionally antiderivatives ``_Qp, _Qm`` and a closed-form SP ``_sp0``.
    """

    is_affine = False
    #: aihwkit's write noise in units of dw_min (0: none); set with :func:`with_write_noise`.
    #: The pulse functions then return ``pulses.ReadOut`` arrays (hidden weight + perturbation).
    write_noise = 0.0
    # q_plus decreasing, q_minus increasing and q' monotone on the domain: the
    # extremes of q and of q' are at the interval's end points.
    _monotone_q = True
    _grid = 257  # probe points for max|G'| and min G' when not in closed form

    def __init__(self, dw_min, offset, **params):
        self.dw_min = _param("dw_min", dw_min, positive=True)
        self.offset = _param("offset", offset)
        all_params = dict(params, dw_min=self.dw_min, offset=self.offset)
        self.shape = _broadcast_params(all_params)
        self.__dict__["_frozen"] = True

    def __setattr__(self, name, value):
        # Parameters are read-only arrays and cannot be rebound after construction, so the
        # cached symmetric point (and anything derived from the parameters) never goes stale.
        if self.__dict__.get("_frozen") and not name.startswith("_"):
            raise AttributeError(f"{type(self).__name__} parameters are read-only; build a new device "
                                 f"instead of setting {name!r}")
        super().__setattr__(name, value)

    # ----- responses -------------------------------------------------------
    def _x(self, w, name="w") -> np.ndarray:
        w = np.asarray(w, dtype=float)
        try:
            np.broadcast_shapes(w.shape, self.shape)
        except ValueError:
            raise ValueError(
                f"{name} with shape {w.shape} does not broadcast with the device's per-cell shape {self.shape}"
            ) from None
        return w - self.offset

    def q_plus(self, w):
        """Up-pulse response ``q_plus(w)``; an up pulse moves w by ``dw_min * q_plus(w)``."""
        return self._qp(self._x(w))

    def q_minus(self, w):
        """Down-pulse response ``q_minus(w)``; a down pulse moves w by ``-dw_min * q_minus(w)``."""
        return self._qm(self._x(w))

    def F(self, w):
        """Symmetric part ``F = (q_minus + q_plus)/2`` (eq. (6))."""
        x = self._x(w)
        return 0.5 * (self._qm(x) + self._qp(x))

    def G(self, w):
        """Asymmetric part ``G = (q_minus - q_plus)/2`` (eq. (6)); ``G(w_sp) = 0``."""
        x = self._x(w)
        return 0.5 * (self._qm(x) - self._qp(x))

    def dG(self, w):
        """Derivative ``G'(w) = (q_minus'(w) - q_plus'(w))/2``."""
        x = self._x(w)
        return 0.5 * (self._dqm(x) - self._dqp(x))

    @property
    def lower(self) -> np.ndarray:
        """Per-cell lower weight bound (offset included); ``q_minus`` vanishes there."""
        return self._bounds()[0]

    @property
    def upper(self) -> np.ndarray:
        """Per-cell upper weight bound (offset included); ``q_plus`` vanishes there."""
        return self._bounds()[1]

    def _bounds(self):
        # parameters never change after construction, so the bounds are computed once (read-only arrays;
        # every pulse function clips to them, so recomputing them per update was a measurable cost)
        cached = self.__dict__.get("_bounds_cache")
        if cached is None:
            cached = []
            for b in (self._lower0() + self.offset, self._upper0() + self.offset):
                b = np.array(np.broadcast_to(b, self.shape), dtype=float)
                b.flags.writeable = False
                cached.append(b)
            cached = tuple(cached)
            self.__dict__["_bounds_cache"] = cached
        return cached

    @property
    def states(self) -> np.ndarray:
        """Approximate number of conductance states, ``(upper - lower)/dw_min``."""
        return (self.upper - self.lower) / self.dw_min

    # ----- symmetric point ------------------------------------------------
    def symmetric_point(self) -> np.ndarray:
        """Per-cell SP ``w_sp`` with ``G(w_sp) = 0`` (Def. 1.1, eq. (3)).

        Closed form where the family has one; otherwise a vectorised bisection
        on ``G`` over the device bounds, where ``G < 0`` at the lower bound
        (``q_minus = 0``) and ``G > 0`` at the upper bound (``q_plus = 0``).
        """
        cached = self.__dict__.get("_sp_cache")
        if cached is None:
            sp0 = self._sp0()
            if sp0 is None:
                sp0 = self._bisect_sp()
            # the parameters never change after construction, so the SP is computed once
            cached = np.broadcast_to(sp0 + self.offset, self.shape).copy()
            cached.flags.writeable = False
            self.__dict__["_sp_cache"] = cached
        return cached.copy()

    def _sp0(self):
        return None

    def _bisect_sp(self) -> np.ndarray:
        lo = np.broadcast_to(self._lower0(), self.shape).astype(float)
        hi = np.broadcast_to(self._upper0(), self.shape).astype(float)
        for _ in range(_BISECTION_STEPS):
            mid = 0.5 * (lo + hi)
            g = self._qm(mid) - self._qp(mid)
            pos = g > 0
            hi = np.where(pos, mid, hi)
            lo = np.where(pos, lo, mid)
        return 0.5 * (lo + hi)

    # ----- accumulated asymmetry ---------------------------------------------
    def phi(self, w):
        """Accumulated asymmetry ``phi(w) = integral_{w_sp}^{w} G`` per cell (eqs. (21), (98)).

        ``phi >= 0`` and ``phi(w_sp) = 0``.  Sum over cells for the paper's
        D-cell ``phi(W)``.  Closed-form antiderivatives for the built-in
        families; 64-point Gauss-Legendre quadrature otherwise.
        """
        x = self._x(w)
        sp = np.broadcast_to(self.symmetric_point() - self.offset, self.shape)
        anti = self._G_antiderivative
        if anti is not None:
            return anti(x) - anti(sp)
        nodes, weights = np.polynomial.legendre.leggauss(64)
        half = 0.5 * (x - sp)
        total = np.zeros(np.broadcast_shapes(np.shape(x), self.shape))
        for t, wt in zip(nodes, weights):
            z = sp + half * (1.0 + t)
            total = total + wt * 0.5 * (self._qm(z) - self._qp(z))
        return total * half

    @property
    def _G_antiderivative(self) -> Callable | None:
        if not hasattr(self, "_Qp"):
            return None
        return lambda x: 0.5 * (self._Qm(x) - self._Qp(x))

    # ----- constants --------------------------------------------------------
    def constants(self, w_lo, w_hi) -> DeviceConstants:
        """``q_min, q_max, mu_q, mu_G, L_q`` over ``[w_lo, w_hi]`` (per cell).

        The interval must lie strictly inside the device bounds (q vanishes at
        a bound, so Def. 2.1 cannot hold there), and ``q_min > 0`` must hold
        on it; otherwise ``ValueError``.  For the built-in families q and q'
        are monotone, so ``q_min, q_max, mu_q`` are exact (end points); ``mu_G``
        and ``L_q`` are exact for SoftBounds and evaluated on a grid of
        ``257`` points plus end points for the other families.
        """
        lo = self._x(w_lo, "w_lo")
        hi = self._x(w_hi, "w_hi")
        if np.any(hi <= lo):
            raise ValueError(f"w_hi must exceed w_lo, got w_lo={_show(lo + self.offset)}, w_hi={_show(hi + self.offset)}")
        if np.any(lo <= self._lower0()):
            raise ValueError(
                f"w_lo={_show(np.asarray(w_lo))} is not strictly inside the device's lower bound {_show(self.lower)}"
            )
        if np.any(hi >= self._upper0()):
            raise ValueError(
                f"w_hi={_show(np.asarray(w_hi))} is not strictly inside the device's upper bound {_show(self.upper)}"
            )
        if self._monotone_q:
            probes = [lo, hi]
        else:
            probes = [lo + (hi - lo) * t for t in np.linspace(0.0, 1.0, self._grid)]
        q_min = q_max = mu_q = None
        for x in probes:
            qp, qm = self._qp(x), self._qm(x)
            dqp, dqm = self._dqp(x), self._dqm(x)
            q_min = _fold(np.minimum, q_min, np.minimum(qp, qm))
            q_max = _fold(np.maximum, q_max, np.maximum(qp, qm))
            mu_q = _fold(np.minimum, mu_q, np.minimum(dqm, -dqp))
        mu_G, L_q = self._dG_extremes(lo, hi)
        if np.any(q_min <= 0):
            raise ValueError(
                f"q_min must be > 0 on [w_lo, w_hi] (Def. 2.1), got q_min={_show(q_min)}; shrink the interval"
            )
        shape = np.broadcast_shapes(np.shape(lo), np.shape(hi), self.shape)
        return DeviceConstants(*(np.broadcast_to(v, shape).copy() for v in (q_min, q_max, mu_q, mu_G, L_q)))

    def _dG_extremes(self, lo, hi):
        mn = mx = None
        for t in np.linspace(0.0, 1.0, self._grid):
            d = 0.5 * (self._dqm(lo + (hi - lo) * t) - self._dqp(lo + (hi - lo) * t))
            mn = _fold(np.minimum, mn, d)
            mx = _fold(np.maximum, mx, np.abs(d))
        return mn, mx

    def __repr__(self) -> str:
        return f"{type(self).__name__}(shape={self.shape}, dw_min={_show(self.dw_min)}, offset={_show(self.offset)})"


def _fold(op, acc, new):
    return new if acc is None else op(acc, new)


class SoftBounds(Device):
    """Linear (soft-bounds) response, eq. (103), magnitude convention.

    ``q_plus(w) = a_up (1 - x/tau_max)``, ``q_minus(w) = a_dn (1 + x/tau_min)``
    with ``x = w - offset`` and bounds ``-tau_min < x < tau_max``
    (``tau_max, tau_min > 0`` are magnitudes).  ``G`` is affine with slope
    ``G' = (a_up/tau_max + a_dn/tau_min)/2`` and

        w_sp = offset + (a_up - a_dn) / (a_up/tau_max + a_dn/tau_min).

    The paper's printed (104) has a minus sign in the denominator, which is
    the signed-bound form (erratum ``errata/sp-formula-104``); use :meth:`from_signed_bounds` for
    aihwkit's convention.
    """

    is_affine = True

    def __init__(self, a_up=1.0, a_dn=1.0, tau_max=1.0, tau_min=1.0, dw_min=1e-3, offset=0.0):
        self.a_up = _param("a_up", a_up, positive=True)
        self.a_dn = _param("a_dn", a_dn, positive=True)
        self.tau_max = _param("tau_max", tau_max, positive=True)
        self.tau_min = _param("tau_min", tau_min, positive=True)
        super().__init__(dw_min, offset, a_up=self.a_up, a_dn=self.a_dn, tau_max=self.tau_max, tau_min=self.tau_min)

    @classmethod
    def from_signed_bounds(cls, w_max, w_min, dw_up, dw_down, dw_min=None, offset=0.0) -> "SoftBounds":
        """Build from aihwkit's convention: up step ``dw_up (1 - w/w_max)``,
        down step ``dw_down (1 - w/w_min)`` with a *signed* ``w_min < 0 < w_max``
        (Rasch et al. 2024, eq. 8; SP ``(dw_up - dw_down)/(dw_up/w_max - dw_down/w_min)``).

        Maps to ``a_up = dw_up/dw_min``, ``a_dn = dw_down/dw_min``,
        ``tau_max = w_max``, ``tau_min = -w_min``; ``dw_min`` defaults to
        ``(dw_up + dw_down)/2``.
        """
        w_max = _param("w_max", w_max, positive=True)
        w_min = _param("w_min", w_min)
        if np.any(w_min >= 0):
            raise ValueError(f"w_min must be < 0 in the signed-bound convention, got {_show(w_min)}")
        dw_up = _param("dw_up", dw_up, positive=True)
        dw_down = _param("dw_down", dw_down, positive=True)
        dw = 0.5 * (dw_up + dw_down) if dw_min is None else _param("dw_min", dw_min, positive=True)
        return cls(a_up=dw_up / dw, a_dn=dw_down / dw, tau_max=w_max, tau_min=-w_min, dw_min=dw, offset=offset)

    def _qp(self, x):
        return self.a_up * (1.0 - x / self.tau_max)

    def _qm(self, x):
        return self.a_dn * (1.0 + x / self.tau_min)

    def _q_lines(self):
        """``(cp0, cp1, cm0, cm1)`` with ``q_plus(w) = cp0 + cp1 w`` and ``q_minus(w) = cm0 + cm1 w``
        (offset folded in), computed once: the update model evaluates q from them in fewer passes."""
        cached = self.__dict__.get("_lines_cache")
        if cached is None:
            s = self.offset
            cached = (self.a_up * (1.0 + s / self.tau_max), -self.a_up / self.tau_max,
                      self.a_dn * (1.0 - s / self.tau_min), self.a_dn / self.tau_min)
            self.__dict__["_lines_cache"] = cached
        return cached

    def _dqp(self, x):
        return np.broadcast_to(-self.a_up / self.tau_max, np.broadcast_shapes(np.shape(x), self.shape))

    def _dqm(self, x):
        return np.broadcast_to(self.a_dn / self.tau_min, np.broadcast_shapes(np.shape(x), self.shape))

    def _Qp(self, x):
        return self.a_up * (x - 0.5 * x * x / self.tau_max)

    def _Qm(self, x):
        return self.a_dn * (x + 0.5 * x * x / self.tau_min)

    def _lower0(self):
        return -self.tau_min

    def _upper0(self):
        return self.tau_max

    def _sp0(self):
        return (self.a_up - self.a_dn) / (self.a_up / self.tau_max + self.a_dn / self.tau_min)

    @property
    def slope(self) -> np.ndarray:
        """``G' = (a_up/tau_max + a_dn/tau_min)/2``, constant in w."""
        return 0.5 * (self.a_up / self.tau_max + self.a_dn / self.tau_min)

    def _dG_extremes(self, lo, hi):
        return self.slope, self.slope

    def pulse_steps(self):
        """Affine pulse maps ``w -> (1 - x) w + y`` (exact, per cell).

        Returns ``(x_up, y_up, x_dn, y_dn)`` with ``x_up = dw_min a_up/tau_max``,
        ``y_up = dw_min a_up (1 + s/tau_max)``, ``x_dn = dw_min a_dn/tau_min``,
        ``y_dn = -dw_min a_dn (1 - s/tau_min)`` (``s`` = offset).  The
        contraction ``x`` is returned rather than ``1 - x`` so that closed
        forms keep full precision when ``dw_min`` is tiny.
        """
        dw, s = self.dw_min, self.offset
        shp = self.shape
        x_up = np.broadcast_to(dw * self.a_up / self.tau_max, shp)
        y_up = np.broadcast_to(dw * self.a_up * (1.0 + s / self.tau_max), shp)
        x_dn = np.broadcast_to(dw * self.a_dn / self.tau_min, shp)
        y_dn = np.broadcast_to(-dw * self.a_dn * (1.0 - s / self.tau_min), shp)
        return x_up, y_up, x_dn, y_dn


class Power(Device):
    """Power response (Wu et al. 2025, App. K), ``x = w - offset``:

    ``q_plus = a_up (1 - x/tau_max)^gamma``, ``q_minus = a_dn (1 + x/tau_min)^gamma_dn``
    on ``(-tau_min, tau_max)``; ``gamma_dn`` defaults to ``gamma``.  The base
    is clamped at 0 outside the bounds.  With equal exponents the SP is
    ``(r_up - r_dn)/(r_up/tau_max + r_dn/tau_min)``, ``r = a^(1/gamma)``;
    otherwise it is found by bisection.
    """

    def __init__(self, gamma=2.0, tau_max=1.0, tau_min=1.0, dw_min=1e-3, a_up=1.0, a_dn=1.0, gamma_dn=None, offset=0.0):
        self.gamma = _param("gamma", gamma, positive=True)
        self.gamma_dn = self.gamma if gamma_dn is None else _param("gamma_dn", gamma_dn, positive=True)
        self.tau_max = _param("tau_max", tau_max, positive=True)
        self.tau_min = _param("tau_min", tau_min, positive=True)
        self.a_up = _param("a_up", a_up, positive=True)
        self.a_dn = _param("a_dn", a_dn, positive=True)
        super().__init__(
            dw_min, offset, gamma=self.gamma, gamma_dn=self.gamma_dn, tau_max=self.tau_max,
            tau_min=self.tau_min, a_up=self.a_up, a_dn=self.a_dn,
        )

    def _bp(self, x):
        return np.maximum(1.0 - x / self.tau_max, 0.0)

    def _bm(self, x):
        return np.maximum(1.0 + x / self.tau_min, 0.0)

    def _qp(self, x):
        return self.a_up * self._bp(x) ** self.gamma

    def _qm(self, x):
        return self.a_dn * self._bm(x) ** self.gamma_dn

    def _dqp(self, x):
        return -self.a_up * self.gamma / self.tau_max * self._bp(x) ** (self.gamma - 1.0)

    def _dqm(self, x):
        return self.a_dn * self.gamma_dn / self.tau_min * self._bm(x) ** (self.gamma_dn - 1.0)

    def _Qp(self, x):
        return -self.a_up * self.tau_max / (self.gamma + 1.0) * self._bp(x) ** (self.gamma + 1.0)

    def _Qm(self, x):
        return self.a_dn * self.tau_min / (self.gamma_dn + 1.0) * self._bm(x) ** (self.gamma_dn + 1.0)

    def _lower0(self):
        return -self.tau_min

    def _upper0(self):
        return self.tau_max

    def _sp0(self):
        if not np.all(self.gamma == self.gamma_dn):
            return None
        r_up = self.a_up ** (1.0 / self.gamma)
        r_dn = self.a_dn ** (1.0 / self.gamma)
        return (r_up - r_dn) / (r_up / self.tau_max + r_dn / self.tau_min)


class Exponential(Device):
    """Exponential response (Wu et al. 2025, eq. 149), ``x = w - offset``:

    ``q_plus = a_up (exp(gamma (1 - x/tau_max)) - 1)/(exp(gamma) - 1)``,
    ``q_minus = a_dn (exp(gamma (1 + x/tau_min)) - 1)/(exp(gamma) - 1)``
    on ``(-tau_min, tau_max)``.  SP 0 (plus offset) when the two halves are
    mirror images (``a_up = a_dn``, ``tau_max = tau_min``); otherwise found by
    bisection.
    """

    def __init__(self, gamma=2.0, tau_max=1.0, tau_min=1.0, dw_min=1e-3, a_up=1.0, a_dn=1.0, offset=0.0):
        self.gamma = _param("gamma", gamma, positive=True)
        self.tau_max = _param("tau_max", tau_max, positive=True)
        self.tau_min = _param("tau_min", tau_min, positive=True)
        self.a_up = _param("a_up", a_up, positive=True)
        self.a_dn = _param("a_dn", a_dn, positive=True)
        super().__init__(
            dw_min, offset, gamma=self.gamma, tau_max=self.tau_max, tau_min=self.tau_min, a_up=self.a_up, a_dn=self.a_dn
        )

    def _norm(self):
        return np.expm1(self.gamma)

    def _qp(self, x):
        return self.a_up * np.expm1(self.gamma * (1.0 - x / self.tau_max)) / self._norm()

    def _qm(self, x):
        return self.a_dn * np.expm1(self.gamma * (1.0 + x / self.tau_min)) / self._norm()

    def _dqp(self, x):
        return -self.a_up * self.gamma / self.tau_max * np.exp(self.gamma * (1.0 - x / self.tau_max)) / self._norm()

    def _dqm(self, x):
        return self.a_dn * self.gamma / self.tau_min * np.exp(self.gamma * (1.0 + x / self.tau_min)) / self._norm()

    def _Qp(self, x):
        e = np.exp(self.gamma * (1.0 - x / self.tau_max))
        return self.a_up * (-self.tau_max / self.gamma * e - x) / self._norm()

    def _Qm(self, x):
        e = np.exp(self.gamma * (1.0 + x / self.tau_min))
        return self.a_dn * (self.tau_min / self.gamma * e - x) / self._norm()

    def _lower0(self):
        return -self.tau_min

    def _upper0(self):
        return self.tau_max

    def _sp0(self):
        if np.all(self.a_up == self.a_dn) and np.all(self.tau_max == self.tau_min):
            return np.zeros(self.shape)
        return None


def _logcosh(x):
    ax = np.abs(x)
    return ax + np.log1p(np.exp(-2.0 * ax)) - np.log(2.0)


class Tanh(Device):
    """Bounded-response family ``q_plus = 1 - a tanh(x)``, ``q_minus = 1 + a tanh(x)``, ``x = w - offset``.

    ``F = 1`` and ``G = a tanh(x)``, so the SP is the offset and
    ``1 - a <= q <= 1 + a`` on the whole line: Def. 2.1 holds globally with
    ``q_min = 1 - a``, ``q_max = 1 + a`` (:attr:`global_q`), unlike the
    soft-bounds family whose q vanishes at a bound.  ``F == 1`` makes it the
    device on which RIDER's invariant ``Q - (eta/beta) W`` is exact.
    ``-bound < x < bound`` only gives the pulse engine somewhere to clip; q
    does not vanish there.  Closed-form derivatives, antiderivatives (``phi``
    exact: ``a log cosh x``) and SP.  ``a`` in ``[0, 1)``; a scalar or one
    value per cell, like ``offset``.
    """

    def __init__(self, a=0.3, offset=0.0, dw_min=1e-3, bound=5.0):
        self.a = _param("a", a, nonneg=True)
        if np.any(self.a >= 1.0):
            raise ValueError(f"a must lie in [0, 1) so that q_min = 1 - a > 0, got {_show(self.a)}")
        self.bound = _param("bound", bound, positive=True)
        super().__init__(dw_min, offset, a=self.a, bound=self.bound)

    @property
    def global_q(self) -> tuple[float, float]:
        """``(q_min, q_max) = (1 - max a, 1 + max a)``: Def. 2.1 on the whole line."""
        a = float(np.max(self.a))
        return 1.0 - a, 1.0 + a

    def _qp(self, x):
        return 1.0 - self.a * np.tanh(x)

    def _qm(self, x):
        return 1.0 + self.a * np.tanh(x)

    def _dqp(self, x):
        return -self.a / np.cosh(x) ** 2

    def _dqm(self, x):
        return self.a / np.cosh(x) ** 2

    def _Qp(self, x):
        return x - self.a * _logcosh(x)

    def _Qm(self, x):
        return x + self.a * _logcosh(x)

    def _lower0(self):
        return -self.bound

    def _upper0(self):
        return self.bound

    def _sp0(self):
        return np.zeros(self.shape)

    def _dG_extremes(self, lo, hi):
        # G' = a sech^2 x is unimodal with its peak at x = 0: the minimum sits at the end
        # point farther from 0, the maximum at 0 clipped into [lo, hi].
        far = np.maximum(np.abs(lo), np.abs(hi))
        near = np.clip(0.0, lo, hi)
        return self.a / np.cosh(far) ** 2, self.a / np.cosh(near) ** 2


class Custom(Device):
    """User-supplied responses: two vectorised callables ``q_plus(x)``, ``q_minus(x)``
    of the unshifted weight ``x = w - offset`` on ``[lower, upper]``.

    Derivatives default to central differences (step ``1e-6 (upper - lower)``)
    unless ``dq_plus``/``dq_minus`` are given.  ``phi`` uses the
    antiderivatives ``Q_plus``/``Q_minus`` when given, else quadrature; the
    SP bisection (``G`` must be negative at ``lower`` and positive at
    ``upper``).  ``constants`` evaluates on a grid of 257 points: q is not
    assumed monotone.
    """

    _monotone_q = False

    def __init__(self, q_plus, q_minus, lower, upper, dw_min, offset=0.0, dq_plus=None, dq_minus=None,
                 Q_plus=None, Q_minus=None):
        for name, fn in (("q_plus", q_plus), ("q_minus", q_minus)):
            if not callable(fn):
                raise TypeError(f"{name} must be callable, got {fn!r}")
        self._fp, self._fm = q_plus, q_minus
        self.lower0 = _param("lower", lower)
        self.upper0 = _param("upper", upper)
        if np.any(self.upper0 <= self.lower0):
            raise ValueError(f"upper must exceed lower, got lower={_show(self.lower0)}, upper={_show(self.upper0)}")
        self._fdp, self._fdm = dq_plus, dq_minus
        self._anti = (Q_plus, Q_minus) if Q_plus is not None and Q_minus is not None else None
        super().__init__(dw_min, offset, lower=self.lower0, upper=self.upper0)
        self._h = 1e-6 * (self.upper0 - self.lower0)
        g_lo = self._qm(self.lower0) - self._qp(self.lower0)
        g_hi = self._qm(self.upper0) - self._qp(self.upper0)
        if np.any(g_lo > 0) or np.any(g_hi < 0):
            raise ValueError("G must be <= 0 at lower and >= 0 at upper so that the SP is bracketed")

    @classmethod
    def from_table(cls, nodes, steps_up, steps_down, dw_min=None, offset=0.0) -> "Custom":
        """Step sizes tabulated at increasing ``nodes`` (shared by all cells),
        linearly interpolated (aihwkit PiecewiseStep-like).

        ``steps_up``/``steps_down`` have shape ``(..., len(nodes))``: one table
        per cell is allowed.  ``q = step / dw_min`` with ``dw_min`` defaulting
        to the mean tabulated step.  The bounds are the end nodes.
        """
        nodes = _param("nodes", nodes)
        if nodes.ndim != 1 or nodes.size < 2 or np.any(np.diff(nodes) <= 0):
            raise ValueError(f"nodes must be a strictly increasing 1-D array of length >= 2, got {_show(nodes)}")
        up = _param("steps_up", steps_up, nonneg=True)
        dn = _param("steps_down", steps_down, nonneg=True)
        for name, tab in (("steps_up", up), ("steps_down", dn)):
            if tab.shape[-1:] != nodes.shape:
                raise ValueError(f"{name} must end with an axis of length {nodes.size}, got shape {tab.shape}")
        dw = 0.5 * (up.mean() + dn.mean()) if dw_min is None else _param("dw_min", dw_min, positive=True)

        gaps = np.diff(nodes)
        cum_up = np.concatenate([np.zeros(up.shape[:-1] + (1,)), np.cumsum(0.5 * (up[..., 1:] + up[..., :-1]) * gaps, -1)], -1)
        cum_dn = np.concatenate([np.zeros(dn.shape[:-1] + (1,)), np.cumsum(0.5 * (dn[..., 1:] + dn[..., :-1]) * gaps, -1)], -1)

        def segment(tab, x):
            """Left value, slope and offset inside the segment holding x (per element)."""
            x = np.clip(np.asarray(x, dtype=float), nodes[0], nodes[-1])
            idx = np.clip(np.searchsorted(nodes, x, side="right") - 1, 0, nodes.size - 2)
            shape = np.broadcast_shapes(x.shape, tab.shape[:-1])
            full = np.broadcast_to(tab, shape + tab.shape[-1:])
            idx = np.broadcast_to(idx, shape)[..., None]
            left = np.take_along_axis(full, idx, -1)[..., 0]
            right = np.take_along_axis(full, idx + 1, -1)[..., 0]
            return left, (right - left) / gaps[idx[..., 0]], x - nodes[idx[..., 0]], idx

        def interp(tab, x):
            left, slope, dx, _ = segment(tab, x)
            return (left + slope * dx) / dw

        def slope(tab, x):
            return segment(tab, x)[1] / dw

        def integral(tab, cum, x):
            left, sl, dx, idx = segment(tab, x)
            base = np.take_along_axis(np.broadcast_to(cum, idx.shape[:-1] + cum.shape[-1:]), idx, -1)[..., 0]
            return (base + left * dx + 0.5 * sl * dx * dx) / dw

        return cls(
            q_plus=lambda x: interp(up, x),
            q_minus=lambda x: interp(dn, x),
            lower=nodes[0],
            upper=nodes[-1],
            dw_min=dw,
            offset=offset,
            dq_plus=lambda x: slope(up, x),
            dq_minus=lambda x: slope(dn, x),
            Q_plus=lambda x: integral(up, cum_up, x),
            Q_minus=lambda x: integral(dn, cum_dn, x),
        )

    @property
    def _G_antiderivative(self):
        if self._anti is None:
            return None
        Qp, Qm = self._anti
        return lambda x: 0.5 * (np.asarray(Qm(x), dtype=float) - np.asarray(Qp(x), dtype=float))

    def _qp(self, x):
        return np.asarray(self._fp(x), dtype=float)

    def _qm(self, x):
        return np.asarray(self._fm(x), dtype=float)

    def _dqp(self, x):
        if self._fdp is not None:
            return np.asarray(self._fdp(x), dtype=float)
        return (self._qp(x + self._h) - self._qp(x - self._h)) / (2 * self._h)

    def _dqm(self, x):
        if self._fdm is not None:
            return np.asarray(self._fdm(x), dtype=float)
        return (self._qm(x + self._h) - self._qm(x - self._h)) / (2 * self._h)

    def _lower0(self):
        return self.lower0

    def _upper0(self):
        return self.upper0


# ----- device-to-device variation and presets -----------------------------------

def soft_bounds_variation(
    shape,
    rng,
    dw_min,
    sigma_d2d=0.0,
    sigma_pm=0.0,
    sigma_bounds=0.0,
    tau_max=1.0,
    tau_min=1.0,
    offset=0.0,
    lognormal=True,
    sigma_bounds_min=None,
    fold=False,
) -> SoftBounds:
    """Sample a SoftBounds array with device-to-device variation (paper App. F.1; aihwkit's populate convention).

    Per cell ``g = exp(sigma_d2d xi1)`` (or ``1 + sigma_d2d xi1`` with
    ``lognormal=False``), ``r = sigma_pm xi2``, ``a_up = g + r``, ``a_dn = g - r``,
    ``tau_max (1 + sigma_bounds xi3)``, ``tau_min (1 + sigma_bounds_min xi4)``
    (``sigma_bounds_min`` defaults to ``sigma_bounds``),
    ``xi ~ N(0, 1)``.  Cells whose draws give a non-positive step or bound are
    redrawn (a physical cell moves in the pulsed direction), so for large
    sigmas the law is the normal one truncated to positive values.

    ``fold=True``: aihwkit 1.1.0's ``enforce_consistency`` instead (``PulsedRPUDevice::populate`` in
    ``rpu_pulsed_device.cpp``): no redraw; the signed bounds ``w_max = tau_max (1 + sigma_bounds xi3)``,
    ``w_min = -tau_min (1 + sigma_bounds_min xi4)`` are swapped when ``w_min > w_max``, then
    ``tau_max = |w_max|``, ``tau_min = |w_min|`` and the steps ``|a_up|``, ``|a_dn|``: the folded normal,
    which puts the mass of the negative tail at small bounds (about 5 % of the HfO2 preset's cells get a
    ``tau_min`` below 0.6 this way).  The draws are the same as without ``fold`` for every cell that
    needs no redraw.
    """
    rng = np.random.default_rng(rng)
    shape = tuple(np.atleast_1d(np.asarray(shape, dtype=int))) if np.ndim(shape) else (int(shape),)
    sigma_bounds_min = sigma_bounds if sigma_bounds_min is None else sigma_bounds_min
    for name, val in (("sigma_d2d", sigma_d2d), ("sigma_pm", sigma_pm), ("sigma_bounds", sigma_bounds),
                      ("sigma_bounds_min", sigma_bounds_min)):
        if not np.isfinite(val) or val < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {val!r}")
    out = np.empty((4,) + shape)
    if fold:  # aihwkit's enforce_consistency: one draw, swapped and folded
        xi = rng.standard_normal((4,) + shape)
        g = np.exp(sigma_d2d * xi[0]) if lognormal else 1.0 + sigma_d2d * xi[0]
        r = sigma_pm * xi[1]
        w_max = tau_max * (1 + sigma_bounds * xi[2])
        w_min = -tau_min * (1 + sigma_bounds_min * xi[3])
        swap = w_min > w_max
        w_max, w_min = np.where(swap, w_min, w_max), np.where(swap, w_max, w_min)
        out[:] = np.stack([np.abs(g + r), np.abs(g - r), np.abs(w_max), np.abs(w_min)])
        if np.any(out <= 0):  # pragma: no cover - a draw exactly at 0 has probability 0
            raise ValueError("device variation gave a zero step or bound")
        return SoftBounds(a_up=out[0], a_dn=out[1], tau_max=out[2], tau_min=out[3], dw_min=dw_min, offset=offset)
    todo = np.ones(shape, dtype=bool)
    for _ in range(1000):
        n = int(todo.sum())
        if n == 0:
            break
        xi = rng.standard_normal((4, n))
        g = np.exp(sigma_d2d * xi[0]) if lognormal else 1.0 + sigma_d2d * xi[0]
        r = sigma_pm * xi[1]
        draw = np.stack([g + r, g - r, tau_max * (1 + sigma_bounds * xi[2]), tau_min * (1 + sigma_bounds_min * xi[3])])
        out[:, todo] = draw
        todo = np.any(out <= 0, axis=0)
    else:  # pragma: no cover - needs absurd sigmas
        raise ValueError("device variation too large: could not draw positive steps and bounds")
    return SoftBounds(a_up=out[0], a_dn=out[1], tau_max=out[2], tau_min=out[3], dw_min=dw_min, offset=offset)


@dataclass(frozen=True)
class PresetSpec:
    """Realistic soft-bounds device settings (aihwkit's presets).

    ``w_min < 0 < w_max`` are signed bounds; the ``*_d2d`` fields are the
    device-to-device spreads used by :func:`soft_bounds_variation`
    (``dw_d2d`` its ``sigma_d2d``, ``up_down_d2d`` its ``sigma_pm``,
    ``w_max_d2d``/``w_min_d2d`` its ``sigma_bounds``/``sigma_bounds_min``),
    with a log-normal step spread when ``lognormal_d2d`` (``exp(dw_d2d xi)``)
    and a normal one otherwise (``1 + dw_d2d xi``, aihwkit's
    ``dw_min_dtod_log_normal=False``); ``c2c`` is the cycle-to-cycle step noise
    (pass it to the pulse functions); ``write_noise`` is aihwkit's read-out
    noise in units of dw_min (applied by :func:`with_write_noise` and
    :func:`network_devices`; :func:`preset` leaves it off).

    Every field is checked at construction (``ValueError`` naming the field):
    ``dw_min`` finite and > 0, ``w_min < 0 < w_max`` finite, spreads, ``c2c``
    and ``write_noise`` finite and >= 0.
    """

    dw_min: float
    w_min: float
    w_max: float
    dw_d2d: float = 0.0
    up_down_d2d: float = 0.0
    w_max_d2d: float = 0.0
    w_min_d2d: float = 0.0
    c2c: float = 0.0
    write_noise: float = 0.0
    source: str = ""
    lognormal_d2d: bool = True

    def __post_init__(self):
        def number(name):
            value = getattr(self, name)
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise TypeError(f"PresetSpec.{name} must be a number, got {value!r}")
            if not np.isfinite(value):
                raise ValueError(f"PresetSpec.{name} must be finite, got {value!r}")
            return float(value)

        if number("dw_min") <= 0:
            raise ValueError(f"PresetSpec.dw_min must be > 0, got {self.dw_min!r}")
        if number("w_min") >= 0:
            raise ValueError(f"PresetSpec.w_min must be < 0 (a signed lower bound), got {self.w_min!r}")
        if number("w_max") <= 0:
            raise ValueError(f"PresetSpec.w_max must be > 0, got {self.w_max!r}")
        for name in ("dw_d2d", "up_down_d2d", "w_max_d2d", "w_min_d2d", "c2c", "write_noise"):
            if number(name) < 0:
                raise ValueError(f"PresetSpec.{name} must be >= 0, got {getattr(self, name)!r}")
        if not isinstance(self.source, str):
            raise TypeError(f"PresetSpec.source must be a string, got {self.source!r}")
        if not isinstance(self.lognormal_d2d, (bool, np.bool_)):
            raise TypeError(f"PresetSpec.lognormal_d2d must be True or False, got {self.lognormal_d2d!r}")

    @property
    def states(self) -> float:
        return (self.w_max - self.w_min) / self.dw_min


PRESETS = {
    "hfo2": PresetSpec(0.4622, -1.0, 1.0, dw_d2d=0.7125, up_down_d2d=0.01, w_max_d2d=0.4295, w_min_d2d=0.5990,
                       c2c=0.2174, write_noise=0.5841, source="RRAM HfO2, Gong et al. 2022 (~4.3 states)"),
    "rram-optimized": PresetSpec(0.0949, -1.0, 1.0, source="RRAM optimized material (~21 states)"),
    "reramsb": PresetSpec(0.002, -0.75, 1.25, source="ReRamSB, Gong et al. 2018 (1000 states)"),
    "idealized": PresetSpec(2e-4, -1.0, 1.0, source="Idealized soft bounds (10000 states)"),
    # The fine slow array used with the HfO2 fast array: aihwkit 1.1.0's PulsedDevice/SoftBoundsDevice
    # defaults (dw_min_dtod 0.3 with dw_min_dtod_log_normal=False, up_down_dtod 0.01, w_max_dtod 0.3,
    # w_min_dtod 0.3, dw_min_std 0.3, write_noise_std 0) with dw_min 0.01 and bounds [-1, 1] in place of
    # aihwkit's dw_min 0.001 and [-0.6, 0.6].
    "fine": PresetSpec(0.01, -1.0, 1.0, dw_d2d=0.3, up_down_d2d=0.01, w_max_d2d=0.3, w_min_d2d=0.3, c2c=0.3,
                       write_noise=0.0, source="fine soft bounds, aihwkit SoftBounds defaults, dw_min 0.01 (200 states)",
                       lognormal_d2d=False),
}


def _resolve_spec(name: str, spec) -> PresetSpec:
    """A preset name or a :class:`PresetSpec` as a PresetSpec (argument ``name`` in the errors)."""
    if isinstance(spec, str):
        if spec not in PRESETS:
            raise ValueError(f"{name}: unknown preset {spec!r}; known: {sorted(PRESETS)}")
        return PRESETS[spec]
    if not isinstance(spec, PresetSpec):
        raise TypeError(f"{name} must be a preset name or a PresetSpec, got {type(spec).__name__} {spec!r}")
    return spec


def preset(name: str, shape=None, rng=None) -> SoftBounds:
    """A SoftBounds device from :data:`PRESETS`.

    With ``shape`` and ``rng`` the preset's device-to-device spreads are
    sampled per cell (:func:`soft_bounds_variation`); without, the nominal
    device.
    """
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; known: {sorted(PRESETS)}")
    p = PRESETS[name]
    if shape is None:
        return SoftBounds(a_up=1.0, a_dn=1.0, tau_max=p.w_max, tau_min=-p.w_min, dw_min=p.dw_min)
    if rng is None:
        raise ValueError("preset with a shape needs an rng to sample device-to-device variation")
    return soft_bounds_variation(
        shape, rng, p.dw_min, sigma_d2d=p.dw_d2d, sigma_pm=p.up_down_d2d, sigma_bounds=p.w_max_d2d,
        sigma_bounds_min=p.w_min_d2d, tau_max=p.w_max, tau_min=-p.w_min, lognormal=p.lognormal_d2d,
    )


# ----- write noise, per-cell reference offsets, devices for every layer of a network ----------

#: Most cell subsets :func:`cells_of` keeps per device (a network's column sets: 64 on the digits MLP; the
#: FCN's 784/256/128 columns give 12,544 sets, which are then rebuilt rather than all kept).
_CELLS_CACHE = 256


def cells_of(dev: Device, cells) -> Device | None:
    """The device of the cells ``cells`` (integer indices along the last axis of ``dev.shape``): the same
    family with every parameter broadcast to ``dev.shape`` and indexed ``[..., cells]``, the same write
    noise.  ``dev`` itself where its parameters do not vary along that axis (shape ``()`` or last axis of
    length 1).  ``None`` for a family it cannot rebuild (only SoftBounds, Power, Exponential and Tanh, as
    :func:`stack_devices`).  Used by the lean column writes (``algorithms.tiki_taka.write_columns`` with
    ``stream="lean"``); the subsets are cached on ``dev`` (at most ``_CELLS_CACHE`` of them)."""
    import inspect

    if not dev.shape or dev.shape[-1] == 1:
        return dev
    cls = type(dev)
    if cls not in (SoftBounds, Power, Exponential, Tanh):
        return None
    cells = np.asarray(cells, dtype=np.intp)
    cache = dev.__dict__.setdefault("_cells_cache", {})
    key = (cells.tobytes(), dev.write_noise)  # (with_write_noise copies share this cache)
    sub = cache.get(key)
    if sub is None:
        names = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
        sub = cls(**{name: np.broadcast_to(getattr(dev, name), dev.shape)[..., cells] for name in names})
        if dev.write_noise > 0.0:
            sub = with_write_noise(sub, dev.write_noise)
        if len(cache) >= _CELLS_CACHE:
            cache.clear()
        cache[key] = sub
    return sub


def with_write_noise(dev: Device, write_noise) -> Device:
    """A copy of ``dev`` whose cells have aihwkit-style write noise.

    Pulses move a hidden weight; what is read is the hidden weight plus a
    perturbation ``write_noise * dw_min * xi``, ``xi ~ N(0, 1)``, redrawn for
    a cell whenever it is pulsed.  The pulse functions of
    :mod:`sptheory.pulses` carry the perturbation in the array they return
    (``pulses.ReadOut``), so the algorithms read the perturbed weights and
    pulse the hidden ones without extra state.  ``write_noise = 0`` switches
    it off.
    """
    import copy

    if not isinstance(dev, Device):
        raise TypeError(f"dev must be a Device, got {type(dev).__name__}")
    level = float(_param("write_noise", write_noise, nonneg=True))
    if np.ndim(write_noise):
        raise ValueError(f"write_noise must be one number for the whole array, got shape {np.shape(write_noise)}")
    new = copy.copy(dev)  # same (read-only) parameters, so a cached SP stays valid
    new.__dict__["write_noise"] = level  # set once, on the new device, before anyone holds it
    return new


class NetworkDevices(NamedTuple):
    """Devices of every layer of a network, each over all ``D`` cells (layers concatenated).

    fast       the fast array (P of RIDER/E-RIDER, A of Tiki-Taka/AGAD), with the per-cell
               reference offsets: SP of each cell = its device SP + ``offsets``
    slow       the slow array (W of RIDER, C of Tiki-Taka), no offsets
    offsets    the fast array's per-cell offsets ``ref_mean + ref_std * xi`` (shape ``(D,)``)
    c2c_fast   the fast spec's cycle-to-cycle noise
    c2c_slow   the slow spec's cycle-to-cycle noise (single-array methods run on the slow array: pass
               this one to ``AnalogSGD``)
    fast_spec  the :class:`PresetSpec` of the fast array
    slow_spec  the :class:`PresetSpec` of the slow array

    ``c2c`` is the pair ``(c2c_fast, c2c_slow)``, the form the two-array algorithms take as their
    ``c2c``; ``spec`` is ``fast_spec`` (read-only conveniences; to change the noise use
    ``_replace(c2c_fast=..., c2c_slow=...)``).
    """

    fast: Device
    slow: Device
    offsets: np.ndarray
    c2c_fast: float
    c2c_slow: float
    fast_spec: PresetSpec
    slow_spec: PresetSpec

    @property
    def c2c(self) -> tuple:
        """``(c2c_fast, c2c_slow)``: pass it as a two-array algorithm's ``c2c``."""
        return (self.c2c_fast, self.c2c_slow)

    @property
    def spec(self) -> PresetSpec:
        """The fast array's spec (``fast_spec``)."""
        return self.fast_spec


def network_devices(fast, layer_shapes, seed, ref_mean=0.0, ref_std=0.0, write_noise=True,
                    slow=None, fold=False) -> NetworkDevices:
    """Build the fast and slow arrays of every layer from their specs and one seed.

    ``fast`` and ``slow`` are preset names (:data:`PRESETS`) or
    :class:`PresetSpec`; ``slow=None`` uses the fast spec for both arrays
    (e.g. ``network_devices("hfo2", shapes, seed, slow="fine")`` pairs the
    4-state HfO2 fast array with a 200-state slow one).  ``layer_shapes`` are
    the ``(n_out, n_in)`` of each layer (e.g. ``nn.MLP.layer_shapes``), their
    cells concatenated in order.  From ``np.random.Generator(PCG64(seed))``
    three independent streams (``spawn(3)``) draw the fast array's
    device-to-device variation, the slow array's, and the fast array's
    per-cell offsets ``N(ref_mean, ref_std^2)`` -- the reference off the SP
    of the paper's Tables 1-2 (aihwkit subtracts a per-cell reference
    ``ref_mean + ref_std xi`` from the read; here the curves shift by the
    offset, so the SP moves by it).  The offsets sit on the fast array only.
    Because the streams are separate, the fast array and the offsets do not
    depend on ``slow``, and ``slow=None`` reproduces the single-spec arrays
    bit for bit.  With ``write_noise`` each array gets its own spec's write
    noise (:func:`with_write_noise`).  ``fold=True``: both arrays' variation as aihwkit's
    ``enforce_consistency`` folds it (:func:`soft_bounds_variation`); default the truncated law.
    """
    from . import _validate

    write_noise = _validate.boolean("write_noise", write_noise)
    seed = _validate.seed("seed", seed)
    ref_mean = _validate.number("ref_mean", ref_mean)
    ref_std = _validate.number("ref_std", ref_std, lo=0.0)
    fast_spec = _resolve_spec("fast", fast)
    slow_spec = fast_spec if slow is None else _resolve_spec("slow", slow)
    try:
        shapes = [tuple(s) for s in layer_shapes]
    except TypeError:
        raise TypeError(f"layer_shapes must be a sequence of (n_out, n_in) pairs, got {layer_shapes!r}") from None
    if not shapes or any(len(s) != 2 for s in shapes):
        raise ValueError(f"layer_shapes must be non-empty (n_out, n_in) pairs of positive sizes, got {layer_shapes!r}")
    shapes = [tuple(_validate.positive_int(f"layer_shapes[{k}][{j}]", v) for j, v in enumerate(s))
              for k, s in enumerate(shapes)]
    for name, v in (("ref_mean", ref_mean), ("ref_std", ref_std)):
        if not np.isfinite(v):
            raise ValueError(f"{name} must be finite, got {v!r}")
    if ref_std < 0:
        raise ValueError(f"ref_std must be >= 0, got {ref_std!r}")
    D = sum(o * i for o, i in shapes)
    fast_rng, slow_rng, ref_rng = np.random.Generator(np.random.PCG64(seed)).spawn(3)
    offsets = ref_mean + ref_std * ref_rng.standard_normal(D)

    def build(spec, rng, offset):
        dev = soft_bounds_variation(
            (D,), rng, spec.dw_min, sigma_d2d=spec.dw_d2d, sigma_pm=spec.up_down_d2d, sigma_bounds=spec.w_max_d2d,
            sigma_bounds_min=spec.w_min_d2d, tau_max=spec.w_max, tau_min=-spec.w_min, offset=offset,
            lognormal=spec.lognormal_d2d, fold=fold,
        )
        return with_write_noise(dev, spec.write_noise) if write_noise and spec.write_noise > 0 else dev

    return NetworkDevices(build(fast_spec, fast_rng, offsets), build(slow_spec, slow_rng, 0.0), offsets,
                          float(fast_spec.c2c), float(slow_spec.c2c), fast_spec, slow_spec)


# ----- stacking per-seed devices into one simulation -------------------------------------------

def stack_devices(devs) -> Device:
    """One device whose parameters stack those of ``devs`` along a new leading axis.

    ``devs`` is a sequence of ``R`` devices of one family (SoftBounds, Power,
    Exponential or Tanh; same class) whose per-cell shapes agree, e.g. the
    fast arrays of :func:`network_devices` for ``R`` seeds, each of shape
    ``(D,)``.  The result has parameters of shape ``(R, D)``: row ``r`` is
    ``devs[r]`` (scalar parameters are broadcast to the cells first; devices
    with scalar parameters only stack to ``(R, 1)``).  Train
    it on weights of shape ``(R, D)`` and replicate ``r`` sees its own
    device -- its own device-to-device draws, offsets, SP and bounds -- in
    every pulse function and algorithm, which broadcast device parameters
    against the weights.  With ``R`` copies of one device the results are
    bit for bit those of that device with ``R`` replicates.  The write noise
    (one level per array) must be equal across ``devs``.
    """
    import inspect

    try:
        devs = list(devs)
    except TypeError:
        raise TypeError(f"devs must be a sequence of devices, got {type(devs).__name__}") from None
    if not devs:
        raise ValueError("devs must hold at least one device, got an empty sequence")
    for k, d in enumerate(devs):
        if not isinstance(d, Device):
            raise TypeError(f"devs[{k}] must be a sptheory.devices.Device, got {type(d).__name__}")
    cls = type(devs[0])
    if cls not in (SoftBounds, Power, Exponential, Tanh):
        raise TypeError(f"stack_devices supports SoftBounds, Power, Exponential and Tanh, got {cls.__name__}")
    for k, d in enumerate(devs):
        if type(d) is not cls:
            raise TypeError(f"devs[{k}] is a {type(d).__name__}, devs[0] a {cls.__name__}: stack one family")
        if d.shape != devs[0].shape:
            raise ValueError(f"devs[{k}] has per-cell shape {d.shape}, devs[0] has {devs[0].shape}")
        if d.write_noise != devs[0].write_noise:
            raise ValueError(f"devs[{k}] has write_noise {d.write_noise}, devs[0] has {devs[0].write_noise}: "
                             "the write noise is one level per array")
    shape = devs[0].shape or (1,)  # scalar devices stack to (R, 1): one row per replicate, broadcast over cells
    names = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    params = {name: np.stack([np.broadcast_to(getattr(d, name), shape) for d in devs]) for name in names}
    stacked = cls(**params)
    level = devs[0].write_noise
    return with_write_noise(stacked, level) if level > 0.0 else stacked
