"""Cost of the paper-scale mode (``python -m verification --scale paper --mnist DIR``): per epoch per run, and the
whole offset table.

``python -m benchmarks.paper_scale [--steps 30] [--replicates 1 8] [--out results/bench]``

Workload: the converged settings at the paper's scale (``network.paper_scale``: FCN 784-256-128-10, sigmoid,
batch 10, the paper's IO, HfO2-like fast array with reference offsets N(0.2, 0.3^2), setting A's fine slow array
and setting B's 4-state one), every algorithm of the offset table with the paper's Table 5 translated for the
FCN (``network.table5(setting, in_size=785)``), the update model.  The data path is the real one
(``data.load_mnist`` on IDX files, 10,000 training images held out for validation) but the images are random
bytes of MNIST's shape written to a temporary folder: no MNIST is on this machine, and the cost of a step does
not depend on the pixel values.  Per algorithm and replicate count ``R`` (seeds stacked in one simulation, as
the claims run them): the time of ``--steps`` training steps after one warm-up step, and of one evaluation of the
validation split (one per epoch for the learning curve).  Cost per epoch per run = (5,000 steps x step time +
evaluation) / R.  The table estimate sums, over both settings, the runs of the offset grid (9 cells x the
offset-dependent algorithms + once per offset-free algorithm) x seeds (``offsets.SEEDS``, full mode) x 40 epochs,
in core-hours.
"""

from __future__ import annotations

import argparse
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from . import _util  # noqa: E402

PAPER_IN_SIZE = 785


def write_fake_mnist(folder: Path, rng, n_train: int = 60000, n_test: int = 10000) -> None:
    """IDX files of MNIST's shape and types (random pixels and labels) under MNIST's file names."""
    from sptheory import data

    def idx(path, arr):
        arr = np.ascontiguousarray(arr, dtype=np.uint8)
        header = bytes([0, 0, 0x08, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
        Path(path).write_bytes(header + arr.tobytes())

    names = data.MNIST_FILES
    idx(folder / names["train_images"], rng.integers(0, 256, size=(n_train, 28, 28)))
    idx(folder / names["train_labels"], rng.integers(0, 10, size=n_train))
    idx(folder / names["test_images"], rng.integers(0, 256, size=(n_test, 28, 28)))
    idx(folder / names["test_labels"], rng.integers(0, 10, size=n_test))


def time_algorithm(setting, name, hp, replicates: int, steps: int) -> dict:
    from sptheory.experiments import network

    splits, net = network._problem(setting)
    seeds = list(range(replicates))
    algo, state, rng = network._run(setting, name, hp, net, seeds)
    state = algo.step(state, net, rng)  # warm-up
    t0 = time.perf_counter()
    for _ in range(steps):
        state = algo.step(state, net, rng)
    t_step = (time.perf_counter() - t0) / steps
    ev = network._eval_rng(seeds)
    t0 = time.perf_counter()
    network._accuracy(net, algo, state, *splits.val, ev)
    t_eval = time.perf_counter() - t0
    per_epoch = (net.steps_per_epoch * t_step + t_eval) / replicates
    return dict(algorithm=name, replicates=replicates, step_s=t_step, eval_s=t_eval,
                steps_per_epoch=net.steps_per_epoch, epoch_s_per_run=per_epoch, cells=net.D)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.paper_scale", description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--replicates", type=int, nargs="+", default=[1, 8])
    p.add_argument("--out", default="results/bench")
    args = p.parse_args(argv)
    from sptheory.experiments import network, offsets

    info = _util.machine_info()
    _util.print_machine(info)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        write_fake_mnist(Path(tmp), np.random.Generator(np.random.PCG64(0)))
        for setting in ("A", "B"):
            base = offsets.base_setting(setting, data=f"mnist:{tmp}")
            hps = network.table5(setting, in_size=PAPER_IN_SIZE)
            for name in offsets.TABLE_ALGORITHMS:
                for R in args.replicates:
                    r = time_algorithm(base, name, hps[name], R, args.steps)
                    r["setting"] = setting
                    rows.append(r)
                    print(f"{setting} {name:20s} R={R}: step {1e3 * r['step_s']:7.1f} ms, eval {r['eval_s']:5.2f} s, "
                          f"{r['epoch_s_per_run']:7.1f} s per epoch per run", flush=True)
    # the whole table: runs of the grid x epochs, at the cheapest measured R per algorithm
    n_cells = len(offsets.REF_MEANS) * len(offsets.REF_STDS)
    total = 0.0
    for setting in ("A", "B"):
        seeds = len(offsets.SEEDS[(setting, "full")])
        for name in offsets.TABLE_ALGORITHMS:
            best = min(r["epoch_s_per_run"] for r in rows if r["setting"] == setting and r["algorithm"] == name)
            cells = 1 if name in offsets.OFFSET_FREE else n_cells
            total += best * cells * seeds * network.CONVERGED_EPOCHS
    print(f"\nwhole table (settings A and B, {network.CONVERGED_EPOCHS} epochs, offsets.SEEDS full): "
          f"{total / 3600:.0f} core-hours")
    path = _util.write_json(args.out, "paper_scale", dict(rows=rows, table_core_hours=total / 3600, machine=info,
                                                          steps=args.steps))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
