"""Zero-shifting in IBM aihwkit and in sptheory, side by side: ``make bench-peer``.

``python -m benchmarks.peer_aihwkit [--side 512] [--pulses 2000] [--repeats 3] [--out results/bench]``

Workload (both sides, one thread each, back to back in one process):

* an aihwkit 1.1.0 ``AnalogTile`` (``side x side``) with a ``SoftBoundsDevice``
  drawn with device-to-device variation (``DEVICE`` below; no cycle-to-cycle
  or write noise); its start ``set_weights(0)``;
* the per-cell parameters read back from the tile (``get_hidden_parameters``:
  ``dwmin_up``, ``dwmin_down``, ``slope_up``, ``slope_down``, ``max_bound``,
  ``min_bound``) become a :class:`sptheory.devices.SoftBounds` with the same
  pulse maps (:func:`device_from_hidden`), start = the tile's weights;
* ``N`` pulses per cell.  aihwkit realises one pulse per cell per rank-1
  update: ``update_management`` and ``update_bl_management`` off,
  ``desired_bl = 1``, stochastic-compressed pulse trains with
  ``learning_rate = dw_min`` and ``|x| = |d| = 1``, so each line fires with
  probability 1 and every cell gets exactly one coincidence, of sign
  ``-sign(x_j d_i)`` (aihwkit's update is ``W -= lr d x^T``).  The N rank-1
  updates go in as one batch per call (``BATCH`` rows), signs made before
  the clock starts.
  - cyclic: ``x = 1``, ``d = -1, +1, -1, ...`` (up first);
  - stochastic: ``x`` and ``d`` fair random signs per pulse.  Each cell's own
    sign sequence is then i.i.d. fair (the zero-shifting law per cell); across
    cells the signs are a rank-1 pattern (pairwise, not jointly, independent),
    which aihwkit's outer-product update cannot avoid.  sptheory draws every
    cell's signs independently (``calibration.zero_shift``).
* sptheory: ``calibration.zero_shift`` with and without ``track_g2`` (aihwkit
  has no G^2 tracking; both ratio rows divide by the same aihwkit run):
  stochastic with its default (packed random bits, composed maps); cyclic
  twice, labelled apart in the ratio table: ``method="auto"``, the default a
  user gets (closed form, cost independent of ``N``, so its cell-pulses/s
  grows with ``N`` and is no per-pulse speed), and ``method="pulse"``, one
  pulse at a time (the like-for-like per-pulse comparison).
* Timing: ``--repeats`` rounds; each round runs every aihwkit and sptheory
  case once, in turn, in this process (so load from other jobs falls on both
  sides alike); best and median over the rounds.

Agreement of end states (what the two simulate, not just how fast):

* cyclic: sptheory's W_N vs aihwkit's (max and mean |difference|);
* stochastic: aihwkit's own sign sequence replayed through the sptheory
  device's pulse maps in float64 (:func:`replay`) vs aihwkit's W_N; and both
  sides' W_N against the exact per-cell law (``zero_shift_moments``):
  standardised residuals ``(W_N - E W_N) / sd`` should have mean 0 and
  variance 1 across cells.

Without aihwkit installed it prints how to get it and exits 0.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from sptheory import calibration, devices

from . import _util

NAME = "peer_aihwkit"
DW_MIN = 1e-3
# aihwkit SoftBoundsDevice arguments: device-to-device variation only (no c2c, no write noise).
DEVICE = dict(dw_min=DW_MIN, dw_min_dtod=0.3, up_down=0.0, up_down_dtod=0.1, w_max=1.0, w_min=-1.0,
              w_max_dtod=0.05, w_min_dtod=0.05, dw_min_std=0.0, write_noise_std=0.0)
BATCH = 100  # rank-1 updates (pulses) per aihwkit update call
SEED = 20261128
INSTALL_HINT = """aihwkit is not installed in this interpreter ({exe}).
The side-by-side benchmark needs IBM aihwkit 1.1.0 with torch 2.10.0 (aihwkit 1.1.0 fails with other torch
versions when a tile is used).  `make bench-peer` creates a separate environment .venv-peer and installs both
(pip install 'torch==2.10.0' 'aihwkit==1.1.0', plus this package; about 7.5 GB on disk, most of it torch's CUDA
libraries), then runs this script there.  By hand:
    python3 -m venv .venv-peer && .venv-peer/bin/pip install -e '.[peer]'
    OMP_NUM_THREADS=1 .venv-peer/bin/python -m benchmarks.peer_aihwkit"""

HIDDEN = ("dwmin_up", "dwmin_down", "slope_up", "slope_down", "max_bound", "min_bound")


# ----- sptheory side (runs without aihwkit) ---------------------------------------

def device_from_hidden(hp: dict) -> devices.SoftBounds:
    """SoftBounds with aihwkit's per-cell pulse maps (offset 0, ``dw_min = DW_MIN``).

    aihwkit 1.1.0's SoftBounds (LinearStep) pulse, before clipping to
    ``[min_bound, max_bound]``: up ``w += slope_up w + dwmin_up``, down
    ``w -= slope_down w + dwmin_down`` (``slope_up < 0 < slope_down``).
    sptheory's up/down maps are ``w -> (1 - x) w + y`` with ``x_up = dw a_up/tau_max``,
    ``y_up = dw a_up``, ``x_dn = dw a_dn/tau_min``, ``y_dn = -dw a_dn``, hence
    ``a_up = dwmin_up/dw``, ``tau_max = -dwmin_up/slope_up`` and
    ``a_dn = dwmin_down/dw``, ``tau_min = dwmin_down/slope_down``.  The maps'
    fixed points ``tau_max``, ``-tau_min`` are aihwkit's per-cell bounds (its
    slopes are taken relative to them), so clipping never acts from inside.
    """
    p = {k: np.asarray(hp[k], dtype=float).reshape(-1) for k in HIDDEN}
    if np.any(p["slope_up"] >= 0) or np.any(p["slope_down"] <= 0):
        raise ValueError("expected slope_up < 0 < slope_down (soft bounds decreasing towards each bound)")
    return devices.SoftBounds(a_up=p["dwmin_up"] / DW_MIN, a_dn=p["dwmin_down"] / DW_MIN,
                              tau_max=-p["dwmin_up"] / p["slope_up"], tau_min=p["dwmin_down"] / p["slope_down"],
                              dw_min=DW_MIN)


def replay(hp: dict, w0, up_signs) -> np.ndarray:
    """aihwkit's pulse rule in float64 for a given sign sequence: ``up_signs[n]`` (bool, one per cell)."""
    p = {k: np.asarray(hp[k], dtype=float).reshape(-1) for k in HIDDEN}
    w = np.array(w0, dtype=float).reshape(-1)
    for up in up_signs:
        w = np.where(up.reshape(-1), w + (p["slope_up"] * w + p["dwmin_up"]),
                     w - (p["slope_down"] * w + p["dwmin_down"]))
        np.clip(w, p["min_bound"], p["max_bound"], out=w)
    return w


