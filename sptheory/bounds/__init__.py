"""Bounds of the paper (SPEC sections 2-4) as numeric functions, each beside
the sympy expression it comes from (``*_expr()``, returning a ``BoundExpr``).

Zero-shifting calibration (SPEC 2): ``zs_average_bound`` (Thm 2.2),
``zs_last_iterate_bound`` and ``zs_pulses_needed`` (Thm C.2, (28), (30)),
``zs_cyclic_average_bound`` (Thm C.3), ``zs_cyclic_last_iterate_bound`` and
``zs_cyclic_pulses_needed`` (Thm C.4, (43), (46)).
Filtering (SPEC 4): ``filter_gain``, ``filter_response`` (Lemma 3.10).
Errata (SPEC 9.1-9.3, 9.8): ``sp_soft_bounds``, ``sp_formula_104_printed``,
``errata_9_1``, ``errata_9_2``, ``errata_9_3``, ``errata_9_8``.
Importing this package does not import sympy.
"""

from ._symbolic import BoundExpr
from .errata import (
    Errata91,
    Errata92,
    Errata93,
    Errata98,
    errata_9_1,
    errata_9_2,
    errata_9_2_expr,
    errata_9_3,
    errata_9_3_expr,
    errata_9_8,
    errata_9_8_expr,
    sp_formula_104_printed,
    sp_soft_bounds,
    sp_soft_bounds_expr,
)
from .filters import filter_gain, filter_gain_expr, filter_response
from .zero_shift import (
    zs_average_bound,
    zs_average_bound_expr,
    zs_cyclic_average_bound,
    zs_cyclic_average_bound_expr,
    zs_cyclic_last_iterate_bound,
    zs_cyclic_last_iterate_bound_expr,
    zs_cyclic_pulses_needed,
    zs_cyclic_pulses_needed_expr,
    zs_last_iterate_bound,
    zs_last_iterate_bound_expr,
    zs_pulses_needed,
    zs_pulses_needed_expr,
)

__all__ = [
    "BoundExpr",
    "Errata91", "Errata92", "Errata93", "Errata98",
    "errata_9_1", "errata_9_2", "errata_9_2_expr", "errata_9_3", "errata_9_3_expr",
    "errata_9_8", "errata_9_8_expr",
    "filter_gain", "filter_gain_expr", "filter_response",
    "sp_formula_104_printed", "sp_soft_bounds", "sp_soft_bounds_expr",
    "zs_average_bound", "zs_average_bound_expr",
    "zs_cyclic_average_bound", "zs_cyclic_average_bound_expr",
    "zs_cyclic_last_iterate_bound", "zs_cyclic_last_iterate_bound_expr",
    "zs_cyclic_pulses_needed", "zs_cyclic_pulses_needed_expr",
    "zs_last_iterate_bound", "zs_last_iterate_bound_expr",
    "zs_pulses_needed", "zs_pulses_needed_expr",
]
