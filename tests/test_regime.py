"""The rules of the paper's regime (experiments.regime), checked on synthetic records: no training runs
except one tiny evaluate."""

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from sptheory import nn
from sptheory.experiments import network, regime


def test_run_length_starts_at_the_papers_reads_per_column():
    assert regime.min_epochs() == 183          # ceil(306 * 65 / 109)
    assert regime.epoch_ladder() == (183, 275, 413)
    assert regime.SETTING.io == nn.PAPER_IO_BM and regime.SETTING.io.bound_management == "iterative"
    assert regime.SETTING.slow_device is None and regime.SETTING.device == "hfo2"


def test_run_length_rule_extends_until_every_slope_is_small_and_stops_after_two():
    tol = regime.SLOPE_TOL
    assert regime.run_length({}) == dict(epochs=None, met=False, next=183, over={})
    out = regime.run_length({183: {"a": tol, "b": 0.5 * tol}})
    assert out["met"] and out["epochs"] == 183
    out = regime.run_length({183: {"a": 2 * tol, "b": 0.0}})
    assert not out["met"] and out["next"] == 275 and out["over"][183] == ["a"]
    out = regime.run_length({183: {"a": 2 * tol}, 275: {"a": 0.5 * tol}})
    assert out["met"] and out["epochs"] == 275
    out = regime.run_length({183: {"a": 2 * tol}, 275: {"a": 2 * tol}, 413: {"a": 2 * tol}})
    assert not out["met"] and out["epochs"] == 413 and out["next"] is None
    assert regime.run_length({183: {"a": float("nan")}})["next"] == 275  # a NaN slope is not "small"


@pytest.mark.parametrize("name", sorted(regime.AXES))
def test_the_box_spans_at_least_three_decades_around_the_table5_centre(name):
    c = regime.centre(name)
    for axis, lo, hi in regime.box(name):
        assert hi - lo >= 3.0
        assert lo < math.log10(c[axis]) < hi
    a = regime.sample(name)
    assert len(a) == regime.POINTS and a == regime.sample(name)   # seeded
    for (axis, lo, hi) in regime.box(name):
        x = np.log10([p[axis] for p in a])
        assert np.all((x >= lo - 1e-6) & (x <= hi + 1e-6))
        assert x.max() - x.min() > 0.8 * (hi - lo)                   # the sample fills the box


def _pt(name, val, **hp):
    base = regime.centre(name)
    base.update(hp)
    return dict(algorithm=name, hp=base, epochs=183, seeds=[1, 2, 3, 4], val=list(val),
                val_mean=float(np.mean(val)), end_slope=0.0, seconds=1.0)


def test_bracket_interior_edge_probe_flat_and_failed():
    n = "AGAD"
    (a, alo, ahi), (t, tlo, thi) = regime.box(n)
    mid = lambda lo, hi: 10 ** ((lo + hi) / 2)  # noqa: E731
    pts = [_pt(n, [0.5] * 4, alpha=mid(alo, ahi), transfer_lr=mid(tlo, thi)),
           _pt(n, [0.8, 0.82, 0.81, 0.83], alpha=mid(alo, ahi), transfer_lr=10 ** (thi - 0.1))]
    b = regime.bracket(n, pts)
    assert b["axes"] == {"alpha": "interior", "transfer_lr": "probe needed"} and not b["failed"]
    probe_hp = b["probe_points"]["transfer_lr"]
    assert math.isclose(math.log10(probe_hp["transfer_lr"]), thi + regime.STEP, abs_tol=1e-5)
    flat = _pt(n, [0.81, 0.815, 0.815, 0.825], **{k: probe_hp[k] for k in ("alpha", "transfer_lr")})
    assert regime.bracket(n, pts, {"transfer_lr": flat})["axes"]["transfer_lr"] == "flat"
    better = _pt(n, [0.9, 0.91, 0.9, 0.92], **{k: probe_hp[k] for k in ("alpha", "transfer_lr")})
    assert regime.bracket(n, pts, {"transfer_lr": better})["axes"]["transfer_lr"] == "beyond"
    worse = _pt(n, [0.6, 0.61, 0.62, 0.6], **{k: probe_hp[k] for k in ("alpha", "transfer_lr")})
    assert regime.bracket(n, pts, {"transfer_lr": worse})["axes"]["transfer_lr"] == "edge-better"
    assert regime.bracket(n, [_pt(n, [0.15, 0.18, 0.19, 0.1])])["failed"]