SPTHEORY_CASES = (("cyclic", "pulse"), ("cyclic", "auto"), ("stochastic", "auto"))
# What each (schedule, sptheory method) row is, for the ratio table.
LABELS = {("cyclic", "pulse"): "cyclic, pulse by pulse (method='pulse')",
          ("cyclic", "auto"): "cyclic, default (closed form, cost independent of N)",
          ("stochastic", "auto"): "stochastic, default (packed bits, composed maps)"}


def sptheory_side(dev, w0, n_pulses: int, repeats: int, seed=SEED) -> dict:
    """Time calibration.zero_shift on this workload; returns rows and the end states (last repeat)."""
    rows, ends = [], {}
    cells = int(np.size(w0))
    for schedule, method in SPTHEORY_CASES:
        for track_g2 in (False, True):
            times, out = _util.time_repeats(lambda: calibration.zero_shift(
                dev, w0, n_pulses, seed, schedule=schedule, track_g2=track_g2, method=method), repeats)
            ends[(schedule, method, track_g2)] = out.w
            rows.append(_row("sptheory", schedule, method, track_g2, n_pulses, cells, times))
    return {"rows": rows, "ends": ends}


def _row(side, schedule, method, track_g2, n, cells, times) -> dict:
    s = _util.summarize(times)
    return {"side": side, "schedule": schedule, "method": method, "track_g2": track_g2, "n_pulses": n,
            "cells": cells, **s, "cell_pulses_per_s_best": n * cells / s["best_s"],
            "cell_pulses_per_s_median": n * cells / s["median_s"]}


