"""Shared setting of the SP-tracking claims (rider-sp-tracking, chopper, lemma3.5, lemma3.10, Fig. 3).

One problem, one device family, one set of step sizes, chosen from the spec
before any claim was run (SPEC 9.9):

* P array: the bounded-q device ``q_pm(w) = 1 -/+ a tanh(w - s)`` (Def. 2.1
  holds on the whole line with ``q_min = 1 - a``, ``q_max = 1 + a``;
  ``F = 1``, ``G = a tanh(w - s)``, SP ``= s``), per-cell offsets
  ``s ~ N(0.3, 0.1^2)`` (the paper's Table-1 style ``ref_mean = 0.3``).
  Bounds ``[-5, 5]`` so clipping never matters.
* W array: the same family with ``s = 0``.
* Objective: diagonal quadratic, ``A`` evenly spaced in ``[1, 2]``,
  ``W* ~ N(0, 0.3^2)``, Gaussian gradient noise of std 1 per coordinate.
* Steps: ``alpha = 0.05, beta = 0.01, eta = 0.01, gamma = 0.5`` (the Theta
  relations of Thm 3.7: ``eta = Theta(alpha mu)``, ``beta = Theta(alpha gamma mu)``),
  E-RIDER ``p = 0.05`` (the paper's chopper probability).

Helpers here build these objects and drive the algorithms' own ``step``
functions while recording the states (``algorithms.run`` records metrics only).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sptheory import algorithms, devices, objectives

A_TANH = 0.3
BOUND = 5.0
SP_MEAN, SP_STD = 0.3, 0.1
DW_MIN = 1e-3
STEPS = dict(alpha=0.05, beta=0.01, eta=0.01, gamma=0.5)
P_CHOP = 0.05
NOISE_PER_COORD = 1.0
PULSE_MODE = "model"


def tanh_device(a, offset, dw_min=DW_MIN, bound=BOUND) -> devices.Tanh:
    """``q_plus = 1 - a tanh(x)``, ``q_minus = 1 + a tanh(x)``, ``x = w - offset``, on ``[-bound, bound] + offset``."""
    return devices.Tanh(a, offset, dw_min, bound=bound)


@dataclass
class Setting:
    D: int
    sp: np.ndarray
    W_star: np.ndarray
    A: np.ndarray
    dev_p: devices.Device
    dev_w: devices.Device
    prob: objectives.Quadratic
    start_W: np.ndarray
    start_Q: np.ndarray

    def describe(self) -> str:
        return (f"D={self.D} cells; P device q_pm = 1 -/+ {A_TANH} tanh(w - s) (Def. 2.1 globally, q in "
                f"[{1 - A_TANH:g}, {1 + A_TANH:g}], F = 1, G = {A_TANH} tanh(w - s)), per-cell SP s ~ "
                f"N({SP_MEAN}, {SP_STD}^2); W device same family with s = 0; dw_min = {DW_MIN:g}; quadratic, "
                f"A in [1, 2], W* ~ N(0, 0.3^2), gradient noise std {NOISE_PER_COORD} per coordinate; "
                f"alpha={STEPS['alpha']}, beta={STEPS['beta']}, eta={STEPS['eta']}, gamma={STEPS['gamma']}; "
                f"pulse_mode='{PULSE_MODE}'")


def make_setting(rng, D: int = 8) -> Setting:
    rng = np.random.default_rng(rng)
    sp = SP_MEAN + SP_STD * rng.standard_normal(D)
    W_star = 0.3 * rng.standard_normal(D)
    start_W, start_Q = 0.5 * rng.standard_normal(D), -0.3 + 0.8 * rng.standard_normal(D)
    A = np.linspace(1.0, 2.0, D)
    prob = objectives.Quadratic(A, W_star, sigma=NOISE_PER_COORD * np.sqrt(D))
    return Setting(D, sp, W_star, A, tanh_device(A_TANH, sp), tanh_device(A_TANH, np.zeros(D)), prob,
                   start_W, start_Q)


def algorithm(name: str, st: Setting, p: float = P_CHOP, eta: float | None = None, pulse_mode: str = PULSE_MODE):
    """``"rider"``, ``"e-rider"`` (chopper ``p``) or ``"residual"`` on the shared setting."""
    kw = dict(STEPS)
    if eta is not None:
        kw["eta"] = eta
    if name == "rider":
        return algorithms.rider(st.dev_p, st.dev_w, **kw, pulse_mode=pulse_mode)
    if name == "e-rider":
        return algorithms.e_rider(st.dev_p, st.dev_w, **kw, p=p, pulse_mode=pulse_mode)
    if name == "residual":
        kw.pop("eta")
        return algorithms.residual_learning(st.dev_p, st.dev_w, **kw, pulse_mode=pulse_mode)
    raise ValueError(f"unknown algorithm {name!r}")


def starts(st: Setting) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Initial ``(label, W0, Q0)``, Q0 far from the SP (~0.8 per cell RMS), never at it (SPEC 9.9)."""
    D = st.D
    return [
        ("W0=0, Q0=-0.5", np.zeros(D), np.full(D, -0.5)),
        ("W0=W*+0.5, Q0=+1.2", st.W_star + 0.5, np.full(D, 1.2)),
        ("W0~N(0,0.5^2), Q0~N(-0.3,0.8^2)", st.start_W, st.start_Q),
    ]


def record_states(algo, prob, state, n_iter: int, rng, every: int = 1) -> dict:
    """Drive ``algo`` for ``n_iter`` steps and return the states ``P, Q, W, c`` (and
    ``programs``) at ``k = 0, every, 2 every, ...`` as arrays ``(records, replicates, D)``
    (``P, Q, c`` only for two-array methods); a thin view of ``algorithms.run(keep_states=True)``."""
    state, trace = algorithms.run(algo, prob, state, n_iter, rng, record_every=every, keep_states=True)
    out = dict(trace.states, k=trace.k)
    out["programs"] = np.asarray(state.programs)
    out["state"] = state
    return out
