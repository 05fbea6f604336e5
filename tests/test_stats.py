"""Tests of sptheory.stats: intervals, slope fits, verdict rules."""

import numpy as np
import pytest

from sptheory import stats


def rng(seed):
    return np.random.Generator(np.random.PCG64(seed))


# --- mean_ci ---------------------------------------------------------------

def test_mean_ci_known_values():
    est = stats.mean_ci([1.0, 2.0, 3.0, 4.0])
    assert est.mean == pytest.approx(2.5)
    assert est.sem == pytest.approx(np.std([1, 2, 3, 4], ddof=1) / 2)
    assert est.n == 4
    # t_{0.975, 3} = 3.182446...
    assert est.hi - est.mean == pytest.approx(3.182446305 * est.sem, rel=1e-8)
    assert est.lo < est.mean < est.hi


def test_mean_ci_axis_and_shapes():
    x = rng(1).normal(size=(50, 7))
    est = stats.mean_ci(x, axis=0)
    assert est.mean.shape == (7,) and est.lo.shape == (7,) and est.n == 50
    est1 = stats.mean_ci(x, axis=1)
    assert est1.mean.shape == (50,) and est1.n == 7


def test_mean_ci_coverage():
    # 2000 intervals at level 0.9 from n=10 normal samples: coverage ~ Binomial(2000, 0.9),
    # sd 0.0067; the band [0.87, 0.93] is 4.5 sd wide on each side (false failure < 1e-5).
    x = rng(2).normal(loc=3.0, scale=2.0, size=(10, 2000))
    est = stats.mean_ci(x, axis=0, level=0.9)
    cover = np.mean((est.lo <= 3.0) & (3.0 <= est.hi))
    assert 0.87 <= cover <= 0.93


@pytest.mark.parametrize("bad", [[1.0], [[1.0, 2.0]], [1.0, np.nan, 2.0]])
def test_mean_ci_bad_input(bad):
    with pytest.raises(ValueError, match="x"):
        stats.mean_ci(bad)


def test_mean_ci_bad_level():
    with pytest.raises(ValueError, match="level"):
        stats.mean_ci([1.0, 2.0], level=1.5)


# --- loglog_slope ----------------------------------------------------------

@pytest.mark.parametrize("slope", [-1.0, -0.5, 1.0, 2.0])
def test_slope_exact_power_law(slope):
    x = np.logspace(-3, 0, 8)
    y = 4.2 * x**slope
    fit = stats.loglog_slope(x, y)
    assert fit.slope == pytest.approx(slope, abs=1e-10)
    assert np.exp(fit.intercept) == pytest.approx(4.2, rel=1e-10)
    assert fit.lo <= slope <= fit.hi and fit.hi - fit.lo < 1e-8
    assert fit.r2 == pytest.approx(1.0) and fit.n == 8
    assert fit.lo <= slope <= fit.hi


def test_slope_exact_power_law_weighted():
    x = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    y = 3.0 * x**-0.5
    fit = stats.loglog_slope(x, y, y_err=0.01 * y)
    assert fit.weighted
    assert fit.slope == pytest.approx(-0.5, abs=1e-10)
    # stated errors alone give se = 0.01 / sqrt(Sxx): the conservative interval is not narrower
    sxx = np.sum((np.log(x) - np.log(x).mean()) ** 2)
    assert fit.se == pytest.approx(0.01 / np.sqrt(sxx))
    assert fit.lo < -0.5 < fit.hi


def test_slope_interval_coverage():
    # 400 noisy fits with true slope -1 at level 0.9: coverage sd 0.015, band +-0.075 (5 sd).
    g = rng(3)
    x = np.logspace(0, 3, 6)
    hits = 0
    for _ in range(400):
        y = 2.0 * x**-1.0 * np.exp(0.1 * g.normal(size=x.size))
        fit = stats.loglog_slope(x, y, level=0.9)
        hits += fit.lo <= -1.0 <= fit.hi
    assert 0.825 <= hits / 400 <= 0.975


def test_slope_weighted_downweights_noisy_point():
    x = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    y = x**-1.0
    y[-1] *= 3.0  # an outlier with a huge stated error
    err = 1e-3 * y
    err[-1] = 10 * y[-1]
    fit = stats.loglog_slope(x, y, y_err=err)
    assert fit.slope == pytest.approx(-1.0, abs=1e-3)


@pytest.mark.parametrize(
    "x, y, kw, name",
    [
        ([1, 2, 3], [1, 2], {}, "x and y"),
        ([1, 2], [1, 2], {}, "x"),
        ([1, -2, 3], [1, 2, 3], {}, "x"),
        ([1, 2, 3], [1, 0, 3], {}, "y"),
        ([1, 2, 3], [1, np.inf, 3], {}, "y"),
        ([2, 2, 2], [1, 2, 3], {}, "x"),
        ([1, 2, 3], [1, 2, 3], {"y_err": [1, 1]}, "y_err"),
        ([1, 2, 3], [1, 2, 3], {"y_err": [1, 0, 1]}, "y_err"),
    ],
)
def test_slope_bad_input(x, y, kw, name):
    with pytest.raises(ValueError, match=name):
        stats.loglog_slope(x, y, **kw)


# --- verdicts --------------------------------------------------------------

def E(lo, hi):
    return stats.Estimate(mean=0.5 * (lo + hi), sem=0.0, n=10, lo=lo, hi=hi)


def test_bound_verdict_curve():
    lo = np.array([0.1, 0.2, 0.3])
    hi = np.array([0.2, 0.4, 0.6])
    v, ratio = stats.bound_verdict_curve(lo, hi, np.array([1.0, 1.0, 0.5]))
    assert v == "inconclusive"
    assert ratio == pytest.approx(0.45 / 0.5)
    v, ratio = stats.bound_verdict_curve(lo, hi, 1.0, mean=[0.15, 0.3, 0.5])
    assert v == "holds" and ratio == pytest.approx(0.5)
    v, _ = stats.bound_verdict_curve(lo, hi, [1.0, 0.15, 1.0])
    assert v == "violated"
    _, ratio = stats.bound_verdict_curve(lo, hi, 0.0)
    assert ratio is None
    with pytest.raises(ValueError, match="lo"):
        stats.bound_verdict_curve([1.0], [0.5], 2.0)
    with pytest.raises(ValueError, match="kind"):
        stats.bound_verdict_curve([1.0], [2.0], 2.0, kind="both")


def test_combine_verdicts():
    assert stats.combine_verdicts(["holds", "holds"]) == "holds"
    assert stats.combine_verdicts(["holds", "inconclusive"]) == "inconclusive"
    assert stats.combine_verdicts(["inconclusive", "violated", "holds"]) == "violated"
    with pytest.raises(ValueError, match="verdicts"):
        stats.combine_verdicts([])
    with pytest.raises(ValueError, match="verdicts"):
        stats.combine_verdicts(["holds", "maybe"])


def test_clt_margin():
    # z_{1 - 1e-6/2} = 4.891638...
    assert stats.clt_margin(2.0, 16) == pytest.approx(4.8916384 * 0.5, rel=1e-6)
    assert stats.clt_margin(1.0, 100, p_false=0.05) == pytest.approx(0.1959964, rel=1e-6)
    m = stats.clt_margin(np.array([1.0, 2.0]), 4)
    assert m.shape == (2,)
    with pytest.raises(ValueError, match="p_false"):
        stats.clt_margin(1.0, 10, p_false=0.0)
    with pytest.raises(ValueError, match="n"):
        stats.clt_margin(1.0, 0)
