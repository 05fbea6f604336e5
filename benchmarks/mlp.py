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
  for E-RIDER with the update model (the other rows' values are informational; digital SGD's is printed
  as a reference: no algorithm doing more per-cell work than it can gain more).  Beside it, a bound on
  that gain from the random draws a step cannot avoid (``_draws``): ``t_sep / (t_draws(8) + t_SGD(8))``.

The two ratios are measured apart from the table, the two sides interleaved round by round (``ROUNDS``
rounds of ``n_iter`` steps each, best time per side; the median-based ratio is printed beside it), with
one BLAS thread (``benchmarks.__main__`` sets ``OPENBLAS_NUM_THREADS`` etc. before NumPy loads).
Hyperparameters of the baselines are the ones chosen for the idealized device in ``tests/test_nn.py``;
they only matter for timing through how many pulses fire.

Adding an algorithm is one entry in ``ALGORITHMS``: a name and a factory ``(devices, pulse_mode) -> algo``.
Before timing, checks that one digital-SGD step equals ``W - alpha * grad`` computed by finite
differences of ``MLP.f`` on a one-example split (the gradient the timings run is right).
"""

from __future__ import annotations

import numpy as np

from sptheory import algorithms, data, devices, nn, pulses

from . import _util

REPEATS, ROUNDS, BATCH, SIZES = 3, 5, 10, (64, 32, 10)
REF_MEAN, REF_STD = 0.3, 0.3

#: name -> factory(network devices, pulse_mode) -> algorithm; ``None`` pulse_mode: digital (float) only.
ALGORITHMS = {
    "digital SGD": lambda nd, mode: algorithms.DigitalSGD(0.5),
    "analog SGD": lambda nd, mode: algorithms.AnalogSGD(nd.slow, 0.5, pulse_mode=mode, c2c=nd.c2c_slow),
    "RIDER": lambda nd, mode: algorithms.rider(nd.fast, nd.slow, 0.5, 0.1, 0.1, 0.1, pulse_mode=mode, c2c=nd.c2c),
    "E-RIDER": lambda nd, mode: algorithms.e_rider(nd.fast, nd.slow, 0.5, 0.1, 0.1, 0.1, p=0.05, pulse_mode=mode,
                                                   c2c=nd.c2c),
    "TT-v1": lambda nd, mode: algorithms.tiki_taka(nd.fast, nd.slow, 0.5, 1.0, gamma=0.5, pulse_mode=mode, c2c=nd.c2c),
    "TT-v2": lambda nd, mode: algorithms.tt_v2(nd.fast, nd.slow, 0.5, 1.0, max_pulses=None, pulse_mode=mode,
                                               c2c=nd.c2c),
    "c-TTv2": lambda nd, mode: algorithms.c_ttv2(nd.fast, nd.slow, 0.5, 1.0, max_pulses=None, pulse_mode=mode,
                                                 c2c=nd.c2c),
    "AGAD": lambda nd, mode: algorithms.agad(nd.fast, nd.slow, 0.5, 1.0, max_pulses=None, pulse_mode=mode, c2c=nd.c2c),
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


def _paired(runs: dict, rounds: int) -> dict:
    """Time each zero-argument callable in ``runs`` once per round, interleaved (a, b, a, b, ...), so that
    load changes on a shared machine hit both sides of a ratio alike; best and median per name."""
    times = {k: [] for k in runs}
    for _ in range(rounds):
        for k, fn in runs.items():
            times[k].append(_util.time_repeats(fn, 1)[0][0])
    return {k: _util.summarize(v) for k, v in times.items()}


def _runner(algo, net, replicates, n_iter, seeds):
    """A callable running ``n_iter`` steps on each of the given single-seed starts (one start per seed)."""
    starts = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        starts.append((algo.step(algo.init(net.init_weights(rng, replicates=replicates)), net, rng), rng))

    def go():
        for st, rng in starts:
            for _ in range(n_iter):
                st = algo.step(st, net, rng)

    return go


def _draws(replicates: int, cells: int, n_iter: int):
    """The random draws one E-RIDER step with the update model cannot avoid, ``n_iter`` times: per analog
    array a Gaussian per cell (the discretization noise ``b``) and a uniform per cell (whether the cell
    was pulsed, for its write noise); the write noise's own Gaussians (pulsed cells only) are left out."""
    rng = np.random.default_rng(0)
    shape = (replicates, cells)

    def go():
        for _ in range(n_iter):
            for _array in range(2):
                rng.standard_normal(shape)
                rng.random(shape)

    return go


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
    # The two acceptance ratios, measured again with the two sides interleaved round by round (ROUNDS
    # rounds, best time of each side): same MLP, batch, steps and seeds; one thread (benchmarks.__main__).
    e_rider = ALGORITHMS["E-RIDER"](nd, "model")
    sgd = ALGORITHMS["digital SGD"](nd, None)
    pair = _paired({"E-RIDER": _runner(e_rider, net, 1, n_iter, [1]), "digital SGD": _runner(sgd, net, 1, n_iter, [1])},
                   ROUNDS)
    ratio = pair["E-RIDER"]["best_s"] / pair["digital SGD"]["best_s"]
    ratio_median = pair["E-RIDER"]["median_s"] / pair["digital SGD"]["median_s"]
    reps = _paired({"8 in one run": _runner(e_rider, net, 8, n_iter, [2]),
                    "8 separate": _runner(e_rider, net, 1, n_iter, range(100, 108))}, ROUNDS)
    gain = reps["8 separate"]["best_s"] / reps["8 in one run"]["best_s"]
    gain_median = reps["8 separate"]["median_s"] / reps["8 in one run"]["median_s"]
    sgd_reps = _paired({"8 in one run": _runner(sgd, net, 8, n_iter, [2]),
                        "8 separate": _runner(sgd, net, 1, n_iter, range(100, 108))}, ROUNDS)
    sgd_gain = sgd_reps["8 separate"]["best_s"] / sgd_reps["8 in one run"]["best_s"]
    # What bounds the 8-replicate gain: one 8-replicate E-RIDER step makes at least the draws of _draws and
    # at least a digital-SGD step's work (the same minibatch gradient and its dense form), so
    # gain = t_sep / t_8 <= t_sep / (t_draws(8) + t_SGD(8)), t_sep the 8 separate runs' time per step of
    # each (the "8 separate" side of the gain just measured; best times throughout).
    draws = _paired({"1": _draws(1, net.D, n_iter), "8": _draws(8, net.D, n_iter)}, ROUNDS)
    t_sep = reps["8 separate"]["best_s"] / n_iter
    t_draws8 = draws["8"]["best_s"] / n_iter
    t_sgd8 = sgd_reps["8 in one run"]["best_s"] / n_iter
    floor = dict(draws_step_s_1=draws["1"]["best_s"] / n_iter, draws_step_s_8=t_draws8, sgd_step_s_8=t_sgd8,
                 separate_step_s_8=t_sep, gain_bound=t_sep / (t_draws8 + t_sgd8), times=draws)
    acceptance = [
        {"what": "E-RIDER (update model) time per step / digital SGD, 1 replicate", "value": ratio,
         "median_ratio": ratio_median, "threshold": 4.0, "passed": bool(ratio <= 4.0), "times": pair},
        {"what": "E-RIDER (update model): 8 replicates in one run / 8 separate runs, throughput",
         "value": gain, "median_ratio": gain_median, "threshold": 4.0, "passed": bool(gain >= 4.0), "times": reps},
        {"what": "digital SGD: 8 replicates in one run / 8 separate runs, throughput (reference)",
         "value": sgd_gain, "threshold": 4.0, "passed": bool(sgd_gain >= 4.0), "informational": True,
         "times": sgd_reps},
    ]
    print(f"ratios (interleaved, best of {ROUNDS} rounds each; median-based value in brackets):")
    _util.print_table(["ratio", "value", "target", "met"],
                      [[a["what"], f"{a['value']:.2f}" + (f" [{a['median_ratio']:.2f}]" if "median_ratio" in a else ""),
                        ("<= " if "time" in a["what"] else ">= ") + "4",
                        ("yes" if a["passed"] else "NO") + (" (info)" if a.get("informational") else "")]
                       for a in acceptance])
    print(f"8-replicate gain bound: the unavoidable draws of one E-RIDER step (2 arrays x (Gaussian + uniform) per "
          f"cell) take {1e6 * floor['draws_step_s_1']:.0f} us at 1 replicate, {1e6 * t_draws8:.0f} us at 8; "
          f"digital SGD's step at 8 replicates {1e6 * t_sgd8:.0f} us; a step of the 8 separate E-RIDER runs "
          f"{1e6 * t_sep:.0f} us  =>  gain <= {1e6 * t_sep:.0f} / ({1e6 * t_draws8:.0f} + {1e6 * t_sgd8:.0f}) "
          f"= {floor['gain_bound']:.2f}")
    chk = checks()
    print("correctness checks:")
    _util.print_table(["check", "detail", "result"], [[c["name"], c["detail"], "PASS" if c["passed"] else "FAIL"]
                                                      for c in chk])
    return {"benchmark": "mlp", "name": "mlp", "quick": bool(quick), "side": None, "cells": net.D,
            "repeats": REPEATS, "workload": dict(sizes=SIZES, batch=BATCH, n_iter=n_iter, ref_mean=REF_MEAN,
                                                 ref_std=REF_STD, device="hfo2", bl=5),
            "results": rows, "acceptance": acceptance, "acceptance_applies": not quick, "checks": chk,
            "gain_bound": floor,
            "memory": "not measured (a step allocates a few (replicates, D) arrays, D = %d)" % net.D}


BENCHMARKS = {"mlp": bench_mlp}
