"""Claims zs-pulses-scaling and zs-floor-scaling, and paper_figs Fig. 1a/1b, on tiny arrays."""

import json

import numpy as np
import pytest

from sptheory import calibration, stats
from sptheory.experiments import zs_array as Z
from verification.harness import RESULT_VERDICTS
from verification.claims import zs_floor_scaling, zs_pulses_scaling


def _check_results(results, prefix, n_expected, tmp_path, module):
    assert len(results) == n_expected
    for r in results:
        assert r.id.startswith(prefix + "/")
        assert r.verdict in RESULT_VERDICTS and r.verdict != "crashed"
        json.dumps(r.to_dict(), allow_nan=False)
        assert r.judgement is not None and r.prediction is not None
        rows = r.hypotheses + r.checks
        assert rows and all(isinstance(h, stats.Hypothesis) for h in rows)
        png = tmp_path / (r.id.replace("/", "_") + ".png")
        module.plot(r, png)
        assert png.exists() and png.stat().st_size > 1000


def test_pulses_claim_tiny(tmp_path):
    results = zs_pulses_scaling.run(quick=True, rng_seed=3, executor=None, side=16, n_dw=4)
    _check_results(results, zs_pulses_scaling.ID, 2, tmp_path, zs_pulses_scaling)
    for r in results:
        pts = r.data["points"]
        assert [p["dw_min"] for p in pts] == pytest.approx(list(Z.dw_grid(4)))
        assert all(p["grid_consistent"] for p in pts)


def test_floor_claim_tiny(tmp_path):
    results = zs_floor_scaling.run(quick=True, rng_seed=3, executor=None, side=16, n_dw=4, mc_cells=64)
    _check_results(results, zs_floor_scaling.ID, 4, tmp_path, zs_floor_scaling)
    ids = {r.id for r in results}
    assert ids == {"zs-floor-scaling/stochastic", "zs-floor-scaling/cyclic",
                   "zs-floor-scaling/stochastic-c2c", "zs-floor-scaling/cyclic-c2c"}


@pytest.mark.parametrize("schedule", ["stochastic", "cyclic"])
def test_closed_form_mean_matches_moments(schedule):
    dev = Z.make_device(Z.ArraySpec(side=8, seed=1), 2e-3)
    ns = [1, 2, 7, 100, 1001, 5000]
    m = calibration.zero_shift_moments(dev, Z.W0, ns, schedule)
    for i, n in enumerate(m.checkpoints):
        z = Z.mean_distance(dev, Z.W0, int(n), schedule)
        np.testing.assert_allclose(z + dev.symmetric_point(), m.mean[i], rtol=0, atol=1e-12)
    # limit: the stochastic mean converges to the SP, cyclic (even N) to the pair map's fixed point below it
    z_inf = Z.mean_distance(dev, Z.W0, np.inf, schedule)
    if schedule == "stochastic":
        np.testing.assert_allclose(z_inf, 0.0, atol=1e-15)
    else:
        assert np.all(z_inf < 0)


def test_smallest_n_bisection():
    err = lambda n: 1.0 / n  # noqa: E731
    assert Z.smallest_n(err, 0.01, 1, 0.0) == 100
    assert Z.smallest_n(err, 0.01, 2, 0.0) == 100
    assert Z.smallest_n(err, 0.0101, 2, 0.0) == 100  # even n only: 1/98 > 0.0101 >= 1/100
    assert Z.smallest_n(err, 0.01, 1, 0.02) is None  # floor above the target


def test_pulses_point_is_the_crossing():
    spec = Z.ArraySpec(side=16, seed=2)
    p = Z.pulses_point(spec, 1e-3, "stochastic")
    assert p["err_at_n"] <= Z.TARGET < p["err_before_n"]
    assert p["n_lo"] <= p["n_star"] <= p["n_hi"]


def test_paper_figs_quick(tmp_path):
    from paper_figs.__main__ import main

    assert main(["--quick", "--side", "8", "--only", "fig1a", "fig1b", "--out", str(tmp_path)]) == 0
    for name in ("fig1a", "fig1b"):
        assert (tmp_path / f"{name}.png").stat().st_size > 1000
        data = json.loads((tmp_path / f"{name}.json").read_text())
        assert data["spec"]["side"] == 8


def test_paper_figs_bad_name(tmp_path, capsys):
    from paper_figs.__main__ import main

    assert main(["--only", "nope", "--out", str(tmp_path)]) == 2


def test_scaling_claims_declare_predictions():
    p = zs_pulses_scaling.PREDICTION
    assert p.kind == "scaling" and p.exponent == -1.0 and p.tol == 0.0
    for key in ("last", "avg"):
        q = zs_floor_scaling.PREDICTIONS[key]
        assert q.kind == "order-upper" and q.exponent == 1.0 and q.towards == "0"
    assert zs_floor_scaling.PREDICTIONS["below-floor"].kind == "upper"


def test_floor_claim_c2c_cannot_be_violated_outside_hypotheses(tmp_path):
    results = zs_floor_scaling.run(quick=True, rng_seed=4, executor=None, side=8, n_dw=5, mc_cells=16)
    by_id = {r.id: r for r in results}
    noisy = by_id["zs-floor-scaling/stochastic-c2c"]
    assert not next(h for h in noisy.hypotheses if h.name.startswith("exact pulses")).met
    cyc = by_id["zs-floor-scaling/cyclic"]
    assert cyc.verdict == "holds" and "not tight" in (cyc.tightness or "")

