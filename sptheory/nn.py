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
"""

from __future__ import annotations

import numpy as np
from scipy import special

from .pulses import RankOneUpdate

__all__ = ["ACTIVATIONS", "MLP"]

ACTIVATIONS = ("sigmoid", "tanh", "relu")

_CHUNK = 4096  # examples per block when evaluating f or accuracy on a whole split (bounds memory for MNIST)


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


def _positive_int(name, value):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class MLP:
    """Fully connected softmax classifier on analog arrays (module docstring: layout, model).

    sizes       layer widths ``(n_0, n_1, ..., n_L)``: ``n_0`` features, ``n_L`` classes
    activation  hidden-layer activation, one of :data:`ACTIVATIONS`
    data        training split ``(X, y)``: ``X`` of shape ``(n, n_0)``, ``y`` integer labels in ``[0, n_L)``
    batch       minibatch size ``B`` of the stochastic gradient
    factored    ``grad`` returns a :class:`~sptheory.pulses.RankOneUpdate` (True) or a plain array

    Attributes: ``layer_shapes`` (``(n_out, n_in + 1)`` per layer), ``D``,
    ``f_star = 0``, ``W_star = None``, ``n`` (training examples),
    ``steps_per_epoch = ceil(n / batch)``.
    """

    def __init__(self, sizes=(64, 32, 10), activation="sigmoid", data=None, batch=10, factored=True):
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
        return (f"MLP(sizes={self.sizes}, activation={self.activation!r}, n={self.n}, batch={self.batch}, "
                f"D={self.D})")

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
    def _forward(self, mats, x):
        """Hidden activations (inputs of each layer) and logits; ``x`` is ``(n, n_0)`` shared or ``(R, B, n_0)``."""
        inputs = []
        h = x
        for l, Wl in enumerate(mats):
            inputs.append(h)
            z = np.matmul(h, Wl[..., :-1].transpose(0, 2, 1)) + Wl[:, None, :, -1]
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
        shape ``(D,)``: an array ``(D,)``.
        """
        W2, lead = self._flat(W)
        R, B = W2.shape[0], self.batch
        idx = rng.integers(0, self.n, size=(R, B))
        mats = self._mats(W2)
        inputs, z = self._forward(mats, self.X[idx])
        delta = np.exp(self._log_softmax(z))                       # softmax - onehot: dLoss/dz per example
        delta[np.arange(R)[:, None], np.arange(B)[None, :], self.y[idx]] -= 1.0
        deltas = [delta]
        for l in range(len(mats) - 1, 0, -1):
            delta = np.matmul(delta, mats[l][..., :-1]) * _act_slope(self.activation, inputs[l])
            deltas.append(delta)
        deltas.reverse()
        if self.factored and len(lead) == 1:
            ones = np.ones((R, B, 1))
            factors = [(np.concatenate([h, ones], axis=-1), d) for h, d in zip(inputs, deltas)]
            return RankOneUpdate(factors, scale=1.0 / B)
        parts = []
        for h, d, (o, i1) in zip(inputs, deltas, self.layer_shapes):
            g = np.empty((R, o, i1))
            np.matmul(d.transpose(0, 2, 1), h, out=g[..., :-1])
            g[..., -1] = d.sum(axis=1)
            parts.append(g.reshape(R, -1))
        return (np.concatenate(parts, axis=-1) / B).reshape(lead + (self.D,))

    def _evaluate(self, W, X, y):
        """Summed cross-entropy and number of correct predictions per replicate."""
        W2, lead = self._flat(W)
        mats = self._mats(W2)
        loss = np.zeros(W2.shape[0])
        correct = np.zeros(W2.shape[0])
        for start in range(0, X.shape[0], _CHUNK):
            xb, yb = X[start:start + _CHUNK], y[start:start + _CHUNK]
            _, z = self._forward(mats, xb)
            logp = self._log_softmax(z)
            loss -= logp[:, np.arange(len(yb)), yb].sum(axis=-1)
            correct += (z.argmax(axis=-1) == yb).sum(axis=-1)
        return loss.reshape(lead), correct.reshape(lead)

    def f(self, W) -> np.ndarray:
        """Mean cross-entropy over the whole training split, one value per replicate."""
        return self._evaluate(W, self.X, self.y)[0] / self.n

    def loss(self, W, X, y) -> np.ndarray:
        """Mean cross-entropy on any split ``(X, y)``, per replicate."""
        X, y = self._check_split((X, y), "(X, y)")
        return self._evaluate(W, X, y)[0] / X.shape[0]

    def accuracy(self, W, X, y) -> np.ndarray:
        """Fraction of ``(X, y)`` classified correctly (argmax of the logits), per replicate."""
        X, y = self._check_split((X, y), "(X, y)")
        return self._evaluate(W, X, y)[1] / X.shape[0]

    def predict(self, W, X) -> np.ndarray:
        """Predicted class of each row of ``X``: shape ``W.shape[:-1] + (n,)``."""
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (n, {self.sizes[0]}), got {X.shape}")
        W2, lead = self._flat(W)
        _, z = self._forward(self._mats(W2), X)
        return z.argmax(axis=-1).reshape(lead + (X.shape[0],))
