"""Shared machinery of the zero-shifting bound claims (SPEC section 2).

Used by ``zs_avg`` (Thm 2.2), ``zs_last`` (Thm C.2), ``zs_cyclic_avg``
(Thm C.3) and ``zs_cyclic_last`` (Thm C.4):

* the device settings (three families) and the ``dw_min`` grid;
* the simulation: exact moments for SoftBounds
  (:func:`sptheory.calibration.zero_shift_moments`, no sampling) and
  pulse-by-pulse Monte Carlo (:func:`sptheory.calibration.zero_shift`) run
  checkpoint by checkpoint so the signed iterate ``W_n`` is known at every
  checkpoint;
* the interval ``[w_lo, w_hi]`` the theorem constants are taken over, and
  its check against the recorded iterates;
* the verdict over all checkpoints, ``dw_min`` values and cells, the report
  text, and one plot helper.

Everything is per cell (SPEC 9.7): the bounds are evaluated with each cell's
own constants and compared with that cell's measurement.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sptheory import calibration, devices, stats
from sptheory.sweep import run_jobs
from verification.harness import ClaimResult

FAMILIES = ("softbounds", "power", "exponential")
W0 = 0.0
SB_CELLS = 64
SB_PARAMS = dict(sigma_d2d=0.3, sigma_pm=0.2, tau_max=1.0, tau_min=1.0, offset=0.3)
MC_CELLS = 16
# Power/Exponential cells share gamma and amplitudes; their reference offsets
# are spread so that |W0 - w_sp| ranges from ~0.15 to ~0.55.
MC_OFFSETS = np.linspace(0.1, 0.5, MC_CELLS)
MC_PARAMS = dict(gamma=2.0, a_up=1.2, a_dn=0.9, tau_max=1.0, tau_min=1.0)
# N_max = HORIZON / dw_min pulses: several times 1/(mu dw_min) for every cell here.  The
# cyclic runs are deterministic and cheap, and their floor is O(dw_min^2), so
# the transient needs longer to fall below it.
HORIZON = {"stochastic": 10.0, "cyclic": 30.0}
SIGMAS = 8.0  # stochastic interval margin, in stationary standard deviations
EDGE = 0.05  # the interval keeps this fraction of the device range away from each bound
CROSS_CHECK_DW = 3e-3


def family_seeds(rng_seed: int) -> list[int]:
    """One independent seed per device family, derived from the claim's seed."""
    return [int(x) for x in np.random.default_rng(rng_seed).integers(2**62, size=len(FAMILIES))]


def dw_values(quick: bool) -> tuple[float, ...]:
    return (1e-2, 3e-3, 1e-3) if quick else (1e-2, 3e-3, 1e-3, 3e-4)


def replicates(quick: bool) -> int:
    return 200 if quick else 1000


def n_checkpoints(quick: bool) -> int:
    return 16 if quick else 24


def log_checkpoints(n_max: int, count: int) -> np.ndarray:
    """About ``count`` log-spaced integers from 1 to ``n_max`` (both included)."""
    return np.unique(np.round(np.geomspace(1, n_max, count)).astype(np.int64))


def make_device(family: str, dw: float, rng=None) -> devices.Device:
    """The device of one family at granularity ``dw``.

    SoftBounds cells are drawn from ``rng`` (pass the same seed for every
    ``dw`` to keep the same cells).
    """
    if family == "softbounds":
        return devices.soft_bounds_variation((SB_CELLS,), np.random.default_rng(rng), dw, **SB_PARAMS)
    if family == "power":
        return devices.Power(dw_min=dw, offset=MC_OFFSETS, **MC_PARAMS)
    if family == "exponential":
        return devices.Exponential(dw_min=dw, offset=MC_OFFSETS, **MC_PARAMS)
    raise ValueError(f"unknown family {family!r}; known: {FAMILIES}")


def device_text(family: str) -> str:
    if family == "softbounds":
        p = SB_PARAMS
        return (f"SoftBounds, {SB_CELLS} cells with device-to-device variation (sigma_d2d {p['sigma_d2d']}, "
                f"sigma_pm {p['sigma_pm']}, tau_max = tau_min = 1, offset {p['offset']})")
    name = "Power" if family == "power" else "Exponential"
    p = MC_PARAMS
    return (f"{name} (gamma {p['gamma']:g}, a_up {p['a_up']}, a_dn {p['a_dn']}, tau 1), {MC_CELLS} cells "
            f"identical but for the reference offset, evenly spread over [{MC_OFFSETS[0]:g}, {MC_OFFSETS[-1]:g}]")


