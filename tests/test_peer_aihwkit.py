"""benchmarks/peer_aihwkit.py without aihwkit: the sptheory side on a tiny size, the parameter
mapping against aihwkit's pulse rule, and the not-installed mode."""

import sys
from pathlib import Path

import numpy as np
import pytest

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from benchmarks import peer_aihwkit as peer  # noqa: E402
from sptheory import calibration  # noqa: E402


def hidden(cells, seed=0):
    """Per-cell parameters shaped like aihwkit's SoftBounds hidden parameters (slopes relative to each cell's bounds)."""
    g = np.random.Generator(np.random.PCG64(seed))
    up = 1e-3 * np.exp(0.3 * g.standard_normal(cells))
    dn = up * (1 + 0.1 * g.standard_normal(cells))
    hi, lo = 1 + 0.05 * g.standard_normal(cells), -(1 + 0.05 * g.standard_normal(cells))
    return {"dwmin_up": up, "dwmin_down": dn, "slope_up": -up / hi, "slope_down": -dn / lo,
            "max_bound": hi, "min_bound": lo}


def test_device_from_hidden_reproduces_aihwkit_pulse_rule():
    """One pulse each way from random states: the SoftBounds maps equal aihwkit's rule (1e-15)."""
    hp = hidden(50)
    dev = peer.device_from_hidden(hp)
    w = np.random.Generator(np.random.PCG64(1)).uniform(-0.5, 0.5, 50)
    for up in (True, False):
        got = w + dev.dw_min * dev.q_plus(w) if up else w - dev.dw_min * dev.q_minus(w)
        want = peer.replay(hp, w, [np.full(50, up)])
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-15)
    np.testing.assert_allclose(dev.upper, hp["max_bound"], rtol=1e-14)
    np.testing.assert_allclose(dev.lower, hp["min_bound"], rtol=1e-14)


def test_sptheory_side_tiny():
    hp = hidden(16)
    dev = peer.device_from_hidden(hp)
    w0 = np.zeros((1, 16))
    out = peer.sptheory_side(dev, w0, 40, repeats=1)
    assert {(r["schedule"], r["method"], r["track_g2"]) for r in out["rows"]} == {
        (s, m, g) for s, m in (("cyclic", "pulse"), ("cyclic", "auto"), ("stochastic", "auto")) for g in (False, True)}
    assert all(r["cell_pulses_per_s_best"] > 0 and r["cells"] == 16 for r in out["rows"])
    # cyclic end state == aihwkit's rule replayed with alternating signs, up first
    signs = [np.full(16, n % 2 == 0) for n in range(40)]
    np.testing.assert_allclose(out["ends"][("cyclic", "pulse", False)].ravel(), peer.replay(hp, w0, signs),
                               rtol=0, atol=1e-14)
    np.testing.assert_allclose(out["ends"][("cyclic", "auto", True)], out["ends"][("cyclic", "pulse", False)],
                               rtol=0, atol=1e-14)
    law = peer.standardised(dev, w0, 40, out["ends"][("stochastic", "auto", False)])
    assert law["cells"] == 16 and np.isfinite(law["mean"]) and law["var"] > 0
    assert peer.standardised(dev, w0, 40, calibration.zero_shift_moments(dev, w0, [40], "stochastic").mean)[
        "mean"] == pytest.approx(0.0, abs=1e-9)


def test_rejects_non_soft_bounds_slopes():
    hp = hidden(4)
    hp["slope_up"] = -hp["slope_up"]
    with pytest.raises(ValueError, match="slope_up"):
        peer.device_from_hidden(hp)


def test_without_aihwkit_prints_how_to_get_it(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "aihwkit", None)  # import fails as if not installed
    assert peer.main(["--side", "4", "--pulses", "2", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "make bench-peer" in out and "torch==2.10.0" in out and "aihwkit==1.1.0" in out
