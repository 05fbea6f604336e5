"""experiments.network: every algorithm builds and trains, search picks the validation argmax, bad input."""

import dataclasses

import numpy as np
import pytest

from sptheory.experiments import network


def test_every_grid_has_the_same_budget():
    assert set(network.GRIDS) == set(network.ALGORITHMS)
    assert all(len(g) == network.GRID_POINTS for g in network.GRIDS.values())


@pytest.mark.parametrize("name", network.ALGORITHMS)
def test_every_algorithm_trains_on_the_hfo2_setting(name):
    setting = dataclasses.replace(network.SETTINGS["hfo2"], epochs=1)
    hp = network.GRIDS[name][0]
    acc = network.train(setting, name, hp, seeds=[3], split="val")
    assert acc.shape == (1,) and 0.0 <= acc[0] <= 1.0
    np.testing.assert_array_equal(acc, network.train(setting, name, hp, seeds=[3], split="val"))  # seeded


def test_search_returns_the_validation_argmax():
    setting = dataclasses.replace(network.SETTINGS["hfo2"], epochs=1)
    grid = ({"alpha": 1e-4}, {"alpha": 0.5})
    found = network.search(setting, "digital SGD", grid, seeds=[0])
    assert found.best == grid[int(np.argmax(found.val_accuracy))]
    assert found.val_accuracy[1] > found.val_accuracy[0]  # alpha 1e-4 barely leaves the initial weights


def test_bad_input():
    setting = network.SETTINGS["hfo2"]
    with pytest.raises(ValueError, match="algorithm"):
        network.train(setting, "SGD", {}, [0])
    with pytest.raises(ValueError, match="split"):
        network.train(setting, "digital SGD", {"alpha": 0.1}, [0], split="train")
    with pytest.raises(ValueError, match="grid"):
        network.search(setting, "digital SGD", grid=())
