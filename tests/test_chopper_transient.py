"""experiments.chopper_transient: the tracked c-TTv2 step is BufferedTransfer.step, the reset variant
empties the flipping columns, the wrong-sign bookkeeping adds up, bad input is named."""

import numpy as np
import pytest

from sptheory import algorithms, devices, objectives
from sptheory.experiments import chopper_transient as T


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


class Layered(objectives.Quadratic):
    layer_shapes = ((3, 4),)


def setup():
    r = gen(0)
    prob = Layered(np.linspace(1.0, 2.0, 12), 0.3 * r.standard_normal(12), sigma=0.3)
    dev_a = devices.SoftBounds(dw_min=0.02, offset=0.2 + 0.1 * r.standard_normal(12))
    algo = algorithms.c_ttv2(dev_a, devices.SoftBounds(dw_min=0.02), 0.3, 0.5, in_chop_prob=0.3,
                             pulse_mode="exact", reference=0.1)
    return prob, algo


def test_chopped_tracked_step_is_the_library_step():
    prob, algo = setup()
    s1 = s2 = algo.init(np.zeros(12), replicates=2)
    S = (np.zeros((2, 12)), np.zeros((2, 12)))
    r1, r2 = gen(3), gen(3)
    flips = 0
    for _ in range(120):
        c0 = s1.chop
        s1 = algo.step(s1, prob, r1)
        s2, S, wrong, right, whole = T.step_tracked(algo, s2, S, prob, r2, "chopped")
        for name in ("A", "C", "H", "chop"):
            np.testing.assert_array_equal(np.asarray(getattr(s2, name)), np.asarray(getattr(s1, name)))
        assert wrong.shape == right.shape == whole.shape == (2, 3)
        flips += int(np.sum(s1.chop != c0))
    assert flips > 0


def test_reset_mode_empties_flipping_columns_and_their_sums():
    prob, algo = setup()
    state = algo.init(np.zeros(12), replicates=2)
    S = (np.zeros((2, 12)), np.zeros((2, 12)))
    rng, resets = gen(4), 0
    for _ in range(120):
        c0 = state.chop
        state, S, *_ = T.step_tracked(algo, state, S, prob, rng, "reset")
        flipped = state.chop != c0
        if flipped.any():
            resets += 1
            np.testing.assert_array_equal(np.asarray(state.A)[flipped], 0.1)  # the reference, inside the bounds
            assert np.all(S[0][flipped] == 0.0) and np.all(S[1][flipped] == 0.0)
    assert resets > 0


def test_sums_split_the_signed_requests_by_chopper_sign():
    prob, algo = setup()
    state = algo.init(np.zeros(12), replicates=1)
    S = (np.zeros((1, 12)), np.zeros((1, 12)))
    rng = gen(5)
    state, S, *_ = T.step_tracked(algo, state, S, prob, rng)
    # first step: every chopper is +1, so everything lands in S_+ and S_- stays 0
    assert np.all(S[1] == 0.0) and np.any(S[0] != 0.0)


def test_bad_input():
    prob, algo = setup()
    state = algo.init(np.zeros(12))
    S = (np.zeros((1, 12)), np.zeros((1, 12)))
    with pytest.raises(ValueError, match="mode must be one of"):
        T.step_tracked(algo, state, S, prob, gen(0), "dechopped")
    tt = algorithms.tt_v2(algo.dev_a, algo.dev_c, 0.3, 0.5)
    with pytest.raises(TypeError, match="chopped BufferedTransfer"):
        T.step_tracked(tt, tt.init(np.zeros(12)), S, prob, gen(0))


def test_simulate_tiny_chopped_run_is_network_train():
    from sptheory.experiments import network as N

    m = T.simulate(seeds=(0,), epochs=1)
    setting = N.NetworkSetting(**{**N.SETTINGS["hfo2"].__dict__, "epochs": 1})
    want = N.train(setting, "c-TTv2", N.nominal_hyperparameters("c-TTv2"), [0])
    assert m["acc"]["chopped"] == [float(want[0])]
    assert 0.0 <= m["wrong_share"][0] <= 1.0 and 0.0 <= m["wrong_dominant"][0] <= 1.0
    assert len(m["acc"]["reset"]) == len(m["agad_acc"]) == len(m["agad_residual"]) == 1
