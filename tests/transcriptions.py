"""Independent transcriptions shared by the algorithm tests (written from the paper, not from the library)."""

import numpy as np


def exact_update(dev, w, dW, rng):
    """Pulse-exact Analog Update written from eq. (2): n = stochastic_round(|dW|/dw_min) pulses of
    sign(dW), each moving the cell by +dw q_plus(w) or -dw q_minus(w) at the current weight, clipped."""
    w = np.clip(np.array(w, dtype=float), dev.lower, dev.upper)
    x = np.abs(dW) / dev.dw_min
    n = (np.floor(x) + (rng.random(x.shape) < x - np.floor(x))).astype(int)
    up = dW >= 0
    for k in range(n.max(initial=0)):
        step = np.where(up, dev.dw_min * dev.q_plus(w), -dev.dw_min * dev.q_minus(w))
        w = np.clip(np.where(k < n, w + step, w), dev.lower, dev.upper)
    return w
