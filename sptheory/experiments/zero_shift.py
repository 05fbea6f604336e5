"""Zero-shifting (ZS) experiments: the settings and simulations behind the ZS bound results.

Used by the claims ``zs-avg`` (Thm 2.2), ``zs-last`` (Thm C.2), ``zs-cyclic-avg``
(Thm C.3), ``zs-cyclic-last`` (Thm C.4) and by figures.  Also holds two
library-grade pieces the other ZS experiments share:

* :class:`MeanLaw` -- the exact mean ``E[W_n] - w_sp`` of stochastic and cyclic
  ZS on a SoftBounds device, in closed form (Alg. 1 and its cyclic form (31));
* :func:`constants_interval` -- THE rule for the interval ``[w_lo, w_hi]`` over
  which theorem constants (``q_min, q_max, mu_q, L_q``, Def. 2.1 / C.1) are
  taken: the requested interval, kept ``EDGE`` of the device range inside each
  bound (q vanishes at a bound of a SoftBounds device).

Everything is per cell (errata id ``errata/per-cell``): each cell's bound uses
that cell's own constants.  Nothing here prints, writes files or decides a
verdict; randomness only through the seeds passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from sptheory import calibration, devices, stats
from sptheory.sweep import run_jobs

__all__ = [
    "EDGE",
    "MeanLaw",
    "mean_distance",
    "constants_interval",
    "stationary_var",
    "FAMILIES",
    "W0",
    "Sizes",
    "sizes",
    "HORIZON",
    "SIGMAS",
    "make_device",
    "device_text",
    "log_checkpoints",
    "plan",
    "cells",
    "n_points",
    "stochastic_margin",
    "cyclic_margin",
    "STOCHASTIC_MARGIN_TEXT",
    "CYCLIC_MARGIN_TEXT",
    "apriori_interval",
    "select_interval",
    "Constants",
    "theorem_constants",
    "simulate_mc",
    "simulate_exact",
    "exact_floor",
    "ZSCurve",
    "simulate",
    "simulate_envelope",
]

#: Fraction of the device range every constants interval keeps away from each bound.
EDGE = 0.05


# ----------------------------------------------------------------------------
# the ZS mean law (SoftBounds, closed form)
# ----------------------------------------------------------------------------

class MeanLaw:
    """Exact ``E[W_n] - w_sp`` per cell for ZS on a SoftBounds device, in closed form.

    Each pulse is ``z -> (1 - x) z + b`` in ``z = W - w_sp`` (the affine maps of
    (103)).  Stochastic ZS (Alg. 1, eq. (7)): the mean follows the average map,
    ``E z_n = a^n (z_0 - z_inf) + z_inf`` with ``a = 1 - (x_up + x_dn)/2`` and
    ``z_inf = b/(1 - a)`` (zero up to rounding: the mean drift vanishes at the
    SP).  Cyclic ZS (31): the same with the up-then-down pair map for ``n // 2``
    pairs, then one up pulse if ``n`` is odd; ``z_inf`` is the pair map's fixed
    point, about ``dw_min F/2`` below the SP.  Cycle-to-cycle noise multiplies a
    pulse's map by ``1 + c2c xi`` with mean 1, so it does not change ``E[W_n]``.
    Precomputed per cell, so a bisection over ``n`` costs one ``exp`` per call.

    dev: a :class:`~sptheory.devices.SoftBounds` device; w0: ``W_0`` (broadcasts
    with the cells); schedule: ``"stochastic"`` or ``"cyclic"``.
    """

    def __init__(self, dev: devices.SoftBounds, w0, schedule: str):
        if schedule not in ("stochastic", "cyclic"):
            raise ValueError(f"schedule must be 'stochastic' or 'cyclic', got {schedule!r}")
        if not isinstance(dev, devices.SoftBounds):
            raise TypeError(f"dev must be a devices.SoftBounds (affine maps), got {type(dev).__name__}")
        self.schedule = schedule
        x_up, y_up, x_dn, y_dn = dev.pulse_steps()
        sp = dev.symmetric_point()
        b_up, b_dn = y_up - x_up * sp, y_dn - x_dn * sp
        z0 = np.asarray(w0, dtype=float) - sp
        if schedule == "stochastic":
            self.log_a = np.log1p(-0.5 * (x_up + x_dn))
            self.z_inf = 0.5 * (b_up + b_dn) / (0.5 * (x_up + x_dn))
        else:
            self.log_a = np.log1p(-x_up) + np.log1p(-x_dn)
            self.z_inf = ((1.0 - x_dn) * b_up + b_dn) / -np.expm1(self.log_a)
        self.d0 = z0 - self.z_inf
        self.x_up, self.b_up = x_up, b_up
        self.sp_mean = float(np.mean(sp))

    def z(self, n) -> np.ndarray:
        """``E[W_n] - w_sp`` per cell; ``n = inf`` gives the limit (even n for cyclic)."""
        if not np.isfinite(n):
            return np.array(self.z_inf, dtype=float)
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n!r}")
        n = int(n)
        k = n // 2 if self.schedule == "cyclic" else n
        z = np.exp(k * self.log_a) * self.d0 + self.z_inf
        if self.schedule == "cyclic" and n % 2:
            z = (1.0 - self.x_up) * z + self.b_up
        return z

    def rel_err(self, n) -> float:
        """``|mean_cells E[W_n] - mean_cells w_sp| / |mean_cells w_sp|``."""
        if self.sp_mean == 0.0:
            raise ValueError("the relative error needs a nonzero mean SP")
        return abs(float(np.mean(self.z(n)))) / abs(self.sp_mean)


def mean_distance(dev: devices.SoftBounds, w0, n, schedule: str) -> np.ndarray:
    """Exact ``E[W_n] - w_sp`` per cell (see :class:`MeanLaw`); ``n = inf`` gives the limit."""
    return MeanLaw(dev, w0, schedule).z(n)


# ----------------------------------------------------------------------------
# the interval of the theorem constants: one rule
# ----------------------------------------------------------------------------

def constants_interval(dev: devices.Device, lo, hi, edge: float = EDGE):
    """``[lo, hi]`` per cell, kept ``edge`` of the device range inside each bound.

    The one rule by which every ZS experiment chooses the interval
    ``[w_lo, w_hi]`` of Def. 2.1 / Def. C.1's constants.  Returns
    ``(w_lo, w_hi, clipped)``; ``clipped`` marks cells where the requested
    interval had to be shrunk (constants there do not cover all of it: the
    hypotheses tables report whether the visited range still lies inside).
    """
    if not 0.0 <= edge < 0.5:
        raise ValueError(f"edge must lie in [0, 0.5), got {edge!r}")
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    if np.any(lo > hi):
        raise ValueError("lo must not exceed hi")
    span = dev.upper - dev.lower
    floor_, ceil_ = dev.lower + edge * span, dev.upper - edge * span
    clipped = (lo < floor_) | (hi > ceil_)
    w_lo = np.minimum(np.maximum(lo, floor_), ceil_)
    w_hi = np.maximum(np.minimum(hi, ceil_), w_lo)
    return w_lo, w_hi, np.asarray(clipped)


def stationary_var(dev: devices.Device) -> np.ndarray:
    """First-order stationary variance of stochastic ZS around the SP,
    ``dw_min F(w_sp)^2 / (2 G'(w_sp))`` (linearised recursion
    ``E z'^2 = (1 - 2 dw G') E z^2 + dw^2 F^2``).  A priori, from the device only."""
    sp = dev.symmetric_point()
    return dev.dw_min * dev.F(sp) ** 2 / (2.0 * dev.dG(sp))


# ----------------------------------------------------------------------------
# settings of the ZS bound experiments
# ----------------------------------------------------------------------------

FAMILIES = ("softbounds", "power", "exponential")
W0 = 0.0
SB_CELLS = 64
SB_PARAMS = dict(sigma_d2d=0.3, sigma_pm=0.2, tau_max=1.0, tau_min=1.0, offset=0.3)
MC_CELLS = 16
# Power/Exponential cells share gamma and amplitudes; their reference offsets
# are spread so that |W0 - w_sp| ranges from ~0.15 to ~0.55.
MC_OFFSETS = np.linspace(0.1, 0.5, MC_CELLS)
MC_PARAMS = dict(gamma=2.0, a_up=1.2, a_dn=0.9, tau_max=1.0, tau_min=1.0)
# N_max = HORIZON / dw_min pulses: several times 1/(mu dw_min) for every cell here.  The
# cyclic runs are deterministic and cheap, and their floor is O(dw_min^2), so
# the transient needs longer to fall below it.
HORIZON = {"stochastic": 10.0, "cyclic": 30.0}
SIGMAS = 8.0  # stochastic interval margin, in stationary standard deviations
CROSS_CHECK_DW = 3e-3
STATIONARY_HORIZON = 1e4  # pulses x dw_min after which the exact moments are stationary to rounding


class Sizes(NamedTuple):
    """Sizes of one mode: the ``dw_min`` grid, Monte Carlo replicates, checkpoints per run."""

    dws: tuple
    replicates: int
    checkpoints: int


def sizes(quick: bool) -> Sizes:
    """The sizes of the quick and the full mode."""
    if quick:
        return Sizes((1e-2, 3e-3, 1e-3), 200, 16)
    return Sizes((1e-2, 3e-3, 1e-3, 3e-4), 1000, 24)


def log_checkpoints(n_max: int, count: int) -> np.ndarray:
    """About ``count`` log-spaced integers from 1 to ``n_max`` (both included)."""
    if n_max < 1 or count < 2:
        raise ValueError(f"need n_max >= 1 and count >= 2, got {n_max!r}, {count!r}")
    return np.unique(np.round(np.geomspace(1, n_max, count)).astype(np.int64))


def make_device(family: str, dw: float, rng=None) -> devices.Device:
    """The device of one family at granularity ``dw``.

    SoftBounds cells are drawn from ``rng`` (pass the same seed for every
    ``dw`` to keep the same cells).
    """
    if family == "softbounds":
        return devices.soft_bounds_variation((SB_CELLS,), np.random.default_rng(rng), dw, **SB_PARAMS)
    if family == "power":
        return devices.Power(dw_min=dw, offset=MC_OFFSETS, **MC_PARAMS)
    if family == "exponential":
        return devices.Exponential(dw_min=dw, offset=MC_OFFSETS, **MC_PARAMS)
    raise ValueError(f"unknown family {family!r}; known: {FAMILIES}")


def device_text(family: str) -> str:
    """The device of ``family`` in words."""
    if family == "softbounds":
        p = SB_PARAMS
        return (f"SoftBounds, {SB_CELLS} cells with device-to-device variation (sigma_d2d {p['sigma_d2d']}, "
                f"sigma_pm {p['sigma_pm']}, tau_max = tau_min = 1, offset {p['offset']})")
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; known: {FAMILIES}")
    name = "Power" if family == "power" else "Exponential"
    p = MC_PARAMS
    return (f"{name} (gamma {p['gamma']:g}, a_up {p['a_up']}, a_dn {p['a_dn']}, tau 1), {MC_CELLS} cells "
            f"identical but for the reference offset, evenly spread over [{MC_OFFSETS[0]:g}, {MC_OFFSETS[-1]:g}]")


def cells(family: str) -> int:
    """Cells simulated for ``family``."""
    return SB_CELLS if family == "softbounds" else MC_CELLS


def n_points(family: str, quick: bool, schedule: str) -> int:
    """Number of (checkpoint, cell, dw_min) points one family's verdict rests on."""
    return sum(len(n) for _, n, _ in plan(quick, schedule)) * cells(family)


