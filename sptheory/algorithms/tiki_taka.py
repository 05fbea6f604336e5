"""Tiki-Taka baselines on a fast array A and a slow array C: TT-v1, TT-v2 and chopped TT-v2.

Notation (shared with :mod:`.agad`): ``A`` fast analog array (responses of
``dev_a``), ``C`` slow analog array (``dev_c``), ``H`` digital transfer
buffer, ``r`` the reference subtracted from A's reads, ``c`` per-column input
chopper signs, ``alpha`` the fast learning rate, ``lr_t`` the transfer rate.
``(+)`` is the Analog Update of eq. (2), realised by
:func:`.base.analog_update` in the chosen pulse mode.  Every step:

    W_f  = C + gamma (A - r)                 forward weight (gamma = 0: C alone)
    g    = grad f(W_f; xi)                   the gradient is evaluated at W_f
    A   <- A (+) (-alpha c g)                c = 1 without choppers

and every ``transfer_every`` steps one column of A is read (a one-hot input,
aihwkit fashion), ``v = A[:, col] - r[:, col]`` (+ optional Gaussian read
noise), and moved to C:

    TT-v1   C[:, col] <- C[:, col] (+) lr_t v
    TT-v2   H[:, col] += lr_t c v;  n = clip(trunc(H / theta), +-max_pulses),
            theta = thres_scale * dw_min_C;  C[:, col] <- C[:, col] (+) n dw_min_C
            (n single pulses); where n != 0: H <- momentum H (forget_buffer) or
            H <- H - (1 - momentum) n theta
    c-TTv2  TT-v2 with choppers: after its read, column col's sign c flips with
            probability in_chop_prob (or every max(ceil(1/p), 2) passes)

Columns.  A "column" is all weights fed by one input of a weight matrix (what a
one-hot input vector reads in aihwkit).  A layered objective exposes
``layer_shapes``, a tuple of ``(n_out, n_in)`` whose row-major flattenings,
concatenated, are the D cells; each transfer reads column ``t mod n_in`` of
EVERY layer (t = transfers so far), as every aihwkit tile keeps its own
column pointer.  A vector problem (no ``layer_shapes``) is laid out as one
``(D, 1)`` matrix by default: a single column holding every cell, so a
transfer reads all of A, as RIDER's transfer (11b) moves every cell every
iteration; that keeps the baselines comparable with RIDER at equal transfer
frequency.  ``layer_shapes=((1, D),)`` gives the layout of a linear regressor
in aihwkit instead (one cell per column, a full pass every D transfers).

Sources: TT-v1 follows Gokmen & Haensch (2020), TT-v2 Gokmen (2021), c-TTv2
Rasch et al. (2024); the buffer arithmetic (the momentum forms, the pulse cap
of 1 from aihwkit's ``desired_bl = 1`` transfer update) follows aihwkit's
buffered/chopped transfer compounds.  Where aihwkit differs we say so: its
chopped variant scales the threshold by A's granularity (and
``auto_granularity``), here all buffered methods use ``thres_scale *
dw_min_C`` so that ``thres_scale`` means the same thing in each.  Each write
to C is an Analog Update of the read cells (for a device with per-cell
parameters: of the whole array with a request that is zero elsewhere).  Reads of A are exact unless ``read_noise > 0`` (additive
Gaussian, standard deviation ``read_noise`` in weight units, per read value).
The fixed reference ``r`` is programmed before training; no reference
programming happens during training, so ``programs`` stays 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .. import _validate, pulses
from ..devices import Device, cells_of
from .base import TwoArrayNoise, analog_update, check_c2c, check_mode, check_rate, check_stream, sq_norm

__all__ = [
    "ColumnLayout", "column_layout", "TransferState", "TikiTaka", "BufferedTransfer",
    "tiki_taka", "tt_v2", "c_ttv2",
]


# ----- column layout -------------------------------------------------------------------------

class ColumnLayout(NamedTuple):
    """Flat cell indices of every column of every layer.

    ``columns[l]`` is an int array ``(n_in_l, n_out_l)``: row ``j`` lists the
    cells of column ``j`` of layer ``l`` (row-major flattening, offset by the
    cells of the layers before).
    """

    shapes: tuple
    D: int
    columns: tuple
    n_in: np.ndarray
    n_out: np.ndarray

    def cells(self, t: int) -> np.ndarray:
        """Cells read by transfer number ``t``: column ``t mod n_in_l`` of every layer."""
        if len(self.columns) == 1:
            return self.columns[0][t % int(self.n_in[0])]
        return np.concatenate([cols[t % cols.shape[0]] for cols in self.columns])

    def passes(self, t: int) -> np.ndarray:
        """Per read cell: completed passes over its layer's columns, ``t // n_in_l``."""
        return np.repeat(t // self.n_in, self.n_out)


def _check_shapes(layer_shapes, name="layer_shapes") -> tuple:
    try:
        shapes = tuple(tuple(s) for s in layer_shapes)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of (n_out, n_in) pairs, got {layer_shapes!r}") from None
    if not shapes:
        raise ValueError(f"{name} must name at least one matrix, got {layer_shapes!r}")
    for s in shapes:
        if len(s) != 2 or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1
                                  for n in s):
            raise ValueError(f"{name} must hold (n_out, n_in) pairs of positive integers, got {layer_shapes!r}")
    return tuple((int(a), int(b)) for a, b in shapes)


