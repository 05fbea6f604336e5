"""AGAD (Rasch et al. 2024): chopped TT-v2 whose reference is estimated from recent reads.

Notation as in :mod:`.tiki_taka` (A fast array, C slow array, H buffer,
c per-column chopper, ``(+)`` the Analog Update of eq. (2)).  No reference
array: A is read raw, and each cell keeps a digital running mean ``M`` of its
reads and a frozen copy ``Pref`` of it.  Every step:

    g    = grad f(C; xi)                       the gradient is taken at C (no residual term)
    A   <- A (+) (-alpha c g)

and every ``transfer_every`` steps, for the read column (one per layer):

    v    = A_col (+ read noise)
    H   += lr_t c (v - Pref)
    n    = clip(trunc(H / theta), +-max_pulses),  theta = thres_scale * dw_min_C
    C   <- C (+) n dw_min_C                         (n single pulses; none during warm-up)
    H   <- momentum H  where n != 0 (forget_buffer), else H - (1 - momentum) n theta
    M   <- (1 - b) M + b v,   b = min(tail_weightening / N, 1),  N = max(ceil(1/p), 2)
    c   <- -c with probability p (or every N passes); where it flips, Pref <- M

``N`` is the number of reads of a column per chopper period (exact for the
regular schedule, the mean ``1/p`` rounded up for the random one), so ``b``
weights the tail of each period (aihwkit's ``tail_weightening``, default 5).
Setting ``Pref <- M`` right after the flipping read equals aihwkit's deferred
reset at the next read (M changes only at reads).  This reset is what keeps
the old-sign content of A out of the buffer after a flip (the wrong-sign read
of c-TTv2, :func:`.tiki_taka.c_ttv2`): aihwkit 1.1.0
(``rpu_dynamic_transfer_device.cpp``, ``readAndUpdate``) signs the first read
after a flip with the new chopper and subtracts ``Pref = M``, as here; what
remains of the old content is ``(1 - b)`` times the lag ``v - M`` at the
flipping read (none for ``b = 1``: on the digits MLP with in_chop_prob 0.5,
N = 2, the remainder is 0; with in_chop_prob 0.1, b = 0.5, its median over
flips is 0.47 of ``|v - Pref_old|``, seeds 0-4,
:func:`sptheory.experiments.chopper_transient.simulate`).  Warm-up as in aihwkit: C
receives no pulses while the column's layer has completed at most N passes
(``t // n_in <= N``), when M still remembers its zero start; the buffer is
updated regardless.  Where this differs from aihwkit: its random chopper mode
also flips on the regular schedule; here the random mode flips only at random.
No fixed reference exists and ``Pref`` is digital, so ``programs`` stays 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..devices import Device
from .base import TwoArrayNoise, analog_update, check_rate
from .tiki_taka import (
    TransferState, layout_for, buffer_pulses, check_bool, check_buffer, check_common, check_read_adc, chopper_flips,
    granularity, new_state, observe_transfer, read, write_columns,
)

__all__ = ["AGAD", "agad"]


@dataclass(frozen=True, eq=False)
class AGAD(TwoArrayNoise):
    """AGAD (Rasch et al. 2024; aihwkit's DynamicTransferCompound), update rule in the module docstring.

    Arguments to symbols: ``dev_a``/``dev_c`` the responses of A/C, ``alpha``
    the fast rate, ``transfer_lr`` lr_t, ``in_chop_prob`` p (> 0: the reference
    estimate needs chopper flips), ``tail_weightening`` the numerator of the
    EMA weight b, ``thres_scale``, ``momentum``, ``forget_buffer``,
    ``max_pulses`` as in :class:`.BufferedTransfer` (defaults from aihwkit's
    chopped compound: momentum 0, forget_buffer, one pulse per transfer),
    ``warmup`` the no-write start, ``read_noise``, ``layer_shapes``,
    ``pulse_mode``, ``c2c`` (a number, or a pair ``(c2c_fast, c2c_slow)`` for
    the pulses on A and on C) as in :class:`.TikiTaka`, ``read_adc`` as in
    :class:`.BufferedTransfer`.  ``gamma`` (default 0)
    mixes the de-chopped fast array into the forward weight, ``C + gamma c A``
    (aihwkit 1.2.0's ``gamma``); the gradient is taken there.  ``auto_granularity``
    (default None: the threshold is ``thres_scale * dw_min_C`` on every layer)
    sets aihwkit's per-tile threshold ``dw_min_A * auto_granularity / n_in_l``
    for the cells of layer ``l`` (``thres_scale`` is then not used).
    """

    dev_a: Device
    dev_c: Device
    alpha: float
    transfer_lr: float
    in_chop_prob: float = 0.1
    transfer_every: int = 1
    tail_weightening: float = 5.0
    thres_scale: float = 1.0
    momentum: float = 0.0
    forget_buffer: bool = True
    max_pulses: int | None = 1
    in_chop_random: bool = True
    warmup: bool = True
    read_noise: float = 0.0
    layer_shapes: tuple | None = None
    pulse_mode: str = "exact"
    c2c: float | tuple = 0.0
    read_adc: tuple | None = None
    gamma: float = 0.0
    auto_granularity: float | None = None
    stream: str = "full"

    def __post_init__(self):
        check_common(self)
        check_rate("gamma", self.gamma, allow_zero=True)
        if self.auto_granularity is not None:
            check_rate("auto_granularity", self.auto_granularity)
        check_buffer(self)
        object.__setattr__(self, "read_adc", check_read_adc(self.read_adc))
        check_rate("in_chop_prob", self.in_chop_prob, upper=1.0)
        check_rate("tail_weightening", self.tail_weightening)
        check_bool("in_chop_random", self.in_chop_random)
        check_bool("warmup", self.warmup)

    @property
    def period(self) -> int:
        """``N = max(ceil(1/p), 2)``, reads of a column per chopper period."""
        return max(math.ceil(1.0 / self.in_chop_prob), 2)

    @property
    def ema_weight(self) -> float:
        """``b = min(tail_weightening / N, 1)``."""
        return min(self.tail_weightening / self.period, 1.0)

    def init(self, W0, A0=None, replicates=None) -> TransferState:
        """Start with ``C = W0``, ``A = A0`` (default 0), ``H = M = Pref = 0``, choppers at +1."""
        return new_state(W0, A0, replicates, buffer=True, chopped=True, dynamic=True)

    def forward_weights(self, state) -> np.ndarray:
        """``C`` (gamma 0: AGAD computes with the slow array alone), or ``C + gamma c A`` (aihwkit 1.2.0's
        ``gamma`` of DynamicTransferCompound: the de-chopped fast array mixed in)."""
        if self.gamma == 0.0:
            return state.C
        return state.C + self.gamma * state.chop * state.A

    def _theta(self, A, cells, layout):
        """Threshold per read cell: ``thres_scale dw_C``, or ``dw_A auto_granularity / n_in`` of its layer."""
        if self.auto_granularity is None:
            return self.thres_scale * granularity(self.dev_c, A.shape, cells)
        n_in = np.repeat(layout.n_in, layout.n_out).astype(float)
        return granularity(self.dev_a, A.shape, cells) * (self.auto_granularity / n_in)

    def step(self, state: TransferState, objective, rng) -> TransferState:
        layout = layout_for(self, state, objective)
        g = objective.grad(self.forward_weights(state), rng)
        res_a = analog_update(self.dev_a, state.A, (-self.alpha * state.chop) * g, rng, self.pulse_mode, self.c2c_fast,
                              self.stream)
        A, C, H, chop, M, Pref = res_a.w, state.C, state.H, state.chop, state.M, state.Pref
        pulses_w, reads, t = state.pulses_w, state.reads, state.transfers
        if (state.cycles + 1) % self.transfer_every == 0:
            cells = layout.cells(t)
            v = read(A, cells, None, self.read_noise, rng, self.read_adc)
            c = chop[:, cells]
            dw = granularity(self.dev_c, A.shape, cells)
            n, h = buffer_pulses(H[:, cells] + self.transfer_lr * (c * (v - Pref[:, cells])),
                                 self._theta(A, cells, layout), self.max_pulses, self.momentum, self.forget_buffer)
            b = self.ema_weight
            m = (1.0 - b) * M[:, cells] + b * v
            H, M = H.copy(), M.copy()
            H[:, cells] = h
            M[:, cells] = m
            if self.warmup and self.period > 0:  # period 0: no chopper at all (ERiderPaper with p = 0)
                n = np.where(layout.passes(t) > self.period, n, 0.0)
            if np.any(n != 0.0):
                C, fired = write_columns(self.dev_c, C, cells, n * dw, rng, self.pulse_mode, self.c2c_slow,
                                         self.stream)
                pulses_w = pulses_w + fired
            chop, Pref = self._after_read(chop, Pref, c, m, cells, layout, t, rng)
            reads = reads + cells.size / layout.D
            t += 1
        return state._replace(A=A, C=C, H=H, chop=chop, M=M, Pref=Pref, layout=layout, transfers=t,
                              pulses_p=state.pulses_p + res_a.n_pulses.mean(axis=-1),
                              pulses_w=pulses_w, reads=reads, cycles=state.cycles + 1)

    def _after_read(self, chop, Pref, c, m, cells, layout, t, rng):
        """The read columns' chopper flips (``c`` their signs before), and Pref <- M (``m``, the updated
        running mean) where a column flipped; new ``(chop, Pref)``."""
        flip = chopper_flips(self, layout, t, rng, chop.shape[0])
        chop, Pref = chop.copy(), Pref.copy()
        chop[:, cells] = np.where(flip, -c, c)
        Pref[:, cells] = np.where(flip, m, Pref[:, cells])
        return chop, Pref

    def observe(self, state: TransferState, objective) -> dict:
        return observe_transfer(state, objective, state.C, state.Pref, self.dev_a)


def agad(dev_a, dev_c, alpha, transfer_lr, in_chop_prob=0.1, transfer_every=1, tail_weightening=5.0, **kw) -> AGAD:
    """AGAD (Rasch et al. 2024): c-TTv2 without a reference array; the signal into the buffer is
    ``c (read - Pref)`` with Pref the running mean of reads frozen at the column's last chopper
    flip; gradient at C.  See :class:`AGAD`."""
    return AGAD(dev_a, dev_c, alpha, transfer_lr, in_chop_prob, transfer_every, tail_weightening, **kw)