def plan(quick: bool, schedule: str) -> list:
    """``[(dw_min, N checkpoints, pulse checkpoints), ...]`` of one mode and schedule.

    ``N`` runs to ``HORIZON / dw_min`` pulses; for the cyclic schedule ``N``
    counts up/down pairs (``2N`` pulses).
    """
    if schedule not in HORIZON:
        raise ValueError(f"schedule must be one of {tuple(HORIZON)}, got {schedule!r}")
    sz = sizes(quick)
    out = []
    for dw in sz.dws:
        if schedule == "cyclic":
            n = log_checkpoints(int(np.ceil(HORIZON[schedule] / dw / 2)), sz.checkpoints)
            out.append((dw, n, 2 * n))
        else:
            n = log_checkpoints(int(np.ceil(HORIZON[schedule] / dw)), sz.checkpoints)
            out.append((dw, n, n))
    return out


# ----------------------------------------------------------------------------
# a-priori intervals of the constants
# ----------------------------------------------------------------------------

def stochastic_margin(dev: devices.Device, w0=W0):
    """Margins ``(m_sp, m_0)`` of the stochastic interval, a priori from the device.

    Around the SP: ``SIGMAS`` stationary standard deviations plus 5 pulses.
    Around ``w0`` only the early walk's excursion *against* its drift matters:
    with drift ``dw |G(w0)|`` and step variance ``dw^2 F(w0)^2`` it exceeds
    ``x`` with probability about ``exp(-2 |G(w0)| x / (dw F(w0)^2))`` (and
    ``|G|`` only grows beyond ``w0``), so ``x = 20 dw F^2 / |G|`` leaves
    ``e^-40``; never more than ``m_sp``.
    """
    dw = dev.dw_min
    m_sp = SIGMAS * np.sqrt(stationary_var(dev)) + 5.0 * dw
    g0 = np.abs(dev.G(w0))
    with np.errstate(divide="ignore"):
        m0 = np.where(g0 > 0, 20.0 * dw * dev.F(w0) ** 2 / np.where(g0 > 0, g0, 1.0) + 5.0 * dw, np.inf)
    return m_sp, np.minimum(m0, m_sp)


