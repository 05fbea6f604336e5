"""devices.stack_devices: several seeds' devices in one simulation (weights of shape (R, D))."""

from __future__ import annotations

import numpy as np
import pytest

from sptheory import algorithms, data, devices, nn, pulses


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


SIZES = (64, 8, 10)


def _net():
    return nn.MLP(sizes=SIZES, activation="sigmoid", data=data.digits(0).train, batch=5)


def _algos(fast, slow, mode):
    return {
        "analog SGD": algorithms.AnalogSGD(slow, 0.5, pulse_mode=mode, c2c=0.2),
        "E-RIDER": algorithms.e_rider(fast, slow, 0.5, 0.1, 0.1, 0.1, p=0.3, pulse_mode=mode, c2c=0.2),
        "RIDER buffered": algorithms.rider(fast, slow, 0.5, 0.1, 0.1, 0.1, pulse_mode=mode, transfer="buffered"),
        "TT-v1": algorithms.tiki_taka(fast, slow, 0.5, 1.0, gamma=0.5, pulse_mode=mode),
        "TT-v2": algorithms.tt_v2(fast, slow, 0.5, 1.0, max_pulses=None, pulse_mode=mode),
        "c-TTv2": algorithms.c_ttv2(fast, slow, 0.5, 1.0, in_chop_prob=0.3, max_pulses=None, pulse_mode=mode),
        "AGAD": algorithms.agad(fast, slow, 0.5, 1.0, in_chop_prob=0.3, max_pulses=None, pulse_mode=mode),
    }


def _arrays(state):
    out = []
    for x in state:
        if isinstance(x, pulses.ReadOut):
            out += [np.asarray(x.view(np.ndarray)), x.hidden]
        elif isinstance(x, np.ndarray):
            out.append(x)
    return out


@pytest.mark.parametrize("mode", ["model", "exact", pulses.Trains(bl=5)], ids=["model", "exact", "trains"])
def test_copies_of_one_device_match_the_unstacked_device_bit_for_bit(mode):
    net = _net()
    nd = devices.network_devices("hfo2", net.layer_shapes, seed=1, ref_mean=0.3, ref_std=0.3)
    R = 3
    fast, slow = devices.stack_devices([nd.fast] * R), devices.stack_devices([nd.slow] * R)
    assert fast.shape == (R, net.D) and fast.write_noise == nd.fast.write_noise
    W0 = net.init_weights(gen(0), replicates=R)
    plain, stacked = _algos(nd.fast, nd.slow, mode), _algos(fast, slow, mode)
    for name in plain:
        a, b = plain[name], stacked[name]
        sa, sb = a.init(W0), b.init(W0)
        ra, rb = gen(5), gen(5)
        for _ in range(4):
            sa, sb = a.step(sa, net, ra), b.step(sb, net, rb)
        for x, y in zip(_arrays(sa), _arrays(sb), strict=True):
            np.testing.assert_array_equal(x, y, err_msg=name)
        assert ra.random() == rb.random(), name


def test_stacked_parameters_and_symmetric_points_per_replicate():
    devs = [devices.soft_bounds_variation((5,), gen(s), 0.05, sigma_d2d=0.3, sigma_pm=0.2, offset=0.1 * s)
            for s in range(3)]
    st = devices.stack_devices(devs)
    assert st.shape == (3, 5)
    for r, d in enumerate(devs):
        np.testing.assert_array_equal(st.symmetric_point()[r], d.symmetric_point())
        np.testing.assert_array_equal(st.lower[r], d.lower)
        np.testing.assert_array_equal(st.upper[r], d.upper)
    scalar = devices.stack_devices([devices.Tanh(a=0.2), devices.Tanh(a=0.4, offset=0.3)])
    np.testing.assert_array_equal(scalar.symmetric_point(), [[0.0], [0.3]])
    power = devices.stack_devices([devices.Power(gamma=2.0, a_up=1.2), devices.Power(gamma=2.0, a_dn=1.3)])
    np.testing.assert_array_equal(power.symmetric_point()[:, 0], [devices.Power(gamma=2.0, a_up=1.2).symmetric_point(),
                                                                  devices.Power(gamma=2.0, a_dn=1.3).symmetric_point()])


def test_each_replicate_gets_the_update_statistics_of_its_own_device():
    """One update-model step from W = 0 asking dW = +0.02 on every cell: the increment's mean is
    dW q_plus(0) and its variance Var[b] of the replicate's own device (eq. (2), Assumption 3.4)."""
    D = 200_000
    d0 = devices.SoftBounds(a_up=1.5, a_dn=0.5, tau_max=1.0, tau_min=1.0, dw_min=0.05)
    d1 = devices.SoftBounds(a_up=0.6, a_dn=1.4, tau_max=0.8, tau_min=1.2, dw_min=0.05, offset=0.2)
    st = devices.stack_devices([devices.SoftBounds(a_up=np.full(D, p.a_up), a_dn=p.a_dn, tau_max=p.tau_max,
                                                   tau_min=p.tau_min, dw_min=p.dw_min, offset=p.offset)
                                for p in (d0, d1)])  # per-cell parameters (D,), as network devices have
    dW = 0.02
    res = pulses.apply_model(st, np.zeros((2, D)), np.full((2, D), dW), gen(11), c2c=0.2)
    for r, d in enumerate((d0, d1)):
        mean = dW * float(d.q_plus(0.0))
        var = float(pulses.model_noise_variance(d, 0.0, dW, c2c=0.2))
        inc = res.w[r]
        # 6 standard errors: false failure ~2e-9 per assertion
        assert abs(inc.mean() - mean) < 6 * np.sqrt(var / D)
        # sample variance of D normals: sd of the estimate ~ var sqrt(2 / D); 6 of those
        assert abs(inc.var() - var) < 6 * var * np.sqrt(2.0 / D)
    # the two devices' means differ by far more than those margins
    assert abs(dW * (float(d0.q_plus(0.0)) - float(d1.q_plus(0.0)))) > 100 * np.sqrt(var / D)


def test_stack_devices_bad_input():
    with pytest.raises(ValueError, match="empty"):
        devices.stack_devices([])
    with pytest.raises(TypeError, match="devs\\[1\\]"):
        devices.stack_devices([devices.SoftBounds(), "x"])
    with pytest.raises(TypeError, match="one family"):
        devices.stack_devices([devices.SoftBounds(), devices.Tanh()])
    with pytest.raises(ValueError, match="shape"):
        devices.stack_devices([devices.SoftBounds(offset=np.zeros(3)), devices.SoftBounds(offset=np.zeros(4))])
    with pytest.raises(ValueError, match="write_noise"):
        devices.stack_devices([devices.with_write_noise(devices.SoftBounds(), 0.5), devices.SoftBounds()])
    custom = devices.Custom(lambda x: 1 - x, lambda x: 1 + x, -1.0, 1.0, 0.1)
    with pytest.raises(TypeError, match="supports"):
        devices.stack_devices([custom, custom])
