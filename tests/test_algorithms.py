"""Training algorithms and objectives: equivalences against independent transcriptions, Monte Carlo
checks of the objectives' constants, bad input.

Statistical assertions use ``stats.clt_margin`` with ``p_false = 1e-6`` (two-sided), so each fails by
chance with probability about 1e-6 (normal approximation of the mean of many independent replicates).
"""

import numpy as np
import pytest

from sptheory import algorithms, devices, objectives, stats
from transcriptions import exact_update, model_normals

P_FALSE = 1e-6


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


def sb(D, seed, dw=1e-3, offset_mean=0.3, tau=1.0):
    off = offset_mean + 0.1 * gen(seed).standard_normal(D)
    return devices.SoftBounds(tau_max=tau, tau_min=tau, dw_min=dw, offset=off)


def quad(D=6, seed=0, sigma=0.5):
    r = gen(seed)
    return objectives.Quadratic(np.linspace(1.0, 3.0, D), 0.3 * r.standard_normal(D), sigma=sigma)


# ----- independent transcriptions of the analog update (exact_update: tests/transcriptions.py) --------

def model_update(dev, w, dW, rng):
    """Update model (2)/(5): W + dW F - |dW| G + b, Var b = (dw q)^2 f (1 - f), f = frac(|dW|/dw_min)."""
    w = np.clip(np.array(w, dtype=float), dev.lower, dev.upper)
    qp, qm = dev.q_plus(w), dev.q_minus(w)
    F, G = (qm + qp) / 2, (qm - qp) / 2
    x = np.abs(dW) / dev.dw_min
    f = x - np.floor(x)
    q = np.where(dW >= 0, qp, qm)
    b = np.sqrt((dev.dw_min * q) ** 2 * f * (1 - f)) * model_normals(rng, w.shape)
    return np.clip(w + dW * F - np.abs(dW) * G + b, dev.lower, dev.upper)


# ----- equivalences -----------------------------------------------------------------------

