"""Cost (time and energy) to a target training loss vs number of states on the MLP: E-RIDER vs ZS + TT-v2.

Data from :func:`sptheory.experiments.network_budget.cost_vs_states`, the experiment of the claim
``fig4-pulses`` (setting, sizes and seeds there); drawn by
:mod:`sptheory.experiments.plotting`.
"""

from __future__ import annotations

from sptheory.experiments import network_budget as X
from sptheory.experiments import to_jsonable

from ._write import write_figure

NAME = "fig4"
TITLE = "Cost (time and energy) to a target training loss vs number of states on the MLP: E-RIDER vs ZS + TT-v2"


def compute(quick: bool = False, rng_seed: int = 0, executor=None, size: dict | None = None) -> dict:
    return to_jsonable(dict(X.cost_vs_states(quick, rng_seed, executor, size), title=TITLE))


def make(out_dir, quick: bool = False, rng_seed: int = 0, side=None, executor=None, size: dict | None = None) -> dict:
    """Compute, write ``fig4.png`` and ``fig4.json`` into ``out_dir``; return their paths (``side`` is ignored)."""
    data = compute(quick, rng_seed, executor, size)
    return write_figure(out_dir, NAME, data, draw)


def draw(data: dict, path) -> None:
    import matplotlib.pyplot as plt
    from sptheory.experiments import plotting

    for r in data["rows"]:  # the claim's choice of N per accounting
        for acc in ("time", "energy"):
            r[f"best_{acc}"] = X.choose_n(r["zs-tt-v2"][acc])
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, acc in zip(axes, ("time", "energy")):
        plotting.draw_cost_vs_states(ax, data, acc)
    fig.suptitle("Fig. 4 analog (MLP): " + data["title"], fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
