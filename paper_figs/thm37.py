"""Thm 3.7 theory plots: explicit bound (72) vs measured (theorem step sizes), the E_K rate fit
(RIDER and E-RIDER vs K^-1/2) and the Theta(dw_min) floor fit.

The computation is that of the verification claims ``rider-bound``, ``rider-rate`` and
``rider-floor`` (:mod:`verification.claims.rider_bound`, ``rider_rate``, ``rider_floor``:
their ``measure`` and ``draw`` functions); nothing is simulated here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from verification.claims import rider_bound, rider_floor, rider_rate
from verification.harness import to_jsonable

NAME = "thm37"
TITLE = "Thm 3.7: bound (72) vs measured, E_K vs K (slope -1/2), error floor vs dw_min (slope +1)"


def compute(quick: bool = False, rng_seed: int = 0) -> dict:
    ss = np.random.SeedSequence([rng_seed, 37]).generate_state(3)
    return dict(
        title=TITLE,
        bound=rider_bound.measure(quick, int(ss[0])),
        rate=rider_rate.measure(quick, int(ss[1]), devices_=("tanh",)),
        floor=rider_floor.measure(quick, int(ss[2])),
    )


def draw(data: dict, path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rate = data["rate"]
    n_floor = len(data["floor"]["parts"])
    ncol = 1 + len(rate["curves"]) + n_floor
    fig, axes = plt.subplots(1, ncol, figsize=(5.2 * ncol, 4.4))
    rider_bound.draw(axes[0], data["bound"])
    for ax, algo in zip(axes[1:], rate["curves"]):
        rider_rate.draw([ax], dict(algo=algo, curves=rate["curves"][algo]))
    for ax, part in zip(axes[1 + len(rate["curves"]):], data["floor"]["parts"]):
        rider_floor.draw(ax, part)
    fig.suptitle(TITLE, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def make(out_dir, quick: bool = False, rng_seed: int = 0, side=None) -> dict:
    """Compute, write ``thm37.png`` and ``thm37.json`` into ``out_dir``; ``side`` is unused."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = compute(quick, rng_seed)
    png, js = out / f"{NAME}.png", out / f"{NAME}.json"
    draw(data, png)
    js.write_text(json.dumps(to_jsonable(data), indent=1))
    return dict(png=png, json=js)
