"""Zero-shifting benchmarks on a 512x512 SoftBounds array with device variation.

``zero_shift``
    :func:`sptheory.calibration.zero_shift` on one thread, cyclic and
    stochastic, with and without ``track_g2``, side by side with a
    straightforward per-pulse NumPy loop written here (:func:`reference_zero_shift`):
    ``sptheory`` = the default (stochastic: packed random bits, pulses applied
    in groups through their composed maps); ``sptheory-pulse`` =
    ``method="pulse"``, one pulse at a time (the cyclic per-pulse figure).
    Reports cell-pulses per second (best and median of 3), the ratio
    against the reference, and peak memory measured in a fresh process.
    Then the cyclic closed form (the default for cyclic) at N = 1e3 .. 1e12
    on the 512x512 array and on 4 cells.  Checks that all give the same
    answer before reporting any speed.

``zero_shift_moments``
    :func:`sptheory.calibration.zero_shift_moments` at ``N = 8.192e6`` and on a
    16-point geometric checkpoint grid ``200 .. 8.192e6``: seconds (first
    call in this process separately, then best and median of 3, and a cold
    call in a fresh process), peak memory.  Checks the moments against
    closed forms computed here from ``q_plus``/``q_minus`` alone.
"""

from __future__ import annotations

import json
import sys

import numpy as np

from sptheory import calibration, devices

from . import _util

MODULE = "benchmarks.zero_shift"
REPEATS = 3
DEVICE_SEED = 20261128
RUN_SEED = 7
N_PULSES = {"cyclic": 512, "stochastic": 512}
IMPLS = {"cyclic": ("sptheory-pulse", "reference"), "stochastic": ("sptheory", "sptheory-pulse", "reference")}
N_CLOSED = (1_000, 10**6, 10**9, 10**12)
N_MOMENTS = 8_192_000
GRID = (200, N_MOMENTS, 16)
DEVICE = dict(dw_min=1e-3, sigma_d2d=0.3, sigma_pm=0.1, sigma_bounds=0.05, offset=0.3)

# Acceptance thresholds (issue 8: stochastic >= 5x and cyclic pulse by pulse >= 10x the aihwkit
# figures quoted there), and those quoted, NOT measured, aihwkit figures (`make bench-peer` measures).
THRESHOLDS = {("stochastic", "sptheory"): 3.75e8, ("cyclic", "sptheory-pulse"): 7.8e8}  # cell-pulses/s, at least
MOMENTS_MAX_S = 1.0  # seconds for N = 8.192e6 on 512x512, less than
AIHWKIT = {
    "value_cell_pulses_per_s": {"cyclic": 7.8e7, "stochastic": 7.5e7},
    "measured": False,
    "source": ("quoted from issue 8, NOT measured in this run: IBM aihwkit 1.1.0 (torch 2.10.0), one thread, "
               "512x512 SoftBounds with per-cell parameters, 2000 pulses; `make bench-peer` measures it"),
}
Z_MAX = 5.0  # standard errors allowed in the statistical checks


# ----- workload ----------------------------------------------------------------

def side(quick: bool) -> int:
    return 128 if quick else 512


def make_device(cells: int, seed: int = DEVICE_SEED) -> devices.SoftBounds:
    p = DEVICE
    return devices.soft_bounds_variation((cells,), np.random.default_rng(seed), p["dw_min"], sigma_d2d=p["sigma_d2d"],
                                         sigma_pm=p["sigma_pm"], sigma_bounds=p["sigma_bounds"], offset=p["offset"])


def reference_zero_shift(dev, w0, n_pulses: int, schedule: str, seed, track_g2: bool = False):
    """The straightforward per-pulse NumPy loop: q evaluated at the current weight, then clipped.

    Returns ``(W_N, (1/N) sum_{m<N} G(W_m)^2 or None)``.
    """
    rng = np.random.default_rng(seed)
    w = np.array(np.broadcast_to(w0, np.broadcast_shapes(np.shape(w0), dev.shape)), dtype=float)
    dw, lo, hi = dev.dw_min, dev.lower, dev.upper
    acc = np.zeros_like(w) if track_g2 else None
    for n in range(n_pulses):
        up = (n % 2 == 0) if schedule == "cyclic" else rng.random(w.shape) < 0.5
        if track_g2:
            acc += dev.G(w) ** 2
        w = np.where(up, w + dw * dev.q_plus(w), w - dw * dev.q_minus(w))
        w = np.clip(w, lo, hi)
    return w, (acc / n_pulses if track_g2 else None)


