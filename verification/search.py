"""Rerun the Table-5-centred hyperparameter search of the converged network settings.

``python -m verification.search [--settings A B] [--workers N] [--executor KIND] [--out FILE]``

Runs :func:`sptheory.experiments.network.converged_search` for each setting (its nominal cell, the
validation split, seeds ``network.SEARCH_SEEDS``, 9 points per algorithm plus the edge rule), prints every
point's mean validation accuracy and the choice, and writes them as JSON.  The claims read the stored choice
(``network.CONVERGED_BEST``, read from ``sptheory/experiments/network/data/converged_best.json``), which
this command reproduces; it is not part of ``make verify``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m verification.search", description=__doc__.splitlines()[0])
    p.add_argument("--settings", nargs="+", default=["A", "B"], choices=["A", "B"])
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N")
    p.add_argument("--executor", default="process", metavar="KIND", help="process, serial, dask or dask=ADDRESS")
    p.add_argument("--out", default="results/converged_search.json", metavar="FILE")
    args = p.parse_args(argv)
    if args.workers < 1:
        p.error(f"--workers must be at least 1, got {args.workers}")
    from sptheory.experiments import network
    from sptheory.sweep import open_executor, parse_executor

    try:
        parse_executor(args.executor)
    except ValueError as exc:
        p.error(str(exc))
    out = {}
    with open_executor(args.executor, args.workers) as ex:
        for setting in args.settings:
            t0 = time.perf_counter()
            found = network.converged_search(setting, executor=ex, progress=True)
            secs = time.perf_counter() - t0
            out[setting] = {n: dict(grid=list(f.grid), val_accuracy=[round(float(v), 4) for v in f.val_accuracy],
                                    best=f.best) for n, f in found.items()}
            print(f"# setting {setting}: {secs:.0f} s", file=sys.stderr)
            for n, f in found.items():
                print(f"{setting} {n}: best {f.best} (val {max(f.val_accuracy):.3f}); "
                      + " ".join(f"{v:.3f}" for v in f.val_accuracy), file=sys.stderr)
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1))
    print(f"written {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
