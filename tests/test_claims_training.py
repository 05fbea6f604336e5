"""Smoke tests of the training-slice claims (rider-sp-tracking, residual-bias, chopper, lemma3.5,
lemma3.10) and of Fig. 3: small runs complete, verdicts are allowed, results are JSON-serialisable
and the plots are written."""

import json

import numpy as np
import pytest

from verification.harness import RESULT_VERDICTS, ClaimResult

TINY = {
    "rider_sp_tracking": dict(K=300, R=4, D=4, records=20),
    "residual_bias": dict(K=400, burn=100, R=4, every=5),
    "chopper": dict(K=300, R=4, D=4, every=10),
    "lemma35": dict(K=200, R=4, D=4, n_random=2000),
    "lemma310": dict(K=600, burn=200, R=2, D=4, nperseg=64),
}


def _check(results, mod, tmp_path):
    results = results if isinstance(results, list) else [results]
    assert results
    for r in results:
        assert isinstance(r, ClaimResult)
        assert r.id.split("/")[0] == mod.ID
        assert r.verdict in RESULT_VERDICTS and r.verdict != "crashed"
        json.dumps(r.to_dict(), allow_nan=False)
        path = tmp_path / (r.id.replace("/", "_") + ".png")
        mod.plot(r, path)
        assert path.exists() and path.stat().st_size > 0
    return results


@pytest.mark.parametrize("name", list(TINY))
def test_claim_tiny(name, tmp_path):
    import importlib

    mod = importlib.import_module(f"verification.claims.{name}")
    _check(mod.run(quick=True, rng_seed=3, executor=None, size=TINY[name]), mod, tmp_path)


def test_filter_gain_sinusoid_exact():
    from sptheory import bounds
    from verification.claims import lemma310

    for eta in (0.01, 0.3):
        for w in (0.05, 1.0, np.pi):
            assert lemma310.sinusoid_gain(w, eta, 0.7) == pytest.approx(float(bounds.filter_gain(w, eta)), rel=1e-10)


def test_filter_q_matches_recursion():
    from verification.claims import lemma310

    rng = np.random.default_rng(0)
    P = rng.standard_normal((50, 3))
    Q = np.empty_like(P)
    q = np.full(3, 0.4)
    for k in range(50):
        q = 0.9 * q + 0.1 * P[k]
        Q[k] = q
    assert np.allclose(lemma310.filter_q(P, 0.1, Q0=0.4), Q, rtol=0, atol=1e-14)


def test_residual_bias_prediction_linear_regime():
    """For the residual reference the penalty equation is linear: w - W* = Sigma a tanh(s) / A."""
    from verification.claims import residual_bias as RB

    s, prob, dev_p, _ = RB._setting()
    pred = RB.predict("residual", dev_p, prob)
    sigma = np.sqrt(prob.sigma2 / prob.D) * np.sqrt(2 / np.pi)
    assert np.allclose(pred, sigma * RB.A_DEV * np.tanh(s), rtol=1e-10)
    sgd = RB.predict("analog-sgd", dev_p, prob)
    assert np.all((sgd > 0) & (sgd < s))  # between W* = 0 and the SP


def test_record_states_matches_run():
    from sptheory import algorithms
    from verification.claims import _sp_common as C

    st = C.make_setting(1, 3)
    algo = C.algorithm("e-rider", st)
    s0 = algo.init(np.zeros(3), P0=-0.5, Q0=-0.5, replicates=2)
    rec = C.record_states(algo, st.prob, s0, 20, 5)
    fin, tr = algorithms.run(algo, st.prob, s0, 20, 5)
    assert np.allclose(rec["Q"][-1], fin.Q) and np.allclose(rec["P"][-1], fin.P)
    assert np.allclose(np.sum((rec["Q"][-1] - st.sp) ** 2, -1), tr.q_sp[-1])


def test_tanh_device_satisfies_def21():
    from verification.claims import _sp_common as C

    dev = C.tanh_device(0.3, np.array([0.2, 0.4]))
    assert np.allclose(dev.symmetric_point(), [0.2, 0.4], atol=1e-9)
    w = np.linspace(-4, 4, 101)[:, None]
    assert np.all(dev.q_plus(w) >= 0.7 - 1e-12) and np.all(dev.q_minus(w) <= 1.3 + 1e-12)
    assert np.allclose(dev.F(w), 1.0)


def test_fig3_quick(tmp_path):
    from paper_figs import fig3

    paths = fig3.make(tmp_path, quick=True, size=dict(K=800, burn=200, R=2, D=4, nperseg=64))
    assert paths["png"].exists()
    data = json.loads(paths["json"].read_text())
    assert set(data["runs"]) == {"rider", "e-rider"}