STOCHASTIC_MARGIN_TEXT = (
    f"margin m_sp = {SIGMAS:g} sqrt(dw_min F(w_sp)^2 / (2 G'(w_sp))) + 5 dw_min around w_sp (stationary spread) and "
    "m_0 = min(m_sp, 20 dw_min F(W0)^2/|G(W0)| + 5 dw_min) around W0 (the early walk's excursion against its drift, "
    "probability about e^-40), a priori from the device"
)


def cyclic_margin(dev: devices.Device, w0=W0):
    """Five of the largest pulses on the way from ``w0`` to the SP, on both
    sides (cyclic ZS is deterministic and overshoots by about one pulse)."""
    sp = dev.symmetric_point()
    q = np.maximum.reduce([dev.q_plus(w0), dev.q_minus(w0), dev.q_plus(sp), dev.q_minus(sp)])
    m = 5.0 * dev.dw_min * q
    return m, m


CYCLIC_MARGIN_TEXT = ("margin m_sp = m_0 = 5 dw_min max(q_plus, q_minus at W0 and w_sp): the deterministic path "
                      "overshoots by about one pulse")


def apriori_interval(dev: devices.Device, margins, w0=W0):
    """Hull of ``[w_sp - m_sp, w_sp + m_sp]`` and ``[w0 - m_0, w0 + m_0]`` per cell,
    through :func:`constants_interval`.  Returns ``(w_lo, w_hi)``."""
    m_sp, m0 = margins
    sp = dev.symmetric_point()
    w0 = np.broadcast_to(np.asarray(w0, dtype=float), sp.shape)
    lo, hi, _ = constants_interval(dev, np.minimum(w0 - m0, sp - m_sp), np.maximum(w0 + m0, sp + m_sp))
    return lo, hi


