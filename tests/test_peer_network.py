"""benchmarks/peer_network.py without aihwkit: the aihwkit -> sptheory translation, the agreement
statistics, the shared minibatch stream, and the not-installed mode."""

import importlib.util
import math
import sys
from pathlib import Path

import numpy as np
import pytest

_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from benchmarks import peer_network as pn  # noqa: E402

COMMON = dict(sgd_lr=0.5, batch=10, dw_fast=0.4622, dw_slow=0.01, in_sizes=[65, 33])


def test_buffered_rates_threshold_and_schedule():
    """TT-v2: alpha = fast_lr, transfer_lr scaled by the SGD lr, thres_scale in dw_C units, one transfer per batch."""
    tr = pn.translate(dict(compound="buffered", fast_lr=0.03, transfer_lr=0.01, thres_scale=0.8), **COMMON)
    kw = tr["kwargs"]
    assert tr["constructor"] == "tt_v2" and tr["not_expressible"] == []
    assert kw["alpha"] == 0.03 and kw["transfer_lr"] == pytest.approx(0.005) and kw["thres_scale"] == 0.8
    assert kw["transfer_every"] == 1 and kw["momentum"] == 0.1 and kw["forget_buffer"] is True
    assert kw["max_pulses"] == 1
    no_scale = pn.translate(dict(compound="buffered", transfer_lr=0.01, scale_transfer_lr=False), **COMMON)
    assert no_scale["kwargs"]["transfer_lr"] == 0.01
    every3 = pn.translate(dict(compound="buffered", transfer_every=3), **COMMON)
    assert every3["kwargs"]["transfer_every"] == 3


def test_chopped_threshold_uses_fast_granularity_and_auto_granularity():
    """c-TTv2: threshold bg/dw_C with bg = dw_A (x auto_granularity / in_size per layer)."""
    tr = pn.translate(dict(compound="chopped", fast_lr=0.5, transfer_lr=1.0, units_in_mbatch=True), **COMMON)
    assert tr["kwargs"]["thres_scale"] == pytest.approx(46.22)
    assert tr["kwargs"]["in_chop_prob"] == 0.1 and tr["kwargs"]["in_chop_random"] is True
    assert tr["not_expressible"] == []
    auto = pn.translate(dict(compound="dynamic", auto_granularity=1000.0, units_in_mbatch=True), **COMMON)
    assert auto["thres_scale_per_layer"] == pytest.approx([46.22 * 1000 / 65, 46.22 * 1000 / 33])
    assert any("auto_granularity" in m for m in auto["not_expressible"])
    cgm = pn.translate(dict(compound="chopped", fast_lr=0.05, correct_gradient_magnitudes=True, units_in_mbatch=True),
                       **COMMON)
    assert cgm["kwargs"]["thres_scale"] == pytest.approx(0.05)


def test_dynamic_defaults_and_per_sample_transfer_flagged():
    """AGAD keeps aihwkit's regular chopper default; the chopped default (a transfer per sample) is flagged."""
    tr = pn.translate(dict(compound="dynamic", units_in_mbatch=True), **COMMON)
    assert tr["constructor"] == "agad"
    assert tr["kwargs"]["in_chop_random"] is False and tr["kwargs"]["tail_weightening"] == 5.0
    per_sample = pn.translate(dict(compound="dynamic"), **COMMON)
    assert any("every 1 samples" in m for m in per_sample["not_expressible"])
    rnd = pn.translate(dict(compound="dynamic", in_chop_random=True, units_in_mbatch=True), **COMMON)
    assert any("in_chop_random" in m for m in rnd["not_expressible"])


def test_translate_rejects_bad_input():
    with pytest.raises(ValueError, match="compound"):
        pn.translate(dict(compound="mixed"), **COMMON)
    with pytest.raises(ValueError, match="does not know"):
        pn.translate(dict(compound="buffered", in_chop_prob=0.1), **COMMON)
    with pytest.raises(ValueError, match="batch"):
        pn.translate(dict(compound="buffered"), **dict(COMMON, batch=0))
    with pytest.raises(ValueError, match="dw_slow"):
        pn.translate(dict(compound="buffered"), **dict(COMMON, dw_slow=-1.0))


def test_benchmark_settings_translate_exactly():
    """The settings the benchmark runs have no inexpressible part."""
    for name in pn.ALGORITHMS + pn.GAMMA_ALGORITHMS + pn.PROBE_ALGORITHMS:
        assert pn.sptheory_args(name)["not_expressible"] == [], name
    assert pn.sptheory_args("c-TTv2-p0")["kwargs"]["in_chop_prob"] == 0.0
    assert pn.sptheory_args("c-TTv2-regular")["kwargs"]["in_chop_random"] is False


