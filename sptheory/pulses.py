"""Applying a requested signed increment ``dW`` to analog cells (eqs. (2), (5); Assumption 3.4).

Two realisations of the paper's Analog Update (2), (5):

* :func:`apply_exact` -- pulse-exact.  ``n = stochastic_round(|dW| / dw_min)``
  pulses of sign ``sign(dW)`` are fired one after another, each evaluating
  ``q`` at the current weight; optional cycle-to-cycle noise multiplies each
  pulse's step by ``(1 + c2c * xi)``, ``xi ~ N(0, 1)`` (Gaussian, as in
  aihwkit's ``dw_min_std``: for ``xi < -1/c2c`` a pulse moves the wrong way,
  a ``1/c2c``-sigma event); weights are clipped to the device bounds after
  every pulse.
* :func:`apply_model` -- the update model ``W + dW F(W) - |dW| G(W) + b``
  with a Gaussian ``b`` whose mean (0) and variance match the pulse
  discretization to first order.

Both return the per-cell pulse count: pulses are the cost the paper counts.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from . import _fused, _fused_nn, _validate
from .devices import Device

__all__ = [
    "PulseResult", "stochastic_round", "apply_exact", "apply_model", "model_noise_variance",
    "ReadOut", "hidden_weights", "apply_counts", "Trains", "RankOneUpdate", "apply_trains", "train_count_moments",
    "MAX_EXACT_PULSES", "MAX_EXACT_WORK", "MAX_BL", "AdditiveC2C", "train_lengths", "STREAMS", "check_stream",
]

#: Largest pulse count per cell and call of the exact mode (:func:`apply_exact`, :func:`apply_counts`):
#: 2^53, beyond which a float request ``|dW|/dw_min`` no longer holds integers exactly (and 2^63
#: would wrap the int64 count negative).  A larger request is a ValueError, never a wrapped count.
MAX_EXACT_PULSES = 2 ** 53
#: Largest work of one exact-mode call that fires pulses one after another (devices that are not
#: affine, or cycle-to-cycle noise): ``max pulses per cell x cells``.  Measured on the 2-core machine of
#: the project: 1e8 cell-pulses (1000 pulses on 1e5 HfO2-like cells with c2c) take 2.3 s, so the limit is
#: about 25 s of NumPy.  (It was 1e8 at first, which refused the update-model claim's own 1e8-pulse Monte
#: Carlo in the full run.)  Above it the call refuses with a ValueError naming the update model
#: (``pulse_mode="model"``).  Affine devices without c2c noise take any count up to
#: :data:`MAX_EXACT_PULSES` in closed form.
MAX_EXACT_WORK = 10 ** 9
#: Longest pulse train of :class:`Trains` / :func:`apply_trains` (aihwkit's default is 31, the paper's 5).
MAX_BL = 1000
#: The random streams of the pulse functions (their ``stream`` argument, the algorithms' ``stream`` field):
#: ``"full"`` (the default, the stream every stored number was made with) draws a cycle-to-cycle normal
#: for every cell at every pulse index of a call, and the transfer baselines' column writes on a per-cell
#: device ask the whole array; ``"lean"`` draws only for the pulses fired and writes only the written
#: columns (``algorithms.tiki_taka.write_columns``).  Same distributions, another stream (issue 17).
STREAMS = ("full", "lean")


def check_stream(stream) -> str:
    """``stream`` if it is one of :data:`STREAMS`, else a ValueError naming ``stream`` and the value."""
    if not isinstance(stream, str) or stream not in STREAMS:
        raise ValueError(f"stream must be one of {STREAMS}, got {stream!r}")
    return stream


class PulseResult(NamedTuple):
    """New weights and the pulses fired per cell.

    ``n_pulses`` is an integer array for :func:`apply_exact` and the expected
    count ``|dW| / dw_min`` (float) for :func:`apply_model`.
    """

    w: np.ndarray
    n_pulses: np.ndarray


class AdditiveC2C(float):
    """A cycle-to-cycle noise level whose noise ADDS to the pulse's step instead of multiplying it.

    ``c2c=AdditiveC2C(s)`` wherever a ``c2c`` number is taken (the pulse functions, the algorithms'
    ``c2c`` field or one entry of its pair ``(c2c_fast, c2c_slow)``): a pulse then moves a cell by
    ``dw_min (q(w) + s q(0) xi)`` up or ``-dw_min (q_minus(w) + s q_minus(0) xi)`` down, ``xi ~ N(0, 1)``,
    where a plain number ``s`` gives ``dw_min q(w) (1 + s xi)``.  ``q(0)`` is the response at the
    device's centre (``a_up``/``a_dn`` of a SoftBounds device: aihwkit's per-cell ``scale_up`` /
    ``scale_down``).  This is aihwkit's ``mult_noise=False`` (1.1.0, ``update_once_add`` in
    ``rpu_softbounds_reference_device.cpp``: ``w += scale_up ((1 - w/w_max) + dw_min_std xi)``), the
    setting of its ``ReRamArrayHfO2PresetDevice``; the plain number is ``update_once_mult``
    (``mult_noise=True``).  Near a bound, where ``q`` is small, the additive noise keeps its full size
    ``s dw_min`` while the multiplicative one vanishes with the step.  A plain float otherwise
    (arithmetic gives plain floats)."""

    __slots__ = ()

    def __repr__(self):
        return f"AdditiveC2C({float(self)!r})"


def _check_c2c(c2c) -> float:
    additive = isinstance(c2c, AdditiveC2C)
    c2c = float(c2c)
    if not math.isfinite(c2c) or c2c < 0:
        raise ValueError(f"c2c must be a finite number >= 0, got {c2c!r}")
    return AdditiveC2C(c2c) if additive else c2c


def _no_additive(c2c):
    if isinstance(c2c, AdditiveC2C) and c2c > 0.0:
        raise ValueError(f"c2c={c2c!r}: the update model (apply_model) has only the multiplicative form; "
                         "additive cycle-to-cycle noise needs a pulse-exact mode (exact, trains)")


def _prepare(dev: Device, w, dW, clipped_by=None):
    """Checked ``(w, dW)`` of one shape, ``w`` clipped to the device bounds.  ``clipped_by`` is the device
    whose bounds ``w`` already holds (the mark :func:`_split` reads off a ``ReadOut``): clipping again to
    the same bounds is the identity, so that pass is skipped."""
    if not isinstance(dev, Device):
        raise TypeError(f"dev must be a sptheory.devices.Device, got {type(dev).__name__}")
    w = np.asarray(w, dtype=float)
    dW = np.asarray(dW, dtype=float)
    ds = dev.shape
    if w.shape == dW.shape and (not ds or w.shape[len(w.shape) - len(ds):] == ds):
        shape = w.shape  # the common case (state and request of one shape): no broadcasting to work out
    else:
        try:
            shape = np.broadcast_shapes(w.shape, dW.shape, ds)
        except ValueError:
            raise ValueError(
                f"w {w.shape}, dW {dW.shape} and the device's per-cell shape {ds} do not broadcast"
            ) from None
    # one reduction decides the common case: a NaN or inf anywhere makes the sum non-finite (a finite
    # sum that overflows only sends us to the element-wise check)
    if not math.isfinite(np.add.reduce(dW, axis=None)) and not np.all(np.isfinite(dW)):
        raise ValueError("dW must be finite")
    if clipped_by is not dev or shape != w.shape:
        lower, upper = dev._bounds()
        w = _clip(w if shape == w.shape else np.broadcast_to(w, shape), lower, upper)
    return w, (dW if dW.shape == shape else np.broadcast_to(dW, shape))


def _clip(x, lower, upper, out=None):
    """``np.clip`` for finite ``x`` and ``lower <= upper`` (the same values), without its Python wrapper."""
    out = np.maximum(x, lower) if out is None else np.maximum(x, lower, out=out)
    if isinstance(out, np.ndarray):
        return np.minimum(out, upper, out=out)
    return np.minimum(out, upper)  # 0-d inputs give a NumPy scalar, which cannot be an output buffer


def stochastic_round(x, rng) -> np.ndarray:
    """``floor(x) + Bernoulli(frac(x))`` for ``x >= 0``; ``E[result] = x``."""
    x = np.asarray(x, dtype=float)
    base = np.floor(x)
    return (base + (rng.random(x.shape) < (x - base))).astype(np.int64)


def apply_exact(dev: Device, w, dW, rng, c2c: float = 0.0, stream: str = "full") -> PulseResult:
    """Pulse-exact Analog Update of ``w`` by the requested increment ``dW``.

    Fires ``n = stochastic_round(|dW|/dw_min)`` pulses of sign ``sign(dW)``
    per cell, sequentially, with clipping to ``[dev.lower, dev.upper]``.

    Fast path (exact, no loop): for an affine device (SoftBounds) without
    cycle-to-cycle noise an up run is the geometric recursion
    ``w_n - upper = (1 - x_up)^n (w_0 - upper)`` (its fixed point is the
    bound, where ``q_plus`` vanishes), and likewise down; when
    ``x = dw_min a/tau > 1`` the first pulse overshoots and is clipped to the
    bound, where the cell then stays.  Otherwise pulses are applied in a loop
    over the pulse index, vectorised over cells.

    ``stream``: ``"full"`` (the default) or ``"lean"``, which draws the cycle-to-cycle normals only for
    the pulses fired (:data:`STREAMS`, :func:`_fire`).
    """
    c2c = _check_c2c(c2c)
    lean = check_stream(stream) == "lean"
    rng = np.random.default_rng(rng)
    w, noise = _split(w)
    w, dW = _prepare(dev, w, dW)
    request = np.abs(dW) / dev.dw_min
    _check_exact_work(dev, w, request, c2c, "apply_exact")
    n = stochastic_round(request, rng)
    return _finish(dev, _fire(dev, w, n, dW >= 0, rng, c2c, lean), n, noise, rng)


def _check_exact_work(dev: Device, w, counts, c2c: float, where: str) -> None:
    """Refuse an exact-mode call whose pulse counts would overflow (:data:`MAX_EXACT_PULSES`) or whose
    pulse-by-pulse loop would exceed :data:`MAX_EXACT_WORK` (module constants)."""
    top = float(np.max(counts, initial=0.0))
    if top > MAX_EXACT_PULSES:
        raise ValueError(f"{where}: a cell asks for {top:.3g} pulses (|dW|/dw_min) in one call, above "
                         f"MAX_EXACT_PULSES = 2^53; the increment is far beyond the device's range: use "
                         f"pulse_mode='model' (the update model, pulses.apply_model) or a smaller rate")
    if not (dev.is_affine and c2c == 0.0):
        work = top * max(int(np.size(w)), 1)
        if work > MAX_EXACT_WORK:
            raise ValueError(f"{where}: pulse_mode='exact' would fire {top:.3g} pulses one after another on "
                             f"{np.size(w)} cells ({work:.3g} cell-pulses, above MAX_EXACT_WORK = "
                             f"{MAX_EXACT_WORK:.0e}); use pulse_mode='model' (the update model, "
                             f"pulses.apply_model) or a smaller rate")


def _fire(dev: Device, w, n, up, rng, c2c: float, lean: bool = False) -> np.ndarray:
    """``n`` pulses per cell (``n >= 0`` integers), up where ``up``, on weights already clipped.

    Cycle-to-cycle normals (``c2c > 0``, or any :class:`AdditiveC2C` level above 0): the full stream
    (``lean=False``, the default) draws one normal for EVERY cell at every pulse index ``k < max(n)``
    (``rng.standard_normal(w.shape)`` per index), used by the cells with ``k < n`` and thrown away
    elsewhere.  The lean stream (``lean=True``, ``stream="lean"`` of the pulse functions) draws only the
    normals that are used: ``n.sum()`` of them in one call, cell after cell in C order, cell ``i``'s
    ``n_i`` pulses taking consecutive ones.  Each pulse's normal is still a fresh ``N(0, 1)``
    independent of everything else, so every distribution is the same; the stream (and so every value)
    differs."""
    lower, upper = dev.lower, dev.upper
    if dev.is_affine and c2c == 0.0:
        x_up, _, x_dn, _ = dev.pulse_steps()
        x = np.where(up, x_up, x_dn)
        bound = np.where(up, upper, lower)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(x < 1.0, np.exp(n * np.log1p(-np.minimum(x, 1.0))), 0.0)
        factor = np.where(n == 0, 1.0, factor)
        return bound + factor * (w - bound)
    w = w.copy()
    additive = isinstance(c2c, AdditiveC2C) and c2c > 0.0
    if additive:  # the noise's scale: the step at the device's centre, per direction (AdditiveC2C)
        zero = np.zeros(np.shape(w))
        centre = np.where(up, dev.dw_min * dev._qp(zero), -dev.dw_min * dev._qm(zero)) * float(c2c)
    noisy = additive or bool(c2c)
    if lean and noisy:  # the lean stream: one normal per pulse fired, cell-major (docstring)
        counts = np.broadcast_to(n, w.shape).astype(np.int64).ravel()  # (apply_counts passes floats)
        first = np.cumsum(counts) - counts  # each cell's first normal
        drawn = rng.standard_normal(int(first.size and (first[-1] + counts[-1])))
        first = first.reshape(w.shape)
    for k in range(int(n.max(initial=0))):
        active = k < n
        x = w - dev.offset
        step = np.where(up, dev.dw_min * dev._qp(x), -dev.dw_min * dev._qm(x))
        if noisy:
            xi = drawn[np.where(active, first + k, 0)] if lean else rng.standard_normal(w.shape)
            step = step + centre * xi if additive else step * (1.0 + c2c * xi)
        w = np.clip(np.where(active, w + step, w), lower, upper)
    return w


def model_noise_variance(dev: Device, w, dW, c2c: float = 0.0) -> np.ndarray:
    """Variance of the discretization error ``b`` matched to the pulse engine.

    With ``x = |dW|/dw_min`` and ``f = frac(x)``, stochastic rounding gives
    ``Var[n] = f (1 - f)`` and cycle-to-cycle noise adds ``x c2c^2`` pulse
    variances, each pulse moving the cell by ``dw_min q(W)``:

        Var[b] = (dw_min q(W))^2 (f (1 - f) + x c2c^2).

    For ``|dW| < dw_min`` this is ``~ |dW| dw_min q^2`` (Assumption 3.4's
    ``Theta(|dW| dw_min)``); without c2c noise it stays ``<= (dw_min q)^2/4``
    for large ``|dW|``, with c2c noise it grows like ``|dW| dw_min c2c^2 q^2``.
    """
    c2c = _check_c2c(c2c)
    _no_additive(c2c)
    w, dW = _prepare(dev, w, dW)
    x = np.abs(dW) / dev.dw_min
    f = x - np.floor(x)
    q = np.where(dW >= 0, dev.q_plus(w), dev.q_minus(w))
    return (dev.dw_min * q) ** 2 * (f * (1.0 - f) + x * c2c**2)


def apply_model(dev: Device, w, dW, rng, c2c: float = 0.0, noise: bool = True) -> PulseResult:
    """Update model of eqs. (2), (5) (Assumption 3.4):

        W_new = W + dW F(W) - |dW| G(W) + b,   E[b] = 0,
        Var[b] = model_noise_variance(dev, W, dW, c2c),

    clipped to the device bounds.  ``noise=False`` gives the noiseless
    recursion the theorems analyse (the ``dw_min -> 0`` limit).  It agrees
    with :func:`apply_exact` to first order in ``dW``; the mean gap is the
    curvature term ``O(dW^2)``.  ``n_pulses`` is the expected count
    ``|dW|/dw_min``.

    Random numbers: ``b = sqrt(Var[b]) xi`` with ``xi`` a standard normal
    per cell, drawn in float32 by the Box-Muller transform from the
    generator's raw 32-bit words (:func:`_normals`: mean 0, variance 1 up to
    ``1e-10``, tails to 6.8 standard deviations); it feeds float64 weights.
    With write noise (:func:`_finish`) a cell counts as pulsed with
    probability ``min(1, |dW|/dw_min)``, decided by one more 32-bit word per
    cell (exact up to ``2^-32``), independent of ``xi``; pulsed cells redraw
    their perturbation ``write_noise * dw_min * N(0, 1)``.

    With numba installed, the per-cell arithmetic of an affine device's noisy update runs compiled
    (:mod:`sptheory._fused`): the same draws in the same order and the same floating-point operations,
    so the outputs are bit for bit those of the NumPy form (which runs without numba, with
    ``SPTHEORY_NO_NUMBA=1``, and for layouts the kernels do not take, e.g. Fortran-ordered arrays).
    """
    c2c = _check_c2c(c2c)
    _no_additive(c2c)
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    readout, hidden, clipped_by = _split_lazy(w)
    w, dW = _prepare(dev, hidden, dW, clipped_by)
    if noise and dev.is_affine:
        kernels = _fused.kernels()
        if kernels is not None:
            fused = _model_fused(kernels, dev, w, dW, rng, c2c, readout, hidden)
            if fused is not None:
                return fused
    perturbation = None if readout is None else np.subtract(readout, hidden)
    up = np.greater_equal(dW, 0.0)
    # dW F - |dW| G is dW q_plus for dW >= 0 and dW q_minus for dW < 0: one response evaluation per cell,
    # the same q as in model_noise_variance
    if dev.is_affine:
        cp0, cp1, cm0, cm1 = dev._q_lines()
        q_up = np.multiply(cp1, w)
        q_up += cp0
        q_dn = np.multiply(cm1, w)
        q_dn += cm0
        q = _select(up, q_up, q_dn)
    else:
        x = w - dev.offset
        q = _select(up, np.asarray(dev._qp(x), dtype=float), np.asarray(dev._qm(x), dtype=float))
    n = np.abs(dW)
    n /= dev.dw_min
    pulsed = None
    if noise:
        # W + q (dW + dw_min sqrt(s) xi) with s = frac (1 - frac) + n c2c^2 is W + dW q + b with
        # b = sqrt(Var[b]) xi, Var[b] = (dw_min q)^2 s: the same draw, fewer passes over the cells
        c2 = c2c * c2c
        if np.maximum.reduce(n, axis=None, initial=0.0) < 1.0:
            s = np.subtract(1.0 + c2, n)  # frac = n: s = n (1 + c2c^2 - n), the usual case of a few-state device
            s *= n
        else:
            frac = np.floor(n)
            np.subtract(n, frac, out=frac)
            s = np.subtract(1.0, frac)
            s *= frac
            if c2:
                s += c2 * n
        write = dev.write_noise > 0.0
        xi, pulse_bits = _model_draws(rng, s.size, write)
        np.sqrt(s, out=s)
        s *= xi.reshape(s.shape)  # float32 normals into float64 state
        s *= dev.dw_min
        s += dW
        s *= q
        new = np.add(w, s, out=s)
        if write:
            pulsed = _pulsed(n, pulse_bits)
    else:
        new = np.multiply(dW, q, out=q if q.shape == dW.shape else None)
        new = np.add(w, new, out=new)
    lower, upper = dev._bounds()
    return _finish(dev, _clip(new, lower, upper, out=new), n, perturbation, rng, write=noise, clipped=True,
                   pulsed=pulsed)


def _split_lazy(w):
    """``(read-out values or None, hidden weights, clipping mark)``: :func:`_split` with ``marked``, the
    perturbation left as the two arrays it is the difference of (the fused path forms it per cell)."""
    if isinstance(w, ReadOut) and w.hidden is not None and w.hidden.shape == w.shape:
        hidden = w.hidden
        return w.view(np.ndarray), hidden, (w._clipped_by if not hidden.flags.writeable else None)
    return None, w, None


def _fused_params(dev: Device, D: int):
    """``(dw_min, q lines (4, D), lower, upper)`` of an affine ``dev`` per cell of a length-``D`` last axis,
    made once per device (its parameters never change after construction).  A device with per-cell
    parameters of the arrays' whole shape (``devices.stack_devices``: one set per replicate) gives them
    flattened, ``D`` then being every cell (the kernels' rows are then one row)."""
    cached = dev.__dict__.get("_fused_cache")
    if cached is None or cached[0] != D:
        full = len(dev.shape) > 1  # the whole shape: flatten (D = its size), else broadcast along the last axis
        lines = np.empty((4, D))
        for k, v in enumerate(dev._q_lines()):
            lines[k] = np.broadcast_to(v, dev.shape).ravel() if full else v
        dw, lower, upper = (np.array(np.broadcast_to(np.asarray(b, dtype=float), dev.shape).ravel() if full
                                     else np.broadcast_to(np.asarray(b, dtype=float), (D,)))
                            for b in (dev.dw_min,) + tuple(dev._bounds()))
        cached = (D, dw, lines, lower, upper)
        dev.__dict__["_fused_cache"] = cached
    return cached[1:]


def _model_fused(kernels, dev: Device, w, dW, rng, c2c: float, readout, hidden):
    """:func:`apply_model` with noise on an affine ``dev`` in two compiled passes (:mod:`._fused`): the same
    draws in the same order, the same operations per cell.  ``None`` where the arrays' layout is not the
    kernels' (C-ordered float64 ``(..., D)`` of one shape, per-cell parameters of shape ``()`` or ``(D,)``):
    the NumPy path then runs."""
    shape = w.shape
    if not shape or not w.size or dW.shape != shape or dev.shape not in ((), shape[-1:], shape):
        return None
    for a in (w, dW) if readout is None else (w, dW, readout, hidden):
        if a.dtype != np.float64 or not a.flags.c_contiguous:
            return None
    m = w.size
    dw, lines, lower, upper = _fused_params(dev, m if len(dev.shape) > 1 else shape[-1])
    level = dev.write_noise
    write = level > 0.0
    xi, bits = _model_draws(rng, m, write)
    n, pulsed = np.empty(m), np.zeros(m, dtype=np.bool_)
    dW = dW.reshape(m)
    small, fired = kernels.counts(dW, dw, bits.view(np.int32) if write else np.empty(0, dtype=np.int32), write, n,
                                  pulsed)
    z = rng.standard_normal(fired) if fired else np.empty(0)
    c2 = c2c * c2c
    perturbed = readout is not None
    make_e = write or perturbed
    new = np.empty(m)
    e = np.empty(m) if make_e else new
    w = w.reshape(m)
    kernels.update(w, dW, n, xi, lines, dw, lower, upper, small, 1.0 + c2, c2, pulsed, z, float(level),
                   readout.reshape(m) if perturbed else w, hidden.reshape(m) if perturbed else w, perturbed, make_e,
                   new, e)
    n, new = n.reshape(shape), new.reshape(shape)
    if make_e:
        return PulseResult(ReadOut._wrap(e.reshape(shape), new, dev), n)
    return PulseResult(new, n)


# ----- the update model's random numbers ---------------------------------------------------
#
# NumPy's Gaussian sampler costs about four uniform draws per number, and the update model needs one
# Gaussian per cell and array every step.  So the draws are made from raw 64-bit words of the generator
# (``rng.bit_generator.random_raw``; the caller's generator stays the only source of randomness): each
# word is two 32-bit integers, and Gaussians come in pairs by the Box-Muller transform.

_LN_2_64 = 64.0 * math.log(2.0)
_ANGLE = np.float32(2.0 * math.pi / 2.0**32)


def _normals(radial, angular) -> np.ndarray:
    """``2 h`` independent standard normals (float32) from ``h`` pairs of uniform 32-bit integers (Box-Muller).

    With ``u = (k + 1/2) / 2^32`` (``k`` from ``radial``) and ``theta = 2 pi j / 2^32`` (``j`` from
    ``angular`` read as a signed integer, so ``theta`` is uniform on ``[-pi, pi)``), the pairs are
    ``sqrt(-2 ln u) (cos theta, sin theta)``.  ``-2 ln u`` is formed in float64 from the exact
    ``k + 1/2``, so the tail reaches ``sqrt(66 ln 2) = 6.8`` standard deviations (beyond it lies
    probability ``3e-11``), and the variance is 1 up to ``1e-10`` (the midpoint rule on the ``2^32``
    values of ``u``); the angles' grid is symmetric, so the mean is 0."""
    kernels = _fused.kernels()
    if kernels is not None:
        # the arithmetic around log, cos and sin (NumPy's own SIMD loops, which the kernels could not
        # round alike) in two compiled passes, bit for bit the same values
        h = radial.size
        r, theta = np.empty(h), np.empty(h, dtype=np.float32)
        kernels.normals_pre(radial, angular.view(np.int32), _ANGLE, r, theta)
        np.log(r, out=r)
        out = np.empty(2 * h, dtype=np.float32)
        kernels.normals_post(r, _LN_2_64, np.cos(theta), np.sin(theta), out[:h], out[h:])
        return out
    r = np.add(radial, 0.5, dtype=np.float64)
    np.log(r, out=r)
    r *= -2.0
    r += _LN_2_64
    r = r.astype(np.float32)
    np.sqrt(r, out=r)
    theta = np.multiply(angular.view(np.int32), _ANGLE, dtype=np.float32)
    h = r.size
    out = np.empty(2 * h, dtype=np.float32)
    np.multiply(r, np.cos(theta), out=out[:h])
    np.multiply(r, np.sin(theta), out=out[h:])
    return out


def _model_draws(rng, m: int, pulses_too: bool):
    """``m`` standard normals (float32) and, with ``pulses_too``, ``m`` uniform 32-bit integers, from one
    call to the generator (``ceil(m/2)`` words for the normals, ``ceil(m/2)`` for the integers)."""
    h = (m + 1) // 2
    bits = rng.bit_generator.random_raw(2 * h if pulses_too else h).view(np.uint32)
    xi = _normals(bits[:h], bits[h:2 * h])[:m]
    return xi, (bits[2 * h:2 * h + m] if pulses_too else None)


def _pulsed(n, bits) -> np.ndarray:
    """Whether each cell fired a pulse, with probability ``min(1, n)``: ``j < n 2^32 - 2^31`` for ``j`` a
    uniform 32-bit integer read as signed (uniform on ``[-2^31, 2^31)``), exact up to ``2^-32`` in probability."""
    threshold = np.multiply(n, 2.0**32)
    threshold -= 2.0**31
    return np.less(bits.view(np.int32).reshape(n.shape), threshold)


#: below this many cells ``np.where`` is the faster selection; above it the bitwise blend of
#: :func:`_select` wins (``np.where`` on an unpredictable mask branches per element)
_BLEND_MIN = 8192


def _select(mask, a, b):
    """``np.where(mask, a, b)`` for float64 ``a``, ``b`` of ``mask``'s shape, bit for bit the same values."""
    if mask.size < _BLEND_MIN or a.shape != mask.shape or b.shape != mask.shape or a.dtype != b.dtype \
            or a.dtype != np.float64 or not (a.flags.c_contiguous and b.flags.c_contiguous):
        return np.where(mask, a, b)
    # b ^ ((a ^ b) & m) with m all ones where mask holds: picks a's bits there and b's elsewhere
    m = mask.view(np.int8).astype(np.int64)
    np.negative(m, out=m)
    bits = b.view(np.int64)
    blend = np.bitwise_xor(a.view(np.int64), bits)
    blend &= m
    blend ^= bits
    return blend.view(np.float64)


# ----- write noise: hidden weights and a read-out perturbation -------------------------

class ReadOut(np.ndarray):
    """Weights as read from cells with write noise (aihwkit's ``write_noise_std``).

    The array's values are what the algorithms read (forward weights, reads
    of ``P`` against a reference): ``hidden + e`` with ``e`` the cells'
    current perturbation, ``write_noise * dw_min * xi``, ``xi ~ N(0, 1)``,
    redrawn for a cell whenever it is pulsed.  ``.hidden`` holds the hidden
    weights that pulses move.  The perturbation lives in the array itself,
    so no algorithm carries extra state: the pulse functions of this module
    take ``hidden`` from a ``ReadOut`` they are asked to update and return a
    new ``ReadOut``.  Arithmetic, slices and copies give plain arrays (a
    derived array has no hidden weights): pass the array a pulse function
    returned, not a copy of it, to the next update of the same cells.
    The ``hidden`` of a ``ReadOut`` that :func:`apply_model` returned is
    read-only: it is known to lie within the device's bounds, so the next
    update skips clipping it (copy it to change it).
    """

    def __new__(cls, values, hidden):
        obj = np.asarray(values, dtype=float).view(cls)
        obj.hidden = np.asarray(hidden, dtype=float)
        return obj

    def __array_finalize__(self, obj):
        self.hidden = None
        self._clipped_by = None

    @classmethod
    def _wrap(cls, values, hidden, clipped_by=None):
        """``ReadOut(values, hidden)`` for float64 arrays the caller owns, without the conversions.
        ``clipped_by``: the device to whose bounds ``hidden`` is clipped; ``hidden`` is then made
        read-only, so that the mark stays true (:func:`_prepare` skips re-clipping it)."""
        obj = values.view(cls)
        obj.hidden = hidden
        if clipped_by is not None:
            hidden.flags.writeable = False
            obj._clipped_by = clipped_by
        return obj

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        plain = tuple(x.view(np.ndarray) if isinstance(x, ReadOut) else x for x in inputs)
        if out is not None:
            kwargs["out"] = tuple(x.view(np.ndarray) if isinstance(x, ReadOut) else x for x in out)
        return getattr(ufunc, method)(*plain, **kwargs)

    def __reduce__(self):
        return (ReadOut, (self.view(np.ndarray).copy(), self.hidden))


def hidden_weights(w) -> np.ndarray:
    """The hidden weights of a :class:`ReadOut` (its values for any other array)."""
    if isinstance(w, ReadOut) and w.hidden is not None:
        return w.hidden
    return np.asarray(w, dtype=float)


def _split(w, marked=False):
    """Hidden weights and the current read-out perturbation (``None``: cells read exactly); with
    ``marked`` also the device whose bounds the hidden weights are known to hold (else ``None``)."""
    if isinstance(w, ReadOut) and w.hidden is not None and w.hidden.shape == w.shape:
        hidden = w.hidden
        split = hidden, np.subtract(w.view(np.ndarray), hidden)
        if marked:
            return split + (w._clipped_by if not hidden.flags.writeable else None,)
        return split
    return (w, None, None) if marked else (w, None)


def _finish(dev: Device, w, n, perturbation, rng, write: bool = True, clipped: bool = False,
            pulsed=None) -> PulseResult:
    """Attach the write noise of ``dev`` (``dev.write_noise``, in units of dw_min):
    pulsed cells draw a new perturbation, the others keep theirs.

    With integer pulse counts a cell is pulsed when ``n > 0``; with the update
    model's expected count ``n = |dW|/dw_min`` it is pulsed with probability
    ``min(1, n)``, the probability that stochastic rounding fires a pulse
    (:func:`apply_model` passes that draw as ``pulsed``).
    ``clipped``: ``w`` is a fresh array clipped to ``dev``'s bounds (marked on the returned ``ReadOut``).
    """
    level = dev.write_noise
    if write and level > 0.0:
        if pulsed is None:
            n = np.asarray(n)
            if n.dtype.kind in "iu":
                pulsed = n > 0
            else:
                pulsed = _pulsed(n, rng.bit_generator.random_raw((n.size + 1) // 2).view(np.uint32)[:n.size])
        idx = pulsed.ravel().nonzero()[0]
        if perturbation is None:
            e = np.zeros(w.shape)
        elif perturbation.shape == w.shape and perturbation.flags.c_contiguous and perturbation.flags.writeable:
            e = perturbation  # _split's fresh difference array: ours to overwrite
        else:
            e = np.array(np.broadcast_to(perturbation, w.shape), order="C")  # C order: the ravel below must be a view
        if idx.size:
            dw = dev.dw_min
            scale = level * (dw if dw.ndim == 0 else np.broadcast_to(dw, w.shape).ravel()[idx])
            e.ravel()[idx] = scale * rng.standard_normal(idx.size)  # e is C-contiguous: ravel is a view
        e += w
        return PulseResult(ReadOut._wrap(e, w, dev if clipped else None), n)
    if perturbation is not None:
        return PulseResult(ReadOut._wrap(w + perturbation, w, dev if clipped else None), n)
    return PulseResult(w, n)


def apply_counts(dev: Device, w, n, rng=None, c2c: float = 0.0, stream: str = "full") -> PulseResult:
    """Fire exactly ``|n|`` pulses of sign ``sign(n)`` per cell (integer array ``n``),
    sequentially as in :func:`apply_exact` (same fast path, clipping, c2c noise and ``stream``)."""
    c2c = _check_c2c(c2c)
    lean = check_stream(stream) == "lean"
    rng = np.random.default_rng(rng)
    n = np.asarray(n)
    if not np.issubdtype(n.dtype, np.integer):
        raise TypeError(f"n must be an integer array of signed pulse counts, got dtype {n.dtype}")
    w, noise = _split(w)
    w, n = _prepare(dev, w, n)
    counts = np.abs(n)
    _check_exact_work(dev, w, counts, c2c, "apply_counts")
    return _finish(dev, _fire(dev, w, counts, n >= 0, rng, c2c, lean), counts, noise, rng)


# ----- rank-1 stochastic pulse trains ---------------------------------------------------

def _check_bl(bl) -> int:
    return _validate.positive_int("bl (pulse train length)", bl, hi=MAX_BL)


class Trains:
    """Pulse mode ``pulse_mode=pulses.Trains(bl, update_management)`` (or ``"trains"`` for the
    defaults): realise increments as stochastic pulse trains of length ``bl``
    (:func:`apply_trains`).  The default ``bl = 31`` and update management on
    follow aihwkit's defaults; the paper's network runs use ``bl = 5``; ``bl`` is an integer in
    ``[1, MAX_BL]``.

    Two options reproduce the rest of aihwkit 1.1.0's update management (``performUpdateManagement``
    in ``rpu_pulsed_meta_parameter.cpp``), both off by default (a fixed train length ``bl``):

    bl_management  aihwkit's ``update_bl_management``: per sample and tile (layer) the train length is
                   ``BL = min(ceil(k), bl)``, ``k = |lr| max|x| max|d| / dw_min`` (the pulses the
                   largest cell asks for), so ``bl`` is only the cap (aihwkit's ``desired_bl``);
                   :func:`train_lengths`.
    clip_d_first   aihwkit's update management when ``k > BL``: it lowers d's scale by ``BL / k``, so
                   that x's probabilities stay ``|x| / max|x|`` unclipped and only d's saturate
                   ("avoid clipping of x"); without it both trains' probabilities are scaled alike and
                   both clip at 1.  Needs ``update_management``.
    """

    __slots__ = ("bl", "update_management", "bl_management", "clip_d_first")

    def __init__(self, bl: int = 31, update_management: bool = True, bl_management: bool = False,
                 clip_d_first: bool = False):
        object.__setattr__(self, "bl", _check_bl(bl))
        for name, value in (("update_management", update_management), ("bl_management", bl_management),
                            ("clip_d_first", clip_d_first)):
            object.__setattr__(self, name, _validate.boolean(name, value))
        if self.clip_d_first and not self.update_management:
            raise ValueError("clip_d_first=True needs update_management=True (it is part of aihwkit's update "
                             "management)")

    def __setattr__(self, name, value):
        raise AttributeError("Trains is immutable")

    def _key(self):
        return (self.bl, self.update_management, self.bl_management, self.clip_d_first)

    def __eq__(self, other):
        return isinstance(other, Trains) and self._key() == other._key()

    def __hash__(self):
        if not (self.bl_management or self.clip_d_first):
            return hash((Trains, self.bl, self.update_management))
        return hash((Trains,) + self._key())

    def __repr__(self):
        extra = ""
        if self.bl_management:
            extra += ", bl_management=True"
        if self.clip_d_first:
            extra += ", clip_d_first=True"
        return f"Trains(bl={self.bl}, update_management={self.update_management}{extra})"


class RankOneUpdate(np.lib.mixins.NDArrayOperatorsMixin):
    """A requested increment held as per-sample outer products, block by block (a layer per block).

    For blocks ``l`` with factors ``x_l`` of shape ``(R, B, n_in)`` and
    ``d_l`` of shape ``(R, B, n_out)``, the cells of block ``l`` (its
    ``(n_out, n_in)`` matrix flattened row-major; blocks concatenated in
    order, ``D`` cells in all) are asked for

        dW[r] = scale[r] * sign[r] * sum_b d_l[r, b, :, None] * x_l[r, b, None, :].

    It behaves as the ``(R, D)`` array ``dW`` for NumPy (operators, ufuncs,
    ``np.asarray``; :meth:`dense`), and keeps its factored form where it can:
    multiplying by a scalar or an ``(R, 1)`` array changes ``scale``; by an
    array of ``+-1`` per cell changes ``sign`` (the chopper sign flips of the
    baselines); by an array constant along each block's rows (a per-column
    factor) folds into ``x``.  Any other operation returns a plain array.
    :func:`apply_trains` realises the factored form as rank-1 pulse trains.
    """

    __slots__ = ("factors", "scale", "sign", "shapes", "shape", "_dense")

    def __init__(self, factors, scale=1.0, sign=None):
        factors = tuple(factors)
        if not factors:
            raise ValueError("factors must hold at least one (x, d) pair")
        checked, shapes = [], []
        for k, pair in enumerate(factors):
            try:
                x, d = pair
            except (TypeError, ValueError):
                raise TypeError(f"factors[{k}] must be a pair (x, d), got {type(pair).__name__}") from None
            x, d = np.asarray(x, dtype=float), np.asarray(d, dtype=float)
            if x.ndim != 3 or d.ndim != 3 or x.shape[:2] != d.shape[:2]:
                raise ValueError(f"factors[{k}] must be x (R, B, n_in) and d (R, B, n_out) with equal R, B; "
                                 f"got x {x.shape}, d {d.shape}")
            if checked and x.shape[:2] != checked[0][0].shape[:2]:
                raise ValueError(f"factors[{k}] has (R, B) = {x.shape[:2]}, factors[0] has {checked[0][0].shape[:2]}")
            checked.append((x, d))
            shapes.append((d.shape[2], x.shape[2]))
        R = checked[0][0].shape[0]
        D = sum(o * i for o, i in shapes)
        try:
            scale = np.array(np.broadcast_to(np.asarray(scale, dtype=float), (R, 1)))
        except ValueError:
            raise ValueError(f"scale must broadcast to (R, 1) = ({R}, 1), got shape {np.shape(scale)}") from None
        if sign is not None:
            sign = np.asarray(sign, dtype=float)
            if sign.shape[-1:] != (D,) or sign.ndim > 2 or np.any(np.abs(sign) != 1):
                raise ValueError(f"sign must be +-1 per cell, shape (D,) or (R, D) with D = {D}, got {sign.shape}")
        set_ = object.__setattr__
        set_(self, "factors", tuple(checked))
        set_(self, "scale", scale)
        set_(self, "sign", sign)
        set_(self, "shapes", tuple(shapes))
        set_(self, "shape", (R, D))
        set_(self, "_dense", None)

    @classmethod
    def _checked(cls, factors, shapes, scale):
        """Build from factors a caller has already shaped correctly (``nn.MLP.grad``): float64 arrays
        ``x (R, B, n_in)``, ``d (R, B, n_out)``, ``shapes`` their ``(n_out, n_in)``, a float ``scale``;
        skips the validation of :meth:`__init__`, which is a visible share of a small network's step."""
        new = object.__new__(cls)
        set_ = object.__setattr__
        R = factors[0][0].shape[0]
        set_(new, "factors", tuple(factors))
        set_(new, "scale", np.full((R, 1), float(scale)))
        set_(new, "sign", None)
        set_(new, "shapes", tuple(shapes))
        set_(new, "shape", (R, sum(o * i for o, i in shapes)))
        set_(new, "_dense", None)
        return new

    def __setattr__(self, name, value):
        raise AttributeError("RankOneUpdate is immutable")

    ndim = 2
    dtype = np.dtype(float)

    @property
    def size(self) -> int:
        return self.shape[0] * self.shape[1]

    @property
    def batch(self) -> int:
        return self.factors[0][0].shape[1]

    def __len__(self):
        return self.shape[0]

    def blocks(self):
        """``(start, stop)`` of each block's cells in the flat layout."""
        out, start = [], 0
        for o, i in self.shapes:
            out.append((start, start + o * i))
            start += o * i
        return out

    def dense(self) -> np.ndarray:
        """The requested ``(R, D)`` increment (computed once, read-only)."""
        if self._dense is None:
            R = self.shape[0]
            out = np.empty(self.shape)
            for (x, d), (start, stop), block in zip(self.factors, self.blocks(), self.shapes):
                # each layer's batched outer-product sum written straight into its cells (a view)
                np.matmul(d.transpose(0, 2, 1), x, out=out[:, start:stop].reshape((R,) + block))
            out *= self.scale
            if self.sign is not None:
                out *= self.sign
            out.flags.writeable = False
            object.__setattr__(self, "_dense", out)
        return self._dense

    def __array__(self, dtype=None, copy=None):
        out = self.dense()
        if dtype is not None and np.dtype(dtype) != out.dtype:
            return out.astype(dtype)
        return out.copy() if copy else out

    def __getitem__(self, key):
        return self.dense()[key]

    def __repr__(self):
        return f"RankOneUpdate(shape={self.shape}, blocks={self.shapes}, batch={self.batch})"

    def _replace(self, factors=None, scale=None, sign=None, keep_sign=True):
        new = object.__new__(RankOneUpdate)
        set_ = object.__setattr__
        set_(new, "factors", self.factors if factors is None else factors)
        set_(new, "scale", self.scale if scale is None else scale)
        set_(new, "sign", sign if sign is not None or not keep_sign else self.sign)
        set_(new, "shapes", self.shapes)
        set_(new, "shape", self.shape)
        set_(new, "_dense", None)
        return new

    def scaled(self, other):
        """``self * other`` in factored form, or ``None`` when ``other`` does not allow it."""
        R, D = self.shape
        a = np.asarray(other, dtype=float)
        if a.ndim == 0 or (a.shape[-1] == 1 and a.ndim <= 2):
            scale = self.scale * a
            if scale.shape != (R, 1):
                try:
                    scale = np.array(np.broadcast_to(scale, (R, 1)))
                except ValueError:
                    return None
            return self._replace(scale=scale)
        if a.shape[-1] != D or a.ndim > 2 or (a.ndim == 2 and a.shape[0] not in (1, R)):
            return None
        if np.all(np.abs(a) == 1):
            return self._replace(sign=a if self.sign is None else self.sign * a)
        factors = []
        for (x, d), (o, i), (start, stop) in zip(self.factors, self.shapes, self.blocks()):
            block = a[..., start:stop].reshape(a.shape[:-1] + (o, i))
            col = block[..., :1, :]
            if not np.array_equal(block, np.broadcast_to(col, block.shape)):
                return None
            factors.append((x * col, d))  # col is (1 or R, 1, n_in): one factor per input column
        return self._replace(factors=tuple(factors))

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if method == "__call__" and "out" not in kwargs:
            if ufunc is np.multiply and len(inputs) == 2:
                other = inputs[1] if inputs[0] is self else inputs[0]
                if not isinstance(other, RankOneUpdate):
                    res = self.scaled(other)
                    if res is not None:
                        return res
            elif ufunc is np.negative:
                return self._replace(scale=-self.scale)
            elif ufunc is np.positive:
                return self
        dense = tuple(x.dense() if isinstance(x, RankOneUpdate) else x for x in inputs)
        return getattr(ufunc, method)(*dense, **kwargs)


def train_lengths(x, d, lr, dw_min, bl: int) -> np.ndarray:
    """aihwkit's BL management (``update_bl_management``): the train length per sample and tile,
    ``BL = min(ceil(|lr| max|x| max|d| / dw_min), bl)``, 0 where ``x`` or ``d`` is all zero.

    ``x`` ``(R, n_in)``, ``d`` ``(R, n_out)`` one sample's factors, ``lr`` ``(R, 1)`` the update's scale
    (learning rate), ``dw_min`` a number; returns ``(R, 1)`` integers.  aihwkit 1.1.0
    ``PulsedUpdateMetaParameter::performUpdateManagement`` (in float32; here float64)."""
    k = np.abs(lr) * np.abs(x).max(axis=-1, keepdims=True) * np.abs(d).max(axis=-1, keepdims=True) / dw_min
    return np.minimum(np.ceil(k), _check_bl(bl)).astype(np.int64)


def _train_probabilities(x, d, k, update_management, clip_d_first=False):
    """Row and column firing probabilities for one sample, before clipping.

    ``x`` (R, n_in), ``d`` (R, n_out), ``k = |scale| / (dw_min bl)`` (R, 1), so
    that ``bl p_x p_d = |scale x d| / dw_min``.  Update management (aihwkit)
    splits ``k`` between the two trains so that their largest probabilities
    are equal: ``p_x = |x| sqrt(k m_d/m_x)``, ``p_d = |d| sqrt(k m_x/m_d)``
    with ``m = max |.|`` over the sample's vector; without it
    ``p_x = |x| sqrt(k)``, ``p_d = |d| sqrt(k)``.  ``clip_d_first``
    (:class:`Trains`): ``m_d`` is first divided by ``max(k m_x m_d, 1)``, so that
    ``max p_x = 1`` and ``max p_d = k m_x m_d`` (clipped later) when the
    largest cell asks for more than one pulse per slot.
    """
    ax, ad = np.abs(x), np.abs(d)
    if update_management:
        mx = ax.max(axis=-1, keepdims=True)
        md = ad.max(axis=-1, keepdims=True)
        if clip_d_first:  # aihwkit: where k mx md > 1, d's scale drops by that factor (Trains.clip_d_first)
            md = md / np.maximum(k * mx * md, 1.0)
        live = (mx > 0) & (md > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            cx = np.where(live, np.sqrt(k * md / mx), 0.0)
            cd = np.where(live, np.sqrt(k * mx / md), 0.0)
    else:
        cx = cd = np.sqrt(k)
    return ax * cx, ad * cd


def train_count_moments(dW: RankOneUpdate, dw_min, bl: int, update_management: bool = True):
    """Mean and variance of the signed pulse count per cell that :func:`apply_trains` fires.

    Per sample ``b``, cell ``(o, i)`` fires ``n_b ~ Binomial(bl, p)`` pulses,
    ``p = min(1, p_x,i) min(1, p_d,o)`` (coincidences of two independent
    Bernoulli trains of length ``bl``), with the sign of its requested
    increment; samples are independent.  So, summed over the batch,

        mean = sum_b sgn_b bl p_b          var = sum_b bl p_b (1 - p_b).

    Where no probability is clipped, ``bl p_b = |dW_b| / dw_min``: the mean
    increment ``dw_min * mean`` is the requested ``dW`` exactly (on a device
    with a constant step, ``q = 1``), and the variance is
    ``sum_b (|dW_b|/dw_min) (1 - |dW_b|/(dw_min bl))``.  Clipping lowers the
    mean to ``bl`` pulses per sample at most.  Returns two ``(R, D)`` arrays.
    """
    bl = _check_bl(bl)
    dw = float(dw_min)
    k = np.abs(dW.scale) / (dw * bl)
    mean = np.zeros(dW.shape)
    var = np.zeros(dW.shape)
    for (x, d), (start, stop) in zip(dW.factors, dW.blocks()):
        for b in range(dW.batch):
            px, pd = _train_probabilities(x[:, b], d[:, b], k, update_management)
            p = np.minimum(pd, 1.0)[:, :, None] * np.minimum(px, 1.0)[:, None, :]
            sgn = np.sign(dW.scale)[:, :, None] * np.sign(d[:, b])[:, :, None] * np.sign(x[:, b])[:, None, :]
            mean[:, start:stop] += (sgn * bl * p).reshape(len(p), -1)
            var[:, start:stop] += (bl * p * (1.0 - p)).reshape(len(p), -1)
    if dW.sign is not None:
        mean = mean * dW.sign
    return mean, var


def _uniform_dw_min(dev: Device) -> float:
    dw = np.asarray(dev.dw_min)
    if dw.ndim and not np.all(dw == dw.flat[0]):
        raise ValueError("rank-1 pulse trains need one dw_min for all cells (the trains' scaling is shared), "
                         f"got per-cell dw_min from {dw.min():.4g} to {dw.max():.4g}")
    return float(dw.flat[0])


def apply_trains(dev: Device, w, dW, rng, bl: int = 31, c2c: float = 0.0, update_management: bool = True,
                 bl_management: bool = False, clip_d_first: bool = False, stream: str = "full") -> PulseResult:
    """Realise ``dW`` as stochastic pulse trains of length ``bl`` (aihwkit's stochastic update).

    * ``dW`` a :class:`RankOneUpdate`: for each sample ``b`` in order, each
      input (row) line fires a Bernoulli train of length ``bl`` with
      probability ``p_x`` from ``|x_b|``, each output (column) line one with
      ``p_d`` from ``|d_b|`` (scaled by update management, see
      :func:`train_count_moments`); a cell fires one pulse per coincidence,
      of sign ``sign(scale x d)`` (times the per-cell ``sign``).  Cells in
      one row share that row's train, so their counts are correlated
      (``Cov(n_oi, n_oj) = bl p_x,i p_x,j p_d,o (1 - p_d,o)``); each cell's
      count is ``Binomial(bl, p_x p_d)``.  The samples' pulses are applied one
      sample after another (pulse by pulse within a sample, as
      :func:`apply_exact`).  Needs one ``dw_min`` for all cells.
    * ``dW`` a plain array: the column-by-column (one-hot input) realisation,
      ``n ~ Binomial(bl, min(1, |dW|/(dw_min bl)))`` pulses of sign ``sign(dW)``
      per cell, independent across cells.

    In both cases the mean count is ``|dW|/dw_min`` per sample up to clipping
    at ``bl``.  ``n_pulses`` is the number of pulses fired per cell (all
    samples).

    ``bl_management``, ``clip_d_first``: aihwkit's variable train length and
    its d-first clipping (:class:`Trains`); rank-1 requests only (a plain array
    is the column-by-column realisation, where aihwkit's transfer writes use a
    fixed BL).  With ``bl_management`` each sample and layer fires trains of
    its own length ``BL`` (:func:`train_lengths`) with ``k = |scale| /
    (dw_min BL)``, drawn as ``bl`` slots of which those past ``BL`` never fire.

    ``stream``: ``"full"`` (the default) draws, per sample, a cycle-to-cycle normal for every cell at
    every pulse index up to the sample's largest count; ``"lean"`` draws one per pulse fired
    (:data:`STREAMS`, :func:`_fire`).  The trains themselves (per line, not per cell) are drawn alike.
    """
    c2c = _check_c2c(c2c)
    lean = check_stream(stream) == "lean"
    bl = _check_bl(bl)
    rng = np.random.default_rng(rng)
    w, noise = _split(w)
    if not isinstance(dW, RankOneUpdate):
        w, dW = _prepare(dev, w, dW)
        p = np.minimum(np.abs(dW) / (dev.dw_min * bl), 1.0)
        n = rng.binomial(bl, np.broadcast_to(p, w.shape))
        return _finish(dev, _fire(dev, w, n, dW >= 0, rng, c2c, lean), n, noise, rng)
    dw = _uniform_dw_min(dev)
    R, D = dW.shape
    w = _prepare(dev, w, np.zeros((R, D)))[0]
    if w.shape != (R, D):
        raise ValueError(f"w with shape {w.shape} does not match the requested increment's shape {(R, D)}")
    # the compiled loop is the fixed-length one: aihwkit's BL management and clip_d_first run in NumPy below
    plain = not bl_management and not clip_d_first
    fast = _fused_nn.trains_rank1(dev, w, dW, rng, bl, c2c, update_management, _train_probabilities,
                                  _fire, lean) if plain else None
    if fast is not None:  # the same sample loop in compiled passes, bit for bit (sptheory._fused_nn)
        return _finish(dev, fast[0], fast[1], noise, rng)
    k = np.abs(dW.scale) / (dw * bl)
    direction = np.sign(dW.scale)
    total = np.zeros((R, D), dtype=np.int64)
    if bl_management:
        slots = np.arange(bl)
        lr = np.broadcast_to(np.abs(np.asarray(dW.scale, dtype=float)), (R, 1))
    for b in range(dW.batch):
        parts = []
        for x, d in dW.factors:
            xb, db = x[:, b], d[:, b]
            if bl_management:
                length = train_lengths(xb, db, lr, dw, bl)  # (R, 1); 0: nothing to write
                k = np.where(length > 0, lr / (dw * np.maximum(length, 1)), 0.0)
            px, pd = _train_probabilities(xb, db, k, update_management, clip_d_first)
            if bl_management:  # slots past the sample's BL never fire
                px = px[..., None] * (slots < length[..., None])
                pd = pd[..., None] * (slots < length[..., None])
                row = (rng.random(xb.shape + (bl,)) < px).astype(np.float32)
                col = (rng.random(db.shape + (bl,)) < pd).astype(np.float32)
            else:
                row = (rng.random(xb.shape + (bl,)) < px[..., None]).astype(np.float32)
                col = (rng.random(db.shape + (bl,)) < pd[..., None]).astype(np.float32)
            hits = np.matmul(col, row.transpose(0, 2, 1)).astype(np.int64)  # coincidences, (R, n_out, n_in)
            sgn = (direction[:, :, None] * np.sign(db)[:, :, None] * np.sign(xb)[:, None, :]).astype(np.int64)
            parts.append((hits * sgn).reshape(R, -1))
        n = np.concatenate(parts, axis=-1)
        if dW.sign is not None:
            n = n * dW.sign.astype(np.int64)
        counts = np.abs(n)
        w = _fire(dev, w, counts, n >= 0, rng, c2c, lean)
        total += counts
    return _finish(dev, w, total, noise, rng)
