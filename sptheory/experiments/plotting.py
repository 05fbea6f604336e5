"""Drawing helpers shared by the claims (``verification/``) and the figures (``paper_figs/``).

Each function draws onto Axes it is given and returns nothing; none picks a
matplotlib backend (only the command-line entry points do), creates a
figure or writes a file.  They take the plain-JSON data the experiments
return, so a figure can be redrawn from its saved JSON.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "zs_bound_curves",
    "zs_pulses_vs_dw",
    "inverse_reference",
    "zs_budget_errors",
    "zs_floor_vs_dw",
    "zs_fig1a_errors",
    "zs_error_histograms",
    "errorbars",
    "power_law_line",
    "draw_floor",
    "draw_cost_vs_dw",
    "draw_pq_trace",
    "draw_pq_spectra",
    "draw_zs_budget",
    "draw_cost_vs_states",
    "draw_chopper",
    "draw_offset_heatmap",
    "draw_offset_figure",
    "draw_learning_curves",
]


# ----------------------------------------------------------------------------
# zero-shifting (claims zs-*, figures fig1a / fig1b)
# ----------------------------------------------------------------------------

def zs_bound_curves(ax, axr, data: dict, title: str = "") -> None:
    """Measured ZS quantity (with its interval band) vs its bound over N, log-log,
    one colour per dw_min, for the cell with the worst ratio at that dw_min (``ax``);
    measured/bound below (``axr``).

    ``data``: ``{"curves": [{"dw_min", "kind", "n", "cell", "mean", "lo", "hi",
    "bound", ["alt_bound"]}, ...], "n_label", "ylabel", ["alt_label"], ["band_label"]}``.
    """
    import matplotlib.pyplot as plt

    colors = plt.cm.viridis(np.linspace(0.0, 0.85, len(data["curves"])))
    for c, col in zip(data["curves"], colors):
        n = np.asarray(c["n"], float)
        mean = np.asarray(c["mean"], float)
        bound = np.asarray(c["bound"], float)
        ax.loglog(n, mean, "o-", color=col, ms=3, lw=1.5, label=f"measured, dw={c['dw_min']:g} (cell {c['cell']})")
        if c["kind"] == "mc":
            lo, hi = np.asarray(c["lo"], float), np.asarray(c["hi"], float)
            ax.fill_between(n, lo, hi, color=col, alpha=0.25, lw=0)
            axr.fill_between(n, lo / bound, hi / bound, color=col, alpha=0.25, lw=0)
        ax.loglog(n, bound, "--", color=col, lw=1.2)
        axr.semilogx(n, mean / bound, "o-", color=col, ms=3, lw=1.2)
        if "alt_bound" in c:
            ax.loglog(n, np.asarray(c["alt_bound"], float), ":", color=col, lw=1.2)
    axr.axhline(1.0, color="k", lw=0.8)
    axr.set_ylabel("measured / bound")
    axr.set_ylim(bottom=0)
    axr.grid(True, which="major", alpha=0.3)
    ax.plot([], [], "k--", label="bound (as stated)")
    if data.get("alt_label"):
        ax.plot([], [], "k:", label=data["alt_label"])
    if data.get("band_label"):
        ax.fill_between([], [], [], color="0.6", alpha=0.4, label=data["band_label"])
    axr.set_xlabel(data.get("n_label", "N"))
    ax.set_ylabel(data.get("ylabel") or "value")
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7, loc="best")


def zs_pulses_vs_dw(ax, points: list, fit: dict | None = None, label: str = "exact N (1 %)",
                    color=None, marker: str = "o", band: bool = True, bound: bool = True, grid: bool = True) -> None:
    """Smallest N reaching 1 % relative error of the SP mean vs dw_min (Fig. 1b), log-log.

    ``points``: the experiment's per-dw_min dicts (``dw_min``, ``n_star``, ``n_lo``,
    ``n_hi``, ``n_grid``, ``bound_n``); points that never reach 1 % are skipped.
    ``fit``: ``{"slope", "lo", "hi"}`` shown in the label.
    """
    ok = [p for p in points if p["n_star"] is not None]
    if not ok:
        return
    dw = np.array([p["dw_min"] for p in ok])
    n = np.array([p["n_star"] for p in ok], float)
    if fit:
        label += f", slope {fit['slope']:.3f} [{fit['lo']:.3f}, {fit['hi']:.3f}]"
    (h,) = ax.loglog(dw, n, marker + "-", color=color, label=label)
    col = h.get_color()
    if band:
        lo = np.array([p["n_lo"] for p in ok], float)
        hi = np.array([p["n_hi"] if p["n_hi"] is not None else np.nan for p in ok], float)
        ax.fill_between(dw, lo, hi, color=col, alpha=0.25, label="realised array, +/- 2 sd")
    if grid:
        g = [(p["dw_min"], p["n_grid"]) for p in ok if p["n_grid"] is not None]
        if g:
            ax.loglog(*zip(*g), "s", color=col, mfc="none", ms=9, alpha=0.7, label="smallest paper budget")
    if bound and all(p.get("bound_n") for p in ok):
        ax.loglog(dw, [p["bound_n"]["geometric_median"] for p in ok], "--", color=col, alpha=0.7,
                  label="eq. (30)/(46), median cell")
    ax.set_xlabel("dw_min")
    ax.set_ylabel("pulses to reach 1 % (SP mean)")
    ax.grid(True, which="both", alpha=0.3)


def inverse_reference(ax, dw, n) -> None:
    """A ``c / dw_min`` line through the geometric mean of ``n * dw``."""
    dw, n = np.asarray(dw, float), np.asarray(n, float)
    if dw.size == 0:
        return
    c = math.exp(np.mean(np.log(n * dw)))
    ax.loglog(dw, c / dw, "k:", label=f"{c:.3g} / dw_min")


def zs_budget_errors(ax, points: list, target: float) -> None:
    """Exact expected relative error of the SP mean at the paper's budgets, one curve per dw_min,
    with +/- 2 sd of the realised mean."""
    import matplotlib.pyplot as plt

    cmap = plt.get_cmap("viridis")
    for i, p in enumerate(points):
        b = np.array(p["budgets"], float)
        e = np.array(p["budget_err"], float)
        sd = np.array(p["budget_sd_rel"], float)
        c = cmap(i / max(len(points) - 1, 1))
        ax.loglog(b, np.maximum(e, 1e-12), "-", color=c, label=f"dw_min={p['dw_min']:.2g}")
        ax.fill_between(b, np.maximum(e - 2 * sd, 1e-12), e + 2 * sd, color=c, alpha=0.2)
    ax.axhline(target, color="r", ls="--", lw=1, label="1 %")
    ax.set_ylim(1e-4, 2)
    ax.set_xlabel("pulse budget N (paper grid)")
    ax.set_ylabel("relative error of the SP mean")
    ax.set_title("exact expected error (+/- 2 sd of the realised mean)")
    ax.legend(fontsize=6, ncol=2)
    ax.grid(True, which="both", alpha=0.3)


def zs_floor_vs_dw(ax, points: list, fits: dict, noisy: bool, title: str = "") -> None:
    """Exact ZS floors (last iterate and average) vs dw_min with the theorems' floors
    and ``dw_min``, ``dw_min^2`` guides.  ``fits``: ``{"last": {...}, "avg": {...}}``."""
    dw = np.array([p["dw_min"] for p in points])
    for key, mk, col, lab in (("last", "o", "C0", "last iterate E(W_N - w_sp)^2"),
                              ("avg", "s", "C2", "average (1/N) sum E G^2")):
        y = np.array([p[f"{key}_mean"] for p in points])
        f = fits[key]
        ax.loglog(dw, y, mk + "-", color=col, label=f"{lab}: slope {f['slope']:.3f} [{f['lo']:.3f}, {f['hi']:.3f}]")
        ax.loglog(dw, [p[f"bound_{key}_mean"] for p in points], mk + "--", color=col, mfc="none", alpha=0.6,
                  label=f"theorem floor ({key})" + (" x (1+c2c^2), ref." if noisy else ""))
    y0 = points[0]["last_mean"]
    ax.loglog(dw, y0 * dw / dw[0], "k:", lw=1, label="~ dw_min")
    ax.loglog(dw, y0 * (dw / dw[0]) ** 2, "k-.", lw=1, label="~ dw_min^2")
    ax.set_xlabel("dw_min")
    ax.set_ylabel("floor per cell (cells-mean)")
    if title:
        ax.set_title(title, fontsize=9)
    ax.legend(fontsize=6.5)
    ax.grid(True, which="both", alpha=0.3)


def zs_fig1a_errors(ax, data: dict) -> None:
    """Fig. 1a, left: relative error of the SP mean vs budget, pulse by pulse and exact."""
    b = np.array(data["budgets"], float)
    for (s, d), col in zip(data["schedules"].items(), ("C0", "C1", "C2")):
        ax.loglog(d["dense_n"], d["dense_err"], "-", color=col, lw=1, label=f"{s}: exact E")
        ex, sd = np.array(d["exact_err"]), np.array(d["sd_rel"])
        ax.fill_between(b, np.maximum(ex - 2 * sd, 1e-6), ex + 2 * sd, color=col, alpha=0.2)
        ax.loglog(b, d["realised_err"], "o", color=col, mfc="none", label=f"{s}: pulse-by-pulse")
    ax.axhline(data["target"], color="r", ls="--", lw=1, label="1 %")
    ax.set_xticks(b)
    ax.set_xticklabels([str(int(v)) for v in b])
    ax.set_xlabel("pulse budget N")
    ax.set_ylabel("|mean W_N - mean w_sp| / |mean w_sp|")
    ax.set_title(f"{data['spec']['side']}x{data['spec']['side']}, ~{data['states']:.0f} states, "
                 f"mean SP {data['sp_mean']:.3f}", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)


def zs_error_histograms(ax, data: dict, schedule: str) -> None:
    """Fig. 1a: distribution of the per-cell error ``W_N - w_sp`` at each budget (one schedule)."""
    import matplotlib.pyplot as plt

    d = data["schedules"][schedule]
    edges = np.array(d["hist_edges"])
    centres = 0.5 * (edges[1:] + edges[:-1])
    cmap = plt.get_cmap("viridis")
    nb = len(data["budgets"])
    for i, (bb, counts) in enumerate(zip(data["budgets"], d["hist_counts"])):
        pc = d["per_cell"][i]
        ax.step(centres, counts, where="mid", color=cmap(i / max(nb - 1, 1)),
                label=f"N={bb}: mean|err| {pc['mean_abs']:.3g}")
    ax.axvline(0, color="k", lw=0.8)
    ax.set_yscale("log")
    ax.set_xlabel("per-cell error W_N - w_sp")
    ax.set_ylabel("cells")
    ax.set_title(f"{schedule} ZS: per-cell error distribution", fontsize=9)
    ax.legend(fontsize=7)


# ----------------------------------------------------------------------------
# training (claims rider-floor, cor3.9, chopper, lemma3.10; figures fig3, fig4_left)
# ----------------------------------------------------------------------------

def errorbars(ax, x, mean, lo, hi, **kw):
    """Points ``mean`` with the (possibly asymmetric) interval ``[lo, hi]``; non-finite ends drawn as the mean."""
    mean = np.asarray(mean, float)
    lo = np.where(np.isfinite(np.asarray(lo, float)), lo, mean)
    hi = np.where(np.isfinite(np.asarray(hi, float)), hi, mean)
    kw.setdefault("capsize", 2)
    return ax.errorbar(x, mean, yerr=np.maximum([mean - lo, hi - mean], 0), **kw)


def power_law_line(ax, x, fit: dict, label_prefix: str = "fit", **kw):
    """The fitted line ``exp(intercept) x^slope`` of a log-log fit given as ``{"slope", "lo", "hi", "intercept"}``."""
    x = np.geomspace(np.min(x), np.max(x), 30)
    kw.setdefault("ls", ":")
    kw.setdefault("color", "k")
    return ax.plot(x, np.exp(fit["intercept"]) * x ** fit["slope"],
                   label=f"{label_prefix} slope {fit['slope']:.2f} [{fit['lo']:.2f}, {fit['hi']:.2f}]", **kw)


def draw_floor(ax, part: dict) -> None:
    """``rider-floor``: one sigma part's floor vs dw_min (pulse-exact, noiseless level, excess, fit)."""
    dw = np.asarray(part["dw"])
    ex, nl = part["exact"], part["noiseless"]
    errorbars(ax, dw, ex["mean"], ex["lo"], ex["hi"], marker="o", label="pulse-exact")
    ax.axhline(nl["mean"], color="gray", ls="--", label=f"noiseless (dw-independent) {nl['mean']:.2g}")
    exc = np.asarray(part["excess"]["mean"])
    ok = exc > 0
    if ok.any():
        ax.errorbar(dw[ok], exc[ok], yerr=np.asarray(part["excess"]["err"])[ok], marker="s", capsize=2,
                    label="excess over noiseless")
    power_law_line(ax, dw, part["fit"], label_prefix="fit (vs +1)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("dw_min")
    ax.set_ylabel("mean ||W - W*||^2, second half")
    ax.set_title(f"RIDER floor vs dw_min, sigma={part['sigma']}")
    ax.legend(fontsize=7)


def draw_cost_vs_dw(ax, x, series: dict, ylabel: str, xlabel: str = "dw_min") -> None:
    """Cost curves on log-log axes: ``series`` maps a label to ``{"y", "lo", "hi", "color", "marker"}``
    and optionally ``"fit"`` (see :func:`power_law_line`); missing points (NaN) are marked with x at the top."""
    x = np.asarray(x, float)
    finite = [np.asarray(s["y"], float) for s in series.values()]
    top = np.nanmax(np.concatenate(finite)) * 2 if np.isfinite(np.concatenate(finite)).any() else 1.0
    for label, s in series.items():
        y = np.asarray(s["y"], float)
        ok = np.isfinite(y)
        if ok.any():
            errorbars(ax, x[ok], y[ok], np.asarray(s["lo"], float)[ok], np.asarray(s["hi"], float)[ok],
                      color=s["color"], marker=s["marker"], label=label)
            if s.get("fit"):
                power_law_line(ax, x[ok], s["fit"], color=s["color"], lw=1)
        if (~ok).any():
            ax.scatter(x[~ok], np.full((~ok).sum(), top), color=s["color"], marker="x",
                       label=f"{label}: not reached")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7)


