"""Fused per-cell arithmetic of the update model (:func:`sptheory.pulses.apply_model`), compiled with numba.

At the sizes of a small network (a few thousand cells per array) the NumPy form of one update is some
thirty array operations of about a microsecond each, so call overhead, not arithmetic, sets its cost.
The kernels here do the same floating-point operations, in the same order and with the same rounding
(no fast-math flags, so LLVM neither reassociates nor contracts ``a * b + c`` into a fused multiply-add),
in two passes over the cells; every random number is still drawn by NumPy, in the same calls and order,
outside the kernels.  The values are therefore bit for bit those of the NumPy path, which stays the
reference and the fallback: it runs when numba is not installed or ``SPTHEORY_NO_NUMBA=1`` is set.

Compiled kernels are cached on disk (numba's ``cache=True``), so only the first use on a machine pays
for compilation.
"""

from __future__ import annotations

import functools
import os

__all__ = ["kernels"]


def switched_off() -> bool:
    """True when the environment variable ``SPTHEORY_NO_NUMBA`` is ``1``: every compiled path (these kernels,
    the lean RIDER block) then runs its NumPy reference."""
    return os.environ.get("SPTHEORY_NO_NUMBA") == "1"


@functools.lru_cache(maxsize=None)
def kernels():
    """The module of compiled kernels (:mod:`._fused_kernels`), or ``None`` when the NumPy path is to
    run: numba is not installed, or the environment variable ``SPTHEORY_NO_NUMBA`` was ``1`` at the
    first call (the answer is kept for the life of the process)."""
    if switched_off():
        return None
    try:
        from . import _fused_kernels
    except ImportError:
        return None
    return _fused_kernels
