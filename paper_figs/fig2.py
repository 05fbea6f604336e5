"""Training loss vs zero-shifting budget N (two-stage, digits MLP, 1000 states) with E-RIDER beside it.

Data from :func:`sptheory.experiments.network_budget.zs_budget`, the experiment of the claim
``fig2-zs-budget`` (setting, sizes and seeds there); drawn by
:mod:`sptheory.experiments.plotting`.
"""

from __future__ import annotations

from sptheory.experiments import network_budget as X
from sptheory.experiments import to_jsonable

from ._write import write_figure

NAME = "fig2"
TITLE = "Training loss vs zero-shifting budget N (two-stage, digits MLP, 1000 states) with E-RIDER beside it"


def compute(quick: bool = False, rng_seed: int = 0, executor=None, size: dict | None = None) -> dict:
    return to_jsonable(dict(X.zs_budget(quick, rng_seed, executor, size), title=TITLE))


def make(out_dir, quick: bool = False, rng_seed: int = 0, side=None, executor=None, size: dict | None = None) -> dict:
    """Compute, write ``fig2.png`` and ``fig2.json`` into ``out_dir``; return their paths (``side`` is ignored)."""
    data = compute(quick, rng_seed, executor, size)
    return write_figure(out_dir, NAME, data, draw)


def draw(data: dict, path) -> None:
    import matplotlib.pyplot as plt

    from sptheory.experiments import plotting

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    plotting.draw_zs_budget(ax, ax2, data)
    fig.suptitle("Fig. 2 analog: " + data["title"], fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