def run_case(kind: str, dev, w0, schedule: str, n_pulses: int, track_g2: bool, seed=RUN_SEED):
    if kind in ("sptheory", "sptheory-pulse"):
        method = "auto" if kind == "sptheory" else "pulse"
        return calibration.zero_shift(dev, w0, n_pulses, seed, schedule=schedule, track_g2=track_g2, method=method)
    if kind == "reference":
        return reference_zero_shift(dev, w0, n_pulses, schedule, seed, track_g2=track_g2)
    raise ValueError(kind)


def geometric_grid():
    lo, hi, k = GRID
    return np.unique(np.round(np.geomspace(lo, hi, k)).astype(np.int64))


# ----- memory child ------------------------------------------------------------

def _child(spec: dict) -> dict:
    def setup():
        dev = make_device(spec["cells"])
        return dev, np.zeros((1, spec["cells"]))

    if spec["kind"] == "moments":
        ckpt = spec["checkpoints"]
        run = lambda st: calibration.zero_shift_moments(st[0], st[1], ckpt, spec["schedule"])  # noqa: E731
    else:
        run = lambda st: run_case(spec["kind"], st[0], st[1], spec["schedule"], spec["n_pulses"],  # noqa: E731
                                  spec["track_g2"])
    return _util.child_measure(setup, run)


def _memory(spec: dict, enabled: bool) -> dict:
    if not enabled:
        return {"cold_s": None, "maxrss_delta_bytes": None, "maxrss_bytes": None, "peak_rss_over_start_bytes": None,
                "tracemalloc_peak_bytes": None}
    return _util.measure_in_child(MODULE, spec)


# ----- checks ------------------------------------------------------------------

def _check(name: str, passed: bool, detail: str) -> dict:
    return {"name": name, "passed": bool(passed), "detail": detail}


def _z_mean(diff) -> float:
    """Mean of per-cell differences in units of its standard error (empirical)."""
    diff = np.ravel(diff)
    se = diff.std(ddof=1) / np.sqrt(diff.size)
    return float(diff.mean() / se) if se > 0 else (0.0 if diff.mean() == 0 else float("inf"))


