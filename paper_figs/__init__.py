"""The paper's figures, regenerated small and fast: ``python -m paper_figs [--out DIR] [--quick] [--only NAME ...]``.

Each figure module exposes ``NAME``, ``TITLE`` and
``make(out_dir, quick=False, rng_seed=0, side=None) -> dict`` (the paths it
wrote: a PNG and a JSON file with the plotted data, both in ``out_dir``).
The computations live in :mod:`sptheory.experiments` (e.g.
:mod:`sptheory.experiments.zs_array` for Fig. 1), shared with the verification
claims; ``paper_figs`` and ``verification`` never import each other.
"""

#: Figure name -> module path, in order.
FIGURES: dict[str, str] = {
    "fig1a": "paper_figs.fig1a",
    "fig1b": "paper_figs.fig1b",
    "fig3": "paper_figs.fig3",
    "fig4_left": "paper_figs.fig4_left",
    "thm37": "paper_figs.thm37",
    "fig2": "paper_figs.fig2",
    "fig4": "paper_figs.fig4",
    "fig5": "paper_figs.fig5",
    "table1": "paper_figs.table1",
}
