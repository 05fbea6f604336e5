"""The paper's regime for the network claims (issue 16): setting B at the paper's reads per cell, a search that
brackets, and the run-length rule, all fixed here BEFORE any run they govern.

Setting (:data:`SETTING`)
    B: the HfO2-like preset on both arrays, the per-cell SP offsets N(0.2, 0.3^2) on the fast array, the
    paper's Table 6 IO with bound management ITERATIVE (``nn.PAPER_IO_BM``; aihwkit applies it to the
    forward pass only, ``nn``'s docstring).

Run length (:func:`min_epochs`, :func:`run_length`)
    At least the paper's transfer reads per first-layer column: its 40 MNIST epochs are 240,000 steps of
    one column read per step over 785 columns, :data:`PAPER_READS_PER_COLUMN` = 306 reads; the digits MLP's
    first layer has 65 columns, so ``ceil(306 * 65 / steps_per_epoch)`` = 183 digits epochs.  Then, on the
    chosen points (search seeds), while some compared method's end slope (``network.end_slope``: seed
    mean, last quarter) exceeds :data:`SLOPE_TOL` (0.1 points per epoch), the budget grows by 1.5x (rounded
    up), at most :data:`MAX_EXTENSIONS` (2) times: 183 -> 275 -> 413.  The outcome is recorded.

Search (:func:`box`, :func:`sample`, :func:`bracket`)
    Every algorithm gets the same budget, :data:`POINTS` evaluated points, drawn by a scrambled Sobol
    sampler (``scipy.stats.qmc.Sobol``, seed :data:`SAMPLER_SEED`) in a log box around its translated
    Table 5 centre (``network.table5``, or :func:`centre` for the paper-style rows): the fast rate over
    :data:`FAST_DECADES` (3 decades, centre in the middle), the transfer rate (the transfer gain beta of
    the RIDER family) over :data:`TRANSFER_DECADES` (4.5 decades, 2.5 below the centre to cover the
    unknown SGD rate that scales aihwkit's transfer_lr -- the LeNet runs used 0.05 and 0.005 -- and 2
    above).  Each point's value is its mean validation accuracy over :data:`SEARCH_SEEDS` (one
    simulation, the seeds stacked) at :func:`min_epochs` epochs.  Rules:

    * the best point (highest mean validation accuracy; first on ties) is chosen;
    * a best point below :data:`FAIL_BELOW` (20 %) is a failed search: reported, never tabulated;
    * bracket: on each axis the chosen point is *interior* when its log10 coordinate lies more than
      :data:`STEP` (half a decade) inside both faces of the box; otherwise that axis is probed once: the
      chosen point moved one STEP past the nearer face (other axes held) runs with the same seeds, and the
      axis is *flat* when the per-seed differences' mean lies within :data:`NOISE_Z` (2) standard errors of
      0 (or, when all differences are equal, within 0.005), *not bracketed* otherwise (the outside point
      better: the optimum lies beyond the box; worse: the edge is a real optimum's side, reported as
      ``edge-better``).  An axis that is neither interior nor flat is reported, and the algorithm's row
      carries it.

Ladder (:func:`ladder`; a rule added on 2026-12-06 AFTER the search's results were seen -- AGAD's and TT-v2's
fast-rate probes were *beyond* -- and committed before any ladder point ran; verdicts are reported under the
original rule (no ladder) and under this one)
    For an axis whose probe is *beyond* (the probe one STEP past the nearer face is better than the chosen
    point by more than NOISE_Z standard errors), keep stepping one STEP (half a decade) further past that face
    along that axis alone, the other coordinates at the chosen point, with the same seeds
    (:data:`SEARCH_SEEDS`) and epochs: step k (k = 0 is the probe itself, k = 1 .. :data:`LADDER_STEPS` (4) the
    further steps) sits at ``face +- (k + 1) STEP``.  Starting from the probe as the running best, stop at the
    first step that is not better than the running best by more than NOISE_Z standard errors (:func:`flat_test`
    on the per-seed differences: flat or worse), or after LADDER_STEPS further steps.  The ladder's best point
    (the last step that was better) becomes the chosen point; the axis is *bracketed by the ladder* when the
    ladder stopped on a flat or worse step, and stays *not bracketed* (``ladder cap``) when the 4th further step
    was still better.  When several axes are beyond, their ladders run one after another in the order of
    :data:`AXES`, each from the point the previous one chose (a later axis whose probe no longer matches the
    moved point starts with its step 0 re-run there).  The rule applies identically to every algorithm whose
    search did not bracket; axes that were interior, flat or edge-better keep their status.

The search record (every point, its seeds, per-seed and mean accuracy, seconds, the command and commit)
is a JSON data file (:func:`save_record`, :func:`load_record`; the repository's copy is
``verification/data/regime_search_B.json``); :func:`chosen` reads the chosen hyperparameters back from it.
Pure functions; files only through the two record functions.
"""