def test_record_round_trip_and_chosen_refuses_a_failed_search(tmp_path):
    path = tmp_path / "rec.json"
    rec = dict(rules={}, runs=[], points=[_pt("TT-v2", [0.7, 0.72, 0.71, 0.7], alpha=0.01),
                                         _pt("TT-v2", [0.75, 0.74, 0.76, 0.75], alpha=0.02),
                                         _pt("AGAD", [0.1, 0.12, 0.11, 0.1])], probes=[], length=[])
    regime.save_record(rec, path)
    assert json.loads(path.read_text()) == rec
    assert regime.chosen("TT-v2", path)["alpha"] == 0.02
    with pytest.raises(ValueError, match="failed"):
        regime.chosen("AGAD", path)
    with pytest.raises(ValueError, match="no points"):
        regime.chosen("E-RIDER (paper)", path)
    with pytest.raises(FileNotFoundError):
        regime.load_record(tmp_path / "none.json")


def test_evaluate_runs_a_paper_style_row():
    st = dataclasses.replace(regime.SETTING, epochs=1)
    p = regime.evaluate("RIDER (paper, P-Q0)", regime.centre("RIDER (paper, P-Q0)"), 3, seeds=(0, 1), setting=st)
    assert p["epochs"] == 3 and len(p["val"]) == 2 and len(p["curve_mean"]) == 4
    with pytest.raises(ValueError, match="algorithm"):
        network.make_algorithm("E-RIDER (papers)", {}, None)


def test_regime_b_runs_by_default_and_only_its_seed_stage_waits_for_long(tmp_path, capsys):
    """The budget decision (docs/NETWORK_REGIME.md): regime-b is in the default run at 8 seeds; its seed stage is
    behind --long.  A quick run (3 epochs, no stage) runs it and states no skip."""
    from verification import LONG_CLAIMS, LONG_STAGES
    from verification.__main__ import main

    assert "regime-b" not in LONG_CLAIMS and "regime-b" in LONG_STAGES
    rc = main(["--quick", "--only", "regime-b", "--out", str(tmp_path), "--no-progress", "--workers", "1",
               "--executor", "serial"])
    assert rc == 0
    assert "skipped" not in capsys.readouterr().err
    res = json.loads((tmp_path / "verification.json").read_text())["claims"]
    assert len(res) == 6 and all(r["id"].startswith("regime-b/") for r in res)
    assert "Skipped" not in (tmp_path / "report.md").read_text()


def test_regime_claims_without_a_record_are_inconclusive_and_say_why(tmp_path, monkeypatch):
    from verification.claims import regime_b

    monkeypatch.setattr(regime, "RECORD_PATH", tmp_path / "missing.json")
    monkeypatch.setattr(regime.load_record, "__defaults__", (tmp_path / "missing.json",))
    out = regime_b.run(False, 0)
    assert [r.id for r in out] == [f"regime-b/{k}" for k in regime_b.PREDICTIONS]
    assert all(r.verdict == "inconclusive" and "no search record" in r.measured for r in out)
    assert regime_b.seeds_needed([1.0, 2.0, 3.0]) == math.ceil(((1.959964 + 0.841621) * 1.0 / 2.0) ** 2)


