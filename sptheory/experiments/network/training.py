"""Training one algorithm in a network setting: :func:`train_curves` (learning curves, final validation
and test accuracy, all seeds in one simulation), :func:`train`, the end-slope convergence measure
:func:`end_slope`, and the diagnostics :func:`signal_scales`.  Part of :mod:`sptheory.experiments.network`."""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from ... import algorithms, devices, nn
from .registry import make_algorithm
from .settings import NetworkSetting, splits_of


def _problem(setting: NetworkSetting):
    splits = splits_of(setting)
    if setting.n_train is not None:
        X, y = splits.train
        if setting.n_train > len(y):
            raise ValueError(f"n_train={setting.n_train} exceeds the training split of {setting.data!r} "
                             f"({len(y)} images)")
        splits = dataclasses.replace(splits, train=(X[:setting.n_train], y[:setting.n_train]))
    net = nn.MLP(sizes=setting.sizes, activation=setting.activation, data=splits.train, batch=setting.batch,
                 io=setting.io)
    return splits, net


def _devices(setting, net, seed):
    return devices.network_devices(setting.device, net.layer_shapes, seed, ref_mean=setting.ref_mean,
                                   ref_std=setting.ref_std, write_noise=setting.write_noise,
                                   slow=setting.slow_device)


def _run(setting, name, hp, net, seeds, stream="full"):
    """Algorithm and start state of one simulation whose replicates are ``seeds``: replicate r has the
    devices of ``network_devices(..., seed=seeds[r])`` (stacked, ``devices.stack_devices``) and the initial
    weights drawn from ``PCG64(seeds[r])``; the training stream is ``PCG64(seeds)``."""
    seeds = [int(s) for s in seeds]
    nds = [_devices(setting, net, s) for s in seeds]
    nd = nds[0]
    if len(seeds) > 1:
        nd = nd._replace(fast=devices.stack_devices([d.fast for d in nds]),
                         slow=devices.stack_devices([d.slow for d in nds]),
                         offsets=np.stack([d.offsets for d in nds]))
    if not setting.write_noise:
        nd = nd._replace(c2c_fast=0.0, c2c_slow=0.0)
    algo = make_algorithm(name, hp, nd, setting.pulse_mode, stream)
    if len(seeds) == 1:  # one seed: one stream, the initial weights first
        rng = np.random.Generator(np.random.PCG64(seeds[0]))
        W0 = net.init_weights(rng, replicates=1)
    else:
        W0 = np.concatenate([net.init_weights(np.random.Generator(np.random.PCG64(s)), replicates=1)
                             for s in seeds])
        rng = np.random.Generator(np.random.PCG64(seeds))
    state = algo.init(W0, rng) if isinstance(algo, algorithms.TwoStage) else algo.init(W0)
    return algo, state, rng


def _eval_rng(seeds):
    """The stream of the IO output noise of evaluations (apart from training's, so evaluating does not
    change the training run)."""
    return np.random.Generator(np.random.PCG64([int(s) for s in seeds] + [0x5E7A1]))


def _accuracy(net, algo, state, X, y, rng):
    return np.asarray(net.accuracy(algo.forward_weights(state), X, y, rng=rng), dtype=float)


class Curves(NamedTuple):
    """Runs of one algorithm, one per seed (:func:`train_curves`).

    test, val   accuracy of the final ``forward_weights`` on the test and validation splits, ``(seeds,)``
    curve       validation accuracy after each epoch, ``(seeds, epochs + 1)`` (column 0: the initial weights)
    epochs      the epoch of each column of ``curve``, ``0 .. epochs``

    A run whose weights became NaN or inf has diverged: its accuracies are NaN from that epoch on
    (``nn.MLP.accuracy``), never a chance-level number; :attr:`diverged` marks it.
    """

    test: np.ndarray
    val: np.ndarray
    curve: np.ndarray
    epochs: np.ndarray

    @property
    def diverged(self) -> np.ndarray:
        """Per run (the leading axes of ``curve``), the first epoch whose accuracy is NaN (the weights
        diverged to NaN/inf), or -1 for a run that stayed finite (its final test accuracy too)."""
        c = np.asarray(self.curve, float)
        bad = np.isnan(c)
        first = np.where(bad.any(axis=-1), bad.argmax(axis=-1), -1)
        late = (first < 0) & np.isnan(np.asarray(self.test, float))
        return np.where(late, c.shape[-1] - 1, first)

