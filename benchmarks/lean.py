"""RIDER on one cell for long horizons: microseconds per iteration of ``algorithms.lean`` (the path
``rider-counterexample`` and ``rider-rate`` run) against ``Rider.step`` driven by ``algorithms.run``,
on the one-cell setting of ``sptheory.experiments.thm37`` (tanh devices, Rademacher noise, noiseless).

What matters for a 1-cell run of 5e6 iterations is the per-iteration overhead, not throughput per
cell. Rows: the lean path with 1, 16 and 64 replicates, on its NumPy loop and on its numba block
(``engine=``; the claims run "auto", i.e. numba for RIDER); ``algorithms.run`` with 16 replicates.
Correctness check first: both paths agree to rounding after 300 iterations (the lean path takes
F == 1 where ``Rider.step`` evaluates (q_minus + q_plus)/2). No acceptance thresholds (informational).
"""

from __future__ import annotations

import numpy as np

from sptheory import algorithms, devices, objectives
from sptheory.algorithms import lean
from sptheory.experiments import thm37 as X

from . import _util

REPEATS = 3


def _setting():
    st = X.COUNTEREXAMPLE
    c = X.counterexample_constants(st, 5_000_000)
    return st, c


def _lean(st, c, K, R, seed=0, engine="numpy"):
    return lean.rider_tanh_quadratic(
        A=st.mu, W_star=st.W_star, sigma=st.sigma, noise="rademacher", a_p=st.a, s_p=st.s_p, a_w=st.a, s_w=st.s_w,
        alpha=c["alpha"], beta=c["beta"], eta=c["eta"], gamma=st.gamma, W0=st.W_star, P0=st.starts[0],
        Q0=st.starts[0], K=K, rng=seed, replicates=R, chunk=8192, engine=engine)


def _full(st, c, K, R, seed=0):
    prob = objectives.RademacherQuadratic([st.mu], [st.W_star], sigma=st.sigma)
    algo = algorithms.rider(devices.Tanh(st.a, st.s_p), devices.Tanh(st.a, st.s_w), c["alpha"], c["beta"], c["eta"],
                            st.gamma, pulse_mode="noiseless")
    s0 = algo.init([st.W_star], P0=st.starts[0], Q0=st.starts[0], replicates=R)
    return algorithms.run(algo, prob, s0, K, seed, record_every=K)


def checks() -> list[dict]:
    st, c = _setting()
    a = _lean(st, c, 300, 4, seed=7)
    final, _ = _full(st, c, 300, 4, seed=7)
    err = max(np.abs(a.P - final.P).max(), np.abs(a.W - final.W).max(), np.abs(a.Q - final.Q).max())
    b = _lean(st, c, 300, 4, seed=7, engine="numba")
    err_b = max(np.abs(a.P - b.P).max(), np.abs(a.W - b.W).max(), np.abs(a.Q - b.Q).max())
    return [{"name": "lean path == algorithms.run (300 iterations, 4 replicates)", "passed": bool(err < 1e-10),
             "detail": f"max |diff| = {err:.2e}"},
            {"name": "lean numba == lean numpy (300 iterations, 4 replicates)", "passed": bool(err_b < 1e-12),
             "detail": f"max |diff| = {err_b:.2e}"}]


def bench_lean(quick: bool = False, memory: bool = True) -> dict:
    st, c = _setting()
    K_lean, K_full = (2_000, 200) if quick else (200_000, 5_000)
    rows = []
    _lean(st, c, 10, 1, engine="numba")  # compile (or load the cached kernel) outside the timing
    numba = lambda st_, c_, K, R: _lean(st_, c_, K, R, engine="numba")  # noqa: E731
    for label, fn, K, R in (("lean numpy", _lean, K_lean, 1), ("lean numpy", _lean, K_lean, 16),
                            ("lean numpy", _lean, K_lean, 64), ("lean numba", numba, K_lean, 1),
                            ("lean numba", numba, K_lean, 16), ("lean numba", numba, K_lean, 64),
                            ("algorithms.run", _full, K_full, 16)):
        times, _ = _util.time_repeats(lambda: fn(st, c, K, R), REPEATS)
        summ = _util.summarize(times)
        rows.append(dict(path=label, replicates=R, n_iter=K, **summ, us_per_iter=1e6 * summ["best_s"] / K))
    base = rows[-1]["us_per_iter"]
    print("\nRIDER, one cell (rider-counterexample setting), noiseless, tanh devices, Rademacher noise")
    _util.print_table(["path", "replicates", "iterations", "us/iteration (best)", "speed-up vs run"],
                      [[r["path"], r["replicates"], r["n_iter"], f"{r['us_per_iter']:.2f}",
                        f"{base / r['us_per_iter']:.1f}x"] for r in rows])
    chk = checks()
    print("correctness checks:")
    _util.print_table(["check", "detail", "result"], [[c_["name"], c_["detail"], "PASS" if c_["passed"] else "FAIL"]
                                                      for c_ in chk])
    return {"benchmark": "rider_lean", "name": "rider_lean", "quick": bool(quick), "repeats": REPEATS,
            "results": rows, "acceptance": [], "acceptance_applies": False, "checks": chk,
            "memory": "not measured (blocks of 8192 iterations x replicates)"}


BENCHMARKS = {"rider_lean": bench_lean}
