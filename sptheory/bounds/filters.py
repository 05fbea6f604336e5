"""The Q-update (12) as a low-pass filter: the paper's Sec. 3.3, Lemma 3.10.

    Q_{k+1} = (1 - eta) Q_k + eta P_{k+1}
    H(z) = eta / (1 - (1 - eta) z^-1),  pole at 1 - eta.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import _checks as C
from ._symbolic import BoundExpr, make, symbols


def _eta(eta):
    a = C.as_float_array("eta", eta)
    # |1 - eta| < 1: the pole inside the unit circle (the recursion is stable)
    C.require("eta", a, (a > 0) & (a < 2), "in (0, 2) (stable filter; (12) uses eta in (0, 1])")
    return a


@lru_cache(maxsize=None)
def filter_gain_expr() -> BoundExpr:
    """Lemma 3.10: |H(e^{j omega})|^2 derived from H(z) with sympy.

    steps["transfer"] is H(e^{j omega}); steps["from_transfer"] is
    H * conj(H) rewritten in cosines and steps["stated"] the lemma's printed
    form; both equal ``expr`` (written with sin^2(omega/2) for accuracy).
    """
    import sympy as sp

    s = symbols()
    H = s.eta / (1 - (1 - s.eta) * sp.exp(-sp.I * s.omega))
    power = sp.simplify(sp.expand_complex(H * sp.conjugate(H)))
    stated = s.eta**2 / (1 + (1 - s.eta) ** 2 - 2 * (1 - s.eta) * sp.cos(s.omega))
    # same value; 1 + (1-eta)^2 - 2(1-eta) = eta^2 removes the cancellation at small eta, omega
    expr = s.eta**2 / (s.eta**2 + 4 * (1 - s.eta) * sp.sin(s.omega / 2) ** 2)
    return make(expr, (s.omega, s.eta), transfer=H, from_transfer=power, stated=stated)


def filter_response(omega, eta):
    """Lemma 3.10: complex frequency response H(e^{j omega}) = eta / (1 - (1-eta) e^{-j omega}).

    omega: normalised angular frequency (rad/iteration); eta: filter weight of (12).
    """
    w = C.as_float_array("omega", omega)
    e = _eta(eta)
    w, e = C.broadcast(omega=w, eta=e)
    h = e / (1 - (1 - e) * np.exp(-1j * w))
    return complex(h) if h.ndim == 0 else h


def filter_gain(omega, eta):
    """Lemma 3.10: power gain (tight value, an identity) of the Q-filter (12),

        |H(e^{j omega})|^2 = eta^2 / (1 + (1 - eta)^2 - 2 (1 - eta) cos omega)

    omega: normalised angular frequency (rad/iteration, any real);
    eta: filter weight in (0, 2) (stable; the algorithm uses (0, 1]).
    Gain 1 at omega = 0 (Q tracks slow drift such as the SP), eta^2/(2 - eta)^2
    at omega = pi (a sign-alternating chopped signal is suppressed).
    """
    w = C.as_float_array("omega", omega)
    e = _eta(eta)
    w, e = C.broadcast(omega=w, eta=e)
    # written as eta^2 / (eta^2 + 4 (1 - eta) sin^2(omega/2)): no cancellation for small eta
    return C.out(e**2 / (e**2 + 4 * (1 - e) * np.sin(w / 2) ** 2))
