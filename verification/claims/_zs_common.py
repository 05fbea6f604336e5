"""Shared pieces of the zero-shifting bound claims: predictions, hypotheses, report text.

Used by ``zs_avg`` (Thm 2.2), ``zs_last`` (Thm C.2), ``zs_cyclic_avg`` (Thm C.3)
and ``zs_cyclic_last`` (Thm C.4).  The settings and simulations are the
experiment :mod:`sptheory.experiments.zero_shift`; the drawing is
:func:`sptheory.experiments.plotting.zs_bound_curves`.

Rule (kind ``upper``, the same for the four theorems): every (checkpoint, cell,
dw_min) point of a family is compared with its own bound (per cell, errata id
``errata/per-cell``); Monte Carlo points carry simultaneous intervals
(Bonferroni over all points of the family, 95 % family-wise); exact and
deterministic values are their own interval.  Violated if some point's
interval lies entirely above its bound, holds if every interval is at or
below it, inconclusive otherwise -- by :func:`sptheory.stats.judge`.
Previous rule: the same comparison with 95 % intervals per point (not
simultaneous).  Hypotheses checked along the run: Def. 2.1 (q_min > 0) and,
for Thm C.2/C.4, Def. C.1 (mu_q > 0) and 2 mu_q dw_min < 1, all on the
interval [w_lo, w_hi] where the constants were taken, and that interval
contains the range the iterates visited.
"""

from __future__ import annotations

import numpy as np
from scipy import stats as _st

from sptheory import stats
from sptheory.experiments import plotting
from sptheory.experiments import zero_shift as E
from verification.harness import ClaimResult

FAMILIES = E.FAMILIES
SIGMAS = E.SIGMAS
STATIONARY_HORIZON = E.STATIONARY_HORIZON


def family_seeds(rng_seed: int) -> list[int]:
    """One independent seed per device family, derived from the claim's seed."""
    return [int(x) for x in np.random.default_rng(rng_seed).integers(2**62, size=len(FAMILIES))]


def level(family: str, quick: bool, schedule: str) -> float:
    """Per-point level giving 95 % family-wise over all points of one family (Bonferroni)."""
    return stats.simultaneous_level(0.95, E.n_points(family, quick, schedule))


def simulate(family, quick, seed, schedule, quantity, margin_fn, executor=None):
    """The experiment of one family, its constants per dw_min, and the per-point level."""
    lev = level(family, quick, schedule)
    curves, devs, cross = E.simulate(family, schedule, quantity, quick, seed, executor, level=lev)
    consts = [E.theorem_constants(d, margin_fn(d), c.seen_min, c.seen_max) for d, c in zip(devs, curves)]
    return curves, devs, cross, consts, lev


def hypotheses(consts: list, curves: list, monotone: bool) -> list:
    """Hypotheses table of a ZS theorem, measured over every cell and dw_min of the run."""
    q_min = min(float(np.min(k.q_min)) for k in consts)
    n_cases = sum(k.w_lo.size for k in consts)
    outside = sum(int(np.count_nonzero(~k.inside)) for k in consts)
    widened = sum(int(np.count_nonzero(k.widened)) for k in consts)
    visited = {"mc": "every recorded iterate (all replicates, all checkpoints)",
               "deterministic": "every recorded iterate (all checkpoints)",
               "exact": f"E[W_n] -/+ {SIGMAS:g} sd at every checkpoint"}[curves[0].kind]
    rows = [
        stats.Hypothesis("Def. 2.1 on [w_lo, w_hi]", "q_min > 0 (both responses bounded below)",
                         f"min q_min = {q_min:.3g}", q_min > 0),
        stats.Hypothesis("visited range inside [w_lo, w_hi]", f"{visited} inside the interval of the constants",
                         f"{outside} of {n_cases} (cell, dw_min) cases outside; a-priori interval widened in "
                         f"{widened}", outside == 0),
    ]
    if monotone:
        mu = min(float(np.min(k.mu_q)) for k in consts)
        x = max(float(np.max(2.0 * k.mu_q * c.dw)) for k, c in zip(consts, curves))
        rows += [
            stats.Hypothesis("Def. C.1 monotone responses", "mu_q > 0 on [w_lo, w_hi]", f"min mu_q = {mu:.3g}",
                             mu > 0),
            stats.Hypothesis("step condition of Thm C.2/C.4", "2 mu_q dw_min < 1", f"max 2 mu_q dw_min = {x:.3g}",
                             x < 1),
        ]
    return rows


