"""Thm 3.7's Theta(dw_min) term: RIDER's asymptotic error grows linearly in dw_min.

Pulse-exact runs (``pulse_mode="exact"``: stochastic rounding of |dW|/dw_min,
pulse by pulse; SoftBounds so the engine's exact closed-form pulse runs
apply) at a fixed small alpha, for dw_min over more than a decade; the
asymptotic error is the average of ``||W_k - W*||^2`` over the second half of
a run long enough (10 time constants 1/(alpha mu) of the slow array) to be
stationary.  A noiseless run (``pulse_mode="noiseless"``, dw_min -> 0) at
the same alpha gives the dw-independent part (the alpha sigma^2 term and the
SPEC 9.9 bias), which is subtracted; the slope of the excess vs dw_min is
judged against +1.  sigma is small so the dw_min term dominates the alpha term.
"""

from __future__ import annotations

import numpy as np

from sptheory import algorithms, stats
from sptheory.sweep import run_jobs
from verification.harness import ClaimResult

from . import _rider_common as rc

ID = "rider-floor"
TITLE = "Thm 3.7: RIDER's asymptotic error has a Theta(dw_min) floor (slope +1 in dw_min)"
SOURCE = "Thm 3.7, eqs. (15), (72) (Theta(dw_min) term); Assumption 3.4; SPEC 3, 7"

GAMMA = 0.5
ALPHA = 0.005
SIGMAS = (0.1, 0.4)  # small sigma: the dw_min term dominates; the larger one keeps |g| noise-dominated (see notes)


def sizes(quick: bool) -> dict:
    if quick:
        return dict(D=8, R=16, K=2400, dw=np.geomspace(2e-3, 3.2e-2, 5).tolist())
    return dict(D=8, R=32, K=4000, dw=np.geomspace(2e-3, 3.2e-2, 5).tolist())


def build(D: int, seed: int, dw_min: float, sigma: float):
    ss = np.random.SeedSequence(seed).spawn(3)
    prob = rc.quadratic(D, np.random.default_rng(ss[0]), sigma)
    dev_p = rc.soft_device(D, np.random.default_rng(ss[1]), dw_min=dw_min, mean=0.4, spread=0.2)
    dev_w = rc.soft_device(D, np.random.default_rng(ss[2]), dw_min=dw_min, mean=-0.2, spread=0.2)
    return prob, dev_p, dev_w


