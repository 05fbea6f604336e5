"""The equal-budget search at the nominal setting (sptheory.experiments.network)."""

import dataclasses

import numpy as np

from sptheory.experiments import network


TINY = dataclasses.replace(network.NOMINAL, epochs=1, sizes=(64, 8, 10))


def test_search_picks_the_validation_best_and_matches_train():
    grids = {"digital SGD": network._grid(alpha=(0.001, 1.0)),
             "E-RIDER (buffered)": network._grid(alpha=(0.5,), beta=(1.0, 4.0))}
    found = network.search_all(TINY, list(grids), seeds=(0, 1), grids=grids)
    for name, grid in grids.items():
        val = np.array([network.train(TINY, name, hp, (0, 1), split="val").mean() for hp in grid])
        np.testing.assert_array_equal(found[name].val_accuracy, val)
        assert found[name].best == grid[int(np.argmax(val))]
    # a learning rate of 1e-3 for one epoch cannot beat 1.0 on digits: the search must see that
    assert found["digital SGD"].best == {"alpha": 1.0}


def test_equal_budget_and_stored_choices_lie_on_the_grids():
    assert all(len(g) == network.GRID_POINTS for g in network.GRIDS.values())
    assert set(network.SEARCH_SEEDS).isdisjoint(range(100))
    for name, hp in network.NOMINAL_BEST.items():
        assert hp in network.GRIDS[name], name
        assert network.nominal_hyperparameters(name) == hp