def draw_pq_trace(ax, k, P, Q, sp: float, title: str) -> None:
    """Fig. 3 (top): one cell's P_k and Q_k with its SP."""
    ax.plot(k, P, lw=0.5, color="tab:orange", label="P_k (fast array)")
    ax.plot(k, Q, lw=1.5, color="tab:blue", label="Q_k (filtered)")
    ax.axhline(sp, color="k", ls="--", lw=1, label="SP of the cell")
    ax.set(xlabel="iteration k", ylabel="weight", title=title)
    ax.legend(fontsize=7, loc="lower right")


def draw_pq_spectra(ax, omega, Spp, Sqq, H2, eta: float, p: float, title: str) -> None:
    """Fig. 3 (bottom): Welch spectra of P and Q with the filter's |H|^2 (Lemma 3.10) on a twin axis."""
    w = np.asarray(omega)[1:]
    ax.loglog(w, np.asarray(Spp)[1:], color="tab:orange", lw=1, label="|FFT|^2 of P (Welch)")
    ax.loglog(w, np.asarray(Sqq)[1:], color="tab:blue", lw=1, label="|FFT|^2 of Q (Welch)")
    ax.set(xlabel="omega (rad/iteration)", ylabel="power spectral density", title=title)
    ax2 = ax.twinx()
    ax2.loglog(w, np.asarray(H2)[1:], "k--", lw=1, label=f"|H|^2, eta = {eta:g}")
    ax2.set_ylabel("|H(e^{j omega})|^2")
    if p > 0:
        ax.axvline(2 * p, color="gray", ls=":", lw=1)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="lower left")


