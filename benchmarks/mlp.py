"""MLP 64-32-10 on the bundled digits, batch 10: training throughput per algorithm and update realisation.

Each algorithm trains ``nn.MLP(sizes=(64, 32, 10), activation="sigmoid", batch=10)`` on the digits
training split, through the same ``step`` it uses for the convex problems.  Analog arrays: the HfO2-like
preset of ``devices.network_devices`` (about 4 states, device-to-device and cycle-to-cycle variation, write
noise, per-cell reference offsets N(0.3, 0.3^2) on the fast array).  Update realisations: (a) the update
model (``pulse_mode="model"``) and (b) rank-1 stochastic pulse trains of length BL = 5
(``pulses.Trains(bl=5)``).  Digital SGD runs in float and has one row.

Per row: samples/s (= steps x batch x replicates / s, best of 3 timed runs of ``n_iter`` steps after one
warm-up step) for 1 replicate, for 8 replicates in one run, and for 8 separate single-replicate runs done
one after another.  Two ratios, measured side by side in this run:

* E-RIDER (update model, 1 replicate) time per step / digital SGD time per step (target <= 4);
* throughput of 8 replicates in one run / throughput of 8 separate single-replicate runs (target >= 4),
  for E-RIDER with the update model (the other rows' values are informational).

Adding an algorithm is one entry in ``ALGORITHMS``: a name and a factory ``(devices, pulse_mode) -> algo``.
Before timing, checks that one digital-SGD step equals ``W - alpha * grad`` computed by finite
differences of ``MLP.f`` on a one-example split (the gradient the timings run is right).
"""

from __future__ import annotations

import numpy as np

from sptheory import algorithms, data, devices, nn, pulses

from . import _util

REPEATS, BATCH, SIZES = 3, 10, (64, 32, 10)
REF_MEAN, REF_STD = 0.3, 0.3

#: name -> factory(network devices, pulse_mode) -> algorithm; ``None`` pulse_mode: digital (float) only.
ALGORITHMS = {
    "digital SGD": lambda nd, mode: algorithms.DigitalSGD(0.5),
    "analog SGD": lambda nd, mode: algorithms.AnalogSGD(nd.slow, 0.5, pulse_mode=mode, c2c=nd.c2c),
    "RIDER": lambda nd, mode: algorithms.rider(nd.fast, nd.slow, 0.5, 0.1, 0.1, 0.1, pulse_mode=mode, c2c=nd.c2c),
    "E-RIDER": lambda nd, mode: algorithms.e_rider(nd.fast, nd.slow, 0.5, 0.1, 0.1, 0.1, p=0.05, pulse_mode=mode,
                                                   c2c=nd.c2c),
}
DIGITAL = {"digital SGD"}
MODES = {"update model": "model", "pulse trains BL=5": pulses.Trains(bl=5)}


def _timed(algo, net, replicates, n_iter, seed):
    rng = np.random.default_rng(seed)
    state = algo.step(algo.init(net.init_weights(rng, replicates=replicates)), net, rng)  # warm-up

    def go():
        st = state
        for _ in range(n_iter):
            st = algo.step(st, net, rng)
        return st

    times, _ = _util.time_repeats(go, REPEATS)
    return _util.summarize(times)


def _separate(algo, net, n_iter, runs=8):
    """``runs`` single-replicate runs one after another (each with its own seed), best of REPEATS."""
    states = []
    for k in range(runs):
        rng = np.random.default_rng(100 + k)
        states.append((algo.step(algo.init(net.init_weights(rng, replicates=1)), net, rng), rng))

    def go():
        for st, rng in states:
            for _ in range(n_iter):
                st = algo.step(st, net, rng)

    times, _ = _util.time_repeats(go, REPEATS)
    return _util.summarize(times)


