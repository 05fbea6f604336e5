"""Network training step: the NumPy path against the compiled one (numba), per algorithm.

Workloads (issue 17):

* **digits** -- the MLP 64-32-10 (sigmoid, batch 10) of the converged setting B
  (``experiments.network.CONVERGED["B"]``: HfO2-like device on both arrays, per-cell reference offsets
  N(0.2, 0.3^2), write noise and cycle-to-cycle noise, the paper's IO ``nn.PAPER_IO``, update model),
  8 seeds stacked as replicates exactly as ``train_curves`` runs them, each algorithm with its stored
  setting-B hyperparameters (``converged_hyperparameters``): digital SGD, TT-v2, AGAD, E-RIDER (buffered);
* **FCN** -- the paper's 784-256-128-10 (sigmoid, batch 10) with the paper's IO, 1 seed, the same
  devices and hyperparameters; its data are random images (uniform on [0, 1], random labels, 2000
  rows: only the time matters).

Each algorithm starts from the state after ``WARM`` steps (so that transfers and pulses run as in a
training run), then the two paths run the same ``n_iter`` steps from that state round by round,
interleaved (NumPy, compiled, NumPy, ...; ``ROUNDS`` rounds), one BLAS thread (``benchmarks.__main__``);
the ratio of the best times is the speed-up (the median-based one is printed beside it).  The NumPy
path is the same process with the compiled kernels switched off (``_fused.kernels`` patched to return
None, what ``SPTHEORY_NO_NUMBA=1`` does at start-up).  Before timing, the two paths' states after the
steps are compared byte for byte (a check: the compiled path is bit for bit the NumPy one).

Peak memory: ``tracemalloc``'s peak of the allocations made during ``MEM_STEPS`` steps, per path
(NumPy registers its buffers with tracemalloc), and the process's maximum resident set size at the end.

Parts of the compiled step, timed alone in the same rounds: the gradient (``net.grad`` at the forward
weights), the update model's calls of one step replayed (``pulses.apply_model``), and the rest (the
algorithm's own array logic and Python: the step minus the two).

Bound: a step cannot be cheaper than the random numbers it draws while the random stream stays the
NumPy path's (bit-for-bit results), so the draws of one step -- the minibatch, the IO output noise of
the three products (``rng.standard_normal``), and the update model's draws of each fully updated array
(``pulses._model_draws``) -- are timed alone and printed as the floor of the compiled step.

The lean stream (issue 17; ``stream="lean"`` of the algorithms, ``network.train_curves``): the same
algorithm with ``stream="lean"``, compiled, from the same state in the same rounds; the bytes of its
compiled and NumPy paths are compared as for the default stream.  Its numbers are not the default
stream's (another stream, same distributions), so only its time and memory are compared.  Besides the
update model of setting B (where only the transfer baselines' column writes change), the same table in
the pulse-train mode (``pulses.Trains(bl=5)``, setting B's devices with c2c noise), where the default
stream draws a cycle-to-cycle normal for every cell at every pulse index.
"""

from __future__ import annotations

import contextlib
import dataclasses
import resource
import time
import tracemalloc

import numpy as np

from sptheory import _fused, devices, nn, pulses
from sptheory.experiments import network as netx

from . import _util

ALGOS = ("digital SGD", "TT-v2", "AGAD", "E-RIDER (buffered)")
SEEDS = tuple(range(8))
WARM, ROUNDS, MEM_STEPS = 30, 5, 5
FCN_SIZES = (784, 256, 128, 10)
#: The pulse-train table: the analog algorithms, pulse trains of length 5 (the paper's, aihwkit's desired_bl).
TRAINS_ALGOS = ("TT-v2", "AGAD", "E-RIDER (buffered)")
TRAINS = pulses.Trains(bl=5)


@contextlib.contextmanager
def numpy_path():
    """The NumPy reference path for the duration (the compiled kernels reported absent)."""
    saved = _fused.kernels
    _fused.kernels = lambda: None
    try:
        yield
    finally:
        _fused.kernels = saved


