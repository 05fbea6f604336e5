"""Experiments: named settings and pure ``simulate`` functions shared by claims and figures.

A claim (``verification/``) is an experiment plus a declared prediction and
text; a figure (``paper_figs/``) is an experiment plus a drawing.  Both import
the experiments from here, so neither imports the other.  Each module holds
the settings of one group of results (devices, problem, step sizes, sizes per
mode) and functions of the form ``simulate(setting, sizes, seed) -> arrays``:
pure, randomness only through the seed, no printing, no files.

:func:`to_jsonable` turns what they return into plain JSON types.
"""

from .records import to_jsonable

__all__ = ["to_jsonable"]