# ----------------------------------------------------------------------------
# interval of the theorem constants
# ----------------------------------------------------------------------------

def stationary_var(dev: devices.Device) -> np.ndarray:
    """First-order stationary variance of stochastic ZS around the SP,
    ``dw_min F(w_sp)^2 / (2 G'(w_sp))`` (linearised recursion
    ``E z'^2 = (1 - 2 dw G') E z^2 + dw^2 F^2``).  A priori, from the device only."""
    sp = dev.symmetric_point()
    return dev.dw_min * dev.F(sp) ** 2 / (2.0 * dev.dG(sp))


def stochastic_margin(dev: devices.Device, w0=W0):
    """Margins ``(m_sp, m_0)`` of the stochastic interval, a priori from the device.

    Around the SP: ``SIGMAS`` stationary standard deviations plus 5 pulses.
    Around ``w0`` only the early walk's excursion *against* its drift matters:
    with drift ``dw |G(w0)|`` and step variance ``dw^2 F(w0)^2`` it exceeds
    ``x`` with probability about ``exp(-2 |G(w0)| x / (dw F(w0)^2))`` (and
    ``|G|`` only grows beyond ``w0``), so ``x = 20 dw F^2 / |G|`` leaves
    ``e^-40``; never more than ``m_sp``.
    """
    dw = dev.dw_min
    m_sp = SIGMAS * np.sqrt(stationary_var(dev)) + 5.0 * dw
    g0 = np.abs(dev.G(w0))
    with np.errstate(divide="ignore"):
        m0 = np.where(g0 > 0, 20.0 * dw * dev.F(w0) ** 2 / np.where(g0 > 0, g0, 1.0) + 5.0 * dw, np.inf)
    return m_sp, np.minimum(m0, m_sp)


STOCHASTIC_MARGIN_TEXT = (
    f"margin m_sp = {SIGMAS:g} sqrt(dw_min F(w_sp)^2 / (2 G'(w_sp))) + 5 dw_min around w_sp (stationary spread) and "
    "m_0 = min(m_sp, 20 dw_min F(W0)^2/|G(W0)| + 5 dw_min) around W0 (the early walk's excursion against its drift, "
    "probability about e^-40), a priori from the device"
)


def cyclic_margin(dev: devices.Device, w0=W0):
    """Five of the largest pulses on the way from ``w0`` to the SP, on both
    sides (cyclic ZS is deterministic and overshoots by about one pulse)."""
    sp = dev.symmetric_point()
    q = np.maximum.reduce([dev.q_plus(w0), dev.q_minus(w0), dev.q_plus(sp), dev.q_minus(sp)])
    m = 5.0 * dev.dw_min * q
    return m, m


CYCLIC_MARGIN_TEXT = ("margin m_sp = m_0 = 5 dw_min max(q_plus, q_minus at W0 and w_sp): the deterministic path "
                      "overshoots by about one pulse")


def apriori_interval(dev: devices.Device, margins, w0=W0):
    """Hull of ``[w_sp - m_sp, w_sp + m_sp]`` and ``[w0 - m_0, w0 + m_0]`` per
    cell, kept ``EDGE`` of the device range inside each bound (q vanishes at a bound)."""
    m_sp, m0 = margins
    sp = dev.symmetric_point()
    w0 = np.broadcast_to(np.asarray(w0, dtype=float), sp.shape)
    span = dev.upper - dev.lower
    lo = np.maximum(np.minimum(w0 - m0, sp - m_sp), dev.lower + EDGE * span)
    hi = np.minimum(np.maximum(w0 + m0, sp + m_sp), dev.upper - EDGE * span)
    return lo, hi