def measurement(curves, bounds_) -> stats.Curve:
    """All points of one family, flattened, with their (simultaneous) intervals."""
    kind = curves[0].kind
    m = sum(c.mean.size for c in curves)
    family = {"mc": f"Bonferroni over {m} (checkpoint, cell, dw_min) points, 95 % family-wise",
              "exact": "exact expectations (no sampling): each value is its own interval",
              "deterministic": "deterministic values (no sampling): each value is its own interval"}[kind]
    cat = lambda xs: np.concatenate([np.ravel(x) for x in xs])  # noqa: E731
    return stats.Curve(mean=cat([c.mean for c in curves]), lo=cat([c.lo for c in curves]),
                       hi=cat([c.hi for c in curves]), bound=cat([np.broadcast_to(b, c.mean.shape)
                                                                   for c, b in zip(curves, bounds_)]),
                       family=family)


def _g(v) -> str:
    return f"{float(v):.3g}"


def interval_text(consts: list, curves: list, how: str) -> str:
    widths = np.concatenate([k.w_hi - k.w_lo for k in consts])
    n_wid = sum(int(k.widened.sum()) for k in consts)
    cells = sum(k.widened.size for k in consts)
    base = (f"Constants q_min, q_max, mu_q, L_q per cell and per dw_min over [w_lo, w_hi] = "
            f"hull of [w_sp - m_sp, w_sp + m_sp] and [W0 - m_0, W0 + m_0] ({how}), kept {E.EDGE:.0%} of the device "
            f"range inside each bound (`experiments.zero_shift.constants_interval`); interval widths "
            f"{widths.min():.3g} to {widths.max():.3g}. ")
    if n_wid:
        at = ", ".join(f"{c.dw:g}" for c, k in zip(curves, consts) if k.widened.any())
        return base + (f"Recorded iterates left the a-priori interval in {n_wid} of {cells} (cell, dw_min) cases "
                       f"(dw_min = {at}); there it was widened to the recorded extremes plus one pulse "
                       "(a wider interval only loosens the bound).")
    return base + f"The visited range lies inside the a-priori interval in all {cells} (cell, dw_min) cases."


def method_text(curves: list, schedule: str, cross: dict | None, lev: float) -> str:
    kind = curves[0].kind
    if kind == "exact":
        s = ("Measured values are exact expectations from `calibration.zero_shift_moments` "
             "(closed-form moment recursion of the affine SoftBounds device; no sampling, so no interval). ")
        return s + (cross_text(cross) if cross else "")
    if kind == "deterministic":
        return ("Cyclic ZS without cycle-to-cycle noise is deterministic: one pulse-by-pulse trajectory per cell "
                "(`calibration.zero_shift`, schedule cyclic, up first) gives the exact value; no interval.")
    return (f"Pulse-by-pulse Monte Carlo (`calibration.zero_shift`, {schedule} schedule): {curves[0].replicates} "
            f"independent replicates per cell; mean with a t-interval per (checkpoint, cell) at level {lev:.6f} "
            f"(Bonferroni: 95 % family-wise over the family's points, `stats.mean_ci`).")