def _digits_case(name, pulse_mode="model"):
    setting = dataclasses.replace(netx.CONVERGED["B"], pulse_mode=pulse_mode)
    _, net = netx._problem(setting)
    algo, state, rng = netx._run(setting, name, netx.converged_hyperparameters("B", name), net, SEEDS)
    return net, algo, state, rng


def _fcn_case(name, pulse_mode="model"):
    setting = dataclasses.replace(netx.CONVERGED["B"], pulse_mode=pulse_mode)
    g = np.random.default_rng(0)
    X, y = g.uniform(0.0, 1.0, size=(2000, FCN_SIZES[0])), g.integers(0, FCN_SIZES[-1], size=2000)
    net = nn.MLP(sizes=FCN_SIZES, activation="sigmoid", data=(X, y), batch=10, io=nn.PAPER_IO)
    nd = netx._devices(setting, net, 0)
    algo = netx.make_algorithm(name, netx.converged_hyperparameters("B", name), nd, setting.pulse_mode)
    rng = np.random.Generator(np.random.PCG64(0))
    return net, algo, algo.init(net.init_weights(rng, replicates=1)), rng


def _copy_rng(rng):
    g = np.random.Generator(type(rng.bit_generator)())
    g.bit_generator.state = rng.bit_generator.state
    return g


def _steps(algo, net, state, rng, n):
    for _ in range(n):
        state = algo.step(state, net, rng)
    return state


def _state_bytes(state, rng):
    out = []
    for v in state:
        if isinstance(v, pulses.ReadOut):
            out += [v.view(np.ndarray).tobytes(), v.hidden.tobytes()]
        elif isinstance(v, np.ndarray):
            out.append(np.ascontiguousarray(v).tobytes())
    return out + [rng.random(2).tobytes()]


def _recorded_draws(algo, net, state, rng, n):
    """The update model's draw calls ``(cells, pulses_too)`` made by ``n`` steps from ``state``."""
    calls, inner = [], pulses._model_draws

    def spy(g, m, pulses_too):
        calls.append((m, pulses_too))
        return inner(g, m, pulses_too)

    pulses._model_draws = spy
    try:
        _steps(algo, net, state, rng, n)
    finally:
        pulses._model_draws = inner
    return calls


def _draws(net, algo, state, rng, n_iter):
    """The draws of ``n_iter`` steps alone (module docstring: the floor of a stream-preserving step): the
    minibatch, the IO output noise, and the update model's draw calls recorded over ``n_iter`` steps from
    ``state`` (the write noise's Gaussians of pulsed cells left out: a lower bound)."""
    R = np.shape(algo.forward_weights(state))[0]
    B, io = net.batch, net.io
    shapes = [(R, B, o) for o, _ in net.layer_shapes]
    shapes += [(R, B, i - 1) for _, i in net.layer_shapes[1:]] if io.backward else []
    model = _recorded_draws(algo, net, state, _copy_rng(rng), n_iter)
    g = np.random.default_rng(0)

    def go():
        for _ in range(n_iter):
            g.integers(0, net.n, size=(R, B))
            for s in shapes:
                g.standard_normal(s)
        for m, pulses_too in model:
            pulses._model_draws(g, m, pulses_too)
    return go, len(model) / n_iter


def _parts(algo, net, state, rng, n_iter):
    """Callables timing two parts of ``n_iter`` compiled steps alone: the gradient (``net.grad`` at the
    forward weights) and the update model's calls of one step (``pulses.apply_model``, recorded, replayed
    ``n_iter`` times); the rest of a step is the algorithm's own array logic and Python."""
    calls, inner = [], pulses.apply_model

    def spy(*args, **kw):
        calls.append((args, kw))
        return inner(*args, **kw)

    pulses.apply_model = spy
    try:
        _steps(algo, net, state, _copy_rng(rng), 1)
    finally:
        pulses.apply_model = inner
    W = algo.forward_weights(state)
    g1, g2 = _copy_rng(rng), _copy_rng(rng)

    def grad():
        for _ in range(n_iter):
            net.grad(W, g1)

    def update():
        for _ in range(n_iter):
            for args, kw in calls:
                inner(args[0], args[1], args[2], g2, *args[4:], **kw)
    return grad, update


