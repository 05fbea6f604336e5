"""E-RIDER as the paper ran it (its App. B.2): AGAD plus the gamma-mixed gradient.

Algorithm 3 as printed (:func:`.rider.e_rider`) has ONE chopper per replicate
that flips with probability ``p`` per step and writes every cell of the slow
array every step.  The paper's experiments ran E-RIDER as an extension of
aihwkit's DynamicTransferCompound (AGAD, :mod:`.agad`): per-column input
choppers flipped after that column's transfer read, a transfer that reads one
column of every layer per step through a digital buffer and threshold pulses,
the reference estimate as a running mean of the reads, and AGAD's warm-up.  What
E-RIDER adds is the gradient at the mixed weight.  Notation as in
:mod:`.agad` (A = P fast array, C = W slow array, c per-column chopper, M the
running mean of reads = the digital SP tracker Q of eq. (12), Pref its copy
frozen at the column's last flip = the analog reference copy Q-tilde of
Alg. 3).  Every step:

    W_bar = C + gamma c (A - M)                 Alg. 3's W + gamma c (P - Q), c per column
    g     = grad f(W_bar; xi)
    A    <- A (+) (-alpha c g)                  (18a)

and for the read column of every layer (``transfer_every`` steps apart):

    v     = A_col
    H    += beta c (v - Pref)                   (18b) through the buffer, beta = transfer_lr
    n     = clip(trunc(H / theta_l), +-max_pulses)
    C    <- C (+) n dw_min_C                    (none during the warm-up)
    M    <- (1 - b) M + b v                     (12) per read, b = eta (or AGAD's tail_weightening / N)
    c    <- -c  on the flip schedule (regular every N passes, or with probability p); where it flips,
                Pref <- M                       (Alg. 3's reprogramming of the reference copy)

Threshold per layer: with ``auto_granularity`` set, ``theta_l = dw_min_A *
auto_granularity / n_in_l`` for the cells of layer ``l`` (aihwkit's chopped
compound: ``auto_granularity`` divided by the ``in_size`` of each tile); without it
``theta = thres_scale * dw_min_C`` as for AGAD.

Rows this class names:

* E-RIDER (paper): ``in_chop_prob = p > 0``, ``reprogram="flip"``.
* the paper's RIDER: E-RIDER with ``p = 0`` (no flip ever, so Pref stays at
  ``Q_0 = 0`` and (18b) reads ``P - Q_0``; erratum ``errata/erider-p0``).  No
  warm-up (it waits for chopper periods, and there are none); ``eta`` must be
  given (AGAD's weight needs a chopper period).
* RIDER with ``P - Q_k``: ``p = 0, reprogram="every"`` (Pref <- M after every read).

Algorithm 3 as printed stays :func:`.rider.e_rider` (one chopper), the form the
theory claims check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .agad import AGAD
from .base import check_rate
from .tiki_taka import TransferState, check_bool, check_buffer, check_common, check_read_adc, chopper_flips, new_state

__all__ = ["ERiderPaper", "e_rider_paper", "rider_paper"]

REPROGRAM = ("flip", "every")


@dataclass(frozen=True, eq=False)
class ERiderPaper(AGAD):
    """E-RIDER as the paper ran it (module docstring).  Arguments as :class:`.agad.AGAD` (``transfer_lr`` is
    beta, ``in_chop_prob`` p, 0 allowed: the paper's RIDER), plus ``gamma`` (the residual scale of the mixed
    weight), ``eta`` (the filter weight per read; None: AGAD's ``tail_weightening / N``), ``auto_granularity``
    (None: ``thres_scale * dw_min_C``; a number: the per-layer threshold ``dw_min_A * auto_granularity /
    n_in_l``) and ``reprogram`` (``"flip"``: Pref <- M at a flip; ``"every"``: after every read)."""

    gamma: float = 0.1
    eta: float | None = None
    reprogram: str = "flip"

    def __post_init__(self):
        check_common(self)
        check_buffer(self)
        object.__setattr__(self, "read_adc", check_read_adc(self.read_adc))
        check_rate("in_chop_prob", self.in_chop_prob, upper=1.0, allow_zero=True)
        check_rate("tail_weightening", self.tail_weightening)
        check_rate("gamma", self.gamma, allow_zero=True)
        check_bool("in_chop_random", self.in_chop_random)
        check_bool("warmup", self.warmup)
        if self.eta is not None:
            check_rate("eta", self.eta, upper=1.0)
        elif self.in_chop_prob == 0.0:
            raise ValueError("eta must be given when in_chop_prob is 0 (AGAD's filter weight needs a chopper "
                             "period), got None")
        if self.auto_granularity is not None:
            check_rate("auto_granularity", self.auto_granularity)
        if self.reprogram not in REPROGRAM:
            raise ValueError(f"reprogram must be one of {REPROGRAM}, got {self.reprogram!r}")

    @property
    def period(self) -> int:
        """``N = max(ceil(1/p), 2)`` reads of a column per chopper period; 0 for ``p = 0`` (no flips)."""
        if self.in_chop_prob == 0.0:
            return 0
        return max(math.ceil(1.0 / self.in_chop_prob), 2)

    @property
    def ema_weight(self) -> float:
        """``b = eta``, or AGAD's ``min(tail_weightening / N, 1)``."""
        if self.eta is not None:
            return float(self.eta)
        return min(self.tail_weightening / self.period, 1.0)

    def init(self, W0, A0=None, replicates=None) -> TransferState:
        """``C = W0``, ``A = A0`` (default 0), ``H = M = Pref = 0`` (``Q_0 = 0``), choppers at +1."""
        return new_state(W0, A0, replicates, buffer=True, chopped=True, dynamic=True)

    def forward_weights(self, state) -> np.ndarray:
        """``W_bar = C + gamma c (A - M)``: Alg. 3's mixed weight with per-column choppers."""
        if self.gamma == 0.0:
            return state.C
        return state.C + self.gamma * state.chop * (state.A - state.M)

    def _after_read(self, chop, Pref, c, m, cells, layout, t, rng):
        """AGAD's flips (none for ``p = 0``); Pref <- M at a flip (``reprogram="flip"``) or after every read
        (``"every"``).  The rest of the step is :meth:`.AGAD.step`, at the mixed weight of
        :meth:`forward_weights`."""
        Pref = Pref.copy()
        if self.in_chop_prob > 0.0:
            flip = chopper_flips(self, layout, t, rng, chop.shape[0])
            chop = chop.copy()
            chop[:, cells] = np.where(flip, -c, c)
            if self.reprogram == "flip":
                Pref[:, cells] = np.where(flip, m, Pref[:, cells])
        if self.reprogram == "every":
            Pref[:, cells] = m
        return chop, Pref


def e_rider_paper(dev_p, dev_w, alpha, beta, gamma=0.1, in_chop_prob=0.05, **kw) -> ERiderPaper:
    """E-RIDER as the paper ran it (App. B.2; module docstring): AGAD with the mixed-weight gradient
    ``W + gamma c (P - Q)``; ``beta`` is the buffered transfer rate (aihwkit's ``transfer_lr``)."""
    return ERiderPaper(dev_p, dev_w, alpha, beta, in_chop_prob, gamma=gamma, **kw)


def rider_paper(dev_p, dev_w, alpha, beta, eta, gamma=0.1, reprogram="flip", **kw) -> ERiderPaper:
    """The paper's RIDER: E-RIDER (paper) with ``p = 0`` (``reprogram="flip"``: (18b) reads ``P - Q_0``), or
    RIDER with ``P - Q_k`` (``reprogram="every"``)."""
    return ERiderPaper(dev_p, dev_w, alpha, beta, 0.0, gamma=gamma, eta=eta, reprogram=reprogram, **kw)
