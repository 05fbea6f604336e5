"""prior-tt-fails: W25 Fig. 2 / Cor. 1, the official script ``S1-TT-fails.py`` reimplemented side by side.

Prior theory (issue 21, item 5).  Sources: W25 = Wu et al., arXiv 2502.06309 (NeurIPS 2025), v3 as extracted
to text in the public repository captaindpt/analog-gradients (``papers/papers-markdown/2502.06309v3.md``):
Fig. 2 ("Comparison of Analog SGD and Tiki-Taka under different parameter c_Lin") and its text: "Tiki-Taka
significantly outperforms Analog SGD when c_Lin = 0. However, when c_Lin is perturbed from 0.1 to 0.3,
Tiki-Taka degrades dramatically and even becomes worse than Analog SGD does"; Cor. 1 (exact convergence of
Residual Learning = TT-v1 under its Assumption 5, ``G(0) = 0``), which "demonstrates the failure of
Tiki-Taka in Figure 2": the SP ``c_Lin tau`` violates Assumption 5 and the floor of its Thm 3,
``sigma^2 S^RL_K``, appears.  The script: github:Zhaoxian-Wu/analog-training, ``NeurIPS-2025/S1-TT-fails.py``
at commit 17d0e0c.  aihwkit is not installed here, so the script is not run: its loop is reimplemented with
the package's pulse engine (``sptheory.experiments.prior.simulate_tt_fails``; the mapping, line by line, is
in docs/PRIOR_THEORY.md).

Quantity (what the script plots): the loss ``f(W_k)/50`` at the network's weight before each update, smoothed
as the script smooths it (``s_k = 0.9 s_(k-1) + 0.1 loss_k``), for analog SGD and TT-v1 at c_Lin in
{0, 0.1, 0.2, 0.3}; the statistic of a run is ``log10`` of its last smoothed value (k = 1000).  R replicates
(independent pulse trains, the same data).

Predictions (fixed before the run), kind ``comparison`` (paired by replicate index; t interval over the R
differences, level ``1 - 0.05/3``: 95 % family-wise over the three):

* ``/c0``: at c_Lin = 0 Tiki-Taka ends below analog SGD (``log10 f_ASGD - log10 f_TT > 0``);
* ``/c03``: at c_Lin = 0.3 Tiki-Taka ends above analog SGD (``log10 f_TT - log10 f_ASGD > 0``);
* ``/degrades``: Tiki-Taka's end loss grows from c_Lin = 0 to 0.3 (``log10 f_TT(0.3) - log10 f_TT(0) > 0``).

Hypotheses measured: the gradient noise (``sigma^2 = 0``: the script passes ``w_noise = 0`` and uses all
100 rows every step), W25 Assumption 5 for the fast array (``G(0) = 0``; here ``G(0) = -c_Lin``), its
Assumption 3 (weights inside the bounds), Assumption 4 (strong convexity of the least squares).  With
``sigma^2 = 0`` the floor term ``sigma^2 S^RL_K`` Cor. 1 uses is zero; the notes report what the runs show
instead (the per-row rank-1 trains: ``sum_b |Delta_b|`` exceeds ``|sum_b Delta_b|``, so the asymmetric drift
``- sum_b |Delta_b| G`` acts without any gradient noise; plus the pulse-count noise).

Erratum (a note about the script, read, not simulated): the Analog SGD runs are drawn with ``'-'``/``'*'``
and the Tiki-Taka runs with ``'--'``/``'o'``, but the legend says ``'-'``/``'*'`` = Tiki-Taka and
``'--'``/``'o'`` = Analog SGD.
"""

from __future__ import annotations

import numpy as np

from sptheory import stats
from sptheory.experiments import prior as X
from verification.harness import ClaimResult

ID = "prior-tt-fails"
PART = "prior theory"
TITLE = "W25 Fig. 2 / Cor. 1: the official S1-TT-fails.py reimplemented (Tiki-Taka vs analog SGD over c_Lin)"
LEVEL = stats.simultaneous_level(0.95, 3)
SMOOTH = 0.9
PREDICTIONS = {
    "c0": stats.Prediction("comparison", "c_Lin = 0: Tiki-Taka ends below analog SGD (W25 Fig. 2 text)", level=LEVEL),
    "c03": stats.Prediction("comparison", "c_Lin = 0.3: Tiki-Taka ends above analog SGD (W25 Fig. 2 text)",
                            level=LEVEL),
    "degrades": stats.Prediction("comparison", "Tiki-Taka's end loss grows from c_Lin = 0 to 0.3 (W25 Fig. 2 / Cor. 1)",
                                 level=LEVEL),
}
CHECKPOINTS = (0, 100, 250, 500, 1000)


