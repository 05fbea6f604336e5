"""nn.MLP: gradient against finite differences, layout, bad input, and training on digits
with every algorithm through the same algorithm objects as the convex problems."""

import numpy as np
import pytest

from sptheory import algorithms, data, devices, nn, pulses


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


@pytest.fixture(scope="module")
def splits():
    return data.digits(0)


def tiny_split(n=7, features=5, classes=3, seed=0):
    g = gen(seed)
    return g.standard_normal((n, features)), g.integers(0, classes, n)


@pytest.mark.parametrize("activation", nn.ACTIVATIONS)
def test_gradient_matches_finite_differences(activation):
    X, y = tiny_split()
    net = nn.MLP(sizes=(5, 4, 3, 3), activation=activation, data=(X[:1], y[:1]), batch=1, factored=False)
    W = net.init_weights(gen(1), replicates=2) + 0.1 * gen(2).standard_normal((2, net.D))
    g = net.grad(W, gen(3))  # one example: the only one
    eps = 1e-6
    fd = np.empty_like(W)
    for j in range(net.D):
        e = np.zeros(net.D)
        e[j] = eps
        fd[:, j] = (net.f(W + e) - net.f(W - e)) / (2 * eps)
    # identity up to the central difference's O(eps^2) and rounding O(1e-16/eps)
    np.testing.assert_allclose(g, fd, atol=1e-8)


