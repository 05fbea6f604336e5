"""Single-array baselines: digital SGD (the reference) and analog SGD (eqs. (2), (5)).

Analog SGD asks the array for ``dW = -alpha g``:
``W <- W - alpha g F(W) - alpha |g| G(W) + b``; its fixed point is biased
towards the device's SP (implicit penalty, eq. (4)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..devices import Device
from .base import _c2c_number, analog_update, check_mode, check_rate, check_stream, dist_to_optimum, sq_norm
from .rider import TrainState

__all__ = ["DigitalSGD", "AnalogSGD"]


def _single_state(W0, replicates):
    W0 = np.atleast_1d(np.asarray(W0, dtype=float))
    lead = (replicates,) if replicates is not None else W0.shape[:-1] or (1,)
    W = np.array(np.broadcast_to(W0, lead + W0.shape[-1:]))
    zeros = np.zeros(lead)
    return TrainState(W, None, None, None, None, zeros.copy(), zeros.copy(), 0, np.zeros(lead, dtype=np.int64), 0.0)


def _observe_single(state, objective):
    nan = np.full(state.W.shape[:-1], np.nan)
    return dict(
        f_gap=objective.f(state.W) - objective.f_star,
        w_dist=dist_to_optimum(state.W, objective),
        pq=nan, gp=nan, q_sp=nan,
        pulses=state.pulses_w, pulses_p=np.zeros_like(nan), pulses_w=state.pulses_w,
        cycles=np.full(state.W.shape[:-1], state.cycles), programs=state.programs,
        calibration=np.zeros_like(nan),
    )


@dataclass(frozen=True)
class DigitalSGD:
    """Floating-point SGD ``W <- W - alpha g`` (the reference; no pulses)."""

    alpha: float

    def __post_init__(self):
        check_rate("alpha", self.alpha)

    def init(self, W0, replicates=None):
        return _single_state(W0, replicates)

    def step(self, state, objective, rng):
        W = state.W - self.alpha * objective.grad(state.W, rng)
        return state._replace(W=W, cycles=state.cycles + 1)

    def forward_weights(self, state):
        """The weights the gradient is taken at: ``W`` itself."""
        return state.W

    def observe(self, state, objective):
        return _observe_single(state, objective)


@dataclass(frozen=True)
class AnalogSGD:
    """Analog SGD on one array with responses ``dev`` (pulse mode as in :class:`Rider`).

    ``c2c`` is one number, the cycle-to-cycle noise of that array's pulses (on network devices the slow
    array's, ``NetworkDevices.c2c_slow``); a pair is a TypeError.
    """

    dev: Device
    alpha: float
    pulse_mode: str = "exact"
    c2c: float = 0.0
    stream: str = "full"

    def __post_init__(self):
        if not isinstance(self.dev, Device):
            raise TypeError(f"dev must be a sptheory.devices.Device, got {type(self.dev).__name__}")
        check_rate("alpha", self.alpha)
        object.__setattr__(self, "c2c", _c2c_number(self.c2c, pair_ok=False))
        check_mode(self.pulse_mode)
        check_stream(self.stream)

    def init(self, W0, replicates=None):
        return _single_state(W0, replicates)

    def step(self, state, objective, rng):
        res = analog_update(self.dev, state.W, -self.alpha * objective.grad(state.W, rng), rng, self.pulse_mode, self.c2c,
                            self.stream)
        return state._replace(W=res.w, pulses_w=state.pulses_w + res.n_pulses.mean(axis=-1), cycles=state.cycles + 1)

    def forward_weights(self, state):
        """The weights the gradient is taken at: ``W`` itself."""
        return state.W

    def observe(self, state, objective):
        return _observe_single(state, objective)