def test_paper_table5_digits():
    t5 = pn.paper_table5([65, 33])
    assert t5["TT-v2"]["kwargs"]["alpha"] == 0.03 and t5["TT-v2"]["kwargs"]["thres_scale"] == 0.8
    assert t5["AGAD"]["thres_scale_per_layer"][0] == pytest.approx(0.4622 / 0.01 * 1000 / 65)
    assert t5["E-RIDER"]["p_per_layer"] == pytest.approx([0.05 / 65, 0.05 / 33])
    assert t5["E-RIDER"]["eta_per_layer"] == pytest.approx([0.25 / 65, 0.25 / 33])


def test_welch_and_verdict():
    """Welch interval against a hand computation; the rule's two branches."""
    a, b = [80.0, 82.0, 84.0], [70.0, 71.0, 72.0]
    w = pn.welch(a, b)
    se = math.sqrt(4 / 3 + 1 / 3)
    df = (4 / 3 + 1 / 3) ** 2 / ((4 / 3) ** 2 / 2 + (1 / 3) ** 2 / 2)
    from scipy import stats
    assert w["diff"] == pytest.approx(11.0) and w["df"] == pytest.approx(df)
    assert w["hi"] - w["diff"] == pytest.approx(stats.t.ppf(0.975, df) * se)
    assert pn.old_verdict(w) == "disagrees"
    assert pn.old_verdict({"diff": 2.5, "lo": 1.0, "hi": 4.0}) == "agrees"
    assert pn.old_verdict({"diff": 8.0, "lo": -1.0, "hi": 17.0}) == "agrees"


def test_equivalence_rule_and_power():
    """The rule of item 1: TOST equivalence within 2 points, a 95 % interval off 0, else undecided; the
    power computation against the normal-approximation sample size."""
    from scipy import stats
    assert pn.verdict([80.0, 82.0, 84.0], [70.0, 71.0, 72.0])["verdict"] == "disagrees"
    tight = [80.0, 80.2, 79.8, 80.1, 79.9, 80.0]
    v = pn.verdict(tight, [x + 0.3 for x in tight])
    assert v["verdict"] == "agrees" and v["w90"]["hi"] - v["w90"]["lo"] < 2 * pn.MARGIN
    assert pn.verdict([70.0, 80.0, 90.0], [72.0, 81.0, 88.0])["verdict"] == "undecided (3 seeds too few)"
    # a cell whose interval is wider than twice the margin never agrees, even at a zero difference
    wide = [60.0, 64.0, 68.0, 72.0]
    assert pn.verdict(wide, wide)["verdict"].startswith("undecided")
    # sample size: the normal approximation n = 2 (z_0.95 + z_0.90)^2 sd^2 / M^2 (true difference 0), which
    # the t-based computation meets or exceeds by a seed or two
    sd = 3.0
    z = stats.norm.ppf(0.95) + stats.norm.ppf(0.9)
    n_normal = math.ceil(2 * z ** 2 * sd ** 2 / pn.MARGIN ** 2)
    n = pn.seeds_for_power(sd, sd)
    assert n_normal <= n <= n_normal + 3
    assert pn.tost_power(sd, sd, n) >= pn.POWER > pn.tost_power(sd, sd, n - 1)
    assert pn.seeds_for_power(1e3, 1e3, n_max=50) is None


def test_end_slope():
    assert pn.end_slope(np.arange(20) * 0.5) == pytest.approx(0.5)
    assert pn.end_slope([1.0] * 8) == pytest.approx(0.0, abs=1e-12)


def test_fixed_batches_feed_the_index_rows():
    """The sptheory objective uses the given minibatch rows in order (gradient equals the one built from them)."""
    from sptheory import data, nn

    s = data.digits(0)
    net = nn.MLP(pn.SIZES, "sigmoid", data=s.train, batch=pn.BATCH, factored=False)
    idx = pn.batch_indices(0, net.n, 2)
    obj = pn.FixedBatches(net, idx)
    W = pn.start_weights(net, 0)
    g0 = obj.grad(W, np.random.Generator(np.random.PCG64(5)))

    class Rows:
        def integers(self, *a, **k):
            return idx[0][None, :]
    np.testing.assert_array_equal(g0, net.grad(W, Rows()))
    assert obj.k == 1 and obj.layer_shapes == net.layer_shapes
    # stacked replicates: one row per replicate and step
    idx3 = np.stack([pn.batch_indices(s_, net.n, 2) for s_ in (0, 1)], axis=1)
    obj3 = pn.FixedBatches(net, idx3)
    W3 = np.concatenate([pn.start_weights(net, s_) for s_ in (0, 1)])
    g3 = obj3.grad(W3, np.random.Generator(np.random.PCG64(5)))
    np.testing.assert_array_equal(g3[0], g0[0])
    assert obj3.k == 1