from __future__ import annotations

import dataclasses
import json
import math
import time
from pathlib import Path

import numpy as np

from .. import data, nn
from . import network

__all__ = ["SETTING", "PAPER_READS_PER_COLUMN", "SLOPE_TOL", "MAX_EXTENSIONS", "GROWTH", "POINTS", "SAMPLER_SEED",
           "FAST_DECADES", "TRANSFER_DECADES", "STEP", "NOISE_Z", "FAIL_BELOW", "SEARCH_SEEDS", "AXES", "COMPARED",
           "min_epochs", "epoch_ladder", "run_length", "centre", "box", "sample", "evaluate", "bracket",
           "flat_test", "save_record", "load_record", "chosen", "RECORD_PATH", "LADDER_STEPS", "ladder_hp", "ladder",
           "state"]

#: Setting B of the regime (epochs set per run from :func:`min_epochs` / :func:`run_length`).
SETTING = network.NetworkSetting("B: hfo2 on both arrays, paper IO + bound management", "hfo2", ref_mean=0.2,
                                 ref_std=0.3, io=nn.PAPER_IO_BM, epochs=1)

#: The paper's transfer reads per first-layer column: 40 epochs x 6,000 steps / 785 columns (305.7, rounded up).
PAPER_READS_PER_COLUMN = 306
#: End-slope tolerance of the run-length rule: 0.1 points of validation accuracy per epoch.
SLOPE_TOL = 0.001
#: Budget growth per extension and the most extensions.
GROWTH, MAX_EXTENSIONS = 1.5, 2

#: Evaluated points per algorithm (the same for every algorithm), the sampler's seed.
POINTS, SAMPLER_SEED = 16, 16
#: The log box: (decades below the centre, decades above) per axis kind.
FAST_DECADES = (1.5, 1.5)
TRANSFER_DECADES = (2.5, 2.0)
#: Probe step of the bracket test and the interior margin, in decades.
STEP = 0.5
#: Flatness: |mean per-seed difference| <= NOISE_Z standard errors (two-sided ~5 % false "not flat" under a
#: normal difference; with 4 seeds the t quantile would be 3.18, so the test leans towards "not flat").
NOISE_Z = 2.0
#: The most further steps of the ladder past the probe (module docstring, "Ladder").
LADDER_STEPS = 4
#: A best point below this validation accuracy is a failed search.
FAIL_BELOW = 0.20
#: Search seeds (devices, initial weights, minibatches), disjoint from the reported seeds.
SEARCH_SEEDS = (1000, 1001, 1002, 1003)

#: The compared methods of the claims erider-vs-agad, agad-vs-ttv2, ttv2-offset, agad-offset (searched first).
COMPARED = ("E-RIDER (paper)", "AGAD", "TT-v2")
#: Searched axes per algorithm: (name, kind), kind "fast" or "transfer".
AXES = {
    "TT-v2": (("alpha", "fast"), ("transfer_lr", "transfer")),
    "c-TTv2": (("alpha", "fast"), ("transfer_lr", "transfer")),
    "AGAD": (("alpha", "fast"), ("transfer_lr", "transfer")),
    "E-RIDER (paper)": (("alpha", "fast"), ("beta", "transfer")),
    "RIDER (paper, P-Q0)": (("alpha", "fast"), ("beta", "transfer")),
    "RIDER (paper, P-Qk)": (("alpha", "fast"), ("beta", "transfer")),
    "residual learning": (("alpha", "fast"), ("beta", "transfer")),
    "analog SGD": (("alpha", "fast"),),
    "digital SGD": (("alpha", "fast"),),
}

RECORD_PATH = Path(__file__).resolve().parents[2] / "verification" / "data" / "regime_search_B.json"


# ----- run length --------------------------------------------------------------------------------

