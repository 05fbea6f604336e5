"""The lean RIDER / E-RIDER path (``algorithms.lean``) against ``algorithms.run`` with the same recursion.

``algorithms.run`` evaluates ``F = (q_minus + q_plus)/2``, which for the tanh family equals 1 only up to
rounding, while the lean path uses ``F == 1``: the two agree to rounding (relative 1e-9 after hundreds
of steps of a contracting recursion), not bit for bit.
"""

import numpy as np
import pytest

from sptheory import algorithms, devices, objectives
from sptheory.algorithms import lean


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


def tanh_dev(a, s):
    a = float(a)
    return devices.Custom(q_plus=lambda x: 1.0 - a * np.tanh(x), q_minus=lambda x: 1.0 + a * np.tanh(x),
                          lower=-50.0, upper=50.0, dw_min=1e-3, offset=s)


SET = dict(A=np.array([3.0, 1.0]), W_star=np.array([0.1, -0.2]), sigma=0.4, a_p=0.3, s_p=np.array([0.3, 0.5]),
           a_w=0.25, s_w=np.array([-0.1, 0.0]), alpha=0.05, beta=0.02, eta=0.03, gamma=0.5)


def _run_reference(noise, K, R, seed, p=0.0, replay=None):
    s = SET
    cls = objectives.RademacherQuadratic if noise == "rademacher" else objectives.Quadratic
    prob = cls(s["A"], s["W_star"], sigma=s["sigma"])
    dp, dw = tanh_dev(s["a_p"], s["s_p"]), tanh_dev(s["a_w"], s["s_w"])
    if p == 0.0:
        algo = algorithms.rider(dp, dw, s["alpha"], s["beta"], s["eta"], s["gamma"], pulse_mode="noiseless")
    else:
        algo = algorithms.e_rider(dp, dw, s["alpha"], s["beta"], s["eta"], s["gamma"], p=p, pulse_mode="noiseless")
    st = algo.init(np.zeros(2), P0=1.5, Q0=1.2, replicates=R)
    if replay is None:
        return algorithms.run(algo, prob, st, K, gen(seed), keep_states=True), prob, algo
    return algorithms.run(algo, replay(prob), st, K, replay.rng, keep_states=True), prob, algo


@pytest.mark.parametrize("noise", ["rademacher", "gaussian"])
def test_rider_matches_run(noise):
    K, R = 300, 3
    (_, tr), prob, algo = _run_reference(noise, K, R, 11)
    out = lean.rider_tanh_quadratic(**SET, noise=noise, W0=0.0, P0=1.5, Q0=1.2, K=K, rng=gen(11),
                                    replicates=R, checkpoints=[1, 50, K], chunk=64)
    for name, arr in (("W", out.W), ("P", out.P), ("Q", out.Q)):
        np.testing.assert_allclose(arr, tr.states[name][-1], rtol=1e-9, atol=1e-12)
    for i, k in enumerate(out.k):
        np.testing.assert_allclose(out.f_gap_sum[i], tr.f_gap[:k].sum(0), rtol=1e-9)
        np.testing.assert_allclose(out.w_dist_sum[i], tr.w_dist[:k].sum(0), rtol=1e-9)
        np.testing.assert_allclose(out.pq_sum[i], tr.pq[:k].sum(0), rtol=1e-9, atol=1e-15)
        np.testing.assert_allclose(out.gp_sum[i], tr.gp[:k].sum(0), rtol=1e-9)
    np.testing.assert_allclose(out.P_max, tr.states["P"].max(0), rtol=1e-9)
    np.testing.assert_allclose(out.W_min, tr.states["W"].min(0), rtol=1e-9)
    W_bar = tr.states["W"][:-1] + SET["gamma"] * (tr.states["P"][:-1] - tr.states["Q"][:-1])
    np.testing.assert_allclose(out.c_star_min, prob.c_star(W_bar).min(0), rtol=1e-9)


class _Replay:
    """Feeds ``algorithms.run`` recorded draws: the objective's noise and the chopper's uniforms."""

    def __init__(self, xi, u):
        self.xi, self.u, self.k = xi, u, 0
        outer = self

        class Rng(np.random.Generator):
            def random(self, size=None):
                return outer.u[outer.k - 1].reshape(size)

        self.rng = Rng(np.random.PCG64(0))

    def __call__(self, prob):
        outer = self

        class Obj:
            W_star, f_star, D = prob.W_star, prob.f_star, prob.D

            def f(self, W):
                return prob.f(W)

            def grad(self, W, rng):
                g = prob.full_grad(W) + np.sqrt(prob.sigma2 / prob.D) * outer.xi[outer.k]
                outer.k += 1
                return g

        return Obj()