@pytest.mark.skipif(importlib.util.find_spec("aihwkit") is not None, reason="aihwkit installed")
def test_main_without_aihwkit_exits_0(capsys):
    assert pn.main(["--epochs", "1"]) == 0
    assert "aihwkit is not installed" in capsys.readouterr().out


def test_aihwkit_io_fields_follow_paper_io():
    """The aihwkit IOParameters fields carry nn.PAPER_IO's numbers; no bound management; the transfer read
    has no noise management (aihwkit forces it off there)."""
    import dataclasses

    from sptheory import nn

    io = nn.PAPER_IO
    f = pn.aihwkit_io_fields(io)
    assert (f["inp_res"], f["inp_bound"], f["out_res"], f["out_bound"], f["out_noise"]) == (
        io.inp_res, io.inp_bound, io.out_res, io.out_bound, io.out_noise)
    assert f["inp_res"] == 1 / 127 and f["out_res"] == 1 / 510 and f["out_noise"] == pn.OUT_NOISE
    assert f["noise_management"] == "ABS_MAX" and f["bound_management"] == "NONE"
    assert f["inp_noise"] == 0.0 and f["w_noise"] == 0.0 and not f["inp_sto_round"] and not f["out_sto_round"]
    t = pn.aihwkit_io_fields(io, transfer=True)
    assert t["noise_management"] == "NONE" and t["bound_management"] == "NONE"
    assert {k: v for k, v in t.items() if k != "noise_management"} == {
        k: v for k, v in f.items() if k != "noise_management"}
    none = pn.aihwkit_io_fields(dataclasses.replace(io, noise_management="none"))
    assert none["noise_management"] == "NONE"


def test_merge_pools_per_seed_and_pairs_within_a_stack(tmp_path):
    """--merge: per-seed means per side, the rule on them, toggle shifts paired within one stack of seeds."""
    import json

    def run(side, seed, test, options=()):
        return {"algorithm": "c-TTv2", "cell": [0.4, 1.0], "side": side, "seed": seed, "test": test,
                "options": list(options)}

    t1 = {"seeds": [0, 1, 2], "runs": [run("aihwkit", s, 0.70 + 0.01 * s) for s in range(3)]
          + [run("sptheory", s, 0.60 + 0.01 * s) for s in range(3)]
          + [run("sptheory", s, 0.58 + 0.01 * s, ["bl_management"]) for s in range(3)]}
    t2 = {"seeds": None, "runs": [run("aihwkit", s, 0.72 + 0.01 * s) for s in range(3)]}
    p1, p2 = tmp_path / "a.json", tmp_path / "b.json"
    p1.write_text(json.dumps(t1))
    p2.write_text(json.dumps(t2))
    res = pn.merge([p1, p2])
    (cell,) = res["cells"]
    assert cell["aihwkit_seeds"] == 3 and cell["aihwkit_runs"] == 6
    assert cell["aihwkit"] == pytest.approx(72.0) and cell["sptheory"] == pytest.approx(61.0)
    assert cell["verdict"] == "disagrees"
    (tog,) = res["toggles"]
    assert tog["paired_seeds"] == 3 and tog["shift"]["diff"] == pytest.approx(-2.0)


def test_gamma_translates_to_the_forward_weight_option():
    """aihwkit's gamma (1.2.0: gamma (c_d outer c_x) A + C on the chopped/dynamic compounds) -> sptheory's gamma;
    the benchmark's gamma rows differ from their base rows only there; a negative gamma is refused."""
    for kind in ("buffered", "chopped", "dynamic"):
        tr = pn.translate(dict(compound=kind, gamma=0.1, units_in_mbatch=True), **COMMON)
        assert tr["kwargs"]["gamma"] == 0.1 and tr["not_expressible"] == [], kind
        assert "gamma" not in pn.translate(dict(compound=kind, units_in_mbatch=True), **COMMON)["kwargs"]
    for name in pn.GAMMA_ALGORITHMS:
        g, base = pn.sptheory_args(name), pn.sptheory_args(name.split("+")[0])
        assert g["not_expressible"] == [] and g["constructor"] == base["constructor"]
        assert g["kwargs"] == dict(base["kwargs"], gamma=pn.GAMMA)
    with pytest.raises(ValueError, match="gamma"):
        pn.translate(dict(compound="chopped", gamma=-0.1), **COMMON)


