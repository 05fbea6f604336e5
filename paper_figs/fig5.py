"""E-RIDER test accuracy vs chopper probability p at the nominal cell of converged setting A, with the
learning curves.

Data from :func:`sptheory.experiments.network_budget.chopper_sweep`, the experiment of the claim
``fig5-chopper`` (setting, sizes and seeds there); drawn by
:mod:`sptheory.experiments.plotting`.
"""

from __future__ import annotations

from sptheory.experiments import network_budget as X
from sptheory.experiments import to_jsonable

from ._write import write_figure

NAME = "fig5"
TITLE = "E-RIDER test accuracy vs chopper probability p (setting A: HfO2-like fast array, fine slow array)"


def compute(quick: bool = False, rng_seed: int = 0, executor=None, size: dict | None = None) -> dict:
    return to_jsonable(dict(X.chopper_sweep(quick, rng_seed, executor, size), title=TITLE))


def make(out_dir, quick: bool = False, rng_seed: int = 0, side=None, executor=None, size: dict | None = None) -> dict:
    """Compute, write ``fig5.png`` and ``fig5.json`` into ``out_dir``; return their paths (``side`` is ignored)."""
    data = compute(quick, rng_seed, executor, size)
    return write_figure(out_dir, NAME, data, draw)


def draw(data: dict, path) -> None:
    import matplotlib.pyplot as plt

    from sptheory.experiments import plotting

    import numpy as np

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.4))
    plotting.draw_chopper(ax, data)
    curves = {f"p={p:g}": 100 * np.mean(c, axis=0) for p, c in zip(data["p"], np.asarray(data["curve"], float))}
    curves[data["setting"]["reference"]] = 100 * np.mean(np.asarray(data["reference_curve"], float), axis=0)
    plotting.draw_learning_curves(ax2, data["epochs"], curves)
    fig.suptitle("Fig. 5 analog: " + data["title"], fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