def test_the_record_command_runs_resumes_and_brackets(tmp_path, monkeypatch, capsys):
    """verification.regime at a toy size (2 points, 2 epochs): search, resume (nothing re-run), probes, length."""
    from verification import regime as cli

    monkeypatch.setattr(regime, "POINTS", 2)
    monkeypatch.setattr(regime, "min_epochs", lambda setting=regime.SETTING: 2)
    monkeypatch.setattr(regime, "SEARCH_SEEDS", (1000, 1001))
    monkeypatch.setattr(regime, "evaluate", lambda n, hp, e, seeds=(1000, 1001), setting=None: dict(
        algorithm=n, hp=dict(hp), epochs=int(e), seeds=[1000, 1001], val=[0.5, 0.52 + 0.01 * (e > 2)],
        val_mean=0.51 + 0.005 * (e > 2), end_slope=0.0, seconds=0.0, curve_mean=[0.1, 0.5]))
    monkeypatch.setattr(cli, "ProcessPoolExecutor", _Serial)
    rec = tmp_path / "rec.json"
    cli.main(["search", "--names", "TT-v2", "--record", str(rec)])
    assert len(regime.load_record(rec)["points"]) == 2
    cli.main(["search", "--names", "TT-v2", "--record", str(rec)])
    assert len(regime.load_record(rec)["points"]) == 2 and "2 in the record, 0 to run" in capsys.readouterr().out
    cli.main(["probes", "--names", "TT-v2", "--record", str(rec)])
    cli.main(["length", "--names", "TT-v2", "--record", str(rec)])
    out = capsys.readouterr().out
    assert "run-length rule: {'epochs': 2, 'met': True" in out
    r = regime.load_record(rec)
    assert [x["command"].split()[3] for x in r["runs"]] == ["search", "search", "probes", "length"]


class _Serial:
    """A stand-in for ProcessPoolExecutor that runs each job at submit."""

    def __init__(self, max_workers=None):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False

    def submit(self, f, *a):
        from concurrent.futures import Future

        fut = Future()
        fut.set_result(f(*a))
        return fut


def _ladder_case(vals_by_k, name="AGAD"):
    """A search whose best point sits near the top face of alpha with a 'beyond' probe, and ladder steps
    k = 1.. with the given per-seed values (k = 0 is the probe)."""
    (a, alo, ahi), (t, tlo, thi) = regime.box(name)
    tmid = 10 ** ((tlo + thi) / 2)
    pts = [_pt(name, [0.5] * 4, alpha=10 ** ((alo + ahi) / 2), transfer_lr=tmid),
           _pt(name, [0.80, 0.81, 0.80, 0.82], alpha=10 ** (ahi - 0.2), transfer_lr=tmid)]
    best_hp = pts[1]["hp"]
    probe_hp = regime.ladder_hp(name, best_hp, "alpha", 0, "high")
    assert probe_hp == regime.bracket(name, pts)["probe_points"]["alpha"]
    probes = {"alpha": dict(_pt(name, vals_by_k[0]), hp=probe_hp, probe_axis="alpha")}
    steps = [dict(_pt(name, v), hp=regime.ladder_hp(name, best_hp, "alpha", k, "high"))
             for k, v in enumerate(vals_by_k[1:], start=1)]
    return pts, probes, steps


def test_ladder_steps_past_a_beyond_probe_until_flat_or_worse():
    up = lambda b: [b, b + 0.005, b + 0.01, b + 0.005]  # noqa: E731  (tiny spread: 2 SE ~ 0.004)
    pts, probes, steps = _ladder_case([up(0.85), up(0.88), up(0.86)])
    L = regime.ladder("AGAD", pts, probes, [])
    assert L["axes"] == {"alpha": "ladder needed", "transfer_lr": "interior"}
    assert L["next"] == steps[0]["hp"] and L["best"] is probes["alpha"]       # the probe is the running best
    (_, _, ahi), _ = regime.box("AGAD")
    assert math.isclose(math.log10(L["next"]["alpha"]), ahi + 2 * regime.STEP, abs_tol=1e-5)
    assert L["next"]["transfer_lr"] == pts[1]["hp"]["transfer_lr"]          # the other axis held
    L = regime.ladder("AGAD", pts, probes, steps[:1])
    assert L["axes"]["alpha"] == "ladder needed" and L["best"] is steps[0]    # k=1 better: continue
    L = regime.ladder("AGAD", pts, probes, steps)
    assert L["axes"]["alpha"] == "bracketed by ladder" and L["best"] is steps[0] and L["next"] is None
    assert L["original"]["axes"]["alpha"] == "beyond" and L["original"]["best"] is pts[1]


