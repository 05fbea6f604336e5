"""Prior-theory claims (issue 21): they run, carry PART, and give the expected verdicts on quick sizes."""

import numpy as np
import pytest

from verification.claims import prior_asgd_floor, prior_gd_rate


def test_gd_rate_controls_hold_quick():
    res = prior_gd_rate.run(True, 5)
    assert prior_gd_rate.PART == "prior theory"
    assert [r.verdict for r in res] == ["holds", "holds"]
    assert all(h.met for r in res for h in r.hypotheses)


def test_intercept_ci_recovers_a_line():
    x = np.array([0.01, 0.02, 0.03, 0.04])
    b0, b1, lo, hi, _ = prior_asgd_floor.intercept_ci(x, 1.0 + 2.0 * x, np.full(4, 1e-3), 0.95)
    assert b0 == pytest.approx(1.0) and b1 == pytest.approx(2.0) and lo < 1.0 < hi


@pytest.mark.slow
def test_asgd_floor_quick_verdicts():
    res = {r.id.split("/")[1]: r for r in prior_asgd_floor.run(True, 7)}
    assert prior_asgd_floor.PART == "prior theory"
    assert res["w24-thm3-lower"].verdict == "violated" and res["w24-thm3-lower"].erratum
    assert res["w25-thm2-upper"].verdict == "holds"
    assert res["corrected"].verdict == "holds"
