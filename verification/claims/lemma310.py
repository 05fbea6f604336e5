"""lemma3.10: the Q-update (12) is a first-order low-pass filter with |H|^2 = bounds.filter_gain.

Predictions (kind ``identity``, tolerances fixed before the run, unchanged):

1. gain: (12) driven by ``P_k = cos(omega k + phi)`` for several omega and eta
   (``experiments.tracking.sinusoid_gain``: after the transient the output is
   fitted by least squares at the known frequency); measured power gain vs
   ``filter_gain(omega, eta)``: max relative error <= 1e-8.
2. implementation: the Q recorded from real RIDER / E-RIDER runs equals (12)
   applied to the recorded P (``experiments.tracking.filter_q``), max relative
   deviation <= 1e-10.

Descriptive: Welch spectra of P and Q on those runs (also Fig. 3), the
empirical gain S_QQ/S_PP against |H|^2, and the chopper band ``omega >= 2 p``
(the corner of the chopper's random telegraph spectrum, autocorrelation
``(1 - 2p)^|k|``).  Hypotheses: ``0 < eta < 1`` (a stable filter) and a
transient below e^-40 before the fit.
"""

from __future__ import annotations

import numpy as np

from sptheory import bounds, stats
from sptheory.experiments import tracking as X
from verification.harness import ClaimResult

ID = "lemma3.10"
TITLE = "Lemma 3.10: the Q-update (12) is a low-pass filter with |H(e^jw)|^2 = eta^2 / (1 + (1-eta)^2 - 2(1-eta) cos w)"
OMEGAS = np.array([0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 2.0, 3.0, np.pi])
ETAS = np.array([0.01, 0.05, 0.2, 0.5])
GAIN_TOL = 1e-8
IMPL_TOL = 1e-10
PREDICTIONS = {
    "gain": stats.Prediction("identity", "power gain of (12) = eta^2 / (1 + (1-eta)^2 - 2(1-eta) cos omega) "
                             "(relative error)", tol=GAIN_TOL),
    "implementation": stats.Prediction("identity", "recorded Q = (12) applied to recorded P (relative deviation)",
                                       tol=IMPL_TOL),
}
filter_q = X.filter_q
sinusoid_gain = X.sinusoid_gain


def sizes(quick: bool) -> dict:
    return X.traces_sizes(quick)


def simulate_traces(quick: bool, rng_seed: int, executor=None, size: dict | None = None) -> dict:
    """RIDER and E-RIDER traces and spectra (``experiments.tracking.simulate_traces``)."""
    return X.simulate_traces(quick, rng_seed, executor, dict(sizes(quick), **(size or {})))