def test_ladder_stops_on_a_worse_step_and_reports_the_cap():
    up = lambda b: [b, b + 0.005, b + 0.01, b + 0.005]  # noqa: E731
    pts, probes, steps = _ladder_case([up(0.85), up(0.70)])
    L = regime.ladder("AGAD", pts, probes, steps)
    assert L["axes"]["alpha"] == "bracketed by ladder" and L["best"] is probes["alpha"]
    vals = [up(0.85 + 0.03 * k) for k in range(regime.LADDER_STEPS + 1)]
    pts, probes, steps = _ladder_case(vals)
    L = regime.ladder("AGAD", pts, probes, steps)
    assert L["axes"]["alpha"] == "ladder cap" and L["best"] is steps[-1] and L["next"] is None
    assert len(L["ladders"]["alpha"]) == regime.LADDER_STEPS + 1
    with pytest.raises(ValueError, match="ladder step"):
        regime.ladder_hp("AGAD", pts[1]["hp"], "alpha", regime.LADDER_STEPS + 1, "high")
    with pytest.raises(ValueError, match="side"):
        regime.ladder_hp("AGAD", pts[1]["hp"], "alpha", 1, "up")


def test_ladder_leaves_a_bracketed_search_alone_and_state_reads_both_rules():
    n = "AGAD"
    (a, alo, ahi), (t, tlo, thi) = regime.box(n)
    pts = [_pt(n, [0.8, 0.81, 0.8, 0.82], alpha=10 ** ((alo + ahi) / 2), transfer_lr=10 ** ((tlo + thi) / 2))]
    L = regime.ladder(n, pts, {}, [])
    assert L["axes"] == {"alpha": "interior", "transfer_lr": "interior"} and L["next"] is None and not L["ladders"]
    up = lambda b: [b, b + 0.005, b + 0.01, b + 0.005]  # noqa: E731
    pts, probes, steps = _ladder_case([up(0.85), up(0.85)])
    rec = dict(points=[dict(p) for p in pts] * 8, probes=list(probes.values()),
               ladder=[dict(s, algorithm=n) for s in steps])
    o, L = regime.state(n, rec, 183, rule="original"), regime.state(n, rec, 183, rule="ladder")
    assert o["complete"] and not o["bracketed"] and o["axes"]["alpha"] == "beyond"
    assert L["bracketed"] and L["axes"]["alpha"] == "bracketed by ladder" and L["best"]["val"] == up(0.85)
    with pytest.raises(ValueError, match="rule"):
        regime.state(n, rec, rule="wider")


def test_the_stored_record_matches_todays_rules_up_to_added_default_fields():
    from verification import regime as cli

    rec = regime.load_record()
    assert cli._same_rules(rec["rules"], cli._rules())
    assert not cli._same_rules(dict(rec["rules"], step=1.0), cli._rules())
    assert not cli._same_rules(dict(rec["rules"], setting=rec["rules"]["setting"].replace("hfo2", "om")), cli._rules())


def _curves(test):
    from sptheory.experiments.network.training import Curves

    t = np.asarray(test, float)
    return Curves(test=t, val=t, curve=np.tile(t[:, None], (1, 5)), epochs=np.arange(5))


def test_regime_b_erider_best_and_fig5_combine_their_intervals_as_the_old_claims():
    from sptheory import stats
    from verification.claims import regime_b as R

    E, nom = R.E, 0.3
    base = np.array([0.80, 0.82, 0.81, 0.83, 0.80, 0.82, 0.81, 0.80])
    jit = np.array([0.0, 0.002, -0.001, 0.001, 0.0, -0.002, 0.001, 0.0])
    runs = {(E, nom, None): _curves(base + 0.05), ("TT-v2", nom, None): _curves(base + jit),
            ("c-TTv2", nom, None): _curves(base - jit), ("AGAD", nom, None): _curves(base + 0.02 + jit)}
    m, ests, diffs, need = R._measure("erider-best", runs)
    assert len(ests) == 3 and m.lo > 0 and stats.judge(R.PREDICTIONS["erider-best"], m).verdict == "holds"
    runs[("AGAD", nom, None)] = _curves(base + 0.10 + jit)                 # one method better than E-RIDER
    m, *_ = R._measure("erider-best", runs)
    assert m.hi < 0 and stats.judge(R.PREDICTIONS["erider-best"], m).verdict == "violated"
    f = {(E, nom, p): _curves(base + (0.03 if p == 0.1 else 0.0) + jit * (p or 1)) for p in R.FIG5_P}
    m, ests, _, _ = R._measure("fig5-chopper", f)
    assert len(ests) == 5 and m.lo > 0 and stats.judge(R.PREDICTIONS["fig5-chopper"], m).verdict == "holds"
    assert R.involved("erider-best") == sorted([E, "TT-v2", "c-TTv2", "AGAD"]) and R.involved("fig5-chopper") == [E]


