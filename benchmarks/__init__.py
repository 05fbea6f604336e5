"""Benchmarks for sptheory (throughput, peak memory, ratios against reference runs).

Run with ``python -m benchmarks`` (or ``make bench``); see ``python -m
benchmarks --help``.  Each benchmark prints a table and writes
``<out>/<name>.json``.  Benchmarks measure; they are not timed tests.  Each
one also checks that the code it times gives the right answer (against a
straightforward NumPy reference), because a benchmark of a wrong answer is
worthless.

Benchmarks
----------
zero_shift          pulse-by-pulse zero-shifting (calibration.zero_shift) vs a per-pulse NumPy loop
zero_shift_moments  exact moments (calibration.zero_shift_moments) at N = 8.192e6 and on a checkpoint grid
rider               RIDER iterations/s, 1000 cells x 64 replicates, pulse modes exact/model/noiseless
rider_lean          RIDER on one cell: us/iteration of algorithms.lean vs algorithms.run (rider-counterexample setting)
mlp                 MLP 64-32-10 on digits: samples/s per algorithm, update model and pulse trains, 1 vs 8 replicates
network             network step, NumPy path vs compiled (numba): digits MLP (8 seeds, setting B, paper IO) and the
                    FCN 784-256-128-10 (1 seed), per algorithm; ratio, draw floor, peak memory
"""

from __future__ import annotations

BENCHMARKS = ("zero_shift", "zero_shift_moments", "rider", "mlp", "rider_lean", "network")

__all__ = ["BENCHMARKS"]
