"""Thm 3.7 rate: ``E_K = O(1/sqrt K) + Theta(dw_min)`` for RIDER (and E-RIDER beside it).

Setting (chosen from the theorem before any run): ``alpha = c_a/sqrt K``,
``beta = alpha gamma mu``, ``eta = alpha mu``, ``gamma = 1/2`` (every Theta(.)
constant 1), noiseless update model (``pulse_mode="noiseless"``: the
theorems' recursion, the Theta(dw_min) term is exactly 0), a diagonal
quadratic with gradient noise sigma > 0, two device families: the bounded-q
``1 -/+ a tanh(w - s)`` device (Def. 2.1 on the whole line) and SoftBounds,
per-cell SP offsets with nonzero mean and spread.  Three starts
``(W0, P0 = Q0)``, none at the SP (SPEC 9.9).  E-RIDER uses the chopper
probability ``p = 4 eta`` (the chopper period a fixed fraction of the filter
time, so all of its time scales scale like sqrt K, as a -1/2 rate needs).

``E_K = (1/K) sum_k E[||W_k - W*||^2 + ||P_k - Q_k||^2 + ||G_p(P_k)||^2]``
(eq. (14) with unit constants), the time average estimated from about 200
evenly spaced iterates per run.
"""

from __future__ import annotations

import numpy as np

from sptheory import algorithms, stats
from sptheory.sweep import run_jobs
from verification.harness import ClaimResult

from . import _rider_common as rc

ID = "rider-rate"
TITLE = "Thm 3.7: E_K of RIDER decays like K^-1/2 with alpha ~ 1/sqrt K (E-RIDER beside it)"
SOURCE = "Thm 3.7, eqs. (14), (15); SPEC 3, 9.9"

GAMMA = 0.5
C_ALPHA = 0.5
P_OVER_ETA = 4.0
SIGMA = 1.0
INITS = ("origin", "far-Q", "far-both")
INIT_TEXT = {
    "origin": "W0 = 0, P0 = Q0 = 0 (SP mean 0.4)",
    "far-Q": "W0 = 0, P0 = Q0 = 2.4 (2 above the SP mean)",
    "far-both": "W0 = W* + 1, P0 = Q0 = -1.5",
}
DEVICES = ("tanh", "softbounds")
ALGOS = ("rider", "e-rider")


def sizes(quick: bool) -> dict:
    if quick:
        return dict(D=8, R=16, Ks=[100, 200, 400, 800, 1600, 3200])
    return dict(D=12, R=32, Ks=[200, 400, 800, 1600, 3200, 6400])


def build(device: str, D: int, seed: int):
    """Problem and the (P, W) devices for one claim seed (same for every job)."""
    ss = np.random.SeedSequence(seed).spawn(3)
    prob = rc.quadratic(D, np.random.default_rng(ss[0]), SIGMA)
    if device == "tanh":
        dev_p = rc.tanh_device(D, np.random.default_rng(ss[1]), mean=0.4, spread=0.2)
        dev_w = rc.tanh_device(D, np.random.default_rng(ss[2]), mean=-0.2, spread=0.2)
    elif device == "softbounds":
        dev_p = rc.soft_device(D, np.random.default_rng(ss[1]), mean=0.4, spread=0.2)
        dev_w = rc.soft_device(D, np.random.default_rng(ss[2]), mean=-0.2, spread=0.2)
    else:
        raise ValueError(f"unknown device {device!r}")
    return prob, dev_p, dev_w


def start(init: str, prob, D: int):
    if init == "origin":
        return np.zeros(D), 0.0
    if init == "far-Q":
        return np.zeros(D), 2.4
    if init == "far-both":
        return prob.W_star + 1.0, -1.5
    raise ValueError(f"unknown init {init!r}")


def rates(K: int, mu: float, algo: str) -> dict:
    alpha = C_ALPHA / np.sqrt(K)
    eta = alpha * mu
    out = dict(alpha=alpha, beta=alpha * GAMMA * mu, eta=eta, gamma=GAMMA, p=0.0)
    if algo == "e-rider":
        out["p"] = P_OVER_ETA * eta
    return out


def make_algo(algo: str, dev_p, dev_w, r: dict, pulse_mode: str = "noiseless"):
    if algo == "rider":
        return algorithms.rider(dev_p, dev_w, r["alpha"], r["beta"], r["eta"], r["gamma"], pulse_mode=pulse_mode)
    return algorithms.e_rider(dev_p, dev_w, r["alpha"], r["beta"], r["eta"], r["gamma"], p=r["p"],
                              pulse_mode=pulse_mode)


