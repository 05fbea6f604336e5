"""The lean random stream (``stream="lean"``, issue 17): draws only for the pulses fired and the columns
written.  Its NumPy form is the specification (checked against a hand-written reference here); the
compiled pulse-train loop must match it bit for bit; the default stream must not move (the golden tests
pin it: tests/test_pulses_golden.py, tests/test_fused_nn.py)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from sptheory import algorithms, devices, pulses
from sptheory.algorithms.tiki_taka import write_columns
from sptheory.experiments import network as netx

from fused_helpers import as_bytes, both_paths, gen, rank1_trains_case, record_kernel, requires_kernels


def _soft(shape=(), write_noise=0.0):
    g = gen(5)
    dev = devices.SoftBounds(a_up=1.0 + 0.2 * g.random(shape), a_dn=0.9 + 0.2 * g.random(shape), tau_max=1.0,
                             tau_min=0.9, dw_min=0.05, offset=0.1 * g.standard_normal(shape))
    return devices.with_write_noise(dev, write_noise) if write_noise else dev


# ----- the option -------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["sparse", "", None, 1, "Lean"])
def test_stream_validated_everywhere(bad):
    dev = _soft()
    w = np.zeros((2, 3))
    for call in (lambda: pulses.apply_exact(dev, w, w, 0, stream=bad),
                 lambda: pulses.apply_counts(dev, w, np.zeros((2, 3), dtype=int), 0, stream=bad),
                 lambda: pulses.apply_trains(dev, w, w, 0, stream=bad),
                 lambda: algorithms.tt_v2(dev, dev, 0.1, 0.1, stream=bad),
                 lambda: algorithms.agad(dev, dev, 0.1, 0.1, stream=bad),
                 lambda: algorithms.e_rider(dev, dev, 0.1, 0.1, 0.1, 0.1, p=0.05, stream=bad),
                 lambda: algorithms.AnalogSGD(dev, 0.1, stream=bad),
                 lambda: algorithms.tiki_taka(dev, dev, 0.1, 0.1, stream=bad)):
        with pytest.raises(ValueError, match=f"stream must be one of .*got {bad!r}"):
            call()


def test_stream_validated_by_the_network_entry_points():
    st = dataclasses.replace(netx.CONVERGED["B"], epochs=1)
    _, net = netx._problem(st)
    nd = netx._devices(st, net, 0)
    with pytest.raises(ValueError, match="stream must be one of .*'quick'"):
        netx.make_algorithm("TT-v2", netx.converged_hyperparameters("B", "TT-v2"), nd, stream="quick")
    with pytest.raises(ValueError, match="stream must be one of .*'quick'"):
        netx.train_curves(st, "AGAD", netx.converged_hyperparameters("B", "AGAD"), [0], stream="quick")
    algo = netx.make_algorithm("AGAD", netx.converged_hyperparameters("B", "AGAD"), nd, stream="lean")
    assert algo.stream == "lean"
    assert netx.make_algorithm("AGAD", netx.converged_hyperparameters("B", "AGAD"), nd).stream == "full"


# ----- the specification: pulse-exact firing ------------------------------------------------------------

def _reference_lean_fire(dev, w, n, up, xi, c2c, additive=False):
    """Cell after cell (C order), each cell's pulses one after another with consecutive normals of ``xi``."""
    w = np.array(w, dtype=float)
    flat, counts, ups = w.reshape(-1), n.reshape(-1), up.reshape(-1)
    dw = np.broadcast_to(dev.dw_min, w.shape).reshape(-1)
    off = np.broadcast_to(dev.offset, w.shape).reshape(-1)
    lo = np.broadcast_to(dev.lower, w.shape).reshape(-1)
    hi = np.broadcast_to(dev.upper, w.shape).reshape(-1)
    a_up = np.broadcast_to(dev.a_up, w.shape).reshape(-1)
    a_dn = np.broadcast_to(dev.a_dn, w.shape).reshape(-1)
    pos = 0
    for i in range(flat.size):
        for _ in range(counts[i]):
            x = flat[i] - off[i]
            q = a_up[i] * (1.0 - x / 1.0) if ups[i] else a_dn[i] * (1.0 + x / 0.9)
            step = dw[i] * q if ups[i] else -dw[i] * q
            if additive:
                step = step + (dw[i] * a_up[i] if ups[i] else -dw[i] * a_dn[i]) * c2c * xi[pos]
            else:
                step = step * (1.0 + c2c * xi[pos])
            flat[i] = min(max(flat[i] + step, lo[i]), hi[i])
            pos += 1
    return w, pos