def checks() -> list[dict]:
    g = np.random.default_rng(0)
    X, y = g.standard_normal((1, 64)), np.array([3])
    net = nn.MLP(sizes=SIZES, data=(X, y), batch=1)
    W = net.init_weights(g, replicates=1)
    step = algorithms.DigitalSGD(0.5).step(algorithms.DigitalSGD(0.5).init(W), net, g).W
    eps, fd = 1e-6, np.empty(net.D)
    for j in range(net.D):
        e = np.zeros(net.D)
        e[j] = eps
        fd[j] = (net.f(W + e) - net.f(W - e))[0] / (2 * eps)
    err = float(np.abs(step - (W - 0.5 * fd)).max())
    return [{"name": "digital SGD step == W - alpha * finite-difference gradient", "passed": err < 1e-7,
             "detail": f"max |diff| = {err:.2e}"}]


def bench_mlp(quick: bool = False, memory: bool = True) -> dict:
    n_iter = 3 if quick else 200
    splits = data.digits(0)
    net = nn.MLP(sizes=SIZES, activation="sigmoid", data=splits.train, batch=BATCH)
    nd = devices.network_devices("hfo2", net.layer_shapes, seed=0, ref_mean=REF_MEAN, ref_std=REF_STD)
    rows = []
    for name, make in ALGORITHMS.items():
        for mode_name, mode in ({"float": None} if name in DIGITAL else MODES).items():
            algo = make(nd, mode)
            one = _timed(algo, net, 1, n_iter, 1)
            eight = _timed(algo, net, 8, n_iter, 2)
            sep = _separate(algo, net, n_iter)
            samples = n_iter * BATCH
            rows.append(dict(
                algorithm=name, realisation=mode_name, n_iter=n_iter,
                step_s_1=one["best_s"] / n_iter, samples_per_s_1=samples / one["best_s"],
                samples_per_s_8=8 * samples / eight["best_s"], samples_per_s_8_separate=8 * samples / sep["best_s"],
                gain_8=sep["best_s"] / eight["best_s"], times_1=one, times_8=eight, times_8_separate=sep))
    print(f"\nMLP {'-'.join(map(str, SIZES))} sigmoid on digits, batch {BATCH}; HfO2-like arrays "
          f"(ref offsets N({REF_MEAN}, {REF_STD}^2), write noise, c2c); {n_iter} steps, best of {REPEATS}")
    _util.print_table(
        ["algorithm", "update", "samples/s (1 rep)", "samples/s (8 reps, one run)", "samples/s (8 separate runs)",
         "8-rep gain"],
        [[r["algorithm"], r["realisation"], _util.fmt_rate(r["samples_per_s_1"]), _util.fmt_rate(r["samples_per_s_8"]),
          _util.fmt_rate(r["samples_per_s_8_separate"]), f"{r['gain_8']:.2f}x"] for r in rows])
    by = {(r["algorithm"], r["realisation"]): r for r in rows}
    e_model = by[("E-RIDER", "update model")]
    ratio = e_model["step_s_1"] / by[("digital SGD", "float")]["step_s_1"]
    acceptance = [
        {"what": "E-RIDER (update model) time per step / digital SGD, 1 replicate", "value": ratio,
         "threshold": 4.0, "passed": bool(ratio <= 4.0)},
        {"what": "E-RIDER (update model): 8 replicates in one run / 8 separate runs, throughput",
         "value": e_model["gain_8"], "threshold": 4.0, "passed": bool(e_model["gain_8"] >= 4.0)},
    ]
    print("ratios (side by side in this run):")
    _util.print_table(["ratio", "value", "target", "met"],
                      [[a["what"], f"{a['value']:.2f}", ("<= " if "time" in a["what"] else ">= ") + "4",
                        "yes" if a["passed"] else "NO"] for a in acceptance])
    chk = checks()
    print("correctness checks:")
    _util.print_table(["check", "detail", "result"], [[c["name"], c["detail"], "PASS" if c["passed"] else "FAIL"]
                                                      for c in chk])
    return {"benchmark": "mlp", "name": "mlp", "quick": bool(quick), "side": None, "cells": net.D,
            "repeats": REPEATS, "workload": dict(sizes=SIZES, batch=BATCH, n_iter=n_iter, ref_mean=REF_MEAN,
                                                 ref_std=REF_STD, device="hfo2", bl=5),
            "results": rows, "acceptance": acceptance, "acceptance_applies": not quick, "checks": chk,
            "memory": "not measured (a step allocates a few (replicates, D) arrays, D = %d)" % net.D}


BENCHMARKS = {"mlp": bench_mlp}
