"""Zero-shifting (ZS) calibration of the symmetric point: Alg. 1, eq. (7), and its cyclic form (31).

* Stochastic ZS, Algorithm 1 / eq. (7): each pulse is up or down with
  probability 1/2, independently per cell.
* Cyclic ZS, eq. (31) (Kim et al. 2019, the hardware method): pulse ``n`` is
  up for even ``n`` and down for odd ``n`` (up first).

The final weight ``W_N`` estimates the SP.  :func:`zero_shift` simulates the
recursion, vectorised over ``(replicates, cells)``, and records at checkpoints
the quantities the theorems bound: the running average
``(1/n) sum_{m<n} G(W_m)^2`` (Thm 2.2, C.3) and ``(W_n - w_sp)^2``
(Thm C.2, C.4).  On an affine (SoftBounds) device without cycle-to-cycle
noise it takes two shortcuts that leave the result exact: stochastic pulses
are drawn as packed random bits and applied a few at a time through their
composed affine map, and the cyclic schedule is evaluated in closed form
(cost independent of ``N``).  :func:`zero_shift_moments` gives the exact first and second
moments of the same recursion for affine (SoftBounds) devices without
sampling, for any ``N``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .devices import Device, SoftBounds

__all__ = ["SCHEDULES", "METHODS", "ZeroShiftResult", "ZeroShiftMoments", "zero_shift", "zero_shift_moments"]

SCHEDULES = ("stochastic", "cyclic")
METHODS = ("auto", "pulse")


@dataclass(frozen=True)
class ZeroShiftResult:
    """Outcome of :func:`zero_shift`.

    w            final weights ``W_N`` (the SP estimate), shape of ``w0`` broadcast with the device
    pulses       pulses fired per cell (``N`` each: ZS pulses every cell every step)
    checkpoints  pulse counts ``n`` at which the arrays below were recorded (ascending, last = N)
    avg_g2       ``(1/n) sum_{m<n} G(W_m)^2`` per cell, shape ``(len(checkpoints), *w.shape)``; None if not tracked
    dist_sq      ``(W_n - w_sp)^2`` per cell, same shape
    mean, std    mean and standard deviation of ``W_n`` across cells (last axis), shape ``(len(checkpoints), *w.shape[:-1])``
    w_sp         per-cell symmetric points
    """

    w: np.ndarray
    pulses: np.ndarray
    checkpoints: np.ndarray
    avg_g2: np.ndarray | None
    dist_sq: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    w_sp: np.ndarray
    schedule: str
    c2c: float
    seed: int | None = field(default=None)


def _validate(dev, w0, n_pulses, schedule, checkpoints, c2c):
    if not isinstance(dev, Device):
        raise TypeError(f"dev must be a sptheory.devices.Device, got {type(dev).__name__}")
    if isinstance(n_pulses, (bool, np.bool_)) or not isinstance(n_pulses, (int, np.integer)):
        if isinstance(n_pulses, float) and n_pulses.is_integer():
            n_pulses = int(n_pulses)
        else:
            raise TypeError(f"n_pulses must be an integer, got {n_pulses!r}")
    n_pulses = int(n_pulses)
    if n_pulses < 0:
        raise ValueError(f"n_pulses must be >= 0, got {n_pulses}")
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
    c2c = float(c2c)
    if not np.isfinite(c2c) or c2c < 0:
        raise ValueError(f"c2c must be a finite number >= 0, got {c2c!r}")
    w0 = np.asarray(w0, dtype=float)
    try:
        shape = np.broadcast_shapes(w0.shape, dev.shape)
    except ValueError:
        raise ValueError(f"w0 with shape {w0.shape} does not broadcast with the device's per-cell shape {dev.shape}") from None
    if not np.all(np.isfinite(w0)):
        raise ValueError("w0 must be finite")
    if np.any(w0 < dev.lower) or np.any(w0 > dev.upper):
        raise ValueError("w0 must lie within the device bounds [dev.lower, dev.upper]")
    if checkpoints is None:
        ckpt = np.array([n_pulses], dtype=np.int64)
    else:
        ckpt = np.asarray(checkpoints)
        if ckpt.ndim != 1 or not np.all(np.isfinite(ckpt)) or np.any(ckpt != np.round(ckpt)):
            raise ValueError(f"checkpoints must be a 1-D sequence of integers, got {checkpoints!r}")
        ckpt = ckpt.astype(np.int64)
        if np.any(ckpt < 1) or np.any(ckpt > n_pulses):
            raise ValueError(f"checkpoints must lie in [1, n_pulses={n_pulses}], got {checkpoints!r}")
        ckpt = np.unique(np.append(ckpt, n_pulses))
    if n_pulses == 0:
        ckpt = np.zeros(0, dtype=np.int64)
    return w0, shape, n_pulses, c2c, ckpt


def _seed_of(rng):
    return int(rng) if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool) else None


def zero_shift(
    dev: Device,
    w0,
    n_pulses: int,
    rng,
    schedule: str = "stochastic",
    checkpoints=None,
    c2c: float = 0.0,
    track_g2: bool = True,
    progress: bool = False,
    method: str = "auto",
) -> ZeroShiftResult:
    """Run zero-shifting for ``n_pulses`` pulses on every cell.

    Parameters
    ----------
    dev : Device
        Per-cell responses (``q_plus``, ``q_minus``, ``dw_min``).
    w0 : array
        Initial weights ``W_0``, broadcast with ``dev.shape``; e.g. shape
        ``(replicates, cells)`` with a device of shape ``(cells,)``.
    n_pulses : int
        ``N``, pulses per cell.  For the cyclic schedule Thm C.3/C.4's ``2N``.
    rng : seed or numpy Generator
        Drives the stochastic schedule's signs and cycle-to-cycle noise.
    schedule : "stochastic" (eq. (7)) or "cyclic" (eq. (31), up first).  Every call
        starts its cycle with an up pulse: to continue a cyclic run across
        calls, give each segment an even number of pulses.
    checkpoints : ints in ``[1, N]``; ``N`` is always included.
    c2c : float
        Cycle-to-cycle noise: each pulse's step is multiplied by ``1 + c2c xi``.
    track_g2 : bool
        Accumulate ``G(W_m)^2`` for the running average.
    progress : bool
        Show a tqdm bar over pulses.
    method : "auto" or "pulse"
        "pulse" applies one pulse at a time (q at the current weight, or the
        exact affine map on SoftBounds).  "auto" (default) does the same
        except on SoftBounds without c2c noise, where:

        * cyclic: closed form of ``n/2`` up/down pairs (see
          :func:`_cyclic_closed_form`), cost independent of ``N`` (``N = 1e12``
          costs what ``N = 2`` does);
        * stochastic: each pulse's sign is one fair random bit, drawn 64 per
          cell per draw; ``_GROUP`` consecutive pulses are applied as the
          composed affine map of their sign pattern, looked up in a per-cell
          table, on cache-sized chunks of cells (:func:`_stochastic_grouped`).
          Exact in distribution; the composed map rounds differently from
          pulse-by-pulse application (relative ``~1e-16`` per group).

    Clipping: on SoftBounds a pulse ``w -> w + x (b - w)`` with ``0 < x <= 1``
    maps ``[lower, upper]`` into itself (the bounds are the maps' fixed
    points), so the unclipped affine recursion equals the clipped pulse
    recursion from any ``w0`` inside the bounds; with ``x > 1`` (overshoot)
    the general clipped loop is used.  Otherwise q is evaluated at the current
    weight and the result clipped to the bounds.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    w0, shape, n_pulses, c2c, ckpt = _validate(dev, w0, n_pulses, schedule, checkpoints, c2c)
    seed = _seed_of(rng)
    rng = np.random.default_rng(rng)
    w_sp = dev.symmetric_point()
    z = np.array(np.broadcast_to(w0, shape) - w_sp, dtype=float)

    affine = dev.is_affine and c2c == 0.0
    if affine:
        x_up, y_up, x_dn, y_dn = dev.pulse_steps()
        if np.any(x_up > 1) or np.any(x_dn > 1):
            affine = False  # overshooting pulses need clipping: use the general loop
    if affine:
        a_up, a_dn = 1.0 - x_up, 1.0 - x_dn
        b_up, b_dn = y_up - x_up * w_sp, y_dn - x_dn * w_sp  # maps in z = w - w_sp
        slope_sq = dev.slope**2
        if method == "auto" and n_pulses > 0:
            full = lambda a: np.broadcast_to(a, shape).reshape(-1)  # noqa: E731
            if schedule == "cyclic":
                rec_z, rec_s = _cyclic_closed_form(z.reshape(-1), full(x_up), full(b_up), full(x_dn), full(b_dn),
                                                   ckpt, track_g2)
            else:
                rec_z, rec_s = _stochastic_grouped(z.reshape(-1), tuple(full(c) for c in (a_up, b_up, a_dn, b_dn)),
                                                   ckpt, _word_source(rng), track_g2, progress)
            rec_z = rec_z.reshape((-1,) + shape)
            return _result(rec_z[-1], rec_z, None if rec_s is None else rec_s.reshape((-1,) + shape),
                           slope_sq, ckpt, w_sp, shape, n_pulses, schedule, c2c, seed)
        step = _affine_stepper(schedule, a_up, b_up, a_dn, b_dn, shape, rng)
    else:
        step = _general_stepper(dev, schedule, shape, rng, c2c, w_sp)

    acc = np.zeros(shape) if track_g2 else None
    tmp = np.empty(shape)
    rec_z = np.empty((len(ckpt),) + shape)
    rec_s = np.empty((len(ckpt),) + shape) if track_g2 else None
    bar = _progress_bar(n_pulses, progress)
    done = 0
    for i_ck, target in enumerate(ckpt):
        for n in range(done, int(target)):
            if track_g2:
                if affine:
                    np.multiply(z, z, out=tmp)
                else:
                    g = dev.G(z + w_sp)
                    np.multiply(g, g, out=tmp)
                acc += tmp
            step(z, n)
        if bar is not None:
            bar.update(int(target) - done)
        done = int(target)
        rec_z[i_ck] = z
        if track_g2:
            rec_s[i_ck] = acc
    if bar is not None:
        bar.close()
    return _result(z, rec_z, rec_s, slope_sq if affine else 1.0, ckpt, w_sp, shape, n_pulses, schedule, c2c, seed)


