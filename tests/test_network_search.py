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


def test_make_algorithm_passes_every_key_on_and_rejects_unknown_ones():
    """A searched axis must reach the constructor: an AGAD grid over ``warmup`` once trained the same
    algorithm at both values because unknown keys were dropped."""
    import pytest

    from sptheory import devices

    nd = devices.network_devices("idealized", ((8, 65), (10, 9)), 0)
    hp = dict(alpha=0.5, transfer_lr=1.0, in_chop_prob=0.1)
    assert network.make_algorithm("AGAD", dict(hp, warmup=False), nd).warmup is False
    assert network.make_algorithm("AGAD", hp, nd).warmup is True
    assert network.make_algorithm("E-RIDER (buffered)", dict(alpha=0.5, beta=1.0, max_pulses=None), nd).max_pulses \
        is None
    with pytest.raises(ValueError, match="warm_up"):
        network.make_algorithm("AGAD", dict(hp, warm_up=False), nd)
    with pytest.raises(ValueError, match="transfer_lr"):
        network.make_algorithm("TT-v2", dict(alpha=0.5), nd)
