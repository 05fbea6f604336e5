"""The stored choices of the searches, read from the data files beside this module (``data/*.json``, package
data): :data:`NOMINAL_BEST` (:func:`~.grid_search.nominal_search` at :data:`~.settings.NOMINAL`) and
:data:`CONVERGED_BEST` (:func:`~.grid_search.converged_search` per converged setting), each with how and
when it was run (:data:`NOMINAL_BEST_SOURCE`, :data:`CONVERGED_BEST_SOURCE`) and the search record: the
mean validation accuracy of every point evaluated (:func:`search_record`).  Part of
:mod:`sptheory.experiments.network`.

Each file holds ``{"what": ..., "source": ..., "choices": ...}``; a choice is
``{"hyperparameters": {...}, "val_accuracy": [...]}`` (``"choices"`` of ``converged_best.json`` is keyed by
setting, then algorithm).  JSON ``null`` reads as None (``max_pulses``: no cap)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .grid_search import EDGE_EXTENSIONS, SEARCH_AXES
from .translation import table5

#: The folder of the stored search records.
DATA_DIR = Path(__file__).resolve().parent / "data"
_RECORDS = {"nominal": "nominal_best.json", "converged": "converged_best.json"}


def search_record(which: str) -> dict:
    """The stored record of a search, as read from its data file (a fresh copy): ``which`` is
    ``"nominal"`` (``data/nominal_best.json``: the grid points' validation accuracies in :data:`GRIDS` order)
    or ``"converged"`` (``data/converged_best.json``: every evaluated point's, in the order run, the 9 base
    points first)."""
    if which not in _RECORDS:
        raise ValueError(f"which must be one of {sorted(_RECORDS)}, got {which!r}")
    return json.loads((DATA_DIR / _RECORDS[which]).read_text(encoding="utf-8"))


def _choices(choices: dict) -> dict:
    return {name: dict(entry["hyperparameters"]) for name, entry in choices.items()}


_NOMINAL_RECORD = search_record("nominal")
_CONVERGED_RECORD = search_record("converged")

#: :func:`nominal_search`'s choice per algorithm, stored (see :data:`NOMINAL_BEST_SOURCE`); the record
#: (:func:`search_record`) lists the mean validation accuracy of the grid points in :data:`GRIDS` order.
NOMINAL_BEST: dict = _choices(_NOMINAL_RECORD["choices"])
NOMINAL_BEST_SOURCE = _NOMINAL_RECORD["source"]


def nominal_hyperparameters(name: str) -> dict:
    """The stored nominal choice of ``name`` (:data:`NOMINAL_BEST`)."""
    if name not in NOMINAL_BEST:
        raise ValueError(f"no stored nominal hyperparameters for {name!r}; known: {sorted(NOMINAL_BEST)}")
    return dict(NOMINAL_BEST[name])


#: :func:`converged_search`'s choice per setting and algorithm, stored (see :data:`CONVERGED_BEST_SOURCE`).
#: The record (:func:`search_record`) lists every evaluated point's mean validation accuracy in the order run.
CONVERGED_BEST: dict = {setting: _choices(choices) for setting, choices in _CONVERGED_RECORD["choices"].items()}
CONVERGED_BEST_SOURCE = _CONVERGED_RECORD["source"]


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