def min_epochs(setting: network.NetworkSetting = SETTING) -> int:
    """``ceil(PAPER_READS_PER_COLUMN * n_in / steps_per_epoch)``: the first layer's columns (``n_in``, the
    bias column included) each read :data:`PAPER_READS_PER_COLUMN` times at one column per step."""
    if setting.data != "digits":
        raise ValueError(f"min_epochs is defined for the digits data, got {setting.data!r}")
    n_train = data.digits(setting.data_seed).train[0].shape[0]
    steps = -(-n_train // setting.batch)
    n_in = setting.sizes[0] + 1
    return int(math.ceil(PAPER_READS_PER_COLUMN * n_in / steps))


def epoch_ladder(setting: network.NetworkSetting = SETTING) -> tuple:
    """The budgets the run-length rule may use: ``min_epochs`` and up to MAX_EXTENSIONS 1.5x steps."""
    e = [min_epochs(setting)]
    for _ in range(MAX_EXTENSIONS):
        e.append(int(math.ceil(e[-1] * GROWTH)))
    return tuple(e)


def run_length(slopes_by_budget: dict) -> dict:
    """The run-length rule on measured end slopes: ``{epochs: {name: slope}}`` (points of accuracy as fractions
    per epoch) for the budgets run so far, in ladder order.  Returns ``{"epochs": chosen budget or None,
    "met": bool, "next": the next budget to run or None, "over": {epochs: [names over SLOPE_TOL]}}``:
    the first budget at which every slope is at most SLOPE_TOL; if none and the ladder has a further step,
    ``next`` names it; if the ladder is exhausted, the last budget with ``met`` False."""
    ladder = epoch_ladder()
    over = {}
    for e in ladder:
        if e not in slopes_by_budget:
            return dict(epochs=None, met=False, next=e, over=over)
        over[e] = sorted(n for n, s in slopes_by_budget[e].items() if not s <= SLOPE_TOL)
        if not over[e]:
            return dict(epochs=e, met=True, next=None, over=over)
    return dict(epochs=ladder[-1], met=False, next=None, over=over)


# ----- the box and the sampler -------------------------------------------------------------------

def centre(name: str) -> dict:
    """The translated Table 5 centre in setting B: ``network.table5("B")`` for the algorithms it holds; the
    paper-style rows (App. B.2 and Table 5's E-RIDER: fast_lr 0.5, transfer_lr 0.05, gamma 0.1, in_chop_prob
    0.05 per column read on the regular schedule, auto_granularity 1000 per layer, tail_weightening 5: the
    filter weight 5/20 = 0.25 per read; the RIDER rows the same with p = 0 and eta = 0.25 per read).  AGAD
    takes the same per-layer threshold (``auto_granularity`` 1000 over each layer's in_size) in place of
    table5's one first-layer number, so that E-RIDER (paper) with gamma 0 is this AGAD bit for bit."""
    t5 = network.table5("B")
    if name == "AGAD":  # the per-layer threshold of aihwkit's chopped compound, as E-RIDER (paper) has it
        c = dict(t5[name])
        c.pop("thres_scale")
        return dict(c, auto_granularity=1000.0)
    if name in t5:
        return dict(t5[name])
    buf = dict(max_pulses=1, momentum=0.0, forget_buffer=True, auto_granularity=1000.0, in_chop_random=False)
    if name == "E-RIDER (paper)":
        return dict(alpha=0.5, beta=0.05, gamma=0.1, in_chop_prob=0.05, tail_weightening=5.0, **buf)
    if name in ("RIDER (paper, P-Q0)", "RIDER (paper, P-Qk)"):
        buf.pop("in_chop_random")
        return dict(alpha=0.5, beta=0.05, eta=0.25, gamma=0.1, **buf)
    raise ValueError(f"no Table 5 centre for {name!r}")


def box(name: str) -> tuple:
    """``((axis, log10 low, log10 high), ...)`` of ``name``'s search box."""
    if name not in AXES:
        raise ValueError(f"no search axes for {name!r}; known: {sorted(AXES)}")
    c = centre(name)
    out = []
    for axis, kind in AXES[name]:
        lo, hi = FAST_DECADES if kind == "fast" else TRANSFER_DECADES
        m = math.log10(c[axis])
        out.append((axis, m - lo, m + hi))
    return tuple(out)


def _r(x):
    return float(f"{x:.6g}")


def sample(name: str, n: int | None = None, seed: int = SAMPLER_SEED) -> tuple:
    """``n`` (default :data:`POINTS`) hyperparameter dicts for ``name``: the centre with its searched axes
    replaced by a scrambled Sobol sample (seeded) of the log box.  The same seed gives the same points."""
    from scipy.stats import qmc

    n = POINTS if n is None else n

    b = box(name)
    u = qmc.Sobol(d=len(b), scramble=True, seed=seed).random(n)
    c = centre(name)
    pts = []
    for row in u:
        hp = dict(c)
        for (axis, lo, hi), x in zip(b, row):
            hp[axis] = _r(10.0 ** (lo + x * (hi - lo)))
        pts.append(hp)
    return tuple(pts)


# ----- evaluation, record ------------------------------------------------------------------------

def evaluate(name: str, hp: dict, epochs: int, seeds=SEARCH_SEEDS, setting=SETTING) -> dict:
    """One point: ``network.train_curves`` at ``setting`` with ``epochs``; returns a JSON-ready record
    (per-seed validation accuracy, the mean, the end slope, the seconds)."""
    st = dataclasses.replace(setting, epochs=int(epochs))
    t0 = time.perf_counter()
    cv = network.train_curves(st, name, hp, seeds)
    return dict(algorithm=name, hp=dict(hp), epochs=int(epochs), seeds=[int(s) for s in seeds],
                val=[float(v) for v in cv.val], val_mean=float(np.mean(cv.val)),
                end_slope=float(network.end_slope(cv.curve)), seconds=round(time.perf_counter() - t0, 2),
                curve_mean=[round(float(v), 4) for v in cv.curve.mean(axis=0)])


def save_record(record: dict, path=RECORD_PATH) -> None:
    """Write the search record (JSON, sorted keys not imposed: the order run is kept)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record, indent=1) + "\n")
    tmp.replace(path)


def load_record(path=RECORD_PATH) -> dict:
    """Read a search record written by :func:`save_record`."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no search record at {path}: run python -m verification.regime search")
    return json.loads(path.read_text())