def train_curves(setting: NetworkSetting, algorithm: str, hyperparameters: dict, seeds, progress=False,
                 stream="full") -> Curves:
    """Train ``algorithm`` with ``hyperparameters`` for ``setting.epochs`` epochs, one replicate per seed, all
    seeds in ONE simulation (replicate r: the devices and initial weights of ``seeds[r]``; the minibatches
    and pulse noise from one stream seeded by all of ``seeds``, so a seed's run depends on the set of seeds
    it runs with), recording the learning curve (validation accuracy of ``forward_weights`` after every
    epoch) and the final validation and test accuracy.  With IO non-idealities (``setting.io``) evaluations
    run the noisy forward pass, its noise from a stream of its own, so recording does not change training.

    ``progress``: False (nothing), True (a tqdm bar over the epochs on stderr, its postfix the last epoch's
    validation accuracy, mean over the seeds), or a callable ``progress(epoch, val)`` called after every
    epoch with the validation accuracies ``(seeds,)`` (``epoch`` 1 .. ``setting.epochs``).  It only reports:
    the results do not depend on it.  A replicate whose weights diverge (NaN/inf) reads NaN from then on
    (:attr:`Curves.diverged`).

    ``stream``: ``"full"`` (the default, the stream of every stored result) or ``"lean"`` (the pulses' random
    numbers drawn only for the pulses fired and the columns written: the same distributions, another
    stream, faster in the pulse-train mode; :func:`make_algorithm`, :data:`sptheory.pulses.STREAMS`)."""
    from ... import _validate, pulses

    pulses.check_stream(stream)
    seeds = list(_validate.seeds("seeds", seeds))
    report = _progress(progress, f"{algorithm} [{setting.name}]", setting.epochs)
    splits, net = _problem(setting)
    algo, state, rng = _run(setting, algorithm, hyperparameters, net, seeds, stream)
    ev = _eval_rng(seeds)
    curve = [_accuracy(net, algo, state, *splits.val, ev)]
    try:
        for epoch in range(1, setting.epochs + 1):
            if np.isnan(curve[-1]).all():  # every replicate diverged (NaN/inf weights): nothing left to train
                curve.append(curve[-1])
            else:
                with np.errstate(over="ignore", invalid="ignore"):
                    for _ in range(net.steps_per_epoch):
                        state = algo.step(state, net, rng)
                curve.append(_accuracy(net, algo, state, *splits.val, ev))
            if report is not None:
                report(epoch, curve[-1])
    finally:
        if report is not None and hasattr(report, "close"):
            report.close()
    test = _accuracy(net, algo, state, *splits.test, ev)
    curve = np.stack(curve, axis=1)
    return Curves(test, curve[:, -1].copy(), curve, np.arange(setting.epochs + 1))


class _EpochBar:
    """A tqdm bar over epochs whose postfix is the last validation accuracy (``train_curves(progress=True)``)."""

    def __init__(self, desc, epochs):
        import sys

        from tqdm.auto import tqdm

        self.bar = tqdm(total=epochs, desc=desc, unit="epoch", file=sys.stderr, leave=False)

    def __call__(self, epoch, val):
        self.bar.set_postfix_str(f"val {100.0 * float(np.mean(val)):.1f}%", refresh=False)
        self.bar.update(1)

    def close(self):
        self.bar.close()


def _progress(progress, desc, epochs):
    """The per-epoch reporter of ``train_curves``: None, a tqdm bar (True) or the caller's callable."""
    if progress is None or progress is False:
        return None
    if progress is True:
        return _EpochBar(desc, epochs)
    if callable(progress):
        return progress
    raise TypeError(f"progress must be True, False, None or a callable (epoch, val), got {progress!r}")