def select_interval(dev: devices.Device, margins, seen_min, seen_max, w0=W0):
    """The a-priori interval, checked against the recorded iterates.

    Returns ``(w_lo, w_hi, widened)`` per cell; ``widened`` marks cells where a
    recorded iterate left the a-priori interval, which is then widened to the
    recorded extremes plus one pulse, by the same rule
    (:func:`constants_interval`).  A wider interval only loosens the bounds
    (larger ``q_max``, ``L_q``, smaller ``mu_q``).
    """
    lo, hi = apriori_interval(dev, margins, w0)
    seen_min = np.broadcast_to(seen_min, lo.shape)
    seen_max = np.broadcast_to(seen_max, hi.shape)
    widened = (seen_min < lo) | (seen_max > hi)
    want_lo = np.where(seen_min < lo, seen_min - dev.dw_min, lo)
    want_hi = np.where(seen_max > hi, seen_max + dev.dw_min, hi)
    lo, hi, _ = constants_interval(dev, want_lo, want_hi)
    return lo, hi, widened


@dataclass
class Constants:
    """Theorem inputs per cell over ``[w_lo, w_hi]`` and the range the iterates visited."""

    w_lo: np.ndarray
    w_hi: np.ndarray
    widened: np.ndarray
    q_min: np.ndarray
    q_max: np.ndarray
    mu_q: np.ndarray
    L_q: np.ndarray
    phi0: np.ndarray
    dist0: np.ndarray
    w_sp: np.ndarray
    seen_min: np.ndarray
    seen_max: np.ndarray

    @property
    def inside(self) -> np.ndarray:
        """Per cell: the visited range lies inside ``[w_lo, w_hi]``."""
        return (self.seen_min >= self.w_lo) & (self.seen_max <= self.w_hi)