def _best(points):
    vals = [p["val_mean"] for p in points]
    return points[int(np.argmax(vals))]


def flat_test(best: dict, probe: dict) -> dict:
    """The flatness test (module docstring) on the per-seed validation accuracies of the chosen point and its
    probe (same seeds)."""
    d = np.asarray(probe["val"]) - np.asarray(best["val"])
    mean = float(d.mean())
    se = float(d.std(ddof=1) / math.sqrt(d.size)) if d.size > 1 else float("nan")
    flat = abs(mean) <= (NOISE_Z * se if se > 0 else 0.005)
    return dict(diff=mean, se=se, flat=bool(flat), outside_better=bool(mean > 0 and not flat))


def bracket(name: str, points: list, probes: dict | None = None) -> dict:
    """The bracket rule on ``points`` (the records of ``name``'s search): ``{"best": record, "failed": bool,
    "axes": {axis: "interior" | "flat" | "beyond" | "edge-better" | "probe needed", ...},
    "probe_points": {axis: hp}}``; ``probes`` maps an axis to the probe's record when it has run."""
    if not points:
        raise ValueError(f"no evaluated points for {name!r}")
    best = _best(points)
    out = dict(best=best, failed=bool(best["val_mean"] < FAIL_BELOW), axes={}, probe_points={}, tests={})
    for axis, lo, hi in box(name):
        x = math.log10(best["hp"][axis])
        if x - lo > STEP and hi - x > STEP:
            out["axes"][axis] = "interior"
            continue
        past = lo - STEP if x - lo <= STEP else hi + STEP
        hp = dict(best["hp"])
        hp[axis] = _r(10.0 ** past)
        out["probe_points"][axis] = hp
        probe = (probes or {}).get(axis)
        if probe is None:
            out["axes"][axis] = "probe needed"
            continue
        t = flat_test(best, probe)
        out["tests"][axis] = t
        out["axes"][axis] = "flat" if t["flat"] else ("beyond" if t["outside_better"] else "edge-better")
    return out


def ladder_hp(name: str, hp: dict, axis: str, k: int, side: str) -> dict:
    """The ladder's step ``k`` (0 = the probe) on ``axis`` of ``name``'s box from the point ``hp``: the axis at
    ``face + (k + 1) STEP`` above the top face (``side="high"``) or ``face - (k + 1) STEP`` below the bottom
    face (``side="low"``), every other coordinate as in ``hp``."""
    if side not in ("low", "high"):
        raise ValueError(f"side must be 'low' or 'high', got {side!r}")
    if not 0 <= int(k) <= LADDER_STEPS:
        raise ValueError(f"ladder step k must lie in 0..{LADDER_STEPS}, got {k!r}")
    faces = {a: (lo, hi) for a, lo, hi in box(name)}
    if axis not in faces:
        raise ValueError(f"{name!r} has no axis {axis!r}; axes: {sorted(faces)}")
    lo, hi = faces[axis]
    out = dict(hp)
    out[axis] = _r(10.0 ** (hi + (k + 1) * STEP if side == "high" else lo - (k + 1) * STEP))
    return out


def _same_hp(a: dict, b: dict) -> bool:
    return repr(sorted(a.items())) == repr(sorted(b.items()))


