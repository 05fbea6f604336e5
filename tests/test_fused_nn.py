"""The compiled network path (``sptheory._fused_nn``, and the update model on stacked per-replicate
devices) gives the NumPy path's outputs bit for bit.

As in ``tests/test_fused.py``: each case runs twice from the same seed, through the kernels and with them
switched off (``_fused.kernels`` returning None, what ``SPTHEORY_NO_NUMBA=1`` does), and compares the bytes
of every output and the generator's next draw; a spy checks the kernels were taken.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest

from sptheory import _fused, _fused_nn, data, nn, pulses
from sptheory.experiments import network as netx
from fused_helpers import as_bytes, both_paths, gen, rank1_trains_case, record_kernel, requires_kernels

numba = pytest.importorskip("numba")
pytestmark = requires_kernels


@pytest.fixture
def io_calls(monkeypatch):
    """Records whether each IO product went through the kernels."""
    return record_kernel(monkeypatch, _fused_nn, "io_matvec")


IO_CASES = {
    "paper": nn.PAPER_IO,
    "no_nm": nn.IOSettings(noise_management="none"),
    "no_quant": nn.IOSettings(inp_res=0.0, out_res=0.0),
    "coarse_saturating": nn.IOSettings(inp_res=1 / 6, inp_bound=0.7, out_res=1 / 14, out_bound=0.9, out_noise=0.3),
    "noiseless": nn.IOSettings(out_noise=0.0, inp_res=1 / 126),
}


@pytest.mark.parametrize("name", sorted(IO_CASES))
@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("noisy", [False, True])
def test_io_matvec_same_bits(monkeypatch, io_calls, name, shared, bias, noisy):
    io = IO_CASES[name]
    g = gen(2)
    R, B, n, m = 3, 5, 7, 4
    x = 2.0 * g.standard_normal((B, n) if shared else (R, B, n))
    x[..., 1, :] = 0.0  # an all-zero input vector
    x[..., 2, 3] = 40.0  # one far beyond the bounds
    M = g.standard_normal((R, m, n + 1))[..., :-1]  # a strided view, as the network passes it
    b = g.standard_normal((R, m)) if bias else None

    def run():
        rng = gen(7) if noisy else None
        y = nn._io_matvec(io, x, M, rng, bias=b)
        return as_bytes(y) + (as_bytes(rng.random(2)) if noisy else [])

    fused, plain = both_paths(monkeypatch, run)
    assert io_calls == [True, False]
    assert fused == plain


def _setting_run(setting_name, algorithm, seeds, steps):
    setting = netx.CONVERGED[setting_name]
    _, net = netx._problem(setting)
    algo, state, rng = netx._run(setting, algorithm, netx.converged_hyperparameters(setting_name, algorithm), net,
                                 seeds)
    for _ in range(steps):
        state = algo.step(state, net, rng)
    return as_bytes(*(v for v in state if isinstance(v, np.ndarray))) + as_bytes(rng.random(2))


@pytest.fixture
def model_calls(monkeypatch):
    return record_kernel(monkeypatch, pulses, "_model_fused")


@pytest.mark.parametrize("algorithm", ["digital SGD", "analog SGD", "TT-v2", "c-TTv2", "AGAD", "E-RIDER (buffered)",
                                       "residual learning"])
def test_training_same_bits_stacked_paper_io(monkeypatch, io_calls, model_calls, algorithm):
    """Setting B (paper IO, write noise, per-replicate stacked devices), 3 seeds, 40 steps (past AGAD's
    warm-up on the second layer, so the slow array is written)."""
    fused, plain = both_paths(monkeypatch, lambda: _setting_run("B", algorithm, (0, 1, 2), 40))
    assert io_calls and all(io_calls[:len(io_calls) // 2]) and not any(io_calls[len(io_calls) // 2:])
    if algorithm != "digital SGD":
        assert model_calls and all(model_calls)  # (with the kernels off, apply_model does not ask for them)
    assert fused == plain


def test_training_same_bits_setting_a_one_seed(monkeypatch, io_calls):
    fused, plain = both_paths(monkeypatch, lambda: _setting_run("A", "AGAD", (4,), 30))
    assert any(io_calls)
    assert fused == plain


def test_evaluation_same_bits(monkeypatch, io_calls):
    splits = data.digits(0)
    net = nn.MLP(sizes=(64, 32, 10), data=splits.train, batch=10, io=nn.PAPER_IO)
    W = net.init_weights(gen(1), replicates=4)

    def run():
        ev = gen(3)
        return as_bytes(net.accuracy(W, *splits.val, rng=ev), net.loss(W, *splits.test, rng=ev),
                      net.accuracy(W, *splits.val), net.predict(W, splits.test[0][:17], rng=ev), ev.random(2))

    fused, plain = both_paths(monkeypatch, run)
    assert any(io_calls)
    assert fused == plain


@dataclasses.dataclass(frozen=True)
class _MoreIO(nn.IOSettings):
    """An IO setting with an option the kernels do not know (as a bound management would be)."""

    bound_management: str = "none"


def test_unknown_option_falls_back(monkeypatch, io_calls):
    """A field the kernels do not implement: at its default the kernels run, set to anything else NumPy does."""
    assert _fused_nn.supported(nn.PAPER_IO)
    assert _fused_nn.supported(_MoreIO())
    active = _MoreIO(bound_management="iterative")
    assert not _fused_nn.supported(active)
    splits = data.digits(0)
    net = nn.MLP(sizes=(64, 32, 10), data=splits.train, batch=10, io=active)
    W = net.init_weights(gen(1), replicates=2)

    def run():
        rng = gen(5)
        return as_bytes(net.grad(W, rng), rng.random(2))

    fused, plain = both_paths(monkeypatch, run)
    assert io_calls and not any(io_calls)  # the NumPy path ran both times
    assert fused == plain


def test_environment_switch():
    code = "from sptheory import _fused_nn; print(_fused_nn.kernels() is None)"
    env = dict(os.environ, SPTHEORY_NO_NUMBA="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_stacked_devices_update_model_same_bits(monkeypatch, model_calls):
    """``pulses.apply_model`` on devices of the arrays' whole shape (``devices.stack_devices``)."""
    setting = netx.CONVERGED["B"]
    _, net = netx._problem(setting)
    algo, state, _ = netx._run(setting, "analog SGD", netx.converged_hyperparameters("B", "analog SGD"), net,
                               (0, 1, 2, 3))
    dev = algo.dev
    assert dev.shape == state.W.shape
    g = gen(8)
    dW = 0.3 * g.standard_normal(state.W.shape)

    def run():
        rng = gen(9)
        first = pulses.apply_model(dev, state.W, dW, rng, c2c=0.2)
        second = pulses.apply_model(dev, first.w, -3.0 * dW, rng, c2c=0.0)
        return as_bytes(first.w, first.n_pulses, second.w, second.n_pulses, rng.random(2))

    fused, plain = both_paths(monkeypatch, run)
    assert model_calls == [True, True]
    assert fused == plain


