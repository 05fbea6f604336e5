"""``python -m benchmarks [--only NAME ...] [--out DIR] [--quick]``: run, print tables, write JSON."""

from __future__ import annotations

import os

# One BLAS/OpenMP thread, set before NumPy loads: the ratios compare algorithms on one core, and a
# thread pool would help the matmul-heavy rows (digital SGD) more than the element-wise ones.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from . import BENCHMARKS, _util  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", nargs="+", action="extend", choices=BENCHMARKS, metavar="NAME",
                        help=f"run only these benchmarks (of: {', '.join(BENCHMARKS)})")
    parser.add_argument("--out", default="results/bench", help="directory for <name>.json (default: results/bench)")
    parser.add_argument("--quick", action="store_true", help="128x128 array instead of 512x512 (smoke test)")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the peak-memory measurements (one fresh process per row)")
    parser.add_argument("--strict", action="store_true",
                        help="exit with status 2 when an acceptance threshold fails (full run only)")
    args = parser.parse_args(argv)

    from . import lean, mlp, network, rider, zero_shift  # imports sptheory

    runners = dict(zero_shift.BENCHMARKS)
    runners.update(rider.BENCHMARKS)
    runners.update(mlp.BENCHMARKS)
    runners.update(lean.BENCHMARKS)
    runners.update(network.BENCHMARKS)
    names = args.only or list(BENCHMARKS)
    info = _util.machine_info()
    _util.print_machine(info)
    t_start = time.perf_counter()
    wrong, slow = [], []
    for name in dict.fromkeys(names):
        t0 = time.perf_counter()
        payload = runners[name](quick=args.quick, memory=not args.no_memory)
        payload["machine"] = info
        payload["wall_s"] = time.perf_counter() - t0
        path = _util.write_json(args.out, name, payload)
        print(f"wrote {path} ({payload['wall_s']:.1f} s)")
        wrong += [f"{name}: {c['name']}" for c in payload["checks"] if not c["passed"]]
        if payload["acceptance_applies"]:
            slow += [f"{name}: {a['what']}" for a in payload["acceptance"]
                     if not a["passed"] and not a.get("informational")]
    print(f"\ntotal {time.perf_counter() - t_start:.1f} s")
    if wrong:
        print("CORRECTNESS CHECKS FAILED (timings above measure a wrong answer):\n  " + "\n  ".join(wrong))
        return 1
    if slow:
        print("acceptance thresholds missed:\n  " + "\n  ".join(slow))
        return 2 if args.strict else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
