"""The committed results stay true: README summary and docs/RESULTS.md against the committed run's data,
and the generator that writes them (parts, metadata header, files of earlier releases)."""

import json
import textwrap
import types
import uuid

import pytest

from sptheory import stats
from verification import report
from verification.harness import DEFAULT_PART, ClaimResult, LoadedClaim, run_claim

ROOT = report.ROOT
RUN_JSON = ROOT / report.RUN_JSON
RESULTS_MD = ROOT / report.RESULTS_MD
README = ROOT / "README.md"


# ---------------------------------------------------------------------------
# the committed run


def test_committed_run_is_readable_and_names_its_run():
    results, meta = report.load_run(RUN_JSON)
    assert results, "the committed run holds no results"
    for key in ("started", "seconds", "commit", "machine", "command"):
        assert meta.get(key), f"the committed run's meta lacks {key!r}"
    assert all(r.part for r in results)


def test_readme_summary_is_what_the_committed_run_gives():
    results, meta = report.load_run(RUN_JSON)
    expected = report.readme_summary(results, meta)
    block = report.readme_block(README.read_text())
    assert block == expected, "README's summary differs from docs/run/verification.json: run `make results`"
    # the summary says which run it is: quick or full, commit, date
    assert report.run_kind(meta) in block
    assert meta["commit"][:12] in block and meta["started"] in block


def test_results_document_is_what_the_committed_run_gives():
    results, meta = report.load_run(RUN_JSON)
    previous = report._previous_for(meta, report.PREVIOUS)
    expected = report.render_results(results, meta, RUN_JSON, RESULTS_MD, previous)
    assert RESULTS_MD.read_text() == expected, "docs/RESULTS.md differs from docs/run/verification.json: run `make results`"


def test_regeneration_command_finds_nothing_to_change():
    code = report.main(["--check", "--json", str(RUN_JSON), "--markdown", str(RESULTS_MD), "--readme", str(README)])
    assert code == 0


# ---------------------------------------------------------------------------
# the generator on made-up results


def _result(rid, part=DEFAULT_PART, over=False, erratum=None):
    p = stats.Prediction("upper", "m <= 1")
    curve = stats.Curve(mean=[2.0 if over else 0.5], lo=[1.5 if over else 0.4], hi=[2.5 if over else 0.6], bound=[1.0])
    return ClaimResult(id=rid, claim=f"claim {rid}", source="Thm 9.9", setting="", measured="m", bound="1",
                       prediction=p, judgement=stats.judge(p, curve), part=part, erratum=erratum)


META = {"quick": False, "seed": 3, "only": None, "workers": 2, "executor": "process", "scale": "digits",
        "started": "2030-01-02T03:04:05+00:00", "finished": "2030-01-02T03:24:05+00:00", "seconds": 1200.0,
        "python": "3.11.7", "numpy": "2.4.6", "platform": "Linux-x", "version": "0.1.0",
        "commit": "0123456789abcdef0123456789abcdef01234567", "dirty": False,
        "machine": "Some CPU, 2 CPUs", "command": "python -m verification --out results"}


def test_counts_and_scoreboard_are_grouped_by_part():
    rs = [_result("a"), _result("n1", "network", over=True), _result("p1", "prior theory"), _result("b", over=True)]
    assert report.parts(rs) == ["paper", "network", "prior theory"]
    counts = report.part_counts(rs)
    assert counts["paper"] == {"holds": 1, "violated": 1, "inconclusive": 0, "crashed": 0}
    assert counts["network"]["violated"] == 1 and counts["prior theory"]["holds"] == 1
    text = report.render_report(rs, META)
    heads = [report.part_title(p) for p in ("paper", "network", "prior theory")]
    pos = [text.index(f"### {h}") for h in heads]
    assert pos == sorted(pos)
    # "b" came last in the run but is listed with its part, before the network part
    paper_block = text[pos[0]:pos[1]]
    assert "\nb " in paper_block and "\na " in paper_block and "n1" not in paper_block
    assert "| the paper's theory (Secs. 2-3, appendices) | 2 | 1 | 1 | 0 | 0 |" in text
    assert "| all | 4 | 2 | 2 | 0 | 0 |" in text
    summary = report.readme_summary(rs, META)
    assert "| prior theory the paper rests on | 1 | 1 | 0 | 0 | 0 |" in summary
    # every violated result is a finding, with its claim id and decisive number
    for rid in ("b", "n1"):
        assert f"[`{rid}`](docs/RESULTS.md#{rid})" in summary
    assert "[`a`]" not in summary  # holds and not a highlight


def test_metadata_header_and_runs_of_earlier_releases():
    lines = "\n".join(report.run_header(META))
    for text in ("full run", META["commit"], META["started"], META["finished"], "20.0 min (1200 s)",
                 "Some CPU, 2 CPUs", "`python -m verification --out results`"):
        assert text in lines
    old = {k: META[k] for k in ("quick", "seed", "started", "seconds", "python", "numpy", "platform", "version")}
    lines = "\n".join(report.run_header(old))
    assert "commit: not recorded" in lines and "command: not recorded" in lines and "finished not recorded" in lines
    quick = report.run_line({**old, "quick": True, "only": ["x"]})
    assert "**quick run of a subset**" in quick and "commit not recorded" in quick
    assert "(with uncommitted changes)" in report.run_line({**META, "dirty": True})