def _same_bits(algo, net, state, rng):
    """The bytes of 3 steps from ``state`` through the kernels and through NumPy agree."""
    g = _copy_rng(rng)
    fast = _state_bytes(_steps(algo, net, state, g, 3), g)
    with numpy_path():
        g = _copy_rng(rng)
        slow = _state_bytes(_steps(algo, net, state, g, 3), g)
    return fast == slow


def _measure(make, name, n_iter, pulse_mode="model", parts=True):
    net, algo, state, rng = make(name, pulse_mode)
    state = _steps(algo, net, state, rng, WARM)
    # the lean stream: the same algorithm with stream="lean" (digital SGD draws no pulse noise: no field)
    lean = dataclasses.replace(algo, stream="lean") if hasattr(algo, "stream") else algo
    # check: both paths give the same bytes, in each stream
    same, same_lean = _same_bits(algo, net, state, rng), _same_bits(lean, net, state, rng)

    def run_fast():
        _steps(algo, net, state, _copy_rng(rng), n_iter)

    def run_lean():
        _steps(lean, net, state, _copy_rng(rng), n_iter)

    def run_numpy():
        with numpy_path():
            _steps(algo, net, state, _copy_rng(rng), n_iter)

    run_fast()  # compiled kernels loaded
    run_lean()
    times = {"numpy": [], "compiled": [], "lean": [], "draws": [], "grad": [], "update": []}
    fns = [("numpy", run_numpy), ("compiled", run_fast), ("lean", run_lean)]
    if parts:
        draws, model_calls = _draws(net, algo, state, rng, n_iter)
        grad, update = _parts(algo, net, state, rng, n_iter)
        fns += [("draws", draws), ("grad", grad), ("update", update)]
    else:
        model_calls = float("nan")
        for key in ("draws", "grad", "update"):
            times[key] = [float("nan")]
    for _ in range(ROUNDS):
        for key, fn in fns:
            t0 = time.perf_counter()
            fn()
            times[key].append(time.perf_counter() - t0)
    mem = {}
    for key, ctx, a in (("numpy", numpy_path, algo), ("compiled", contextlib.nullcontext, algo),
                        ("lean", contextlib.nullcontext, lean)):
        with ctx():
            g = _copy_rng(rng)
            tracemalloc.start()
            _steps(a, net, state, g, MEM_STEPS)
            mem[key] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    summ = {k: _util.summarize(v) for k, v in times.items()}
    return dict(algorithm=name, cells=net.D, replicates=int(np.shape(algo.forward_weights(state))[0]), n_iter=n_iter,
                pulse_mode=repr(pulse_mode), same_bits=bool(same), same_bits_lean=bool(same_lean),
                lean_step_s=summ["lean"]["best_s"] / n_iter,
                speedup_lean=summ["numpy"]["best_s"] / summ["lean"]["best_s"],
                speedup_lean_median=summ["numpy"]["median_s"] / summ["lean"]["median_s"],
                lean_vs_compiled=summ["compiled"]["best_s"] / summ["lean"]["best_s"],
                lean_vs_compiled_median=summ["compiled"]["median_s"] / summ["lean"]["median_s"],
                peak_lean_bytes=mem["lean"],
                numpy_step_s=summ["numpy"]["best_s"] / n_iter, compiled_step_s=summ["compiled"]["best_s"] / n_iter,
                draws_step_s=summ["draws"]["best_s"] / n_iter, model_draw_calls_per_step=model_calls,
                grad_step_s=summ["grad"]["best_s"] / n_iter, update_step_s=summ["update"]["best_s"] / n_iter,
                speedup=summ["numpy"]["best_s"] / summ["compiled"]["best_s"],
                speedup_median=summ["numpy"]["median_s"] / summ["compiled"]["median_s"],
                peak_numpy_bytes=mem["numpy"], peak_compiled_bytes=mem["compiled"], times=summ)


