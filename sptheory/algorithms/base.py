"""Shared pieces of the training algorithms: the analog update, the trace, the run loop.

Algorithms are frozen dataclasses with ``init(...) -> State`` and
``step(state, objective, rng) -> State`` over NamedTuple states (pure step
functions over explicit state); :func:`run` drives any of them and records a :class:`Trace`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from .. import _validate, pulses
from ..devices import Device

__all__ = ["PULSE_MODES", "analog_update", "check_stream", "Trace", "run"]

#: ``exact``: pulse-exact (stochastic rounding, pulse by pulse);
#: ``model``: update model with matched discretization noise;
#: ``noiseless``: the update model without noise (the theorems' recursion, dw_min -> 0);
#: ``trains``: stochastic pulse trains (:func:`sptheory.pulses.apply_trains`) with the defaults of
#: :class:`sptheory.pulses.Trains`; pass a ``pulses.Trains(bl=...)`` instance to choose them.
PULSE_MODES = ("exact", "model", "noiseless", "trains")


def check_mode(mode):
    if isinstance(mode, pulses.Trains):
        return mode
    if not isinstance(mode, str) or mode not in PULSE_MODES:
        raise ValueError(f"pulse_mode must be one of {PULSE_MODES} or a pulses.Trains instance, got {mode!r}")
    return mode


def check_rate(name: str, value, *, upper=None, allow_zero=False) -> float:
    """A rate: a finite real number > 0 (>= 0 with ``allow_zero``; at most ``upper``), never a string
    or a bool (``_validate.number``)."""
    return _validate.number(name, value, lo=0.0, hi=upper, lo_open=not allow_zero)


def _c2c_number(value, label="c2c", pair_ok=True):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        wanted = "a number or a pair (c2c_fast, c2c_slow) of numbers" if pair_ok else "one number (a single array)"
        raise TypeError(f"c2c must be {wanted}, got {label}={value!r}")
    additive = isinstance(value, pulses.AdditiveC2C)  # aihwkit's additive form, kept through the check
    value = float(value)
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"c2c must be finite and >= 0, got {label}={value!r}")
    return pulses.AdditiveC2C(value) if additive else value


def check_c2c(value):
    """Normalise a two-array algorithm's cycle-to-cycle noise: a number (both arrays) becomes a float,
    a pair ``(c2c_fast, c2c_slow)`` (tuple, list or 1-D array of two) a tuple of two floats.

    A wrong length is a ValueError, a non-number a TypeError, a negative or non-finite entry a
    ValueError, each naming ``c2c``."""
    if isinstance(value, (tuple, list, np.ndarray)):
        if np.ndim(value) != 1 or len(value) != 2:
            raise ValueError(f"c2c must be a number or a pair (c2c_fast, c2c_slow), got c2c={value!r}")
        return (_c2c_number(value[0], "c2c[0] (c2c_fast)"), _c2c_number(value[1], "c2c[1] (c2c_slow)"))
    return _c2c_number(value)


def c2c_fast(c2c) -> float:
    """The fast array's part of a normalised ``c2c`` (:func:`check_c2c`)."""
    return c2c[0] if type(c2c) is tuple else c2c


def c2c_slow(c2c) -> float:
    """The slow array's part of a normalised ``c2c`` (:func:`check_c2c`)."""
    return c2c[1] if type(c2c) is tuple else c2c


class TwoArrayNoise:
    """Mixin of the two-array algorithms: the parts of their normalised ``c2c`` field per array."""

    @property
    def c2c_fast(self) -> float:
        """Cycle-to-cycle noise of the fast array's pulses (first entry of a pair ``c2c``)."""
        return c2c_fast(self.c2c)

    @property
    def c2c_slow(self) -> float:
        """Cycle-to-cycle noise of the slow array's pulses (second entry of a pair ``c2c``)."""
        return c2c_slow(self.c2c)


def check_stream(stream) -> str:
    """The algorithms' ``stream`` field: ``"full"`` (default) or ``"lean"`` (:data:`sptheory.pulses.STREAMS`);
    anything else is a ValueError naming ``stream`` and the value."""
    return pulses.check_stream(stream)


def analog_update(dev: Device, w, dW, rng, mode: str, c2c: float = 0.0, stream: str = "full") -> pulses.PulseResult:
    """Ask ``dev`` for the signed increment ``dW`` (eq. (2)) in the chosen pulse mode.

    ``dW`` may be a :class:`sptheory.pulses.RankOneUpdate` (what ``nn.MLP.grad``
    returns, times the algorithm's step size and signs): the ``trains`` mode
    realises it as rank-1 pulse trains, the other modes use its dense value.
    ``stream`` (``"full"`` or ``"lean"``, :data:`sptheory.pulses.STREAMS`) goes to the pulse-exact modes
    (``exact``, ``trains``); the update model draws per requested cell in either stream.
    """
    if isinstance(mode, pulses.Trains) or mode == "trains":
        trains = mode if isinstance(mode, pulses.Trains) else _DEFAULT_TRAINS
        return pulses.apply_trains(dev, w, dW, rng, bl=trains.bl, c2c=c2c, update_management=trains.update_management,
                                   bl_management=trains.bl_management, clip_d_first=trains.clip_d_first,
                                   stream=stream)
    if mode == "exact":
        return pulses.apply_exact(dev, w, dW, rng, c2c=c2c, stream=stream)
    if mode == "model":
        return pulses.apply_model(dev, w, dW, rng, c2c=c2c)
    return pulses.apply_model(dev, w, dW, rng, noise=False)