def test_missing_part_reads_as_paper_and_round_trip(tmp_path):
    r = _result("x", "network", erratum={"paper": "a", "corrected": "b", "settled_by": "c"})
    d = r.to_dict()
    again = ClaimResult.from_dict(d)
    assert again.to_dict() == d and again.part == "network"
    old = dict(d)
    del old["part"]
    old["a_field_of_a_later_release"] = 1
    path = tmp_path / "verification.json"
    path.write_text(json.dumps({"claims": [old], "meta": {"quick": True, "seed": 0}}))
    (res,), meta = report.load_run(path)
    assert res.part == "paper" and res.verdict == r.verdict and res.judgement == r.judgement
    assert res.erratum == r.erratum and res.prediction == r.prediction
    with pytest.raises(ValueError, match="lacks"):
        ClaimResult.from_dict({"id": "y"})
    with pytest.raises(ValueError, match="part"):
        _result("z", part="")


def test_generator_writes_document_and_summary_and_checks(tmp_path):
    rs = [_result("a"), _result("n1", "network", over=True)]
    data = tmp_path / "docs" / "run" / "verification.json"
    data.parent.mkdir(parents=True)
    report.write_json(rs, {**META, "quick": True}, data)
    (data.parent / "figures").mkdir()
    (data.parent / "figures" / "a.png").write_bytes(b"png")
    rs[0].figure, rs[1].figure = "figures/a.png", "figures/n1.png"
    report.write_json(rs, {**META, "quick": True}, data)
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{report.SUMMARY_START}\nstale 99 holds\n{report.SUMMARY_END}\nlinks\n")
    md = tmp_path / "docs" / "RESULTS.md"
    args = ["--json", str(data), "--markdown", str(md), "--readme", str(readme)]
    assert report.main(["--check", *args]) == 1 and not md.exists()
    assert report.main(args) == 0
    assert report.main(["--check", *args]) == 0
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("links\n") and "stale 99" not in text
    assert "**quick run**" in text
    doc = md.read_text()
    assert doc.startswith("# sptheory results") and "[run/verification.json](run/verification.json)" in doc
    assert "**This is a quick run**" in doc and META["commit"] in doc
    assert "![a](run/figures/a.png)" in doc and "![n1]" not in doc  # only figures that exist are linked
    with pytest.raises(ValueError, match="markers"):
        report.splice_summary("no markers here", "x")


# ---------------------------------------------------------------------------
# the runner: part from the module's PART, the run's metadata


def _module(part=None, result_part=None):
    def run(quick, rng_seed, executor):
        kw = {} if result_part is None else {"part": result_part}
        p = stats.Prediction("upper", "m <= 1")
        return ClaimResult(id="m", claim="c", source="s", setting="", measured="", bound="", prediction=p,
                           judgement=stats.judge(p, stats.Curve([0.5], [0.4], [0.6], [1.0])), **kw)

    mod = types.SimpleNamespace(ID="m", TITLE="t", run=run, plot=lambda r, path: None)
    if part is not None:
        mod.PART = part
    return mod


def test_runner_takes_the_part_from_the_module(tmp_path):
    (r,) = run_claim(LoadedClaim("x.m", "m", "t", _module()), True, 0, tmp_path)
    assert r.part == "paper"
    (r,) = run_claim(LoadedClaim("x.m", "m", "t", _module("prior theory")), True, 0, tmp_path)
    assert r.part == "prior theory"
    (r,) = run_claim(LoadedClaim("x.m", "m", "t", _module("prior theory", result_part="network")), True, 0, tmp_path)
    assert r.part == "network"  # a result that names its own part keeps it
    (r,) = run_claim(LoadedClaim("x.m", "m", "t", _module(part=3)), True, 0, tmp_path)
    assert r.verdict == "crashed" and "PART" in r.traceback


def test_network_claims_are_in_the_network_part():
    import importlib

    for name in ("table_sp_offsets", "ttv2_offset", "agad_offset", "fig2_zs_budget", "fig4_pulses", "fig5_chopper"):
        assert importlib.import_module(f"verification.claims.{name}").PART == "network"


def test_runner_records_commit_machine_command(tmp_path, monkeypatch):
    import verification
    from verification.__main__ import main

    pkg = "fakeparts_" + uuid.uuid4().hex[:8]
    d = tmp_path / "mods" / pkg
    d.mkdir(parents=True)
    (d / "__init__.py").write_text("")
    (d / "prior.py").write_text(textwrap.dedent('''
        ID = "fake-prior"
        TITLE = "a prior result"
        PART = "prior theory"
        from verification.harness import ClaimResult
        from sptheory import stats

        def run(quick, rng_seed, executor):
            p = stats.Prediction("upper", "m <= 1")
            return ClaimResult(id=ID, claim=TITLE, source="s", setting="", measured="", bound="", prediction=p,
                               judgement=stats.judge(p, stats.Curve([0.5], [0.4], [0.6], [1.0])))

        def plot(result, path):
            pass
    '''))
    monkeypatch.syspath_prepend(str(tmp_path / "mods"))
    monkeypatch.setattr(verification, "CLAIM_MODULES", [f"{pkg}.prior"])
    out = tmp_path / "out"
    assert main(["--out", str(out), "--no-progress", "--quick"]) == 0
    doc = json.loads((out / "verification.json").read_text())
    meta = doc["meta"]
    assert meta["command"] == f"python -m verification --out {out} --no-progress --quick"
    assert meta["machine"] and meta["finished"] >= meta["started"]
    assert "commit" in meta and "dirty" in meta  # None outside a git checkout
    assert doc["claims"][0]["part"] == "prior theory"
    assert "### prior theory the paper rests on" in (out / "report.md").read_text()
