"""Tests of the verification harness with fake claim modules written to a tmp dir."""

import json
import textwrap
import uuid

import pytest

import verification
from verification.__main__ import main
from verification.harness import ClaimResult, claim_seed

GOOD = '''
ID = "fake-good"
TITLE = "a fake bound that holds"

from verification.harness import ClaimResult

def run(quick, rng_seed, executor):
    import numpy as np
    from sptheory import stats
    g = np.random.Generator(np.random.PCG64(rng_seed))
    est = stats.mean_ci(g.uniform(size=200))
    return ClaimResult(
        id=ID, claim=TITLE, source="Thm 0.0, eq. (0)", setting=f"quick={quick}",
        measured=est.format(), bound="1", ratio=est.mean / 1.0, slope=None,
        prediction=stats.Prediction("upper", "mean <= 1"),
        judgement=stats.judge(stats.Prediction("upper", "mean <= 1"),
                              stats.Curve(est.mean, est.lo, est.hi, 1.0)), notes="uniform samples",
        data={"x": np.arange(3), "m": np.float64(est.mean), "bad": float("nan")},
    )

def plot(result, path):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    ax.plot(result.data["x"])
    fig.savefig(path)
'''

MULTI = '''
ID = "fake-multi"
TITLE = "two parts, one violated"

from verification.harness import ClaimResult

def run(quick, rng_seed, executor):
    from sptheory import stats
    p = stats.Prediction("upper", "m <= 1")
    base = dict(claim=TITLE, source="Lemma 1", setting="", measured="2 [1.9, 2.1]", bound="1", prediction=p)
    return [ClaimResult(id="fake-multi/a", ratio=2.0, judgement=stats.judge(p, stats.Curve(2.0, 1.9, 2.1, 1.0)), **base),
            ClaimResult(id="fake-multi/b", slope="-1.0 [-2, 0]",
                        judgement=stats.judge(p, stats.Curve(1.0, 0.9, 1.1, 1.0)), **base)]

def plot(result, path):
    raise RuntimeError("no figure for " + result.id)
'''

CRASH = '''
ID = "fake-crash"
TITLE = "a claim whose run raises"

def run(quick, rng_seed, executor):
    raise ZeroDivisionError("boom in run")

def plot(result, path):
    pass
'''

BROKEN = '''
import a_module_that_does_not_exist_xyz
ID = "fake-broken"
'''


@pytest.fixture
def fake_claims(tmp_path, monkeypatch):
    pkg = "fakeclaims_" + uuid.uuid4().hex[:8]
    d = tmp_path / "mods" / pkg
    d.mkdir(parents=True)
    (d / "__init__.py").write_text("")
    for name, src in [("good", GOOD), ("multi", MULTI), ("crash", CRASH), ("broken_mod", BROKEN)]:
        (d / f"{name}.py").write_text(textwrap.dedent(src))
    monkeypatch.syspath_prepend(str(tmp_path / "mods"))

    def register(*names):
        monkeypatch.setattr(verification, "CLAIM_MODULES", [f"{pkg}.{n}" for n in names])

    return register


def run_cli(tmp_path, *args):
    out = tmp_path / "out"
    code = main(["--out", str(out), "--no-progress", *args])
    return code, out


def test_good_claim_writes_json_report_and_figure(tmp_path, fake_claims):
    fake_claims("good")
    code, out = run_cli(tmp_path, "--quick", "--seed", "7")
    assert code == 0
    doc = json.loads((out / "verification.json").read_text())
    assert set(doc) == {"claims", "meta"}
    (c,) = doc["claims"]
    assert c["id"] == "fake-good" and c["verdict"] == "holds"
    assert c["seed"] == claim_seed(7, "fake-good")
    assert c["data"] == {"x": [0, 1, 2], "m": pytest.approx(c["ratio"]), "bad": None}
    assert c["figure"] == "figures/fake-good.png" and (out / c["figure"]).is_file()
    assert c["setting"] == "quick=True" and c["seconds"] > 0
    meta = doc["meta"]
    for key in ("quick", "seed", "started", "seconds", "python", "numpy", "platform", "version"):
        assert key in meta
    assert meta["quick"] is True and meta["seed"] == 7
    report = (out / "report.md").read_text()
    assert "| fake-good" in report or "[fake-good]" in report
    assert "![fake-good](figures/fake-good.png)" in report
    assert "uniform samples" in report


def test_same_seed_same_result(tmp_path, fake_claims):
    fake_claims("good")
    _, out = run_cli(tmp_path, "--seed", "3")
    a = json.loads((out / "verification.json").read_text())["claims"][0]["measured"]
    _, out = run_cli(tmp_path, "--seed", "3")
    b = json.loads((out / "verification.json").read_text())["claims"][0]["measured"]
    assert a == b