def pulse_checks(dev, w0, res: dict, closed: dict) -> list[dict]:
    """sptheory vs the reference loop (and the exact moments) on the benchmark's own outputs."""
    checks = []
    sp, ref = res[("sptheory-pulse", "cyclic", True)], res[("reference", "cyclic", True)]
    n = N_PULSES["cyclic"]
    err = float(np.max(np.abs(sp.w - ref[0])))
    checks.append(_check("cyclic: W_N sptheory-pulse == reference", np.allclose(sp.w, ref[0], rtol=0, atol=1e-10),
                         f"max |diff| = {err:.2e} (atol 1e-10)"))
    err = float(np.max(np.abs(sp.avg_g2[-1] - ref[1])))
    checks.append(_check("cyclic: avg G^2 sptheory-pulse == reference",
                         np.allclose(sp.avg_g2[-1], ref[1], rtol=1e-9, atol=1e-14), f"max |diff| = {err:.2e}"))
    same = np.array_equal(res[("sptheory-pulse", "cyclic", False)].w, sp.w)
    checks.append(_check("cyclic: track_g2 does not change W_N", same, "bitwise equal" if same else "differ"))
    cf = calibration.zero_shift(dev, w0, n, RUN_SEED, schedule="cyclic")
    err = float(np.max(np.abs(cf.w - sp.w)))
    rel = float(np.max(np.abs(cf.avg_g2[-1] - sp.avg_g2[-1]) / sp.avg_g2[-1]))
    checks.append(_check("cyclic: closed form == pulse by pulse (W_N, avg G^2)",
                         err < 1e-12 and rel < 1e-9, f"max |diff W| = {err:.2e} (< 1e-12), max rel diff avg G^2 = "
                                                     f"{rel:.2e} (< 1e-9)"))
    mom = calibration.zero_shift_moments(dev, w0, [n], "cyclic")
    err = float(np.max(np.abs(mom.mean[-1] - sp.w)))
    checks.append(_check("cyclic: W_N == exact E[W_N] (moments)", np.allclose(mom.mean[-1], sp.w, rtol=0, atol=1e-10),
                         f"max |diff| = {err:.2e}"))
    big = closed["w_cells"]
    mom = calibration.zero_shift_moments(dev, w0, [N_CLOSED[-1]], "cyclic")
    err = float(np.max(np.abs(mom.mean[-1] - big)))
    checks.append(_check(f"cyclic closed form N={N_CLOSED[-1]:.0e} == moment recursion", err < 1e-10,
                         f"max |diff| = {err:.2e} (< 1e-10)"))

    n = N_PULSES["stochastic"]
    mom = calibration.zero_shift_moments(dev, w0, [n], "stochastic")
    shp = res[("sptheory", "stochastic", True)].w.shape
    mean, var, g2 = (getattr(mom, f)[-1].reshape(shp) for f in ("mean", "var", "avg_g2"))
    ref = res[("reference", "stochastic", True)]
    for label, w, a in [(k, res[(k, "stochastic", True)].w, res[(k, "stochastic", True)].avg_g2[-1])
                        for k in ("sptheory", "sptheory-pulse")] + [("reference", ref[0], ref[1])]:
        z1 = _z_mean(w - mean)
        z2 = _z_mean((w - mean) ** 2 - var)
        z3 = _z_mean(a - g2)
        ok = max(abs(z1), abs(z2), abs(z3)) < Z_MAX
        checks.append(_check(f"stochastic: {label} vs exact moments", ok,
                             f"W_N mean {z1:+.2f} SE, variance {z2:+.2f} SE, avg G^2 {z3:+.2f} SE (|z| < {Z_MAX:g})"))
    for k in ("sptheory", "sptheory-pulse"):
        same = np.array_equal(res[(k, "stochastic", False)].w, res[(k, "stochastic", True)].w)
        checks.append(_check(f"stochastic: {k} track_g2 does not change W_N (same seed)", same,
                             "bitwise equal" if same else "differ"))
    return checks


def _affine_maps(dev):
    """Up/down maps ``w -> (1 - x) w + y`` per cell, from q_plus/q_minus alone (not pulse_steps)."""
    dw = dev.dw_min
    zero, one = np.zeros(dev.shape), np.ones(dev.shape)
    qp0, qp1, qm0, qm1 = dev.q_plus(zero), dev.q_plus(one), dev.q_minus(zero), dev.q_minus(one)
    return -dw * (qp1 - qp0), dw * qp0, dw * (qm1 - qm0), -dw * qm0


