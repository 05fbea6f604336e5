"""The translation of the paper's hyperparameters (its Table 5, aihwkit units) into sptheory's for the
converged settings: :func:`table5`, the centre of every converged search.  Part of
:mod:`sptheory.experiments.network`."""

from __future__ import annotations

import numpy as np

from ... import devices
from .settings import CONVERGED


#: The paper's Table 5 (FCN, aihwkit) in sptheory's units for the digits MLP, per converged setting: the centre
#: of each grid (two axes searched, :data:`SEARCH_AXES`; the rest held).  The translation (aihwkit 1.1.0's
#: compounds read from its source; ``benchmarks/peer_network.py`` holds it as code):
#:
#: * A's update: ``alpha = fast_lr``.  Transfer: ``lr_t = transfer_lr * eta_SGD`` (``scale_transfer_lr``);
#:   the SGD rate is not in Table 5, so ``eta_SGD = 1`` (transfer_lr as printed).  One column of every layer
#:   is read per step (``units_in_mbatch``, ``transfer_every = 1``), its pulses capped at one
#:   (``desired_bl = 1`` of the transfer: ``max_pulses=1``).
#: * TT-v2 (BufferedTransferCompound): threshold ``thres_scale`` dw_C, ``momentum`` 0.1, ``forget_buffer``.
#: * c-TTv2 / AGAD (Chopped/DynamicTransferCompound): the threshold is ``dw_A * auto_granularity / in_size``,
#:   i.e. ``thres_scale = (dw_A / dw_C) * 1000 / in_size`` in units of dw_C, with ``in_size = 65`` (the first
#:   layer, 86 % of the cells; aihwkit's per-layer threshold is one number here); momentum 0; AGAD's
#:   choppers flip regularly (``in_chop_random=False``, its aihwkit default).  c-TTv2 has no Table 5 row:
#:   it takes AGAD's (the same compound family without the dynamic reference).
#: * E-RIDER (the paper's aihwkit extension of the dynamic compound): the same threshold; its chopper is one
#:   per replicate here, flipping with probability p per step, so aihwkit's per-column-read probability
#:   0.05 becomes ``p = 0.05 / 65``; the filter (an EMA with weight ``tail_weightening / N = 0.25`` per read
#:   of a column) becomes ``eta = 0.25 / 65`` per step.  RIDER: the same without the chopper.
#: * residual learning (direct transfer, every cell every step): ``beta = transfer_lr / 65``, the rate per
#:   step of one read per column every 65 steps.
#: * the SGDs: alpha 0.1 (no Table 5 row).
IN_SIZE = 65


def table5(setting: str, in_size: int = None) -> dict:
    """The Table 5 centre of every converged algorithm in setting ``setting`` ("A" or "B"); ``in_size``
    the columns of the first layer's array (default :data:`IN_SIZE`, the digits MLP; 785 for the paper's
    FCN, :func:`paper_scale`)."""
    in_size = IN_SIZE if in_size is None else in_size
    if isinstance(in_size, (bool, np.bool_)) or not isinstance(in_size, (int, np.integer)) or in_size < 1:
        raise ValueError(f"in_size must be a positive integer, got {in_size!r}")
    if setting not in CONVERGED:
        raise ValueError(f"setting must be one of {sorted(CONVERGED)}, got {setting!r}")
    cs = CONVERGED[setting]
    dw_a = devices.PRESETS[cs.device].dw_min
    dw_c = devices.PRESETS[cs.slow_device or cs.device].dw_min
    T = _round(dw_a / dw_c * 1000.0 / in_size)
    chopped = dict(max_pulses=1, momentum=0.0, forget_buffer=True, thres_scale=T)
    rider = dict(alpha=0.5, beta=0.05, gamma=0.1, eta=_round(0.25 / in_size), **chopped)
    return {
        "digital SGD": dict(alpha=0.1),
        "analog SGD": dict(alpha=0.1),
        "TT-v2": dict(alpha=0.03, transfer_lr=0.01, thres_scale=0.8, momentum=0.1, forget_buffer=True, max_pulses=1),
        "c-TTv2": dict(alpha=0.05, transfer_lr=0.3, in_chop_prob=0.1, **chopped),
        "AGAD": dict(alpha=0.05, transfer_lr=0.3, in_chop_prob=0.1, tail_weightening=5.0, in_chop_random=False,
                     **chopped),
        "E-RIDER (buffered)": dict(rider, p=_round(0.05 / in_size)),
        "RIDER (buffered)": dict(rider),
        "residual learning": dict(alpha=0.5, beta=_round(0.05 / in_size), gamma=0.1),
    }


def _round(x: float) -> float:
    return float(f"{x:.6g}")
