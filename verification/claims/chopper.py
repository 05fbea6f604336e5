"""chopper: E-RIDER's chopper (p > 0) brings Q to the SP faster than RIDER (p = 0); programming events ~ p K.

Setting: verification/claims/_sp_common.py, start ``W0 = 0, Q0 = P0 = -0.5``
(far from the SPs near 0.3).  Hitting time ``T`` = first recorded iteration
with ``||Q_k - W_sp||^2 <= 0.1 ||Q_0 - W_sp||^2`` (the rider-sp-tracking
criterion); runs that never reach it are censored at ``K`` (so a ratio
against a censored RIDER is an upper estimate).

Claims, fixed before running:
* ``T(E-RIDER, p = 0.05) / T(RIDER) < 1``: bootstrap 95 % interval of the
  ratio of mean hitting times (replicates resampled within each group) below
  1 -> holds, above 1 -> violated, else inconclusive.
* Programming events of the analog reference copy: mean over replicates with
  its 99 % t interval contains ``p K`` for every ``p`` (they are
  Binomial(K, p) by construction of Algorithm 3: a consistency check).
"""

from __future__ import annotations

import numpy as np

from sptheory import algorithms, stats
from sptheory.sweep import run_jobs
from verification.claims import _sp_common as C
from verification.harness import ClaimResult

ID = "chopper"
TITLE = "Chopper (E-RIDER, p > 0) brings Q to the SP faster than RIDER (p = 0); programming events ~ p K"
P_VALUES = (0.0, 0.01, 0.05, 0.2)
P_MAIN = 0.05
TOL = 0.1
N_BOOT = 2000


def sizes(quick: bool) -> dict:
    return dict(K=3000, R=16, D=8, every=10) if quick else dict(K=5000, R=32, D=8, every=10)


def run_p(p: float, setting_seed, run_seed, K: int, R: int, D: int, every: int) -> dict:
    st = C.make_setting(setting_seed, D)
    _, W0, Q0 = C.starts(st)[0]
    algo = C.algorithm("rider" if p == 0 else "e-rider", st, p=p)
    state = algo.init(W0, P0=Q0, Q0=Q0, replicates=R)
    state, tr = algorithms.run(algo, st.prob, state, K, run_seed, record_every=every)
    hit = tr.q_sp <= TOL * tr.q_sp[0]  # (records, R)
    reached = hit.any(axis=0)
    T = np.where(reached, tr.k[np.argmax(hit, axis=0)], K).astype(float)
    return dict(p=p, T=T, reached=reached, programs=np.asarray(state.programs, float),
                k=tr.k, q_sp=tr.q_sp.mean(axis=1), q0=float(tr.q_sp[0, 0]))


def _boot_ratio(a, b, rng, n=N_BOOT, level=0.95):
    a, b = np.asarray(a, float), np.asarray(b, float)
    ia = rng.integers(0, a.size, (n, a.size))
    ib = rng.integers(0, b.size, (n, b.size))
    r = a[ia].mean(axis=1) / b[ib].mean(axis=1)
    q = (1 - level) / 2
    return float(a.mean() / b.mean()), float(np.quantile(r, q)), float(np.quantile(r, 1 - q))