def cross_text(cross: dict) -> str:
    if cross["kind"] == "deterministic":
        return (f"Cross-check: pulse-by-pulse `zero_shift` (cyclic, deterministic) at dw_min = {cross['dw']:g} "
                f"reproduces the exact values at every checkpoint and cell to a relative {cross['max_rel_diff']:.1e}.")
    exact, mean, sem = (np.asarray(cross[k]) for k in ("exact", "mc_mean", "mc_sem"))
    det = sem <= 1e-9 * np.abs(exact)  # every replicate agrees (e.g. G(W_0)^2 at n = 1)
    det_rel = float(np.max(np.abs(mean - exact)[det] / np.abs(exact[det]), initial=0.0))
    z = np.abs(mean - exact)[~det] / sem[~det]
    t95 = _st.t.ppf(0.975, cross["replicates"] - 1)
    frac = float(np.mean(z <= t95))
    det_txt = (f"; at the {int(det.sum())} points where all replicates coincide they agree to a relative "
               f"{det_rel:.1e}" if det.any() else "")
    return (f"Cross-check: pulse-by-pulse `zero_shift` at dw_min = {cross['dw']:g} ({cross['replicates']} replicates "
            f"per cell): the exact value lies inside the Monte Carlo 95 % interval at {100 * frac:.1f} % of "
            f"{int((~det).sum())} (checkpoint, cell) points (about 95 % expected; the points are correlated along "
            f"N), largest |MC - exact| / sem = {float(z.max()):.2f}{det_txt}.")


def worst_point(curves, bounds_):
    worst, where = -np.inf, None
    rows = []
    for c, b in zip(curves, bounds_):
        r = c.mean / b
        i, j = np.unravel_index(int(np.argmax(r)), r.shape)
        pulses_per_n = 2 if c.extra.get("schedule") == "cyclic" else 1
        late = min(int(np.searchsorted(c.n * pulses_per_n, 1.0 / c.dw)), len(c.n) - 1)
        rows.append((float(r[i, j]), float(r[-1].max()), float(r[late:].max())))
        if r[i, j] > worst:
            worst = float(r[i, j])
            where = {"dw": c.dw, "n": int(c.n[i]), "cell": int(j), "mean": float(c.mean[i, j]),
                     "lo": float(c.lo[i, j]), "hi": float(c.hi[i, j]), "bound": float(b[i, j])}
    return worst, where, rows


def ratio_table(curves, ratios, floors_bound: list, floor_name: str) -> str:
    """Markdown table per dw_min: worst ratio along N, ratio at the end point,
    measured floor vs the bound's dw_min term (median over cells, and range)."""
    rows = ["| dw_min | N_max | worst measured/bound along N | worst for N >= N_1 | at N_max (worst cell) | "
            f"measured floor / {floor_name} (median, range over cells) | measured floor (median cell) |",
            "|---|---|---|---|---|---|---|"]
    for c, (wr, er, late), fb in zip(curves, ratios, floors_bound):
        fr = c.floor / fb
        k = int(np.argsort(c.floor)[len(c.floor) // 2])
        ci = "" if c.kind != "mc" else f" +/- {_g(1.96 * c.floor_sem[k])}"
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
            + (" (+/- 1.96 sem over replicates)." if curves[0].kind == "mc" else " (exact).")))


