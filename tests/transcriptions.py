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


def model_normals(rng, shape):
    """The update model's per-cell standard normals as ``pulses.apply_model`` documents them: the
    generator's first ceil(m/2) raw 64-bit words (m cells) as 2 ceil(m/2) unsigned 32-bit integers; the
    first half k give radii sqrt(-2 ln((k + 1/2) / 2^32)) (formed in float64, rooted in float32), the
    second half j read as signed give angles 2 pi j / 2^32 (float32); the cosines' products, then the
    sines', in order (Box-Muller)."""
    m = int(np.prod(shape))
    h = (m + 1) // 2
    words = rng.bit_generator.random_raw(h).view(np.uint32)
    k, j = words[:h].astype(np.float64), words[h:].view(np.int32)
    radius = np.sqrt((64 * np.log(2.0) - 2.0 * np.log(k + 0.5)).astype(np.float32))
    theta = j.astype(np.float32) * np.float32(2 * np.pi / 2.0**32)
    return np.concatenate([radius * np.cos(theta), radius * np.sin(theta)])[:m].astype(np.float64).reshape(shape)
