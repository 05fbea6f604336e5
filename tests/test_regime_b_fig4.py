"""regime-b-fig4 (fig4-pulses in setting B) and the additive network_budget options it uses: the setting's IO
reaches the MLP, cost_vs_states takes a setting / hyperparameters / algorithm / target with its defaults
unchanged, the claim runs on tiny sizes, is a --long claim, and its power figure follows the formula."""

import json

import numpy as np
import pytest

from sptheory import nn
from sptheory.experiments import network_budget as X
from sptheory.experiments import regime
from verification.harness import RESULT_VERDICTS


def test_problem_takes_the_setting_io():
    _, net = X.problem(regime.SETTING)
    assert net.io is regime.SETTING.io and regime.SETTING.io is nn.PAPER_IO_BM
    _, net0 = X.problem(X.BASE)
    assert X.BASE.io is None and net0.io is None


def test_cost_vs_states_defaults_unchanged_and_overrides():
    tiny = dict(states=(50,), seeds=1, epochs=0.4, record_every=5)
    d0 = X.cost_vs_states(True, 3, None, tiny)
    assert d0["setting"]["target"] == X.FIG4_TARGET and d0["setting"]["erider"] == "E-RIDER"
    assert d0["setting"]["name"] == X.BASE.name and d0["setting"]["hp"]["E-RIDER"] == X.HP["E-RIDER"]
    hp = {"E-RIDER": regime.centre("E-RIDER (paper)"), "zs-tt-v2": dict(X.HP["zs-tt-v2"])}
    d = X.cost_vs_states(True, 3, None, tiny, setting=regime.SETTING, hp=hp, erider="E-RIDER (paper)", target=4.0)
    assert d["setting"]["target"] == 4.0 and d["setting"]["erider"] == "E-RIDER (paper)"
    assert d["setting"]["name"] == regime.SETTING.name and d["setting"]["ref_mean"] == 0.2
    # the starting loss (~2.4-2.6) is below 4: both methods hit the target at the first smoothed record
    r = d["rows"][0]
    assert np.all(np.isfinite(r["E-RIDER"]["time"])) and np.all(np.isfinite(r["zs-tt-v2"]["time"]))


@pytest.mark.parametrize("kw", [dict(hp={"E-RIDER": {}}), dict(target=float("nan")), dict(target=-1.0)])
def test_cost_vs_states_rejects_bad_input(kw):
    with pytest.raises(ValueError):
        X.cost_vs_states(True, 3, None, dict(states=(50,), seeds=1, epochs=0.1), **kw)


def test_claim_is_long_only():
    import verification

    assert "regime-b-fig4" in verification.LONG_CLAIMS
    assert "verification.claims.fig4_pulses_b" in verification.CLAIM_MODULES


def _record(levels_er, levels_zs, epochs=183):
    """A synthetic pilot record: per states, E-RIDER finals per seed and two-stage finals (seeds x N)."""
    runs = []
    for st, er in levels_er.items():
        for i, v in enumerate(er):
            runs.append(dict(states=st, method="E-RIDER (paper)", seed=900 + i, final=[v]))
        for i, row in enumerate(levels_zs[st]):
            runs.append(dict(states=st, method="zs-tt-v2", seed=900 + i, final=list(row)))
    return dict(states=list(levels_er), epochs=epochs, runs=runs)


def test_target_rule():
    from verification.claims import fig4_pulses_b as M

    rec = _record({50: [0.30, 0.41], 1000: [1.40, 1.0]},
                  {50: [[0.9, 0.2, 0.5], [0.8, 0.35, 0.1]], 1000: [[0.5, 0.6, 0.7]] * 2})
    r = M.target_rule(rec)
    # 50: E-RIDER worst seed 0.41; two-stage min over N of the worst seed: max(0.2, 0.35) = 0.35, max(0.5, 0.1)
    # = 0.5 -> 0.35; level 0.41.  1000: E-RIDER 1.40 > ln(10)/2 -> dropped
    assert r["levels"] == {50: pytest.approx(0.41), 1000: pytest.approx(1.40)}
    assert r["kept"] == [50] and list(r["dropped"]) == [1000] and "1.400" in r["dropped"][1000]
    assert r["target"] == pytest.approx(0.50)  # ceil(1.2 x 0.41 = 0.492, 0.01) = 0.50
    # the two-stage can set the level too
    r2 = M.target_rule(_record({50: [0.2]}, {50: [[0.9, 0.6]]}))
    assert r2["levels"][50] == pytest.approx(0.6) and r2["target"] == pytest.approx(0.72)
    assert M.target_rule(_record({50: [1.2]}, {50: [[0.3]]}))["target"] is None
    with pytest.raises(ValueError, match="both methods"):
        M.target_rule(dict(states=[50], epochs=1, runs=[dict(states=50, method="zs-tt-v2", final=[0.1])]))