def theorem_constants(dev, margins, seen_min, seen_max, w0=W0) -> Constants:
    """Constants of Def. 2.1 / C.1 per cell over the checked interval (:func:`select_interval`)."""
    lo, hi, widened = select_interval(dev, margins, seen_min, seen_max, w0)
    k = dev.constants(lo, hi)
    sp = dev.symmetric_point()
    shape = sp.shape
    return Constants(
        w_lo=lo, w_hi=hi, widened=widened, q_min=np.broadcast_to(k.q_min, shape).copy(),
        q_max=np.broadcast_to(k.q_max, shape).copy(), mu_q=np.broadcast_to(k.mu_q, shape).copy(),
        L_q=np.broadcast_to(k.L_q, shape).copy(),
        phi0=np.broadcast_to(dev.phi(w0), shape).copy(), dist0=(w0 - sp) ** 2, w_sp=sp,
        seen_min=np.broadcast_to(seen_min, shape).copy(), seen_max=np.broadcast_to(seen_max, shape).copy(),
    )


# ----------------------------------------------------------------------------
# simulation
# ----------------------------------------------------------------------------

def simulate_mc(dev, w0, pulse_ckpts, rng, schedule) -> dict:
    """Pulse-by-pulse ZS, one :func:`calibration.zero_shift` call per checkpoint
    interval so that the signed ``W_n`` is kept at every checkpoint.

    Returns arrays of shape ``(n_ckpt, *w.shape)``: ``avg_g2`` (running average
    ``(1/n) sum_{m<n} G(W_m)^2``, stitched from the per-segment averages),
    ``dist_sq`` and ``w``; and ``w_min``/``w_max`` (per cell, over ``w0`` and every
    recorded iterate of every replicate: the range the iterates visited).  For the cyclic schedule
    every segment must hold an even number of pulses (each call starts with an
    up pulse).
    """
    rng = np.random.default_rng(rng)
    w = np.array(w0, dtype=float)
    done, total = 0, 0.0
    out = {"avg_g2": [], "dist_sq": [], "w": []}
    for n in np.asarray(pulse_ckpts, dtype=np.int64):
        seg = int(n) - done
        if schedule == "cyclic" and seg % 2:
            raise ValueError("cyclic checkpoints must be even pulse counts")
        r = calibration.zero_shift(dev, w, seg, rng, schedule=schedule)
        total = total + seg * r.avg_g2[-1]
        out["avg_g2"].append(total / n)
        out["dist_sq"].append(r.dist_sq[-1])
        out["w"].append(r.w)
        w, done = r.w, int(n)
    res = {k: np.stack(v) for k, v in out.items()}
    # The range visited, over every checkpoint and replicate (the last axis holds the cells).
    axes = tuple(range(res["w"].ndim - 1))
    w0 = np.asarray(w0, dtype=float)
    res["w_min"] = np.minimum(res["w"].min(axis=axes), w0.min(axis=tuple(range(w0.ndim - 1))) if w0.ndim else w0)
    res["w_max"] = np.maximum(res["w"].max(axis=axes), w0.max(axis=tuple(range(w0.ndim - 1))) if w0.ndim else w0)
    return res


