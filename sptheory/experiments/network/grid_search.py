"""The hyperparameter search engine: grid search on the validation split (:func:`search`,
:func:`search_all`), the 5-epoch grids (:data:`GRIDS`) and the nominal search (:func:`nominal_search`), and the
Table-5-centred search of the converged settings with its edge rule (:func:`converged_search`).  What the
searches chose is stored in data files, read by :mod:`.stored`.  Part of :mod:`sptheory.experiments.network`."""

from __future__ import annotations

import dataclasses
import itertools
from typing import NamedTuple

import numpy as np

from .registry import ALGORITHMS
from .settings import (CONVERGED, CONVERGED_ALGORITHMS, CONVERGED_EPOCHS, NOMINAL, SEARCH_SEEDS,
                       NetworkSetting)
from .training import train
from .translation import _round, table5


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
    from ... import sweep

    grids = {name: tuple((grids or {}).get(name, GRIDS[name])) for name in names}
    for name, grid in grids.items():
        if not grid:
            raise ValueError(f"grid of {name!r} must hold at least one hyperparameter dict")
    from ... import _validate

    seeds = _validate.seeds("seeds", seeds)
    jobs = [(setting, name, dict(hp), seeds, "val") for name in names for hp in grids[name]]
    acc = iter(sweep.run_jobs(train, jobs, executor=executor, progress=progress, desc="search"))
    out = {}
    for name in names:
        val = np.array([next(acc).mean() for _ in grids[name]])
        out[name] = Search(name, grids[name], val, dict(grids[name][int(np.argmax(val))]))
    return out


def nominal_search(executor=None, names=ALGORITHMS, progress: bool = False) -> dict:
    """Search every algorithm of ``names`` at :data:`NOMINAL` with :data:`SEARCH_SEEDS`: ``{name: Search}``.

    :data:`NOMINAL_BEST` stores its ``best`` entries from a run before the update model's random stream
    changed and before a job's seeds ran as one simulation; a rerun now draws other numbers."""
    return search_all(NOMINAL, names, SEARCH_SEEDS, executor, progress=progress)


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
