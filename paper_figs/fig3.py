"""Fig. 3: P and Q signals with and without the chopper (one cell), and their spectra with |H|^2.

The runs are those of the verification claim ``lemma3.10``
(:func:`verification.claims.lemma310.simulate_traces`: RIDER and E-RIDER,
p = 0.05, on the shared SP-tracking setting of
``verification/claims/_sp_common.py``); nothing is simulated here.
Top: P_k, Q_k and the cell's SP over the iterations.  Bottom: Welch power
spectra of P and Q (after the burn-in, averaged over replicates and cells)
with the filter's |H(e^{j omega})|^2 (Lemma 3.10) on the right axis.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from sptheory import bounds

NAME = "fig3"
TITLE = "P and Q with and without the chopper (one cell) and their spectra with |H|^2"


def compute(quick: bool = False, rng_seed: int = 0, size: dict | None = None) -> dict:
    from verification.claims import lemma310

    sim = lemma310.simulate_traces(quick, rng_seed, None, size)
    out = {"size": sim["size"], "sp": float(sim["setting"].sp[0]), "runs": {}}
    for name, t in sim["traces"].items():
        out["runs"][name] = {
            "p": t["p"], "eta": t["eta"], "k": t["k"], "P": t["P0"], "Q": t["Q0"], "c": t["c0"],
            "omega": t["omega"], "Spp": t["Spp"], "Sqq": t["Sqq"],
            "H2": bounds.filter_gain(t["omega"], t["eta"]),
        }
    return out


def draw(data: dict, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(data["runs"])
    fig, axes = plt.subplots(2, len(names), figsize=(6 * len(names), 7), squeeze=False)
    for j, name in enumerate(names):
        r = data["runs"][name]
        ax = axes[0, j]
        k = np.asarray(r["k"])
        ax.plot(k, r["P"], lw=0.5, color="tab:orange", label="P_k (fast array)")
        ax.plot(k, r["Q"], lw=1.5, color="tab:blue", label="Q_k (filtered)")
        ax.axhline(data["sp"], color="k", ls="--", lw=1, label="SP of the cell")
        title = "without chopper (RIDER, p = 0)" if r["p"] == 0 else f"with chopper (E-RIDER, p = {r['p']:g})"
        ax.set(xlabel="iteration k", ylabel="weight", title=title)
        ax.legend(fontsize=7, loc="lower right")
        ax = axes[1, j]
        w = np.asarray(r["omega"])[1:]
        ax.loglog(w, np.asarray(r["Spp"])[1:], color="tab:orange", lw=1, label="|FFT|^2 of P (Welch)")
        ax.loglog(w, np.asarray(r["Sqq"])[1:], color="tab:blue", lw=1, label="|FFT|^2 of Q (Welch)")
        ax.set(xlabel="omega (rad/iteration)", ylabel="power spectral density",
               title=f"spectra after iteration {data['size']['burn']}")
        ax2 = ax.twinx()
        ax2.loglog(w, np.asarray(r["H2"])[1:], "k--", lw=1, label=f"|H|^2, eta = {r['eta']:g}")
        ax2.set_ylabel("|H(e^{j omega})|^2")
        if r["p"] > 0:
            ax.axvline(2 * r["p"], color="gray", ls=":", lw=1)
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="lower left")
    fig.suptitle("Fig. 3 analog: P and Q of one cell without / with the chopper; Q = (12) applied to P "
                 "(low-pass |H|^2, Lemma 3.10)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def make(out_dir, quick: bool = False, rng_seed: int = 0, side: int | None = None, size: dict | None = None) -> dict:
    """Compute, write ``fig3.png`` and ``fig3.json`` into ``out_dir``; return their paths.
    ``side`` is accepted for the common interface and ignored (one-cell traces)."""
    from verification.harness import to_jsonable

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    data = compute(quick, rng_seed, size)
    data["seconds"] = time.perf_counter() - t0
    png, js = out_dir / f"{NAME}.png", out_dir / f"{NAME}.json"
    draw(data, png)
    js.write_text(json.dumps(to_jsonable(data), indent=1, allow_nan=False) + "\n")
    return {"png": png, "json": js}
