"""``python -m paper_figs [--out DIR] [--quick] [--only NAME ...] [--seed S] [--side N] [--workers N] [--executor KIND]``.

Regenerates the paper's figures (PNG + JSON data per figure) into DIR
(default ``results/figs``).  Exit status 0 when every figure was written,
1 when one failed (the others still run), 2 on bad usage.
"""

from __future__ import annotations

import argparse
import inspect
import os
import importlib
import sys
import time
import traceback
from pathlib import Path

from . import FIGURES


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m paper_figs", description="Regenerate the paper's figures.")
    p.add_argument("--out", default="results/figs", metavar="DIR", help="output folder (default: results/figs)")
    p.add_argument("--quick", action="store_true", help="small arrays, for a smoke run")
    p.add_argument("--only", nargs="+", metavar="NAME", help=f"only these figures ({', '.join(FIGURES)})")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="seed (default: 0)")
    p.add_argument("--side", type=int, default=None, metavar="N",
                   help="array side (N x N cells); default 512, 128 with --quick")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="processes for sweeps (default: the number of CPUs)")
    p.add_argument("--executor", default="process", metavar="KIND",
                   help="where sweeps run: process, serial, dask (local cluster of --workers processes) or dask=ADDRESS")
    p.add_argument("--list", action="store_true", help="list the figures and exit")
    return p


def main(argv: list[str] | None = None) -> int:
    import matplotlib

    matplotlib.use("Agg")  # the command line draws to files only; figure modules never pick a backend
    parser = _parser()
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")  # the command line draws to files only; figure modules never pick a backend
    if args.list:
        for name, path in FIGURES.items():
            print(f"{name:8s} {importlib.import_module(path).TITLE}")
        return 0
    names = list(FIGURES)
    if args.only:
        unknown = [n for n in args.only if n not in FIGURES]
        if unknown:
            print(f"error: unknown figure(s): {', '.join(unknown)}; known: {', '.join(FIGURES)}", file=sys.stderr)
            return 2
        names = [n for n in names if n in args.only]
    if args.side is not None and args.side < 2:
        parser.error(f"--side must be at least 2, got {args.side}")
    if args.workers < 1:
        parser.error(f"--workers must be at least 1, got {args.workers}")
    from sptheory.sweep import open_executor, parse_executor

    try:
        parse_executor(args.executor)
    except ValueError as exc:
        parser.error(str(exc))
    out = Path(args.out)
    failed = False
    with open_executor(args.executor, args.workers) as executor:
        for name in names:
            t0 = time.perf_counter()
            try:
                mod = importlib.import_module(FIGURES[name])
                kw = {"executor": executor} if "executor" in inspect.signature(mod.make).parameters else {}
                paths = mod.make(out, quick=args.quick, rng_seed=args.seed, side=args.side, **kw)
                print(f"{name}: wrote {', '.join(str(p) for p in paths.values())} ({time.perf_counter() - t0:.1f} s)",
                      file=sys.stderr)
            except Exception:
                failed = True
                print(f"{name}: FAILED\n{traceback.format_exc()}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