def _result(z, rec_z, rec_s, g2_scale, ckpt, w_sp, shape, n_pulses, schedule, c2c, seed) -> ZeroShiftResult:
    """Assemble the result from ``z = W - w_sp`` (final, and at the checkpoints) and the running sums.

    ``rec_s`` holds ``sum_{m<n} G(W_m)^2 / g2_scale`` (on SoftBounds
    ``G = slope * z``, so the sum of ``z^2`` is kept and scaled once here).
    """
    cshape = (len(ckpt),) + (1,) * len(shape)
    w_all = rec_z + w_sp
    return ZeroShiftResult(
        w=z + w_sp,
        pulses=np.full(shape, n_pulses, dtype=np.int64),
        checkpoints=ckpt,
        avg_g2=None if rec_s is None else rec_s * g2_scale / ckpt.reshape(cshape),
        dist_sq=rec_z * rec_z,
        mean=w_all.mean(axis=-1),
        std=w_all.std(axis=-1),
        w_sp=w_sp,
        schedule=schedule,
        c2c=c2c,
        seed=seed,
    )


def _progress_bar(total, enabled):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="zero-shifting pulses", unit="pulse", leave=False)


def _affine_stepper(schedule, a_up, b_up, a_dn, b_dn, shape, rng):
    """In-place pulse ``n`` on ``z`` for an affine device (no noise, no clipping)."""
    if schedule == "cyclic":
        def step(z, n):
            if n % 2 == 0:
                z *= a_up
                z += b_up
            else:
                z *= a_dn
                z += b_dn
        return step

    bits = _SignBits(rng, shape)
    # Interleaved (down, up) coefficients per element: pulse n reads entry
    # 2 i + bit_i, one gather per coefficient instead of a masked select.
    full = lambda a: np.broadcast_to(a, shape).ravel()  # noqa: E731
    coef_a = np.stack([full(a_dn), full(a_up)], axis=-1).ravel()
    coef_b = np.stack([full(b_dn), full(b_up)], axis=-1).ravel()
    base = 2 * np.arange(int(np.prod(shape)), dtype=np.intp)
    idx = np.empty_like(base)

    def step(z, n):
        np.add(base, bits.get(n).ravel(), out=idx)
        flat = z.reshape(-1)
        flat *= coef_a.take(idx)
        flat += coef_b.take(idx)
    return step