def make_result(*, claim_id, family, claim, source, schedule, n_label, prediction, curves, bounds, consts,
                floors_bound, floor_name, margin_how, cross, lev, monotone, extra_notes="", alt_bounds=None,
                alt_label=None, ylabel="") -> ClaimResult:
    meas = measurement(curves, bounds)
    hyps = hypotheses(consts, curves, monotone)
    judgement = stats.judge(prediction, meas, hyps)
    worst, w, rows = worst_point(curves, bounds)
    n_end = int(next(c.n[-1] for c in curves if c.dw == w["dw"]))
    dws = ", ".join(f"{c.dw:g}" for c in curves)
    what = {"mc": f"{curves[0].replicates} replicates", "exact": "exact moments",
            "deterministic": "deterministic"}[curves[0].kind]
    unit = "pairs (2N pulses)" if schedule == "cyclic" else "pulses"
    setting = (f"{E.device_text(family)}; W0 = {E.W0:g}; dw_min in {{{dws}}}; "
               f"N from 1 to {E.HORIZON[schedule]:g}/dw_min pulses "
               f"({len(curves[0].n)} log-spaced checkpoints, N counted in {unit}); {what}")
    if curves[0].kind == "mc":
        val = f"{_g(w['mean'])} [{_g(w['lo'])}, {_g(w['hi'])}] (simultaneous interval, {curves[0].replicates} replicates)"
    else:
        val = f"{_g(w['mean'])} ({'exact expectation' if curves[0].kind == 'exact' else 'deterministic, exact'})"
    measured = f"worst point: cell {w['cell']}, dw_min {w['dw']:g}, {n_label} = {w['n']}: {val}"
    notes = "\n\n".join(s for s in [
        method_text(curves, schedule, cross, lev),
        interval_text(consts, curves, margin_how),
        (f"Verdict over all {meas.mean.size} (checkpoint, cell, dw_min) points: **{judgement.verdict}** "
         f"({judgement.reason}); the worst measured/bound is {worst:.3g} (cell {w['cell']}, dw_min "
         f"{w['dw']:g}, {n_label} = {w['n']} of {n_end})."),
        ratio_table(curves, rows, floors_bound, floor_name),
        extra_notes,
    ] if s)
    data = curve_data(curves, bounds, consts, alt_bounds, alt_label, floors_bound)
    data.update({"family": family, "schedule": schedule, "n_label": n_label, "ylabel": ylabel, "worst": w,
                 "level": lev})
    return ClaimResult(
        id=f"{claim_id}/{family}", claim=claim, source=source, setting=setting, measured=measured,
        bound=_g(w["bound"]) + " at that point (per cell)", ratio=worst, slope=None, notes=notes, data=data,
        prediction=prediction, judgement=judgement, hypotheses=hyps,
    )


def curve_data(curves, bounds_, consts, alt_bounds=None, alt_label=None, floors_bound=None) -> dict:
    """JSON-able data: per dw_min the worst cell's curve (for the plot) and per-cell summaries."""
    out = []
    for idx, (c, b, k) in enumerate(zip(curves, bounds_, consts)):
        r = c.mean / b
        cell = int(np.unravel_index(int(np.argmax(r)), r.shape)[1])
        d = {
            "dw_min": c.dw, "kind": c.kind, "replicates": c.replicates, "n": c.n, "cell": cell,
            "mean": c.mean[:, cell], "lo": c.lo[:, cell], "hi": c.hi[:, cell], "bound": b[:, cell],
            "worst_ratio_per_cell": r.max(axis=0), "end_ratio_per_cell": r[-1],
            "floor_measured": c.floor, "w_lo": k.w_lo, "w_hi": k.w_hi, "interval_widened": k.widened,
            "seen_min": k.seen_min, "seen_max": k.seen_max,
            "q_min": k.q_min, "q_max": k.q_max, "mu_q": k.mu_q, "L_q": k.L_q, "phi0": k.phi0, "dist0": k.dist0,
            "w_sp": k.w_sp,
        }
        if alt_bounds is not None:
            d["alt_bound"] = alt_bounds[idx][:, cell]
            d["alt_worst_ratio_per_cell"] = (c.mean / alt_bounds[idx]).max(axis=0)
        if floors_bound is not None:
            d["floor_bound_term"] = floors_bound[idx]
        out.append(d)
    return {"curves": out, "alt_label": alt_label}


def plot_curves(result: ClaimResult, path) -> None:
    """Measured (with its simultaneous band) vs bound over N, for the worst cell at each dw_min."""
    import matplotlib.pyplot as plt

    fig, (ax, axr) = plt.subplots(2, 1, figsize=(7, 6.4), sharex=True, gridspec_kw={"height_ratios": [2.2, 1]})
    data = dict(result.data)
    if any(c["kind"] == "mc" for c in data["curves"]):
        data["band_label"] = "simultaneous 95 % band (Bonferroni)"
    plotting.zs_bound_curves(ax, axr, data, f"{result.id}: verdict {result.verdict}, worst ratio {result.ratio:.3g}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