def simulate_exact(dev, w0, pulse_ckpts, schedule) -> dict:
    """Exact expectations (SoftBounds only, no sampling), arrays ``(n_ckpt, cells)``."""
    m = calibration.zero_shift_moments(dev, w0, pulse_ckpts, schedule=schedule)
    return {"avg_g2": m.avg_g2, "dist_sq": m.dist_sq, "mean_w": m.mean, "sd_w": np.sqrt(m.var)}


def exact_floor(dev, schedule: str, quantity: str) -> np.ndarray:
    """Stationary value of ``quantity`` per cell from the exact moments (SoftBounds).

    Evaluated after ``STATIONARY_HORIZON / dw_min`` pulses (the transient
    has decayed like ``exp(-2e4 G')`` by then).  ``avg_g2``: stationary
    ``E[G^2] = G'^2 E[z^2]``, averaged over the up and the down phase for the
    cyclic schedule; ``dist_sq``: ``E[z^2]`` (even pulse counts for cyclic).
    """
    n1 = 2 * int(np.ceil(STATIONARY_HORIZON / float(np.max(dev.dw_min)) / 2))
    if schedule == "cyclic":
        m = calibration.zero_shift_moments(dev, W0, [n1, n1 + 1], schedule="cyclic").dist_sq
        z2 = m.mean(axis=0) if quantity == "avg_g2" else m[0]
    else:
        z2 = calibration.zero_shift_moments(dev, W0, [n1], schedule="stochastic").dist_sq[0]
    return dev.slope**2 * z2 if quantity == "avg_g2" else z2


@dataclass
class ZSCurve:
    """One ``dw_min`` of one family: the measured quantity at checkpoints, per cell.

    ``mean``/``sem``/``lo``/``hi`` have shape ``(n_ckpt, cells)``; ``lo, hi`` is the
    t interval at the ``level`` given to :func:`simulate` (``sem`` is 0 and
    ``lo = hi = mean`` for exact and deterministic values); ``replicates`` is
    the Monte Carlo sample size (1 otherwise).  ``floor`` is the measured floor per cell (tail window, or the
    exact stationary value), ``floor_sem`` its standard error.  ``seen_min``/
    ``seen_max``: the range visited per cell (Monte Carlo and deterministic:
    every recorded iterate; exact: ``E[W_n] -/+ SIGMAS sd`` at every checkpoint).
    """

    dw: float
    n: np.ndarray
    mean: np.ndarray
    sem: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    floor: np.ndarray
    floor_sem: np.ndarray
    seen_min: np.ndarray
    seen_max: np.ndarray
    kind: str  # "exact" | "mc" | "deterministic"
    replicates: int = 1
    extra: dict = field(default_factory=dict)


def _tail_floor(n, values, quantity):
    """Per-sample floor over the second half of the run: window average of
    ``G^2`` (from the running sums) or mean ``dist_sq`` over the checkpoints
    with ``n >= N/2``.  ``values`` has the checkpoint axis first."""
    j = int(np.searchsorted(n, n[-1] / 2.0))
    j = min(j, len(n) - 2) if len(n) > 1 else 0
    if quantity == "avg_g2":
        s_last, s_j = n[-1] * values[-1], n[j] * values[j]
        return (s_last - s_j) / (n[-1] - n[j])
    return values[j:].mean(axis=0)


