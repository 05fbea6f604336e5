"""A small fully connected network whose layers are analog arrays, as a training objective.

    splits = data.digits(seed)
    net = nn.MLP(sizes=(64, 32, 10), activation="sigmoid", data=splits.train, batch=10)
    algo = algorithms.e_rider(dev_p, dev_w, alpha, beta, eta, gamma, p)     # the same objects as for the convex problems
    state = algo.init(net.init_weights(rng, replicates=8))
    state, trace = algorithms.run(algo, net, state, n_iter, rng)
    net.accuracy(state.W, *splits.test)

The network is an objective like :class:`sptheory.objectives.LeastSquares`:
``W`` of shape ``(replicates, D)`` holds every weight of every replicate
(seed), and ``grad(W, rng)`` is the minibatch gradient the algorithms ask the
arrays for.

Layout of the ``D`` cells
-------------------------
Layer ``l`` maps ``n_in`` inputs to ``n_out`` outputs with an
``(n_out, n_in + 1)`` matrix: the last column multiplies a constant input
1, so the **bias is an extra input column and lives on the analog array**
like every other weight.  ``layer_shapes`` lists these matrix shapes; the
row-major flattenings of the matrices, concatenated in layer order, are the
``D`` cells.  A "column" of a layer (one input line of the crossbar) is
therefore the cells ``start + o * (n_in + 1) + j`` for ``o = 0 .. n_out - 1``.

Model
-----
``h_0 = x``, ``z_l = W_l [h_{l-1}; 1]``, ``h_l = act(z_l)`` for hidden layers
(``act`` in ``sigmoid`` as in the paper's FCN, ``tanh``, ``relu``), softmax
on the last ``z``; loss is the softmax cross-entropy averaged over the
minibatch.  A minibatch holds ``batch`` training examples drawn uniformly
with replacement, independently per replicate (so ``n / batch`` steps are
one epoch in expectation).  ``f(W)`` is the mean cross-entropy over the
whole training set and ``f_star = 0`` (the infimum of the loss; the
minimiser is unknown, ``W_star = None``), so the algorithms' trace records
the training loss in ``f_gap`` and NaN in ``w_dist``.

Gradient as rank-1 factors
--------------------------
The minibatch gradient of layer ``l`` is ``(1/B) sum_b d_b [h_b; 1]^T``
(``d_b`` the back-propagated error at ``z_l``).  With ``factored=True`` (the
default) ``grad`` returns it as a :class:`sptheory.pulses.RankOneUpdate`
holding ``x = [h; 1]`` and ``d`` per layer: NumPy sees an ``(R, D)`` array,
and the ``trains`` pulse mode fires the rank-1 stochastic pulse trains of
analog hardware from the factors (:func:`sptheory.pulses.apply_trains`).

Analog matrix-vector IO (``io``)
--------------------------------
``MLP(..., io=None)`` computes ideal products (the default).  With
``io=IOSettings(...)`` (:data:`PAPER_IO`: the paper's Table 6, aihwkit's
``IOParameters`` defaults) every product with an array goes through the
periphery of an analog tile, as aihwkit models it (Rasch et al. 2024; aihwkit
``IOParameters``).  For one input vector ``x`` (one example; in the forward
pass ``x = [h; 1]``, the bias input included) and the array ``M``:

    s   = max_j |x_j|                        (noise_management="abs_max"; 1 for "none")
    x_q = clip(inp_step * round(x / (s inp_step)), -inp_bound, inp_bound),
          inp_step = 2 inp_bound inp_res      (DAC: a step of inp_res of the full range)
    y   = M x_q + out_noise * xi,  xi ~ N(0, I)   (in the normalised units)
    y_q = clip(out_step * round(y / out_step), -out_bound, out_bound),
          out_step = 2 out_bound out_res      (ADC)
    out = s y_q

(``round``: to the nearest integer, ties to even; besides the element with
``|x_j| = s``, ties have probability 0; an all-zero ``x`` gives ``out = 0``,
aihwkit's short cut).
aihwkit rounds first and clips after, so when ``inp_bound`` is not a multiple of
the step (e.g. ``inp_res = 1/127``) the clipped ``+-inp_bound`` are extra
levels.  The forward pass
of every layer, in training (``grad``) and in evaluation, uses it with
``M = W_l``; with ``io.backward`` the backward pass
``delta_{l-1} = (W_l^T delta_l) * act'`` does too, with ``x = delta_l`` and
``M`` the transpose of ``W_l`` without its bias column.  The rank-1 update
factors stay the digital ``[h; 1]`` and ``delta`` (aihwkit's update reads
the tile's digital input and error, not their converted values).  Output
noise is drawn from the ``rng`` of ``grad``; the evaluation methods take an
optional ``rng``: with it the forward pass is noisy, without it the
forward pass is quantised and clipped but noise-free.

Bound management (``bound_management="iterative"``; default ``"none"``: the
output is clipped).  aihwkit's ``BoundManagementType.ITERATIVE`` (its
``IOParameters`` default, the paper's Table 6), read from aihwkit's CPU
forward pass (``ForwardBackwardPassIOManaged::forwardVector`` and
``finalizeOutput`` in ``src/rpucuda/rpu_forward_backward_pass.cpp``): per
input vector, with the reduction ``r = 1, 2, 4, ...``

    x_q = DAC(x / (s r));  y = M x_q + noise;  y_r = round(y / out_step) out_step
    the product is saturated when some |y_r| > out_bound (strictly; the rounded
    value, before the clip; a negative excess counts, ``bm_test_negative_bound``)
    stop when not saturated, or r > max_bm_factor, or r > max_bm_res / inp_res
    out = s r clip(y_r)

so with the defaults (``max_bm_factor`` 1000, ``max_bm_res`` 0.25) and 7-bit
inputs the input is halved at most 5 times (r <= 32 > 31.75 stops).  Each
re-run draws fresh output noise.  The bias input 1 is scaled with the rest.
aihwkit applies bound management to the FORWARD pass only: its backward
parameters silently set it to NONE (``IOMetaParameter::initializeForBackward``
in ``rpu_pulsed_meta_parameter.cpp``; the ``IOParameters.bound_management``
docstring: "ignored when used for the backward pass"), so Table 6's ITERATIVE
on the backward pass has no effect there; here likewise ``bound_management``
acts on the forward products (training and evaluation) and the backward pass
clips.  (aihwkit's CUDA kernel counts a negative excess only when
``bm_test_negative_bound`` is False, the opposite of its CPU code; the CPU rule
is the one followed.)

Not modelled: input noise, stochastic rounding, and the IO of the transfer
reads (the paper uses none there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

from . import _fused_nn, _validate
from .pulses import RankOneUpdate

__all__ = ["ACTIVATIONS", "MLP", "IOSettings", "PAPER_IO", "PAPER_IO_BM", "NOISE_MANAGEMENT", "BOUND_MANAGEMENT"]

ACTIVATIONS = ("sigmoid", "tanh", "relu")

_CHUNK = 4096  # examples per block when evaluating f or accuracy on a whole split (bounds memory for MNIST)


#: noise management of :class:`IOSettings`: per-vector abs-max scaling, or none
NOISE_MANAGEMENT = ("abs_max", "none")
#: bound management of :class:`IOSettings`' forward products: clip ("none"), or aihwkit's ITERATIVE re-run
BOUND_MANAGEMENT = ("none", "iterative")


@dataclass(frozen=True)
class IOSettings:
    """Non-idealities of an analog matrix-vector product (aihwkit ``IOParameters``; module docstring).

    inp_res           DAC resolution as a fraction of the input range ``[-inp_bound, inp_bound]``:
                      the step is ``2 inp_bound inp_res`` (aihwkit's convention); 0 switches it off.
                      The paper's 7 bits, ``1/127`` (the default), give steps of 2/127: the levels
                      ``2k/127``, ``|k| <= 63``, and the clipped ``+-1``; aihwkit's own 7-bit default
                      ``1/(2^7 - 2) = 1/126`` gives the 127 levels ``k/63``, ``|k| <= 63``.
    inp_bound         input clip bound (> 0); with abs-max scaling the scaled input lies in [-1, 1]
    out_res           ADC resolution, step ``2 out_bound out_res`` (0: off); aihwkit's 9-bit
                      default ``1/(2^9 - 2) = 1/510``
    out_bound         output clip bound (> 0), in the units of the normalised product
    out_noise         standard deviation of the additive Gaussian output noise (>= 0), normalised units
    noise_management  ``"abs_max"`` (divide each input vector by its max |x|, multiply the output back)
                      or ``"none"``
    backward          apply the same model to the backward pass (``W^T delta``)
    bound_management  ``"none"`` (clip the output; the default) or ``"iterative"`` (aihwkit's ITERATIVE:
                      a saturated forward product is re-run with its input halved; module docstring)
    max_bm_factor     the largest reduction ``r`` (aihwkit's default 1000)
    max_bm_res        stop when ``r > max_bm_res / inp_res`` (aihwkit's default 0.25; not used when inp_res is 0)

    The defaults are the paper's Table 6 (:data:`PAPER_IO`): 7-bit inputs with bound 1, 9-bit
    outputs with bound 12, output noise 0.06, abs-max noise management forward and backward (aihwkit's
    ``IOParameters`` defaults but for ``inp_res``, whose default there is 1/126).
    """

    inp_res: float = 1.0 / 127.0
    inp_bound: float = 1.0
    out_res: float = 1.0 / 510.0
    out_bound: float = 12.0
    out_noise: float = 0.06
    noise_management: str = "abs_max"
    backward: bool = True
    bound_management: str = "none"
    max_bm_factor: float = 1000.0
    max_bm_res: float = 0.25

    def __post_init__(self):
        for name in ("inp_res", "inp_bound", "out_res", "out_bound", "out_noise", "max_bm_factor", "max_bm_res"):
            object.__setattr__(self, name, _validate.number(f"IOSettings.{name}", getattr(self, name)))
        for name in ("inp_res", "out_res"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"IOSettings.{name} must be in (0, 1] (or 0 for no quantisation), got {value!r}")
        for name in ("inp_bound", "out_bound"):
            if getattr(self, name) <= 0.0:
                raise ValueError(f"IOSettings.{name} must be > 0, got {getattr(self, name)!r}")
        if self.out_noise < 0.0:
            raise ValueError(f"IOSettings.out_noise must be >= 0, got {self.out_noise!r}")
        if self.noise_management not in NOISE_MANAGEMENT:
            raise ValueError(f"IOSettings.noise_management must be one of {NOISE_MANAGEMENT}, "
                             f"got {self.noise_management!r}")
        _validate.boolean("IOSettings.backward", self.backward)
        if self.bound_management not in BOUND_MANAGEMENT:
            raise ValueError(f"IOSettings.bound_management must be one of {BOUND_MANAGEMENT}, "
                             f"got {self.bound_management!r}")
        for name in ("max_bm_factor", "max_bm_res"):
            if getattr(self, name) <= 0.0:
                raise ValueError(f"IOSettings.{name} must be > 0, got {getattr(self, name)!r}")

    def bm_limit(self) -> float:
        """Largest reduction that is still followed by a re-run: a pass at reduction ``r`` is the last when
        ``r > max_bm_factor`` or ``r > max_bm_res / inp_res`` (aihwkit's stop test)."""
        lim = self.max_bm_factor
        if self.inp_res > 0.0:
            lim = min(lim, self.max_bm_res / self.inp_res)
        return lim

    @property
    def inp_step(self) -> float:
        """DAC step ``2 inp_bound inp_res`` (0: no quantisation)."""
        return 2.0 * self.inp_bound * self.inp_res

    @property
    def out_step(self) -> float:
        """ADC step ``2 out_bound out_res`` (0: no quantisation)."""
        return 2.0 * self.out_bound * self.out_res

    def quantize_input(self, x) -> np.ndarray:
        """DAC of already scaled inputs: round to the step, then clip to ``+-inp_bound`` (aihwkit's order)."""
        return _convert(np.array(x, dtype=float), self.inp_step, self.inp_bound)

    def quantize_output(self, y) -> np.ndarray:
        """ADC of (noisy) outputs: round to the step, then clip to ``+-out_bound``."""
        return _convert(np.array(y, dtype=float), self.out_step, self.out_bound)


#: The paper's Table 6 IO: 7-bit inputs (bound 1), 9-bit outputs (bound 12), output noise 0.06,
#: abs-max noise management on the forward and the backward pass.
PAPER_IO = IOSettings()
#: :data:`PAPER_IO` with Table 6's bound management ITERATIVE (aihwkit applies it to the forward pass only;
#: module docstring): the IO of the long-run network regime (``experiments.regime``).
PAPER_IO_BM = IOSettings(bound_management="iterative")


def _convert(v, step, bound):
    """Round ``v`` to multiples of ``step`` (``step = 0``: keep it), then clip to ``[-bound, bound]``; in place."""
    if step > 0.0:
        np.multiply(v, 1.0 / step, out=v)
        np.rint(v, out=v)
        np.multiply(v, step, out=v)
    # two ufuncs rather than np.clip: the same values at a fraction of its per-call cost on small arrays
    np.minimum(v, bound, out=v)
    return np.maximum(v, -bound, out=v)


def _io_matvec(io, x, M, rng, bias=None, bound_management=False):
    """``M x`` per input vector through the IO model (module docstring).

    ``x``: ``(..., n)`` input vectors on the last axis; ``M``: ``(R, m, n)``; returns ``(R, ..., m)``.
    ``bias``: ``(R, m)`` weights of an extra constant input 1 (the bias column), which then takes part
    in the scaling and the DAC like any other input.  ``rng`` None: no output noise.

    This is the specification; where numba is available the same arithmetic runs compiled, bit for bit
    (:mod:`._fused_nn`; settings it does not implement run here, bound management among them).
    ``bound_management``: apply ``io.bound_management`` (the forward products; the backward pass clips).
    """
    fast = _fused_nn.io_matvec(io, x, M, rng, bias)
    if fast is not None:
        return fast
    abs_max = io.noise_management == "abs_max"
    if abs_max:
        s = np.abs(x).max(axis=-1, keepdims=True)
        if bias is not None:
            np.maximum(s, 1.0, out=s)  # the bias input 1 is part of the vector
        # an all-zero vector (s = 0) enters as 0 and its output is multiplied back by s = 0: the output is 0,
        # as with aihwkit's short cut
        inv = np.divide(1.0, s, out=np.zeros_like(s), where=s > 0.0)
        xq = _convert(x * inv, io.inp_step, io.inp_bound)
    else:
        xq = _convert(np.array(x, dtype=float), io.inp_step, io.inp_bound)
    y = np.matmul(xq, M.transpose(0, 2, 1))
    if bias is not None:
        one = _convert(inv if abs_max else np.ones((1,) * np.ndim(x)), io.inp_step, io.inp_bound)
        y += one * bias[:, None, :]
    if rng is not None and io.out_noise > 0.0:
        y += io.out_noise * rng.standard_normal(y.shape)
    if bound_management and io.bound_management == "iterative":
        return _bound_managed(io, x, M, rng, bias, y, s if abs_max else None)
    _convert(y, io.out_step, io.out_bound)
    if abs_max:
        y *= s
    return y


def _round_to(v, step):
    """``v`` rounded to multiples of ``step`` (0: kept), in place."""
    if step > 0.0:
        np.multiply(v, 1.0 / step, out=v)
        np.rint(v, out=v)
        np.multiply(v, step, out=v)
    return v


def _bound_managed(io, x, M, rng, bias, y, s):
    """aihwkit's ITERATIVE bound management (module docstring) from the first pass's noisy ``y`` (``(R, ..., m)``,
    not yet converted); ``s`` the abs-max scales (None without noise management).  Re-runs only the saturated
    vectors, with the reduction doubled, until none saturates or the reduction passes ``io.bm_limit()``."""
    bound = io.out_bound
    _round_to(y, io.out_step)
    red = np.ones(y.shape[:-1] + (1,))
    sat = np.abs(y).max(axis=-1) > bound
    r = 1.0
    limit = io.bm_limit()
    R = M.shape[0]
    xb = np.broadcast_to(x, (R,) + x.shape[-(y.ndim - 1):]) if x.ndim < y.ndim else x
    sb = None if s is None else np.broadcast_to(s, xb.shape[:-1] + (1,))
    while r <= limit and sat.any():
        r *= 2.0
        idx = np.nonzero(sat)
        xi = xb[idx]                                             # (k, n)
        scale = (1.0 / r) if s is None else np.divide(1.0 / r, sb[idx], out=np.zeros((xi.shape[0], 1)),
                                                      where=sb[idx] > 0.0)
        xq = _convert(xi * scale, io.inp_step, io.inp_bound)
        Mi = M[idx[0]]                                           # (k, m, n)
        yi = np.einsum("kmn,kn->km", Mi, xq)
        if bias is not None:
            one = _convert(np.broadcast_to(scale, (xi.shape[0], 1)).copy(), io.inp_step, io.inp_bound)
            yi += one * bias[idx[0]]
        if rng is not None and io.out_noise > 0.0:
            yi += io.out_noise * rng.standard_normal(yi.shape)
        _round_to(yi, io.out_step)
        y[idx] = yi
        red[idx] = r
        sat = np.zeros_like(sat)
        sat[idx] = np.abs(yi).max(axis=-1) > bound
    np.minimum(y, bound, out=y)
    np.maximum(y, -bound, out=y)
    y *= red
    if s is not None:
        y *= s
    return y


def _act(name, z):
    if name == "sigmoid":
        return special.expit(z)
    if name == "tanh":
        return np.tanh(z)
    return np.maximum(z, 0.0)


def _act_slope(name, h):
    """``act'`` written through the activation's output ``h = act(z)``."""
    if name == "sigmoid":
        return h * (1.0 - h)
    if name == "tanh":
        return 1.0 - h * h
    return (h > 0).astype(float)


def _check_rng(rng):
    """None (a noise-free evaluation), or anything ``np.random.default_rng`` takes (a Generator, a seed)."""
    if rng is None or isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, (bool, np.bool_)) or not isinstance(rng, (int, np.integer, np.random.SeedSequence,
                                                                  np.random.BitGenerator)):
        raise TypeError(f"rng must be None, a seed or an np.random.Generator, got {type(rng).__name__}")
    return np.random.default_rng(rng)


def _positive_int(name, value):
    return _validate.positive_int(name, value)


class MLP:
    """Fully connected softmax classifier on analog arrays (module docstring: layout, model).

    sizes       layer widths ``(n_0, n_1, ..., n_L)``: ``n_0`` features, ``n_L`` classes
    activation  hidden-layer activation, one of :data:`ACTIVATIONS`
    data        training split ``(X, y)``: ``X`` of shape ``(n, n_0)``, ``y`` integer labels in ``[0, n_L)``
    batch       minibatch size ``B`` of the stochastic gradient
    factored    ``grad`` returns a :class:`~sptheory.pulses.RankOneUpdate` (True) or a plain array
    io          ``None`` (ideal products, the default) or an :class:`IOSettings`: the analog IO of every
                forward (and, with ``io.backward``, backward) product (module docstring)

    Attributes: ``layer_shapes`` (``(n_out, n_in + 1)`` per layer), ``D``,
    ``f_star = 0``, ``W_star = None``, ``n`` (training examples),
    ``steps_per_epoch = ceil(n / batch)``.
    """

    def __init__(self, sizes=(64, 32, 10), activation="sigmoid", data=None, batch=10, factored=True, io=None):
        try:
            sizes = tuple(sizes)
        except TypeError:
            raise TypeError(f"sizes must be a sequence of layer widths, got {sizes!r}") from None
        if len(sizes) < 2:
            raise ValueError(f"sizes must have at least two entries (inputs, classes), got {sizes!r}")
        self.sizes = tuple(_positive_int(f"sizes[{k}]", s) for k, s in enumerate(sizes))
        if self.sizes[-1] < 2:
            raise ValueError(f"sizes[-1] (number of classes) must be at least 2, got {self.sizes[-1]}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
        self.activation = activation
        self.batch = _positive_int("batch", batch)
        if not isinstance(factored, (bool, np.bool_)):
            raise TypeError(f"factored must be a bool, got {factored!r}")
        self.factored = bool(factored)
        if io is not None and not isinstance(io, IOSettings):
            raise TypeError(f"io must be None or an nn.IOSettings, got {type(io).__name__} {io!r}")
        self.io = io
        if data is None:
            raise ValueError("data must be the training split (X, y), got None")
        self.X, self.y = self._check_split(data, "data")
        self.n = self.X.shape[0]
        self.steps_per_epoch = -(-self.n // self.batch)
        self.layer_shapes = tuple((o, i + 1) for i, o in zip(self.sizes[:-1], self.sizes[1:]))
        bounds = np.cumsum([0] + [o * i for o, i in self.layer_shapes])
        self._blocks = tuple(zip(bounds[:-1].tolist(), bounds[1:].tolist()))
        self.D = int(bounds[-1])
        self.f_star = 0.0
        self.W_star = None

    def __repr__(self):
        io = "" if self.io is None else f", io={self.io!r}"
        return (f"MLP(sizes={self.sizes}, activation={self.activation!r}, n={self.n}, batch={self.batch}, "
                f"D={self.D}{io})")

    # ----- checks and layout ----------------------------------------------------------
    def _check_split(self, split, name):
        try:
            X, y = split
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a pair (X, y), got {type(split).__name__}") from None
        X = np.asarray(X, dtype=float)
        y_raw = np.asarray(y)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"{name}: X must have shape (n, {self.sizes[0]}), got {X.shape}")
        if y_raw.shape != (X.shape[0],):
            raise ValueError(f"{name}: y must have shape ({X.shape[0]},), got {y_raw.shape}")
        if X.shape[0] == 0:
            raise ValueError(f"{name}: the split is empty")
        if not np.all(np.isfinite(X)):
            raise ValueError(f"{name}: X must be finite")
        if not (np.issubdtype(y_raw.dtype, np.integer) or (np.issubdtype(y_raw.dtype, np.floating)
                                                           and np.all(y_raw == np.round(y_raw)))):
            raise TypeError(f"{name}: y must hold integer class labels, got dtype {y_raw.dtype}")
        y = y_raw.astype(np.int64)
        if y.min() < 0 or y.max() >= self.sizes[-1]:
            raise ValueError(f"{name}: labels must lie in [0, {self.sizes[-1]}), got range [{y.min()}, {y.max()}]")
        return X, y

    def _flat(self, W):
        W = np.asarray(W, dtype=float)
        if W.shape[-1:] != (self.D,):
            raise ValueError(f"W must end with an axis of length D={self.D}, got shape {W.shape}")
        return W.reshape(-1, self.D), W.shape[:-1]

    def layers(self, W) -> tuple:
        """Per-layer matrices of ``W`` (views), each ``(..., n_out, n_in + 1)``; the last column is the bias."""
        W = np.asarray(W, dtype=float)
        if W.shape[-1:] != (self.D,):
            raise ValueError(f"W must end with an axis of length D={self.D}, got shape {W.shape}")
        return tuple(W[..., a:b].reshape(W.shape[:-1] + s) for (a, b), s in zip(self._blocks, self.layer_shapes))

    def init_weights(self, rng, replicates=None) -> np.ndarray:
        """Glorot-uniform weights ``U(-a, a)``, ``a = sqrt(6 / (n_in + n_out))``, biases 0.

        Shape ``(replicates, D)`` (or ``(D,)`` without ``replicates``); each
        replicate draws its own weights from ``rng``.
        """
        rng = np.random.default_rng(rng)
        R = 1 if replicates is None else _positive_int("replicates", replicates)
        parts = []
        for o, i1 in self.layer_shapes:
            a = np.sqrt(6.0 / (i1 - 1 + o))
            block = np.zeros((R, o, i1))
            block[..., :-1] = rng.uniform(-a, a, size=(R, o, i1 - 1))
            parts.append(block.reshape(R, -1))
        W = np.concatenate(parts, axis=-1)
        return W[0] if replicates is None else W

    # ----- forward and backward --------------------------------------------------------
    def _forward(self, mats, x, rng=None):
        """Hidden activations (inputs of each layer) and logits; ``x`` is ``(n, n_0)`` shared or ``(R, B, n_0)``.

        With ``io`` every product goes through the IO model, with output noise from ``rng`` (None: none)."""
        inputs = []
        h = x
        io = self.io
        for l, Wl in enumerate(mats):
            inputs.append(h)
            if io is None:
                z = np.matmul(h, Wl[..., :-1].transpose(0, 2, 1)) + Wl[:, None, :, -1]
            else:
                z = _io_matvec(io, h, Wl[..., :-1], rng, bias=Wl[..., -1], bound_management=True)
            h = _act(self.activation, z) if l < len(mats) - 1 else z
        return inputs, h

    @staticmethod
    def _log_softmax(z):
        z = z - z.max(axis=-1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))

    def _mats(self, W2):
        R = W2.shape[0]
        return [W2[:, a:b].reshape((R,) + s) for (a, b), s in zip(self._blocks, self.layer_shapes)]

    def grad(self, W, rng):
        """Minibatch gradient of the cross-entropy at ``W``, one independent minibatch per replicate.

        ``W`` of shape ``(R, D)``: a :class:`~sptheory.pulses.RankOneUpdate`
        of shape ``(R, D)`` with ``factored=True``, else an array; ``W`` of
        shape ``(D,)``: an array ``(D,)``.  With ``io`` the forward (and
        backward) products are the analog ones, their output noise drawn
        from ``rng`` after the minibatch; the factors stay digital.
        """
        W2, lead = self._flat(W)
        R, B = W2.shape[0], self.batch
        idx = rng.integers(0, self.n, size=(R, B))
        mats = self._mats(W2)
        inputs, z = self._forward(mats, self.X[idx], rng)
        delta = np.exp(self._log_softmax(z))                       # softmax - onehot: dLoss/dz per example
        delta[np.arange(R)[:, None], np.arange(B)[None, :], self.y[idx]] -= 1.0
        deltas = [delta]
        io_back = self.io if self.io is not None and self.io.backward else None
        for l in range(len(mats) - 1, 0, -1):
            if io_back is None:
                back = np.matmul(delta, mats[l][..., :-1])
            else:  # the transposed array W_l^T without the bias column, read through the IO model
                back = _io_matvec(io_back, delta, mats[l][..., :-1].transpose(0, 2, 1), rng)
            delta = back * _act_slope(self.activation, inputs[l])
            deltas.append(delta)
        deltas.reverse()
        if self.factored and len(lead) == 1:
            ones = np.ones((R, B, 1))
            factors = [(np.concatenate([h, ones], axis=-1), d) for h, d in zip(inputs, deltas)]
            return RankOneUpdate._checked(factors, self.layer_shapes, 1.0 / B)
        parts = []
        for h, d, (o, i1) in zip(inputs, deltas, self.layer_shapes):
            g = np.empty((R, o, i1))
            np.matmul(d.transpose(0, 2, 1), h, out=g[..., :-1])
            g[..., -1] = d.sum(axis=1)
            parts.append(g.reshape(R, -1))
        return (np.concatenate(parts, axis=-1) / B).reshape(lead + (self.D,))

    def _evaluate(self, W, X, y, rng=None):
        """Summed cross-entropy and number of correct predictions per replicate; both NaN for a replicate
        whose weights or logits are not all finite (a diverged model has no accuracy: an argmax over NaN
        logits would pick class 0 and read as chance level)."""
        rng = _check_rng(rng)
        W2, lead = self._flat(W)
        mats = self._mats(W2)
        loss = np.zeros(W2.shape[0])
        correct = np.zeros(W2.shape[0])
        bad = ~np.isfinite(W2).all(axis=-1)
        with np.errstate(over="ignore", invalid="ignore"):
            for start in range(0, X.shape[0], _CHUNK):
                xb, yb = X[start:start + _CHUNK], y[start:start + _CHUNK]
                _, z = self._forward(mats, xb, rng)
                bad |= ~np.isfinite(z).all(axis=(-2, -1))
                logp = self._log_softmax(z)
                loss -= logp[:, np.arange(len(yb)), yb].sum(axis=-1)
                correct += (z.argmax(axis=-1) == yb).sum(axis=-1)
        loss[bad] = np.nan
        correct[bad] = np.nan
        return loss.reshape(lead), correct.reshape(lead)

    # Evaluation: ``rng`` (an np.random.Generator) draws the output noise of the IO model; without it
    # the analog forward pass is quantised and clipped but noise-free.  Ideal products (io None)
    # ignore it.

    def f(self, W, rng=None) -> np.ndarray:
        """Mean cross-entropy over the whole training split, one value per replicate (``rng``: see above)."""
        return self._evaluate(W, self.X, self.y, rng)[0] / self.n

    def loss(self, W, X, y, rng=None) -> np.ndarray:
        """Mean cross-entropy on any split ``(X, y)``, per replicate (``rng``: see above)."""
        X, y = self._check_split((X, y), "(X, y)")
        return self._evaluate(W, X, y, rng)[0] / X.shape[0]

    def accuracy(self, W, X, y, rng=None) -> np.ndarray:
        """Fraction of ``(X, y)`` classified correctly (argmax of the logits), per replicate (``rng``: see above);
        NaN for a replicate whose weights or logits are not finite (a diverged model)."""
        X, y = self._check_split((X, y), "(X, y)")
        return self._evaluate(W, X, y, rng)[1] / X.shape[0]

    def predict(self, W, X, rng=None) -> np.ndarray:
        """Predicted class of each row of ``X``: shape ``W.shape[:-1] + (n,)`` (``rng``: see above).
        Non-finite weights or logits (a diverged model) are a ValueError, not a class."""
        rng = _check_rng(rng)
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (n, {self.sizes[0]}), got {X.shape}")
        W2, lead = self._flat(W)
        if not np.all(np.isfinite(W2)):
            raise ValueError("W must be finite to predict: the model has NaN or inf weights (a diverged run)")
        with np.errstate(over="ignore", invalid="ignore"):
            _, z = self._forward(self._mats(W2), X, rng)
        if not np.all(np.isfinite(z)):
            raise ValueError("the logits are not finite (overflow in the forward pass): no prediction")
        return z.argmax(axis=-1).reshape(lead + (X.shape[0],))
