"""Claim modules update-model, sp-formula-104, zs-errata: quick runs and their exact helpers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sptheory import devices, pulses
from verification.harness import ClaimResult, to_jsonable
from verification.claims import sp_formula_104, update_model, zs_errata

ALLOWED = {"holds", "violated", "inconclusive"}


def _check(results, module, tmp_path):
    results = results if isinstance(results, list) else [results]
    assert results
    for r in results:
        assert isinstance(r, ClaimResult)
        assert r.id == module.ID or r.id.startswith(module.ID + "/")
        assert r.verdict in ALLOWED
        assert r.judgement is not None and r.prediction is not None
        json.dumps(to_jsonable(r.to_dict()), allow_nan=False)
        path = tmp_path / (r.id.replace("/", "_") + ".png")
        module.plot(r, path)
        assert path.stat().st_size > 1000
    return {r.id: r for r in results}


@pytest.mark.slow
def test_update_model_quick(tmp_path):
    res = _check(update_model.run(quick=True, rng_seed=3, executor=None), update_model, tmp_path)
    assert set(res) == {"update-model/mean-gap", "update-model/variance-small-dW", "update-model/variance-c2c",
                        "update-model/variance-rounding-large-dW"}
    # Monte Carlo cross-checks of the exact formulas stay within a generous |z|
    for r in res.values():
        for chk in r.data["mc_checks"]:
            assert abs(chk["z"]) < 5


def test_sp_formula_104_quick(tmp_path):
    res = _check(sp_formula_104.run(quick=True, rng_seed=3, executor=None), sp_formula_104, tmp_path)
    assert res["sp-formula-104"].verdict == "violated"
    assert res["sp-formula-104/signed"].verdict == "holds"
    assert all(r.erratum and r.prediction.kind == "identity" for r in res.values())


def test_update_model_predictions():
    kinds = {k: p.kind for k, p in update_model.PREDICTIONS.items()}
    assert kinds == {"mean-gap": "order-upper", "variance-small-dW": "scaling", "variance-c2c": "scaling",
                     "variance-rounding-large-dW": "scaling"}
    assert all(p.tol == 0.0 for k, p in update_model.PREDICTIONS.items() if p.kind == "scaling")


@pytest.mark.slow
def test_zs_errata_quick(tmp_path):
    res = _check(zs_errata.run(quick=True, rng_seed=3, executor=None), zs_errata, tmp_path)
    assert set(res) == {f"zs-errata/{k}" for k in ("thm-c2-direction", "thm-c4-factor", "per-cell", "thm-c2-constant")}
    for r in res.values():
        assert r.erratum is not None and r.hypotheses and all(h.met for h in r.hypotheses)
        assert r.prediction is zs_errata.PREDICTIONS[r.id.rsplit("/", 1)[-1]]


def test_exact_mean_matches_forced_apply_exact():
    """run_forced mirrors apply_exact: integer counts make apply_exact deterministic."""
    for dev in (devices.Power(gamma=2.0, dw_min=1e-3), devices.SoftBounds(1.2, 0.8, 1.0, 1.0, dw_min=1e-3)):
        for sign in (1, -1):
            k = np.array([1, 7, 40])
            dW = sign * k * 1e-3 * (1 + 1e-12)
            got = update_model.run_forced(dev, 0.5, sign, k)
            ref = pulses.apply_exact(dev, np.full(3, 0.5), dW, 0).w
            np.testing.assert_allclose(got, ref, rtol=0, atol=1e-13)


def test_soft_var_closed_form_vs_pulse_loop():
    """The SoftBounds variance formula against a Monte Carlo of apply_exact (c2c on)."""
    dev = devices.SoftBounds(1.2, 0.8, 1.0, 1.0, dw_min=1e-3)
    dW = 12.3e-3
    ex = update_model.soft_var(dev, 0.5, np.array([dW]), 0.2)[0]
    _, _, v, sem = update_model.mc_moments(dev, 0.5, dW, 40000, np.random.default_rng(0), c2c=0.2)
    assert abs(v - ex) < 5 * sem


def test_zs_simulate_matches_exact_moments():
    dev = devices.SoftBounds(1.3, 0.7, 1.0, 1.0, dw_min=1e-2)
    rec, wmin, wmax = zs_errata.simulate(dev, -0.5, 200, 4000, np.random.default_rng(1), checkpoints=[50, 200])
    from sptheory import calibration

    mom = calibration.zero_shift_moments(dev, -0.5, [50, 200])
    for i in range(2):
        x = rec[i]
        assert abs(x.mean() - float(np.ravel(mom.dist_sq)[i])) < 5 * x.std() / np.sqrt(x.size)
    assert wmin <= -0.5 <= wmax


def test_root_of_G_matches_closed_form():
    rng = np.random.default_rng(0)
    a_up, a_dn, t_max, t_min = sp_formula_104._random_devices(100, rng)
    dev = devices.SoftBounds(a_up, a_dn, t_max, t_min, dw_min=1e-3)
    np.testing.assert_allclose(sp_formula_104.root_of_G(dev), dev.symmetric_point(), atol=1e-14)
