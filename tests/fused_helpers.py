"""Shared by the compiled-against-NumPy tests (test_fused.py, test_fused_nn.py): byte views of outputs,
one function run through the kernels and through NumPy, and a record of whether a kernel really ran (a
case must not compare NumPy with NumPy)."""

from __future__ import annotations

import numpy as np
import pytest

from sptheory import _fused, pulses

# The compiled-against-NumPy comparisons need the kernels: without numba, or with SPTHEORY_NO_NUMBA=1 (the
# NumPy reference run), there is nothing to compare, so those modules skip instead of failing.
requires_kernels = pytest.mark.skipif(
    _fused.kernels() is None, reason="compiled kernels off (numba missing or SPTHEORY_NO_NUMBA=1)"
)


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


def as_bytes(*xs):
    """The bytes of each output (a ReadOut: its value and its hidden weights; a RankOneUpdate: dense)."""
    out = []
    for x in xs:
        if isinstance(x, pulses.ReadOut):
            out += [x.view(np.ndarray).tobytes(), x.hidden.tobytes()]
        elif isinstance(x, pulses.RankOneUpdate):
            out.append(x.dense().tobytes())
        else:
            out.append(np.ascontiguousarray(x).tobytes())
    return out


def both_paths(monkeypatch, fn):
    """``fn()``'s outputs through the kernels, then through NumPy (no kernels)."""
    fused = fn()
    with monkeypatch.context() as m:
        m.setattr(_fused, "kernels", lambda: None)
        plain = fn()
    return fused, plain


def record_kernel(monkeypatch, module, name):
    """Replace ``module.name`` (a kernel entry that returns None when it does not apply) by a spy; the returned
    list gets True for each call the kernel took, False for each it declined."""
    taken = []
    inner = getattr(module, name)

    def spy(*args, **kw):
        res = inner(*args, **kw)
        taken.append(res is not None)
        return res

    monkeypatch.setattr(module, name, spy)
    return taken
