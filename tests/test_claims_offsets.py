"""The offset-grid claims (table-sp-offsets, ttv2-offset, agad-offset) and the table1 figure on tiny sizes."""

import dataclasses

import numpy as np
import pytest

from sptheory import stats
from sptheory.experiments import network, offsets
from verification.harness import ClaimResult

TINY = {k: dataclasses.replace(network.CONVERGED[k], epochs=3, sizes=(64, 4, 10)) for k in ("A", "B")}


@pytest.fixture
def tiny(monkeypatch):
    from verification.claims import _offsets_common as C

    monkeypatch.setattr(C, "BASES", TINY)
    monkeypatch.setattr(offsets, "SEEDS", {(k, m): (0, 1) for k in ("A", "B") for m in ("quick", "full")})
    # the compared methods and the references the claims read (the other references only add time)
    monkeypatch.setattr(offsets, "TABLE_ALGORITHMS", offsets.COMPARED + ("digital SGD",))
    # the Table 5 centres stand in for the stored search (the tests must not depend on its outcome)
    fake = {k: network.table5(k) for k in ("A", "B")}
    monkeypatch.setattr(network, "CONVERGED_BEST", fake)  # the package name
    monkeypatch.setattr(network.stored, "CONVERGED_BEST", fake)  # the name its readers use
    saved = [dict(c) for c in (C._RUNS, C._HPS)]
    for c in (C._RUNS, C._HPS):
        c.clear()
    yield C
    for c, s in zip((C._RUNS, C._HPS), saved):
        c.clear()
        c.update(s)


def test_claims_carry_predictions_judgements_and_checks(tiny):
    from verification.claims import agad_offset, table_sp_offsets, ttv2_offset

    out = table_sp_offsets.run(quick=True, rng_seed=0)
    assert [r.id for r in out] == ([f"table-sp-offsets/{k}" for k in table_sp_offsets.PREDICTIONS]
                                   + [f"table-sp-offsets/B/{k}" for k in table_sp_offsets.PREDICTIONS])
    more = ttv2_offset.run(True, 0) + agad_offset.run(True, 0)
    assert [r.id for r in more] == ["ttv2-offset", "ttv2-offset/B", "agad-offset", "agad-offset/B"]
    for r in out + more:
        assert isinstance(r, ClaimResult)
        assert r.prediction is not None and r.prediction.kind == "comparison"
        assert isinstance(r.judgement, stats.Judgement)
        assert r.hypotheses and r.checks
        assert any(c.name.startswith("trained") for c in r.checks)
        # a failed measurement check can only give "inconclusive"
        if not all(c.met for c in r.checks):
            assert r.verdict == "inconclusive"
    # one run per (cell, algorithm, seed) and setting: the three claims share them
    assert set(tiny._RUNS) == {("quick", k, "digits", n) for k in ("A", "B") for n in offsets.TABLE_ALGORITHMS}
    run = tiny._RUNS[("quick", "A", "digits", "AGAD")]
    assert run.test.shape == (3, 3, 2) and np.all((run.test >= 0) & (run.test <= 1))
    assert run.curve.shape == (3, 3, 2, 4) and np.array_equal(run.epochs, np.arange(4))
    # the learning curve's last point is the final validation accuracy
    np.testing.assert_array_equal(run.curve[..., -1], run.val)


def test_judge_cells_combines_every_cell():
    from verification.claims import _offsets_common as C

    pred = stats.Prediction("comparison", "a > b")
    ok = dict(mean=np.full((3, 3), 2.0), lo=np.full((3, 3), 1.0), hi=np.full((3, 3), 3.0))
    assert C.judge_cells(pred, [ok]).verdict == "holds"
    one_below = {k: v.copy() for k, v in ok.items()}
    one_below["lo"][1, 2], one_below["mean"][1, 2], one_below["hi"][1, 2] = -3.0, -2.0, -1.0
    assert C.judge_cells(pred, [ok, one_below]).verdict == "violated"
    straddle = {k: v.copy() for k, v in ok.items()}
    straddle["lo"][0, 0] = -1.0
    j = C.judge_cells(pred, [straddle])
    assert j.verdict == "inconclusive" and "-1" in j.decisive


def test_table1_figure_writes_png_and_json(tmp_path, monkeypatch):
    import json

    import matplotlib

    matplotlib.use("Agg")
    from paper_figs import table1

    fake = {k: network.table5(k) for k in ("A", "B")}
    monkeypatch.setattr(network, "CONVERGED_BEST", fake)  # the package name
    monkeypatch.setattr(network.stored, "CONVERGED_BEST", fake)  # the name its readers use
    paths = table1.make(tmp_path, quick=True, names=("TT-v2", "AGAD", offsets.CLAIM_ERIDER), seeds=(0, 1),
                        base=TINY["A"])
    assert paths["png"].stat().st_size > 10_000
    data = json.loads(paths["json"].read_text())
    assert set(data["differences"]) == {f"{offsets.CLAIM_ERIDER} - AGAD", "AGAD - TT-v2"}
    assert np.shape(data["means"]["AGAD"]) == (3, 3)
    assert np.shape(data["curves"]["AGAD"]) == (4,)


def test_per_seed_jobs_give_each_seed_its_own_single_seed_run():
    """``per_seed`` (the paper-scale path) runs every seed as its own simulation: seed s's column equals a
    one-seed grid run of s."""
    base = dataclasses.replace(network.CONVERGED["A"], epochs=2, sizes=(64, 4, 10))
    hps = {n: network.table5("A")[n] for n in ("TT-v2", "digital SGD")}
    kw = dict(ref_means=(0.0, 0.4), ref_stds=(0.3,), base=base)
    both = offsets.grid_runs(tuple(hps), hps, (3, 5), per_seed=True, **kw)
    one = offsets.grid_runs(tuple(hps), hps, (5,), **kw)
    for n in hps:
        assert both[n].curve.shape == (1, 2, 2, 3)
        np.testing.assert_array_equal(both[n].test[..., 1], one[n].test[..., 0])
        np.testing.assert_array_equal(both[n].curve[..., 1, :], one[n].curve[..., 0, :])