def train(setting: NetworkSetting, algorithm: str, hyperparameters: dict, seeds, split: str = "test") -> np.ndarray:
    """Train ``algorithm`` with ``hyperparameters`` once per seed; accuracy on ``split`` ("val" or "test")
    of the weights the algorithm computes with (``forward_weights``), one value per seed
    (:func:`train_curves` without the curve)."""
    if split not in ("val", "test"):
        raise ValueError(f"split must be 'val' or 'test', got {split!r}")
    return getattr(train_curves(setting, algorithm, hyperparameters, seeds), split)


def end_slope(curve, fraction: float = 0.25) -> float:
    """Per-epoch gain of a learning curve at its end: the least-squares slope of the seed-mean of
    ``curve`` (``(seeds, epochs + 1)`` or ``(epochs + 1,)``, one column per epoch) over its last
    ``fraction`` of epochs (at least 3 points)."""
    c = np.asarray(curve, dtype=float)
    if c.ndim == 1:
        c = c[None]
    if c.ndim != 2 or c.shape[1] < 3:
        raise ValueError(f"curve must be (seeds, epochs + 1) with at least 3 epochs, got shape {c.shape}")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction must lie in (0, 1], got {fraction!r}")
    n_ep = c.shape[1] - 1
    k = max(3, int(round(fraction * n_ep)))
    x = np.arange(n_ep - k + 1, n_ep + 1, dtype=float)
    y = c[:, -k:].mean(axis=0)
    return float(np.polyfit(x, y, 1)[0])


def signal_scales(setting: NetworkSetting, algorithm: str, hyperparameters: dict, seed: int = 0,
                  steps: int | None = None) -> dict:
    """Scale of what RIDER/E-RIDER ask the slow array for, against its granularity (diagnostics).

    Runs ``steps`` steps (default: the setting's budget) and returns, averaged over the steps,
    the RMS over cells of ``P - Q`` and of the requested increment ``beta |P - Q|``, the fraction of
    slow-array cells whose expected pulse count ``beta |P - Q| / dw_min`` is below 0.1, and the
    ratio (RMS of the update model's discretization noise) / (RMS of the mean increment).
    """
    if algorithm not in ("RIDER", "E-RIDER", "residual learning", "two-stage"):
        raise ValueError(f"signal_scales covers the RIDER family, got {algorithm!r}")
    from ... import pulses

    splits, net = _problem(setting)
    nd = _devices(setting, net, seed)
    algo = make_algorithm(algorithm, hyperparameters, nd, setting.pulse_mode)
    trainer = algo.trainer if isinstance(algo, algorithms.TwoStage) else algo
    rng = np.random.Generator(np.random.PCG64(seed))
    W0 = net.init_weights(rng, replicates=1)
    state = algo.init(W0, rng) if isinstance(algo, algorithms.TwoStage) else algo.init(W0)
    K = setting.epochs * net.steps_per_epoch if steps is None else int(steps)
    pq, req, small, ratio = [], [], [], []
    dw = float(np.asarray(nd.slow.dw_min).mean())
    for _ in range(K):
        state = algo.step(state, net, rng)
        ref = state.Qt if trainer.reference == "analog" else state.Q
        d = np.asarray(state.P) - ref
        signed = trainer.beta * state.c * d  # what the step asked the slow array for (eq. (18b))
        r = np.abs(signed)
        pq.append(np.sqrt(np.mean((np.asarray(state.P) - state.Q) ** 2)))
        req.append(np.sqrt(np.mean(r ** 2)))
        small.append(np.mean(r / dw < 0.1))
        hidden = pulses.hidden_weights(state.W)
        noise = pulses.model_noise_variance(nd.slow, hidden, signed, c2c=trainer.c2c_slow)
        mean_inc = r * np.where(signed >= 0, nd.slow.q_plus(hidden), nd.slow.q_minus(hidden))
        ratio.append(np.sqrt(noise.mean()) / max(np.sqrt(np.mean(mean_inc ** 2)), 1e-300))
    return dict(rms_p_minus_q=float(np.mean(pq)), rms_request=float(np.mean(req)), dw_min=dw,
                frac_below_tenth_pulse=float(np.mean(small)), noise_to_mean=float(np.mean(ratio)),
                val_accuracy=float(net.accuracy(algo.forward_weights(state), *splits.val)[0]))
