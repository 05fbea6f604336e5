"""The public contract: the names other code relies on, exactly as documented for users."""

import inspect
import json

import numpy as np

from sptheory import bounds, calibration, devices


def params(fn):
    return list(inspect.signature(fn).parameters)


def test_device_contract():
    dev = devices.SoftBounds(a_up=1.1, a_dn=0.9, tau_max=1.0, tau_min=1.0, dw_min=1e-3, offset=0.0)
    w = np.linspace(-0.5, 0.5, 3)
    for method in ("q_plus", "q_minus", "F", "G", "phi"):
        assert getattr(dev, method)(w).shape == (3,)
    assert np.shape(dev.symmetric_point()) == ()
    c = dev.constants(-0.5, 0.5)
    for attr in ("q_min", "q_max", "mu_q", "L_q"):
        assert hasattr(c, attr)
    per_cell = devices.SoftBounds(a_up=np.array([1.0, 1.2]), a_dn=0.9, tau_max=1.0, tau_min=1.0, dw_min=1e-3)
    assert per_cell.symmetric_point().shape == (2,)
    devices.Exponential(dw_min=1e-3)
    devices.Power(dw_min=1e-3)
    devices.Custom(q_plus=lambda x: 1 - x, q_minus=lambda x: 1 + x, lower=-1, upper=1, dw_min=1e-3)


def test_zero_shift_contract():
    assert params(calibration.zero_shift)[:5] == ["dev", "w0", "n_pulses", "rng", "schedule"]
    dev = devices.SoftBounds(dw_min=1e-2)
    for schedule in ("stochastic", "cyclic"):
        res = calibration.zero_shift(dev, np.zeros((2, 3)), 10, np.random.default_rng(0), schedule=schedule)
        assert res.w.shape == (2, 3) and res.pulses.shape == (2, 3)


def test_bound_function_contract():
    assert params(bounds.zs_average_bound)[:5] == ["N", "dw_min", "phi0", "L_q", "q_max"]
    assert params(bounds.zs_last_iterate_bound)[:5] == ["N", "dw_min", "mu_q", "q_max", "dist0_sq"]
    assert params(bounds.zs_pulses_needed)[:4] == ["delta", "dw_min", "mu_q", "dist0_sq"]
    assert params(bounds.filter_gain)[:2] == ["omega", "eta"]
    assert isinstance(bounds.zs_average_bound(100, 1e-3, 0.1, 1.0, 2.0), float)
    assert bounds.filter_gain(0.0, 0.3) == 1.0


def test_verification_cli_contract(tmp_path):
    from verification.__main__ import main

    code = main(["--quick", "--only", "sp-formula-104", "--out", str(tmp_path), "--workers", "1", "--no-progress"])
    assert code == 0
    doc = json.loads((tmp_path / "verification.json").read_text())
    assert set(doc) == {"claims", "meta"}
    for claim in doc["claims"]:
        assert {"id", "claim", "verdict"} <= set(claim)
        assert claim["verdict"] in {"holds", "violated", "inconclusive"}
