"""RIDER / E-RIDER with the buffered column transfer (``Rider(transfer="buffered")``)."""

import numpy as np
import pytest

from sptheory import algorithms, devices, nn


class Linear:
    """f(W) = <a, W>: a constant gradient, so P, Q, Qt and the chopper do not depend on W."""

    def __init__(self, a):
        self.a = np.asarray(a, dtype=float)

    def grad(self, W, rng):
        return np.broadcast_to(self.a, np.shape(W)).copy()

    def f(self, W):
        return np.asarray(W) @ self.a


def _devices(dw_w):
    dev_p = devices.SoftBounds(a_up=1.2, a_dn=0.8, tau_max=1.0, tau_min=1.0, dw_min=1e-3, offset=0.1)
    dev_w = devices.SoftBounds(a_up=1.1, a_dn=0.9, tau_max=1.0, tau_min=1.0, dw_min=dw_w)
    return dev_p, dev_w


def _run(algo, obj, K, seed=3):
    rng = np.random.Generator(np.random.PCG64(seed))
    state = algo.init(np.linspace(-0.3, 0.3, 6), replicates=2)
    Ws, requests = [], []
    for _ in range(K):
        ref = state.Qt if algo.reference == "analog" else state.Q
        state1 = algo.step(state, obj, rng)
        requests.append(np.abs(algo.beta * state.c * (np.asarray(state1.P) - ref)))
        state = state1
        Ws.append(np.asarray(state.W).copy())
    return state, np.array(Ws), np.array(requests)


def test_buffered_reduces_to_direct_with_a_vanishing_threshold():
    """Every cell read each step (one column holding all cells), threshold theta = dw_min_W = 1e-10, no cap,
    momentum 0, remainder kept: the buffered write is v_k = u_k + H_k - H_{k+1} with |H| < theta, u_k the
    direct request.  With a constant gradient P, Q, Qt and c are identical in both runs, and in noiseless mode
    W' = W + v F(W) - |v| G(W), so e_{k+1} <= e_k (1 + |u_k| l) + 2 theta M with M = max(q+, q-) on the visited
    range and l = a_up/tau_max + a_dn/tau_min >= |F'| + |G'|: e_K <= 2 theta M K exp(l sum_k max|u_k|)."""
    theta = 1e-10
    dev_p, dev_w = _devices(theta)
    obj = Linear(np.array([0.5, -0.3, 0.2, -0.1, 0.4, -0.6]))
    kw = dict(alpha=0.2, beta=0.1, eta=0.1, gamma=0.1, p=0.2, pulse_mode="noiseless")
    direct = algorithms.e_rider(dev_p, dev_w, **kw)
    buffered = algorithms.e_rider(dev_p, dev_w, transfer="buffered", thres_scale=1.0, momentum=0.0,
                                  forget_buffer=False, max_pulses=None, **kw)
    K = 80
    sd, Wd, u = _run(direct, obj, K)
    sb, Wb, _ = _run(buffered, obj, K)
    assert np.array_equal(sd.c, sb.c) and np.array_equal(sd.Q, sb.Q)
    assert np.all(sd.programs > 0), "the chopper must have flipped for the test to exercise c"
    M = float(np.max(np.maximum(dev_w.q_plus(Wd), dev_w.q_minus(Wd)))) + 1e-6
    ell = 1.1 / 1.0 + 0.9 / 1.0
    tol = 2 * theta * M * K * np.exp(ell * u.max(axis=(1, 2)).sum())
    err = np.max(np.abs(Wb - Wd))
    print(f"max |W_buffered - W_direct| = {err:.3g}, derived tolerance {tol:.3g}")
    assert err <= tol, (err, tol)
    # the test can fail: W moved by far more than the tolerance
    assert np.max(np.abs(Wd[-1] - Wd[0])) > 1e3 * tol
    assert np.all(np.abs(sb.H) < theta)


def test_direct_is_the_default_and_buffered_options_are_checked():
    dev_p, dev_w = _devices(1e-3)
    assert algorithms.rider(dev_p, dev_w, 0.1, 0.1, 0.1, 0.1).transfer == "direct"
    with pytest.raises(ValueError, match="transfer"):
        algorithms.rider(dev_p, dev_w, 0.1, 0.1, 0.1, 0.1, transfer="column")
    with pytest.raises(ValueError, match="max_pulses"):
        algorithms.rider(dev_p, dev_w, 0.1, 0.1, 0.1, 0.1, transfer="buffered", max_pulses=0)
    with pytest.raises(ValueError, match="thres_scale"):
        algorithms.rider(dev_p, dev_w, 0.1, 0.1, 0.1, 0.1, transfer="buffered", thres_scale=-1.0)


@pytest.mark.parametrize("option", [{"momentum": 0.5}, {"thres_scale": 2.0}, {"max_pulses": 3},
                                    {"forget_buffer": False}, {"transfer_every": 2},
                                    {"layer_shapes": ((2, 3),)}])
def test_direct_refuses_a_buffered_option_it_would_ignore(option):
    dev_p, dev_w = _devices(1e-3)
    (name,) = option
    with pytest.raises(ValueError, match=f"{name}=.*only applies to transfer='buffered'"):
        algorithms.rider(dev_p, dev_w, 0.1, 0.1, 0.1, 0.1, **option)
    algorithms.rider(dev_p, dev_w, 0.1, 0.1, 0.1, 0.1, transfer="buffered", **option)  # accepted there


def test_buffered_writes_one_column_per_layer_per_step_on_the_mlp():
    """On the MLP only the read column of each layer of W can change in a step, and the pointer advances."""
    rng = np.random.Generator(np.random.PCG64(0))
    X = rng.standard_normal((40, 5))
    y = rng.integers(0, 3, 40)
    net = nn.MLP(sizes=(5, 4, 3), activation="sigmoid", data=(X, y), batch=8)
    dev_p, dev_w = _devices(1e-3)
    algo = algorithms.e_rider(dev_p, dev_w, 0.5, 50.0, 0.1, 0.1, p=0.1, transfer="buffered", max_pulses=None,
                              pulse_mode="exact")
    state = algo.init(net.init_weights(rng, replicates=2))
    layout = None
    for k in range(7):
        W0 = np.asarray(state.W).copy()
        state = algo.step(state, net, rng)
        layout = state.layout
        changed = np.flatnonzero(np.any(np.asarray(state.W) != W0, axis=0))
        assert set(changed) <= set(layout.cells(k).tolist())
        assert state.transfers == k + 1
    assert np.any(state.pulses_w > 0)
