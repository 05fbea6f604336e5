"""Fig. 3: P and Q signals with and without the chopper (one cell), and their spectra with |H|^2.

The runs are those of the verification claim ``lemma3.10``
(:func:`sptheory.experiments.tracking.simulate_traces`: RIDER and E-RIDER,
p = 0.05, on the shared SP-tracking setting of that module).
Top: P_k, Q_k and the cell's SP over the iterations.  Bottom: Welch power
spectra of P and Q (after the burn-in, averaged over replicates and cells)
with the filter's |H(e^{j omega})|^2 (Lemma 3.10) on the right axis.
"""

from __future__ import annotations

import time

import numpy as np

from sptheory import bounds
from sptheory.experiments import tracking
from sptheory.experiments import plotting

from ._write import write_figure

NAME = "fig3"
TITLE = "P and Q with and without the chopper (one cell) and their spectra with |H|^2"


def compute(quick: bool = False, rng_seed: int = 0, size: dict | None = None) -> dict:
    sim = tracking.simulate_traces(quick, rng_seed, None, size)
    out = {"size": sim["size"], "sp": float(sim["setting"].sp[0]), "runs": {}}
    for name, t in sim["traces"].items():
        out["runs"][name] = {
            "p": t["p"], "eta": t["eta"], "k": t["k"], "P": t["P0"], "Q": t["Q0"], "c": t["c0"],
            "omega": t["omega"], "Spp": t["Spp"], "Sqq": t["Sqq"],
            "H2": bounds.filter_gain(t["omega"], t["eta"]),
        }
    return out


def draw(data: dict, path) -> None:
    import matplotlib.pyplot as plt

    names = list(data["runs"])
    fig, axes = plt.subplots(2, len(names), figsize=(6 * len(names), 7), squeeze=False)
    for j, name in enumerate(names):
        r = data["runs"][name]
        title = "without chopper (RIDER, p = 0)" if r["p"] == 0 else f"with chopper (E-RIDER, p = {r['p']:g})"
        plotting.draw_pq_trace(axes[0, j], np.asarray(r["k"]), r["P"], r["Q"], data["sp"], title)
        plotting.draw_pq_spectra(axes[1, j], r["omega"], r["Spp"], r["Sqq"], r["H2"], r["eta"], r["p"],
                                 f"spectra after iteration {data['size']['burn']}")
    fig.suptitle("Fig. 3 analog: P and Q of one cell without / with the chopper; Q = (12) applied to P "
                 "(low-pass |H|^2, Lemma 3.10)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def make(out_dir, quick: bool = False, rng_seed: int = 0, side: int | None = None, size: dict | None = None) -> dict:
    """Compute, write ``fig3.png`` and ``fig3.json`` into ``out_dir``; return their paths.
    ``side`` is accepted for the common interface and ignored (one-cell traces)."""
    t0 = time.perf_counter()
    data = compute(quick, rng_seed, size)
    data["seconds"] = time.perf_counter() - t0
    return write_figure(out_dir, NAME, data, draw)
