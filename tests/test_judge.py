"""The one verdict mapping (stats.judge): each kind's rule, hypotheses, asymptotic regime, report lines."""

import numpy as np
import pytest

from sptheory import stats
from sptheory.stats import Curve, Difference, Hypothesis, MaxError, Prediction, Slope, judge


def _fit(slope, lo, hi):
    return stats.SlopeFit(slope=slope, intercept=0.0, lo=lo, hi=hi, n=6, r2=1.0)


MET = Hypothesis("Def. 2.1", "q_min > 0", "0.68", True)
UNMET = Hypothesis("Assumption 3.6", "C_star > 0", "1e-16", False)


def test_upper_bound_rule():
    p = Prediction("upper", "W <= B")
    b = np.array([1.0, 1.0, 1.0])
    assert judge(p, Curve(mean=[0.5, 0.6, 0.7], lo=[0.4, 0.5, 0.6], hi=[0.6, 0.7, 0.8], bound=b)).verdict == "holds"
    assert judge(p, Curve(mean=[0.5, 1.2, 0.7], lo=[0.4, 1.1, 0.6], hi=[0.6, 1.3, 0.8], bound=b)).verdict == "violated"
    j = judge(p, Curve(mean=[0.5, 1.0, 0.7], lo=[0.4, 0.9, 0.6], hi=[0.6, 1.1, 0.8], bound=b))
    assert j.verdict == "inconclusive"
    assert j.tightness == "worst measured/bound 1"


def test_order_upper_is_one_sided_and_reports_tightness_apart():
    floor = Prediction("order-upper", "floor = O(dw_min)", exponent=1.0, towards="0")
    # shrinks faster than dw_min: holds, not tight
    j = judge(floor, Slope(_fit(1.5, 1.3, 1.7), asymptotic=True))
    assert (j.verdict, j.tightness.startswith("not tight")) == ("holds", True)
    # attains the order: holds, tight
    assert judge(floor, Slope(_fit(1.0, 0.9, 1.1), asymptotic=True)).tightness == "tight"
    # shrinks slower: violated
    assert judge(floor, Slope(_fit(0.5, 0.4, 0.6), asymptotic=True)).verdict == "violated"
    rate = Prediction("order-upper", "E_K = O(K^-1/2)", exponent=-0.5, towards="inf")
    assert judge(rate, Slope(_fit(-0.2, -0.3, -0.1), asymptotic=True)).verdict == "violated"
    assert judge(rate, Slope(_fit(-0.9, -1.0, -0.8), asymptotic=True)).verdict == "holds"
    # not asymptotic: inconclusive whatever the slope
    j = judge(rate, Slope(_fit(-0.2, -0.3, -0.1), asymptotic=False, regime="K beta mu = 0.9"))
    assert j.verdict == "inconclusive" and "pre-asymptotic" in j.reason


def test_scaling_and_independent():
    s = Prediction("scaling", "N ~ 1/dw_min", exponent=-1.0, tol=0.05)
    assert judge(s, Slope(_fit(-1.0, -1.01, -0.99), True)).verdict == "holds"
    assert judge(s, Slope(_fit(-1.04, -1.06, -1.02), True)).verdict == "holds"  # within tol
    assert judge(s, Slope(_fit(-0.8, -0.85, -0.75), True)).verdict == "violated"
    ind = Prediction("independent", "cost independent of dw_min", tol=0.1, towards="0")
    # cost slightly FALLS as dw_min shrinks (positive slope in dw_min): not growth
    assert judge(ind, Slope(_fit(0.07, 0.002, 0.14), True)).verdict == "holds"
    assert judge(ind, Slope(_fit(-0.96, -1.0, -0.9), True)).verdict == "violated"
    assert judge(ind, Slope(_fit(-0.1, -0.2, 0.0), True)).verdict == "inconclusive"


def test_identity_and_comparison():
    i = Prediction("identity", "Lemma 3.5", tol=1e-12)
    assert judge(i, MaxError(1e-15)).verdict == "holds"
    assert judge(i, MaxError(1e-9)).verdict == "violated"
    c = Prediction("comparison", "A beats B")
    assert judge(c, Difference(0.02, 0.01, 0.03)).verdict == "holds"
    assert judge(c, Difference(-0.02, -0.03, -0.01)).verdict == "violated"
    assert judge(c, Difference(0.0, -0.01, 0.01)).verdict == "inconclusive"


def test_violated_needs_every_hypothesis():
    p = Prediction("upper", "B")
    bad = Curve(mean=[2.0], lo=[1.5], hi=[2.5], bound=[1.0])
    assert judge(p, bad, [MET]).verdict == "violated"
    j = judge(p, bad, [MET, UNMET])
    assert j.verdict == "inconclusive" and "outside the hypotheses: Assumption 3.6" in j.reason
    good = Curve(mean=[0.5], lo=[0.4], hi=[0.6], bound=[1.0])
    assert judge(p, good, [UNMET]).verdict == "holds"


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="kind"):
        Prediction("lower", "x")
    with pytest.raises(ValueError, match="exponent"):
        Prediction("scaling", "x")
    with pytest.raises(ValueError, match="towards"):
        Prediction("order-upper", "x", exponent=1.0)
    with pytest.raises(ValueError, match="tol"):
        Prediction("identity", "x")
    with pytest.raises(TypeError, match="Slope"):
        judge(Prediction("scaling", "x", exponent=1.0), MaxError(0.0))
    with pytest.raises(TypeError, match="met"):
        Hypothesis("a", "b", "c", "yes")


def test_combine_and_simultaneous_level():
    h = stats.Judgement("holds", "tight", "r1", "d1")
    v = stats.Judgement("violated", None, "r2", "d2")
    assert stats.combine([h, v]).verdict == "violated"
    assert stats.combine([h, h]).verdict == "holds"
    assert stats.simultaneous_level(0.95, 10) == pytest.approx(0.995)
    with pytest.raises(ValueError, match="m"):
        stats.simultaneous_level(0.95, 0)


def test_regime_check():
    x = np.logspace(2, 5, 8)
    ok, text = stats.regime_check(x, 3.0 * x**-0.5, y_err=0.01 * x**-0.5, rate=0.2)
    assert ok and "agree" in text
    ok, text = stats.regime_check(x, 3.0 * x**-0.5, y_err=0.01 * x**-0.5, rate=1e-3)
    assert not ok and "<" in text
    # a bent curve: slopes of the two halves differ
    y = np.where(x < 3e3, x**-0.1, (3e3) ** -0.1 * (x / 3e3) ** -1.0)
    ok, text = stats.regime_check(x, y, y_err=1e-3 * y)
    assert not ok and "differ" in text


def test_failed_measurement_check_makes_any_verdict_inconclusive():
    p = Prediction("upper", "B")
    good = Curve(mean=[0.5], lo=[0.4], hi=[0.6], bound=[1.0])
    bad = Curve(mean=[2.0], lo=[1.5], hi=[2.5], bound=[1.0])
    chk = Hypothesis("MC cross-check", "|z| <= 4", "z = 7", False)
    for m in (good, bad):
        j = judge(p, m, [MET], checks=[chk])
        assert j.verdict == "inconclusive" and "measurement check failed: MC cross-check" in j.reason
    assert judge(p, good, checks=[Hypothesis("MC", "|z| <= 4", "z = 1", True)]).verdict == "holds"
    u = stats.unmeasured("fewer than 3 points")
    assert u.verdict == "inconclusive" and "no measurement" in u.reason