@pytest.mark.parametrize("additive", [False, True])
def test_lean_fire_is_its_specification(additive):
    """``apply_counts(stream="lean")``: one normal per pulse fired, cell-major; nothing else drawn."""
    dev = _soft((4, 6))
    g = gen(7)
    w0 = g.uniform(-0.4, 0.4, (4, 6))
    n = g.integers(-4, 5, (4, 6))
    c2c = pulses.AdditiveC2C(0.3) if additive else 0.3
    res = pulses.apply_counts(dev, w0, n, gen(8), c2c=c2c, stream="lean")
    ref = gen(8)
    xi = ref.standard_normal(int(np.abs(n).sum()))
    want, used = _reference_lean_fire(dev, w0, np.abs(n), n >= 0, xi, 0.3, additive)
    assert used == np.abs(n).sum()
    np.testing.assert_allclose(res.w, want, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(res.n_pulses, np.abs(n))
    # the generator advanced by exactly those draws
    after = gen(8)
    after.standard_normal(used)
    rng = gen(8)
    pulses.apply_counts(dev, w0, n, rng, c2c=c2c, stream="lean")
    assert rng.random() == after.random()


def test_lean_equals_full_without_cycle_to_cycle_noise():
    """Without c2c noise ``_fire`` draws nothing, so both streams give the same bits (exact and trains)."""
    dev = _soft((3, 8))
    g = gen(3)
    w0 = g.uniform(-0.3, 0.3, (3, 8))
    dW = 0.2 * g.standard_normal((3, 8))
    for f in (lambda s: pulses.apply_exact(dev, w0, dW, gen(4), stream=s),
              lambda s: pulses.apply_trains(dev, w0, dW, gen(4), bl=5, stream=s)):
        assert as_bytes(*f("full")) == as_bytes(*f("lean"))


def test_lean_fire_same_distribution():
    """The same pulses on 40,000 cells in both streams: the final weights' mean and variance agree.
    Rule (fixed before running): each of the two differences within 5 standard errors (a false failure
    has probability below 1e-6 per statistic under the normal approximation)."""
    cells = 40_000
    dev = _soft()
    w0 = np.full((1, cells), 0.05)
    n = np.full((1, cells), 6)
    out = {s: pulses.apply_counts(dev, w0, n, gen(21 if s == "full" else 22), c2c=0.4, stream=s).w[0]
           for s in pulses.STREAMS}
    a, b = out["full"], out["lean"]
    se_mean = np.sqrt((a.var() + b.var()) / cells)
    assert abs(a.mean() - b.mean()) < 5 * se_mean
    # variance of the sample variance ~ (m4 - s^4) / n per stream
    se_var = np.sqrt((np.mean((a - a.mean()) ** 4) - a.var() ** 2 + np.mean((b - b.mean()) ** 4) - b.var() ** 2)
                     / cells)
    assert abs(a.var() - b.var()) < 5 * se_var
    assert a.var() > 0  # the noise is there


# ----- column writes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["model", "exact", pulses.Trains(bl=5)])
def test_lean_column_write_touches_only_the_column(mode):
    """``write_columns(stream="lean")`` on a stacked per-cell device with write noise: the written cells are
    the Analog Update of those cells on their own device (``devices.cells_of``), with the same draws; every
    other cell keeps its hidden weight and its read-out value."""
    R, D = 3, 20
    dev = devices.stack_devices([_soft((D,), write_noise=0.5)] * R)
    g = gen(9)
    hidden = g.uniform(-0.3, 0.3, (R, D))
    C = pulses.ReadOut(hidden + 0.01 * g.standard_normal((R, D)), hidden)
    cells = np.array([2, 7, 12, 17])
    values = 0.05 * g.integers(-1, 2, (R, cells.size)).astype(float)
    new, fired = write_columns(dev, C, cells, values, gen(10), mode, 0.2, stream="lean")
    other = np.setdiff1d(np.arange(D), cells)
    np.testing.assert_array_equal(new.hidden[:, other], hidden[:, other])
    np.testing.assert_array_equal(new.view(np.ndarray)[:, other], C.view(np.ndarray)[:, other])
    sub = devices.cells_of(dev, cells)
    assert sub.shape == (R, cells.size) and sub.write_noise == 0.5
    direct = algorithms.base.analog_update(sub, pulses.ReadOut(np.ascontiguousarray(C.view(np.ndarray)[:, cells]),
                                                               np.ascontiguousarray(hidden[:, cells])),
                                           values, gen(10), mode, 0.2, "lean")
    np.testing.assert_array_equal(new.hidden[:, cells], direct.w.hidden)
    np.testing.assert_array_equal(new.view(np.ndarray)[:, cells], direct.w.view(np.ndarray))
    np.testing.assert_allclose(fired, direct.n_pulses.sum(axis=-1) / D, rtol=1e-15)
    # the full stream asks the whole array: the default path, a different draw
    full, _ = write_columns(dev, C, cells, values, gen(10), mode, 0.2)
    np.testing.assert_array_equal(full.hidden[:, other], hidden[:, other])


@pytest.mark.parametrize("mode", ["model", pulses.Trains(bl=5)])
@pytest.mark.parametrize("noisy", [False, True])
def test_lean_column_write_clips_the_rest_as_the_full_stream(mode, noisy):
    """Cells outside the device's bounds (initial weights can be) are clipped by the full stream's whole-array
    request even where it asks for nothing; the lean write does the same without drawing, so the cells off
    the written columns end alike in both streams (hidden weights exactly, read-out values up to rounding)."""
    R, D = 2, 12
    dev = devices.stack_devices([_soft((D,), write_noise=0.5 if noisy else 0.0)] * R)
    g = gen(13)
    hidden = g.uniform(-2.0, 2.0, (R, D))  # many cells beyond the bounds (about -0.9 and 1)
    C = pulses.ReadOut(hidden + 0.01 * g.standard_normal((R, D)), hidden) if noisy else hidden
    cells = np.array([1, 5, 9])
    values = 0.05 * np.ones((R, cells.size))
    lean, _ = write_columns(dev, C, cells, values, gen(14), mode, 0.2, stream="lean")
    full, _ = write_columns(dev, C, cells, values, gen(14), mode, 0.2)
    other = np.setdiff1d(np.arange(D), cells)
    assert np.any(np.clip(hidden, dev.lower, dev.upper) != hidden)
    np.testing.assert_array_equal(pulses.hidden_weights(lean)[:, other], pulses.hidden_weights(full)[:, other])
    np.testing.assert_allclose(np.asarray(lean)[:, other], np.asarray(full)[:, other], rtol=0, atol=1e-15)
    assert np.all((pulses.hidden_weights(lean) >= dev.lower) & (pulses.hidden_weights(lean) <= dev.upper))
    if noisy:  # marked as clipped, so the next lean write skips the clip; it gives the same cells again
        again, _ = write_columns(dev, lean, cells, values, gen(15), mode, 0.2, stream="lean")
        np.testing.assert_array_equal(again.hidden[:, other], lean.hidden[:, other])


@pytest.mark.parametrize("mode", ["model", pulses.Trains(bl=5)])
def test_lean_column_write_redraws_the_write_noise(mode):
    """A pulsed cell of a written column draws a new read-out perturbation ``write_noise * dw_min * N(0, 1)``
    in the lean stream as in the full one (rule: the sample sd over 8 x 200 pulsed cells within 10 % of the
    level; the sd of a sample sd of n = 1600 normals is 1.8 %, so a false failure is a 5.6-sigma event)."""
    R, D, level = 8, 400, 0.5
    dev = devices.stack_devices([_soft((D,), write_noise=level)] * R)
    hidden = np.zeros((R, D))
    C = pulses.ReadOut(hidden + 1e-6, hidden)  # old perturbation 1e-6 everywhere
    cells = np.arange(0, D, 2)
    values = np.broadcast_to(dev.dw_min, (R, D))[:, cells] * 3.0  # 3 pulses: every cell pulsed
    for stream in pulses.STREAMS:
        new, _ = write_columns(dev, C, cells, values, gen(16), mode, 0.0, stream=stream)
        e = (np.asarray(new)[:, cells] - new.hidden[:, cells]) / np.broadcast_to(dev.dw_min, (R, D))[:, cells]
        assert abs(e.std() / level - 1.0) < 0.1, (stream, e.std())


def test_cells_of_devices():
    dev = _soft((3, 5))
    sub = devices.cells_of(dev, [4, 0])
    for name in ("a_up", "a_dn", "offset", "dw_min"):
        np.testing.assert_array_equal(getattr(sub, name), np.broadcast_to(getattr(dev, name), (3, 5))[:, [4, 0]])
    assert devices.cells_of(dev, np.array([4, 0])) is sub  # cached
    scalar = _soft()
    assert devices.cells_of(scalar, [1, 2]) is scalar


# ----- compiled against NumPy, bit for bit -------------------------------------------------------------

@pytest.fixture
def trains_calls(monkeypatch):
    from sptheory import _fused_nn

    return record_kernel(monkeypatch, _fused_nn, "trains_rank1")


@requires_kernels
@pytest.mark.parametrize("c2c", [0.3, pulses.AdditiveC2C(0.3)])
@pytest.mark.parametrize("signed", [False, True])
def test_apply_trains_rank1_lean_same_bits(monkeypatch, trains_calls, c2c, signed):
    dev, dW, w0 = rank1_trains_case(signed)

    def run():
        rng = gen(12)
        first = pulses.apply_trains(dev, w0, dW, rng, bl=5, c2c=c2c, stream="lean")
        second = pulses.apply_trains(dev, first.w, -dW, rng, bl=5, c2c=c2c, update_management=False, stream="lean")
        return as_bytes(first.w, first.n_pulses, second.w, second.n_pulses, rng.random(2))

    fused, plain = both_paths(monkeypatch, run)
    assert trains_calls == [True, True, False, False]
    assert fused == plain
    full = pulses.apply_trains(dev, w0, dW, gen(12), bl=5, c2c=c2c)
    assert as_bytes(full.w) != fused[:2]  # the stream did change


@requires_kernels
@pytest.mark.parametrize("algorithm,mode", [("AGAD", "trains"), ("E-RIDER (buffered)", "trains"),
                                            ("TT-v2", "trains"), ("c-TTv2", "trains"), ("TT-v2", "model"),
                                            ("E-RIDER (buffered)", "model")])
def test_training_lean_same_bits(monkeypatch, algorithm, mode):
    """Setting B (paper IO, write noise, c2c, stacked devices), 2 seeds, 30 steps of the lean stream (past
    AGAD's warm-up on the second layer, so the slow array is written): compiled and NumPy agree."""
    pulse_mode = pulses.Trains(bl=5) if mode == "trains" else "model"
    setting = dataclasses.replace(netx.CONVERGED["B"], pulse_mode=pulse_mode)
    _, net = netx._problem(setting)
    hp = netx.converged_hyperparameters("B", algorithm)

    def run():
        algo, state, rng = netx._run(setting, algorithm, hp, net, (3, 4), stream="lean")
        for _ in range(30):
            state = algo.step(state, net, rng)
        return as_bytes(*(v for v in state if isinstance(v, np.ndarray))) + as_bytes(rng.random(2))

    fused, plain = both_paths(monkeypatch, run)
    assert fused == plain


def test_write_noise_redraw_whatever_the_perturbation_order():
    """pulses._finish redraws the perturbation of pulsed cells also when it is handed a perturbation that is not
    C-ordered (a column slice or a transposed array): the same values as with its C-ordered copy."""
    dev = devices.with_write_noise(devices.SoftBounds(dw_min=0.05), 1.0)
    w = np.linspace(-0.5, 0.5, 12).reshape(3, 4)
    n = np.array([[1, 0, 2, 0], [0, 3, 0, 1], [1, 1, 0, 0]])
    pert_f = np.asfortranarray(0.01 * np.arange(12.0).reshape(3, 4))
    pert_f.flags.writeable = False
    assert not pert_f.flags.c_contiguous
    pert_c = np.ascontiguousarray(pert_f)
    pert_c.flags.writeable = False
    a = pulses._finish(dev, w.copy(), n, pert_f, np.random.default_rng(5))
    b = pulses._finish(dev, w.copy(), n, pert_c, np.random.default_rng(5))
    assert np.array_equal(np.asarray(a.w), np.asarray(b.w))
    # the pulsed cells got a new perturbation (scale 0.05), the others kept theirs (up to rounding of (e + w) - w)
    moved = ~np.isclose(np.asarray(a.w) - w, pert_c, rtol=0.0, atol=1e-12)
    assert np.array_equal(moved, n > 0)
