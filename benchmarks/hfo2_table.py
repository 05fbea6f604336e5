"""Test accuracy of every algorithm on digits with the HfO2-like device (reference offsets N(0.3, 0.3^2)).

``python -m benchmarks.hfo2_table [--seeds 0 1 2] [--epochs 5] [--only NAME ...] [--out DIR]``

For each algorithm of ``sptheory.experiments.network.ALGORITHMS``: a grid search on the VALIDATION split
(``network.GRIDS``, the same number of points for every algorithm; mean validation accuracy over the
seeds), then the chosen point's TEST accuracy per seed (mean and sample standard deviation).  For the
RIDER family it also prints ``network.signal_scales`` at the chosen point: the size of ``P - Q`` and of the
requests to the slow array against its ``dw_min``.  A measurement, not a claim: no verdict.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from sptheory.experiments import network  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hfo2_table", description=__doc__)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=None, help="training budget (default: the setting's)")
    parser.add_argument("--only", nargs="+", choices=network.ALGORITHMS, metavar="NAME")
    parser.add_argument("--out", default="results/bench")
    args = parser.parse_args(argv)
    setting = network.SETTINGS["hfo2"]
    if args.epochs is not None:
        setting = dataclasses.replace(setting, epochs=args.epochs)
    print(f"setting: {setting}")
    rows = []
    for name in args.only or network.ALGORITHMS:
        t0 = time.perf_counter()
        found = network.search(setting, name, seeds=args.seeds)
        test = network.train(setting, name, found.best, args.seeds, split="test")
        row = dict(algorithm=name, fixed=network.FIXED.get(name, {}), grid=list(found.grid),
                   val_accuracy=found.val_accuracy.tolist(), best=found.best, test_accuracy=test.tolist(),
                   mean=float(test.mean()), std=float(test.std(ddof=1)) if test.size > 1 else 0.0,
                   seconds=time.perf_counter() - t0)
        if name in ("residual learning", "two-stage", "RIDER", "E-RIDER"):
            row["signal_scales"] = network.signal_scales(setting, name, found.best, seed=args.seeds[0])
        rows.append(row)
        print(f"{name:18s} test {100 * row['mean']:5.1f} +- {100 * row['std']:4.1f} %  (per seed "
              f"{', '.join(f'{100 * a:.1f}' for a in test)})  best {found.best} (val {found.val_accuracy.max():.3f}); "
              f"grid val: {', '.join(f'{a:.3f}' for a in found.val_accuracy)}  [{row['seconds']:.0f} s]", flush=True)
        if "signal_scales" in row:
            print("    " + ", ".join(f"{k} {v:.3g}" for k, v in row["signal_scales"].items()), flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "hfo2_table.json"
    path.write_text(json.dumps(dict(setting=dataclasses.asdict(setting), seeds=args.seeds, rows=rows),
                               indent=1, default=lambda o: None if o is None else str(o)))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