def standardised(dev, w0, n_pulses, w_end) -> dict:
    """Mean and variance across cells of ``(W_N - E W_N)/sd`` under the exact stochastic law."""
    mom = calibration.zero_shift_moments(dev, np.reshape(w0, -1), [n_pulses], "stochastic")
    r = (np.reshape(w_end, -1) - mom.mean[-1]) / np.sqrt(mom.var[-1])
    k = r.size
    return {"mean": float(r.mean()), "var": float(r.var(ddof=1)), "cells": k,
            "mean_se": float(1 / np.sqrt(k)), "var_se_gaussian": float(np.sqrt(2 / (k - 1)))}


def _diff(a, b) -> dict:
    d = np.abs(np.reshape(a, -1) - np.reshape(b, -1))
    return {"max_abs_diff": float(d.max()), "mean_abs_diff": float(d.mean())}


# ----- aihwkit side -------------------------------------------------------------------

def make_tile(side: int):
    from aihwkit.simulator.configs import SingleRPUConfig
    from aihwkit.simulator.configs.devices import SoftBoundsDevice
    from aihwkit.simulator.parameters.enums import PulseType
    from aihwkit.simulator.tiles import AnalogTile

    cfg = SingleRPUConfig(device=SoftBoundsDevice(**DEVICE, construction_seed=SEED))
    cfg.update.desired_bl = 1
    cfg.update.update_bl_management = False
    cfg.update.update_management = False
    cfg.update.pulse_type = PulseType.STOCHASTIC_COMPRESSED
    tile = AnalogTile(side, side, cfg)
    tile.set_learning_rate(DW_MIN)
    return tile