def select_interval(dev: devices.Device, margins, seen_min, seen_max, w0=W0):
    """The a-priori interval, checked against the recorded iterates.

    Returns ``(w_lo, w_hi, outside)`` per cell; ``outside`` marks cells where
    a recorded iterate left the a-priori interval, which is then widened to
    the recorded extremes plus one pulse (still strictly inside the bounds).
    """
    lo, hi = apriori_interval(dev, margins, w0)
    seen_min = np.broadcast_to(seen_min, lo.shape)
    seen_max = np.broadcast_to(seen_max, hi.shape)
    outside = (seen_min < lo) | (seen_max > hi)
    span = dev.upper - dev.lower
    lo = np.where(seen_min < lo, np.maximum(seen_min - dev.dw_min, dev.lower + 1e-3 * span), lo)
    hi = np.where(seen_max > hi, np.minimum(seen_max + dev.dw_min, dev.upper - 1e-3 * span), hi)
    return lo, hi, outside


@dataclass
class Constants:
    """Theorem inputs per cell over ``[w_lo, w_hi]``."""

    w_lo: np.ndarray
    w_hi: np.ndarray
    outside: np.ndarray
    q_max: np.ndarray
    mu_q: np.ndarray
    L_q: np.ndarray
    phi0: np.ndarray
    dist0: np.ndarray
    w_sp: np.ndarray


def theorem_constants(dev, margins, seen_min, seen_max, w0=W0) -> Constants:
    lo, hi, outside = select_interval(dev, margins, seen_min, seen_max, w0)
    k = dev.constants(lo, hi)
    sp = dev.symmetric_point()
    return Constants(
        w_lo=lo, w_hi=hi, outside=outside, q_max=k.q_max, mu_q=k.mu_q, L_q=k.L_q,
        phi0=np.broadcast_to(dev.phi(w0), sp.shape).copy(), dist0=(w0 - sp) ** 2, w_sp=sp,
    )


# ----------------------------------------------------------------------------
# simulation
# ----------------------------------------------------------------------------

def simulate_mc(dev, w0, pulse_ckpts, rng, schedule) -> dict:
    """Pulse-by-pulse ZS, one :func:`calibration.zero_shift` call per checkpoint
    interval so that the signed ``W_n`` is kept at every checkpoint.

    Returns arrays of shape ``(n_ckpt, *w.shape)``: ``avg_g2`` (running average
    ``(1/n) sum_{m<n} G(W_m)^2``, stitched from the per-segment averages),
    ``dist_sq`` and ``w``.  For the cyclic schedule every segment must hold
    an even number of pulses (each call starts with an up pulse).
    """
    rng = np.random.default_rng(rng)
    w = np.array(w0, dtype=float)
    done, total = 0, 0.0
    out = {"avg_g2": [], "dist_sq": [], "w": []}
    for n in np.asarray(pulse_ckpts, dtype=np.int64):
        seg = int(n) - done
        if schedule == "cyclic" and seg % 2:
            raise ValueError("cyclic checkpoints must be even pulse counts")
        r = calibration.zero_shift(dev, w, seg, rng, schedule=schedule)
        total = total + seg * r.avg_g2[-1]
        out["avg_g2"].append(total / n)
        out["dist_sq"].append(r.dist_sq[-1])
        out["w"].append(r.w)
        w, done = r.w, int(n)
    return {k: np.stack(v) for k, v in out.items()}


def simulate_exact(dev, w0, pulse_ckpts, schedule) -> dict:
    """Exact expectations (SoftBounds only, no sampling), arrays ``(n_ckpt, cells)``."""
    m = calibration.zero_shift_moments(dev, w0, pulse_ckpts, schedule=schedule)
    return {"avg_g2": m.avg_g2, "dist_sq": m.dist_sq, "mean_w": m.mean, "sd_w": np.sqrt(m.var)}


STATIONARY_HORIZON = 1e4  # pulses x dw_min after which the exact moments are stationary to rounding


def exact_floor(dev, schedule: str, quantity: str) -> np.ndarray:
    """Stationary value of ``quantity`` per cell from the exact moments (SoftBounds).

    Evaluated after ``STATIONARY_HORIZON / dw_min`` pulses (the transient
    has decayed like ``exp(-2e4 G')`` by then).  ``avg_g2``: stationary
    ``E[G^2] = G'^2 E[z^2]``, averaged over the up and the down phase for the
    cyclic schedule; ``dist_sq``: ``E[z^2]`` (even pulse counts for cyclic).
    """
    n1 = 2 * int(np.ceil(STATIONARY_HORIZON / float(np.max(dev.dw_min)) / 2))
    if schedule == "cyclic":
        m = calibration.zero_shift_moments(dev, W0, [n1, n1 + 1], schedule="cyclic").dist_sq
        z2 = m.mean(axis=0) if quantity == "avg_g2" else m[0]
    else:
        z2 = calibration.zero_shift_moments(dev, W0, [n1], schedule="stochastic").dist_sq[0]
    return dev.slope**2 * z2 if quantity == "avg_g2" else z2


