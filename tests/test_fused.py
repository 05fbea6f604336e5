"""The compiled update model (numba, ``sptheory._fused``) gives the NumPy path's outputs bit for bit.

Each case runs twice from the same seed, once through the kernels and once with them switched off, and
compares the bytes of every output array and the generator's next draw (so a different count of numbers
consumed also shows).  ``tests/test_pulses_golden.py`` pins the values themselves.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from sptheory import _fused, algorithms, data, devices, nn, pulses
from fused_helpers import as_bytes, both_paths, gen, record_kernel, requires_kernels

numba = pytest.importorskip("numba")
pytestmark = requires_kernels


@pytest.fixture
def fused_calls(monkeypatch):
    """Counts the updates the kernels actually made (a case must not compare NumPy with NumPy)."""
    return record_kernel(monkeypatch, pulses, "_model_fused")


DEVICES = {
    "scalar": (devices.SoftBounds(a_up=1.2, a_dn=0.8, tau_max=1.0, tau_min=0.9, dw_min=0.05, offset=0.1), 0.0),
    "scalar_write_noise": (devices.with_write_noise(
        devices.SoftBounds(a_up=1.2, a_dn=0.8, tau_max=1.0, tau_min=0.9, dw_min=0.05, offset=0.1), 0.6), 0.3),
}
_ND = devices.network_devices("hfo2", ((6, 9), (4, 7)), seed=3, ref_mean=0.3, ref_std=0.3)
DEVICES["hfo2_fast"] = (_ND.fast, _ND.c2c_fast)
DEVICES["hfo2_slow"] = (_ND.slow, _ND.c2c_slow)
D = 6 * 9 + 4 * 7


@pytest.mark.parametrize("name", sorted(DEVICES))
@pytest.mark.parametrize("size", [0.01, 0.5])  # every count below one pulse / counts above one (the two s forms)
@pytest.mark.parametrize("shape", [(D,), (3, D)])
def test_apply_model_same_bits(monkeypatch, fused_calls, name, size, shape):
    dev, c2c = DEVICES[name]
    g = gen(5)
    w0 = g.uniform(-0.6, 0.6, size=shape)
    dW = size * g.standard_normal(shape)

    def run():
        rng = gen(9)
        first = pulses.apply_model(dev, w0, dW, rng, c2c=c2c)
        second = pulses.apply_model(dev, first.w, -dW, rng, c2c=c2c)  # a ReadOut input under write noise
        third = pulses.apply_model(dev, second.w, dW, rng, c2c=0.0)
        return as_bytes(first.w, first.n_pulses, second.w, second.n_pulses, third.w, third.n_pulses, rng.random(2))

    fused, plain = both_paths(monkeypatch, run)
    assert fused_calls == [True] * 3
    assert fused == plain


def test_draws_same_bits(monkeypatch):
    def run():
        rng = gen(4)
        out = []
        for m in (1, 2, 7, 2410):
            for pulses_too in (False, True):
                xi, bits = pulses._model_draws(rng, m, pulses_too)
                out += as_bytes(xi, np.zeros(0) if bits is None else bits)
        return out + as_bytes(rng.random(2))

    fused, plain = both_paths(monkeypatch, run)
    assert fused == plain


@pytest.mark.parametrize("replicates", [1, 8])
def test_training_same_bits(monkeypatch, fused_calls, replicates):
    net = nn.MLP(sizes=(64, 32, 10), activation="sigmoid", data=data.digits(0).train, batch=10)
    nd = devices.network_devices("hfo2", net.layer_shapes, seed=0, ref_mean=0.3, ref_std=0.3)
    algo = algorithms.e_rider(nd.fast, nd.slow, 0.5, 0.1, 0.1, 0.1, p=0.2, pulse_mode="model", c2c=nd.c2c)

    def run():
        rng = gen(21)
        state = algo.init(net.init_weights(rng, replicates=replicates))
        for _ in range(4):
            state = algo.step(state, net, rng)
        return as_bytes(*(v for v in state if isinstance(v, np.ndarray))) + as_bytes(rng.random(2))

    fused, plain = both_paths(monkeypatch, run)
    assert fused_calls == [True] * 8
    assert fused == plain


def test_fortran_order_falls_back(fused_calls):
    dev, c2c = DEVICES["hfo2_fast"]
    g = gen(6)
    w0, dW = np.asfortranarray(g.uniform(-0.5, 0.5, (3, D))), np.asfortranarray(0.1 * g.standard_normal((3, D)))
    pulses.apply_model(dev, w0, dW, gen(1), c2c=c2c)
    assert fused_calls == [False]


def test_environment_switch():
    code = "from sptheory import _fused; print(_fused.kernels() is None)"
    env = {**os.environ, "SPTHEORY_NO_NUMBA": "1"}
    off = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    env.pop("SPTHEORY_NO_NUMBA")
    on = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert (off.stdout.strip(), on.stdout.strip()) == ("True", "False")


@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, D)])
def test_empty_arrays(monkeypatch, shape):
    dev, c2c = DEVICES["hfo2_fast"] if shape[-1] == D else DEVICES["scalar_write_noise"]

    def run():
        rng = gen(3)
        res = pulses.apply_model(dev, np.zeros(shape), np.full(shape, 0.1), rng, c2c=c2c)
        return [res.w.shape, res.n_pulses.shape] + as_bytes(rng.random(2))

    fused, plain = both_paths(monkeypatch, run)
    assert fused == plain and fused[0] == shape