def test_setting_b_translation_and_io():
    """Setting B: the slow array is the HfO2 preset (granularity DW_FAST), so the chopped threshold is one fast
    step; the IO is nn.PAPER_IO_BM, ITERATIVE on aihwkit's forward pass only."""
    from sptheory import nn

    assert pn.sptheory_args("c-TTv2", "B")["kwargs"]["thres_scale"] == pytest.approx(1.0)
    assert pn.sptheory_args("c-TTv2", "A")["kwargs"]["thres_scale"] == pytest.approx(46.22)
    assert pn.setting_io("A") is nn.PAPER_IO and pn.setting_io("B") is nn.PAPER_IO_BM
    with pytest.raises(ValueError, match="setting"):
        pn.sptheory_args("AGAD", "C")
    f = pn.aihwkit_io_fields(nn.PAPER_IO_BM)
    assert f["bound_management"] == "ITERATIVE" and f["noise_management"] == "ABS_MAX"
    assert pn.aihwkit_io_fields(nn.PAPER_IO_BM, backward=True)["bound_management"] == "NONE"
    assert pn.aihwkit_io_fields(nn.PAPER_IO_BM, transfer=True)["bound_management"] == "NONE"
    args = pn.parse(["--setting", "B"])
    assert args.cells == list(pn.CELLS_B) and args.max_seeds == pn.MAX_SEEDS_B == 16
    assert pn.parse([]).max_seeds == pn.MAX_SEEDS
    g = pn.parse(["--gamma"])
    assert g.gamma and g.algorithms == list(pn.GAMMA_ALGORITHMS) and g.cells == list(pn.CELLS)
    e = pn.parse(["--erider-ref"])
    assert e.algorithms == ["AGAD+gamma"] and e.seeds == list(pn.PILOT_SEEDS)


def test_version_tuple():
    assert pn.version_tuple("1.2.0") == (1, 2, 0) and pn.version_tuple("1.1.0") < pn.GAMMA_MIN_AIHWKIT
    assert pn.version_tuple("1.2.0+cu132") == (1, 2, 0) and pn.version_tuple("1.2.0rc1") == (1, 2, 0)
    assert pn.version_tuple("1.2.0") >= pn.GAMMA_MIN_AIHWKIT


def test_no_cell_agrees_on_an_interval_wider_than_twice_the_margin():
    """A wide spread never yields "agrees", whatever the means; a tight one at equal means does."""
    rng = np.random.default_rng(0)
    wide = pn.verdict(list(50 + 5 * rng.standard_normal(4)), list(50 + 5 * rng.standard_normal(4)))
    assert wide["verdict"] != "agrees"
    tight = pn.verdict([80.0, 80.2, 79.9, 80.1], [80.1, 79.9, 80.0, 80.2])
    assert tight["verdict"] == "agrees" and tight["w90"]["hi"] - tight["w90"]["lo"] < 2 * pn.MARGIN