def run_one(device: str, algo: str, init: str, K: int, D: int, R: int, seed: int, run_seed) -> dict:
    """One run of K iterations; per-replicate E_K and its three parts."""
    prob, dev_p, dev_w = build(device, D, seed)
    r = rates(K, prob.mu, algo)
    alg = make_algo(algo, dev_p, dev_w, r)
    W0, Q0 = start(init, prob, D)
    state = alg.init(W0, P0=Q0, Q0=Q0, replicates=R)
    _, tr = algorithms.run(alg, prob, state, K, run_seed, record_every=max(1, K // 200))
    parts = {n: getattr(tr, n)[:-1].mean(axis=0) for n in ("w_dist", "pq", "gp")}  # k = 0 .. K-1
    return dict(E=parts["w_dist"] + parts["pq"] + parts["gp"], parts={k: float(v.mean()) for k, v in parts.items()},
                q_sp_end=float(tr.q_sp[-1].mean()), rates=r)


def measure(quick: bool, rng_seed: int, executor=None, algos=ALGOS, devices_=DEVICES, inits=INITS) -> dict:
    """All curves: ``{algo: {device: {init: curve}}}`` plus the sizes."""
    sz = sizes(quick)
    combos = [(a, d, i) for a in algos for d in devices_ for i in inits]
    seeds = np.random.SeedSequence(rng_seed).spawn(len(combos) * len(sz["Ks"]) + 1)
    dev_seed = int(seeds[0].generate_state(1)[0])
    jobs, n = [], 1
    for a, d, i in combos:
        for K in sz["Ks"]:
            jobs.append(dict(device=d, algo=a, init=i, K=int(K), D=sz["D"], R=sz["R"], seed=dev_seed,
                             run_seed=seeds[n]))
            n += 1
    out = run_jobs(run_one, jobs, executor=executor, progress=False)
    curves: dict = {}
    it = iter(out)
    for a, d, i in combos:
        runs = [next(it) for _ in sz["Ks"]]
        est = [stats.mean_ci(r["E"]) for r in runs]
        mean = np.array([e.mean for e in est])
        sem = np.array([max(e.sem, 1e-12 * e.mean) for e in est])
        fit = stats.loglog_slope(sz["Ks"], mean, y_err=sem)
        curves.setdefault(a, {}).setdefault(d, {})[i] = dict(
            K=list(sz["Ks"]), mean=mean.tolist(), lo=[e.lo for e in est], hi=[e.hi for e in est],
            sem=sem.tolist(), parts={k: [r["parts"][k] for r in runs] for k in ("w_dist", "pq", "gp")},
            q_sp_end=[r["q_sp_end"] for r in runs],
            slope=dict(slope=fit.slope, lo=fit.lo, hi=fit.hi, intercept=fit.intercept, r2=fit.r2),
            verdict=stats.slope_verdict(fit, -0.5),
        )
    return dict(sizes=sz, curves=curves)


def _result(algo: str, m: dict, quick: bool) -> ClaimResult:
    sz, cur = m["sizes"], m["curves"][algo]
    verdicts, slope_txt, meas_txt = [], [], []
    for d, per in cur.items():
        for i, c in per.items():
            s = c["slope"]
            verdicts.append(c["verdict"])
            slope_txt.append(f"{d}/{i}: {s['slope']:.3f} [{s['lo']:.3f}, {s['hi']:.3f}]")
            meas_txt.append(f"{d}/{i}: E_K {c['mean'][0]:.3g} -> {c['mean'][-1]:.3g} "
                            f"[{c['lo'][-1]:.3g}, {c['hi'][-1]:.3g}]")
    verdict = stats.combine_verdicts(verdicts)
    name = "RIDER (p = 0, digital Q)" if algo == "rider" else f"E-RIDER (p = {P_OVER_ETA:g} eta, analog Qt)"
    Ks = sz["Ks"]
    setting = (f"{name}; Quadratic D={sz['D']}, eigenvalues geomspace(0.5, 2), sigma={SIGMA}; "
               f"alpha={C_ALPHA}/sqrt K, beta=alpha*gamma*mu, eta=alpha*mu, gamma={GAMMA}; pulse_mode=noiseless "
               f"(theorems' recursion, Theta(dw_min) = 0); devices: tanh q=1-/+{rc.TANH_A} tanh(w-s) (Def. 2.1 "
               f"globally, q in [{1 - rc.TANH_A}, {1 + rc.TANH_A}]) and SoftBounds (tau=3), P-array SP offsets "
               f"0.4 + 0.2 N(0,1), W-array -0.2 + 0.2 N(0,1); starts: "
               + "; ".join(f"{k}: {v}" for k, v in INIT_TEXT.items())
               + f"; K in {Ks} ({np.log10(Ks[-1] / Ks[0]):.2f} decades), R={sz['R']} replicates"
               + (" (quick)" if quick else ""))
    stuck = [f"{d}/{i}" for d, per in cur.items() for i, c in per.items()
             if c["parts"]["gp"][-1] > 0.5 * c["parts"]["gp"][0]]
    notes = (
        "E_K is eq. (14) with unit constants: (1/K) sum_k E[||W_k-W*||^2 + ||P_k-Q_k||^2 + ||G_p(P_k)||^2], "
        "the time average over ~200 evenly spaced iterates per run; 95 % t-intervals over replicates; the slope "
        "is a weighted log-log fit (stats.loglog_slope with y_err) judged against -1/2 by stats.slope_verdict, "
        "per device and start, combined. "
        + ("Runs whose ||G_p(P)||^2 part did not fall below half its value at the smallest K (Q not tracking the "
           f"SP within K): {', '.join(stuck)}. " if stuck else "")
        + ("For RIDER this is SPEC 9.9: every state with P = Q and W = W* - E|g| G_p(Q)/(A F_p(Q)) is "
           "stationary for the mean recursion, so Q stays where it starts and E_K tends to a constant set by "
           "G_p(Q0) instead of decaying; the verdict is what the fitted slopes say. " if algo == "rider" else
           "E-RIDER's chopper makes |g| G_p(P) the only slow drift of P, so Q is pulled towards the SP; "
           "a slope flatter than -1/2 here means Q/W have not reached the asymptotic regime within K. ")
        + "Per-curve slopes: " + "; ".join(slope_txt) + "."
    )
    return ClaimResult(
        id=f"{ID}/{algo}", claim=TITLE, source=SOURCE, setting=setting,
        measured="; ".join(meas_txt),
        bound="E_K = O(kappa1 kappa2^5 / sqrt K) + Theta(dw_min): slope -1/2 in K (dw_min term 0 here)",
        ratio=None, slope="; ".join(slope_txt) + " vs predicted -0.5", verdict=verdict, notes=notes,
        data=dict(algo=algo, sizes=sz, curves=cur, inits=INIT_TEXT, predicted=-0.5,
                  settings=dict(gamma=GAMMA, c_alpha=C_ALPHA, p_over_eta=P_OVER_ETA, sigma=SIGMA)),
    )


def run(quick: bool, rng_seed: int, executor=None):
    m = measure(quick, rng_seed, executor)
    return [_result(a, m, quick) for a in ALGOS]


def draw(ax_list, data: dict) -> None:
    """Draw E_K vs K (one axis per device) on the given axes; shared with paper_figs.thm37."""
    for ax, (d, per) in zip(ax_list, data["curves"].items()):
        for i, c in per.items():
            K = np.asarray(c["K"], float)
            mean = np.asarray(c["mean"])
            err = np.array([mean - np.asarray(c["lo"]), np.asarray(c["hi"]) - mean])
            s = c["slope"]
            ax.errorbar(K, mean, yerr=np.maximum(err, 0), marker="o", capsize=2,
                        label=f"{i}: slope {s['slope']:.2f} [{s['lo']:.2f}, {s['hi']:.2f}]")
            ax.plot(K, np.exp(s["intercept"]) * K ** s["slope"], ":", color="gray", lw=0.8)
        K = np.asarray(next(iter(per.values()))["K"], float)
        ref = np.asarray(next(iter(per.values()))["mean"])[0] * (K / K[0]) ** -0.5
        ax.plot(K, ref, "k--", lw=1, label="K^-1/2")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("K")
        ax.set_ylabel("E_K")
        ax.set_title(f"{data['algo']} on {d}")
        ax.legend(fontsize=7)


def plot(result: ClaimResult, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(result.data["curves"])
    fig, axes = plt.subplots(1, n, figsize=(5.5 * n, 4.2), squeeze=False)
    draw(axes[0], result.data)
    fig.suptitle(f"{result.id}: verdict {result.verdict}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