def sizes(quick: bool) -> dict:
    return X.ttf_sizes(quick)


def smooth(loss):
    """The script's smoothing along axis 0: ``s_0 = l_0``, ``s_k = 0.9 s_(k-1) + 0.1 l_k``."""
    loss = np.asarray(loss, float)
    out = np.empty_like(loss)
    out[0] = loss[0]
    for k in range(1, loss.shape[0]):
        out[k] = SMOOTH * out[k - 1] + (1 - SMOOTH) * loss[k]
    return out


def _diff(a, b):
    e = stats.mean_ci(np.asarray(a) - np.asarray(b), level=LEVEL)
    return stats.Difference(e.mean, e.lo, e.hi), e


def run(quick: bool, rng_seed: int, executor=None, size: dict | None = None):
    sim = X.simulate_tt_fails(quick, rng_seed, size)
    p, runs, cs = X.TTF, sim["runs"], sim["c_lins"]
    fmt = stats._fmt
    sm = {k: smooth(v["loss"]) for k, v in runs.items()}
    end = {k: np.log10(v[-1]) for k, v in sm.items()}
    K = next(iter(sm.values())).shape[0] - 1
    d_c0, e_c0 = _diff(end[("asgd", 0.0)], end[("tt", 0.0)])
    d_c3, e_c3 = _diff(end[("tt", 0.3)], end[("asgd", 0.3)])
    d_dg, e_dg = _diff(end[("tt", 0.3)], end[("tt", 0.0)])

    obj = X.ttf_problem(rng_seed)
    eig = np.linalg.eigvalsh(obj.X.T @ obj.X / obj.n)
    wmax = max(float(np.max(np.abs(runs[("tt", c)]["C_end"]))) for c in cs) / p["tau"]
    amax = max(float(np.max(np.abs(runs[("tt", c)]["A_end"]))) for c in cs) / p["tau"]
    g0 = {c: float(X.ttf_device(c).G(0.0)) for c in cs}
    # what drives the drift without noise: per-row |Delta_b| summed vs |sum_b Delta_b| at TT's end weights
    spread = {}
    for c in cs:
        Wf = runs[("tt", c)]["C_end"] + p["gamma"] * runs[("tt", c)]["A_end"]
        r = obj.residual(Wf) / obj.n                                   # (R, n)
        per_row = np.abs(r)[:, :, None] * np.abs(obj.X)[None]         # (R, n, D)
        spread[c] = float(np.mean(per_row.sum(axis=1)) / np.mean(np.abs(obj.full_grad(Wf))))

    def hyps(cs_used):
        return [
            stats.Hypothesis("gradient noise", "sigma^2 (Cor. 1's floor sigma^2 S^RL_K)",
                             "0: no injected noise (script w_noise = 0/sqrt(50)), full batch of all 100 rows", True),
            stats.Hypothesis("W25 Assumption 3 (bounded saturation)", "max |W|/tau < 1 and max |A|/tau < 1",
                             f"{fmt(wmax)} and {fmt(amax)} at the end", max(wmax, amax) < 1),
            stats.Hypothesis("W25 Assumption 4 (strong convexity)", "lambda_min(X^T X / n) > 0", fmt(eig.min()),
                             eig.min() > 0),
            stats.Hypothesis("W25 Assumption 5 for the fast array (Cor. 1)", "G(0) = 0",
                             ", ".join(f"c_Lin={c}: G(0) = {fmt(g0[c])}" for c in cs_used),
                             all(abs(g0[c]) < 1e-12 for c in cs_used)),
        ]

    j_c0 = stats.judge(PREDICTIONS["c0"], d_c0, hyps([0.0]))
    j_c3 = stats.judge(PREDICTIONS["c03"], d_c3, hyps([0.3]))
    j_dg = stats.judge(PREDICTIONS["degrades"], d_dg, hyps([0.0, 0.3]))
    ks = [k for k in CHECKPOINTS if k <= K]
    curves = "; ".join(
        f"{m} c={c}: " + ", ".join(f"k={k}: {fmt(float(np.mean(sm[(m, c)][k])), 3)}" for k in ks)
        for c in cs for m in ("asgd", "tt"))
    setting = (f"S1-TT-fails.py reimplemented: f(W) = ||X W - Y||^2/(2*100), X 100x50 N(0,1), W* = 0.5 N(0,1) "
               f"(NumPy draws, seeded), W0 = 1; analog SGD lr {p['lr']}; TT-v1 fast_lr {p['fast_lr']}, transfer_lr "
               f"{p['transfer_lr']} (1 x lr), gamma {p['gamma']}, every column transferred every step; SoftBounds "
               f"+/-{p['tau']}, dw_min {p['dw_min']}, up_down = c_Lin in {cs} (SP c_Lin tau = {sim['sp']}); rank-1 "
               f"pulse trains BL {p['bl']} (update management; BL management {X.BL_MANAGEMENT}), transfer BL "
               f"{p['transfer_bl']}; {K} steps, {sim['size']['R']} replicates")
    common = (f"Script-smoothed loss (mean over replicates) at k = {ks}: {curves}. Without gradient noise "
              "(sigma^2 = 0) Cor. 1's floor term sigma^2 S^RL_K is zero; the drift that remains comes from the "
              "per-row rank-1 trains: at TT's end weights sum_b |Delta_b| / |sum_b Delta_b| (cell means) = "
              + ", ".join(f"c={c}: {fmt(spread[c])}" for c in cs)
              + ", so the asymmetric term - sum_b |Delta_b| G(A) acts with the full-batch gradient; plus the pulse-count "
              "noise (granularity dw_min = 1e-4). Not run: the script itself (needs aihwkit); the data are NumPy "
              "draws, not the script's torch draws.")
    erratum = {
        "paper": "S1-TT-fails.py (commit 17d0e0c), the code behind W25 Fig. 2: the Analog SGD runs (run_AGD) are "
                 "appended with linestyle '-' and marker '*', the Tiki-Taka runs (run_TT) with '--' and 'o'; the "
                 "legend entries say '-'/'*' = Tiki-Taka (TT_LINESTYLE/TT_MARKER) and '--'/'o' = Analog SGD",
        "corrected": "the legend labels are swapped: '-'/'*' are Analog SGD and '--'/'o' Tiki-Taka (or swap the "
                     "styles in the two plotting loops); a figure made by the script as committed labels each "
                     "method's curves with the other's name",
        "settled_by": "reading the script (no simulation needed); the reimplemented curves are drawn here with the "
                      "corrected labels",
    }
    data = dict(c_lins=cs, level=LEVEL, K=K,
                curves={f"{m}|{c}": np.mean(sm[(m, c)], axis=1) for c in cs for m in ("asgd", "tt")},
                end={f"{m}|{c}": end[(m, c)] for c in cs for m in ("asgd", "tt")}, spread=spread)
    out = []
    for part, j, d, e, pred, what in (
        ("c0", j_c0, d_c0, e_c0, PREDICTIONS["c0"], "log10 f_ASGD - log10 f_TT at c_Lin = 0"),
        ("c03", j_c3, d_c3, e_c3, PREDICTIONS["c03"], "log10 f_TT - log10 f_ASGD at c_Lin = 0.3"),
        ("degrades", j_dg, d_dg, e_dg, PREDICTIONS["degrades"], "log10 f_TT(c_Lin = 0.3) - log10 f_TT(0)"),
    ):
        out.append(ClaimResult(
            id=f"{ID}/{part}", claim=pred.statement, source="W25 Fig. 2 and its text; Cor. 1; script S1-TT-fails.py",
            setting=setting, measured=f"{what} = {fmt(e.mean, 3)} [{fmt(e.lo, 3)}, {fmt(e.hi, 3)}] (level {LEVEL:.4f})",
            bound="> 0", ratio=None, notes=f"Verdict {j.verdict}: {j.reason}. " + common, data=data,
            prediction=pred, judgement=j, hypotheses=hyps([0.0] if part == "c0" else [0.3] if part == "c03"
                                                          else [0.0, 0.3]),
            erratum=erratum if part == "c0" else None))
    return out


def plot(result: ClaimResult, path) -> None:
    import matplotlib.pyplot as plt

    d = result.data
    fig, ax = plt.subplots(figsize=(6.8, 4.4))
    for i, c in enumerate(d["c_lins"]):
        for m, ls, mk in (("asgd", "-", "*"), ("tt", "--", "o")):
            y = np.asarray(d["curves"][f"{m}|{c}"], float)
            ax.plot(y, ls=ls, marker=mk, markevery=100, color=f"C{i}", ms=4,
                    label=f"{'analog SGD' if m == 'asgd' else 'Tiki-Taka'}, c_Lin={c}")
    ax.set(yscale="log", xlabel="number of gradient computations k", ylabel="f(W_k) (script-smoothed)",
           title="S1-TT-fails.py reimplemented\nlegend as the runs are (the script's is swapped)")
    ax.legend(fontsize=6, ncol=2)
    fig.suptitle(f"{result.id}: {result.verdict}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