def _sem(x, axis):
    return x.std(axis=axis, ddof=1) / np.sqrt(x.shape[axis])


def _measure(raw: dict, quantity: str, n, kind: str, dw: float, level: float) -> ZSCurve:
    v = raw[quantity]
    if kind == "mc":
        est = stats.mean_ci(v, axis=1, level=level)
        fl = _tail_floor(n, v, quantity)
        return ZSCurve(dw, n, est.mean, est.sem, est.lo, est.hi, fl.mean(axis=0), _sem(fl, 0),
                       raw["w_min"], raw["w_max"], kind, v.shape[1])
    if kind == "deterministic":  # one trajectory, shape (n_ckpt, 1, cells)
        v = v[:, 0]
        fl = _tail_floor(n, v, quantity)
        z = np.zeros_like(v)
        return ZSCurve(dw, n, v, z, v, v, fl, np.zeros_like(fl), raw["w_min"], raw["w_max"], kind)
    fl = _tail_floor(n, v, quantity)  # exact: expectations, linear in the samples
    ext_lo = raw["mean_w"] - SIGMAS * raw["sd_w"]
    ext_hi = raw["mean_w"] + SIGMAS * raw["sd_w"]
    return ZSCurve(dw, n, v, np.zeros_like(v), v, v, fl, np.zeros_like(fl), np.minimum(W0, ext_lo.min(axis=0)),
                   np.maximum(W0, ext_hi.max(axis=0)), kind)


def _mc_job(family, dw, dev_seed, w0_shape, pulse_ckpts, rng, schedule):
    dev = make_device(family, dw, dev_seed)
    return simulate_mc(dev, np.full(w0_shape, W0), pulse_ckpts, rng, schedule)


def simulate(family: str, schedule: str, quantity: str, quick: bool, seed, executor=None, level: float = 0.95):
    """Simulate one family at every ``dw_min`` of the mode; returns ``(curves, devices, cross_check)``.

    quantity: ``"avg_g2"`` (``(1/N) sum_{n<N} G(W_n)^2``, Thm 2.2 / C.3) or
    ``"dist_sq"`` (``(W_N - w_sp)^2``, Thm C.2 / C.4).  SoftBounds: exact
    moments (stochastic and cyclic) plus a pulse-by-pulse cross-check at
    ``CROSS_CHECK_DW``.  Power/Exponential: Monte Carlo over
    ``sizes(quick).replicates`` x 16 cells (stochastic) or the one
    deterministic trajectory per cell (cyclic).  ``level``: confidence level of
    each Monte Carlo point's interval (pass a simultaneous level when many points
    decide one verdict, see :func:`n_points`).
    """
    if quantity not in ("avg_g2", "dist_sq"):
        raise ValueError(f"quantity must be 'avg_g2' or 'dist_sq', got {quantity!r}")
    rng = np.random.default_rng(seed)
    dev_seed = int(rng.integers(2**32))
    pl = plan(quick, schedule)
    devs = [make_device(family, dw, dev_seed) for dw, _, _ in pl]
    cross = None
    if family == "softbounds":
        curves = [_measure(simulate_exact(d, W0, p, schedule), quantity, n, "exact", dw, level)
                  for d, (dw, n, p) in zip(devs, pl)]
        for c, d in zip(curves, devs):  # the true stationary value, not a window of a finite run
            c.floor = exact_floor(d, schedule, quantity)
        cross = cross_check(family, dev_seed, schedule, quantity, quick, rng.spawn(1)[0])
    else:
        kind = "deterministic" if schedule == "cyclic" else "mc"
        shape = (1, MC_CELLS) if kind == "deterministic" else (sizes(quick).replicates, MC_CELLS)
        jobs = [(family, dw, dev_seed, shape, p, g, schedule) for (dw, n, p), g in zip(pl, rng.spawn(len(pl)))]
        raws = run_jobs(_mc_job, jobs, executor=executor, progress=False)
        curves = [_measure(raw, quantity, n, kind, dw, level) for raw, (dw, n, p) in zip(raws, pl)]
    for c in curves:
        c.extra.update(schedule=schedule, quantity=quantity)
    return curves, devs, cross


