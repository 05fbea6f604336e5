"""Smoke tests of the training-slice claims (rider-sp-tracking, residual-bias, chopper, lemma3.5,
lemma3.10) and of Fig. 3: small runs complete, verdicts are allowed, results are JSON-serialisable
and the plots are written."""

import json

import numpy as np
import pytest

from sptheory import stats
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
        assert r.judgement is not None and r.judgement.verdict == r.verdict
        assert r.hypotheses and all(isinstance(h, stats.Hypothesis) for h in r.hypotheses)
        assert isinstance(r.prediction, stats.Prediction)
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
    from sptheory.experiments import tracking as lemma310

    for eta in (0.01, 0.3):
        for w in (0.05, 1.0, np.pi):
            assert lemma310.sinusoid_gain(w, eta, 0.7) == pytest.approx(float(bounds.filter_gain(w, eta)), rel=1e-10)


def test_filter_q_matches_recursion():
    from sptheory.experiments import tracking as lemma310

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
    from sptheory.experiments import tracking as T

    s, prob, dev_p, _ = T.bias_setting()
    pred = T.implicit_penalty_point("residual", dev_p, prob)
    sigma = np.sqrt(prob.sigma2 / prob.D) * np.sqrt(2 / np.pi)
    assert np.allclose(pred, sigma * T.BIAS["a"] * np.tanh(s), rtol=1e-10)
    sgd = T.implicit_penalty_point("analog-sgd", dev_p, prob)
    assert np.all((sgd > 0) & (sgd < s))  # between W* = 0 and the SP


def test_record_states_matches_run():
    from sptheory import algorithms
    from sptheory.experiments import tracking as C

    st = C.make_setting(1, 3)
    algo = C.algorithm("e-rider", st)
    s0 = algo.init(np.zeros(3), P0=-0.5, Q0=-0.5, replicates=2)
    rec = C.record_states(algo, st.prob, s0, 20, 5)
    fin, tr = algorithms.run(algo, st.prob, s0, 20, 5)
    assert np.allclose(rec["Q"][-1], fin.Q) and np.allclose(rec["P"][-1], fin.P)
    assert np.allclose(np.sum((rec["Q"][-1] - st.sp) ** 2, -1), tr.q_sp[-1])


def test_tanh_device_satisfies_def21():
    from sptheory.experiments import tracking as C

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


@pytest.mark.parametrize("name", list(TINY) + ["cor39", "rider_floor"])
def test_claim_declares_predictions(name):
    import importlib

    mod = importlib.import_module(f"verification.claims.{name}")
    preds = getattr(mod, "PREDICTIONS", None) or {"main": mod.PREDICTION}
    assert preds and all(isinstance(p, stats.Prediction) for p in preds.values())


def test_rider_sp_tracking_outside_hypotheses_never_violated(tmp_path):
    """RIDER's table is Thm 3.7's: with an unmet row the verdict cannot be 'violated'."""
    from verification.claims import rider_sp_tracking as m

    res = {r.id: r for r in m.run(quick=True, rng_seed=3, executor=None, size=TINY["rider_sp_tracking"])}
    r = res["rider-sp-tracking/rider"]
    assert any(h.name.startswith("C_star condition") for h in r.hypotheses)
    if not all(h.met for h in r.hypotheses):
        assert r.verdict != "violated"


def test_chopper_pairs_replicates_by_seed():
    from sptheory.experiments import tracking as T

    sim = T.simulate_chopper(True, 5, sizes=dict(K=40, R=3, D=2, every=5))
    assert [o["p"] for o in sim["runs"]] == list(T.CHOPPER_P)
    assert all(o["T"].shape == (3,) for o in sim["runs"])


def test_cor39_tiny(tmp_path, monkeypatch):
    from verification.claims import cor39

    monkeypatch.setattr(cor39, "sizes", lambda quick: dict(dws=[1e-2, 5e-3, 2.5e-3], R=4, K_max=300, K_ts=200,
                                                           n_boot=10))
    res = _check(cor39.run(quick=True, rng_seed=3, executor=None), cor39, tmp_path)
    assert {r.id for r in res} == {"cor3.9/time", "cor3.9/energy"}
    assert any(h.name == "delta >= Theta(dw_min)" for h in res[0].hypotheses)


def test_fig4_left_uses_experiment_layer(tmp_path, monkeypatch):
    from paper_figs import fig4_left

    monkeypatch.setattr(fig4_left, "sizes", lambda quick: dict(states=(20, 50), R=2, K_max=200, K_ts=100, n_boot=5))
    paths = fig4_left.make(tmp_path, quick=True)
    assert paths["png"].exists()
    data = json.loads(paths["json"].read_text())
    assert len(data["rows"]) == 2
