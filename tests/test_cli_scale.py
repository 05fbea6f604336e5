"""The paper-scale mode of the command line (``python -m verification --scale paper --mnist DIR``): argument
checks, and that the options reach the claims that take them (and only those)."""

import pytest

from verification import __main__ as cli
from verification.harness import load_claims, run_claim


def test_scale_paper_needs_an_existing_mnist_folder_and_only_the_offset_claims(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["--scale", "paper", "--out", str(tmp_path)])
    assert e.value.code == 2 and "--mnist" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["--scale", "paper", "--mnist", str(tmp_path / "absent"), "--out", str(tmp_path)])
    assert "--mnist must be a folder" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["--scale", "paper", "--mnist", str(tmp_path), "--only", "zs-avg", "--out", str(tmp_path)])
    assert "runs only" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        cli.main(["--mnist", str(tmp_path), "--out", str(tmp_path)])
    assert "--scale paper only" in capsys.readouterr().err


def test_options_reach_only_claims_that_take_them(tmp_path):
    claims = {c.id: c for c in load_claims()}
    # a claim without an ``options`` argument refuses them (a crashed result naming the claim), never ignores them
    out = run_claim(claims["lemma3.5"], True, 0, tmp_path, options={"scale": "paper", "mnist": str(tmp_path)})
    assert out[0].verdict == "crashed" and "takes no options" in out[0].traceback
    for cid in cli.PAPER_SCALE_CLAIMS:
        import inspect

        assert "options" in inspect.signature(claims[cid].module.run).parameters