def test_e_rider_matches_run_on_replayed_draws():
    K, R, p = 400, 4, 0.1
    r = gen(5)
    xi = np.where(r.random((K, R, 2)) < 0.5, -1.0, 1.0)
    u = r.random((K, R, 1))
    replay = _Replay(xi, u)
    (_, tr), prob, algo = _run_reference("rademacher", K, R, 0, p=p, replay=replay)
    out = lean.rider_tanh_quadratic(**SET, noise="rademacher", p=p, W0=0.0, P0=1.5, Q0=1.2, K=K, rng=0,
                                    replicates=R, chunk=37, draws=(xi, u[..., 0] < p))
    assert out.programs.sum() > 0  # the chopper did flip
    for name, arr in (("W", out.W), ("P", out.P), ("Q", out.Q)):
        np.testing.assert_allclose(arr, tr.states[name][-1], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(out.f_gap_sum[-1], tr.f_gap[:K].sum(0), rtol=1e-9)


def test_per_replicate_rates_equal_separate_runs():
    base = dict(SET, sigma=0.0)
    both = lean.rider_tanh_quadratic(**dict(base, alpha=[0.05, 0.02]), W0=0.0, P0=1.5, Q0=1.2, K=200, rng=0,
                                     replicates=2)
    one = lean.rider_tanh_quadratic(**dict(base, alpha=0.02), W0=0.0, P0=1.5, Q0=1.2, K=200, rng=0, replicates=1)
    np.testing.assert_allclose(both.P[1], one.P[0], rtol=0, atol=0)


@pytest.mark.parametrize("kw, match", [
    (dict(noise="laplace"), "noise"), (dict(K=0), "K"), (dict(a_p=1.0), "a_p"), (dict(alpha=-1.0), "alpha"),
    (dict(eta=2.0), "eta"), (dict(checkpoints=[5, 3]), "checkpoints"), (dict(A=[1.0, -1.0]), "A"),
    (dict(replicates=0), "replicates"), (dict(alpha=[0.1, 0.2, 0.3]), "alpha"), (dict(W0=np.zeros(3)), "W0"),
])
def test_bad_input(kw, match):
    args = dict(SET, W0=0.0, P0=1.5, Q0=1.2, K=10, rng=0, replicates=2)
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        lean.rider_tanh_quadratic(**args)


@pytest.mark.parametrize("noise", ["rademacher", "gaussian"])
def test_numba_engine_agrees_with_numpy(noise):
    pytest.importorskip("numba")
    if lean._kernel() is None:
        pytest.skip("compiled kernels off (SPTHEORY_NO_NUMBA=1)")
    args = dict(A=[700.0, 2.0], W_star=[0.1, -0.2], sigma=0.3, noise=noise, a_p=0.32, s_p=[0.3, 0.1], a_w=0.32,
                s_w=-0.1, alpha=np.array([1e-3, 2e-3, 5e-4]), beta=2e-4, eta=1e-3, gamma=0.5, W0=0.1,
                P0=np.array([[1.5], [-0.9], [0.2]]), Q0=1.2, replicates=3, K=3000, checkpoints=[10, 1000, 3000],
                chunk=512)
    ref = lean.rider_tanh_quadratic(**args, rng=5, engine="numpy")
    got = lean.rider_tanh_quadratic(**args, rng=5, engine="numba")
    # same operations in the same order; tanh may differ in the last ulp (C library vs NumPy), and the
    # recursion is contractive, so the two agree to a few ulps after 3000 steps
    for name in ("f_gap_sum", "w_dist_sum", "pq_sum", "gp_sum", "W", "P", "Q", "c_star_min",
                 "P_min", "P_max", "W_min", "W_max", "Q_min", "Q_max"):
        np.testing.assert_allclose(getattr(got, name), getattr(ref, name), rtol=1e-12, atol=1e-15, err_msg=name)


def test_engine_argument():
    base = dict(A=1.0, W_star=0.0, sigma=0.1, a_p=0.3, s_p=0.0, a_w=0.3, s_w=0.0, alpha=0.01, beta=0.01, eta=0.01,
                gamma=0.5, W0=0.0, P0=1.0, Q0=1.0, K=5, rng=0, replicates=2)
    with pytest.raises(ValueError, match="engine"):
        lean.rider_tanh_quadratic(**base, engine="cuda")
    with pytest.raises(ValueError, match="RIDER only"):
        lean.rider_tanh_quadratic(**base, p=0.1, engine="numba")
    # a chopped run under "auto" takes the NumPy loop
    assert lean.rider_tanh_quadratic(**base, p=0.1, engine="auto").k.tolist() == [5]