def bench_network(quick: bool = False, memory: bool = True) -> dict:
    n_digits, n_fcn = (5, 2) if quick else (200, 20)
    n_digits_trains, n_fcn_trains = (3, 1) if quick else (100, 10)
    if _fused.kernels() is None:
        print("\nnetwork: the compiled kernels are off (numba missing or SPTHEORY_NO_NUMBA=1); nothing to compare")
        return {"benchmark": "network", "name": "network", "quick": bool(quick), "side": None, "results": [],
                "acceptance": [], "acceptance_applies": False,
                "checks": [{"name": "compiled kernels off: no comparison made", "passed": True,
                            "detail": "numba missing or SPTHEORY_NO_NUMBA=1"}]}
    rows_d = [_measure(_digits_case, a, n_digits) for a in ALGOS]
    rows_f = [_measure(_fcn_case, a, n_fcn) for a in ALGOS]
    rows_dt = [_measure(_digits_case, a, n_digits_trains, TRAINS, parts=False) for a in TRAINS_ALGOS]
    rows_ft = [_measure(_fcn_case, a, n_fcn_trains, TRAINS, parts=False) for a in TRAINS_ALGOS]
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    header = ["algorithm", "NumPy ms/step", "compiled ms/step", "speed-up [median]", "draws floor ms/step (model calls)",
              "compiled: grad / update model / rest ms", "peak MB NumPy / compiled", "same bits"]

    def table(rows):
        _util.print_table(header, [[r["algorithm"], f"{1e3 * r['numpy_step_s']:.3f}", f"{1e3 * r['compiled_step_s']:.3f}",
                                    f"{r['speedup']:.1f}x [{r['speedup_median']:.1f}x]",
                                    f"{1e3 * r['draws_step_s']:.3f} ({r['model_draw_calls_per_step']:.2f})",
                                    f"{1e3 * r['grad_step_s']:.3f} / {1e3 * r['update_step_s']:.3f} / "
                                    f"{1e3 * (r['compiled_step_s'] - r['grad_step_s'] - r['update_step_s']):.3f}",
                                    f"{r['peak_numpy_bytes'] / 1e6:.2f} / {r['peak_compiled_bytes'] / 1e6:.2f}",
                                    "yes" if r["same_bits"] else "NO"] for r in rows])

    print(f"\nnetwork step, digits MLP 64-32-10, batch 10, setting B, paper IO, {len(SEEDS)} stacked seeds; "
          f"{n_digits} steps x {ROUNDS} interleaved rounds, best")
    table(rows_d)
    print(f"network step, FCN {'-'.join(map(str, FCN_SIZES))}, batch 10, setting B devices, paper IO, 1 seed; "
          f"{n_fcn} steps x {ROUNDS} rounds, best")
    table(rows_f)
    sgd = next(r for r in rows_f if r["algorithm"] == "digital SGD")
    print("FCN analog step / digital SGD step (compiled): " + ", ".join(
        f"{r['algorithm']} {r['compiled_step_s'] / sgd['compiled_step_s']:.2f}" for r in rows_f if r is not sgd))
    header_lean = ["algorithm", "NumPy ms/step", "compiled ms/step", "compiled lean ms/step",
                   "NumPy / lean [median]", "compiled / lean [median]", "peak MB NumPy / compiled / lean",
                   "same bits (full, lean)"]

    def table_lean(rows):
        _util.print_table(header_lean, [
            [r["algorithm"], f"{1e3 * r['numpy_step_s']:.3f}", f"{1e3 * r['compiled_step_s']:.3f}",
             f"{1e3 * r['lean_step_s']:.3f}", f"{r['speedup_lean']:.1f}x [{r['speedup_lean_median']:.1f}x]",
             f"{r['lean_vs_compiled']:.2f}x [{r['lean_vs_compiled_median']:.2f}x]",
             f"{r['peak_numpy_bytes'] / 1e6:.2f} / {r['peak_compiled_bytes'] / 1e6:.2f} / {r['peak_lean_bytes'] / 1e6:.2f}",
             ("yes" if r["same_bits"] else "NO") + ", " + ("yes" if r["same_bits_lean"] else "NO")] for r in rows])

    print("\nthe lean stream (stream='lean'), update model, same rounds as above: digits")
    table_lean(rows_d)
    print("FCN")
    table_lean(rows_f)
    print(f"\npulse trains BL 5 (setting B devices, c2c), digits, {len(SEEDS)} stacked seeds; {n_digits_trains} steps "
          f"x {ROUNDS} interleaved rounds, best")
    table_lean(rows_dt)
    print(f"pulse trains BL 5, FCN, 1 seed; {n_fcn_trains} steps x {ROUNDS} rounds, best")
    table_lean(rows_ft)
    print("FCN analog step (compiled, lean) / digital SGD step (compiled): " + ", ".join(
        f"{r['algorithm']} model {r['lean_step_s'] / sgd['compiled_step_s']:.2f}" for r in rows_f if r is not sgd)
        + "; " + ", ".join(f"{r['algorithm']} trains {r['lean_step_s'] / sgd['compiled_step_s']:.2f}" for r in rows_ft))
    print(f"max resident set size of this process: {maxrss / 1e6:.0f} MB")
    acceptance = [{"what": f"digits {r['algorithm']}: NumPy / compiled time per step", "value": r["speedup"],
                   "median_ratio": r["speedup_median"], "threshold": 10.0, "passed": bool(r["speedup"] >= 10.0)}
                  for r in rows_d]
    acceptance += [{"what": f"FCN {r['algorithm']} / digital SGD time per step (compiled)",
                    "value": r["compiled_step_s"] / sgd["compiled_step_s"], "threshold": 5.0,
                    "passed": bool(r["compiled_step_s"] <= 5.0 * sgd["compiled_step_s"]), "informational": True}
                   for r in rows_f if r is not sgd]
    acceptance += [{"what": f"digits {r['algorithm']} ({m}): NumPy / compiled lean-stream time per step",
                    "value": r["speedup_lean"], "median_ratio": r["speedup_lean_median"], "threshold": 10.0,
                    "passed": bool(r["speedup_lean"] >= 10.0), "informational": True}
                   for m, rows in (("model", rows_d), ("trains BL5", rows_dt)) for r in rows if r["algorithm"] != "digital SGD"]
    checks = [{"name": f"{w} {r['algorithm']}: compiled path == NumPy path bit for bit (3 steps, {s} stream)",
               "passed": r[key], "detail": "state bytes and next draws"}
              for w, rows in (("digits", rows_d), ("FCN", rows_f), ("digits trains", rows_dt), ("FCN trains", rows_ft))
              for r in rows for s, key in (("default", "same_bits"), ("lean", "same_bits_lean"))]
    return {"benchmark": "network", "name": "network", "quick": bool(quick), "side": None,
            "workload": dict(digits=dict(sizes=(64, 32, 10), batch=10, seeds=SEEDS, setting="B", io="PAPER_IO",
                                         n_iter=n_digits),
                             fcn=dict(sizes=FCN_SIZES, batch=10, seeds=(0,), io="PAPER_IO", n_iter=n_fcn),
                             warm=WARM, rounds=ROUNDS),
            "results": {"digits": rows_d, "fcn": rows_f, "digits_trains": rows_dt, "fcn_trains": rows_ft},
            "maxrss_bytes": maxrss, "acceptance": acceptance,
            "acceptance_applies": not quick, "checks": checks}


BENCHMARKS = {"network": bench_network}
