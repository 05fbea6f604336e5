"""Time per training step, aihwkit against sptheory: TT-v2, c-TTv2 and AGAD with the paper's IO.

``PYTHONPATH=. .venv-peer/bin/python -m benchmarks.peer_speed [--out results/bench] [--quick]``
(an interpreter with torch and aihwkit 1.1.0; ``make bench-peer-speed`` runs it in ``.venv-peer``).

Workloads, one network (1 seed) per run, one thread on both sides:

* digits MLP 64-32-10 on ``data.digits(0)``, and the paper's FCN 784-256-128-10 on random images
  (uniform [0, 1], random labels; only the time matters), sigmoid, batch 10, the bias on the array;
* the devices, IO and compound settings of ``benchmarks.peer_network`` (its :func:`rpu_config` builds the
  aihwkit side; its :func:`translate` the sptheory arguments, here with the layer sizes of each network):
  HfO2-like fast array (reference offsets mean 0.2, std 0.3), the fine SoftBounds slow array, the paper's
  IO (``nn.PAPER_IO``) forward and backward, aihwkit pulse trains ``desired_bl = 5``;
* sptheory in two update realisations, both with its compiled kernels (the default): pulse trains as
  aihwkit fires them (``pulses.Trains(bl=5)``) and the update model (``pulse_mode="model"``); the pulse
  trains once in the default random stream and once in the lean one (``stream="lean"``: cycle-to-cycle
  normals only for the pulses fired, column writes only on the written columns; same distributions,
  another stream, issue 17).

A step is one minibatch: aihwkit ``zero_grad``, forward, cross-entropy, backward, ``AnalogSGD.step``;
sptheory ``algo.step``.  The three sides run ``n`` steps each, round by round (``ROUNDS`` rounds,
interleaved), from a state after ``WARM`` steps; best time per step, median in brackets.  Not compared:
accuracy (``benchmarks.peer_network`` does that).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from . import _util, peer_network  # noqa: E402

NAME = "peer_speed"
ALGORITHMS = ("TT-v2", "c-TTv2", "AGAD")
CELL = (0.2, 0.3)  # reference mean and std of the fast array (the converged settings' nominal cell)
FCN = (784, 256, 128, 10)
WARM, ROUNDS = 5, 3


def _data(sizes):
    from sptheory import data

    if sizes == peer_network.SIZES:
        s = data.digits(0)
        return s.train
    g = np.random.default_rng(0)
    return g.uniform(0.0, 1.0, size=(2000, sizes[0])), g.integers(0, sizes[-1], size=2000)


def _sptheory_side(name, sizes, X, y, mode, stream="full"):
    from sptheory import algorithms, devices, nn

    net = nn.MLP(sizes, "sigmoid", data=(X, y), batch=peer_network.BATCH, io=nn.PAPER_IO)
    nd = devices.network_devices("hfo2", net.layer_shapes, 0, ref_mean=-CELL[0], ref_std=CELL[1], slow="fine")
    tr = peer_network.translate(dict(peer_network.AIHWKIT_SETTINGS[name]), sgd_lr=peer_network.SGD_LR,
                                batch=peer_network.BATCH, dw_fast=peer_network.DW_FAST, dw_slow=peer_network.DW_SLOW,
                                in_sizes=[n + 1 for n in sizes[:-1]], read_noise=peer_network.OUT_NOISE)
    algo = getattr(algorithms, tr["constructor"])(nd.fast, nd.slow, **tr["kwargs"], pulse_mode=mode, c2c=nd.c2c,
                                                  stream=stream)
    rng = np.random.Generator(np.random.PCG64(0))
    state = algo.init(net.init_weights(rng, replicates=1))
    box = [state]

    def run(n):
        st = box[0]
        for _ in range(n):
            st = algo.step(st, net, rng)
        box[0] = st
    return run


def _aihwkit_side(name, sizes, X, y):
    import torch
    from aihwkit.nn import AnalogLinear, AnalogSequential
    from aihwkit.optim import AnalogSGD

    torch.manual_seed(0)
    layers = []
    for k, (i, o) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(AnalogLinear(i, o, bias=True, rpu_config=peer_network.rpu_config(name, CELL, 0, k)))
        if k < len(sizes) - 2:
            layers.append(torch.nn.Sigmoid())
    model = AnalogSequential(*layers)
    opt = AnalogSGD(model.parameters(), lr=peer_network.SGD_LR)
    opt.regroup_param_groups(model)
    Xt, yt = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.long)
    g = np.random.default_rng(1)
    model.train()

    def run(n):
        idx = torch.tensor(g.integers(0, len(y), size=(n, peer_network.BATCH)))
        for k in range(n):
            b = idx[k]
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(Xt[b]), yt[b])
            loss.backward()
            opt.step()
    return run


def measure(sizes, name, n):
    X, y = _data(sizes)
    from sptheory import pulses

    sides = {"aihwkit": _aihwkit_side(name, sizes, X, y),
             "sptheory trains BL5": _sptheory_side(name, sizes, X, y, pulses.Trains(bl=5)),
             "sptheory trains BL5 lean": _sptheory_side(name, sizes, X, y, pulses.Trains(bl=5), "lean"),
             "sptheory model": _sptheory_side(name, sizes, X, y, "model")}
    for run in sides.values():
        run(WARM)
    times = {k: [] for k in sides}
    for _ in range(ROUNDS):
        for k, run in sides.items():
            t0 = time.perf_counter()
            run(n)
            times[k].append((time.perf_counter() - t0) / n)
    return {k: {"best_s": min(v), "median_s": statistics.median(v), "times_s": v} for k, v in times.items()}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.peer_speed", description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="results/bench")
    p.add_argument("--quick", action="store_true", help="few steps (smoke test)")
    args = p.parse_args(argv)
    got = _util.peer_machine(peer_network.INSTALL_HINT)
    if got is None:
        return 0
    info = got[0]
    steps = {peer_network.SIZES: 3 if args.quick else 100, FCN: 2 if args.quick else 10}
    rows = []
    for sizes, n in steps.items():
        for name in ALGORITHMS:
            r = measure(sizes, name, n)
            rows.append(dict(network="-".join(map(str, sizes)), algorithm=name, steps=n, times=r))
            a = r["aihwkit"]["best_s"]
            print(f"{rows[-1]['network']:>16} {name:7}: " + ", ".join(
                f"{k} {1e3 * v['best_s']:.2f} [{1e3 * v['median_s']:.2f}] ms" for k, v in r.items())
                + f"; aihwkit / sptheory trains {a / r['sptheory trains BL5']['best_s']:.2f}x, "
                  f"/ trains lean {a / r['sptheory trains BL5 lean']['best_s']:.2f}x, "
                  f"/ model {a / r['sptheory model']['best_s']:.2f}x", flush=True)
    print("\nper training step, 1 seed, one thread; best of "
          f"{ROUNDS} interleaved rounds [median]; ratio > 1: sptheory faster")
    sides = ("sptheory trains BL5", "sptheory trains BL5 lean", "sptheory model")
    _util.print_table(["network", "algorithm", "aihwkit ms", "sptheory trains BL5 ms", "trains BL5 lean ms",
                       "sptheory model ms", "aihwkit/trains", "aihwkit/trains lean", "aihwkit/model"],
                      [[r["network"], r["algorithm"]] + [f"{1e3 * r['times'][k]['best_s']:.2f} "
                                                         f"[{1e3 * r['times'][k]['median_s']:.2f}]"
                                                         for k in ("aihwkit",) + sides]
                       + [f"{r['times']['aihwkit']['best_s'] / r['times'][k]['best_s']:.2f}x"
                          for k in sides] for r in rows])
    path = _util.write_json(args.out, NAME, {"benchmark": NAME, "machine": info, "cell": CELL, "rounds": ROUNDS,
                                             "warm": WARM, "quick": bool(args.quick), "results": rows})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