def _general_stepper(dev, schedule, shape, rng, c2c, w_sp):
    """In-place pulse ``n`` on ``z = w - w_sp``: q evaluated at the current weight, then clipped."""
    dw, s = dev.dw_min, dev.offset
    lo, hi = dev.lower - w_sp, dev.upper - w_sp
    bits = None if schedule == "cyclic" else _SignBits(rng, shape)

    def step(z, n):
        x = z + (w_sp - s)
        if bits is None:
            delta = dw * dev._qp(x) if n % 2 == 0 else -dw * dev._qm(x)
        else:
            delta = np.where(bits.get(n).view(bool), dw * dev._qp(x), -dw * dev._qm(x))
        if c2c:
            delta = delta * (1.0 + c2c * rng.standard_normal(shape))
        z += delta
        np.clip(z, lo, hi, out=z)
    return step


# ----- fast exact paths for affine devices without noise ----------------------

_GROUP = 3      # stochastic pulses composed per table lookup (2^_GROUP sign patterns per cell)
_CHUNK = 4096   # cells per chunk: its state and tables stay in the L2 cache (8192 was slower, measured)
_FULL = np.uint64(2**64 - 1)


def _word_source(rng):
    """64 fair random bits per cell per call (full-range uint64; any bit generator)."""
    def draw(m):
        return rng.integers(0, _FULL, size=m, dtype=np.uint64, endpoint=True)
    return draw


