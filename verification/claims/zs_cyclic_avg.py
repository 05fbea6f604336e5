"""Thm C.3, eq. (38): average squared asymmetry of cyclic zero-shifting.

    (1/2N) sum_{n<2N} G(W_n)^2 <= phi0 / (2 N dw_min) + 3 dw_min q_max^2 L_q / 2

N up/down pairs (2N pulses, up first).  Without cycle-to-cycle noise the
schedule is deterministic, so the measured value is exact.  Experiment:
:mod:`sptheory.experiments.zero_shift`.

Prediction (kind ``upper``, declared before the run): every point at or below
the bound; rule and hypotheses as in :mod:`verification.claims._zs_common`.
"""

from __future__ import annotations

from sptheory import bounds, stats
from sptheory.experiments import zero_shift as E

from . import _zs_common as C

ID = "zs-cyclic-avg"
TITLE = "Thm C.3: cyclic ZS, (1/2N) sum_{n<2N} G(W_n)^2 <= phi0/(2N dw_min) + 3 dw_min q_max^2 L_q/2"
SOURCE = "Thm C.3, eq. (38)"
PREDICTION = stats.Prediction(
    "upper", "(1/2N) sum_{n<2N} G(W_n)^2 <= phi0/(2N dw_min) + 3 dw_min q_max^2 L_q/2, per cell, every N")

EXTRA = (
    "Reading: the first term phi0/(2N dw_min) is essentially what the transient contributes (each up/down pair "
    "lowers phi by about 2 dw_min G^2), so the ratio is largest just after the transient. Once the iterate "
    "reaches its 2-cycle around w_sp, G(W_n)^2 is O(dw_min^2) (the cycle's half-width is about dw_min F/2), "
    "far below the bound's O(dw_min) term 3 dw_min q_max^2 L_q / 2 (`bounds.zs_cyclic_average_floor`): the floor "
    "column shows how loose it is (claim zs-floor-scaling: holds, not tight)."
)


def run(quick: bool, rng_seed: int, executor=None):
    results = []
    for family, seed in zip(C.FAMILIES, C.family_seeds(rng_seed)):
        curves, devs, cross, consts, lev = C.simulate(family, quick, seed, "cyclic", "avg_g2", E.cyclic_margin,
                                                      executor)
        bnd = [bounds.zs_cyclic_average_bound(c.n[:, None], c.dw, k.phi0, k.L_q, k.q_max)
               for c, k in zip(curves, consts)]
        floors = [bounds.zs_cyclic_average_floor(c.dw, k.L_q, k.q_max) for c, k in zip(curves, consts)]
        results.append(C.make_result(
            claim_id=ID, family=family, claim=TITLE, source=SOURCE, schedule="cyclic", n_label="N (up/down pairs)",
            prediction=PREDICTION, curves=curves, bounds=bnd, consts=consts, floors_bound=floors,
            floor_name="3 dw_min q_max^2 L_q/2", margin_how=E.CYCLIC_MARGIN_TEXT, cross=cross, lev=lev,
            monotone=False, extra_notes=EXTRA, ylabel="(1/2N) sum_{n<2N} G(W_n)^2",
        ))
    return results


def plot(result, path) -> None:
    C.plot_curves(result, path)