def test_crashes_are_recorded_and_exit_1(tmp_path, fake_claims, capsys):
    fake_claims("good", "crash", "broken_mod", "multi")
    code, out = run_cli(tmp_path, "--quick")
    assert code == 1
    claims = json.loads((out / "verification.json").read_text())["claims"]
    by_id = {c["id"]: c for c in claims}
    assert list(by_id) == ["fake-good", "fake-crash", "broken-mod", "fake-multi/a", "fake-multi/b"]
    assert by_id["fake-good"]["verdict"] == "holds"
    assert by_id["fake-crash"]["verdict"] == "crashed"
    assert "ZeroDivisionError: boom in run" in by_id["fake-crash"]["traceback"]
    assert by_id["broken-mod"]["verdict"] == "crashed"
    assert "a_module_that_does_not_exist_xyz" in by_id["broken-mod"]["traceback"]
    # a plot failure keeps the verdict but is recorded
    assert by_id["fake-multi/a"]["verdict"] == "violated"
    assert by_id["fake-multi/a"]["figure"] is None
    assert "no figure for fake-multi/a" in by_id["fake-multi/a"]["traceback"]
    report = (out / "report.md").read_text()
    assert "**CRASHED**" in report and "**VIOLATED**" in report


def test_violated_without_crash_exits_0(tmp_path, fake_claims, monkeypatch):
    fake_claims("good")
    code, _ = run_cli(tmp_path)
    assert code == 0


def test_only_selects_and_unknown_id_exits_2(tmp_path, fake_claims, capsys):
    fake_claims("good", "crash")
    code, out = run_cli(tmp_path, "--only", "fake-good")
    assert code == 0
    claims = json.loads((out / "verification.json").read_text())["claims"]
    assert [c["id"] for c in claims] == ["fake-good"]

    code, _ = run_cli(tmp_path, "--only", "nope")
    assert code == 2
    err = capsys.readouterr().err
    assert "nope" in err and "fake-good" in err and "fake-crash" in err


def test_list(tmp_path, fake_claims, capsys):
    fake_claims("good", "broken_mod")
    assert main(["--list"]) == 0
    text = capsys.readouterr().out
    assert "fake-good" in text and "broken-mod" in text and "import failed" in text


def test_empty_registry(tmp_path, monkeypatch):
    monkeypatch.setattr(verification, "CLAIM_MODULES", [])
    code, out = run_cli(tmp_path)
    assert code == 0
    assert json.loads((out / "verification.json").read_text())["claims"] == []
    assert (out / "report.md").is_file()


def test_claim_result_validation():
    with pytest.raises(ValueError, match="verdict"):
        ClaimResult(id="x", claim="c", source="s", setting="", measured="", bound="", verdict="ok")
    # no claim hands in its own verdict: only the runner's "crashed" goes without a judgement
    for v in ("holds", "violated", "inconclusive", None):
        with pytest.raises(ValueError, match="stats.judge"):
            ClaimResult(id="x", claim="c", source="s", setting="", measured="", bound="", verdict=v)


def _judged(rid, verdict_curve, erratum=None, hyps=()):
    from sptheory import stats

    p = stats.Prediction("upper", "m <= 1")
    j = stats.judge(p, verdict_curve, hyps)
    return ClaimResult(id=rid, claim="c", source="s", setting="", measured="", bound="",
                       prediction=p, judgement=j, hypotheses=list(hyps), erratum=erratum)


def test_verdict_comes_from_judgement_and_report_has_scoreboard(tmp_path):
    from sptheory import stats
    from verification.report import changed_verdicts, scoreboard_line, write_report

    over = stats.Curve(mean=[2.0], lo=[1.5], hi=[2.5], bound=[1.0])
    under = stats.Curve(mean=[0.5], lo=[0.4], hi=[0.6], bound=[1.0])
    h = stats.Hypothesis("C_star condition", ">= 42", "0.23", False)
    a = _judged("a-very-long-claim-identifier-that-goes-on-and-on/sub", over)
    b = _judged("b", over, hyps=[h])
    c = _judged("c", under, erratum={"paper": "N <=", "corrected": "N >=", "settled_by": "sympy"})
    assert (a.verdict, b.verdict, c.verdict) == ("violated", "inconclusive", "holds")
    with pytest.raises(ValueError, match="disagrees"):
        ClaimResult(id="x", claim="c", source="s", setting="", measured="", bound="",
                    verdict="holds", judgement=a.judgement)
    for r in (a, b, c):
        assert len(scoreboard_line(r)) <= 100
    prev = {"rules": "old", "verdicts": {"a-very-long-claim-identifier-that-goes-on-and-on/sub": "violated",
                                         "b": "violated", "gone": "holds"}}
    rows = changed_verdicts([a, b, c], prev)
    assert ("b", "violated", "inconclusive") in rows and ("gone", "holds", "(absent)") in rows
    assert ("c", "(absent)", "holds") in rows and len(rows) == 3
    path = tmp_path / "report.md"
    write_report([a, b, c], {"quick": False}, path, previous=prev)
    text = path.read_text()
    assert "## Scoreboard" in text and "## Errata" in text and "## Verdicts changed" in text
    assert "| C_star condition | >= 42 | 0.23 | **no** |" in text
    doc = c.to_dict()
    assert doc["prediction"]["kind"] == "upper" and "rule" in doc["prediction"]