def test_design_constants():
    from verification.claims import fig4_pulses_b as M

    assert M.STATES == (50, 100, 300, 1000) and M.EPOCHS == regime.min_epochs() == 183
    assert M.SIZES == dict(seeds=8, epochs=183, record_every=20)
    assert M.KEEP_AT_MOST == pytest.approx(np.log(10) / 2) and M.MARGIN == 1.2
    assert set(M.PILOT_SEEDS).isdisjoint(X._seeds(0, 4, 8))


def test_pilot_tiny():
    from verification.claims import fig4_pulses_b as M

    rec = M.pilot(None, states=(50,), seeds=(900,), epochs=0.2, record_every=5)
    assert [r["method"] for r in rec["runs"]] == ["E-RIDER (paper)", "zs-tt-v2"]
    assert len(rec["runs"][1]["final"]) == len(X.FIG4_N_FACTORS) and len(rec["runs"][0]["final"]) == 1
    json.dumps(rec, allow_nan=False)
    r = M.target_rule(rec)  # 0.2 epochs: nothing has trained below ln(10)/2
    assert r["kept"] == [] and r["target"] is None


def test_claim_tiny(tmp_path):
    from verification.claims import fig4_pulses_b as M

    # a synthetic pilot that keeps 50 states (target 0.5) and drops 1000: the dropped state is an inconclusive part
    rec = _record({50: [0.41], 1000: [1.5]}, {50: [[0.3]], 1000: [[0.3]]})
    rs = M.run(True, 3, None, dict(epochs=0.3, seeds=2), pilot_record=rec)
    assert [r.id for r in rs] == ["regime-b-fig4/time", "regime-b-fig4/energy"]
    for r in rs:
        assert r.verdict in RESULT_VERDICTS and r.verdict != "crashed"
        assert r.judgement is not None and r.judgement.verdict == r.verdict
        json.dumps(r.to_dict(), allow_nan=False)
        assert [row["states"] for row in r.data["rows"]] == [50] and r.data["setting"]["target"] == 0.5
        # 0.3 epochs cannot reach 0.5, and 1000 states was not run: inconclusive, with failed checks
        assert r.verdict == "inconclusive" and not all(c.met for c in r.checks)
        assert any(c.name == "1000 states run" and not c.met for c in r.checks)
        # TT-v2's search is bracketed only under the ladder rule (verification/data/regime_search_B.json)
        assert r.data["verdict_original_rule"] == "inconclusive" and "original bracket rule" in r.notes
    M.plot(rs[0], tmp_path / "p.png")
    assert (tmp_path / "p.png").stat().st_size > 0
    # a pilot that keeps nothing: no training, every number of states an inconclusive part
    rs = M.run(True, 3, None, dict(epochs=0.3, seeds=2), pilot_record=_record({50: [2.0]}, {50: [[2.0]]}))
    for r in rs:
        assert r.verdict == "inconclusive" and r.data["rows"] == [] and r.data["setting"]["target"] is None
        assert [c.name for c in r.checks if not c.met] == ["50 states run"]
        json.dumps(r.to_dict(), allow_nan=False)


def test_power_formula():
    from verification.claims import fig4_pulses_b as M
    from verification.claims.regime_b import Z_POWER

    n = M.power([dict(mean=0.5, sd=1.0), None, dict(mean=0.0, sd=1.0), dict(mean=-1.0, sd=float("nan"))])
    assert n[0] == pytest.approx((Z_POWER * 1.0 / 0.5) ** 2) and n[1:] == [None, None, None]
