"""The converged network settings (sptheory.experiments.network): learning curves, the end-slope convergence
measure, the Table-5-centred search and its edge rule, and the settings' argument checks."""

import dataclasses

import numpy as np
import pytest

from sptheory import nn
from sptheory.experiments import network

TINY = dataclasses.replace(network.CONVERGED["A"], epochs=2, sizes=(64, 8, 10))


def test_train_curves_records_every_epoch_without_changing_the_run():
    hp = network.table5("A")["TT-v2"]
    r = network.train_curves(TINY, "TT-v2", hp, seeds=(3, 4))
    assert r.curve.shape == (2, TINY.epochs + 1) and np.array_equal(r.epochs, np.arange(TINY.epochs + 1))
    assert np.all((r.curve >= 0) & (r.curve <= 1))
    np.testing.assert_array_equal(r.curve[:, -1], r.val)
    # recording draws the evaluation noise from its own stream: test accuracy equals a plain train() call
    np.testing.assert_array_equal(r.test, network.train(TINY, "TT-v2", hp, (3, 4), split="test"))
    # seeded: the same call gives the same curves
    np.testing.assert_array_equal(r.curve, network.train_curves(TINY, "TT-v2", hp, seeds=(3, 4)).curve)


def test_end_slope_is_the_least_squares_slope_of_the_last_quarter():
    epochs = np.arange(41)
    rising_then_flat = np.where(epochs < 30, epochs / 30.0, 1.0)
    assert network.end_slope(rising_then_flat) == pytest.approx(0.0, abs=1e-12)
    line = 0.5 + 0.003 * epochs
    assert network.end_slope(np.stack([line, line + 0.1])) == pytest.approx(0.003, rel=1e-9)
    # the seed mean is what is fitted: opposite slopes cancel
    assert network.end_slope(np.stack([line, 1.0 - line])) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match="curve"):
        network.end_slope(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="fraction"):
        network.end_slope(line, fraction=0.0)


def test_every_converged_algorithm_has_the_same_number_of_points_centred_on_table5():
    for setting in ("A", "B"):
        centre = network.table5(setting)
        for name in network.CONVERGED_ALGORITHMS:
            grid = network.converged_grid(name, setting)
            assert len(grid) == network.CONVERGED_POINTS
            assert centre[name] in grid  # the centre is a grid point
            axes = network.SEARCH_AXES[name]
            held = {k: v for k, v in centre[name].items() if k not in axes}
            assert all({k: hp[k] for k in held} == held for hp in grid)
    # the threshold of the chopped compounds is in units of the slow array's dw_min (Table 5 translation)
    assert network.table5("A")["AGAD"]["thres_scale"] == pytest.approx(0.4622 / 0.01 * 1000 / 65, rel=1e-5)
    assert network.table5("B")["AGAD"]["thres_scale"] == pytest.approx(1000 / 65, rel=1e-5)


def test_edge_rule_extends_a_searched_axis_until_the_best_is_inside_or_the_limit(monkeypatch):
    """A fake validation score peaked at 100x the centre's transfer rate and at the centre's alpha: the
    transfer axis (spacing 10) extends upwards twice (10 -> 100 -> 1000) and stops; alpha never extends."""
    calls = []

    def fake_search_all(setting, names, seeds, executor, grids, progress=False):
        out = {}
        for name in names:
            c = network.table5("A")[name]
            val = np.array([-abs(np.log10(hp["transfer_lr"] / c["transfer_lr"]) - 2.0)
                            - abs(np.log10(hp["alpha"] / c["alpha"])) for hp in grids[name]])
            calls.append(len(grids[name]))
            out[name] = network.Search(name, grids[name], val, dict(grids[name][int(np.argmax(val))]))
        return out

    monkeypatch.setattr(network.grid_search, "search_all", fake_search_all)  # where converged_search looks it up
    found = network.converged_search("A", names=("TT-v2",))["TT-v2"]
    c = network.table5("A")["TT-v2"]
    assert found.best["transfer_lr"] == pytest.approx(100 * c["transfer_lr"], rel=1e-5)
    assert found.best["alpha"] == pytest.approx(c["alpha"])
    assert calls == [9, 3, 3]  # the base grid, then one new transfer value crossed with the 3 alphas, twice
    assert len(found.grid) == 15 and len(found.val_accuracy) == 15


def test_settings_reject_bad_arguments():
    with pytest.raises(ValueError, match="slow_device"):
        dataclasses.replace(TINY, slow_device="hfo3")
    with pytest.raises(ValueError, match="epochs"):
        dataclasses.replace(TINY, epochs=0)
    with pytest.raises(TypeError, match="io"):
        dataclasses.replace(TINY, io="paper")
    with pytest.raises(ValueError, match="data"):
        dataclasses.replace(TINY, data="cifar")
    with pytest.raises(ValueError, match="setting"):
        network.table5("C")
    with pytest.raises(ValueError, match="data_spec"):
        network.paper_scale(TINY, "digits")
    big = network.paper_scale(TINY, "mnist:/nowhere")
    assert big.sizes == (784, 256, 128, 10) and big.epochs == network.CONVERGED_EPOCHS and big.batch == 10


def test_converged_settings_differ_only_in_the_slow_array():
    a, b = network.CONVERGED["A"], network.CONVERGED["B"]
    assert a.slow_device == "fine" and b.slow_device is None
    assert dataclasses.replace(a, name=b.name, slow_device=None) == b
    assert a.epochs >= 40


def test_stored_choices_cover_every_algorithm_and_lie_on_the_searched_lattice():
    """Each stored choice is the Table 5 centre times whole powers of its axis spacing (3 on the fast rate and
    sqrt 3 for the SGDs, 10 on the transfer rate), within the base grid plus the edge rule's extensions."""
    for setting in ("A", "B"):
        centre = network.table5(setting)
        assert set(network.CONVERGED_BEST[setting]) == set(network.CONVERGED_ALGORITHMS)
        for name in network.CONVERGED_ALGORITHMS:
            hp = network.converged_hyperparameters(setting, name)
            axes = network.SEARCH_AXES[name]
            assert {k: v for k, v in hp.items() if k not in axes} == {k: v for k, v in centre[name].items()
                                                                      if k not in axes}
            for axis in axes:
                step = np.sqrt(3.0) if len(axes) == 1 else (3.0 if axis == "alpha" else 10.0)
                k = np.log(hp[axis] / centre[name][axis]) / np.log(step)
                base_edge = 4 if len(axes) == 1 else 1
                assert abs(k - round(k)) < 1e-4 and abs(round(k)) <= base_edge + network.EDGE_EXTENSIONS, (name, axis)