def cross_check(family, dev_seed, schedule, quantity, quick, rng) -> dict:
    """Pulse-by-pulse simulation against the exact moments at ``CROSS_CHECK_DW`` (SoftBounds).

    Cyclic: deterministic, ``max_rel_diff`` over every checkpoint and cell.
    Stochastic: ``sizes(quick).replicates`` replicates per cell; per point the
    Monte Carlo mean and standard error (``mc_mean``, ``mc_sem``) beside the
    exact value, and the relative difference where all replicates coincide.
    """
    dw = CROSS_CHECK_DW
    dev = make_device(family, dw, dev_seed)
    count = sizes(quick).checkpoints
    if schedule == "cyclic":
        n = log_checkpoints(int(np.ceil(HORIZON[schedule] / dw / 2)), count)
        pulses, shape = 2 * n, (1, SB_CELLS)
    else:
        n = log_checkpoints(int(np.ceil(HORIZON[schedule] / dw)), count)
        pulses, shape = n, (sizes(quick).replicates, SB_CELLS)
    exact = simulate_exact(dev, W0, pulses, schedule)[quantity]
    raw = simulate_mc(dev, np.full(shape, W0), pulses, rng, schedule)
    if schedule == "cyclic":
        sim = raw[quantity][:, 0]
        rel = np.abs(sim - exact) / np.maximum(np.abs(exact), 1e-300)
        return {"dw": dw, "kind": "deterministic", "max_rel_diff": float(rel.max())}
    v = raw[quantity]
    return {"dw": dw, "kind": "mc", "replicates": shape[0], "exact": exact, "mc_mean": v.mean(axis=1),
            "mc_sem": _sem(v, 1)}


def simulate_envelope(dev, w0, n_pulses, R, rng, schedule="stochastic", checkpoints=(), signed=False):
    """ZS pulse by pulse on R replicates (array (R, *dev.shape)); returns
    ((W_n - w_sp)^2 at checkpoints, shape (len, R, *shape) -- or W_n - w_sp with
    ``signed=True`` --, per-cell min and max of every iterate).

    Same recursion as ``calibration.zero_shift`` (q at the current weight,
    clipped); the envelope covers all pulses, not only checkpoints.  Used by the
    errata checks of the ZS theorems (claim ``zs-errata``).
    """
    shape = (R,) + tuple(dev.shape)
    w = np.array(np.broadcast_to(w0, shape), dtype=float)
    sp = dev.symmetric_point()
    lo_b, hi_b = dev.lower, dev.upper
    dw = dev.dw_min
    wmin, wmax = np.array(w.min(axis=0), dtype=float), np.array(w.max(axis=0), dtype=float)
    rng = np.random.default_rng(rng)
    ck = sorted(set(int(c) for c in checkpoints))
    rec = np.empty((len(ck),) + shape)
    j = 0
    for n in range(n_pulses):
        if schedule == "cyclic":
            step = dw * dev.q_plus(w) if n % 2 == 0 else -dw * dev.q_minus(w)
        else:
            up = rng.random(shape) < 0.5
            step = np.where(up, dw * dev.q_plus(w), -dw * dev.q_minus(w))
        w = np.clip(w + step, lo_b, hi_b)
        np.minimum(wmin, w.min(axis=0), out=wmin)
        np.maximum(wmax, w.max(axis=0), out=wmax)
        while j < len(ck) and ck[j] == n + 1:
            rec[j] = (w - sp) if signed else (w - sp) ** 2
            j += 1
    return rec, wmin, wmax