def run(quick: bool, rng_seed: int, executor=None, size: dict | None = None):
    sin_seed, trace_seed = np.random.SeedSequence(rng_seed).generate_state(2)
    phases = np.random.default_rng(sin_seed).uniform(0, 2 * np.pi, (ETAS.size, OMEGAS.size))
    gains = np.array([[sinusoid_gain(w, e, ph) for w, ph in zip(OMEGAS, prow)] for e, prow in zip(ETAS, phases)])
    theory = np.asarray(bounds.filter_gain(OMEGAS[None, :], ETAS[:, None]))
    rel = np.abs(gains / theory - 1)
    sim = simulate_traces(quick, int(trace_seed), executor, size)
    z, st, traces = sim["size"], sim["setting"], sim["traces"]
    impl = max(t["impl"] for t in traces.values())
    etas = sorted(set(ETAS.tolist()) | {t["eta"] for t in traces.values()})
    hyps = [stats.Hypothesis("filter weight", "0 < eta < 1", f"eta in {etas}", all(0 < e < 1 for e in etas)),
            stats.Hypothesis("transient", "(1 - eta)^burn <= e^-40 before the sinusoid fit",
                             "burn = ceil(40 / eta) iterations", True)]
    j_gain = stats.judge(PREDICTIONS["gain"], stats.MaxError(float(rel.max()), rel.size), hyps)
    j_impl = stats.judge(PREDICTIONS["implementation"], stats.MaxError(impl, len(traces)), hyps)
    judgement = stats.combine([j_gain, j_impl])
    bands = {name: X.band_summary(t, X.P_CHOP) for name, t in traces.items()}
    fmt = stats._fmt
    measured = (f"sinusoids: max |gain/|H|^2 - 1| = {fmt(rel.max())} over {OMEGAS.size} omega x {ETAS.size} eta "
                f"(gains from {fmt(gains.min())} to {fmt(gains.max())}); recorded Q vs (12) applied to recorded P: "
                f"max relative deviation {fmt(impl)}; chopper band omega >= 2p = {2 * X.P_CHOP:g}: "
                + "; ".join(f"{n}: P power share {fmt(b['share'])}, Q/P power there {fmt(b['ratio'])} "
                            f"(|H|^2-weighted prediction {fmt(b['pred'])})" for n, b in bands.items()))
    notes = (f"Gain verdict {j_gain.verdict}, implementation verdict {j_impl.verdict}. |H|^2 at the band edge "
             f"omega = 2p: {fmt(bands['e-rider']['H2_corner'])} (eta = {X.STEPS['eta']}); at omega = pi: "
             f"{fmt(float(bounds.filter_gain(np.pi, X.STEPS['eta'])))}. The chopper is meant to move the "
             "gradient-driven part of P to high frequency; measured share of P's power above 2p (after the burn-in, "
             "when W is near W* and that part is small): "
             + ", ".join(f"{n} {fmt(b['share'])}" for n, b in bands.items())
             + ". Empirical Welch gain S_QQ/S_PP vs |H|^2 over all frequencies: median relative deviation "
             + ", ".join(f"{n} {fmt(b['gain_rel_median'])} (max {fmt(b['gain_rel_max'])} at omega = "
                         f"{fmt(b['gain_rel_argmax'])})" for n, b in bands.items())
             + " (Welch estimates with finite segments and windowing; Q is exactly (12) of P, part 2). Spectra: "
             f"Welch, nperseg={z['nperseg']}, after iteration {z['burn']}, averaged over {z['R']} replicates and "
             f"{z['D']} cells.")
    return ClaimResult(
        id=ID, claim=TITLE, source="Lemma 3.10, eq. (12)",
        setting=(f"sinusoids: omega in {np.round(OMEGAS, 3).tolist()}, eta in {ETAS.tolist()}; traces: "
                 + st.describe() + f"; RIDER and E-RIDER (p = {X.P_CHOP}) from W0 = 0, Q0 = P0 = -0.5, "
                 f"K={z['K']}, {z['R']} replicates"),
        measured=measured, bound="|H|^2 = bounds.filter_gain(omega, eta) (exact identity)",
        ratio=float(np.max(gains / theory)), slope=None, notes=notes,
        data=dict(omegas=OMEGAS, etas=ETAS, gains=gains, theory=theory, rel=rel, impl=impl, bands=bands,
                  p_chop=X.P_CHOP,
                  spectra={n: dict(omega=t["omega"], Spp=t["Spp"], Sqq=t["Sqq"], eta=t["eta"])
                           for n, t in traces.items()}),
        prediction=PREDICTIONS["gain"], judgement=judgement, hypotheses=hyps)


def plot(result: ClaimResult, path) -> None:
    import matplotlib.pyplot as plt

    d = result.data
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    om = np.asarray(d["omegas"])
    fine = np.geomspace(om.min(), np.pi, 300)
    for i, e in enumerate(d["etas"]):
        line, = axes[0].loglog(fine, bounds.filter_gain(fine, e), lw=1, label=f"|H|^2, eta={e:g}")
        axes[0].loglog(om, np.asarray(d["gains"])[i], "o", color=line.get_color(), ms=4)
    axes[0].set(xlabel="omega (rad/iteration)", ylabel="power gain", title="sinusoids: measured (dots) vs |H|^2")
    axes[0].legend(fontsize=7)
    for n, s in d["spectra"].items():
        w = np.asarray(s["omega"])[1:]
        axes[1].loglog(w, np.asarray(s["Sqq"])[1:] / np.asarray(s["Spp"])[1:], lw=1, label=f"S_QQ/S_PP {n}")
    e = d["spectra"]["e-rider"]["eta"]
    axes[1].loglog(w, bounds.filter_gain(w, e), "k--", lw=1, label=f"|H|^2 (eta={e:g})")
    axes[1].axvline(2 * d["p_chop"], color="gray", ls=":", label="2p (chopper corner)")
    axes[1].set(xlabel="omega", ylabel="empirical gain", title="real runs: Welch gain")
    axes[1].legend(fontsize=7)
    fig.suptitle(f"{result.id}: {result.verdict}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