def aihwkit_run(side: int, xs, ds, repeats: int):
    """Fresh tile per repeat (same construction seed, so the same per-cell parameters); times the updates."""
    import torch

    times, tile = [], None
    for _ in range(repeats):
        tile = make_tile(side)
        tile.set_weights(torch.zeros(side, side))
        w0 = tile.get_weights()[0].numpy().astype(float)
        t0 = time.perf_counter()
        for lo in range(0, xs.shape[0], BATCH):
            tile.update(xs[lo:lo + BATCH], ds[lo:lo + BATCH])
        times.append(time.perf_counter() - t0)
    hp = {k: v.numpy() for k, v in tile.get_hidden_parameters().items() if k in HIDDEN}
    return times, w0, tile.get_weights()[0].numpy().astype(float), hp


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.peer_aihwkit", description=__doc__.split("\n")[0])
    ap.add_argument("--side", type=int, default=512)
    ap.add_argument("--pulses", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default="results/bench")
    args = ap.parse_args(argv)
    peer = _util.peer_machine(INSTALL_HINT)
    if peer is None:
        return 0
    info, torch, aihwkit = peer
    s, n, cells = args.side, args.pulses, args.side * args.side
    print(f"\n== zero-shifting, {s}x{s} = {cells} SoftBounds cells, per-cell parameters from the aihwkit tile, "
          f"N = {n} pulses, one thread ==")

    g = torch.Generator().manual_seed(SEED)
    ones_x = torch.ones(n, s)
    d_cyc = torch.ones(n, s)
    d_cyc[0::2] = -1.0  # d = -1 with x = +1: W -= lr d x = up pulse
    x_sto = torch.randint(0, 2, (n, s), generator=g).float() * 2 - 1
    d_sto = torch.randint(0, 2, (n, s), generator=g).float() * 2 - 1

    agree = {}
    # Rounds: every case once per round, aihwkit and sptheory in turn (shared-machine load hits both alike).
    times = {}
    for _ in range(args.repeats):
        t_cyc, w0, w_cyc, hp = aihwkit_run(s, ones_x, d_cyc, 1)
        times.setdefault(("aihwkit", "cyclic"), []).extend(t_cyc)
        t_sto, _, w_sto, hp2 = aihwkit_run(s, x_sto, d_sto, 1)
        times.setdefault(("aihwkit", "stochastic"), []).extend(t_sto)
        dev = device_from_hidden(hp)
        w0f = w0.reshape(1, -1)
        sp = sptheory_side(dev, w0f, n, 1)
        for r in sp["rows"]:
            times.setdefault(("sptheory", r["schedule"], r["method"], r["track_g2"]), []).extend(r["times_s"])
    same_params = all(np.array_equal(hp[k], hp2[k]) for k in HIDDEN)
    rows = [_row("aihwkit", sched, "update BL=1", False, n, cells, times[("aihwkit", sched)])
            for sched in ("cyclic", "stochastic")]
    rows += [_row("sptheory", sched, method, g2, n, cells, times[("sptheory", sched, method, g2)])
             for sched, method in SPTHEORY_CASES for g2 in (False, True)]

    agree["cyclic: sptheory pulse vs aihwkit"] = _diff(sp["ends"][("cyclic", "pulse", False)], w_cyc)
    agree["cyclic: sptheory closed form vs aihwkit"] = _diff(sp["ends"][("cyclic", "auto", False)], w_cyc)
    up = (-(d_sto[:, :, None] * x_sto[:, None, :]) > 0).numpy().reshape(n, -1)  # cell (i, j): -(d_i x_j)
    agree["stochastic: same signs replayed (float64) vs aihwkit"] = _diff(replay(hp, w0, up), w_sto)
    law = {"aihwkit": standardised(dev, w0f, n, w_sto),
           "sptheory": standardised(dev, w0f, n, sp["ends"][("stochastic", "auto", False)])}

    def rate(side, schedule, method, g2=False):
        return next(r for r in rows if r["side"] == side and r["schedule"] == schedule and r["method"] == method
                    and r["track_g2"] == g2)
    ratios = []
    for schedule, method in SPTHEORY_CASES:
        a = rate("aihwkit", schedule, "update BL=1")
        for g2 in (False, True):
            r = rate("sptheory", schedule, method, g2)
            ratios.append({"schedule": schedule, "sptheory_method": method, "label": LABELS[(schedule, method)],
                           "track_g2": g2,
                           "ratio_best": r["cell_pulses_per_s_best"] / a["cell_pulses_per_s_best"],
                           "ratio_median": r["cell_pulses_per_s_median"] / a["cell_pulses_per_s_median"]})

    _util.print_table(["side", "schedule", "method", "G^2", "best s", "median s", "cell-pulses/s best", "median"],
                      [[r["side"], r["schedule"], r["method"], "yes" if r["track_g2"] else "no", f"{r['best_s']:.3f}",
                        f"{r['median_s']:.3f}", _util.fmt_rate(r["cell_pulses_per_s_best"]),
                        _util.fmt_rate(r["cell_pulses_per_s_median"])] for r in rows])
    print(f"\nsptheory / aihwkit at N = {n} (aihwkit has no G^2 tracking: both G^2 rows divide by the same aihwkit "
          "run; the closed form's ratio grows with N):")
    _util.print_table(["sptheory path", "method", "G^2", "ratio best", "ratio median"],
                      [[q["label"], q["sptheory_method"], "yes" if q["track_g2"] else "no",
                        f"{q['ratio_best']:.1f}x", f"{q['ratio_median']:.1f}x"] for q in ratios])
    print("\nagreement of end states W_N:")
    _util.print_table(["comparison", "max |diff|", "mean |diff|"],
                      [[k, f"{v['max_abs_diff']:.2e}", f"{v['mean_abs_diff']:.2e}"] for k, v in agree.items()])
    print("stochastic W_N standardised by the exact per-cell law (expect mean 0 +- 1/sqrt(cells), variance 1):")
    _util.print_table(["side", "mean", "variance", "SE of mean", "SE of variance (Gaussian)"],
                      [[k, f"{v['mean']:+.4f}", f"{v['var']:.4f}", f"{v['mean_se']:.4f}", f"{v['var_se_gaussian']:.4f}"]
                       for k, v in law.items()])
    print(f"aihwkit per-cell parameters identical across tiles built for the two schedules: {same_params}")
    payload = {"benchmark": NAME, "side": s, "cells": cells, "n_pulses": n, "repeats": args.repeats,
               "device_aihwkit": DEVICE, "batch": BATCH, "seed": SEED, "results": rows, "ratios": ratios,
               "agreement": agree, "stochastic_law": law, "same_params_across_tiles": same_params, "machine": info}
    path = _util.write_json(args.out, NAME, payload)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.exit(main())
