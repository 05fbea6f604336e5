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

The package, by concept (every name below is also an attribute of the package itself):

    settings     NetworkSetting, the data splits, the named settings (SETTINGS, NOMINAL, CONVERGED, ...)
    registry     the algorithm names, FIXED and make_algorithm
    translation  the translation of the paper's Table 5 into sptheory's units (table5)
    training     train_curves, train, end_slope, signal_scales
    grid_search  the search engine (search, search_all, nominal_search, converged_search) and its grids
    stored       the searches' choices (NOMINAL_BEST, CONVERGED_BEST), read from ``data/*.json``

A function reads module-level names in its own submodule: to replace one (a test's monkeypatch), set it
there (``network.stored.CONVERGED_BEST``, ``network.grid_search.search_all``), not on the package.
"""

from __future__ import annotations


from . import grid_search, registry, settings, stored, training, translation
from .grid_search import (ALPHA_FACTORS, CONVERGED_POINTS, EDGE_EXTENSIONS, GRID_POINTS, GRIDS, GRIDS_FIRST,
                          SEARCH_AXES, SGD_FACTORS, TRANSFER_FACTORS, Search, _grid, _key, converged_grid,
                          converged_search, nominal_search, search, search_all)
from .registry import _CONSTRUCTORS, _POSITIONAL, ALGORITHMS, FIXED, PAPER_ALGORITHMS, make_algorithm
from .settings import (CONVERGED, CONVERGED_ALGORITHMS, CONVERGED_EPOCHS, CONVERGED_EPOCHS_LONG, CONVERGENCE_TOL,
                       EPOCHS_BY_RULE, MNIST_BUNDLED, MNIST_VAL, NOMINAL, SEARCH_SEEDS, SETTINGS, NetworkSetting,
                       _check_setting, _converged, paper_scale, splits_of)
from .stored import (CONVERGED_BEST, CONVERGED_BEST_SOURCE, NOMINAL_BEST, NOMINAL_BEST_SOURCE, at_search_limit,
                     converged_hyperparameters, nominal_hyperparameters, search_record)
from .training import (Curves, _accuracy, _devices, _EpochBar, _eval_rng, _problem, _progress, _run, end_slope,
                       signal_scales, train, train_curves)
from .translation import IN_SIZE, _round, table5

__all__ = ["NetworkSetting", "SETTINGS", "ALGORITHMS", "GRIDS", "FIXED", "GRID_POINTS", "make_algorithm", "train",
           "search", "search_all", "Search", "signal_scales", "NOMINAL", "SEARCH_SEEDS", "NOMINAL_BEST",
           "NOMINAL_BEST_SOURCE", "nominal_search", "nominal_hyperparameters", "Curves", "train_curves", "end_slope",
           "splits_of", "paper_scale", "MNIST_VAL", "CONVERGED", "CONVERGED_ALGORITHMS", "CONVERGED_EPOCHS",
           "CONVERGED_EPOCHS_LONG", "EPOCHS_BY_RULE", "CONVERGENCE_TOL", "IN_SIZE", "table5", "SEARCH_AXES",
           "ALPHA_FACTORS", "TRANSFER_FACTORS", "SGD_FACTORS", "CONVERGED_POINTS", "EDGE_EXTENSIONS",
           "converged_grid", "converged_search", "CONVERGED_BEST", "CONVERGED_BEST_SOURCE", "at_search_limit",
           "converged_hyperparameters", "PAPER_ALGORITHMS", "search_record"]

_SUBMODULES = (settings, registry, translation, training, grid_search, stored)
