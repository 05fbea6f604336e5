"""Thm 3.7 theory plots: the explicit bound (72) against RIDER on a setting that meets every
hypothesis (left), and E_K against K with alpha = Theta(1/sqrt K) for RIDER and E-RIDER (right).

The experiments are those of the claims ``rider-counterexample`` and ``rider-rate``
(``sptheory.experiments.thm37``: ``simulate_counterexample``, ``simulate_rate``); nothing else
is simulated here. The Theta(dw_min) floor is drawn by the ``rider-floor`` claim.
"""

from __future__ import annotations

import numpy as np

from sptheory import stats
from sptheory.experiments import thm37 as X

from ._write import write_figure

NAME = "thm37"
TITLE = "Thm 3.7: bound (72) vs RIDER with every hypothesis met; E_K vs K (alpha ~ 1/sqrt K)"


def compute(quick: bool = False, rng_seed: int = 0) -> dict:
    ss = np.random.SeedSequence([rng_seed, 37]).spawn(3)
    bound = X.simulate_counterexample(X.COUNTEREXAMPLE, X.counterexample_sizes(quick), ss[0])
    rate = {a: X.simulate_rate(X.COUNTEREXAMPLE, X.rate_sizes(quick), s, a) for a, s in zip(("rider", "e-rider"), ss[1:])}
    return dict(title=TITLE, bound=bound, rate=rate)


def _draw_bound(ax, m: dict) -> None:
    K = np.asarray(m["K"], float)
    lhs = np.asarray(m["lhs"])
    for s, p0 in enumerate(m["setting"]["starts"]):
        est = [stats.mean_ci(lhs[i, s]) for i in range(len(K))]
        ax.plot(K, [e.mean for e in est], marker="o", ms=3, label=f"measured left side, P0 = Q0 = {p0}")
    ax.plot(K, np.asarray(m["bound_proof"])[:, 0], "r-", label="(72), proof's constant 4 + C2")
    ax.plot(K, np.asarray(m["bound_printed"])[:, 0], "r--", label="(72), printed constant 5")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("K")
    ax.set_ylabel("time average of f-gap + C1||P*-Q||^2 + ||G_p||^2")
    ax.set_title("bound (72) vs measured (every hypothesis met)", fontsize=9)
    ax.legend(fontsize=7)


def _draw_rate(ax, m: dict) -> None:
    K = np.asarray(m["Ks"], float)
    E = np.asarray(m["E"])
    first = None
    for s, p0 in enumerate(m["setting"]["starts"]):
        mean = E[:, s].mean(axis=-1)
        first = mean[0] if first is None else first
        fit = stats.loglog_slope(K, mean)
        ax.plot(K, mean, marker="o", label=f"P0 = {p0}: slope {fit.slope:.2g}")
    ax.plot(K, first * (K / K[0]) ** -0.5, "k--", lw=1, label="K^-1/2")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("K (alpha = c/sqrt K)")
    ax.set_ylabel("E_K")
    ax.set_title(m["algo"], fontsize=9)
    ax.legend(fontsize=7)


def draw(data: dict, path) -> None:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))
    _draw_bound(axes[0], data["bound"])
    for ax, m in zip(axes[1:], data["rate"].values()):
        _draw_rate(ax, m)
    fig.suptitle(TITLE, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def make(out_dir, quick: bool = False, rng_seed: int = 0, side=None) -> dict:
    """Compute, write ``thm37.png`` and ``thm37.json`` into ``out_dir``; ``side`` is unused."""
    data = compute(quick, rng_seed)
    return write_figure(out_dir, NAME, data, draw)