def test_dechop_index_reads_row_major_weights_as_column_major():
    """aihwkit 1.2.0's CPU reduceToWeights: cell (d, x) of an (n_d, n_x) layer takes the chopper of column
    (d n_x + x) // n_d; the index points at row 0 of that column; layers are offset."""
    idx = pn.dechop_index([(3, 5), (2, 4)])
    assert idx.shape == (23,)
    first = idx[:15].reshape(3, 5)
    assert first.tolist() == [[0, 0, 0, 1, 1], [1, 2, 2, 2, 3], [3, 3, 4, 4, 4]]
    assert idx[15:].tolist() == [15 + k // 2 for k in range(8)]
    assert pn.dechop_index([(1, 4)]).tolist() == [0, 1, 2, 3]  # one output row: no mix-up


# ----- --searched: setting B at the claims' searched points ---------------------------------------

@pytest.mark.parametrize("name", pn.SEARCHED_ALGORITHMS)
def test_searched_point_reaches_both_sides(name):
    """Every searched hyperparameter (regime.chosen, the ladder rule) reaches the aihwkit compound's fields and
    comes back unchanged on the sptheory side the benchmark runs; the only other difference from the claims'
    constructor defaults is the transfer read's noise (aihwkit's transfer_forward out_noise)."""
    from sptheory.experiments import regime

    hp = regime.chosen(name)
    aih = pn.aihwkit_setting(name + pn.SEARCHED_SUFFIX)  # what rpu_config hands the aihwkit compound
    kind = aih["compound"]
    assert set(aih) - {"compound"} <= set(pn.AIHWKIT_DEFAULTS[kind])  # real fields of the aihwkit dataclass
    assert aih["fast_lr"] == hp["alpha"] and aih["transfer_lr"] == hp["transfer_lr"] / pn.SGD_LR
    assert aih["units_in_mbatch"] is True and aih["transfer_every"] == 1.0 and hp["max_pulses"] == 1
    for k in ("momentum", "forget_buffer", "in_chop_prob", "in_chop_random", "tail_weightening", "auto_granularity"):
        if k in hp:
            assert aih[k] == hp[k], k
    if name == "TT-v2":
        assert aih["thres_scale"] == hp["thres_scale"]
    if name == "c-TTv2":  # one threshold in dw_C on every layer: buffer_granularity dw_A = thres_scale dw_C
        assert aih["auto_granularity"] == 0.0
        assert aih["buffer_granularity"] == pytest.approx(hp["thres_scale"])  # dw_A = dw_C in setting B
    kw = pn.sptheory_args(name + pn.SEARCHED_SUFFIX, "B")["kwargs"]  # what run_sptheory builds
    for k, v in hp.items():
        assert kw[k] == pytest.approx(v) if not isinstance(v, bool) else kw[k] is v, k
    c = pn.searched_check(name)
    assert c["mismatch"] == [] and c["not_expressible"] == []
    assert set(c["differs_from_claims_defaults"]) == {"read_noise"}


def test_searched_check_has_teeth():
    """The round trip catches what it must: AGAD's per-layer threshold as one thres_scale is inexpressible, a
    searched key the translation does not carry and a pulse cap other than 1 are errors."""
    from sptheory.experiments import regime

    hp = regime.chosen("AGAD")
    one = pn.translate(pn.searched_setting("AGAD", hp), sgd_lr=pn.SGD_LR, batch=pn.BATCH, dw_fast=pn.DW_FAST,
                       dw_slow=pn.DW_FAST, in_sizes=pn.in_sizes())
    assert any("auto_granularity" in m for m in one["not_expressible"])
    with pytest.raises(ValueError, match="gamma"):
        pn.searched_setting("AGAD", dict(hp, gamma=0.1))
    with pytest.raises(ValueError, match="max_pulses"):
        pn.searched_setting("TT-v2", dict(regime.chosen("TT-v2"), max_pulses=2))
    with pytest.raises(ValueError, match="name"):
        pn.searched_setting("E-RIDER (paper)", {})
    regular = pn.searched_check("c-TTv2", dict(regime.chosen("c-TTv2"), in_chop_random=False))
    assert regular["mismatch"] == []  # carried over (c-TTv2's regular schedule is expressible) ...
    assert regular["sptheory"]["in_chop_random"] is False  # ... and it reaches the sptheory side


def test_searched_cells_seeds_epochs_match_the_claims():
    """--searched's defaults are regime-b's: the nominal cell (sptheory offsets N(+0.2, 0.3^2), aihwkit reference
    -0.2), the offset claims' ref_std 0.05 and 1.0, seeds 0-7, regime.min_epochs() epochs."""
    from sptheory.experiments import regime
    from verification.claims import regime_b

    assert pn.CELLS_SEARCHED[0] == (-regime.SETTING.ref_mean, regime.SETTING.ref_std) == (-0.2, 0.3)
    stds = {r[1] for pairs in regime_b.PAIRS.values() for pair in pairs for r in pair}
    assert stds == {c[1] for c in pn.CELLS_SEARCHED} and all(c[0] == -regime.SETTING.ref_mean for c in pn.CELLS_SEARCHED)
    assert pn.SEARCHED_SEEDS == regime_b.SEEDS
    a = pn.parse(["--searched", "--seeds", "0", "--algorithms", "AGAD"])
    assert (a.setting, a.epochs, a.algorithms, a.cells, a.seeds) == ("B", regime.min_epochs(), ["AGAD (searched)"],
                                                                      [(-0.2, 0.3)], [0])
    d = pn.parse(["--searched"])
    assert d.seeds == list(range(8)) and d.algorithms == [n + pn.SEARCHED_SUFFIX for n in pn.SEARCHED_ALGORITHMS]
    assert pn.parse([]).epochs == 40
    with pytest.raises(SystemExit):
        pn.parse(["--searched", "--algorithms", "AGAD+gamma"])