def _mc_job(family, dw, dev_seed, w0_shape, pulse_ckpts, rng, schedule):
    dev = make_device(family, dw, dev_seed)
    return simulate_mc(dev, np.full(w0_shape, W0), pulse_ckpts, rng, schedule)


@dataclass
class Curve:
    """One ``dw_min`` of one family: the measurement at checkpoints, per cell."""

    dw: float
    n: np.ndarray  # theorem's N at checkpoints (pulses, or pairs for cyclic)
    mean: np.ndarray  # (n_ckpt, cells)
    lo: np.ndarray
    hi: np.ndarray
    floor: np.ndarray  # (cells,) measured floor (tail window), with CI
    floor_lo: np.ndarray
    floor_hi: np.ndarray
    seen_min: np.ndarray  # (cells,) smallest recorded iterate (or exact mean - SIGMAS sd)
    seen_max: np.ndarray
    kind: str  # "exact" | "mc" | "deterministic"
    replicates: int = 1
    extra: dict = field(default_factory=dict)


def _tail_floor(n, values, quantity):
    """Per-sample floor over the second half of the run: window average of
    ``G^2`` (from the running sums) or mean ``dist_sq`` over the checkpoints
    with ``n >= N/2``.  ``values`` has the checkpoint axis first."""
    j = int(np.searchsorted(n, n[-1] / 2.0))
    j = min(j, len(n) - 2) if len(n) > 1 else 0
    if quantity == "avg_g2":
        s_last, s_j = n[-1] * values[-1], n[j] * values[j]
        return (s_last - s_j) / (n[-1] - n[j])
    return values[j:].mean(axis=0)


def measure(raw: dict, quantity: str, n, kind: str, dw: float) -> Curve:
    """Mean with a 95 % CI per (checkpoint, cell) from raw simulation output."""
    v = raw[quantity]
    if kind == "mc":
        est = stats.mean_ci(v, axis=1)
        fl = stats.mean_ci(_tail_floor(n, v, quantity), axis=0)
        w = raw["w"]
        return Curve(dw, n, est.mean, est.lo, est.hi, fl.mean, fl.lo, fl.hi,
                     np.minimum(W0, w.min(axis=(0, 1))), np.maximum(W0, w.max(axis=(0, 1))), kind, v.shape[1])
    if kind == "deterministic":  # one trajectory, shape (n_ckpt, 1, cells)
        v, w = v[:, 0], raw["w"][:, 0]
        fl = _tail_floor(n, v, quantity)
        return Curve(dw, n, v, v, v, fl, fl, fl, np.minimum(W0, w.min(axis=0)), np.maximum(W0, w.max(axis=0)), kind)
    fl = _tail_floor(n, v, quantity)  # exact: expectations, linear in the samples
    ext_lo = raw["mean_w"] - SIGMAS * raw["sd_w"]
    ext_hi = raw["mean_w"] + SIGMAS * raw["sd_w"]
    return Curve(dw, n, v, v, v, fl, fl, fl, np.minimum(W0, ext_lo.min(axis=0)), np.maximum(W0, ext_hi.max(axis=0)),
                 kind)