# ----------------------------------------------------------------------------
# network budgets (claims fig2-zs-budget, fig4-pulses, fig5-chopper; figures fig2, fig4, fig5)
# ----------------------------------------------------------------------------

def _t_band(x, level=0.95):
    """Mean and t interval over the first axis (the seeds); a constant column gives a zero-width interval."""
    from scipy import stats as st

    x = np.asarray(x, float)
    m = x.mean(axis=0)
    if x.shape[0] < 2:
        return m, m, m
    h = st.t.ppf(0.5 + level / 2, x.shape[0] - 1) * x.std(axis=0, ddof=1) / np.sqrt(x.shape[0])
    return m, m - h, m + h


def draw_zs_budget(ax, ax2, data: dict) -> None:
    """Fig. 2: final training loss vs the calibration budget N (two-stage, 95 % t band over seeds) with
    E-RIDER's loss beside it (``ax``); the mean loss curves over training per N (``ax2``).

    ``data``: ``network_budget.zs_budget``'s output (``n_zs``, ``loss`` (seeds, N), ``e_rider`` (seeds,),
    ``k``, ``curves`` (records, N), ``e_rider_curve``, ``setting.dw_min``)."""
    import matplotlib.pyplot as plt

    n = np.asarray(data["n_zs"], float)
    dw = float(data["setting"]["dw_min"])
    m, lo, hi = _t_band(data["loss"])
    errorbars(ax, n, m, lo, hi, marker="o", color="C3", label="two-stage (ZS N pulses, then Q fixed)")
    em, elo, ehi = _t_band(np.asarray(data["e_rider"])[:, None])
    ax.axhspan(elo[0], ehi[0], color="C0", alpha=0.2, lw=0)
    ax.axhline(em[0], color="C0", label="E-RIDER (no calibration)")
    ax.axvline(1 / dw, color="gray", ls=":", label="N = 1/dw_min")
    ax.set_xscale("symlog", linthresh=max(n[n > 0].min(), 1.0))
    ax.set_xlim(left=-0.5 * max(n[n > 0].min(), 1.0))
    ax.set(xlabel="zero-shifting pulses N", ylabel="final training loss (95 % t over seeds)",
           title=f"training loss vs ZS budget, dw_min = {dw:g}")
    ax.legend(fontsize=7)
    colors = plt.cm.viridis(np.linspace(0.0, 0.9, n.size))
    k = np.asarray(data["k"])
    for i, c in enumerate(colors):
        ax2.plot(k, np.asarray(data["curves"])[:, i], color=c, lw=1.2, label=f"N = {int(n[i])}")
    ax2.plot(k, data["e_rider_curve"], color="C0", lw=2, ls="--", label="E-RIDER")
    ax2.set_yscale("log")
    ax2.set(xlabel="iteration k", ylabel="training loss (mean over seeds)", title="learning curves")
    ax2.legend(fontsize=6, ncol=2)


