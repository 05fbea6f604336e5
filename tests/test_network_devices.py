"""devices.network_devices with separate fast/slow specs, PresetSpec checks, the "fine" preset, and the
per-array cycle-to-cycle noise ``c2c = (c2c_fast, c2c_slow)`` of the two-array algorithms."""

import dataclasses
import importlib

import numpy as np
import pytest

from sptheory import algorithms, calibration, devices
from sptheory.algorithms import base
from sptheory.experiments import network

# the modules themselves (``sptheory.algorithms.rider`` etc. are shadowed by the constructors of that name)
_ALGO_MODULES = [importlib.import_module(f"sptheory.algorithms.{m}") for m in ("rider", "tiki_taka", "agad")]

SHAPES = ((32, 65), (10, 33))
D = 32 * 65 + 10 * 33


def _gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


def _same_device(a, b):
    for name in ("a_up", "a_dn", "tau_max", "tau_min", "dw_min", "offset"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.write_noise == b.write_noise


# ----- network_devices with two specs ------------------------------------------------------------

def test_slow_spec_builds_the_slow_array_and_leaves_the_fast_one_alone():
    one = devices.network_devices("hfo2", SHAPES, seed=3, ref_mean=0.3, ref_std=0.3)
    two = devices.network_devices("hfo2", SHAPES, seed=3, ref_mean=0.3, ref_std=0.3, slow="fine")
    fine, hfo2 = devices.PRESETS["fine"], devices.PRESETS["hfo2"]
    # the fast array and its offsets do not depend on the slow spec (separate streams of the seed)
    _same_device(two.fast, one.fast)
    np.testing.assert_array_equal(two.offsets, one.offsets)
    np.testing.assert_array_equal(two.fast.offset, two.offsets)
    # the slow array is the fine preset, drawn from the slow stream with a normal step spread, no offsets
    assert two.slow.shape == (D,) and np.all(two.slow.offset == 0.0)
    assert np.all(two.slow.dw_min == fine.dw_min) and two.slow.write_noise == 0.0
    slow_rng = _gen(3).spawn(3)[1]
    expected = devices.soft_bounds_variation(
        (D,), slow_rng, fine.dw_min, sigma_d2d=fine.dw_d2d, sigma_pm=fine.up_down_d2d, sigma_bounds=fine.w_max_d2d,
        sigma_bounds_min=fine.w_min_d2d, tau_max=fine.w_max, tau_min=-fine.w_min, lognormal=False)
    _same_device(two.slow, expected)
    assert two.c2c_fast == hfo2.c2c and two.c2c_slow == fine.c2c and two.c2c == (hfo2.c2c, fine.c2c)
    assert two.fast_spec is hfo2 and two.slow_spec is fine and two.spec is hfo2


def test_slow_none_is_the_single_spec_call_bit_for_bit():
    one = devices.network_devices("hfo2", SHAPES, seed=5, ref_mean=0.2, ref_std=0.1)
    for kw in (dict(slow=None), dict(slow="hfo2"), dict(slow=devices.PRESETS["hfo2"])):
        other = devices.network_devices(devices.PRESETS["hfo2"], SHAPES, 5, 0.2, 0.1, **kw)
        _same_device(other.fast, one.fast)
        _same_device(other.slow, one.slow)
        assert other.c2c == one.c2c and other.slow_spec == one.slow_spec


def test_per_array_write_noise_and_switch():
    nd = devices.network_devices("fine", SHAPES, 0, slow="hfo2")
    assert nd.fast.write_noise == 0.0 and nd.slow.write_noise == devices.PRESETS["hfo2"].write_noise
    off = devices.network_devices("fine", SHAPES, 0, write_noise=False, slow="hfo2")
    assert off.slow.write_noise == 0.0


def test_c2c_and_spec_are_read_only_and_replace_takes_the_fields():
    nd = devices.network_devices("hfo2", SHAPES, 0, slow="fine")
    quiet = nd._replace(c2c_fast=0.0, c2c_slow=0.0)
    assert quiet.c2c == (0.0, 0.0)
    with pytest.raises(AttributeError):
        nd.c2c = (0.0, 0.0)
    with pytest.raises(ValueError):
        nd._replace(c2c=0.0)  # the pair is derived; the fields are c2c_fast and c2c_slow


@pytest.mark.parametrize("arg", ["fast", "slow"])
def test_bad_specs_name_the_argument(arg):
    def call(value):
        if arg == "fast":
            return devices.network_devices(value, SHAPES, 0)
        return devices.network_devices("hfo2", SHAPES, 0, slow=value)

    with pytest.raises(ValueError, match=rf"{arg}: unknown preset 'hfo3'.*'fine'"):
        call("hfo3")
    for bad in (3, 0.5, {"dw_min": 0.1}):
        with pytest.raises(TypeError, match=rf"^{arg} must be a preset name or a PresetSpec"):
            call(bad)


@pytest.mark.parametrize("field, value", [
    ("dw_min", 0.0), ("dw_min", -0.1), ("dw_min", np.inf), ("dw_min", np.nan),
    ("w_min", 0.0), ("w_min", 0.5), ("w_min", -np.inf), ("w_max", 0.0), ("w_max", -0.5), ("w_max", np.nan),
    ("dw_d2d", -0.1), ("up_down_d2d", -0.01), ("w_max_d2d", -1.0), ("w_min_d2d", -1.0),
    ("c2c", -0.2), ("c2c", np.inf), ("write_noise", -0.5),
])
def test_preset_spec_rejects_bad_fields(field, value):
    with pytest.raises(ValueError, match=rf"PresetSpec\.{field} must"):
        dataclasses.replace(devices.PRESETS["hfo2"], **{field: value})


def test_preset_spec_rejects_bad_types():
    with pytest.raises(TypeError, match="PresetSpec.dw_min"):
        devices.PresetSpec("0.1", -1.0, 1.0)
    with pytest.raises(TypeError, match="PresetSpec.c2c"):
        devices.PresetSpec(0.1, -1.0, 1.0, c2c=True)
    with pytest.raises(TypeError, match="PresetSpec.lognormal_d2d"):
        devices.PresetSpec(0.1, -1.0, 1.0, lognormal_d2d=1)
    with pytest.raises(TypeError, match="PresetSpec.source"):
        devices.PresetSpec(0.1, -1.0, 1.0, source=None)


def test_fine_preset():
    fine = devices.PRESETS["fine"]
    assert fine.states == pytest.approx(200.0, rel=1e-12)
    assert fine.source == "fine soft bounds, aihwkit SoftBounds defaults, dw_min 0.01 (200 states)"
    assert (fine.dw_d2d, fine.up_down_d2d, fine.w_max_d2d, fine.w_min_d2d, fine.c2c, fine.write_noise) == \
        (0.3, 0.01, 0.3, 0.3, 0.3, 0.0)
    assert fine.lognormal_d2d is False
    np.testing.assert_allclose(devices.preset("fine").states, 200.0, rtol=1e-12)
    # the existing presets keep the log-normal step spread they were drawn with
    assert all(devices.PRESETS[n].lognormal_d2d for n in ("hfo2", "rram-optimized", "reramsb", "idealized"))
    # preset() with a shape draws the normal spread: the same cells as soft_bounds_variation(lognormal=False)
    dev = devices.preset("fine", (50,), _gen(1))
    ref = devices.soft_bounds_variation((50,), _gen(1), 0.01, sigma_d2d=0.3, sigma_pm=0.01, sigma_bounds=0.3,
                                        sigma_bounds_min=0.3, lognormal=False)
    _same_device(dev, ref)


# ----- per-array c2c in the algorithms ------------------------------------------------------------

class _FixedGrad:
    """A gradient that does not touch the rng (so the streams of two runs differ only by the pulses)."""

    f_star, W_star = 0.0, None

    def __init__(self, g):
        self.g = np.asarray(g, dtype=float)

    def grad(self, W, rng):
        return np.broadcast_to(self.g, np.shape(W)).copy()

    def f(self, W):
        return np.zeros(np.shape(W)[:-1])


_DEV_P = devices.SoftBounds(a_up=1.1, a_dn=0.9, tau_max=1.0, tau_min=1.0, dw_min=0.05, offset=0.1)
_DEV_W = devices.SoftBounds(a_up=0.9, a_dn=1.1, tau_max=1.0, tau_min=1.0, dw_min=0.05)
_GRAD = _FixedGrad(np.linspace(-2.0, 2.0, 6))

# every two-array method, set so that both arrays receive pulses in the first step
_MAKERS = {
    "RIDER": lambda c: algorithms.rider(_DEV_P, _DEV_W, 0.5, 0.5, 0.1, 0.1, c2c=c),
    "E-RIDER": lambda c: algorithms.e_rider(_DEV_P, _DEV_W, 0.5, 0.5, 0.1, 0.1, p=0.5, c2c=c),
    "RIDER buffered": lambda c: algorithms.rider(_DEV_P, _DEV_W, 0.5, 5.0, 0.1, 0.1, transfer="buffered",
                                                 max_pulses=None, c2c=c),
    "TT-v1": lambda c: algorithms.tiki_taka(_DEV_P, _DEV_W, 0.5, 1.0, c2c=c),
    "TT-v2": lambda c: algorithms.tt_v2(_DEV_P, _DEV_W, 0.5, 5.0, max_pulses=None, c2c=c),
    "c-TTv2": lambda c: algorithms.c_ttv2(_DEV_P, _DEV_W, 0.5, 5.0, max_pulses=None, c2c=c),
    "AGAD": lambda c: algorithms.agad(_DEV_P, _DEV_W, 0.5, 5.0, max_pulses=None, warmup=False, c2c=c),
}


def _fast_slow(state):
    return (np.asarray(state.P), np.asarray(state.W))


@pytest.mark.parametrize("name", _MAKERS)
def test_pair_with_equal_entries_is_the_number(name):
    make = _MAKERS[name]
    out = []
    for c in (0.3, (0.3, 0.3), [0.3, 0.3]):
        algo = make(c)
        state = algo.init(np.full(6, 0.05), replicates=4)
        state, _ = algorithms.run(algo, _GRAD, state, 6, _gen(7))
        out.append(_fast_slow(state))
    for other in out[1:]:
        for a, b in zip(out[0], other):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", _MAKERS)
def test_fast_and_slow_noise_act_on_their_own_array(name):
    """One step from the same state and seed: the fast update comes first in the random stream, so the
    fast array after ``c2c=(0, x)`` is that after ``c2c=0`` bit for bit, and after ``c2c=(x, 0)`` that after
    ``c2c=x``; the slow array moves differently once its pulses carry noise."""
    make = _MAKERS[name]

    def one_step(c):
        algo = make(c)
        return _fast_slow(algo.step(algo.init(np.full(6, 0.05), replicates=4), _GRAD, _gen(11)))

    quiet, slow_noisy, fast_noisy, both = one_step(0.0), one_step((0.0, 0.5)), one_step((0.5, 0.0)), one_step(0.5)
    np.testing.assert_array_equal(slow_noisy[0], quiet[0])
    np.testing.assert_array_equal(fast_noisy[0], both[0])
    assert not np.array_equal(fast_noisy[0], quiet[0])
    assert not np.array_equal(slow_noisy[1], quiet[1])  # the slow array was pulsed, with noise


@pytest.mark.parametrize("name", _MAKERS)
def test_every_pulse_carries_its_arrays_noise(name, monkeypatch):
    """Over a run, every Analog Update of the fast array is asked for ``c2c_fast`` and every one of the
    slow array for ``c2c_slow`` (recorded at the call)."""
    calls = []

    def spy(dev, w, dW, rng, mode, c2c=0.0, stream="full"):
        calls.append((dev, c2c))
        return real(dev, w, dW, rng, mode, c2c, stream)

    real = base.analog_update
    for mod in _ALGO_MODULES:
        monkeypatch.setattr(mod, "analog_update", spy)
    algo = _MAKERS[name]((0.0, 0.4))
    state = algo.init(np.full(6, 0.05), replicates=3)
    algorithms.run(algo, _GRAD, state, 8, _gen(2))
    seen = {(dev is _DEV_P, c) for dev, c in calls}
    assert seen == {(True, 0.0), (False, 0.4)}


def test_two_stage_calibrates_with_the_fast_noise(monkeypatch):
    got = []
    real = calibration.zero_shift

    def spy(*args, **kw):
        got.append(kw["c2c"])
        return real(*args, **kw)

    monkeypatch.setattr(calibration, "zero_shift", spy)
    trainer = algorithms.residual_learning(_DEV_P, _DEV_W, 0.5, 0.5, 0.1, c2c=(0.25, 0.4))
    assert (trainer.c2c_fast, trainer.c2c_slow) == (0.25, 0.4)
    algorithms.TwoStage(trainer, n_zs=10).init(np.zeros(6), _gen(0), replicates=2)
    assert got == [0.25]


@pytest.mark.parametrize("name", _MAKERS)
def test_bad_c2c(name):
    make = _MAKERS[name]
    for bad in (-0.1, np.nan, (0.1, -0.2), (np.inf, 0.0)):
        with pytest.raises(ValueError, match="c2c"):
            make(bad)
    for bad in ((0.1,), (0.1, 0.2, 0.3), np.zeros((2, 1))):
        with pytest.raises(ValueError, match="c2c must be a number or a pair"):
            make(bad)
    for bad in ("0.1", None, (0.1, "x"), True):
        with pytest.raises(TypeError, match="c2c"):
            make(bad)
    assert make(np.array([0.1, 0.2])).c2c == (0.1, 0.2)


def test_analog_sgd_takes_one_number():
    assert algorithms.AnalogSGD(_DEV_W, 0.1, c2c=0.2).c2c == 0.2
    with pytest.raises(TypeError, match="c2c must be one number"):
        algorithms.AnalogSGD(_DEV_W, 0.1, c2c=(0.1, 0.2))
    with pytest.raises(ValueError, match="c2c"):
        algorithms.AnalogSGD(_DEV_W, 0.1, c2c=-0.2)


def test_make_algorithm_passes_each_array_its_noise():
    nd = devices.network_devices("hfo2", SHAPES, 0, slow="fine")
    hfo2, fine = devices.PRESETS["hfo2"].c2c, devices.PRESETS["fine"].c2c
    assert network.make_algorithm("analog SGD", {"alpha": 0.1}, nd).c2c == fine
    for name in ("RIDER", "E-RIDER", "TT-v2", "c-TTv2", "AGAD", "E-RIDER (buffered)"):
        algo = network.make_algorithm(name, network.GRIDS[name][0], nd)
        assert (algo.c2c_fast, algo.c2c_slow) == (hfo2, fine), name
    two_stage = network.make_algorithm("two-stage", network.GRIDS["two-stage"][0], nd)
    assert (two_stage.trainer.c2c_fast, two_stage.trainer.c2c_slow) == (hfo2, fine)
