"""Shared helpers: machine description, timing, memory measured in a fresh process, tables."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
_ENV_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def machine_info() -> dict:
    """CPU count, Python/NumPy versions, BLAS thread pools (threadpoolctl if installed) and thread env vars."""
    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpu_count": os.cpu_count(),
        "cpu_affinity": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": _cpu_model(),
        "env": {k: os.environ[k] for k in _ENV_VARS if k in os.environ},
        "blas_threads": None,
    }
    try:  # optional, not a dependency
        from threadpoolctl import threadpool_info
    except ImportError:
        info["blas_threads"] = "threadpoolctl not installed"
    else:
        info["blas_threads"] = [
            {"api": p.get("internal_api"), "num_threads": p.get("num_threads"), "version": p.get("version")}
            for p in threadpool_info()
        ]
    return info


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def print_machine(info: dict) -> None:
    print(f"machine: {info['cpu_model'] or 'unknown CPU'}; os.cpu_count()={info['cpu_count']}, "
          f"usable={info['cpu_affinity']}; Python {info['python']}, NumPy {info['numpy']}")
    blas = info["blas_threads"]
    if isinstance(blas, list):
        blas = ", ".join(f"{p['api']} {p['version']} x{p['num_threads']}" for p in blas) or "none loaded"
    print(f"BLAS threads: {blas}")
    env = info["env"]
    print("thread env: " + (", ".join(f"{k}={v}" for k, v in env.items()) if env else "none set"))
    if "OPENBLAS_CORETYPE" in env:
        print(f"note: OPENBLAS_CORETYPE={env['OPENBLAS_CORETYPE']} is set (forces OpenBLAS's kernel choice)")


def time_repeats(fn, repeats: int):
    """Call ``fn()`` ``repeats`` times; return (list of wall seconds, last result)."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times, out


def summarize(times) -> dict:
    return {"times_s": [float(t) for t in times], "first_s": float(times[0]),
            "best_s": float(min(times)), "median_s": float(statistics.median(times))}


def measure_in_child(module: str, spec: dict, timeout: float = 300.0) -> dict:
    """Run ``python -m <module> --memory-child '<spec json>'`` in a fresh process; parse its JSON answer.

    A fresh process per case makes the ``ru_maxrss`` delta meaningful (the
    high-water mark is per process) and the first call truly cold.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    proc = subprocess.run(
        [sys.executable, "-m", module, "--memory-child", json.dumps(spec)],
        capture_output=True, text=True, cwd=str(REPO_ROOT), env=env, timeout=timeout,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"memory child for {spec} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def child_measure(setup, run) -> dict:
    """In the child: ``state = setup()``; time ``run(state)`` cold with the maxrss delta, then
    rerun under tracemalloc for the peak of traced allocations (NumPy reports its
    buffers to tracemalloc).  The tracemalloc run is not timed."""
    import gc
    import resource
    import tracemalloc

    state = setup()
    gc.collect()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    resident0 = _resident_bytes()
    t0 = time.perf_counter()
    out = run(state)
    cold = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    del out
    gc.collect()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    run(state)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    kb = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return {"cold_s": cold, "maxrss_delta_bytes": int((rss1 - rss0) * kb),
            "maxrss_bytes": int(rss1 * kb),
            # ru_maxrss is a high-water mark, so its delta is 0 while the run stays under the peak that
            # imports reached; the peak over the resident size just before the run says more.
            "peak_rss_over_start_bytes": None if resident0 is None else int(rss1 * kb - resident0),
            "tracemalloc_peak_bytes": int(peak - base)}


def _resident_bytes():
    """Current resident set size (Linux /proc), else None."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def fmt_rate(x) -> str:
    return "-" if x is None else f"{x:.3g}"


def fmt_bytes(b) -> str:
    if b is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(b) < 1024 or unit == "GiB":
            return f"{b:.0f} {unit}" if unit == "B" else f"{b:.1f} {unit}"
        b /= 1024


def print_table(headers, rows) -> None:
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for k, r in enumerate(cells):
        print("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))
        if k == 0:
            print("  ".join("-" * w for w in widths))


def write_json(out_dir, name: str, payload: dict) -> Path:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, default=_json_default) + "\n")
    return path


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def peer_machine(install_hint: str):
    """The aihwkit side-by-side preamble: ``(info, torch, aihwkit)`` with one torch thread and the machine
    printed, or ``None`` after printing ``install_hint`` when aihwkit (or torch) is not importable here."""
    from datetime import datetime, timezone

    try:
        import aihwkit
        import torch
    except ImportError:
        print(install_hint.format(exe=sys.executable))
        return None
    torch.set_num_threads(1)
    info = machine_info()
    info.update(torch=torch.__version__, aihwkit=aihwkit.__version__, torch_threads=torch.get_num_threads(),
                date=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    print_machine(info)
    print(f"torch {info['torch']} ({info['torch_threads']} thread), aihwkit {info['aihwkit']}, {info['date']}")
    return info, torch, aihwkit