def moment_checks(dev, w0, single: dict, grid: dict) -> list[dict]:
    """Moments at N = 8.192e6 against closed forms, and grid vs single-N consistency."""
    checks = []
    xu, yu, xd, yd = _affine_maps(dev)
    w0 = np.broadcast_to(w0, np.broadcast_shapes(np.shape(w0), dev.shape))
    n = N_MOMENTS
    # cyclic: pairs w -> A w + B, A = (1-xd)(1-xu), B = (1-xd) yu + yd (deterministic, N even)
    a, b = (1 - xd) * (1 - xu), (1 - xd) * yu + yd
    fix = b / (1 - a)
    expect = fix + a ** (n // 2) * (w0 - fix)
    m = single["cyclic"]
    err = float(np.max(np.abs(m.mean[-1] - expect)))
    checks.append(_check("cyclic N=8.192e6: E[W_N] == closed form", err < 1e-9, f"max |diff| = {err:.2e}"))
    vmax = float(np.max(m.var[-1]))
    checks.append(_check("cyclic N=8.192e6: Var[W_N] == 0", vmax < 1e-12, f"max var = {vmax:.2e}"))
    # stochastic: mean m' = (1 - xbar) m + ybar; second moment s' = k s + c m + e
    xbar, ybar = 0.5 * (xu + xd), 0.5 * (yu + yd)
    m_fix = ybar / xbar
    expect = m_fix + (1 - xbar) ** n * (w0 - m_fix)
    k = 0.5 * ((1 - xu) ** 2 + (1 - xd) ** 2)
    c = (1 - xu) * yu + (1 - xd) * yd
    e = 0.5 * (yu ** 2 + yd ** 2)
    var_fix = (c * m_fix + e) / (1 - k) - m_fix ** 2  # stationary: the transient k^N vanishes at N = 8.192e6
    m = single["stochastic"]
    err = float(np.max(np.abs(m.mean[-1] - expect)))
    checks.append(_check("stochastic N=8.192e6: E[W_N] == closed form", err < 1e-9, f"max |diff| = {err:.2e}"))
    rel = float(np.max(np.abs(m.var[-1] - var_fix) / var_fix))
    checks.append(_check("stochastic N=8.192e6: Var[W_N] == stationary closed form", rel < 1e-6,
                         f"max rel diff = {rel:.2e}"))
    for sched in ("cyclic", "stochastic"):
        g, s = grid[sched], single[sched]
        ok = all(np.allclose(getattr(g, f)[-1], getattr(s, f)[-1], rtol=1e-10, atol=1e-15)
                 for f in ("mean", "var", "dist_sq", "avg_g2"))
        finite = all(np.all(np.isfinite(getattr(g, f))) for f in ("mean", "var", "dist_sq", "avg_g2"))
        checks.append(_check(f"{sched}: grid's last checkpoint == single N; all finite", ok and finite,
                             f"{len(g.checkpoints)} checkpoints {int(g.checkpoints[0])}..{int(g.checkpoints[-1])}"))
    return checks


def _print_checks(checks) -> None:
    print("correctness checks:")
    _util.print_table(["check", "detail", "result"],
                      [[c["name"], c["detail"], "PASS" if c["passed"] else "FAIL"] for c in checks])


# ----- benchmarks --------------------------------------------------------------

def bench_closed_form(dev, w0) -> dict:
    """Cyclic closed form at N = 1e3 .. 1e12 on the array and on 4 cells (seconds; best of REPEATS)."""
    rows, w_cells = [], None
    small = make_device(4)
    for label, d, w in (("array", dev, w0), ("4 cells", small, np.zeros(4))):
        for n in N_CLOSED:
            for track_g2 in (False, True):
                times, out = _util.time_repeats(
                    lambda: calibration.zero_shift(d, w, n, 0, schedule="cyclic", track_g2=track_g2), REPEATS)
                rows.append({"cells": int(np.size(w)), "what": label, "n_pulses": n, "track_g2": track_g2,
                             **_util.summarize(times)})
                if label == "array" and n == N_CLOSED[-1]:
                    w_cells = out.w
    return {"rows": rows, "w_cells": w_cells}


def bench_zero_shift(quick: bool = False, memory: bool = True) -> dict:
    """Zero-shifting: sptheory (default and method="pulse") vs the per-pulse NumPy loop; cyclic closed form."""
    s = side(quick)
    cells = s * s
    dev = make_device(cells)
    w0 = np.zeros((1, cells))
    print(f"\n== zero_shift: {s}x{s} = {cells} cells, SoftBounds with per-cell (device-to-device) parameters, "
          f"w0 = 0, one thread ==")
    rows, outputs = [], {}
    for schedule, n in N_PULSES.items():
        for track_g2 in (False, True):
            for kind in IMPLS[schedule]:
                times, out = _util.time_repeats(lambda: run_case(kind, dev, w0, schedule, n, track_g2), REPEATS)
                outputs[(kind, schedule, track_g2)] = out
                row = {"impl": kind, "schedule": schedule, "track_g2": track_g2, "n_pulses": n, "cells": cells,
                       **_util.summarize(times)}
                row["cell_pulses_per_s_best"] = n * cells / row["best_s"]
                row["cell_pulses_per_s_median"] = n * cells / row["median_s"]
                row.update(_memory({"kind": kind, "cells": cells, "schedule": schedule, "n_pulses": n,
                                    "track_g2": track_g2}, memory))
                rows.append(row)
    ratios = []
    for r in rows:
        if r["impl"] == "reference":
            continue
        ref = next(q for q in rows if q["impl"] == "reference" and q["schedule"] == r["schedule"]
                   and q["track_g2"] == r["track_g2"])
        ratios.append({"impl": r["impl"], "schedule": r["schedule"], "track_g2": r["track_g2"],
                       "ratio_best": r["cell_pulses_per_s_best"] / ref["cell_pulses_per_s_best"],
                       "ratio_median": r["cell_pulses_per_s_median"] / ref["cell_pulses_per_s_median"]})
    closed = bench_closed_form(dev, w0)
    checks = pulse_checks(dev, w0, outputs, closed)

    print("sptheory = calibration.zero_shift default (stochastic: packed random bits, 3 pulses per composed-map "
          "lookup);")
    print("sptheory-pulse = method='pulse' (one pulse at a time); reference = the per-pulse NumPy loop in "
          "benchmarks/zero_shift.py")
    print("(np.where on q_plus/q_minus, then clip). '+G^2' rows accumulate G(W_m)^2 each pulse (track_g2=True).")
    print(f"throughput = N x cells / wall time; best and median of {REPEATS}; memory from a fresh process per row")
    print("(tracemalloc peak: traced allocations incl. NumPy buffers; maxrss delta: getrusage high-water mark growth;")
    print(" RSS peak-start: that high-water mark minus the resident size just before the run).")
    table = []
    for r in rows:
        ratio = next((q for q in ratios if q["impl"] == r["impl"] and q["schedule"] == r["schedule"]
                      and q["track_g2"] == r["track_g2"]), None)
        table.append([r["schedule"] + (" +G^2" if r["track_g2"] else ""), r["impl"], r["n_pulses"],
                      f"{r['best_s']:.4f}", f"{r['median_s']:.4f}", _util.fmt_rate(r["cell_pulses_per_s_best"]),
                      _util.fmt_rate(r["cell_pulses_per_s_median"]), _util.fmt_bytes(r["tracemalloc_peak_bytes"]),
                      _util.fmt_bytes(r["maxrss_delta_bytes"]), _util.fmt_bytes(r["peak_rss_over_start_bytes"]),
                      f"{ratio['ratio_best']:.1f}x" if ratio else ""])
    _util.print_table(["schedule", "impl", "N", "best s", "median s", "cell-pulses/s best", "median",
                       "tracemalloc peak", "maxrss delta", "RSS peak-start", "x reference"], table)

    print("\ncyclic closed form (calibration.zero_shift default for cyclic on SoftBounds without c2c noise):")
    _util.print_table(["cells", "N", "G^2", "best s", "median s"],
                      [[r["cells"], f"{r['n_pulses']:.0e}", "yes" if r["track_g2"] else "no", f"{r['best_s']:.4f}",
                        f"{r['median_s']:.4f}"] for r in closed["rows"]])

    aih = AIHWKIT["value_cell_pulses_per_s"]
    print(f"\naihwkit 1.1.0 scale: ~{aih['cyclic']:.1e} cyclic, ~{aih['stochastic']:.1e} stochastic cell-pulses/s")
    print("  [QUOTED from issue 8, NOT measured in this run; `make bench-peer` measures it side by side]")
    acceptance = []
    for r in rows:
        thr = THRESHOLDS.get((r["schedule"], r["impl"]))
        if thr is None:
            continue
        acceptance.append({"what": f"{r['schedule']} {r['impl']} track_g2={r['track_g2']} cell-pulses/s "
                                   f"(best of {REPEATS})",
                           "value": r["cell_pulses_per_s_best"], "threshold": f">= {thr:.3g}",
                           "passed": r["cell_pulses_per_s_best"] >= thr,
                           "vs_quoted_aihwkit": r["cell_pulses_per_s_best"] / aih[r["schedule"]]})
    _print_acceptance(acceptance, quick, extra_col=("x quoted aihwkit", "vs_quoted_aihwkit"))
    _print_checks(checks)
    return {"benchmark": "zero_shift", "quick": quick, "side": s, "cells": cells, "device": DEVICE,
            "device_seed": DEVICE_SEED, "run_seed": RUN_SEED, "repeats": REPEATS, "n_pulses": N_PULSES,
            "results": rows, "ratios": ratios, "closed_form": closed["rows"], "aihwkit_reference": AIHWKIT,
            "acceptance": acceptance, "acceptance_applies": not quick, "checks": checks}


def bench_zero_shift_moments(quick: bool = False, memory: bool = True) -> dict:
    """Exact moments at N = 8.192e6 and on a 16-point geometric grid."""
    s = side(quick)
    cells = s * s
    dev = make_device(cells)
    w0 = np.zeros((1, cells))
    grid = geometric_grid()
    print(f"\n== zero_shift_moments: exact moments, {s}x{s} = {cells} cells ==")
    rows, single, gridres = [], {}, {}
    for label, ckpt in (("N=8.192e6", [N_MOMENTS]), (f"grid {len(grid)} pts 200..8.192e6", grid.tolist())):
        for schedule in ("cyclic", "stochastic"):
            call = lambda: calibration.zero_shift_moments(dev, w0, ckpt, schedule)  # noqa: E731
            first, _ = _util.time_repeats(call, 1)
            times, out = _util.time_repeats(call, REPEATS)
            (single if len(ckpt) == 1 else gridres)[schedule] = out
            row = {"what": label, "schedule": schedule, "n_max": N_MOMENTS, "n_checkpoints": len(ckpt),
                   "cells": cells, "first_call_s": first[0], **_util.summarize(times)}
            row.update(_memory({"kind": "moments", "cells": cells, "schedule": schedule, "checkpoints": ckpt}, memory))
            rows.append(row)
    checks = moment_checks(dev, w0, single, gridres)

    print(f"first call = the first in this process (page-fault warm-up); best/median of the next {REPEATS}; "
          "cold = first call in a fresh process.")
    _util.print_table(
        ["checkpoints", "schedule", "first call s", "best s", "median s", "cold s", "tracemalloc peak", "maxrss delta",
         "RSS peak-start"],
        [[r["what"], r["schedule"], f"{r['first_call_s']:.3f}", f"{r['best_s']:.3f}", f"{r['median_s']:.3f}",
          "-" if r["cold_s"] is None else f"{r['cold_s']:.3f}", _util.fmt_bytes(r["tracemalloc_peak_bytes"]),
          _util.fmt_bytes(r["maxrss_delta_bytes"]), _util.fmt_bytes(r["peak_rss_over_start_bytes"])] for r in rows])
    acceptance = []
    for r in rows:
        if r["n_checkpoints"] != 1:
            continue
        acceptance.append({"what": f"{r['schedule']} N=8.192e6 seconds (best of {REPEATS})", "value": r["best_s"],
                           "threshold": f"< {MOMENTS_MAX_S:g} s", "passed": r["best_s"] < MOMENTS_MAX_S})
        for key, name in (("first_call_s", "first call in process"), ("cold_s", "cold, fresh process")):
            if r[key] is not None:
                acceptance.append({"what": f"{r['schedule']} N=8.192e6 seconds ({name}; informational)",
                                   "value": r[key], "threshold": f"< {MOMENTS_MAX_S:g} s",
                                   "passed": r[key] < MOMENTS_MAX_S, "informational": True})
    _print_acceptance(acceptance, quick)
    _print_checks(checks)
    return {"benchmark": "zero_shift_moments", "quick": quick, "side": s, "cells": cells, "device": DEVICE,
            "device_seed": DEVICE_SEED, "repeats": REPEATS, "n_moments": N_MOMENTS, "grid": grid.tolist(),
            "results": rows, "acceptance": acceptance, "acceptance_applies": not quick, "checks": checks}


def _print_acceptance(acceptance, quick, extra_col=None) -> None:
    note = " (quick run on a smaller array: thresholds are for the full 512x512 run, shown for information)" if quick else ""
    print(f"acceptance{note}:")
    headers = ["criterion", "value", "threshold", "result"] + ([extra_col[0]] if extra_col else [])
    table = []
    for a in acceptance:
        val = f"{a['value']:.3g}"
        row = [a["what"], val, a["threshold"], "PASS" if a["passed"] else "FAIL"]
        if extra_col:
            row.append(f"{a[extra_col[1]]:.1f}x")
        table.append(row)
    _util.print_table(headers, table)


BENCHMARKS = {"zero_shift": bench_zero_shift, "zero_shift_moments": bench_zero_shift_moments}


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--memory-child":
        print(json.dumps(_child(json.loads(sys.argv[2]))))
    else:
        sys.exit("usage: python -m benchmarks  (this module's own entry point is for memory measurements)")