def _pattern_tables(a_up, b_up, a_dn, b_dn, k, track_g2):
    """Composed maps of every sign pattern of ``j = 1..k`` pulses, per cell.

    Pattern ``p`` (bit ``i`` = sign of pulse ``i``, 1 = up) maps ``z`` to
    ``A z + B``; with ``track_g2`` also ``S2 z^2 + S1 z + S0``, the sum of the
    squared states before each of the ``j`` pulses.  Returns, for each ``j``,
    flat arrays indexed by ``cell * 2^j + p`` (a cell's patterns are adjacent,
    so a lookup stays in one or two cache lines).
    """
    m = a_up.shape[0]
    col = lambda v: v[:, None]  # noqa: E731
    A, B = np.ones((m, 1)), np.zeros((m, 1))
    S2, S1, S0 = np.zeros((m, 1)), np.zeros((m, 1)), np.zeros((m, 1))
    tables = []
    for _ in range(k):
        if track_g2:  # the state before the new pulse is A z + B, whatever its sign
            S2, S1, S0 = (np.concatenate([v, v], axis=1) for v in (S2 + A * A, S1 + 2.0 * A * B, S0 + B * B))
        A, B = (np.concatenate([col(a_dn) * A, col(a_up) * A], axis=1),
                np.concatenate([col(a_dn) * B + col(b_dn), col(a_up) * B + col(b_up)], axis=1))
        tables.append(tuple(np.ascontiguousarray(v).reshape(-1) for v in ((A, B, S2, S1, S0) if track_g2 else (A, B))))
    return tables


