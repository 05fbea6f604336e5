"""Golden outputs of the pulse functions and of short MLP training runs.

The verification verdicts and the README's numbers come from seeded runs through these code paths, so
speed-ups must leave every float and the random stream unchanged.  The reference digests in
``tests/data/pulses_golden.json`` were recorded on the code before the throughput work (issue 7); each
case hashes the bytes of its output arrays plus the next draw of the generator (so a change in how many
numbers a function consumes also shows).  Regenerate only for an intended change of results:
``python tests/test_pulses_golden.py --write``.

The digests are of float64 bytes: they hold on one platform (NumPy's SIMD loops and the BLAS kernel can
round differently on another CPU); on a mismatch the message gives the sum of |arrays| now and then, to
judge its size.
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import sys

import numpy as np
import pytest

from sptheory import algorithms, data, devices, nn, pulses

REFERENCE = pathlib.Path(__file__).parent / "data" / "pulses_golden.json"
SIZES, BATCH, STEPS = (64, 32, 10), 10, 20


def _gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


def _arrays(*xs):
    out = []
    for x in xs:
        if isinstance(x, pulses.ReadOut):
            out += [np.asarray(x.view(np.ndarray)), np.asarray(x.hidden)]
        elif x is None:
            out.append(np.zeros(0))
        else:
            out.append(np.asarray(x))
    return out


def _digest(arrays, rng):
    h = hashlib.sha256()
    for a in arrays + [rng.random(1)]:
        a = np.ascontiguousarray(a)
        h.update(str((a.dtype.str, a.shape)).encode())
        h.update(a.tobytes())
    return h.hexdigest(), float(sum(np.abs(np.asarray(a, dtype=float)).sum() for a in arrays))


def _pulse_cases():
    """Each pulse function on a scalar SoftBounds, on per-cell network devices with write noise (plain
    and ReadOut inputs) and on the noiseless update model."""
    sb = devices.SoftBounds(a_up=1.2, a_dn=0.8, tau_max=1.0, tau_min=0.9, dw_min=0.05, offset=0.1)
    shapes = ((6, 9), (4, 7))
    nd = devices.network_devices("hfo2", shapes, seed=3, ref_mean=0.3, ref_std=0.3)
    D = sum(o * i for o, i in shapes)
    g = _gen(11)
    w0 = g.uniform(-0.6, 0.6, size=(3, D))
    dW = 0.2 * g.standard_normal((3, D))
    counts = g.integers(-4, 5, size=(3, D))
    x = [g.standard_normal((3, 5, i)) for _, i in shapes]
    d = [g.standard_normal((3, 5, o)) for o, _ in shapes]
    rank1 = pulses.RankOneUpdate(list(zip(x, d)), scale=0.3)
    cases = {}
    for name, dev, c2c in (("softbounds", sb, 0.0), ("softbounds_c2c", sb, 0.3), ("hfo2_fast", nd.fast, nd.c2c_fast),
                           ("hfo2_slow", nd.slow, nd.c2c_slow)):
        def run(fn, seed):
            rng = _gen(seed)
            first = fn(w0, rng)
            second = fn(first.w, rng)  # a ReadOut input where the device has write noise
            return _digest(_arrays(first.w, first.n_pulses, second.w, second.n_pulses), rng)

        cases[f"model/{name}"] = run(lambda w, r: pulses.apply_model(dev, w, dW, r, c2c=c2c), 1)
        cases[f"model_noiseless/{name}"] = run(lambda w, r: pulses.apply_model(dev, w, dW, r, noise=False), 2)
        cases[f"exact/{name}"] = run(lambda w, r: pulses.apply_exact(dev, w, dW, r, c2c=c2c), 3)
        cases[f"counts/{name}"] = run(lambda w, r: pulses.apply_counts(dev, w, counts, r, c2c=c2c), 4)
        cases[f"trains_dense/{name}"] = run(lambda w, r: pulses.apply_trains(dev, w, dW, r, bl=5, c2c=c2c), 5)
        if np.unique(dev.dw_min).size == 1:  # rank-1 trains need one dw_min for all cells
            cases[f"trains_rank1/{name}"] = run(lambda w, r: pulses.apply_trains(dev, w, rank1, r, bl=5, c2c=c2c), 6)
        # Fortran-ordered inputs (ufuncs keep their layout; a draw must still go to the cells in C order)
        cases[f"model/{name}_fortran"] = run(
            lambda w, r: pulses.apply_model(dev, np.asfortranarray(w), np.asfortranarray(dW), r, c2c=c2c), 8)
        rng = _gen(7)
        cases[f"variance/{name}"] = _digest([pulses.model_noise_variance(dev, w0, dW, c2c=c2c)], rng)
    return cases


def _training_cases():
    splits = data.digits(0)
    net = nn.MLP(sizes=SIZES, activation="sigmoid", data=splits.train, batch=BATCH)
    nd = devices.network_devices("hfo2", net.layer_shapes, seed=0, ref_mean=0.3, ref_std=0.3)
    factories = {
        "E-RIDER": lambda m: algorithms.e_rider(nd.fast, nd.slow, 0.5, 0.1, 0.1, 0.1, p=0.2, pulse_mode=m, c2c=nd.c2c),
        "RIDER": lambda m: algorithms.rider(nd.fast, nd.slow, 0.5, 0.1, 0.1, 0.1, pulse_mode=m, c2c=nd.c2c),
        "TT-v2": lambda m: algorithms.tt_v2(nd.fast, nd.slow, 0.5, 1.0, max_pulses=None, pulse_mode=m, c2c=nd.c2c),
        "AGAD": lambda m: algorithms.agad(nd.fast, nd.slow, 0.5, 1.0, max_pulses=None, pulse_mode=m, c2c=nd.c2c),
        "analog SGD": lambda m: algorithms.AnalogSGD(nd.slow, 0.5, pulse_mode=m, c2c=nd.c2c_slow),
    }
    cases = {}
    for name, make in factories.items():
        for mode_name, mode in (("model", "model"), ("trains5", pulses.Trains(bl=5))):
            algo = make(mode)
            rng = _gen(21)
            state = algo.init(net.init_weights(rng, replicates=2))
            for _ in range(STEPS):
                state = algo.step(state, net, rng)
            arrays = _arrays(*(v for v in state if isinstance(v, np.ndarray) or v is None))
            cases[f"train/{name}/{mode_name}"] = _digest(arrays, rng)
    # more cells than a vectorised fast path's size threshold (8 replicates of the 2410-cell MLP)
    algo = factories["E-RIDER"]("model")
    rng = _gen(22)
    state = algo.init(net.init_weights(rng, replicates=8))
    for _ in range(5):
        state = algo.step(state, net, rng)
    cases["train/E-RIDER-8rep/model"] = _digest(_arrays(*(v for v in state if isinstance(v, np.ndarray))), rng)
    for mode in ("model", "noiseless"):
        rng = _gen(23)
        res = pulses.apply_model(nd.fast, state.P, 0.3 * rng.standard_normal(state.P.shape), rng, c2c=nd.c2c_fast,
                                 noise=mode == "model")
        cases[f"{mode if mode == 'model' else 'model_noiseless'}/hfo2_8rep"] = _digest(_arrays(res.w, res.n_pulses), rng)
    return cases


def compute():
    return {**_pulse_cases(), **_training_cases()}


@pytest.fixture(scope="module")
def reference():
    return json.loads(REFERENCE.read_text())


@pytest.fixture(scope="module")
def current():
    return compute()


def test_same_cases(reference, current):
    assert sorted(current) == sorted(reference)


@pytest.mark.parametrize("kind", ["model", "model_noiseless", "exact", "counts", "trains_dense", "trains_rank1",
                                  "variance", "train"])
def test_outputs_bit_for_bit(reference, current, kind):
    names = [k for k in reference if k.split("/")[0] == kind]
    assert names
    bad = {k: (current[k][1], reference[k][1]) for k in names if current.get(k, [None])[0] != reference[k][0]}
    assert not bad, f"outputs changed (sum |arrays| now, then): {bad}"


if __name__ == "__main__" and "--write" in sys.argv:
    REFERENCE.write_text(json.dumps(compute(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {REFERENCE}")