def test_regime_b_fig5_rows_vary_only_the_chopper_probability():
    from verification.claims import regime_b as R

    hp = regime.centre(R.E)
    assert R.hp_of({R.E: hp}, (R.E, 0.3, None)) == hp
    assert R.hp_of({R.E: hp}, (R.E, 0.3, 0.2)) == dict(hp, in_chop_prob=0.2)
    p0 = R.hp_of({R.E: hp}, (R.E, 0.3, 0.0))
    assert p0["in_chop_prob"] == 0.0 and p0["eta"] == 0.25            # 5 / ceil(1 / 0.05): the same filter weight
    assert 0.05 in R.FIG5_P and R.FIG5_P[0] == 0.0


def _staged_run(monkeypatch, wiggle, options=None, main_args=None):
    """regime_b.run on the real search record with a fake trainer: E-RIDER (paper) - AGAD per seed is ``wiggle``
    (points, by seed mod 8) plus 0.5 for seeds >= 8; the other rows are fixed.  Returns (results by key, calls)."""
    from sptheory.experiments.network.training import Curves
    from verification.claims import regime_b as R

    wiggle = np.asarray(wiggle) / 100
    calls = []

    def fake(setting, name, hp, seeds):
        seeds = list(seeds)
        calls.append((name, setting.ref_std, hp.get("in_chop_prob"), tuple(seeds)))
        idx = np.asarray(seeds) % 8
        base = {"E-RIDER (paper)": 0.89 + wiggle[idx] + 0.005 * (np.asarray(seeds) >= 8),
                "AGAD": np.full(len(seeds), 0.89), "TT-v2": np.full(len(seeds), 0.79),
                "c-TTv2": np.full(len(seeds), 0.80)}[name]
        if name == "TT-v2" and setting.ref_std == 1.0:
            base = base - 0.3
        if name == "E-RIDER (paper)" and hp.get("in_chop_prob") == 0.0:
            base = base - 0.1
        t = base + 1e-3 * np.sin(np.asarray(seeds) + 10 * setting.ref_std)
        return Curves(test=t, val=t, curve=np.tile(t[:, None], (1, 5)), epochs=np.arange(5))

    monkeypatch.setattr(network, "train_curves", fake)
    if main_args is not None:  # through the command line, serially
        import json

        from verification.__main__ import main

        assert main(main_args + ["--only", "regime-b", "--no-progress", "--workers", "1", "--executor", "serial"]) == 0
        res = json.loads((Path(main_args[main_args.index("--out") + 1]) / "verification.json").read_text())["claims"]
        return {r["id"].split("/")[1]: r for r in res}, calls
    out = {r.id.split("/")[1]: r for r in R.run(False, 0, options=options)}
    assert list(out) == list(R.PREDICTIONS)
    return out, calls


@pytest.mark.parametrize("wiggle, size", [([2.5, -0.5, 1.0, 2.0, -1.0, 1.5, 0.5, 2.0], 16),   # mean 1, sd ~1.2
                                          ([3.5, -1.0, 1.5, 2.5, -1.5, 2.0, 0.0, 1.0], 32)])  # mean 1, sd ~1.7
