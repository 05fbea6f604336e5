"""Smoke tests of the Thm 3.7 claims (rider-rate, rider-floor) and paper_figs.thm37:
tiny sizes (``sizes`` patched) run, verdicts are valid, results are JSON-serialisable and plots are written.
The real quick modes (~10-20 s each) are marked slow."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sptheory import devices
from verification.claims import rider_floor, rider_rate
from verification.harness import ClaimResult

VERDICTS = ("holds", "violated", "inconclusive")

TINY = {
    rider_rate: lambda quick: dict(R=3, Ks=[400, 566, 800, 1131, 1600]),
    rider_floor: lambda quick: dict(D=4, R=4, K=200, dw=[4e-3, 8e-3, 1.6e-2]),
}


@pytest.fixture
def tiny(monkeypatch):
    for mod, fn in TINY.items():
        monkeypatch.setattr(mod, "sizes", fn)


def _check(results, tmp_path, mod):
    results = results if isinstance(results, list) else [results]
    for r in results:
        assert isinstance(r, ClaimResult)
        assert r.verdict in VERDICTS
        if mod is rider_floor:
            assert r.judgement is not None and r.prediction is rider_floor.PREDICTION
            assert r.hypotheses
        assert r.id.split("/")[0] == mod.ID
        json.dumps(r.to_dict(), allow_nan=False)
        path = tmp_path / (r.id.replace("/", "_") + ".png")
        mod.plot(r, path)
        assert path.stat().st_size > 1000
    return results


@pytest.mark.parametrize("mod", [rider_rate, rider_floor], ids=lambda m: m.ID)
def test_claim_tiny(mod, tiny, tmp_path):
    results = _check(mod.run(quick=True, rng_seed=3, executor=None), tmp_path, mod)
    if mod is rider_rate:
        assert {r.id for r in results} == {"rider-rate/rider", "rider-rate/e-rider"}


def test_tanh_device_def21():
    dev = devices.Tanh(0.5, np.array([0.3, -0.1]), 1e-3)
    assert np.allclose(dev.symmetric_point(), [0.3, -0.1])
    assert np.allclose(dev.G(dev.symmetric_point()), 0.0)
    w = np.linspace(-4, 4, 101)[:, None]
    q = np.concatenate([dev.q_plus(w), dev.q_minus(w)])
    assert q.min() >= 0.5 and q.max() <= 1.5
    assert np.all(dev.phi(w) >= -1e-12)


def test_thm37_figure(monkeypatch, tmp_path):
    from paper_figs import FIGURES, thm37

    assert FIGURES["thm37"] == "paper_figs.thm37"
    from sptheory.experiments import thm37 as X

    monkeypatch.setattr(X, "counterexample_sizes", lambda quick: dict(K=2000, R=3, points=4))
    monkeypatch.setattr(X, "rate_sizes", lambda quick: dict(R=3, Ks=[400, 566, 800, 1131, 1600]))
    paths = thm37.make(tmp_path, quick=True, rng_seed=1)
    assert paths["png"].stat().st_size > 1000
    data = json.loads(paths["json"].read_text())
    assert {"bound", "rate"} <= set(data)


@pytest.mark.slow
@pytest.mark.parametrize("mod", [rider_rate, rider_floor], ids=lambda m: m.ID)
def test_claim_quick(mod, tmp_path):
    _check(mod.run(quick=True, rng_seed=0, executor=None), tmp_path, mod)


def test_floor_is_order_upper_towards_zero():
    """A floor of smaller order than dw_min (slope 1.5) holds, not tight; only slope < 1 can break it."""
    from sptheory import stats

    p = rider_floor.PREDICTION
    assert (p.kind, p.exponent, p.towards) == ("order-upper", 1.0, "0")
    fit = stats.SlopeFit(1.5, 0.0, 1.3, 1.7, 5, 0.99)
    j = stats.judge(p, stats.Slope(fit, True, "test"), [stats.Hypothesis("h", "r", "m", True)])
    assert j.verdict == "holds" and j.tightness.startswith("not tight")
    fit = stats.SlopeFit(0.5, 0.0, 0.3, 0.7, 5, 0.99)
    assert stats.judge(p, stats.Slope(fit, True, "test"), [stats.Hypothesis("h", "r", "m", True)]).verdict == "violated"
    assert stats.judge(p, stats.Slope(fit, True, "test"), [stats.Hypothesis("h", "r", "m", False)]).verdict == "inconclusive"


def test_thm37_hypotheses_rows():
    from sptheory.experiments import rider as XR

    prob = XR.quadratic(3, 0, 0.1)
    dev_p = XR.tanh_device(3, 1)
    dev_w = XR.tanh_device(3, 2)
    rng_ = (np.full(3, -0.5), np.full(3, 0.5))
    steps = dict(alpha=0.01, beta=1e-3, eta=1e-3, gamma=0.5)
    rows, nums = XR.thm37_hypotheses(dev_p, dev_w, prob, steps, rng_, rng_, 0.05)
    names = [r.name for r in rows]
    assert {"Def. 2.1 (P array)", "Assumption 3.6", "C_star condition (stated)", "C_star condition (proof)",
            "step size: positivity"} <= set(names)
    assert nums["q_min"] >= 0.5 - 1e-12 and nums["q_max"] <= 1.5 + 1e-12
    # a range touching a SoftBounds bound is outside Def. 2.1
    soft = XR.soft_device(3, 1, tau=1.0, mean=0.0, spread=0.0)
    rows, _ = XR.thm37_hypotheses(soft, soft, prob, steps, (np.full(3, -1.0), np.full(3, 0.5)), rng_, 0.05)
    assert not rows[0].met