def run(quick: bool, rng_seed: int, executor=None, size: dict | None = None):
    z = dict(sizes(quick), **(size or {}))
    ss = np.random.SeedSequence(rng_seed)
    setting_seed, boot_seed, *seeds = ss.spawn(2 + len(P_VALUES))
    outs = run_jobs(run_p, [dict(p=p, setting_seed=setting_seed, run_seed=s, **z) for p, s in zip(P_VALUES, seeds)],
                    executor=executor, progress=False)
    st = C.make_setting(setting_seed, z["D"])
    brng = np.random.default_rng(boot_seed)
    base = outs[0]
    K = z["K"]
    rows, prog_verdicts = [], []
    for o in outs:
        T = stats.mean_ci(o["T"]) if np.ptp(o["T"]) > 0 else stats.Estimate(o["T"][0], 0.0, o["T"].size, o["T"][0], o["T"][0])
        ratio, rlo, rhi = _boot_ratio(o["T"], base["T"], brng)
        row = dict(p=o["p"], T=T.mean, T_lo=T.lo, T_hi=T.hi, reached=float(o["reached"].mean()),
                   ratio=ratio, ratio_lo=rlo, ratio_hi=rhi, k=o["k"], q_sp=o["q_sp"])
        if o["p"] > 0:
            pe = stats.mean_ci(o["programs"], level=0.99)
            row.update(programs=pe.mean, prog_lo=pe.lo, prog_hi=pe.hi, pK=o["p"] * K)
            prog_verdicts.append("holds" if pe.lo <= o["p"] * K <= pe.hi else "violated")
        else:
            row.update(programs=float(o["programs"].mean()), prog_lo=0.0, prog_hi=0.0, pK=0.0)
            prog_verdicts.append("holds" if np.all(o["programs"] == 0) else "violated")
        rows.append(row)
    main = next(r for r in rows if r["p"] == P_MAIN)
    speed = "holds" if main["ratio_hi"] < 1 else ("violated" if main["ratio_lo"] > 1 else "inconclusive")
    verdict = stats.combine_verdicts([speed] + prog_verdicts)
    fmt = stats._fmt
    censored = 1 - rows[0]["reached"]
    measured = (f"T(p={P_MAIN}) / T(RIDER) = {fmt(main['ratio'])} [{fmt(main['ratio_lo'])}, {fmt(main['ratio_hi'])}] "
                f"(bootstrap); mean T: " + ", ".join(
                    f"p={r['p']:g}: {fmt(r['T'])} [{fmt(r['T_lo'])}, {fmt(r['T_hi'])}] (reached {r['reached']:.0%})"
                    for r in rows)
                + "; programs (99% CI) vs pK: " + ", ".join(
                    f"p={r['p']:g}: {fmt(r['programs'])} [{fmt(r['prog_lo'])}, {fmt(r['prog_hi'])}] vs {fmt(r['pK'])}"
                    for r in rows))
    notes = (f"Speed verdict {speed}; programming-count verdicts {', '.join(prog_verdicts)}. "
             + (f"RIDER never reached the tolerance in {censored:.0%} of replicates within K = {K}: its T is "
                "censored at K, so the ratio is an upper estimate (the true ratio is smaller). " if censored > 0 else "")
             + "Ratios for the other p: " + ", ".join(
                 f"p={r['p']:g}: {fmt(r['ratio'])} [{fmt(r['ratio_lo'])}, {fmt(r['ratio_hi'])}]" for r in rows[1:])
             + ". Hitting time resolution: the record interval "
             f"({z['every']} iterations). Programming events count the flips of the chopper (each reprograms the "
             "analog copy Qt of Q).")
    return ClaimResult(
        id=ID, claim=(f"E-RIDER (p = {P_MAIN}) reaches ||Q - W_sp||^2 <= {TOL} ||Q_0 - W_sp||^2 in fewer iterations "
                      "than RIDER (ratio < 1); reference-programming events have mean p K"),
        source="SPEC 4, eq. (17), Alg. 3; Lemma 3.10", setting=(
            C.Setting.describe(st) + f"; start W0 = 0, Q0 = P0 = -0.5; p in {list(P_VALUES)}; K={K}, "
            f"{z['R']} replicates per p"),
        measured=measured, bound="ratio < 1; programs: p K", ratio=main["ratio"], slope=None, verdict=verdict,
        notes=notes, data=dict(rows=rows, K=K, tol=TOL, q0=base["q0"], p_main=P_MAIN))


def plot(result: ClaimResult, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = result.data
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    for r in d["rows"]:
        axes[0].semilogy(r["k"], r["q_sp"], label=f"p={r['p']:g}" + (" (RIDER)" if r["p"] == 0 else ""))
    axes[0].axhline(d["tol"] * d["q0"], color="k", ls="--", lw=0.8, label="tolerance")
    axes[0].set(xlabel="iteration k", ylabel="mean ||Q_k - W_sp||^2", title="Q approaching the SP")
    axes[0].legend(fontsize=7)
    ps = [r["p"] for r in d["rows"]]
    x = np.arange(len(ps))
    T = np.array([r["T"] for r in d["rows"]])
    lo = np.array([r["T_lo"] for r in d["rows"]])
    hi = np.array([r["T_hi"] for r in d["rows"]])
    axes[1].bar(x, T, yerr=[T - lo, hi - T], color=["tab:red"] + ["tab:blue"] * (len(ps) - 1))
    axes[1].axhline(d["K"], color="k", ls=":", lw=0.8, label="K (censoring)")
    axes[1].set(xticks=x, xticklabels=[f"{p:g}" for p in ps], xlabel="chopper probability p",
                ylabel="iterations to tolerance", title="hitting time (95% CI)")
    axes[1].legend(fontsize=7)
    pp = [r for r in d["rows"] if r["p"] > 0]
    m = np.array([r["programs"] for r in pp])
    axes[2].errorbar([r["pK"] for r in pp], m, yerr=[m - np.array([r["prog_lo"] for r in pp]),
                                                    np.array([r["prog_hi"] for r in pp]) - m], fmt="o")
    lim = [0, max(r["pK"] for r in pp) * 1.1]
    axes[2].plot(lim, lim, "k--", lw=0.8, label="programs = p K")
    axes[2].set(xlabel="p K", ylabel="programming events (99% CI)", title="reference reprogramming")
    axes[2].legend(fontsize=7)
    fig.suptitle(f"{result.id}: {result.verdict}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