def _stochastic_grouped(z, coefs, ckpt, draw_words, track_g2, progress=False, group=_GROUP, chunk=_CHUNK):
    """Stochastic ZS on an affine device, exact in distribution; returns ``(z, sum z_m^2)`` at the checkpoints.

    ``z`` (flat, ``M`` cells) is updated in place; ``coefs = (a_up, b_up,
    a_dn, b_dn)`` per cell (flat, ``M``), pulse maps ``z -> a z + b``.
    Each pulse's sign is one bit of ``draw_words(m)`` (``m`` uint64 words,
    one per cell of the chunk, consumed low bits first, ``group`` bits per
    lookup; a fresh word when fewer bits are left than the lookup needs).
    Cells are independent, so the loop runs chunk by chunk, all pulses per
    chunk: the state and tables stay in cache and each group of pulses costs
    two table gathers and two in-place passes (five more with ``track_g2``).
    """
    n_cells = z.shape[0]
    n_ck = len(ckpt)
    rec_z = np.empty((n_ck, n_cells))
    rec_s = np.empty((n_ck, n_cells)) if track_g2 else None
    bar = _progress_bar(int(ckpt[-1]) * n_cells, progress)
    for lo in range(0, n_cells, chunk):
        hi = min(lo + chunk, n_cells)
        m = hi - lo
        tables = _pattern_tables(*(c[lo:hi] for c in coefs), group, track_g2)
        zc = z[lo:hi]
        acc = np.zeros(m) if track_g2 else None
        cells = np.arange(m, dtype=np.uint64)
        bases = [cells << np.uint64(j) for j in range(1, group + 1)]
        idx = np.empty(m, dtype=np.uint64)
        pos = idx.view(np.intp)  # indices < 2^63: the same bits read as signed
        t1, t2 = np.empty(m), np.empty(m)
        words, left = None, 0
        done = 0
        for i, target in enumerate(ckpt):
            while done < target:
                j = int(min(group, target - done))
                if left < j:
                    words, left = draw_words(m), 64
                np.bitwise_and(words, np.uint64((1 << j) - 1), out=idx)
                np.bitwise_or(idx, bases[j - 1], out=idx)
                np.right_shift(words, np.uint64(j), out=words)
                left -= j
                tab = tables[j - 1]
                if track_g2:  # acc += (S2 z + S1) z + S0, from the state before the group
                    np.take(tab[2], pos, out=t1, mode="wrap")
                    t1 *= zc
                    np.take(tab[3], pos, out=t2, mode="wrap")
                    t1 += t2
                    t1 *= zc
                    np.take(tab[4], pos, out=t2, mode="wrap")
                    t1 += t2
                    acc += t1
                np.take(tab[0], pos, out=t1, mode="wrap")
                zc *= t1
                np.take(tab[1], pos, out=t1, mode="wrap")
                zc += t1
                done += j
            rec_z[i, lo:hi] = zc
            if track_g2:
                rec_s[i, lo:hi] = acc
        if bar is not None:
            bar.update(int(ckpt[-1]) * m)
    if bar is not None:
        bar.close()
    return rec_z, rec_s


def _powers(om, k: int):
    """``(1 - om)^k`` and ``sum_{j<k} (1 - om)^j`` from ``om = 1 - a`` (0 < om <= 1), via log1p/expm1.

    Forming ``a = 1 - om`` first would lose the digits of ``om`` (of order
    ``dw_min``); ``log1p``/``expm1`` keep the relative error of both a few
    ulp times ``k |log a|``, which matters only while ``a^k`` is not negligible.
    """
    if k == 0:
        return np.ones_like(om), np.zeros_like(om)
    with np.errstate(divide="ignore"):  # om == 1: log1p(-1) = -inf, a^k = 0, sum = 1
        log_a = np.log1p(-om)
    return np.exp(k * log_a), -np.expm1(k * log_a) / om