def test_factored_gradient_is_the_dense_one():
    X, y = tiny_split(n=40)
    kw = dict(sizes=(5, 6, 3), data=(X, y), batch=8)
    W = nn.MLP(**kw).init_weights(gen(0), replicates=3)
    dense = nn.MLP(**kw, factored=False).grad(W, gen(4))
    fac = nn.MLP(**kw).grad(W, gen(4))
    assert isinstance(fac, pulses.RankOneUpdate) and fac.shape == (3, dense.shape[1]) and fac.batch == 8
    np.testing.assert_allclose(np.asarray(fac), dense, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(np.asarray(-0.3 * fac), -0.3 * dense, rtol=1e-13, atol=1e-15)


def test_layout_bias_column_and_forward():
    X, y = tiny_split(n=4)
    net = nn.MLP(sizes=(5, 3, 3), activation="tanh", data=(X, y))
    assert net.layer_shapes == ((3, 6), (3, 4)) and net.D == 18 + 12
    W = net.init_weights(gen(0))
    W1, W2 = net.layers(W)
    assert W1.shape == (3, 6) and np.all(W1[:, -1] == 0)  # biases start at 0
    np.testing.assert_array_equal(np.concatenate([W1.ravel(), W2.ravel()]), W)
    W = W + 0.2  # non-zero biases
    W1, W2 = net.layers(W)
    logits = np.tanh(X @ W1[:, :-1].T + W1[:, -1]) @ W2[:, :-1].T + W2[:, -1]
    np.testing.assert_array_equal(net.predict(W, X), logits.argmax(axis=1))
    ref = np.mean(np.log(np.exp(logits).sum(1)) - logits[np.arange(4), y])
    np.testing.assert_allclose(net.f(W), ref, rtol=1e-12)
    np.testing.assert_allclose(net.accuracy(W[None], X, y), [np.mean(logits.argmax(1) == y)])


def test_minibatches_are_independent_per_replicate():
    X, y = tiny_split(n=200)
    net = nn.MLP(sizes=(5, 4, 3), data=(X, y), batch=2, factored=False)
    W = np.broadcast_to(net.init_weights(gen(0)), (2, net.D))
    g = net.grad(W, gen(1))
    assert not np.allclose(g[0], g[1])


@pytest.mark.parametrize("kwargs, exc, word", [
    (dict(activation="softplus"), ValueError, "activation"),
    (dict(sizes=(5,)), ValueError, "sizes"),
    (dict(sizes=(5, 0, 3)), ValueError, "sizes[1]"),
    (dict(sizes=(5, 2.5, 3)), TypeError, "sizes[1]"),
    (dict(sizes=(4, 3)), ValueError, "X must have shape"),
    (dict(batch=0), ValueError, "batch"),
    (dict(batch=2.0), TypeError, "batch"),
    (dict(data=None), ValueError, "data"),
    (dict(factored="yes"), TypeError, "factored"),
])
def test_bad_construction(kwargs, exc, word):
    X, y = tiny_split()
    args = dict(sizes=(5, 4, 3), data=(X, y)) | kwargs
    with pytest.raises(exc, match=word.replace("[", r"\[").replace("]", r"\]")):
        nn.MLP(**args)


def test_bad_data_and_weights():
    X, y = tiny_split()
    with pytest.raises(ValueError, match="y must have shape"):
        nn.MLP(sizes=(5, 3), data=(X, y[:-1]))
    with pytest.raises(ValueError, match="labels must lie"):
        nn.MLP(sizes=(5, 3), data=(X, y + 3))
    with pytest.raises(TypeError, match="integer class labels"):
        nn.MLP(sizes=(5, 3), data=(X, y + 0.5))
    with pytest.raises(ValueError, match="finite"):
        nn.MLP(sizes=(5, 3), data=(np.full_like(X, np.nan), y))
    net = nn.MLP(sizes=(5, 3), data=(X, y))
    with pytest.raises(ValueError, match="D=18"):
        net.grad(np.zeros((2, 17)), gen(0))
    with pytest.raises(ValueError, match="X must have shape"):
        net.accuracy(np.zeros(18), X[:, :4], y)
    with pytest.raises(ValueError, match="replicates"):
        net.init_weights(0, replicates=0)


def test_trace_records_the_loss_and_no_distance(splits):
    net = nn.MLP(data=splits.train)
    algo = algorithms.DigitalSGD(0.5)
    state = algo.init(net.init_weights(gen(0), replicates=2))
    _, trace = algorithms.run(algo, net, state, 20, gen(1), record_every=10)
    np.testing.assert_allclose(trace.f_gap[0], net.f(state.W))
    assert np.all(np.isnan(trace.w_dist))


# ----- acceptance: every algorithm trains the MLP on digits with a symmetric ideal device -----
# Budget fixed before the runs: 3 epochs (3 * ceil(1087 / 10) = 327 steps of batch 10), 4 seeds in one run,
# MLP 64-32-10 sigmoid, update model ("model"), device the "idealized" preset (soft bounds on [-1, 1],
# dw_min 2e-4: 10000 states, SP at 0, no variation). Digital SGD must reach 90 % mean test accuracy, every
# analog algorithm 85 %. Step sizes: alpha 0.5 for all (digital SGD's best of {0.05, 0.1, 0.2, 0.5} on this
# budget); RIDER-family beta 0.1, gamma 1, eta 0.1, p 0.05 (E-RIDER's best validation accuracy over the grid
# beta {0.1, 0.3} x gamma {0.3, 1} x eta {0.01, 0.1} x p {0.05, 0.2} at this budget, seed 0 split).
# Baselines (same budget and threshold): hyperparameters chosen by
# sptheory.experiments.network.search(SETTINGS["idealized"], name, grid, seeds=(0, 1, 2)), i.e. mean VALIDATION
# accuracy over 3 single-replicate runs (devices.network_devices("idealized"): the same device per cell), 8 points:
#   TT-v1  alpha {0.1, 0.5} x transfer_lr {0.1, 1} x gamma {0, 0.5}          -> 0.5, 1, 0.5       (val 0.939)
#   TT-v2  alpha {0.1, 0.5} x transfer_lr {0.1, 1} x max_pulses {1, None}    -> 0.5, 1, None      (val 0.916)
#   c-TTv2 the TT-v2 grid, in_chop_prob 0.1                                  -> 0.5, 1, None      (val 0.897)
#   AGAD   alpha {0.1, 0.5} x transfer_lr {0.1, 1} x in_chop_prob {0.1, 0.5}, max_pulses None
#                                                                            -> 0.1, 1, 0.5       (val 0.857)
# (max_pulses 1, aihwkit's one pulse per transfer, moves C by at most dw_min = 2e-4 per read: 0.11-0.12 on
# validation. AGAD's first grid, the TT-v2 one, gave 0.115 everywhere: with p = 0.1 its warm-up, N = 10 reads
# per column, outlasts the budget for the 65-column first layer. A second look, alpha {0.1, 0.5} x
# transfer_lr {1, 3} x in_chop_prob {0.5, 1}, found nothing better than 0.857.)
# AGAD's test with that choice gave 0.843 mean test accuracy (replicates 0.868, 0.820, 0.859, 0.828) and was a
# strict xfail. A third search, written down before it ran: its warm-up is a constructor option (``warmup``;
# on this device the start M = Pref = 0 is already A's SP, so the warm-up only withholds writes), 8 points
#   AGAD   alpha {0.1, 0.5} x in_chop_prob {0.1, 0.5} x warmup {on, off}, transfer_lr 1, max_pulses None
#                                                                            -> 0.5, 0.1, off     (val 0.932)
# (with the warm-up on: 0.857 at best, as before). Its first run returned the warm-up-on values for both
# settings: experiments.network.make_algorithm dropped keys it did not know; it now passes them on and
# rejects unknown ones. The test below ran once with the chosen point: mean 0.940 (0.935, 0.944, 0.932, 0.949).
EPOCHS, REPLICATES = 3, 4


def _algorithms():
    dev = devices.preset("idealized")
    hp = dict(pulse_mode="model")
    return {
        "digital SGD": (algorithms.DigitalSGD(0.5), 0.90),
        "analog SGD": (algorithms.AnalogSGD(dev, 0.5, **hp), 0.85),
        "residual learning": (algorithms.residual_learning(dev, dev, 0.5, 0.1, 1.0, **hp), 0.85),
        "two-stage": (algorithms.TwoStage(algorithms.residual_learning(dev, dev, 0.5, 0.1, 1.0, **hp), n_zs=100),
                      0.85),
        "RIDER": (algorithms.rider(dev, dev, 0.5, 0.1, 0.1, 1.0, **hp), 0.85),
        "E-RIDER": (algorithms.e_rider(dev, dev, 0.5, 0.1, 0.1, 1.0, p=0.05, **hp), 0.85),
        "TT-v1": (algorithms.tiki_taka(dev, dev, 0.5, 1.0, gamma=0.5, **hp), 0.85),
        "TT-v2": (algorithms.tt_v2(dev, dev, 0.5, 1.0, max_pulses=None, **hp), 0.85),
        "c-TTv2": (algorithms.c_ttv2(dev, dev, 0.5, 1.0, in_chop_prob=0.1, max_pulses=None, **hp), 0.85),
        "AGAD": (algorithms.agad(dev, dev, 0.5, 1.0, in_chop_prob=0.1, max_pulses=None, warmup=False, **hp), 0.85),
    }


@pytest.mark.parametrize("name", list(_algorithms()))
def test_every_algorithm_trains_the_mlp_on_digits(splits, name):
    algo, threshold = _algorithms()[name]
    net = nn.MLP(sizes=(64, 32, 10), activation="sigmoid", data=splits.train, batch=10)
    W0 = net.init_weights(gen(10), replicates=REPLICATES)
    rng = gen(11)
    state = algo.init(W0, rng) if isinstance(algo, algorithms.TwoStage) else algo.init(W0)
    state, _ = algorithms.run(algo, net, state, EPOCHS * net.steps_per_epoch, rng, record_every=10**9)
    acc = net.accuracy(algo.forward_weights(state), *splits.test)
    assert acc.mean() >= threshold, (name, acc)


def test_pulse_trains_train_the_same_algorithm_objects(splits):
    """E-RIDER in the trains mode on a device whose requests fit in the trains (dw_min 0.01, BL 31)."""
    net = nn.MLP(data=splits.train, batch=10)
    dev = devices.SoftBounds(dw_min=0.01)
    algo = algorithms.e_rider(dev, dev, 0.5, 0.1, 0.1, 1.0, p=0.05, pulse_mode=pulses.Trains(bl=31))
    state = algo.init(net.init_weights(gen(0), replicates=2))
    state, trace = algorithms.run(algo, net, state, 2 * net.steps_per_epoch, gen(1), record_every=10**9)
    assert trace.pulses[-1].min() > 0
    assert net.accuracy(algo.forward_weights(state), *splits.test).min() >= 0.5  # far above chance (0.1)


def test_two_stage_starts_inside_every_cells_bounds_on_network_devices(splits):
    """Per-cell offsets move each fast cell's bounds; P0 = 0 lies outside some of them (seed 0,
    offsets N(0.3, 0.3^2) on a ~[-1, 1] range), so the calibration starts at clip(P0) per cell."""
    net = nn.MLP(data=splits.train, batch=10)
    nd = devices.network_devices("hfo2", net.layer_shapes, seed=0, ref_mean=0.3, ref_std=0.3)
    outside = (0.0 < nd.fast.lower) | (0.0 > nd.fast.upper)
    assert outside.any()  # the situation the clip exists for
    trainer = algorithms.residual_learning(nd.fast, nd.slow, 0.1, 0.05, 0.1, pulse_mode="model", c2c=nd.c2c)
    two = algorithms.TwoStage(trainer, n_zs=0)
    state = two.init(net.init_weights(gen(0), replicates=2), gen(1))
    # with no calibration pulse, P = Q = clip(0, lower, upper) cell by cell (up to the calibration's
    # round trip through w - offset: a few ulps)
    np.testing.assert_allclose(state.P, np.broadcast_to(np.clip(0.0, nd.fast.lower, nd.fast.upper), (2, net.D)),
                               rtol=0, atol=1e-15)
    np.testing.assert_array_equal(state.Q, state.P)
    state = algorithms.TwoStage(trainer, n_zs=20).init(net.init_weights(gen(0), replicates=2), gen(1))
    tol = 1e-12  # cells at a bound may sit an ulp outside after the round trip through w - offset
    assert np.all((state.P >= nd.fast.lower - tol) & (state.P <= nd.fast.upper + tol)) and state.calibration == 20
    state = two.step(state, net, gen(2))
    assert np.all(np.isfinite(state.W))