def run_family(family: str, quick: bool, rng_seed: int, schedule: str, quantity: str, executor=None):
    """Simulate one family at every ``dw_min``; returns ``(curves, devices, cross_check)``.

    SoftBounds: exact moments (stochastic and cyclic) plus a pulse-by-pulse
    cross-check at ``CROSS_CHECK_DW``.  Power/Exponential: Monte Carlo over
    ``replicates(quick)`` x 16 cells (stochastic) or the one deterministic
    trajectory per cell (cyclic).  ``N`` runs to ``HORIZON / dw_min`` pulses
    (cyclic: that many pulses, i.e. half as many pairs).
    """
    rng = np.random.default_rng(rng_seed)
    dev_seed = int(rng.integers(2**32))
    dws = dw_values(quick)
    count = n_checkpoints(quick)
    plan = []
    for dw in dws:
        if schedule == "cyclic":
            n = log_checkpoints(int(np.ceil(HORIZON[schedule] / dw / 2)), count)
            pulses = 2 * n
        else:
            n = log_checkpoints(int(np.ceil(HORIZON[schedule] / dw)), count)
            pulses = n
        plan.append((dw, n, pulses))
    devs = [make_device(family, dw, dev_seed) for dw in dws]
    cross = None
    if family == "softbounds":
        curves = [measure(simulate_exact(d, W0, p, schedule), quantity, n, "exact", dw)
                  for d, (dw, n, p) in zip(devs, plan)]
        for c, d in zip(curves, devs):  # the true stationary value, not a window of a finite run
            c.floor = c.floor_lo = c.floor_hi = exact_floor(d, schedule, quantity)
        cross = _cross_check(family, dev_seed, schedule, quantity, quick, rng.spawn(1)[0], count)
    else:
        kind = "deterministic" if schedule == "cyclic" else "mc"
        shape = (1, MC_CELLS) if kind == "deterministic" else (replicates(quick), MC_CELLS)
        jobs = [(family, dw, dev_seed, shape, p, g, schedule) for (dw, n, p), g in zip(plan, rng.spawn(len(plan)))]
        raws = run_jobs(_mc_job, jobs, executor=executor, progress=False)
        curves = [measure(raw, quantity, n, kind, dw) for raw, (dw, n, p) in zip(raws, plan)]
    for c in curves:
        c.extra.update(schedule=schedule, quantity=quantity)
    return curves, devs, cross


def _cross_check(family, dev_seed, schedule, quantity, quick, rng, count) -> dict:
    """Pulse-by-pulse simulation against the exact moments at one ``dw_min``."""
    dw = CROSS_CHECK_DW
    dev = make_device(family, dw, dev_seed)
    if schedule == "cyclic":
        n = log_checkpoints(int(np.ceil(HORIZON[schedule] / dw / 2)), count)
        pulses, shape = 2 * n, (1, SB_CELLS)
    else:
        n = log_checkpoints(int(np.ceil(HORIZON[schedule] / dw)), count)
        pulses, shape = n, (replicates(quick), SB_CELLS)
    exact = simulate_exact(dev, W0, pulses, schedule)[quantity]
    raw = simulate_mc(dev, np.full(shape, W0), pulses, rng, schedule)
    if schedule == "cyclic":
        sim = raw[quantity][:, 0]
        rel = np.abs(sim - exact) / np.maximum(np.abs(exact), 1e-300)
        return {"dw": dw, "kind": "deterministic", "max_rel_diff": float(rel.max()),
                "text": (f"Cross-check: pulse-by-pulse `zero_shift` (cyclic, deterministic) at dw_min = {dw:g} "
                         "reproduces the exact "
                         f"values at every checkpoint and cell to a relative {rel.max():.1e}.")}
    est = stats.mean_ci(raw[quantity], axis=1)
    # Points where every replicate agrees (e.g. the running average at n = 1,
    # G(W_0)^2) have a sem of rounding size: compare those directly.
    det = est.sem <= 1e-9 * np.abs(exact)
    det_rel = float(np.max(np.abs(est.mean - exact)[det] / np.abs(exact[det]), initial=0.0))
    z_ok = ~det
    inside = (exact >= est.lo) & (exact <= est.hi)
    frac = float(inside[z_ok].mean())
    zmax = float(np.max(np.abs(est.mean - exact)[z_ok] / est.sem[z_ok]))
    det_text = (f"; at the {int(det.sum())} points where all replicates coincide (no spread) they agree to a "
                f"relative {det_rel:.1e}" if det.any() else "")
    return {"dw": dw, "kind": "mc", "replicates": shape[0], "frac_in_ci": frac, "max_abs_z": zmax,
            "points": int(z_ok.sum()), "deterministic_points": int(det.sum()), "deterministic_rel_diff": det_rel,
            "text": (f"Cross-check: pulse-by-pulse `zero_shift` at dw_min = {dw:g} ({shape[0]} replicates x "
                     f"{SB_CELLS} cells): the exact value lies inside the Monte Carlo 95 % CI at {100 * frac:.1f} % "
                     f"of {int(z_ok.sum())} (checkpoint, cell) points (about 95 % expected; the points are "
                     f"correlated along N), largest |MC - exact| / sem = {zmax:.2f}{det_text}.")}