def _cyclic_closed_form(z0, x_up, b_up, x_dn, b_dn, ckpt, track_g2):
    """Cyclic ZS on an affine device without noise, in closed form; returns ``(z, sum z_m^2)`` at the checkpoints.

    Pulses ``z -> (1 - x) z + b``; an up/down pair is ``z -> A z + B`` with
    ``1 - A = x_up + x_dn - x_up x_dn`` and ``B = (1 - x_dn) b_up + b_dn``, fixed
    point ``p = B / (1 - A)``.  After ``k`` pairs ``z_2k = p + d A^k``
    (``d = z_0 - p``); the states after each up pulse are
    ``z_2j+1 = p' + d' A^j`` with ``p' = (1 - x_up) p + b_up``, ``d' = (1 - x_up) d``,
    so ``sum_{m<n} z_m^2`` is two geometric sums in ``A`` and ``A^2``.  An odd
    ``n`` adds one up pulse.  Cost per checkpoint: a few array operations,
    independent of ``n``.  Requires ``0 < x <= 1``.
    """
    a_up = 1.0 - x_up
    om = x_up + x_dn - x_up * x_dn
    om2 = om * (2.0 - om)  # 1 - A^2
    p = ((1.0 - x_dn) * b_up + b_dn) / om
    d = z0 - p
    p_odd, d_odd = a_up * p + b_up, a_up * d
    rec_z = np.empty((len(ckpt), z0.shape[0]))
    rec_s = np.empty((len(ckpt), z0.shape[0])) if track_g2 else None
    for i, n in enumerate(ckpt):
        k, odd = divmod(int(n), 2)
        ak, g1 = _powers(om, k)
        z_even = p + d * ak
        rec_z[i] = a_up * z_even + b_up if odd else z_even
        if track_g2:
            _, g2 = _powers(om2, k)
            s = k * (p * p + p_odd * p_odd) + 2.0 * (p * d + p_odd * d_odd) * g1 + (d * d + d_odd * d_odd) * g2
            rec_s[i] = s + z_even * z_even if odd else s
    return rec_z, rec_s


class _SignBits:
    """Fair coin flips per cell (uint8 0/1, 1 = up), drawn 64 pulses at a time.

    One block is ``8 * cells`` random bytes; pulse ``8 j + k`` uses bit ``k``
    of byte row ``j`` (shift-and-mask, much faster than ``np.unpackbits``
    along a strided axis).
    """

    def __init__(self, rng, shape):
        self.rng, self.shape = rng, shape
        self.size = int(np.prod(shape))
        self.block = np.empty((64,) + tuple(shape), dtype=np.uint8)

    def get(self, n):
        if n % 64 == 0:
            raw = np.frombuffer(self.rng.bytes(8 * self.size), dtype=np.uint8).reshape((8,) + tuple(self.shape))
            for j in range(8):
                for k in range(8):
                    out = self.block[8 * j + k]
                    np.right_shift(raw[j], k, out=out)
                    np.bitwise_and(out, 1, out=out)
        return self.block[n % 64]


# ----- exact moments for affine devices ---------------------------------------

class _Map(NamedTuple):
    """One step of the linear moment recursion on ``(m1, m2) = (E z, E z^2)``:

        m1' = a m1 + c1,        m2' = e m1 + c m2 + c2.

    ``oma = 1 - a`` and ``omc = 1 - c`` are carried separately: they are of
    order ``dw_min`` and would lose their digits if formed as ``1 - a``.
    """

    a: np.ndarray
    oma: np.ndarray
    c: np.ndarray
    omc: np.ndarray
    e: np.ndarray
    c1: np.ndarray
    c2: np.ndarray


def _pulse_map(x, y, c2c) -> _Map:
    """Moment map of one pulse ``z -> (1 - X) z + Y`` with ``X = x (1 + c2c xi)``,
    ``Y = y (1 + c2c xi)`` (one shared ``xi``, the pulse's step noise):
    ``E z' = (1 - x) E z + y`` and
    ``E z'^2 = E(1-X)^2 E z^2 + 2 E[(1-X) Y] E z + E Y^2``.
    """
    k = 1.0 + c2c**2
    omc = 2.0 * x - k * x * x
    return _Map(a=1.0 - x, oma=x.copy(), c=1.0 - omc, omc=omc, e=2.0 * (y - k * x * y), c1=y.copy(), c2=k * y * y)


