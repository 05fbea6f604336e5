"""RIDER iterations per second: D = 1000 cells x 64 replicates on a Quadratic, SoftBounds P and W arrays
(dw_min = 1e-3, per-cell SP offsets), in the three pulse modes ("exact", "model", "noiseless").

One iteration = one stochastic gradient, one analog update of P, one of W and the Q filter, for all
replicates at once (``Rider.step``).  Reports iterations/s (best and median of 3 timed runs of
``n_iter`` steps after one warm-up step) and cell-updates/s (= iterations/s x D x replicates).
Before timing, checks that the pulse-exact and noiseless steps agree with a straightforward NumPy
transcription of Algorithm 2 written here (same random stream).  No acceptance thresholds (informational).
"""

from __future__ import annotations

import numpy as np

from sptheory import algorithms, devices, objectives

from . import _util

D, REPLICATES, REPEATS = 1000, 64, 3
MODES = ("exact", "model", "noiseless")
HP = dict(alpha=0.05, beta=0.02, eta=0.01, gamma=1.0)


def setup(d: int = D, dw: float = 1e-3):
    rng = np.random.default_rng(20260310)
    prob = objectives.Quadratic(np.linspace(1.0, 4.0, d), 0.3 * rng.standard_normal(d), sigma=0.5 * np.sqrt(d))
    dev_p = devices.SoftBounds(dw_min=dw, offset=0.3 + 0.1 * rng.standard_normal(d))
    dev_w = devices.SoftBounds(dw_min=dw)
    return prob, dev_p, dev_w


def _algo(dev_p, dev_w, mode):
    return algorithms.rider(dev_p, dev_w, HP["alpha"], HP["beta"], HP["eta"], HP["gamma"], pulse_mode=mode)


def _reference(prob, dev_p, dev_w, mode, W, P, Q, rng):
    """One RIDER step (Alg. 2) in plain NumPy (affine SoftBounds pulses in closed form)."""
    a, b, e, g_ = HP["alpha"], HP["beta"], HP["eta"], HP["gamma"]

    def upd(dev, w, dW):
        if mode == "noiseless":
            F, G = dev.F(w), dev.G(w)
            return np.clip(w + dW * F - np.abs(dW) * G, dev.lower, dev.upper)
        x = np.abs(dW) / dev.dw_min
        n = np.floor(x) + (rng.random(x.shape) < x - np.floor(x))
        up = dW >= 0
        k = np.where(up, dev.dw_min * dev.a_up / dev.tau_max, dev.dw_min * dev.a_dn / dev.tau_min)
        bound = np.where(up, dev.upper, dev.lower)
        return bound + (1 - k) ** n * (w - bound)

    grad = prob.grad(W + g_ * (P - Q), rng)
    P1 = upd(dev_p, P, -a * grad)
    W1 = upd(dev_w, W, b * (P1 - Q))
    return W1, P1, (1 - e) * Q + e * P1


def checks(d: int = 50, steps: int = 5) -> list[dict]:
    prob, dev_p, dev_w = setup(d)
    out = []
    for mode in ("exact", "noiseless"):
        algo = _algo(dev_p, dev_w, mode)
        st = algo.init(np.zeros(d), replicates=8)
        W, P, Q = st.W.copy(), st.P.copy(), st.Q.copy()
        r1, r2 = np.random.default_rng(5), np.random.default_rng(5)
        for _ in range(steps):
            st = algo.step(st, prob, r1)
            W, P, Q = _reference(prob, dev_p, dev_w, mode, W, P, Q, r2)
        err = max(np.abs(st.W - W).max(), np.abs(st.P - P).max(), np.abs(st.Q - Q).max())
        out.append({"name": f"{mode}: Rider.step == NumPy transcription ({steps} steps)", "passed": bool(err < 1e-9),
                    "detail": f"max |diff| = {err:.2e}"})
    return out


def bench_rider(quick: bool = False, memory: bool = True) -> dict:
    n_iter = 3 if quick else 200
    side = 128 if quick else None  # quick: the common smoke-test array (128 x 128 cells), few iterations
    d = side * side if quick else D
    prob, dev_p, dev_w = setup(d)
    rows = []
    for mode in MODES:
        algo = _algo(dev_p, dev_w, mode)
        rng = np.random.default_rng(1)
        state = algo.step(algo.init(np.zeros(d), replicates=REPLICATES), prob, rng)  # warm-up

        def go():
            st = state
            for _ in range(n_iter):
                st = algo.step(st, prob, rng)
            return st

        times, _ = _util.time_repeats(go, REPEATS)
        summ = _util.summarize(times)
        rows.append(dict(mode=mode, cells=d, replicates=REPLICATES, n_iter=n_iter, **summ,
                         it_per_s_best=n_iter / summ["best_s"], it_per_s_median=n_iter / summ["median_s"],
                         cell_updates_per_s=n_iter * d * REPLICATES / summ["best_s"]))
    print(f"\nRIDER step, Quadratic, {d} cells x {REPLICATES} replicates, SoftBounds dw_min=1e-3, {n_iter} iterations")
    _util.print_table(["pulse mode", "it/s (best)", "it/s (median)", "cell-updates/s"],
                      [[r["mode"], _util.fmt_rate(r["it_per_s_best"]), _util.fmt_rate(r["it_per_s_median"]),
                        _util.fmt_rate(r["cell_updates_per_s"])] for r in rows])
    chk = checks()
    print("correctness checks:")
    _util.print_table(["check", "detail", "result"], [[c["name"], c["detail"], "PASS" if c["passed"] else "FAIL"]
                                                      for c in chk])
    return {"benchmark": "rider", "name": "rider", "quick": bool(quick), "side": side, "cells": d,
            "repeats": REPEATS, "workload": dict(cells=d, replicates=REPLICATES, n_iter=n_iter, **HP, dw_min=1e-3),
            "results": rows, "acceptance": [], "acceptance_applies": False, "checks": chk,
            "memory": "not measured (the step allocates a few (replicates, cells) arrays)"}


BENCHMARKS = {"rider": bench_rider}