def draw_cost_vs_states(ax, data: dict, accounting: str) -> None:
    """Fig. 4 on the MLP: cost to reach the target loss vs number of states, E-RIDER and ZS + TT-v2 (the
    grid's best N per number of states and the largest N), geometric mean over seeds with a 95 % t band
    on the log scale.  ``data``: ``network_budget.cost_vs_states``'s output with ``best`` added per row
    (``best_time``, ``best_energy``: the index of the chosen N); ``accounting`` is ``"time"`` or ``"energy"``."""
    rows = data["rows"]
    st = np.array([r["states"] for r in rows], float)

    def band(v):
        v = np.asarray(v, float)
        if not np.all(np.isfinite(v)):
            return np.nan, np.nan, np.nan
        m, lo, hi = _t_band(np.log(v)[:, None])
        return float(np.exp(m[0])), float(np.exp(lo[0])), float(np.exp(hi[0]))

    series = {
        "E-RIDER": ([band(np.asarray(r["E-RIDER"][accounting])[:, 0]) for r in rows], "C0", "o"),
        "ZS + TT-v2, best N": ([band(np.asarray(r["zs-tt-v2"][accounting])[:, r[f"best_{accounting}"]])
                                if r.get(f"best_{accounting}") is not None
                                else (np.nan,) * 3 for r in rows], "C3", "s"),
        "ZS + TT-v2, N = 8/dw_min": ([band(np.asarray(r["zs-tt-v2"][accounting])[:, -1]) for r in rows], "C1", "^"),
    }
    draw_cost_vs_dw(ax, st, {lab: dict(y=[b[0] for b in bs], lo=[b[1] for b in bs], hi=[b[2] for b in bs],
                                       color=c, marker=mk) for lab, (bs, c, mk) in series.items()},
                    ylabel=("time: N + cycles x BL" if accounting == "time" else "energy: pulses fired per cell"),
                    xlabel="number of states (2 / dw_min)")
    ax.set_title(f"{accounting} to reach training loss {data['setting']['target']}", fontsize=10)