# ----------------------------------------------------------------------------
# verdict, text, data
# ----------------------------------------------------------------------------

def _g(v) -> str:
    return f"{float(v):.3g}"


def interval_text(consts: list[Constants], curves: list[Curve], how: str) -> str:
    n_out = sum(int(k.outside.sum()) for k in consts)
    cells = sum(k.outside.size for k in consts)
    widths = np.concatenate([k.w_hi - k.w_lo for k in consts])
    base = (f"Constants q_max, mu_q, L_q per cell and per dw_min over [w_lo, w_hi] = "
            f"hull of [w_sp - m_sp, w_sp + m_sp] and [W0 - m_0, W0 + m_0] ({how}), kept {EDGE:.0%} of the device "
            "range inside each "
            f"bound; interval widths {widths.min():.3g} to {widths.max():.3g}. ")
    kind = curves[0].kind
    what = {"mc": "every recorded iterate (all replicates, all checkpoints)",
            "deterministic": "every recorded iterate (all checkpoints)",
            "exact": f"E[W_n] +/- {SIGMAS:g} sd at every checkpoint"}[kind]
    if kind == "exact" and curves[0].extra.get("schedule") == "cyclic":
        what = "the deterministic W_n (exact) at every checkpoint"
    if n_out:
        at = ", ".join(f"{c.dw:g}" for c, k in zip(curves, consts) if k.outside.any())
        return base + (f"Check: {what} left the a-priori interval in {n_out} of {cells} (cell, dw_min) cases "
                       f"(dw_min = {at}); there the interval was widened to the recorded extremes plus one pulse "
                       "(a wider interval only loosens the bound).")
    return base + f"Check: {what} lies inside it ({cells} (cell, dw_min) cases)."


@dataclass
class Evaluation:
    verdict: str
    ratio: float
    where: dict
    measured: str
    bound: str
    end_ratios: list
    worst_ratios: list
    late_ratios: list


def evaluate(curves: list[Curve], bounds: list[np.ndarray], n_label: str) -> Evaluation:
    """Verdict over every checkpoint, dw_min and cell (SPEC 7: violated when a
    CI lies entirely above the bound), and the worst measured/bound."""
    verdicts, worst, where = [], -np.inf, None
    end_ratios, worst_ratios, late_ratios = [], [], []
    for c, b in zip(curves, bounds):
        cv = stats.bound_verdict_curve(c.lo, c.hi, b, mean=c.mean)
        verdicts.append(cv.verdict)
        r = c.mean / b
        i, j = np.unravel_index(int(np.argmax(r)), r.shape)
        worst_ratios.append(float(r[i, j]))
        end_ratios.append(float(r[-1].max()))
        pulses_per_n = 2 if c.extra.get("schedule") == "cyclic" else 1
        late = min(int(np.searchsorted(c.n * pulses_per_n, 1.0 / c.dw)), len(c.n) - 1)
        late_ratios.append(float(r[late:].max()))
        if r[i, j] > worst:
            worst = float(r[i, j])
            where = {"dw": c.dw, "n": int(c.n[i]), "cell": int(j), "i": int(i),
                     "mean": float(c.mean[i, j]), "lo": float(c.lo[i, j]), "hi": float(c.hi[i, j]),
                     "bound": float(b[i, j])}
    verdict = stats.combine_verdicts(verdicts)
    w = where
    if curves[0].kind == "mc":
        val = f"{_g(w['mean'])} [{_g(w['lo'])}, {_g(w['hi'])}] (95 % CI, {curves[0].replicates} replicates)"
    else:
        val = f"{_g(w['mean'])} ({'exact expectation' if curves[0].kind == 'exact' else 'deterministic, exact'})"
    measured = f"worst point: cell {w['cell']}, dw_min {w['dw']:g}, {n_label} = {w['n']}: {val}"
    return Evaluation(verdict, worst, w, measured, _g(w["bound"]), end_ratios, worst_ratios, late_ratios)