def column_layout(layer_shapes, D: int) -> ColumnLayout:
    """Build the :class:`ColumnLayout` of ``layer_shapes`` over ``D`` cells (the sizes must add up)."""
    shapes = _check_shapes(layer_shapes)
    total = sum(a * b for a, b in shapes)
    if total != D:
        raise ValueError(f"layer_shapes {shapes} hold {total} cells, the weights have D={D}")
    columns, start = [], 0
    for n_out, n_in in shapes:
        cells = start + np.arange(n_out * n_in).reshape(n_out, n_in)
        columns.append(np.ascontiguousarray(cells.T))
        start += n_out * n_in
    return ColumnLayout(shapes, D, tuple(columns), np.array([b for _, b in shapes]),
                        np.array([a for a, _ in shapes]))


def layout_for(algo, state, objective) -> ColumnLayout:
    """The objective's ``layer_shapes`` if it has them, else the algorithm's, else ``((D, 1),)``;
    reuses the layout cached in the state when the shapes agree."""
    D = state.W.shape[-1]
    own = getattr(objective, "layer_shapes", None)
    if own is not None and algo.layer_shapes is not None and _check_shapes(own) != algo.layer_shapes:
        raise ValueError(f"layer_shapes {algo.layer_shapes} conflicts with the objective's {tuple(own)}")
    if own is not None:
        shapes = _check_shapes(own)
    else:
        shapes = algo.layer_shapes or ((D, 1),)
    layout = state.layout
    if layout is not None and layout.shapes == shapes:
        return layout
    return column_layout(shapes, D)


# ----- state ---------------------------------------------------------------------------------

class TransferState(NamedTuple):
    """State of a transfer-based run; arrays ``(replicates, D)``, unused ones ``None``.

    ``A`` fast array, ``C`` slow array, ``H`` digital buffer, ``chop`` chopper
    sign per cell (equal over a column), ``M``/``Pref`` AGAD's running mean of
    reads and its frozen copy.  ``transfers`` counts column transfers;
    ``pulses_p``/``pulses_w`` the pulses fired so far on A/C per cell (mean
    over cells, per replicate), ``reads`` the reads of A per cell (mean over
    cells), ``cycles`` the update cycles, ``programs`` reference programming
    events during training, ``calibration`` pulses spent before training.
    The aliases ``W`` (= C), ``P`` (= A), ``Q`` (= Pref) and ``c`` (= chop)
    let :func:`.base.run` keep these arrays with ``keep_states``.
    """

    A: np.ndarray
    C: np.ndarray
    H: np.ndarray | None
    chop: np.ndarray | None
    M: np.ndarray | None
    Pref: np.ndarray | None
    layout: ColumnLayout | None
    transfers: int
    pulses_p: np.ndarray
    pulses_w: np.ndarray
    reads: np.ndarray
    cycles: int
    programs: np.ndarray
    calibration: float

    @property
    def W(self):
        return self.C

    @property
    def P(self):
        return self.A

    @property
    def Q(self):
        return self.Pref

    @property
    def c(self):
        return self.chop