def draw_chopper(ax, data: dict) -> None:
    """Fig. 5: E-RIDER test accuracy vs chopper probability p (mean over seeds, 95 % t), seeds as thin lines."""
    p = np.asarray(data["p"], float)
    acc = np.asarray(data["test"], float)  # (p, seeds)
    x = np.arange(p.size)
    for j in range(acc.shape[1]):
        ax.plot(x, acc[:, j], color="0.75", lw=0.6)
    m, lo, hi = _t_band(acc.T)
    errorbars(ax, x, m, lo, hi, marker="o", color="C0", lw=2, label="E-RIDER test accuracy (95 % t)")
    ax.set_xticks(x)
    ax.set_xticklabels([f"{v:.2g}" for v in p])
    ax.set(xlabel="chopper probability p", ylabel="test accuracy", title="E-RIDER accuracy vs chopper probability")
    ax.legend(fontsize=7)


# ----------------------------------------------------------------------------
# offset grid (claims table-sp-offsets / ttv2-offset / agad-offset, figure table1)
# ----------------------------------------------------------------------------

def draw_offset_heatmap(ax, values, ref_means, ref_stds, title: str, lo=None, hi=None, diverging: bool = False,
                        vmax: float | None = None) -> None:
    """One block of the paper's Tables 1-2 as a heat map: rows ref_std, columns ref_mean, each cell
    annotated with its value (percent) and, given ``lo``/``hi``, its interval.  ``diverging``: a
    difference centred on 0 (red below, blue above)."""
    v = np.asarray(values, float)
    if diverging:
        lim = vmax if vmax is not None else max(float(np.nanmax(np.abs(v))), 1.0)
        im = ax.imshow(v, cmap="RdBu", vmin=-lim, vmax=lim, aspect="auto")
    else:
        im = ax.imshow(v, cmap="viridis", vmin=0.0, vmax=100.0 if vmax is None else vmax, aspect="auto")
    for i in range(v.shape[0]):
        for j in range(v.shape[1]):
            text = f"{v[i, j]:.1f}"
            if lo is not None and hi is not None:
                text += f"\n[{np.asarray(lo)[i, j]:.1f}, {np.asarray(hi)[i, j]:.1f}]"
            dark = (abs(v[i, j]) > 0.5 * lim) if diverging else (v[i, j] < 60.0)
            ax.text(j, i, text, ha="center", va="center", fontsize=7, color="white" if dark else "black")
    ax.set_xticks(range(len(ref_means)), [f"{m:g}" for m in ref_means])
    ax.set_yticks(range(len(ref_stds)), [f"{s:g}" for s in ref_stds])
    ax.set_xlabel("ref_mean")
    ax.set_ylabel("ref_std")
    ax.set_title(title, fontsize=9)
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)