def test_rider_eta0_q0_equals_residual_learning_transcription():
    D, R, K = 5, 4, 40
    prob = quad(D, 1)
    dev_p, dev_w = sb(D, 2, dw=1e-2), sb(D, 3, dw=1e-2, offset_mean=0.0)
    alpha, beta, gamma = 0.1, 0.05, 0.8
    algo = algorithms.rider(dev_p, dev_w, alpha, beta, 0.0, gamma, pulse_mode="exact")
    state = algo.init(np.zeros(D), Q0=0.0, replicates=R)
    # Wu et al. 2025 residual learning: g = grad f(W + gamma P); P <- P (+) -alpha g; W <- W (+) beta P
    W, P = np.zeros((R, D)), np.zeros((R, D))
    r1, r2 = gen(7), gen(7)
    for _ in range(K):
        state = algo.step(state, prob, r1)
        g = prob.grad(W + gamma * P, r2)
        P = exact_update(dev_p, P, -alpha * g, r2)
        W = exact_update(dev_w, W, beta * P, r2)
        np.testing.assert_allclose(state.P, P, rtol=0, atol=1e-10)
        np.testing.assert_allclose(state.W, W, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(state.Q, 0.0)
    # the library's own residual_learning() is the same algorithm
    alt = algorithms.residual_learning(dev_p, dev_w, alpha, beta, gamma, pulse_mode="exact")
    s2 = alt.init(np.zeros(D), replicates=R)
    r3 = gen(7)
    for _ in range(K):
        s2 = alt.step(s2, prob, r3)
    np.testing.assert_array_equal(s2.W, state.W)


@pytest.mark.parametrize("mode", ["model", "exact"])
def test_erider_p0_digital_equals_rider_transcription(mode):
    D, R, K = 4, 3, 60
    prob = quad(D, 4)
    dev_p, dev_w = sb(D, 5, dw=5e-3), sb(D, 6, dw=5e-3, offset_mean=0.0)
    alpha, beta, eta, gamma = 0.1, 0.05, 0.2, 1.0
    algo = algorithms.Rider(dev_p, dev_w, alpha, beta, eta, gamma, p=0.0, reference="digital", pulse_mode=mode)
    upd = model_update if mode == "model" else exact_update
    W0, Q0 = np.full(D, 0.1), np.full(D, -0.2)
    state = algo.init(W0, Q0=Q0, replicates=R)
    W, P, Q = np.tile(W0, (R, 1)), np.zeros((R, D)), np.tile(Q0, (R, 1))
    r1, r2 = gen(11), gen(11)
    for _ in range(K):  # Algorithm 2: (11a), (12), (11b) with P_{k+1} - Q_k
        state = algo.step(state, prob, r1)
        g = prob.grad(W + gamma * (P - Q), r2)
        P1 = upd(dev_p, P, -alpha * g, r2)
        W = upd(dev_w, W, beta * (P1 - Q), r2)
        Q = (1 - eta) * Q + eta * P1
        P = P1
    np.testing.assert_allclose(state.P, P, rtol=0, atol=1e-10)
    np.testing.assert_allclose(state.W, W, rtol=0, atol=1e-10)
    np.testing.assert_allclose(state.Q, Q, rtol=0, atol=1e-12)
    assert state.cycles == K and np.all(state.programs == 0)


@pytest.mark.parametrize("mode", ["model", "exact"])
def test_erider_p0_as_printed_reads_q0_and_every_reads_q(mode):
    # errata/erider-p0: Alg. 3 as printed (reprogram="flip") with p = 0 never reprograms Qt, so (18b) reads
    # P_{k+1} - Q_0; reprogram="every" reads P_{k+1} - Q_k, i.e. RIDER (Alg. 2) bit for bit on the same stream
    D, R, K = 4, 3, 60
    prob = quad(D, 4)
    dev_p, dev_w = sb(D, 5, dw=5e-3), sb(D, 6, dw=5e-3, offset_mean=0.0)
    alpha, beta, eta, gamma = 0.1, 0.05, 0.2, 1.0
    kw = dict(pulse_mode=mode)
    printed = algorithms.e_rider(dev_p, dev_w, alpha, beta, eta, gamma, p=0.0, **kw)
    every = algorithms.e_rider(dev_p, dev_w, alpha, beta, eta, gamma, p=0.0, reprogram="every", **kw)
    rider = algorithms.rider(dev_p, dev_w, alpha, beta, eta, gamma, **kw)
    assert printed.reprogram == "flip"  # the default is Alg. 3 as printed
    W0, Q0 = np.full(D, 0.1), np.full(D, -0.2)
    s_pr, s_ev, s_ri = (a.init(W0, Q0=Q0, replicates=R) for a in (printed, every, rider))
    W, P, Q = np.tile(W0, (R, 1)), np.zeros((R, D)), np.tile(Q0, (R, 1))
    r_pr, r_ev, r_ri, r_tr = gen(11), gen(12), gen(12), gen(11)
    for _ in range(K):
        s_pr, s_ev, s_ri = printed.step(s_pr, prob, r_pr), every.step(s_ev, prob, r_ev), rider.step(s_ri, prob, r_ri)
        g = prob.grad(W + gamma * (P - Q), r_tr)  # Alg. 3 with c = 1 forever and Qt = Q_0
        P1 = (model_update if mode == "model" else exact_update)(dev_p, P, -alpha * g, r_tr)
        W = (model_update if mode == "model" else exact_update)(dev_w, W, beta * (P1 - Q0), r_tr)
        Q = (1 - eta) * Q + eta * P1
        P = P1
        np.testing.assert_array_equal(s_pr.Qt, np.broadcast_to(Q0, (R, D)))
        np.testing.assert_array_equal(s_ev.Qt, s_ev.Q)
        for name in ("W", "P", "Q"):
            np.testing.assert_array_equal(getattr(s_ev, name), getattr(s_ri, name))
    np.testing.assert_allclose(s_pr.P, P, rtol=0, atol=1e-10)
    np.testing.assert_allclose(s_pr.W, W, rtol=0, atol=1e-10)
    assert np.all(s_pr.programs == 0) and np.all(s_ev.programs == K)
    # the printed reading is a different algorithm: W leaves RIDER's trajectory by far more than rounding
    rp = algorithms.e_rider(dev_p, dev_w, alpha, beta, eta, gamma, p=0.0, **kw)
    s_pr2, s_ri2, ra, rb = rp.init(W0, Q0=Q0, replicates=R), rider.init(W0, Q0=Q0, replicates=R), gen(13), gen(13)
    for _ in range(K):
        s_pr2, s_ri2 = rp.step(s_pr2, prob, ra), rider.step(s_ri2, prob, rb)
    assert np.abs(s_pr2.W - s_ri2.W).max() > 1e-3


def test_erider_reprogram_every_with_chopper_keeps_the_flips():
    # noiseless updates draw nothing, so both variants see the same gradient noise and the same flip draws
    D, R, K = 3, 4, 200
    prob = quad(D, 2)
    dev_p, dev_w = sb(D, 3), sb(D, 4, offset_mean=0.0)
    args = (dev_p, dev_w, 0.1, 0.05, 0.1, 0.5)
    flip = algorithms.e_rider(*args, p=0.1, pulse_mode="noiseless")
    every = algorithms.e_rider(*args, p=0.1, pulse_mode="noiseless", reprogram="every")
    sf, se = flip.init(np.zeros(D), replicates=R), every.init(np.zeros(D), replicates=R)
    rf, re_ = gen(5), gen(5)
    flips = 0
    for _ in range(K):
        c_before = sf.c
        sf, se = flip.step(sf, prob, rf), every.step(se, prob, re_)
        np.testing.assert_array_equal(sf.c, se.c)
        np.testing.assert_array_equal(se.Qt, se.Q)
        flips += int(np.sum(sf.c != c_before))
    assert flips > 0 and int(sf.programs.sum()) == flips and np.all(se.programs == K)


def symmetric_device(dw=1e-3):
    one = lambda x: np.ones_like(np.asarray(x, dtype=float))  # noqa: E731
    return devices.Custom(q_plus=one, q_minus=one, lower=-5.0, upper=5.0, dw_min=dw)


def test_symmetric_device_noiseless_analog_sgd_equals_digital_sgd():
    D, R, K = 6, 5, 100
    prob = quad(D, 8)
    ana = algorithms.AnalogSGD(symmetric_device(), 0.1, pulse_mode="noiseless")
    dig = algorithms.DigitalSGD(0.1)
    sa, sd = ana.init(np.zeros(D), replicates=R), dig.init(np.zeros(D), replicates=R)
    r1, r2 = gen(3), gen(3)
    for _ in range(K):
        sa, sd = ana.step(sa, prob, r1), dig.step(sd, prob, r2)
    np.testing.assert_allclose(sa.W, sd.W, rtol=0, atol=1e-12)


def test_symmetric_device_model_analog_sgd_equals_digital_sgd_in_expectation():
    # On a quadratic the mean of SGD follows E W_{k+1} = E W_k - alpha A (E W_k - W*) for any zero-mean noise;
    # with G = 0 the update model only adds zero-mean discretization noise.
    D, R, K, alpha = 4, 4000, 30, 0.1
    prob = quad(D, 9)
    ana = algorithms.AnalogSGD(symmetric_device(dw=2e-2), alpha, pulse_mode="model")
    st = ana.init(np.zeros(D), replicates=R)
    rng = gen(21)
    for _ in range(K):
        st = ana.step(st, prob, rng)
    mean_rec = np.zeros(D)
    for _ in range(K):
        mean_rec = mean_rec - alpha * prob.A * (mean_rec - prob.W_star)
    margin = stats.clt_margin(st.W.std(axis=0, ddof=1), R, P_FALSE)
    assert np.all(np.abs(st.W.mean(axis=0) - mean_rec) <= margin)


def test_rider_exact_vs_model_agree_to_order_dw_in_mean():
    # Mean gap: O(dW^2) curvature + rounding effects; allow clt margin + 10 dw_min (tolerance fixed a priori).
    D, R, K, dw = 4, 1500, 40, 1e-3
    prob = quad(D, 12)
    dev_p, dev_w = sb(D, 13, dw=dw), sb(D, 14, dw=dw, offset_mean=0.0)
    out = {}
    for mode, seed in (("exact", 31), ("model", 32)):
        algo = algorithms.rider(dev_p, dev_w, 0.05, 0.02, 0.05, 1.0, pulse_mode=mode)
        st = algo.init(np.zeros(D), replicates=R)
        rng = gen(seed)
        for _ in range(K):
            st = algo.step(st, prob, rng)
        out[mode] = st
    for name in ("W", "P"):
        a, b = getattr(out["exact"], name), getattr(out["model"], name)
        sd = np.sqrt(a.var(axis=0, ddof=1) + b.var(axis=0, ddof=1))
        margin = stats.clt_margin(sd, R, P_FALSE) + 10 * dw
        assert np.all(np.abs(a.mean(axis=0) - b.mean(axis=0)) <= margin), name
    # pulse counts: the model reports the expected count, exact the realised one; same order
    assert np.all(np.abs(out["exact"].pulses_p.mean() / out["model"].pulses_p.mean() - 1) < 0.1)


# ----- objectives -------------------------------------------------------------------------

def ls(batch=1, seed=0):
    return objectives.LeastSquares.synthetic(40, 5, gen(seed), noise=0.3, cond=5.0, batch=batch)


@pytest.mark.parametrize("make", [lambda: quad(5, 1), lambda: ls(1), lambda: ls(4),
                                  lambda: objectives.Quadratic(np.diag([1.0, 2.0, 3.0]) + 0.3, np.ones(3), 0.1)])
def test_full_grad_is_finite_difference_of_f(make):
    prob = make()
    W = 0.4 * gen(2).standard_normal((3, prob.D))
    h = 1e-6
    fd = np.stack([(prob.f(W + h * e) - prob.f(W - h * e)) / (2 * h) for e in np.eye(prob.D)], axis=-1)
    np.testing.assert_allclose(prob.full_grad(W), fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("make", [lambda: quad(5, 1, sigma=0.7), lambda: ls(1), lambda: ls(4)])
def test_gradient_noise_variance_is_sigma2_at_w_star(make):
    prob = make()
    n = 40000
    W = np.broadcast_to(prob.W_star, (n, prob.D))
    g = prob.grad(W, gen(5))
    e2 = np.sum((g - prob.full_grad(W)) ** 2, axis=-1)
    assert abs(e2.mean() - prob.sigma2) <= stats.clt_margin(e2.std(ddof=1), n, P_FALSE)
    # unbiased
    assert np.all(np.abs(g.mean(axis=0)) <= stats.clt_margin(g.std(axis=0, ddof=1), n, P_FALSE))


@pytest.mark.parametrize("make", [lambda: quad(5, 1, sigma=0.7), lambda: ls(1)])
def test_c_star_exact_vs_monte_carlo(make):
    prob = make()
    W = prob.W_star + 0.2
    n = 40000
    a = np.abs(prob.grad(np.broadcast_to(W, (n, prob.D)), gen(6)))
    per_d = a.mean(axis=0)
    margin = stats.clt_margin(a.std(axis=0, ddof=1), n, P_FALSE)
    d = int(np.argmin(per_d))
    assert abs(prob.c_star(W) - per_d[d]) <= margin[d] + 1e-12
    assert prob.c_star(W) <= per_d.min() + margin.max()


def test_c_star_batch_monte_carlo_estimate_is_consistent():
    prob = ls(4)
    W = prob.W_star + 0.2
    a = np.abs(prob.grad(np.broadcast_to(W, (40000, prob.D)), gen(8))).mean(axis=0).min()
    assert abs(prob.c_star(W, rng=gen(9), samples=40000) - a) < 0.05 * a


@pytest.mark.parametrize("make", [lambda: quad(5, 1), lambda: ls(1)])
def test_w_star_is_the_minimiser(make):
    prob = make()
    np.testing.assert_allclose(prob.full_grad(prob.W_star), 0.0, atol=1e-10)
    assert abs(prob.f(prob.W_star) - prob.f_star) < 1e-12
    pert = prob.W_star + 1e-3 * gen(3).standard_normal((50, prob.D))
    assert np.all(prob.f(pert) > prob.f_star)


def test_constants_L_mu():
    prob = ls(1)
    eig = np.linalg.eigvalsh(prob.X.T @ prob.X / prob.n)
    assert np.isclose(prob.L, eig.max()) and np.isclose(prob.mu, eig.min())
    q = quad(4, 0)
    assert q.L == 3.0 and q.mu == 1.0


# ----- bad input --------------------------------------------------------------------------

def test_bad_algorithm_inputs():
    dev = sb(3, 0)
    with pytest.raises(ValueError, match="alpha"):
        algorithms.rider(dev, dev, -0.1, 0.1, 0.1, 1.0)
    with pytest.raises(ValueError, match="eta"):
        algorithms.rider(dev, dev, 0.1, 0.1, 1.5, 1.0)
    with pytest.raises(ValueError, match="pulse_mode"):
        algorithms.rider(dev, dev, 0.1, 0.1, 0.1, 1.0, pulse_mode="fast")
    with pytest.raises(ValueError, match="p must"):
        algorithms.e_rider(dev, dev, 0.1, 0.1, 0.1, 1.0, p=2.0)
    with pytest.raises(ValueError, match="reference"):
        algorithms.Rider(dev, dev, 0.1, 0.1, 0.1, 1.0, reference="x")
    with pytest.raises(ValueError, match="reprogram must be 'flip' or 'every', got 'always'"):
        algorithms.e_rider(dev, dev, 0.1, 0.1, 0.1, 1.0, p=0.0, reprogram="always")
    with pytest.raises(TypeError):
        algorithms.rider("dev", dev, 0.1, 0.1, 0.1, 1.0)
    with pytest.raises(ValueError, match="alpha"):
        algorithms.AnalogSGD(dev, 0.0)
    with pytest.raises(ValueError, match="pulse_mode"):
        algorithms.AnalogSGD(dev, 0.1, pulse_mode="exactly")
    with pytest.raises(ValueError, match="eta = 0"):
        algorithms.TwoStage(algorithms.rider(dev, dev, 0.1, 0.1, 0.1, 1.0), 10)
    with pytest.raises(ValueError, match="n_zs"):
        algorithms.TwoStage(algorithms.rider(dev, dev, 0.1, 0.1, 0.0, 1.0), -1)
    algo = algorithms.rider(dev, dev, 0.1, 0.1, 0.1, 1.0)
    with pytest.raises(ValueError, match="broadcast"):
        algo.init(np.zeros(3), Q0=np.zeros(4), replicates=2)
    with pytest.raises(ValueError, match="n_iter"):
        algorithms.run(algo, quad(3), algo.init(np.zeros(3), replicates=2), -1, gen(0))


def test_bad_objective_inputs():
    with pytest.raises(ValueError, match="positive definite"):
        objectives.Quadratic(np.array([1.0, -1.0]), np.zeros(2))
    with pytest.raises(ValueError, match="positive definite"):
        objectives.Quadratic(np.array([[1.0, 2.0], [2.0, 1.0]]), np.zeros(2))
    with pytest.raises(ValueError, match="symmetric"):
        objectives.Quadratic(np.array([[1.0, 0.5], [0.0, 1.0]]), np.zeros(2))
    with pytest.raises(ValueError, match="shape"):
        objectives.Quadratic(np.ones(3), np.zeros(2))
    with pytest.raises(ValueError, match="sigma"):
        objectives.Quadratic(np.ones(2), np.zeros(2), sigma=-1.0)
    with pytest.raises(ValueError, match="singular"):
        objectives.LeastSquares(np.ones((5, 2)), np.ones(5))
    with pytest.raises(ValueError, match="y must"):
        objectives.LeastSquares(np.eye(3), np.ones(2))
    with pytest.raises(ValueError, match="batch"):
        objectives.LeastSquares(np.eye(3), np.ones(3), batch=0)
    with pytest.raises(ValueError, match="length D"):
        quad(3).f(np.zeros(4))


def test_run_keep_states_matches_final_state():
    rng = np.random.Generator(np.random.PCG64(5))
    prob = objectives.Quadratic(np.linspace(0.5, 2.0, 4), 0.2 * rng.standard_normal(4), sigma=0.3)
    dev = devices.SoftBounds(dw_min=1e-3, offset=0.2)
    algo = algorithms.e_rider(dev, devices.SoftBounds(dw_min=1e-3), 0.05, 0.02, 0.01, 0.5, p=0.1)
    state = algo.init(np.zeros(4), replicates=3)
    final, trace = algorithms.run(algo, prob, state, 25, np.random.Generator(np.random.PCG64(1)),
                                  record_every=10, keep_states=True)
    assert list(trace.k) == [0, 10, 20, 25]
    np.testing.assert_array_equal(trace.states["P"][-1], final.P)
    np.testing.assert_array_equal(trace.states["c"][-1], final.c[..., 0])
    assert trace.states["W"].shape == (4, 3, 4)
    _, plain = algorithms.run(algo, prob, state, 25, np.random.Generator(np.random.PCG64(1)), record_every=10)
    assert plain.states is None
    np.testing.assert_array_equal(plain.f_gap, trace.f_gap)


def test_least_squares_bad_sizes_are_named():
    with pytest.raises(ValueError, match="n must be a positive integer"):
        objectives.LeastSquares.synthetic(n=0, D=3, rng=0)
    with pytest.raises(ValueError, match="n must be at least D"):
        objectives.LeastSquares.synthetic(n=2, D=3, rng=0)
    with pytest.raises(ValueError, match="batch"):
        objectives.LeastSquares.synthetic(n=5, D=3, rng=0, batch=6)
    X = np.eye(3)
    with pytest.raises(ValueError, match="batch"):
        objectives.LeastSquares(X, np.ones(3), batch=4)