def _mix(u: _Map, d: _Map) -> _Map:
    """Equal-probability mixture of the up and down maps (stochastic schedule)."""
    return _Map(*(0.5 * (p + q) for p, q in zip(u, d)))


def _then(first: _Map, second: _Map) -> _Map:
    """``first`` followed by ``second`` (cyclic schedule: an up/down pair)."""
    f, s = first, second
    return _Map(
        a=s.a * f.a,
        oma=f.oma + s.oma - f.oma * s.oma,
        c=s.c * f.c,
        omc=f.omc + s.omc - f.omc * s.omc,
        e=s.e * f.a + s.c * f.e,
        c1=s.a * f.c1 + s.c1,
        c2=s.e * f.c1 + s.c * f.c2 + s.c2,
    )


def _geometric(oma, n):
    """``(a^n, (1 - a^n)/(1 - a))`` from ``1 - a`` without cancellation."""
    log_a = np.log1p(-oma)
    an = np.exp(n * log_a)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(oma > 0, -np.expm1(n * log_a) / oma, float(n))
    return an, ratio


def _moments_after(m: _Map, m1, m2, n: int):
    """Closed form of ``n`` steps of the map: ``(m1_n, m2_n, sum_{j<n} m1_j, sum_{j<n} m2_j)``.

    With fixed points ``p1 = c1/(1-a)``, ``p2 = (e p1 + c2)/(1-c)`` and
    ``d = m1 - p1``, ``u = m2 - p2``:
    ``m1_n = p1 + d a^n``, ``m2_n = p2 + u c^n + e d (c^n - a^n)/(c - a)``,
    and the sums are the matching geometric series (``c - a`` is of order
    ``dw_min``, never 0 for a contracting device).
    """
    p1 = m.c1 / m.oma
    p2 = (m.e * p1 + m.c2) / m.omc
    d, u = m1 - p1, m2 - p2
    an, ga = _geometric(m.oma, n)
    cn, gc = _geometric(m.omc, n)
    c_minus_a = m.oma - m.omc
    m1_n = p1 + d * an
    m2_n = p2 + u * cn + m.e * d * (cn - an) / c_minus_a
    s1 = n * p1 + d * ga
    s2 = n * p2 + u * gc + m.e * d * (gc - ga) / c_minus_a
    return m1_n, m2_n, s1, s2


_MOMENT_CHUNK = 65536  # cells per chunk in zero_shift_moments (bounds temporary memory)


def _moments_chunk(x_up, y_up, x_dn, y_dn, w_sp, w0, slope_sq, ckpt, schedule, c2c) -> dict:
    """Exact moments at the checkpoints for one chunk of cells (1-D arrays)."""
    up = _pulse_map(x_up, y_up - x_up * w_sp, c2c)
    dn = _pulse_map(x_dn, y_dn - x_dn * w_sp, c2c)
    z0 = w0 - w_sp
    step = _mix(up, dn) if schedule == "stochastic" else _then(up, dn)
    out = {k: np.empty((len(ckpt),) + z0.shape) for k in ("mean", "var", "dist_sq", "avg_g2")}
    for i, n in enumerate(ckpt):
        n = int(n)
        if schedule == "stochastic":
            m1, m2, _, s2 = _moments_after(step, z0, z0 * z0, n)
        else:
            k = n // 2
            m1, m2, s1, s2 = _moments_after(step, z0, z0 * z0, k)
            # the odd (after-up) steps of the k pairs: m2_{2j+1} = e_u m1_{2j} + c_u m2_{2j} + c2_u
            s2 = s2 + up.e * s1 + up.c * s2 + k * up.c2
            if n % 2:  # one more up pulse; the sum gains the last even step
                s2 = s2 + m2
                m1, m2 = up.a * m1 + up.c1, up.e * m1 + up.c * m2 + up.c2
        out["mean"][i] = m1 + w_sp
        out["var"][i] = np.maximum(m2 - m1 * m1, 0.0)
        out["dist_sq"][i] = m2
        out["avg_g2"][i] = slope_sq * s2 / n
    return out