def draw_offset_figure(fig, data: dict, extra: int = 0) -> list:
    """Heat maps of mean test accuracy per algorithm (``data["means"][name]``, percent) and the paired
    differences (``data["differences"][label]`` with ``mean``/``lo``/``hi``, percent points, simultaneous
    intervals) on ``fig``: one panel each, accuracies first; returns ``extra`` more (empty) axes after them."""
    names = list(data["means"])
    diffs = list(data.get("differences", {}))
    n = len(names) + len(diffs) + extra
    cols = 4
    rows = math.ceil(n / cols)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, name in zip(axes, names):
        draw_offset_heatmap(ax, data["means"][name], data["ref_means"], data["ref_stds"], name)
    for ax, label in zip(axes[len(names):], diffs):
        d = data["differences"][label]
        draw_offset_heatmap(ax, d["mean"], data["ref_means"], data["ref_stds"], f"{label} (points)", lo=d["lo"],
                            hi=d["hi"], diverging=True)
    for ax in axes[n:]:
        ax.axis("off")
    return list(axes[n - extra:n])


def draw_learning_curves(ax, epochs, curves: dict, title: str = "learning curves (validation, mean)") -> None:
    """Validation accuracy (percent) against the epoch, one line per algorithm (``curves[name]``: the mean
    curve, one value per epoch in ``epochs``)."""
    for name, c in curves.items():
        ax.plot(epochs, c, label=name, lw=1.2)
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation accuracy (%)")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