_DEFAULT_TRAINS = pulses.Trains()


def dist_to_optimum(W, objective) -> np.ndarray:
    """``||W - W*||^2`` per replicate, NaN for objectives without a known minimiser (``W_star`` None)."""
    W_star = getattr(objective, "W_star", None)
    if W_star is None:
        return np.full(np.shape(W)[:-1], np.nan)
    return sq_norm(W - W_star)


@dataclass(frozen=True)
class Trace:
    """What :func:`run` recorded, each array ``(records, replicates)``.

    k          iteration index of each record
    f_gap      ``f(W_bar_k) - f*`` (for ``nn.MLP``, ``f* = 0``: the training loss itself)
    w_dist     ``||W_k - W*||^2`` (NaN where the objective has no ``W_star``, e.g. ``nn.MLP``)
    pq         ``||P_k - Q_k||^2``            (NaN for single-array methods)
    gp         ``||G_p(P_k)||^2``             (NaN for single-array methods)
    q_sp       ``||Q_k - W_sp||^2``           (NaN for single-array methods)
    pulses     pulses fired per cell so far, all arrays together (energy accounting)
    pulses_p, pulses_w  the same per array (P: fast array incl. calibration; W: slow array)
    cycles     update cycles so far; ``cycles * BL`` is the paper's Fig. 4 time accounting
    programs   reprogramming events of E-RIDER's analog reference copy
    calibration  zero-shifting pulses per cell spent before training (two-stage)
    states     with ``run(..., keep_states=True)``: the arrays ``W, P, Q, c`` of every record,
               each ``(records, replicates, D)`` (``c``: ``(records, replicates)``); else None
    reads      reads of the fast array per cell so far (transfer-based baselines), else None
    """

    k: np.ndarray
    f_gap: np.ndarray
    w_dist: np.ndarray
    pq: np.ndarray
    gp: np.ndarray
    q_sp: np.ndarray
    pulses: np.ndarray
    pulses_p: np.ndarray
    pulses_w: np.ndarray
    cycles: np.ndarray
    programs: np.ndarray
    calibration: np.ndarray
    states: dict | None = None
    reads: np.ndarray | None = None

    def time_cost(self, BL: int = 5) -> np.ndarray:
        """Fig. 4 accounting: calibration pulses + update cycles x BL (pulses per update)."""
        return self.calibration + self.cycles * BL

    def average(self, name: str, start: int = 0) -> np.ndarray:
        """Mean over records from ``start`` of a metric, per replicate (e.g. the E_K of eq. (14))."""
        return getattr(self, name)[start:].mean(axis=0)


def run(algo, objective, state, n_iter: int, rng, record_every: int = 1, progress: bool = False,
        keep_states: bool = False) -> tuple:
    """Run ``n_iter`` steps of ``algo`` from ``state``; returns ``(final_state, Trace)``.

    Records at ``k = 0, record_every, 2 record_every, ...`` and at ``n_iter``;
    with ``keep_states`` also the state arrays themselves (for signals such
    as the Fig. 3 traces of P and Q).
    ``rng`` is normalised with ``np.random.default_rng``; one generator drives
    every replicate (replicates are the leading axis of the state arrays).
    """
    if isinstance(n_iter, (bool, np.bool_)) or not isinstance(n_iter, (int, np.integer)) or n_iter < 0:
        raise ValueError(f"n_iter must be a non-negative integer, got {n_iter!r}")
    if not isinstance(record_every, (int, np.integer)) or record_every < 1:
        raise ValueError(f"record_every must be a positive integer, got {record_every!r}")
    rng = np.random.default_rng(rng)
    records = []
    kept = {"W": [], "P": [], "Q": [], "c": []}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_iter, desc=type(algo).__name__, unit="it", leave=False)
    for k in range(n_iter + 1):
        if k % record_every == 0 or k == n_iter:
            records.append(dict(algo.observe(state, objective), k=k))
            if keep_states:
                for name in kept:
                    value = getattr(state, name)
                    if value is not None:
                        kept[name].append(value[..., 0].copy() if name == "c" else value.copy())
        if k == n_iter:
            break
        state = algo.step(state, objective, rng)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    names = [f.name for f in fields(Trace) if f.name not in ("states", "reads")]
    states = {n: np.array(v) for n, v in kept.items() if v} if keep_states else None
    reads = np.array([r["reads"] for r in records]) if all("reads" in r for r in records) else None
    return state, Trace(**{n: np.array([r[n] for r in records]) for n in names}, states=states, reads=reads)


def sq_norm(x) -> np.ndarray:
    return np.sum(np.asarray(x) ** 2, axis=-1)
