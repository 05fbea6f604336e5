"""Drawing helpers shared by claims and figures: each takes a matplotlib Axes and never picks a backend.

Only the command-line entry points select a backend; these functions draw
on the Axes they are given, so a notebook user's backend is left alone.
"""

from __future__ import annotations

import numpy as np

__all__ = ["errorbars", "power_law_line", "draw_floor", "draw_cost_vs_dw", "draw_pq_trace", "draw_pq_spectra"]


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
