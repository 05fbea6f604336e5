"""prior-gd-rate: noiseless analog GD's rates (W25 Thm 6, W24 Thm 9) and a PL control.

Prior theory (issue 21, item 6).  Source: the arXiv texts as extracted in the public repository
captaindpt/analog-gradients: W24 v1 (``papers/papers-markdown/2406.12774v1.md``, Thm 9 eq. (53), proof App. F
eqs. (54)-(58)) and W25 v3 (``.../2502.06309v3.md``, Thm 6 eqs. (132)-(133), proof eqs. (134)-(143)).  An
earlier version (written before the texts were read) checked a descent-lemma form
``2 (f(W0) - f*)/(alpha q_min K)`` as "W24 Thm 9 / W25 Thm 6"; the parts now check the printed statements.

* ``/average`` -- W25 Thm 6, eq. (133): ``(1/K) sum_{k<K} ||grad f(W_k)||^2 <= 2 L (f(W0) - f*) F_max^2/(K R_min)``,
  ``R_min = min_k min q+(W_k) q-(W_k) > 0``, under Assumptions 1-2 (generic response functions), at the proof's
  step ``alpha = 1/(L F_max)`` (eq. (143); the statement names none).  Setting: the asymmetric soft-bounds
  device below, F_max over the box ``[-0.75, 0.75]``, R_min measured per run.
* ``/w24-thm9`` -- W24 Thm 9, eq. (53) as printed: on the ALD (``q_pm = 1 -/+ w/tau``), for ``alpha <= 1/L``,
  ``(1/K) sum ||grad f||^2 <= 2 (f(W0) - f*) L/(K (1 - W_max^2/tau^2))``.  Run at ``alpha = 0.1/L`` (inside the
  condition).  Its proof ends at eq. (58) with ``1/alpha`` in place of ``L`` (sympy ``wu2024.thm9_expr``:
  printed/proof = ``alpha L``), so the printed form is expected to fail for ``alpha < 1/L`` once K is large.
* ``/w24-thm9-corrected`` -- eq. (58) on the same run.
* ``/linear`` -- a derived control, not a statement of W24 or W25 (neither states a linear rate):
  ``f(W_K) - f* <= (1 - alpha mu q_min)^K (f(W0) - f*)`` under PL for ``alpha <= 1/(L q_max)``
  (sympy: ``wu2025.gd_linear_rate_bound_expr``), on the control run (``alpha = 0.5/(L q_max)``).

Setting: diagonal quadratic (D = 8, curvatures geometric in [0.5, 2], L = 2), W* ~ U(+/-0.4), R starts
W0 ~ U(+/-0.6); asymmetric soft-bounds device (a_up = 1.2, a_dn = 0.8, tau = 1) for ``/average`` and
``/linear``, the ALD (a_up = a_dn = 1, tau = 1) for W24 Thm 9; ``pulse_mode="noiseless"`` (the theorems'
recursion).

Predictions (fixed before the run): kind ``upper`` for each part, on the ratio measured/bound at every K of a
geometric grid, worst replicate.  The recursion is deterministic given the start, so the interval of each
point is the point itself (no sampling, no family-wise correction needed).  ``/average``,
``/w24-thm9-corrected`` and ``/linear`` are the controls (expected to hold).

Hypotheses (measured along the run): Def. 2.1 / W25 Assumption 3 on the visited range (``R_min > 0``), each
part's step-size condition, Assumption 4 (``W_max < tau``, the measured ``max_k ||W_k||_inf``) for W24, PL for
``/linear``.  Check: the linear bound stays above the floating-point floor (``1e-10 (f(W0) - f*)``).
"""

from __future__ import annotations

import numpy as np

from sptheory import stats
from sptheory.bounds import wu2024, wu2025
from sptheory.experiments import prior as X
from verification.harness import ClaimResult

