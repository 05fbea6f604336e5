"""Per-epoch progress of ``network.train_curves``: it reports every epoch's validation accuracy and does not
change the run."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sptheory.experiments import network, offsets

TINY = dataclasses.replace(network.CONVERGED["B"], epochs=3, sizes=(64, 8, 10))


def test_callable_gets_every_epoch_and_the_run_is_unchanged():
    hp = network.table5("B")["AGAD"]
    seen = []
    r = network.train_curves(TINY, "AGAD", hp, seeds=(1, 2), progress=lambda e, v: seen.append((e, np.array(v))))
    assert [e for e, _ in seen] == [1, 2, 3]
    for e, v in seen:
        np.testing.assert_array_equal(v, r.curve[:, e])
    plain = network.train_curves(TINY, "AGAD", hp, seeds=(1, 2))
    np.testing.assert_array_equal(plain.curve, r.curve)
    np.testing.assert_array_equal(plain.test, r.test)


def test_bar_runs_and_bad_progress_is_a_type_error(capsys):
    hp = network.table5("B")["TT-v2"]
    r = network.train_curves(TINY, "TT-v2", hp, seeds=(1,), progress=True)
    np.testing.assert_array_equal(r.curve, network.train_curves(TINY, "TT-v2", hp, seeds=(1,)).curve)
    with pytest.raises(TypeError, match="progress"):
        network.train_curves(TINY, "TT-v2", hp, seeds=(1,), progress="yes")


def test_offset_cells_pass_progress_on():
    hp = network.table5("B")["TT-v2"]
    seen = []
    c = offsets.cell_runs(0.2, 0.3, "TT-v2", hp, (1,), base=TINY, progress=lambda e, v: seen.append(e))
    assert seen == [1, 2, 3] and c.curve.shape == (1, 4)
