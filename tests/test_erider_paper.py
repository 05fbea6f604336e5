"""E-RIDER as the paper ran it (algorithms.erider_paper) and the gamma option of c-TTv2/AGAD (aihwkit 1.2.0):
reductions against a hand transcription, against AGAD, and bad input.  Exact comparisons to rounding
(1e-12: the same arithmetic in another order)."""

import numpy as np
import pytest

from sptheory import algorithms, devices, objectives


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


def symmetric(dw=1e-2):
    return devices.SoftBounds(tau_max=1.0, tau_min=1.0, dw_min=dw)


def offset_dev(D, seed, dw=1e-2, mean=0.1, std=0.1):
    return devices.SoftBounds(dw_min=dw, offset=mean + std * gen(seed).standard_normal(D))


def quad(D=6, seed=0, sigma=0.5):
    return objectives.Quadratic(np.linspace(1.0, 3.0, D), 0.3 * gen(seed).standard_normal(D), sigma=sigma)


class Layered(objectives.Quadratic):
    layer_shapes = ((3, 4), (2, 3))


def model(dev, w, d):
    return np.clip(w + d * dev.F(w) - np.abs(d) * dev.G(w), dev.lower, dev.upper)


@pytest.mark.parametrize("reprogram,p", [("flip", 0.2), ("every", 0.2), ("flip", 0.0), ("every", 0.0)])
def test_e_rider_paper_equals_transcription(reprogram, p):
    """Per step: W_bar = C + gamma c (A - M); A <- A (+) -alpha c grad(W_bar); read column j = k mod 2:
    H += beta c (v - Pref); n = trunc(H / theta) capped at 2; H -= (1 - momentum) n theta; M <- (1-eta) M + eta v;
    write n pulses after the warm-up (none for p = 0); flip with probability p; Pref <- M where it flipped
    ("flip") or always ("every")."""
    D, R, K = 6, 3, 300
    prob = quad(D, 17)
    dev_a, dev_c = offset_dev(D, 18), symmetric()
    alpha, beta, gamma, eta = 0.2, 0.4, 0.3, 0.35
    algo = algorithms.ERiderPaper(dev_a, dev_c, alpha, beta, p, gamma=gamma, eta=eta, reprogram=reprogram,
                                  thres_scale=1.0, momentum=0.2, forget_buffer=False, max_pulses=2,
                                  layer_shapes=((3, 2),), pulse_mode="noiseless")
    N = 5 if p > 0 else 0
    state = algo.init(np.zeros(D), replicates=R)
    A, C, H, M, Pref = (np.zeros((R, 3, 2)) for _ in range(5))
    chop = np.ones((R, 2))
    dw = 1e-2
    r1, r2 = gen(19), gen(19)
    for k in range(K):
        state = algo.step(state, prob, r1)
        Wb = C + gamma * chop[:, None, :] * (A - M)
        g = prob.grad(Wb.reshape(R, D), r2).reshape(R, 3, 2)
        A = model(dev_a, A.reshape(R, D), (-alpha * chop[:, None, :] * g).reshape(R, D)).reshape(R, 3, 2)
        j = k % 2
        v = A[:, :, j]
        h = H[:, :, j] + beta * chop[:, j, None] * (v - Pref[:, :, j])
        n = np.clip(np.trunc(h / dw), -2, 2)
        H[:, :, j] = h - 0.8 * n * dw
        M[:, :, j] = (1 - eta) * M[:, :, j] + eta * v
        if p == 0 or k // 2 > N:  # no warm-up without choppers
            d = np.zeros((R, 3, 2))
            d[:, :, j] = n * dw
            C = model(dev_c, C.reshape(R, D), d.reshape(R, D)).reshape(R, 3, 2)
        if p > 0:
            flip = r2.random((R, 1)) < p
            chop[:, j] = np.where(flip[:, 0], -chop[:, j], chop[:, j])
            if reprogram == "flip":
                Pref[:, :, j] = np.where(flip, M[:, :, j], Pref[:, :, j])
        if reprogram == "every":
            Pref[:, :, j] = M[:, :, j]
        for got, want in ((state.A, A), (state.C, C), (state.H, H), (state.M, M), (state.Pref, Pref)):
            np.testing.assert_allclose(got, want.reshape(R, D), rtol=0, atol=1e-12)
    np.testing.assert_allclose(algo.forward_weights(state), (C + gamma * chop[:, None, :] * (A - M)).reshape(R, D),
                               rtol=0, atol=1e-12)
    if p > 0:
        assert np.any(chop == -1.0)
    if p == 0 and reprogram == "flip":
        assert np.all(state.Pref == 0.0)  # the paper's RIDER reads P - Q_0
    assert np.any(state.C != 0.0)