ID = "prior-gd-rate"
PART = "prior theory"
TITLE = "Noiseless analog GD: W25 Thm 6 and W24 Thm 9 average-gradient rates, a PL linear-rate control"
PREDICTIONS = {
    "average": stats.Prediction("upper", "(1/K) sum ||grad f(W_k)||^2 <= 2 L (f(W0) - f*) F_max^2/(K R_min) at every K "
                                "(W25 Thm 6, eq. (133), alpha = 1/(L F_max))"),
    "w24-thm9": stats.Prediction("upper", "(1/K) sum ||grad f(W_k)||^2 <= 2 (f(W0) - f*) L/(K (1 - W_max^2/tau^2)) at "
                                 "every K, alpha <= 1/L (W24 Thm 9, eq. (53))"),
    "w24-thm9-corrected": stats.Prediction("upper", "(1/K) sum ||grad f(W_k)||^2 <= 2 (f(W0) - f*)/(alpha K (1 - "
                                           "W_max^2/tau^2)) at every K (W24 eq. (58))"),
    "linear": stats.Prediction("upper", "f(W_K) - f* <= (1 - alpha mu q_min)^K (f(W0) - f*) at every K (derived control)"),
}


def sizes(quick: bool) -> dict:
    return X.gd_sizes(quick)