@pytest.fixture
def trains_calls(monkeypatch):
    return record_kernel(monkeypatch, _fused_nn, "trains_rank1")


@pytest.mark.parametrize("algorithm", ["analog SGD", "TT-v2", "c-TTv2", "AGAD"])
@pytest.mark.parametrize("slow", [None, "fine"])
def test_pulse_trains_same_bits(monkeypatch, io_calls, trains_calls, algorithm, slow):
    """Rank-1 pulse trains (BL 5, update management; chopper signs for c-TTv2/AGAD) through the compiled
    sample loop: HfO2-like devices with c2c and write noise (the compiled pulse kernel), and on the fine
    slow array."""
    setting = dataclasses.replace(netx.CONVERGED["B"], slow_device=slow, pulse_mode=pulses.Trains(bl=5))
    _, net = netx._problem(setting)

    def run():
        algo, state, rng = netx._run(setting, algorithm, netx.converged_hyperparameters("B", algorithm), net, (3,))
        for _ in range(25):
            state = algo.step(state, net, rng)
        return as_bytes(*(v for v in state if isinstance(v, np.ndarray))) + as_bytes(rng.random(2))

    fused, plain = both_paths(monkeypatch, run)
    assert trains_calls and all(trains_calls[:len(trains_calls) // 2]) and not any(trains_calls[len(trains_calls) // 2:])
    assert fused == plain


@pytest.mark.parametrize("c2c", [0.0, 0.3])
@pytest.mark.parametrize("signed", [False, True])
@pytest.mark.parametrize("bl", [5, 80])
def test_apply_trains_rank1_same_bits(monkeypatch, trains_calls, c2c, signed, bl):
    """``pulses.apply_trains`` on a RankOneUpdate of 3 replicates, large requests (counts up to BL), with
    and without per-cell signs; without c2c the NumPy closed form fires the pulses of the compiled counts.
    BL 5 takes the kernel's bit-packed slots, BL 80 (> 64) its slot loop."""
    dev, dW, w0 = rank1_trains_case(signed)

    def run():
        rng = gen(12)
        first = pulses.apply_trains(dev, w0, dW, rng, bl=bl, c2c=c2c)
        second = pulses.apply_trains(dev, first.w, -dW, rng, bl=bl, c2c=c2c, update_management=False)
        return as_bytes(first.w, first.n_pulses, second.w, second.n_pulses, rng.random(2))

    fused, plain = both_paths(monkeypatch, run)
    assert trains_calls == [True, True, False, False]
    assert fused == plain