def test_gamma_zero_without_options_is_agad_bit_for_bit():
    D, R = 6, 4
    prob = quad(D, 3)
    dev_a, dev_c = offset_dev(D, 4), symmetric()
    kw = dict(tail_weightening=5.0, thres_scale=1.0, layer_shapes=((3, 2),), pulse_mode="model", c2c=(0.1, 0.2))
    agad = algorithms.agad(dev_a, dev_c, 0.3, 0.5, in_chop_prob=0.25, **kw)
    er = algorithms.e_rider_paper(dev_a, dev_c, 0.3, 0.5, gamma=0.0, in_chop_prob=0.25, **kw)
    s1, s2 = agad.init(np.zeros(D), replicates=R), er.init(np.zeros(D), replicates=R)
    r1, r2 = gen(7), gen(7)
    for _ in range(200):
        s1, s2 = agad.step(s1, prob, r1), er.step(s2, prob, r2)
    for f in ("A", "C", "H", "M", "Pref", "chop"):
        np.testing.assert_array_equal(getattr(s1, f), getattr(s2, f))


def test_per_layer_threshold_is_dw_a_times_auto_granularity_over_each_layers_in_size():
    dev_a = devices.SoftBounds(dw_min=0.02)
    er = algorithms.e_rider_paper(dev_a, symmetric(1e-3), 0.1, 0.1, auto_granularity=1000.0)
    prob = Layered(np.ones(18), np.zeros(18), sigma=0.0)
    state = er.init(np.zeros(18), replicates=2)
    layout = algorithms.column_layout(Layered.layer_shapes, 18)
    cells = layout.cells(0)
    theta = er._theta(state.A, cells, layout)
    assert theta.shape == (2, 5)
    np.testing.assert_allclose(theta[:, :3], 0.02 * 1000 / 4)
    np.testing.assert_allclose(theta[:, 3:], 0.02 * 1000 / 3)
    er.step(state, prob, gen(0))  # runs on a layered objective


def test_gamma_mixes_the_dechopped_fast_array_into_agad_and_c_ttv2():
    D, R = 6, 2
    prob = quad(D, 5)
    dev_a, dev_c = offset_dev(D, 6), symmetric()
    for algo in (algorithms.agad(dev_a, dev_c, 0.3, 0.5, in_chop_prob=0.5, gamma=0.1, layer_shapes=((3, 2),)),
                 algorithms.c_ttv2(dev_a, dev_c, 0.3, 0.5, in_chop_prob=0.5, gamma=0.1, layer_shapes=((3, 2),),
                                   reference=0.05)):
        state = algo.init(np.zeros(D), replicates=R)
        r = gen(8)
        for _ in range(40):
            state = algo.step(state, prob, r)
        assert np.any(state.chop == -1.0)
        ref = 0.0 if isinstance(algo, algorithms.AGAD) else 0.05
        np.testing.assert_allclose(algo.forward_weights(state), state.C + 0.1 * state.chop * (state.A - ref),
                                   rtol=0, atol=1e-15)
    # gamma 0 keeps AGAD computing with C alone
    agad0 = algorithms.agad(dev_a, dev_c, 0.3, 0.5)
    st = agad0.init(np.zeros(D), replicates=R)
    assert agad0.forward_weights(st) is st.C


@pytest.mark.parametrize("kw,name", [(dict(eta=1.5), "eta"), (dict(auto_granularity=0.0), "auto_granularity"),
                                     (dict(reprogram="sometimes"), "reprogram"), (dict(gamma=-0.1), "gamma"),
                                     (dict(in_chop_prob=0.0), "eta"), (dict(in_chop_prob=1.5), "in_chop_prob")])
def test_bad_input_names_the_argument(kw, name):
    with pytest.raises(ValueError, match=name):
        algorithms.e_rider_paper(symmetric(), symmetric(), 0.1, 0.1, **kw)
    if name == "gamma":
        with pytest.raises(ValueError, match="gamma"):
            algorithms.agad(symmetric(), symmetric(), 0.1, 0.1, gamma=-1.0)