def run(quick: bool, rng_seed: int, executor=None, size: dict | None = None):
    sim = X.simulate_gd(quick, rng_seed, size)
    z, alpha, L, mu, dev = sim["size"], sim["alpha"], sim["L"], sim["mu"], sim["dev"]
    g2, gap = sim["g2"], sim["gap"]
    K = z["K"]
    consts = dev.constants(sim["lo"], sim["hi"])
    q_min, q_max = float(np.min(consts.q_min)), float(np.max(consts.q_max))
    step_max = wu2024.gd_step_condition(L, q_max)
    fmt = stats._fmt
    hyps = [
        stats.Hypothesis("Def. 2.1 on the visited range", "q_min > 0",
                         f"visited [{fmt(sim['lo'].min())}, {fmt(sim['hi'].max())}]: q in [{fmt(q_min)}, {fmt(q_max)}]",
                         q_min > 0),
        stats.Hypothesis("step size", "alpha <= 1/(L q_max) (visited q_max)",
                         f"alpha = {fmt(alpha)}, 1/(L q_max) = {fmt(step_max)}", alpha <= step_max),
    ]
    Ks = np.unique(np.geomspace(1, K, 25).astype(int))
    gap0 = gap[0]
    fam = f"deterministic recursion: each point is the worst of {z['R']} replicates, no sampling"
    # /linear (derived control, the control run)
    BL = np.stack([wu2025.gd_linear_rate_bound(gap0, alpha, mu, q_min, k) for k in Ks])
    gl = gap[Ks]
    floor_ok = bool(np.all(BL >= 1e-10 * gap0))
    ratio_l = (gl / BL).max(axis=1)
    check = stats.Hypothesis("above the float floor", "linear bound >= 1e-10 (f(W0) - f*) on the grid",
                             f"smallest bound/gap0 {fmt(np.min(BL / gap0))}", floor_ok)
    # /average: W25 Thm 6 eq. (133) at alpha = 1/(L F_max)
    s6 = X.simulate_gd(quick, rng_seed, size, variant="w25_thm6")
    dev6, a6 = s6["dev"], s6["alpha"]
    box = np.array([-X.GD["box"], X.GD["box"]])
    F_max = float(np.max(0.5 * (dev6.q_plus(box) + dev6.q_minus(box))))
    qq = np.minimum(dev6.q_plus(s6["lo_r"]) * dev6.q_minus(s6["lo_r"]), dev6.q_plus(s6["hi_r"]) * dev6.q_minus(s6["hi_r"]))
    R_min = qq.min(axis=1)                       # per replicate: q+ q- is concave on the device, min at an end
    F_vis = float(np.max(0.5 * (dev6.q_plus(s6["lo_r"]) + dev6.q_minus(s6["lo_r"]))))
    F_vis = max(F_vis, float(np.max(0.5 * (dev6.q_plus(s6["hi_r"]) + dev6.q_minus(s6["hi_r"])))))
    EK6 = np.cumsum(s6["g2"][:-1], axis=0)[Ks - 1] / Ks[:, None]
    B6 = np.stack([wu2025.thm6_average(s6["gap"][0], L, F_max, R_min, k) for k in Ks])
    ratio_6 = (EK6 / B6).max(axis=1)
    hyps6 = [
        stats.Hypothesis("W25 Assumption 3 / Thm 6's R_min", "min_k min q+ q- > 0", f"smallest R_min {fmt(R_min.min())}",
                         bool(R_min.min() > 0)),
        stats.Hypothesis("F_max bounds F on the visited range", "max F(visited) <= F_max (box)",
                         f"{fmt(F_vis)} <= {fmt(F_max)}", F_vis <= F_max),
        stats.Hypothesis("proof's step (eq. (143))", "alpha = 1/(L F_max)", f"alpha = {fmt(a6)} = 1/({fmt(L)} x {fmt(F_max)})",
                         bool(np.isclose(a6, 1 / (L * F_max)))),
    ]
    # /w24-thm9 and its correction: ALD, alpha = 0.1/L
    s9 = X.simulate_gd(quick, rng_seed, size, variant="w24_thm9")
    a9, tau = s9["alpha"], X.GD["tau"]
    Wmax = np.maximum(np.abs(s9["lo_r"]), np.abs(s9["hi_r"])).max(axis=1)   # per replicate max_k ||W_k||_inf
    EK9 = np.cumsum(s9["g2"][:-1], axis=0)[Ks - 1] / Ks[:, None]
    B9p = np.stack([wu2024.thm9_printed(s9["gap"][0], L, k, Wmax, tau) for k in Ks])
    B9c = np.stack([wu2024.thm9_proof(s9["gap"][0], a9, k, Wmax, tau) for k in Ks])
    ratio_9p, ratio_9c = (EK9 / B9p).max(axis=1), (EK9 / B9c).max(axis=1)
    hyps9 = [
        stats.Hypothesis("W24's ALD", "q_pm = 1 -/+ w/tau", f"SoftBounds a_up = a_dn = 1, tau = {tau}", True),
        stats.Hypothesis("step size", "alpha <= 1/L", f"alpha = {fmt(a9)}, 1/L = {fmt(1 / L)}", a9 <= 1 / L),
        stats.Hypothesis("Assumption 4", "W_max = max_k ||W_k||_inf < tau", f"largest W_max {fmt(Wmax.max())}",
                         bool(Wmax.max() < tau)),
        stats.Hypothesis("Assumptions 1-2", "L-smooth, bounded below", f"quadratic, L = {fmt(L)}, f* = 0", True),
    ]
    e9 = wu2024.thm9_expr()
    erratum9 = {
        "paper": "W24 Thm 9, eq. (53): for alpha <= 1/L, (1/K) sum ||grad f(W_k)||^2 <= 2 (f(W0) - f*) L/(K (1 - W_max^2/tau^2))",
        "corrected": "(1/K) sum ||grad f(W_k)||^2 <= 2 (f(W0) - f*)/(alpha K (1 - W_max^2/tau^2)) (the proof's eq. (58)); "
                     "eq. (53) follows only at alpha = 1/L",
        "settled_by": f"sympy (wu2024.thm9_expr: printed/proof = {e9.steps['ratio']}) and simulation at alpha = {fmt(a9)} "
                      f"= 0.1/L: worst measured/printed {fmt(ratio_9p.max())}, worst measured/(58) {fmt(ratio_9c.max())}",
    }
    out = []
    setting = (f"diagonal quadratic D={X.GD['D']}, A geometric in [{X.GD['A_lo']}, {X.GD['A_hi']}] (L={fmt(L)}, "
               f"mu={fmt(mu)}), W* ~ U(+/-{X.GD['w_star']}); SoftBounds a_up={X.GD['a_up']}, a_dn={X.GD['a_dn']}, "
               f"tau={X.GD['tau']}; pulse_mode='noiseless'; alpha = {X.GD['step_frac']}/(L q_max on [-{X.GD['box']}, "
               f"{X.GD['box']}]) = {fmt(alpha)}; {z['R']} starts W0 ~ U(+/-{X.GD['w0']}); K={K}")
    late = Ks >= K // 10
    fit = stats.loglog_slope(Ks[late], EK9[late].mean(axis=1))
    out = []
    set9 = setting.replace(f"SoftBounds a_up={X.GD['a_up']}, a_dn={X.GD['a_dn']}", "ALD (SoftBounds a_up = a_dn = 1)")
    set9 = set9[:set9.index("alpha =")] + f"alpha = 0.1/L = {fmt(a9)}; {z['R']} starts; K={K}"
    set6 = setting[:setting.index("alpha =")] + f"alpha = 1/(L F_max) = {fmt(a6)} (F_max = {fmt(F_max)} on the box); " \
        f"{z['R']} starts; K={K}"
    for part, ratio, what, src, pred, hp0, st, EKp, Bp in (
        ("average", ratio_6, "time-averaged ||grad f||^2", "W25 Thm 6, eq. (133) (proof eq. (143): alpha = 1/(L F_max))",
         PREDICTIONS["average"], hyps6, set6, EK6, B6),
        ("w24-thm9", ratio_9p, "time-averaged ||grad f||^2", "W24 Thm 9, eq. (53) as printed", PREDICTIONS["w24-thm9"],
         hyps9, set9, EK9, B9p),
        ("w24-thm9-corrected", ratio_9c, "time-averaged ||grad f||^2", "W24 Thm 9's proof, eq. (58) (corrected statement)",
         PREDICTIONS["w24-thm9-corrected"], hyps9, set9, EK9, B9c),
        ("linear", ratio_l, "f(W_K) - f*", "derived control (this package's sympy; not a statement of W24 or W25)",
         PREDICTIONS["linear"], hyps, setting, gl, BL),
    ):
        checks = [check] if part == "linear" else []
        hp = hp0 + ([stats.Hypothesis("PL", "||grad f||^2 >= 2 mu (f - f*)", f"quadratic: mu = min A = {fmt(mu)}",
                                      True)] if part == "linear" else [])
        j = stats.judge(pred, stats.Curve(ratio, ratio, ratio, np.ones_like(ratio), fam), hp, checks)
        notes = (f"Verdict {j.verdict}: {j.reason}. Worst measured/bound over K in [1, {K}]: {fmt(ratio.max())} "
                 f"(at K={Ks[int(np.argmax(ratio))]}).")
        if part == "average":
            notes += (f" R_min per run in [{fmt(R_min.min())}, {fmt(R_min.max())}]; sympy: wu2025.thm6_average_expr "
                      "(eq. (143) at alpha = 1/(L F_max) gives (133)). The earlier descent-lemma form "
                      "2 (f(W0) - f*)/(alpha q_min K) at alpha = 0.5/(L q_max) is no longer judged.")
        elif part == "w24-thm9":
            first = Ks[int(np.argmax(ratio > 1))] if np.any(ratio > 1) else None
            notes += (f" The printed bound is exceeded from K = {first} on; at alpha = 1/L it would coincide with eq. (58)"
                      f" (printed/proof = alpha L = {fmt(a9 * L)}).")
        elif part == "w24-thm9-corrected":
            notes += f" Order of E_K over K >= {K // 10} (reported, not a verdict): slope {fit.format()}."
        else:
            notes += (" Derived control (sympy: wu2025.gd_linear_rate_bound_expr); neither W24 nor W25 states a linear "
                      f"rate; q_min = {fmt(q_min)}, alpha = {fmt(alpha)}, mu = {fmt(mu)}.")
        out.append(ClaimResult(
            id=f"{ID}/{part}", claim=f"Noiseless analog GD: {pred.statement}", source=src,
            setting=st, measured=f"worst {what} / bound per K: " + ", ".join(
                f"K={k}: {fmt(r)}" for k, r in list(zip(Ks, ratio))[::4]),
            bound=pred.statement, ratio=float(ratio.max()), notes=notes,
            data=dict(part=part, K=Ks, ratio=ratio, measured=EKp.mean(axis=1), bound=Bp.mean(axis=1)),
            prediction=pred, judgement=j, hypotheses=hp, checks=checks,
            erratum=erratum9 if part == "w24-thm9" else None))
    return out


def plot(result: ClaimResult, path) -> None:
    import matplotlib.pyplot as plt

    d = result.data
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    ax = axes[0]
    ax.loglog(d["K"], d["measured"], "o-", ms=3, label="measured (mean over starts)")
    ax.loglog(d["K"], d["bound"], "k--", label="bound (mean over starts)")
    ax.set(xlabel="K", ylabel="E_K" if d["part"] == "average" else "f(W_K) - f*", title=d["part"])
    ax.legend(fontsize=7)
    ax = axes[1]
    ax.semilogx(d["K"], d["ratio"], "o-", ms=3)
    ax.axhline(1.0, color="k", lw=0.8)
    ax.set(xlabel="K", ylabel="worst measured / bound", title="the verdict's curve (holds if <= 1)")
    fig.suptitle(f"{result.id}: {result.verdict}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
