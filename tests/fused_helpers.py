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


def rank1_trains_case(signed: bool):
    """A rank-1 pulse-train case shared by the trains tests (test_fused_nn.py, test_lean_stream.py): a SoftBounds
    device with write noise, a RankOneUpdate of 3 replicates over two layers (counts up to BL 5), with or without
    per-cell signs, and start weights; returns ``(dev, dW, w0)``."""
    from sptheory import devices

    dev = devices.with_write_noise(devices.SoftBounds(a_up=1.2, a_dn=0.8, tau_max=1.0, tau_min=0.9, dw_min=0.05,
                                                      offset=0.1), 0.4)
    g = gen(11)
    shapes = ((6, 9), (4, 7))
    factors = [(g.standard_normal((3, 4, i)), g.standard_normal((3, 4, o))) for o, i in shapes]
    D = sum(o * i for o, i in shapes)
    sign = np.where(g.random(D) < 0.5, -1.0, 1.0) if signed else None
    dW = pulses.RankOneUpdate(factors, scale=np.array([[0.3], [-0.2], [0.05]]), sign=sign)
    w0 = g.uniform(-0.5, 0.5, size=(3, D))
    return dev, dW, w0