def new_state(W0, A0, replicates, buffer: bool, chopped: bool, dynamic: bool) -> TransferState:
    """``C = W0``, ``A = A0`` (default 0), ``H = 0``, choppers ``+1``, ``M = Pref = 0``."""
    W0 = np.atleast_1d(np.asarray(W0, dtype=float))
    lead = (replicates,) if replicates is not None else W0.shape[:-1] or (1,)
    shape = lead + W0.shape[-1:]

    def full(name, x):
        try:
            return np.array(np.broadcast_to(np.asarray(x, dtype=float), shape))
        except ValueError:
            raise ValueError(f"{name} with shape {np.shape(x)} does not broadcast to {shape}") from None

    C = full("W0", W0)
    A = full("A0", 0.0 if A0 is None else A0)
    zeros = np.zeros(lead)
    return TransferState(
        A, C,
        np.zeros(shape) if buffer else None,
        np.ones(shape) if chopped else None,
        np.zeros(shape) if dynamic else None,
        np.zeros(shape) if dynamic else None,
        None, 0, zeros.copy(), zeros.copy(), zeros.copy(), 0, np.zeros(lead, dtype=np.int64), 0.0,
    )


# ----- shared checks and pieces --------------------------------------------------------------

def check_device(name, dev):
    if not isinstance(dev, Device):
        raise TypeError(f"{name} must be a sptheory.devices.Device, got {type(dev).__name__}")


def check_int(name, value, minimum=1, allow_none=False):
    return _validate.integer(name, value, lo=minimum, allow_none=allow_none)


def check_bool(name, value):
    return _validate.boolean(name, value)


def check_reference(reference) -> np.ndarray:
    try:
        ref = np.asarray(reference, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"reference must be a number or an array of numbers, got {reference!r}") from None
    if ref.ndim > 2 or not np.all(np.isfinite(ref)):
        raise ValueError(f"reference must be a finite scalar, (D,) or (replicates, D) array, got shape {ref.shape}")
    return ref


def broadcast_reference(ref, shape):
    try:
        return np.broadcast_to(ref, shape)
    except ValueError:
        raise ValueError(f"reference with shape {ref.shape} does not broadcast to the weights' {shape}") from None


def read(A, cells, ref, read_noise, rng, adc=None):
    """Column read of A against the reference (``ref`` None: raw read), plus read noise, then the
    optional ADC ``adc = (step, bound)`` (:func:`check_read_adc`)."""
    v = A[:, cells] if ref is None else A[:, cells] - ref[:, cells]
    if read_noise > 0.0:
        v = v + read_noise * rng.standard_normal(v.shape)
    if adc is not None:
        step, bound = adc
        if step > 0.0:
            v = np.rint(v / step) * step
        v = np.clip(v, -bound, bound)
    return v


