"""Smoke test of ``python -m benchmarks --quick``: it runs and writes the expected JSON fields.

No timing assertions: benchmarks measure, they are not timed tests.  The
benchmarks' own correctness checks (sptheory vs the reference loop and the
closed forms) must pass, which is what the exit status 0 says.
"""

import json
import sys
from pathlib import Path

import pytest

# benchmarks/ is run from the repository root (``python -m benchmarks``) and is not an
# installed package; make it importable under a bare ``pytest`` too.
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from benchmarks import BENCHMARKS  # noqa: E402
from benchmarks.__main__ import main  # noqa: E402

pytestmark = pytest.mark.slow

ROW_FIELDS = {"times_s", "first_s", "best_s", "median_s", "cold_s", "tracemalloc_peak_bytes", "maxrss_delta_bytes",
              "peak_rss_over_start_bytes"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    rc = main(["--quick", "--out", str(out)])
    return rc, {name: json.loads((out / f"{name}.json").read_text()) for name in BENCHMARKS}


def test_quick_run_passes_its_correctness_checks(quick_run):
    rc, payloads = quick_run
    assert rc == 0
    for p in payloads.values():
        assert p["checks"] and all(c["passed"] for c in p["checks"]), p["checks"]


def test_common_fields(quick_run):
    _, payloads = quick_run
    for name, p in payloads.items():
        assert p["benchmark"] == name
        assert p["quick"] is True and p["acceptance_applies"] is False
        if name not in ("mlp", "rider_lean", "network"):  # own sizes: the 64-32-10 network; one cell; networks
            assert p["side"] == 128 and p["cells"] == 128 * 128
        assert {"cpu_count", "numpy", "python", "blas_threads", "env"} <= set(p["machine"])
        assert p["wall_s"] > 0
        for a in p["acceptance"]:
            assert {"what", "value", "threshold", "passed"} <= set(a)


def test_zero_shift_fields(quick_run):
    _, payloads = quick_run
    p = payloads["zero_shift"]
    combos = {(r["impl"], r["schedule"], r["track_g2"]) for r in p["results"]}
    assert combos == {(i, s, g) for s, impls in (("cyclic", ("sptheory-pulse", "reference")),
                                                 ("stochastic", ("sptheory", "sptheory-pulse", "reference")))
                      for i in impls for g in (False, True)}
    for r in p["results"]:
        assert ROW_FIELDS | {"cell_pulses_per_s_best", "cell_pulses_per_s_median", "n_pulses"} <= set(r)
        assert len(r["times_s"]) == p["repeats"]
        assert r["cell_pulses_per_s_best"] > 0 and r["tracemalloc_peak_bytes"] > 0
    assert len(p["ratios"]) == 6 and all(q["ratio_best"] > 0 for q in p["ratios"])
    assert p["aihwkit_reference"]["measured"] is False
    assert p["aihwkit_reference"]["value_cell_pulses_per_s"] == {"cyclic": 7.8e7, "stochastic": 7.5e7}
    assert len(p["acceptance"]) == 4
    assert {(r["cells"], r["n_pulses"]) for r in p["closed_form"]} == {
        (c, n) for c in (128 * 128, 4) for n in (10**3, 10**6, 10**9, 10**12)}


def test_zero_shift_moments_fields(quick_run):
    _, payloads = quick_run
    p = payloads["zero_shift_moments"]
    assert p["n_moments"] == 8_192_000
    assert len(p["grid"]) == 16 and p["grid"][0] == 200 and p["grid"][-1] == 8_192_000
    assert {(r["schedule"], r["n_checkpoints"]) for r in p["results"]} == {
        (s, n) for s in ("cyclic", "stochastic") for n in (1, 16)}
    for r in p["results"]:
        assert ROW_FIELDS | {"first_call_s"} <= set(r)
    assert sum(not a.get("informational") for a in p["acceptance"]) == 2


def test_only_and_no_memory(tmp_path):
    assert main(["--quick", "--only", "zero_shift_moments", "--no-memory", "--out", str(tmp_path)]) == 0
    assert [f.name for f in tmp_path.iterdir()] == ["zero_shift_moments.json"]
    p = json.loads((tmp_path / "zero_shift_moments.json").read_text())
    assert all(r["tracemalloc_peak_bytes"] is None for r in p["results"])
