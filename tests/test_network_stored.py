"""The stored search choices of ``experiments.network`` (``network/stored.py``), read from the package's data
files: equal, value and type, to the literals the module held before they moved to ``data/*.json``; consistent
with the search record stored beside them."""

import hashlib
import json

import numpy as np
import pytest

from sptheory.experiments import network

# Copied from sptheory/experiments/network.py at commit 8bca45c (before the split), where they were literals.
NOMINAL_BEST_BEFORE = {
    "digital SGD": {"alpha": 1.0},
    "analog SGD": {"alpha": 0.2},
    "residual learning": {"alpha": 2.0, "beta": 0.01},
    "RIDER": {"alpha": 2.0, "beta": 0.2},
    "E-RIDER": {"alpha": 2.0, "beta": 0.01},
    "TT-v2": {"alpha": 2.0, "transfer_lr": 1.0, "max_pulses": 1},
    "c-TTv2": {"alpha": 2.0, "transfer_lr": 0.1, "max_pulses": 1},
    "AGAD": {"alpha": 2.0, "transfer_lr": 0.3, "in_chop_prob": 0.5},
    "RIDER (buffered)": {"alpha": 2.0, "beta": 4.0, "max_pulses": None},
    "E-RIDER (buffered)": {"alpha": 2.0, "beta": 1.0, "max_pulses": None},
}
_CH = dict(max_pulses=1, momentum=0.0, forget_buffer=True)
CONVERGED_BEST_BEFORE = {
    "A": {
        "digital SGD": {"alpha": 0.9},
        "analog SGD": {"alpha": 0.3},
        "residual learning": {"alpha": 4.5, "beta": 0.000769231, "gamma": 0.1},
        "RIDER (buffered)": {"alpha": 0.0555556, "beta": 50.0, "gamma": 0.1, "eta": 0.00384615, **_CH,
                             "thres_scale": 711.077},
        "E-RIDER (buffered)": {"alpha": 0.5, "beta": 50.0, "gamma": 0.1, "eta": 0.00384615, **_CH,
                               "thres_scale": 711.077, "p": 0.000769231},
        "TT-v2": {"alpha": 0.81, "transfer_lr": 10.0, "thres_scale": 0.8, "momentum": 0.1, "forget_buffer": True,
                  "max_pulses": 1},
        "c-TTv2": {"alpha": 1.35, "transfer_lr": 30.0, "in_chop_prob": 0.1, **_CH, "thres_scale": 711.077},
        "AGAD": {"alpha": 1.35, "transfer_lr": 30.0, "in_chop_prob": 0.1, "tail_weightening": 5.0,
                 "in_chop_random": False, **_CH, "thres_scale": 711.077},
    },
    "B": {
        "digital SGD": {"alpha": 0.9},
        "analog SGD": {"alpha": 0.019245},
        "residual learning": {"alpha": 4.5, "beta": 0.000769231, "gamma": 0.1},
        "RIDER (buffered)": {"alpha": 0.0555556, "beta": 0.005, "gamma": 0.1, "eta": 0.00384615, **_CH,
                             "thres_scale": 15.3846},
        "E-RIDER (buffered)": {"alpha": 1.5, "beta": 0.5, "gamma": 0.1, "eta": 0.00384615, **_CH,
                               "thres_scale": 15.3846, "p": 0.000769231},
        "TT-v2": {"alpha": 0.81, "transfer_lr": 0.1, "thres_scale": 0.8, "momentum": 0.1, "forget_buffer": True,
                  "max_pulses": 1},
        "c-TTv2": {"alpha": 1.35, "transfer_lr": 0.3, "in_chop_prob": 0.1, **_CH, "thres_scale": 15.3846},
        "AGAD": {"alpha": 1.35, "transfer_lr": 0.3, "in_chop_prob": 0.1, "tail_weightening": 5.0,
                 "in_chop_random": False, **_CH, "thres_scale": 15.3846},
    },
}
# sha256 of json.dumps([NOMINAL_BEST, CONVERGED_BEST]) at 8bca45c (key order included)
BEFORE_SHA256 = "e3c4d2737853a784fcc40d900c63284215b9dd71a30c3dee9866f954770a7d34"
# points evaluated per converged search ("N points" of the comments at 8bca45c)
CONVERGED_POINTS_RUN = {"A": [10, 9, 15, 36, 25, 25, 25, 25], "B": [10, 9, 15, 20, 16, 20, 15, 15]}


def _typed(obj):
    """``obj`` with every leaf replaced by (type name, value): equality then also compares types."""
    if isinstance(obj, dict):
        return {k: _typed(v) for k, v in obj.items()}
    return (type(obj).__name__, obj)


def test_loaded_choices_equal_the_former_literals():
    assert _typed(network.NOMINAL_BEST) == _typed(NOMINAL_BEST_BEFORE)
    assert _typed(network.CONVERGED_BEST) == _typed(CONVERGED_BEST_BEFORE)
    dump = json.dumps([network.NOMINAL_BEST, network.CONVERGED_BEST]).encode()
    assert hashlib.sha256(dump).hexdigest() == BEFORE_SHA256
    assert network.NOMINAL_BEST_SOURCE.startswith("nominal_search(process pool of 2")
    assert "run once at commit 3136f18" in network.CONVERGED_BEST_SOURCE
    assert network.converged_hyperparameters("B", "AGAD") == CONVERGED_BEST_BEFORE["B"]["AGAD"]
    assert network.nominal_hyperparameters("RIDER (buffered)")["max_pulses"] is None


def test_search_record_is_consistent_with_the_choices():
    nominal = network.search_record("nominal")["choices"]
    assert list(nominal) == list(NOMINAL_BEST_BEFORE)
    for name, entry in nominal.items():  # one accuracy per GRIDS point; the choice is the first argmax
        val = np.asarray(entry["val_accuracy"])
        assert len(val) == len(network.GRIDS[name]) == network.GRID_POINTS
        assert network.GRIDS[name][int(np.argmax(val))] == entry["hyperparameters"]
    converged = network.search_record("converged")["choices"]
    for setting, names in converged.items():
        assert [len(e["val_accuracy"]) for e in names.values()] == CONVERGED_POINTS_RUN[setting]
        for name, entry in names.items():
            i = int(np.argmax(entry["val_accuracy"]))
            if i < network.CONVERGED_POINTS:  # the best is a base point: the base grid's i-th point
                assert network.converged_grid(name, setting)[i] == entry["hyperparameters"]
    with pytest.raises(ValueError, match="which"):
        network.search_record("paper")


def test_search_record_is_a_fresh_copy():
    network.search_record("converged")["choices"]["A"]["AGAD"]["hyperparameters"]["alpha"] = -1.0
    assert network.converged_hyperparameters("A", "AGAD")["alpha"] == 1.35
    assert network.search_record("converged")["choices"]["A"]["AGAD"]["hyperparameters"]["alpha"] == 1.35