def run_one(dw_min: float, mode: str, sigma: float, D: int, R: int, K: int, seed: int, run_seed) -> dict:
    """One run; per-replicate averages over the second half (k >= K/2) of ||W - W*||^2 and f(W_bar) - f*."""
    prob, dev_p, dev_w = build(D, seed, dw_min, sigma)
    mu = prob.mu
    alg = algorithms.rider(dev_p, dev_w, ALPHA, ALPHA * GAMMA * mu, ALPHA * mu, GAMMA, pulse_mode=mode)
    state = alg.init(prob.W_star, P0=0.0, Q0=0.0, replicates=R)
    every = max(1, K // 400)
    _, tr = algorithms.run(alg, prob, state, K, run_seed, record_every=every)
    half = tr.k >= K // 2
    return dict(w=tr.w_dist[half].mean(axis=0), f=tr.f_gap[half].mean(axis=0),
                pulses_per_step=float(tr.pulses[-1].mean() / K))


def measure(quick: bool, rng_seed: int, executor=None, sigmas=SIGMAS) -> dict:
    """``{"sizes", "sigmas", "parts": [one floor curve per sigma]}``."""
    sz = sizes(quick)
    n = len(sz["dw"]) + 1
    seeds = np.random.SeedSequence(rng_seed).spawn(n * len(sigmas) + 1)
    dev_seed = int(seeds[0].generate_state(1)[0])
    common = dict(D=sz["D"], R=sz["R"], K=sz["K"], seed=dev_seed)
    jobs = []
    for j, sg in enumerate(sigmas):
        jobs += [dict(dw_min=dw, mode="exact", sigma=sg, run_seed=seeds[1 + j * n + i], **common)
                 for i, dw in enumerate(sz["dw"])]
        # noiseless: dw_min only sets the (unused) pulse count, the recursion does not depend on it
        jobs.append(dict(dw_min=sz["dw"][0], mode="noiseless", sigma=sg, run_seed=seeds[1 + j * n + n - 1], **common))
    out = run_jobs(run_one, jobs, executor=executor, progress=False)
    parts = [dict(sigma=sg, **_curve(sz, out[j * n:(j + 1) * n])) for j, sg in enumerate(sigmas)]
    return dict(sizes=sz, dw=list(sz["dw"]), sigmas=list(sigmas), parts=parts,
                verdict=stats.combine_verdicts(p["verdict"] for p in parts))


def _curve(sz, out) -> dict:
    exact, base = out[:-1], out[-1]
    est = [stats.mean_ci(o["w"]) for o in exact]
    est0 = stats.mean_ci(base["w"])
    excess = np.array([e.mean - est0.mean for e in est])
    err = np.array([np.hypot(e.sem, est0.sem) for e in est])
    dw = np.asarray(sz["dw"])
    fit_raw = stats.loglog_slope(dw, [e.mean for e in est], y_err=[max(e.sem, 1e-15) for e in est])
    if np.all(excess > 0):
        fit = stats.loglog_slope(dw, excess, y_err=np.maximum(err, 1e-15))
        verdict, fitted = stats.slope_verdict(fit, 1.0), "excess"
    else:
        fit, verdict, fitted = fit_raw, "inconclusive", "raw"
    sl = lambda f: dict(slope=f.slope, lo=f.lo, hi=f.hi, intercept=f.intercept, r2=f.r2)
    return dict(
        dw=dw.tolist(),
        exact=dict(mean=[e.mean for e in est], lo=[e.lo for e in est], hi=[e.hi for e in est],
                   sem=[e.sem for e in est], f_gap=[float(o["f"].mean()) for o in exact],
                   pulses_per_step=[o["pulses_per_step"] for o in exact]),
        noiseless=dict(mean=est0.mean, lo=est0.lo, hi=est0.hi, sem=est0.sem, f_gap=float(base["f"].mean())),
        excess=dict(mean=excess.tolist(), err=err.tolist()),
        fit=sl(fit), fit_raw=sl(fit_raw), fitted=fitted, verdict=verdict,
    )


def run(quick: bool, rng_seed: int, executor=None) -> ClaimResult:
    m = measure(quick, rng_seed, executor)
    sz = m["sizes"]
    setting = (f"RIDER, pulse_mode=exact (stochastic rounding, pulse by pulse) vs noiseless at the same rates; "
               f"Quadratic D={sz['D']}, eigenvalues geomspace(0.5, 2), sigma in {list(m['sigmas'])}; SoftBounds P "
               f"and W arrays (tau=3, SP offsets 0.4 + 0.2 N / -0.2 + 0.2 N), alpha={ALPHA}, beta=alpha*gamma*mu, "
               f"eta=alpha*mu, gamma={GAMMA}; K={sz['K']} (~{sz['K'] * ALPHA * 0.5:.0f} time constants "
               f"1/(alpha mu)), error = mean of ||W_k - W*||^2 over k >= K/2; dw_min in "
               f"{[float(f'{d:.3g}') for d in sz['dw']]} ({np.log10(sz['dw'][-1] / sz['dw'][0]):.2f} decades); "
               f"R={sz['R']}; start W0=W*, P0=Q0=0 (Q not at the SP)" + (" (quick)" if quick else ""))
    meas, slopes, notes = [], [], []
    for p in m["parts"]:
        ex, nl, f, fr = p["exact"], p["noiseless"], p["fit"], p["fit_raw"]
        meas.append(f"sigma={p['sigma']}: floor " + ", ".join(
            f"{d:.3g}: {m_:.3g} [{lo:.3g}, {hi:.3g}]" for d, m_, lo, hi in zip(p["dw"], ex["mean"], ex["lo"], ex["hi"]))
            + f"; noiseless part {nl['mean']:.3g} [{nl['lo']:.3g}, {nl['hi']:.3g}]")
        slopes.append(f"sigma={p['sigma']}: {f['slope']:.3f} [{f['lo']:.3f}, {f['hi']:.3f}] ({p['verdict']})")
        notes.append(
            f"sigma={p['sigma']}: slope of the "
            + ("excess over the noiseless run" if p["fitted"] == "excess" else
               "raw floor (the excess was not positive at every dw_min, so the verdict is inconclusive)")
            + f" {f['slope']:.3f} [{f['lo']:.3f}, {f['hi']:.3f}]; raw floor without subtraction "
            f"{fr['slope']:.3f} [{fr['lo']:.3f}, {fr['hi']:.3f}]; noiseless part {nl['mean']:.3g}; pulses per "
            f"iteration per cell {', '.join(f'{x:.3g}' for x in ex['pulses_per_step'])}.")
    notes = (
        "Slopes: weighted log-log fits of (pulse-exact floor - noiseless floor) vs dw_min, the errors of the two "
        "runs combined, judged against +1 with stats.slope_verdict; the theorem gives no constant for "
        "Theta(dw_min), so only the exponent is checked. The noiseless part is the alpha sigma^2 term plus "
        "RIDER's SPEC 9.9 bias (Q does not move to the SP). Physics of the two sigmas: "
        "the pulse noise of P has variance ~ alpha |g| dw_min per step, and |g| is set by the gradient noise "
        "sigma only while that dominates; when the pulse noise itself dominates |g| (small sigma, large dw_min), "
        "|g| ~ sqrt(floor) and the floor grows like dw_min^2, so a slope between 1 and 2 at small sigma is the "
        "crossover, and +1 is expected where sigma dominates |g|. sigma = 0.1 was chosen first (small, per the brief); sigma = 0.4 was added after seeing its slope above 1, to show the crossover, not to change a verdict (both parts enter the combined verdict). A slope above +1 over this range does not contradict (72) read as an upper bound (O(dw_min) as dw_min -> 0: a steeper curve falls below any line through its small-dw end); it contradicts the Theta(dw_min) exponent over the range measured, which is what the verdict tests.\n\n" + "\n\n".join(notes))
    return ClaimResult(
        id=ID, claim=TITLE, source=SOURCE, setting=setting, measured="; ".join(meas),
        bound="asymptotic error = O(alpha-term) + Theta(dw_min): slope +1 in dw_min",
        ratio=None, slope="; ".join(slopes) + " vs predicted 1", verdict=m["verdict"], notes=notes, data=m,
    )


def draw(ax, part: dict) -> None:
    """Floor vs dw_min of one sigma part on ``ax``; shared with paper_figs.thm37."""
    dw = np.asarray(part["dw"])
    ex, nl = part["exact"], part["noiseless"]
    mean = np.asarray(ex["mean"])
    ax.errorbar(dw, mean, yerr=np.maximum([mean - ex["lo"], np.asarray(ex["hi"]) - mean], 0), marker="o",
                capsize=2, label="pulse-exact")
    ax.axhline(nl["mean"], color="gray", ls="--", label=f"noiseless (dw-independent) {nl['mean']:.2g}")
    exc = np.asarray(part["excess"]["mean"])
    ok = exc > 0
    ax.errorbar(dw[ok], exc[ok], yerr=np.asarray(part["excess"]["err"])[ok], marker="s", capsize=2,
                label="excess over noiseless")
    f = part["fit"]
    ax.plot(dw, np.exp(f["intercept"]) * dw ** f["slope"], "k:",
            label=f"fit slope {f['slope']:.2f} [{f['lo']:.2f}, {f['hi']:.2f}] (vs +1)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("dw_min")
    ax.set_ylabel("mean ||W - W*||^2, second half")
    ax.set_title(f"RIDER floor vs dw_min, sigma={part['sigma']}")
    ax.legend(fontsize=7)


def plot(result: ClaimResult, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    parts = result.data["parts"]
    fig, axes = plt.subplots(1, len(parts), figsize=(5.5 * len(parts), 4.3), squeeze=False)
    for ax, p in zip(axes[0], parts):
        draw(ax, p)
    fig.suptitle(f"{result.id}: verdict {result.verdict}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