def check_read_adc(value):
    """``read_adc``: None (an exact read, the default) or ``(step, bound)`` with ``step >= 0`` and
    ``bound > 0`` in weight units: the transfer read ``v`` (after its read noise) becomes
    ``clip(step rint(v / step), -bound, bound)`` (ties to even; ``step = 0``: clip only).

    aihwkit 1.1.0 reads A for a transfer through ``transfer_forward``, its IO with a one-hot input
    (the DAC passes 1 unchanged) and noise/bound management off, so the read is the column plus
    output noise, rounded to ADC steps of ``2 out_bound out_res`` and clipped to ``out_bound``: with
    the paper's Table 6 IO (``nn.PAPER_IO``: 9 bits, ``out_res = 1/510``, ``out_bound = 12``)
    ``read_adc = (24/510, 12)``, a step of 0.047 (``readVector`` of ``rpu_transfer_device.cpp``)."""
    if value is None:
        return None
    try:
        step, bound = (float(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(f"read_adc must be None or a pair (step, bound) of numbers, got {value!r}") from None
    if not (math.isfinite(step) and step >= 0.0 and math.isfinite(bound) and bound > 0.0):
        raise ValueError(f"read_adc must be (step >= 0, bound > 0), finite, got {value!r}")
    return (step, bound)


def chopper_flips(algo, layout, t, rng, n_rep):
    """Boolean ``(replicates, read cells)``: which read columns flip their chopper after this read.

    Random: one draw per replicate and layer (one column per layer is read),
    ``P(flip) = in_chop_prob``; regular: every ``max(ceil(1/p), 2)`` passes."""
    p = algo.in_chop_prob
    if algo.in_chop_random:
        per_layer = rng.random((n_rep, layout.n_out.size)) < p
        return np.repeat(per_layer, layout.n_out, axis=1)
    period = max(math.ceil(1.0 / p), 2)
    return np.broadcast_to((layout.passes(t) % period) + 1 == period, (n_rep, layout.n_out.sum()))


def buffer_pulses(h, theta, max_pulses, momentum, forget_buffer):
    """TT-v2 threshold transfer on buffer values ``h``: returns ``(n, h_after)``."""
    n = np.trunc(h / theta)
    if max_pulses is not None:
        n = np.clip(n, -max_pulses, max_pulses)
    if forget_buffer:
        h = np.where(n != 0.0, momentum * h, h)
    else:
        h = h - (1.0 - momentum) * n * theta
    return n, h


def write_columns(dev_c, C, cells, values, rng, mode, c2c, stream="full"):
    """Analog Update of C requesting ``values`` on the read cells and nothing elsewhere.

    Returns ``(C_new, pulses per cell averaged over all D cells)``.  A device with
    scalar parameters is updated on the read cells only.  In the full stream
    (``stream="full"``, the default) a per-cell device gets a whole-array request
    that is zero off the read cells (zero requests fire no pulses and leave the
    cell unchanged in every pulse mode), so the update model draws for every cell.
    The lean stream (``stream="lean"``) updates only the read cells, on the device of
    those cells (:func:`sptheory.devices.cells_of`); every other cell does what a zero
    request does to it in the full stream, which draws nothing: its hidden weight is
    clipped to the device's bounds (initial weights may lie outside them) and keeps its
    read-out perturbation.  The same distribution of the new C, fewer draws."""
    if dev_c.shape == ():
        res = analog_update(dev_c, C[:, cells], values, rng, mode, c2c, stream)
        C = C.copy()
        C[:, cells] = res.w
        return C, res.n_pulses.sum(axis=-1) / C.shape[-1]
    if stream == "lean":
        sub = cells_of(dev_c, cells)
        if sub is not None:
            return _write_cells(dev_c, sub, C, cells, values, rng, mode, c2c)
    dC = np.zeros_like(C)
    dC[:, cells] = values
    res = analog_update(dev_c, C, dC, rng, mode, c2c, stream)
    return res.w, res.n_pulses.mean(axis=-1)


def _write_cells(dev_c, sub, C, cells, values, rng, mode, c2c):
    """:func:`write_columns` of the lean stream: the Analog Update of the cells ``cells`` of C alone, on
    ``sub``, their device; every other cell is clipped to ``dev_c``'s bounds, as the full stream's
    whole-array update clips it, and keeps its read-out perturbation (no draw)."""
    hidden = pulses.hidden_weights(C)
    noisy = isinstance(C, pulses.ReadOut) and C.hidden is not None and C.hidden.shape == C.shape
    read_out = C.view(np.ndarray) if noisy else hidden
    known = noisy and C._clipped_by is dev_c and not C.hidden.flags.writeable  # the mark of pulses._prepare
    new_hidden = hidden.copy()
    if not known:
        lower, upper = dev_c._bounds()
        pulses._clip(new_hidden, lower, upper, out=new_hidden)
        if noisy:
            moved = new_hidden != hidden
            if moved.any():  # a clipped cell keeps its perturbation, read - hidden
                read_out = np.where(moved, (read_out - hidden) + new_hidden, read_out)
    # C-ordered copies of the cells (``a[:, cells]`` need not be C-ordered; the pulse functions' write-noise
    # bookkeeping and kernels want C order: pulses._finish redraws a perturbation through a C-order ravel)
    hidden_cells = np.ascontiguousarray(new_hidden[:, cells])
    w = pulses.ReadOut._wrap(np.ascontiguousarray(read_out[:, cells]), hidden_cells) if noisy else hidden_cells
    values = np.ascontiguousarray(values, dtype=float)
    res = analog_update(sub, w, values, rng, mode, c2c, "lean")
    new_hidden[:, cells] = pulses.hidden_weights(res.w)
    fired = res.n_pulses.sum(axis=-1) / C.shape[-1]
    if not noisy and not isinstance(res.w, pulses.ReadOut):
        return new_hidden, fired
    new_read = read_out.copy()
    new_read[:, cells] = res.w.view(np.ndarray) if isinstance(res.w, np.ndarray) else res.w
    return pulses.ReadOut._wrap(new_read, new_hidden, dev_c), fired  # every hidden weight within dev_c's bounds


def granularity(dev, shape, cells):
    """``dw_min`` of ``dev`` on the read cells, ``(replicates, read cells)``."""
    return np.broadcast_to(dev.dw_min, shape)[:, cells]


def observe_transfer(state, objective, W_f, Q, dev_a) -> dict:
    """Trace record: ``f_gap`` at the forward weight, ``w_dist`` of the slow array C,
    ``pq = ||A - Q||^2`` (Q: the reference, or AGAD's Pref), ``gp = ||G_A(A)||^2``,
    ``q_sp = ||Q - SP_A||^2`` (the reference error), pulses per array, reads, cycles.

    An objective without ``f_star`` (a network) records the loss itself as
    ``f_gap``; one without ``W_star`` records ``w_dist`` as NaN."""
    lead = state.C.shape[:-1]
    W_star = getattr(objective, "W_star", None)
    return dict(
        f_gap=objective.f(W_f) - getattr(objective, "f_star", 0.0),
        w_dist=np.full(lead, np.nan) if W_star is None else sq_norm(state.C - W_star),
        pq=sq_norm(state.A - Q),
        gp=sq_norm(dev_a.G(state.A)),
        q_sp=sq_norm(np.broadcast_to(Q, state.A.shape) - dev_a.symmetric_point()),
        pulses=state.pulses_p + state.pulses_w,
        pulses_p=state.pulses_p,
        pulses_w=state.pulses_w,
        reads=state.reads,
        cycles=np.full(lead, state.cycles),
        programs=state.programs,
        calibration=np.full(lead, state.calibration),
    )


def forward_weight(state, gamma: float, reference) -> np.ndarray:
    """``C + gamma (A - r)``: the forward weight of the transfer baselines (``C`` itself for gamma = 0).

    With choppers (``state.chop`` not None) the fast array is de-chopped first: ``C + gamma c (A - r)``,
    ``c`` the per-column input chopper; aihwkit 1.2.0's ``gamma`` of the chopped and dynamic transfer
    compounds, ``gamma (c_d outer c_x) A + C`` with no output chopper (``c_d = 1``)."""
    if gamma == 0.0:
        return state.C
    if state.chop is not None:
        return state.C + gamma * state.chop * (state.A - reference)
    return state.C + gamma * (state.A - reference)


def check_common(algo):
    check_device("dev_a", algo.dev_a)
    check_device("dev_c", algo.dev_c)
    check_rate("alpha", algo.alpha)
    check_rate("transfer_lr", algo.transfer_lr)
    check_int("transfer_every", algo.transfer_every)
    check_rate("read_noise", algo.read_noise, allow_zero=True)
    object.__setattr__(algo, "c2c", check_c2c(algo.c2c))
    check_mode(algo.pulse_mode)
    check_stream(algo.stream)
    if algo.layer_shapes is not None:
        object.__setattr__(algo, "layer_shapes", _check_shapes(algo.layer_shapes))


def check_buffer(algo):
    check_rate("thres_scale", algo.thres_scale)
    check_rate("momentum", algo.momentum, upper=1.0, allow_zero=True)
    check_bool("forget_buffer", algo.forget_buffer)
    check_int("max_pulses", algo.max_pulses, allow_none=True)


# ----- TT-v1 ---------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class TikiTaka(TwoArrayNoise):
    """TT-v1, Tiki-Taka (Gokmen & Haensch 2020), with an explicit reference (module docstring).

    One step: ``W_f = C + gamma (A - r)``, ``g = grad f(W_f; xi)``,
    ``A <- A (+) (-alpha g)``; after every ``transfer_every``-th step, column
    ``t mod n_in`` of every layer is read, ``v = A_col - r_col``, and
    ``C_col <- C_col (+) lr_t v``.

    Arguments to symbols: ``dev_a``/``dev_c`` the responses of A/C, ``alpha``
    the fast rate (aihwkit's ``fast_lr``), ``transfer_lr`` lr_t, ``gamma`` the
    residual weight of A in the forward weight (0: the gradient is taken at C),
    ``reference`` r (scalar, ``(D,)`` or ``(replicates, D)``; 0 assumes A's SP
    sits at 0), ``read_noise`` the std of additive read noise, ``layer_shapes``
    the column layout of a vector problem (ignored in favour of the objective's
    own), ``pulse_mode`` as in :class:`.Rider`, ``c2c`` the cycle-to-cycle
    noise: a number for both arrays or a pair ``(c2c_fast, c2c_slow)`` for the
    pulses on A and on C.
    """

    dev_a: Device
    dev_c: Device
    alpha: float
    transfer_lr: float
    transfer_every: int = 1
    gamma: float = 0.0
    reference: object = 0.0
    read_noise: float = 0.0
    layer_shapes: tuple | None = None
    pulse_mode: str = "exact"
    c2c: float | tuple = 0.0
    stream: str = "full"

    def __post_init__(self):
        check_common(self)
        check_rate("gamma", self.gamma, allow_zero=True)
        object.__setattr__(self, "reference", check_reference(self.reference))

    def init(self, W0, A0=None, replicates=None) -> TransferState:
        """Start with ``C = W0`` and ``A = A0`` (default 0)."""
        return new_state(W0, A0, replicates, buffer=False, chopped=False, dynamic=False)

    def forward_weights(self, state) -> np.ndarray:
        """``W_f = C + gamma (A - r)``, the weight the network computes with (``C`` for gamma = 0)."""
        return forward_weight(state, self.gamma, self.reference)

    def step(self, state: TransferState, objective, rng) -> TransferState:
        layout = layout_for(self, state, objective)
        g = objective.grad(self.forward_weights(state), rng)
        res_a = analog_update(self.dev_a, state.A, -self.alpha * g, rng, self.pulse_mode, self.c2c_fast, self.stream)
        A, C = res_a.w, state.C
        pulses_w, reads, t = state.pulses_w, state.reads, state.transfers
        if (state.cycles + 1) % self.transfer_every == 0:
            cells = layout.cells(t)
            ref = broadcast_reference(self.reference, A.shape)
            v = read(A, cells, ref, self.read_noise, rng)
            C, fired = write_columns(self.dev_c, C, cells, self.transfer_lr * v, rng, self.pulse_mode, self.c2c_slow,
                                     self.stream)
            pulses_w = pulses_w + fired
            reads = reads + cells.size / layout.D
            t += 1
        return state._replace(A=A, C=C, layout=layout, transfers=t,
                              pulses_p=state.pulses_p + res_a.n_pulses.mean(axis=-1),
                              pulses_w=pulses_w, reads=reads, cycles=state.cycles + 1)

    def observe(self, state: TransferState, objective) -> dict:
        return observe_transfer(state, objective, self.forward_weights(state), self.reference, self.dev_a)


# ----- TT-v2 and c-TTv2 ----------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class BufferedTransfer(TwoArrayNoise):
    """TT-v2 (Gokmen 2021) and, with ``in_chop_prob`` set, c-TTv2 (Rasch et al. 2024).

    One step: ``W_f = C + gamma (A - r)`` (gamma = 0, the default: the gradient is
    taken at C; with choppers ``W_f = C + gamma c (A - r)``, A de-chopped by its
    column's sign: aihwkit 1.2.0's ``gamma``, :func:`forward_weight`), ``g = grad f(W_f; xi)``,
    ``A <- A (+) (-alpha c g)``.  After every ``transfer_every``-th step, for the
    read columns: ``v = A_col - r_col``, ``H_col += lr_t c_col v``,
    ``n = clip(trunc(H_col / theta), +-max_pulses)`` with
    ``theta = thres_scale * dw_min_C``, ``n`` single pulses on ``C_col``; where
    ``n != 0`` the buffer becomes ``momentum H`` (``forget_buffer=True``) or
    ``H - (1 - momentum) n theta`` (``False``; ``momentum = 0`` gives
    ``H -= n theta``).  With choppers, after its read each read column flips
    its sign ``c`` with probability ``in_chop_prob`` (``in_chop_random=True``)
    or every ``max(ceil(1/p), 2)`` passes (``False``), as aihwkit does; with
    ``in_chop_prob = 0`` no draw is made, so c-TTv2 is TT-v2 bit for bit.

    Arguments to symbols as in :class:`TikiTaka`, plus ``thres_scale`` (theta
    in units of C's dw_min), ``momentum``, ``forget_buffer``, ``max_pulses``
    (cap on pulses per transfer and cell; aihwkit's transfer ``desired_bl``,
    default 1; ``None``: no cap), ``in_chop_prob`` p (``None``: no choppers,
    TT-v2), ``read_adc`` an ADC ``(step, bound)`` on the transfer read
    (:func:`check_read_adc`; None: none).  Defaults follow aihwkit's BufferedTransferCompound
    (``momentum=0.1``, ``forget_buffer=True``, ``thres_scale=1``).
    """

    dev_a: Device
    dev_c: Device
    alpha: float
    transfer_lr: float
    transfer_every: int = 1
    thres_scale: float = 1.0
    momentum: float = 0.1
    forget_buffer: bool = True
    max_pulses: int | None = 1
    gamma: float = 0.0
    in_chop_prob: float | None = None
    in_chop_random: bool = True
    reference: object = 0.0
    read_noise: float = 0.0
    layer_shapes: tuple | None = None
    pulse_mode: str = "exact"
    c2c: float | tuple = 0.0
    read_adc: tuple | None = None
    stream: str = "full"

    def __post_init__(self):
        check_common(self)
        check_buffer(self)
        object.__setattr__(self, "read_adc", check_read_adc(self.read_adc))
        check_rate("gamma", self.gamma, allow_zero=True)
        check_bool("in_chop_random", self.in_chop_random)
        if self.in_chop_prob is not None:
            check_rate("in_chop_prob", self.in_chop_prob, upper=1.0, allow_zero=True)
            if not self.in_chop_random and self.in_chop_prob == 0.0:
                raise ValueError("in_chop_prob must be > 0 for a regular chopper schedule (in_chop_random=False)")
        object.__setattr__(self, "reference", check_reference(self.reference))

    @property
    def chopped(self) -> bool:
        return self.in_chop_prob is not None

    def init(self, W0, A0=None, replicates=None) -> TransferState:
        """Start with ``C = W0``, ``A = A0`` (default 0), ``H = 0`` and every chopper at +1."""
        return new_state(W0, A0, replicates, buffer=True, chopped=self.chopped, dynamic=False)

    def forward_weights(self, state) -> np.ndarray:
        """``W_f = C + gamma (A - r)``, the weight the network computes with (``C`` for gamma = 0)."""
        return forward_weight(state, self.gamma, self.reference)

    def step(self, state: TransferState, objective, rng) -> TransferState:
        layout = layout_for(self, state, objective)
        g = objective.grad(self.forward_weights(state), rng)
        scale = -self.alpha if state.chop is None else -self.alpha * state.chop
        res_a = analog_update(self.dev_a, state.A, scale * g, rng, self.pulse_mode, self.c2c_fast, self.stream)
        A, C, H, chop = res_a.w, state.C, state.H, state.chop
        pulses_w, reads, t = state.pulses_w, state.reads, state.transfers
        if (state.cycles + 1) % self.transfer_every == 0:
            cells = layout.cells(t)
            ref = broadcast_reference(self.reference, A.shape)
            v = read(A, cells, ref, self.read_noise, rng, self.read_adc)
            signal = v if chop is None else chop[:, cells] * v
            dw = granularity(self.dev_c, A.shape, cells)
            n, h = buffer_pulses(H[:, cells] + self.transfer_lr * signal, self.thres_scale * dw,
                                 self.max_pulses, self.momentum, self.forget_buffer)
            H = H.copy()
            H[:, cells] = h
            if np.any(n != 0.0):
                C, fired = write_columns(self.dev_c, C, cells, n * dw, rng, self.pulse_mode, self.c2c_slow,
                                         self.stream)
                pulses_w = pulses_w + fired
            if chop is not None and self.in_chop_prob > 0.0:
                flip = chopper_flips(self, layout, t, rng, A.shape[0])
                chop = chop.copy()
                chop[:, cells] = np.where(flip, -chop[:, cells], chop[:, cells])
            reads = reads + cells.size / layout.D
            t += 1
        return state._replace(A=A, C=C, H=H, chop=chop, layout=layout, transfers=t,
                              pulses_p=state.pulses_p + res_a.n_pulses.mean(axis=-1),
                              pulses_w=pulses_w, reads=reads, cycles=state.cycles + 1)

    def observe(self, state: TransferState, objective) -> dict:
        return observe_transfer(state, objective, self.forward_weights(state), self.reference, self.dev_a)


# ----- constructors --------------------------------------------------------------------------

def tiki_taka(dev_a, dev_c, alpha, transfer_lr, transfer_every=1, gamma=0.0, reference=0.0, **kw) -> TikiTaka:
    """TT-v1 (Gokmen & Haensch 2020): pulses of ``-alpha g`` on A, one column of A read every
    ``transfer_every`` steps and pulsed onto C at ``transfer_lr``; forward weight
    ``C + gamma (A - reference)``.  See :class:`TikiTaka`."""
    return TikiTaka(dev_a, dev_c, alpha, transfer_lr, transfer_every, gamma, reference, **kw)


def tt_v2(dev_a, dev_c, alpha, transfer_lr, transfer_every=1, thres_scale=1.0, momentum=0.1,
          forget_buffer=True, max_pulses=1, reference=0.0, **kw) -> BufferedTransfer:
    """TT-v2 (Gokmen 2021): TT-v1's column reads accumulate in a digital buffer H; when
    ``|H| >= thres_scale * dw_min_C``, ``trunc(H / threshold)`` single pulses (at most
    ``max_pulses``) go to C.  Gradient at C (``gamma=0`` unless given).  See :class:`BufferedTransfer`."""
    return BufferedTransfer(dev_a, dev_c, alpha, transfer_lr, transfer_every, thres_scale, momentum,
                            forget_buffer, max_pulses, reference=reference, **kw)


def c_ttv2(dev_a, dev_c, alpha, transfer_lr, in_chop_prob=0.1, transfer_every=1, thres_scale=1.0,
           momentum=0.0, forget_buffer=True, max_pulses=1, reference=0.0, **kw) -> BufferedTransfer:
    """c-TTv2 (Rasch et al. 2024): TT-v2 with per-column input choppers flipping with probability
    ``in_chop_prob`` after each read of their column; A receives ``-alpha c g`` and the read is
    multiplied by ``c`` before the buffer.  Gradient at C.  Defaults follow aihwkit's
    ChoppedTransferCompound (``in_chop_prob=0.1``, ``momentum=0``).  See :class:`BufferedTransfer`.

    At a flip A is not reset: the column still holds what it accumulated under the old sign, and
    later reads multiply that by the new sign, so it enters H with the wrong sign until the
    device's response wears it away.  aihwkit 1.1.0 does the same (``readAndUpdate`` of
    ``rpu_chopped_transfer_device.cpp`` signs the read with the chopper as it stands, redraws the
    chopper after the read and leaves A alone); the transient is part of c-TTv2.  Its size on the
    digits MLP (``experiments.network.SETTINGS["hfo2"]``, 5 epochs, the stored nominal
    hyperparameters alpha 2, transfer_lr 0.1, one pulse, in_chop_prob 0.1; seeds 0-9;
    :func:`sptheory.experiments.chopper_transient.simulate`): 0.98 flips per cell over the run;
    of the signed gradient content in the reads, 22 % (seed range 5-27 %) arrived under the other
    sign, and it is the larger part in 15 % of the reads (running sums, an upper reading on this
    4-state device).  Resetting each flipping column of A to ``r`` (no old-sign content, same
    draws) gives test accuracy 0.632 against 0.668 as implemented: difference -0.035, standard
    error 0.019 over 10 seeds, so removing the transient does not help here."""
    if in_chop_prob is None:
        raise ValueError("in_chop_prob must be a number in [0, 1] for c-TTv2, got None")
    return BufferedTransfer(dev_a, dev_c, alpha, transfer_lr, transfer_every, thres_scale, momentum,
                            forget_buffer, max_pulses, in_chop_prob=in_chop_prob, reference=reference, **kw)