def ladder(name: str, points: list, probes: dict | None = None, steps: list | None = None) -> dict:
    """The bracket rule followed by the ladder (module docstring) on ``name``'s search ``points``, its
    ``probes`` (axis -> record) and the ladder's evaluated ``steps`` (records carrying ``hp``; matched by
    hyperparameters).  Returns ``{"best": chosen record, "failed": bool, "axes": {axis: "interior" | "flat" |
    "edge-better" | "probe needed" | "bracketed by ladder" | "ladder cap" | "ladder needed"}, "next": hp of the
    next point to run or None, "ladders": {axis: [{"k", "hp", "record" or None, "test"}]}, "original": the
    plain :func:`bracket` outcome}``.  ``next`` is at most one point: the ladder is sequential."""
    b = bracket(name, points, probes)
    out = dict(best=b["best"], failed=b["failed"], axes=dict(b["axes"]), next=None, ladders={}, original=b)
    if b["failed"]:
        return out
    steps = list(steps or [])
    faces = {a: (lo, hi) for a, lo, hi in box(name)}

    def find(hp):
        for r in steps:
            if _same_hp(r["hp"], hp):
                return r
        return None

    best = b["best"]
    for axis, _kind in AXES[name]:
        if b["axes"].get(axis) != "beyond":
            continue
        lo, hi = faces[axis]
        x = math.log10(b["best"]["hp"][axis])
        side = "low" if x - lo <= STEP else "high"
        log = []
        out["ladders"][axis] = log
        run_best = best
        status = None
        for k in range(LADDER_STEPS + 1):
            hp = ladder_hp(name, best["hp"], axis, k, side)
            rec = probes.get(axis) if (k == 0 and probes and probes.get(axis) is not None
                                       and _same_hp(probes[axis]["hp"], hp)) else find(hp)
            if rec is None:
                log.append(dict(k=k, hp=hp, record=None, test=None))
                out["next"], status = hp, "ladder needed"
                break
            t = flat_test(run_best, rec)
            log.append(dict(k=k, hp=hp, record=rec, test=t))
            if not t["outside_better"]:
                status = "bracketed by ladder" if k > 0 else ("flat" if t["flat"] else "edge-better")
                break
            run_best = rec
        if status is None:
            status = "ladder cap"
        out["axes"][axis] = status
        best = run_best
        if status == "ladder needed":
            break
    out["best"] = best
    return out


def state(name: str, rec: dict, epochs: int | None = None, rule: str = "ladder") -> dict:
    """``name``'s outcome read from a search record ``rec`` under ``rule``: ``"original"`` (:func:`bracket`: the
    search's best point, its probes) or ``"ladder"`` (:func:`ladder`, the record's ``"ladder"`` points).  Adds
    ``"complete"`` (POINTS points at ``epochs``, default :func:`min_epochs`) and ``"bracketed"`` (every axis
    interior, flat or bracketed by the ladder)."""
    if rule not in ("original", "ladder"):
        raise ValueError(f"rule must be 'original' or 'ladder', got {rule!r}")
    E0 = min_epochs() if epochs is None else int(epochs)
    pts = [p for p in rec.get("points", []) if p["algorithm"] == name and p["epochs"] == E0]
    if not pts:
        return dict(best=None, failed=False, axes={}, complete=False, bracketed=False, next=None, n=0)
    probes = {p["probe_axis"]: p for p in rec.get("probes", []) if p["algorithm"] == name and p["epochs"] == E0}
    if rule == "original":
        s = dict(bracket(name, pts, probes), next=None)
    else:
        s = ladder(name, pts, probes, [p for p in rec.get("ladder", []) if p["algorithm"] == name
                                       and p["epochs"] == E0])
    ok = ("interior", "flat", "bracketed by ladder")
    return dict(s, complete=len(pts) >= POINTS, n=len(pts),
                bracketed=bool(not s["failed"] and all(v in ok for v in s["axes"].values())))


def chosen(name: str, path=RECORD_PATH, rule: str = "ladder") -> dict:
    """The chosen hyperparameters of ``name`` read back from the search record (under ``rule``, :func:`state`);
    a failed search (best below FAIL_BELOW) is a ValueError: it is never tabulated."""
    rec = load_record(path)
    pts = [p for p in rec["points"] if p["algorithm"] == name]
    if not pts:
        raise ValueError(f"the search record at {path} holds no points of {name!r}")
    s = state(name, rec, epochs=pts[0]["epochs"], rule=rule)
    if s["failed"]:
        raise ValueError(f"the search of {name!r} failed (best validation accuracy {s['best']['val_mean']:.3f} "
                         f"< {FAIL_BELOW}): not tabulated")
    return dict(s["best"]["hp"])