@dataclass(frozen=True)
class ZeroShiftMoments:
    """Exact moments of zero-shifting on an affine device (:func:`zero_shift_moments`).

    All arrays have shape ``(len(checkpoints), *shape)`` (per cell):
    mean      ``E[W_n]``
    var       ``Var[W_n]``
    dist_sq   ``E[(W_n - w_sp)^2]``  (Thm C.2 / C.4 left side)
    avg_g2    ``E[(1/n) sum_{m<n} G(W_m)^2]``  (Thm 2.2 / C.3 left side)
    """

    checkpoints: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    dist_sq: np.ndarray
    avg_g2: np.ndarray
    w_sp: np.ndarray
    schedule: str
    c2c: float


def zero_shift_moments(dev: SoftBounds, w0, checkpoints, schedule: str = "stochastic", c2c: float = 0.0) -> ZeroShiftMoments:
    """Exact ``E[W_n]``, ``E[(W_n - w_sp)^2]`` and ``E[avg G^2]`` of zero-shifting, no sampling.

    On SoftBounds every pulse is an affine map of ``z = W - w_sp`` with
    (under cycle-to-cycle noise) random coefficients, so ``(E z, E z^2)``
    follows a linear recursion with a closed form (geometric series towards
    its fixed point, see ``_moments_after``), and so do its running sums.
    Any ``N`` costs a few dozen array operations over the cells: ``N = 8e6``
    on a 512x512 array takes a small fraction of a second.  Stochastic
    schedule: each pulse is the equal-weight mixture of the up and down
    maps; cyclic: up/down pairs, with an extra up pulse for odd ``n``.

    The recursion ignores clipping at the bounds, which the noiseless maps
    never reach (the bounds are their fixed points); with ``c2c > 0`` a rare
    overshoot would be clipped by :func:`zero_shift` but not here.  Requires
    ``dw_min a/tau < 1`` (no overshooting pulse), else ``ValueError``.
    """
    if not isinstance(dev, SoftBounds):
        raise TypeError(f"zero_shift_moments needs an affine SoftBounds device, got {type(dev).__name__}")
    n_max = int(np.max(checkpoints)) if np.size(checkpoints) else 0
    w0, shape, _, c2c, ckpt = _validate(dev, w0, n_max, schedule, checkpoints, c2c)
    x_up, y_up, x_dn, y_dn = dev.pulse_steps()
    if np.any(x_up >= 1) or np.any(x_dn >= 1):
        raise ValueError("dw_min * a / tau >= 1 for some cell: pulses overshoot the bound; use zero_shift")
    w_sp = dev.symmetric_point()
    size = int(np.prod(shape))
    flat = lambda a: np.broadcast_to(a, shape).reshape(size).astype(float)  # noqa: E731
    cells = dict(x_up=flat(x_up), y_up=flat(y_up), x_dn=flat(x_dn), y_dn=flat(y_dn), w_sp=flat(w_sp),
                 w0=flat(w0), slope_sq=flat(dev.slope**2))
    out = {k: np.empty((len(ckpt), size)) for k in ("mean", "var", "dist_sq", "avg_g2")}
    # Chunks of cells keep the cached block powers small (cache-resident), so
    # memory stays flat in the array size.
    for lo in range(0, size, _MOMENT_CHUNK):
        sl = slice(lo, min(lo + _MOMENT_CHUNK, size))
        part = _moments_chunk(**{k: v[sl] for k, v in cells.items()}, ckpt=ckpt, schedule=schedule, c2c=c2c)
        for k in out:
            out[k][:, sl] = part[k]
    out = {k: v.reshape((len(ckpt),) + shape) for k, v in out.items()}
    w_sp_b = np.broadcast_to(w_sp, shape).copy()
    return ZeroShiftMoments(checkpoints=ckpt, w_sp=w_sp_b, schedule=schedule, c2c=c2c, **out)