def ratio_table(curves, ev: Evaluation, floors_bound: list[np.ndarray], floor_name: str) -> str:
    """Markdown table per dw_min: worst ratio along N, ratio at the end point,
    measured floor vs the bound's dw_min term (median over cells, and range)."""
    rows = ["| dw_min | N_max | worst measured/bound along N | worst for N >= N_1 | at N_max (worst cell) | "
            f"measured floor / {floor_name} (median, range over cells) | measured floor (median cell) |",
            "|---|---|---|---|---|---|---|"]
    for c, wr, er, fb, late in zip(curves, ev.worst_ratios, ev.end_ratios, floors_bound, ev.late_ratios):
        fr = c.floor / fb
        k = int(np.argsort(c.floor)[len(c.floor) // 2])
        ci = "" if c.kind != "mc" else f" [{_g(c.floor_lo[k])}, {_g(c.floor_hi[k])}]"
        rows.append(f"| {c.dw:g} | {int(c.n[-1])} | {wr:.3g} | {late:.3g} | {er:.3g} | {np.median(fr):.3g} "
                    f"({fr.min():.3g} - {fr.max():.3g}) | {_g(c.floor[k])}{ci} |")
    return "\n".join(rows) + (
        "\n\nN_1 = 1/dw_min pulses (one nominal time constant; a first checkpoint at or after it). "
        "Measured floor: " + (
            f"the stationary value from the exact moments after {STATIONARY_HORIZON:g}/dw_min pulses"
            + ((" (E[G^2] = G'^2 E[(W - w_sp)^2]" + (", averaged over the up and down phases)." if
                                                     curves[0].extra.get("schedule") == "cyclic" else ")."))
               if curves[0].extra.get("quantity") == "avg_g2" else
               (" (even pulse counts)." if curves[0].extra.get("schedule") == "cyclic" else "."))
            if curves[0].kind == "exact" else
            ("window average of G(W_n)^2 over the second half of the run"
             if curves[0].extra.get("quantity") == "avg_g2"
             else "mean over the checkpoints in the second half of the run")
            + (" (95 % CI over replicates)." if curves[0].kind == "mc" else " (exact).")))


def method_text(curves: list[Curve], schedule: str, cross: dict | None) -> str:
    kind = curves[0].kind
    if kind == "exact":
        s = ("Measured values are exact expectations from `calibration.zero_shift_moments` "
             "(closed-form moment recursion of the affine SoftBounds device; no sampling, so no CI). ")
        if cross:
            s += cross["text"]
        return s
    if kind == "deterministic":
        return ("Cyclic ZS without cycle-to-cycle noise is deterministic: one pulse-by-pulse trajectory per cell "
                "(`calibration.zero_shift`, schedule cyclic, up first) gives the exact value; no CI.")
    return (f"Pulse-by-pulse Monte Carlo (`calibration.zero_shift`, {schedule} schedule): {curves[0].replicates} "
            f"independent replicates per cell; mean with a 95 % t-interval per (checkpoint, cell) "
            f"(`stats.mean_ci`).")


def curve_data(curves, bounds, consts, ev, alt_bounds=None, alt_label=None, floors_bound=None) -> dict:
    """JSON-able data: per dw_min the worst cell's curve (for the plot) and per-cell summaries."""
    out = []
    for idx, (c, b, k) in enumerate(zip(curves, bounds, consts)):
        r = c.mean / b
        cell = int(np.unravel_index(int(np.argmax(r)), r.shape)[1])
        d = {
            "dw_min": c.dw, "kind": c.kind, "replicates": c.replicates, "n": c.n, "cell": cell,
            "mean": c.mean[:, cell], "lo": c.lo[:, cell], "hi": c.hi[:, cell], "bound": b[:, cell],
            "worst_ratio_per_cell": r.max(axis=0), "end_ratio_per_cell": r[-1],
            "floor_measured": c.floor, "w_lo": k.w_lo, "w_hi": k.w_hi, "interval_widened": k.outside,
            "q_max": k.q_max, "mu_q": k.mu_q, "L_q": k.L_q, "phi0": k.phi0, "dist0": k.dist0, "w_sp": k.w_sp,
        }
        if alt_bounds is not None:
            d["alt_bound"] = alt_bounds[idx][:, cell]
            d["alt_worst_ratio_per_cell"] = (c.mean / alt_bounds[idx]).max(axis=0)
        if floors_bound is not None:
            d["floor_bound_term"] = floors_bound[idx]
        out.append(d)
    return {"curves": out, "worst": ev.where, "alt_label": alt_label}


def make_result(*, claim_id, family, claim, source, schedule, n_label, curves, bounds, consts, floors_bound,
                floor_name, margin_how, cross, extra_notes="", alt_bounds=None, alt_label=None,
                ylabel="") -> ClaimResult:
    ev = evaluate(curves, bounds, n_label)
    n_end = int(next(c.n[-1] for c in curves if c.dw == ev.where["dw"]))
    dws = ", ".join(f"{c.dw:g}" for c in curves)
    what = {"mc": f"{curves[0].replicates} replicates", "exact": "exact moments",
            "deterministic": "deterministic"}[curves[0].kind]
    unit = "pairs (2N pulses)" if schedule == "cyclic" else "pulses"
    setting = (f"{device_text(family)}; W0 = {W0:g}; dw_min in {{{dws}}}; "
               f"N from 1 to {HORIZON[schedule]:g}/dw_min pulses "
               f"({len(curves[0].n)} log-spaced checkpoints, N counted in {unit}); {what}")
    notes = "\n\n".join(s for s in [
        method_text(curves, schedule, cross),
        interval_text(consts, curves, margin_how),
        (f"Verdict over all {sum(c.mean.size for c in curves)} (checkpoint, cell, dw_min) points: "
         f"**{ev.verdict}**; the worst measured/bound is {ev.ratio:.3g} (cell {ev.where['cell']}, dw_min "
         f"{ev.where['dw']:g}, {n_label} = {ev.where['n']} of {n_end})."),
        ratio_table(curves, ev, floors_bound, floor_name),
        extra_notes,
    ] if s)
    data = curve_data(curves, bounds, consts, ev, alt_bounds, alt_label, floors_bound)
    data.update({"family": family, "schedule": schedule, "n_label": n_label, "ylabel": ylabel})
    return ClaimResult(
        id=f"{claim_id}/{family}", claim=claim, source=source, setting=setting, measured=ev.measured,
        bound=ev.bound + " at that point (per cell)", ratio=ev.ratio, slope=None, verdict=ev.verdict,
        notes=notes, data=data,
    )


def plot_curves(result: ClaimResult, path) -> None:
    """Measured (with CI band) vs bound over N, log-log, one colour per dw_min,
    for the cell with the worst ratio at that dw_min."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = result.data
    fig, (ax, axr) = plt.subplots(2, 1, figsize=(7, 6.4), sharex=True, gridspec_kw={"height_ratios": [2.2, 1]})
    colors = plt.cm.viridis(np.linspace(0.0, 0.85, len(d["curves"])))
    for c, col in zip(d["curves"], colors):
        n = np.asarray(c["n"], float)
        mean = np.asarray(c["mean"], float)
        bound = np.asarray(c["bound"], float)
        ax.loglog(n, mean, "o-", color=col, ms=3, lw=1.5, label=f"measured, dw={c['dw_min']:g} (cell {c['cell']})")
        if c["kind"] == "mc":
            ax.fill_between(n, np.asarray(c["lo"], float), np.asarray(c["hi"], float), color=col, alpha=0.25, lw=0)
            axr.fill_between(n, np.asarray(c["lo"], float) / bound, np.asarray(c["hi"], float) / bound,
                             color=col, alpha=0.25, lw=0)
        ax.loglog(n, bound, "--", color=col, lw=1.2)
        axr.semilogx(n, mean / bound, "o-", color=col, ms=3, lw=1.2)
        if "alt_bound" in c:
            ax.loglog(n, np.asarray(c["alt_bound"], float), ":", color=col, lw=1.2)
    axr.axhline(1.0, color="k", lw=0.8)
    axr.set_ylabel("measured / bound")
    axr.set_ylim(bottom=0)
    axr.grid(True, which="major", alpha=0.3)
    ax.plot([], [], "k--", label="bound (as stated)")
    if d.get("alt_label"):
        ax.plot([], [], "k:", label=d["alt_label"])
    axr.set_xlabel(f"{d['n_label']}")
    ax.set_ylabel(d.get("ylabel") or "value")
    ax.set_title(f"{result.id}: verdict {result.verdict}, worst ratio {result.ratio:.3g}", fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