def test_regime_b_runs_the_seed_stage_that_covers_the_power_figure(monkeypatch, wiggle, size):
    """erider-vs-agad and erider-best straddle 0 at 8 seeds with n <= 16 (first case) or 16 < n <= 32 (second), so
    their rows rerun on the stage's added 8-seed blocks and are judged on 16 or 32 paired seeds; the others are
    decided at 8 seeds and do not rerun.  Seeds 0-7 and each block are separate stacked runs."""
    from verification.claims import regime_b as R

    out, calls = _staged_run(monkeypatch, wiggle)
    for k in ("erider-vs-agad", "erider-best"):
        d = out[k].data
        assert d["verdict_8_seeds"] == "inconclusive" and size - 16 < d["seeds_needed_8"] <= size
        assert d["seeds"] == list(range(size)) and out[k].verdict == "holds" and d["stage"] == size
        assert f"{size}-seed stage (8-seed verdict inconclusive" in out[k].notes
        assert len(d["test"]["AGAD|0.3"]) == size
    for k in ("agad-vs-ttv2", "ttv2-offset", "fig5-chopper"):
        assert out[k].data["seeds"] == list(range(8)) and out[k].verdict == "holds" and out[k].data["stage"] is None
    # the stored record: AGAD's and TT-v2's searches bracket only under the ladder rule
    assert out["agad-vs-ttv2"].data["verdict_original_rule"] == "inconclusive"
    assert out["fig5-chopper"].data["verdict_original_rule"] == "holds"
    blocks = [b for b in R.STAGE_BLOCKS if b[0] < size]
    rerun = [c for c in calls if c[3] != tuple(range(8))]
    assert sorted({c[3] for c in rerun}) == blocks and len(rerun) == 4 * len(blocks)   # each row, each block once
    assert {(c[0], c[1]) for c in rerun} == {("E-RIDER (paper)", 0.3), ("AGAD", 0.3), ("TT-v2", 0.3), ("c-TTv2", 0.3)}
    assert out["agad-offset"].data["cpu_seconds"]["stage_claims"] == {"erider-vs-agad": size, "erider-best": size}


def test_regime_b_stage_size_follows_the_power_figure():
    from verification.claims import regime_b as R

    assert [R.stage_size(n) for n in (0, 9, 16, 17, 32, 33, float("inf"))] == [16, 16, 16, 32, 32, None, None]
    with pytest.raises(ValueError, match="need"):
        R.stage_size(float("nan"))
    assert R.STAGE_BLOCKS[0][0] == len(R.SEEDS) and R.STAGE_BLOCKS[-1][-1] == R.MAX_SEEDS - 1



def test_regime_b_without_its_stage_says_that_long_runs_it(monkeypatch, tmp_path, capsys):
    """With regime-b in LONG_STAGES, a run without --long judges it at 8 seeds, runs no stage, says so in the
    inconclusive results and in the skipped line; with --long the stage runs."""
    import verification

    wiggle = [3.5, -1.0, 1.5, 2.5, -1.5, 2.0, 0.0, 1.0]
    out, calls = _staged_run(monkeypatch, wiggle, options={"seed_stage": False})
    assert {c[3] for c in calls} == {tuple(range(8))}
    for k in ("erider-vs-agad", "erider-best"):
        assert out[k].verdict == "inconclusive" and out[k].data["stage_deferred"] == 32
        assert "32-seed stage runs with python -m verification --long" in out[k].measured
    monkeypatch.setattr(verification, "LONG_CLAIMS", ())
    monkeypatch.setattr(verification, "LONG_STAGES", ("regime-b",))
    res, calls = _staged_run(monkeypatch, wiggle, main_args=["--out", str(tmp_path / "a")])
    assert "skipped (run with --long): regime-b's 16/32-seed stage" in capsys.readouterr().err
    assert "regime-b's 16/32-seed stage" in (tmp_path / "a" / "report.md").read_text()
    assert {c[3] for c in calls} == {tuple(range(8))} and res["erider-vs-agad"]["verdict"] == "inconclusive"
    res, calls = _staged_run(monkeypatch, wiggle, main_args=["--long", "--out", str(tmp_path / "b")])
    assert "skipped" not in capsys.readouterr().err
    assert tuple(range(24, 32)) in {c[3] for c in calls} and res["erider-vs-agad"]["verdict"] == "holds"
    from verification.claims import regime_b as R

    with pytest.raises(TypeError, match="seed_stage"):
        R.run(False, 0, options={"seed_stage": "no"})
    with pytest.raises(ValueError, match="scale"):
        R.run(False, 0, options={"scale": "paper"})
