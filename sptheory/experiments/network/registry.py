"""The algorithms of the network experiments: their names (:data:`ALGORITHMS`, :data:`PAPER_ALGORITHMS`),
the hyperparameters held fixed per algorithm (:data:`FIXED`) and :func:`make_algorithm`, which builds one on
the network devices.  Part of :mod:`sptheory.experiments.network`."""

from __future__ import annotations

from ... import algorithms, devices, pulses


ALGORITHMS = ("digital SGD", "analog SGD", "residual learning", "two-stage", "RIDER", "E-RIDER",
              "TT-v1", "TT-v2", "c-TTv2", "AGAD", "RIDER (buffered)", "E-RIDER (buffered)")

#: Hyperparameters held fixed per algorithm (not searched).
FIXED = {
    "residual learning": dict(gamma=0.1),
    "two-stage": dict(gamma=0.1, n_zs=100),
    "RIDER": dict(gamma=0.1, eta=0.1),
    "E-RIDER": dict(gamma=0.1, eta=0.1, p=0.05),
    # the paper's aihwkit realisation (Rider(transfer="buffered")): aihwkit chopped-compound buffer defaults
    "RIDER (buffered)": dict(gamma=0.1, eta=0.1, transfer="buffered", thres_scale=1.0, momentum=0.0,
                             forget_buffer=True),
    "E-RIDER (buffered)": dict(gamma=0.1, eta=0.1, p=0.05, transfer="buffered", thres_scale=1.0, momentum=0.0,
                               forget_buffer=True),
    "TT-v1": dict(),
    "TT-v2": dict(),
    "c-TTv2": dict(in_chop_prob=0.1),
    "AGAD": dict(max_pulses=None),
}


#: E-RIDER as the paper ran it (``algorithms.erider_paper``: AGAD plus the gamma-mixed gradient) and its two
#: RIDER rows: the paper's RIDER (E-RIDER with p = 0, (18b) reads P - Q_0) and RIDER with P - Q_k.  Built by
#: :func:`make_algorithm` like the rest; kept out of :data:`ALGORITHMS` (whose searches and grids predate them).
PAPER_ALGORITHMS = ("E-RIDER (paper)", "RIDER (paper, P-Q0)", "RIDER (paper, P-Qk)")


def make_algorithm(name: str, hp: dict, nd: devices.NetworkDevices, pulse_mode="model", stream="full"):
    """The algorithm object ``name`` with hyperparameters ``hp`` on the network devices ``nd``
    (fast array: P of RIDER, A of Tiki-Taka/AGAD; slow array: W, C; single-array methods use the slow one).
    Two-array methods get ``c2c=nd.c2c`` (the pair ``(c2c_fast, c2c_slow)``), analog SGD ``nd.c2c_slow``.

    ``hp`` (over :data:`FIXED`) holds the constructor's positional rates by name (``alpha``, ``beta``,
    ``eta``, ``gamma``, ``transfer_lr`` as the algorithm takes them); every other key is passed on as a
    keyword argument, so a searched axis is never dropped: a key the constructor does not take is a
    ValueError naming it.

    ``stream``: the random stream of the analog algorithms' pulses, ``"full"`` (the default: the stream of
    every stored result) or ``"lean"`` (draws only for the pulses fired and the columns written;
    :data:`sptheory.pulses.STREAMS`); digital SGD draws no pulse noise, so it ignores it."""
    if name not in ALGORITHMS + PAPER_ALGORITHMS:
        raise ValueError(f"algorithm must be one of {ALGORITHMS + PAPER_ALGORITHMS}, got {name!r}")
    pulses.check_stream(stream)
    hp = dict(FIXED.get(name, {}), **hp)
    kw = dict(pulse_mode=pulse_mode, c2c=nd.c2c, stream=stream)
    f, s = nd.fast, nd.slow
    base = name.replace(" (buffered)", "")
    positional = _POSITIONAL[base]
    missing = [k for k in positional if k not in hp]
    if missing:
        raise ValueError(f"hyperparameters of {name!r} lack {missing}, got {hp!r}")
    args = [hp.pop(k) for k in positional]
    try:
        if name == "digital SGD":
            return algorithms.DigitalSGD(*args, **hp)
        if name == "analog SGD":
            return algorithms.AnalogSGD(s, *args, **hp, **dict(kw, c2c=nd.c2c_slow))
        if name == "two-stage":
            n_zs = hp.pop("n_zs")
            return algorithms.TwoStage(algorithms.residual_learning(f, s, *args, **hp, **kw), n_zs=n_zs)
        return _CONSTRUCTORS[base](f, s, *args, **hp, **kw)
    except TypeError as err:
        if "unexpected keyword argument" in str(err):
            raise ValueError(f"hyperparameters of {name!r}: {err}") from None
        raise


#: Rates each constructor takes by position, in its order.
_POSITIONAL = {
    "digital SGD": ("alpha",), "analog SGD": ("alpha",),
    "residual learning": ("alpha", "beta", "gamma"), "two-stage": ("alpha", "beta", "gamma"),
    "RIDER": ("alpha", "beta", "eta", "gamma"), "E-RIDER": ("alpha", "beta", "eta", "gamma"),
    "TT-v1": ("alpha", "transfer_lr"), "TT-v2": ("alpha", "transfer_lr"), "c-TTv2": ("alpha", "transfer_lr"),
    "AGAD": ("alpha", "transfer_lr"),
    "E-RIDER (paper)": ("alpha", "beta"), "RIDER (paper, P-Q0)": ("alpha", "beta", "eta"),
    "RIDER (paper, P-Qk)": ("alpha", "beta", "eta"),
}
_CONSTRUCTORS = {
    "residual learning": algorithms.residual_learning, "RIDER": algorithms.rider, "E-RIDER": algorithms.e_rider,
    "TT-v1": algorithms.tiki_taka, "TT-v2": algorithms.tt_v2, "c-TTv2": algorithms.c_ttv2, "AGAD": algorithms.agad,
    "E-RIDER (paper)": algorithms.e_rider_paper,
    "RIDER (paper, P-Q0)": lambda *a, **k: algorithms.rider_paper(*a, reprogram="flip", **k),
    "RIDER (paper, P-Qk)": lambda *a, **k: algorithms.rider_paper(*a, reprogram="every", **k),
}
