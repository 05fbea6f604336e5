"""RIDER (Algorithm 2), E-RIDER (Algorithm 3), residual learning and the two-stage baseline.

Three sequences per cell (Alg. 2, eqs. (11a), (11b), (12)): ``P`` on the fast analog array
(responses ``F_p, G_p`` of ``dev_p``), ``W`` on the slow analog array
(``dev_w``), and the digital SP tracker ``Q``.  One iteration, with chopper
sign ``c_k`` (``c = 1`` for RIDER):

    W_bar   = W + gamma c (P - Q)
    g       = grad f(W_bar; xi)
    P_{k+1} = P - alpha c g F_p(P) - alpha |g| G_p(P) + b                    (11a)/(18a)
    W_{k+1} = W + beta c (P_{k+1} - R) F_w(W) - beta |P_{k+1} - R| G_w(W) + b'   (11b)/(18b)
    Q_{k+1} = (1 - eta) Q + eta P_{k+1}                                       (12)
    c_{k+1} = -c with probability p                                           (17)

``R`` is the reference read against ``P``: the digital ``Q_k`` itself
(``reference="digital"``, Algorithm 2), or E-RIDER's analog copy ``Qt`` that
is reprogrammed to ``Q`` only when the chopper flips
(``reference="analog"``, Algorithm 3; each reprogramming is counted).
RIDER is therefore ``p = 0, reference="digital"``.  The paper calls RIDER
E-RIDER with ``p = 0``, but Algorithm 3 as printed never reprograms ``Qt``
when ``p = 0`` (the chopper never flips), so ``Qt`` stays at ``Q_0`` and
(18b) reads ``P - Q_0`` where (11b) reads ``P - Q_k`` (erratum
``errata/erider-p0``).  ``reprogram="every"`` is the reading under which the
statement holds: ``Qt`` is reprogrammed to ``Q_{k+1}`` after every step, so
E-RIDER with ``p = 0`` is RIDER bit for bit; ``reprogram="flip"`` (the
default) is Algorithm 3 as printed.  Residual learning
(Wu et al. 2025) is RIDER with ``eta = 0`` and ``Q_0 = 0``; the two-stage
baseline (Algorithm 4) calibrates ``Q`` by zero-shifting and keeps it fixed.

Transfer to the slow array.  ``transfer="direct"`` (the default) is (11b)/(18b)
as printed: every cell of ``W`` receives the request ``beta c (P_{k+1} - R)``
every step.  ``transfer="buffered"`` is the paper's aihwkit realisation of
E-RIDER (settings gamma 0.1, in_chop_prob 0.05, fast_lr 0.5, transfer_lr 0.05,
auto_granularity 1000, BL 5 belong to aihwkit's buffered/chopped transfer
compounds): the same signal goes column by column through a digital buffer
``H`` and threshold pulses, exactly as TT-v2 moves ``A`` to ``C``
(:class:`.tiki_taka.BufferedTransfer`, whose column layout and buffer
arithmetic are reused).  After every ``transfer_every``-th step, for the read
columns (column ``t mod n_in`` of every layer, t = transfers so far):

    H_col += beta c (P_{k+1} - R)_col
    n      = clip(trunc(H_col / theta), +-max_pulses),  theta = thres_scale * dw_min_W
    W_col <- W_col (+) n dw_min_W                            (n single pulses)
    H_col <- momentum H_col where n != 0 (forget_buffer), else H_col - (1 - momentum) n theta

``P``, ``Q``, ``Qt`` and the chopper follow Algorithm 2/3 unchanged (Q is
filtered every step).  On a few-state slow array the direct form asks every
cell for a small fraction of one pulse every step, so ``W`` mostly receives
the update's discretization noise; the buffer accumulates the signal until
it is worth whole pulses.  aihwkit's ``auto_granularity`` (a rescaling of the
threshold by the fast array's granularity) is not modelled: ``thres_scale``
is in units of the slow array's ``dw_min``, as in :mod:`.tiki_taka`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .. import calibration
from ..devices import Device
from .base import (TwoArrayNoise, analog_update, check_c2c, check_mode, check_rate, check_stream, dist_to_optimum,
                   sq_norm)
from .tiki_taka import ColumnLayout, buffer_pulses, check_buffer, check_int, granularity, layout_for, write_columns

#: The buffered transfer's options and their defaults; ``transfer="direct"`` accepts only these values.
_BUFFER_DEFAULTS = {"transfer_every": 1, "thres_scale": 1.0, "momentum": 0.0, "forget_buffer": True,
                    "max_pulses": 1, "layer_shapes": None}

__all__ = ["TrainState", "Rider", "TwoStage", "rider", "e_rider", "residual_learning"]


class TrainState(NamedTuple):
    """State of a (possibly residual) analog training run; arrays ``(replicates, D)``.

    ``c`` is the chopper sign per replicate, shape ``(replicates, 1)``.
    ``pulses_p``/``pulses_w`` are the pulses fired so far per cell (mean over
    cells, per replicate), ``cycles`` the update cycles, ``programs`` the
    reference reprogramming events, ``calibration`` the zero-shifting pulses
    per cell spent before training.  Unused arrays are ``None``.  The
    buffered transfer (``Rider(transfer="buffered")``) adds the digital buffer
    ``H``, the count of column ``transfers`` and the cached column ``layout``.
    """

    W: np.ndarray
    P: np.ndarray | None
    Q: np.ndarray | None
    Qt: np.ndarray | None
    c: np.ndarray | None
    pulses_p: np.ndarray
    pulses_w: np.ndarray
    cycles: int
    programs: np.ndarray
    calibration: float
    H: np.ndarray | None = None
    transfers: int = 0
    layout: ColumnLayout | None = None


def _cell_mean(x):
    """Mean over the cell axis (``x.mean(axis=-1)``, the same sum and division, without the wrapper's cost)."""
    return np.add.reduce(x, axis=-1) / x.shape[-1]


def _check_dev(name, dev):
    if not isinstance(dev, Device):
        raise TypeError(f"{name} must be a sptheory.devices.Device, got {type(dev).__name__}")


def _start(W0, P0, Q0, replicates):
    W0 = np.atleast_1d(np.asarray(W0, dtype=float))
    D = W0.shape[-1]
    lead = (replicates,) if replicates is not None else W0.shape[:-1] or (1,)
    shape = lead + (D,)

    def full(name, x, default):
        x = default if x is None else x
        try:
            return np.array(np.broadcast_to(np.asarray(x, dtype=float), shape))
        except ValueError:
            raise ValueError(f"{name} with shape {np.shape(x)} does not broadcast to {shape}") from None

    return full("W0", W0, 0.0), full("P0", P0, 0.0), full("Q0", Q0, 0.0), shape


@dataclass(frozen=True)
class Rider(TwoArrayNoise):
    """RIDER / E-RIDER on two analog arrays with a digital SP tracker (module docstring).

    Parameters map to the paper's symbols: ``alpha`` fast learning rate, ``beta``
    transfer rate, ``eta`` filter weight of (12), ``gamma`` residual scale,
    ``p`` chopper probability.  ``pulse_mode`` in ``("exact", "model",
    "noiseless", "trains")`` (or a ``pulses.Trains``) picks the pulse-exact
    engine, the update model, its noiseless limit (``dw_min -> 0``, the
    theorems' recursion) or stochastic pulse trains (rank-1 for the
    gradient of ``nn.MLP``, per cell for the transfer); ``c2c`` is the
    cycle-to-cycle noise of the pulses: one number for both arrays, or a pair
    ``(c2c_fast, c2c_slow)`` whose first entry noises the pulses on P
    (``dev_p``) and second those on W (``dev_w``), e.g. ``NetworkDevices.c2c``.

    ``transfer`` picks how ``W`` receives ``beta c (P_{k+1} - R)``:
    ``"direct"`` (Alg. 2/3, every cell every step) or ``"buffered"`` (the
    paper's aihwkit realisation, module docstring) with ``transfer_every``,
    ``thres_scale``, ``momentum``, ``forget_buffer``, ``max_pulses`` and
    ``layer_shapes`` meaning what they mean for TT-v2
    (:class:`.tiki_taka.BufferedTransfer`; ``beta`` plays its
    ``transfer_lr``).  Defaults follow aihwkit's chopped transfer compound
    (one column per step, threshold one ``dw_min``, momentum 0, one pulse per
    transfer).  ``"direct"`` refuses a buffered option set away from its
    default (``ValueError``): it would have no effect.

    ``reprogram`` says when the analog reference copy ``Qt`` is set to
    ``Q``: ``"flip"`` at chopper flips only (Alg. 3 as printed, eq. (17)),
    ``"every"`` after every step (then ``Qt_k = Q_k`` and (18b) reads
    ``P - Q`` as (11b) does; every step counts one reprogramming in
    ``programs``).  Ignored by ``reference="digital"``.
    """

    dev_p: Device
    dev_w: Device
    alpha: float
    beta: float
    eta: float
    gamma: float
    p: float = 0.0
    reference: str = "digital"
    pulse_mode: str = "exact"
    c2c: float | tuple = 0.0
    transfer: str = "direct"
    transfer_every: int = 1
    thres_scale: float = 1.0
    momentum: float = 0.0
    forget_buffer: bool = True
    max_pulses: int | None = 1
    layer_shapes: tuple | None = None
    reprogram: str = "flip"
    stream: str = "full"

    def __post_init__(self):
        _check_dev("dev_p", self.dev_p)
        _check_dev("dev_w", self.dev_w)
        check_rate("alpha", self.alpha)
        check_rate("beta", self.beta, allow_zero=True)
        check_rate("eta", self.eta, upper=1.0, allow_zero=True)
        check_rate("gamma", self.gamma, allow_zero=True)
        check_rate("p", self.p, upper=1.0, allow_zero=True)
        object.__setattr__(self, "c2c", check_c2c(self.c2c))
        check_mode(self.pulse_mode)
        check_stream(self.stream)
        if self.reference not in ("digital", "analog"):
            raise ValueError(f"reference must be 'digital' or 'analog', got {self.reference!r}")
        if self.transfer not in ("direct", "buffered"):
            raise ValueError(f"transfer must be 'direct' or 'buffered', got {self.transfer!r}")
        if self.reprogram not in ("flip", "every"):
            raise ValueError(f"reprogram must be 'flip' or 'every', got {self.reprogram!r}")
        if self.transfer == "direct":
            for name, default in _BUFFER_DEFAULTS.items():
                value = getattr(self, name)
                same = value is None if default is None else (type(value) in (int, float, bool) and value == default)
                if not same:
                    raise ValueError(f"{name}={value!r} only applies to transfer='buffered' "
                                     f"(transfer='direct' would ignore it); leave it at {default!r}")
        if self.transfer == "buffered":
            check_int("transfer_every", self.transfer_every)
            check_buffer(self)
            if self.layer_shapes is not None:
                from .tiki_taka import _check_shapes

                object.__setattr__(self, "layer_shapes", _check_shapes(self.layer_shapes))

    def init(self, W0, P0=None, Q0=None, replicates=None) -> TrainState:
        """Start from ``W0`` (and ``P0``, ``Q0``, default 0); ``Qt = Q0``, ``c = +1``."""
        W, P, Q, shape = _start(W0, P0, Q0, replicates)
        zeros = np.zeros(shape[:-1])
        H = np.zeros(shape) if self.transfer == "buffered" else None
        return TrainState(W, P, Q, Q.copy(), np.ones(shape[:-1] + (1,)), zeros.copy(), zeros.copy(), 0,
                          np.zeros(shape[:-1], dtype=np.int64), 0.0, H)

    def step(self, state: TrainState, objective, rng) -> TrainState:
        W, P, Q, Qt, c = state.W, state.P, state.Q, state.Qt, state.c
        # arithmetic on the read-out values as plain arrays (np.asarray drops a pulses.ReadOut's subclass,
        # not its values); the ReadOut itself goes back to the pulse functions, which keep its hidden weights
        Wv, Pv = np.asarray(W), np.asarray(P)
        g = objective.grad(Wv + (self.gamma * c) * (Pv - Q), rng)
        res_p = analog_update(self.dev_p, P, (-self.alpha * c) * g, rng, self.pulse_mode, self.c2c_fast, self.stream)
        P1 = res_p.w
        P1v = np.asarray(P1)
        ref = Qt if self.reference == "analog" else Q
        H, t, layout = state.H, state.transfers, state.layout
        if self.transfer == "direct":
            res_w = analog_update(self.dev_w, W, (self.beta * c) * (P1v - ref), rng, self.pulse_mode, self.c2c_slow,
                                  self.stream)
            W1, fired_w = res_w.w, _cell_mean(res_w.n_pulses)
        else:
            W1, fired_w, H, t, layout = self._buffered(state, objective, W, P1v, ref, c, rng)
        Q1 = Q if self.eta == 0.0 else (1.0 - self.eta) * Q + self.eta * P1v
        if self.p > 0.0:
            flip = rng.random(c.shape) < self.p
            if flip.any():  # most steps flip nothing (p is small): skip the selections, same values
                c1 = np.where(flip, -c, c)
                Qt1 = np.where(flip, Q1, Qt) if self.reference == "analog" else Qt
                programs = state.programs + flip[..., 0]
            else:
                c1, Qt1, programs = c, Qt, state.programs
        else:
            c1, Qt1, programs = c, Qt, state.programs
        if self.reprogram == "every" and self.reference == "analog":
            # the copy follows Q every step (errata/erider-p0): a flip's reprogramming is this step's one
            Qt1, programs = Q1, state.programs + 1
        return TrainState(
            W1, P1, Q1, Qt1, c1,
            state.pulses_p + _cell_mean(res_p.n_pulses),
            state.pulses_w + fired_w,
            state.cycles + 1, programs, state.calibration, H, t, layout,
        )

    def _buffered(self, state, objective, W, P1v, ref, c, rng):
        """Buffered transfer of ``beta c (P_{k+1} - R)`` to ``W`` (module docstring): returns
        ``(W_new, pulses on W per cell, H, transfers, layout)``."""
        layout = layout_for(self, state, objective)
        H, t = state.H, state.transfers
        if H is None:
            raise ValueError("a buffered transfer needs a state with the buffer H: start it with this Rider's init")
        fired = np.zeros(W.shape[:-1])
        if (state.cycles + 1) % self.transfer_every != 0:
            return W, fired, H, t, layout
        cells = layout.cells(t)
        dw = granularity(self.dev_w, W.shape, cells)
        signal = (self.beta * c) * (P1v[:, cells] - ref[:, cells])
        n, h = buffer_pulses(H[:, cells] + signal, self.thres_scale * dw, self.max_pulses, self.momentum,
                             self.forget_buffer)
        H = H.copy()
        H[:, cells] = h
        if np.any(n != 0.0):
            W, fired = write_columns(self.dev_w, W, cells, n * dw, rng, self.pulse_mode, self.c2c_slow, self.stream)
        return W, fired, H, t + 1, layout

    def forward_weights(self, state: TrainState) -> np.ndarray:
        """The weights the gradient is taken at, ``W_bar = W + gamma c (P - Q)`` (use them to evaluate a network)."""
        return state.W + self.gamma * state.c * (state.P - state.Q)

    def observe(self, state: TrainState, objective) -> dict:
        W_bar = self.forward_weights(state)
        return dict(
            f_gap=objective.f(W_bar) - objective.f_star,
            w_dist=dist_to_optimum(state.W, objective),
            pq=sq_norm(state.P - state.Q),
            gp=sq_norm(self.dev_p.G(state.P)),
            q_sp=sq_norm(state.Q - self.dev_p.symmetric_point()),
            pulses=state.pulses_p + state.pulses_w,
            pulses_p=state.pulses_p,
            pulses_w=state.pulses_w,
            cycles=np.full(state.W.shape[:-1], state.cycles),
            programs=state.programs,
            calibration=np.full(state.W.shape[:-1], state.calibration),
        )


def rider(dev_p, dev_w, alpha, beta, eta, gamma, **kw) -> Rider:
    """RIDER, Algorithm 2 (no chopper, digital reference)."""
    return Rider(dev_p, dev_w, alpha, beta, eta, gamma, p=0.0, reference="digital", **kw)


def e_rider(dev_p, dev_w, alpha, beta, eta, gamma, p, **kw) -> Rider:
    """E-RIDER, Algorithm 3: chopper with flip probability ``p`` and the analog reference copy.

    Pass ``reprogram="every"`` for the reading under which ``p = 0`` gives RIDER
    (:class:`Rider`; erratum ``errata/erider-p0``)."""
    return Rider(dev_p, dev_w, alpha, beta, eta, gamma, p=p, reference="analog", **kw)


def residual_learning(dev_p, dev_w, alpha, beta, gamma, **kw) -> Rider:
    """Residual learning (Wu et al. 2025): RIDER with ``eta = 0``; start it with ``Q0 = 0``
    (the default of :meth:`Rider.init`), i.e. it assumes the SP sits at 0."""
    return Rider(dev_p, dev_w, alpha, beta, 0.0, gamma, p=0.0, reference="digital", **kw)


@dataclass(frozen=True)
class TwoStage:
    """Algorithm 4: zero-shift the P array for ``n_zs`` pulses, then train with ``Q`` fixed
    to that SP estimate (RIDER with ``eta = 0``).

    :meth:`init` runs the calibration (so it needs ``rng``); its pulses are
    counted in ``pulses_p`` and ``calibration`` (one pulse per cycle).  The
    calibration starts each cell at ``P0`` (default 0) clipped into that
    cell's device bounds: a physical cell cannot hold a value outside them,
    and with per-cell reference offsets (``devices.network_devices``) the
    bounds move with the offset, so 0 can lie outside some cells' range.
    Its pulses carry the trainer's fast-array cycle-to-cycle noise (``trainer.c2c_fast``).
    """

    trainer: Rider
    n_zs: int
    schedule: str = "cyclic"

    def __post_init__(self):
        if self.trainer.eta != 0.0 or self.trainer.p != 0.0:
            raise ValueError("the two-stage trainer keeps Q fixed: use eta = 0 and p = 0")
        check_int("n_zs", self.n_zs, minimum=0)

    def init(self, W0, rng, P0=None, replicates=None) -> TrainState:
        W, P, _, shape = _start(W0, P0, None, replicates)
        dev_p = self.trainer.dev_p
        P = np.clip(P, dev_p.lower, dev_p.upper)
        cal = calibration.zero_shift(dev_p, P, int(self.n_zs), rng, schedule=self.schedule,
                                     c2c=self.trainer.c2c_fast, track_g2=False)
        base = self.trainer.init(W, P0=cal.w, Q0=cal.w)
        n = float(self.n_zs)
        return base._replace(pulses_p=base.pulses_p + n, calibration=n)

    def step(self, state, objective, rng):
        return self.trainer.step(state, objective, rng)

    def forward_weights(self, state):
        return self.trainer.forward_weights(state)

    def observe(self, state, objective):
        return self.trainer.observe(state, objective)
